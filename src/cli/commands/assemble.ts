/** `anyarch assemble` (being built: issue 10). */
import { AnyarchError } from '../../errors.js';
import type { Io, Outcome } from '../io.js';

export interface AssembleCommandOptions {}

export async function assemble(_opts: AssembleCommandOptions, _io: Io): Promise<Outcome> {
  throw new AnyarchError('E_USAGE', 'anyarch assemble is not built yet');
}
