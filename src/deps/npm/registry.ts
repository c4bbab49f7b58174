/**
 * The npm registry as `deps` reads it: an {@link NpmMetadataSource} over HTTP, with an on-disk
 * cache (src/fs/cache.ts), an offline mode that reads only that cache, retries and a per-host
 * limit (src/net/retry.ts), and every failure answered as a value naming the package and what the
 * server said.
 *
 *   openNpmMetadata({ registry, cacheDir?, offline?, concurrency?, ttlMs?, signal?, onRequest?, token? })
 *
 * What it asks:
 * - `GET <registry>/<name>` (scoped names `@scope%2fname`, from the scope's own registry when
 *   one is given): the FULL packument, since the abbreviated one
 *   (`application/vnd.npm.install-v1+json`) has no `scripts`, `binary`, `gypfile` or `config`,
 *   and mirrors' abbreviated documents have lacked `libc` too (cnpm/cnpmcore#187). Of it only
 *   what {@link NpmManifest} needs is kept (install scripts only: `preinstall`, `install`,
 *   `postinstall`; packument.ts), cached in small entries: the version list of a name, and one
 *   entry per manifest asked for (a packument of thousands of versions would not fit the
 *   cache's 1 MiB entries). One source fetches a packument once, however many of its versions
 *   are asked for.
 * - for `installFacts` (every package of a lock that records no install scripts: npm v1, Yarn
 *   1), the abbreviated packument (`Accept: application/vnd.npm.install-v1+json`), of which each
 *   version's `hasInstallScript` and `os` are kept, cached per version as manifests are; a
 *   registry that answers the full document instead is read for its `scripts`. A manifest the
 *   source already has answers without a request.
 * - the tarball (`dist.tarball`, or the URL the caller names), streamed through gunzip and the
 *   tar reader of src/rootfs/tar.ts, keeping only entry names (`package/prebuilds/...`), its
 *   `dist.integrity` checked when the manifest gave one. Cached for good by tarball URL: a
 *   published version's tarball never changes.
 * - `HEAD <url>` for prebuild-install and node-pre-gyp assets, redirects followed as
 *   src/net/http.ts does (Authorization never leaves the registry's origin; the token is never
 *   sent to another host at all). 2xx is true; 404 and 410 are false; both cached for the TTL
 *   (a day by default). 403 is false too, not cached: S3 answers 403 for a missing key of a
 *   bucket that does not allow listing, and node-pre-gyp itself reads it as "pre-built binaries
 *   not found" and falls back to compiling (mapbox/node-pre-gyp#594, justmoon/node-bignum#98). A server that refuses HEAD (405, 501) is asked with a
 *   GET whose body is dropped.
 *
 * Nothing is cached from a failure (a network error, a 5xx after its retries, a garbage or
 * truncated answer). Offline, a cache miss is a failure saying so; offline entries are read
 * whatever their age (an old answer beats none when the network is not to be used).
 */
import { createHash } from '../../fs/hash.js';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';
import { Transform, type TransformCallback } from 'node:stream';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import { DEFAULT_CACHE_TTL_MS, MAX_CACHE_ENTRY_BYTES, cachePack, jsonCache, type CachePack, type JsonCache } from '../../fs/cache.js';
import { discard, isTemporaryStatus, NetworkError, origin, readBody, redactUserInfo, send, toNetworkError, type HttpResponse } from '../../net/http.js';
import { httpUrlProblem } from '../../net/url.js';
import { abortableSleep } from '../../net/deadline.js';
import { backoffMs, DEFAULT_RETRY, GIVE_UP, retryAfterMs, retrying, Semaphore, type RetryChoice, type RetryPolicy } from '../../net/retry.js';
import { readTar } from '../../rootfs/tar.js';
import type { InstallFacts, MetadataFailure, NpmManifest, NpmMetadataSource } from '../types.js';
import { installScripts } from './native.js';
import { conventionalTarball, isRecord, packumentPath, parseIntegrity, readInstallFacts, readPackument, storedInstallFacts, storedManifest, storedStrings, withSlash, type Packument } from './packument.js';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';
/** Requests in flight per host, by default. */
export const DEFAULT_NPM_CONCURRENCY = 16;
/** How long one try of a request may take (its body included), ms. */
export const DEFAULT_NPM_TIMEOUT_MS = 30_000;
/** Largest packument read: 64 MiB (sharp's full packument is a few MiB; a few huge non-native ones are larger and answer a failure). */
export const MAX_PACKUMENT_BYTES = 64 * 1024 * 1024;
/** Largest compressed tarball read for its file list: 64 MiB. */
export const MAX_TARBALL_BYTES = 64 * 1024 * 1024;
/** Largest uncompressed tar read: 512 MiB. */
export const MAX_TAR_BYTES = 512 * 1024 * 1024;
/** Most entry names one tarball's list may hold. */
export const MAX_TARBALL_FILES = 20_000;

