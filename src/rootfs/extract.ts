/**
 * Safe extraction of an image's layers into a fresh temporary directory, for a smoke run (the
 * one place anyarch writes an image's files to disk; `verify` itself extracts nothing).
 *
 *   extractLayers(layers, options?) -> ExtractedRoot   (remove() it; or use withExtractedRoot)
 *
 * Layers are applied bottom-up, each read once through {@link readTar} with synchronous sinks
 * (bodies written with writeSync, no promise per entry or chunk). OCI whiteouts: `.wh.<name>`
 * removes `<name>` left by lower layers (not one written by the same layer); `.wh..wh..opq`
 * empties its directory of everything lower layers left there, wherever the marker sits in the
 * layer's tar order (what the layer itself wrote before the marker stays); other `.wh..wh.*`
 * names (aufs bookkeeping) are skipped. The whiteout files themselves are never written.
 *
 * Safety, as containerd's applier and moby's archive package do it:
 * - a name that is absolute or climbs out with `..` (`escapes` from the tar reader) is refused:
 *   the whole extraction fails (`E_SOURCE`); nothing is run from an image that tries it;
 * - every parent directory is resolved inside the root, one component at a time with lstat:
 *   a symlink the same layer wrote, met on the way, is followed as a chroot would (absolute
 *   targets from the root, `..` clamped at the root, at most {@link MAX_SYMLINK_HOPS} links), so
 *   a `link -> /etc` followed by `link/passwd` writes the root's own etc/passwd, never the
 *   host's; a lower layer's symlink there is replaced by the directory the entry implies, as
 *   overlayfs shows it (containerd and Docker apply a layer to its own empty upper directory, so
 *   `lib/foo` over a lower `lib -> usr/lib` makes a directory `lib` that hides the link) and as
 *   the verified tree has it (src/rootfs/tree.ts); a whiteout's directory likewise. The last
 *   component is never followed (an existing entry there is removed and replaced), files are
 *   created with O_CREAT|O_EXCL|O_NOFOLLOW. Only this process writes the tree while it is being
 *   built, so nothing can swap a checked component before it is used;
 * - a hard link's target is resolved the same way (the tar reader cleans it and clamps it at the
 *   root, so it cannot name a file outside) and must be a file already extracted; a link to a
 *   missing target or to a directory fails the extraction (`E_SOURCE`);
 * - device nodes, FIFOs and unknown kinds are skipped and counted, never created;
 * - set-user-id and set-group-id bits are dropped; owners are kept only when running as root,
 *   moved into the range a smoke run's user namespace maps back when asked (`idShift`);
 * - bounded: {@link MAX_EXTRACT_BYTES} bytes of file bodies and {@link MAX_EXTRACT_ENTRIES} tar
 *   entries over all layers (`E_LIMIT`, the stream is stopped at once).
 *
 * The temporary directory comes from src/fs/temporary.ts, so the anyarch command's signal
 * handlers remove it on SIGINT/SIGTERM/SIGHUP; a failed extraction removes it before it throws.
 * The tree itself lives in `<temporary dir>/rootfs` (mode 0755 for the container's user) inside
 * a private (0700) directory.
 */
