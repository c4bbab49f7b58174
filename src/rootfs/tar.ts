/**
 * A streaming tar reader written for speed: one pass, nothing extracted, nothing copied that is
 * not kept.
 *
 *   readTar(stream, onEntry, options?) -> Promise<TarStats>
 *
 * `onEntry(entry, headerOffset)` is called once per entry, in tar order, after PAX (`x`), GNU long
 * names (`L`, `K`) and the ustar prefix are applied. For a regular file it may return a
 * {@link TarSink}: the body is then offered to `sink.write(chunk, offset)` in consecutive views
 * into the stream's own chunks (no copy; copy what you keep past the call), and `sink.end(size)`
 * is called once at the end of the body. Bodies without a sink, and the rest of a body after
 * `write` returned false, are skipped by offset arithmetic. For every other kind the returned
 * value is ignored.
 *
 * Synchronous and asynchronous consumers share the one path: `onEntry`, `write` and `end` may
 * return a promise (extraction writing to disk); the reader then pauses the stream and waits for
 * it before the next byte (backpressure). A scan returns plain values and never allocates a
 * promise per entry or per chunk. A rejected promise or a throw ends `readTar` with that error;
 * a sink that is open when reading fails gets `abort(error)`.
 *
 * Formats: POSIX ustar (the 155-byte `prefix`), PAX `x` records (`path`, `linkpath`, `size`,
 * `uid`, `gid`; others, `mtime` included, ignored), PAX `g` records (validated and bounded, their
 * values ignored, as containerd and Docker ignore them when they apply a layer), GNU `L`/`K` long
 * names, GNU base-256 numbers, V7 tars. Each header's checksum is verified (unsigned or signed
 * sum); a bad header is an `E_SOURCE` error naming its offset. Two zero blocks end the archive
 * (one zero block followed by the end of the stream is accepted, as GNU tar and Go accept it);
 * whatever follows the end is read and ignored, so the stream's own end-of-stream checks (a layer's
 * diff id) still run. A stream that ends anywhere else, a header boundary included, is a truncated
 * tar (`E_SOURCE`).
 *
 * Kinds: `0`, NUL, `7` (contiguous) are files (NUL with a name ending in `/` is a V7 directory);
 * `1` hard link, `2` symlink, `3` char, `4` block, `5` dir, `6` fifo (these have no body whatever
 * their size field says, as Go's reader and so containerd treat them); GNU `D` is a dir (its body
 * skipped); anything else is `other`, its body skipped. Paths are cleaned as src/rootfs/types.ts
 * says ({@link cleanPath}); a hard link's target is cleaned the same way.
 *
 * Bounds (each overridable per call in {@link TarOptions}): {@link MAX_TAR_META_BYTES} for one PAX
 * or GNU long-name body (never buffered beyond it), {@link MAX_TAR_ENTRIES} entries,
 * {@link MAX_TAR_PATH_BYTES} for a cleaned path or link target, and `maxBytes` for the stream
 * (none by default; scanLayer's is MAX_LAYER_UNCOMPRESSED_BYTES); each is an `E_LIMIT` error.
 * Every header moves the position forward by at least one block, so no input loops.
 */
import type { Readable } from 'node:stream';
import { AnyarchError, isAnyarchError } from '../errors.js';
import type { EntryKind, LayerFile, TarEntry } from './types.js';

/** Largest PAX (`x`/`g`) or GNU long-name (`L`/`K`) body read: 1 MiB (real ones are a few hundred bytes). */
export const MAX_TAR_META_BYTES = 1024 * 1024;
/** Most entries one tar may hold: 1,000,000 (PAX and GNU meta headers not counted). */
export const MAX_TAR_ENTRIES = 1_000_000;
/** Longest cleaned path or link target, in UTF-16 code units: 4096, Linux's PATH_MAX (a runtime cannot create a longer one in one call either). */
export const MAX_TAR_PATH_BYTES = 4096;

/** Receives the body of one regular file; see the header of this file. */
export interface TarSink {
  /**
   * A slice of the body at `offset` (a view into the stream's chunk: valid during the call, or
   * until the returned promise settles). Return false when no more bytes are wanted (the rest is
   * skipped, `end` still called); a promise makes the reader wait (resolving to false: as above).
   */
  write(chunk: Uint8Array, offset: number): boolean | void | Promise<boolean | void>;
  /** The body ended (or `write` returned false); `size` is the entry's size. */
  end(size: number): void | Promise<void>;
  /** Reading failed while this sink was open (a truncated tar, a bad header, the stream's error). */
  abort?(error: Error): void;
}