export interface NpmMetadataOptions {
  /** the registry's URL (`https://registry.npmjs.org/`, or npm's configured one, which the caller reads) */
  readonly registry: string;
  /** where answers are cached (an `npm/` directory is made in it); none: nothing cached */
  readonly cacheDir?: string;
  /**
   * with `cacheDir`: what this source's questions are about (`deps` names the lockfiles), the
   * name of a pack (src/fs/cache.ts, `cachePack`) that keeps the cache entries they use together,
   * so that the next source of that name reads one file instead of one per answer; written by
   * `flush()`. The answers are the same with or without it.
   */
  readonly pack?: string;
  /** answer from the cache only; a miss is a failure */
  readonly offline?: boolean;
  /** requests in flight per host (default 16) */
  readonly concurrency?: number;
  /** how long a packument or HEAD answer is reused, ms (default a day) */
  readonly ttlMs?: number;
  /** ends every request (the caller's deadline or Ctrl-C) */
  readonly signal?: AbortSignal;
  /** called before each request goes out (never for a cache hit): `packument esbuild`, `tarball esbuild@0.28.2`, `HEAD https://...` */
  readonly onRequest?: (what: string) => void;
  /** a bearer token for the registry (sent to URLs under it only); never printed */
  readonly token?: string;
  /** registries of scopes (`@corp` -> its URL and token), as npm's `@corp:registry` lines say (see npmrc.ts) */
  readonly scopes?: Readonly<Record<string, { readonly registry: string; readonly token?: string }>>;
  /** how long one try of a request may take, its body included, ms (default 30 s) */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** the wait between tries (tests replace it) */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxPackumentBytes?: number;
  readonly maxTarballBytes?: number;
}

// node:zlib loads with the first tarball read (a warm cache reads none)
const require = createRequire(import.meta.url);
const createGunzip = (): ReturnType<typeof Zlib.createGunzip> => (require('node:zlib') as typeof Zlib).createGunzip();

/** A failure as the value the source answers. */
function failure(code: AnyarchError['code'], message: string, hint?: string): MetadataFailure {
  return metadataFailure(new AnyarchError(code, message, hint));
}

export { isMetadataFailure } from '../metadata-failure.js';
import { isMetadataFailure, metadataFailure } from '../metadata-failure.js';

// ---------------------------------------------------------------------------------------------
// The source

/** A body stream that counts and hashes what passes through it. */
class Hashing extends Transform {
  readonly hash;
  constructor(algorithm: string | undefined) {
    super();
    this.hash = algorithm ? createHash(algorithm) : undefined;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash?.update(chunk);
    done(null, chunk);
  }
}

interface StoredHead {
  readonly exists: boolean;
}

/**
 * Opens the registry as a metadata source. Nothing is asked until a question is; answers are
 * shared within the source (one packument request per name however many ask) and through the
 * cache between runs. A registry that is not an http(s) URL throws `E_USAGE`.
 */
export function openNpmMetadata(opts: NpmMetadataOptions): NpmMetadataSource {
  return new NpmRegistrySource(opts);
}

/** An http(s) registry URL with a trailing slash, or an `E_USAGE` error naming it (without its user-info). */
function registryUrl(given: string): string {
  const registry = withSlash(given);
  const why = httpUrlProblem(registry);
  if (why !== undefined) {
    throw new AnyarchError('E_USAGE', `the npm registry ${JSON.stringify(redactUserInfo(registry).slice(0, 200))} is not an http(s) URL (${why})`, 'give it as npm does: https://registry.npmjs.org/');
  }
  return new URL(registry).href;
}

