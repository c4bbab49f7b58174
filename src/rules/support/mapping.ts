/**
 * Mappings evaluated per target platform: what a RUN's `case`, `if`/`elif`/`else`, `[ … ] && … ||`,
 * `sed`/`cut`/`tr`/`awk` pipelines, `${VAR#…}`/`${VAR/…/…}` expansions and inline
 * `$([ … ] && echo a || echo b)` selections over a platform source (`uname -m`, `arch`,
 * `dpkg --print-architecture`, `apk --print-arch`, a declared `TARGETPLATFORM`/`TARGETARCH`/
 * `TARGETVARIANT`) leave in each variable and download URL, one platform at a time (AA118).
 *
 * It is a small abstract interpreter of one shell source: values are known strings or unknown,
 * tagged with where they came from (a platform source, a mapping of one, or neither). Whatever it
 * cannot read (loops, unknown commands in conditions, unset variables that the base image may set)
 * is unknown, and a rule stays silent on unknown values.
 */
import type { Instruction } from '../../dockerfile/ast.js';
import { isPlatformArg, scriptTextsOf, type Model, type Scope, type ShellSource, type Stage } from '../../dockerfile/model.js';
import { parseShell, wordsOf, type Branch, type ShellScript, type ShellWord, type SimpleCommand } from '../../dockerfile/shell.js';
import { KNOWN_PLATFORMS, formatPlatform, normalizePlatform, toVocabulary, type Platform } from '../../platform/index.js';
import { stageDistro, type Distro } from './stage-distro.js';
import { settingWords, splitAssignment, wordPieces } from './shell-words.js';

/** Where a value came from: nothing about the platform, a platform source as printed, or a mapping of one. */
export type Origin = 'none' | 'source' | 'mapped';

/** Something that names the platform a RUN runs for: a detector or a platform build arg. */
export interface PlatformSource {
  /** as a person writes it: `uname -m`, `dpkg --print-architecture`, `$TARGETARCH` */
  readonly name: string;
  /** what it gives on a platform (undefined: not known) */
  word(p: Platform): string | undefined;
  /** every word it gives on some known platform */
  readonly words: ReadonlySet<string>;
  /** why it names no CPU (`uname -p` on Debian), for sources that were surely not meant */
  readonly wrong?: string;
  /** a build arg rather than a command run in the image */
  readonly arg: boolean;
}

/** A known value. */
export interface Val {
  readonly s: string;
  readonly o: Origin;
  /** the source, when the value is exactly what it printed */
  readonly src?: PlatformSource;
  /** the expansions it was built from (offsets in `s`), followed through assignments */
  readonly parts?: readonly Slot[];
}
/** null: not known */
export type V = Val | null;

const NONE_EMPTY: Val = { s: '', o: 'none' };

/** A piece of a word that came from a platform source or a mapping. */
export interface Slot {
  /** offsets in the expanded text */
  readonly from: number;
  readonly to: number;
  readonly value: string;
  readonly origin: Origin;
  readonly src?: PlatformSource;
  /** the variable it came through, if any */
  readonly variable?: string;
  /** the raw `$(…)` text when it came from a command substitution */
  readonly command?: string;
}

/** A word evaluated on one platform: its text (unknown parts kept as written) and platform slots. */
export interface WordValue {
  readonly word: ShellWord;
  readonly text: string;
  readonly slots: readonly Slot[];
}

/** A `case` or test that chose on a platform value. */
export interface Choice {
  readonly kind: 'case' | 'test';
  /** offsets in the shell text of the subject word (case) or the tested word */
  readonly start: number;
  readonly end: number;
  readonly subject: Val;
  /** for a case: patterns of every item and the item taken (-1: none) */
  readonly items?: readonly (readonly string[])[];
  readonly taken?: number;
  /** for a test: the literal compared with, its offsets, and whether it was a glob */
  readonly literal?: { readonly text: string; readonly start: number; readonly end: number };
  /** the result of the test (undefined for a case) */
  readonly result?: boolean;
}

/** An `exit` the RUN reaches on a platform, through branches chosen on a platform value. */
export interface Exit {
  readonly cmd: SimpleCommand;
  /** the choice that sent the platform there, when known */
  readonly choice?: Choice;
}

/** What one RUN does on one platform. */
export interface PlatformRun {
  readonly platform: Platform;
  readonly exit?: Exit;
  /** URL words of commands that ran, with their value here */
  readonly urls: readonly WordValue[];
  /** arguments of curl/wget made of variables that hold no URL here (`wget $URL` with URL unset) */
  readonly fetches: readonly WordValue[];
  readonly choices: readonly Choice[];
  /** variables set inside a branch chosen on a platform value (on any path) */
  readonly mapped: ReadonlySet<string>;
}

// ------------------------------------------------------------------------------------------
// platform sources

const sourceCache = new Map<string, PlatformSource>();

function makeSource(key: string, name: string, word: (p: Platform) => string | undefined, arg: boolean, wrong?: string): PlatformSource {
  const cached = sourceCache.get(key);
  if (cached) return cached;
  const words = new Set<string>();
  for (const p of KNOWN_PLATFORMS) {
    if (p.os !== 'linux') continue;
    const w = word(p);
    if (w !== undefined) words.add(w);
  }
  const s: PlatformSource = { name, word, words, arg, ...(wrong ? { wrong } : {}) };
  sourceCache.set(key, s);
  return s;
}

const UNAME_A = (m: string): string => `Linux buildkitsandbox 6.1.0 #1 SMP ${m} GNU/Linux`;