/** The entry is also a `LayerFile` without facts (its `entry` is itself), so a scan that keeps nothing else stores it as it is. */
export type OnTarEntry = (entry: TarEntry & LayerFile<never>, headerOffset: number) => TarSink | undefined | void | Promise<TarSink | undefined | void>;

export interface TarOptions {
  /** how messages name the tar (default `tar`), e.g. `layer sha256:ab12…` */
  readonly what?: string;
  readonly maxEntries?: number;
  readonly maxMetaBytes?: number;
  readonly maxPathBytes?: number;
  /** most bytes read from the stream, trailing bytes included (default: no bound); more is `E_LIMIT` */
  readonly maxBytes?: number;
}

export interface TarStats {
  /** entries passed to `onEntry` */
  readonly entries: number;
  /** bytes up to and including the end-of-archive blocks */
  readonly tarBytes: number;
  /** bytes the stream delivered (trailing bytes after the end included) */
  readonly streamBytes: number;
}

const BLOCK = 512;

/** Reads a tar stream to its end; see the header of this file. */
export function readTar(stream: Readable, onEntry: OnTarEntry, options: TarOptions = {}): Promise<TarStats> {
  return new Promise<TarStats>((resolve, reject) => {
    const parser = new TarParser(onEntry, options);
    let failed = false;
    let waiting = false;
    let ended = false;
    const fail = (e: unknown, fromStream = false): void => {
      if (failed) return;
      failed = true;
      // the stream's own typed errors (E_DIGEST, E_SOURCE...) and consumers' errors pass as they are
      const err = fromStream && !isAnyarchError(e) ? new AnyarchError('E_SOURCE', `${parser.what}: cannot be read (${e instanceof Error ? e.message : String(e)})`, undefined, undefined, { cause: e }) : e;
      parser.abort(err instanceof Error ? err : new Error(String(err)));
      stream.off('data', onData);
      if (!stream.destroyed) stream.destroy();
      reject(err);
    };
    const finish = (): void => {
      if (failed) return;
      try {
        resolve(parser.close());
      } catch (e) {
        fail(e);
      }
    };
    const resume = (p: Promise<unknown>): void => {
      waiting = true;
      stream.pause();
      p.then(
        () => {
          if (failed) return;
          let next: Promise<unknown> | undefined;
          try {
            next = parser.run();
          } catch (e) {
            fail(e);
            return;
          }
          if (next) {
            resume(next);
            return;
          }
          waiting = false;
          if (ended) finish();
          else stream.resume();
        },
        (e: unknown) => fail(e),
      );
    };
    const onData = (chunk: Buffer | Uint8Array | string): void => {
      if (failed) return;
      let p: Promise<unknown> | undefined;
      try {
        p = parser.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      } catch (e) {
        fail(e);
        return;
      }
      if (p) resume(p);
    };
    stream.on('data', onData);
    stream.on('error', (e) => fail(e, true));
    stream.on('end', () => {
      ended = true;
      if (!waiting) finish();
    });
  });
}

const S_HEADER = 0;
const S_BODY = 1;
const S_SKIP = 2;
const S_META = 3;
const S_END = 4;

/**
 * A tar entry as the reader makes it: one object that is its own `LayerFile` (facts undefined).
 * Exported for scans kept elsewhere and read back (src/verify/layer-cache.ts), so that they hold
 * the same objects a read holds.
 */
export class Entry implements TarEntry, LayerFile<never> {
  constructor(
    readonly path: string,
    readonly rawPath: string,
    readonly escapes: boolean,
    readonly kind: EntryKind,
    readonly mode: number,
    readonly size: number,
    readonly linkname: string | undefined,
    readonly uid: number,
    readonly gid: number,
  ) {}

  /** An entry is its own `LayerFile` (facts undefined) when a scan keeps nothing else of it: one object per entry. */
  get entry(): TarEntry {
    return this;
  }
}

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** The state machine; exported for tests of chunking only through readTar. */
class TarParser {
  readonly what: string;
  private readonly maxEntries: number;
  private readonly maxMeta: number;
  private readonly maxPath: number;
  private readonly maxBytes: number;

  private state = S_HEADER;
  /** the chunk being read and the position in it */
  private chunk: Buffer = Buffer.alloc(0);
  private p = 0;
  /** absolute offset of `chunk[0]` */
  private base = 0;

