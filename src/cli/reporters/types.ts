/**
 * Reporters turn a command's results into text in one format. There is one module per format
 * (text, json, sarif, github), and each implements every kind of result: the findings of
 * `check`, the images of `platforms` and the verdicts of `verify`. They only format: every number they print comes in the results or the summary the
 * library computed, and every decision (severity, outcome) was made before them.
 */
import type { FileResult } from '../../check/engine.js';
import type { Summary } from '../../check/summary.js';
import type { ImageResult, ImagesSummary } from '../../oci/image-results.js';
import type { Rule } from '../../rules/types.js';
import type { VerifyReport, VerifySummary } from '../../verify/types.js';
import type { VerdictMeta } from '../../verify/verdicts/types.js';

export type Format = 'text' | 'json' | 'sarif' | 'github';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github'];

/** What a report of `check` findings needs besides the results. */
export interface CheckReportContext {
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

/** What a report of `platforms` images needs besides the results. */
export interface PlatformsReportContext {
  readonly summary: ImagesSummary;
  /** the platforms every image must publish (`--require`), as `os/arch[/variant]` */
  readonly required?: readonly string[];
  /** full digests in text output (`--no-trunc`) */
  readonly fullDigests: boolean;
  /** the directory the command ran in */
  readonly cwd: string;
  readonly toolVersion: string;
}

/** What a report of `verify` needs besides the reports. */
export interface VerifyReportContext {
  readonly summary: VerifySummary;
  /** every verdict anyarch knows (SARIF lists them all) */
  readonly verdicts: readonly VerdictMeta[];
  /** full digests in text output (`--no-trunc`) */
  readonly fullDigests: boolean;
  /** the directory the command ran in (SARIF's %SRCROOT%; Dockerfile paths are relative to it) */
  readonly cwd: string;
  readonly color: boolean;
  readonly toolVersion: string;
}

export interface Reporter {
  readonly format: Format;
  /** `anyarch check`: findings per file, or why a file could not be checked */
  check(results: readonly FileResult[], ctx: CheckReportContext): string;
  /** `anyarch platforms`: the platforms each image publishes, or why it could not be read */
  platforms(images: readonly ImageResult[], ctx: PlatformsReportContext): string;
  /** `anyarch verify`: per image and platform variant, the summary and the verdicts, or why it could not be read */
  verify(reports: readonly VerifyReport[], ctx: VerifyReportContext): string;
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
