/**
 * A child for the symlink-resolution bound test (src/rootfs/tree.test.ts), run under
 * /usr/bin/time: an arm64 layer whose loader is reached through 40 symlinks, each target 1000
 * directories deep (`x0 -> /d/d/…/d/x1 -> … -> /d/…/d/x40`, the loader), and N dynamic ELF
 * files: half name `/x0` as their interpreter, half a path of their own (`/././…/x0`) so that no
 * answer is simply remembered. Scans, merges and judges the variant as verify does; prints JSON
 * with the verdicts' ids and the milliseconds the judging took. Test code only.
 *
 *   node dist/test/support/symlink-chain-child.js N
 */
import { Readable } from 'node:stream';
import { inspectFile } from '../../src/binary/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { scanLayer } from '../../src/rootfs/layer-scan.js';
import { mergeLayers } from '../../src/rootfs/tree.js';
import { judgeVariant } from '../../src/verify/judge.js';
import { buildElf } from './elf-bytes.js';
import { makeTar, type RawEntry } from './rootfs-tar.js';

const n = Number(process.argv[2] ?? '400');
const deep = Array(1000).fill('d').join('/');
const entries: RawEntry[] = [];
for (let i = 0; i < 40; i++) entries.push({ name: i === 0 ? 'x0' : `${deep}/x${i}`, type: '2', linkname: `/${deep}/x${i + 1}` });
entries.push({ name: `${deep}/x40`, body: buildElf({ machine: 183, class: 64, type: 3 }), mode: 0o755 });
for (let i = 0; i < n; i++) {
  const interpreter = i % 2 === 0 ? '/x0' : `/${'./'.repeat(i)}x0`;
  entries.push({ name: `bin/f${i}`, body: buildElf({ machine: 183, class: 64, interpreter }), mode: 0o755 });
}
const scan = await scanLayer(Readable.from([makeTar(entries)]), inspectFile);
const tree = mergeLayers([scan]);
const t = performance.now();
const verdicts = judgeVariant({ platform: parsePlatform('linux/arm64'), name: 'linux/arm64', tree });
process.stdout.write(`${JSON.stringify({ files: n, ms: Math.round(performance.now() - t), ids: [...new Set(verdicts.map((v) => v.id))] })}\n`);