import { closeSync, constants as fsc, fchmodSync, fchownSync, lchownSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, rmSync, chmodSync, linkSync, symlinkSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import { temporaryDirs } from '../fs/temporary.js';
import { readTar, type TarSink } from './tar.js';
import { MAX_SYMLINK_HOPS, type TarEntry } from './types.js';

/** Most bytes of file bodies written over all layers: 4 GiB (`E_LIMIT` beyond). */
export const MAX_EXTRACT_BYTES = 4 * 1024 * 1024 * 1024;
/** Most tar entries read over all layers: 1,000,000 (`E_LIMIT` beyond). */
export const MAX_EXTRACT_ENTRIES = 1_000_000;
/** How many refused or skipped names an {@link ExtractStats} lists (the rest are counted). */
export const MAX_LISTED_ODDITIES = 20;

/** Opens one layer's uncompressed tar (e.g. `() => layer.uncompressed()`), bottom layer first. */
export type LayerTarOpener = () => Promise<Readable>;

export interface ExtractOptions {
  /** where the temporary directory is made (default the OS temporary directory) */
  readonly parent?: string;
  /** default {@link MAX_EXTRACT_BYTES} */
  readonly maxBytes?: number;
  /** default {@link MAX_EXTRACT_ENTRIES} */
  readonly maxEntries?: number;
  /** how messages name layer `i` (default `layer <i+1>`) */
  readonly layerName?: (index: number) => string;
  /** as root: the owners written moved into this range (for a user namespace that maps it back); directories made on the way and the root get its id 0 */
  readonly idShift?: IdShift;
}

/** Owner ids moved into a range: `id` -> `base + id`; an id from `count` up -> `base + 65534` (nobody), as a user namespace of `count` ids shows it. */
export interface IdShift {
  readonly base: number;
  readonly count: number;
}

/** `id` as {@link IdShift} moves it (unchanged without one). */
export function shiftId(id: number, shift: IdShift | undefined): number {
  if (!shift) return id;
  return shift.base + (id < shift.count ? id : 65534);
}

export interface ExtractStats {
  /** tar entries read, whiteouts included */
  entries: number;
  /** regular files written (hard links not counted) */
  files: number;
  /** bytes of file bodies written */
  bytes: number;
  /** whiteouts and opaque markers applied */
  whiteouts: number;
  /** device nodes, FIFOs and unknown kinds skipped */
  skipped: number;
  /** the first {@link MAX_LISTED_ODDITIES} skipped names, with why */
  readonly oddities: string[];
}

export interface ExtractedRoot {
  /** the extracted tree (the container's `/`) */
  readonly root: string;
  /** the private temporary directory holding it (what {@link remove} deletes) */
  readonly tempDir: string;
  readonly stats: ExtractStats;
  /** Removes the temporary directory with everything in it (idempotent). */
  remove(): Promise<void>;
}

const RUNNING_AS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const OPEN_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;

/** The errors of {@link refused}: the image's own fault, not this machine's. */
const refusals = new WeakSet<Error>();

function refused(what: string, why: string): AnyarchError {
  const e = new AnyarchError('E_SOURCE', `${what}: ${why}; nothing is extracted or run from it`, 'an image whose layers do that is broken or hostile');
  refusals.add(e);
  return e;
}

/** Whether an extraction failed because of what the layers hold (a path escape, a bad hard link, a symlink loop), not a bound or a read. */
export function isRefusal(e: unknown): boolean {
  return e instanceof Error && refusals.has(e);
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw e;
  }
}

/**
 * Applies tar entries to a directory tree under `root`. Exported for tests (entries can be fed
 * without a tar); {@link extractLayers} is the way in.
 */
export class RootWriter {
  readonly stats: ExtractStats = { entries: 0, files: 0, bytes: 0, whiteouts: 0, skipped: 0, oddities: [] };
  /** resolved (real, relative) paths written by the current layer */
  private written = new Set<string>();
  /** parent path as named -> resolved relative path; cleared whenever anything is removed */
  private readonly dirCache = new Map<string, string>();
  /** directory modes, applied at the end (so a read-only directory can still be filled) */
  private readonly dirModes = new Map<string, number>();
  private what = 'layer';
  private openFd: number | undefined;
  /** a layer's own symlinks are followed on the way to its entries; a lower layer's are replaced by the directory the entry implies */
  private readonly walk: WalkOptions;

  constructor(
    readonly root: string,
    private readonly maxBytes = MAX_EXTRACT_BYTES,
    private readonly maxEntries = MAX_EXTRACT_ENTRIES,
    private readonly idShift?: IdShift,
  ) {
    this.walk = { ...(idShift ? { shift: idShift } : {}), follow: (rel) => this.written.has(rel), replaced: () => this.dirCache.clear() };
  }

  beginLayer(what: string): void {
    this.what = what;
    this.written = new Set();
  }

