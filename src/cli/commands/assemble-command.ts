/**
 * `anyarch assemble`: its flags (commander), kept beside the command so that main.ts stays a table.
 * The action lazily imports `./assemble.js`, which is glue only: flags to the library, its result to
 * a reporter, an outcome to main.ts.
 */
import type { Command } from 'commander';
import type { Io, Outcome } from '../io.js';

export function registerAssemble(program: Command, io: Io, done: (o: Outcome) => void): void {
  program
    .command('assemble')
    .summary('(being built: issue 10)')
    .action(async () => {
      const { assemble } = await import('./assemble.js');
      done(await assemble({}, io));
    });
}
