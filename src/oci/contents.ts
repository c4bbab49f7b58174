/**
 * Everything an image or index consists of, in the order a store must take it: the blobs
 * (configs, layers, artifacts' blobs), then the image manifests, then the indexes, each index
 * after the indexes it lists, the root last. What pushes to a registry (src/registry/push.ts)
 * and what writes an OCI layout (write-layout.ts) both store an image this way, so a reader of
 * the store never meets a manifest whose blobs or children are not there yet.
 */
import type { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import type { Image, Index } from './image.js';
import type { Descriptor } from './manifest.js';
import { isIndexMediaType, isManifestMediaType } from './media.js';
import { DEFAULT_MAX_DEPTH, walkIndex } from './walk.js';

/** One blob of an image, each digest once. */
export interface ContentBlob {
  readonly descriptor: Descriptor;
  /** its bytes, verified against the descriptor at the stream's end */
  readonly open: () => Promise<Readable>;
}

export interface ImageContents {
  /** configs and layers of every image (foreign layers, which carry `urls`, left out: they live elsewhere), and artifacts' blobs */
  readonly blobs: readonly ContentBlob[];
  /**
   * The manifests in rounds: the manifests of one round may be stored at once, each round after
   * the ones before it. First the image manifests, then the indexes bottom-up (each after the
   * indexes it lists); the root alone in the last round.
   */
  readonly manifests: readonly (readonly (Index | Image)[])[];
}

export interface ContentsOptions {
  /** deepest index nesting read (default {@link DEFAULT_MAX_DEPTH}, as the walk) */
  readonly maxDepth?: number;
  /** how messages name the image */
  readonly name?: string;
}

/**
 * The contents of `root`. Every manifest is read (each once) before this returns; no blob is.
 * An index nested deeper than `maxDepth` or a cycle is `E_MANIFEST`; more entries than the walk
 * reads is `E_LIMIT`.
 */
export async function imageContents(root: Index | Image, opts: ContentsOptions = {}): Promise<ImageContents> {
  const name = opts.name ?? root.descriptor.digest;
  const rounds = root.kind === 'index' ? await indexRounds(root, opts.maxDepth ?? DEFAULT_MAX_DEPTH, name) : [];
  const images = new Map<string, () => Promise<Image>>();
  const blobs = new Map<string, ContentBlob>();
  const add = (descriptor: Descriptor, open: () => Promise<Readable>): void => {
    if (!blobs.has(descriptor.digest)) blobs.set(descriptor.digest, { descriptor, open });
  };
  if (root.kind === 'image') images.set(root.descriptor.digest, async () => root);
  for (const index of rounds.flat()) {
    for (const d of (await index.manifest()).manifests) {
      if (isManifestMediaType(d.mediaType)) {
        if (!images.has(d.digest)) images.set(d.digest, () => index.image(d));
      } else if (!isIndexMediaType(d.mediaType)) {
        // an entry of another type (an artifact's blob) is stored as a blob
        add(d, () => index.blob(d));
      }
    }
  }
  const opened = await Promise.all([...images.values()].map((open) => open()));
  for (const image of opened) {
    const m = await image.manifest();
    for (const d of [m.config, ...m.layers.filter((l) => !l.urls?.length)]) add(d, () => image.blob(d));
  }
  const manifests: (Index | Image)[][] = [opened.filter((i) => i !== root), ...rounds.map((r) => r.filter((i) => i !== root))].filter((r) => r.length > 0);
  manifests.push([root]);
  return { blobs: [...blobs.values()], manifests };
}

/** The indexes under `root` (attestation indexes included), in rounds: each after the ones it lists. */
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
