/**
 * Where did this value come from? Follows the variables of a word (a URL in a RUN, an ADD source,
 * an ENV value) back through shell assignments earlier in the RUN (across `&&`, `;`, `|`, `( )`,
 * `{ }`, functions defined then called, `export`), ENV and ARG of the stage and the stages it is
 * built FROM, and global ARGs, and gives the text the word expands to with, for every character,
 * the source offset it was written at and the assignment whose literal text holds it.
 *
 * What cannot be known is left out (one U+0001 per unknown part): command substitutions,
 * BuildKit's platform ARGs, variables set by `read`, a `for` loop, `source`/`eval`, and
 * assignments inside a branch chosen by the architecture (a mapping: the words in it are right
 * for their branch). A shell variable lives for one RUN; ENV and ARG for the stage and its
 * children.
 */
import type { Instruction, SourceText } from '../../dockerfile/ast.js';
import { isPlatformArg, type ArgDecl, type Model, type ShellSource, type Stage } from '../../dockerfile/model.js';
import { wordsOf, type SimpleCommand } from '../../dockerfile/shell.js';
import { positionAt, toSourceOffset } from '../../dockerfile/text.js';
import type { Platform } from '../../platform/index.js';
import { isArchGuarded } from './arch-branches.js';
import { onlyNames } from './command-kind.js';
import { inSingleQuotes } from './download.js';
import { instructionMentions } from './mentions.js';
import { commandWords, settingWords, splitAssignment, substitutions } from './shell-words.js';
import { ARCHIVE_SUFFIX, URL_RE, findArchTokens, type TokenHit } from './url-arch-words.js';

/** Stands for a part of a traced value that cannot be known. */
export const UNKNOWN = '\u0001';

export type OriginKind = 'env' | 'arg' | 'shell';

/** An assignment a value was written in: `ENV NAME=…`, `ARG NAME=…`, or `NAME=…` in a RUN. */
export interface ValueOrigin {
  readonly kind: OriginKind;
  readonly name: string;
  readonly instruction: Instruction;
  /** the stage that holds the instruction; null for a global ARG (before the first FROM) */
  readonly stage: Stage | null;
  /** index of the instruction in stage.instructions (-1 for a global ARG) */
  readonly index: number;
  /** the value as written (quotes included) */
  readonly raw: string;
  /** source offset of raw[i] */
  sourceAt(i: number): number;
  /** raw[i] sits inside single quotes of a shell word (nothing is expanded there) */
  singleQuoted(i: number): boolean;
  /** for 'shell': the RUN text and the command that assigns */
  readonly source?: ShellSource;
  readonly command?: SimpleCommand;
}

/** A value with, per character, where it was written and in which assignment. */
export interface Traced {
  readonly text: string;
  /** source offset of text[i], or -1 */
  readonly at: readonly number[];
  /** the assignment whose literal value holds text[i]; null when written at the use itself */
  readonly from: readonly (ValueOrigin | null)[];
}

type Resolved = { origin: ValueOrigin } | 'unknown' | undefined;
type Resolver = (name: string) => Resolved;

const MAX_DEPTH = 12;

// ---------------------------------------------------------------- declarations of ENV and ARG

interface Declaration {
  readonly name: string;
  readonly raw: string;
  /** offset of the value in the instruction body's logical text */
  readonly start: number;
}

const declCache = new WeakMap<Instruction, readonly Declaration[]>();

/** NAME=value words of an ENV or ARG (and the legacy `ENV NAME value`), with the value's offset. */
export function valueDeclarations(ins: Instruction): readonly Declaration[] {
  let out = declCache.get(ins) as Declaration[] | undefined;
  if (out) return out;
  out = [];
  const body: SourceText = ins.body;
  const words = wordsOf(body.text);
  const first = words[0];
  if (first && ins.keyword === 'env' && !first.raw.includes('=')) {
    const second = words[1];
    const last = words[words.length - 1];
    if (second && last) out.push({ name: first.raw, raw: body.text.slice(second.start, last.end), start: second.start });
  } else {
    for (const w of words) {
      const a = splitAssignment(w.raw);
      if (a) out.push({ name: a.name, raw: a.value, start: w.start + a.valueAt });
    }
  }
  declCache.set(ins, out);
  return out;
}

