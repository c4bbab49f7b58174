/**
 * What every lockfile reader shares: offsets turned into 1-based line/column, the `E_LOCKFILE`
 * error and warning with their position, JSON syntax errors placed where the text stops being
 * JSON, the key positions of a JSON lockfile's maps (JSON.parse keeps none) found in one linear
 * scan, and the small value checks the readers share.
 */
import { AnyarchError } from '../../errors.js';
import type { SourcePosition } from '../types.js';

/** Offsets of the starts of lines, for offset -> line/column by binary search. */
export class LineIndex {
  protected readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line and column of a 0-based offset. */
  position(offset: number): SourcePosition {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (s[lo] ?? 0) + 1 };
  }
}

/** The error for a lockfile that cannot be read at all. */
export function lockfileError(file: string, message: string, position?: SourcePosition, hint?: string): AnyarchError {
  return new AnyarchError('E_LOCKFILE', message, hint, { file, ...(position ?? {}) });
}

/** A problem that did not stop the reading (an entry skipped, a lock written without libc fields). */
export const lockfileWarning = lockfileError;

/** The text without a byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * JSON.parse, with a syntax error turned into `E_LOCKFILE` at the offset where the text stops
 * being JSON (found by {@link jsonErrorOffset}: Node 20's parser names no position for an
 * unexpected token), or at the end when the text is truncated.
 */
export function parseJsonLockfile(file: string, text: string, lines: LineIndex | undefined, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    const offset = Math.max(0, jsonErrorOffset(text));
    const truncated = offset >= text.trimEnd().length;
    const token = /^Unexpected token '(.+?)'/.exec(message);
    const reason = token ? `unexpected ${JSON.stringify(token[1])}` : message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw lockfileError(file, truncated ? `${what} is truncated: it ends before its JSON does` : `${what} is not valid JSON: ${reason}`, (lines ?? new LineIndex(text)).position(Math.min(offset, text.length)));
  }
}

/**
 * The offset of the first character at which `text` stops being JSON (RFC 8259), `text.length`
 * when it ends too early, -1 when it is JSON. A validating scan that builds no values; nesting
 * deeper than 1,000 is an error at that depth.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const fail = (): never => {
    throw new JsonStop(i);
  };
  const ws = (): void => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };
  const str = (): void => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      i += c === 0x5c ? 2 : 1;
    }
    i = n;
    fail();
  };
  const num = (): void => {
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) fail();
    i = NUMBER.lastIndex;
  };
  const word = (w: string): void => {
    for (let k = 0; k < w.length; k++, i++) if (text.charCodeAt(i) !== w.charCodeAt(k)) fail();
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail();
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          str();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return word('true');
    if (c === 'f') return word('false');
    if (c === 'n') return word('null');
    return num();
  };
  try {
    value(0);
    ws();
    if (i < n) fail();
    return -1;
  } catch (e) {
    if (e instanceof JsonStop) return Math.min(e.offset, n);
    return 0; // a stack overflow on hostile nesting: the start is as good a place as any
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The offset of the quote that closes the JSON string opening at `open` (the next one not escaped by an odd run of backslashes); `text.length` when none does. */
export function jsonStringEnd(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j !== -1 && text.charCodeAt(j - 1) === 0x5c) {
    let k = j - 1;
    while (text.charCodeAt(k) === 0x5c) k--;
    if ((j - 1 - k) % 2 === 0) break;
    j = text.indexOf('"', j + 1);
  }
  return j === -1 ? text.length : j;
}

/** The JSON string from `open` to its closing quote `close`, unescaped (text that JSON.parse already read). */
export function jsonKey(text: string, open: number, close: number): string {
  const raw = text.slice(open, close + 1);
  return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
}

/**
 * Positions of the keys of a JSON text's top object and of the objects under the given top-level
 * keys (`packages` of package-lock.json): `top` maps a top key to its position; `nested` maps
 * `<topKey>\0<key>` to the position of the key inside that object. One pass, no allocation per
 * character; assumes the text already parsed with JSON.parse.
 */
