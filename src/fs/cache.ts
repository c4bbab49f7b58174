/**
 * A small on-disk cache of JSON answers: one file per key (named by the key's SHA-256, so any
 * key is a safe file name), written atomically. An entry of a mutable key (a tag, a package
 * name) is fresh for `ttlMs`; an entry of an immutable key (a digest) never expires. A missing,
 * stale, unreadable or unacceptable entry reads as absent, and a write that fails is dropped:
 * a cache only ever saves a request, it never causes a failure. It knows nothing of what it
 * stores; callers decide what to keep (answers, never failures) and what a stored value means.
 *
 * Entries are versioned by file name as well as by content, so that two versions of anyarch
 * sharing a cache directory never overwrite each other's answers: this format (2) is
 * `<sha256 of key>.v2.json` holding `{ version: 2, key, storedAt, value }`. Format 1 was the
 * base-image cache of earlier versions, `<sha256 of key>.json` in a shape of its own: a cache
 * that existed then reads those entries through `legacy` (still subject to the TTL) and never
 * rewrites them.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { readRegularFileSync } from './bounded-read.js';

/** The format of the entries this version writes (see above); another version's entries are not read as this one's. */
export const CACHE_FORMAT_VERSION = 2;

/**
 * The largest cache entry read (an entry is a few hundred bytes to a few KiB); a larger file,
 * or one that is not a regular file, reads as absent (the answer is asked for again), and no
 * more than this is read of it.
 */
export const MAX_CACHE_ENTRY_BYTES = 1024 * 1024;

/** One day: how long an answer for a mutable key is reused unless a cache says otherwise. */
export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/** `$ANYARCH_CACHE_DIR`, else `$XDG_CACHE_HOME/anyarch`, else `~/.cache/anyarch`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.ANYARCH_CACHE_DIR) return env.ANYARCH_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'anyarch');
}

export interface JsonCacheOptions<T> {
  /** the directory of this cache's entries (created on the first write) */
  readonly dir: string;
  /** how long an entry of a mutable key is fresh (default one day) */
  readonly ttlMs?: number;
  /** keys whose answer cannot change (content-addressed): their entries never expire */
  readonly immutable?: (key: string) => boolean;
  /** the value a stored JSON value stands for, or undefined when this version cannot use it */
  readonly read: (stored: unknown, key: string) => T | undefined;
  /** the JSON value to store for `value` (default: the value itself) */
  readonly write?: (value: T) => unknown;
  /**
   * Reads an entry of format 1 (`<sha256 of key>.json`, written by earlier versions in their own
   * shape): the value and when it was stored, or undefined when it is not one. Consulted only
   * when there is no fresh entry of the current format; such entries are never written.
   */
  readonly legacy?: (stored: unknown, key: string) => { readonly value: T; readonly storedAt: number } | undefined;
  readonly now?: () => number;
}

export interface JsonCache<T> {
  /** the fresh, readable entry of `key`, or undefined */
  get(key: string): Promise<T | undefined>;
  /** stores `value` for `key`; never throws (a cache that cannot be written costs a request later) */
  set(key: string, value: T): Promise<void>;
}

/** What a cache file holds. `key` guards against hash collisions and foreign files. */
interface Entry {
  readonly version: typeof CACHE_FORMAT_VERSION;
  readonly key: string;
  readonly storedAt: number;
  readonly value: unknown;
}

/**
 * The parsed JSON of a file, or undefined when it is missing, unreadable, too large or not a
 * regular file. Read synchronously: an entry is a few KiB, and a warm `deps` reads thousands of
 * them, which the asynchronous read (stat, open, fstat, read, close: five trips through libuv's
 * thread pool each) made 4-10x slower (2,000 entries: 0.4-1.1 s against 0.1 s).
 */
async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(readRegularFileSync(file, MAX_CACHE_ENTRY_BYTES).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function jsonCache<T>(opts: JsonCacheOptions<T>): JsonCache<T> {
  const ttl = opts.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');
  const fileOf = (key: string): string => path.join(opts.dir, `${hashOf(key)}.v${CACHE_FORMAT_VERSION}.json`);
  const fresh = (key: string, storedAt: number): boolean => {
    if (opts.immutable?.(key)) return true;
    const t = now();
    return t - storedAt < ttl && storedAt <= t;
  };
  const current = async (key: string): Promise<T | undefined> => {
    const entry = (await readJson(fileOf(key))) as Partial<Entry> | null | undefined;
    if (entry?.version !== CACHE_FORMAT_VERSION || entry.key !== key || typeof entry.storedAt !== 'number') return undefined;
    if (!fresh(key, entry.storedAt)) return undefined;
    return opts.read(entry.value, key);
  };
  const legacy = async (key: string): Promise<T | undefined> => {
    if (!opts.legacy) return undefined;
    const stored = await readJson(path.join(opts.dir, `${hashOf(key)}.json`));
    if (stored === undefined) return undefined;
    const entry = opts.legacy(stored, key);
    return entry && typeof entry.storedAt === 'number' && fresh(key, entry.storedAt) ? entry.value : undefined;
  };
  /** `undefined` when the reader throws: an entry this version cannot use is no entry */
  const attempt = async (read: (key: string) => Promise<T | undefined>, key: string): Promise<T | undefined> => {
    try {
      return await read(key);
    } catch {
      return undefined;
    }
  };
  return {
    async get(key) {
      return (await attempt(current, key)) ?? (await attempt(legacy, key));
    },
    async set(key, value) {
      try {
        const file = fileOf(key);
        const entry: Entry = { version: CACHE_FORMAT_VERSION, key, storedAt: now(), value: opts.write ? opts.write(value) : value };
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, JSON.stringify(entry) + '\n');
      } catch {
        // a cache that cannot be written (or a value that cannot be stored) only costs a request next time
      }
    },
  };
}
