/**
 * A small, fast reader for POSIX shell text (RUN bodies). It is not a shell: it finds the
 * simple commands, their words with exact offsets, and the branches (case items, if/elif/else,
 * while/until bodies, the right side of && / ||) that enclose each command, so that rules can
 * tell "this download sits in the `arm64)` branch of `case "$arch"`" from an unconditional one.
 *
 * Properties:
 * - linear time: one left-to-right pass; command substitutions are parsed once, where they occur;
 * - never throws and never hangs: problems go to `errors`, nesting deeper than a fixed limit is
 *   reported and read flat;
 * - offsets are UTF-16 indexes into the text given to {@link parseShell} (or {@link wordsOf}):
 *   `text.slice(w.start, w.end) === w.raw` for every word.
 *
 * Supported syntax: words with '…', "…", $'…', $"…", backslash escapes, $NAME, ${…}, $(…),
 * $((…)), `…`, <(…) / >(…); operators && || ; & | |& ( ) ;; ;& ;;& and newlines; redirections
 * (`>`, `>>`, `<`, `<>`, `>|`, `>&`, `<&`, `&>`, `&>>`, `<<`, `<<-`, `<<<`, with an optional
 * file-descriptor number such as `2>&1`); here-document bodies that follow in the text are skipped;
 * comments; `\` + newline continuations; reserved words if then elif else fi case in esac for
 * select do done while until function { } ! and bash's [[ … ]], (( … )), name() and arrays
 * `a=(…)`.
 */

/** One shell word. */
export interface ShellWord {
  /** the word as written */
  readonly raw: string;
  /**
   * quotes removed and escapes resolved; `$NAME`, `${…}`, `$(…)`, `$((…))`, backquotes and bash
   * arrays `(…)` are kept verbatim (as written, including their inner quotes); the content of
   * `$'…'` is kept as written (C escapes are not decoded)
   */
  readonly value: string;
  /** offset of the first character in the input text */
  readonly start: number;
  /** offset after the last character */
  readonly end: number;
  /** true when any part of the word is quoted ('…', "…", $'…', $"…") or escaped with `\` */
  readonly quoted: boolean;
}

/** A branch enclosing a command: the command only runs when the branch is taken. */
export type Branch =
  | {
      readonly kind: 'case';
      /** the word after `case` */
      readonly subject: ShellWord;
      /** pattern words of this item, quotes removed, e.g. ['amd64'], ['arm64', 'aarch64'], ['*'] */
      readonly patterns: readonly string[];
      /**
       * the patterns of every item of this `case`, in order (shared by its branches; complete once
       * the parse is done): an item runs only when no earlier item matched, and items with an empty
       * body have no command to carry them
       */
      readonly items?: readonly (readonly string[])[];
      /** the index of this item in `items` */
      readonly item?: number;
    }
  | {
      /**
       * 'if': the `then` body; 'elif': an `elif … then` body; 'else': the `else` body and the
       * conditions of `elif`s; 'while': the body of `while` or `until`
       */
      readonly kind: 'if' | 'elif' | 'else' | 'while';
      /** commands of the condition; for 'else' the (negated) conditions of the previous branches */
      readonly condition: readonly SimpleCommand[];
    }
  | {
      /** `left && cmd` ('and') or `left || cmd` ('or'): cmd is conditional on the left side */
      readonly kind: 'and' | 'or';
      /** the commands of the left side */
      readonly condition: readonly SimpleCommand[];
    };

/** A simple command: assignments, words and redirections up to an operator. */
export interface SimpleCommand {
  /** leading NAME=value (or NAME+=value) words */
  readonly assignments: readonly ShellWord[];
  /** command name and arguments, redirections removed */
  readonly words: readonly ShellWord[];
  /**
   * redirections, each one word from the operator (with its file-descriptor number) to the end of
   * the target: raw `2> /dev/null` has value `2>/dev/null`; here-document markers such as
   * `<<EOF` or `<<-'EOF'` are redirections too
   */
  readonly redirects: readonly ShellWord[];
  readonly start: number;
  readonly end: number;
  /** enclosing branches, outermost first (a command in a substitution inherits those of its parent) */
  readonly branches: readonly Branch[];
  /** true when this command sits inside $( ), backquotes or <( ) / >( ) */
  readonly substitution: boolean;
  /** for commands directly inside a substitution: the simple command whose word contains it */
  readonly parent?: SimpleCommand;
  /**
   * the subshells enclosing the command, outermost first, each an id unique in the script: `( … )`
   * and every element of a pipeline with more than one element. A variable set in a subshell is
   * gone when it ends: an assignment reaches a later command only if its list is a prefix of the
   * later command's.
   */
  readonly subshells: readonly number[];
  /** the innermost function whose body holds the command (`name() { … }`, `function name { … }`) */
  readonly fn?: string;
}

/** A problem found while reading; reading always continues. */
export interface ShellError {
  readonly message: string;
  readonly offset: number;
}

/** Result of {@link parseShell}. */
export interface ShellScript {
  /**
   * every simple command in source order (a command precedes the commands of its substitutions),
   * including those inside $( ), backquotes, subshells, groups, case items, if/while/for bodies,
   * function bodies and pipelines
   */
  readonly commands: readonly SimpleCommand[];
  /** syntax problems; at most {@link MAX_ERRORS} are kept */
  readonly errors: readonly ShellError[];
  /**
   * where nesting first went deeper than {@link MAX_DEPTH} (an offset into the text): what is
   * nested deeper was read flat or not at all, so commands in it may be missing
   */
  readonly depthLimit?: number;
}

/** Options of {@link parseShell}. */
export interface ShellOptions {
  /**
   * the Dockerfile escape character. The shell itself always uses `\`; with `` ` `` a backquote
   * directly before a newline is read as a leftover line continuation instead of a substitution.
   */
  escape?: '\\' | '`';
}

/** Nesting (compound commands, substitutions, ${…}) deeper than this is reported and read flat. */
export const MAX_DEPTH = 100;
/** At most this many errors are reported. */
const MAX_ERRORS = 200;

