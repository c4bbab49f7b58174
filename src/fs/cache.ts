/**
 * A small on-disk cache of JSON answers: one file per key (named by the key's SHA-256, so any
 * key is a safe file name), written atomically. An entry of a mutable key (a tag, a package
 * name) is fresh for `ttlMs`; an entry of an immutable key (a digest) never expires. A missing,
 * stale, unreadable or unacceptable entry reads as absent, and a write that fails is dropped:
 * a cache only ever saves a request, it never causes a failure. It knows nothing of what it
 * stores; callers decide what to keep (answers, never failures) and what a stored value means.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic.js';

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
  readonly version: 1;
  readonly key: string;
  readonly storedAt: number;
  readonly value: unknown;
}

export function jsonCache<T>(opts: JsonCacheOptions<T>): JsonCache<T> {
  const ttl = opts.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  const fileOf = (key: string): string => path.join(opts.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  return {
    async get(key) {
      let entry: Partial<Entry> | null;
      try {
        entry = JSON.parse(await readFile(fileOf(key), 'utf8')) as Partial<Entry> | null;
      } catch {
        return undefined; // missing or unreadable: ask again
      }
      if (entry?.version !== 1 || entry.key !== key || typeof entry.storedAt !== 'number') return undefined;
      if (!opts.immutable?.(key)) {
        const t = now();
        if (!(t - entry.storedAt < ttl && entry.storedAt <= t)) return undefined;
      }
      try {
        return opts.read(entry.value, key);
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      const file = fileOf(key);
      const entry: Entry = { version: 1, key, storedAt: now(), value: opts.write ? opts.write(value) : value };
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, JSON.stringify(entry) + '\n');
      } catch {
        // a cache that cannot be written only costs a request next time
      }
    },
  };
}
