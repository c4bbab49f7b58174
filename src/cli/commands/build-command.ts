/**
 * `anyarch build`: its flags (commander), kept beside the command so that main.ts stays a table.
 * The action lazily imports `./build.js`, which is glue only: flags to the library, its result to
 * a reporter, an outcome to main.ts.
 */
import type { Command } from 'commander';
import type { Io, Outcome } from '../io.js';

export function registerBuild(program: Command, io: Io, done: (o: Outcome) => void): void {
  program
    .command('build')
    .summary('(being built: issue 10)')
    .action(async () => {
      const { build } = await import('./build.js');
      done(await build({}, io));
    });
}
