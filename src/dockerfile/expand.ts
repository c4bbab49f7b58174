/**
 * Variable expansion as BuildKit's Dockerfile frontend performs it (`frontend/dockerfile/shell`
 * `Lex.ProcessWord` / `Lex.ProcessWords`) for instructions such as FROM, ENV, ARG, COPY, WORKDIR.
 *
 * Behaviour mirrored from BuildKit (Linux semantics: variable names are case-sensitive):
 * - `'…'` is literal; `"…"` expands `$`; the escape character (`\` or `` ` ``) escapes the next
 *   character outside quotes, and inside double quotes only before `"`, `$` and itself (otherwise
 *   it is kept); a trailing escape is dropped.
 * - `$NAME`, `${NAME}`, `${NAME:-w}`, `${NAME-w}`, `${NAME:+w}`, `${NAME+w}`, `${NAME:?w}`,
 *   `${NAME?w}`, `${NAME#p}`, `${NAME##p}`, `${NAME%p}`, `${NAME%%p}`, `${NAME/p/r}`, `${NAME//p/r}`.
 *   Patterns know `*` and `?` (no bracket expressions); `\*`, `\?`, `\\`, `\}` and `\/` are
 *   literal. The word after a modifier is always expanded first (so errors inside it surface even
 *   when the default is not needed), as BuildKit does.
 * - `$` not followed by a name is literal (`$.` → `$.`); `$1`, `$@`, `$$`, `$#` … are looked up as
 *   names `1`, `@`, `$`, `#` (normally unset, hence empty).
 * - Unterminated quotes or braces, `${}`, `${:x}`, `${{x}`, unsupported modifiers (`${x:=y}`, `${#x}`)
 *   and `?`-modifier failures are errors.
 */
import { isGoSpace } from './text.js';
import { AnyarchError } from '../errors.js';

/** Options shared by the expansion functions. */
export interface ExpandOptions {
  /** the Dockerfile escape character (`# escape=` directive); default `\` */
  escape?: '\\' | '`';
}

/** Looks a variable up: `undefined` means "not set" (an empty string is set but empty). */
export type Lookup = (name: string) => string | undefined;

/** Result of {@link expandWord}. */
export interface ExpandResult {
  /** the expanded word, quotes removed */
  value: string;
  /**
   * every variable name looked up (set or not), once each, in lookup order (as in BuildKit, the
   * word after a modifier is expanded before its variable is looked up: `${A:-$B}` gives B, A)
   */
  used: string[];
  /** the names of `used` that were not set */
  unset: string[];
  /** true when at least one `$NAME` / `${…}` reference was replaced by its expansion */
  substituted: boolean;
}

/** A variable reference found by {@link references}. */
export interface VariableReference {
  /** the variable name (`1`, `@`, `$` … for special parameters) */
  name: string;
  /** offset of the `$` */
  start: number;
  /** offset just after the reference (after `}` for the braced form) */
  end: number;
}

const DOLLAR = 0x24;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const EOF = -1;


const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

function isDigit(c: number): boolean {
  if (c < 0x80) return c >= 0x30 && c <= 0x39;
  return DIGIT.test(String.fromCodePoint(c));
}

function isNameChar(c: number): boolean {
  if (c < 0x80) {
    return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  }
  const s = String.fromCodePoint(c);
  return LETTER.test(s) || DIGIT.test(s);
}

function isSpecialParam(c: number): boolean {
  // @ * # ? - $ ! 0
  return c === 0x40 || c === 0x2a || c === 0x23 || c === 0x3f || c === 0x2d || c === DOLLAR || c === 0x21 || c === 0x30;
}

/** Nested `${…}` deeper than this is an error (BuildKit has no limit; a JS stack has). */
export const MAX_NESTING = 200;

/** Internal failure; converted to an AnyarchError at the API boundary. */
class ExpandFailure extends Error {}

/** Nesting deeper than {@link MAX_NESTING}: a limit of anyarch's, not a syntax error. */
class NestingLimit extends ExpandFailure {}

/** BuildKit's `wordsStruct`: splits on unquoted white space as characters arrive. */
class Words {
  readonly words: string[] = [];
  private word = '';
  private inWord = false;

