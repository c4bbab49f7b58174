/**
 * A fast reader of the YAML that pnpm and Yarn Berry write: block mappings indented by spaces,
 * block sequences of scalars, one-line flow collections (`{integrity: sha512-...}`, `[arm64]`),
 * plain, single- and double-quoted scalars, comments. The `yaml` library takes 0.5-1 s for a
 * 2,000-package pnpm-lock.yaml (and 20 s and 760 MB for a 12 MB one); this takes milliseconds.
 * Plain scalars stay strings but for `true`, `false`, `null` and `~` (versions keep their digits).
 *
 * What is outside that subset (anchors, tags, block scalars, multi-line scalars, tabs) is read
 * by the caller's `chunk` reader (the `yaml` library), one entry at a time: the entry the line
 * belongs to (a child of a top-level key: one package of `packages`), or, for a line that starts
 * an entry of its own, that line and the lines indented under it. So one folded `deprecated:`
 * message costs the reading of one package, not of the whole file. Without a `chunk` reader, or
 * when the chunk cannot be read alone (an alias of an anchor elsewhere, invalid YAML, documents,
 * an indentation that breaks the structure), it throws {@link NotBlockYaml} and the caller reads
 * the whole text with the `yaml` library, which also words the errors of invalid YAML.
 */
import type { SourcePosition } from '../types.js';

export class NotBlockYaml extends Error {
  constructor(readonly line: number) {
    super(`not the block YAML subset (line ${line})`);
  }
}

export interface BlockYaml {
  readonly data: Record<string, unknown>;
  /** positions of the top-level keys (under '') and of the keys of the maps under `mapsUnder` */
  readonly keys: Map<string, Map<string, SourcePosition>>;
}

interface Frame {
  readonly indent: number;
  /** the container of this level; undefined while a key's value is still to be seen */
  container: Record<string, unknown> | unknown[] | undefined;
  /** where the container goes once known */
  readonly parent: Record<string, unknown> | undefined;
  readonly key: string | undefined;
  /** where the positions of this level's keys are kept (the top level's, and those of the maps under `mapsUnder`) */
  readonly positions: Map<string, SourcePosition> | undefined;
  /** the indent of this level's children, from the first one (every sibling must share it) */
  childIndent: number | undefined;
  /** the offset where this level's key line starts, and its line number */
  readonly start: number;
  readonly line: number;
}

/**
 * Reads a piece of the text alone (the `yaml` library): its data, with the positions of its
 * top-level keys and of the keys of the maps under `mapsUnder`, relative to the piece. Throws
 * when the piece cannot be read alone.
 */
export type ChunkReader = (text: string, mapsUnder: readonly string[]) => { readonly data: Record<string, unknown>; readonly keys: ReadonlyMap<string, ReadonlyMap<string, SourcePosition>> };

