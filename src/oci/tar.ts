/**
 * A random-access index of a tar archive: one pass over the headers (the data is skipped with
 * positioned reads, never read), then any entry can be read whole or streamed from its offset.
 * An archive source needs exactly that: a few small JSON entries, and a layer opened where it
 * starts, without extracting anything or reading a multi-gigabyte `docker save` file through.
 *
 * Formats: POSIX ustar (with its `prefix` field), PAX extended headers (`x`: `path`,
 * `linkpath`, `size`; global `g` headers are skipped), GNU long names and link names (`L`,
 * `K`) and GNU base-256 sizes. Names are normalised (`./a//b/` -> `a/b`); a later entry of the
 * same name replaces an earlier one, as when extracting.
 *
 * A truncated or corrupt archive is an `E_SOURCE` error naming the archive (and the entry or
 * offset); every header moves the position forward by at least one block, so no input loops.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import * as posix from 'node:path/posix';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { AnyarchError } from '../errors.js';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** normalised name (no `./`, no leading or trailing `/`) */
  readonly name: string;
  /** byte offset of the entry's data in the archive */
  readonly offset: number;
  /** size of the data in bytes (0 for directories and links) */
  readonly size: number;
  readonly type: TarEntryType;
  /** target of a symbolic or hard link, as written in the archive */
  readonly linkname?: string;
}

export interface TarIndex {
  /** path of the archive file */
  readonly file: string;
  /** the archive as named in messages */
  readonly display: string;
  /** size of the archive file when it was indexed */
  readonly size: number;
  readonly entries: ReadonlyMap<string, TarEntry>;
}

export interface IndexTarOptions {
  /** how messages name the archive (default: the file path) */
  display?: string;
  /** most entries accepted (default 200,000): `E_LIMIT` above */
  maxEntries?: number;
}

const BLOCK = 512;
/** Largest PAX or GNU long-name header data read (the names are kilobytes at most). */
const MAX_META_BYTES = 1024 * 1024;
const MAX_LINK_HOPS = 32;
const DEFAULT_MAX_ENTRIES = 200_000;

const utf8 = new TextDecoder('utf-8');

/** `./a//b/` -> `a/b`; `/a` -> `a`; `.` and `./` -> `` (the archive root). */
export function normalizeTarName(name: string): string {
  let n = posix.normalize(name.replace(/^\/+/, ''));
  n = n.replace(/\/+$/, '');
  if (n === '.') return '';
  return n.replace(/^(\.\/)+/, '');
}

function sourceError(display: string, why: string, hint?: string): AnyarchError {
  return new AnyarchError('E_SOURCE', `${display}: ${why}`, hint);
}

/** A NUL-terminated string field. */
function cstring(b: Uint8Array, off: number, len: number): string {
  const field = b.subarray(off, off + len);
  const end = field.indexOf(0);
  return utf8.decode(end === -1 ? field : field.subarray(0, end));
}

/** A numeric field: octal text (space/NUL padded), or GNU base-256 when the high bit is set. */
function numeric(b: Uint8Array, off: number, len: number): number | undefined {
  const first = b[off] as number;
  if (first & 0x80) {
    if (first === 0xff) return undefined; // negative
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + (b[off + i] as number);
      if (!Number.isSafeInteger(v)) return undefined;
    }
    return v;
  }
  const text = cstring(b, off, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  const v = parseInt(text, 8);
  return Number.isSafeInteger(v) ? v : undefined;
}