  /** unquoted text (literal runs and results of `$` expansions) */
  addString(s: string): void {
    let runStart = -1;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (isGoSpace(c)) {
        if (runStart >= 0) {
          this.word += s.slice(runStart, k);
          this.inWord = true;
          runStart = -1;
        }
        if (this.inWord && this.word.length !== 0) {
          this.words.push(this.word);
          this.word = '';
          this.inWord = false;
        }
      } else if (runStart < 0) {
        runStart = k;
      }
    }
    if (runStart >= 0) {
      this.word += s.slice(runStart);
      this.inWord = true;
    }
  }

  /** quoted or escaped text: never splits */
  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

type PatternToken = { readonly kind: 'star' } | { readonly kind: 'any' } | { readonly kind: 'lit'; readonly cp: number };

const STAR: PatternToken = { kind: 'star' };
const ANY: PatternToken = { kind: 'any' };

/** Tokenizes a `${x#pattern}` pattern the way BuildKit's convertShellPatternToRegex reads it. */
function parsePattern(pattern: string): PatternToken[] {
  const out: PatternToken[] = [];
  let k = 0;
  while (k < pattern.length) {
    const c = pattern.codePointAt(k) ?? 0;
    k += c > 0xffff ? 2 : 1;
    if (c === 0x2a) out.push(STAR);
    else if (c === 0x3f) out.push(ANY);
    else if (c === BACKSLASH) {
      const n = k < pattern.length ? (pattern.codePointAt(k) ?? EOF) : EOF;
      if (n === RBRACE || n === SLASH) continue; // the escape is not part of the pattern
      if (n !== 0x2a && n !== 0x3f && n !== BACKSLASH) {
        throw new ExpandFailure(`invalid pattern (${pattern}) in substitution: invalid escape`);
      }
      k += 1;
      out.push({ kind: 'lit', cp: n });
    } else out.push({ kind: 'lit', cp: c });
  }
  return out;
}

/**
 * Glob matcher over code points (Thompson NFA, O(value × pattern)): `*` and `?` do not match a
 * newline, like Go's `.` in BuildKit's regular expressions.
 */
class GlobMatcher {
  private cur: Uint8Array;
  private next: Uint8Array;
  constructor(private readonly tokens: readonly PatternToken[]) {
    this.cur = new Uint8Array(tokens.length + 1);
    this.next = new Uint8Array(tokens.length + 1);
  }

  /** epsilon closure in place (stars may match nothing) */
  private close(set: Uint8Array): void {
    const t = this.tokens;
    for (let k = 0; k < t.length; k++) if (set[k] && t[k]?.kind === 'star') set[k + 1] = 1;
  }

  private start(set: Uint8Array): void {
    set.fill(0);
    set[0] = 1;
    this.close(set);
  }

  /** advances `cur` by one code point; returns false when no state is alive */
  private step(c: number): boolean {
    const t = this.tokens;
    const next = this.next;
    next.fill(0);
    let alive = false;
    for (let k = 0; k < t.length; k++) {
      if (!this.cur[k]) continue;
      const tok = t[k];
      if (tok === undefined) continue;
      if (tok.kind === 'star') {
        if (c !== NEWLINE) {
          next[k] = 1;
          alive = true;
        }
      } else if (tok.kind === 'any' ? c !== NEWLINE : tok.cp === c) {
        next[k + 1] = 1;
        alive = true;
      }
    }
    this.close(next);
    this.next = this.cur;
    this.cur = next;
    return alive;
  }

  private accepting(): boolean {
    return this.cur[this.tokens.length] === 1;
  }