// ---------------------------------------------------------------------------------------------

interface MCommand {
  assignments: ShellWord[];
  words: ShellWord[];
  redirects: ShellWord[];
  start: number;
  end: number;
  branches: readonly Branch[];
  substitution: boolean;
  parent?: SimpleCommand;
  subshells: readonly number[];
  fn?: string;
}

/** Commands found inside the substitutions of a word; `own[k]`: directly inside (no parent yet). */
interface Subs {
  readonly cmds: MCommand[];
  readonly own: boolean[];
}

interface Acc {
  value: string;
  quoted: boolean;
  /** created on the first substitution */
  subs: Subs | null;
}

interface Ctx {
  readonly s: string;
  readonly errors: ShellError[];
  depth: number;
  /** the first offset where nesting went deeper than MAX_DEPTH */
  depthLimit?: number;
  readonly backtickContinuation: boolean;
  /** the last subshell id handed out */
  subshellIds: number;
}

type TokKind = 'word' | 'redir' | 'op' | 'nl' | 'eof';

interface Token {
  readonly kind: TokKind;
  readonly start: number;
  readonly end: number;
  /** operator text for 'op' */
  readonly op: string;
  /** for 'word' and 'redir' */
  readonly word: ShellWord | null;
  readonly subs: Subs | null;
}

const C_TAB = 9;
const C_NL = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_BANG = 33;
const C_DQ = 34;
const C_HASH = 35;
const C_DOLLAR = 36;
const C_AMP = 38;
const C_SQ = 39;
const C_LPAREN = 40;
const C_RPAREN = 41;
const C_SEMI = 59;
const C_LT = 60;
const C_EQ = 61;
const C_GT = 62;
const C_BACKSLASH = 92;
const C_BACKTICK = 96;
const C_LBRACE = 123;
const C_PIPE = 124;
const C_RBRACE = 125;

const MODE_NORMAL = 0;
const MODE_DBRACKET = 1;
const MODE_PLAIN = 2;
type Mode = 0 | 1 | 2;

/** per mode: 1 = ends a word, 2 = needs special handling inside a word */
const CLASS: readonly Uint8Array[] = (() => {
  const tables: Uint8Array[] = [];
  for (let mode = 0; mode < 3; mode++) {
    const t = new Uint8Array(128);
    const meta =
      mode === MODE_NORMAL ? ' \t\r\n;&|()<>' : mode === MODE_DBRACKET ? ' \t\r\n;' : ' \t\r\n\f\v';
    for (const ch of meta) t[ch.charCodeAt(0)] = 1;
    for (const ch of '\\\'"$`') t[ch.charCodeAt(0)] = 2;
    tables.push(t);
  }
  return tables;
})();

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `$@ $* $# $? $- $$ $! $0-9` */
function isSpecialParam(c: number): boolean {
  return c === 64 || c === 42 || c === C_HASH || c === 63 || c === 45 || c === C_DOLLAR || c === C_BANG || isDigit(c);
}

/** NAME= or NAME+= at the start of a raw word */
function isAssignment(raw: string): boolean {
  if (raw.length < 2 || !isNameStart(raw.charCodeAt(0))) return false;
  let k = 1;
  while (k < raw.length && isNameChar(raw.charCodeAt(k))) k++;
  // bash: a[1]=x
  if (raw.charCodeAt(k) === 91) {
    const close = raw.indexOf(']', k);
    if (close < 0) return false;
    k = close + 1;
  }
  if (raw.charCodeAt(k) === 43) k++;
  return raw.charCodeAt(k) === C_EQ;
}

const NO_SUBSHELLS: readonly number[] = Object.freeze([]);

const RESERVED_CLOSERS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);

class Parser {
  pos: number;
  readonly out: MCommand[] = [];
  readonly own: boolean[] = [];
  private tok: Token | null = null;
  private consumed = 0;
  private readonly branchStack: Branch[];
  private branchSnapshot: readonly Branch[] | null = null;
  private readonly stops = new Map<string, number>();
  private heredocs: Array<{ delim: string; strip: boolean; offset: number }> = [];
  private mode: Mode = MODE_NORMAL;
  private readonly subshellStack: number[];
  private subshellSnapshot: readonly number[] | null;
  private fn: string | undefined;

  constructor(
    private readonly ctx: Ctx,
    start: number,
    private readonly end: number,
    private readonly substitution: boolean,
    branches: readonly Branch[],
    subshells: readonly number[] = NO_SUBSHELLS,
    fn?: string,
  ) {
    this.pos = start;
    this.branchStack = branches.slice();
    this.branchSnapshot = branches;
    this.subshellStack = subshells.slice();
    this.subshellSnapshot = subshells;
    this.fn = fn;
  }

  private subshells(): readonly number[] {
    if (this.subshellSnapshot === null) this.subshellSnapshot = this.subshellStack.slice();
    return this.subshellSnapshot;
  }

  private pushSubshell(): number {
    const id = ++this.ctx.subshellIds;
    this.subshellStack.push(id);
    this.subshellSnapshot = null;
    return id;
  }

  private popSubshell(): void {
    this.subshellStack.pop();
    this.subshellSnapshot = null;
  }

  // ----- errors, branches, stops -----

  private error(message: string, offset: number): void {
    const errors = this.ctx.errors;
    if (errors.length < MAX_ERRORS) errors.push({ message, offset });
  }

  private branches(): readonly Branch[] {
    if (this.branchSnapshot === null) this.branchSnapshot = this.branchStack.slice();
    return this.branchSnapshot;
  }

  private pushBranch(b: Branch): void {
    this.branchStack.push(b);
    this.branchSnapshot = null;
  }

  private popBranch(): void {
    this.branchStack.pop();
    this.branchSnapshot = null;
  }

  private pushStops(keys: readonly string[]): void {
    for (const k of keys) this.stops.set(k, (this.stops.get(k) ?? 0) + 1);
  }

  private popStops(keys: readonly string[]): void {
    for (const k of keys) this.stops.set(k, (this.stops.get(k) ?? 1) - 1);
  }