function declarationOrigin(kind: 'env' | 'arg', ins: Instruction, name: string, stage: Stage | null, index: number): ValueOrigin | undefined {
  const d = [...valueDeclarations(ins)].reverse().find((x) => x.name === name);
  if (!d) return undefined;
  return {
    kind,
    name,
    instruction: ins,
    stage,
    index,
    raw: d.raw,
    sourceAt: (i) => toSourceOffset(ins.body, d.start + i),
    singleQuoted: (i) => inSingleQuotes(d.raw, i),
  };
}

/** The stage (the given one or an ancestor) that holds an instruction, with its index. */
function ownerOf(stage: Stage, ins: Instruction): { stage: Stage; index: number } | undefined {
  for (let s: Stage | null = stage; s; s = s.parent) {
    const i = s.instructions.indexOf(ins);
    if (i !== -1) return { stage: s, index: i };
  }
  return undefined;
}

// ---------------------------------------------------------------- resolvers

/** A global ARG visible before global declaration `before` (all of them with Infinity). */
function globalResolver(model: Model, before: number): Resolver {
  return (name) => {
    if (isPlatformArg(name)) return 'unknown';
    const globals = model.globalArgs;
    for (let i = Math.min(before, globals.length) - 1; i >= 0; i--) {
      const a = globals[i] as ArgDecl;
      if (a.name !== name) continue;
      if (a.default === null) continue;
      const o = declarationOrigin('arg', a.instruction, name, null, -1);
      return o ? { origin: o } : 'unknown';
    }
    return undefined;
  };
}

/** ENV and ARG visible before instruction `index` of a stage. */
export function scopeResolver(model: Model, stage: Stage, index: number, target: Platform): (name: string) => Resolved {
  return (name) => {
    const view = model.view(stage, target);
    const b = (view.scopes[index] ?? view.end).get(name);
    if (!b) return undefined;
    if (b.automatic || isPlatformArg(name) || !b.instruction) return 'unknown';
    const owner = ownerOf(stage, b.instruction);
    if (!owner) return 'unknown';
    if (b.kind === 'env') {
      const o = declarationOrigin('env', b.instruction, name, owner.stage, owner.index);
      return o ? { origin: o } : 'unknown';
    }
    const decl = [...model.argDecls(b.instruction)].reverse().find((a) => a.name === name);
    if (!decl) return 'unknown';
    if (decl.default !== null) {
      const o = declarationOrigin('arg', b.instruction, name, owner.stage, owner.index);
      return o ? { origin: o } : 'unknown';
    }
    // `ARG NAME` in a stage takes the global value
    return globalResolver(model, Infinity)(name);
  };
}

