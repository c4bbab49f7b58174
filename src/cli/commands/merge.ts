/** `anyarch merge` (being built: issue 10). */
import { AnyarchError } from '../../errors.js';
import type { Io, Outcome } from '../io.js';

export interface MergeCommandOptions {}

export async function merge(_opts: MergeCommandOptions, _io: Io): Promise<Outcome> {
  throw new AnyarchError('E_USAGE', 'anyarch merge is not built yet');
}
