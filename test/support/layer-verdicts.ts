/**
 * Verdicts on layers as verify reads them: tars written with test/support/rootfs-tar.ts, each
 * scanned by src/rootfs's scanLayer with src/binary's inspector, merged, then judged (what the
 * reviewer's scripts did by hand). The bytes are real ELF/PE/script bytes, so a test proves the
 * reader, the tree and the verdict together.
 */
import { Readable } from 'node:stream';
import { inspectFile } from '../../src/binary/index.js';
import type { FileFacts } from '../../src/binary/types.js';
import { scanLayer } from '../../src/rootfs/layer-scan.js';
import { mergeLayers } from '../../src/rootfs/tree.js';
import type { FileTree } from '../../src/rootfs/types.js';
import type { Verdict } from '../../src/verify/types.js';
import type { VerdictRule } from '../../src/verify/verdicts/types.js';
import { makeTar, type RawEntry } from './rootfs-tar.js';
import { judge, type JudgeOptions } from './verdicts.js';

/** The final tree of `layers` (bottom first). */
export async function layerTree(layers: readonly (readonly RawEntry[])[]): Promise<FileTree<FileFacts>> {
  const scans = [];
  for (const l of layers) scans.push(await scanLayer(Readable.from([makeTar(l)]), inspectFile));
  return mergeLayers(scans);
}

/** Runs `rule` (every verdict when undefined or `all`) on the tree of `layers` as the variant `platform`. */
export async function judgeLayers(rule: VerdictRule | undefined, layers: readonly (readonly RawEntry[])[], platform: string, opts: JudgeOptions = {}): Promise<Verdict[]> {
  return judge(rule, await layerTree(layers), platform, opts);
}