/** The source a command (one pipeline stage) is, in a stage of this distribution. */
function commandSource(text: string, env: { distro(): Distro }): PlatformSource | undefined {
  const t = text.trim().replace(/\s+2>\s*\/dev\/null$/, '');
  if (/^(uname\s+(-m|--machine)|arch)$/.test(t)) return makeSource('uname', t.startsWith('arch') ? 'arch' : 'uname -m', (p) => toVocabulary(p, 'uname'), false);
  if (/^dpkg\s+--print-architecture$/.test(t)) return makeSource('dpkg', 'dpkg --print-architecture', (p) => toVocabulary(p, 'dpkg'), false);
  if (/^dpkg-architecture\s+-q\s*DEB_HOST_ARCH$/.test(t)) return makeSource('dpkg', 'dpkg --print-architecture', (p) => toVocabulary(p, 'dpkg'), false);
  if (/^apk\s+--print-arch$/.test(t)) return makeSource('apk', 'apk --print-arch', (p) => toVocabulary(p, 'apk'), false);
  if (/^apk\s+--print-architecture$/.test(t)) {
    return makeSource('apk-bad', 'apk --print-architecture', () => '', false, 'is not an apk option: it prints nothing');
  }
  if (/^uname\s+(-p|--processor|-i|--hardware-platform)$/.test(t)) {
    const flag = t.split(/\s+/)[1] as string;
    const distro = env.distro();
    if (distro === 'rpm') return makeSource(`uname${flag}-rpm`, `uname ${flag}`, (p) => toVocabulary(p, 'uname'), false);
    if (distro === 'unknown') return undefined;
    return makeSource(`uname${flag}`, `uname ${flag}`, () => 'unknown', false, 'prints "unknown" on Debian, Ubuntu and Alpine');
  }
  if (/^uname\s+(-a|--all)$/.test(t)) {
    return makeSource('uname-a', 'uname -a', (p) => { const m = toVocabulary(p, 'uname'); return m === undefined ? undefined : UNAME_A(m); }, false, 'prints the whole system line (kernel name, host, release ... machine)');
  }
  if (/^uname(\s+(-s|--kernel-name))?$/.test(t)) return makeSource('uname-s', t, () => 'Linux', false, 'prints the kernel name, Linux');
  if (/^uname\s+(-o|--operating-system)$/.test(t)) return makeSource('uname-o', t, () => 'GNU/Linux', false, 'prints the operating system, GNU/Linux');
  return undefined;
}

function argWord(name: string, p: Platform): string | undefined {
  const n = normalizePlatform(p);
  switch (name) {
    case 'TARGETPLATFORM':
      return formatPlatform(n);
    case 'TARGETARCH':
      return n.architecture;
    case 'TARGETVARIANT':
      return n.variant ?? '';
    case 'TARGETOS':
      return n.os;
    default:
      return undefined;
  }
}

function argSource(name: string): PlatformSource {
  return makeSource(`arg:${name}`, `$${name}`, (p) => argWord(name, p), true);
}

