/**
 * ELF files built byte by byte for tests: any class, byte order, machine, type and flags, a
 * loader path, a dynamic section, Go's build-id note and build info, and for 32-bit ARM an
 * `.ARM.attributes` section placed after a tail of other bytes (as DWARF sections put it), with
 * the section header table at the end (GNU ld), at the start (Go) or absent (sstrip).
 *
 * Layout: ELF header, program headers, [section table when 'start'], loader path, Go note,
 * the first PT_LOAD ends here (R X, from offset 0), the second PT_LOAD (RW, 16-aligned: Go build
 * info, then the dynamic section, then padding), the tail, the attributes, [section table when 'end'].
 */

export type AttributeValue = number | string | readonly [number, string];

export interface ElfSpec {
  readonly class?: 32 | 64;
  readonly endian?: 'le' | 'be';
  readonly machine?: number;
  /** e_type: 1 rel, 2 exec (default), 3 dyn, 4 core */
  readonly type?: number;
  readonly flags?: number;
  readonly osabi?: number;
  readonly interpreter?: string;
  /** a PT_DYNAMIC segment; `flags1` adds DT_FLAGS_1 */
  readonly dynamic?: { readonly flags1?: number };
  /** bytes of code in the first PT_LOAD after the headers */
  readonly text?: number;
  /** Go's build-id note and inline build info at the start of the RW segment */
  readonly go?: { readonly version: string; readonly settings: Readonly<Record<string, string>> };
  /** Tag_File attributes of an `aeabi` `.ARM.attributes` section, in order */
  readonly armAttributes?: readonly (readonly [number, AttributeValue])[];
  /** bytes between the loaded part and the attributes (debug sections), filled with `fill` */
  readonly tail?: number;
  /** bytes written at the start of the tail (decoy `aeabi\0` strings...) */
  readonly tailBytes?: Uint8Array;
  readonly sectionTable?: 'end' | 'start' | 'none';
  /**
   * a separate debug file's program headers (`objcopy --only-keep-debug`): the RW PT_LOAD and
   * PT_INTERP keep their places but no file bytes (filesz 0, the RW one at the end of the file)
   */
  readonly debugFile?: boolean;
}

const enc = new TextEncoder();

class Out {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(
    size: number,
    private readonly little: boolean,
  ) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, this.little);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, this.little);
  }
  u64(at: number, v: number): void {
    this.view.setBigUint64(at, BigInt(v), this.little);
  }
  word(at: number, v: number, is64: boolean): void {
    if (is64) this.u64(at, v);
    else this.u32(at, v);
  }
  set(at: number, b: Uint8Array): void {
    this.bytes.set(b, at);
  }
}

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** The bytes of an `.ARM.attributes` section holding one `aeabi` subsection with one Tag_File. */
export function armAttributesSection(attrs: readonly (readonly [number, AttributeValue])[], little = true): Uint8Array {
  const body: number[] = [];
  for (const [tag, value] of attrs) {
    body.push(...uleb(tag));
    if (typeof value === 'number') body.push(...uleb(value));
    else if (typeof value === 'string') body.push(...enc.encode(value), 0);
    else body.push(...uleb(value[0]), ...enc.encode(value[1]), 0);
  }
  const fileSub = [1, ...u32(5 + body.length, little), ...body];
  const vendor = [...enc.encode('aeabi'), 0];
  const sub = [...u32(4 + vendor.length + fileSub.length, little), ...vendor, ...fileSub];
  return new Uint8Array([0x41, ...sub]);
}