export function readBlockYaml(text: string, mapsUnder: readonly string[], chunk?: ChunkReader): BlockYaml {
  const root: Record<string, unknown> = {};
  const top = new Map<string, SourcePosition>();
  const keys = new Map<string, Map<string, SourcePosition>>([['', top]]);
  const stack: Frame[] = [{ indent: -1, container: root, parent: undefined, key: undefined, positions: top, childIndent: undefined, start: 0, line: 0 }];
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const start = pos;
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    lineNo++;
    let line = text.slice(pos, end);
    pos = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length) continue; // blank
    const first = line[indent];
    if (first === '#') continue;
    try {
      readLine(line, indent, first as string, start);
    } catch (e) {
      if (!(e instanceof NotBlockYaml) || !chunk || (indent === 0 && (line.startsWith('---') || line.startsWith('...') || first === '%'))) throw e;
      ({ pos, lineNo } = readEntryAlone(indent, start, lineNo, pos, chunk));
    }
  }
  return { data: root, keys };

  function pop(indent: number): void {
    while ((stack[stack.length - 1]?.indent ?? -1) >= indent) {
      const done = stack.pop();
      if (done && done.container === undefined && done.parent && done.key !== undefined) done.parent[done.key] = null;
    }
  }

  /** One line of the subset, into the stack's containers; throws NotBlockYaml for anything else. */
  function readLine(line: string, indent: number, first: string, start: number): void {
    if (first === '\t' || (indent === 0 && (line.startsWith('---') || line.startsWith('...') || first === '%'))) throw new NotBlockYaml(lineNo);
    pop(indent);
    const frame = stack[stack.length - 1];
    if (!frame || frame.container === SCALAR) throw new NotBlockYaml(lineNo);
    if (frame.childIndent === undefined) frame.childIndent = indent;
    else if (frame.childIndent !== indent) throw new NotBlockYaml(lineNo);
    if (first === '-' && (line.length === indent + 1 || line[indent + 1] === ' ')) {
      // a block sequence item: only scalars and flow collections
      if (frame.container === undefined) {
        frame.container = [];
        if (frame.parent && frame.key !== undefined) frame.parent[frame.key] = frame.container;
      }
      if (!Array.isArray(frame.container)) throw new NotBlockYaml(lineNo);
      frame.container.push(scalarOrFlow(line, indent + 2, lineNo));
      return;
    }
    if (frame.container === undefined) {
      frame.container = {};
      if (frame.parent && frame.key !== undefined) frame.parent[frame.key] = frame.container;
    }
    const map = frame.container;
    if (Array.isArray(map)) throw new NotBlockYaml(lineNo);
    // the key
    let key: string;
    let i: number;
    if (first === '"' || first === "'") {
      const q = quoted(line, indent, lineNo);
      key = q.value;
      i = q.end;
      if (line[i] !== ':' || (i + 1 < line.length && line[i + 1] !== ' ')) throw new NotBlockYaml(lineNo);
    } else {
      const colon = findColon(line, indent);
      if (colon === -1) throw new NotBlockYaml(lineNo);
      key = line.slice(indent, colon).trimEnd();
      i = colon;
      if (key === '' || BLOCK_BAD_START.has(key[0] ?? '') || key[0] === '{' || key[0] === '[' || key.includes(' #')) throw new NotBlockYaml(lineNo);
    }
    frame.positions?.set(key, { line: lineNo, column: indent + 1 });
    i++; // past ':'
    while (line.charCodeAt(i) === 0x20) i++;
    const rest = i >= line.length || line[i] === '#' ? '' : line.slice(i);
    let positions: Map<string, SourcePosition> | undefined;
    if (stack.length === 1 && mapsUnder.includes(key)) keys.set(key, (positions = new Map()));
    if (rest === '') {
      map[key] = null;
      stack.push({ indent, container: undefined, parent: map, key, positions, childIndent: undefined, start, line: lineNo });
    } else {
      map[key] = scalarOrFlow(line, i, lineNo);
      // a more-indented line after a key with a value would be a multi-line scalar
      stack.push({ indent, container: SCALAR, parent: map, key, positions: undefined, childIndent: undefined, start, line: lineNo });
    }
  }

  /**
   * The entry of the line that left the subset (at `start`, indented `indent`), read by `chunk`:
   * the child of a top-level key it is in (its frame is on the stack), or, when the line itself
   * starts a key of the top level or of such a child, that line and those indented under it.
   * Its value replaces what the fast reading built of it; the reading goes on after it.
   * Throws NotBlockYaml when the entry cannot be read so.
   */
  function readEntryAlone(indent: number, start: number, failedLine: number, next: number, read: ChunkReader): { pos: number; lineNo: number } {
    pop(indent);
    const top = stack[stack.length - 1] as Frame;
    // the entry: a frame on the stack (a child of a top-level key, or a top-level key with a scalar), else the line itself
    const at = stack.length > 2 ? 2 : stack.length === 2 && top.container === SCALAR ? 1 : -1;
    const entry = at === -1 ? undefined : (stack[at] as Frame);
    const parent = entry ? (stack[at - 1] as Frame) : top;
    // the line itself: its indent must be its siblings' (else the structure is broken, not just outside the subset)
    if (!entry && parent.childIndent !== indent) throw new NotBlockYaml(failedLine);
    const from = entry ? entry.start : start;
    const fromLine = entry ? entry.line : failedLine;
    const entryIndent = entry ? entry.indent : indent;
    // its end: the next line, blank lines and comments aside, indented no deeper than its key
    let pos = next;
    let lineNo = failedLine;
    let endPos = next;
    let endLine = failedLine;
    while (pos < n) {
      let end = text.indexOf('\n', pos);
      if (end === -1) end = n;
      let i = pos;
      while (text.charCodeAt(i) === 0x20) i++;
      const c = text.charCodeAt(i);
      // a comment no deeper than the key does not end the entry; a deeper `#` line may be a block scalar's text
      const blank = i >= end || c === 0x0d || (c === 0x23 /* # */ && i - pos <= entryIndent);
      if (!blank && i - pos <= entryIndent) break;
      lineNo++;
      pos = end + 1;
      if (!blank) {
        endPos = pos;
        endLine = lineNo;
      }
    }
    const lines = text.slice(from, Math.min(endPos, n)).split('\n');
    const dedented = lines.map((l) => {
      let k = 0;
      while (k < entryIndent && l.charCodeAt(k) === 0x20) k++;
      return l.slice(k);
    });
    let piece: ReturnType<ChunkReader>;
    try {
      piece = read(dedented.join('\n'), parent === stack[0] ? mapsUnder : []);
    } catch {
      throw new NotBlockYaml(failedLine);
    }
    const names = Object.keys(piece.data);
    const key = names[0];
    if (names.length !== 1 || key === undefined || (entry && entry.key !== key)) throw new NotBlockYaml(failedLine);
    // where the entry goes: the parent's map (made now when the entry is its first child)
    if (parent.container === undefined) {
      parent.container = {};
      if (parent.parent && parent.key !== undefined) parent.parent[parent.key] = parent.container;
    }
    const map = parent.container;
    if (Array.isArray(map)) throw new NotBlockYaml(failedLine);
    map[key] = piece.data[key];
    const shift = (p: SourcePosition): SourcePosition => ({ line: p.line + fromLine - 1, column: p.column + entryIndent });
    const own = piece.keys.get('')?.get(key);
    if (own) parent.positions?.set(key, shift(own));
    const nested = piece.keys.get(key);
    if (parent === stack[0] && mapsUnder.includes(key)) keys.set(key, new Map([...(nested ?? [])].map(([k, p]) => [k, shift(p)])));
    stack.length = entry ? at : stack.length;
    return { pos: endPos, lineNo: endLine };
  }
}

