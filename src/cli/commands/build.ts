/** `anyarch build` (being built: issue 10). */
import { AnyarchError } from '../../errors.js';
import type { Io, Outcome } from '../io.js';

export interface BuildCommandOptions {}

export async function build(_opts: BuildCommandOptions, _io: Io): Promise<Outcome> {
  throw new AnyarchError('E_USAGE', 'anyarch build is not built yet');
}
