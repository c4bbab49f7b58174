/**
 * `--format json`: the library's own data, versioned.
 *
 * check: each file lists its findings (as the engine returns them) or the error that stopped it
 * from being checked, then the summary:
 *
 * ```json
 * { "version": 1, "tool": { "name": "anyarch", "version": "0.1.0" },
 *   "files": [{ "file": "Dockerfile", "findings": [ ... ], "suppressed": 0 },
 *             { "file": "bad/Dockerfile", "findings": [], "suppressed": 0,
 *               "error": { "code": "E_PARSE", "message": "...", "line": 1, "column": 10 } }],
 *   "summary": { "files": 2, "problems": 1, "errors": 0, "warnings": 1, ... } }
 * ```
 *
 * platforms: each image with its root, kind, platforms (as read), attestations, ignored entries,
 * the required platforms it misses and the error that stopped it from being read:
 *
 * ```json
 * { "version": 1, "require": ["linux/amd64"],
 *   "images": [{ "image": "…", "root": { … }, "kind": "index", "platforms": [ … ],
 *                "attestations": [ … ], "ignored": [], "missing": [] }] }
 * ```
 *
 * An index anyarch published after verifying it (its `dev.anyarch.verify.*` annotations) also has
 * `"verified": { "platforms": ["linux/amd64", …], "version": "0.1.0" }`, and each of its
 * platforms `"verified": true|false`; without the annotation neither field is there.
 *
 * verify: the library's reports (`VerifyReport`, src/verify/types.ts) and their summary:
 *
 * ```json
 * { "version": 1, "tool": { … }, "images": [{ "image": "…", "digest": "…",
 *     "platforms": [{ "name": "linux/arm64", "summary": { … }, "verdicts": [ … ] }], "skipped": [ … ] }],
 *   "summary": { "images": 1, "variants": 2, "verdicts": { "error": 1, … }, … } }
 * ```
 */
import type { FileResult } from '../../check/engine.js';
import type { Summary } from '../../check/summary.js';
import type { AnyarchError } from '../../errors.js';
import { imageError, missingRequired, type ImageResult } from '../../oci/image-results.js';
import type { Finding } from '../../rules/types.js';
import type { VerifyReport, VerifySummary } from '../../verify/types.js';
import type { Reporter } from './types.js';

export interface JsonFileError {
  code: string;
  message: string;
  hint?: string;
  line?: number;
  column?: number;
}

export interface JsonReport {
  version: 1;
  tool: { name: 'anyarch'; version: string };
  files: { file: string; findings: readonly Finding[]; suppressed: number; platforms?: FileResult['platforms']; error?: JsonFileError }[];
  summary: Summary;
}

export function toJsonReport(results: readonly FileResult[], summary: Summary, toolVersion: string): JsonReport {
  return {
    version: 1,
    tool: { name: 'anyarch', version: toolVersion },
    files: results.map((r) => ({
      file: r.file,
      findings: r.findings,
      suppressed: r.suppressed,
      ...(r.platforms ? { platforms: r.platforms } : {}),
      ...(r.error
        ? {
            error: {
              code: r.error.code,
              message: r.error.message,
              ...(r.error.hint ? { hint: r.error.hint } : {}),
              ...(r.error.location?.line ? { line: r.error.location.line } : {}),
              ...(r.error.location?.column ? { column: r.error.location.column } : {}),
            },
          }
        : {}),
    })),
    summary,
  };
}

function errorJSON(e: AnyarchError): { code: string; message: string } {
  return { code: e.code, message: e.message };
}

function errorField(e: AnyarchError | undefined): { error?: { code: string; message: string } } {
  return e ? { error: errorJSON(e) } : {};
}

export function toPlatformsJson(images: readonly ImageResult[], required: readonly string[] | undefined): unknown {
  return {
    version: 1,
    ...(required ? { require: required } : {}),
    images: images.map((r) => ({
      image: r.image,
      ...(r.report
        ? {
            root: r.report.root,
            kind: r.report.rootKind,
            platforms: r.report.platforms.map((p) => ({
              platform: p.platform,
              ...(p.osVersion ? { osVersion: p.osVersion } : {}),
              declared: p.declared,
              manifest: p.manifest,
              ...(p.imageSize !== undefined ? { imageSize: p.imageSize, layers: p.layers } : {}),
              ...(p.config ? { config: p.config } : {}),
              ...(p.mismatch ? { mismatch: p.mismatch } : {}),
              ...(p.via.length ? { via: p.via } : {}),
              ...(p.error ? { error: errorJSON(p.error) } : {}),
              ...(p.verified !== undefined ? { verified: p.verified } : {}),
            })),
            attestations: r.report.attestations,
            ignored: r.report.ignored,
            ...(r.report.verified ? { verified: r.report.verified } : {}),
          }
        : {}),
      // `missing` with --require for every image that was read, even when it misses nothing
      ...(r.report && required ? { missing: missingRequired(r) } : {}),
      ...errorField(imageError(r)),
    })),
  };
}

/** The JSON of `verify`: the reports as the library gives them, versioned. */
export function toVerifyJson(reports: readonly VerifyReport[], summary: VerifySummary, toolVersion: string): unknown {
  return { version: 1, tool: { name: 'anyarch', version: toolVersion }, images: reports, summary };
}

export const jsonReporter: Reporter = {
  format: 'json',
  check(results, ctx) {
    return JSON.stringify(toJsonReport(results, ctx.summary, ctx.toolVersion), null, 2) + '\n';
  },
  platforms(images, ctx) {
    return JSON.stringify(toPlatformsJson(images, ctx.required), null, 2) + '\n';
  },
  verify(reports, ctx) {
    return JSON.stringify(toVerifyJson(reports, ctx.summary, ctx.toolVersion), null, 2) + '\n';
  },
};
