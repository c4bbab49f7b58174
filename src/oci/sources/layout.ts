/**
 * The OCI image layout source (`oci:DIR[:TAG]`, image-spec `image-layout.md`): an `oci-layout`
 * file (imageLayoutVersion 1.0.0), an `index.json` whose entries are the images (tagged with
 * the `org.opencontainers.image.ref.name` annotation), and content-addressed `blobs/<alg>/<hex>`.
 *
 * The reading is shared with the archive sources (src/oci/sources/archive.ts): a layout's files
 * come from a directory or from a tar, through {@link LayoutFiles}; {@link StoredImageSource}
 * turns any such store into an `ImageSource` that verifies every manifest and blob against its
 * descriptor (digest and size) and enforces the size limits.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { AnyarchError } from '../../errors.js';
import { DigestVerifier, isDigest, parseDigest, shortDigest, verifyBytes, type Digest } from '../digest.js';
import { decodeJson, MAX_MANIFEST_BYTES, parseManifest, type Descriptor, type ImageIndex } from '../manifest.js';
import { MediaType } from '../media.js';
import { formatReference, tryParseReference } from '../reference.js';
import type { FetchedManifest, ImageSource, SourceKind } from '../source.js';

/** The annotation that tags an entry of a layout's index.json. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** containerd's (and Docker 25+ `docker save`'s) full image name annotation. */
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

/** Largest `oci-layout` file read. */
const MAX_LAYOUT_FILE_BYTES = 64 * 1024;

/** Files of a layout (or of an archive), by slash-separated path relative to its root. */
export interface LayoutFiles {
  /** size of the regular file at `p`; undefined when there is none */
  size(p: string): Promise<number | undefined>;
  /** the whole file; `E_NOT_FOUND` when missing, `E_LIMIT` above `limit` bytes */
  read(p: string, limit: number): Promise<Uint8Array>;
  /** the file as a stream of exactly its bytes */
  stream(p: string): Readable;
}

/** `blobs/<alg>/<hex>` of a digest (validated, so the path cannot leave the layout). */
export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest, 'blob digest');
  return `blobs/${algorithm}/${hex}`;
}

/**
 * A directory's files. Symbolic links are followed, also out of the directory: layouts built by
 * Bazel's rules_oci link their blobs into the build tree. Content is checked against digests
 * whatever it is, and errors never quote what a file holds.
 */
export class DirectoryFiles implements LayoutFiles {
  constructor(
    private readonly dir: string,
    private readonly display: string,
  ) {}

  private full(p: string): string {
    return path.join(this.dir, ...p.split('/'));
  }

  async size(p: string): Promise<number | undefined> {
    try {
      const st = await stat(this.full(p));
      return st.isFile() ? st.size : undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new AnyarchError('E_SOURCE', `${this.display}: cannot read ${p} (${(e as Error).message})`);
    }
  }

  async read(p: string, limit: number): Promise<Uint8Array> {
    let fh;
    try {
      fh = await open(this.full(p), 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new AnyarchError('E_NOT_FOUND', `${this.display}: no ${p}`);
      throw new AnyarchError('E_SOURCE', `${this.display}: cannot read ${p} (${(e as Error).message})`);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new AnyarchError('E_SOURCE', `${this.display}: ${p} is not a regular file`);
      if (st.size > limit) throw new AnyarchError('E_LIMIT', `${this.display}: ${p} is ${st.size} bytes, more than the ${limit} bytes anyarch reads`);
      // read at most limit + 1 bytes, so a file growing meanwhile is still refused
      const buf = new Uint8Array(Math.min(st.size, limit) + 1);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got > limit) throw new AnyarchError('E_LIMIT', `${this.display}: ${p} is more than the ${limit} bytes anyarch reads`);
      return buf.subarray(0, got);
    } catch (e) {
      if (e instanceof AnyarchError) throw e;
      throw new AnyarchError('E_SOURCE', `${this.display}: cannot read ${p} (${(e as Error).message})`);
    } finally {
      await fh.close();
    }
  }

