/** The counts printed at the foot of a report (and in `--format json`'s `summary`). */
import type { FileResult } from './engine.js';

export interface Summary {
  /** files checked, including those that could not be read or parsed */
  readonly files: number;
  readonly filesWithProblems: number;
  /** files that could not be read or parsed */
  readonly unreadable: number;
  readonly problems: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** problems that --fix can fix */
  readonly fixable: number;
  /** problems hidden by suppression comments */
  readonly suppressed: number;
  /** problems fixed (or, with --fix-dry-run, that would be fixed) */
  readonly fixed: number;
  readonly fixedFiles: number;
}

export function summarize(results: readonly FileResult[], fixed: { problems: number; files: number } = { problems: 0, files: 0 }): Summary {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let fixable = 0;
  let suppressed = 0;
  let filesWithProblems = 0;
  let unreadable = 0;
  for (const r of results) {
    if (r.error) unreadable++;
    if (r.findings.length) filesWithProblems++;
    suppressed += r.suppressed;
    for (const f of r.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else infos++;
      if (f.fix?.length) fixable++;
    }
  }
  return {
    files: results.length,
    filesWithProblems,
    unreadable,
    problems: errors + warnings + infos,
    errors,
    warnings,
    infos,
    fixable,
    suppressed,
    fixed: fixed.problems,
    fixedFiles: fixed.files,
  };
}