class NpmRegistrySource implements NpmMetadataSource {
  private readonly registry: string;
  private readonly scopes = new Map<string, string>();
  /** registry URLs and their tokens, longest first: a request under one carries its token */
  private readonly tokens: { readonly prefix: string; readonly token: string }[] = [];
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly limit: number;
  private readonly semaphores = new Map<string, Semaphore>();
  private readonly packuments = new Map<string, Promise<Packument | undefined>>();
  private readonly fileLists = new Map<string, Promise<readonly string[] | MetadataFailure>>();
  private readonly heads = new Map<string, Promise<boolean | MetadataFailure>>();
  private readonly abbreviated = new Map<string, Promise<ReadonlyMap<string, InstallFacts> | undefined>>();
  /** hosts no connection could be made to (refused, no such host, no route), after a request's tries: not asked again by this source */
  private readonly unreachable = new Map<string, string>();
  private readonly manifestCache?: JsonCache<NpmManifest>;
  private readonly installCache?: JsonCache<InstallFacts>;
  private readonly versionsCache?: JsonCache<readonly string[]>;
  private readonly filesCache?: JsonCache<readonly string[]>;
  private readonly headCache?: JsonCache<StoredHead>;
  private readonly pack?: CachePack;

  constructor(private readonly opts: NpmMetadataOptions) {
    this.registry = registryUrl(opts.registry || DEFAULT_NPM_REGISTRY);
    if (opts.token) this.tokens.push({ prefix: this.registry, token: opts.token });
    for (const [scope, s] of Object.entries(opts.scopes ?? {})) {
      const r = registryUrl(s.registry);
      this.scopes.set(scope, r);
      if (s.token) this.tokens.push({ prefix: r, token: s.token });
    }
    this.tokens.sort((a, b) => b.prefix.length - a.prefix.length);
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_NPM_TIMEOUT_MS;
    this.limit = Math.max(1, opts.concurrency ?? DEFAULT_NPM_CONCURRENCY);
    if (opts.cacheDir) {
      const dir = path.join(opts.cacheDir, 'npm');
      // offline, an entry of any age is better than none
      const ttlMs = opts.offline ? Number.POSITIVE_INFINITY : (opts.ttlMs ?? DEFAULT_CACHE_TTL_MS);
      // one pack per registry and name: the same lockfiles asked of another registry are other answers
      const pack = (this.pack = opts.pack !== undefined ? cachePack(dir, `npm ${this.registry} ${opts.pack}`) : undefined);
      this.manifestCache = jsonCache({ dir, ttlMs, read: storedManifest, pack });
      this.installCache = jsonCache({ dir, ttlMs, read: storedInstallFacts, pack });
      this.versionsCache = jsonCache({ dir, ttlMs, read: storedStrings, pack });
      this.filesCache = jsonCache({ dir, ttlMs, immutable: () => true, read: storedStrings, pack });
      this.headCache = jsonCache({ dir, ttlMs, read: (v) => (isRecord(v) && typeof v.exists === 'boolean' ? { exists: v.exists } : undefined), pack });
    }
  }

  /** Writes the pack of this source's answers (`pack`), when it has one and it changed; never throws. */
  async flush(): Promise<void> {
    await this.pack?.save();
  }

  /** the registry of a name: its scope's, else the registry */
  private registryOf(name: string): string {
    return name.startsWith('@') ? (this.scopes.get(name.slice(0, name.indexOf('/'))) ?? this.registry) : this.registry;
  }

  // keys name the registry: two registries' answers for one name are two answers
  private key(kind: string, rest: string, registry = this.registry): string {
    return `npm-${kind} ${registry} ${rest}`;
  }

  private get secrets(): readonly string[] {
    return this.tokens.map((t) => t.token);
  }

  /** the token for a URL under one of the registries (the longest), else none */
  private tokenFor(url: string): string | undefined {
    return this.tokens.find((t) => url.startsWith(t.prefix))?.token;
  }

