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
 *
 * A pack ({@link cachePack}) keeps the entries one kind of run used (`deps` on the same
 * lockfiles) together in one file as well, so that the next such run reads one file instead of
 * hundreds: a copy of entries that exist (or existed) as files, each with its own `storedAt` and
 * checked as a file's entry is, never an answer of its own.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { nameHash, sha256Hex } from './hash.js';
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
  /**
   * the pack this cache's entries are also kept in (shared by the caches of one run): an entry is
   * looked for there first, and every entry read from its file or written is noted in it
   */
  readonly pack?: CachePack;
}

export interface JsonCache<T> {
  /** the fresh, readable entry of `key`, or undefined */
  get(key: string): Promise<T | undefined>;
  /** stores `value` for `key`; never throws (a cache that cannot be written costs a request later) */
  set(key: string, value: T): Promise<void>;
}

/** What a cache file holds (and a pack, one per key). `key` guards against hash collisions and foreign files. */
export interface CacheEntry {
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
  const pack = opts.pack;
  // the directory as joined once: a file's name is then appended (path.join for each of hundreds of keys shows in a profile)
  const dir = path.join(opts.dir, '.');
  const hashOf = (key: string): string => sha256Hex(key);
  const fileOf = (key: string): string => `${dir}${path.sep}${hashOf(key)}.v${CACHE_FORMAT_VERSION}.json`;
  const fresh = (key: string, storedAt: number): boolean => {
    if (opts.immutable?.(key)) return true;
    const t = now();
    return t - storedAt < ttl && storedAt <= t;
  };
  /** what a stored entry of `key` stands for, undefined when it is not one this version can use now */
  const accept = (entry: Partial<CacheEntry> | null | undefined, key: string): T | undefined => {
    if (entry?.version !== CACHE_FORMAT_VERSION || entry.key !== key || typeof entry.storedAt !== 'number') return undefined;
    if (!fresh(key, entry.storedAt)) return undefined;
    return opts.read(entry.value, key);
  };
  const current = async (key: string): Promise<T | undefined> => {
    if (pack) {
      const packed = pack.stored(key);
      if (packed !== undefined) {
        let value: T | undefined;
        try {
          value = accept(packed, key);
        } catch {
          value = undefined;
        }
        if (value !== undefined) {
          pack.use(key, packed as CacheEntry, true);
          return value;
        }
      }
    }
    const entry = (await readJson(fileOf(key))) as Partial<CacheEntry> | null | undefined;
    const value = accept(entry, key);
    if (value !== undefined) pack?.use(key, entry as CacheEntry, false);
    return value;
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
        const entry: CacheEntry = { version: CACHE_FORMAT_VERSION, key, storedAt: now(), value: opts.write ? opts.write(value) : value };
        const text = JSON.stringify(entry) + '\n';
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, text);
        pack?.use(key, entry, false);
      } catch {
        // a cache that cannot be written (or a value that cannot be stored) only costs a request next time
      }
    },
  };
}

/** The largest pack read (and written): a pack holds a run's entries, a few hundred bytes each. */
export const MAX_CACHE_PACK_BYTES = 64 * 1024 * 1024;

/** How many packs a directory keeps (the newest): one per kind of run (`deps` on a set of lockfiles). */
export const CACHE_PACKS_KEPT = 64;

/** What a pack file holds: `name` guards against hash collisions and foreign files. */
interface PackFile {
  readonly version: typeof CACHE_FORMAT_VERSION;
  readonly pack: string;
  readonly entries: readonly CacheEntry[];
}

/**
 * The entries one run used, kept together: {@link jsonCache} (with `pack`) looks for an entry in
 * the pack before its file, and notes each entry it reads from a file or writes. `save()` then
 * writes the pack, when the run used an entry it did not hold, with exactly the entries the run
 * used, as they are stored (their `storedAt` included: a pack never makes an answer fresher).
 * The pack is a copy: an entry in it is one that was read from or written to its own file, so
 * nothing a cache would not keep (a failure) is ever in it; a pack entry that is stale or that the
 * cache cannot use is looked for in its file as if there were no pack. A pack that is missing,
 * unreadable, too large, of another format or of another name reads as empty.
 */
export interface CachePack {
  /** the pack's entry of `key` as stored (unchecked), loading the pack on first use */
  stored(key: string): Partial<CacheEntry> | undefined;
  /** an entry the run used: from the pack (`fromPack`), or read from its own file, or written */
  use(key: string, entry: CacheEntry, fromPack: boolean): void;
  /** writes the pack if the run used an entry it did not hold; never throws */
  save(): Promise<void>;
}

/**
 * The pack named `name` (any string: the file is named by its hash) in `dir`'s `packs/`
 * directory: `<nameHash of name>.v2.pack.json` (src/fs/hash.ts: no crypto to load), holding `{ version: 2, pack: name, entries }`.
 * Written atomically; a directory keeps its newest {@link CACHE_PACKS_KEPT} packs.
 */
export function cachePack(dir: string, name: string): CachePack {
  const packsDir = path.join(dir, 'packs');
  const file = path.join(packsDir, `${nameHash(name)}.v${CACHE_FORMAT_VERSION}.pack.json`);
  let held: Map<string, Partial<CacheEntry>> | undefined;
  const used = new Map<string, CacheEntry>();
  let changed = false;
  const load = (): Map<string, Partial<CacheEntry>> => {
    const map = new Map<string, Partial<CacheEntry>>();
    try {
      const doc = JSON.parse(readRegularFileSync(file, MAX_CACHE_PACK_BYTES).toString('utf8')) as Partial<PackFile> | null;
      if (doc?.version === CACHE_FORMAT_VERSION && doc.pack === name && Array.isArray(doc.entries)) {
        for (const e of doc.entries as unknown[]) {
          if (e !== null && typeof e === 'object' && typeof (e as CacheEntry).key === 'string') map.set((e as CacheEntry).key, e as Partial<CacheEntry>);
        }
      }
    } catch {
      // no pack (or none this version can read): every entry comes from its file
    }
    return map;
  };
  return {
    stored(key) {
      held ??= load();
      return held.get(key);
    },
    use(key, entry, fromPack) {
      used.set(key, entry);
      if (!fromPack) changed = true;
    },
    async save() {
      if (!changed) return;
      try {
        const pack: PackFile = { version: CACHE_FORMAT_VERSION, pack: name, entries: [...used.values()] };
        const text = JSON.stringify(pack) + '\n';
        if (text.length > MAX_CACHE_PACK_BYTES) return;
        await mkdir(packsDir, { recursive: true });
        await writeFileAtomic(file, text);
        changed = false;
        await prunePacks(packsDir);
      } catch {
        // a pack that cannot be written only costs the reading of each entry's file next time
      }
    },
  };
}

/** Removes all but the newest {@link CACHE_PACKS_KEPT} packs of a directory. */
async function prunePacks(packsDir: string): Promise<void> {
  const names = (await readdir(packsDir)).filter((n) => n.endsWith('.pack.json'));
  if (names.length <= CACHE_PACKS_KEPT) return;
  const dated: { file: string; mtime: number }[] = [];
  for (const n of names) {
    const file = path.join(packsDir, n);
    try {
      dated.push({ file, mtime: (await stat(file)).mtimeMs });
    } catch {
      // gone already
    }
  }
  dated.sort((a, b) => b.mtime - a.mtime);
  for (const old of dated.slice(CACHE_PACKS_KEPT)) await rm(old.file, { force: true });
}