  private isStop(t: Token): boolean {
    if (t.kind === 'op') return (this.stops.get(t.op) ?? 0) > 0;
    if (t.kind === 'word' && t.word !== null && RESERVED_CLOSERS.has(t.word.raw)) {
      return (this.stops.get(t.word.raw) ?? 0) > 0;
    }
    return false;
  }

  /** own commands emitted since `idx` (not those inside substitutions) */
  private ownSince(idx: number): SimpleCommand[] {
    const res: SimpleCommand[] = [];
    for (let k = idx; k < this.out.length; k++) {
      const c = this.out[k];
      if (c !== undefined && this.own[k]) res.push(c);
    }
    return res;
  }

  private emitSubs(subs: Subs | null, parent: MCommand | null): void {
    if (subs === null) return;
    for (let k = 0; k < subs.cmds.length; k++) {
      const c = subs.cmds[k];
      if (c === undefined) continue;
      if (parent !== null && subs.own[k]) c.parent = parent;
      this.out.push(c);
      this.own.push(false);
    }
  }

  // ----- tokens -----

  peek(): Token {
    if (this.tok === null) this.tok = this.lex();
    return this.tok;
  }

  private advance(): void {
    if (this.tok === null) this.lex();
    this.tok = null;
    this.consumed++;
  }