function isPrefix(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A RUN's shell text and where the RUN is. */
interface RunAt {
  readonly stage: Stage;
  readonly index: number;
  readonly source: ShellSource;
}

const OPAQUE_SETTERS = new Set(['read', 'mapfile', 'readarray', 'getopts']);
const SOURCING = new Set(['source', '.', 'eval']);

/**
 * The shell assignment of `name` that `cmd` sees, earlier in the same RUN text: the last one
 * before it in source order whose subshells enclose `cmd`. Inside a function body, assignments
 * before the first call count too. 'unknown' when it is set in a way that cannot be read
 * (a mapping, `read`, a `for` loop, `source`); undefined when the RUN does not set it.
 */
function shellAssignment(at: RunAt, cmd: SimpleCommand, name: string, depth = 0): Resolved {
  const source = at.source;
  const index = settersOf(source);
  const candidates = index.candidates(name);
  // the last one that has an effect wins: walk back from the command, stop at the first
  let lo = 0;
  let hi = candidates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((candidates[mid] as SimpleCommand).start < cmd.start) lo = mid + 1;
    else hi = mid;
  }
  let found: Resolved;
  for (let k = lo - 1; k >= 0 && found === undefined; k--) {
    const c = candidates[k] as SimpleCommand;
    if (c.fn !== undefined && c.fn !== cmd.fn) continue; // another function's body: runs when called
    if (!isPrefix(c.subshells, cmd.subshells)) continue;
    found = effectOf(at, c, name);
  }
  if (found === undefined && (index.loops.get(name) ?? Infinity) <= cmd.start) return 'unknown';
  if (found === undefined && cmd.fn !== undefined && depth < 4) {
    // a function body: what the caller has set before the first call
    const call = source.script.commands.find((c) => c.fn !== cmd.fn && c.words[0]?.value === cmd.fn);
    if (call) return shellAssignment(at, call, name, depth + 1);
  }
  return found;
}

/** What one command does to `name`: its last assignment of it, 'unknown' (read, source, an arch branch), or nothing. */
function effectOf(at: RunAt, c: SimpleCommand, name: string): Resolved {
  const source = at.source;
  let found: Resolved;
  const first = c.words[0]?.value ?? '';
  if (OPAQUE_SETTERS.has(first) && c.words.some((w) => w.value === name)) found = 'unknown';
  else if (SOURCING.has(first)) found = 'unknown';
  for (const w of settingWords(c)) {
    const a = splitAssignment(w.raw);
    if (!a || a.name !== name) continue;
    if (isArchGuarded(c)) {
      found = 'unknown';
      continue;
    }
    const start = w.start + a.valueAt;
    found = {
      origin: {
        kind: 'shell',
        name,
        instruction: at.stage.instructions[at.index] as Instruction,
        stage: at.stage,
        index: at.index,
        raw: a.value,
        sourceAt: (i) => toSourceOffset(source.text, start + i),
        singleQuoted: (i) => inSingleQuotes(w.raw, a.valueAt + i),
        source,
        command: c,
      },
    };
  }
  return found;
}

/**
 * The commands of a shell source that may set a variable, indexed once per source: those that
 * assign it, and those that set variables in ways that cannot be read (`read`, `source`). A RUN
 * of thousands of commands is then traced in time proportional to its uses, not their square.
 */
