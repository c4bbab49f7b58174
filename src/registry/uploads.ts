/**
 * Writing to a registry (distribution spec "push"): blobs (cross-repository mount, one
 * monolithic PUT, or PATCH chunks that resume from the registry's offset after a lost chunk) and
 * manifests. A blob's content comes as bytes or as a {@link BlobOpener}, read as it goes out and
 * never held whole: memory stays at a chunk, whatever the layer's size. Every byte is hashed on
 * the way; content that does not match its descriptor (digest or size) is `E_DIGEST`, and the
 * upload is never committed: the last bytes of a monolithic PUT are held back until the digest
 * checks out, and the closing PUT of a chunked upload is not sent.
 */
import { Readable } from 'node:stream';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { discard, serverUrl, type HttpResponse } from '../net/http.js';
import { DigestVerifier, digestOf, isDigest, parseDigest, verifyBytes, type Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES, type Descriptor } from '../oci/manifest.js';
import { repositoryScope } from './auth.js';
import { blobUrl, blobWhat, manifestUrl, manifestWhat } from './reads.js';
import type { RegistryTransport, RepositoryRef } from './transport.js';

/**
 * Opens a blob's content as a fresh stream. Called once per attempt: a monolithic PUT that is
 * retried, or a chunked upload that must go back before what it has read, opens it again.
 */
export type BlobOpener = () => Promise<Readable>;

export interface PushBlobOptions {
  /** a repository of the same registry that may have the blob (cross-repository mount) */
  readonly mountFrom?: string;
  /** upload in PATCH chunks of this many bytes instead of one PUT */
  readonly chunkSize?: number;
  /** the caller has just seen that the repository lacks the blob: skip the HEAD */
  readonly knownMissing?: boolean;
}

/** Whether the repository has the blob (HEAD; 404 is false). */
export function hasBlob(t: RegistryTransport, repo: RepositoryRef, digest: Digest): Promise<boolean> {
  const what = blobWhat(repo, digest);
  return t.exchange({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull'])],
    request: { method: 'HEAD', url: blobUrl(t, repo, digest), what },
    handle: async (res) => {
      await discard(res);
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      throw await t.statusError(res, what);
    },
  });
}

/**
 * Uploads a blob unless the repository has it: cross-repository mount first when `mountFrom`
 * names a repository of the same registry that has it, then one monolithic PUT, or PATCH
 * chunks of `chunkSize` bytes (resuming from the registry's `Range` after a broken chunk).
 * Returns how the blob got there.
 */
