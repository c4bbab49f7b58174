/**
 * The one mechanism every capture of this room is built on: a file's body streams past once, in
 * consecutive chunks, and a capture keeps only byte ranges it has asked for. A range is asked for
 * before its bytes pass (what a range says decides the next ranges: the ELF header names the
 * program headers, which name the loader path...); a range whose start has already passed is
 * missed, never waited for. So that the facts never depend on how the body was cut into chunks,
 * a range asked for when another completes must start at or after that one's end. A chunk that holds no wanted byte costs one comparison per pending
 * range, and nothing of it is copied but the wanted bytes.
 */

/** A range of the file a capture keeps, and what to do once it is complete. */
interface Want {
  readonly start: number;
  readonly buf: Uint8Array;
  filled: number;
  readonly done: (bytes: Uint8Array) => void;
}

/** Keeps the wanted ranges of one file body as it streams past. */
export class RangeKeeper {
  private readonly wants: Want[] = [];
  /** lowest file offset whose bytes are still to come (or in the chunk being pushed) */
  private available = 0;
  /** lowest start among pending ranges, for the one-comparison skip */
  private nextStart = Infinity;
  /** the chunk of the last push (a reference, never copied): a range asked for after it may still start inside it */
  private last: Uint8Array | undefined;
  private lastOffset = 0;
  /** bytes allocated for ranges so far (what the capture copies at most) */
  private allocated = 0;
  /** while a range's `done` runs: that range's end, the lowest start it may ask for */
  private floor: number | undefined;

  /** @param size the file's size: no range reaches past it */
  constructor(readonly size: number) {}

  /**
   * Asks for `[start, end)` (clamped to the file's size). `done` gets the bytes once all of them
   * passed, at once if the range is empty; returns false (and never calls `done`) when the range
   * starts before the last chunk pushed: those bytes passed already.
   */
  want(start: number, end: number, done: (bytes: Uint8Array) => void): boolean {
    const last = this.last;
    const from = this.floor ?? (last && start < this.available ? this.lastOffset : this.available);
    if (!(start >= from)) return false;
    const stop = Math.min(end, this.size);
    if (stop <= start) {
      this.complete(start, new Uint8Array(0), done);
      return true;
    }
    const w: Want = { start, buf: new Uint8Array(stop - start), filled: 0, done };
    this.allocated += stop - start;
    if (last && start < this.available) {
      const take = Math.min(w.buf.length, this.available - start);
      w.buf.set(last.subarray(start - this.lastOffset, start - this.lastOffset + take));
      w.filled = take;
      if (take === w.buf.length) {
        this.complete(start, w.buf, done);
        return true;
      }
    }
    this.wants.push(w);
    if (start + w.filled < this.nextStart) this.nextStart = start + w.filled;
    return true;
  }

  /** The offset just past the pending range that completes first (Infinity when none is pending). */
  get nextEnd(): number {
    let end = Infinity;
    for (const w of this.wants) end = Math.min(end, w.start + w.buf.length);
    return end;
  }

  /** True while a range is pending. */
  get pending(): boolean {
    return this.wants.length > 0;
  }

  /** Takes the wanted bytes of one chunk at file offset `offset`. */
  push(chunk: Uint8Array, offset: number): void {
    const end = offset + chunk.length;
    this.last = undefined;
    this.available = offset;
    if (end > this.nextStart) {
      // ranges added by a `done` are appended and served from this same chunk in this same loop
      for (let i = 0; i < this.wants.length; i++) {
        const w = this.wants[i]!;
        const at = w.start + w.filled;
        if (at >= offset && at < end) {
          const take = Math.min(w.buf.length - w.filled, end - at);
          w.buf.set(chunk.subarray(at - offset, at - offset + take), w.filled);
          w.filled += take;
        }
        if (w.filled === w.buf.length) {
          this.wants.splice(i, 1);
          i--;
          this.complete(w.start, w.buf, w.done);
        }
      }
      let next = Infinity;
      for (const w of this.wants) next = Math.min(next, w.start + w.filled);
      this.nextStart = next;
    }
    this.available = end;
    this.last = chunk;
    this.lastOffset = offset;
  }

  private complete(start: number, bytes: Uint8Array, done: (bytes: Uint8Array) => void): void {
    const outer = this.floor;
    this.floor = Math.max(outer ?? 0, start + bytes.length);
    try {
      done(bytes);
    } finally {
      this.floor = outer;
    }
  }

  /** Forgets the last chunk (call before returning from a push: the caller may reuse its buffer). */
  release(): void {
    this.last = undefined;
  }

  /** The ranges still pending at the end of the body: each gets the bytes it did receive. */
  flush(): void {
    this.last = undefined;
    const left = this.wants.splice(0);
    this.available = Infinity; // nothing more comes: ranges asked for now are refused
    for (const w of left) w.done(w.buf.subarray(0, w.filled));
    this.nextStart = Infinity;
  }

  /** Bytes allocated for ranges so far. */
  get kept(): number {
    return this.allocated;
  }

  /** The offset of the next byte to come. */
  get position(): number {
    return this.available;
  }
}

/** Integer reads in one byte order, every read bounds-checked (undefined past the end). */
export class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  u8(at: number): number | undefined {
    return at >= 0 && at < this.bytes.length ? this.view.getUint8(at) : undefined;
  }
  u16(at: number): number | undefined {
    return at >= 0 && at + 2 <= this.bytes.length ? this.view.getUint16(at, this.little) : undefined;
  }
  u32(at: number): number | undefined {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getUint32(at, this.little) : undefined;
  }
  /** a 64-bit value as a number: exact below 2^53, otherwise Infinity (past any file) */
  u64(at: number): number | undefined {
    if (!(at >= 0 && at + 8 <= this.bytes.length)) return undefined;
    const lo = this.view.getUint32(at + (this.little ? 0 : 4), this.little);
    const hi = this.view.getUint32(at + (this.little ? 4 : 0), this.little);
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }
  /** an address-sized value: u32 for 32-bit files, u64 for 64-bit ones */
  word(at: number, is64: boolean): number | undefined {
    return is64 ? this.u64(at) : this.u32(at);
  }
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Bytes up to the first NUL (or the end), as UTF-8 (invalid sequences replaced). */
export function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** Bytes as UTF-8 text (invalid sequences replaced). */
export function utf8Text(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Bytes as Latin-1, one character per byte (for magic numbers). */
export function latin1Text(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}
