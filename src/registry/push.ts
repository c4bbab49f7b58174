/**
 * Pushing a whole image or index — from any source, or an image or index already opened — on the
 * image layer (`src/oci/image.ts`): every blob first, then image manifests, then indexes, each
 * after the indexes it lists, the root last (under its tag), because a registry may refuse a
 * manifest whose children it does not have (distribution answers `MANIFEST_BLOB_UNKNOWN`).
 *
 * The indexes to push are found by the one index walk (`walkIndex`: its depth limit, cycle check
 * and entry limit), all of them before anything is pushed, so an index anyarch will not walk is
 * refused without leaving half of it in the registry. Manifests go up as their exact bytes;
 * configs and layers stream from the source as they are uploaded, and only when the registry
 * lacks them: nothing is parsed but manifests, and no blob is read whole.
 */
import type { Readable } from 'node:stream';
import { Semaphore } from '../net/retry.js';
import type { Digest } from '../oci/digest.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import type { Descriptor } from '../oci/manifest.js';
import type { ImageSource } from '../oci/source.js';
import { imageContents } from '../oci/contents.js';
import type { PushBlobOptions, RegistryClient, RepositoryRef } from './client.js';

export interface PushStats {
  blobs: { exists: number; mounted: number; uploaded: number };
  manifests: number;
  /** bytes sent: blobs uploaded (not those already there or mounted) and manifests put */
  bytesUploaded: number;
}

export interface PushImageOptions extends Omit<PushBlobOptions, 'knownMissing'> {
  /** the tag for the root (default: pushed by its digest only) */
  readonly tag?: string;
  /** blobs uploaded at once (default 4) */
  readonly parallel?: number;
  /** deepest index nesting pushed (default DEFAULT_MAX_DEPTH of src/oci/walk.ts, as the walk) */
  readonly maxDepth?: number;
  /** a repository of the same registry to mount this blob from, per blob (beats `mountFrom`) */
  readonly mountFromFor?: (digest: Digest) => string | undefined;
  /** after each blob: how it got there, and how many of the image's blobs are done */
  readonly onBlob?: (event: { readonly descriptor: Descriptor; readonly how: 'exists' | 'mounted' | 'uploaded'; readonly done: number; readonly total: number }) => void;
}

function isOpened(x: ImageSource | Index | Image): x is Index | Image {
  return x.kind === 'index' || x.kind === 'image';
}

/**
 * Pushes `from` — the root of a source, or an opened index or image — and everything it
 * references. Tags the root with `tag` when given; returns the root's digest and what was done.
 * An index nested deeper than `maxDepth`, a cycle, or more entries than the walk reads is
 * `E_MANIFEST` (`E_LIMIT`) before anything is pushed.
 */
export async function pushImage(client: RegistryClient, repo: RepositoryRef, from: ImageSource | Index | Image, opts: PushImageOptions = {}): Promise<{ digest: Digest; stats: PushStats }> {
  const root = isOpened(from) ? from : await openRoot(from);
  const name = isOpened(from) ? root.descriptor.digest : from.name;
  const contents = await imageContents(root, { name, ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}) });

  const stats: PushStats = { blobs: { exists: 0, mounted: 0, uploaded: 0 }, manifests: 0, bytesUploaded: 0 };
  const blobOpts = (digest: Digest): PushBlobOptions => {
    const mountFrom = opts.mountFromFor?.(digest) ?? opts.mountFrom;
    return { ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}), ...(mountFrom ? { mountFrom } : {}) };
  };
  let done = 0;
  const finished = (descriptor: Descriptor, how: 'exists' | 'mounted' | 'uploaded'): void => {
    stats.blobs[how]++;
    if (how === 'uploaded') stats.bytesUploaded += descriptor.size;
    opts.onBlob?.({ descriptor, how, done: ++done, total: contents.blobs.length });
  };

  // a few uploads at once, each blob once; blobs the registry has are never read
  const limit = new Semaphore(opts.parallel ?? 4);
  const blobs = new Map<string, Promise<void>>();
  const blob = (d: Descriptor, open: () => Promise<Readable>): Promise<void> => {
    let p = blobs.get(d.digest);
    if (!p) {
      p = limit.run(async () => {
        if (await client.hasBlob(repo, d.digest)) {
          finished(d, 'exists');
          return;
        }
        finished(d, await client.pushBlob(repo, d, open, { ...blobOpts(d.digest), knownMissing: true }));
      });
      blobs.set(d.digest, p);
    }
    return p;
  };
  const putManifest = async (node: Index | Image, reference: string): Promise<Digest> => {
    const bytes = await node.manifestBytes();
    const digest = await client.putManifest(repo, reference, bytes, node.descriptor.mediaType);
    stats.manifests++;
    stats.bytesUploaded += bytes.length;
    return digest;
  };

  // 1. blobs (every manifest was read before anything is pushed), 2. manifests in the order
  // imageContents gives, each after what it lists, 3. the root under its tag
  await Promise.all(contents.blobs.map((b) => blob(b.descriptor, b.open)));
  for (const round of contents.manifests) await Promise.all(round.filter((node) => node !== root).map((node) => putManifest(node, node.descriptor.digest)));
  const digest = await putManifest(root, opts.tag ?? root.descriptor.digest);
  return { digest, stats };
}