  stream(p: string): Readable {
    return createReadStream(this.full(p));
  }
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  const r = decodeJson(bytes);
  if ('reason' in r) throw new AnyarchError('E_SOURCE', `${what} is ${r.reason}`);
  const v = r.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AnyarchError('E_SOURCE', `${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * Reads and checks a layout's `oci-layout` and `index.json` (`E_SOURCE` when this is not an
 * OCI layout, `E_MANIFEST` when index.json is not a valid index, `E_LIMIT` when too large).
 */
export async function readLayoutIndex(files: LayoutFiles, display: string, notLayoutHint?: string): Promise<{ index: ImageIndex; bytes: Uint8Array }> {
  if ((await files.size('oci-layout')) === undefined) {
    throw new AnyarchError('E_SOURCE', `${display}: not an OCI image layout (it has no oci-layout file)`, notLayoutHint ?? 'an OCI layout has oci-layout, index.json and blobs/; write one with `skopeo copy … oci:DIR:TAG` or `docker buildx build --output type=oci,tar=false,dest=DIR`');
  }
  const layout = parseJsonObject(await files.read('oci-layout', MAX_LAYOUT_FILE_BYTES), `${display}: oci-layout`);
  if (layout.imageLayoutVersion !== '1.0.0') {
    throw new AnyarchError('E_SOURCE', `${display}: unsupported OCI layout version ${JSON.stringify(layout.imageLayoutVersion)} (anyarch reads 1.0.0)`);
  }
  if ((await files.size('index.json')) === undefined) throw new AnyarchError('E_SOURCE', `${display}: the OCI layout has no index.json`);
  const bytes = await files.read('index.json', MAX_MANIFEST_BYTES);
  const index = parseManifest(bytes, `${display}: index.json`, MediaType.OCI_INDEX);
  if (index.kind !== 'index') throw new AnyarchError('E_MANIFEST', `${display}: index.json is an image manifest, not an image index`);
  return { index, bytes };
}

/** How an index.json entry is named in lists: its tag, its full name, or its digest. */
function entryLabel(d: Descriptor): string {
  return d.annotations?.[REF_NAME_ANNOTATION] ?? d.annotations?.[CONTAINERD_NAME_ANNOTATION] ?? `@${d.digest}`;
}

/** `"1.0", "latest" and @sha256:… (untagged)`, for messages. */
export function listEntries(entries: readonly Descriptor[]): string {
  const labels = [...new Set(entries.map(entryLabel))].map((l) => (l.startsWith('@') ? `${l.slice(0, 20)}… (untagged)` : JSON.stringify(l)));
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/** The full normalised form of an image reference (`x:1` -> `docker.io/library/x:1`), if it is one. */
function normalized(s: string): string | undefined {
  const r = tryParseReference(s);
  return r ? formatReference(r) : undefined;
}

/** Written like a reference (a name with a tag, a registry or a path), not a bare tag. */
function looksLikeReference(s: string): boolean {
  return /[/:@]/.test(s);
}

/**
 * The index.json entry a tag names. Preference: an exact `ref.name`; then the same image name
 * (normalised: `x:1` = `docker.io/library/x:1`) in `ref.name` or `io.containerd.image.name`;
 * then, for a tag written as a reference, an entry whose `ref.name` is its tag part, and for a
 * bare tag, an entry whose full name has that tag (`1` finds `docker.io/library/x:1`). A digest
 * (`sha256:…` or `@sha256:…`) selects by digest. Without a tag: the only entry.
 */
export function selectIndexEntry(entries: readonly Descriptor[], tag: string | undefined, display: string, syntax: string): Descriptor {
  if (entries.length === 0) throw new AnyarchError('E_NOT_FOUND', `${display}: holds no image (index.json lists nothing)`);
  if (tag === undefined || tag === '') {
    if (entries.length === 1) return entries[0] as Descriptor;
    throw new AnyarchError('E_SOURCE', `${display}: holds ${entries.length} images, name one: ${listEntries(entries)}`, `write ${syntax}`);
  }
  const wanted = tag.startsWith('@') ? tag.slice(1) : tag;
  if (isDigest(wanted)) {
    const hit = entries.find((e) => e.digest === wanted);
    if (hit) return hit;
    throw new AnyarchError('E_NOT_FOUND', `${display}: no image with digest ${wanted}; it holds ${listEntries(entries)}`);
  }
  const ranks: Descriptor[][] = [[], [], []];
  const full = looksLikeReference(wanted) ? normalized(wanted) : undefined;
  const tagPart = full ? tryParseReference(wanted)?.tag : undefined;
  for (const e of entries) {
    const refName = e.annotations?.[REF_NAME_ANNOTATION];
    const ctrName = e.annotations?.[CONTAINERD_NAME_ANNOTATION];
    if (refName === wanted) ranks[0]?.push(e);
    else if (
      ctrName === wanted ||
      (full !== undefined && ((ctrName !== undefined && normalized(ctrName) === full) || (refName !== undefined && looksLikeReference(refName) && normalized(refName) === full)))
    )
      ranks[1]?.push(e);
    else if (tagPart !== undefined && refName === tagPart) ranks[2]?.push(e);
    else if (full === undefined && [refName, ctrName].some((r) => r !== undefined && looksLikeReference(r) && tryParseReference(r)?.tag === wanted)) ranks[2]?.push(e);
  }
  for (const hits of ranks) {
    if (hits.length === 0) continue;
    if (new Set(hits.map((h) => h.digest)).size > 1) {
      throw new AnyarchError('E_SOURCE', `${display}: "${tag}" names ${hits.length} different images (${hits.map((h) => shortDigest(h.digest) + '…').join(', ')})`, 'select one by digest');
    }
    return hits[0] as Descriptor;
  }
  throw new AnyarchError('E_NOT_FOUND', `${display}: no image tagged "${tag}"; it holds ${listEntries(entries)}`);
}

export interface StoredImageSourceOptions {
  /** where a blob is, when not at `blobs/<alg>/<hex>` (undefined: look there) */
  readonly locate?: (digest: Digest) => string | undefined;
  /** manifests that exist only in memory (a synthesised root), by digest */
  readonly memory?: ReadonlyMap<string, Uint8Array>;
  /** what the store is called in "is not in …" messages (default "the layout") */
  readonly storeName?: string;
  /** called once by close() */
  readonly onClose?: () => Promise<void>;
}

/**
 * An `ImageSource` over stored blobs: a layout directory, or a tar archive. Each read is checked
 * against its descriptor: the size first (a mismatch is `E_DIGEST` before anything is read),
 * then the digest (whole reads at once, streams at their end).
 */
export class StoredImageSource implements ImageSource {
  private rootPromise: Promise<FetchedManifest> | undefined;
  private closed = false;

  constructor(
    readonly kind: SourceKind,
    readonly name: string,
    private readonly files: LayoutFiles,
    private readonly rootDescriptor: Descriptor,
    private readonly opts: StoredImageSourceOptions = {},
  ) {}

  root(): Promise<FetchedManifest> {
    this.rootPromise ??= this.manifest(this.rootDescriptor);
    return this.rootPromise;
  }

  async manifest(descriptor: Descriptor): Promise<FetchedManifest> {
    const what = `${this.name}: manifest ${descriptor.digest}`;
    if (descriptor.size > MAX_MANIFEST_BYTES) {
      throw new AnyarchError('E_LIMIT', `${what} is ${descriptor.size} bytes, more than the ${MAX_MANIFEST_BYTES} bytes anyarch reads`);
    }
    const bytes = await this.readVerified(descriptor, MAX_MANIFEST_BYTES, what);
    const manifest = parseManifest(bytes, what, descriptor.mediaType);
    return { descriptor: { ...descriptor, mediaType: manifest.mediaType }, bytes, manifest };
  }

  async blob(descriptor: Descriptor, limit: number): Promise<Uint8Array> {
    const what = `${this.name}: blob ${descriptor.digest}`;
    if (descriptor.size > limit) throw new AnyarchError('E_LIMIT', `${what} is ${descriptor.size} bytes, more than the ${limit} bytes anyarch reads`);
    return this.readVerified(descriptor, limit, what);
  }

  async blobStream(descriptor: Descriptor): Promise<Readable> {
    const what = `${this.name}: blob ${descriptor.digest}`;
    const inline = this.inline(descriptor, what);
    const verifier = new DigestVerifier(descriptor.digest, what, descriptor.size);
    if (inline) {
      verifier.end(inline);
      return verifier;
    }
    const p = await this.locate(descriptor, what);
    const src = this.files.stream(p);
    src.on('error', (e) => verifier.destroy(e instanceof AnyarchError ? e : new AnyarchError('E_SOURCE', `${what}: cannot be read (${e.message})`)));
    verifier.on('close', () => src.destroy());
    src.pipe(verifier);
    return verifier;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opts.onClose?.();
  }

  private check(): void {
    if (this.closed) throw new AnyarchError('E_SOURCE', `${this.name}: the source is closed`);
  }

  /** The descriptor's embedded `data`, when it has any (then nothing is read from the store). */
  private inline(d: Descriptor, what: string): Uint8Array | undefined {
    this.check();
    const memory = this.opts.memory?.get(d.digest);
    if (memory) return memory;
    if (typeof d.data !== 'string') return undefined;
    const bytes = Buffer.from(d.data, 'base64');
    if (bytes.length !== d.size) throw new AnyarchError('E_DIGEST', `${what}: its embedded data is ${bytes.length} bytes, but the descriptor declares ${d.size}`);
    return bytes;
  }

  /** Path of the blob, after checking it exists and has the declared size. */
  private async locate(d: Descriptor, what: string): Promise<string> {
    const p = this.opts.locate?.(d.digest) ?? blobPath(d.digest);
    const size = await this.files.size(p);
    if (size === undefined) {
      throw new AnyarchError('E_NOT_FOUND', `${what} (${d.mediaType}) is not in ${this.opts.storeName ?? 'the layout'} (no ${p})`, 'the layout or archive is incomplete: write it again with all its blobs (skopeo copy --all, or docker save)');
    }
    if (size !== d.size) throw new AnyarchError('E_DIGEST', `${what}: ${size} bytes, but its descriptor declares ${d.size}`, 'the content was altered in storage; nothing was used');
    return p;
  }

  private async readVerified(d: Descriptor, limit: number, what: string): Promise<Uint8Array> {
    let bytes = this.inline(d, what);
    if (!bytes) {
      const p = await this.locate(d, what);
      bytes = await this.files.read(p, limit);
    }
    if (bytes.length !== d.size) throw new AnyarchError('E_DIGEST', `${what}: ${bytes.length} bytes, but its descriptor declares ${d.size}`);
    verifyBytes(bytes, d.digest, what);
    return bytes;
  }
}

/**
 * Opens the OCI image layout in `dir` and selects its root: the index.json entry tagged `tag`
 * (a tag, a full reference like `docker.io/library/x:1` or a digest), or the only entry when no
 * tag is given. `E_NOT_FOUND` for a missing directory or an unknown tag (the message lists the
 * tags there are).
 */
export async function openOciLayout(dir: string, tag?: string): Promise<ImageSource> {
  const name = `oci:${dir}${tag ? `:${tag}` : ''}`;
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) {
      throw new AnyarchError('E_SOURCE', `oci:${dir}: not a directory`, st.isFile() ? `for a tar of an OCI layout use oci-archive:${dir}; for \`docker save\` output, docker-archive:${dir}` : undefined);
    }
  } catch (e) {
    if (e instanceof AnyarchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AnyarchError('E_NOT_FOUND', `oci:${dir}: no such directory`);
    throw new AnyarchError('E_SOURCE', `oci:${dir}: cannot be read (${(e as Error).message})`);
  }
  const files = new DirectoryFiles(dir, `oci:${dir}`);
  const { index } = await readLayoutIndex(files, `oci:${dir}`);
  const root = selectIndexEntry(index.manifests, tag, `oci:${dir}`, `oci:${dir}:TAG`);
  return new StoredImageSource('oci-layout', name, files, root);
}