  private isWord(t: Token, raw: string): boolean {
    return t.kind === 'word' && t.word !== null && t.word.raw === raw;
  }

  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.op === op;
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'nl') this.advance();
  }

  /** a leftover line continuation at `i` (returns its length, 0 if none) */
  private continuation(i: number): number {
    const s = this.ctx.s;
    const c = s.charCodeAt(i);
    if (c !== C_BACKSLASH && !(c === C_BACKTICK && this.ctx.backtickContinuation)) return 0;
    const n = s.charCodeAt(i + 1);
    if (n === C_NL && i + 1 < this.end) return 2;
    if (n === C_CR && s.charCodeAt(i + 2) === C_NL && i + 2 < this.end) return 3;
    return 0;
  }

  private token(kind: TokKind, start: number, end: number, op = ''): Token {
    return { kind, start, end, op, word: null, subs: null };
  }

  private lex(): Token {
    const s = this.ctx.s;
    const end = this.end;
    let i = this.pos;
    for (;;) {
      while (i < end) {
        const c = s.charCodeAt(i);
        if (c === C_SPACE || c === C_TAB || c === C_CR || (c === C_NL && this.mode === MODE_DBRACKET)) i++;
        else {
          const k = this.continuation(i);
          if (k === 0) break;
          i += k;
        }
      }
      if (i >= end) {
        this.pos = end;
        return this.token('eof', end, end);
      }
      const c = s.charCodeAt(i);
      if (c === C_HASH) {
        const nl = s.indexOf('\n', i);
        i = nl < 0 || nl > end ? end : nl;
        continue;
      }
      if (c === C_NL) {
        this.pos = i + 1;
        if (this.heredocs.length > 0) this.skipHeredocs();
        return this.token('nl', i, i + 1);
      }
      if (this.mode !== MODE_DBRACKET || c === C_SEMI) {
        const t = this.lexOperator(i);
        if (t !== null) return t;
        if (isDigit(c)) {
          // file-descriptor number directly before a redirection: 2>&1
          let k = i + 1;
          while (k < end && isDigit(s.charCodeAt(k))) k++;
          const d = s.charCodeAt(k);
          if ((d === C_LT || d === C_GT) && s.charCodeAt(k + 1) !== C_LPAREN) {
            const r = this.lexOperator(k, i);
            if (r !== null) return r;
          }
        }
      }
      return this.lexWordToken(i);
    }
  }

  private lexOperator(i: number, ioStart = i): Token | null {
    const s = this.ctx.s;
    const c = s.charCodeAt(i);
    const n = i + 1 < this.end ? s.charCodeAt(i + 1) : -1;
    const n2 = i + 2 < this.end ? s.charCodeAt(i + 2) : -1;
    let op: string;
    switch (c) {
      case C_AMP:
        if (n === C_AMP) op = '&&';
        else if (n === C_GT) return this.lexRedirect(i, n2 === C_GT ? '&>>' : '&>', ioStart);
        else op = '&';
        break;
      case C_PIPE:
        op = n === C_PIPE ? '||' : n === C_AMP ? '|&' : '|';
        break;
      case C_SEMI:
        if (n === C_SEMI) op = n2 === C_AMP ? ';;&' : ';;';
        else op = n === C_AMP ? ';&' : ';';
        break;
      case C_LPAREN:
        op = '(';
        break;
      case C_RPAREN:
        op = ')';
        break;
      case C_LT:
        if (n === C_LPAREN) return null; // process substitution: a word
        if (n === C_LT) return this.lexRedirect(i, n2 === C_LT ? '<<<' : n2 === 45 ? '<<-' : '<<', ioStart);
        return this.lexRedirect(i, n === C_GT ? '<>' : n === C_AMP ? '<&' : '<', ioStart);
      case C_GT:
        if (n === C_LPAREN) return null;
        return this.lexRedirect(i, n === C_GT ? '>>' : n === C_AMP ? '>&' : n === C_PIPE ? '>|' : '>', ioStart);
      default:
        return null;
    }
    this.pos = i + op.length;
    return this.token('op', i, this.pos, op);
  }

  private lexRedirect(i: number, op: string, ioStart: number): Token {
    const s = this.ctx.s;
    const end = this.end;
    let j = i + op.length;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c === C_SPACE || c === C_TAB) j++;
      else {
        const k = this.continuation(j);
        if (k === 0) break;
        j += k;
      }
    }
    const prefix = s.slice(ioStart, i) + op;
    const c = s.charCodeAt(j);
    const tableClass = j < end && c < 128 ? (CLASS[MODE_NORMAL]?.[c] ?? 0) : 0;
    const procSubst = (c === C_LT || c === C_GT) && s.charCodeAt(j + 1) === C_LPAREN;
    if (j >= end || (tableClass === 1 && !procSubst)) {
      this.error(`missing the target of redirection '${op}'`, i);
      this.pos = i + op.length;
      const word: ShellWord = { raw: s.slice(ioStart, this.pos), value: prefix, start: ioStart, end: this.pos, quoted: false };
      return { kind: 'redir', start: ioStart, end: this.pos, op, word, subs: null };
    }
    const acc: Acc = { value: '', quoted: false, subs: null };
    const wend = procSubst ? this.lexProcSubst(j, acc) : this.lexWord(j, MODE_NORMAL, acc);
    this.pos = wend;
    if (op === '<<' || op === '<<-') {
      this.heredocs.push({ delim: acc.value, strip: op === '<<-', offset: i });
    }
    const word: ShellWord = {
      raw: s.slice(ioStart, wend),
      value: prefix + acc.value,
      start: ioStart,
      end: wend,
      quoted: acc.quoted,
    };
    return { kind: 'redir', start: ioStart, end: wend, op, word, subs: acc.subs };
  }

  private skipHeredocs(): void {
    const s = this.ctx.s;
    const end = this.end;
    let p = this.pos;
    for (const h of this.heredocs) {
      let found = false;
      while (p < end) {
        let nl = s.indexOf('\n', p);
        if (nl < 0 || nl > end) nl = end;
        let lineEnd = nl;
        if (lineEnd > p && s.charCodeAt(lineEnd - 1) === C_CR) lineEnd--;
        let lineStart = p;
        if (h.strip) while (lineStart < lineEnd && s.charCodeAt(lineStart) === C_TAB) lineStart++;
        p = nl < end ? nl + 1 : end;
        if (lineEnd - lineStart === h.delim.length && s.startsWith(h.delim, lineStart)) {
          found = true;
          break;
        }
      }
      if (!found) this.error(`here-document is not terminated by '${h.delim}'`, h.offset);
    }
    this.heredocs = [];
    this.pos = p;
  }

  private lexWordToken(i: number): Token {
    const acc: Acc = { value: '', quoted: false, subs: null };
    const s = this.ctx.s;
    const c = s.charCodeAt(i);
    let end: number;
    if ((c === C_LT || c === C_GT) && s.charCodeAt(i + 1) === C_LPAREN) {
      end = this.lexProcSubst(i, acc);
      if (end < this.end) end = this.lexWord(end, this.mode, acc);
    } else {
      end = this.lexWord(i, this.mode, acc);
    }
    if (end === i) {
      // cannot happen for a non-meta character, but never loop
      end = i + 1;
      acc.value = s.slice(i, end);
    }
    this.pos = end;
    const word: ShellWord = { raw: s.slice(i, end), value: acc.value, start: i, end, quoted: acc.quoted };
    return { kind: 'word', start: i, end, op: '', word, subs: acc.subs };
  }

  // ----- words -----

  /** reads a word from `i` up to an unquoted metacharacter of `mode`; returns its end */
  lexWord(i: number, mode: Mode, acc: Acc): number {
    const s = this.ctx.s;
    const end = this.end;
    const table = CLASS[mode] ?? new Uint8Array(128);
    let j = i;
    while (j < end) {
      const c = s.charCodeAt(j);
      const cls = c < 128 ? (table[c] ?? 0) : 0;
      if (cls === 1) {
        if (c === C_LPAREN && mode === MODE_NORMAL && j > i && s.charCodeAt(j - 1) === C_EQ && isAssignment(s.slice(i, j))) {
          const k = this.lexArray(j, acc);
          acc.value += s.slice(j, k);
          j = k;
          continue;
        }
        break;
      }
      if (cls === 0) {
        let k = j + 1;
        while (k < end) {
          const d = s.charCodeAt(k);
          if (d < 128 && (table[d] ?? 0) !== 0) break;
          k++;
        }
        acc.value += s.slice(j, k);
        j = k;
        continue;
      }
      switch (c) {
        case C_BACKSLASH: {
          const k = this.continuation(j);
          if (k > 0) {
            j += k;
            break;
          }
          if (j + 1 >= end) {
            acc.value += '\\';
            j++;
            break;
          }
          const n = s.charCodeAt(j + 1);
          const w = n >= 0xd800 && n <= 0xdbff && j + 2 < end ? 2 : 1;
          acc.value += s.slice(j + 1, j + 1 + w);
          acc.quoted = true;
          j += 1 + w;
          break;
        }
        case C_SQ: {
          acc.quoted = true;
          const close = s.indexOf("'", j + 1);
          if (close < 0 || close >= end) {
            this.error('unterminated single quote', j);
            acc.value += s.slice(j + 1, end);
            j = end;
          } else {
            acc.value += s.slice(j + 1, close);
            j = close + 1;
          }
          break;
        }
        case C_DQ:
          acc.quoted = true;
          j = this.lexDouble(j, acc);
          break;
        case C_DOLLAR:
          j = this.lexDollar(j, false, acc);
          break;
        default: {
          // backquote
          const k = this.continuation(j);
          if (k > 0) {
            j += k;
            break;
          }
          const e = this.lexBackquote(j, acc);
          acc.value += s.slice(j, e);
          j = e;
        }
      }
    }
    return j;
  }

  /** `a=(x y z)`: from the `(` to after the `)` */
  private lexArray(j: number, acc: Acc): number {
    const s = this.ctx.s;
    const end = this.end;
    // nested words are only scanned: their text is restored away (the array is kept verbatim)
    const value = acc.value;
    const quoted = acc.quoted;
    let k = j + 1;
    for (;;) {
      while (k < end) {
        const c = s.charCodeAt(k);
        if (c === C_SPACE || c === C_TAB || c === C_CR || c === C_NL) k++;
        else break;
      }
      if (k >= end) {
        this.error("unterminated array: missing ')'", j);
        break;
      }
      const c = s.charCodeAt(k);
      if (c === C_RPAREN) {
        k++;
        break;
      }
      if (c === C_HASH) {
        const nl = s.indexOf('\n', k);
        k = nl < 0 || nl > end ? end : nl;
        continue;
      }
      const e = c < 128 && (CLASS[MODE_NORMAL]?.[c] ?? 0) === 1 ? k + 1 : this.lexWord(k, MODE_NORMAL, acc);
      acc.value = value;
      k = e > k ? e : k + 1;
    }
    acc.value = value;
    acc.quoted = quoted;
    return Math.min(k, end);
  }

  /** from `"` to after the closing `"` */
  private lexDouble(j: number, acc: Acc): number {
    const s = this.ctx.s;
    const end = this.end;
    let k = j + 1;
    while (k < end) {
      const c = s.charCodeAt(k);
      if (c === C_DQ) return k + 1;
      if (c === C_BACKSLASH) {
        const n = s.charCodeAt(k + 1);
        if (k + 1 >= end) {
          acc.value += '\\';
          k++;
        } else if (n === C_DOLLAR || n === C_BACKTICK || n === C_DQ || n === C_BACKSLASH) {
          acc.value += s[k + 1] ?? '';
          k += 2;
        } else if (n === C_NL) {
          k += 2;
        } else if (n === C_CR && s.charCodeAt(k + 2) === C_NL) {
          k += 3;
        } else {
          acc.value += '\\';
          k++;
        }
      } else if (c === C_DOLLAR) {
        k = this.lexDollar(k, true, acc);
      } else if (c === C_BACKTICK) {
        const cont = this.continuation(k);
        if (cont > 0) {
          k += cont;
          continue;
        }
        const e = this.lexBackquote(k, acc);
        acc.value += s.slice(k, e);
        k = e;
      } else {
        let m = k + 1;
        while (m < end) {
          const d = s.charCodeAt(m);
          if (d === C_DQ || d === C_BACKSLASH || d === C_DOLLAR || d === C_BACKTICK) break;
          m++;
        }
        acc.value += s.slice(k, m);
        k = m;
      }
    }
    this.error('unterminated double quote', j);
    return end;
  }

  /** from `$` to after the expansion; appends to acc.value (verbatim for expansions) */
  private lexDollar(j: number, inDq: boolean, acc: Acc): number {
    const s = this.ctx.s;
    const end = this.end;
    if (j + 1 >= end) {
      acc.value += '$';
      return j + 1;
    }
    const n = s.charCodeAt(j + 1);
    if (n === C_LPAREN) {
      let e = -1;
      if (s.charCodeAt(j + 2) === C_LPAREN && this.ctx.depth < MAX_DEPTH) e = this.scanArith(j + 3);
      if (e < 0) e = this.substitution_(j + 2, acc, j);
      acc.value += s.slice(j, e);
      return e;
    }
    if (n === C_LBRACE) {
      const e = this.scanBrace(j + 2, inDq, acc, j);
      acc.value += s.slice(j, e);
      return e;
    }
    if (n === C_SQ && !inDq) {
      acc.quoted = true;
      let k = j + 2;
      while (k < end) {
        const c = s.charCodeAt(k);
        if (c === C_BACKSLASH) k += 2;
        else if (c === C_SQ) break;
        else k++;
      }
      if (k >= end) {
        this.error('unterminated $\' quote', j);
        acc.value += s.slice(j + 2, end);
        return end;
      }
      acc.value += s.slice(j + 2, k);
      return k + 1;
    }
    if (n === C_DQ && !inDq) {
      acc.quoted = true;
      return this.lexDouble(j + 1, acc);
    }
    if (isNameStart(n)) {
      let k = j + 2;
      while (k < end && isNameChar(s.charCodeAt(k))) k++;
      acc.value += s.slice(j, k);
      return k;
    }
    if (isSpecialParam(n)) {
      acc.value += s.slice(j, j + 2);
      return j + 2;
    }
    acc.value += '$';
    return j + 1;
  }

  /** inside `${`, from `k` to after the matching `}` (commands in nested substitutions recorded) */
  private scanBrace(k: number, inDq: boolean, acc: Acc, dollar: number): number {
    const s = this.ctx.s;
    const end = this.end;
    if (this.ctx.depth >= MAX_DEPTH) return this.tooDeep(dollar);
    this.ctx.depth++;
    // nested parts are only scanned: their text is restored away (${…} is kept verbatim)
    const value = acc.value;
    const quoted = acc.quoted;
    let found = false;
    while (k < end) {
      const c = s.charCodeAt(k);
      if (c === C_RBRACE) {
        found = true;
        k++;
        break;
      }
      if (c === C_BACKSLASH) k += 2;
      else if (c === C_SQ && !inDq) {
        const close = s.indexOf("'", k + 1);
        k = close < 0 || close >= end ? end : close + 1;
      } else if (c === C_DQ) k = this.lexDouble(k, acc);
      else if (c === C_DOLLAR) k = this.lexDollar(k, inDq, acc);
      else if (c === C_BACKTICK) k = this.lexBackquote(k, acc);
      else k++;
      acc.value = value;
    }
    acc.quoted = quoted;
    if (!found) this.error("unterminated '${': missing '}'", dollar);
    this.ctx.depth--;
    return Math.min(k, end);
  }

  /**
   * `$((` / `((`: from after the opening parentheses to after the matching `))`, or -1 when this
   * is not arithmetic (a `)` closes a single parenthesis first). Linear; nothing is parsed inside.
   */
  private scanArith(k: number): number {
    const s = this.ctx.s;
    const end = this.end;
    let depth = 0;
    while (k < end) {
      const c = s.charCodeAt(k);
      if (c === C_LPAREN) {
        depth++;
        k++;
      } else if (c === C_RPAREN) {
        if (depth > 0) {
          depth--;
          k++;
        } else return s.charCodeAt(k + 1) === C_RPAREN && k + 1 < end ? k + 2 : -1;
      } else if (c === C_BACKSLASH) k += 2;
      else if (c === C_SQ) {
        const close = s.indexOf("'", k + 1);
        if (close < 0 || close >= end) return -1;
        k = close + 1;
      } else if (c === C_DQ) {
        k++;
        while (k < end && s.charCodeAt(k) !== C_DQ) k += s.charCodeAt(k) === C_BACKSLASH ? 2 : 1;
        if (k >= end) return -1;
        k++;
      } else k++;
    }
    return -1;
  }

  private tooDeep(offset: number): number {
    this.ctx.depthLimit ??= offset;
    this.error(`nesting deeper than ${MAX_DEPTH} levels; the rest is not read`, offset);
    return this.end;
  }

  /** `$(` / `<(` / `>(`: `k` after the `(`; returns the offset after the matching `)` */
  private substitution_(k: number, acc: Acc, opening: number): number {
    if (this.ctx.depth >= MAX_DEPTH) return this.tooDeep(opening);
    this.ctx.depth++;
    const child = new Parser(this.ctx, k, this.end, true, this.branches(), this.subshells(), this.fn);
    child.pushSubshell();
    child.pushStops([')']);
    child.parseList();
    const t = child.peek();
    let e: number;
    if (t.kind === 'op' && t.op === ')') e = t.end;
    else {
      this.error("unterminated command substitution: missing ')'", opening);
      e = this.end;
    }
    this.ctx.depth--;
    this.collect(child, acc);
    return e;
  }

  /** moves the commands of a substitution's parser into the word being read */
  private collect(child: Parser, acc: Acc): void {
    if (child.out.length === 0) return;
    const subs = acc.subs ?? (acc.subs = { cmds: [], own: [] });
    for (let q = 0; q < child.out.length; q++) {
      const c = child.out[q];
      if (c === undefined) continue;
      subs.cmds.push(c);
      subs.own.push(child.own[q] === true);
    }
  }

  /** `<(…)` or `>(…)` at `j`; appends verbatim */
  private lexProcSubst(j: number, acc: Acc): number {
    const e = this.substitution_(j + 2, acc, j);
    acc.value += this.ctx.s.slice(j, e);
    return e;
  }

  /** from a backquote to after the closing one; the commands inside are parsed */
  private lexBackquote(j: number, acc: Acc): number {
    const s = this.ctx.s;
    const end = this.end;
    let k = j + 1;
    while (k < end) {
      const c = s.charCodeAt(k);
      if (c === C_BACKSLASH) k += 2;
      else if (c === C_BACKTICK) break;
      else k++;
    }
    let close = k;
    let e = k + 1;
    if (k >= end) {
      this.error('unterminated backquote', j);
      close = end;
      e = end;
    }
    if (this.ctx.depth >= MAX_DEPTH) {
      this.tooDeep(j);
      return e;
    }
    this.ctx.depth++;
    const child = new Parser(this.ctx, j + 1, close, true, this.branches(), this.subshells(), this.fn);
    child.pushSubshell();
    child.parseList();
    this.ctx.depth--;
    this.collect(child, acc);
    return e;
  }

  // ----- grammar -----

  /** and-or lists separated by ; & or newlines, until a stop token or the end */
  parseList(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'nl') {
        this.advance();
        continue;
      }
      if (t.kind === 'eof' || this.isStop(t)) return;
      if (t.kind === 'op' && (t.op === ';' || t.op === '&')) {
        this.error(`unexpected '${t.op}'`, t.start);
        this.advance();
        continue;
      }
      const before = this.consumed;
      this.parseAndOr();
      if (this.consumed === before) {
        const u = this.peek();
        if (u.kind === 'eof' || this.isStop(u)) return;
        this.error(`unexpected '${this.ctx.s.slice(u.start, u.end)}'`, u.start);
        this.advance();
        continue;
      }
      const u = this.peek();
      if (u.kind === 'nl' || (u.kind === 'op' && (u.op === ';' || u.op === '&'))) this.advance();
    }
  }

  private parseAndOr(): void {
    const first = this.out.length;
    this.parsePipeline();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.op !== '&&' && t.op !== '||')) return;
      this.advance();
      const condition = this.ownSince(first);
      this.pushBranch({ kind: t.op === '&&' ? 'and' : 'or', condition });
      this.skipNewlines();
      const before = this.consumed;
      this.parsePipeline();
      this.popBranch();
      if (this.consumed === before) {
        this.error(`expected a command after '${t.op}'`, t.start);
        return;
      }
    }
  }

  private parsePipeline(): void {
    const t = this.peek();
    if (this.isWord(t, '!')) this.advance();
    const first = this.out.length;
    const depth = this.subshellStack.length;
    this.parseCommand();
    for (let piped = false; ; ) {
      const u = this.peek();
      if (u.kind !== 'op' || (u.op !== '|' && u.op !== '|&')) return;
      if (!piped) {
        // every element of a pipeline runs in a subshell: the first one is known to be one now
        piped = true;
        const id = ++this.ctx.subshellIds;
        for (let k = first; k < this.out.length; k++) {
          const c = this.out[k] as MCommand;
          c.subshells = [...c.subshells.slice(0, depth), id, ...c.subshells.slice(depth)];
        }
      }
      this.advance();
      this.skipNewlines();
      const before = this.consumed;
      this.pushSubshell();
      this.parseCommand();
      this.popSubshell();
      if (this.consumed === before) {
        this.error(`expected a command after '${u.op}'`, u.start);
        return;
      }
    }
  }

  private parseCommand(): void {
    const t = this.peek();
    if (t.kind === 'eof' || t.kind === 'nl') return;
    if (t.kind === 'op') {
      if (t.op === '(') {
        // the look-ahead is linear; only done while nesting is allowed, so it stays O(depth × n)
        if (this.ctx.s.charCodeAt(t.end) === C_LPAREN && t.end < this.end && this.ctx.depth < MAX_DEPTH) {
          const e = this.scanArith(t.end + 1);
          if (e >= 0) {
            // (( arithmetic ))
            this.pos = e;
            this.tok = null;
            this.consumed++;
            this.redirectsAfterCompound();
            return;
          }
        }
        this.compound(t, () => {
          this.pushSubshell();
          this.group(')');
          this.popSubshell();
        });
        return;
      }
      if (!this.isStop(t)) {
        this.error(`unexpected '${t.op}'`, t.start);
        this.advance();
      }
      return;
    }
    if (t.kind === 'word' && t.word !== null) {
      const raw = t.word.raw;
      switch (raw) {
        case 'if':
          this.compound(t, () => this.parseIf());
          return;
        case 'while':
        case 'until':
          this.compound(t, () => this.parseWhile());
          return;
        case 'for':
        case 'select':
          this.compound(t, () => this.parseFor());
          return;
        case 'case':
          this.compound(t, () => this.parseCase());
          return;
        case '{':
          this.compound(t, () => this.group('}'));
          return;
        case 'function':
          this.parseFunction();
          return;
        default:
          if (RESERVED_CLOSERS.has(raw)) {
            if (!this.isStop(t)) {
              this.error(`unexpected '${raw}'`, t.start);
              this.advance();
            }
            return;
          }
      }
    }
    this.parseSimple();
  }

  /** runs a compound-command parser with the nesting limit, then reads trailing redirections */
  private compound(t: Token, parse: () => void): void {
    if (this.ctx.depth >= MAX_DEPTH) {
      this.ctx.depthLimit ??= t.start;
      this.error(`nesting deeper than ${MAX_DEPTH} levels; read flat`, t.start);
      this.advance();
      return;
    }
    this.ctx.depth++;
    parse();
    this.ctx.depth--;
    this.redirectsAfterCompound();
  }

  private redirectsAfterCompound(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'redir') return;
      this.advance();
      this.emitSubs(t.subs, null);
    }
  }

  /** expects a reserved word or operator; reports it missing otherwise (not consumed) */
  private expect(t: Token, what: string, opener: Token): boolean {
    if ((t.kind === 'word' && t.word?.raw === what) || (t.kind === 'op' && t.op === what)) {
      this.advance();
      return true;
    }
    const openerText = this.ctx.s.slice(opener.start, opener.end);
    this.error(`expected '${what}' to go with '${openerText}'`, t.start);
    return false;
  }

  /** `{ list }` or `( list )`, the opener being the current token */
  private group(closer: '}' | ')'): void {
    const opener = this.peek();
    this.advance();
    this.pushStops([closer]);
    this.parseList();
    this.popStops([closer]);
    this.expect(this.peek(), closer, opener);
  }

  private parseIf(): void {
    const opener = this.peek();
    this.advance();
    const THEN = ['then'];
    const BODY = ['elif', 'else', 'fi'];
    let idx = this.out.length;
    this.pushStops(THEN);
    this.parseList();
    this.popStops(THEN);
    let cond = this.ownSince(idx);
    const previous: SimpleCommand[] = [];
    this.expect(this.peek(), 'then', opener);
    this.pushBranch({ kind: 'if', condition: cond });
    this.pushStops(BODY);
    this.parseList();
    this.popStops(BODY);
    this.popBranch();
    previous.push(...cond);
    for (;;) {
      const t = this.peek();
      if (this.isWord(t, 'elif')) {
        this.advance();
        idx = this.out.length;
        this.pushBranch({ kind: 'else', condition: previous.slice() });
        this.pushStops(THEN);
        this.parseList();
        this.popStops(THEN);
        this.popBranch();
        cond = this.ownSince(idx);
        this.expect(this.peek(), 'then', t);
        this.pushBranch({ kind: 'elif', condition: cond });
        this.pushStops(BODY);
        this.parseList();
        this.popStops(BODY);
        this.popBranch();
        previous.push(...cond);
        continue;
      }
      if (this.isWord(t, 'else')) {
        this.advance();
        this.pushBranch({ kind: 'else', condition: previous.slice() });
        this.pushStops(['fi']);
        this.parseList();
        this.popStops(['fi']);
        this.popBranch();
      }
      break;
    }
    this.expect(this.peek(), 'fi', opener);
  }

  private parseWhile(): void {
    const opener = this.peek();
    this.advance();
    const idx = this.out.length;
    this.pushStops(['do']);
    this.parseList();
    this.popStops(['do']);
    const cond = this.ownSince(idx);
    if (!this.expect(this.peek(), 'do', opener)) return;
    this.pushBranch({ kind: 'while', condition: cond });
    this.doneBody(opener);
    this.popBranch();
  }

  private doneBody(opener: Token): void {
    this.pushStops(['done']);
    this.parseList();
    this.popStops(['done']);
    this.expect(this.peek(), 'done', opener);
  }

  private parseFor(): void {
    const opener = this.peek();
    this.advance();
    let t = this.peek();
    if (t.kind === 'op' && t.op === '(' && this.ctx.s.charCodeAt(t.end) === C_LPAREN) {
      const e = this.scanArith(t.end + 1);
      if (e < 0) {
        this.error("unterminated 'for ((': missing '))'", t.start);
        this.pos = this.end;
        this.tok = null;
        return;
      }
      this.pos = e;
      this.tok = null;
      this.consumed++;
    } else if (t.kind === 'word') {
      this.advance();
      this.emitSubs(t.subs, null);
      // optional newlines, then `in words` up to ; or newline
      let u = this.peek();
      while (u.kind === 'nl') {
        this.advance();
        u = this.peek();
      }
      if (this.isWord(u, 'in')) {
        this.advance();
        for (;;) {
          const w = this.peek();
          if (w.kind !== 'word') break;
          this.advance();
          this.emitSubs(w.subs, null);
        }
      }
    } else {
      this.error("expected a variable name after 'for'", t.start);
      return;
    }
    t = this.peek();
    if (t.kind === 'op' && t.op === ';') this.advance();
    this.skipNewlines();
    if (!this.expect(this.peek(), 'do', opener)) return;
    this.doneBody(opener);
  }

  private parseCase(): void {
    const opener = this.peek();
    this.advance();
    const subjectTok = this.peek();
    if (subjectTok.kind !== 'word' || subjectTok.word === null) {
      this.error("expected a word after 'case'", subjectTok.start);
      return;
    }
    const subject = subjectTok.word;
    this.advance();
    this.emitSubs(subjectTok.subs, null);
    this.skipNewlines();
    if (!this.expect(this.peek(), 'in', opener)) return;
    const ITEM = [';;', ';&', ';;&', 'esac'];
    const items: string[][] = [];
    for (;;) {
      this.skipNewlines();
      let t = this.peek();
      if (this.isWord(t, 'esac')) {
        this.advance();
        return;
      }
      if (t.kind === 'eof' || this.isStop(t)) break;
      if (this.isOp(t, '(')) {
        this.advance();
        t = this.peek();
      }
      const patterns: string[] = [];
      while (t.kind === 'word' && t.word !== null) {
        patterns.push(t.word.value);
        this.advance();
        this.emitSubs(t.subs, null);
        t = this.peek();
        if (!this.isOp(t, '|')) break;
        this.advance();
        t = this.peek();
      }
      if (!this.isOp(t, ')')) {
        this.error("expected ')' after a case pattern", t.start);
        if (patterns.length === 0) {
          if (t.kind === 'eof') break;
          if (this.isStop(t)) break;
          this.advance();
          continue;
        }
      } else this.advance();
      items.push(patterns);
      this.pushBranch({ kind: 'case', subject, patterns, items, item: items.length - 1 });
      this.pushStops(ITEM);
      this.parseList();
      this.popStops(ITEM);
      this.popBranch();
      t = this.peek();
      if (t.kind === 'op' && (t.op === ';;' || t.op === ';&' || t.op === ';;&')) {
        this.advance();
        continue;
      }
      if (this.isWord(t, 'esac')) continue;
      break;
    }
    this.expect(this.peek(), 'esac', opener);
  }

  private parseFunction(): void {
    const opener = this.peek();
    this.advance();
    const name = this.peek();
    if (name.kind !== 'word') {
      this.error("expected a name after 'function'", name.start);
      return;
    }
    this.advance();
    let t = this.peek();
    if (this.isOp(t, '(')) {
      this.advance();
      t = this.peek();
      this.expect(t, ')', opener);
    }
    this.functionBody(opener, name.word?.value ?? '');
  }

  private functionBody(opener: Token, name: string): void {
    this.skipNewlines();
    const t = this.peek();
    if (t.kind === 'eof') {
      this.error('expected a function body', t.start);
      return;
    }
    const before = this.consumed;
    const outer = this.fn;
    this.fn = name;
    this.parseCommand();
    this.fn = outer;
    if (this.consumed === before) this.error('expected a function body', opener.start);
  }

  private parseSimple(): void {
    const assignments: ShellWord[] = [];
    const words: ShellWord[] = [];
    const redirects: ShellWord[] = [];
    const subs: Subs[] = [];
    let start = -1;
    let end = -1;
    for (;;) {
      const t = this.peek();
      if (t.word === null) break;
      if (t.kind === 'word') {
        if (words.length === 0 && isAssignment(t.word.raw)) assignments.push(t.word);
        else words.push(t.word);
        this.advance();
        if (this.mode === MODE_DBRACKET) {
          if (t.word.raw === ']]') this.mode = MODE_NORMAL;
        } else if (words.length === 1 && words[0] === t.word) {
          if (t.word.raw === '[[') this.mode = MODE_DBRACKET;
          else if (assignments.length === 0 && redirects.length === 0 && this.isOp(this.peek(), '(')) {
            // name ( ) compound-command
            this.advance();
            this.expect(this.peek(), ')', t);
            this.functionBody(t, t.word.value);
            return;
          }
        }
      } else {
        redirects.push(t.word);
        this.advance();
      }
      if (start < 0) start = t.start;
      end = t.end;
      if (t.subs !== null) subs.push(t.subs);
    }
    if (this.mode === MODE_DBRACKET) {
      this.error("missing ']]' to close '[['", start);
      this.mode = MODE_NORMAL;
    }
    if (start < 0) return;
    const cmd: MCommand = {
      assignments,
      words,
      redirects,
      start,
      end,
      branches: this.branches(),
      substitution: this.substitution,
      subshells: this.subshells(),
      ...(this.fn !== undefined ? { fn: this.fn } : {}),
    };
    this.out.push(cmd);
    this.own.push(true);
    for (const sub of subs) this.emitSubs(sub, cmd);
  }
}

