/**
 * Looks up which platforms base images publish, for AA114/AA115: the index of each image from
 * its registry (one request per image, plus the config for single-platform images), kept in a
 * cache (`<cache dir>/platforms`, one JSON file per reference) for a day for tags and for ever
 * for digests. Failures become facts (`{ error }`), never exceptions, and are not cached.
 *
 * `lookUpBaseImages` is the whole step before a check: read the Dockerfiles, collect what their
 * stages pull (`baseImageRequirements`, the function the rules use), then ask the cache and the
 * registries. `resolveBaseImages` is the second half, for references already known.
 */
import * as path from 'node:path';
import { isAnyarchError } from '../errors.js';
import { defaultCacheDir, jsonCache, type JsonCache } from '../fs/cache.js';
import { buildModel } from '../dockerfile/model.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { eachLimited } from '../net/retry.js';
import { inspectPlatforms } from '../oci/platforms.js';
import { parseReference } from '../oci/reference.js';
import { formatPlatform, makePlatform, normalizePlatform, tryParsePlatform, type Platform } from '../platform/index.js';
import type { RegistryClient } from '../registry/client.js';
import { credentialedClient } from '../registry/credentialed.js';
import { registrySource } from '../registry/source.js';
import { baseImageRequirements, type BaseImageFact, type BaseImageFacts } from '../rules/support/base-image-requirements.js';
import { DEFAULT_PLATFORMS, defaultBuildPlatform } from './engine.js';

export interface ResolveBaseImagesOptions {
  readonly client: RegistryClient;
  /** anyarch's cache directory (answers go to its `platforms` folder); undefined: no cache */
  readonly cacheDir?: string;
  /** how long an answer for a tag is reused (default one day; digests never expire) */
  readonly ttlMs?: number;
  /** images looked up at once (default 8) */
  readonly concurrency?: number;
  readonly now?: () => number;
  /** called once per image looked up in a registry (not for cache hits): for progress */
  readonly onLookup?: (reference: string) => void;
}

/** What the cache keeps of an answer: the index digest and the platforms as words. */
interface StoredFact {
  readonly digest: string;
  readonly platforms: readonly string[];
}

/** An entry of the base-image cache of earlier versions (cache format 1, `<sha256 of reference>.json`). */
interface LegacyEntry extends StoredFact {
  readonly version: 1;
  readonly reference: string;
  readonly fetchedAt: number;
}

type Found = { readonly platforms: readonly Platform[]; readonly digest: string };

/** The digest a reference pins (`repo@sha256:…`), if any. */
function pinnedDigest(reference: string): string | undefined {
  const at = reference.indexOf('@');
  return at === -1 ? undefined : reference.slice(at + 1);
}

/** The answer a stored fact stands for, or undefined when it cannot answer for `reference`. */
function storedFound(stored: unknown, reference: string): Found | undefined {
  const s = stored as Partial<StoredFact> | null;
  if (typeof s?.digest !== 'string' || !Array.isArray(s.platforms)) return undefined;
  const pinned = pinnedDigest(reference);
  if (pinned !== undefined && s.digest !== pinned) return undefined;
  // a platform word this version cannot read is skipped, not a reason to ask again every run
  const platforms = s.platforms.map((p) => (typeof p === 'string' ? tryParsePlatform(p) : undefined)).filter((p): p is Platform => p !== undefined);
  return { platforms, digest: s.digest };
}

function platformCache(cacheDir: string, opts: ResolveBaseImagesOptions): JsonCache<Found> {
  const now = opts.now;
  return jsonCache<Found>({
    dir: path.join(cacheDir, 'platforms'),
    ...(opts.ttlMs !== undefined ? { ttlMs: opts.ttlMs } : {}),
    ...(now ? { now } : {}),
    immutable: (reference) => pinnedDigest(reference) !== undefined,
    read: storedFound,
    write: (fact): StoredFact => ({ digest: fact.digest, platforms: fact.platforms.map(formatPlatform) }),
    // answers earlier versions cached stay answers (a gate relying on one still holds while the registry is down)
    legacy(stored, reference) {
      const e = stored as Partial<LegacyEntry> | null;
      if (e?.version !== 1 || e.reference !== reference || typeof e.fetchedAt !== 'number') return undefined;
      const value = storedFound(e, reference);
      return value && { value, storedAt: e.fetchedAt };
    },
  });
}

