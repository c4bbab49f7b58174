/** The default layer readers of verify: src/rootfs's streaming scan and merge with src/binary's inspector. */
import { inspectFile } from '../binary/index.js';
import { scanLayer } from '../rootfs/layer-scan.js';
import { mergeLayers } from '../rootfs/tree.js';
import type { LayerReaders } from './verify.js';

export function layerReaders(): LayerReaders {
  return { inspector: inspectFile, scanLayer: (tar, inspector, what, limits = {}) => scanLayer(tar, inspector, { what, ...limits }), mergeLayers };
}
