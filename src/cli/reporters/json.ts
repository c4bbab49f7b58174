/**
 * `--format json`: the library's own data, versioned. Each file lists its findings (as the
 * engine returns them) or the error that stopped it from being checked.
 *
 * ```json
 * { "version": 1, "tool": { "name": "anyarch", "version": "0.1.0" },
 *   "files": [{ "file": "Dockerfile", "findings": [ ... ], "suppressed": 0 },
 *             { "file": "bad/Dockerfile", "findings": [], "suppressed": 0,
 *               "error": { "code": "E_PARSE", "message": "...", "line": 1, "column": 10 } }],
 *   "summary": { "files": 2, "problems": 1, "errors": 0, "warnings": 1, ... } }
 * ```
 */
import type { FileResult } from '../../check/engine.js';
import type { Finding } from '../../rules/types.js';
import type { Summary } from '../summary.js';
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
  files: { file: string; findings: readonly Finding[]; suppressed: number; error?: JsonFileError }[];
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

export const jsonReporter: Reporter = {
  format: 'json',
  report(results, ctx) {
    return JSON.stringify(toJsonReport(results, ctx.summary, ctx.toolVersion), null, 2) + '\n';
  },
};
