/**
 * Facts about toolchains and architecture detectors for the rules on arch detection and
 * cross-compilation (AA104-AA107):
 *
 * - the run-time detectors (`uname -m`, `arch`, `dpkg --print-architecture`, `apk --print-arch`)
 *   found in `$( )` / backquotes of shell words, and the variables a RUN assigns from them;
 * - which stages consume a `--platform=$BUILDPLATFORM` stage from the target platform;
 * - Go, Cargo and C compiler commands, Rust triples and CPU flags, and the architectures they name.
 *
 * Everything here is linear in the size of a RUN (no scan over all instructions per word).
 */
import type { Instruction } from '../../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../../dockerfile/shell.js';
import { KNOWN_PLATFORMS, toVocabulary, type Platform, type Vocabulary } from '../../platform/index.js';

// ---------------------------------------------------------------------------------------------
// Detectors

/** The vocabularies the run-time detectors print in. */
export type DetectorVocabulary = Extract<Vocabulary, 'uname' | 'dpkg' | 'apk'>;

export interface Detector {
  /** the detector as a person would name it: `uname -m`, `arch`, `dpkg --print-architecture` */
  readonly name: string;
  readonly vocabulary: DetectorVocabulary;
  /** literal `sed s/from/to/` rewrites piped after it, applied in order */
  readonly rewrites: readonly Rewrite[];
}

/** One literal `s/from/to/[g]` of sed. */
export interface Rewrite {
  readonly from: string;
  readonly to: string;
  readonly start: boolean;
  readonly end: boolean;
  readonly global: boolean;
}

const DETECTOR_RE =
  /^\s*(?:(uname)\s+(?:-m|--machine)|(arch)|(dpkg)\s+--print-architecture|(apk)\s+--print-arch)(?:\s+2>\s*\/dev\/null)?\s*$/;

function baseDetector(text: string): Detector | undefined {
  const m = DETECTOR_RE.exec(text);
  if (!m) return undefined;
  if (m[1]) return { name: 'uname -m', vocabulary: 'uname', rewrites: [] };
  if (m[2]) return { name: 'arch', vocabulary: 'uname', rewrites: [] };
  if (m[3]) return { name: 'dpkg --print-architecture', vocabulary: 'dpkg', rewrites: [] };
  return { name: 'apk --print-arch', vocabulary: 'apk', rewrites: [] };
}

