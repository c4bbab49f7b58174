/**
 * An engine build that failed for some platforms: one `E_BUILD` error naming each failed
 * platform with its failing step and the engine's last lines, and the platforms that did build
 * (so a report lists every platform, not only the first failure).
 */
import { AnyarchError } from '../../errors.js';
import { formatPlatform, type Platform } from '../../platform/index.js';
import type { EngineName } from '../types.js';

export interface PlatformFailure {
  readonly platform: Platform;
  /** the Dockerfile step that failed, as the engine names it (`[2/3] RUN make`), when its output says */
  readonly step?: string;
  /** how the engine ended (`exit status 1`) */
  readonly reason: string;
  /** the engine's last lines for this platform */
  readonly lines: readonly string[];
}

export class EngineBuildError extends AnyarchError {
  constructor(
    readonly engine: EngineName,
    /** the platforms that failed, in the order asked */
    readonly failed: readonly PlatformFailure[],
    /** the platforms that built (their images were not used: nothing is pushed or tagged) */
    readonly built: readonly Platform[],
  ) {
    const each = failed.map((f) => `${formatPlatform(f.platform)}${f.step !== undefined ? ` at ${f.step}` : ''} (${f.reason})`);
    const others = built.length ? `; ${built.map((p) => formatPlatform(p)).join(', ')} built` : '';
    super('E_BUILD', `${engine} build failed for ${each.join(', ')}${others}`, "the engine's last lines are above; fix the step and run again (nothing was pushed or tagged)");
  }
}
