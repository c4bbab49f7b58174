/**
 * A persistent cache of layer scans for `verify`, as trivy caches its layer analysis: a layer
 * whose scan is here is not read at all (no request, no gunzip, no tar walk), and the report is
 * the one a read would give.
 *
 * A scan is keyed by the layer's blob digest and its diff id (the pair verify's own memo is keyed
 * by), the scan format {@link LAYER_SCAN_FORMAT} and anyarch's version. verify stores a scan only
 * after a read that ended without an error and whose tar was checked against that diff id at the
 * stream's end (the blob against its digest too): an entry records that blob D was read, matched
 * D, and its tar matched X and scanned to this. Keying by the diff id alone would let a config
 * that names a known diff id over another blob pass unread; with the digest in the key a hit
 * proves what a read would.
 *
 * On disk: `<dir>/<sha256 of the key>.v<format>.json`, the directory mode 0700, each entry
 * written to a temporary file and renamed (src/fs/atomic.ts). An entry is compact JSON: entries
 * as arrays, their kinds as numbers, facts (src/binary's, plain JSON) once per object a hard link
 * shares. Bounds: {@link MAX_LAYER_SCAN_ENTRY_BYTES} per entry (a bigger scan is not stored) and
 * {@link MAX_LAYER_SCAN_CACHE_BYTES} in all, kept after each write by removing the least recently
 * used entries (a hit touches its entry's mtime). A missing, unreadable, truncated, foreign or
 * other-version entry is a miss (and is removed when it is there but unusable); a write that
 * fails is dropped: the cache never causes a failure, it only saves a read.
 *
 * Trust: an entry is believed as the user's own files are (a process that can write the cache
 * directory can make verify pass a layer it never read, as with trivy's cache); docs/security.md.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import * as path from 'node:path';
import type { FileFacts } from '../binary/types.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { readRegularFile } from '../fs/bounded-read.js';
import { defaultCacheDir } from '../fs/cache.js';
import { packageVersion } from '../fs/package-version.js';
import type { Digest } from '../oci/digest.js';
import { Entry } from '../rootfs/tar.js';
import type { EntryKind, LayerFile, LayerScan } from '../rootfs/types.js';

/**
 * The format of a stored scan. Bump it whenever src/binary's `inspectFile` keeps other facts, or
 * src/rootfs's `scanLayer` gives other entries, whiteouts or oddities for the same tar: an entry
 * of another format is never read (anyarch's version is in the key too, so an upgrade never reads
 * an older version's scans even when this number was forgotten).
 */
export const LAYER_SCAN_FORMAT = 1;
/** The largest entry stored or read: 64 MiB (a layer of about 500,000 files); a bigger scan is not cached. */
export const MAX_LAYER_SCAN_ENTRY_BYTES = 64 * 1024 * 1024;
/** The most the cache holds: 1 GiB; past it, after a write, the least recently used entries are removed. */
export const MAX_LAYER_SCAN_CACHE_BYTES = 1024 * 1024 * 1024;
/** The cache's directory under the anyarch cache directory (src/fs/cache.ts's `defaultCacheDir`). */
export const LAYER_SCAN_CACHE_SUBDIR = 'layer-scans';
/** Temporary files of writes (src/fs/atomic.ts) older than this are a crashed writer's, removed when the cache is trimmed. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** What a scan is stored under: the blob's digest and the diff id its tar was checked against. */
export interface LayerScanKey {
  readonly digest: Digest;
  readonly diffId: Digest;
}

/** Where verify keeps layer scans across calls (`VerifyOptions.layerCache`). */
export interface LayerScanCache {
  /** the stored scan, or undefined; never throws */
  get(key: LayerScanKey): Promise<LayerScan<FileFacts> | undefined>;
  /** stores a scan (verify calls it only for a complete, checked read); never throws */
  set(key: LayerScanKey, scan: LayerScan<FileFacts>): Promise<void>;
}

export interface LayerScanCacheOptions {
  /** the directory of the entries (default `<defaultCacheDir(env)>/layer-scans`) */
  readonly dir?: string;
  /** the environment the default directory is read from (default process.env) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** default {@link MAX_LAYER_SCAN_ENTRY_BYTES} */
  readonly maxEntryBytes?: number;
  /** default {@link MAX_LAYER_SCAN_CACHE_BYTES} */
  readonly maxBytes?: number;
}

/** A layer scan cache on disk (see the top of this file); nothing is written until a scan is stored. */
export function layerScanCache(opts: LayerScanCacheOptions = {}): LayerScanCache & { readonly dir: string } {
  return new DiskLayerScanCache(opts);
}

const ENTRY_NAME = /^[0-9a-f]{64}\.v\d+\.json$/;
const TEMP_NAME = /^\.[0-9a-f]{64}\.v\d+\.json\.anyarch-.*\.tmp$/;

