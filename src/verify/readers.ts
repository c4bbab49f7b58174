/**
 * The default layer readers of verify: src/rootfs's streaming scan and merge with src/binary's
 * inspector. (Wired when those rooms land; until then a caller passes `readers`.)
 */
import { AnyarchError } from '../errors.js';
import type { LayerReaders } from './verify.js';

export function layerReaders(): LayerReaders {
  throw new AnyarchError('E_INTERNAL', 'verify: the layer readers (src/rootfs, src/binary) are not wired yet');
}
