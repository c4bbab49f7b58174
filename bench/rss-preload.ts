/**
 * Loaded with `node --import` into a measured child process: at exit, writes the process's peak
 * resident set size (KiB, from process.resourceUsage().maxRSS) to the file named by
 * ANYARCH_BENCH_RSS_FILE. It changes nothing else, so it can wrap a process we do not own
 * (anyarch's CLI) the same way as our own children.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.ANYARCH_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    try {
      writeFileSync(target, String(process.resourceUsage().maxRSS));
    } catch {
      // a benchmark must not change the measured process's outcome
    }
  });
}
