// Runs one smoke run in this process and prints its result as JSON: the smoke tests start it as
// an unprivileged user (uid 65534) to prove the paths that need no root. The test copies the
// compiled library beside it into a directory that user can read (the checkout may not be), so
// this file imports only the library. argv: an OCI layout directory, the platform, the
// confinement, then the command.
import { openRoot, type Index } from '../../src/oci/image.js';
import { parseSourceSpec } from '../../src/oci/source-spec.js';
import { smokeRun } from '../../src/smoke/run.js';
import { openSource } from '../../src/sources.js';

// `node --test dist/` runs every file under test/: without arguments this is not a run
if (process.argv.length < 3) process.exit(0);
const [layout, platform, confinement, ...argv] = process.argv.slice(2) as [string, string, 'auto' | 'chroot' | 'qemu-prefix', ...string[]];
const source = await openSource(parseSourceSpec(`oci:${layout}`));
const index = (await openRoot(source)) as Index;
const result = await smokeRun(await index.imageFor(platform), platform, { argv, entrypoint: false }, { confinement });
await source.close();
process.stdout.write(JSON.stringify(result));
