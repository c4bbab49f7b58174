/**
 * Which stages end up in the image, which stages read files from a stage, and the edit that
 * removes a FROM flag. Shared by the FROM --platform rules (AA108, AA109) and the libc rule (AA111).
 */
import type { Flag } from '../../dockerfile/ast.js';
import type { Model, Stage } from '../../dockerfile/model.js';
import { tryParsePlatform, type Platform } from '../../platform/index.js';
import type { Edit } from '../types.js';

/**
 * The stages whose filesystem becomes the image `docker build` produces (without --target): the
 * final stage and every stage it is built FROM, directly or through other stages.
 */
export function imageStages(model: Model): Set<Stage> {
  const out = new Set<Stage>();
  for (let s: Stage | null = model.finalStage; s && !out.has(s); s = s.parent) out.add(s);
  return out;
}

/** The earlier stage a `--from=` / `from=` reference names (by name or index), if any. */
export function stageRef(model: Model, ref: string, before: number): Stage | undefined {
  const byName = model.stageByName(ref);
  if (byName && byName.index < before) return byName;
  if (/^\d+$/.test(ref) && Number(ref) < before) return model.stages[Number(ref)];
  return undefined;
}

/** Stages that copy files out of `stage` (COPY --from, RUN --mount from=) or are built FROM it. */
export function consumersOf(model: Model, stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (const s of model.stages) {
    if (s.index <= stage.index) continue;
    if (s.parent === stage) {
      out.push(s);
      continue;
    }
    const uses = s.instructions.some((ins) =>
      ins.flags.some((f) => {
        let ref: string | undefined;
        if (f.name === 'from' && f.value) ref = f.value;
        else if (f.name === 'mount' && f.value) ref = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1];
        return ref !== undefined && stageRef(model, ref, s.index) === stage;
      }),
    );
    if (uses) out.push(s);
  }
  return out;
}

/** The edit that deletes a flag of an instruction together with the blanks after it. */
export function dropFlagEdit(model: Model, flag: Flag): Edit {
  const src = model.file.source;
  let end = flag.range.end.offset;
  while (end < src.length && (src[end] === ' ' || src[end] === '\t')) end++;
  return { start: flag.range.start.offset, end, text: '' };
}

/**
 * The platforms a stage is built for: `'builder'` when it runs on the build machine, the constant
 * of a `--platform=linux/amd64` (its own or inherited through FROM), else the target platforms.
 */
export function stagePlatforms(stage: Stage, targets: readonly Platform[]): readonly Platform[] | 'builder' {
  for (let s: Stage | null = stage; s; s = s.parent) {
    const flag = s.platform;
    if (!flag) continue;
    if (s.onBuildPlatform) return 'builder';
    const value = flag.value?.trim() ?? '';
    if (value === '' || value.includes('$')) return targets;
    const p = tryParsePlatform(value);
    return p ? [p] : targets;
  }
  return targets;
}