class DiskLayerScanCache implements LayerScanCache {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private ready: Promise<void> | undefined;
  /** trims run one at a time: each lists the directory */
  private trimming: Promise<void> = Promise.resolve();

  constructor(opts: LayerScanCacheOptions) {
    this.dir = opts.dir ?? path.join(defaultCacheDir(opts.env ?? process.env), LAYER_SCAN_CACHE_SUBDIR);
    this.maxBytes = opts.maxBytes ?? MAX_LAYER_SCAN_CACHE_BYTES;
    this.maxEntryBytes = Math.min(opts.maxEntryBytes ?? MAX_LAYER_SCAN_ENTRY_BYTES, this.maxBytes);
  }

  private fileOf(key: LayerScanKey): string {
    const hash = createHash('sha256').update(keyText(key)).digest('hex');
    return path.join(this.dir, `${hash}.v${LAYER_SCAN_FORMAT}.json`);
  }

  async get(key: LayerScanKey): Promise<LayerScan<FileFacts> | undefined> {
    const file = this.fileOf(key);
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(file, this.maxEntryBytes);
    } catch (e) {
      // missing is a miss; anything else there (too large, not a regular file) is unusable
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') await rm(file, { force: true, recursive: false }).catch(() => undefined);
      return undefined;
    }
    const scan = decodeLayerScan(bytes.toString('utf8'), key);
    if (!scan) {
      await rm(file, { force: true }).catch(() => undefined);
      return undefined;
    }
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined); // least recently used goes first
    return scan;
  }

  async set(key: LayerScanKey, scan: LayerScan<FileFacts>): Promise<void> {
    try {
      const text = encodeLayerScan(key, scan, this.maxEntryBytes);
      if (text === undefined) return;
      this.ready ??= this.prepare();
      await this.ready;
      await writeFileAtomic(this.fileOf(key), text);
      await this.trim();
    } catch {
      // a cache that cannot be written only costs a read next time
    }
  }

  /** The directory, created 0700 (and narrowed to 0700 when it was there already). */
  private async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const st = await stat(this.dir);
    if ((st.mode & 0o777) !== 0o700) await chmod(this.dir, 0o700);
  }

  /** Keeps the cache within its bound: least recently used entries removed first; a crashed writer's temporary files too. */
  private trim(): Promise<void> {
    const run = this.trimming.then(async () => {
      const files: { file: string; size: number; used: number }[] = [];
      let total = 0;
      const now = Date.now();
      for (const name of await readdir(this.dir)) {
        const file = path.join(this.dir, name);
        const isEntry = ENTRY_NAME.test(name);
        if (!isEntry && !TEMP_NAME.test(name)) continue;
        const st = await stat(file).catch(() => undefined);
        if (!st?.isFile()) continue;
        if (!isEntry) {
          if (now - st.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
          continue;
        }
        files.push({ file, size: st.size, used: st.mtimeMs });
        total += st.size;
      }
      if (total <= this.maxBytes) return;
      files.sort((a, b) => a.used - b.used);
      for (const f of files) {
        if (total <= this.maxBytes) break;
        await rm(f.file, { force: true });
        total -= f.size;
      }
    });
    this.trimming = run.catch(() => undefined);
    return run;
  }
}

function keyText(key: LayerScanKey): string {
  return `anyarch ${packageVersion()} layer scan ${LAYER_SCAN_FORMAT} ${key.digest} ${key.diffId}`;
}

/** Entry kinds by their number in a stored entry (append only: the order is part of the format). */
const KINDS: readonly EntryKind[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'other'];
const KIND_NUMBER = new Map<EntryKind, number>(KINDS.map((k, i) => [k, i]));

/** A stored entry: [path, kind, mode, size, uid, gid, linkname | null, rawPath | null (the same as path), escapes 0 | 1, facts index | -1]. */
type StoredEntry = [string, number, number, number, number, number, string | null, string | null, 0 | 1, number];

/**
 * The JSON text of a scan, or undefined when it would be larger than `maxBytes` (given up as soon
 * as the entries pass it: a scan too big to store costs no more than its first `maxBytes`).
 */
