/**
 * Deterministic layers: the same entries give the same bytes, diff id and digest on every host,
 * whatever its umask, file owners, modification times, directory order or the order the entries
 * are given in. As ko and crane write them:
 *
 *  - entries sorted by path (bytes of its UTF-8), parents before children; every parent directory
 *    implied (mode 0755) when not given;
 *  - every mtime the epoch (`SOURCE_DATE_EPOCH`, read by the caller with {@link epochFromEnvironment};
 *    else 0), uid and gid 0, no user or group names;
 *  - a file's mode 0755 when the host file (or the given mode) has an execute bit, else 0644,
 *    unless `mode` is given; directories 0755, links 0777;
 *  - ustar headers, PAX records only for names or targets over 100 bytes or not ASCII
 *    ({@link tarHeader});
 *  - gzip at level 6 (node:zlib) with a fixed header: mtime 0, no name, OS byte 255 ("unknown",
 *    as Go's compress/gzip writes it), so the digest does not depend on the host's OS. The
 *    deflate bytes are node:zlib's: official Node builds (Chromium's zlib with zlib's own
 *    Rabin-Karp hash) give the same bytes as pako (zlib ported to JavaScript, no CPU-specific
 *    code), which a test pins; a Node linked against another zlib (some distributions' packages)
 *    may compress differently: its layers then have other digests, the same diff ids.
 *
 * Paths are image paths: `/usr/bin/app`, `usr/bin/app` and `./usr/bin/app` are the same entry;
 * `a/../b` is `b`; a path that leaves the root (`../x`) is `E_INPUT`. Nothing of the host path
 * a file came `from` is written. Hard links, devices, FIFOs and sockets are not written: a `from`
 * that is not a regular file is `E_INPUT` (a hard-linked host file is written as a plain file).
 *
 * Everything streams: host files are read as the tar is gzipped into the store, the diff id and
 * the digest are hashed on the way, and no layer is held in memory.
 */
