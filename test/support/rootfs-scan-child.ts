/**
 * A child for the rootfs bounds test (src/rootfs/layer-scan.test.ts), run under /usr/bin/time:
 * scans a generated tar of N empty files (made on the fly, never held whole), merges it into a
 * tree, and prints JSON with the entry count and the heap kept per entry by the scan and the tree. Test code only.
 *
 *   node --expose-gc dist/test/support/rootfs-scan-child.js N
 */
import { Readable } from 'node:stream';
import { scanLayer } from '../../src/rootfs/layer-scan.js';
import { mergeLayers } from '../../src/rootfs/tree.js';
import { tarHeader } from './rootfs-tar.js';

const n = Number(process.argv[2] ?? '1000000');
const gc = (globalThis as { gc?: () => void }).gc;

/** N headers of empty files named like a distribution's tree, 128 per chunk, then the end blocks. */
function tarOf(count: number): Readable {
  const template = tarHeader({ name: '', size: 0 });
  let i = 0;
  return new Readable({
    read() {
      if (i >= count) {
        this.push(Buffer.alloc(1024));
        this.push(null);
        return;
      }
      const k = Math.min(128, count - i);
      const chunk = Buffer.alloc(512 * k);
      for (let j = 0; j < k; j++, i++) {
        const h = chunk.subarray(512 * j, 512 * (j + 1));
        h.set(template);
        h.write(`usr/share/pkg${i % 1000}/dir${i % 7}/file-${i}.txt`, 0, 'latin1');
        h.fill(0x20, 148, 156);
        let sum = 0;
        for (let b = 0; b < 512; b++) sum += h[b] as number;
        h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      }
      this.push(chunk);
    },
  });
}

gc?.();
const before = process.memoryUsage().heapUsed;
const scan = await scanLayer(tarOf(n), () => undefined);
gc?.();
const after = process.memoryUsage().heapUsed;
const tree = mergeLayers([scan]);
gc?.();
const withTree = process.memoryUsage().heapUsed;
let files = 0;
for (const [, f] of tree.files()) if (f.entry.kind === 'file') files++;
process.stdout.write(
  `${JSON.stringify({ entries: scan.entryCount, files, heapBytesPerEntry: Math.round((after - before) / n), treeBytesPerEntry: Math.round((withTree - after) / n), rssMb: Math.round(process.memoryUsage().rss / 1048576) })}\n`,
);
