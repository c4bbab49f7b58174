/**
 * An `ImageSource` over blobs held in memory, by digest. It checks no digest (tests of shapes
 * point entries at placeholder digests, cycles included) and parses manifests with the media
 * type their descriptor gives, as a layout does; wrap it in `countingSource` to count reads.
 */
import { AnyarchError } from '../../src/errors.js';
import { parseManifest, type Descriptor } from '../../src/oci/manifest.js';
import type { ImageSource } from '../../src/oci/source.js';

export function memorySource(blobs: ReadonlyMap<string, Uint8Array>, root: Descriptor, name = 'memory'): ImageSource {
  const get = (d: string): Uint8Array => {
    const b = blobs.get(d);
    if (!b) throw new AnyarchError('E_NOT_FOUND', `no ${d}`);
    return b;
  };
  return {
    kind: 'oci-layout',
    name,
    root: async () => {
      const bytes = get(root.digest);
      return { descriptor: root, bytes, manifest: parseManifest(bytes, 'root', root.mediaType) };
    },
    manifest: async (d) => {
      const bytes = get(d.digest);
      return { descriptor: d, bytes, manifest: parseManifest(bytes, d.digest, d.mediaType) };
    },
    blob: async (d) => get(d.digest),
    blobStream: async () => {
      throw new AnyarchError('E_SOURCE', `${name}: holds no layers`);
    },
    close: async () => undefined,
  };
}
