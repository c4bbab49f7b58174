/**
 * `anyarch platforms IMAGE...`: which platforms each image publishes, read from a registry, an
 * OCI layout or an archive. `--require` turns it into a gate (exit 1 listing what is missing).
 * Every image is read even when one fails; a failed image is reported on its own line.
 */
import { AnyarchError, isAnyarchError } from '../../errors.js';
import { openSource } from '../../sources.js';
import { inspectPlatforms, type PlatformReport } from '../../oci/platforms.js';
import { formatSourceSpec, parseSourceSpec } from '../../oci/source-spec.js';
import { formatPlatform, makePlatform, parsePlatformList, samePlatform, type Platform } from '../../platform/index.js';
import { RegistryClient } from '../../registry/client.js';
import { resolveCredential } from '../../registry/credentials.js';
import { showProgress, type Io, type Outcome } from '../io.js';
import { shortDigest } from '../../oci/digest.js';
import { plural, sanitize } from '../reporters/types.js';
import { table } from './rules.js';

export type PlatformsFormat = 'text' | 'json';

export interface PlatformsCommandOptions {
  readonly images: readonly string[];
  readonly format: PlatformsFormat;
  /** comma-separated platforms every image must publish */
  readonly require?: string;
  readonly insecureRegistries: readonly string[];
  /** list the index only: no per-platform manifest or config requests */
  readonly indexOnly: boolean;
  /** full digests in text output */
  readonly noTrunc: boolean;
  /** seconds to wait for a registry's answer */
  readonly timeout?: number;
}

export interface ImageResult {
  readonly image: string;
  readonly report?: PlatformReport;
  readonly missing?: readonly string[];
  readonly error?: AnyarchError;
}

function missingPlatforms(report: PlatformReport, required: readonly Platform[]): string[] {
  // a variant whose manifest or config cannot be read cannot be pulled either: it does not count
  const have = report.platforms.filter((p) => !p.error).map((p) => makePlatform(p.declared.os, p.declared.architecture, p.declared.variant ?? ''));
  return required.filter((r) => !have.some((h) => samePlatform(h, r))).map(formatPlatform);
}

export async function platforms(opts: PlatformsCommandOptions, io: Io): Promise<Outcome> {
  const required = opts.require ? parsePlatformList(opts.require) : undefined;
  if (opts.images.length === 0) throw new AnyarchError('E_USAGE', 'name at least one image', "e.g. anyarch platforms docker.io/library/alpine:3.20 or oci:./layout:latest");
  const specs = opts.images.map((image) => {
    try {
      return { image, spec: parseSourceSpec(image, { cwd: io.cwd }) };
    } catch (e) {
      if (isAnyarchError(e)) return { image, error: e };
      throw e;
    }
  });
  const client = new RegistryClient({
    insecureRegistries: opts.insecureRegistries,
    credentials: (registry) => resolveCredential(registry, { env: io.env as NodeJS.ProcessEnv }),
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
  });
  // progress on a terminal only (never in CI logs or pipes): one line, rewritten, then erased
  const progress = specs.length > 1 && showProgress(io.stderr, io.env);
  let finished = 0;
  const tick = (): void => {
    finished++;
    if (progress) io.stderr.write(`\ranyarch: ${finished}/${specs.length} images read\u001b[K`);
  };
  const results: ImageResult[] = await Promise.all(
    specs.map(async (s): Promise<ImageResult> => {
      if (!s.spec) {
        tick();
        return { image: s.image, ...(s.error ? { error: s.error } : {}) };
      }
      let source;
      try {
        source = await openSource(s.spec, { client, env: io.env as NodeJS.ProcessEnv });
        const report = await inspectPlatforms(source, { details: !opts.indexOnly });
        return { image: formatSourceSpec(s.spec), report, ...(required ? { missing: missingPlatforms(report, required) } : {}) };
      } catch (e) {
        if (isAnyarchError(e)) return { image: formatSourceSpec(s.spec), error: e };
        throw e;
      } finally {
        await source?.close();
        tick();
      }
    }),
  );
  if (progress) io.stderr.write('\r\u001b[K');

  if (opts.format === 'json') io.stdout.write(JSON.stringify(toJSON(results, required), null, 2) + '\n');
  else io.stdout.write(toText(results, opts.noTrunc));

  for (const r of results) {
    if (r.error) {
      io.stderr.write(`anyarch: ${sanitize(r.error.describe())}\n`);
      if (r.error.hint) io.stderr.write(`  hint: ${sanitize(r.error.hint)}\n`);
    }
  }
  if (results.some((r) => r.error)) return 'input-error';
  if (results.some((r) => r.missing?.length)) return 'findings';
  return 'clean';
}