/**
 * Reads shell text (a RUN body in shell form, a heredoc script) into its simple commands.
 * Never throws; syntax problems are listed in `errors` and reading continues after them.
 */
export function parseShell(text: string, opts?: ShellOptions): ShellScript {
  const ctx: Ctx = { s: text, errors: [], depth: 0, backtickContinuation: opts?.escape === '`', subshellIds: 0 };
  const p = new Parser(ctx, 0, text.length, false, []);
  try {
    p.parseList();
  } catch (e) {
    // defensive: a bug must not take the whole run down
    const message = e instanceof Error ? e.message : String(e);
    if (ctx.errors.length < MAX_ERRORS) ctx.errors.push({ message: `internal error: ${message}`, offset: p.pos });
  }
  return { commands: p.out, errors: ctx.errors, ...(ctx.depthLimit !== undefined ? { depthLimit: ctx.depthLimit } : {}) };
}

/**
 * Splits text into words at unquoted white space, honouring quotes, `\` escapes and keeping
 * `$(…)`, `${…}` and backquotes whole (for bodies that are not run by a shell, e.g. ENV/LABEL
 * values or exec-form arguments). No operators, comments or reserved words. Never throws.
 */
export function wordsOf(text: string): ShellWord[] {
  const ctx: Ctx = { s: text, errors: [], depth: 0, backtickContinuation: false, subshellIds: 0 };
  const p = new Parser(ctx, 0, text.length, false, []);
  const out: ShellWord[] = [];
  const n = text.length;
  let i = 0;
  try {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === C_SPACE || c === C_TAB || c === C_NL || c === C_CR || c === 11 || c === 12) {
        i++;
        continue;
      }
      const acc: Acc = { value: '', quoted: false, subs: null };
      let e = p.lexWord(i, MODE_PLAIN, acc);
      if (e <= i) e = i + 1;
      out.push({ raw: text.slice(i, e), value: acc.value, start: i, end: e, quoted: acc.quoted });
      i = e;
    }
  } catch {
    // never throws: return what was read
  }
  return out;
}