export async function pushBlob(
  t: RegistryTransport,
  repo: RepositoryRef,
  desc: Descriptor,
  content: Uint8Array | BlobOpener,
  opts: PushBlobOptions = {},
): Promise<'exists' | 'mounted' | 'uploaded'> {
  const what = `upload of ${desc.digest} to ${repo.registry}/${repo.repository}`;
  if (content instanceof Uint8Array) {
    verifyBytes(content, desc.digest, what);
    if (content.length !== desc.size) throw new AnyarchError('E_DIGEST', `${what}: ${content.length} bytes, but its descriptor declares ${desc.size}`);
  } else {
    parseDigest(desc.digest, `digest of ${what}`);
  }
  const open: BlobOpener = content instanceof Uint8Array ? async () => Readable.from([content]) : content;
  if (!opts.knownMissing && (await hasBlob(t, repo, desc.digest))) return 'exists';
  const scopes = [repositoryScope(repo.repository, ['pull', 'push'])];
  const mountFrom = opts.mountFrom && opts.mountFrom !== repo.repository ? opts.mountFrom : undefined;
  if (mountFrom) scopes.push(repositoryScope(mountFrom, ['pull']));
  const session = (mount: boolean): Promise<Session> => {
    const query = mount && mountFrom ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}` : '';
    return t.exchange({
      registry: repo.registry,
      scopes,
      request: { method: 'POST', url: `${t.baseUrl(repo.registry)}/v2/${repo.repository}/blobs/uploads/${query}`, headers: { 'content-length': '0' }, body: new Uint8Array(0), what },
      handle: async (res) => {
        if (res.status === 201 && query) return discard(res).then(() => ({ mounted: true as const }));
        if (res.status !== 202) throw await t.statusError(res, what);
        await discard(res);
        return { mounted: false as const, location: uploadLocation(t, res, what) };
      },
    });
  };
  const first = await session(true);
  if (first.mounted) return 'mounted';
  // the session's URL: its state token moves on with every chunk
  const upload = { location: first.location };
  const chunk = opts.chunkSize && opts.chunkSize > 0 && opts.chunkSize < desc.size ? opts.chunkSize : 0;
  if (chunk) {
    const body = new UploadContent(open, desc, what);
    try {
      if ((await patchChunks(t, repo, scopes, what, body, chunk, upload, session)) === 'mounted') return 'mounted';
      await body.end();
    } catch (e) {
      if (isAnyarchError(e) && e.code === 'E_DIGEST') await cancelUpload(t, repo, scopes, upload.location, what);
      throw e;
    } finally {
      body.close();
    }
  }
  const location = upload.location;
  const put = new URL(location);
  put.searchParams.set('digest', desc.digest);
  try {
    await t.exchange({
      registry: repo.registry,
      scopes,
      request: {
        method: 'PUT',
        url: put.toString(),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk ? 0 : desc.size) },
        body: chunk ? new Uint8Array(0) : content instanceof Uint8Array ? content : async () => heldBack(new UploadContent(open, desc, what)),
        what,
      },
      handle: async (res) => {
        if (res.status !== 201) throw await t.statusError(res, what);
        await discard(res);
        const got = res.headers.get('docker-content-digest');
        if (got && got !== desc.digest) throw new AnyarchError('E_DIGEST', `${what}: the registry stored it as ${got}`);
      },
    });
  } catch (e) {
    if (isAnyarchError(e) && e.code === 'E_DIGEST') {
      // streamed content that failed its check: the session holds part of it
      if (!(content instanceof Uint8Array)) await cancelUpload(t, repo, scopes, location, what);
      throw e;
    }
    // a PUT whose answer was lost may still have completed
    if (isAnyarchError(e) && (await hasBlob(t, repo, desc.digest).catch(() => false))) return 'uploaded';
    throw e;
  }
  return 'uploaded';
}

type Session = { readonly mounted: true } | { readonly mounted: false; readonly location: string };

/**
 * Sends the content in PATCH chunks from the start of the session at `upload.location` (kept up
 * to date there, for the closing PUT or a cancel), each streamed as it is read. Whether a failed
 * chunk is worth another try, and how long to wait first (`Retry-After`, backoff), is the
 * client's one retry decision; a retry first looks at where the upload stands (the registry's
 * `Range`) and resumes there, or in a new session when the registry lost this one.
 */
async function patchChunks(
  t: RegistryTransport,
  repo: RepositoryRef,
  scopes: readonly string[],
  what: string,
  content: UploadContent,
  chunkSize: number,
  upload: { location: string },
  session: (mount: boolean) => Promise<Session>,
): Promise<'sent' | 'mounted'> {
  const size = content.size;
  let offset = 0;
  return t.retry(repo.registry, { method: 'PATCH', what }, async (attempt) => {
    if (attempt > 1) {
      // Where does the upload stand? The registry's Range on the current session says how
      // many bytes it has; a session it no longer knows (the chunk's answer was lost and
      // the state token moved on) or an empty one (`0-0` also means one byte) starts over.
      const status = await uploadStatus(t, repo, upload.location, scopes, what).catch(() => undefined);
      if (status && status.received > 1 && status.received <= size) {
        upload.location = status.location;
        offset = status.received;
      } else {
        const fresh = await session(false);
        if (fresh.mounted) return 'mounted';
        upload.location = fresh.location;
        offset = 0;
      }
    }
    while (offset < size) {
      // after a lost chunk the content is behind or ahead of the registry: skipTo re-opens it when it must go back
      await content.skipTo(offset);
      const end = Math.min(size, offset + chunkSize);
      upload.location = await t.exchange({
        registry: repo.registry,
        scopes,
        request: {
          method: 'PATCH',
          url: upload.location,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}`, 'content-length': String(end - offset) },
          body: async () => content.slice(end - offset),
          what,
        },
        handle: async (res) => {
          if (res.status !== 202) throw await t.statusError(res, what);
          await discard(res);
          return uploadLocation(t, res, what);
        },
        noRetry: true,
      });
      offset = end;
    }
    return 'sent';
  });
}