  /** a header split across chunks */
  private readonly hdr = Buffer.alloc(BLOCK);
  private hdrFill = 0;
  private zeroBlocks = 0;
  private endOffset = -1;

  // body of the current entry
  private left = 0;
  private skipLeft = 0;
  private sink: TarSink | undefined = undefined;
  private sinkWants = false;
  private bodyOffset = 0;
  private bodySize = 0;
  private pendingKind: EntryKind = 'other';

  // meta (PAX / GNU long names) being read
  private meta: Buffer = Buffer.alloc(0);
  private metaFill = 0;
  private metaType = 0;
  private metaOffset = 0;

  // overrides for the next entry
  private longName: string | undefined = undefined;
  private longLink: string | undefined = undefined;
  private paxPath: string | undefined = undefined;
  private paxLink: string | undefined = undefined;
  private paxSize = -1;
  private paxUid = -1;
  private paxGid = -1;

  private entries = 0;
  private total = 0;

  constructor(
    private readonly onEntry: OnTarEntry,
    options: TarOptions,
  ) {
    this.what = options.what ?? 'tar';
    this.maxEntries = options.maxEntries ?? MAX_TAR_ENTRIES;
    this.maxMeta = options.maxMetaBytes ?? MAX_TAR_META_BYTES;
    this.maxPath = options.maxPathBytes ?? MAX_TAR_PATH_BYTES;
    this.maxBytes = options.maxBytes ?? Infinity;
  }

