/**
 * The words of a simple command after its wrappers (`sudo`, `exec`, `time`, `nice`, `nohup`,
 * `command`, `env A=1 -i`): what rules and the install-site reading of deps take for the
 * command and its arguments.
 */
import type { ShellWord, SimpleCommand } from './shell.js';

const WRAPPERS = new Set(['exec', 'time', 'nice', 'nohup', 'sudo', 'command']);

/** The command's words after wrappers (`env A=1`, `exec`, `time`), as values. */
/** The command's words after wrappers (`env A=1`, `exec`, `time`), as values. */
export function commandWords(cmd: SimpleCommand): ShellWord[] {
  let i = 0;
  const w = cmd.words;
  for (;;) {
    const v = w[i]?.value;
    if (v === undefined) return [];
    if (WRAPPERS.has(v)) i++;
    else if (v === 'env') {
      i++;
      while (i < w.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i]?.value ?? '') || (w[i]?.value ?? '').startsWith('-'))) i++;
    } else break;
  }
  return w.slice(i);
}
