/**
 * Pushing a whole image or index: every blob first, then manifests bottom-up, the root last
 * (under its tag), because a registry may refuse a manifest whose children it does not have
 * (distribution answers `MANIFEST_BLOB_UNKNOWN`). Content comes from any source by descriptor.
 */
import { AnyarchError } from '../errors.js';
import { digestOf, type Digest } from '../oci/digest.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { isManifestLike } from '../oci/media.js';
import type { PushBlobOptions, RegistryClient, RepositoryRef } from './client.js';
import { Semaphore } from '../net/retry.js';

export interface PushStats {
  blobs: { exists: number; mounted: number; uploaded: number };
  manifests: number;
}

/**
 * Pushes the manifest or index `root` (its exact bytes) and everything it references, reading
 * content with `content`. Tags the root with `tag` when given; returns the root's digest.
 */
export async function pushImage(
  client: RegistryClient,
  repo: RepositoryRef,
  root: { readonly bytes: Uint8Array; readonly mediaType: string },
  content: (d: Descriptor) => Promise<Uint8Array>,
  opts: { readonly tag?: string; /** blobs read and uploaded at once (default 4) */ readonly parallel?: number } & PushBlobOptions = {},
): Promise<{ digest: Digest; stats: PushStats }> {
  const stats: PushStats = { blobs: { exists: 0, mounted: 0, uploaded: 0 }, manifests: 0 };
  const done = new Map<string, Promise<void>>();
  const blobOpts: PushBlobOptions = { ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}), ...(opts.mountFrom ? { mountFrom: opts.mountFrom } : {}) };

  // at most a few blobs in memory at once; blobs the registry has are never read
  const limit = new Semaphore(opts.parallel ?? 4);
  const blob = (d: Descriptor): Promise<void> => {
    let p = done.get(d.digest);
    if (!p) {
      p = limit.run(async () => {
        if (await client.hasBlob(repo, d.digest)) {
          stats.blobs.exists++;
          return;
        }
        const bytes = await content(d);
        stats.blobs[await client.pushBlob(repo, d, bytes, { ...blobOpts, knownMissing: true })]++;
      });
      done.set(d.digest, p);
    }
    return p;
  };

  const children = async (bytes: Uint8Array, mediaType: string, what: string): Promise<void> => {
    const m = parseManifest(bytes, what, mediaType);
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
        const bytes = await content(d);
        if (bytes.length !== d.size) throw new AnyarchError('E_DIGEST', `manifest ${d.digest}: ${bytes.length} bytes, but its descriptor declares ${d.size}`);
        await children(bytes, d.mediaType, `manifest ${d.digest}`);
        await client.putManifest(repo, d.digest, bytes, d.mediaType);
        stats.manifests++;
      })();
      done.set(d.digest, p);
    }
    return p;
  };

  await children(root.bytes, root.mediaType, 'the image to push');
  const digest = await client.putManifest(repo, opts.tag ?? digestOf(root.bytes), root.bytes, root.mediaType);
  stats.manifests++;
  return { digest, stats };
}
