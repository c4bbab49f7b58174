/**
 * The semantic model of a Dockerfile: stages, ARG/ENV scopes and their evaluation per target
 * platform, following BuildKit (dockerfile2llb) semantics:
 *
 * - ARGs before the first FROM are global: visible in FROM lines, and inside a stage only after
 *   `ARG NAME` redeclares them (taking the global value when the stage gives no default).
 * - The automatic platform ARGs (TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the
 *   BUILD* four) are global too: usable in FROM, inside a stage only after `ARG TARGETARCH`.
 *   A stage default (`ARG TARGETARCH=amd64`) wins over the automatic value, as in BuildKit.
 * - ENV is visible to every later instruction of the stage.
 * - A stage built FROM an earlier stage starts with that stage's ARGs and ENV (current BuildKit;
 *   the classic builder passed on ENV only, through the image config).
 */
import type { Flag, Instruction, Range, SourceText } from './ast.js';
import type { Dockerfile } from './ast.js';
import { expandWord } from './expand.js';
import { linkStages, type StageGraph } from './graph.js';
import { isShellScript, scriptRuns, type ScriptFile, type ScriptReader } from './scripts.js';
import { parseShell, type ShellScript } from './shell.js';
import { computeLineStarts, rangeAt, toSourceOffset } from './text.js';
import { buildArgs, formatPlatform, type Platform } from '../platform/index.js';

export const PLATFORM_ARGS = [
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
] as const;
const PLATFORM_ARG_SET: ReadonlySet<string> = new Set(PLATFORM_ARGS);

export function isPlatformArg(name: string): boolean {
  return PLATFORM_ARG_SET.has(name);
}

export interface Binding {
  readonly name: string;
  /** undefined: declared without a value and none was provided */
  readonly value: string | undefined;
  readonly kind: 'arg' | 'env';
  /** the declaring instruction; null for automatic platform args not declared in this stage */
  readonly instruction: Instruction | null;
  /** true when the value comes from BuildKit's automatic platform args */
  readonly automatic: boolean;
}

/**
 * Bindings per block of a scope chain: every this-many links a scope holds the bindings of the
 * block it ends, so a look-up walks at most one block link by link and then jumps block by
 * block (thousands of ARGs or ENVs cost thousands of steps per look-up, not millions).
 */
export const SCOPE_BLOCK = 256;

/** An immutable chain of bindings; later bindings shadow earlier ones. */
export class Scope {
  private readonly depth: number;
  /** at a depth that is a multiple of SCOPE_BLOCK: the bindings of this scope and the SCOPE_BLOCK - 1 above it, innermost first */
  private readonly block: ReadonlyMap<string, Binding> | undefined;
  /** with `block`: the scope SCOPE_BLOCK links up */
  private readonly skip: Scope | null = null;

  private constructor(
    private readonly parent: Scope | null,
    private readonly binding: Binding | null,
  ) {
    this.depth = parent ? parent.depth + 1 : 0;
    if (this.depth > 0 && this.depth % SCOPE_BLOCK === 0) {
      const block = new Map<string, Binding>();
      let s: Scope | null = this;
      for (let i = 0; i < SCOPE_BLOCK && s; i++, s = s.parent) if (s.binding && !block.has(s.binding.name)) block.set(s.binding.name, s.binding);
      this.block = block;
      this.skip = s;
    }
  }

  static readonly EMPTY = new Scope(null, null);

  with(b: Binding): Scope {
    return new Scope(this, b);
  }