/** True when the text can hold a platform source this module reads. */
export function mayHavePlatformSource(text: string): boolean {
  return PLATFORM_SOURCE.test(text);
}
const PLATFORM_SOURCE = /uname|(?:^|[\s;&|(`])arch(?=[\s;&|)`]|$)|--print-arch|DEB_HOST_ARCH|TARGET(?:PLATFORM|ARCH|VARIANT)/;

/**
 * True when a shell text may hold a mapping worth evaluating: a choice (`case`, a test) or a
 * rewrite (a pipe, `${VAR op}`), and something it can end in (a URL, a variable that may hold one, `exit`).
 */
export function mayHaveMapping(text: string): boolean {
  return MAPPING_SHAPE.test(text) && MAPPING_END.test(text);
}

/** {@link mayHavePlatformSource} and {@link mayHaveMapping} over a RUN's text, heredocs and build-context scripts, before it is read as shell. */
export function runMayHaveMapping(ins: Instruction): boolean {
  const texts = [ins.body.text, ...ins.heredocs.map((h) => h.content), ...scriptTextsOf(ins)];
  return texts.some(mayHavePlatformSource) && texts.some((t) => MAPPING_SHAPE.test(t)) && texts.some((t) => MAPPING_END.test(t));
}
const MAPPING_SHAPE = /\bcase\b|\[|\btest\b|[^|]\|[^|]|\$\{[A-Za-z_][A-Za-z0-9_]*[:#%/^,]/;
const MAPPING_END = /:\/\/|\bexit\b|\$\{?[A-Za-z_]*(URL|url|Url)/;

// ------------------------------------------------------------------------------------------
// globs and small text tools

const globCache = new Map<string, RegExp | null>();
/** `${v#…}` and `${v/…/…}` try every prefix (or every span): beyond this length the value is unknown */
const MAX_GLOB_SUBJECT = 512;
/** `$( )` inside `$( )` deeper than this is unknown */
const MAX_NESTING = 8;

/** A shell glob (`*`, `?`, `[…]`) as an anchored regular expression; null when it holds an expansion. */
export function globRegExp(glob: string): RegExp | null {
  let re = globCache.get(glob);
  if (re !== undefined) return re;
  if (/\$/.test(glob)) re = null;
  else {
    let out = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i] as string;
      if (c === '*') out += '.*';
      else if (c === '?') out += '.';
      else if (c === '\\') out += (glob[i + 1] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), i++;
      else if (c === '[') {
        const close = glob.indexOf(']', i + 2);
        if (close === -1) out += '\\[';
        else {
          let body = glob.slice(i + 1, close);
          if (body.startsWith('!')) body = `^${body.slice(1)}`;
          out += `[${body.replace(/\\/g, '\\\\')}]`;
          i = close;
        }
      } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    try {
      re = new RegExp(`^(?:${out})$`, 's');
    } catch {
      re = null;
    }
  }
  if (globCache.size > 2048) globCache.clear();
  globCache.set(glob, re);
  return re;
}

function globMatch(glob: string, s: string): boolean | null {
  const re = globRegExp(glob);
  return re ? re.test(s) : null;
}

/** Removes the shortest/longest prefix or suffix matching a glob (`${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`). */
function trimGlob(s: string, glob: string, op: '#' | '##' | '%' | '%%'): string | null {
  const re = globRegExp(glob);
  if (!re || s.length > MAX_GLOB_SUBJECT) return null;
  const lengths = [...Array(s.length + 1).keys()];
  if (op === '##' || op === '%') lengths.reverse();
  if (op === '#' || op === '##') {
    for (const n of op === '#' ? lengths : lengths) if (re.test(s.slice(0, n))) return s.slice(n);
  } else {
    for (const n of lengths) if (re.test(s.slice(s.length - n))) return s.slice(0, s.length - n);
  }
  return s;
}

/** `${v/p/r}`, `${v//p/r}`, `${v/#p/r}`, `${v/%p/r}`. */
function replaceGlob(s: string, glob: string, rep: string, mode: '' | '/' | '#' | '%'): string | null {
  const re = globRegExp(glob);
  if (s.length > MAX_GLOB_SUBJECT) return null;
  if (!re || glob === '') return glob === '' ? s : null;
  const matchAt = (i: number): number => {
    for (let n = s.length - i; n >= 1; n--) if (re.test(s.slice(i, i + n))) return n;
    return 0;
  };
  if (mode === '#') {
    const n = matchAt(0);
    return n ? rep + s.slice(n) : s;
  }
  if (mode === '%') {
    for (let i = 0; i < s.length; i++) if (re.test(s.slice(i))) return s.slice(0, i) + rep;
    return s;
  }
  let out = '';
  for (let i = 0; i < s.length; ) {
    const n = matchAt(i);
    if (n) {
      out += rep;
      i += n;
      if (mode !== '/') return out + s.slice(i);
    } else out += s[i++];
  }
  return out;
}

/** A POSIX basic or extended regular expression as a JavaScript one (null when it is beyond us). */
function posixRegExp(re: string, extended: boolean, flags: string): RegExp | null {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const c = re[i] as string;
    if (c === '\\') {
      const n = re[i + 1] ?? '';
      i++;
      if (!extended && (n === '(' || n === ')' || n === '{' || n === '}' || n === '|' || n === '+' || n === '?')) out += n;
      else if (/[0-9]/.test(n)) out += `\\${n}`;
      else out += `\\${n}`;
    } else if (c === '[') {
      const close = re.indexOf(']', i + (re[i + 1] === '^' ? 3 : 2));
      if (close === -1) return null;
      out += re
        .slice(i, close + 1)
        .replace(/\[:(alpha|digit|alnum|upper|lower|space):\]/g, (_m, k: string) => ({ alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s' })[k] as string);
      i = close;
    } else if (!extended && (c === '(' || c === ')' || c === '{' || c === '}' || c === '|' || c === '+' || c === '?')) out += `\\${c}`;
    else out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch {
    return null;
  }
}

/** Applies one `sed` script (s commands only) to a line. */
function sedApply(script: string, line: string, extended: boolean): string | null {
  let s = line;
  const cmds = script.split(/[;\n]/).map((c) => c.trim()).filter(Boolean);
  for (const cmd of cmds) {
    if (cmd[0] !== 's' || cmd.length < 4) return null;
    const d = cmd[1] as string;
    const parts: string[] = [];
    let cur = '';
    for (let i = 2; i < cmd.length; i++) {
      const c = cmd[i] as string;
      if (c === '\\' && cmd[i + 1] === d) {
        cur += d;
        i++;
      } else if (c === '\\') {
        cur += c + (cmd[i + 1] ?? '');
        i++;
      } else if (c === d) {
        parts.push(cur);
        cur = '';
      } else cur += c;
    }
    parts.push(cur);
    if (parts.length !== 3) return null;
    const [re, rep, fl] = parts as [string, string, string];
    if (!/^[gI]*$/.test(fl)) return null;
    const rx = posixRegExp(re, extended, (fl.includes('g') ? 'g' : '') + (fl.includes('I') ? 'i' : ''));
    if (!rx) return null;
    const jsRep = rep.replace(/\$/g, '$$$$').replace(/\\([1-9])/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&').replace(/\\&/g, '&').replace(/\\(.)/g, '$1');
    s = s.replace(rx, jsRep);
  }
  return s;
}

function expandTrSet(set: string): string[] | null {
  const s = set
    .replace(/\[:upper:\]/g, 'A-Z')
    .replace(/\[:lower:\]/g, 'a-z')
    .replace(/\[:digit:\]/g, '0-9');
  if (/\[:/.test(s)) return null;
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (s[i + 1] === '-' && i + 2 < s.length) {
      const a = c.charCodeAt(0);
      const b = (s[i + 2] as string).charCodeAt(0);
      for (let k = a; k <= b; k++) out.push(String.fromCharCode(k));
      i += 2;
    } else if (c === '\\' && i + 1 < s.length) out.push(s[++i] as string);
    else out.push(c);
  }
  return out;
}

/** One filter stage of a pipeline (`sed`, `cut`, `tr`, `awk '{print $N}'`, `head -1`) applied to its input. */
function filter(stage: string, input: string): string | null {
  const words = wordsOf(stage).map((w) => w.value);
  if (words.some((w) => w.includes('$(') || w.includes('`') || /\$[A-Za-z_{]/.test(w) && !w.startsWith('{'))) return null;
  const cmd = words[0];
  const args = words.slice(1);
  const lines = input.replace(/\n+$/, '');
  if (cmd === 'sed') {
    let extended = false;
    const scripts: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-e' || a === '--expression') scripts.push(args[++i] ?? '');
      else if (a.startsWith('-e') && a.length > 2) scripts.push(a.slice(2));
      else if (a === '-E' || a === '-r' || a === '--regexp-extended') extended = true;
      else if (a.startsWith('-')) return null;
      else if (scripts.length === 0) scripts.push(a);
      else return null;
    }
    let s: string | null = lines;
    for (const sc of scripts) {
      s = s === null ? null : sedApply(sc, s, extended);
    }
    return s;
  }
  if (cmd === 'cut') {
    let delim = '\t';
    let fields: string | undefined;
    let chars: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-d') delim = args[++i] ?? '';
      else if (a.startsWith('-d')) delim = a.slice(2);
      else if (a === '-f') fields = args[++i];
      else if (a.startsWith('-f')) fields = a.slice(2);
      else if (a === '-c') chars = args[++i];
      else if (a.startsWith('-c')) chars = a.slice(2);
      else return null;
    }
    const spec = fields ?? chars;
    if (spec === undefined || !/^[0-9,-]+$/.test(spec)) return null;
    const parts = fields !== undefined ? lines.split(delim) : [...lines];
    if (fields !== undefined && parts.length === 1) return lines; // no delimiter: cut prints the line
    const keep = new Set<number>();
    for (const r of spec.split(',')) {
      const [a, b] = r.split('-');
      const lo = a ? Number(a) : 1;
      const hi = r.includes('-') ? (b ? Number(b) : parts.length) : lo;
      for (let k = lo; k <= hi; k++) keep.add(k);
    }
    const kept = parts.filter((_p, i) => keep.has(i + 1));
    return kept.join(fields !== undefined ? delim : '');
  }
  if (cmd === 'tr') {
    if (args[0] === '-d' && args.length === 2) {
      const del = expandTrSet(args[1] as string);
      return del ? [...lines].filter((c) => !del.includes(c)).join('') : null;
    }
    if (args.length !== 2) return null;
    const a = expandTrSet(args[0] as string);
    const b = expandTrSet(args[1] as string);
    if (!a || !b || b.length === 0) return null;
    return [...lines].map((c) => { const k = a.indexOf(c); return k === -1 ? c : (b[Math.min(k, b.length - 1)] as string); }).join('');
  }
  if (cmd === 'awk') {
    let fs: string | undefined;
    let prog: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-F') fs = args[++i];
      else if (a.startsWith('-F')) fs = a.slice(2);
      else if (prog === undefined) prog = a;
      else return null;
    }
    const m = prog === undefined ? null : /^\{\s*print\s+\$(NF|\d+)\s*;?\s*\}$/.exec(prog.trim());
    if (!m) return null;
    const parts = fs === undefined || fs === ' ' ? lines.trim().split(/\s+/) : lines.split(fs);
    const k = m[1] === 'NF' ? parts.length : Number(m[1]);
    return k === 0 ? lines : (parts[k - 1] ?? '');
  }
  if ((cmd === 'head' || cmd === 'tail') && args.every((a) => /^-(n\s*)?1$|^-n$|^1$/.test(a))) return lines;
  if (cmd === 'xargs' && args.length === 0) return lines.trim();
  return null;
}

/** Splits a command text at top-level `|` (not `||`); null when it is more than one pipeline. */
function pipelineStages(text: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\' && quote === '"') {
        cur += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = '';
      cur += c;
      continue;
    }
    if (c === '\\') {
      cur += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(' ) depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === ';' || c === '&' || c === '\n')) return null;
    else if (depth === 0 && c === '|') {
      if (text[i + 1] === '|') return null;
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

// ------------------------------------------------------------------------------------------
// the interpreter

const URL_START = /[a-z][a-z0-9+.-]*:\/\//i;
/** what makes a word more than its own text */
const SPECIAL = /[$`'"\\]/;
const NO_SLOTS: Slot[] = [];

/** A slot with every field present (one object shape for the hot paths). */
function mkSlot(from: number, to: number, value: string, origin: Origin, src: PlatformSource | undefined, variable: string | undefined, command: string | undefined): Slot {
  return { from, to, value, origin, src, variable, command };
}

function moved(q: Slot, by: number): Slot {
  return mkSlot(Math.max(0, q.from + by), q.to + by, q.value, q.origin, q.src, q.variable, q.command);
}

function shiftSlots(slots: readonly Slot[], by: number): Slot[] {
  return slots.filter((x) => x.to > by || (x.from === x.to && x.from >= by)).map((x) => moved(x, -by));
}

const DECLARE = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
const NO_WORDS: readonly ShellWord[] = [];

/** Commands that fetch a URL given as an argument (a `$URL` there is worth expanding). */
const FETCHERS = new Set(['curl', 'wget', 'aria2c', 'fetch', 'busybox', 'axel', 'http', 'xh']);

/** Commands whose exit status decides nothing we can know. */
const UNKNOWN_STATUS = new Set(['command', 'which', 'type', 'grep', 'dpkg', 'getent', 'id', 'ldd', 'file', 'curl', 'wget', 'apk', 'hash', 'cmp', 'diff']);

interface Decision {
  readonly taken: boolean | null;
  /** chosen on a platform value */
  readonly platform: boolean;
  readonly choice?: Choice;
}

interface Env {
  distro(): Distro;
  readonly onBuildPlatform: boolean;
  readonly platform: Platform;
  /** a stage ARG/ENV, or undefined when the stage does not set it */
  outer(name: string): V | undefined;
  /** names looped over by `for`: unknown everywhere */
  readonly loopVars: ReadonlySet<string>;
  /** variables this RUN maps on some platform: unset means empty for them, not "set by the base image" */
  readonly assumeEmpty: ReadonlySet<string>;
  /** names read while unset (and so unknown) */
  readonly unbound: Set<string>;
}

class Interp {
  readonly vars = new Map<string, V>();
  readonly status = new Map<SimpleCommand, { ran: 'yes' | 'maybe'; status: 0 | 1 | null; platform: boolean; choice?: Choice }>();
  readonly memo = new Map<Branch, Decision>();
  readonly caseMemo = new Map<ShellWord, { subject: V; taken: number }>();
  readonly choices: Choice[] = [];
  readonly urls: WordValue[] = [];
  readonly fetches: WordValue[] = [];
  readonly mapped = new Set<string>();
  exit: Exit | undefined;
  /** the commands some branch depends on: only their status is kept */
  conditions: ReadonlySet<SimpleCommand> = NO_COMMANDS;
  out: string | null = '';
  outOrigin: Origin = 'none';

  constructor(
    readonly env: Env,
    readonly text: string,
    /** offset of `text` in the shell source (0 for the source itself; nested scripts have their own) */
    readonly base: number,
    readonly nested: boolean,
    parentVars?: ReadonlyMap<string, V>,
    readonly depth = 0,
  ) {
    if (parentVars) for (const [k, v] of parentVars) this.vars.set(k, v);
  }

  lookup(name: string): V {
    if (this.env.loopVars.has(name)) return null;
    if (this.vars.has(name)) return this.vars.get(name) ?? null;
    const o = this.env.outer(name);
    if (o === undefined) {
      if (this.env.assumeEmpty.has(name)) return NONE_EMPTY;
      this.env.unbound.add(name);
      return null;
    }
    return o;
  }

  // ---- expansion

  /** Evaluates a raw word (quotes, `$VAR`, `${VAR op}`, `$(…)`), keeping the platform slots. */
  expand(raw: string, at = -1): { v: V; text: string; slots: Slot[] } {
    if (!SPECIAL.test(raw)) return { v: { s: raw, o: 'none' }, text: raw, slots: NO_SLOTS };
    const slots: Slot[] = [];
    let s = '';
    let text = '';
    let o: Origin = 'none';
    let unknown = false;
    let only: PlatformSource | undefined;
    const pieces = wordPieces(raw);
    for (const piece of pieces) {
      if (piece.kind === 'text') {
        s += piece.text;
        text += piece.text;
        continue;
      }
      const span = piece.span;
      let v: V;
      let variable: string | undefined;
      let command: string | undefined;
      if (span.kind === 'command') {
        command = raw.slice(span.start, span.end);
        v = this.substitute(span.inner, at < 0 ? -1 : at + span.start + (raw[span.start] === '$' ? 2 : 1));
      } else {
        variable = span.name;
        v = this.variable(span.name, span.op);
      }
      if (v === null) {
        unknown = true;
        text += raw.slice(span.start, span.end);
        continue;
      }
      if (v.parts?.length) for (const q of v.parts) slots.push(moved(q, text.length));
      else slots.push(mkSlot(text.length, text.length + v.s.length, v.s, v.o, v.src, variable, command));
      if (v.o !== 'none') o = o === 'mapped' || v.o === 'mapped' ? 'mapped' : 'source';
      s += v.s;
      text += v.s;
      only = v.src;
    }
    if (unknown) return { v: null, text, slots };
    const src = pieces.length === 1 && only && slots.length === 1 && slots[0]?.origin === 'source' ? only : undefined;
    return { v: { s, o, ...(src ? { src } : {}), ...(slots.length && !src ? { parts: slots } : {}) }, text, slots };
  }

  private variable(name: string, op: string): V {
    if (/^[0-9@*#?$!-]$/.test(name)) return null;
    const v = this.lookup(name);
    if (op === '') return v;
    const m = /^(:?[-=+?])([\s\S]*)$/.exec(op);
    if (m) {
      const kind = m[1] as string;
      const arg = m[2] as string;
      if (v === null) return null;
      const empty = v.s === '';
      const chosen = (x: V): V => (x === null || v.o === 'none' || x.o !== 'none' ? x : { s: x.s, o: 'mapped' });
      if (kind.endsWith('+')) return empty ? (v.o === 'none' ? NONE_EMPTY : { s: '', o: 'mapped' }) : chosen(this.expand(arg).v);
      if (kind.endsWith('?')) return v;
      if (!empty) return v;
      const d = chosen(this.expand(arg).v);
      if (kind.endsWith('=') && d) this.vars.set(name, d);
      return d;
    }
    if (v === null) return null;
    const derived = (s: string | null): V => (s === null ? null : s === v.s ? v : { s, o: v.o === 'none' ? 'none' : 'mapped' });
    const trim = /^(##?|%%?)([\s\S]*)$/.exec(op);
    if (trim) {
      const pat = this.expand(trim[2] as string).v;
      return pat === null ? null : derived(trimGlob(v.s, pat.s, trim[1] as '#' | '##' | '%' | '%%'));
    }
    const rep = /^\/([/#%]?)((?:\\.|[^/])*)(?:\/([\s\S]*))?$/.exec(op);
    if (rep) {
      const pat = this.expand(rep[2] as string).v;
      const to = this.expand(rep[3] ?? '').v;
      if (pat === null || to === null) return null;
      return derived(replaceGlob(v.s, pat.s, to.s, (rep[1] ?? '') as '' | '/' | '#' | '%'));
    }
    if (op === '^^') return derived(v.s.toUpperCase());
    if (op === ',,') return derived(v.s.toLowerCase());
    const sub = /^:(\d+)(?::(\d+))?$/.exec(op);
    if (sub) return derived(v.s.substr(Number(sub[1]), sub[2] === undefined ? undefined : Number(sub[2])));
    return null;
  }

  /** The output of `$(…)`: a platform source, a pipeline through filters, or a small script with echo/printf. */
  private substitute(inner: string, innerAt: number): V {
    if (inner.startsWith('(') || this.depth >= MAX_NESTING) return null; // $(( arithmetic )), or too deep
    const stages = pipelineStages(inner);
    if (stages && stages.length >= 1 && !/^\s*(case|if|\[|\[\[|test)\b/.test(stages[0] as string)) {
      const first = (stages[0] as string).trim();
      let v: V;
      const src = commandSource(first, this.env);
      if (src) {
        if (this.env.onBuildPlatform && !src.arg) return null; // the build machine's word: AA105
        const w = src.word(this.env.platform);
        v = w === undefined ? null : { s: w, o: 'source', src };
      } else if (/^(echo|printf)\b/.test(first)) {
        const sub = new Interp(this.env, first, 0, true, this.vars, this.depth + 1);
        sub.runScript(parseShell(first));
        v = sub.out === null ? null : { s: sub.out, o: sub.outOrigin };
      } else return null;
      for (const st of stages.slice(1)) {
        if (v === null) return null;
        const r = filter(st, v.s);
        if (r === null) return null;
        v = r === v.s && v.src ? v : { s: r, o: v.o === 'none' ? 'none' : 'mapped' };
      }
      if (v && stages.length === 1 && !src) v = { s: v.s.replace(/\n+$/, ''), o: v.o };
      return v;
    }
    const sub = new Interp(this.env, inner, innerAt < 0 ? 0 : this.base + innerAt, true, this.vars, this.depth + 1);
    sub.runScript(parseShell(inner));
    if (innerAt >= 0) this.choices.push(...sub.choices);
    if (sub.out === null) return null;
    return { s: sub.out.replace(/\n+$/, ''), o: sub.choices.length ? 'mapped' : sub.outOrigin };
  }

  // ---- control flow

  private lastStatus(cond: readonly SimpleCommand[], andOr: boolean, outer: readonly Branch[]): { status: 0 | 1 | null | undefined; platform: boolean; choice?: Choice } {
    let platform = false;
    let choice: Choice | undefined;
    for (const c of cond) {
      const st = this.status.get(c);
      if (st?.platform) {
        platform = true;
        choice = st.choice ?? choice;
      }
    }
    const own = cond.filter((c) => !c.substitution);
    const last = own[own.length - 1];
    if (andOr && last && !this.status.has(last) && last.branches.some((b) => b.kind !== 'and' && b.kind !== 'or' && !outer.includes(b))) {
      // the left side ends in a compound (`case … esac && …`, `if …; fi && …`) whose last command did not run: it succeeded
      return { status: 0, platform, ...(choice ? { choice } : {}) };
    }
    for (let i = cond.length - 1; i >= 0; i--) {
      const c = cond[i] as SimpleCommand;
      if (c.substitution) continue;
      const st = this.status.get(c);
      if (!st) continue;
      if (st.ran === 'maybe') return { status: null, platform, ...(choice ? { choice } : {}) };
      return { status: st.status, platform, ...(choice ? { choice } : {}) };
    }
    return { status: undefined, platform, ...(choice ? { choice } : {}) };
  }

  private decide(b: Branch, outer: readonly Branch[]): Decision {
    const memo = this.memo.get(b);
    if (memo) return memo;
    let d: Decision;
    if (b.kind === 'case') {
      let c = this.caseMemo.get(b.subject);
      if (!c) {
        const subject = this.expand(b.subject.raw, b.subject.start).v;
        let taken = -1;
        const items = b.items ?? [b.patterns];
        if (subject === null) taken = -2;
        else {
          for (let j = 0; j < items.length && taken === -1; j++) {
            for (const p of items[j] as readonly string[]) {
              const m = globMatch(p, subject.s);
              if (m === null) {
                taken = -2;
                break;
              }
              if (m) {
                taken = j;
                break;
              }
            }
          }
        }
        c = { subject, taken };
        this.caseMemo.set(b.subject, c);
        if (subject && subject.o !== 'none' && taken !== -2) {
          this.choices.push({ kind: 'case', start: this.base + b.subject.start, end: this.base + b.subject.end, subject, items, taken });
        }
      }
      const platform = c.subject !== null && c.subject.o !== 'none';
      const choice = platform ? this.choices.find((x) => x.kind === 'case' && x.start === this.base + b.subject.start) : undefined;
      d = { taken: c.taken === -2 ? null : c.taken === (b.item ?? 0), platform, ...(choice ? { choice } : {}) };
    } else if (b.kind === 'while') d = { taken: null, platform: false };
    else {
      const st = this.lastStatus(b.condition, b.kind === 'and' || b.kind === 'or', outer);
      const want0 = b.kind === 'if' || b.kind === 'elif' || b.kind === 'and';
      const taken = st.status === undefined ? false : st.status === null ? null : (st.status === 0) === want0;
      d = { taken, platform: st.platform, ...(st.choice ? { choice: st.choice } : {}) };
    }
    this.memo.set(b, d);
    return d;
  }

  runScript(script: ShellScript): void {
    this.conditions = conditionsOf(script);
    if (this.text.includes('for') || this.text.includes('select')) {
      const loops = /\b(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\b/g;
      for (let m = loops.exec(this.text); m; m = loops.exec(this.text)) this.vars.set(m[1] as string, null);
    }
    for (const cmd of script.commands) {
      if (this.exit) return;
      if (cmd.substitution) continue;
      let ran: 'yes' | 'maybe' = 'yes';
      let platform = false;
      let choice: Choice | undefined;
      let skip = false;
      for (const b of cmd.branches) {
        const d = this.decide(b, cmd.branches);
        if (d.platform) {
          platform = true;
          choice = d.choice ?? choice;
        }
        if (d.taken === false) skip = true;
        else if (d.taken === null) ran = 'maybe';
      }
      if (skip) {
        // a branch for another platform still says which variables the mapping sets
        if (platform) for (const w of settingWords(cmd)) this.mapped.add(splitAssignment(w.raw)?.name ?? '');
        continue;
      }
      this.execute(cmd, ran, platform, choice);
    }
  }

  private execute(cmd: SimpleCommand, ran: 'yes' | 'maybe', platform: boolean, choice: Choice | undefined): void {
    const first = cmd.words[0]?.value;
    const setting = cmd.assignments.length > 0 || (first !== undefined && DECLARE.has(first)) ? settingWords(cmd) : NO_WORDS;
    for (const w of setting) {
      const a = splitAssignment(w.raw);
      if (!a) continue;
      let v = this.expand(a.value, w.start + a.valueAt).v;
      if (v && platform) v = { s: v.s, o: 'mapped' };
      if (v && v.o !== 'none') {
        // the platform pieces remember the variable they were first stored in (`$ARCH` inside `$URL`)
        const parts = v.parts ? v.parts.filter((q) => q.origin !== 'none') : [mkSlot(0, v.s.length, v.s, v.o, v.src, undefined, undefined)];
        v = { s: v.s, o: v.o, src: v.src, parts: parts.map((q) => (q.variable ? q : mkSlot(q.from, q.to, q.value, q.origin, q.src, a.name, q.command))) };
      } else if (v?.parts) v = { s: v.s, o: v.o };
      if (platform) this.mapped.add(a.name);
      if (ran === 'maybe') {
        const prev = this.lookup(a.name);
        if (!v || !prev || prev.s !== v.s) v = null;
      }
      this.vars.set(a.name, v);
    }
    let status: 0 | 1 | null = 0;
    let tested = false;
    if (first === 'unset') for (const w of cmd.words.slice(1)) this.vars.set(w.value, ran === 'yes' ? NONE_EMPTY : null);
    else if (first === 'read' || first === 'mapfile' || first === 'readarray' || first === 'getopts') {
      for (const w of cmd.words.slice(1)) if (/^[A-Za-z_]\w*$/.test(w.value)) this.vars.set(w.value, null);
      status = null;
    } else if (first === 'exit') {
      if (ran === 'yes') {
        const code = cmd.words[1]?.value ?? '1';
        if (code !== '0') {
          this.exit = platform ? { cmd, ...(choice ? { choice } : {}) } : { cmd };
          return;
        }
      }
    } else if (first === 'echo' || first === 'printf') {
      if (this.nested) this.output(cmd, ran, platform);
    } else if (first === '[' || first === 'test' || first === '[[') {
      const r = this.test(cmd);
      status = r.status;
      tested = r.platform;
      if (r.choice) choice = r.choice;
    } else if (first === 'true' || first === ':') status = 0;
    else if (first === 'false') status = 1;
    else if (first !== undefined && UNKNOWN_STATUS.has(first)) status = null;
    if (status !== null && /!\s*$/.test(this.text.slice(Math.max(0, cmd.start - 20), cmd.start))) status = status === 0 ? 1 : 0;
    if (!this.nested && first !== undefined && cmd.words.length > 1 && ran === 'yes') {
      const fetch = FETCHERS.has(first) || (first === 'sudo' && FETCHERS.has(cmd.words[1]?.value ?? ''));
      for (const w of cmd.words.slice(1)) {
        if (!w.raw.includes('$') || (!fetch && !w.raw.includes('://'))) continue;
        const e = this.expand(w.raw, w.start);
        if (!e.slots.length) continue;
        const at = e.text.search(URL_START);
        if (at === 0) this.urls.push({ word: w, text: e.text, slots: e.slots });
        else if (at > 0) this.urls.push({ word: w, text: e.text.slice(at), slots: shiftSlots(e.slots, at) });
        else if (fetch && !w.raw.includes('://') && !w.value.startsWith('-')) this.fetches.push({ word: w, text: e.text, slots: e.slots });
      }
    }
    if (this.conditions.has(cmd)) this.status.set(cmd, { ran, status: ran === 'maybe' ? null : status, platform: platform || tested, choice });
  }

  private output(cmd: SimpleCommand, ran: 'yes' | 'maybe', platform: boolean): void {
    if (this.out === null) return;
    if (ran === 'maybe') {
      this.out = null;
      return;
    }
    const args = cmd.words.slice(1);
    const vals = args.map((w) => this.expand(w.raw).v);
    if (vals.some((v) => v === null)) {
      this.out = null;
      return;
    }
    const vs = vals as Val[];
    let text: string;
    if (cmd.words[0]?.value === 'echo') {
      let i = 0;
      let nl = true;
      while (i < vs.length && /^-[neE]+$/.test((vs[i] as Val).s)) {
        if ((vs[i] as Val).s.includes('n')) nl = false;
        i++;
      }
      text = vs.slice(i).map((v) => v.s).join(' ') + (nl ? '\n' : '');
    } else {
      const fmt = vs[0]?.s ?? '';
      const rest = vs.slice(1).map((v) => v.s);
      if (/%(?!s|%)/.test(fmt)) {
        this.out = null;
        return;
      }
      let k = 0;
      text = fmt.replace(/%[s%]/g, (m) => (m === '%%' ? '%' : (rest[k++] ?? ''))).replace(/\\n/g, '\n');
    }
    this.out += text;
    if (platform || vs.some((v) => v.o !== 'none')) this.outOrigin = 'mapped';
  }

  private test(cmd: SimpleCommand): { status: 0 | 1 | null; platform: boolean; choice?: Choice } {
    const name = cmd.words[0]?.value;
    let args = cmd.words.slice(1);
    if (name === '[' && args[args.length - 1]?.value === ']') args = args.slice(0, -1);
    if (name === '[[' && args[args.length - 1]?.value === ']]') args = args.slice(0, -1);
    let negate = false;
    if (args[0]?.value === '!') {
      negate = true;
      args = args.slice(1);
    }
    const fin = (r: boolean | null, platform: boolean, choice?: Choice): { status: 0 | 1 | null; platform: boolean; choice?: Choice } => ({
      status: r === null ? null : r !== negate ? 0 : 1,
      platform,
      ...(choice ? { choice } : {}),
    });
    if (args.length === 1) {
      const v = this.expand((args[0] as ShellWord).raw).v;
      return fin(v === null ? null : v.s !== '', v !== null && v.o !== 'none');
    }
    if (args.length === 2) {
      const op = (args[0] as ShellWord).value;
      const v = this.expand((args[1] as ShellWord).raw).v;
      if (op !== '-z' && op !== '-n') return fin(null, false);
      return fin(v === null ? null : (v.s === '') === (op === '-z'), v !== null && v.o !== 'none');
    }
    if (args.length === 3) {
      const [l, opw, r] = args as [ShellWord, ShellWord, ShellWord];
      const op = opw.value;
      if (op !== '=' && op !== '==' && op !== '!=') return fin(null, false);
      const lv = this.expand(l.raw, l.start).v;
      const rv = this.expand(r.raw, r.start).v;
      if (lv === null || rv === null) return fin(null, (lv?.o ?? 'none') !== 'none' || (rv?.o ?? 'none') !== 'none');
      const glob = name === '[[' && !r.quoted;
      const eq = glob ? globMatch(rv.s, lv.s) : lv.s === rv.s;
      if (eq === null) return fin(null, false);
      const platform = lv.o !== 'none' || rv.o !== 'none';
      let choice: Choice | undefined;
      if (platform) {
        const [subj, lit, litWord] = lv.o !== 'none' ? [lv, rv, r] : [rv, lv, l];
        choice = {
          kind: 'test',
          start: this.base + (lv.o !== 'none' ? l : r).start,
          end: this.base + (lv.o !== 'none' ? l : r).end,
          subject: subj,
          ...(lit.o === 'none' ? { literal: { text: lit.s, start: this.base + litWord.start, end: this.base + litWord.end } } : {}),
          result: op === '!=' ? !eq : eq,
        };
        this.choices.push(choice);
      }
      return fin(op === '!=' ? !eq : eq, platform, choice);
    }
    return fin(null, false);
  }
}

const NO_COMMANDS: ReadonlySet<SimpleCommand> = new Set();
const conditionSets = new WeakMap<ShellScript, ReadonlySet<SimpleCommand>>();

/** Every command that some branch of the script depends on (if/elif/else, && and || conditions). */
function conditionsOf(script: ShellScript): ReadonlySet<SimpleCommand> {
  let set = conditionSets.get(script);
  if (set) return set;
  const out = new Set<SimpleCommand>();
  const seen = new Set<Branch>();
  for (const cmd of script.commands) {
    for (const b of cmd.branches) {
      if (b.kind === 'case' || seen.has(b)) continue;
      seen.add(b);
      for (const c of b.condition) out.add(c);
    }
  }
  set = out.size ? out : NO_COMMANDS;
  conditionSets.set(script, set);
  return set;
}

// ------------------------------------------------------------------------------------------
// public surface

/** What a stage hands a RUN: its ARG/ENV values for a platform (declared platform args are sources). */
function outerLookup(model: Model, stage: Stage, index: number, p: Platform, first: Platform): (name: string) => V | undefined {
  const scopeOf = (q: Platform): Scope => {
    const view = model.view(stage, q);
    return view.scopes[index] ?? view.end;
  };
  let own: Scope | undefined;
  let shared: Scope | undefined;
  const seen = new Map<string, V | undefined>();
  return (name) => {
    if (seen.has(name)) return seen.get(name);
    const v = bound(name);
    seen.set(name, v);
    return v;
  };
  function bound(name: string): V | undefined {
    // a binding whose text expands nothing is the same on every platform: read it from the first
    // platform's view, and build this platform's view only when it may differ
    let b = p === first ? undefined : (shared ??= scopeOf(first)).get(name);
    if (!b || b.instruction === null || isPlatformArg(name) || b.instruction.body.text.includes('$')) b = (own ??= scopeOf(p)).get(name);
    if (!b) return undefined;
    if (b.instruction === null) return b.automatic ? null : undefined; // an undeclared platform arg: AA102's
    if (/^BUILD(PLATFORM|OS|ARCH|VARIANT)$/.test(name)) return null;
    if (/^TARGET(PLATFORM|OS|ARCH|VARIANT)$/.test(name)) {
      // `ARG TARGETARCH=amd64`: a default replaces the per-platform value, on every platform the
      // same word. That is AA103's finding; the mapping itself is not at fault
      if (b.kind === 'arg' && !b.automatic) return null;
      const src = argSource(name);
      return b.value === undefined ? null : { s: b.value, o: 'source', src };
    }
    if (b.value === undefined) return NONE_EMPTY;
    const fromPlatform = /\bTARGET(PLATFORM|ARCH|VARIANT)\b/.test(b.instruction.body.text);
    return { s: b.value, o: fromPlatform ? 'mapped' : 'none' };
  }
}

/**
 * Evaluates one shell source of a RUN (instruction `index` of `stage`) for each platform: the
 * branches each takes, the `exit` it may reach, and the value of each download URL that holds a
 * platform slot. Memoised per source and platform list.
 */
export function evaluateMappings(model: Model, stage: Stage, index: number, source: ShellSource, platforms: readonly Platform[]): readonly PlatformRun[] {
  const key = platforms.map(formatPlatform).join(',');
  let bySource = memo.get(source);
  if (!bySource) {
    bySource = new Map();
    memo.set(source, bySource);
  }
  const hit = bySource.get(key);
  if (hit) return hit;
  let distro: Distro | undefined;
  const loopVars = new Set<string>();
  const unbound = new Set<string>();
  const pass = (assumeEmpty: ReadonlySet<string>): PlatformRun[] =>
    platforms.map((p): PlatformRun => {
      const env: Env = {
        distro: () => (distro ??= stageDistro(stage)),
        onBuildPlatform: stage.onBuildPlatform,
        platform: p,
        outer: outerLookup(model, stage, index, p, platforms[0] as Platform),
        loopVars,
        assumeEmpty,
        unbound,
      };
      const it = new Interp(env, source.text.text, 0, false);
      it.runScript(source.script);
      return { platform: p, ...(it.exit ? { exit: it.exit } : {}), urls: it.urls, fetches: it.fetches, choices: it.choices, mapped: it.mapped };
    });
  let runs = pass(new Set());
  const mapped = new Set(runs.flatMap((r) => [...r.mapped]));
  if ([...mapped].some((n) => unbound.has(n))) runs = pass(mapped);
  bySource.set(key, runs);
  return runs;
}

const memo = new WeakMap<ShellSource, Map<string, readonly PlatformRun[]>>();