  feed(chunk: Uint8Array): Promise<unknown> | undefined {
    this.base += this.chunk.length;
    this.chunk = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.p = 0;
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      throw new AnyarchError('E_LIMIT', `${this.what}: more than ${this.maxBytes} bytes uncompressed`, 'a layer this large is damaged or hostile (a compression bomb); raise the bound if the layer is real');
    }
    return this.run();
  }

  abort(error: Error): void {
    const sink = this.sink;
    this.sink = undefined;
    if (sink?.abort) {
      try {
        sink.abort(error);
      } catch {
        // the first error is the one reported
      }
    }
  }

  close(): TarStats {
    if (this.state !== S_END) {
      if (this.state === S_HEADER && this.hdrFill === 0 && this.zeroBlocks === 1) {
        this.endOffset = this.base + this.chunk.length;
      } else {
        const at = this.base + this.chunk.length;
        const where =
          this.state === S_BODY || this.state === S_SKIP ? 'inside an entry body' : this.state === S_META ? 'inside a PAX or GNU long-name header' : this.hdrFill > 0 ? 'inside a header' : 'before the end-of-archive blocks';
        throw this.error(`truncated tar: the stream ends at byte ${at}, ${where}`);
      }
    }
    return { entries: this.entries, tarBytes: this.endOffset, streamBytes: this.total };
  }

  private error(why: string): AnyarchError {
    return new AnyarchError('E_SOURCE', `${this.what}: ${why}`, 'the layer is not a valid tar archive');
  }

  /** Processes the current chunk from `p`; returns a promise when a consumer asked to wait (call `run` again after it). */
  run(): Promise<unknown> | undefined {
    const buf = this.chunk;
    const len = buf.length;
    while (this.p < len) {
      switch (this.state) {
        case S_BODY: {
          const p = this.p;
          const n = Math.min(len - p, this.left);
          this.p = p + n;
          this.left -= n;
          const off = this.bodyOffset;
          this.bodyOffset = off + n;
          if (this.sinkWants) {
            const r = (this.sink as TarSink).write(buf.subarray(p, p + n), off);
            if (r === false) this.sinkWants = false;
            else if (r !== undefined && r !== true) {
              return (r as Promise<boolean | void>).then((v) => {
                if (v === false) this.sinkWants = false;
                if (this.left === 0) return this.endBody();
                return undefined;
              });
            }
          }
          if (this.left === 0) {
            const w = this.endBody();
            if (w) return w;
          }
          break;
        }
        case S_SKIP: {
          const n = Math.min(len - this.p, this.skipLeft);
          this.p += n;
          this.skipLeft -= n;
          if (this.skipLeft === 0) this.state = S_HEADER;
          break;
        }
        case S_HEADER: {
          let w: Promise<unknown> | undefined;
          if (this.hdrFill === 0 && len - this.p >= BLOCK) {
            const at = this.p;
            this.p += BLOCK;
            w = this.header(buf, at, this.base + at);
          } else {
            const n = Math.min(BLOCK - this.hdrFill, len - this.p);
            buf.copy(this.hdr, this.hdrFill, this.p, this.p + n);
            this.hdrFill += n;
            this.p += n;
            if (this.hdrFill === BLOCK) {
              this.hdrFill = 0;
              w = this.header(this.hdr, 0, this.base + this.p - BLOCK);
            }
          }
          if (w) return w;
          break;
        }
        case S_META: {
          const n = Math.min(len - this.p, this.meta.length - this.metaFill);
          buf.copy(this.meta, this.metaFill, this.p, this.p + n);
          this.metaFill += n;
          this.p += n;
          if (this.metaFill === this.meta.length) this.endMeta();
          break;
        }
        default:
          this.p = len; // after the end: ignored
      }
    }
    return undefined;
  }

  private endBody(): Promise<unknown> | undefined {
    this.state = this.skipLeft > 0 ? S_SKIP : S_HEADER;
    const sink = this.sink;
    if (!sink) return undefined;
    this.sink = undefined;
    this.sinkWants = false;
    const r = sink.end(this.bodySize);
    return isPromise(r) ? r : undefined;
  }

  private header(b: Buffer, o: number, at: number): Promise<unknown> | undefined {
    // checksum, and the zero block test, in one plain loop (the signed sum only when it is needed)
    let sum = 0;
    for (let i = o; i < o + 148; i++) sum += b[i] as number;
    for (let i = o + 156; i < o + BLOCK; i++) sum += b[i] as number;
    let field = 0;
    for (let i = o + 148; i < o + 156; i++) field += b[i] as number;
    if (sum === 0 && field === 0) {
      this.zeroBlocks++;
      if (this.zeroBlocks === 2) {
        this.state = S_END;
        this.endOffset = at + BLOCK;
      }
      return undefined;
    }
    if (this.zeroBlocks > 0) throw this.error(`a lone zero block at byte ${at - BLOCK} is followed by a header, not the second end-of-archive block`);
    const stored = octal(b, o + 148, 8);
    sum += 8 * 0x20;
    if (stored !== sum && (stored < 0 || stored !== signedSum(b, o))) {
      throw this.error(`the header at byte ${at} has a bad checksum (${stored < 0 ? 'unreadable' : `stored ${stored}, computed ${sum}`})`);
    }
    const flag = b[o + 156] as number;
    const size = this.num(b, o + 124, 12, 'size', at);
    const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);

    // meta headers: PAX x / g, GNU L / K
    if (flag === 0x78 /* x */ || flag === 0x67 /* g */ || flag === 0x4c /* L */ || flag === 0x4b /* K */) {
      if (size > this.maxMeta) {
        throw new AnyarchError('E_LIMIT', `${this.what}: the ${flag === 0x78 || flag === 0x67 ? 'PAX' : 'GNU long-name'} header at byte ${at} holds ${size} bytes, more than the ${this.maxMeta} anyarch reads`, 'real headers hold a few hundred bytes; this tar is damaged or hostile');
      }
      this.metaType = flag;
      this.metaOffset = at;
      this.meta = Buffer.allocUnsafe(size);
      this.metaFill = 0;
      this.skipLeft = padded - size;
      if (size === 0) this.endMeta();
      else this.state = S_META;
      return undefined;
    }

    // ustar (POSIX, magic "ustar\0") uses the prefix; GNU ("ustar  \0") and V7 do not
    const posix = b[o + 257] === 0x75 && b[o + 258] === 0x73 && b[o + 259] === 0x74 && b[o + 260] === 0x61 && b[o + 261] === 0x72 && b[o + 262] === 0;
    let raw: string;
    if (this.paxPath !== undefined) raw = this.paxPath;
    else if (this.longName !== undefined) raw = this.longName;
    else {
      raw = cstr(b, o, 100);
      if (posix && b[o + 345] !== 0) raw = `${cstr(b, o + 345, 155)}/${raw}`;
    }
    let link: string | undefined;
    let kind: EntryKind;
    let hasBody = false;
    switch (flag) {
      case 0x30: // '0'
      case 0x37: // '7'
        kind = 'file';
        hasBody = true;
        break;
      case 0:
        kind = raw.endsWith('/') ? 'dir' : 'file';
        hasBody = kind === 'file';
        break;
      case 0x31:
        kind = 'hardlink';
        break;
      case 0x32:
        kind = 'symlink';
        break;
      case 0x33:
        kind = 'char';
        break;
      case 0x34:
        kind = 'block';
        break;
      case 0x35:
        kind = 'dir';
        break;
      case 0x36:
        kind = 'fifo';
        break;
      case 0x44: // GNU dumpdir
        kind = 'dir';
        hasBody = true;
        break;
      default:
        kind = 'other';
        hasBody = true;
    }
    if (kind === 'hardlink' || kind === 'symlink') {
      link = this.paxLink ?? this.longLink ?? cstr(b, o + 157, 100);
    }
    const realSize = this.paxSize >= 0 ? this.paxSize : size;
    const realPadded = this.paxSize >= 0 ? realSize + ((BLOCK - (realSize % BLOCK)) % BLOCK) : padded;
    const uid = this.paxUid >= 0 ? this.paxUid : this.num(b, o + 108, 8, 'uid', at);
    const gid = this.paxGid >= 0 ? this.paxGid : this.num(b, o + 116, 8, 'gid', at);
    const mode = this.num(b, o + 100, 8, 'mode', at) & 0o7777;
    this.longName = this.longLink = this.paxPath = this.paxLink = undefined;
    this.paxSize = this.paxUid = this.paxGid = -1;

    if (++this.entries > this.maxEntries) {
      throw new AnyarchError('E_LIMIT', `${this.what}: more than ${this.maxEntries} entries (at byte ${at})`, 'a layer with this many files is damaged or hostile');
    }
    let path: string;
    let escapes = false;
    if (isClean(raw)) {
      path = raw.charCodeAt(raw.length - 1) === 0x2f ? raw.slice(0, -1) : raw;
    } else {
      const c = cleanPath(raw);
      path = c.path;
      escapes = c.escapes;
    }
    if (path.length > this.maxPath) {
      throw new AnyarchError('E_LIMIT', `${this.what}: the entry at byte ${at} has a path of ${path.length} characters, more than ${this.maxPath}`, 'no runtime can create such a path');
    }
    if (link !== undefined) {
      if (link.length > this.maxPath) {
        throw new AnyarchError('E_LIMIT', `${this.what}: the link at byte ${at} (${path}) has a target of ${link.length} characters, more than ${this.maxPath}`, 'no runtime can create such a link');
      }
      if (kind === 'hardlink') link = isClean(link) ? (link.endsWith('/') ? link.slice(0, -1) : link) : cleanPath(link).path;
    }
    const entry = new Entry(path, raw, escapes, kind, mode, kind === 'file' ? realSize : 0, link, uid, gid);

    // the body: delivered to a sink (files), skipped otherwise
    const bodyBytes = hasBody ? realSize : 0;
    this.left = bodyBytes;
    this.skipLeft = hasBody ? realPadded - realSize : 0;
    this.bodyOffset = 0;
    this.bodySize = realSize;
    this.pendingKind = kind;
    this.sink = undefined;
    this.sinkWants = false;
    this.state = S_BODY;
    const r = this.onEntry(entry, at);
    if (isPromise(r)) return r.then((s) => this.startBody(s as TarSink | undefined));
    return this.startBody(r as TarSink | undefined);
  }

  private startBody(sink: TarSink | undefined): Promise<unknown> | undefined {
    if (sink && this.pendingKind === 'file') {
      this.sink = sink;
      this.sinkWants = this.left > 0;
    }
    if (this.left === 0) return this.endBody();
    return undefined;
  }

  private endMeta(): void {
    const data = this.meta;
    this.meta = Buffer.alloc(0);
    this.state = this.skipLeft > 0 ? S_SKIP : S_HEADER;
    const at = this.metaOffset;
    switch (this.metaType) {
      case 0x4c:
        this.longName = cstr(data, 0, data.length);
        break;
      case 0x4b:
        this.longLink = cstr(data, 0, data.length);
        break;
      case 0x67:
        this.pax(data, at, false);
        break;
      default:
        this.pax(data, at, true);
    }
  }

  /** PAX records `<len> <key>=<value>\n`. */
  private pax(data: Buffer, at: number, apply: boolean): void {
    let pos = 0;
    while (pos < data.length) {
      if (data[pos] === 0) break; // NUL padding some writers leave
      let len = 0;
      let i = pos;
      for (; i < data.length && i - pos < 20; i++) {
        const c = data[i] as number;
        if (c === 0x20) break;
        if (c < 0x30 || c > 0x39) throw this.error(`the PAX header at byte ${at} has a malformed record length`);
        len = len * 10 + (c - 0x30);
      }
      if (i >= data.length || data[i] !== 0x20 || len <= i - pos + 1 || pos + len > data.length || data[pos + len - 1] !== 0x0a) {
        throw this.error(`the PAX header at byte ${at} has a malformed record`);
      }
      const eq = data.indexOf(0x3d, i + 1);
      if (eq === -1 || eq >= pos + len - 1 || eq === i + 1) throw this.error(`the PAX header at byte ${at} has a record without a key`);
      const key = data.toString('latin1', i + 1, eq);
      const end = pos + len - 1;
      pos += len;
      if (!apply) continue;
      switch (key) {
        case 'path':
          this.paxPath = data.toString('utf8', eq + 1, end);
          break;
        case 'linkpath':
          this.paxLink = data.toString('utf8', eq + 1, end);
          break;
        case 'size':
          this.paxSize = this.decimal(data, eq + 1, end, key, at);
          break;
        case 'uid':
          this.paxUid = this.decimal(data, eq + 1, end, key, at);
          break;
        case 'gid':
          this.paxGid = this.decimal(data, eq + 1, end, key, at);
          break;
        default:
        // mtime, atime, ctime, uname, gname, charset, comment, SCHILY.*, GNU.sparse.*: not needed
      }
    }
  }

  private decimal(b: Buffer, from: number, to: number, key: string, at: number): number {
    let v = 0;
    if (from === to || to - from > 16) throw this.error(`the PAX header at byte ${at} has an unreadable ${key}`);
    for (let i = from; i < to; i++) {
      const c = b[i] as number;
      if (c < 0x30 || c > 0x39) throw this.error(`the PAX header at byte ${at} has an unreadable ${key}`);
      v = v * 10 + (c - 0x30);
    }
    if (!Number.isSafeInteger(v)) throw this.error(`the PAX header at byte ${at} has a ${key} too large`);
    return v;
  }

  private num(b: Buffer, off: number, len: number, field: string, at: number): number {
    const first = b[off] as number;
    if (first & 0x80) {
      if (first === 0xff) throw this.error(`the header at byte ${at} has a negative ${field}`);
      let v = first & 0x7f;
      for (let i = 1; i < len; i++) v = v * 256 + (b[off + i] as number);
      if (!Number.isSafeInteger(v)) throw this.error(`the header at byte ${at} has a ${field} too large`);
      return v;
    }
    const v = octal(b, off, len);
    if (v < 0) throw this.error(`the header at byte ${at} has an unreadable ${field}`);
    return v;
  }
}

