/**
 * A fast reading of uv.lock as uv writes it, for the parts `readUvLock` uses: uv writes one
 * canonical layout (headers at column 0, one `key = value` a line, arrays of inline tables one
 * item a line, four spaces in), and a general TOML parser spends most of its time on the long
 * `wheels` arrays (a uv.lock of 2,000 packages is a few MiB). This reads that layout only: the
 * top-level `version` and `requires-python`, and per `[[package]]` its `name`, `version`,
 * `source`, `sdist`, `wheels`, `dependencies` and `[package.optional-dependencies]` /
 * `[package.dev-dependencies]`. Anything else it meets that it cannot be sure of (a multi-line
 * string, an escape, a value it does not parse) makes it answer `undefined`, and the caller
 * parses the file with the TOML library instead: it is never the only reader.
 */
import type { TomlTable } from './common.js';

type Value = string | number | boolean | Value[] | { [k: string]: Value };

/** A cursor over one line's value: TOML basic/literal strings without escapes, integers, booleans, inline tables, arrays. */
class ValueReader {
  i = 0;
  constructor(readonly s: string) {}

  private ws(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  value(): Value | undefined {
    this.ws();
    const c = this.s[this.i];
    if (c === '"' || c === "'") {
      const end = this.s.indexOf(c, this.i + 1);
      if (end < 0) return undefined;
      const str = this.s.slice(this.i + 1, end);
      if (c === '"' && str.includes('\\')) return undefined;
      this.i = end + 1;
      return str;
    }
    if (c === '{') return this.table();
    if (c === '[') return this.array();
    const start = this.i;
    while (this.i < this.s.length && isKeyChar(this.s.charCodeAt(this.i))) this.i++;
    const word = this.s.slice(start, this.i);
    if (word === 'true') return true;
    if (word === 'false') return false;
    return /^-?\d+$/.test(word) ? Number(word) : undefined;
  }

  private key(): string | undefined {
    this.ws();
    const start = this.i;
    while (this.i < this.s.length && isKeyChar(this.s.charCodeAt(this.i))) this.i++;
    return this.i > start ? this.s.slice(start, this.i) : undefined;
  }

  table(): { [k: string]: Value } | undefined {
    this.i++; // {
    const out: { [k: string]: Value } = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const k = this.key();
      this.ws();
      if (k === undefined || this.s[this.i] !== '=') return undefined;
      this.i++;
      const v = this.value();
      if (v === undefined || k in out) return undefined;
      out[k] = v;
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') return undefined;
    }
  }

  array(): Value[] | undefined {
    this.i++; // [
    const out: Value[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      const v = this.value();
      if (v === undefined) return undefined;
      out.push(v);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== ']') return undefined;
    }
  }

  /** the rest of the line is blank or a comment */
  done(): boolean {
    this.ws();
    return this.i >= this.s.length || this.s[this.i] === '#';
  }
}

/** A bare key's characters (A-Z a-z 0-9 _ -), which also spell integers and booleans. */
function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** One whole value from a line, or undefined. */
function lineValue(text: string): Value | undefined {
  const r = new ValueReader(text);
  const v = r.value();
  return v !== undefined && r.done() ? v : undefined;
}

const KEY_LINE = /^([A-Za-z0-9_-]+) = (.*)$/;
const PACKAGE_KEYS = new Set(['name', 'version', 'source', 'sdist', 'wheels', 'dependencies']);
const GROUP_SECTIONS = new Set(['[package.optional-dependencies]', '[package.dev-dependencies]']);

/** The parts of a uv.lock `readUvLock` reads, or undefined when the text is not in uv's layout. */
export function fastUvLock(text: string): TomlTable | undefined {
  if (text.includes('"""') || text.includes("'''")) return undefined;
  // CRLF (a Windows checkout) as LF; a carriage return anywhere else is the parser's to judge
  const crlf = text.includes('\r');
  if (crlf && /\r(?!\n)/.test(text)) return undefined;
  const lines = crlf ? text.split('\r\n') : text.split('\n');
  if (crlf && lines.some((l) => l.includes('\n'))) return undefined;
  const doc: TomlTable = {};
  const packages: TomlTable[] = [];
  /** where `key = value` lines go: the top, a package, a group table, or nowhere (a section not read) */
  let target: { [k: string]: Value } | TomlTable | undefined = doc;
  let keep: ((key: string) => boolean) | undefined = (k) => k === 'version' || k === 'requires-python';
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (line === '[[package]]') {
        const pkg: TomlTable = {};
        packages.push(pkg);
        target = pkg;
        keep = (k) => PACKAGE_KEYS.has(k);
      } else if (GROUP_SECTIONS.has(line)) {
        const pkg = packages[packages.length - 1];
        if (!pkg) return undefined;
        const key = line.slice(9, -1);
        if (key in pkg) return undefined;
        const groups: { [k: string]: Value } = {};
        pkg[key] = groups;
        target = groups;
        keep = () => true;
      } else if (/^\[\[?[A-Za-z0-9_.-]+\]\]?$/.test(line)) {
        // a section deps does not read ([package.metadata], [options], [manifest]...)
        target = undefined;
        keep = undefined;
      } else return undefined;
      continue;
    }
    const m = KEY_LINE.exec(line);
    if (!m) return undefined;
    const [, key, rest] = m as unknown as [string, string, string];
    const wanted = target !== undefined && keep?.(key) === true;
    let v: Value | undefined;
    if (rest === '[') {
      // a multi-line array: items four spaces in, one a line, then `]`
      const items: Value[] = [];
      for (n++; n < lines.length && lines[n] !== ']'; n++) {
        const item = lines[n]!;
        if (!item.startsWith('    ') || !item.endsWith(',')) return undefined;
        if (!wanted) continue;
        const iv = lineValue(item.slice(4, -1));
        if (iv === undefined) return undefined;
        items.push(iv);
      }
      if (n >= lines.length) return undefined;
      if (!wanted) continue;
      v = items;
    } else if (!wanted) {
      if (rest.startsWith('[') && !rest.endsWith(']')) return undefined;
      continue;
    } else v = lineValue(rest);
    if (!target) continue;
    if (v === undefined || key in target) return undefined;
    (target as Record<string, Value>)[key] = v;
  }
  if (packages.length > 0) doc['package'] = packages;
  return doc;
}
