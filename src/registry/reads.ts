/**
 * Reading from a registry (distribution spec "pull" and "content discovery"): ping, manifests by
 * tag or digest (GET, HEAD), blobs whole, as a stream or by byte range, and tag lists. Every byte
 * read whole is checked against its digest before it is returned; a stream fails at its end when
 * its content does not match.
 */
import type { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import { formatSeconds, MIN_STREAM_BYTES_PER_SECOND, watchStream } from '../net/deadline.js';
import { discard, NetworkError, origin, readBody, serverUrl, toNetworkError, type HttpResponse } from '../net/http.js';
import { DigestVerifier, digestOf, isDigest, parseDigest, verifyBytes, type Digest } from '../oci/digest.js';
import { decodeJson, MAX_MANIFEST_BYTES, parseManifest, type Descriptor } from '../oci/manifest.js';
import { MANIFEST_ACCEPT } from '../oci/media.js';
import type { FetchedManifest } from '../oci/source.js';
import { repositoryScope } from './auth.js';
import type { Exchange, RegistryTransport, RepositoryRef } from './transport.js';

/** Largest tags page read. */
const MAX_TAGS_PAGE = 8 * 1024 * 1024;
const MAX_TAG_PAGES = 1000;
/** Most tags listed for one repository. */
const MAX_TAGS = 1_000_000;

/** `manifest host/repo:tag` or `manifest host/repo@sha256:…`, for messages. */
export function manifestWhat(repo: RepositoryRef, reference: string): string {
  return `manifest ${repo.registry}/${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
}

/** `blob sha256:… of host/repo`, for messages. */
export function blobWhat(repo: RepositoryRef, digest: string): string {
  return `blob ${digest} of ${repo.registry}/${repo.repository}`;
}

export function blobUrl(t: RegistryTransport, repo: RepositoryRef, digest: Digest): string {
  return `${t.baseUrl(repo.registry)}/v2/${repo.repository}/blobs/${digest}`;
}

export function manifestUrl(t: RegistryTransport, repo: RepositoryRef, reference: string): string {
  return `${t.baseUrl(repo.registry)}/v2/${repo.repository}/manifests/${reference}`;
}

/** Checks that the registry speaks the v2 API and that anyarch can authenticate to it. */
export async function ping(t: RegistryTransport, registry: string): Promise<void> {
  await t.exchange({
    registry,
    scopes: [],
    request: { method: 'GET', url: `${t.baseUrl(registry)}/v2/`, what: `registry ${registry}` },
    handle: async (res) => {
      if (res.status !== 200) throw await t.statusError(res, `registry ${registry}`);
      await discard(res);
    },
  });
}

function manifestExchange<T>(t: RegistryTransport, repo: RepositoryRef, reference: string, method: 'GET' | 'HEAD', handle: (res: HttpResponse, what: string) => Promise<T>): Promise<T> {
  const what = manifestWhat(repo, reference);
  return t.exchange({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull'])],
    request: { method, url: manifestUrl(t, repo, reference), headers: { accept: MANIFEST_ACCEPT.join(', ') }, what },
    handle: (res) => handle(res, what),
  });
}

/**
 * A manifest or index by tag or digest, verified: by digest, the bytes must hash to it; by
 * tag, to the registry's `Docker-Content-Digest` when it sends one. `expected` (a descriptor
 * from an index) also fixes the size.
 */
export function getManifest(t: RegistryTransport, repo: RepositoryRef, reference: string, expected?: Descriptor): Promise<FetchedManifest> {
  return manifestExchange(t, repo, reference, 'GET', async (res, what) => {
    if (res.status !== 200) throw await t.statusError(res, what);
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, what);
    const digest = verifyManifestBytes(bytes, reference, res.headers.get('docker-content-digest'), what);
    if (expected && expected.size !== bytes.length) {
      throw new AnyarchError('E_DIGEST', `${what}: ${bytes.length} bytes, but its descriptor declares ${expected.size}`);
    }
    const manifest = parseManifest(bytes, what, res.headers.get('content-type') ?? expected?.mediaType);
    return { descriptor: { mediaType: manifest.mediaType, digest, size: bytes.length }, bytes, manifest };
  });
}

/** HEAD of a manifest: its descriptor, or undefined when the registry does not have it. */
export function headManifest(t: RegistryTransport, repo: RepositoryRef, reference: string): Promise<Descriptor | undefined> {
  return manifestExchange(t, repo, reference, 'HEAD', async (res, what) => {
    await discard(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await t.statusError(res, what);
    const digest = res.headers.get('docker-content-digest');
    const length = res.headers.get('content-length');
    const size = length === null || length.trim() === '' ? NaN : Number(length);
    const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim();
    if (!digest || !isDigest(digest) || !Number.isSafeInteger(size) || size < 0 || !mediaType) {
      throw new AnyarchError('E_REGISTRY', `${what}: the registry's HEAD answer lacks Docker-Content-Digest, Content-Length or Content-Type`);
    }
    if (isDigest(reference) && digest !== reference) throw new AnyarchError('E_DIGEST', `${what}: the registry says its digest is ${digest}`);
    return { mediaType, digest, size };
  });
}

