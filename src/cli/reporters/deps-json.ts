/**
 * `anyarch deps --format json`: the run as one JSON document (`anyarch-deps/1`): per lockfile its
 * targets (platform, libc, versions, install site), packages with their cells (status, artifact,
 * needs, lacking, reason, verdict id), warnings and error; the summary per target; the findings.
 * Errors are `{ code, message, hint?, file?, line?, column? }`; toolchain evidence is kept.
 */
import type { DepsRun } from '../../deps/analyze.js';
import { formatPlatform } from '../../platform/index.js';
import type { AnyarchError } from '../../errors.js';
import type { DepsReporter, DepsReportContext } from './deps-types.js';
import { targetLabels } from '../../deps/analyze.js';

export const DEPS_JSON_SCHEMA = 'anyarch-deps/1';

function jsonError(e: AnyarchError): object {
  const loc = e.location;
  return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(loc?.file ? { file: loc.file } : {}), ...(loc?.line ? { line: loc.line } : {}), ...(loc?.column ? { column: loc.column } : {}) };
}

export function toDepsJson(run: DepsRun, toolVersion: string): object {
  return {
    schema: DEPS_JSON_SCHEMA,
    tool: { name: 'anyarch', version: toolVersion },
    failing: run.failing,
    summary: run.summaries,
    lockfiles: run.reports.map((r) => ({
      file: r.file,
      kind: r.kind,
      ecosystem: r.ecosystem,
      total: r.total,
      ...(r.error
        ? { error: jsonError(r.error) }
        : {
            targets: r.targets.map((t, i) => ({
              label: targetLabels(r.targets)[i],
              platform: formatPlatform(t.platform),
              libc: t.libc,
              ...(t.libcVersion ? { libcVersion: t.libcVersion } : {}),
              ...(t.python ? { python: t.python } : {}),
              ...(t.node ? { node: t.node } : {}),
              ...(t.toolchain ? { toolchain: t.toolchain } : {}),
              ...(t.site ? { site: t.site } : {}),
            })),
            packages: r.packages,
            warnings: r.warnings.map(jsonError),
          }),
    })),
    findings: run.findings,
    errors: run.errors.map(jsonError),
  };
}

export const depsJsonReporter: DepsReporter = {
  format: 'json',
  deps(run: DepsRun, ctx: DepsReportContext): string {
    return `${JSON.stringify(toDepsJson(run, ctx.toolVersion), null, 2)}\n`;
  },
};
