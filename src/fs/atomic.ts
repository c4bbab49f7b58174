/** File writes that never leave half a file behind, and never replace what they were not meant to. */
import { open, readFile, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { AnyarchError } from '../errors.js';
import { randomHex, sha256Hex } from './hash.js';

/** What a file was when it was read: a replacement checks it still is. */
export interface FileSnapshot {
  readonly size: number;
  /** modification time in nanoseconds (`stat(…, { bigint: true }).mtimeNs`) */
  readonly mtimeNs: bigint;
  /** SHA-256 of the bytes read, hex */
  readonly sha256: string;
}

/** The snapshot of bytes just read, with the stat taken before reading them. */
export function snapshotOf(bytes: Uint8Array, before: { readonly size: bigint | number; readonly mtimeNs: bigint }): FileSnapshot {
  return { size: Number(before.size), mtimeNs: before.mtimeNs, sha256: sha256Hex(bytes) };
}

export interface ReplaceOptions {
  /**
   * the file must still be what was read: same size, modification time and content hash, checked
   * after the new content is written to the temporary file and before it is renamed over the
   * file; otherwise nothing is replaced (`E_CONFLICT`)
   */
  readonly unchanged?: FileSnapshot;
  /**
   * directories (real paths) the file must lie in once symbolic links are resolved: a link (or a
   * linked directory) leading out of them is not followed (`E_INPUT`)
   */
  readonly within?: readonly string[];
}

/** Whether `file` is `dir` or below it (both resolved by the caller as it needs: links or not). */
export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** The file `file` names, links resolved (a new file: `file` itself). */
async function targetOf(file: string): Promise<{ target: string; exists: boolean }> {
  try {
    return { target: await realpath(file), exists: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return { target: file, exists: false };
  }
}

/**
 * Replaces `file` with `data` atomically: writes a temporary file in the same directory, then
 * renames it over the target, so a reader never sees half a file. An existing file keeps its
 * mode and, where the process may set them, its owner and group (a root process always can); a
 * symbolic link is followed (the link stays a link), unless `within` says it leads out of the
 * tree. With `unchanged`, a file that changed since it was read is left alone.
 */
export async function writeFileAtomic(file: string, data: string, opts: ReplaceOptions = {}): Promise<void> {
  const { target, exists } = await targetOf(file);
  if (opts.within && !opts.within.some((dir) => isInside(target, dir))) {
    throw new AnyarchError(
      'E_INPUT',
      `not written: it leads to ${target}, outside the tree being fixed (a symbolic link)`,
      'anyarch does not follow links out of the directories it was asked to fix; fix that file where it lives.',
      { file },
    );
  }
  const before = exists ? await stat(target, { bigint: true }) : undefined;
  const mode = before ? Number(before.mode & 0o7777n) : undefined;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.anyarch-${process.pid}-${randomHex(4)}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode ?? 0o666);
    try {
      await fh.writeFile(data, 'utf8');
      if (before) await keepOwner(fh, before, file);
      // after chown, which clears set-user-ID bits; the umask may have narrowed the mode too
      if (mode !== undefined) await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.unchanged) await assertUnchanged(target, opts.unchanged, file);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Gives the temporary file the replaced file's owner and group; a file whose owner cannot be kept is not replaced. */
async function keepOwner(fh: FileHandle, before: { uid: bigint; gid: bigint }, file: string): Promise<void> {
  const mine = await fh.stat({ bigint: true });
  if (mine.uid === before.uid && mine.gid === before.gid) return;
  try {
    await fh.chown(Number(before.uid), Number(before.gid));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL') throw e;
    throw new AnyarchError(
      'E_INPUT',
      `not written: it belongs to user ${before.uid} group ${before.gid}, and a replacement written by this user could not keep that owner`,
      'Run anyarch as the file\'s owner (or as root) to fix it.',
      { file },
    );
  }
}

async function assertUnchanged(target: string, was: FileSnapshot, file: string): Promise<void> {
  let changed: string | undefined;
  try {
    const now = await stat(target, { bigint: true });
    if (Number(now.size) !== was.size) changed = 'its size changed';
    else if (now.mtimeNs !== was.mtimeNs) changed = 'it was modified';
    else if (sha256Hex(await readFile(target)) !== was.sha256) changed = 'its content changed';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    changed = 'it was removed';
  }
  if (changed !== undefined) {
    throw new AnyarchError(
      'E_CONFLICT',
      `not written: ${changed} since anyarch read it`,
      'Someone (an editor, another tool) changed the file while anyarch was checking it; run the fix again.',
      { file },
    );
  }
}