  /**
   * Length (in UTF-16 units) of the shortest or longest prefix of `value` (read backwards when
   * `fromEnd`, i.e. a suffix) that the pattern matches, or -1.
   */
  anchored(value: string, greedy: boolean, fromEnd: boolean): number {
    this.start(this.cur);
    let best = this.accepting() ? 0 : -1;
    if (best === 0 && !greedy) return 0;
    if (!fromEnd) {
      let k = 0;
      while (k < value.length) {
        const c = value.codePointAt(k) ?? 0;
        k += c > 0xffff ? 2 : 1;
        if (!this.step(c)) break;
        if (this.accepting()) {
          best = k;
          if (!greedy) return best;
        }
      }
    } else {
      let k = value.length;
      while (k > 0) {
        let c = value.charCodeAt(k - 1);
        let w = 1;
        if (c >= 0xdc00 && c <= 0xdfff && k >= 2) {
          const hi = value.charCodeAt(k - 2);
          if (hi >= 0xd800 && hi <= 0xdbff) {
            c = ((hi - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
            w = 2;
          }
        }
        k -= w;
        if (!this.step(c)) break;
        if (this.accepting()) {
          best = value.length - k;
          if (!greedy) return best;
        }
      }
    }
    return best;
  }

  /**
   * Leftmost match at or after `from`, longest at that start (BuildKit's greedy, unanchored
   * regular expression): [start, end) or null. Each NFA state remembers the smallest start that
   * reaches it, so one pass suffices.
   */
  search(value: string, from: number): [number, number] | null {
    const t = this.tokens;
    const m = t.length;
    let cur = new Int32Array(m + 1).fill(-1);
    let next = new Int32Array(m + 1);
    let bestStart = -1;
    let bestEnd = -1;
    const close = (set: Int32Array): void => {
      for (let k = 0; k < m; k++) {
        const s = set[k] ?? -1;
        if (s >= 0 && t[k]?.kind === 'star') {
          const n = set[k + 1] ?? -1;
          if (n < 0 || s < n) set[k + 1] = s;
        }
      }
    };
    const accept = (pos: number): void => {
      const s = cur[m] ?? -1;
      if (s < 0) return;
      if (bestStart < 0 || s < bestStart || (s === bestStart && pos > bestEnd)) {
        bestStart = s;
        bestEnd = pos;
      }
    };
    let k = from;
    for (;;) {
      // a new thread may start here unless a match already started earlier
      if (bestStart < 0) {
        const s0 = cur[0] ?? -1;
        if (s0 < 0) cur[0] = k;
        close(cur);
      }
      accept(k);
      if (k >= value.length) break;
      const c = value.codePointAt(k) ?? 0;
      const w = c > 0xffff ? 2 : 1;
      next.fill(-1);
      let alive = false;
      for (let q = 0; q < m; q++) {
        const s = cur[q] ?? -1;
        if (s < 0) continue;
        if (bestStart >= 0 && s > bestStart) continue;
        const tok = t[q];
        if (tok === undefined) continue;
        let target = -1;
        if (tok.kind === 'star') {
          if (c !== NEWLINE) target = q;
        } else if (tok.kind === 'any' ? c !== NEWLINE : tok.cp === c) target = q + 1;
        if (target >= 0) {
          const n = next[target] ?? -1;
          if (n < 0 || s < n) next[target] = s;
          alive = true;
        }
      }
      close(next);
      const tmp = cur;
      cur = next;
      next = tmp;
      k += w;
      if (!alive && bestStart >= 0) break;
    }
    if (bestStart < 0) {
      // the last position was processed with the fresh thread; nothing matched anywhere
      return null;
    }
    return [bestStart, bestEnd];
  }
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const n = new GlobMatcher(parsePattern(pattern)).anchored(value, greedy, false);
  return n < 0 ? value : value.slice(n);
}

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const n = new GlobMatcher(parsePattern(pattern).reverse()).anchored(value, greedy, true);
  return n < 0 ? value : value.slice(0, value.length - n);
}

function replace(value: string, pattern: string, replacement: string, all: boolean): string {
  const matcher = new GlobMatcher(parsePattern(pattern));
  if (!all) {
    const m = matcher.search(value, 0);
    return m ? value.slice(0, m[0]) + replacement + value.slice(m[1]) : value;
  }
  // Go's Regexp.ReplaceAllString loop (empty matches right after a match are not replaced)
  const parts: string[] = [];
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= value.length) {
    const m = matcher.search(value, searchPos);
    if (!m) break;
    parts.push(value.slice(lastMatchEnd, m[0]));
    if (m[1] > lastMatchEnd || m[0] === 0) parts.push(replacement);
    lastMatchEnd = m[1];
    let width = 0;
    if (searchPos < value.length) width = (value.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    if (searchPos + width > m[1]) searchPos += width;
    else if (searchPos + 1 > m[1]) searchPos++;
    else searchPos = m[1];
  }
  parts.push(value.slice(lastMatchEnd));
  return parts.join('');
}

interface Env {
  value: string;
  set: boolean;
}

/** One pass over a word; mirrors BuildKit's shellWord. */
class Expander {
  private i = 0;
  private readonly n: number;
  private readonly esc: number;
  readonly used: string[] = [];
  readonly unset: string[] = [];
  private readonly seen = new Set<string>();
  private readonly seenUnset = new Set<string>();
  substituted = false;
  private depth = 0;