/** A frame that takes no children: a line indented under it is outside the subset. */
const SCALAR: unknown[] = Object.freeze([]) as unknown as unknown[];

/** The `:` that ends a plain key: followed by a space or the end of the line. */
function findColon(line: string, from: number): number {
  for (let i = line.indexOf(':', from); i !== -1; i = line.indexOf(':', i + 1)) {
    if (i + 1 === line.length || line[i + 1] === ' ') return i;
  }
  return -1;
}

function quoted(s: string, at: number, lineNo: number): { value: string; end: number } {
  const q = s[at];
  if (q === "'") {
    let out = '';
    let i = at + 1;
    for (;;) {
      const j = s.indexOf("'", i);
      if (j === -1) throw new NotBlockYaml(lineNo);
      out += s.slice(i, j);
      if (s[j + 1] === "'") {
        out += "'";
        i = j + 2;
        continue;
      }
      return { value: out, end: j + 1 };
    }
  }
  let i = at + 1;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') break;
  }
  if (i >= s.length) throw new NotBlockYaml(lineNo);
  const raw = s.slice(at, i + 1);
  if (!raw.includes('\\')) return { value: raw.slice(1, -1), end: i + 1 };
  try {
    return { value: JSON.parse(raw) as string, end: i + 1 };
  } catch {
    throw new NotBlockYaml(lineNo); // a YAML escape JSON lacks (\x, \e...)
  }
}

function plain(word: string): unknown {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null' || word === '~') return null;
  return word;
}