async function uploadStatus(t: RegistryTransport, repo: RepositoryRef, location: string, scopes: readonly string[], what: string): Promise<{ location: string; received: number }> {
  return t.exchange({
    registry: repo.registry,
    scopes,
    request: { method: 'GET', url: location, what: `${what} (status)` },
    handle: async (res) => {
      if (res.status !== 204) throw await t.statusError(res, `${what} (status)`);
      await discard(res);
      const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get('range') ?? '');
      return { location: uploadLocation(t, res, what), received: range ? Number(range[1]) + 1 : 0 };
    },
  });
}

/** Ends an upload session whose content failed its check (best effort: the registry purges stale ones anyway). */
async function cancelUpload(t: RegistryTransport, repo: RepositoryRef, scopes: readonly string[], location: string, what: string): Promise<void> {
  await t
    .exchange({
      registry: repo.registry,
      scopes,
      request: { method: 'DELETE', url: location, what: `${what} (cancel)` },
      handle: (res) => discard(res),
      noRetry: true,
    })
    .catch(() => undefined);
}

/**
 * The upload URL from a `Location` header, absolute (it may be relative, and carries state in
 * its query). A registry that sends it to plain HTTP where HTTPS is required is refused.
 */
function uploadLocation(t: RegistryTransport, res: HttpResponse, what: string): string {
  const loc = res.headers.get('location');
  if (!loc) throw new AnyarchError('E_REGISTRY', `${what}: the registry gave no upload Location`);
  const url = serverUrl(loc, res.url, what, 'Location');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && t.allowsHttp(url.host))) {
    throw new AnyarchError('E_REGISTRY', `${what}: the registry sends the upload to ${url.protocol}//${url.host}, which is not HTTPS`);
  }
  return url.toString();
}

/**
 * PUTs a manifest or index under a tag or its digest. Children must be there first (the
 * registry may refuse an index whose manifests it lacks). Checks the digest the registry
 * reports against the bytes'.
 */
export async function putManifest(t: RegistryTransport, repo: RepositoryRef, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
  const what = manifestWhat(repo, reference);
  if (bytes.length > MAX_MANIFEST_BYTES) throw new AnyarchError('E_LIMIT', `${what}: ${bytes.length} bytes is more than the ${MAX_MANIFEST_BYTES} bytes registries must accept`);
  const digest = digestOf(bytes);
  if (isDigest(reference) && reference !== digest) throw new AnyarchError('E_DIGEST', `${what}: the content's digest is ${digest}`);
  return t.exchange({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
    request: {
      method: 'PUT',
      url: manifestUrl(t, repo, reference),
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: bytes,
      what,
    },
    handle: async (res) => {
      if (res.status !== 201) throw await t.statusError(res, what);
      await discard(res);
      const got = res.headers.get('docker-content-digest');
      if (got && got !== digest) throw new AnyarchError('E_DIGEST', `${what}: the registry stored it as ${got}, not ${digest}`);
      return digest;
    },
  });
}

/**
 * A monolithic upload's body: the content as it is read, but the last piece only once the whole
 * has matched its descriptor, so a registry never receives all the bytes of content that fails
 * (its Content-Length is the descriptor's size: without the last bytes the request is never
 * complete, and the upload is not committed).
 */
async function* heldBack(content: UploadContent): AsyncGenerator<Uint8Array> {
  try {
    let held: Uint8Array | undefined;
    for (let piece = await content.next(); piece !== undefined; piece = await content.next()) {
      if (held) yield held;
      held = piece;
    }
    await content.end();
    if (held) yield held;
  } finally {
    content.close();
  }
}

/** What opening or reading a blob's content failed with: an AnyarchError as it is, else `E_SOURCE` saying `doing` and why. */
function sourceFailure(e: unknown, doing: string): AnyarchError {
  if (isAnyarchError(e)) return e;
  return new AnyarchError('E_SOURCE', `${doing} (${(e as Error).message ?? String(e)})`, undefined, undefined, { cause: e });
}

const NOT_COMMITTED = 'the content changed since its descriptor was made; nothing was committed';

/**
 * A blob's content read from its opener in pieces as they come, checked against the descriptor
 * (digest and size) by a {@link DigestVerifier}, which fails the stream at its end: so the last
 * piece is handed out only once the whole has checked out ({@link end}). Content that already
 * comes through a verifier of the same digest and size (what a source's `blobStream`, and so
 * `Image.blob()`, gives) is read as it is, not hashed twice. Going back (`skipTo` an offset
 * before what was read) opens the content again and reads up to there.
 */
