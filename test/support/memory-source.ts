/**
 * An `ImageSource` over blobs held in memory, by digest. Manifests are parsed with the media type
 * their descriptor gives, as a layout does; wrap it in `countingSource` to count reads.
 *
 * With `verify` (what a real source does, and what `builtImageSource` asks for) every read is
 * checked against the descriptor's size and digest; without it nothing is (tests of index shapes
 * point entries at placeholder digests, cycles included).
 */
import { Readable } from 'node:stream';
import { AnyarchError } from '../../src/errors.js';
import { verifyBytes } from '../../src/oci/digest.js';
import { parseManifest, type Descriptor } from '../../src/oci/manifest.js';
import type { FetchedManifest, ImageSource } from '../../src/oci/source.js';

export interface MemorySourceOptions {
  readonly name?: string;
  /** check sizes and digests as a real source does (default false) */
  readonly verify?: boolean;
}

export function memorySource(blobs: ReadonlyMap<string, Uint8Array>, root: Descriptor, opts: MemorySourceOptions | string = {}): ImageSource {
  const { name = 'memory', verify = false } = typeof opts === 'string' ? { name: opts } : opts;
  const get = (d: Descriptor): Uint8Array => {
    const bytes = blobs.get(d.digest);
    if (!bytes) throw new AnyarchError('E_NOT_FOUND', `${name}: no ${d.digest}`);
    if (verify) {
      if (bytes.length !== d.size) throw new AnyarchError('E_DIGEST', `${name}: ${d.digest} has ${bytes.length} bytes, but its descriptor declares ${d.size}`);
      verifyBytes(bytes, d.digest, `${name}: ${d.digest}`);
    }
    return bytes;
  };
  const fetched = (d: Descriptor): FetchedManifest => {
    const bytes = get(d);
    const manifest = parseManifest(bytes, `${name}: ${d.digest}`, d.mediaType);
    return { descriptor: verify ? { mediaType: manifest.mediaType, digest: d.digest, size: bytes.length } : d, bytes, manifest };
  };
  return {
    kind: 'oci-layout',
    name,
    root: async () => fetched(root),
    manifest: async (d) => fetched(d),
    blob: async (d, limit) => {
      if (verify && d.size > limit) throw new AnyarchError('E_LIMIT', `${name}: ${d.digest} is larger than ${limit} bytes`);
      return get(d);
    },
    blobStream: async (d) => Readable.from([get(d)]),
    close: async () => undefined,
  };
}
