/** File writes that never leave half a file behind. */
import { randomBytes } from 'node:crypto';
import { chmod, open, realpath, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Replaces `file` with `data` atomically: writes a temporary file in the same directory, then
 * renames it over the target, so a reader never sees half a file. An existing file keeps its
 * mode; a symbolic link is followed (the link stays a link).
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  let target = file;
  try {
    target = await realpath(file);
  } catch {
    // a new file
  }
  let mode: number | undefined;
  try {
    mode = (await stat(target)).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.anyarch-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode ?? 0o666);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (mode !== undefined) await chmod(tmp, mode); // the umask may have narrowed it
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
