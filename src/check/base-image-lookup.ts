/**
 * Looks up which platforms base images publish, for AA114/AA115: the index of each image from
 * its registry (one request per image, plus the config for single-platform images), kept in a
 * cache (`~/.cache/anyarch/platforms`, one JSON file per reference) for a day for tags and for
 * ever for digests. Failures become facts (`{ error }`), never exceptions, and are not cached.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAnyarchError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { inspectPlatforms } from '../oci/platforms.js';
import { parseReference } from '../oci/reference.js';
import { registrySource } from '../registry/source.js';
import { formatPlatform, makePlatform, normalizePlatform, tryParsePlatform, type Platform } from '../platform/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { BaseImageFact } from '../rules/support/base-image-requirements.js';

export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export interface ResolveBaseImagesOptions {
  readonly client: RegistryClient;
  /** where cached answers live; undefined: no cache */
  readonly cacheDir?: string;
  /** how long an answer for a tag is reused (default one day; digests never expire) */
  readonly ttlMs?: number;
  /** images looked up at once (default 8) */
  readonly concurrency?: number;
  readonly now?: () => number;
  /** called once per image looked up in a registry (not for cache hits): for progress */
  readonly onLookup?: (reference: string) => void;
}

/** `$ANYARCH_CACHE_DIR`, else `$XDG_CACHE_HOME/anyarch`, else `~/.cache/anyarch`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.ANYARCH_CACHE_DIR) return env.ANYARCH_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'anyarch');
}

interface CacheEntry {
  readonly version: 1;
  readonly reference: string;
  readonly digest: string;
  readonly platforms: readonly string[];
  readonly fetchedAt: number;
}

function cacheFile(dir: string, reference: string): string {
  return path.join(dir, 'platforms', `${createHash('sha256').update(reference).digest('hex')}.json`);
}

async function readCache(dir: string, reference: string, ttlMs: number, now: number): Promise<BaseImageFact | undefined> {
  try {
    const e = JSON.parse(await readFile(cacheFile(dir, reference), 'utf8')) as CacheEntry;
    if (e.version !== 1 || e.reference !== reference || !Array.isArray(e.platforms)) return undefined;
    const pinned = reference.includes('@') ? reference.slice(reference.indexOf('@') + 1) : undefined;
    if (pinned ? e.digest !== pinned : !(now - e.fetchedAt < ttlMs && e.fetchedAt <= now)) return undefined;
    // a platform word this version cannot read is skipped, not a reason to ask again every run
    const platforms = e.platforms.map((p) => tryParsePlatform(p)).filter((p): p is Platform => p !== undefined);
    return { platforms, digest: e.digest };
  } catch {
    return undefined; // missing or unreadable: ask the registry
  }
}

async function writeCache(dir: string, reference: string, fact: { platforms: readonly Platform[]; digest: string }, now: number): Promise<void> {
  const file = cacheFile(dir, reference);
  const entry: CacheEntry = { version: 1, reference, digest: fact.digest, platforms: fact.platforms.map(formatPlatform), fetchedAt: now };
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(entry) + '\n');
  } catch {
    // a cache that cannot be written only costs a lookup next time
  }
}

async function lookup(reference: string, client: RegistryClient): Promise<{ platforms: Platform[]; digest: string }> {
  const report = await inspectPlatforms(registrySource(client, parseReference(reference)), { details: false });
  return {
    digest: report.root.digest,
    // normalised (as the cache returns them), and only what can be pulled
    platforms: report.platforms.filter((p) => !p.error).map((p) => normalizePlatform(makePlatform(p.declared.os, p.declared.architecture, p.declared.variant ?? ''))),
  };
}

/** The platforms of each reference (normalised full references, as `baseImageRequirements` gives). */
export async function resolveBaseImages(references: Iterable<string>, opts: ResolveBaseImagesOptions): Promise<Map<string, BaseImageFact>> {
  const now = (opts.now ?? Date.now)();
  const ttl = opts.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const out = new Map<string, BaseImageFact>();
  const queue = [...new Set(references)];
  const worker = async (): Promise<void> => {
    for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) {
      const cached = opts.cacheDir ? await readCache(opts.cacheDir, ref, ttl, now) : undefined;
      if (cached) {
        out.set(ref, cached);
        continue;
      }
      opts.onLookup?.(ref);
      try {
        const fact = await lookup(ref, opts.client);
        out.set(ref, fact);
        if (opts.cacheDir) await writeCache(opts.cacheDir, ref, fact, now);
      } catch (e) {
        if (!isAnyarchError(e)) throw e;
        out.set(ref, { error: { code: e.code, message: e.message } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  return out;
}