export function jsonKeyPositions(text: string, lines: LineIndex, nestedUnder: ReadonlySet<string>): { top: Map<string, SourcePosition>; nested: Map<string, SourcePosition> } {
  const top = new Map<string, SourcePosition>();
  const nested = new Map<string, SourcePosition>();
  let depth = 0;
  // the top-level key whose object we are inside, at depth 2 (when it is one of nestedUnder)
  let currentTop: string | undefined;
  let lastTopKey: string | undefined;
  // whether the next string at this depth is a key: after `{` or `,` in an object
  const expectKey: boolean[] = [];
  const isObject: boolean[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      const j = jsonStringEnd(text, i);
      if (expectKey[depth] && isObject[depth]) {
        const key = jsonKey(text, start, j);
        if (depth === 1) {
          top.set(key, lines.position(start));
          lastTopKey = key;
        } else if (depth === 2 && currentTop !== undefined) nested.set(`${currentTop}\0${key}`, lines.position(start));
        expectKey[depth] = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      isObject[depth] = c === 0x7b;
      expectKey[depth] = c === 0x7b;
      if (depth === 2) currentTop = c === 0x7b && lastTopKey !== undefined && nestedUnder.has(lastTopKey) ? lastTopKey : undefined;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      if (depth < 2) currentTop = depth === 1 ? undefined : currentTop;
    } else if (c === 0x2c /* , */) {
      if (isObject[depth]) expectKey[depth] = true;
    }
  }
  return { top, nested };
}

/**
 * The positions of the keys of the object under the top-level key `under` (package-lock.json's
 * `packages`), in `Object.keys(doc[under])` order, when `text` is exactly what
 * `JSON.stringify(doc, null, indent)` writes, with or without a final newline: the way npm writes
 * its lockfiles (2 spaces by default, or the indent of package.json). Such a text needs no scan
 * of its structure: each key of that object is the next line indented twice, and its line number
 * comes from counting newlines up to it. `undefined` when the text is written any other way
 * (another newline, keys JSON.parse reorders or repeats, a hand edit, a minified file): the
 * caller then scans it ({@link jsonKeyPositions}). The text must be the one `doc` was parsed from.
 */
export function canonicalJsonKeyPositions(text: string, doc: Record<string, unknown>, under: string): SourcePosition[] | undefined {
  // the indent: what the second line starts with before its first key (`{\n  "name": ...`)
  if (text.charCodeAt(0) !== 0x7b /* { */ || text.charCodeAt(1) !== 0x0a) return undefined;
  const quote = text.indexOf('"', 2);
  if (quote <= 2) return undefined;
  const indent = text.slice(2, quote);
  if (!/^(?: +|\t+)$/.test(indent)) return undefined;
  const value = doc[under];
  if (!isRecord(value)) return undefined;
  // exactly JSON.stringify's text? (a final newline allowed)
  const canonical = JSON.stringify(doc, null, indent);
  const final = text.length === canonical.length + 1 && text.charCodeAt(canonical.length) === 0x0a;
  if (!(final ? text.slice(0, -1) === canonical : text === canonical)) return undefined;
  // the `under` key: a line indented once (unique: a line so indented and followed by `": ` is a top-level key)
  const head = `\n${indent}${JSON.stringify(under)}: `;
  let at = text.indexOf(head);
  if (at === -1) return undefined;
  const keyLine = `\n${indent}${indent}"`;
  const column = 2 * indent.length + 1;
  const out: SourcePosition[] = [];
  let line = 1;
  let counted = 0;
  for (const key of Object.keys(value)) {
    at = text.indexOf(keyLine, at + 1);
    // the key itself, as written (a key JSON escapes is not found so: then the scan places it)
    const from = at + keyLine.length;
    if (at === -1 || !text.startsWith(key, from) || text.charCodeAt(from + key.length) !== 0x22) return undefined;
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl <= at; nl = text.indexOf('\n', nl + 1)) {
      line++;
      counted = nl + 1;
    }
    out.push({ line, column });
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A string or a list of strings as a list; undefined when empty or neither. */
export function strings(v: unknown): readonly string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return undefined;
  const out = v.filter((x): x is string => typeof x === 'string');
  return out.length > 0 ? out : undefined;
}
