/**
 * Reporters turn check results into text in one format. They only format: every number they
 * print comes in `results` or `ctx.summary`.
 */
import type { FileResult } from '../../check/engine.js';
import type { Rule } from '../../rules/types.js';
import type { Summary } from '../summary.js';

export type Format = 'text' | 'json' | 'sarif' | 'github';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github'];

export interface ReportContext {
  /** every rule anyarch knows (SARIF lists them all) */
  readonly rules: readonly Rule[];
  readonly summary: Summary;
  /** the checked text of each file (after fixes, when fixing), for source excerpts and SARIF regions */
  readonly sources: ReadonlyMap<string, string>;
  /** the directory file paths are relative to */
  readonly cwd: string;
  readonly color: boolean;
  /** leave out the summary line */
  readonly quiet: boolean;
  readonly toolVersion: string;
  /** whether fixes were applied (`fix`), previewed (`dry-run`) or not asked for */
  readonly fixMode: 'none' | 'fix' | 'dry-run';
}

export interface Reporter {
  readonly format: Format;
  report(results: readonly FileResult[], ctx: ReportContext): string;
}

/** A path with forward slashes (for URIs and CI annotations). */
export function posixPath(p: string): string {
  return p.replace(/\\/g, '/');
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Control characters (other than tab and newline) could drive the terminal; show them as U+FFFD. */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
}