function isZeroBlock(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

function checksumOk(b: Uint8Array): boolean {
  const stored = numeric(b, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const x = i >= 148 && i < 156 ? 0x20 : (b[i] as number);
    unsigned += x;
    signed += x > 127 ? x - 256 : x;
  }
  return stored === unsigned || stored === signed;
}

/** PAX records `<len> <key>=<value>\n`; undefined when malformed. */
function parsePax(data: Uint8Array): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // NUL padding some writers leave
    const space = data.indexOf(0x20, pos);
    if (space === -1 || space - pos > 20) return undefined;
    const lenText = utf8.decode(data.subarray(pos, space));
    if (!/^[0-9]+$/.test(lenText)) return undefined;
    const len = parseInt(lenText, 10);
    if (len <= space - pos + 1 || pos + len > data.length || data[pos + len - 1] !== 0x0a) return undefined;
    const record = utf8.decode(data.subarray(space + 1, pos + len - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) return undefined;
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
    case '':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

/** Types whose size field does not announce data (as Go's archive/tar reads them). */
function headerOnly(flag: string): boolean {
  return flag === '1' || flag === '2' || flag === '3' || flag === '4' || flag === '5' || flag === '6';
}

/**
 * Reads the headers of the tar archive `file` and records every entry's name, offset, size and
 * type. `E_NOT_FOUND` when the file does not exist, `E_SOURCE` when it is not a readable tar
 * archive (truncated, corrupt header, compressed), `E_LIMIT` above `maxEntries` entries.
 */
export async function indexTar(file: string, opts: IndexTarOptions = {}): Promise<TarIndex> {
  const display = opts.display ?? file;
  const maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw sourceError(display, 'is not a regular file (an archive is read at random offsets; save it to a file first)');
    size = st.size;
  } catch (e) {
    if (e instanceof AnyarchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AnyarchError('E_NOT_FOUND', `${display}: no such file`);
    throw sourceError(display, `cannot be read (${(e as Error).message})`);
  }
  const entries = new Map<string, TarEntry>();
  const fh = await open(file, 'r').catch((e: Error) => {
    throw sourceError(display, `cannot be opened (${e.message})`);
  });
  try {
    const block = new Uint8Array(BLOCK);
    const readAt = async (buf: Uint8Array, position: number): Promise<number> => {
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got;
    };
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Map<string, string> | undefined;
    for (;;) {
      const got = await readAt(block, pos);
      if (got === 0) break; // no end-of-archive blocks: accepted, as most readers do
      if (pos === 0) compressed(block, got, display);
      if (got < BLOCK) throw sourceError(display, `truncated: the archive ends inside the header at offset ${pos}`);
      if (isZeroBlock(block)) break;
      if (!checksumOk(block)) {
        if (pos === 0) throw sourceError(display, 'is not a tar archive (no valid tar header at its start)');
        throw sourceError(display, `corrupt tar header at offset ${pos} (checksum mismatch)`);
      }
      const flag = String.fromCharCode(block[156] as number);
      const headerSize = numeric(block, 124, 12);
      if (headerSize === undefined) throw sourceError(display, `corrupt tar header at offset ${pos} (invalid size field)`);
      const dataOffset = pos + BLOCK;
      const isMeta = flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K';
      let dataSize = headerOnly(flag) ? 0 : headerSize;
      if (!isMeta && pax?.has('size') && !headerOnly(flag)) {
        const s = pax.get('size') as string;
        if (!/^[0-9]+$/.test(s) || !Number.isSafeInteger(Number(s))) throw sourceError(display, `corrupt PAX header before offset ${pos} (invalid size ${JSON.stringify(s)})`);
        dataSize = Number(s);
      }
      if (dataOffset + dataSize > size) {
        const what = isMeta ? `the extended header at offset ${pos}` : `entry "${normalizeTarName(longName ?? pax?.get('path') ?? rawName(block))}"`;
        throw sourceError(display, `truncated: ${what} needs ${dataSize} bytes but the archive ends ${size - dataOffset < 0 ? 0 : size - dataOffset} bytes after its header`);
      }
      if (isMeta) {
        if (dataSize > MAX_META_BYTES) throw sourceError(display, `an extended header at offset ${pos} is ${dataSize} bytes, more than the ${MAX_META_BYTES} accepted`);
        const data = new Uint8Array(dataSize);
        await readAt(data, dataOffset);
        if (flag === 'x') {
          const parsed = parsePax(data);
          if (!parsed) throw sourceError(display, `corrupt PAX header at offset ${pos}`);
          pax = parsed;
        } else if (flag === 'L') {
          longName = cstring(data, 0, data.length);
        } else if (flag === 'K') {
          longLink = cstring(data, 0, data.length);
        }
        // 'g' (global PAX) is skipped: it carries nothing an image reader needs
      } else {
        const written = pax?.get('path') ?? longName ?? rawName(block);
        const name = normalizeTarName(written);
        const link = pax?.get('linkpath') ?? longLink ?? cstring(block, 157, 100);
        // old (v7) archives mark directories only by the trailing slash
        const type = typeOf(flag) === 'file' && written.endsWith('/') ? 'directory' : typeOf(flag);
        if (name !== '') {
          if (!entries.has(name) && entries.size >= maxEntries) {
            throw new AnyarchError('E_LIMIT', `${display}: more than ${maxEntries} entries, more than anyarch indexes`);
          }
          entries.delete(name); // a later entry replaces an earlier one, and comes last
          entries.set(name, {
            name,
            offset: dataOffset,
            size: type === 'file' ? dataSize : 0,
            type,
            ...((type === 'symlink' || type === 'hardlink') && link ? { linkname: link } : {}),
          });
        }
        longName = undefined;
        longLink = undefined;
        pax = undefined;
      }
      pos = dataOffset + Math.ceil(dataSize / BLOCK) * BLOCK;
    }
  } finally {
    await fh.close();
  }
  return { file, display, size, entries };
}

/** Throws when the archive starts like a compressed file (`docker save | gzip`). */
function compressed(block: Uint8Array, got: number, display: string): void {
  if (got >= 2 && block[0] === 0x1f && block[1] === 0x8b) throw sourceError(display, 'is gzip-compressed, not a tar archive', 'decompress it first (gunzip), then use the .tar');
  if (got >= 4 && block[0] === 0x28 && block[1] === 0xb5 && block[2] === 0x2f && block[3] === 0xfd) throw sourceError(display, 'is zstd-compressed, not a tar archive', 'decompress it first (unzstd), then use the .tar');
}

/** The header's own name: ustar `prefix/name` (POSIX magic only; GNU uses that space otherwise). */
function rawName(block: Uint8Array): string {
  const name = cstring(block, 0, 100);
  const magic = cstring(block, 257, 6);
  if (magic === 'ustar' && block[262] === 0) {
    const prefix = cstring(block, 345, 155);
    if (prefix) return `${prefix}/${name}`;
  }
  return name;
}

/**
 * The regular file `name` stands for: the entry itself, or the file a symbolic link (relative
 * to its directory) or hard link (relative to the archive root) leads to. Undefined when there
 * is none (missing, a directory, a link out of the archive or a cycle).
 */
export function findEntry(index: TarIndex, name: string): TarEntry | undefined {
  let n = normalizeTarName(name);
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const e = index.entries.get(n);
    if (!e) return undefined;
    if (e.type === 'file') return e;
    if (!e.linkname) return undefined;
    if (e.type === 'symlink') {
      n = e.linkname.startsWith('/') ? normalizeTarName(e.linkname) : normalizeTarName(posix.join(posix.dirname(n), e.linkname));
    } else if (e.type === 'hardlink') {
      n = normalizeTarName(e.linkname);
    } else {
      return undefined;
    }
    if (n === '..' || n.startsWith('../')) return undefined;
  }
  return undefined;
}

function requireEntry(index: TarIndex, name: string): TarEntry {
  const e = findEntry(index, name);
  if (e) return e;
  const raw = index.entries.get(normalizeTarName(name));
  if (raw && raw.type !== 'file') {
    throw new AnyarchError('E_NOT_FOUND', `${index.display}: "${normalizeTarName(name)}" is ${raw.type === 'directory' ? 'a directory' : raw.linkname ? `a ${raw.type} to "${raw.linkname}", which is not a file in the archive` : `not a regular file`}`);
  }
  throw new AnyarchError('E_NOT_FOUND', `${index.display}: no entry "${normalizeTarName(name)}" in the archive`);
}

/**
 * Reads entry `name` whole (links followed). `E_NOT_FOUND` when it is missing, `E_LIMIT` above
 * `limit` bytes, `E_SOURCE` when the archive changed and the data is no longer there.
 */
export async function readEntry(index: TarIndex, name: string, limit: number): Promise<Uint8Array> {
  const e = requireEntry(index, name);
  if (e.size > limit) throw new AnyarchError('E_LIMIT', `${index.display}: "${e.name}" is ${e.size} bytes, more than the ${limit} bytes anyarch reads`);
  return readFrom(index, e, e.size);
}

/** The first `n` bytes of entry `name` (fewer when it is shorter), e.g. to sniff compression. */
export async function readEntryHead(index: TarIndex, name: string, n: number): Promise<Uint8Array> {
  const e = requireEntry(index, name);
  return readFrom(index, e, Math.min(n, e.size));
}

async function readFrom(index: TarIndex, e: TarEntry, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  if (length === 0) return buf;
  let fh;
  try {
    fh = await open(index.file, 'r');
  } catch (err) {
    throw sourceError(index.display, `cannot be opened to read "${e.name}" (${(err as Error).message})`);
  }
  try {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, e.offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== length) throw sourceError(index.display, `truncated: "${e.name}" ends after ${got} of its ${e.size} bytes (did the archive change?)`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Errors when a stream delivers fewer bytes than the entry has (the archive was cut). */
class LengthCheck extends Transform {
  private seen = 0;
  constructor(
    private readonly expected: number,
    private readonly what: () => AnyarchError,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    cb(this.seen === this.expected ? null : this.what());
  }
}

/**
 * Entry `name` (links followed) as a stream of exactly its bytes, read from its offset.
 * Throws `E_NOT_FOUND` at once when there is no such file; read errors and an archive cut short
 * since indexing surface as `E_SOURCE` stream errors.
 */
export function entryStream(index: TarIndex, name: string): Readable {
  const e = requireEntry(index, name);
  if (e.size === 0) {
    return new Readable({
      read() {
        this.push(null);
      },
    });
  }
  const src = createReadStream(index.file, { start: e.offset, end: e.offset + e.size - 1 });
  const out = new LengthCheck(e.size, () => sourceError(index.display, `truncated: "${e.name}" ends before its ${e.size} bytes (did the archive change?)`));
  src.on('error', (err) => out.destroy(sourceError(index.display, `cannot read "${e.name}" (${err.message})`)));
  out.on('close', () => src.destroy());
  src.pipe(out);
  return out;
}