  async manifest(name: string, version: string): Promise<NpmManifest | undefined | MetadataFailure> {
    const key = this.key('manifest', `${name}@${version}`, this.registryOf(name));
    const cached = await this.manifestCache?.get(key);
    if (cached && cached.name === name && cached.version === version) return cached;
    const got = await this.packument(name);
    if (isMetadataFailure(got)) return got;
    const m = got?.manifests.get(version);
    if (m) await this.manifestCache?.set(key, m);
    return m;
  }

  async installFacts(name: string, version: string): Promise<InstallFacts | undefined | MetadataFailure> {
    const registry = this.registryOf(name);
    const key = this.key('install', `${name}@${version}`, registry);
    const cached = await this.installCache?.get(key);
    if (cached) return cached;
    // a manifest already at hand (cached, or its full packument fetched by this source) says it too
    const stored = await this.manifestCache?.get(this.key('manifest', `${name}@${version}`, registry));
    const full = stored?.name === name && stored.version === version ? stored : await this.packuments.get(name)?.then((p) => p?.manifests.get(version), () => undefined);
    if (full) return { hasInstallScript: installScripts(full) !== '', ...(full.os ? { os: full.os } : {}) };
    const what = `packument ${name} (abbreviated)`;
    const p = packumentPath(name);
    if (p === undefined) return failure('E_REGISTRY', `${what}: ${JSON.stringify(name.slice(0, 100))} is not an npm package name`);
    if (this.opts.offline) return this.offlineMiss(what);
    let pending = this.abbreviated.get(name);
    if (!pending) {
      pending = this.fetchInstallFacts(registry + p, name, what);
      this.abbreviated.set(name, pending);
    }
    try {
      const facts = (await pending)?.get(version);
      if (facts) await this.installCache?.set(key, facts);
      return facts;
    } catch (e) {
      return { error: asError(e, what) };
    }
  }

  /** The abbreviated packument as each version's install facts (a fifth to a tenth of the full one's bytes); `undefined`: no such package. */
  private fetchInstallFacts(url: string, name: string, what: string): Promise<ReadonlyMap<string, InstallFacts> | undefined> {
    return this.getPackument(url, what, 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8', (text, status) => readInstallFacts(name, text, what, status));
  }

  /** A packument's text (full or abbreviated, as `accept` asks) read by `read`; `undefined` for a 404. */
  private getPackument<T>(url: string, what: string, accept: string, read: (text: string, status: number) => T): Promise<T | undefined> {
    const max = this.opts.maxPackumentBytes ?? MAX_PACKUMENT_BYTES;
    return this.request(url, 'GET', what, { accept }, async (res) => {
      if (res.status === 404) {
        await discard(res);
        return undefined;
      }
      if (res.status !== 200) throw await statusError(res, what, this.policy.attempts, this.secrets);
      const body = await readBody(res, max, what);
      return read(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), res.status);
    });
  }

  async versions(name: string): Promise<readonly string[] | MetadataFailure> {
    const key = this.key('versions', name, this.registryOf(name));
    const cached = await this.versionsCache?.get(key);
    if (cached) return cached;
    const got = await this.packument(name);
    if (isMetadataFailure(got)) return got;
    return got?.versions ?? [];
  }

  /** The packument (once per source), `undefined` when the registry has no such package, or a failure. */
  private async packument(name: string): Promise<Packument | undefined | MetadataFailure> {
    const what = `packument ${name}`;
    const p = packumentPath(name);
    if (p === undefined) return failure('E_REGISTRY', `${what}: ${JSON.stringify(name.slice(0, 100))} is not an npm package name`);
    if (this.opts.offline) return this.offlineMiss(what);
    let pending = this.packuments.get(name);
    if (!pending) {
      pending = this.fetchPackument(name, p, what);
      this.packuments.set(name, pending);
    }
    try {
      return await pending;
    } catch (e) {
      return { error: asError(e, what) };
    }
  }

  private async fetchPackument(name: string, p: string, what: string): Promise<Packument | undefined> {
    const got = await this.getPackument(this.registryOf(name) + p, what, 'application/json', (text, status) => readPackument(name, text, what, status));
    if (got) await this.versionsCache?.set(this.key('versions', name, this.registryOf(name)), got.versions);
    return got;
  }