/** Splits a simple command line into words, removing plain quotes (no expansions expected). */
function simpleWords(text: string): string[] | undefined {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length) {
    let word = '';
    let i = 0;
    while (i < rest.length && !/\s/.test(rest[i] as string)) {
      const c = rest[i] as string;
      if (c === "'" || c === '"') {
        const close = rest.indexOf(c, i + 1);
        if (close === -1) return undefined;
        word += rest.slice(i + 1, close);
        i = close + 1;
      } else if (/[$`\\;&|<>()]/.test(c)) return undefined;
      else {
        word += c;
        i++;
      }
    }
    out.push(word);
    rest = rest.slice(i).trimStart();
  }
  return out;
}

const LITERAL = /^[A-Za-z0-9_-]+$/;

/** Literal rewrites of a `sed` command (`sed -e s/x86_64/amd64/ -e 's/aarch64/arm64/'`), or undefined. */
function sedRewrites(text: string): Rewrite[] | undefined {
  const words = simpleWords(text);
  if (!words || words[0] !== 'sed') return undefined;
  const scripts: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '-e' || w === '--expression') {
      const next = words[++i];
      if (next === undefined) return undefined;
      scripts.push(next);
    } else if (w.startsWith('-e')) scripts.push(w.slice(2));
    else if (w === '-E' || w === '-r' || w === '--regexp-extended') continue;
    else if (w.startsWith('-')) return undefined;
    else if (scripts.length === 0) scripts.push(w);
    else return undefined; // a file argument: sed reads it, not the pipe
  }
  const out: Rewrite[] = [];
  for (const script of scripts) {
    for (const part of script.split(/[;\n]/)) {
      const cmd = part.trim();
      if (!cmd) continue;
      if (cmd[0] !== 's' || cmd.length < 4) return undefined;
      const d = cmd[1] as string;
      const pieces = cmd.slice(2).split(d);
      if (pieces.length !== 3) return undefined;
      let [from, to, flags] = pieces as [string, string, string];
      if (flags !== '' && flags !== 'g') return undefined;
      const start = from.startsWith('^');
      const end = from.endsWith('$');
      from = from.slice(start ? 1 : 0, end ? -1 : undefined);
      if (!LITERAL.test(from) || !/^[A-Za-z0-9_.-]*$/.test(to)) return undefined;
      out.push({ from, to, start, end, global: flags === 'g' });
    }
  }
  return out.length ? out : undefined;
}

/** `awk -F- '{ print $NF }'` (the postgres image's way to drop dpkg prefixes). */
function isLastFieldAwk(text: string): boolean {
  return /^\s*awk\s+-F\s*'?-'?\s+'\{\s*print\s+\$NF;?\s*\}'\s*$/.test(text);
}

/**
 * The detector a substitution's inner text is: the bare detector, or one piped through literal
 * `sed s/x/y/` rewrites (whose result is computed) or, for dpkg, `awk -F- '{print $NF}'`.
 * Any other pipeline (a mapping we cannot read) gives undefined.
 */
export function detectorOf(inner: string): Detector | undefined {
  if (!mayContainDetector(inner)) return undefined;
  const parts = inner.split('|');
  if (parts.some((p) => p.trim() === '')) return undefined; // `||` or an empty stage
  const base = baseDetector(parts[0] as string);
  if (!base) return undefined;
  const rewrites: Rewrite[] = [];
  for (const p of parts.slice(1)) {
    if (base.vocabulary === 'dpkg' && isLastFieldAwk(p)) continue;
    const r = sedRewrites(p);
    if (!r) return undefined;
    rewrites.push(...r);
  }
  return rewrites.length ? { ...base, name: `${base.name} | sed`, rewrites } : base;
}

/** The word a detector prints for a platform, after its rewrites. */
export function detectorWord(det: Detector, p: Platform): string | undefined {
  let w = toVocabulary(p, det.vocabulary);
  if (w === undefined) return undefined;
  for (const r of det.rewrites) {
    if (r.start && r.end) w = w === r.from ? r.to : w;
    else if (r.start) w = w.startsWith(r.from) ? r.to + w.slice(r.from.length) : w;
    else if (r.end) w = w.endsWith(r.from) ? w.slice(0, w.length - r.from.length) + r.to : w;
    else w = r.global ? w.split(r.from).join(r.to) : w.replace(r.from, r.to);
  }
  return w;
}

/** Cheap pre-filter: can this text contain a detector at all? */
export function mayContainDetector(text: string): boolean {
  return /uname|\barch\b|--print-arch/.test(text);
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

function closeParen(raw: string, from: number): number {
  let depth = 1;
  let quote = '';
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
    else if (c === ')' && --depth === 0) return i;
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

/** A variable that a RUN sets from a detector and never maps. */
export interface DetectorVariable {
  readonly name: string;
  readonly detector: Detector;
  /** shell-text offset after which the variable holds the detector's word */
  readonly from: number;
  /** false when the variable is reassigned to something else (a mapping), read, looped over or unset */
  readonly clean: boolean;
}

const DECLARE = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);

/** NAME=value words of a command that set shell variables (bare assignments, export/local/...). */
export function settingWords(cmd: SimpleCommand): ShellWord[] {
  if (cmd.words.length === 0) return [...cmd.assignments];
  const first = cmd.words[0]?.value ?? '';
  if (DECLARE.has(first)) return cmd.words.slice(1).filter((w) => /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(w.value));
  return [];
}

function splitAssignment(raw: string): { name: string; value: string; valueAt: number } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(raw);
  if (!m) return undefined;
  return { name: m[1] as string, value: raw.slice(m[0].length), valueAt: m[0].length };
}

function unquote(s: string): string {
  return s.length >= 2 && s[0] === '"' && s[s.length - 1] === '"' ? s.slice(1, -1) : s;
}

/**
 * The detector a whole assignment value is (`$(uname -m)`, `"$(dpkg --print-architecture)"`,
 * `` `apk --print-arch` ``), or undefined.
 */
export function detectorValue(value: string): Detector | undefined {
  const v = unquote(value);
  const subs = substitutions(v);
  if (subs.length !== 1) return undefined;
  const s = subs[0] as Span;
  if (s.kind !== 'command' || s.start !== 0 || s.end !== v.length) return undefined;
  return detectorOf(s.inner);
}

/** Variables assigned from a detector in one shell source, with whether they stay unmapped. */
export function detectorVariables(source: ShellSource): Map<string, DetectorVariable> {
  const out = new Map<string, DetectorVariable>();
  if (!mayContainDetector(source.text.text)) return out;
  const tainted = new Set<string>();
  for (const cmd of source.script.commands) {
    for (const w of settingWords(cmd)) {
      const a = splitAssignment(w.raw);
      if (!a) continue;
      const det = detectorValue(a.value);
      const prev = out.get(a.name);
      if (det) {
        if (prev && JSON.stringify(prev.detector) !== JSON.stringify(det)) tainted.add(a.name);
        if (!prev) out.set(a.name, { name: a.name, detector: det, from: w.end, clean: true });
        continue;
      }
      if (!prev) continue;
      // `${arch##*-}` strips dpkg's `musl-linux-` style prefixes and keeps dpkg's words
      const strip = new RegExp(`^\\$\\{${a.name}##?\\*-\\}$`);
      if (prev.detector.vocabulary === 'dpkg' && strip.test(unquote(a.value))) continue;
      tainted.add(a.name);
    }
    const first = cmd.words[0]?.value;
    if (first === 'unset' || first === 'read' || first === 'mapfile' || first === 'readarray' || first === 'getopts') {
      for (const w of cmd.words.slice(1)) if (out.has(w.value)) tainted.add(w.value);
    }
  }
  const text = source.text.text;
  for (const v of out.values()) {
    if (tainted.has(v.name) || new RegExp(`\\b(for|select)\\s+${v.name}\\b`).test(text)) {
      out.set(v.name, { ...v, clean: false });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stages

export interface Consumer {
  readonly stage: Stage;
  /** 'from': built FROM the stage (inherits every file); 'copy' / 'mount': reads the paths */
  readonly kind: 'from' | 'copy' | 'mount';
  /** source paths read from the stage ('/' for everything) */
  readonly paths: readonly string[];
}

const consumerCache = new WeakMap<Model, Map<number, Consumer[]>>();

function stageRef(model: Model, ref: string, before: number): Stage | undefined {
  const byName = model.stageByName(ref);
  if (byName && byName.index < before) return byName;
  if (/^\d+$/.test(ref) && Number(ref) < before) return model.stages[Number(ref)];
  return undefined;
}

/** Every stage that reads files of another stage, keyed by the stage read. */
function consumers(model: Model): Map<number, Consumer[]> {
  const cached = consumerCache.get(model);
  if (cached) return cached;
  const out = new Map<number, Consumer[]>();
  const add = (s: Stage, c: Consumer): void => {
    const list = out.get(s.index) ?? [];
    list.push(c);
    out.set(s.index, list);
  };
  for (const t of model.stages) {
    if (t.parent) add(t.parent, { stage: t, kind: 'from', paths: ['/'] });
    for (const ins of t.instructions) {
      for (const f of ins.flags) {
        if (!f.value) continue;
        if (f.name === 'from' && (ins.keyword === 'copy' || ins.keyword === 'add')) {
          const s = stageRef(model, f.value, t.index);
          if (s) add(s, { stage: t, kind: 'copy', paths: ins.args.slice(0, -1) });
        } else if (f.name === 'mount') {
          const m = /(?:^|,)from=([^,]+)/.exec(f.value);
          const s = m ? stageRef(model, m[1] as string, t.index) : undefined;
          const src = /(?:^|,)(?:source|src)=([^,]+)/.exec(f.value);
          if (s) add(s, { stage: t, kind: 'mount', paths: [src ? (src[1] as string) : '/'] });
        }
      }
    }
  }
  consumerCache.set(model, out);
  return out;
}

/**
 * Stages whose files end up in a target-platform image and that read files of `stage`: stages on
 * the target platform, the final stage (its files are the image, whatever its platform), and,
 * through a build-platform stage built FROM this one (it holds all of its files), what reads that.
 */
export function targetConsumers(model: Model, stage: Stage, seen: Set<number> = new Set()): Consumer[] {
  if (seen.has(stage.index)) return [];
  seen.add(stage.index);
  const out: Consumer[] = [];
  for (const c of consumers(model).get(stage.index) ?? []) {
    if (!c.stage.onBuildPlatform || c.stage.final) out.push(c);
    else if (c.kind === 'from') out.push(...targetConsumers(model, c.stage, seen));
  }
  return out;
}

/** Does what this build-platform stage makes end up in a target-platform image? */
export function feedsTarget(model: Model, stage: Stage): boolean {
  return stage.final || targetConsumers(model, stage).length > 0;
}

function normPath(p: string): string {
  let s = p.replace(/^["']|["']$/g, '');
  const star = s.search(/[*?[]/);
  if (star !== -1) s = s.slice(0, s.lastIndexOf('/', star) + 1);
  s = s.replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

function pathOverlap(a: string, b: string): boolean {
  if (a === '/' || b === '/') return true;
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Do target-platform stages read any of these absolute paths (or a directory holding them, or
 * something under them) from the stage? A stage built FROM it, or a copy of `/`, reads everything.
 */
export function targetReadsAny(model: Model, stage: Stage, paths: readonly string[]): boolean {
  if (stage.final) return true;
  const wanted = paths.filter((p) => p.startsWith('/')).map(normPath);
  for (const c of targetConsumers(model, stage)) {
    for (const raw of c.paths) {
      // COPY --from and mount sources are relative to the stage's root
      const p = normPath(raw.startsWith('/') ? raw : `/${raw.replace(/^\.\//, '')}`);
      if (p === '/' || p.includes('$')) return true;
      if (wanted.some((w) => pathOverlap(w, p))) return true;
    }
  }
  return false;
}

/** Absolute paths written in a RUN (shell words and heredoc scripts), e.g. `-o /out/app`, `-C /usr/local`. */
export function runPaths(model: Model, ins: Instruction): string[] {
  const out: string[] = [];
  for (const source of model.shell(ins)) {
    for (const cmd of source.script.commands) {
      for (const w of [...cmd.words, ...cmd.assignments, ...cmd.redirects]) {
        for (const m of w.value.matchAll(/(?:^|[=\s>:])(\/[A-Za-z0-9_.@+\/-]*)/g)) out.push(m[1] as string);
      }
    }
  }
  return out;
}

const TARGET_RE = /\bTARGET(PLATFORM|OS|ARCH|VARIANT)\b/;

/** Does the instruction (body, heredocs, flags) mention a TARGET* arg? */
export function mentionsTarget(ins: Instruction): boolean {
  return TARGET_RE.test(ins.body.text) || ins.heredocs.some((h) => TARGET_RE.test(h.content)) || ins.flags.some((f) => TARGET_RE.test(f.raw));
}

// ---------------------------------------------------------------------------------------------
// Environment of a command

export type EnvState = { set: false } | { set: true; value: string | undefined };

/**
 * Is `name` set for `cmd` (index `index` in the stage, inside `source`)? Looks at the command's
 * assignment prefix and `env NAME=...`, NAME=/export NAME=/`go env -w NAME=` earlier in the RUN,
 * ENV/ARG in scope, and `go env -w NAME=` in earlier RUNs of the stage and its parents. A RUN that
 * sources a file or evals counts as setting everything (value unknown).
 */
export function envFor(model: Model, stage: Stage, index: number, source: ShellSource, cmd: SimpleCommand, name: string, target: Platform): EnvState {
  const prefix = new RegExp(`^${name}=`);
  for (const w of [...cmd.assignments, ...envWords(cmd)]) {
    if (prefix.test(w.value)) return { set: true, value: w.value.slice(name.length + 1) };
  }
  let found: EnvState = { set: false };
  for (const c of source.script.commands) {
    if (c.start >= cmd.start) break;
    for (const w of [...settingWords(c), ...goEnvWrites(c)]) {
      if (prefix.test(w.value)) found = { set: true, value: w.value.slice(name.length + 1) };
    }
    const first = c.words[0]?.value;
    if (first === 'source' || first === '.' || first === 'eval') found = { set: true, value: undefined };
  }
  if (found.set) return found;
  const view = model.view(stage, target);
  const b = (view.scopes[index] ?? view.end).get(name);
  if (b) return { set: true, value: b.value };
  for (let s: Stage | null = stage; s; s = s.parent) {
    const upto = s === stage ? index : s.instructions.length;
    for (let i = 0; i < upto; i++) {
      const ins = s.instructions[i] as Instruction;
      if (ins.keyword === 'run' && new RegExp(`\\bgo\\s+env\\s+-w\\b[^\\n]*\\b${name}=`).test(ins.body.text)) return { set: true, value: undefined };
    }
  }
  return { set: false };
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

/** `go env -w NAME=value ...`: the NAME=value words. */
export function goEnvWrites(cmd: SimpleCommand): ShellWord[] {
  const v = cmd.words.map((w) => w.value);
  if (v[0] !== 'go' || v[1] !== 'env' || v[2] !== '-w') return [];
  return cmd.words.slice(3).filter((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value));
}

// ---------------------------------------------------------------------------------------------
// Compiler commands

const WRAPPERS = new Set(['exec', 'time', 'nice', 'nohup', 'sudo', 'command']);

/** The command's words after wrappers (`env A=1`, `exec`, `time`), as values. */
export function commandWords(cmd: SimpleCommand): ShellWord[] {
  let i = 0;
  const w = cmd.words;
  for (;;) {
    const v = w[i]?.value;
    if (v === undefined) return [];
    if (WRAPPERS.has(v)) i++;
    else if (v === 'env') {
      i++;
      while (i < w.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i]?.value ?? '') || (w[i]?.value ?? '').startsWith('-'))) i++;
    } else break;
  }
  return w.slice(i);
}

export type GoKind = 'build' | 'install';

/** `go build` / `go install` (with `go -C dir` allowed before the subcommand). */
export function goCommand(cmd: SimpleCommand): { kind: GoKind; words: ShellWord[] } | undefined {
  const w = commandWords(cmd);
  if (w[0]?.value !== 'go') return undefined;
  let i = 1;
  while (w[i]?.value === '-C') i += 2;
  const sub = w[i]?.value;
  if (sub !== 'build' && sub !== 'install') return undefined;
  return { kind: sub, words: w };
}

/** The `-o` output of a go build, when given. */
export function goOutput(words: readonly ShellWord[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const v = words[i]?.value ?? '';
    if (v === '-o') return words[i + 1]?.value;
    if (v.startsWith('-o=')) return v.slice(3);
  }
  return undefined;
}

export type CargoKind = 'build' | 'install';

/** `cargo build` / `cargo install` (with `cargo +toolchain` allowed). */
export function cargoCommand(cmd: SimpleCommand): { kind: CargoKind; words: ShellWord[] } | undefined {
  const w = commandWords(cmd);
  if (w[0]?.value !== 'cargo') return undefined;
  let i = 1;
  while ((w[i]?.value ?? '').startsWith('+')) i++;
  const sub = w[i]?.value;
  if (sub === 'build' || sub === 'b') return { kind: 'build', words: w };
  if (sub === 'install') return { kind: 'install', words: w };
  return undefined;
}

export function hasTargetFlag(words: readonly ShellWord[]): boolean {
  return words.some((w) => w.value === '--target' || w.value.startsWith('--target=') || w.value === '-target');
}

/** `cargo install <crate>` from a registry or git (a tool) rather than `--path`. */
export function isCargoToolInstall(words: readonly ShellWord[]): boolean {
  return !words.some((w) => w.value === '--path' || w.value.startsWith('--path='));
}

const C_COMPILER = /^(gcc|cc|g\+\+|c\+\+|clang|clang\+\+)(-\d+(\.\d+)*)?$/;
const SOURCE_FILE = /\.(c|cc|cpp|cxx|c\+\+|m|mm|s|S|o|a)$/;

/** A native C/C++ compiler call that compiles or links something (not `gcc --version`). */
export function cCompilerCommand(cmd: SimpleCommand): ShellWord | undefined {
  const w = commandWords(cmd);
  const first = w[0];
  if (!first || !C_COMPILER.test(first.value.replace(/^.*\//, ''))) return undefined;
  if (w.some((x) => /^(--?target\b|-target$|--sysroot|-m32$|-m64$|-mx32$)/.test(x.value))) return undefined;
  const compiles = w.slice(1).some((x) => x.value === '-c' || x.value === '-o' || x.value.startsWith('-o') || SOURCE_FILE.test(x.value));
  return compiles ? first : undefined;
}

/** A cross compiler named for its target (`aarch64-linux-gnu-gcc`) or xx's wrappers. */
export function isCrossCompiler(word: string): boolean {
  const base = word.replace(/^.*\//, '');
  return /-linux-\w+-(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|ld)(-\d+)?$/.test(base) || /^xx-/.test(base);
}

// ---------------------------------------------------------------------------------------------
// Architectures named by compiler settings

/** Architectures (OCI names) of the known Linux platforms. */
function archOf(p: Platform): string {
  return p.architecture;
}

let goWords: Map<string, string> | undefined;

/** The OCI architecture a GOARCH value names (amd64, arm, 386 ...), or undefined. */
export function goarchArchitecture(value: string): string | undefined {
  if (!goWords) {
    goWords = new Map();
    for (const p of KNOWN_PLATFORMS) {
      const w = toVocabulary(p, 'go');
      if (w) goWords.set(w, archOf(p));
    }
  }
  return goWords.get(value);
}

let rustArchs: Map<string, Set<string>> | undefined;

/** The first field of a Rust triple (`x86_64`, `armv7`, `riscv64gc`) -> platform keys it builds for. */
function rustArchTable(): Map<string, Set<string>> {
  if (rustArchs) return rustArchs;
  rustArchs = new Map();
  for (const p of KNOWN_PLATFORMS) {
    for (const v of ['rust-gnu', 'rust-musl'] as const) {
      const t = toVocabulary(p, v);
      if (!t) continue;
      const a = t.split('-')[0] as string;
      const set = rustArchs.get(a) ?? new Set<string>();
      set.add(platformId(p));
      rustArchs.set(a, set);
    }
  }
  rustArchs.set('i586', rustArchs.get('i686') ?? new Set(['386']));
  return rustArchs;
}

function platformId(p: Platform): string {
  return p.architecture === 'arm' ? `arm/${p.variant || 'v7'}` : p.architecture;
}

/** Does a Linux Rust triple (`x86_64-unknown-linux-musl`) build for platform `p`? undefined: not a known Linux triple. */
export function rustTripleBuilds(triple: string, p: Platform): boolean | undefined {
  const m = /^([a-z0-9_]+)-[a-z0-9_]+-linux-(gnu|musl)[a-z0-9_]*$/.exec(triple);
  if (!m) return undefined;
  const keys = rustArchTable().get(m[1] as string);
  if (!keys) return undefined;
  return keys.has(platformId(p)) || (p.architecture !== 'arm' && keys.has(p.architecture));
}

/** What a CPU flag says about the machine it builds for. */
export interface CpuFlag {
  /** OCI architectures whose compilers accept it */
  readonly archs: readonly string[];
  /** a human name of those CPUs */
  readonly family: string;
  /** true for `native`: the build machine's CPU */
  readonly native: boolean;
  /** amd64 micro-architecture level it requires (v2, v3, v4), when it names one */
  readonly level?: string;
}

const X86 = { archs: ['amd64', '386'], family: 'x86', native: false } as const;
const ARM = { archs: ['arm64', 'arm'], family: 'ARM', native: false } as const;
const ARM32 = { archs: ['arm'], family: '32-bit ARM', native: false } as const;

const X86_CPUS =
  /^(x86-64|i[3-6]86|pentium\w*|prescott|nocona|core2|nehalem|westmere|sandybridge|ivybridge|haswell|broadwell|skylake[\w-]*|cascadelake|cooperlake|cannonlake|icelake[\w-]*|tigerlake|rocketlake|alderlake|raptorlake|meteorlake|sapphirerapids|emeraldrapids|graniterapids[\w-]*|goldmont[\w-]*|tremont|silvermont|knl|knm|bonnell|atom|znver\d|bdver\d|btver\d|amdfam10|barcelona|k8[\w-]*|opteron[\w-]*|athlon[\w-]*)$/;
const ARM_CPUS = /^(cortex-[amx]\d+[\w.+-]*|neoverse-[\w.+-]+|apple-[\w.+-]+|thunderx[\w.+-]*|ampere\d*[\w.+-]*|a64fx|carmel|kryo[\w.+-]*|exynos[\w.+-]*|falkor|saphira|tsv110|generic-armv[\w.+-]+)$/;

/** Classifies `-march=`, `-mcpu=`, `-m<feature>`, `-C target-cpu=`, `-C target-feature=` values. */
export function classifyCpuFlag(kind: 'march' | 'mcpu' | 'feature' | 'mfpu' | 'target-cpu' | 'target-feature', value: string): CpuFlag | undefined {
  const v = value.toLowerCase();
  if (v === 'native') return kind === 'march' || kind === 'mcpu' || kind === 'target-cpu' ? { archs: [], family: 'the build machine', native: true } : undefined;
  switch (kind) {
    case 'march':
    case 'target-cpu': {
      const level = /^x86-64-(v[234])$/.exec(v);
      if (level) return { ...X86, archs: ['amd64'], level: level[1] as string };
      if (X86_CPUS.test(v)) return X86;
      if (/^armv[89](\.\d)?-?[a-z]*(\+[\w+]*)?$/.test(v)) return ARM;
      if (/^armv[4-7]/.test(v)) return ARM32;
      if (ARM_CPUS.test(v)) return ARM;
      if (/^rv64/.test(v)) return { archs: ['riscv64'], family: 'RISC-V', native: false };
      if (/^(z\d+|arch\d+)$/.test(v)) return { archs: ['s390x'], family: 'IBM Z', native: false };
      if (/^(power\d+|pwr\d+)$/.test(v)) return { archs: ['ppc64le'], family: 'POWER', native: false };
      if (/^(loongarch64|la\d+)$/.test(v)) return { archs: ['loong64'], family: 'LoongArch', native: false };
      return undefined;
    }
    case 'mcpu':
      if (ARM_CPUS.test(v)) return ARM;
      if (/^(power\d+|pwr\d+)$/.test(v)) return { archs: ['ppc64le'], family: 'POWER', native: false };
      return undefined;
    case 'mfpu':
      return ARM32;
    case 'feature':
      return X86;
    case 'target-feature': {
      const feats = v.split(',').map((f) => f.replace(/^[+-]/, ''));
      if (feats.some((f) => /^(sse[\d.]*|ssse3|avx\w*|fma|bmi\d?|popcnt|aes|pclmulqdq|f16c|lzcnt|movbe|sha)$/.test(f))) return X86;
      if (feats.some((f) => /^(neon|sve\d?|crc|lse|fp-armv8|dotprod|rcpc)$/.test(f))) return ARM;
      return undefined;
    }
  }
}

/** A CPU flag found in text. */
export interface CpuFlagHit {
  /** offsets in the scanned text */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly flag: CpuFlag;
}

const CPU_FLAG_RE =
  /(?<![\w-])(?:-m(arch|cpu|fpu)=([\w.+-]+)|-m(sse[\d.]*|ssse3|avx[\w]*|fma4?|bmi2?|popcnt|aes|pclmul|f16c|lzcnt|movbe|sha|xop|vaes|vpclmulqdq|gfni)(?![\w.=+-])|-C\s*(target-cpu|target-feature)=([\w.+,-]+))/g;

/** CPU flags in a piece of text (a shell command, an ENV value). */
export function cpuFlags(text: string): CpuFlagHit[] {
  if (!/-m|target-/.test(text)) return [];
  const out: CpuFlagHit[] = [];
  CPU_FLAG_RE.lastIndex = 0;
  for (let m = CPU_FLAG_RE.exec(text); m; m = CPU_FLAG_RE.exec(text)) {
    let flag: CpuFlag | undefined;
    if (m[1]) flag = classifyCpuFlag(`m${m[1]}` as 'march' | 'mcpu' | 'mfpu', m[2] as string);
    else if (m[3]) flag = classifyCpuFlag('feature', m[3]);
    else if (m[4]) flag = classifyCpuFlag(m[4] as 'target-cpu' | 'target-feature', m[5] as string);
    if (flag) out.push({ start: m.index, end: m.index + m[0].length, text: m[0], flag });
  }
  return out;
}

/** Variables whose value is passed to compilers as flags. */
export const FLAG_VARIABLES: ReadonlySet<string> = new Set([
  'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'FFLAGS', 'LDFLAGS', 'RUSTFLAGS', 'CARGO_ENCODED_RUSTFLAGS',
  'CGO_CFLAGS', 'CGO_CXXFLAGS', 'CGO_CPPFLAGS', 'CGO_LDFLAGS', 'NIX_CFLAGS_COMPILE', 'EXTRA_CFLAGS',
]);

/** The working directory before instruction `index` of the stage (WORKDIR, inherited from parents). */
export function workdirAt(stage: Stage, index: number): string {
  const dirs: string[] = [];
  for (let s: Stage | null = stage; s; s = s.parent) {
    const upto = s === stage ? index : s.instructions.length;
    const own: string[] = [];
    for (let i = 0; i < upto; i++) {
      const ins = s.instructions[i] as Instruction;
      if (ins.keyword === 'workdir') own.push(ins.body.text.trim());
    }
    dirs.unshift(...own);
  }
  let dir = '/';
  for (const d of dirs) dir = d.startsWith('/') ? d : `${dir.replace(/\/$/, '')}/${d}`;
  return dir;
}

const OUTPUT_FLAGS = new Set(['-o', '-O', '--output', '--output-document', '-C', '--directory', '--target-directory', '-t']);

/**
 * Paths a RUN writes or names: absolute paths in its words, and relative outputs
 * (`-o file`, `-C dir`, the destination of mv/cp/install) resolved against WORKDIR.
 */
export function runOutputs(model: Model, stage: Stage, index: number): string[] {
  const ins = stage.instructions[index] as Instruction;
  const out = runPaths(model, ins);
  let wd: string | undefined;
  const resolve = (p: string): void => {
    if (!p || p.startsWith('/') || p.startsWith('-') || p.includes('$') || p === '.') return;
    wd ??= workdirAt(stage, index);
    out.push(`${wd.replace(/\/$/, '')}/${p.replace(/^\.\//, '')}`);
  };
  for (const source of model.shell(ins)) {
    for (const cmd of source.script.commands) {
      const w = commandWords(cmd).map((x) => x.value);
      for (let i = 0; i + 1 < w.length; i++) if (OUTPUT_FLAGS.has(w[i] as string)) resolve(w[i + 1] as string);
      if ((w[0] === 'mv' || w[0] === 'cp' || w[0] === 'install') && w.length > 2) resolve(w[w.length - 1] as string);
    }
  }
  return out;
}