/** The value from `at` to the end of the line: a scalar or a one-line flow collection. */
function scalarOrFlow(line: string, at: number, lineNo: number): unknown {
  const c = line[at];
  if (c === '{' || c === '[') {
    const r = flow(line, at, lineNo);
    if (!restIsEmpty(line, r.end)) throw new NotBlockYaml(lineNo);
    return r.value;
  }
  if (c === '"' || c === "'") {
    const q = quoted(line, at, lineNo);
    if (!restIsEmpty(line, q.end)) throw new NotBlockYaml(lineNo);
    return q.value;
  }
  if (c === undefined || BLOCK_BAD_START.has(c)) throw new NotBlockYaml(lineNo);
  let value = line.slice(at);
  const comment = value.indexOf(' #');
  if (comment !== -1) value = value.slice(0, comment);
  value = value.trimEnd();
  if (findColon(value, 0) !== -1) throw new NotBlockYaml(lineNo);
  return plain(value);
}

function restIsEmpty(line: string, from: number): boolean {
  const rest = line.slice(from).trim();
  return rest === '' || rest.startsWith('#');
}

/** `{a: b, c: [d, 'e']}` or `[a, b]` from `at`; the offset after it. */
function flow(s: string, at: number, lineNo: number): { value: unknown; end: number } {
  const open = s[at];
  const close = open === '{' ? '}' : ']';
  const out: Record<string, unknown> | unknown[] = open === '{' ? {} : [];
  let i = at + 1;
  while (s.charCodeAt(i) === 0x20) i++;
  if (s[i] === close) return { value: out, end: i + 1 };
  for (;;) {
    while (s.charCodeAt(i) === 0x20) i++;
    let key: string | undefined;
    if (!Array.isArray(out)) {
      const k = flowScalar(s, i, lineNo, true);
      if (typeof k.value !== 'string') throw new NotBlockYaml(lineNo);
      key = k.value;
      i = k.end;
      if (s[i] !== ':') throw new NotBlockYaml(lineNo);
      i++;
      while (s.charCodeAt(i) === 0x20) i++;
    }
    const v = s[i] === '{' || s[i] === '[' ? flow(s, i, lineNo) : flowScalar(s, i, lineNo, false);
    i = v.end;
    if (Array.isArray(out)) out.push(v.value);
    else if (key !== undefined) out[key] = v.value;
    while (s.charCodeAt(i) === 0x20) i++;
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === close) return { value: out, end: i + 1 };
    throw new NotBlockYaml(lineNo);
  }
}

/** Characters that cannot start a plain scalar (or start what this reader does not read). */
const BLOCK_BAD_START = new Set(['&', '*', '!', '|', '>', '%', '@', '`', '}', ']', ',', '#', '?']);

/** Characters that cannot start a plain scalar in a flow collection. */
const FLOW_BAD_START = new Set(['&', '*', '!', '|', '>', '%', '@', '`', '{', '}', '[', ']', ',']);

function flowScalar(s: string, at: number, lineNo: number, isKey: boolean): { value: unknown; end: number } {
  const c = s[at];
  if (c === '"' || c === "'") {
    const q = quoted(s, at, lineNo);
    return { value: q.value, end: q.end };
  }
  if (c === undefined || FLOW_BAD_START.has(c)) throw new NotBlockYaml(lineNo);
  let i = at;
  const n = s.length;
  for (; i < n; i++) {
    const d = s.charCodeAt(i);
    if (d === 0x2c /* , */ || d === 0x7d /* } */ || d === 0x5d /* ] */) break;
    if (d === 0x3a /* : */) {
      const e = s.charCodeAt(i + 1);
      if (isKey || e === 0x20 || e === 0x2c || e === 0x7d) break;
    }
    if (d === 0x5b /* [ */ || d === 0x7b /* { */) throw new NotBlockYaml(lineNo);
  }
  if (i >= n) throw new NotBlockYaml(lineNo);
  return { value: plain(s.slice(at, i).trimEnd()), end: i };
}