class UploadContent {
  private stream: Readable | undefined;
  private iterator: AsyncIterator<unknown> | undefined;
  private rest: Uint8Array = new Uint8Array(0);
  private ended = false;
  /** bytes handed out since the content was (re)opened */
  private position = 0;

  constructor(
    private readonly open: BlobOpener,
    private readonly desc: Descriptor,
    private readonly what: string,
  ) {
    parseDigest(desc.digest, `digest of ${what}`);
  }

  get size(): number {
    return this.desc.size;
  }

  /** The next piece as the stream gave it (at most `max` bytes); undefined at the end. */
  async next(max = Number.POSITIVE_INFINITY): Promise<Uint8Array | undefined> {
    if (!(await this.fill())) return undefined;
    const piece = this.rest.length <= max ? this.rest : this.rest.subarray(0, max);
    this.rest = this.rest.subarray(piece.length);
    this.position += piece.length;
    return piece;
  }

  /** The next `n` bytes as they come (`E_DIGEST` when the content ends before). */
  async *slice(n: number): AsyncGenerator<Uint8Array> {
    for (let left = n; left > 0; ) {
      const piece = await this.next(left);
      if (piece === undefined) throw this.tooShort();
      left -= piece.length;
      yield piece;
    }
  }

  /** Moves to `offset`: reads up to it, after opening the content again when it lies behind. */
  async skipTo(offset: number): Promise<void> {
    if (offset < this.position || !this.iterator) await this.reopen();
    while (this.position < offset) {
      if ((await this.next(offset - this.position)) === undefined) throw this.tooShort();
    }
  }

  /** Reads what is left, to the verifier's check: `E_DIGEST` when the content differs from the descriptor. */
  async end(): Promise<void> {
    if (!this.iterator) await this.reopen();
    while (await this.fill()) {
      this.position += this.rest.length;
      this.rest = new Uint8Array(0);
    }
    if (this.position !== this.desc.size) throw this.tooShort();
  }

  tooShort(): AnyarchError {
    return new AnyarchError('E_DIGEST', `${this.what}: ${this.position} bytes, but its descriptor declares ${this.desc.size}`, NOT_COMMITTED);
  }

  close(): void {
    this.stream?.destroy();
    this.stream = undefined;
    this.iterator = undefined;
  }

  private async reopen(): Promise<void> {
    this.close();
    let opened: Readable;
    try {
      opened = await this.open();
    } catch (e) {
      throw sourceFailure(e, `${this.what}: opening the content failed`);
    }
    let stream: Readable;
    if (opened instanceof DigestVerifier && opened.checks(this.desc.digest, this.desc.size)) {
      stream = opened;
    } else {
      const verifier = new DigestVerifier(this.desc.digest, this.what, this.desc.size);
      opened.on('error', (e) => verifier.destroy(e));
      verifier.on('close', () => opened.destroy());
      opened.pipe(verifier);
      stream = verifier;
    }
    this.stream = stream;
    this.iterator = stream[Symbol.asyncIterator]();
    this.rest = new Uint8Array(0);
    this.ended = false;
    this.position = 0;
  }

  /** Makes `rest` non-empty from the stream; false at its end (where the content has checked out). */
  private async fill(): Promise<boolean> {
    if (!this.iterator) await this.reopen();
    while (this.rest.length === 0) {
      if (this.ended) return false;
      const iterator = this.iterator as AsyncIterator<unknown>;
      let r: IteratorResult<unknown>;
      try {
        r = await iterator.next();
        // a read of a stream closed meanwhile (re-opened after a lost chunk) counts for nothing
        if (iterator !== this.iterator) throw new AnyarchError('E_SOURCE', `${this.what}: the content was re-opened while a read of it was pending`);
      } catch (e) {
        if (isAnyarchError(e) && e.code === 'E_DIGEST') throw new AnyarchError('E_DIGEST', e.message, NOT_COMMITTED, undefined, { cause: e });
        throw sourceFailure(e, `${this.what}: reading the content failed`);
      }
      if (r.done) {
        this.ended = true;
        return false;
      }
      this.rest = r.value as Uint8Array;
    }
    return true;
  }
}