function errorJSON(e: AnyarchError): { code: string; message: string } {
  return { code: e.code, message: e.message };
}

export function toJSON(results: readonly ImageResult[], required: readonly Platform[] | undefined): unknown {
  return {
    version: 1,
    ...(required ? { require: required.map(formatPlatform) } : {}),
    images: results.map((r) => ({
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
            })),
            attestations: r.report.attestations,
            ignored: r.report.ignored,
          }
        : {}),
      ...(r.missing ? { missing: r.missing } : {}),
      ...(r.error ? { error: errorJSON(r.error) } : {}),
    })),
  };
}

function short(digest: string, full: boolean): string {
  return full ? digest : shortDigest(digest);
}

export function humanSize(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

const MEDIA_NAMES: Readonly<Record<string, string>> = {
  'application/vnd.oci.image.index.v1+json': 'OCI index',
  'application/vnd.docker.distribution.manifest.list.v2+json': 'Docker manifest list',
  'application/vnd.oci.image.manifest.v1+json': 'OCI manifest',
  'application/vnd.docker.distribution.manifest.v2+json': 'Docker manifest',
};

export function toText(results: readonly ImageResult[], fullDigests: boolean): string {
  const out: string[] = [];
  for (const r of results) {
    if (!r.report) {
      out.push(`${sanitize(r.image)}: could not be read${r.error ? ` (${r.error.code}; the reason is on standard error)` : ''}`, '');
      continue;
    }
    const rep = r.report;
    const kind = MEDIA_NAMES[rep.root.mediaType] ?? rep.root.mediaType;
    const counts = [plural(rep.platforms.length, 'platform')];
    if (rep.attestations.length) counts.push(plural(rep.attestations.length, 'attestation'));
    if (rep.ignored.length) counts.push(`${rep.ignored.length} other`);
    out.push(`${sanitize(r.image)}`, `  ${kind} ${short(rep.root.digest, fullDigests)} (${counts.join(', ')})`);
    const rows = [['  PLATFORM', 'OS VERSION', 'MANIFEST', 'SIZE', 'CONFIG', 'CREATED']];
    for (const p of rep.platforms) {
      const cfg = p.config ? `${p.config.os}/${p.config.architecture}${p.config.variant ? `/${p.config.variant}` : ''}` : p.error ? 'error' : '-';
      rows.push([`  ${sanitize(p.platform)}`, sanitize(p.osVersion ?? '-'), short(p.manifest.digest, fullDigests), humanSize(p.imageSize), sanitize(cfg), sanitize(p.config?.created ?? '-')]);
    }
    out.push(table(rows).trimEnd());
    for (const a of rep.attestations) {
      const target = a.describesPlatform ?? (a.describes ? short(a.describes, fullDigests) : 'the image');
      out.push(`  attestation ${short(a.manifest.digest, fullDigests)} for ${sanitize(target)}${a.referenceType ? ` (${sanitize(a.referenceType)})` : ''}`);
    }
    for (const p of rep.platforms) {
      if (p.mismatch) out.push(`  warning: ${sanitize(p.platform)}: ${sanitize(p.mismatch)}`);
      if (p.error) out.push(`  warning: ${sanitize(p.platform)}: ${sanitize(p.error.message)}`);
    }
    if (r.missing?.length) out.push(`  missing: ${r.missing.join(', ')}`);
    out.push('');
  }
  return out.join('\n');
}