import { createReadStream } from 'node:fs';
import { readdir, readlink, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as posix from 'node:path/posix';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { AnyarchError, isAnyarchError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { Layer } from '../oci/layer.js';
import type { Descriptor } from '../oci/manifest.js';
import { MediaType } from '../oci/media.js';
import { TAR_END, tarHeader, tarPadding } from '../oci/write-archive.js';
import { Hasher, type BlobStore } from './blob-store.js';

export interface LayerEntry {
  /** the path in the image (`/usr/local/bin/app`) */
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  /** permission bits; default: files 0755 or 0644 from the execute bit, directories 0755, links 0777 */
  readonly mode?: number;
  /** a file's content: a host file */
  readonly from?: string;
  /** a file's content: these bytes */
  readonly bytes?: Uint8Array;
  /** a symbolic link's target, as written (`../lib/x`, `/usr/bin/y`) */
  readonly target?: string;
}

export interface LayerOptions {
  /** every entry's mtime, seconds (default 0; the caller passes SOURCE_DATE_EPOCH: {@link epochFromEnvironment}) */
  readonly epoch?: number;
  /** gzip level 1-9 (default 6) */
  readonly level?: number;
}

export interface WrittenLayer {
  /** the gzip layer in the store (OCI tar+gzip media type) */
  readonly descriptor: Descriptor;
  /** the digest of its tar */
  readonly diffId: Digest;
  /** bytes of its tar */
  readonly uncompressedSize: number;
}

/** The gzip level of layers unless told (what Docker, BuildKit and Go's default write). */
export const DEFAULT_GZIP_LEVEL = 6;

/**
 * `SOURCE_DATE_EPOCH` of `env` in seconds (reproducible-builds.org's rule: a decimal integer);
 * undefined when unset or empty; `E_USAGE` when it is anything else.
 */
export function epochFromEnvironment(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^[0-9]{1,12}$/.test(v)) throw new AnyarchError('E_USAGE', `SOURCE_DATE_EPOCH=${JSON.stringify(v).slice(0, 40)} is not a number of seconds`, 'set it to a Unix time, e.g. $(git log -1 --format=%ct)');
  return Number(v);
}

/** The RFC 3339 time of `epoch` seconds (`1970-01-01T00:00:00Z` for 0), as image configs write `created`. */
export function createdFromEpoch(epoch: number | undefined): string {
  return new Date((epoch ?? 0) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

interface Planned {
  readonly name: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly size: number;
  readonly target?: string;
  readonly from?: string;
  readonly bytes?: Uint8Array;
  /** given by the caller (not implied) */
  readonly given: boolean;
}

/** An image path normalised (`/a/./b/` -> `a/b`); `E_INPUT` when it leaves the root or is the root. */
export function layerPath(p: string): string {
  if (p.includes('\0')) throw new AnyarchError('E_INPUT', `${JSON.stringify(p)}: a path in a layer cannot hold a NUL byte`);
  const n = posix.normalize(`/${p}`).replace(/\/+$/, '');
  // normalising an absolute path drops `..` at the root, so look at what was asked
  const rel = posix.normalize(p.replace(/^\/+/, '') || '.');
  if (rel === '..' || rel.startsWith('../')) throw new AnyarchError('E_INPUT', `${JSON.stringify(p)} leaves the image's root`, 'paths in a layer are inside the image: /usr/local/bin/app');
  if (n === '') throw new AnyarchError('E_INPUT', `${JSON.stringify(p)} is the image's root itself, not an entry in it`);
  return n.slice(1);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkMode(mode: number | undefined, p: string): void {
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)) {
    throw new AnyarchError('E_INPUT', `${p}: mode ${String(mode)} is not a permission mode (0 to 0o7777)`);
  }
}

/** The entries as they will be written: normalised, checked, sizes known, parents implied, sorted. */
async function plan(entries: readonly LayerEntry[]): Promise<Planned[]> {
  const byName = new Map<string, Planned>();
  for (const e of entries) {
    const name = layerPath(e.path);
    checkMode(e.mode, e.path);
    let p: Planned;
    if (e.kind === 'dir') {
      p = { name, kind: 'dir', mode: e.mode ?? 0o755, size: 0, given: true };
    } else if (e.kind === 'symlink') {
      if (typeof e.target !== 'string' || e.target === '' || e.target.includes('\0')) throw new AnyarchError('E_INPUT', `${e.path}: a symbolic link needs a target`);
      p = { name, kind: 'symlink', mode: e.mode ?? 0o777, size: 0, target: e.target, given: true };
    } else if (e.kind === 'file') {
      if ((e.from === undefined) === (e.bytes === undefined)) throw new AnyarchError('E_INPUT', `${e.path}: a file needs either a host file (from) or bytes, not ${e.from === undefined ? 'neither' : 'both'}`);
      if (e.bytes !== undefined) {
        const exec = e.mode !== undefined ? e.mode : 0o644;
        p = { name, kind: 'file', mode: exec, size: e.bytes.length, bytes: e.bytes, given: true };
      } else {
        const from = e.from as string;
        const st = await stat(from).catch((err: NodeJS.ErrnoException) => {
          throw new AnyarchError('E_INPUT', `${from}: cannot be read for ${name} (${err.code ?? err.message})`);
        });
        if (!st.isFile()) {
          const what = st.isDirectory() ? 'a directory (add it as a directory of files)' : 'not a regular file (devices, FIFOs and sockets are not written into layers)';
          throw new AnyarchError('E_INPUT', `${from}: ${what}`);
        }
        const mode = e.mode ?? ((st.mode & 0o111) !== 0 ? 0o755 : 0o644);
        p = { name, kind: 'file', mode, size: st.size, from, given: true };
      }
    } else {
      throw new AnyarchError('E_INPUT', `${e.path}: kind ${JSON.stringify((e as { kind: unknown }).kind)} is not file, dir or symlink (hard links and devices are not written)`);
    }
    const had = byName.get(name);
    if (had) {
      if (had.kind === 'dir' && p.kind === 'dir') {
        if (had.mode !== p.mode) throw new AnyarchError('E_INPUT', `${e.path}: given twice with different modes`);
        continue;
      }
      throw new AnyarchError('E_INPUT', `${e.path}: given twice (as ${had.kind} and ${p.kind})`, 'each path is one entry of the layer');
    }
    byName.set(name, p);
  }
  for (const name of [...byName.keys()]) {
    for (let dir = posix.dirname(name); dir !== '.'; dir = posix.dirname(dir)) {
      const had = byName.get(dir);
      if (had && had.kind !== 'dir') throw new AnyarchError('E_INPUT', `${name}: its parent ${dir} is a ${had.kind === 'file' ? 'file' : 'symbolic link'} in the same layer`);
      if (!had) byName.set(dir, { name: dir, kind: 'dir', mode: 0o755, size: 0, given: false });
    }
  }
  return [...byName.values()].sort((a, b) => byteOrder(a.name, b.name));
}

/** The tar of the planned entries, streamed (host files read as it is consumed). */
function tarStream(planned: readonly Planned[], epoch: number): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const p of planned) {
      yield tarHeader({ name: p.name, kind: p.kind, mode: p.mode, size: p.size, mtime: epoch, ...(p.target !== undefined ? { linkname: p.target } : {}) });
      if (p.kind !== 'file') continue;
      if (p.bytes) {
        if (p.bytes.length > 0) yield Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
      } else {
        let got = 0;
        for await (const chunk of createReadStream(p.from as string, { highWaterMark: 256 * 1024 })) {
          const c = chunk as Buffer;
          got += c.length;
          if (got > p.size) throw new AnyarchError('E_INPUT', `${p.from}: grew while it was written into the layer (${p.size} bytes when it was looked at)`);
          yield c;
        }
        if (got !== p.size) throw new AnyarchError('E_INPUT', `${p.from}: shrank while it was written into the layer (${got} of ${p.size} bytes)`);
      }
      const pad = tarPadding(p.size);
      if (pad.length > 0) yield pad;
    }
    yield TAR_END;
  }
  return Readable.from(generate(), { objectMode: false });
}

