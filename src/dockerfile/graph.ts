/**
 * The stage graph of a Dockerfile: which stages a stage reads files from, as BuildKit's dispatcher
 * resolves them. A stage depends on
 *
 * - its parent, when it is built FROM an earlier stage (by name, case-insensitive, or by index),
 *   also through a global ARG whose value names that stage on every platform (`ARG
 *   FLAVOUR=build-alpine` then `FROM ${FLAVOUR}`); a FROM whose stage depends on the platform
 *   (`FROM build-${TARGETARCH}`) is the model's to resolve per target (`Model.stagesFor`);
 * - the stage of `COPY --from=<stage>` (and `ADD --from=`, which BuildKit refuses as an unknown
 *   flag but which can only mean the same);
 * - the stage of `RUN --mount=...,from=<stage>` for every mount type, the mount value read as
 *   BuildKit reads it (CSV, see mount.ts); a tmpfs mount's edge reads no paths (the stage is
 *   built, none of its files are read).
 *
 * Edges point from the stage read to the stage that reads it. The graph answers both directions
 * (dependencies and consumers) and which stages become the image (the final stage's FROM chain).
 * The same reading gives each stage its parent and whether the final stage needs it at all
 * (`Stage.parent`, `Stage.reachable`: the model's stages hold them, the graph does not repeat
 * them). Every rule asks this one graph.
 */
import type { Flag, Instruction, Range } from './ast.js';
import type { Stage } from './model.js';
import { mountPaths, mountSource, parseMount, type Mount } from './mount.js';

/** How a stage reads another: built FROM it, COPY/ADD --from, or a RUN mount. */
export type StageEdgeKind = 'from' | 'copy' | 'mount';

/** One reference from a stage to an earlier stage. */
export interface StageEdge {
  /** the stage whose files are read */
  readonly from: Stage;
  /** the stage that reads them */
  readonly to: Stage;
  readonly kind: StageEdgeKind;
  /** FROM (kind 'from'), COPY or ADD ('copy'), RUN ('mount') */
  readonly instruction: Instruction;
  /** the `--from=` or `--mount=` flag; null for `FROM <stage>` */
  readonly flag: Flag | null;
  /** where the reference is written: the flag, or the image word of FROM */
  readonly range: Range;
  /** the paths read, as written (relative to the root of `from`): `/` for everything, none for a tmpfs mount */
  readonly paths: readonly string[];
  /** the mount, for kind 'mount' */
  readonly mount: Mount | null;
}

export interface StageGraph {
  /** every edge, in the order of the reading stages and their instructions */
  readonly edges: readonly StageEdge[];
  /** what `stage` reads: its parent first, then `--from` and mounts in instruction order */
  dependencies(stage: Stage): readonly StageEdge[];
  /** who reads `stage`: edges in the order of the reading stages and their instructions */
  consumers(stage: Stage): readonly StageEdge[];
  /**
   * The stages whose filesystem becomes the image `docker build` produces (without --target): the
   * final stage and every stage it is built FROM, directly or through other stages.
   */
  readonly imageStages: ReadonlySet<Stage>;
}

/** The part of a stage references are read from (before the model's `Stage` objects exist). */
interface StageNode {
  readonly index: number;
  readonly from: Instruction;
  readonly image: { readonly value: string; readonly range: Range };
  readonly instructions: readonly Instruction[];
}

/** A reference found in the text: an edge by stage indexes (before the stage objects exist). */
type StageReference = Omit<StageEdge, 'from' | 'to'> & {
  /** index of the stage read */
  readonly from: number;
  /** index of the stage that reads it */
  readonly to: number;
};

/**
 * The references between stages, read once: what the model needs to make its `Stage` objects
 * (each stage's parent, and whether the final stage needs it), then the graph over those objects.
 */
