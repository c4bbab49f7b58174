/** The default smoke runner of verify: src/smoke's `smokeRun`. (Wired when src/smoke lands.) */
import { AnyarchError } from '../errors.js';
import type { SmokeRunner } from './verify.js';

export const smokeRunner: SmokeRunner = async () => {
  throw new AnyarchError('E_INTERNAL', 'verify: the smoke runner (src/smoke) is not wired yet');
};