/** A GET of a blob, with `handle` reading the answer (inside the retries). */
function blobExchange<T>(t: RegistryTransport, repo: RepositoryRef, digest: Digest, what: string, headers: Record<string, string>, handle: Exchange<T>['handle']): Promise<T> {
  return t.exchange({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull'])],
    request: { method: 'GET', url: blobUrl(t, repo, digest), headers, what },
    handle,
  });
}

/** A small blob (an image config) read whole and verified against its descriptor. */
export async function getBlob(t: RegistryTransport, repo: RepositoryRef, desc: Descriptor, limit: number): Promise<Uint8Array> {
  const what = blobWhat(repo, desc.digest);
  if (desc.size > limit) throw new AnyarchError('E_LIMIT', `${what}: ${desc.size} bytes is more than the ${limit} bytes anyarch reads`);
  return blobExchange(t, repo, desc.digest, what, {}, async (res) => {
    if (res.status !== 200) throw await t.statusError(res, what);
    const bytes = await readBody(res, limit, what);
    if (bytes.length !== desc.size) throw new AnyarchError('E_DIGEST', `${what}: ${bytes.length} bytes, but its descriptor declares ${desc.size}`);
    verifyBytes(bytes, desc.digest, what);
    return bytes;
  });
}

/**
 * A blob as a stream that fails with `E_DIGEST` at its end when the content does not match.
 * Retries cover getting the response; a break in the middle of the body ends the stream with
 * `E_NETWORK`.
 */
export function blobStream(t: RegistryTransport, repo: RepositoryRef, desc: Descriptor): Promise<Readable> {
  const what = blobWhat(repo, desc.digest);
  return blobExchange(t, repo, desc.digest, what, {}, async (res) => {
    if (res.status !== 200) throw await t.statusError(res, what);
    const verifier = new DigestVerifier(desc.digest, what, desc.size);
    if (!res.body) {
      verifier.end();
      return verifier;
    }
    const body = res.body;
    body.on('error', (e) => {
      let err: unknown = e;
      try {
        err = toNetworkError(e, what, res.url);
      } catch {
        // not the network's: passed on as it is, never thrown out of an event handler
      }
      verifier.destroy(err as Error);
    });
    // a consumer that stops, or a failed check, releases the connection
    verifier.on('close', () => body.destroy());
    // a layer may take longer than one request's timeout, but neither stay silent for it nor trickle
    const host = origin(res.url);
    const budgetMs = t.timeoutMs + Math.ceil((desc.size / MIN_STREAM_BYTES_PER_SECOND) * 1000);
    let received = 0;
    body.on('data', (c: Uint8Array) => (received += c.length));
    watchStream(body, verifier, {
      silenceMs: t.timeoutMs,
      budgetMs,
      silent: () => new NetworkError(`${what}: ${host} sent nothing for ${formatSeconds(t.timeoutMs)}`, true),
      slow: () =>
        new NetworkError(`${what}: ${host} sent ${received} of ${desc.size} bytes in ${formatSeconds(budgetMs)}, slower than the ${MIN_STREAM_BYTES_PER_SECOND / 1024} KiB/s anyarch waits for`, false),
    });
    body.pipe(verifier);
    return verifier;
  });
}

/**
 * Bytes `start` to `end` (inclusive) of a blob, with an HTTP Range request (distribution
 * answers 206). Partial content cannot be checked against the blob's digest: use this only to
 * peek (a file header) and read the whole blob before trusting anything. A registry that
 * ignores Range (200) is answered by reading up to the range from the full body.
 */
