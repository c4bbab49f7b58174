/**
 * A small tar writer for the rootfs tests and the rootfs benchmark: ustar headers (long names as
 * PAX `x` records), any type flag, raw headers for damaged archives. Test code only; GNU tar and
 * tar-stream write the archives that prove interoperability.
 */

export interface RawEntry {
  readonly name: string;
  /** type flag character, default '0' */
  readonly type?: string;
  readonly body?: Uint8Array | string;
  readonly linkname?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** a size field other than the body's length */
  readonly size?: number;
}

const enc = new TextEncoder();

/** One 512-byte header; `badChecksum` adds one to the stored sum. */
export function tarHeader(e: RawEntry, opts: { badChecksum?: boolean; gnu?: boolean } = {}): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number, max: number): void => {
    const b = enc.encode(s);
    h.set(b.subarray(0, max), at);
  };
  const size = e.size ?? (e.body === undefined ? 0 : typeof e.body === 'string' ? enc.encode(e.body).length : e.body.length);
  put(e.name, 0, 100);
  put(`${(e.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 8);
  put(`${(e.uid ?? 0).toString(8).padStart(7, '0')}\0`, 108, 8);
  put(`${(e.gid ?? 0).toString(8).padStart(7, '0')}\0`, 116, 8);
  if (size < 8 ** 11) put(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  else {
    // GNU base-256
    h[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      h[i] = v % 256;
      v = Math.floor(v / 256);
    }
  }
  put('00000000000\0', 136, 12);
  put('        ', 148, 8);
  put(e.type ?? '0', 156, 1);
  if (e.linkname) put(e.linkname, 157, 100);
  put(opts.gnu ? 'ustar  \0' : 'ustar\x0000', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  if (opts.badChecksum) sum += 1;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

export function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** A PAX `x` body from records. */
export function paxBody(records: Readonly<Record<string, string>>): Uint8Array {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = enc.encode(rest).length + 1;
    while (`${len}`.length + enc.encode(rest).length !== len) len++;
    text += `${len}${rest}`;
  }
  return enc.encode(text);
}

/** The blocks of one entry: a PAX header first when the name or link does not fit ustar. */
export function entryBlocks(e: RawEntry): Uint8Array[] {
  const out: Uint8Array[] = [];
  const long = enc.encode(e.name).length > 100 || (e.linkname !== undefined && enc.encode(e.linkname).length > 100);
  if (long) {
    const records: Record<string, string> = { path: e.name };
    if (e.linkname !== undefined) records.linkpath = e.linkname;
    const body = paxBody(records);
    out.push(tarHeader({ name: 'PaxHeader', type: 'x', size: body.length }), pad(body));
  }
  out.push(tarHeader(long ? { ...e, name: e.name.slice(0, 99), linkname: e.linkname?.slice(0, 99) } : e));
  if (e.body !== undefined) out.push(pad(typeof e.body === 'string' ? enc.encode(e.body) : e.body));
  return out;
}

export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

/** A whole tar: the entries and the two end blocks. */
export function makeTar(entries: readonly RawEntry[]): Buffer {
  return concat([...entries.flatMap(entryBlocks), new Uint8Array(1024)]);
}
