/**
 * For which target platforms is this stage built? Every rule that reports a constant architecture
 * word (AA101, AA107, AA108, AA110, AA112, AA113) asks here, so a stage built only for its own
 * platform (`FROM build-${TARGETARCH}` choosing `build-amd64` or `build-arm64`) keeps its word.
 */
import type { Model, Stage } from '../../dockerfile/model.js';
import { tryParsePlatform, type Platform } from '../../platform/index.js';

/**
 * The platforms a stage is built for: `'builder'` when it runs on the build machine, the constant
 * of a `--platform=linux/amd64` (its own or inherited through FROM), else the target platforms.
 *
 * With the model: a stage that a `FROM ${ARG}` chooses per platform (`FROM build-${TARGETARCH}`)
 * and that the final image needs only through such choices is built only for the targets that
 * choose it; none (an empty list) when no target does (`build-riscv64` in an amd64/arm64 build).
 */
export function stagePlatforms(stage: Stage, targets: readonly Platform[], model?: Model): readonly Platform[] | 'builder' {
  const own = ownPlatforms(stage, targets);
  if (!model) return own;
  const wanted = targetsBuilding(stage, targets, model);
  if (wanted === targets) return own;
  if (own === 'builder') return wanted.length ? own : [];
  if (own !== targets) return wanted.length ? own : [];
  return wanted;
}

/**
 * The targets whose build runs this stage (whatever machine it runs on): all of them, except for a
 * stage that the final image needs only through per-platform FROMs (`FROM build-${TARGETARCH}`),
 * which only the targets choosing it build; `targets` itself (the same array) when all do.
 */
export function targetsBuilding(stage: Stage, targets: readonly Platform[], model: Model): readonly Platform[] {
  if (!model.perPlatformStages || (stage.reachable && !model.chosenPerPlatform.has(stage))) return targets;
  const reached = targets.filter((t) => model.stagesFor(t).has(stage));
  if (reached.length === targets.length) return targets;
  // not needed by any target and no FROM chooses it: an orphan built with --target, as before
  if (reached.length === 0 && !choosable(model, stage)) return targets;
  return reached;
}

/** The stage, or a stage built FROM it, is chosen by some platform's FROM. */
function choosable(model: Model, stage: Stage): boolean {
  for (const c of model.chosenPerPlatform) {
    for (let s: Stage | null = c; s; s = s.parent) if (s === stage) return true;
  }
  return false;
}

function ownPlatforms(stage: Stage, targets: readonly Platform[]): readonly Platform[] | 'builder' {
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