interface StageLinks {
  /** the index of the stage each stage (by index) is built FROM */
  readonly parents: ReadonlyMap<number, number>;
  /** the indexes of every stage the final stage needs, through any reference (the final stage included) */
  readonly reachable: ReadonlySet<number>;
  /** the graph over the stage objects made from the same nodes, in the same order */
  graph(stages: readonly Stage[]): StageGraph;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The earlier stage (index) a FROM image word or a `--from=` / `from=` value names: a stage name
 * (case-insensitive) or a stage index, of a stage before `before`.
 */
function stageIndex(byName: ReadonlyMap<string, number>, ref: string, before: number): number | undefined {
  const byN = byName.get(ref.toLowerCase());
  if (byN !== undefined && byN < before) return byN;
  if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
  return undefined;
}

/**
 * The stage a `FROM ${ARG}` names whatever the platform (the ARG's default names a stage, on every
 * target): given by the model, which evaluates global ARGs. BuildKit expands ARGs in FROM only
 * (global ones); `COPY --from=` and mount `from=` are never expanded.
 */
export type FromResolver = (image: string) => string | undefined;

/** Every reference of the stages to earlier stages, in stage and instruction order. */
function stageReferences(stages: readonly StageNode[], byName: ReadonlyMap<string, number>, resolve?: FromResolver): StageReference[] {
  const out: StageReference[] = [];
  for (const s of stages) {
    let parent = stageIndex(byName, s.image.value, s.index);
    if (parent === undefined && resolve && s.image.value.includes('$')) {
      const named = resolve(s.image.value);
      if (named !== undefined) parent = stageIndex(byName, named, s.index);
    }
    if (parent !== undefined) {
      out.push({ from: parent, to: s.index, kind: 'from', instruction: s.from, flag: null, range: s.image.range, paths: ['/'], mount: null });
    }
    for (const ins of s.instructions) {
      for (const flag of ins.flags) {
        if (!flag.value) continue;
        if (flag.name === 'from' && (ins.keyword === 'copy' || ins.keyword === 'add')) {
          const i = stageIndex(byName, flag.value, s.index);
          if (i !== undefined) {
            out.push({ from: i, to: s.index, kind: 'copy', instruction: ins, flag, range: flag.range, paths: ins.args.slice(0, -1), mount: null });
          }
        } else if (flag.name === 'mount' && ins.keyword === 'run') {
          const mount = parseMount(flag.value);
          const ref = mount ? mountSource(mount) : null;
          const i = ref === null ? undefined : stageIndex(byName, ref, s.index);
          if (mount && i !== undefined) {
            out.push({ from: i, to: s.index, kind: 'mount', instruction: ins, flag, range: flag.range, paths: mountPaths(mount), mount });
          }
        }
      }
    }
  }
  return out;
}

/** The indexes of the stages the last stage needs, through any reference. */
function reachableIndexes(count: number, refs: readonly StageReference[]): Set<number> {
  const deps = new Map<number, number[]>();
  for (const r of refs) {
    const list = deps.get(r.to);
    if (list) list.push(r.from);
    else deps.set(r.to, [r.from]);
  }
  const out = new Set<number>();
  const stack = count ? [count - 1] : [];
  while (stack.length) {
    const i = stack.pop() as number;
    if (out.has(i)) continue;
    out.add(i);
    for (const d of deps.get(i) ?? EMPTY) stack.push(d);
  }
  return out;
}

/**
 * The graph over the stage objects, from the references found by {@link stageReferences}. Its
 * edges and indexes are made when first asked for: many files never ask. (A class, not an object
 * literal with getters: V8 keeps such literals in a slow shape, and a model per file pays for it.)
 */
class LazyStageGraph implements StageGraph {
  private made: { edges: StageEdge[]; byTo: Map<Stage, StageEdge[]>; byFrom: Map<Stage, StageEdge[]> } | undefined;
  private image: Set<Stage> | undefined;

  constructor(
    private readonly stages: readonly Stage[],
    private readonly refs: readonly StageReference[],
  ) {}

  private make(): NonNullable<LazyStageGraph['made']> {
    if (this.made) return this.made;
    const edges: StageEdge[] = this.refs.map((r) => ({ ...r, from: this.stages[r.from] as Stage, to: this.stages[r.to] as Stage }));
    const byTo = new Map<Stage, StageEdge[]>();
    const byFrom = new Map<Stage, StageEdge[]>();
    for (const e of edges) {
      const t = byTo.get(e.to);
      if (t) t.push(e);
      else byTo.set(e.to, [e]);
      const f = byFrom.get(e.from);
      if (f) f.push(e);
      else byFrom.set(e.from, [e]);
    }
    this.made = { edges, byTo, byFrom };
    return this.made;
  }

  get edges(): readonly StageEdge[] {
    return this.make().edges;
  }

  dependencies(stage: Stage): readonly StageEdge[] {
    return this.make().byTo.get(stage) ?? EMPTY;
  }

  consumers(stage: Stage): readonly StageEdge[] {
    return this.make().byFrom.get(stage) ?? EMPTY;
  }

  get imageStages(): ReadonlySet<Stage> {
    if (!this.image) {
      this.image = new Set<Stage>();
      for (let s: Stage | null = this.stages[this.stages.length - 1] ?? null; s && !this.image.has(s); s = s.parent) this.image.add(s);
    }
    return this.image;
  }
}

/**
 * Reads the references between `nodes` (the stages in order; `byName`: lower-cased stage names to
 * the index of the first stage of that name; `resolve`: what a `FROM ${ARG}` names on every
 * platform) once, for the model: parents and reachability first,
 * the graph once the stage objects exist.
 */
export function linkStages(nodes: readonly StageNode[], byName: ReadonlyMap<string, number>, resolve?: FromResolver): StageLinks {
  const refs = stageReferences(nodes, byName, resolve);
  const parents = new Map<number, number>();
  for (const r of refs) if (r.kind === 'from') parents.set(r.to, r.from);
  return { parents, reachable: reachableIndexes(nodes.length, refs), graph: (stages) => new LazyStageGraph(stages, refs) };
}
