/**
 * How a check ends: `--fail-on` (which findings fail a run) and the outcome of a run's results,
 * decided here once for the CLI and any program that checks Dockerfiles.
 */
import { isBug } from '../errors.js';
import type { Finding, Severity } from '../rules/types.js';
import type { FileResult } from './engine.js';
import type { Summary } from './summary.js';

/** The least severe finding that fails a check (`never`: findings never fail). */
export type FailOn = Severity | 'never';

export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'info', 'never'];

/** The default --fail-on: like hadolint's failure-threshold, any finding fails. */
export const DEFAULT_FAIL_ON: FailOn = 'warning';

const RANK: Readonly<Record<Severity, number>> = { info: 1, warning: 2, error: 3 };

/** True when a finding of `severity` makes the run fail under `failOn`. */
export function failsOn(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn];
}

/** What a check ended with (the CLI turns it into an exit code). */
export type CheckOutcome =
  /** nothing at or above --fail-on */
  | 'clean'
  /** findings at or above --fail-on */
  | 'findings'
  /** some input could not be read or parsed (the others were still checked) */
  | 'input-error'
  /** anyarch or a rule misbehaved on some file (a fix broke its syntax, a rule failed): a bug */
  | 'bug';

/**
 * The outcome of a check: a bug beats an unreadable file, which beats findings at or above
 * `failOn`. A bug is a result whose error `isBug` (a fix that broke the syntax, a rule that
 * failed), or `bug` (`checkPaths` reports it); `pending` are findings a dry run would fix, which
 * count as the check's own (a dry run fixes nothing).
 */
export function checkOutcome(
  run: { readonly results: readonly FileResult[]; readonly summary: Summary; readonly bug?: boolean; readonly pending?: readonly Finding[] },
  failOn: FailOn = DEFAULT_FAIL_ON,
): CheckOutcome {
  if (run.bug || run.results.some((r) => r.error !== undefined && isBug(r.error))) return 'bug';
  if (run.summary.unreadable > 0) return 'input-error';
  if (run.results.some((r) => r.findings.some((f) => failsOn(f.severity, failOn)))) return 'findings';
  if (run.pending?.some((f) => failsOn(f.severity, failOn))) return 'findings';
  return 'clean';
}
