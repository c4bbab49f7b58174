/**
 * `anyarch deps --format sarif`: SARIF 2.1.0, one run of the anyarch driver whose rules are the
 * five deps verdicts (AA301..AA305); a result per finding at the lockfile line of its package
 * (or of the warning), with the target in `properties`; lockfiles and paths that could not be
 * read are error notifications, and make the invocation unsuccessful.
 */
import type { DepsRun } from '../../deps/analyze.js';
import { DEPS_VERDICTS } from '../../deps/verdicts.js';
import type { AnyarchError } from '../../errors.js';
import type { DepsReporter, DepsReportContext } from './deps-types.js';
import { SARIF_LEVEL, artifactLocation, sarifLog, verdictRule } from './sarif.js';

function notification(e: AnyarchError): object {
  const loc = e.location;
  return {
    level: 'error',
    descriptor: { id: e.code },
    message: { text: e.message + (e.hint ? ` (${e.hint})` : '') },
    ...(loc?.file
      ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(loc.file), ...(loc.line ? { region: { startLine: loc.line, ...(loc.column ? { startColumn: loc.column } : {}) } } : {}) } }] }
      : {}),
  };
}

export const depsSarifReporter: DepsReporter = {
  format: 'sarif',
  deps(run: DepsRun, ctx: DepsReportContext): string {
    const index = new Map(DEPS_VERDICTS.map((v, i) => [v.id, i]));
    const rules = DEPS_VERDICTS.map((v) => verdictRule(v, 'dependencies'));
    const results = run.findings.map((f) => ({
      ruleId: f.id,
      ruleIndex: index.get(f.id),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.file), region: { startLine: f.line ?? 1, ...(f.column ? { startColumn: f.column } : {}) } } }],
      ...(f.target !== undefined || f.package !== undefined ? { properties: { ...(f.package ? { package: f.package } : {}), ...(f.target ? { target: f.target } : {}) } } : {}),
    }));
    const errors = [...run.errors, ...run.reports.flatMap((r) => (r.error ? [r.error.location?.file ? r.error : withFile(r.error, r.file)] : []))];
    return sarifLog({ toolVersion: ctx.toolVersion, cwd: ctx.cwd, rules, results, notifications: errors.map(notification), executionSuccessful: errors.length === 0 });
  },
};

function withFile(e: AnyarchError, file: string): AnyarchError {
  return Object.assign(Object.create(Object.getPrototypeOf(e) as object) as AnyarchError, e, { location: { ...e.location, file } });
}