  async files(name: string, version: string, tarball?: string): Promise<readonly string[] | MetadataFailure> {
    let url = tarball;
    let integrity: string | undefined;
    if (url === undefined) {
      const m = await this.manifest(name, version);
      if (isMetadataFailure(m)) return m;
      if (m === undefined) return failure('E_NOT_FOUND', `tarball ${name}@${version}: the registry has no such version`);
      url = m.tarball ?? conventionalTarball(this.registryOf(name), name, version);
      integrity = m.integrity;
    }
    const what = `tarball ${name}@${version}`;
    const key = this.key('files', url);
    const cached = await this.filesCache?.get(key);
    if (cached) return cached;
    if (this.opts.offline) return this.offlineMiss(what);
    // a list is shared by the askers of one tarball with one expected integrity
    const memo = `${url} ${integrity ?? ''}`;
    let pending = this.fileLists.get(memo);
    if (!pending) {
      pending = this.fetchFiles(url, integrity, what).then(
        async (names) => {
          // an entry the cache would refuse to read is not written
          if (JSON.stringify(names).length < MAX_CACHE_ENTRY_BYTES - 4096) await this.filesCache?.set(key, names);
          return names;
        },
        (e: unknown) => ({ error: asError(e, what) }),
      );
      this.fileLists.set(memo, pending);
    }
    return pending;
  }

