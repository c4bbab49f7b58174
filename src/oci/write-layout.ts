/**
 * Writes an image or index, with everything it references, as an OCI image layout directory
 * (image-spec `image-layout.md`): `oci-layout`, `blobs/<alg>/<hex>`, `index.json`. What
 * `skopeo copy … oci:DIR:TAG` and `buildah manifest push --all … oci:DIR` write, and what
 * `anyarch verify oci:DIR:TAG` reads back.
 *
 * Never a partial layout: each blob is streamed into a temporary file beside its place and renamed
 * there only after its stream ended verified (a digest mismatch leaves nothing behind); blobs come
 * first, then manifests in {@link imageContents}' order, `index.json` last and atomically, so a
 * reader of the directory never meets an entry whose content is missing. A blob already present
 * with the right size is kept (a layout is content-addressed; readers verify what they read). An
 * existing `index.json` keeps its other entries; an entry with the same tag is replaced.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { imageContents, type ContentsOptions } from './contents.js';
import { verifyBytes, type Digest } from './digest.js';
import type { Image, Index } from './image.js';
import { MediaType } from './media.js';
import type { Descriptor } from './manifest.js';
import { blobPath, REF_NAME_ANNOTATION } from './sources/layout.js';

export interface WriteLayoutOptions extends ContentsOptions {
  /** the tag of the root's entry in index.json (`org.opencontainers.image.ref.name`); without one the entry is untagged */
  readonly tag?: string;
  /** blobs written at once (default 4) */
  readonly parallel?: number;
}

export interface WriteLayoutResult {
  /** the root's digest, as index.json names it */
  readonly digest: Digest;
  /** blobs and manifests written, and those already in the layout */
  readonly written: number;
  readonly present: number;
}

/** What a layout's index.json may name as a tag (`org.opencontainers.image.ref.name`), here and in an OCI archive. */
export const LAYOUT_TAG = /^[A-Za-z0-9_][A-Za-z0-9._:/@+-]{0,254}$/;

/** Largest existing index.json read to keep its entries: 4 MiB, as a manifest. */
const MAX_INDEX_JSON_BYTES = 4 * 1024 * 1024;

/** Writes `root` and everything it references into the layout at `dir` (created when missing). */
export async function writeOciLayout(root: Index | Image, dir: string, opts: WriteLayoutOptions = {}): Promise<WriteLayoutResult> {
  if (opts.tag !== undefined && !LAYOUT_TAG.test(opts.tag)) {
    throw new AnyarchError('E_USAGE', `${JSON.stringify(opts.tag)} is not a tag a layout's index.json can name`);
  }
  const contents = await imageContents(root, opts);
  await mkdir(path.join(dir, 'blobs'), { recursive: true });
  const layoutFile = path.join(dir, 'oci-layout');
  if (!(await exists(layoutFile))) await writeFileAtomic(layoutFile, JSON.stringify({ imageLayoutVersion: '1.0.0' }));

  let written = 0;
  let present = 0;
  const store = async (d: Descriptor, content: () => Promise<NodeJS.ReadableStream | Uint8Array>): Promise<void> => {
    const file = path.join(dir, blobPath(d.digest));
    const have = await stat(file).catch(() => undefined);
    if (have?.isFile() && have.size === d.size) {
      present++;
      return;
    }
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.anyarch-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      const c = await content();
      if (c instanceof Uint8Array) {
        verifyBytes(c, d.digest, `${d.mediaType} ${d.digest}`);
        await writeFile(tmp, c, { flag: 'wx' });
      } else await pipeline(c, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, file);
      written++;
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw isAnyarchError(e) ? e : new AnyarchError('E_SOURCE', `${dir}: ${d.digest} could not be written (${(e as Error).message})`, undefined, undefined, { cause: e });
    }
  };

  // blobs a few at a time; each failure stops the rest (nothing is half-written)
  const queue = [...contents.blobs];
  const workers = Array.from({ length: Math.max(1, Math.min(opts.parallel ?? 4, queue.length)) }, async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      const blob = b;
      await store(blob.descriptor, blob.open);
    }
  });
  await Promise.all(workers);
  for (const round of contents.manifests) await Promise.all(round.map((node) => store(node.descriptor, () => node.manifestBytes())));

  await writeFileAtomic(path.join(dir, 'index.json'), JSON.stringify(await nextIndex(dir, root.descriptor, opts.tag)));
  return { digest: root.descriptor.digest as Digest, written, present };
}

/** The layout's index.json with the root's entry added (replacing an entry of the same tag, or the same untagged digest). */
async function nextIndex(dir: string, d: Descriptor, tag: string | undefined): Promise<{ schemaVersion: 2; mediaType: string; manifests: Descriptor[] }> {
  let manifests: Descriptor[] = [];
  const file = path.join(dir, 'index.json');
  if (await exists(file)) {
    const s = await stat(file);
    if (s.size > MAX_INDEX_JSON_BYTES) throw new AnyarchError('E_LIMIT', `${file}: more than ${MAX_INDEX_JSON_BYTES} bytes; anyarch does not add to it`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new AnyarchError('E_MANIFEST', `${file}: not JSON (${(e as Error).message}); anyarch does not replace it`);
    }
    const list = (parsed as { manifests?: unknown }).manifests;
    if (!Array.isArray(list)) throw new AnyarchError('E_MANIFEST', `${file}: no manifests list; anyarch does not replace it`);
    manifests = list as Descriptor[];
  }
  const tagOf = (m: Descriptor): string | undefined => m.annotations?.[REF_NAME_ANNOTATION];
  manifests = manifests.filter((m) => (tag === undefined ? !(m.digest === d.digest && tagOf(m) === undefined) : tagOf(m) !== tag));
  const entry: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}), ...(tag !== undefined ? { annotations: { [REF_NAME_ANNOTATION]: tag } } : {}) };
  return { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [...manifests, entry] };
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}