/** Sets byte 9 of a gzip stream (the OS byte of its header) to 255, "unknown". */
class GzipOsByte extends Transform {
  private seen = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.seen <= 9 && this.seen + chunk.length > 9) {
      chunk = Buffer.from(chunk);
      chunk[9 - this.seen] = 0xff;
    }
    this.seen += chunk.length;
    cb(null, chunk);
  }
}

function gzipLevel(level: number | undefined): number {
  const l = level ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(l) || l < 1 || l > 9) throw new AnyarchError('E_USAGE', `gzip level ${String(level)} is not 1 to 9`);
  return l;
}

/** `tar` gzipped deterministically into the store: the descriptor, the tar's digest and size. */
async function gzipInto(tar: Readable, store: BlobStore, level: number, mediaType: string): Promise<WrittenLayer> {
  const tarHash = new Hasher();
  const gzip = zlib.createGzip({ level, chunkSize: 256 * 1024 });
  const out = new GzipOsByte();
  const [piped, stored] = await Promise.allSettled([pipeline(tar, tarHash, gzip, out), store.putStream(out, mediaType)]);
  if (piped.status === 'rejected' && isAnyarchError(piped.reason)) throw piped.reason;
  if (stored.status === 'rejected') throw stored.reason;
  if (piped.status === 'rejected') throw new AnyarchError('E_INPUT', `a layer could not be written (${(piped.reason as Error).message})`);
  return { descriptor: stored.value, diffId: tarHash.digest(), uncompressedSize: tarHash.bytes };
}

/** Most entries {@link entriesFromDirectory} takes from one host directory. */
export const MAX_DIRECTORY_ENTRIES = 1_000_000;

