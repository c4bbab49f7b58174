// Runs one smoke run in this process and prints its result as JSON: the smoke tests start it as
// an unprivileged user (uid 65534) to prove the paths that need no root. argv: the busybox file
// to put in the image, the platform, the confinement, then the command.
import { readFileSync } from 'node:fs';
import { openRoot, type Index } from '../../src/oci/image.js';
import { smokeRun } from '../../src/smoke/run.js';
import { buildTestImage, builtImageSource } from './images.js';

// `node --test dist/` runs every file under test/: without arguments this is not a run
if (process.argv.length < 3) process.exit(0);
const [busybox, platform, confinement, ...argv] = process.argv.slice(2) as [string, string, 'auto' | 'chroot' | 'qemu-prefix', ...string[]];
const [os, architecture] = platform.split('/') as [string, string];
const built = buildTestImage([{ platform: { os, architecture }, layers: [{ files: { 'bin/busybox': new Uint8Array(readFileSync(busybox)) } }], containerConfig: { User: '1000' } }]);
const index = (await openRoot(builtImageSource(built))) as Index;
const result = await smokeRun(await index.imageFor(platform), platform, { argv, entrypoint: false }, { confinement });
process.stdout.write(JSON.stringify(result));
