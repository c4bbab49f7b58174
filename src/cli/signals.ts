/**
 * What the anyarch command does when it is interrupted: the library may hold temporary
 * directories (an image exported from the Docker engine can be gigabytes), and a signal's default
 * action ends the process without running 'exit' handlers or `finally` blocks. So, once per
 * process, on SIGINT, SIGTERM and SIGHUP the handlers remove them and raise the signal again,
 * ending the process as it would have ended; at exit, whatever is left is removed too.
 *
 * Only the command installs these (library code never touches process handlers), and this module
 * is not part of the package's API: an application embedding anyarch imports
 * `removeTemporaryDirs()` from the package and calls it from its own signal and exit handlers.
 */
import { removeTemporaryDirs } from '../fs/temporary.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/** Installs the handlers (once per process; later calls do nothing). */
export function installSignalHandlers(cleanup: () => void = removeTemporaryDirs): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanup);
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup();
    for (const s of SIGNALS) process.off(s, onSignal);
    // nobody else listens: end the way the default action would
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}