async function lookup(reference: string, client: RegistryClient): Promise<Found> {
  const report = await inspectPlatforms(registrySource(client, parseReference(reference)), { details: false });
  return {
    digest: report.root.digest,
    // normalised (as the cache returns them), and only what can be pulled
    platforms: report.platforms.filter((p) => !p.error).map((p) => normalizePlatform(makePlatform(p.declared.os, p.declared.architecture, p.declared.variant ?? ''))),
  };
}

/** The platforms of each reference (normalised full references, as `baseImageRequirements` gives). */
export async function resolveBaseImages(references: Iterable<string>, opts: ResolveBaseImagesOptions): Promise<Map<string, BaseImageFact>> {
  // one clock reading for the whole run, so every entry is judged against the same moment
  const t = (opts.now ?? Date.now)();
  const cache = opts.cacheDir ? platformCache(opts.cacheDir, { ...opts, now: () => t }) : undefined;
  const out = new Map<string, BaseImageFact>();
  await eachLimited(new Set(references), opts.concurrency ?? 8, async (ref) => {
    const cached = await cache?.get(ref);
    if (cached) {
      out.set(ref, cached);
      return;
    }
    opts.onLookup?.(ref);
    try {
      const fact = await lookup(ref, opts.client);
      out.set(ref, fact);
      await cache?.set(ref, fact);
    } catch (e) {
      if (!isAnyarchError(e)) throw e;
      out.set(ref, { error: { code: e.code, message: e.message } });
    }
  });
  return out;
}

export interface LookUpBaseImagesOptions {
  /** target platforms (default `DEFAULT_PLATFORMS`, as the check's) */
  readonly platforms?: readonly Platform[];
  /** the build machine's platform (default `defaultBuildPlatform()`, as the check's) */
  readonly buildPlatform?: Platform;
  /** the registry client (default: `credentialedClient` of `env` and `insecureRegistries`) */
  readonly client?: RegistryClient;
  /** registries that may be spoken to over plain HTTP, for the default client */
  readonly insecureRegistries?: readonly string[];
  /**
   * how long one registry request may take, every try and its whole answer included, ms, for
   * the default client (default `DEFAULT_REQUEST_TIMEOUT_MS`, 30 s)
   */
  readonly timeoutMs?: number;
  /** the environment for credentials and the default cache directory (default: the process's) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** anyarch's cache directory (default `defaultCacheDir(env)`); false: no cache */
  readonly cacheDir?: string | false;
  /** called once before any image is looked up, with how many there are (none: not called) */
  readonly onStart?: (images: number) => void;
}

/**
 * What registries say about the base images of `dockerfiles` (their text, without a byte order
 * mark): every image a reachable stage pulls for a target platform (or the build platform) is
 * looked up once. A file that does not parse is skipped: the check reports it.
 */
export async function lookUpBaseImages(
  dockerfiles: Iterable<{ readonly file: string; readonly source: string; /** this file's own platforms (a per-architecture name), else `opts.platforms` */ readonly platforms?: readonly Platform[] }>,
  opts: LookUpBaseImagesOptions = {},
): Promise<BaseImageFacts> {
  const platforms = opts.platforms ?? DEFAULT_PLATFORMS;
  const build = opts.buildPlatform ?? defaultBuildPlatform();
  const references = new Set<string>();
  for (const { file, source, platforms: own } of dockerfiles) {
    try {
      const model = buildModel(parseDockerfile(source, file));
      for (const r of baseImageRequirements(model, own ?? platforms, build)) references.add(r.reference);
    } catch {
      // the check reports unreadable files, and a failure on this one, itself (for that file alone)
    }
  }
  if (references.size === 0) return new Map();
  opts.onStart?.(references.size);
  const env = opts.env ?? process.env;
  const client =
    opts.client ??
    credentialedClient({ env, ...(opts.insecureRegistries ? { insecureRegistries: opts.insecureRegistries } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
  const cacheDir = opts.cacheDir === false ? undefined : (opts.cacheDir ?? defaultCacheDir(env));
  return resolveBaseImages(references, { client, ...(cacheDir ? { cacheDir } : {}) });
}