  constructor(
    private readonly s: string,
    escape: '\\' | '`',
    private readonly lookup: Lookup,
    /** when set: collect references, never fail on semantics (only on syntax) */
    private readonly refs: VariableReference[] | null,
  ) {
    this.n = s.length;
    this.esc = escape.charCodeAt(0);
  }

  private cp(at: number): number {
    if (at >= this.n) return EOF;
    return this.s.codePointAt(at) ?? EOF;
  }

  private getEnv(name: string): Env {
    this.substituted = true;
    if (!this.seen.has(name)) {
      this.seen.add(name);
      this.used.push(name);
    }
    const v = this.lookup(name);
    if (v !== undefined) return { value: v, set: true };
    if (!this.seenUnset.has(name)) {
      this.seenUnset.add(name);
      this.unset.push(name);
    }
    return { value: '', set: false };
  }

  /** BuildKit's processStopOn: `stop` is a code unit or EOF. */
  process(stop: number, rawEscapes: boolean, words: Words | null): string {
    const s = this.s;
    const n = this.n;
    const esc = this.esc;
    let result = '';
    while (this.i < n) {
      const c = s.charCodeAt(this.i);
      if (c === stop) {
        this.i++;
        return result;
      }
      if (c === DOLLAR) {
        const tmp = this.dollar();
        result += tmp;
        words?.addString(tmp);
      } else if (c === SQUOTE) {
        const tmp = this.singleQuote();
        result += tmp;
        words?.addRaw(tmp);
      } else if (c === DQUOTE) {
        const tmp = this.doubleQuote(rawEscapes);
        result += tmp;
        words?.addRaw(tmp);
      } else if (c === esc) {
        this.i++;
        if (rawEscapes) {
          result += s[this.i - 1];
          words?.addRaw(s[this.i - 1] ?? '');
        }
        if (this.i >= n) break;
        const cp = this.cp(this.i);
        const ch = String.fromCodePoint(cp);
        this.i += ch.length;
        words?.addRaw(ch);
        result += ch;
      } else {
        let j = this.i + 1;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (d === stop || d === DOLLAR || d === SQUOTE || d === DQUOTE || d === esc) break;
          j++;
        }
        const chunk = s.slice(this.i, j);
        this.i = j;
        result += chunk;
        words?.addString(chunk);
      }
    }
    if (stop !== EOF) {
      throw new ExpandFailure(`unexpected end of statement while looking for matching ${String.fromCharCode(stop)}`);
    }
    return result;
  }

  private singleQuote(): string {
    const start = this.i + 1;
    const end = this.s.indexOf("'", start);
    if (end < 0) {
      this.i = this.n;
      throw new ExpandFailure('unexpected end of statement while looking for matching single-quote');
    }
    this.i = end + 1;
    return this.s.slice(start, end);
  }

