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
import { AnyarchError } from '../errors.js';
import { Semaphore } from '../net/retry.js';
import type { Digest } from '../oci/digest.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import type { Descriptor } from '../oci/manifest.js';
import { isIndexMediaType, isManifestMediaType } from '../oci/media.js';
import type { ImageSource } from '../oci/source.js';
import { DEFAULT_MAX_DEPTH, walkIndex } from '../oci/walk.js';
import type { PushBlobOptions, RegistryClient, RepositoryRef } from './client.js';

export interface PushStats {
  blobs: { exists: number; mounted: number; uploaded: number };
  manifests: number;
}

export interface PushImageOptions extends Omit<PushBlobOptions, 'knownMissing'> {
  /** the tag for the root (default: pushed by its digest only) */
  readonly tag?: string;
  /** blobs uploaded at once (default 4) */
  readonly parallel?: number;
  /** deepest index nesting pushed (default {@link DEFAULT_MAX_DEPTH}, as the walk) */
  readonly maxDepth?: number;
}

function isOpened(x: ImageSource | Index | Image): x is Index | Image {
  return x.kind === 'index' || x.kind === 'image';
}

/**
 * The root and every index below it, each once, in the order they can be pushed: a list of
 * rounds, each index in a round after every index it lists (the root in the last). Nested
 * indexes come from the walk; an attestation entry that is an index (the walk lists it, but does
 * not walk it) is walked in turn, within what is left of the depth.
 */
async function indexRounds(root: Index, maxDepth: number, name: string): Promise<Index[][]> {
  const found = new Map<string, Index>([[root.descriptor.digest, root]]);
  for (let pending = [{ index: root, depth: 0 }]; pending.length > 0; ) {
    const next: { index: Index; depth: number }[] = [];
    for (const { index, depth } of pending) {
      const walk = await walkIndex(index, { maxDepth: maxDepth - depth, name, configs: false });
      for (const w of walk.indexes) if (!found.has(w.descriptor.digest)) found.set(w.descriptor.digest, await index.index(w.descriptor));
      for (const a of walk.attestations) {
        if (!isIndexMediaType(a.descriptor.mediaType) || found.has(a.descriptor.digest)) continue;
        const at = depth + a.via.length + 1;
        if (at > maxDepth) throw new AnyarchError('E_MANIFEST', `${name}: indexes nested deeper than ${maxDepth} levels (at ${a.descriptor.digest})`);
        const child = await index.index(a.descriptor);
        found.set(a.descriptor.digest, child);
        next.push({ index: child, depth: at });
      }
    }
    pending = next;
  }
  const lists = new Map<string, string[]>();
  for (const [digest, index] of found) {
    lists.set(
      digest,
      (await index.manifest()).manifests.filter((d) => isIndexMediaType(d.mediaType)).map((d) => d.digest),
    );
  }
  const rounds: Index[][] = [];
  const placed = new Set<string>();
  while (placed.size < found.size) {
    const ready = [...found.keys()].filter((d) => !placed.has(d) && (lists.get(d) as string[]).every((c) => placed.has(c)));
    if (ready.length === 0) throw new AnyarchError('E_MANIFEST', `${name}: the indexes form a cycle`);
    for (const d of ready) placed.add(d);
    rounds.push(ready.map((d) => found.get(d) as Index));
  }
  return rounds;
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
  const rounds = root.kind === 'index' ? await indexRounds(root, opts.maxDepth ?? DEFAULT_MAX_DEPTH, name) : [];

  const stats: PushStats = { blobs: { exists: 0, mounted: 0, uploaded: 0 }, manifests: 0 };
  const blobOpts: PushBlobOptions = { ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}), ...(opts.mountFrom ? { mountFrom: opts.mountFrom } : {}) };

  // a few uploads at once, each blob once; blobs the registry has are never read
  const limit = new Semaphore(opts.parallel ?? 4);
  const blobs = new Map<string, Promise<void>>();
  const blob = (d: Descriptor, open: () => Promise<Readable>): Promise<void> => {
    let p = blobs.get(d.digest);
    if (!p) {
      p = limit.run(async () => {
        if (await client.hasBlob(repo, d.digest)) {
          stats.blobs.exists++;
          return;
        }
        stats.blobs[await client.pushBlob(repo, d, open, { ...blobOpts, knownMissing: true })]++;
      });
      blobs.set(d.digest, p);
    }
    return p;
  };
  const putManifest = async (node: Index | Image, reference: string): Promise<Digest> => {
    const digest = await client.putManifest(repo, reference, await node.manifestBytes(), node.descriptor.mediaType);
    stats.manifests++;
    return digest;
  };

  // every image manifest, read before anything is pushed
  const images = new Map<string, () => Promise<Image>>();
  const artifacts = new Map<string, () => Promise<void>>();
  if (root.kind === 'image') images.set(root.descriptor.digest, async () => root);
  for (const index of rounds.flat()) {
    for (const d of (await index.manifest()).manifests) {
      if (isManifestMediaType(d.mediaType)) {
        if (!images.has(d.digest)) images.set(d.digest, () => index.image(d));
      } else if (!isIndexMediaType(d.mediaType) && !artifacts.has(d.digest)) {
        // an entry of another type (an artifact's blob) is stored as a blob
        artifacts.set(d.digest, () => blob(d, () => index.blob(d)));
      }
    }
  }
  const opened = await Promise.all([...images.values()].map((open) => open()));
  const manifests = await Promise.all(opened.map(async (image) => ({ image, manifest: await image.manifest() })));

  // 1. blobs: every image's config and layers (foreign layers, with `urls`, live elsewhere:
  //    registries do not take them), and the artifacts' blobs
  await Promise.all([
    ...manifests.flatMap(({ image, manifest: m }) => [m.config, ...m.layers.filter((l) => !l.urls?.length)].map((d) => blob(d, () => image.blob(d)))),
    ...[...artifacts.values()].map((push) => push()),
  ]);

  // 2. image manifests, 3. indexes after the indexes they list, 4. the root under its tag
  await Promise.all(opened.filter((i) => i !== root).map((image) => putManifest(image, image.descriptor.digest)));
  for (const round of rounds) await Promise.all(round.filter((i) => i !== root).map((index) => putManifest(index, index.descriptor.digest)));
  const digest = await putManifest(root, opts.tag ?? root.descriptor.digest);
  return { digest, stats };
}
