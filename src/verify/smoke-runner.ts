/** The default smoke runner of verify: src/smoke's `smokeRun` (extracted and run with qemu named explicitly). */
import { smokeRun } from '../smoke/run.js';
import type { SmokeRunner } from './verify.js';

export const smokeRunner: SmokeRunner = (image, platform, command, options) => smokeRun(image, platform, command, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