  private doubleQuote(rawEscapes: boolean): string {
    const s = this.s;
    const n = this.n;
    const esc = this.esc;
    let result = '';
    this.i++;
    for (;;) {
      if (this.i >= n) throw new ExpandFailure('unexpected end of statement while looking for matching double-quote');
      const c = s.charCodeAt(this.i);
      if (c === DQUOTE) {
        this.i++;
        return result;
      }
      if (c === DOLLAR) {
        result += this.dollar();
      } else if (c === esc) {
        this.i++;
        const escCh = s[this.i - 1] ?? '';
        if (rawEscapes) result += escCh;
        if (this.i >= n) continue;
        const d = s.charCodeAt(this.i);
        if (d === DQUOTE || d === DOLLAR || d === esc) {
          result += s[this.i];
          this.i++;
        } else {
          result += escCh;
        }
      } else {
        let j = this.i + 1;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (d === DQUOTE || d === DOLLAR || d === esc) break;
          j++;
        }
        result += s.slice(this.i, j);
        this.i = j;
      }
    }
  }

  private processName(): string {
    const start = this.i;
    let c = this.cp(this.i);
    if (c === EOF) return '';
    if (isDigit(c)) {
      while (c !== EOF && isDigit(c)) {
        this.i += c > 0xffff ? 2 : 1;
        c = this.cp(this.i);
      }
      return this.s.slice(start, this.i);
    }
    if (isSpecialParam(c)) {
      this.i++;
      return this.s.slice(start, this.i);
    }
    while (c !== EOF && isNameChar(c)) {
      this.i += c > 0xffff ? 2 : 1;
      c = this.cp(this.i);
    }
    return this.s.slice(start, this.i);
  }

  private addRef(name: string, start: number): VariableReference | null {
    if (!this.refs) return null;
    const ref: VariableReference = { name, start, end: this.n };
    this.refs.push(ref);
    return ref;
  }

  private dollar(): string {
    if (this.depth >= MAX_NESTING) throw new NestingLimit(`substitutions nested deeper than ${MAX_NESTING} levels`);
    this.depth++;
    try {
      return this.dollarInner();
    } finally {
      this.depth--;
    }
  }

  private dollarInner(): string {
    const start = this.i;
    this.i++;
    if (this.i >= this.n || this.s.charCodeAt(this.i) !== LBRACE) {
      const name = this.processName();
      if (name === '') return '$';
      const ref = this.addRef(name, start);
      if (ref) ref.end = this.i;
      return this.getEnv(name).value;
    }
    this.i++;
    if (this.i >= this.n) throw new ExpandFailure("syntax error: missing '}'");
    const first = this.s.charCodeAt(this.i);
    if (first === LBRACE || first === RBRACE || first === COLON) {
      if (this.refs) return ''; // keep scanning for further references
      throw new ExpandFailure('syntax error: bad substitution');
    }
    const name = this.processName();
    const ref = this.addRef(name, start);
    let ch = this.cp(this.i);
    if (ch !== EOF) this.i += ch > 0xffff ? 2 : 1;
    let modifier = ch === EOF ? '' : String.fromCodePoint(ch);

    if (ch === RBRACE) {
      if (ref) ref.end = this.i;
      return this.getEnv(name).value;
    }
    if (ch === SLASH) return this.substitute(name, ref);

    let nullIsUnset = false;
    if (ch === COLON) {
      nullIsUnset = true;
      ch = this.cp(this.i);
      if (ch !== EOF) {
        this.i += ch > 0xffff ? 2 : 1;
        modifier += String.fromCodePoint(ch);
      }
    } else if (ch !== 0x2b && ch !== 0x2d && ch !== 0x3f && ch !== 0x23 && ch !== 0x25) {
      if (ch === EOF) throw new ExpandFailure("syntax error: missing '}'");
      if (this.refs) {
        // not valid for BuildKit; still find the end so nested references are seen
        this.modifierWord(false, ref);
        return '';
      }
      throw new ExpandFailure(`unsupported modifier (${modifier}) in substitution`);
    }
    const word = this.modifierWord(ch === 0x23 || ch === 0x25, ref);
    const env = this.getEnv(name);
    const empty = !env.set || (nullIsUnset && env.value === '');
    switch (ch) {
      case 0x2d: // -
        return empty ? word : env.value;
      case 0x2b: // +
        return empty ? '' : word;
      case 0x3f: // ?
        if (this.refs) return env.value;
        if (!env.set) throw new ExpandFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && env.value === '') {
          throw new ExpandFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        }
        return env.value;
      case 0x23: // #
      case 0x25: {
        // %
        let pattern = word;
        let greedy = false;
        if (pattern.length > 0 && pattern.charCodeAt(0) === ch) {
          greedy = true;
          pattern = pattern.slice(1);
        }
        if (this.refs) return env.value;
        return ch === 0x25 ? trimSuffix(pattern, env.value, greedy) : trimPrefix(pattern, env.value, greedy);
      }
      default:
        if (this.refs) return '';
        throw new ExpandFailure(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** the word after a modifier, up to the closing brace */
  private modifierWord(rawEscapes: boolean, ref: VariableReference | null): string {
    let word: string;
    try {
      word = this.process(RBRACE, rawEscapes, null);
    } catch (e) {
      if (e instanceof ExpandFailure && this.i >= this.n) throw new ExpandFailure("syntax error: missing '}'");
      throw e;
    }
    if (ref) ref.end = this.i;
    return word;
  }

  private substitute(name: string, ref: VariableReference | null): string {
    const all = this.i < this.n && this.s.charCodeAt(this.i) === SLASH;
    if (all) this.i++;
    let pattern: string;
    try {
      pattern = this.process(SLASH, true, null);
    } catch (e) {
      if (e instanceof ExpandFailure && this.i >= this.n) throw new ExpandFailure("syntax error: missing '/' in ${}");
      throw e;
    }
    const replacement = this.modifierWord(true, ref);
    const env = this.getEnv(name);
    if (this.refs) return env.value;
    return replace(env.value, pattern, replacement, all);
  }
}

function escapeOf(opts?: ExpandOptions): '\\' | '`' {
  return opts?.escape === '`' ? '`' : '\\';
}

function fail(word: string, e: unknown): never {
  if (e instanceof NestingLimit) {
    throw new AnyarchError('E_LIMIT', `Cannot expand ${JSON.stringify(word.length > 80 ? `${word.slice(0, 80)}…` : word)}: ${e.message}.`);
  }
  if (e instanceof ExpandFailure) {
    throw new AnyarchError('E_PARSE', `Cannot expand ${JSON.stringify(word)}: ${e.message}.`);
  }
  throw e;
}

/**
 * Expands one word as BuildKit's `ProcessWord`: variables substituted, quotes removed, escapes
 * resolved; white space is kept. Throws an `AnyarchError` (code `E_PARSE`) for syntax errors (`E_LIMIT`
 * for substitutions nested deeper than {@link MAX_NESTING}) and
 * for failing `${V:?msg}` / `${V?msg}`.
 */
export function expandWord(word: string, lookup: Lookup, opts?: ExpandOptions): ExpandResult {
  const x = new Expander(word, escapeOf(opts), lookup, null);
  try {
    const value = x.process(EOF, false, null);
    return { value, used: x.used, unset: x.unset, substituted: x.substituted };
  } catch (e) {
    fail(word, e);
  }
}

/**
 * Expands `text` and splits it into words as BuildKit's `ProcessWords` (used for ENV, ARG, LABEL
 * … in their legacy forms): splitting happens after expansion on unquoted white space, including
 * white space produced by unquoted variables; quoted parts never split; empty words are dropped.
 * Throws like {@link expandWord}.
 */
export function expandWords(text: string, lookup: Lookup, opts?: ExpandOptions): string[] {
  const x = new Expander(text, escapeOf(opts), lookup, null);
  const words = new Words();
  try {
    x.process(EOF, false, words);
    return words.finish();
  } catch (e) {
    fail(text, e);
  }
}

const NOTHING: Lookup = () => undefined;

/**
 * Every variable reference in `text` (`$V`, `${V}`, `${V…}`, also those nested in defaults and
 * patterns), in source order, without expanding and without throwing. Quoting is honoured as
 * BuildKit honours it: references inside single quotes or after an escape are not references.
 * A reference left open at the end of the text ends at `text.length`; scanning stops at the
 * first syntax error.
 */
export function references(text: string, opts?: ExpandOptions): VariableReference[] {
  const refs: VariableReference[] = [];
  const x = new Expander(text, escapeOf(opts), NOTHING, refs);
  try {
    x.process(EOF, false, null);
  } catch (e) {
    if (!(e instanceof ExpandFailure)) throw e;
  }
  return refs;
}

/**
 * Whether `text` nests `${…}` deeper than {@link MAX_NESTING}, so that anyarch cannot expand it
 * (its value is then unknown to the rules). Reads without expanding, never throws.
 */
export function nestsTooDeep(text: string, opts?: ExpandOptions): boolean {
  if (text.length < MAX_NESTING * 3) return false; // each level takes at least `${` and `}`
  try {
    new Expander(text, escapeOf(opts), NOTHING, []).process(EOF, false, null);
  } catch (e) {
    return e instanceof NestingLimit;
  }
  return false;
}