export async function readBlobRange(t: RegistryTransport, repo: RepositoryRef, desc: Descriptor, start: number, end: number): Promise<Uint8Array> {
  const what = `bytes ${start}-${end} of ${blobWhat(repo, desc.digest)}`;
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start && end < desc.size)) {
    throw new AnyarchError('E_USAGE', `${what}: not a range inside the blob's ${desc.size} bytes`);
  }
  const limit = end - start + 1;
  return blobExchange(t, repo, desc.digest, what, { range: `bytes=${start}-${end}` }, async (res) => {
    if (res.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== start || Number(range[2]) !== end) {
        await discard(res);
        throw new AnyarchError('E_REGISTRY', `${what}: the registry answered with another range (${res.headers.get('content-range') ?? 'no Content-Range'})`);
      }
      const bytes = await readBody(res, limit, what);
      if (bytes.length !== limit) throw new NetworkError(`${what}: the registry sent ${bytes.length} bytes`, true);
      return bytes;
    }
    if (res.status !== 200) throw await t.statusError(res, what);
    // no range support: read the prefix we need from the whole body, then drop the rest
    const chunks: Uint8Array[] = [];
    let have = 0;
    if (res.body) {
      try {
        // leaving the loop destroys the body
        for await (const value of res.body as AsyncIterable<Buffer>) {
          chunks.push(value);
          have += value.length;
          if (have > end) break;
        }
      } catch (e) {
        throw toNetworkError(e, what, res.url);
      }
    }
    const all = Buffer.concat(chunks, have);
    if (all.length <= end) throw new NetworkError(`${what}: the body ended after ${all.length} bytes`, true);
    return all.subarray(start, end + 1);
  });
}

/** Every tag of a repository, following `Link: <...>; rel="next"` pages. */
export async function listTags(t: RegistryTransport, repo: RepositoryRef, pageSize = 1000): Promise<string[]> {
  const what = `tags of ${repo.registry}/${repo.repository}`;
  const tags: string[] = [];
  const visited = new Set<string>();
  let url: string | undefined = `${t.baseUrl(repo.registry)}/v2/${repo.repository}/tags/list?n=${pageSize}`;
  for (let page = 0; url; page++) {
    const current: string = url;
    if (page >= MAX_TAG_PAGES || tags.length > MAX_TAGS) throw new AnyarchError('E_LIMIT', `${what}: more than ${tags.length > MAX_TAGS ? `${MAX_TAGS} tags` : `${MAX_TAG_PAGES} pages`}; anyarch stops there`);
    if (visited.has(current)) throw new AnyarchError('E_REGISTRY', `${what}: the registry's next page is one it already sent (${new URL(current).search})`);
    visited.add(current);
    const { list, next } = await t.exchange({
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull'])],
      request: { method: 'GET', url: current, what },
      handle: async (res) => {
        if (res.status !== 200) throw await t.statusError(res, what);
        const bytes = await readBody(res, MAX_TAGS_PAGE, what);
        const r = decodeJson(bytes);
        if ('reason' in r || typeof r.value !== 'object' || r.value === null) throw new AnyarchError('E_REGISTRY', `${what}: the tag list is not a JSON object`);
        const json = r.value as { tags?: unknown };
        const list = Array.isArray(json.tags) ? json.tags.filter((tag): tag is string => typeof tag === 'string') : [];
        return { list, next: nextLink(res.headers.get('link'), current, repo.registry) };
      },
    });
    tags.push(...list);
    url = next;
  }
  return tags;
}

/**
 * Checks manifest bytes: against the digest asked for, and against `Docker-Content-Digest` when
 * the registry sent one. Returns the digest of the bytes.
 */
function verifyManifestBytes(bytes: Uint8Array, reference: string, header: string | null, what: string): Digest {
  if (isDigest(reference)) {
    verifyBytes(bytes, reference, what);
    if (header && header !== reference && isDigest(header)) {
      throw new AnyarchError('E_DIGEST', `${what}: the registry says its digest is ${header}`);
    }
    return reference;
  }
  if (header) {
    const { algorithm } = parseDigest(header, `Docker-Content-Digest of ${what}`);
    verifyBytes(bytes, header, what);
    return digestOf(bytes, algorithm);
  }
  return digestOf(bytes);
}

/** The next page of a paginated list from an RFC 8288 `Link` header, same host only. */
function nextLink(link: string | null, current: string, registry: string): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  if (!m) return undefined;
  const next = serverUrl(m[1] as string, current, `tags of ${registry}`, 'Link');
  if (next.origin !== new URL(current).origin) {
    throw new AnyarchError('E_REGISTRY', `tags of ${registry}: the next page points to another host (${next.host})`);
  }
  return next.toString();
}
