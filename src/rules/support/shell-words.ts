/**
 * Words of shell commands as rules read them: top-level `$( )`, backquote and `$VAR` / `${...}`
 * substitutions of a raw word, the NAME=value words that set variables (bare, export/local/...,
 * `env A=1 cmd`), the command behind wrappers (`exec`, `time`, `env A=1`), and the source range of
 * a span of shell text.
 */
import type { Range, SourceText } from '../../dockerfile/ast.js';
import type { Model } from '../../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../../dockerfile/shell.js';
import { rangeAt, toSourceRange } from '../../dockerfile/text.js';

/** Source range of a span of a shell source's text. */
export function spanRange(model: Model, text: SourceText, start: number, end: number): Range {
  const [s, e] = toSourceRange(text, start, end);
  return rangeAt(model.file.lineStarts, s, e);
}

/** A command or variable substitution at the top level of a raw shell word. */
export interface Span {
  /** offsets in the raw word: [start, end) covers `$(...)`, `` `...` ``, `$NAME` or `${...}` */
  readonly start: number;
  readonly end: number;
  readonly kind: 'command' | 'variable';
  /** for 'command': the text between the delimiters */
  readonly inner: string;
  /** for 'variable': the name, and what follows it inside the braces (`##*-`, `:-x`, '') */
  readonly name: string;
  readonly op: string;
  /** inside double quotes */
  readonly doubleQuoted: boolean;
}

/** `case`/`esac` as whole words (a `)` after `case … in` closes a pattern, not the substitution). */
const CASE_WORD = /^(case|esac)(?![A-Za-z0-9_])/;

function closeParen(raw: string, from: number): number {
  let depth = 1;
  let quote = '';
  /** the paren depth of each open `case` */
  const cases: number[] = [];
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (cases.length && cases[cases.length - 1] === depth) continue;
      if (--depth === 0) return i;
    } else if ((c === 'c' || c === 'e') && (i === from || /[\s;&|(]/.test(raw[i - 1] as string))) {
      const m = CASE_WORD.exec(raw.slice(i, i + 5));
      if (m?.[1] === 'case') cases.push(depth);
      else if (m?.[1] === 'esac' && cases.length && cases[cases.length - 1] === depth) cases.pop();
    }
  }
  return -1;
}

function closeBrace(raw: string, from: number): number {
  let depth = 1;
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Top-level substitutions of a raw word, outside single quotes. */
export function substitutions(raw: string): Span[] {
  const out: Span[] = [];
  let dq = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'" && !dq) {
      const close = raw.indexOf("'", i + 1);
      if (close === -1) break;
      i = close;
      continue;
    }
    if (c === '"') {
      dq = !dq;
      continue;
    }
    if (c === '`') {
      let k = i + 1;
      while (k < raw.length && raw[k] !== '`') k += raw[k] === '\\' ? 2 : 1;
      if (k >= raw.length) break;
      out.push({ start: i, end: k + 1, kind: 'command', inner: raw.slice(i + 1, k), name: '', op: '', doubleQuoted: dq });
      i = k;
      continue;
    }
    if (c !== '$') continue;
    const n = raw[i + 1];
    if (n === '(') {
      if (raw[i + 2] === '(') {
        const close = closeParen(raw, i + 3);
        if (close === -1) break;
        i = close + 1;
        continue;
      }
      const close = closeParen(raw, i + 2);
      if (close === -1) break;
      out.push({ start: i, end: close + 1, kind: 'command', inner: raw.slice(i + 2, close), name: '', op: '', doubleQuoted: dq });
      i = close;
    } else if (n === '{') {
      const close = closeBrace(raw, i + 2);
      if (close === -1) break;
      const body = raw.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(body);
      if (m) out.push({ start: i, end: close + 1, kind: 'variable', inner: '', name: m[1] as string, op: m[2] as string, doubleQuoted: dq });
      i = close;
    } else if (n !== undefined && /[A-Za-z_]/.test(n)) {
      let k = i + 2;
      while (k < raw.length && /[A-Za-z0-9_]/.test(raw[k] as string)) k++;
      out.push({ start: i, end: k, kind: 'variable', inner: '', name: raw.slice(i + 1, k), op: '', doubleQuoted: dq });
      i = k - 1;
    }
  }
  return out;
}

/** A piece of a raw word: a substitution, or literal text with its quotes and escapes removed. */
export type WordPiece = { readonly kind: 'span'; readonly span: Span } | { readonly kind: 'text'; readonly text: string };

/**
 * The pieces of a raw word from offset `from`, in order: its top-level substitutions and the
 * literal text between them (quotes removed, `\x` read as `x`, `\`+newline dropped). With
 * `stopAtSpace`, unquoted whitespace ends the word (a URL inside a longer text).
 */
export function wordPieces(raw: string, from = 0, stopAtSpace = false): WordPiece[] {
  const spans = substitutions(raw).filter((x) => x.end > from);
  const out: WordPiece[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  let dq = false;
  let k = 0;
  for (let i = from; i < raw.length; ) {
    const span = spans[k];
    if (span && span.start === i) {
      k++;
      flush();
      out.push({ kind: 'span', span });
      i = span.end;
      continue;
    }
    const c = raw[i] as string;
    if (c === '"') {
      dq = !dq;
      i++;
    } else if (c === "'" && !dq) {
      const close = raw.indexOf("'", i + 1);
      const end = close === -1 ? raw.length : close;
      text += raw.slice(i + 1, end);
      i = end + 1;
    } else if (c === '\\') {
      if (raw[i + 1] !== '\n') text += raw[i + 1] ?? '';
      i += 2;
    } else if (stopAtSpace && !dq && /\s/.test(c)) break;
    else {
      text += c;
      i++;
    }
  }
  flush();
  return out;
}

const DECLARE = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);

/** NAME=value words of a command that set shell variables (bare assignments, export/local/...). */
export function settingWords(cmd: SimpleCommand): ShellWord[] {
  if (cmd.words.length === 0) return [...cmd.assignments];
  const first = cmd.words[0]?.value ?? '';
  if (DECLARE.has(first)) return cmd.words.slice(1).filter((w) => /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(w.value));
  return [];
}

/** `NAME=value` / `NAME+=value` of a raw word: the name, the value as written and where it starts. */
export function splitAssignment(raw: string): { name: string; value: string; valueAt: number } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(raw);
  if (!m) return undefined;
  return { name: m[1] as string, value: raw.slice(m[0].length), valueAt: m[0].length };
}

/** A word without the double quotes around it (`"$(uname -m)"` -> `$(uname -m)`). */
export function unquoteDouble(s: string): string {
  return s.length >= 2 && s[0] === '"' && s[s.length - 1] === '"' ? s.slice(1, -1) : s;
}

/** `env A=1 B=2 cmd`: the NAME=value words after `env`. */
export function envWords(cmd: SimpleCommand): ShellWord[] {
  if (cmd.words[0]?.value !== 'env') return [];
  const out: ShellWord[] = [];
  for (const w of cmd.words.slice(1)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value)) out.push(w);
    else if (!w.value.startsWith('-')) break;
  }
  return out;
}

/** The command's words after wrappers (`env A=1`, `exec`, `time`), as values (src/dockerfile/command-words.ts, shared with deps). */
export { commandWords } from '../../dockerfile/command-words.js';