interface SetterIndex {
  /** the commands that may set `name`, in source order */
  candidates(name: string): readonly SimpleCommand[];
  /** name -> the end of the first `for NAME`/`select NAME` in the text */
  readonly loops: ReadonlyMap<string, number>;
}
const setterIndexes = new WeakMap<ShellSource['script'], SetterIndex>();
const LOOP_VARIABLE = /\b(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\b/g;

function settersOf(source: ShellSource): SetterIndex {
  const cached = setterIndexes.get(source.script);
  if (cached) return cached;
  const byName = new Map<string, SimpleCommand[]>();
  const opaque: SimpleCommand[] = [];
  for (const c of source.script.commands) {
    const first = c.words[0]?.value ?? '';
    if (OPAQUE_SETTERS.has(first) || SOURCING.has(first)) opaque.push(c);
    const names = new Set<string>();
    for (const w of settingWords(c)) {
      const a = splitAssignment(w.raw);
      if (a) names.add(a.name);
    }
    for (const n of names) {
      const list = byName.get(n) ?? [];
      list.push(c);
      byName.set(n, list);
    }
  }
  const loops = new Map<string, number>();
  LOOP_VARIABLE.lastIndex = 0;
  for (let m = LOOP_VARIABLE.exec(source.text.text); m; m = LOOP_VARIABLE.exec(source.text.text)) {
    const n = m[1] as string;
    if (!loops.has(n)) loops.set(n, m.index + m[0].length);
  }
  const merged = new Map<string, readonly SimpleCommand[]>();
  const index: SetterIndex = {
    loops,
    candidates(name) {
      let list = merged.get(name);
      if (!list) {
        const own = byName.get(name) ?? [];
        list = opaque.length === 0 ? own : [...new Set([...own, ...opaque])].sort((a, b) => a.start - b.start);
        merged.set(name, list);
      }
      return list;
    },
  };
  setterIndexes.set(source.script, index);
  return index;
}

/** ENV, ARG and shell variables that a command of a RUN sees. */
export function runResolver(model: Model, stage: Stage, index: number, source: ShellSource, cmd: SimpleCommand, target: Platform): Resolver {
  const scope = scopeResolver(model, stage, index, target);
  const at: RunAt = { stage, index, source };
  return (name) => shellAssignment(at, cmd, name) ?? scope(name);
}

/** The variables an assignment's own value sees (the scope just before it). */
function originResolver(model: Model, o: ValueOrigin, target: Platform): Resolver {
  if (o.kind === 'shell' && o.source && o.command && o.stage) return runResolver(model, o.stage, o.index, o.source, o.command, target);
  if (o.stage) return scopeResolver(model, o.stage, o.index, target);
  return globalResolver(model, model.globalArgs.findIndex((a) => a.instruction === o.instruction));
}

// ---------------------------------------------------------------- tracing

interface Out {
  text: string;
  at: number[];
  from: (ValueOrigin | null)[];
}

function push(out: Out, s: string, at: number, from: ValueOrigin | null): void {
  out.text += s;
  out.at.push(at);
  out.from.push(from);
}

function traceInto(
  model: Model,
  out: Out,
  raw: string,
  sourceAt: (i: number) => number,
  origin: ValueOrigin | null,
  resolve: Resolver,
  target: Platform,
  depth: number,
): void {
  const spans = substitutions(raw);
  let k = 0;
  const literal = (end: number): void => {
    for (; k < end; k++) {
      const c = raw[k] as string;
      if (c === '"' || c === "'") continue;
      if (c === '\\') {
        k++;
        if (k < end) push(out, raw[k] as string, sourceAt(k), origin);
        continue;
      }
      push(out, c, sourceAt(k), origin);
    }
  };
  for (const sp of spans) {
    literal(sp.start);
    k = sp.end;
    if (sp.kind === 'command' || depth >= MAX_DEPTH) {
      push(out, UNKNOWN, -1, null);
      continue;
    }
    const dflt = /^:?-/.exec(sp.op);
    if (sp.op !== '' && !dflt) {
      push(out, UNKNOWN, -1, null);
      continue;
    }
    const r = resolve(sp.name);
    if (r && r !== 'unknown') {
      const o = r.origin;
      traceInto(model, out, o.raw, o.sourceAt, o, originResolver(model, o, target), target, depth + 1);
    } else if (r === undefined && dflt) {
      // `${NAME:-default}` with NAME unset: the default, as written at the use
      const at = sp.start + 2 + sp.name.length + dflt[0].length;
      const inner = raw.slice(at, sp.end - 1);
      traceInto(model, out, inner, (i) => sourceAt(at + i), origin, resolve, target, depth + 1);
    } else if (r === 'unknown') push(out, UNKNOWN, -1, null);
  }
  literal(raw.length);
}

/** What a word written in a RUN command expands to, traced (`raw` starts at `start` of the source text). */
export function traceRunWord(
  model: Model,
  stage: Stage,
  index: number,
  source: ShellSource,
  cmd: SimpleCommand,
  raw: string,
  start: number,
  target: Platform,
): Traced {
  const out: Out = { text: '', at: [], from: [] };
  const resolve = runResolver(model, stage, index, source, cmd, target);
  traceInto(model, out, raw, (i) => toSourceOffset(source.text, start + i), null, resolve, target, 0);
  return out;
}

/** What text in an ADD, COPY, ENV or ARG instruction expands to (Dockerfile scope before it), traced. */
export function traceInstructionText(model: Model, stage: Stage, index: number, raw: string, sourceAt: (i: number) => number, target: Platform): Traced {
  const out: Out = { text: '', at: [], from: [] };
  traceInto(model, out, raw, sourceAt, null, scopeResolver(model, stage, index, target), target, 0);
  return out;
}

/**
 * The assignment that wrote the whole of text[start, end) literally, and where in its value
 * (consecutive characters of one origin); undefined when the span was written at the use, mixes
 * origins or is not contiguous.
 */
export function originOf(t: Traced, start: number, end: number): { origin: ValueOrigin; offset: number } | undefined {
  const o = t.from[start];
  if (!o) return undefined;
  for (let i = start + 1; i < end; i++) {
    if (t.from[i] !== o || (t.at[i] as number) <= (t.at[i - 1] as number)) return undefined;
  }
  return { origin: o, offset: t.at[start] as number };
}

/**
 * The architecture word a whole value names, alone or after an OS (`amd64`, `x86_64`,
 * `linux-amd64`, `Linux_x86_64`): the kind of value that selects per-architecture content.
 */
export function archWordValue(value: string): TokenHit | undefined {
  const v = value.replace(/^(['"])(.*)\1$/s, '$2');
  const rest = v.replace(/^linux[-_/.]/i, '');
  if (!rest || /[^A-Za-z0-9_.-]/.test(rest)) return undefined;
  const hits = findArchTokens(`linux-${rest}`);
  const h = hits[0];
  if (hits.length !== 1 || !h || h.start !== 6 || h.text.length !== rest.length) return undefined;
  return h;
}

/**
 * Commands that bring nothing in beyond what command-kind calls naming: moving, copying or
 * linking a name, changing directory, and the declaration builtins (their assignments are read
 * as assignments).
 */
const MOVES_OR_DECLARES: ReadonlySet<string> = new Set(['cd', 'mv', 'cp', 'ln', 'export', 'local', 'readonly', 'declare', 'typeset']);

/**
 * True for a command that only touches names (`echo`, `rm`, `ls`, `test`, `cp`, ...: command-kind's
 * `onlyNames`, plus moves, links and declarations): it fetches and installs nothing.
 */
export function isNameOnlyCommand(cmd: SimpleCommand): boolean {
  if (onlyNames(cmd)) return true;
  const tool = commandWords(cmd)[0]?.value ?? '';
  return MOVES_OR_DECLARES.has(tool.slice(tool.lastIndexOf('/') + 1));
}

/** A download (a URL or an archive file name) whose text went through variables. */
export interface DownloadUse {
  readonly instruction: Instruction;
  readonly index: number;
  readonly traced: Traced;
  /** the URL or file name: text[start, end) of `traced` */
  readonly start: number;
  readonly end: number;
  /** the command that uses it (`curl`, `wget`, `ADD`, ...) and its line (1-based) */
  readonly use: string;
  readonly line: number;
  /** inside a branch chosen by the architecture */
  readonly guarded: boolean;
  /** for RUN uses */
  readonly source?: ShellSource;
  readonly command?: SimpleCommand;
}

const usesCache = new WeakMap<Stage, Map<Platform, readonly DownloadUse[]>>();

/**
 * Downloads of a stage whose URL or file name holds a variable: every word of a RUN command that
 * fetches or installs (not `echo`, `rm`, `ls`, ...) and every ADD source, traced back to the
 * assignments that wrote it. Memoised per stage and target.
 */
export function downloadUses(model: Model, stage: Stage, target: Platform): readonly DownloadUse[] {
  let byTarget = usesCache.get(stage);
  if (!byTarget) usesCache.set(stage, (byTarget = new Map()));
  const cached = byTarget.get(target);
  if (cached) return cached;
  const out: DownloadUse[] = [];
  const lineOf = (offset: number): number => positionAt(model.file.lineStarts, offset).line;
  // an architecture word must be written somewhere the download's variables can come from
  const archInValues = valuesMention(model, stage, ARCH_HINT);
  const fileInValues = valuesMention(model, stage, DOWNLOAD_HINT);
  stage.instructions.forEach((ins, index) => {
    if (ins.keyword === 'run') {
      // the body, its heredocs and the build-context scripts it executes (read as its shell)
      if (!instructionMentions(ins, DOLLAR)) return;
      const inRun = (re: RegExp): boolean => instructionMentions(ins, re);
      if (!(archInValues || inRun(ARCH_HINT)) || !(fileInValues || inRun(DOWNLOAD_HINT))) return;
      for (const source of model.shell(ins)) {
        for (const cmd of source.script.commands) {
          const words = commandWords(cmd);
          const tool = words[0]?.value ?? '';
          if (!tool || isNameOnlyCommand(cmd)) continue;
          let guarded: boolean | undefined;
          for (const w of words) {
            if (!w.raw.includes('$')) continue;
            const raw = source.text.text.slice(w.start, w.end);
            const traced = traceRunWord(model, stage, index, source, cmd, raw, w.start, target);
            const spans = downloadSpans(traced.text);
            if (!spans.length) continue;
            guarded ??= isArchGuarded(cmd);
            const line = lineOf(toSourceOffset(source.text, w.start));
            for (const [start, end] of spans) out.push({ instruction: ins, index, traced, start, end, use: tool, line, guarded, source, command: cmd });
          }
        }
      }
    } else if (ins.keyword === 'add' && !ins.json && ins.body.text.includes('$')) {
      for (const w of wordsOf(ins.body.text)) {
        if (!w.raw.includes('$') || w.raw.startsWith('--')) continue;
        const traced = traceInstructionText(model, stage, index, w.raw, (i) => toSourceOffset(ins.body, w.start + i), target);
        const line = lineOf(toSourceOffset(ins.body, w.start));
        for (const [start, end] of downloadSpans(traced.text)) {
          out.push({ instruction: ins, index, traced, start, end, use: 'ADD', line, guarded: false });
        }
      }
    }
  });
  byTarget.set(target, out);
  return out;
}

const DOLLAR = /\$/;

/** Text that may hold an architecture word (a cheap test before reading and tracing). */
const ARCH_HINT = /amd64|x86|x64|aarch|arm|i[3-6]86|386|ppc64|s390|riscv|64.?bit|mips|loong/i;
/** Text that may hold a URL or an archive's name. */
const DOWNLOAD_HINT = /:\/\/|\.(?:t?[gx]z|tar|tbz2?|zip|deb|rpm|apk|whl|bz2|zst|tzst|7z|run|bin|appimage|msi|pkg|exe|jar|sh)\b/i;

/** Whether an ENV or ARG of the stage, its parents or the global scope matches. */
function valuesMention(model: Model, stage: Stage, re: RegExp): boolean {
  if (model.globalArgs.some((a) => a.default !== null && re.test(a.default))) return true;
  for (let s: Stage | null = stage; s; s = s.parent) {
    for (const ins of s.instructions) if ((ins.keyword === 'env' || ins.keyword === 'arg') && re.test(ins.body.text)) return true;
  }
  return false;
}

/** URLs in a traced word, or the word itself when it is an archive file name. */
function downloadSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  if (text.includes('://')) {
    URL_RE.lastIndex = 0;
    for (let m = URL_RE.exec(text); m; m = URL_RE.exec(text)) spans.push([m.index, m.index + m[0].length]);
    return spans;
  }
  const value = text.slice(text.lastIndexOf('=') + 1);
  if (ARCHIVE_SUFFIX.test(value)) {
    const start = text.length - value.length + value.lastIndexOf('/') + 1;
    spans.push([start, text.length]);
  }
  return spans;
}