  /** One entry of the current layer; a sink for a regular file's body. Throws to stop the extraction. */
  entry(e: TarEntry): TarSink | undefined {
    this.closeOpen();
    if (++this.stats.entries > this.maxEntries) {
      throw new AnyarchError('E_LIMIT', `${this.what}: more than ${this.maxEntries} entries in the image's layers`, 'a smoke run extracts at most MAX_EXTRACT_ENTRIES entries');
    }
    if (e.escapes) throw refused(this.what, `the entry "${e.rawPath}" names a path outside the root`);
    if (e.path === '') {
      if (e.kind === 'dir') return undefined; // the root itself
      throw refused(this.what, `the entry "${e.rawPath}" would replace the root`);
    }
    const slash = e.path.lastIndexOf('/');
    const parentName = slash < 0 ? '' : e.path.slice(0, slash);
    const base = e.path.slice(slash + 1);
    if (base.startsWith('.wh.')) {
      this.whiteout(parentName, base);
      return undefined;
    }
    switch (e.kind) {
      case 'char':
      case 'block':
      case 'fifo':
      case 'other':
        this.stats.skipped++;
        this.oddity(`${e.path}: ${e.kind === 'other' ? 'an entry of an unknown kind' : e.kind === 'fifo' ? 'a FIFO' : 'a device node'}, skipped`);
        return undefined;
      default:
    }
    const parent = this.resolveDir(parentName, e.rawPath);
    const rel = parent === '' ? base : `${parent}/${base}`;
    const abs = this.abs(rel);
    this.markWritten(rel);
    const existing = lstatOrUndefined(abs);
    if (e.kind === 'dir') {
      if (existing && !existing.isDirectory()) this.removePath(abs, existing);
      if (!existing || !existing.isDirectory()) mkdirSync(abs, { mode: 0o700 });
      if (RUNNING_AS_ROOT) lchownSync(abs, shiftId(e.uid, this.idShift), shiftId(e.gid, this.idShift));
      this.dirModes.set(rel, e.mode);
      return undefined;
    }
    if (e.kind === 'hardlink') {
      const targetName = e.linkname ?? '';
      const target = this.resolveLink(targetName, e.rawPath);
      if (target === rel) return undefined; // a link to itself: the file is already there
      const st = lstatOrUndefined(this.abs(target));
      if (!st) throw refused(this.what, `the hard link "${e.rawPath}" points at "${targetName}", which is not in the root`);
      if (st.isDirectory()) throw refused(this.what, `the hard link "${e.rawPath}" points at the directory "${targetName}"`);
      // replacing a directory that holds the target would remove the target first
      if (existing && target.startsWith(`${rel}/`)) throw refused(this.what, `the hard link "${e.rawPath}" points at "${targetName}", inside the directory it replaces`);
      if (existing) this.removePath(abs, existing);
      try {
        linkSync(this.abs(target), abs);
      } catch (err) {
        throw refused(this.what, `the hard link "${e.rawPath}" to "${targetName}" cannot be made (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      return undefined;
    }
    if (existing) this.removePath(abs, existing);
    if (e.kind === 'symlink') {
      symlinkSync(e.linkname ?? '', abs);
      if (RUNNING_AS_ROOT) lchownSync(abs, shiftId(e.uid, this.idShift), shiftId(e.gid, this.idShift));
      return undefined;
    }
    // a regular file
    const fd = openSync(abs, OPEN_FLAGS, 0o600);
    this.openFd = fd;
    this.stats.files++;
    const mode = e.mode & 0o1777;
    const uid = shiftId(e.uid, this.idShift);
    const gid = shiftId(e.gid, this.idShift);
    return {
      write: (chunk: Uint8Array): boolean => {
        this.stats.bytes += chunk.length;
        if (this.stats.bytes > this.maxBytes) {
          throw new AnyarchError('E_LIMIT', `${this.what}: the image's files hold more than ${this.maxBytes} bytes`, 'a smoke run extracts at most MAX_EXTRACT_BYTES bytes');
        }
        let done = 0;
        while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
        return true;
      },
      end: (): void => {
        if (this.openFd !== fd) return;
        this.openFd = undefined;
        try {
          if (RUNNING_AS_ROOT) fchownSync(fd, uid, gid);
          fchmodSync(fd, mode); // after chown, which clears set-id bits (dropped anyway)
        } finally {
          closeSync(fd);
        }
      },
      abort: (): void => this.closeOpen(),
    };
  }

  /** The end of all layers: directory modes applied (owner rwx kept when not root). */
  finish(): void {
    this.closeOpen();
    for (const [rel, mode] of this.dirModes) {
      // a later entry may have made an ancestor a symlink (leading anywhere, the host included):
      // only a directory reached through directories alone is this root's
      if (this.isRealDir(rel)) chmodSync(this.abs(rel), (mode & 0o1777) | (RUNNING_AS_ROOT ? 0 : 0o700));
    }
  }

  /** Whether `rel` and each of its ancestors is a directory, no symlink on the way. */
  private isRealDir(rel: string): boolean {
    let at = '';
    for (const part of rel.split('/')) {
      at = at === '' ? part : `${at}/${part}`;
      if (!lstatOrUndefined(this.abs(at))?.isDirectory()) return false;
    }
    return true;
  }

