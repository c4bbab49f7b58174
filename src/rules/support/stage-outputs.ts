/**
 * What a `--platform=$BUILDPLATFORM` stage makes and whether the target-platform image reads it:
 * the paths a RUN writes (absolute paths, `-o` outputs, mv/cp destinations, against WORKDIR), and
 * the stages on the stage graph that read files of a build-platform stage from the target
 * platform (AA105, AA106).
 */
import type { Instruction } from '../../dockerfile/ast.js';
import type { StageEdge } from '../../dockerfile/graph.js';
import type { Model, Stage } from '../../dockerfile/model.js';
import { commandWords } from './shell-words.js';

/** Each model's target consumers per stage index, worked out once (rules ask for them per command). */
const consumersOf = new WeakMap<Model, StageEdge[][]>();

const NONE: StageEdge[] = [];

/**
 * Edges to stages whose files end up in a target-platform image and that read files of `stage`:
 * stages on the target platform, the final stage (its files are the image, whatever its platform),
 * and, through a build-platform stage built FROM this one (it holds all of its files), what reads that.
 */
export function targetConsumers(model: Model, stage: Stage): readonly StageEdge[] {
  let all = consumersOf.get(model);
  if (!all) consumersOf.set(model, (all = allTargetConsumers(model)));
  return all[stage.index] ?? NONE;
}

/**
 * Every stage's target consumers in one pass, from the last stage back (a stage only reads
 * earlier ones, so the stages built FROM this one are done before it), without recursion. A
 * stage whose target consumers all come through one stage built FROM it shares that stage's list,
 * so a chain of thousands of build-platform stages costs one pass, not one walk per stage. The
 * order is a depth-first walk's, in edge order, each edge once.
 */
function allTargetConsumers(model: Model): StageEdge[][] {
  const out: StageEdge[][] = [];
  for (let i = model.stages.length - 1; i >= 0; i--) {
    const stage = model.stages[i] as Stage;
    const parts: StageEdge[][] = [];
    for (const e of model.graph.consumers(stage)) {
      if (!e.to.onBuildPlatform || e.to.final) parts.push([e]);
      else if (e.kind === 'from' && e.to.index !== stage.index) parts.push(out[e.to.index] ?? NONE);
    }
    const nonEmpty = parts.filter((p) => p.length > 0);
    if (nonEmpty.length <= 1) {
      out[i] = nonEmpty[0] ?? NONE;
      continue;
    }
    const seen = new Set<StageEdge>();
    const list: StageEdge[] = [];
    for (const p of nonEmpty) for (const e of p) if (!seen.has(e)) (seen.add(e), list.push(e));
    out[i] = list;
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
function runPaths(model: Model, ins: Instruction): string[] {
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

/** The working directory before instruction `index` of the stage (WORKDIR, inherited from parents). */
export function workdirAt(stage: Stage, index: number): string {
  let dir = stage.parent ? workdirAtEnd(stage.parent) : '/';
  for (let i = 0; i < index && i < stage.instructions.length; i++) dir = applyWorkdir(dir, stage.instructions[i] as Instruction);
  return dir;
}

function applyWorkdir(dir: string, ins: Instruction): string {
  if (ins.keyword !== 'workdir') return dir;
  const d = ins.body.text.trim();
  return d.startsWith('/') ? d : `${dir.replace(/\/$/, '')}/${d}`;
}

/** The working directory at the end of each stage, worked out once. */
const workdirs = new WeakMap<Stage, string>();

/** Without recursion: the parents not yet known are walked up, then filled in from the oldest down. */
function workdirAtEnd(stage: Stage): string {
  const pending: Stage[] = [];
  let s: Stage | null = stage;
  for (; s && !workdirs.has(s); s = s.parent) pending.push(s);
  let dir = s ? (workdirs.get(s) as string) : '/';
  for (let i = pending.length - 1; i >= 0; i--) {
    const p = pending[i] as Stage;
    for (const ins of p.instructions) dir = applyWorkdir(dir, ins);
    workdirs.set(p, dir);
  }
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
