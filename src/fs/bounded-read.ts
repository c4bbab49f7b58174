/**
 * Reading local files and streams whole, but never more than a limit, and never opening what is
 * not a regular file.
 *
 * A path can name a FIFO (opening it for reading blocks until a writer comes, possibly never),
 * a device (`/dev/zero` never ends; opening some devices has side effects), or a socket; a file
 * can be sparse and claim gigabytes. So a file is read in three steps:
 *
 * 1. `stat` (following symbolic links, as the open will): anything but a regular file is refused
 *    here, and never opened.
 * 2. `open` with `O_NONBLOCK` (and `O_NOCTTY`): the path may have been replaced between the stat
 *    and the open (a race nobody can close with paths alone); `O_NONBLOCK` makes opening a FIFO
 *    return at once instead of waiting for a writer, so a swap cannot hang us.
 * 3. `fstat` on the open descriptor: this is the file we would read, whatever the path names now;
 *    anything but a regular file is refused before a byte is read, and a regular file larger than
 *    the limit is refused by its size. On a regular file `O_NONBLOCK` changes nothing.
 *
 * Then at most `limit + 1` bytes are read (a file can grow after the fstat, and some report size
 * 0), so memory is bounded by the limit whatever the file holds.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { errnoReason } from './errno.js';

/** Flags for opening a file to read: never block on a FIFO, never become a controlling terminal. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** How much is read at a time. */
const CHUNK_BYTES = 64 * 1024;

/** What a path names, for people: "a named pipe (FIFO)", "a character device"… */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** A path that names something other than a regular file; it was not opened (or not read). */
export class NotRegularFileError extends Error {
  /** `EISDIR` for a directory (as the system says it), else `ENOTREGULAR` */
  readonly code: string;
  constructor(readonly kind: string) {
    super(`${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
    this.code = kind === 'a directory' ? 'EISDIR' : 'ENOTREGULAR';
  }
}

/** A file or stream with more bytes than the reader's limit; nothing past the limit was read. */
export class TooLargeError extends Error {
  readonly code = 'ETOOLARGE';
  constructor(
    readonly limit: number,
    /** the size the file declares, when known (a stream's is not) */
    readonly size?: number,
  ) {
    super(`larger than ${formatBytes(limit)}`);
    this.name = 'TooLargeError';
  }
}

/** `4 MiB`, `64 KiB`, `100 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

function checkRegular(st: Stats, limit: number): void {
  if (!st.isFile()) throw new NotRegularFileError(fileKind(st));
  if (st.size > limit) throw new TooLargeError(limit, st.size);
}

/**
 * The bytes of the regular file `file` (symbolic links followed), at most `limit` of them.
 * Throws `NotRegularFileError` for anything else (not opened, see above), `TooLargeError` past
 * the limit, and the system's error (ENOENT, EACCES…) otherwise. Synchronous, for callers that
 * read thousands of small files.
 */
export function readRegularFileSync(file: string, limit: number): Buffer {
  checkRegular(statSync(file), limit);
  const fd = openSync(file, READ_FLAGS);
  try {
    const st = fstatSync(fd);
    checkRegular(st, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    // one buffer of the declared size (plus one byte to see growth), more only if the file grew
    for (let want = Math.min(st.size, limit) + 1; ; want = Math.min(CHUNK_BYTES, limit + 1 - total)) {
      const buf = Buffer.allocUnsafe(want);
      const n = readSync(fd, buf, 0, want, null);
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
      if (total > limit) throw new TooLargeError(limit);
      // a short read that reaches the declared size is the end: no second read (nor buffer) to
      // learn it. Files that declare no size (procfs) may read short before their end.
      if (n < want && st.size > 0 && total >= st.size) break;
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** `readRegularFileSync`, asynchronous. */
export async function readRegularFile(file: string, limit: number): Promise<Buffer> {
  checkRegular(await stat(file), limit);
  const fh = await open(file, READ_FLAGS);
  try {
    const st = await fh.stat();
    checkRegular(st, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    for (let want = Math.min(st.size, limit) + 1; ; want = Math.min(CHUNK_BYTES, limit + 1 - total)) {
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead: n } = await fh.read(buf, 0, want, null);
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
      if (total > limit) throw new TooLargeError(limit);
      // a short read that reaches the declared size is the end: no second read (nor buffer) to
      // learn it. Files that declare no size (procfs) may read short before their end.
      if (n < want && st.size > 0 && total >= st.size) break;
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/** One decoder for every file (a `decode` without `stream` keeps no state); fatal on bad UTF-8, a byte order mark dropped. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The UTF-8 text of the regular file `file` (links followed, a byte order mark dropped), at most
 * `limit` bytes, or why it cannot be read, as a phrase (`a named pipe (FIFO), not a regular
 * file`, `larger than 128 MiB`, `not UTF-8 text`, `no such file or directory`). Never throws.
 */
export function readTextSync(file: string, limit: number): { readonly text: string } | { readonly unreadable: string } {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(file, limit);
  } catch (e) {
    if (e instanceof NotRegularFileError) return { unreadable: e.message };
    if (e instanceof TooLargeError) return { unreadable: `larger than ${formatBytes(limit)}` };
    return { unreadable: errnoReason(e) };
  }
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    return { unreadable: 'not UTF-8 text' };
  }
}

/**
 * Reads a stream (standard input) to its end, but stops as soon as it has more than `limit`
 * bytes: at most `limit + 1` bytes are ever held, and the rest is never read (`yes |` or
 * `< /dev/zero` end at once). Returns what was read; a result longer than `limit` means the
 * stream had more. Leaving the loop early destroys the stream.
 */
export async function readAtMost(stream: AsyncIterable<Uint8Array | string>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    const take = Math.min(chunk.length, limit + 1 - total);
    chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    total += take;
    if (total > limit) break;
  }
  return Buffer.concat(chunks, total);
}