export function encodeLayerScan(key: LayerScanKey, scan: LayerScan<FileFacts>, maxBytes = MAX_LAYER_SCAN_ENTRY_BYTES): string | undefined {
  const facts = new Map<FileFacts, number>();
  const factsText: string[] = [];
  const entriesText: string[] = [];
  let bytes = 0;
  for (const [p, f] of scan.entries) {
    const e = f.entry;
    let fi = -1;
    if (f.facts !== undefined) {
      fi = facts.get(f.facts) ?? -1;
      if (fi === -1) {
        fi = factsText.length;
        facts.set(f.facts, fi);
        const t = JSON.stringify(f.facts);
        factsText.push(t);
        bytes += Buffer.byteLength(t, 'utf8') + 1;
      }
    }
    const kind = KIND_NUMBER.get(e.kind);
    if (kind === undefined || p !== e.path) return undefined; // not a scan this format can hold
    const stored: StoredEntry = [e.path, kind, e.mode, e.size, e.uid, e.gid, e.linkname ?? null, e.rawPath === e.path ? null : e.rawPath, e.escapes ? 1 : 0, fi];
    const t = JSON.stringify(stored);
    entriesText.push(t);
    bytes += Buffer.byteLength(t, 'utf8') + 1;
    if (bytes > maxBytes) return undefined;
  }
  const head = {
    format: LAYER_SCAN_FORMAT,
    anyarch: packageVersion(),
    digest: key.digest,
    diffId: key.diffId,
    entryCount: scan.entryCount,
    bytes: scan.bytes,
    whiteouts: [...scan.whiteouts],
    opaque: [...scan.opaque],
    oddities: scan.oddities,
  };
  const text = `${JSON.stringify(head).slice(0, -1)},"facts":[${factsText.join(',')}],"entries":[${entriesText.join(',')}]}\n`;
  return Buffer.byteLength(text, 'utf8') > maxBytes ? undefined : text;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const optional = <T>(x: unknown, is: (y: unknown) => y is T): boolean => x === undefined || is(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const isBoolean = (x: unknown): x is boolean => typeof x === 'boolean';
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The facts src/binary gives, in the shapes its readers and verify's verdicts rely on. */
function isFacts(x: unknown): x is FileFacts {
  if (!isRecord(x)) return false;
  switch (x.format) {
    case 'elf':
      return (
        (x.class === 32 || x.class === 64) &&
        (x.endian === 'le' || x.endian === 'be') &&
        isInt(x.machine) &&
        isInt(x.osabi) &&
        isString(x.type) &&
        isInt(x.flags) &&
        isBoolean(x.dynamic) &&
        optional(x.interpreter, isString) &&
        optional(x.pie, isBoolean) &&
        optional(x.arm, isRecord) &&
        optional(x.goBuild, (g): g is Record<string, string> => isRecord(g) && Object.values(g).every(isString)) &&
        optional(x.problem, isString)
      );
    case 'pe':
      return isInt(x.machine) && optional(x.clrFlags, isInt) && optional(x.clr, isBoolean) && optional(x.problem, isString);
    case 'script':
      return isString(x.interpreter) && isStrings(x.args);
    case 'text':
      return isString(x.text);
    default:
      return false;
  }
}

/** A stored scan read back, or undefined when the text is not a whole entry of this format, version and key. */
export function decodeLayerScan(text: string, key: LayerScanKey): LayerScan<FileFacts> | undefined {
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(stored)) return undefined;
  const s = stored;
  if (s.format !== LAYER_SCAN_FORMAT || s.anyarch !== packageVersion() || s.digest !== key.digest || s.diffId !== key.diffId) return undefined;
  if (!isCount(s.entryCount) || !isCount(s.bytes) || !isStrings(s.whiteouts) || !isStrings(s.opaque) || !isStrings(s.oddities)) return undefined;
  if (!Array.isArray(s.facts) || !s.facts.every(isFacts) || !Array.isArray(s.entries)) return undefined;
  const facts = s.facts as FileFacts[];
  const entries = new Map<string, LayerFile<FileFacts>>();
  for (const e of s.entries as unknown[]) {
    if (!Array.isArray(e) || e.length !== 10) return undefined;
    const [p, kindNumber, mode, size, uid, gid, linkname, rawPath, escapes, fi] = e as unknown[];
    const kind = KINDS[kindNumber as number];
    if (!isString(p) || !isInt(kindNumber) || kind === undefined || !isCount(mode) || !isCount(size) || !isInt(uid) || !isInt(gid)) return undefined;
    if ((linkname !== null && !isString(linkname)) || (rawPath !== null && !isString(rawPath)) || (escapes !== 0 && escapes !== 1) || !isInt(fi) || fi < -1 || fi >= facts.length) return undefined;
    // the reader's own entry object, which is its own LayerFile when it has no facts
    const entry = new Entry(p, rawPath ?? p, escapes === 1, kind, mode, size, linkname ?? undefined, uid, gid);
    entries.set(p, fi === -1 ? entry : { entry, facts: facts[fi] as FileFacts });
  }
  return { entries, whiteouts: new Set(s.whiteouts), opaque: new Set(s.opaque), entryCount: s.entryCount, bytes: s.bytes, oddities: s.oddities };
}
