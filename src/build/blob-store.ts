/**
 * A content-addressed temporary OCI layout (`oci-layout`, `blobs/sha256/<hex>`) that `build`,
 * `assemble` and `merge` write new configs, manifests and layers into, and that serves them, with
 * the blobs it only borrows (a base layer in a registry, an engine's export), as one
 * {@link ImageSource}. Nothing borrowed is copied: a base image's layers stay where they are and
 * are read from there when something (a push, a verify, an archive writer) asks for them.
 *
 * Every write goes to a temporary file in the store and is renamed to its digest only once its
 * stream ended and was hashed, so a blob file is always whole. The directory is made with
 * {@link temporaryDirs} and removed by {@link BlobStore.close}; an interrupted CLI removes it
 * through its exit handlers. Every read, stored or borrowed, is checked against the descriptor
 * asked for (digest and size), as every source does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { temporaryDirs } from '../fs/temporary.js';
import { digestOf, parseDigest, type Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import type { ImageSource } from '../oci/source.js';
import { blobPath, DirectoryFiles, StoredImageSource, type LayoutFiles } from '../oci/sources/layout.js';

interface Borrowed {
  readonly descriptor: Descriptor;
  readonly open: () => Promise<Readable>;
}

/** Hashes (sha256) and counts what flows through. */
export class Hasher extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    cb(null, chunk);
  }

  /** the digest of everything that passed (call once, after the end) */
  digest(): Digest {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

export class BlobStore {
  private readonly stored = new Map<string, number>();
  private readonly borrowed = new Map<string, Borrowed>();
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly name: string,
  ) {}

  /**
   * A new, empty store: a private directory (0700) in `tmpDir` (default the system's), named
   * `anyarch-<name>-…`, registered with {@link temporaryDirs}.
   */
  static async create(opts: { tmpDir?: string; name?: string } = {}): Promise<BlobStore> {
    const name = opts.name ?? 'store';
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);
    const parent = opts.tmpDir ?? os.tmpdir();
    let dir: string | undefined;
    try {
      dir = await temporaryDirs.make(parent, `anyarch-${safe}-`);
      await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
      await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    } catch (e) {
      if (dir !== undefined) await temporaryDirs.remove(dir);
      throw new AnyarchError('E_INPUT', `cannot make a blob store in ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'TMPDIR (or the tmpDir option) names where temporary files go: a writable directory');
    }
    return new BlobStore(dir, name);
  }

  private check(): void {
    if (this.closed) throw new AnyarchError('E_INTERNAL', `blob store ${this.name} is closed`);
  }

  private file(digest: string): string {
    return path.join(this.dir, ...blobPath(digest).split('/'));
  }

  private temp(): string {
    return path.join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  /** Stores `bytes` (a manifest, a config, a small layer) and returns its descriptor (sha256). */
  async put(bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    this.check();
    const digest = digestOf(bytes);
    if (!this.stored.has(digest)) {
      const tmp = this.temp();
      try {
        await writeFile(tmp, bytes, { flag: 'wx' });
        await rename(tmp, this.file(digest));
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw this.writeError(e);
      }
      this.stored.set(digest, bytes.length);
    }
    return { mediaType, digest, size: bytes.length };
  }

  /**
   * Streams `stream` into the store, hashing while writing (a temporary file renamed to its digest
   * at the end); its size and digest are computed. A stream that fails leaves nothing behind.
   */
  async putStream(stream: Readable, mediaType: string): Promise<Descriptor> {
    this.check();
    const hasher = new Hasher();
    const tmp = this.temp();
    let digest: Digest;
    try {
      await pipeline(stream, hasher, createWriteStream(tmp, { flags: 'wx', highWaterMark: 1024 * 1024 }));
      digest = hasher.digest();
      if (this.stored.has(digest)) await unlink(tmp);
      else await rename(tmp, this.file(digest));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw this.writeError(e);
    }
    this.stored.set(digest, hasher.bytes);
    return { mediaType, digest, size: hasher.bytes };
  }

  private writeError(e: unknown): Error {
    if (isAnyarchError(e)) return e;
    if (this.closed) return new AnyarchError('E_INTERNAL', `blob store ${this.name} was closed while a blob was being written`);
    return new AnyarchError('E_INPUT', `blob store ${this.name}: a blob could not be written in ${this.dir} (${(e as Error).message})`, 'is the temporary directory full or not writable? (TMPDIR chooses it)', undefined, { cause: e });
  }

  /**
   * Records where a blob already lives (a base layer in a registry, an engine's export), without
   * copying it: the store's sources open it from there when it is read, and check it against
   * `descriptor` as they read it. A blob already stored is served from the store.
   */
  borrow(descriptor: Descriptor, open: () => Promise<Readable>): void {
    this.check();
    parseDigest(descriptor.digest, 'borrowed blob digest');
    if (!this.borrowed.has(descriptor.digest)) this.borrowed.set(descriptor.digest, { descriptor, open });
  }

  /** Whether the store holds or borrows `digest`. */
  has(digest: string): boolean {
    return this.stored.has(digest) || this.borrowed.has(digest);
  }

  /** Whether the blob is stored here (not only borrowed). */
  holds(digest: string): boolean {
    return this.stored.has(digest);
  }

  /**
   * An {@link ImageSource} (kind `oci-layout`) over the stored and borrowed blobs whose root is
   * `root` (a manifest or index in the store). Every read is verified against its descriptor;
   * closing it leaves the store open.
   */
  source(root: Descriptor, name?: string): ImageSource {
    this.check();
    if (!this.has(root.digest)) throw new AnyarchError('E_INTERNAL', `blob store ${this.name}: the root ${root.digest} is not in the store`);
    return new StoredImageSource('oci-layout', name ?? `${this.name}@${root.digest}`, new StoreFiles(this, this.dir, this.name), root, { storeName: `blob store ${this.name}` });
  }

  /** @internal where `blobs/<alg>/<hex>` comes from: stored here, borrowed, or nowhere */
  lookup(digest: string): { readonly stored: number } | Borrowed | undefined {
    if (this.closed) throw new AnyarchError('E_SOURCE', `blob store ${this.name} is closed`);
    const size = this.stored.get(digest);
    if (size !== undefined) return { stored: size };
    return this.borrowed.get(digest);
  }

  /** Removes the store's directory and forgets what it borrowed. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.borrowed.clear();
    await temporaryDirs.remove(this.dir);
  }
}

const BLOB_PATH_RE = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/;

/** The store's files as a layout: stored blobs from the directory, borrowed ones opened where they live. */
class StoreFiles implements LayoutFiles {
  private readonly disk: DirectoryFiles;

  constructor(
    private readonly store: BlobStore,
    dir: string,
    private readonly name: string,
  ) {
    this.disk = new DirectoryFiles(dir, `blob store ${name}`);
  }

  private where(p: string): ReturnType<BlobStore['lookup']> {
    const m = BLOB_PATH_RE.exec(p);
    return m ? this.store.lookup(`${m[1]}:${m[2]}`) : undefined;
  }

  async size(p: string): Promise<number | undefined> {
    const w = this.where(p);
    if (!w) return undefined;
    if ('stored' in w) return w.stored;
    return w.descriptor.size;
  }

  async read(p: string, limit: number): Promise<Uint8Array> {
    const w = this.where(p);
    if (!w) throw new AnyarchError('E_NOT_FOUND', `blob store ${this.name}: no ${p}`);
    if ('stored' in w) return this.disk.read(p, limit);
    const chunks: Buffer[] = [];
    let got = 0;
    for await (const chunk of await this.openBorrowed(w, p)) {
      got += (chunk as Buffer).length;
      if (got > limit) throw new AnyarchError('E_LIMIT', `blob store ${this.name}: ${p} is more than the ${limit} bytes anyarch reads`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  stream(p: string): Readable {
    const w = this.where(p);
    if (w && !('stored' in w)) {
      const out = new PassThrough({ highWaterMark: 1024 * 1024 });
      this.openBorrowed(w, p).then(
        (s) => {
          s.on('error', (e) => out.destroy(e));
          out.on('close', () => s.destroy());
          s.pipe(out);
        },
        (e: Error) => out.destroy(e),
      );
      return out;
    }
    return this.disk.stream(p);
  }

  private async openBorrowed(b: Borrowed, p: string): Promise<Readable> {
    try {
      return await b.open();
    } catch (e) {
      if (isAnyarchError(e)) throw e;
      throw new AnyarchError('E_SOURCE', `blob store ${this.name}: the borrowed ${p} cannot be opened (${(e as Error).message})`);
    }
  }
}