  get(name: string): Binding | undefined {
    let s: Scope | null = this;
    for (; s && !s.block; s = s.parent) {
      if (s.binding && s.binding.name === name) return s.binding;
    }
    for (; s; s = s.skip) {
      const b = s.block?.get(name);
      if (b) return b;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  private bound: ((name: string) => string | undefined) | undefined;

  /** A lookup for variable expansion: set variables only. */
  get lookup(): (name: string) => string | undefined {
    return (this.bound ??= (name: string) => this.get(name)?.value);
  }

  /** Every visible binding, innermost first, one per name. */
  bindings(): Binding[] {
    const seen = new Set<string>();
    const out: Binding[] = [];
    for (let s: Scope | null = this; s; s = s.parent) {
      if (s.binding && !seen.has(s.binding.name)) {
        seen.add(s.binding.name);
        out.push(s.binding);
      }
    }
    return out;
  }
}

export interface ArgDecl {
  readonly name: string;
  /** the default as written (unexpanded), or null */
  readonly default: string | null;
  readonly instruction: Instruction;
}

export interface Word {
  readonly value: string;
  readonly range: Range;
  /** offsets in the instruction body's logical text */
  readonly start: number;
  readonly end: number;
}

export interface Stage {
  readonly index: number;
  /** the `AS name` (lower-cased as BuildKit does), or null */
  readonly name: string | null;
  readonly nameRange: Range | null;
  readonly from: Instruction;
  /** the base image word as written */
  readonly image: Word;
  readonly platform: Flag | null;
  /** instructions after FROM, up to the next FROM */
  readonly instructions: readonly Instruction[];
  /** the earlier stage this one is built FROM, if any (by name or index, without expansion) */
  readonly parent: Stage | null;
  /** the last stage: what `docker build` produces without --target */
  readonly final: boolean;
  /** part of what the final stage needs, through any edge of `Model.graph` (FROM, COPY --from, RUN --mount from=) */
  readonly reachable: boolean;
  /** a Windows stage (windows base image, --platform=windows/..., or a powershell SHELL) */
  readonly windows: boolean;
  /**
   * `--platform` mentions BUILDPLATFORM (or BUILDOS/BUILDARCH), or the stage is built FROM such a
   * stage without a --platform of its own: this stage runs on the build machine
   */
  readonly onBuildPlatform: boolean;
}

/** A stage evaluated for one target platform. */
export interface StageView {
  readonly stage: Stage;
  readonly target: Platform;
  /** the base image after expansion with global and platform args */
  readonly image: string;
  /** scope before each of stage.instructions (same index) */
  readonly scopes: readonly Scope[];
  /** scope after the last instruction (what a child stage inherits) */
  readonly end: Scope;
}

export interface Model {
  readonly file: Dockerfile;
  readonly globalArgs: readonly ArgDecl[];
  readonly stages: readonly Stage[];
  /** the stage that `docker build` produces (the last one) */
  readonly finalStage: Stage | null;
  /** which stages read which (FROM, COPY --from, RUN --mount from=), what becomes the image */
  readonly graph: StageGraph;
  stageByName(name: string): Stage | undefined;
  /**
   * True when some FROM names an earlier stage through a platform ARG (`FROM build-${TARGETARCH}`):
   * which stages are built then depends on the target (see {@link Model.stagesFor}).
   */
  readonly perPlatformStages: boolean;
  /** the stages some platform's `FROM ${ARG}` names (`build-amd64`, `build-arm64`): each built only for the platforms that name it */
  readonly chosenPerPlatform: ReadonlySet<Stage>;
  /**
   * The stages `docker build` (without --target) builds for `target`: the final stage and what it
   * needs, with each `FROM ${ARG}` resolved with that platform's ARGs (memoised).
   */
  stagesFor(target: Platform): ReadonlySet<Stage>;
  /** the stage `stage` is built FROM when built for `target` (`Stage.parent`, or its per-platform FROM) */
  parentFor(stage: Stage, target: Platform): Stage | null;
  /** evaluation of a stage for a target platform (memoised) */
  view(stage: Stage, target: Platform, build?: Platform): StageView;
  /** the shell reading of a RUN instruction's command (shell form) and script heredocs (memoised) */
  shell(ins: Instruction): readonly ShellSource[];
  /** the ARG declarations of an ARG instruction */
  argDecls(ins: Instruction): readonly ArgDecl[];
  /** the build-context scripts RUNs execute that were found and read (none without a reader: `buildModel`'s `scripts`) */
  readonly scripts: readonly ContextScript[];
}

/**
 * A script of the build context that a RUN executes, read as shell. Its text is placed past the
 * Dockerfile's end: offsets `base` .. `base + text.length` of the model's offset space are the
 * script's (a range there is turned into a range of the script file by the engine,
 * `scriptRange`), so rules report in it as in any RUN.
 */
export interface ContextScript {
  readonly file: ScriptFile;
  /** the context-relative path */
  readonly contextPath: string;
  /** where its offsets start in the model's offset space (past the Dockerfile's source) */
  readonly base: number;
  readonly lineStarts: readonly number[];
}

/** Options of {@link buildModel}. */
export interface ModelOptions {
  /** reads build-context files that RUNs execute (the engine's bounded reader); without it no script is read */
  readonly scripts?: ScriptReader;
}

/** A piece of shell text (a RUN body, or a heredoc that RUN executes) with its parse. */
export interface ShellSource {
  readonly text: SourceText;
  readonly script: ShellScript;
  /** true for heredoc content */
  readonly heredoc: boolean;
  /** for a build-context script the RUN executes: the script, and the offsets in the RUN's body of the word that names it */
  readonly origin?: { readonly script: ContextScript; readonly start: number; readonly end: number };
}

/** Words of a logical text split on whitespace, with ranges. */
export function splitWords(file: Dockerfile, body: SourceText): Word[] {
  const out: Word[] = [];
  const t = body.text;
  const re = /\S+/g;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const s = m.index;
    const e = s + m[0].length;
    const ss = toSourceOffset(body, s);
    const se = toSourceOffset(body, e - 1) + 1;
    out.push({ value: m[0], start: s, end: e, range: rangeAt(file.lineStarts, ss, se) });
  }
  return out;
}

const WINDOWS_IMAGE = /(^|\/)(windows|nanoserver|servercore|windowsservercore)([:/@-]|$)|mcr\.microsoft\.com\/windows/i;

function parseArgDecls(ins: Instruction): ArgDecl[] {
  return ins.args.map((w) => {
    const eq = w.indexOf('=');
    if (eq === -1) return { name: w, default: null, instruction: ins };
    return { name: w.slice(0, eq), default: w.slice(eq + 1), instruction: ins };
  });
}

/** Platforms whose ARGs are tried on a `FROM` with variables to find the stages chosen per platform. */
const PROBE_PLATFORMS: readonly Platform[] = [
  'linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/386', 'linux/ppc64le', 'linux/s390x',
  'linux/riscv64', 'linux/mips64le', 'linux/loong64', 'windows/amd64',
].map((s) => {
  const [os = '', architecture = '', variant = ''] = s.split('/');
  return { os, architecture, variant };
});

/** Expands with BuildKit's rules; never throws (a `${V:?}` error expands to empty). */
function safeExpand(word: string, lookup: (n: string) => string | undefined, escape: '\\' | '`'): string {
  try {
    return expandWord(word, lookup, { escape }).value;
  } catch {
    return '';
  }
}

/** BuildKit's automatic platform ARGs for a target and a build platform: the same for every file. */
const automaticScopes = new Map<string, Scope>();
function automaticScope(target: Platform, build: Platform, key: string): Scope {
  let s = automaticScopes.get(key);
  if (s) return s;
  s = Scope.EMPTY;
  const auto = { ...buildArgs(build, 'BUILD'), ...buildArgs(target, 'TARGET') };
  for (const [name, value] of Object.entries(auto)) {
    s = s.with({ name, value, kind: 'arg', instruction: null, automatic: true });
  }
  if (automaticScopes.size > 256) automaticScopes.clear();
  automaticScopes.set(key, s);
  return s;
}

export function buildModel(file: Dockerfile, options: ModelOptions = {}): Model {
  const globalArgs: ArgDecl[] = [];
  const stageDrafts: { from: Instruction; instructions: Instruction[] }[] = [];
  for (const ins of file.instructions) {
    if (ins.keyword === 'from') stageDrafts.push({ from: ins, instructions: [] });
    else if (stageDrafts.length === 0) {
      if (ins.keyword === 'arg') globalArgs.push(...parseArgDecls(ins));
    } else (stageDrafts[stageDrafts.length - 1] as { instructions: Instruction[] }).instructions.push(ins);
  }

  const byName = new Map<string, number>();
  const drafts = stageDrafts.map((d, index) => {
    const words = splitWords(file, d.from.body);
    const image = words[0] ?? { value: '', start: 0, end: 0, range: d.from.range };
    const asWord = words[1]?.value.toLowerCase() === 'as' ? words[2] : undefined;
    const name = asWord ? asWord.value.toLowerCase() : null;
    if (name !== null && !byName.has(name)) byName.set(name, index);
    const platform = d.from.flags.find((f) => f.name === 'platform') ?? null;
    return { ...d, index, image, name, nameRange: asWord?.range ?? null, platform };
  });

  const escape = file.escape;
  const globals = new Map<string, Scope>();
  function globalScope(target: Platform, build: Platform): Scope {
    const key = `${keyOf(target)}|${keyOf(build)}`;
    const cached = globals.get(key);
    if (cached) return cached;
    const s = computeGlobalScope(target, build);
    globals.set(key, s);
    return s;
  }

  function computeGlobalScope(target: Platform, build: Platform): Scope {
    let s = automaticScope(target, build, `${keyOf(target)}|${keyOf(build)}`);
    for (const a of globalArgs) {
      const prev = s.get(a.name);
      const value = a.default === null ? prev?.value : safeExpand(a.default, s.lookup, escape);
      const automatic = a.default === null && (prev?.automatic ?? false);
      s = s.with({ name: a.name, value, kind: 'arg', instruction: a.instruction, automatic });
    }
    return s;
  }

  const DEFAULT_BUILD: Platform = { os: 'linux', architecture: 'amd64', variant: '' };
  const keys = new WeakMap<Platform, string>();
  const keyOf = (p: Platform): string => {
    let k = keys.get(p);
    if (k === undefined) {
      k = formatPlatform(p);
      keys.set(p, k);
    }
    return k;
  };

  // `FROM ${FLAVOUR}`: a stage when the ARG names the same one on two unlike platforms
  const probes: [Platform, Platform] = [DEFAULT_BUILD, { os: 'linux', architecture: 'riscv64', variant: '' }];
  const resolveFrom = (image: string): string | undefined => {
    const [a, b] = probes.map((p) => safeExpand(image, globalScope(p, p).lookup, escape));
    return a !== undefined && a !== '' && a === b ? a : undefined;
  };

  // the one reading of stage references (FROM, COPY --from, RUN --mount from=): graph.ts
  const links = linkStages(drafts, byName, resolveFrom);

  const stages: Stage[] = [];
  for (const d of drafts) {
    const p = links.parents.get(d.index);
    const parent = p !== undefined ? (stages[p] as Stage) : null;
    const pv = d.platform?.value ?? '';
    const shellPowershell = d.instructions.some(
      (i) => i.keyword === 'shell' && i.json && /powershell|pwsh|cmd(\.exe)?$/i.test(i.args[0] ?? ''),
    );
    const windows =
      WINDOWS_IMAGE.test(d.image.value) || /^windows\//i.test(pv) || shellPowershell || (parent?.windows ?? false);
    stages.push({
      index: d.index,
      name: d.name,
      nameRange: d.nameRange,
      from: d.from,
      image: d.image,
      platform: d.platform,
      instructions: d.instructions,
      parent,
      final: d.index === drafts.length - 1,
      reachable: links.reachable.has(d.index),
      windows,
      // a stage built FROM a build-platform stage without its own --platform runs there too
      onBuildPlatform: d.platform ? /\bBUILD(PLATFORM|OS|ARCH)\b/.test(pv) : (parent?.onBuildPlatform ?? false),
    });
  }

  // the parse of each RUN body, shared by the script finder and `shell`
  const bodies = new WeakMap<Instruction, ShellScript>();
  const bodyScript = (ins: Instruction): ShellScript => {
    let p = bodies.get(ins);
    if (!p) bodies.set(ins, (p = parseShell(ins.body.text, { escape: file.escape })));
    return p;
  };
  const { scripts, scriptSources } = options.scripts ? readScripts(stages, file, options.scripts, bodyScript) : NO_SCRIPTS;

  const windowsInstructions = new WeakSet<Instruction>();
  for (const st of stages) if (st.windows) for (const i of st.instructions) windowsInstructions.add(i);
  const views: Map<Platform, Map<Platform, StageView>>[] = [];
  const shells = new WeakMap<Instruction, ShellSource[]>();
  const declCache = new WeakMap<Instruction, ArgDecl[]>();

  /** views whose scopes are computed */
  const walked = new WeakSet<StageView>();

  function view(stage: Stage, target: Platform, build: Platform = DEFAULT_BUILD): StageView {
    // keyed by identity: callers pass the same Platform objects over and over
    let byTarget = views[stage.index];
    if (!byTarget) views[stage.index] = byTarget = new Map();
    let byBuild = byTarget.get(target);
    if (!byBuild) byTarget.set(target, (byBuild = new Map()));
    const cached = byBuild.get(build);
    if (cached) return cached;
    const global = globalScope(target, build);
    const image = safeExpand(stage.image.value, global.lookup, escape);
    // scopes are computed on first use: many questions need only the expanded base image
    let scopes: Scope[] | undefined;
    let end: Scope | undefined;
    const walk = (): void => {
      // a stage's scope starts where its parent's ends: walk the ancestors not walked yet from
      // the oldest down, so a chain of thousands of stages built FROM each other is a loop, not
      // a recursion as deep as the chain
      const pending: StageView[] = [];
      for (let p = parentFor(stage, target); p; p = parentFor(p, target)) {
        const pv = view(p, target, build);
        if (walked.has(pv)) break;
        pending.push(pv);
      }
      for (let i = pending.length - 1; i >= 0; i--) void (pending[i] as StageView).end;
      const parent = parentFor(stage, target);
      let scope = parent ? view(parent, target, build).end : Scope.EMPTY;
      const list: Scope[] = [];
      for (const ins of stage.instructions) {
        list.push(scope);
        if (ins.keyword === 'arg') {
          for (const a of argDecls(ins)) {
            let value: string | undefined;
            let automatic = false;
            if (a.default !== null) value = safeExpand(a.default, scope.lookup, escape);
            else {
              const g = global.get(a.name);
              value = g?.value;
              automatic = g?.automatic ?? false;
            }
            scope = scope.with({ name: a.name, value, kind: 'arg', instruction: ins, automatic });
          }
        } else if (ins.keyword === 'env') {
          const a = ins.args;
          for (let i = 0; i + 2 < a.length; i += 3) {
            const name = a[i] as string;
            const value = safeExpand(a[i + 1] ?? '', scope.lookup, escape);
            scope = scope.with({ name, value, kind: 'env', instruction: ins, automatic: false });
          }
        }
      }
      scopes = list;
      end = scope;
      walked.add(v);
    };
    const v: StageView = {
      stage,
      target,
      image,
      get scopes(): readonly Scope[] {
        if (!scopes) walk();
        return scopes as Scope[];
      },
      get end(): Scope {
        if (!end) walk();
        return end as Scope;
      },
    };
    byBuild.set(build, v);
    return v;
  }

  // stages chosen per platform (`FROM build-${TARGETARCH}`): what a FROM with variables and no
  // stage of its own names on some common platform
  const chosen = new Set<Stage>();
  for (const st of stages) {
    if (st.parent || !st.image.value.includes('$')) continue;
    for (const p of PROBE_PLATFORMS) {
      const i = byName.get(safeExpand(st.image.value, globalScope(p, p).lookup, escape).toLowerCase());
      if (i !== undefined && i < st.index) chosen.add(stages[i] as Stage);
    }
  }
  const perPlatformStages = chosen.size > 0;

  function parentFor(stage: Stage, target: Platform): Stage | null {
    if (stage.parent || !perPlatformStages || !stage.image.value.includes('$')) return stage.parent;
    const i = byName.get(view(stage, target).image.toLowerCase());
    return i !== undefined && i < stage.index ? (stages[i] as Stage) : null;
  }

  const reached = new Map<Platform, ReadonlySet<Stage>>();
  function stagesFor(target: Platform): ReadonlySet<Stage> {
    let set = reached.get(target);
    if (set) return set;
    const out = new Set<Stage>();
    const stack: Stage[] = stages.length ? [stages[stages.length - 1] as Stage] : [];
    while (stack.length) {
      const st = stack.pop() as Stage;
      if (out.has(st)) continue;
      out.add(st);
      for (const e of graph.dependencies(st)) stack.push(e.from);
      const p = st.parent ? null : parentFor(st, target);
      if (p) stack.push(p);
    }
    set = out;
    reached.set(target, set);
    return set;
  }

  const graph = links.graph(stages);

  function argDecls(ins: Instruction): ArgDecl[] {
    let d = declCache.get(ins);
    if (!d) {
      d = parseArgDecls(ins);
      declCache.set(ins, d);
    }
    return d;
  }

  function shell(ins: Instruction): ShellSource[] {
    let s = shells.get(ins);
    if (s) return s;
    s = [];
    // Windows stages (cmd, PowerShell) are not POSIX shell: reading them as sh would only mislead.
    if (ins.keyword === 'run' && !ins.json && !windowsInstructions.has(ins)) {
      s.push({ text: ins.body, script: bodyScript(ins), heredoc: false });
      for (const h of ins.heredocs) {
        // a heredoc is a script when it is the command itself (`RUN <<EOF`) or fed to a shell
        const isScript = ins.body.text.trimStart().startsWith('<<') || /\b(ba|da|a)?sh\b/.test(ins.body.text);
        if (!isScript) continue;
        s.push({ text: h.text, script: parseShell(h.content, { escape }), heredoc: true });
      }
    }
    if (ins.keyword === 'run' && !windowsInstructions.has(ins)) s.push(...(scriptSources.get(ins) ?? []));
    shells.set(ins, s);
    return s;
  }

  return {
    file,
    globalArgs,
    stages,
    finalStage: stages[stages.length - 1] ?? null,
    graph,
    perPlatformStages,
    chosenPerPlatform: chosen,
    stagesFor,
    parentFor,
    stageByName: (name) => {
      const i = byName.get(name.toLowerCase());
      return i === undefined ? undefined : stages[i];
    },
    view,
    shell,
    argDecls,
    scripts,
  };
}

/** The texts of the context scripts each RUN executes (filled by `buildModel` with a reader), for cheap text tests before shell reading. */
const scriptTexts = new WeakMap<Instruction, string[]>();
const NO_TEXTS: readonly string[] = Object.freeze([]);

/** The texts of the build-context scripts a RUN executes (empty unless its model was built with a script reader). */
export function scriptTextsOf(ins: Instruction): readonly string[] {
  return scriptTexts.get(ins) ?? NO_TEXTS;
}

const NO_SCRIPTS = { scripts: [] as ContextScript[], scriptSources: new Map<Instruction, ShellSource[]>() };

/**
 * The context scripts the RUNs execute, read through `read` (each path once), each placed past the
 * Dockerfile's end (and past the scripts before it) once per RUN that executes it: a finding's
 * offset then names the RUN too (its `via`, where a suppression comment applies), when two RUNs,
 * in different stages with different ARGs and ENV, run the same script.
 */
function readScripts(
  stages: readonly Stage[],
  file: Dockerfile,
  read: ScriptReader,
  parse: (ins: Instruction) => ShellScript,
): { scripts: ContextScript[]; scriptSources: Map<Instruction, ShellSource[]> } {
  const runs = scriptRuns(stages, file.source, parse);
  if (!runs.length) return NO_SCRIPTS;
  const byPath = new Map<string, { file: ScriptFile; parsed: ShellScript; lineStarts: readonly number[] } | null>();
  const placed = new Map<Instruction, Map<string, ContextScript>>();
  const scripts: ContextScript[] = [];
  const scriptSources = new Map<Instruction, ShellSource[]>();
  let next = file.source.length + 1;
  for (const run of runs) {
    for (const path of run.candidates) {
      let entry = byPath.get(path);
      if (entry === undefined) {
        const f = read(path);
        entry = f && isShellScript(f.text) ? { file: f, parsed: parseShell(f.text), lineStarts: computeLineStarts(f.text) } : null;
        byPath.set(path, entry);
      }
      if (!entry) continue;
      let mine = placed.get(run.instruction);
      if (!mine) placed.set(run.instruction, (mine = new Map()));
      if (!mine.has(path)) {
        const script: ContextScript = { file: entry.file, contextPath: path, base: next, lineStarts: entry.lineStarts };
        next += entry.file.text.length + 1;
        scripts.push(script);
        mine.set(path, script);
        const text: SourceText = { text: entry.file.text, segments: [{ textOffset: 0, sourceOffset: script.base, length: entry.file.text.length }] };
        const list = scriptSources.get(run.instruction) ?? [];
        list.push({ text, script: entry.parsed, heredoc: false, origin: { script, start: run.start, end: run.end } });
        scriptSources.set(run.instruction, list);
        const texts = scriptTexts.get(run.instruction) ?? [];
        if (!texts.includes(entry.file.text)) texts.push(entry.file.text);
        scriptTexts.set(run.instruction, texts);
      }
      break;
    }
  }
  return { scripts, scriptSources };
}
