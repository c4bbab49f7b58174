/**
 * Pushing a whole image or index — from any source, or an image or index already opened — on the
 * image layer (`src/oci/image.ts`): every blob first, then manifests bottom-up, the root last
 * (under its tag), because a registry may refuse a manifest whose children it does not have
 * (distribution answers `MANIFEST_BLOB_UNKNOWN`). Manifests go up as their exact bytes; configs
 * and layers stream from the source as they are uploaded, and only when the registry lacks them:
 * nothing is parsed but manifests, and no blob is read whole.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import type { Descriptor } from '../oci/manifest.js';
import { isIndexMediaType, isManifestMediaType } from '../oci/media.js';
import type { ImageSource } from '../oci/source.js';
import type { PushBlobOptions, RegistryClient, RepositoryRef } from './client.js';
import { Semaphore } from '../net/retry.js';

export interface PushStats {
  blobs: { exists: number; mounted: number; uploaded: number };
  manifests: number;
}

export interface PushImageOptions extends Omit<PushBlobOptions, 'knownMissing'> {
  /** the tag for the root (default: pushed by its digest only) */
  readonly tag?: string;
  /** blobs uploaded at once (default 4) */
  readonly parallel?: number;
}

function isOpened(x: ImageSource | Index | Image): x is Index | Image {
  return x.kind === 'index' || x.kind === 'image';
}

/**
 * Pushes `from` — the root of a source, or an opened index or image — and everything it
 * references. Tags the root with `tag` when given; returns the root's digest and what was done.
 */
export async function pushImage(client: RegistryClient, repo: RepositoryRef, from: ImageSource | Index | Image, opts: PushImageOptions = {}): Promise<{ digest: Digest; stats: PushStats }> {
  const stats: PushStats = { blobs: { exists: 0, mounted: 0, uploaded: 0 }, manifests: 0 };
  const done = new Map<string, Promise<void>>();
  const once = (d: Descriptor, push: () => Promise<void>): Promise<void> => {
    let p = done.get(d.digest);
    if (!p) {
      p = push();
      done.set(d.digest, p);
    }
    return p;
  };
  const blobOpts: PushBlobOptions = { ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}), ...(opts.mountFrom ? { mountFrom: opts.mountFrom } : {}) };

  // a few uploads at once; blobs the registry has are never read
  const limit = new Semaphore(opts.parallel ?? 4);
  const blob = (d: Descriptor, open: () => Promise<Readable>): Promise<void> =>
    once(d, () =>
      limit.run(async () => {
        if (await client.hasBlob(repo, d.digest)) {
          stats.blobs.exists++;
          return;
        }
        stats.blobs[await client.pushBlob(repo, d, open, { ...blobOpts, knownMissing: true })]++;
      }),
    );

  const putManifest = async (node: Index | Image, reference: string): Promise<Digest> => {
    const digest = await client.putManifest(repo, reference, await node.manifestBytes(), node.descriptor.mediaType);
    stats.manifests++;
    return digest;
  };

  const children = async (node: Index | Image): Promise<void> => {
    if (node.kind === 'image') {
      const m = await node.manifest();
      // foreign layers (with `urls`) live elsewhere: registries do not take them
      const blobs = [m.config, ...m.layers.filter((l) => !l.urls?.length)];
      await Promise.all(blobs.map((d) => blob(d, () => node.blob(d))));
      return;
    }
    const m = await node.manifest();
    await Promise.all(
      m.manifests.map((d) => {
        if (isIndexMediaType(d.mediaType)) return once(d, async () => pushChild(await node.index(d)));
        if (isManifestMediaType(d.mediaType)) return once(d, async () => pushChild(await node.image(d)));
        return blob(d, () => node.blob(d)); // an entry of another type: stored as a blob, as before
      }),
    );
  };

  const pushChild = async (node: Index | Image): Promise<void> => {
    await children(node);
    await putManifest(node, node.descriptor.digest);
  };

  const root = isOpened(from) ? from : await openRoot(from);
  await children(root);
  const digest = await putManifest(root, opts.tag ?? root.descriptor.digest);
  return { digest, stats };
}
