#!/usr/bin/env node
// The anyarch command. Everything lives in dist/src/cli/main.js (built by `npm run build`);
// this file only starts it and sets the exit code (never process.exit, so output is flushed).
import module from 'node:module';

// Node 22+: cache compiled code between runs (faster start); a no-op where unsupported.
try {
  module.enableCompileCache?.();
} catch {
  // not available
}

// Write errors on standard output and error (`| head` closing the pipe, a full disk) are
// handled by main (src/cli/io.ts: processIo), which listens to both streams.

let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('anyarch: not built yet; run `npm run build` in the anyarch package\n');
    process.exitCode = 3;
  } else {
    throw e;
  }
}
if (main) process.exitCode = await main(process.argv.slice(2));
