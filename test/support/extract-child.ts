// A process that is extracting an image when the test interrupts it: the anyarch command's
// signal handlers (src/cli/signals.ts) installed, one layer whose first file is written and whose
// stream then stalls. It prints `extracting <parent>` once the file is there.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { installSignalHandlers } from '../../src/cli/signals.js';
import { extractLayers } from '../../src/rootfs/extract.js';
import { entryBlocks, concat } from './rootfs-tar.js';

// `node --test dist/` runs every file under test/: without arguments this is not a run
if (process.argv.length < 3) process.exit(0);
const parent = process.argv[2] as string;
installSignalHandlers();
const stream = new PassThrough();
stream.write(concat(entryBlocks({ name: 'first', body: 'written' })));
stream.write(concat(entryBlocks({ name: 'second', size: 1 << 20 })).subarray(0, 512)); // a header, then nothing
void extractLayers([async () => stream], { parent });
const poll = setInterval(() => {
  const [dir] = readdirSync(parent);
  if (dir !== undefined && existsSync(path.join(parent, dir, 'rootfs', 'first'))) {
    clearInterval(poll);
    process.stdout.write(`extracting ${parent}\n`);
  }
}, 10);
setInterval(() => undefined, 60_000); // stay alive until the signal