/**
 * The entries of a host directory tree placed at `to` in the image (`--add-dir DIR:DEST`): `to`
 * itself (unless it is `/`) and every directory (0755), regular file (from its execute bit) and symbolic link (its
 * target as written, never followed) below `dir`. The host's directory order, owners, mtimes and
 * umask leave no trace (writeLayer sorts and normalises). Devices, FIFOs and sockets are
 * `E_INPUT`; hard links are read as the files they are. More than {@link MAX_DIRECTORY_ENTRIES}
 * entries is `E_LIMIT`.
 */
export async function entriesFromDirectory(dir: string, to: string): Promise<LayerEntry[]> {
  // `/` (the image's root) takes the directory's contents, with no entry of its own
  const root = posix.normalize(`/${to}`) === '/' ? '' : layerPath(to);
  const st = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new AnyarchError('E_INPUT', `${dir}: cannot be read (${err.code ?? err.message})`);
  });
  if (!st.isDirectory()) throw new AnyarchError('E_INPUT', `${dir}: not a directory`);
  const out: LayerEntry[] = root === '' ? [] : [{ path: root, kind: 'dir' }];
  const pending: { host: string; image: string }[] = [{ host: dir, image: root }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    let items;
    try {
      items = await readdir(next.host, { withFileTypes: true });
    } catch (e) {
      throw new AnyarchError('E_INPUT', `${next.host}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const item of items) {
      const host = path.join(next.host, item.name);
      const image = next.image === '' ? item.name : `${next.image}/${item.name}`;
      if (out.length >= MAX_DIRECTORY_ENTRIES) throw new AnyarchError('E_LIMIT', `${dir}: more than ${MAX_DIRECTORY_ENTRIES} entries; anyarch adds no more from one directory`);
      if (item.isDirectory()) {
        out.push({ path: image, kind: 'dir' });
        pending.push({ host, image });
      } else if (item.isFile()) out.push({ path: image, kind: 'file', from: host });
      else if (item.isSymbolicLink()) out.push({ path: image, kind: 'symlink', target: await readlink(host) });
      else throw new AnyarchError('E_INPUT', `${host}: not a regular file, directory or symbolic link (devices, FIFOs and sockets are not written into layers)`);
    }
  }
  return out;
}

/**
 * Writes `entries` as one deterministic gzip layer into `store` (see the module's comment).
 * `E_INPUT` for a path leaving the root, an entry given twice, a file under a file, a `from` that
 * is missing or not a regular file (or changes size while read).
 */
export async function writeLayer(entries: readonly LayerEntry[], store: BlobStore, opts: LayerOptions = {}): Promise<WrittenLayer> {
  const epoch = opts.epoch ?? 0;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new AnyarchError('E_USAGE', `epoch ${String(epoch)} is not a number of seconds since 1970`);
  const level = gzipLevel(opts.level);
  const planned = await plan(entries);
  return gzipInto(tarStream(planned, epoch), store, level, MediaType.OCI_LAYER_GZIP);
}

/**
 * A layer (an uncompressed one, from `docker save` or an engine's export) gzipped
 * deterministically into the store. The tar is kept byte for byte (checked against the layer's
 * diff id when it has one), so its diff id stays; the result has the OCI tar+gzip media type.
 */
export async function gzipLayer(layer: Layer, store: BlobStore, opts: { level?: number } = {}): Promise<WrittenLayer> {
  const level = gzipLevel(opts.level);
  const written = await gzipInto(await layer.uncompressed(), store, level, MediaType.OCI_LAYER_GZIP);
  if (layer.diffId !== undefined && written.diffId !== layer.diffId) {
    // the verifier of uncompressed() fails first; this is the belt to its braces
    throw new AnyarchError('E_DIGEST', `layer ${layer.descriptor.digest}: its tar hashes to ${written.diffId}, not its diff id ${layer.diffId}`);
  }
  return written;
}
