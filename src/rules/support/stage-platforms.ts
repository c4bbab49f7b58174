/** The platforms a stage is built for (AA110, AA112, and the base-image requirements). */
import type { Stage } from '../../dockerfile/model.js';
import { tryParsePlatform, type Platform } from '../../platform/index.js';

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
