/**
 * A client of the OCI distribution API (`/v2/`): manifests, blobs and tags, with the auth flows
 * registries use (anonymous, Basic, Bearer tokens per scope), bounded retries, a connection
 * limit per host, and every byte checked against its digest.
 *
 * Transport rules: HTTPS unless the registry is on loopback or the user named it insecure;
 * credentials never leave for another host on redirect and never appear in an error.
 */
import { Readable } from 'node:stream';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { DigestVerifier, digestOf, isDigest, parseDigest, verifyBytes, type Digest } from '../oci/digest.js';
import { decodeJson, MAX_MANIFEST_BYTES, parseManifest, type Descriptor } from '../oci/manifest.js';
import { MANIFEST_ACCEPT } from '../oci/media.js';
import { isLoopbackRegistry, registryApiHost } from '../oci/reference.js';
import type { FetchedManifest } from '../oci/source.js';
import { basicAuthorization, fetchToken, parseChallenges, repositoryScope, type Challenge, type Token } from './auth.js';
import { redact, resolveCredential, type Credential } from './credentials.js';
import { discard, NetworkError, readBody, RETRYABLE_STATUS, send, serverUrl, toNetworkError, type HttpRequest, type HttpResponse } from '../net/http.js';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, Semaphore, sleep, type RetryPolicy } from '../net/retry.js';

export interface RepositoryRef {
  readonly registry: string;
  readonly repository: string;
}

/** Something worth showing on a progress line or in a debug log (no credentials in it). */
export type ClientEvent =
  | { readonly type: 'retry'; readonly what: string; readonly attempt: number; readonly waitMs: number; readonly reason: string }
  | { readonly type: 'token'; readonly registry: string; readonly scopes: readonly string[] };

export interface RegistryClientOptions {
  /** registries (host or host:port) that may be spoken to over plain HTTP; loopback always may */
  readonly insecureRegistries?: readonly string[];
  /** where credentials come from (default: the Docker config, `DOCKER_CONFIG`, credential helpers) */
  readonly credentials?: (registry: string) => Promise<Credential | undefined>;
  readonly retry?: Partial<RetryPolicy>;
  /** how long to wait for response headers, ms (default 30 s) */
  readonly timeoutMs?: number;
  /** requests in flight per registry host (default 6) */
  readonly maxConcurrentPerHost?: number;
  readonly userAgent?: string;
  readonly onEvent?: (e: ClientEvent) => void;
}

type AuthState = { readonly kind: 'none' } | { readonly kind: 'basic' } | { readonly kind: 'bearer'; readonly realm: string; readonly service?: string };

/** Largest error body read for its message. */
const MAX_ERROR_BODY = 64 * 1024;
/** Largest tags page read. */
const MAX_TAGS_PAGE = 8 * 1024 * 1024;
const MAX_TAG_PAGES = 1000;
/** Most tags listed for one repository. */
const MAX_TAGS = 1_000_000;

interface Exchange<T> {
  readonly registry: string;
  /** token scopes the request needs (empty for /v2/) */
  readonly scopes: readonly string[];
  readonly request: HttpRequest;
  /** reads the response; throwing a transient NetworkError or E_DIGEST retries the exchange */
  readonly handle: (res: HttpResponse) => Promise<T>;
  /** send once: the caller recovers from failures itself (upload chunks) */
  readonly noRetry?: boolean;
}

export interface PushBlobOptions {
  /** a repository of the same registry that may have the blob (cross-repository mount) */
  readonly mountFrom?: string;
  /** upload in PATCH chunks of this many bytes instead of one PUT */
  readonly chunkSize?: number;
  /** the caller has just seen that the repository lacks the blob: skip the HEAD */
  readonly knownMissing?: boolean;
}