  private async fetchFiles(url: string, integrity: string | undefined, what: string): Promise<readonly string[]> {
    checkHttpUrl(url, what);
    const expected = parseIntegrity(integrity);
    const maxBytes = this.opts.maxTarballBytes ?? MAX_TARBALL_BYTES;
    return this.request(url, 'GET', what, {}, async (res) => {
      if (res.status !== 200) throw await statusError(res, what, this.policy.attempts, this.secrets);
      const declared = res.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) {
        res.body?.destroy();
        throw new AnyarchError('E_LIMIT', `${what}: ${declared} bytes is more than the ${maxBytes} bytes anyarch reads`);
      }
      const body = res.body;
      if (!body) throw new AnyarchError('E_REGISTRY', `${what}: the answer has no body`);
      const names: string[] = [];
      const hashing = new Hashing(expected?.algorithm);
      let compressed = 0;
      body.on('data', (c: Buffer) => {
        compressed += c.length;
        if (compressed > maxBytes) body.destroy(new AnyarchError('E_LIMIT', `${what}: more than the ${maxBytes} bytes anyarch reads`));
      });
      const gunzip = createGunzip();
      const fail = (e: unknown): void => {
        gunzip.destroy(e instanceof Error ? e : new Error(String(e)));
      };
      body.on('error', (e) => fail(res.signal?.aborted ? res.signal.reason : e));
      hashing.on('error', fail);
      body.pipe(hashing).pipe(gunzip);
      try {
        await readTar(
          gunzip,
          (entry) => {
            if (entry.kind === 'dir') return;
            if (names.length >= MAX_TARBALL_FILES) throw new AnyarchError('E_LIMIT', `${what}: more than ${MAX_TARBALL_FILES} files`);
            names.push(entry.path);
          },
          { what, maxBytes: MAX_TAR_BYTES },
        );
      } catch (e) {
        body.destroy();
        if (res.signal?.aborted) throw res.signal.reason;
        // a body cut short is the connection's fault (tried again), whatever gunzip made of it
        if (declared !== null && compressed < Number(declared) && !(isAnyarchError(e) && e.code === 'E_LIMIT')) {
          throw new NetworkError(`${what}: the body ended after ${compressed} of ${declared} bytes`, true, { cause: e });
        }
        if (isAnyarchError(e) && e.code !== 'E_SOURCE') throw e;
        const cause = (e as { code?: string }).code;
        if (cause === 'Z_DATA_ERROR' || cause === 'Z_BUF_ERROR' || (isAnyarchError(e) && e.code === 'E_SOURCE')) {
          throw new AnyarchError('E_REGISTRY', `${what}: the tarball from ${origin(url)} is not a whole gzipped tar (${(e as Error).message})`);
        }
        throw e;
      }
      const declaredLength = declared === null ? undefined : Number(declared);
      if (declaredLength !== undefined && compressed < declaredLength) {
        throw new NetworkError(`${what}: the body ended after ${compressed} of ${declared} bytes`, true);
      }
      if (expected && hashing.hash) {
        // read to the end so the digest covers every byte (the tar's trailing blocks)
        const digest = hashing.hash.digest('base64');
        if (digest !== expected.digest) throw new AnyarchError('E_DIGEST', `${what}: the tarball's ${expected.algorithm} is not the integrity the registry names`);
      }
      return names;
    });
  }

  async exists(url: string): Promise<boolean | MetadataFailure> {
    const what = `HEAD ${redactUserInfo(url)}`;
    try {
      checkHttpUrl(url, what);
    } catch (e) {
      return { error: asError(e, what) };
    }
    const key = this.key('head', url);
    const cached = await this.headCache?.get(key);
    if (cached) return cached.exists;
    if (this.opts.offline) return this.offlineMiss(what);
    let pending = this.heads.get(url);
    if (!pending) {
      pending = this.fetchHead(url, what).then(
        async ({ exists, cache }) => {
          if (cache) await this.headCache?.set(key, { exists });
          return exists;
        },
        (e: unknown) => ({ error: asError(e, what) }),
      );
      this.heads.set(url, pending);
    }
    return pending;
  }

  private async fetchHead(url: string, what: string): Promise<{ exists: boolean; cache: boolean }> {
    const answer = async (res: HttpResponse): Promise<{ exists: boolean; cache: boolean } | 'refused'> => {
      await discard(res);
      if (res.status >= 200 && res.status < 300) return { exists: true, cache: true };
      if (res.status === 404 || res.status === 410) return { exists: false, cache: true };
      if (res.status === 403) return { exists: false, cache: false };
      if (res.status === 405 || res.status === 501) return 'refused';
      throw await statusError(res, what, this.policy.attempts, this.secrets);
    };
    const head = await this.request(url, 'HEAD', what, {}, answer);
    if (head !== 'refused') return head;
    const get = await this.request(url, 'GET', what.replace(/^HEAD/, 'GET'), { range: 'bytes=0-0' }, async (res) => {
      const a = await answer(res);
      if (a === 'refused') throw new AnyarchError('E_REGISTRY', `${what}: the server refuses both HEAD and GET (${res.status})`);
      return a;
    });
    return get;
  }

  private offlineMiss(what: string): MetadataFailure {
    return failure('E_NOT_FOUND', `${what}: not in the cache; run without --offline once`);
  }

  private semaphore(url: string): Semaphore {
    const host = origin(url);
    let s = this.semaphores.get(host);
    if (!s) {
      s = new Semaphore(this.limit);
      this.semaphores.set(host, s);
    }
    return s;
  }

  /**
   * One request, its tries and its answer's reading: `handle` reads the answer (a temporary
   * status never reaches it: it is retried). Each try, its body included, must end within the
   * timeout, counted once it has its turn under the host's limit; the caller's signal ends it all.
   */
  private async request<T>(url: string, method: 'GET' | 'HEAD', what: string, headers: Record<string, string>, handle: (res: HttpResponse) => Promise<T>): Promise<T> {
    const host = origin(url);
    const down = this.unreachable.get(host);
    // a lock of thousands of packages asks thousands of questions: a host that cannot be reached is tried once, not once per question
    if (down !== undefined) throw new NetworkError(`${what}: not asked, since ${host} could not be reached (${down})`, false);
    const h: Record<string, string> = { 'user-agent': 'anyarch', ...headers };
    // a token goes to URLs under its registry only (and send drops it on a redirect to another origin)
    const token = this.tokenFor(url);
    if (token) h.authorization = `Bearer ${token}`;
    const attempt = (): Promise<T> =>
      this.semaphore(url).run(async () => {
        const signals = [AbortSignal.timeout(this.timeoutMs)];
        if (this.opts.signal) signals.push(this.opts.signal);
        const signal = AbortSignal.any(signals);
        this.opts.onRequest?.(what);
        try {
          const res = await send({ method, url, headers: h, what }, { signal, timeoutMs: this.timeoutMs });
          if (isTemporaryStatus(res.status)) throw await statusError(res, what, this.policy.attempts, this.secrets);
          return await handle(res);
        } catch (e) {
          throw toNetworkError(e, what, url);
        }
      });
    const decide = (e: unknown, n: number): RetryChoice => {
      if (this.opts.signal?.aborted) return GIVE_UP;
      if (e instanceof StatusError && isTemporaryStatus(e.status)) {
        const after = retryAfterMs(e.retryAfter);
        if (after !== undefined && after > this.policy.maxRetryAfterMs) return GIVE_UP;
        return { retry: true, waitMs: after ?? backoffMs(this.policy, n), reason: `${e.status}` };
      }
      if (e instanceof NetworkError && e.transient) return { retry: true, waitMs: backoffMs(this.policy, n), reason: e.message };
      return GIVE_UP;
    };
    const signal = this.opts.signal;
    const sleep = this.opts.sleep ?? (signal ? (ms: number) => abortableSleep(ms, signal) : undefined);
    try {
      return await retrying(this.policy, attempt, decide, sleep ? { sleep } : {});
    } catch (e) {
      // the caller's abort during a wait between tries ends it as an abort during a try does
      const error = toNetworkError(e, what, url);
      const code = connectCode(error);
      if (code !== undefined && !this.opts.signal?.aborted) this.unreachable.set(host, code);
      throw error;
    }
  }
}