/** The historic signed checksum (bytes as int8), the checksum field counted as spaces. */
function signedSum(b: Uint8Array, o: number): number {
  let sum = 8 * 0x20;
  for (let i = o; i < o + BLOCK; i++) {
    if (i >= o + 148 && i < o + 156) continue;
    const x = b[i] as number;
    sum += x > 127 ? x - 256 : x;
  }
  return sum;
}

/** An octal field (leading spaces, digits, then space or NUL); -1 when malformed. */
function octal(b: Uint8Array, off: number, len: number): number {
  let i = off;
  const end = off + len;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i] as number;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return -1;
    v = v * 8 + (c - 0x30);
  }
  for (; i < end; i++) {
    const c = b[i] as number;
    if (c !== 0 && c !== 0x20) return -1;
  }
  return v;
}

/** A NUL-terminated UTF-8 field. */
function cstr(b: Buffer, off: number, len: number): string {
  let end = b.indexOf(0, off);
  if (end === -1 || end > off + len) end = off + len;
  return b.toString('utf8', off, end);
}

/** True when `s` is clean but for one trailing `/` (a cheap test; false does not mean unclean). */
function isClean(s: string): boolean {
  const c = s.charCodeAt(0);
  return s.length > 0 && c !== 0x2f && c !== 0x2e && s.indexOf('/.') === -1 && s.indexOf('//') === -1 && (s.length < 2 || s.charCodeAt(s.length - 2) !== 0x2f || s.charCodeAt(s.length - 1) !== 0x2f);
}

/**
 * The one cleaning of names (src/rootfs/types.ts): relative to the root, no leading `/` or `./`,
 * no trailing `/`, `.` dropped, `..` resolved and clamped at the root; `escapes` when the name was
 * absolute or climbed out. The root is ''.
 */
export function cleanPath(raw: string): { path: string; escapes: boolean } {
  let escapes = raw.charCodeAt(0) === 0x2f;
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) escapes = true;
      else out.pop();
      continue;
    }
    out.push(seg);
  }
  return { path: out.join('/'), escapes };
}
