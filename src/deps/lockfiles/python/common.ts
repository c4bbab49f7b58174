/**
 * What the Python lockfile readers share: positions in the text, the error for a whole file that
 * cannot be read (`E_LOCKFILE`) and the warning for one entry that is skipped, TOML parsing
 * with the parser's position kept, and the file name a URL ends in.
 */
import { parse, TomlError } from 'smol-toml';
import { AnyarchError } from '../../../errors.js';
import type { SourcePosition } from '../../types.js';

/** Offsets of line starts, for turning an offset into a 1-based line and column in O(log n). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  /** where each line that is exactly `header` (after trimming) starts, in order: `[[package]]` */
  headers(header: string): SourcePosition[] {
    const out: SourcePosition[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      const end = i + 1 < this.starts.length ? this.starts[i + 1]! - 1 : this.text.length;
      const line = this.text.slice(start, end);
      if (line.trim() === header) out.push({ line: i + 1, column: line.indexOf('[') + 1 });
    }
    return out;
  }
}

export function lockfileError(file: string, message: string, pos?: SourcePosition, hint?: string): AnyarchError {
  return new AnyarchError('E_LOCKFILE', message, hint, { file, ...(pos ? { line: pos.line, column: pos.column } : {}) });
}

/** A skipped entry: the same code, as a warning the lockfile carries. */
export const entryWarning = lockfileError;

export type TomlTable = Record<string, unknown>;

/** The TOML document, or `E_LOCKFILE` at the parser's line and column. */
export function parseTomlLock(file: string, text: string, what: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0] ?? 'not TOML';
      throw lockfileError(file, `${what} is not valid TOML: ${first}`, { line: e.line, column: e.column });
    }
    throw lockfileError(file, `${what} is not valid TOML: ${(e as Error).message}`);
  }
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The last path segment of a URL or path, percent-decoded (`.../numpy-2.1.0-cp312-....whl`). */
export function fileNameOf(urlOrPath: string): string {
  const noQuery = urlOrPath.split(/[?#]/)[0] ?? urlOrPath;
  const last = noQuery.slice(noQuery.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