/** Error codes of a connection that was never made: the host is not there for any question. */
const CONNECT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The code of a network failure to connect at all (`ECONNREFUSED`...), from the error or its causes. */
function connectCode(e: unknown): string | undefined {
  if (!(e instanceof NetworkError)) return undefined;
  for (let c: unknown = e.cause, i = 0; i < 4 && c; i++, c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return CONNECT_CODES.has(code) ? code : undefined;
  }
  return undefined;
}

/** An error status, with what a retry needs to know of it. */
class StatusError extends AnyarchError {
  constructor(
    code: AnyarchError['code'],
    message: string,
    readonly status: number,
    readonly retryAfter: string | null,
    hint?: string,
  ) {
    super(code, message, hint);
  }
}

/** The error for an unexpected status, with a line of the server's own words when it sent some. */
async function statusError(res: HttpResponse, what: string, attempts: number, secrets: readonly string[]): Promise<StatusError> {
  let said = '';
  try {
    const body = res.body ? Buffer.from(await readBody(res, 4096, what)).toString('utf8') : '';
    const text = (() => {
      try {
        const j = JSON.parse(body) as unknown;
        if (isRecord(j)) {
          const e = j.error ?? j.message ?? j.reason;
          if (typeof e === 'string') return e;
        }
      } catch {
        // not JSON: its first line
      }
      return body;
    })();
    // a server that echoes a token back does not get it printed: scrubbed before the line is cut,
    // so that no cut leaves a prefix of a secret
    const whole = secrets.reduce((text, secret) => text.split(secret).join('***'), text.split('\n')[0]!);
    const scrubbed = redactUserInfo(whole).replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 200);
    if (scrubbed) said = `: ${scrubbed}`;
  } catch {
    // the words are a courtesy
  }
  const tries = isTemporaryStatus(res.status) && attempts > 1 ? ` (after ${attempts} tries)` : '';
  const host = origin(res.url);
  if (res.status === 401 || res.status === 403) {
    return new StatusError('E_AUTH', `${what}: ${host} answered ${res.status}${said}`, res.status, null, 'the registry wants credentials: log in with npm (npm login) or pass a token; anyarch reads npm\'s configured registry');
  }
  return new StatusError('E_REGISTRY', `${what}: ${host} answered ${res.status}${said}${tries}`, res.status, res.headers.get('retry-after'));
}

function checkHttpUrl(url: string, what: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AnyarchError('E_REGISTRY', `${what}: not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AnyarchError('E_REGISTRY', `${what}: ${u.protocol} URLs are not fetched; only http and https`);
  if (u.username !== '' || u.password !== '') throw new AnyarchError('E_REGISTRY', `${what}: a URL with user-info is not fetched`);
}

/** What a failed question answers: the AnyarchError, or one naming the question for anything else. */
function asError(e: unknown, what: string): AnyarchError {
  if (isAnyarchError(e)) return e;
  return new AnyarchError('E_INTERNAL', `${what}: ${(e as Error).message ?? String(e)}`, undefined, undefined, { cause: e });
}