function u32(v: number, little: boolean): number[] {
  const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  return little ? b : b.reverse();
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function goBuildInfo(version: string, settings: Readonly<Record<string, string>>, ptrSize: number): Uint8Array {
  const sentinel = new Uint8Array(16).fill(0x30);
  const lines = ['path\texample.com/x', 'mod\texample.com/x\t(devel)\t', ...Object.entries(settings).map(([k, v]) => `build\t${k}=${v}`)];
  const mod = new Uint8Array([...sentinel, ...enc.encode(lines.join('\n') + '\n'), ...sentinel]);
  const v = enc.encode(version);
  const head = new Uint8Array(32);
  head.set([0xff, ...enc.encode(' Go buildinf:')]);
  head[14] = ptrSize;
  head[15] = 2;
  return new Uint8Array([...head, ...uleb(v.length), ...v, ...uleb(mod.length), ...mod]);
}

/** Builds an ELF file from `spec` (see the module comment for the layout). */
export function buildElf(spec: ElfSpec = {}): Uint8Array {
  const is64 = (spec.class ?? 64) === 64;
  const little = (spec.endian ?? 'le') === 'le';
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const interp = spec.interpreter === undefined ? undefined : enc.encode(spec.interpreter + '\0');
  const attrs = spec.armAttributes ? armAttributesSection(spec.armAttributes, little) : undefined;
  const tableWhere = spec.sectionTable ?? 'end';
  const shnum = attrs ? 2 : 1;
  const go = spec.go ? goBuildInfo(spec.go.version, spec.go.settings, is64 ? 8 : 4) : undefined;
  const dynEntries = spec.dynamic ? (spec.dynamic.flags1 !== undefined ? 2 : 1) : 0;
  const dynEnt = is64 ? 16 : 8;

  const ph: { type: number; offset: number; size: number; flags: number }[] = [];
  const phnum = 2 + (interp ? 1 : 0) + (go ? 1 : 0) + (spec.dynamic ? 1 : 0);
  let at = ehsize + phnum * phentsize;
  let shoff = 0;
  if (tableWhere === 'start') {
    shoff = at;
    at += shnum * shentsize;
  }
  const interpAt = at;
  if (interp) at += interp.length;
  const noteAt = align(at, 4);
  const noteDesc = enc.encode('build-id');
  const noteSize = 12 + 4 + noteDesc.length;
  if (go) at = noteAt + noteSize;
  at += spec.text ?? 256;
  const textEnd = at;
  const rwAt = align(at, 16);
  at = rwAt;
  const goAt = at;
  if (go) at += go.length;
  const dynAt = align(at, 8);
  if (spec.dynamic) at = dynAt + dynEntries * dynEnt;
  at += 16;
  const rwEnd = at;
  const tailAt = at;
  at += spec.tail ?? 0;
  const attrsAt = at;
  if (attrs) at += attrs.length;
  if (tableWhere === 'end') {
    shoff = align(at, 4);
    at = shoff + shnum * shentsize;
  }
  const size = at;

  const o = new Out(size, little);
  o.set(0, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, little ? 1 : 2, 1, spec.osabi ?? 0]));
  o.u16(16, spec.type ?? 2);
  o.u16(18, spec.machine ?? 62);
  o.u32(20, 1);
  o.word(is64 ? 32 : 28, ehsize, is64);
  o.word(is64 ? 40 : 32, tableWhere === 'none' ? 0 : shoff, is64);
  o.u32(is64 ? 48 : 36, spec.flags ?? 0);
  o.u16(is64 ? 52 : 40, ehsize);
  o.u16(is64 ? 54 : 42, phentsize);
  o.u16(is64 ? 56 : 44, phnum);
  o.u16(is64 ? 58 : 46, shentsize);
  o.u16(is64 ? 60 : 48, tableWhere === 'none' ? 0 : shnum);
  o.u16(is64 ? 62 : 50, 0);

  if (interp) {
    ph.push({ type: 3, offset: interpAt, size: spec.debugFile ? 0 : interp.length, flags: 4 });
    o.set(interpAt, interp);
  }
  if (go) {
    ph.push({ type: 4, offset: noteAt, size: noteSize, flags: 4 });
    o.u32(noteAt, 4);
    o.u32(noteAt + 4, noteDesc.length);
    o.u32(noteAt + 8, 4);
    o.set(noteAt + 12, enc.encode('Go\0\0'));
    o.set(noteAt + 16, noteDesc);
    o.set(goAt, go);
  }
  ph.push({ type: 1, offset: 0, size: textEnd, flags: 5 });
  ph.push(spec.debugFile ? { type: 1, offset: size, size: 0, flags: 6 } : { type: 1, offset: rwAt, size: rwEnd - rwAt, flags: 6 });
  if (spec.dynamic) {
    ph.push({ type: 2, offset: dynAt, size: dynEntries * dynEnt, flags: 6 });
    if (spec.dynamic.flags1 !== undefined) {
      o.word(dynAt, 0x6ffffffb, is64);
      o.word(dynAt + dynEnt / 2, spec.dynamic.flags1, is64);
    }
  }
  ph.forEach((p, i) => {
    const b = ehsize + i * phentsize;
    o.u32(b, p.type);
    if (is64) {
      o.u32(b + 4, p.flags);
      o.u64(b + 8, p.offset);
      o.u64(b + 16, 0x400000 + p.offset);
      o.u64(b + 24, 0x400000 + p.offset);
      o.u64(b + 32, p.size);
      o.u64(b + 40, p.size);
      o.u64(b + 48, 8);
    } else {
      o.u32(b + 4, p.offset);
      o.u32(b + 8, 0x10000 + p.offset);
      o.u32(b + 12, 0x10000 + p.offset);
      o.u32(b + 16, p.size);
      o.u32(b + 20, p.size);
      o.u32(b + 24, p.flags);
      o.u32(b + 28, 4);
    }
  });
  for (let i = textEnd - (spec.text ?? 256); i < textEnd; i++) o.u8(i, (i * 31) & 0xff);
  for (let i = tailAt; i < tailAt + (spec.tail ?? 0); i++) o.u8(i, (i * 17 + 3) & 0xff);
  if (spec.tailBytes) o.set(tailAt, spec.tailBytes.subarray(0, spec.tail ?? 0));
  if (attrs) o.set(attrsAt, attrs);
  if (tableWhere !== 'none' && attrs) {
    const s = shoff + shentsize; // section 1; section 0 is the null section
    o.u32(s, 1);
    o.u32(s + 4, 0x70000003);
    if (is64) {
      o.u64(s + 24, attrsAt);
      o.u64(s + 32, attrs.length);
    } else {
      o.u32(s + 16, attrsAt);
      o.u32(s + 20, attrs.length);
    }
  }
  return o.bytes;
}