export class RegistryClient {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly insecure: ReadonlySet<string>;
  private readonly credentialSource: (registry: string) => Promise<Credential | undefined>;
  private readonly auth = new Map<string, AuthState>();
  private readonly tokens = new Map<string, Token>();
  private readonly credentials = new Map<string, Promise<Credential | undefined>>();
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.userAgent = opts.userAgent ?? 'anyarch';
    this.insecure = new Set((opts.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    this.credentialSource = opts.credentials ?? ((r) => resolveCredential(r));
  }

  /** `http://` or `https://` plus the API host of a registry (`docker.io` is served by `registry-1.docker.io`). */
  baseUrl(registry: string): string {
    const host = registryApiHost(registry);
    return `${this.allowsHttp(registry) ? 'http' : 'https'}://${host}`;
  }

  private allowsHttp(host: string): boolean {
    return isLoopbackRegistry(host) || this.insecure.has(host.toLowerCase());
  }

  /** Checks that the registry speaks the v2 API and that anyarch can authenticate to it. */
  async ping(registry: string): Promise<void> {
    await this.exchange({
      registry,
      scopes: [],
      request: { method: 'GET', url: `${this.baseUrl(registry)}/v2/`, what: `registry ${registry}` },
      handle: async (res) => {
        if (res.status !== 200) throw await this.statusError(res, `registry ${registry}`);
        await discard(res);
      },
    });
  }

  /**
   * A manifest or index by tag or digest, verified: by digest, the bytes must hash to it; by
   * tag, to the registry's `Docker-Content-Digest` when it sends one. `expected` (a descriptor
   * from an index) also fixes the size.
   */
  async getManifest(repo: RepositoryRef, reference: string, expected?: Descriptor): Promise<FetchedManifest> {
    const { what, ...request } = this.manifestRequest(repo, reference, 'GET');
    return this.exchange({
      ...request,
      handle: async (res) => {
        if (res.status !== 200) throw await this.statusError(res, what);
        const bytes = await readBody(res, MAX_MANIFEST_BYTES, what);
        const digest = verifyManifestBytes(bytes, reference, res.headers.get('docker-content-digest'), what);
        if (expected && expected.size !== bytes.length) {
          throw new AnyarchError('E_DIGEST', `${what}: ${bytes.length} bytes, but its descriptor declares ${expected.size}`);
        }
        const manifest = parseManifest(bytes, what, res.headers.get('content-type') ?? expected?.mediaType);
        return { descriptor: { mediaType: manifest.mediaType, digest, size: bytes.length }, bytes, manifest };
      },
    });
  }

  private manifestRequest(repo: RepositoryRef, reference: string, method: 'GET' | 'HEAD'): { what: string; registry: string; scopes: string[]; request: HttpRequest } {
    const what = `manifest ${repo.registry}/${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    return {
      what,
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull'])],
      request: { method, url: `${this.baseUrl(repo.registry)}/v2/${repo.repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT.join(', ') }, what },
    };
  }

  /** HEAD of a manifest: its descriptor, or undefined when the registry does not have it. */
  async headManifest(repo: RepositoryRef, reference: string): Promise<Descriptor | undefined> {
    const { what, ...request } = this.manifestRequest(repo, reference, 'HEAD');
    return this.exchange({
      ...request,
      handle: async (res) => {
        await discard(res);
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw await this.statusError(res, what);
        const digest = res.headers.get('docker-content-digest');
        const length = res.headers.get('content-length');
        const size = length === null || length.trim() === '' ? NaN : Number(length);
        const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim();
        if (!digest || !isDigest(digest) || !Number.isSafeInteger(size) || size < 0 || !mediaType) {
          throw new AnyarchError('E_REGISTRY', `${what}: the registry's HEAD answer lacks Docker-Content-Digest, Content-Length or Content-Type`);
        }
        if (isDigest(reference) && digest !== reference) throw new AnyarchError('E_DIGEST', `${what}: the registry says its digest is ${digest}`);
        return { mediaType, digest, size };
      },
    });
  }

  /** A small blob (an image config) read whole and verified against its descriptor. */
  async getBlob(repo: RepositoryRef, desc: Descriptor, limit: number): Promise<Uint8Array> {
    const what = `blob ${desc.digest} of ${repo.registry}/${repo.repository}`;
    if (desc.size > limit) throw new AnyarchError('E_LIMIT', `${what}: ${desc.size} bytes is more than the ${limit} bytes anyarch reads`);
    return this.blobExchange(repo, desc.digest, what, {}, async (res) => {
      if (res.status !== 200) throw await this.statusError(res, what);
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
  async blobStream(repo: RepositoryRef, desc: Descriptor): Promise<Readable> {
    const what = `blob ${desc.digest} of ${repo.registry}/${repo.repository}`;
    return this.blobExchange(repo, desc.digest, what, {}, async (res) => {
      if (res.status !== 200) throw await this.statusError(res, what);
      const verifier = new DigestVerifier(desc.digest, what, desc.size);
      if (!res.body) {
        verifier.end();
        return verifier;
      }
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      body.on('error', (e) => verifier.destroy(toNetworkError(e, what, res.url)));
      // a consumer that stops, or a failed check, releases the connection
      verifier.on('close', () => body.destroy());
      // (a registry that stalls in the middle of a layer is ended by undici's body timeout; an
      // idle timer here would also fire while a slow consumer holds the stream back)
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
  async readBlobRange(repo: RepositoryRef, desc: Descriptor, start: number, end: number): Promise<Uint8Array> {
    const what = `bytes ${start}-${end} of blob ${desc.digest} of ${repo.registry}/${repo.repository}`;
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start && end < desc.size)) {
      throw new AnyarchError('E_USAGE', `${what}: not a range inside the blob's ${desc.size} bytes`);
    }
    const limit = end - start + 1;
    return this.blobExchange(repo, desc.digest, what, { range: `bytes=${start}-${end}` }, async (res) => {
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
      if (res.status !== 200) throw await this.statusError(res, what);
      // no range support: read the prefix we need from the whole body, then drop the rest
      const reader = res.body?.getReader();
      const chunks: Uint8Array[] = [];
      let have = 0;
      while (reader && have <= end) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        have += value.length;
      }
      await reader?.cancel().catch(() => undefined);
      const all = Buffer.concat(chunks, have);
      if (all.length <= end) throw new NetworkError(`${what}: the body ended after ${all.length} bytes`, true);
      return all.subarray(start, end + 1);
    });
  }

  /** Every tag of a repository, following `Link: <...>; rel="next"` pages. */
  async listTags(repo: RepositoryRef, pageSize = 1000): Promise<string[]> {
    const what = `tags of ${repo.registry}/${repo.repository}`;
    const tags: string[] = [];
    const visited = new Set<string>();
    let url: string | undefined = `${this.baseUrl(repo.registry)}/v2/${repo.repository}/tags/list?n=${pageSize}`;
    for (let page = 0; url; page++) {
      const current: string = url;
      if (page >= MAX_TAG_PAGES || tags.length > MAX_TAGS) throw new AnyarchError('E_LIMIT', `${what}: more than ${tags.length > MAX_TAGS ? `${MAX_TAGS} tags` : `${MAX_TAG_PAGES} pages`}; anyarch stops there`);
      if (visited.has(current)) throw new AnyarchError('E_REGISTRY', `${what}: the registry's next page is one it already sent (${new URL(current).search})`);
      visited.add(current);
      const { list, next } = await this.exchange({
        registry: repo.registry,
        scopes: [repositoryScope(repo.repository, ['pull'])],
        request: { method: 'GET', url: current, what },
        handle: async (res) => {
          if (res.status !== 200) throw await this.statusError(res, what);
          const bytes = await readBody(res, MAX_TAGS_PAGE, what);
          const r = decodeJson(bytes);
          if ('reason' in r || typeof r.value !== 'object' || r.value === null) throw new AnyarchError('E_REGISTRY', `${what}: the tag list is not a JSON object`);
          const json = r.value as { tags?: unknown };
          const list = Array.isArray(json.tags) ? json.tags.filter((t): t is string => typeof t === 'string') : [];
          return { list, next: nextLink(res.headers.get('link'), current, repo.registry) };
        },
      });
      tags.push(...list);
      url = next;
    }
    return tags;
  }

  /** Whether the repository has the blob (HEAD; 404 is false). */
  async hasBlob(repo: RepositoryRef, digest: Digest): Promise<boolean> {
    const what = `blob ${digest} of ${repo.registry}/${repo.repository}`;
    return this.exchange({
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull'])],
      request: { method: 'HEAD', url: this.blobUrl(repo, digest), what },
      handle: async (res) => {
        await discard(res);
        if (res.status === 200) return true;
        if (res.status === 404) return false;
        throw await this.statusError(res, what);
      },
    });
  }

  /**
   * Uploads a blob unless the repository has it: cross-repository mount first when `mountFrom`
   * names a repository of the same registry that has it, then one monolithic PUT, or PATCH
   * chunks of `chunkSize` bytes (resuming from the registry's `Range` after a broken chunk).
   * Returns how the blob got there.
   */
  async pushBlob(repo: RepositoryRef, desc: Descriptor, bytes: Uint8Array, opts: PushBlobOptions = {}): Promise<'exists' | 'mounted' | 'uploaded'> {
    const what = `upload of ${desc.digest} to ${repo.registry}/${repo.repository}`;
    verifyBytes(bytes, desc.digest, what);
    if (bytes.length !== desc.size) throw new AnyarchError('E_DIGEST', `${what}: ${bytes.length} bytes, but its descriptor declares ${desc.size}`);
    if (!opts.knownMissing && (await this.hasBlob(repo, desc.digest))) return 'exists';
    const scopes = [repositoryScope(repo.repository, ['pull', 'push'])];
    const mountFrom = opts.mountFrom && opts.mountFrom !== repo.repository ? opts.mountFrom : undefined;
    if (mountFrom) scopes.push(repositoryScope(mountFrom, ['pull']));
    const session = (mount: boolean): Promise<{ mounted: true } | { mounted: false; location: string }> => {
      const query = mount && mountFrom ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}` : '';
      return this.exchange({
        registry: repo.registry,
        scopes,
        request: { method: 'POST', url: `${this.baseUrl(repo.registry)}/v2/${repo.repository}/blobs/uploads/${query}`, headers: { 'content-length': '0' }, body: new Uint8Array(0), what },
        handle: async (res) => {
          if (res.status === 201 && query) return discard(res).then(() => ({ mounted: true as const }));
          if (res.status !== 202) throw await this.statusError(res, what);
          await discard(res);
          return { mounted: false as const, location: this.uploadLocation(res, what) };
        },
      });
    };
    const first = await session(true);
    if (first.mounted) return 'mounted';
    let location = first.location;
    const chunk = opts.chunkSize && opts.chunkSize > 0 && opts.chunkSize < bytes.length ? opts.chunkSize : 0;
    if (chunk) {
      let offset = 0;
      for (let failures = 0; offset < bytes.length; ) {
        const end = Math.min(bytes.length, offset + chunk);
        try {
          location = await this.exchange({
            registry: repo.registry,
            scopes,
            request: {
              method: 'PATCH',
              url: location,
              headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}`, 'content-length': String(end - offset) },
              body: bytes.subarray(offset, end),
              what,
            },
            handle: async (res) => {
              if (res.status !== 202) throw await this.statusError(res, what);
              await discard(res);
              return this.uploadLocation(res, what);
            },
            noRetry: true,
          });
          offset = end;
        } catch (e) {
          if (++failures >= this.policy.attempts || !(isAnyarchError(e) && (e.code === 'E_NETWORK' || e.code === 'E_REGISTRY'))) throw e;
          await sleep(backoffMs(this.policy, failures));
          // Where does the upload stand? The registry's Range on the current session says how
          // many bytes it has; a session it no longer knows (the chunk's answer was lost and
          // the state token moved on) or an empty one (`0-0` also means one byte) starts over.
          const status = await this.uploadStatus(repo, location, scopes, what).catch(() => undefined);
          if (status && status.received > 1 && status.received <= bytes.length) {
            location = status.location;
            offset = status.received;
          } else {
            const fresh = await session(false);
            if (fresh.mounted) return 'mounted';
            location = fresh.location;
            offset = 0;
          }
        }
      }
    }
    const put = new URL(location);
    put.searchParams.set('digest', desc.digest);
    try {
      await this.exchange({
        registry: repo.registry,
        scopes,
        request: {
          method: 'PUT',
          url: put.toString(),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk ? 0 : bytes.length) },
          body: chunk ? new Uint8Array(0) : bytes,
          what,
        },
        handle: async (res) => {
          if (res.status !== 201) throw await this.statusError(res, what);
          await discard(res);
          const got = res.headers.get('docker-content-digest');
          if (got && got !== desc.digest) throw new AnyarchError('E_DIGEST', `${what}: the registry stored it as ${got}`);
        },
      });
    } catch (e) {
      // a PUT whose answer was lost may still have completed
      if (isAnyarchError(e) && e.code !== 'E_DIGEST' && (await this.hasBlob(repo, desc.digest).catch(() => false))) return 'uploaded';
      throw e;
    }
    return 'uploaded';
  }

  private async uploadStatus(repo: RepositoryRef, location: string, scopes: readonly string[], what: string): Promise<{ location: string; received: number }> {
    return this.exchange({
      registry: repo.registry,
      scopes,
      request: { method: 'GET', url: location, what: `${what} (status)` },
      handle: async (res) => {
        if (res.status !== 204) throw await this.statusError(res, `${what} (status)`);
        await discard(res);
        const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get('range') ?? '');
        return { location: this.uploadLocation(res, what), received: range ? Number(range[1]) + 1 : 0 };
      },
    });
  }

  /**
   * The upload URL from a `Location` header, absolute (it may be relative, and carries state in
   * its query). A registry that sends it to plain HTTP where HTTPS is required is refused.
   */
  private uploadLocation(res: HttpResponse, what: string): string {
    const loc = res.headers.get('location');
    if (!loc) throw new AnyarchError('E_REGISTRY', `${what}: the registry gave no upload Location`);
    const url = serverUrl(loc, res.url, what, 'Location');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.allowsHttp(url.host))) {
      throw new AnyarchError('E_REGISTRY', `${what}: the registry sends the upload to ${url.protocol}//${url.host}, which is not HTTPS`);
    }
    return url.toString();
  }

  /**
   * PUTs a manifest or index under a tag or its digest. Children must be there first (the
   * registry may refuse an index whose manifests it lacks). Checks the digest the registry
   * reports against the bytes'.
   */
  async putManifest(repo: RepositoryRef, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    const what = `manifest ${repo.registry}/${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    if (bytes.length > MAX_MANIFEST_BYTES) throw new AnyarchError('E_LIMIT', `${what}: ${bytes.length} bytes is more than the ${MAX_MANIFEST_BYTES} bytes registries must accept`);
    const digest = digestOf(bytes);
    if (isDigest(reference) && reference !== digest) throw new AnyarchError('E_DIGEST', `${what}: the content's digest is ${digest}`);
    return this.exchange({
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
      request: {
        method: 'PUT',
        url: `${this.baseUrl(repo.registry)}/v2/${repo.repository}/manifests/${reference}`,
        headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
        body: bytes,
        what,
      },
      handle: async (res) => {
        if (res.status !== 201) throw await this.statusError(res, what);
        await discard(res);
        const got = res.headers.get('docker-content-digest');
        if (got && got !== digest) throw new AnyarchError('E_DIGEST', `${what}: the registry stored it as ${got}, not ${digest}`);
        return digest;
      },
    });
  }

  /** A GET of a blob, with `handle` reading the answer (inside the retries). */
  private blobExchange<T>(repo: RepositoryRef, digest: Digest, what: string, headers: Record<string, string>, handle: (res: HttpResponse) => Promise<T>): Promise<T> {
    return this.exchange({
      registry: repo.registry,
      scopes: [repositoryScope(repo.repository, ['pull'])],
      request: { method: 'GET', url: this.blobUrl(repo, digest), headers, what },
      handle,
    });
  }

  private blobUrl(repo: RepositoryRef, digest: Digest): string {
    return `${this.baseUrl(repo.registry)}/v2/${repo.repository}/blobs/${digest}`;
  }

  private semaphore(registry: string): Semaphore {
    let s = this.semaphores.get(registry);
    if (!s) {
      s = new Semaphore(this.opts.maxConcurrentPerHost ?? 6);
      this.semaphores.set(registry, s);
    }
    return s;
  }

  private credential(registry: string): Promise<Credential | undefined> {
    let c = this.credentials.get(registry);
    if (!c) {
      c = this.credentialSource(registry);
      this.credentials.set(registry, c);
    }
    return c;
  }

  /** The Authorization header for a request, from what the registry asked for before. */
  private async authorization(registry: string, scopes: readonly string[]): Promise<string | undefined> {
    const state = this.auth.get(registry);
    if (!state || state.kind === 'none') return undefined;
    const cred = await this.credential(registry);
    if (state.kind === 'basic') return basicAuthorization(cred);
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`;
    const token = await this.token(registry, state, scopes, false);
    return `Bearer ${token.value}`;
  }

  private async token(registry: string, state: Extract<AuthState, { kind: 'bearer' }>, scopes: readonly string[], fresh: boolean): Promise<Token> {
    const key = `${registry}|${scopes.join(' ')}`;
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expiresAt > Date.now()) return cached;
    const credential = await this.credential(registry);
    this.opts.onEvent?.({ type: 'token', registry, scopes });
    const token = await fetchToken({
      realm: state.realm,
      ...(state.service !== undefined ? { service: state.service } : {}),
      scopes,
      ...(credential ? { credential } : {}),
      allowHttp: (host) => this.allowsHttp(host),
      timeoutMs: this.timeoutMs,
      userAgent: this.userAgent,
      registry,
    });
    this.tokens.set(key, token);
    return token;
  }

  /** Learns the auth scheme from a 401's challenge; false when nothing can be done about it. */
  private async learn(registry: string, challenges: Challenge[], scopes: readonly string[]): Promise<boolean> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      const state = { kind: 'bearer' as const, realm: bearer.params.realm, ...(bearer.params.service !== undefined ? { service: bearer.params.service } : {}) };
      this.auth.set(registry, state);
      const cred = await this.credential(registry);
      if (!cred?.registryToken) await this.token(registry, state, scopes, true);
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const cred = await this.credential(registry);
      if (!basicAuthorization(cred)) {
        throw new AnyarchError('E_AUTH', `${registry}: the registry requires a login and no credentials were found`, 'log in (docker login), or point DOCKER_CONFIG at a config with credentials for it');
      }
      this.auth.set(registry, { kind: 'basic' });
      return true;
    }
    return false;
  }

  /** One request with auth, retries and the per-host limit; `handle` reads the answer. */
  private async exchange<T>(x: Exchange<T>): Promise<T> {
    const resendable = !(x.request.body instanceof Readable) && !x.noRetry;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse | undefined;
      try {
        res = await this.semaphore(x.registry).run(async () => {
          let r = await this.sendWithAuth(x);
          if (r.status === 401 && resendable) {
            const challenges = parseChallenges(r.headers.get('www-authenticate') ?? '');
            const known = this.auth.get(x.registry);
            await discard(r);
            const before = known?.kind ?? 'unknown';
            if (await this.learn(x.registry, challenges, x.scopes)) {
              r = await this.sendWithAuth(x);
              if (r.status === 401) {
                await discard(r);
                const cred = await this.credential(x.registry);
                throw new AnyarchError(
                  'E_AUTH',
                  `${x.request.what}: the registry refused ${cred ? 'the credentials' : 'anonymous access'} (HTTP 401${before === 'unknown' ? '' : ` with ${before} auth`})`,
                  cred ? 'check the credentials for this registry (docker login)' : 'log in (docker login), or point DOCKER_CONFIG at a config with credentials for it',
                );
              }
            } else {
              r = { ...r, body: null };
            }
          }
          return r;
        });
        if (RETRYABLE_STATUS.has(res.status) && attempt < this.policy.attempts && resendable) {
          const after = retryAfterMs(res.headers.get('retry-after'));
          await discard(res);
          if (after !== undefined && after > this.policy.maxRetryAfterMs) {
            throw new AnyarchError('E_REGISTRY', `${x.request.what}: HTTP ${res.status}; the registry asks to wait ${Math.ceil(after / 1000)} s before trying again`, 'try again later');
          }
          const wait = after ?? backoffMs(this.policy, attempt);
          this.opts.onEvent?.({ type: 'retry', what: x.request.what, attempt, waitMs: wait, reason: `HTTP ${res.status}` });
          await sleep(wait);
          continue;
        }
        return await x.handle(res);
      } catch (e) {
        const err = toNetworkError(e, x.request.what, x.request.url);
        // altered bytes are worth another read; a PUT the registry stored differently is not
        const reading = x.request.method === 'GET' || x.request.method === 'HEAD';
        const retryable = (err instanceof NetworkError && err.transient) || (err.code === 'E_DIGEST' && reading);
        if (retryable && resendable && attempt < this.policy.attempts) {
          const wait = backoffMs(this.policy, attempt);
          this.opts.onEvent?.({ type: 'retry', what: x.request.what, attempt, waitMs: wait, reason: this.redactKnown(err.message, x.registry) });
          await sleep(wait);
          continue;
        }
        throw await this.scrub(err, x.registry);
      }
    }
  }

  private async sendWithAuth(x: Exchange<unknown>): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...x.request.headers };
    // credentials go to the registry's own origin only, whatever URL it told us to use
    if (new URL(x.request.url).origin === new URL(this.baseUrl(x.registry)).origin) {
      const authorization = await this.authorization(x.registry, x.scopes);
      if (authorization && !/^[\x21-\x7e][\x20-\x7e]*$/.test(authorization)) {
        // a header fetch would refuse, quoting it: say so without the secret
        throw new AnyarchError('E_AUTH', `${x.registry}: the credential for this registry contains characters an HTTP header cannot carry`, 'check the registry token in your Docker config');
      }
      if (authorization) headers.authorization = authorization;
    }
    return send({ ...x.request, headers }, this.timeoutMs);
  }

  /** An error for a status that is not the one wanted, with the registry's own error code. */
  private async statusError(res: HttpResponse, what: string): Promise<AnyarchError> {
    let code = '';
    let message = '';
    try {
      const bytes = await readBody(res, MAX_ERROR_BODY, what);
      const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
      const first = json.errors?.[0];
      if (typeof first?.code === 'string') code = first.code;
      if (typeof first?.message === 'string') message = first.message.slice(0, 200);
    } catch {
      await discard(res);
    }
    const status = `HTTP ${res.status}${code ? ` ${code}` : ''}`;
    switch (res.status) {
      case 404:
        return new AnyarchError('E_NOT_FOUND', `${what}: not found (${status})`);
      case 401:
        return new AnyarchError('E_AUTH', `${what}: authentication required (${status})`, 'log in (docker login), or point DOCKER_CONFIG at a config with credentials for it');
      case 403:
        return new AnyarchError('E_AUTH', `${what}: access denied (${status})`);
      case 429:
        return new AnyarchError('E_REGISTRY', `${what}: rate limited by the registry (${status}) after ${this.policy.attempts} tries`, 'try again later');
      default:
        return new AnyarchError('E_REGISTRY', `${what}: ${status}${message ? `: ${message}` : ''}`);
    }
  }

  /** Makes sure no secret of this registry's credential is in an error's text. */
  private async scrub(err: AnyarchError, registry: string): Promise<AnyarchError> {
    const cred = await this.credential(registry).catch(() => undefined);
    const clean = (t: string): string => this.redactKnown(cred ? redact(t, cred) : t, registry);
    const message = clean(err.message);
    const hint = err.hint === undefined ? undefined : clean(err.hint);
    if (message === err.message && hint === err.hint) return err;
    return new AnyarchError(err.code, message, hint, err.location);
  }

  /** Replaces the tokens this client holds for a registry (they are secrets too) with `***`. */
  private redactKnown(text: string, registry: string): string {
    let out = text;
    for (const [key, token] of this.tokens) {
      if (key.startsWith(`${registry}|`) && token.value.length >= 8) out = out.split(token.value).join('***');
    }
    return out;
  }
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
