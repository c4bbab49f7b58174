import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { nameHash } from './hash.js';
import { CACHE_FORMAT_VERSION, CACHE_PACKS_KEPT, DEFAULT_CACHE_TTL_MS, MAX_CACHE_ENTRY_BYTES, cachePack, defaultCacheDir, jsonCache } from './cache.js';

const HOUR = 60 * 60 * 1000;

/** A cache of numbers in a new directory, with a clock the test moves. */
function numbers(opts: { immutable?: (key: string) => boolean; ttlMs?: number } = {}) {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'anyarch-cache-')), 'answers');
  const clock = { t: 1_000_000 };
  const cache = jsonCache<number>({
    dir,
    now: () => clock.t,
    read: (stored) => (typeof stored === 'number' ? stored : undefined),
    ...opts,
  });
  return { dir, clock, cache };
}

describe('jsonCache', () => {
  test('a stored answer is read back; one file per key, named by its hash, created on first write', async () => {
    const { dir, cache } = numbers();
    assert.equal(await cache.get('docker.io/library/alpine:3.20'), undefined);
    await cache.set('docker.io/library/alpine:3.20', 42);
    await cache.set('a/b:../../etc', 7);
    assert.equal(await cache.get('docker.io/library/alpine:3.20'), 42);
    assert.equal(await cache.get('a/b:../../etc'), 7);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2);
    // the format version is in the name, so another version's entry is never overwritten
    for (const f of files) assert.match(f, /^[0-9a-f]{64}\.v2\.json$/);
    assert.equal(CACHE_FORMAT_VERSION, 2);
  });

  test('a mutable key expires after the TTL (default one day); an immutable one never does', async () => {
    const { clock, cache } = numbers({ immutable: (k) => k.includes('@') });
    await cache.set('repo:tag', 1);
    await cache.set('repo@sha256:abc', 2);
    clock.t += DEFAULT_CACHE_TTL_MS - 1;
    assert.equal(await cache.get('repo:tag'), 1);
    clock.t += 1;
    assert.equal(await cache.get('repo:tag'), undefined);
    clock.t += 365 * 24 * HOUR;
    assert.equal(await cache.get('repo@sha256:abc'), 2);
  });

  test('an entry from the future (a clock set back) is not trusted', async () => {
    const { clock, cache } = numbers({ ttlMs: HOUR });
    await cache.set('k', 1);
    clock.t -= 1;
    assert.equal(await cache.get('k'), undefined);
  });

  test('an entry above MAX_CACHE_ENTRY_BYTES, or one that is a FIFO, reads as absent (not read, no hang)', async () => {
    const { dir, cache } = numbers();
    await cache.set('big', 1);
    await cache.set('fifo', 2);
    const [big, fifo] = ['big', 'fifo'].map((k) => path.join(dir, `${createHash('sha256').update(k).digest('hex')}.v2.json`)) as [string, string];
    truncateSync(big, MAX_CACHE_ENTRY_BYTES + 1);
    rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    assert.equal(await cache.get('big'), undefined);
    assert.equal(await cache.get('fifo'), undefined);
    // and a write replaces either with a good entry
    await cache.set('big', 3);
    assert.equal(await cache.get('big'), 3);
  });

  test('unreadable, foreign or unacceptable entries read as absent', async () => {
    const { dir, cache } = numbers();
    await cache.set('k', 1);
    const [file] = readdirSync(dir);
    assert.ok(file);
    const full = path.join(dir, file);
    const entry = JSON.parse(readFileSync(full, 'utf8')) as Record<string, unknown>;
    for (const bad of ['{not json', 'null', '[]', JSON.stringify({ ...entry, key: 'other' }), JSON.stringify({ ...entry, version: 1 }), JSON.stringify({ ...entry, version: 3 }), JSON.stringify({ ...entry, value: 'one' }), JSON.stringify({ ...entry, storedAt: 'now' })]) {
      writeFileSync(full, bad);
      assert.equal(await cache.get('k'), undefined, bad);
    }
  });

  test('a read function that throws counts as absent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-cache-'));
    const cache = jsonCache<number>({
      dir,
      read: () => {
        throw new Error('cannot use this');
      },
    });
    await cache.set('k', 1);
    assert.equal(await cache.get('k'), undefined);
  });

  test('write() decides what is stored; read() what it stands for', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-cache-'));
    const cache = jsonCache<Set<string>>({ dir, write: (s) => [...s], read: (v) => (Array.isArray(v) ? new Set(v.map(String)) : undefined) });
    await cache.set('k', new Set(['a', 'b']));
    assert.deepEqual(await cache.get('k'), new Set(['a', 'b']));
    const [file] = readdirSync(dir);
    assert.deepEqual((JSON.parse(readFileSync(path.join(dir, file as string), 'utf8')) as { value: unknown }).value, ['a', 'b']);
  });

  test('set never throws, not even when write() does or the value cannot be stored', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-cache-'));
    const cache = jsonCache<number>({
      dir,
      read: (v) => v as number,
      write: () => {
        throw new Error('cannot store this');
      },
    });
    await cache.set('k', 1);
    assert.equal(await cache.get('k'), undefined);
    const bigints = jsonCache<bigint>({ dir, read: () => 1n });
    await bigints.set('b', 1n); // JSON.stringify throws on a bigint
    assert.deepEqual(readdirSync(dir), []);
  });

  test('an entry of format 1 (`<hash>.json`) is read through legacy, with the TTL; never rewritten; a current entry wins', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-cache-'));
    const clock = { t: 1_000_000 };
    const cache = jsonCache<number>({
      dir,
      now: () => clock.t,
      ttlMs: HOUR,
      read: (v) => (typeof v === 'number' ? v : undefined),
      legacy: (stored, key) => {
        const s = stored as { k?: string; n?: number; at?: number } | null;
        return s?.k === key && typeof s.n === 'number' && typeof s.at === 'number' ? { value: s.n, storedAt: s.at } : undefined;
      },
    });
    const hash = createHash('sha256').update('k').digest('hex');
    const old = path.join(dir, `${hash}.json`);
    const oldText = JSON.stringify({ k: 'k', n: 7, at: clock.t - 1 });
    writeFileSync(old, oldText);
    assert.equal(await cache.get('k'), 7);
    writeFileSync(path.join(dir, `${createHash('sha256').update('other').digest('hex')}.json`), JSON.stringify({ k: 'k', n: 7, at: clock.t }));
    assert.equal(await cache.get('other'), undefined, 'an entry for another key');
    await cache.set('k', 8);
    assert.equal(await cache.get('k'), 8);
    assert.equal(readFileSync(old, 'utf8'), oldText, 'the old entry is left for the version that wrote it');
    clock.t += HOUR; // both stale now
    assert.equal(await cache.get('k'), undefined);
    writeFileSync(old, JSON.stringify({ k: 'k', n: 9, at: clock.t }));
    assert.equal(await cache.get('k'), 9, 'a fresh old entry answers when the current one is stale');
    const without = jsonCache<number>({ dir, now: () => clock.t, read: (v) => v as number });
    await without.set('k2', 1);
    writeFileSync(path.join(dir, `${createHash('sha256').update('k3').digest('hex')}.json`), JSON.stringify({ k: 'k3', n: 1, at: clock.t }));
    assert.equal(await without.get('k3'), undefined, 'without legacy, old entries are not read');
  });

  test('a cache that cannot be written never fails', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'anyarch-cache-'));
    writeFileSync(path.join(parent, 'file'), '');
    const cache = jsonCache<number>({ dir: path.join(parent, 'file', 'sub'), read: (v) => v as number });
    await cache.set('k', 1);
    assert.equal(await cache.get('k'), undefined);
  });
});

