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

/**
 * Edges to stages whose files end up in a target-platform image and that read files of `stage`:
 * stages on the target platform, the final stage (its files are the image, whatever its platform),
 * and, through a build-platform stage built FROM this one (it holds all of its files), what reads that.
 */
export function targetConsumers(model: Model, stage: Stage): StageEdge[] {
  // depth first, in edge order, with a stack of its own: a chain of thousands of stages built
  // FROM each other must not exhaust the call stack
  const seen = new Set<number>([stage.index]);
  const out: StageEdge[] = [];
  const stack: Iterator<StageEdge>[] = [model.graph.consumers(stage)[Symbol.iterator]()];
  while (stack.length) {
    const next = (stack[stack.length - 1] as Iterator<StageEdge>).next();
    if (next.done) {
      stack.pop();
      continue;
    }
    const e = next.value;
    if (!e.to.onBuildPlatform || e.to.final) out.push(e);
    else if (e.kind === 'from' && !seen.has(e.to.index)) {
      seen.add(e.to.index);
      stack.push(model.graph.consumers(e.to)[Symbol.iterator]());
    }
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