  closeOpen(): void {
    if (this.openFd === undefined) return;
    const fd = this.openFd;
    this.openFd = undefined;
    closeSync(fd);
  }

  /** `rel` and its ancestors belong to the current layer (an opaque marker keeps them). */
  private markWritten(rel: string): void {
    for (let p = rel; p !== '' && !this.written.has(p); p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) this.written.add(p);
  }

  private abs(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  private oddity(s: string): void {
    if (this.stats.oddities.length < MAX_LISTED_ODDITIES) this.stats.oddities.push(`${this.what}: ${s}`);
  }

  private whiteout(parentName: string, base: string): void {
    if (base.startsWith('.wh..wh.') && base !== '.wh..wh..opq') return; // aufs bookkeeping
    // the whiteout's directory exists in this layer, as the parents of any entry (src/rootfs/tree.ts)
    const parent = this.resolveDir(parentName, `${parentName}/${base}`);
    this.stats.whiteouts++;
    if (base === '.wh..wh..opq') {
      this.opaque(parent);
      return;
    }
    const rel = parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`;
    if (this.written.has(rel)) return; // the same layer's own entry is not hidden
    const abs = this.abs(rel);
    const st = lstatOrUndefined(abs);
    if (st) this.removePath(abs, st);
  }

  /** Removes from `dir` everything that the current layer did not write (iteratively). */
  private opaque(dir: string): void {
    const stack = [dir];
    for (let d = stack.pop(); d !== undefined; d = stack.pop()) {
      for (const ent of readdirSync(this.abs(d), { withFileTypes: true })) {
        const rel = d === '' ? ent.name : `${d}/${ent.name}`;
        if (this.written.has(rel)) {
          if (ent.isDirectory()) stack.push(rel);
          continue;
        }
        const abs = this.abs(rel);
        const st = lstatOrUndefined(abs);
        if (st) this.removePath(abs, st);
      }
    }
  }

  private removePath(abs: string, st: Stats): void {
    this.dirCache.clear();
    if (st.isDirectory()) rmSync(abs, { recursive: true, force: true });
    else unlinkSync(abs);
  }

  /** A directory named by a cleaned path, resolved inside the root and made when missing. */
  private resolveDir(name: string, raw: string): string {
    if (name === '') return '';
    const hit = this.dirCache.get(name);
    if (hit !== undefined) return hit;
    const rel = this.resolve(name, true, true, raw);
    if (rel === undefined) throw refused(this.what, `cannot place "${raw}"`);
    this.dirCache.set(name, rel);
    return rel;
  }

  /** A hard link's target: its parent resolved inside the root, the last component not followed. */
  private resolveLink(name: string, raw: string): string {
    const slash = name.lastIndexOf('/');
    if (name === '') throw refused(this.what, `the hard link "${raw}" has no target`);
    const parent = slash < 0 ? '' : this.resolve(name.slice(0, slash), true, false, raw);
    if (parent === undefined) throw refused(this.what, `the hard link "${raw}" points at "${name}", which is not in the root`);
    const base = name.slice(slash + 1);
    return parent === '' ? base : `${parent}/${base}`;
  }

  private resolve(name: string, followLast: boolean, create: boolean, raw = name): string | undefined {
    return walkInRoot(this.root, name, followLast, create, (why) => refused(this.what, `${raw}: ${why}`), this.walk);
  }
}

interface WalkOptions {
  /** owners of the directories made */
  readonly shift?: IdShift;
  /** with `create`: whether the symlink at this (real, relative) path is followed; when not, a directory replaces it */
  readonly follow?: (rel: string) => boolean;
  /** called when a symlink was replaced */
  readonly replaced?: () => void;
}

/**
 * Walks `name` inside `root` one component at a time with lstat, following symlinks the way a
 * chroot would (absolute targets from the root, `..` clamped at the root); with `create`, missing
 * directories are made (0755). The relative real path, or undefined when a component is missing
 * (without `create`) or is not a directory (without `create`; with it, a non-directory in the
 * way is replaced by a directory, as overlayfs and containerd give it). A symlink loop is
 * `fail`'s error.
 */
function walkInRoot(root: string, name: string, followLast: boolean, create: boolean, fail: (why: string) => Error, how: WalkOptions = {}): string | undefined {
  const made = (abs: string): void => {
    mkdirSync(abs, { mode: 0o755 });
    if (how.shift && RUNNING_AS_ROOT) lchownSync(abs, how.shift.base, how.shift.base);
  };
  const done: string[] = [];
  const todo = name.split('/').reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    if (todo.length === 0 && !followLast) {
      done.push(part);
      break;
    }
    const abs = done.length === 0 ? `${root}/${part}` : `${root}/${done.join('/')}/${part}`;
    const st = lstatOrUndefined(abs);
    if (!st) {
      if (!create) return undefined;
      made(abs);
      done.push(part);
      continue;
    }
    if (st.isSymbolicLink() && create && how.follow && !how.follow(done.length === 0 ? part : `${done.join('/')}/${part}`)) {
      // a lower layer's symlink where this layer implies a directory: the directory hides it, as on overlayfs
      unlinkSync(abs);
      how.replaced?.();
      made(abs);
      done.push(part);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) throw fail(`more than ${MAX_SYMLINK_HOPS} symlinks on the way`);
      const target = readlinkSync(abs);
      if (target.startsWith('/')) done.length = 0;
      for (const p of target.split('/').reverse()) todo.push(p);
      continue;
    }
    if (!st.isDirectory() && (todo.length > 0 || create)) {
      if (!create) return undefined;
      // a directory a layer implies replaces a non-directory there, as overlayfs and containerd give it
      unlinkSync(abs);
      made(abs);
    }
    done.push(part);
  }
  return done.join('/');
}

/**
 * What a path names inside an extracted root, every symlink followed inside it (as the kernel
 * would in a chroot): the path relative to the root and its stats; undefined when it leads
 * nowhere or loops.
 */
export function lookupInRoot(root: string, name: string): { readonly rel: string; readonly stats: Stats } | undefined {
  let rel: string | undefined;
  try {
    rel = walkInRoot(root, name, true, false, (why) => new Error(why));
  } catch {
    return undefined;
  }
  if (rel === undefined) return undefined;
  const stats = lstatOrUndefined(rel === '' ? root : `${root}/${rel}`);
  return stats ? { rel, stats } : undefined;
}

/**
 * Makes a directory (and its missing parents) inside an extracted root, symlinks on the way
 * followed inside it, as Docker makes a missing WorkingDir; false when something in the way is
 * not a directory or loops.
 */
export function makeDirInRoot(root: string, name: string, shift?: IdShift): boolean {
  try {
    return walkInRoot(root, name, true, true, (why) => new Error(why), shift ? { shift } : {}) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Extracts the layers (bottom first) into a fresh temporary directory; see the header of this
 * file. The caller removes it with `remove()` (or uses {@link withExtractedRoot}); a failure
 * removes it before throwing.
 *
 * @throws AnyarchError `E_SOURCE` for a refused entry (a path escape, a bad hard link) or an
 *   unreadable layer, `E_LIMIT` past the bounds, or what the layer's stream fails with (`E_DIGEST`).
 */
export async function extractLayers(layers: readonly LayerTarOpener[], options: ExtractOptions = {}): Promise<ExtractedRoot> {
  const tempDir = await temporaryDirs.make(options.parent ?? tmpdir(), 'anyarch-root-');
  const root = path.join(tempDir, 'rootfs');
  let removed: Promise<void> | undefined;
  const remove = (): Promise<void> => (removed ??= temporaryDirs.remove(tempDir));
  const writer = new RootWriter(root, options.maxBytes ?? MAX_EXTRACT_BYTES, options.maxEntries ?? MAX_EXTRACT_ENTRIES, options.idShift);
  try {
    mkdirSync(root, { mode: 0o755 });
    if (options.idShift && RUNNING_AS_ROOT) lchownSync(root, options.idShift.base, options.idShift.base);
    for (const [i, open] of layers.entries()) {
      const what = options.layerName?.(i) ?? `layer ${i + 1}`;
      writer.beginLayer(what);
      const stream = await open();
      await readTar(stream, (entry) => writer.entry(entry), { what });
      writer.closeOpen();
    }
    writer.finish();
  } catch (e) {
    writer.closeOpen();
    await remove();
    throw e;
  }
  return { root, tempDir, stats: writer.stats, remove };
}

/** Extracts the layers, calls `fn` with the root, and removes the root whatever happens. */
export async function withExtractedRoot<T>(layers: readonly LayerTarOpener[], options: ExtractOptions, fn: (root: ExtractedRoot) => Promise<T>): Promise<T> {
  const extracted = await extractLayers(layers, options);
  try {
    return await fn(extracted);
  } finally {
    await extracted.remove();
  }
}