describe('cachePack', () => {
  /** a run: the caches of one directory sharing the pack `name` */
  function run(dir: string, clock: { t: number }, name = 'lockfiles a, b', ttlMs = HOUR) {
    const pack = cachePack(dir, name);
    const opts = { dir, now: () => clock.t, ttlMs, pack };
    const numbers = jsonCache<number>({ ...opts, read: (v) => (typeof v === 'number' ? v : undefined) });
    const words = jsonCache<string>({ ...opts, read: (v) => (typeof v === 'string' ? v : undefined) });
    return { pack, numbers, words };
  }
  const packFiles = (dir: string): string[] => (existsSync(path.join(dir, 'packs')) ? readdirSync(path.join(dir, 'packs')) : []);
  const entryFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.json'));

  test('a run keeps the entries it used in one pack; the next run with that name reads them from it alone', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-pack-'));
    const clock = { t: 1_000_000 };
    const first = run(dir, clock);
    await first.numbers.set('n1', 1);
    await first.words.set('w1', 'one');
    await jsonCache<number>({ dir, now: () => clock.t, read: (v) => v as number }).set('unused', 9); // not this run's
    assert.deepEqual(packFiles(dir), [], 'written by save() only');
    await first.pack.save();
    const [packName] = packFiles(dir);
    assert.match(packName ?? '', /^[0-9a-f]{32}\.v2\.pack\.json$/);
    const doc = JSON.parse(readFileSync(path.join(dir, 'packs', packName as string), 'utf8')) as { version: number; pack: string; entries: { key: string; storedAt: number }[] };
    assert.equal(doc.version, CACHE_FORMAT_VERSION);
    assert.equal(doc.pack, 'lockfiles a, b');
    assert.deepEqual(doc.entries.map((e) => [e.key, e.storedAt]).sort(), [['n1', 1_000_000], ['w1', 1_000_000]]);
    // the entry files gone: the next run of that name still has its answers, from the pack
    for (const f of entryFiles(dir)) rmSync(path.join(dir, f));
    const second = run(dir, clock);
    assert.equal(await second.numbers.get('n1'), 1);
    assert.equal(await second.words.get('w1'), 'one');
    assert.equal(await second.numbers.get('unused'), undefined);
    const before = readFileSync(path.join(dir, 'packs', packName as string), 'utf8');
    await second.pack.save();
    assert.equal(readFileSync(path.join(dir, 'packs', packName as string), 'utf8'), before, 'nothing new: not rewritten');
    // another name is another pack
    assert.equal(await run(dir, clock, 'lockfile c').numbers.get('n1'), undefined);
  });

  test('a pack never makes an answer fresher: a stale pack entry is looked for in its file, and the pack then takes the file\'s', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-pack-'));
    const clock = { t: 1_000_000 };
    const first = run(dir, clock);
    await first.numbers.set('n', 1);
    await first.pack.save();
    clock.t += HOUR; // stale, in the pack and in its file
    const second = run(dir, clock);
    assert.equal(await second.numbers.get('n'), undefined);
    // another run (with no pack) refreshes the file; the stale pack entry gives way to it
    await jsonCache<number>({ dir, now: () => clock.t, read: (v) => v as number }).set('n', 2);
    const third = run(dir, clock);
    assert.equal(await third.numbers.get('n'), 2);
    await third.pack.save();
    rmSync(path.join(dir, entryFiles(dir)[0] as string));
    assert.equal(await run(dir, clock).numbers.get('n'), 2, 'the pack holds the refreshed entry');
    // an immutable key never expires, in a pack as in its file
    const immutable = jsonCache<number>({ dir, now: () => clock.t, ttlMs: HOUR, immutable: () => true, pack: cachePack(dir, 'i'), read: (v) => v as number });
    await immutable.set('digest', 5);
    clock.t += 100 * HOUR;
    assert.equal(await immutable.get('digest'), 5);
  });

  test('what the cache does not keep is not in a pack: a failed write, an entry the reader refuses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-pack-'));
    const clock = { t: 1_000_000 };
    const pack = cachePack(dir, 'x');
    const refusing = jsonCache<number>({ dir, now: () => clock.t, pack, read: (v) => (typeof v === 'number' && v > 0 ? v : undefined) });
    await refusing.set('zero', 0); // stored, but no run can use it
    assert.equal(await refusing.get('zero'), undefined);
    const bigints = jsonCache<bigint>({ dir, pack, read: () => 1n });
    await bigints.set('b', 1n); // cannot be stored
    await pack.save();
    const doc = JSON.parse(readFileSync(path.join(dir, 'packs', packFiles(dir)[0] as string), 'utf8')) as { entries: { key: string }[] };
    assert.deepEqual(doc.entries.map((e) => e.key), ['zero'], 'the written entry, as its file has it; never the unstorable one');
    assert.equal(await jsonCache<number>({ dir, now: () => clock.t, pack: cachePack(dir, 'x'), read: (v) => (typeof v === 'number' && v > 0 ? v : undefined) }).get('zero'), undefined);
  });

  test('a pack that is unreadable, foreign, of another version or name, or too large reads as empty', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-pack-'));
    const clock = { t: 1_000_000 };
    const first = run(dir, clock);
    await first.numbers.set('n', 1);
    await first.pack.save();
    const file = path.join(dir, 'packs', packFiles(dir)[0] as string);
    const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    rmSync(path.join(dir, entryFiles(dir)[0] as string));
    const bad = ['{not json', 'null', '[]', JSON.stringify({ ...good, version: 1 }), JSON.stringify({ ...good, pack: 'another' }), JSON.stringify({ ...good, entries: {} }), JSON.stringify({ ...good, entries: [null, 1, { key: 'n', version: 2, storedAt: 'now', value: 1 }] })];
    for (const text of bad) {
      writeFileSync(file, text);
      assert.equal(await run(dir, clock).numbers.get('n'), undefined, text);
    }
    writeFileSync(file, JSON.stringify(good));
    assert.equal(await run(dir, clock).numbers.get('n'), 1);
    // an entry of the pack under another key (a collision, a foreign file) is no answer
    writeFileSync(file, JSON.stringify({ ...good, entries: [{ version: 2, key: 'm', storedAt: clock.t, value: 1 }] }));
    assert.equal(await run(dir, clock).numbers.get('n'), undefined);
  });

  test('save never throws; a directory keeps its newest packs', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'anyarch-pack-'));
    writeFileSync(path.join(parent, 'file'), '');
    const unwritable = run(path.join(parent, 'file', 'sub'), { t: 1 });
    await unwritable.numbers.set('n', 1);
    await unwritable.pack.save();
    const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-pack-'));
    const clock = { t: 1_000_000 };
    const packOf = (i: number): string => `${nameHash(`run ${i}`)}.v2.pack.json`;
    for (let i = 0; i < CACHE_PACKS_KEPT + 2; i++) {
      const r = run(dir, clock, `run ${i}`);
      await r.numbers.set('n', i);
      // the clock of the file system: each pack older than the next
      if (i > 0) utimesSync(path.join(dir, 'packs', packOf(i - 1)), 1000 + i, 1000 + i);
      await r.pack.save();
    }
    assert.equal(packFiles(dir).length, CACHE_PACKS_KEPT);
    assert.ok(!packFiles(dir).includes(packOf(0)), 'the oldest went');
    assert.ok(packFiles(dir).includes(packOf(CACHE_PACKS_KEPT + 1)), 'the newest stays');
  });
});

test('defaultCacheDir: ANYARCH_CACHE_DIR, else XDG_CACHE_HOME/anyarch, else ~/.cache/anyarch', () => {
  assert.equal(defaultCacheDir({ ANYARCH_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/c');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), path.join('/x', 'anyarch'));
  assert.equal(defaultCacheDir({ HOME: '/h' }), path.join('/h', '.cache', 'anyarch'));
});
