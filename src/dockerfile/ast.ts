/**
 * The Dockerfile syntax tree as BuildKit's parser sees it, with exact source positions.
 * Lines and columns are 1-based (columns count UTF-16 code units, as editors and SARIF do);
 * offsets are 0-based indexes into `Dockerfile.source` (after BOM removal).
 */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** A piece of logical (continuation-joined) text and where it came from in the source. */
export interface Segment {
  /** offset in the logical text */
  readonly textOffset: number;
  /** offset in the source */
  readonly sourceOffset: number;
  readonly length: number;
}

/**
 * Logical text of an instruction's arguments: physical lines joined the way BuildKit joins
 * them (escape + newline removed, comment lines inside continuations dropped), with a map back
 * to the source so that any substring can be reported at its exact file position.
 */
export interface SourceText {
  readonly text: string;
  readonly segments: readonly Segment[];
}

export interface Directive {
  readonly name: 'syntax' | 'escape' | 'check';
  readonly value: string;
  readonly range: Range;
}

export interface Comment {
  /** text after '#', trimmed */
  readonly text: string;
  readonly range: Range;
}

export interface Flag {
  /** name without dashes, as written (BuildKit flags are case-sensitive) */
  readonly name: string;
  /** null for a boolean flag written without '=' (e.g. `--link`) */
  readonly value: string | null;
  /** the flag as written, e.g. `--platform=$BUILDPLATFORM` */
  readonly raw: string;
  readonly range: Range;
  readonly valueRange: Range | null;
}

export interface Heredoc {
  /** delimiter word without quotes */
  readonly name: string;
  /** `<<-`: leading tabs are stripped from the content */
  readonly chomp: boolean;
  /** false when the delimiter was quoted: no variable expansion in the content */
  readonly expand: boolean;
  /** optional file descriptor written before `<<` (e.g. `3<<EOF`) */
  readonly fileDescriptor: number | null;
  /**
   * the content as BuildKit's instruction layer sees it: the raw lines with their line endings
   * (a CRLF file keeps '\r'), leading tabs removed for `<<-`
   */
  readonly content: string;
  /** the content with a map to source positions (exact also for `<<-`, whose tabs are gone) */
  readonly text: SourceText;
  /** range of the content lines plus the terminating delimiter line */
  readonly range: Range;
  /** source offset where the content starts */
  readonly contentOffset: number;
}

export interface Instruction {
  /** lower-case keyword: 'from', 'run', ... (unknown keywords kept as written, lower-cased) */
  readonly keyword: string;
  /** range of the keyword as written */
  readonly keywordRange: Range;
  readonly flags: readonly Flag[];
  /**
   * Arguments as BuildKit splits them: JSON (exec) form gives the array elements; shell form
   * and other free text give one string with continuations joined; ENV/LABEL/ARG give the words
   * as written (see `parse --format json`).
   */
  readonly args: readonly string[];
  /** true when the arguments were a valid JSON array (exec form) */
  readonly json: boolean;
  /** the logical text after keyword and flags, with a source map */
  readonly body: SourceText;
  /** range of the text after keyword and flags (excluding heredoc bodies) */
  readonly bodyRange: Range;
  readonly heredocs: readonly Heredoc[];
  /** for ONBUILD: the trigger instruction */
  readonly trigger: Instruction | null;
  /** whole instruction, including continuation lines and heredoc bodies */
  readonly range: Range;
  /** comment lines directly above the instruction (no blank line between) */
  readonly comments: readonly Comment[];
}

export interface ParseWarning {
  readonly code: 'empty-continuation' | 'unknown-instruction';
  readonly message: string;
  readonly range: Range;
}

export interface Dockerfile {
  readonly path: string;
  /** source after BOM removal; CRLF kept (positions refer to this text) */
  readonly source: string;
  readonly escape: '\\' | '`';
  readonly directives: readonly Directive[];
  readonly instructions: readonly Instruction[];
  readonly comments: readonly Comment[];
  readonly warnings: readonly ParseWarning[];
  /** start offset of each line (index 0 = line 1) */
  readonly lineStarts: readonly number[];
}
