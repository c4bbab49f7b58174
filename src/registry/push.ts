/**
 * Pushing a whole image or index from any source: every blob first, then manifests bottom-up,
 * the root last (under its tag), because a registry may refuse a manifest whose children it does
 * not have (distribution answers `MANIFEST_BLOB_UNKNOWN`). Configs and layers stream from the
 * source as they are uploaded, and only when the registry lacks them: no layer is read whole.
 */
import { AnyarchError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { Descriptor, Manifest } from '../oci/manifest.js';
import { isManifestLike } from '../oci/media.js';
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

/**
 * Pushes the root of `source` (its exact bytes) and everything it references. Tags the root
 * with `tag` when given; returns the root's digest and what was done.
 */
export async function pushImage(client: RegistryClient, repo: RepositoryRef, source: ImageSource, opts: PushImageOptions = {}): Promise<{ digest: Digest; stats: PushStats }> {
  const stats: PushStats = { blobs: { exists: 0, mounted: 0, uploaded: 0 }, manifests: 0 };
  const done = new Map<string, Promise<void>>();
  const blobOpts: PushBlobOptions = { ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}), ...(opts.mountFrom ? { mountFrom: opts.mountFrom } : {}) };

  // a few uploads at once; blobs the registry has are never read
  const limit = new Semaphore(opts.parallel ?? 4);
  const blob = (d: Descriptor): Promise<void> => {
    let p = done.get(d.digest);
    if (!p) {
      p = limit.run(async () => {
        if (await client.hasBlob(repo, d.digest)) {
          stats.blobs.exists++;
          return;
        }
        stats.blobs[await client.pushBlob(repo, d, () => source.blobStream(d), { ...blobOpts, knownMissing: true })]++;
      });
      done.set(d.digest, p);
    }
    return p;
  };

  const children = async (m: Manifest): Promise<void> => {
    if (m.kind === 'index') {
      await Promise.all(m.manifests.map((d) => (isManifestLike(d.mediaType) ? manifest(d) : blob(d))));
    } else {
      await Promise.all([blob(m.config), ...m.layers.filter((l) => !l.urls?.length).map(blob)]);
    }
  };

  const manifest = (d: Descriptor): Promise<void> => {
    let p = done.get(d.digest);
    if (!p) {
      p = (async () => {
        const fetched = await source.manifest(d);
        if (fetched.bytes.length !== d.size) throw new AnyarchError('E_DIGEST', `manifest ${d.digest}: ${fetched.bytes.length} bytes, but its descriptor declares ${d.size}`);
        await children(fetched.manifest);
        await client.putManifest(repo, d.digest, fetched.bytes, d.mediaType);
        stats.manifests++;
      })();
      done.set(d.digest, p);
    }
    return p;
  };

  const root = await source.root();
  await children(root.manifest);
  const digest = await client.putManifest(repo, opts.tag ?? root.descriptor.digest, root.bytes, root.descriptor.mediaType);
  stats.manifests++;
  return { digest, stats };
}
