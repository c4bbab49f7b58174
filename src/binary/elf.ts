/**
 * The ELF reader, as a {@link Capture}: one streaming pass over a file's body keeps the ELF
 * header, the program headers, the loader path (PT_INTERP), Go's build-id note and build info,
 * the dynamic section of an ET_DYN without a loader (to tell static-pie from a shared object),
 * and for 32-bit ARM the section header table and `.ARM.attributes`. Nothing else is copied.
 *
 * Where `.ARM.attributes` is: a non-allocated section, so after every PT_LOAD's bytes; GNU ld puts
 * it after the DWARF sections, and the section header table that says where it is comes at the
 * very end (Go puts its table first). So while the section header table has not passed, the bytes
 * after the last PT_LOAD are searched (the engine's native `indexOf`, 32-bit ARM files only) for
 * the attribute vendor `aeabi\0`; the bytes following a hit are kept (at most
 * {@link MAX_ARM_ATTRIBUTES_BYTES}) and confirmed by the section header table when it comes.
 * Once the section header table has been read, the search stops and the section is read where
 * the table says.
 *
 * Every count read from the file is bounded (program headers, sections, note, loader path,
 * attribute and build-info lengths); truncated or inconsistent bytes give facts with `problem`.
 */
import type { ArmAttributes, ElfFacts, ElfType, FileCapture as Capture } from './types.js';
import { cString, RangeKeeper, Reader, utf8Text } from './ranges.js';

/** Bytes of the ELF header kept (the 64-bit header's size; a 32-bit header is 52). */
export const ELF_HEADER_BYTES = 64;
/** Most program-header bytes read (the Linux kernel refuses more: `load_elf_phdrs`); more is a `problem`. */
export const MAX_PROGRAM_HEADER_BYTES = 65536;
/** Most bytes of PT_INTERP kept (PATH_MAX); a longer one is cut there and named a `problem`. */
export const MAX_INTERPRETER_BYTES = 4096;
/** Most bytes of one PT_NOTE read when looking for Go's build-id note; larger notes are not read. */
export const MAX_NOTE_BYTES = 4096;
/** Most PT_NOTE segments read. */
export const MAX_NOTE_SEGMENTS = 4;
/** Most bytes of Go's inline build info kept (version and module info; a bigger one is cut and read as far as it goes). */
export const MAX_GO_BUILDINFO_BYTES = 65536;
/** Most bytes of the dynamic section read to find DT_FLAGS_1 (ET_DYN without a loader only). */
export const MAX_DYNAMIC_BYTES = 16384;
/** Most section headers read (32-bit ARM only, 40 bytes each); a larger table is not read and the attributes come from the search. */
export const MAX_SECTION_HEADERS = 4096;
/** Most bytes of section header table read (MAX_SECTION_HEADERS of the standard 40 bytes, whatever e_shentsize says). */
export const MAX_SECTION_TABLE_BYTES = MAX_SECTION_HEADERS * 40;
/** Most bytes of `.ARM.attributes` kept after the vendor name (real ones are under 100). */
export const MAX_ARM_ATTRIBUTES_BYTES = 4096;
/** Most `aeabi` hits kept while searching (each keeps at most {@link MAX_ARM_ATTRIBUTES_BYTES}). */
export const MAX_ARM_ATTRIBUTE_CANDIDATES = 4;

/** The most bytes one ELF capture keeps, the sum of the bounds above: what a hostile file costs at worst. */
export const MAX_ELF_CAPTURE_BYTES =
  ELF_HEADER_BYTES +
  MAX_PROGRAM_HEADER_BYTES +
  MAX_INTERPRETER_BYTES +
  MAX_NOTE_SEGMENTS * MAX_NOTE_BYTES +
  32 +
  MAX_GO_BUILDINFO_BYTES +
  MAX_DYNAMIC_BYTES +
  MAX_SECTION_TABLE_BYTES +
  (MAX_ARM_ATTRIBUTE_CANDIDATES + 1) * MAX_ARM_ATTRIBUTES_BYTES +
  11;

export const EM_ARM = 40;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;
const PF_W = 2;
const SHT_ARM_ATTRIBUTES = 0x70000003;
const DT_FLAGS_1 = 0x6ffffffb;
const DF_1_PIE = 0x08000000;
const GO_BUILDINFO_MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]; // "\xff Go buildinf:"
const AEABI = new Uint8Array([0x61, 0x65, 0x61, 0x62, 0x69, 0x00]); // "aeabi\0"

/** True when the bytes start with `\x7fELF`. */
export function isElfMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** Reads a whole ELF file held in memory (tests, small files): the same facts as streaming it. */
export function readElf(bytes: Uint8Array): ElfFacts {
  const c = new ElfCapture(bytes.length);
  c.push(bytes, 0);
  return c.finish(bytes.length);
}

const TYPES: Record<number, ElfType> = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' };

interface Section {
  readonly offset: number;
  readonly size: number;
}

/** What the search for `aeabi\0` found: the section's assumed start (5 bytes before the vendor) and what it says. */
interface Candidate {
  readonly sectionStart: number;
  readonly attrs: ArmAttributes | undefined;
}

export class ElfCapture implements Capture<ElfFacts> {
  private readonly keep: RangeKeeper;
  private problems: string[] = [];
  // header
  private is64 = false;
  private little = true;
  private klass: 32 | 64 = 32;
  private machine = 0;
  private osabi = 0;
  private type: ElfType = 'other';
  private flags = 0;
  // program headers
  private interpreter: string | undefined;
  private dynamic = false;
  private pie: boolean | undefined;
  private goBuild: Record<string, string> | undefined;
  private notesLeft = 0;
  private isGo = false;
  private rwStart = -1;
  // ARM attributes
  private armWanted = false;
  private sections: Section[] | undefined;
  private headerRead = false;
  private sectionTableWanted = false;
  private sectionTableRead = false;
  private scanFrom = Infinity;
  private scanning = false;
  private tail = new Uint8Array(0);
  private candidates: Candidate[] = [];
  private candidatesPending = 0;
  private arm: ArmAttributes | undefined;
  private armRead = false;

  constructor(readonly size: number) {
    this.keep = new RangeKeeper(size);
    // a 32-bit header is 52 bytes and its program headers may follow at once: ask for the rest of a 64-bit one after
    this.keep.want(0, 52, (b) => {
      if (b.length === 52 && b[4] === 2) this.keep.want(52, ELF_HEADER_BYTES, (rest) => this.header(concat(b, rest)));
      else this.header(b);
    });
  }

  /** Bytes this capture has copied so far (at most {@link MAX_ELF_CAPTURE_BYTES}). */
  get bytesKept(): number {
    return this.keep.kept;
  }

  push(chunk: Uint8Array, offset: number): boolean {
    // Until the header is read, and for 32-bit ARM while the search may run, the chunk goes in
    // pieces, each ending where a kept range completes and searched before that completion is
    // acted on, so that what the search finds never depends on where the chunks were cut.
    const end = offset + chunk.length;
    for (let at = offset; at < end; ) {
      if (this.headerRead && (!this.armWanted || this.sectionTableRead)) {
        this.keep.push(at === offset ? chunk : chunk.subarray(at - offset), at);
        break;
      }
      const cut = Math.min(end, Math.max(at + 1, this.keep.nextEnd));
      const piece = chunk.subarray(at - offset, cut - offset);
      if (this.scanning) this.scan(piece, at);
      this.keep.push(piece, at);
      at = cut;
    }
    this.keep.release();
    return this.keep.pending || this.scanning;
  }

  finish(size: number): ElfFacts {
    if (this.keep.pending) {
      this.problem(`the body ends at byte ${Math.min(size, this.keep.position)}, before the headers it names`);
      this.keep.flush();
    }
    this.scanning = false;
    if (this.armWanted && !this.armRead) this.settleArm();
    const facts: {
      -readonly [K in keyof ElfFacts]: ElfFacts[K];
    } = {
      format: 'elf',
      class: this.klass,
      endian: this.little ? 'le' : 'be',
      machine: this.machine,
      osabi: this.osabi,
      type: this.type,
      flags: this.flags,
      dynamic: this.dynamic,
    };
    if (this.interpreter !== undefined) facts.interpreter = this.interpreter;
    if (this.pie !== undefined) facts.pie = this.pie;
    if (this.arm) facts.arm = this.arm;
    if (this.goBuild) facts.goBuild = this.goBuild;
    if (this.problems.length > 0) facts.problem = this.problems.join('; ');
    return facts;
  }

  private problem(p: string): void {
    if (this.problems.length < 4 && !this.problems.includes(p)) this.problems.push(p);
  }

  private header(b: Uint8Array): void {
    this.headerRead = true;
    if (b.length < 16 || !isElfMagic(b)) {
      this.problem('not a complete ELF identification (16 bytes)');
      return;
    }
    const cls = b[4]!;
    const data = b[5]!;
    if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) {
      this.problem(`unknown ELF class ${cls} or byte order ${data}`);
      return;
    }
    this.is64 = cls === 2;
    this.klass = this.is64 ? 64 : 32;
    this.little = data === 1;
    this.osabi = b[7]!;
    const r = new Reader(b, this.little);
    const machine = r.u16(18);
    if (machine === undefined) {
      this.problem('the ELF header is truncated before e_machine');
      return;
    }
    this.machine = machine;
    this.type = TYPES[r.u16(16)!] ?? 'other';
    const is64 = this.is64;
    const need = is64 ? 64 : 52;
    if (b.length < need) {
      const flags = r.u32(is64 ? 48 : 36);
      if (flags !== undefined) this.flags = flags;
      this.problem(`the ELF header is truncated (${b.length} of ${need} bytes)`);
      return;
    }
    this.flags = r.u32(is64 ? 48 : 36)!;
    const phoff = r.word(is64 ? 32 : 28, is64)!;
    const shoff = r.word(is64 ? 40 : 32, is64)!;
    const phentsize = r.u16(is64 ? 54 : 42)!;
    const phnum = r.u16(is64 ? 56 : 44)!;
    const shentsize = r.u16(is64 ? 58 : 46)!;
    const shnum = r.u16(is64 ? 60 : 48)!;

    this.armWanted = this.machine === EM_ARM && !is64;
    if (this.armWanted) this.wantSectionTable(shoff, shentsize, shnum);

    if (phnum === 0) {
      this.programHeaders(new Uint8Array(0), 0, need);
      return;
    }
    const minEnt = is64 ? 56 : 32;
    if (phentsize < minEnt) {
      this.problem(`e_phentsize ${phentsize} is smaller than a program header (${minEnt})`);
      this.programHeaders(new Uint8Array(0), 0, need);
      return;
    }
    const total = phnum * phentsize;
    if (total > MAX_PROGRAM_HEADER_BYTES) {
      this.problem(`${phnum} program headers of ${phentsize} bytes exceed the ${MAX_PROGRAM_HEADER_BYTES}-byte bound`);
      this.programHeaders(new Uint8Array(0), 0, need);
      return;
    }
    if (phoff + total > this.size) this.problem('the program headers reach past the end of the file');
    if (!this.keep.want(phoff, phoff + total, (ph) => this.programHeaders(ph, phentsize, phoff + ph.length))) {
      this.problem('the program headers lie inside the ELF header');
      this.programHeaders(new Uint8Array(0), 0, need);
    }
  }

  private wantSectionTable(shoff: number, shentsize: number, shnum: number): void {
    if (shoff === 0 || shnum === 0) return;
    if (shentsize < 40 || shnum * shentsize > MAX_SECTION_TABLE_BYTES || shoff + shnum * shentsize > this.size) return;
    this.sectionTableWanted = this.keep.want(shoff, shoff + shnum * shentsize, (b) => {
      if (b.length < shnum * shentsize) return;
      const r = new Reader(b, this.little);
      const sections: Section[] = [];
      for (let i = 0; i < shnum; i++) {
        const at = i * shentsize;
        if (r.u32(at + 4) === SHT_ARM_ATTRIBUTES) sections.push({ offset: r.u32(at + 16)!, size: r.u32(at + 20)! });
      }
      this.sections = sections;
      this.sectionTableRead = true;
      this.scanning = false;
      this.armFromSections();
    });
  }

  private programHeaders(ph: Uint8Array, entsize: number, end: number): void {
    const is64 = this.is64;
    const r = new Reader(ph, this.little);
    const count = entsize > 0 ? Math.floor(ph.length / entsize) : 0;
    let lastLoadEnd = 0;
    let interp: Section | undefined;
    let dyn: Section | undefined;
    const notes: Section[] = [];
    for (let i = 0; i < count; i++) {
      const at = i * entsize;
      const type = r.u32(at)!;
      const offset = r.word(at + (is64 ? 8 : 4), is64)!;
      const filesz = r.word(at + (is64 ? 32 : 16), is64)!;
      const pflags = r.u32(at + (is64 ? 4 : 24))!;
      if (type === PT_LOAD) {
        // a segment with no file bytes (a separate debug file's) covers nothing
        if (filesz > 0) lastLoadEnd = Math.max(lastLoadEnd, Math.min(offset + filesz, this.size));
        if (pflags & PF_W && this.rwStart < 0) this.rwStart = offset;
      } else if (type === PT_DYNAMIC) {
        this.dynamic = true;
        dyn ??= { offset, size: filesz };
      } else if (type === PT_INTERP && filesz > 0) {
        // (a separate debug file keeps PT_INTERP with no bytes: no loader is named there)
        interp ??= { offset, size: filesz };
      } else if (type === PT_NOTE && notes.length < MAX_NOTE_SEGMENTS && filesz <= MAX_NOTE_BYTES) {
        notes.push({ offset, size: filesz });
      }
    }
    if (interp) this.wantInterpreter(interp);
    else if (dyn && this.type === 'dyn') this.wantDynamic(dyn);
    this.notesLeft = notes.length;
    for (const n of notes) {
      if (!this.keep.want(n.offset, n.offset + n.size, (b) => this.note(b))) this.noteDone();
    }
    if (this.armWanted && !this.sectionTableRead) {
      this.scanFrom = Math.max(lastLoadEnd, end);
      this.scanning = true;
    }
  }

  private wantInterpreter(s: Section): void {
    if (s.offset + s.size > this.size) this.problem('PT_INTERP reaches past the end of the file');
    let n = s.size;
    if (n > MAX_INTERPRETER_BYTES) {
      this.problem(`PT_INTERP is ${s.size} bytes, longer than PATH_MAX`);
      n = MAX_INTERPRETER_BYTES;
    }
    const ok = this.keep.want(s.offset, s.offset + n, (b) => {
      if (b.length > 0) this.interpreter = cString(b);
    });
    if (!ok) this.problem('PT_INTERP lies before the program headers');
  }

  private wantDynamic(s: Section): void {
    const n = Math.min(s.size, MAX_DYNAMIC_BYTES);
    this.keep.want(s.offset, s.offset + n, (b) => {
      const r = new Reader(b, this.little);
      const ent = this.is64 ? 16 : 8;
      let pie = false;
      for (let at = 0; at + ent <= b.length; at += ent) {
        const tag = r.word(at, this.is64)!;
        if (tag === 0) break;
        if (tag === DT_FLAGS_1) pie = ((r.word(at + ent / 2, this.is64)! % 0x100000000) & DF_1_PIE) !== 0;
      }
      this.pie = pie;
    });
  }

  private note(b: Uint8Array): void {
    const r = new Reader(b, this.little);
    for (let at = 0; at + 12 <= b.length; ) {
      const namesz = r.u32(at)!;
      const descsz = r.u32(at + 4)!;
      const type = r.u32(at + 8)!;
      if ((namesz === 3 || namesz === 4) && type === 4 && b[at + 12] === 0x47 && b[at + 13] === 0x6f && b[at + 14] === 0) this.isGo = true;
      const next = at + 12 + align4(namesz) + align4(descsz);
      if (!(next > at) || next > b.length) break;
      at = next;
    }
    this.noteDone();
  }

  private noteDone(): void {
    this.notesLeft--;
    if (this.notesLeft === 0 && this.isGo && this.rwStart >= 0) {
      const start = this.rwStart;
      this.keep.want(start, start + 32, (b) => this.goHeader(b, start));
    }
  }

  private goHeader(b: Uint8Array, start: number): void {
    if (b.length < 32 || !GO_BUILDINFO_MAGIC.every((v, i) => b[i] === v)) return;
    const flags = b[15]!;
    if ((flags & 2) === 0) {
      this.goBuild = {}; // the pre-1.18 format points into memory: the version is not read
      return;
    }
    this.keep.want(start + 32, start + 32 + MAX_GO_BUILDINFO_BYTES, (rest) => {
      this.goBuild = parseGoBuildInfo(rest);
    });
  }

  /** The search for `aeabi\0` in one chunk (32-bit ARM, while the section table has not passed). */
  private scan(chunk: Uint8Array, offset: number): void {
    const end = offset + chunk.length;
    if (end <= this.scanFrom) return;
    const from = Math.max(0, this.scanFrom - offset);
    const region = chunk.subarray(from);
    const keep = AEABI.length - 1;
    // a vendor name begun in the previous chunks: search the kept tail joined to this chunk's head
    let joined: Uint8Array | undefined;
    if (from === 0 && this.tail.length > 0) {
      joined = concat(this.tail, region.subarray(0, keep));
      const hit = indexOf(joined, AEABI, 0);
      if (hit >= 0) this.candidate(offset - this.tail.length + hit);
    }
    for (let at = 0; this.scanning; ) {
      const hit = indexOf(region, AEABI, at);
      if (hit < 0) break;
      this.candidate(offset + from + hit);
      at = hit + 1;
    }
    if (!this.scanning) return;
    const last = region.length >= keep ? region.subarray(region.length - keep) : (joined ?? region);
    this.tail = last.slice(Math.max(0, last.length - keep));
  }

  private candidate(vendorAt: number): void {
    if (this.candidates.length + this.candidatesPending >= MAX_ARM_ATTRIBUTE_CANDIDATES) {
      this.scanning = false;
      return;
    }
    const sectionStart = vendorAt - 5;
    const from = vendorAt + AEABI.length;
    this.candidatesPending++;
    const ok = this.keep.want(from, from + MAX_ARM_ATTRIBUTES_BYTES, (b) => {
      this.candidatesPending--;
      const attrs = parseArmAttributes(b, this.little);
      this.candidates.push({ sectionStart, attrs });
      // without a section table to come, the first hit that reads as a Tag_File subsection ends the
      // search; with one, the search goes on (at most MAX_ARM_ATTRIBUTE_CANDIDATES hits) and the table picks
      if (attrs && !(this.sectionTableWanted && !this.sectionTableRead)) this.scanning = false;
      if (this.sectionTableRead) this.armFromSections();
    });
    if (!ok) this.candidatesPending--;
  }

  /** With the section table read: the attributes where it says, from a search hit or read now. */
  private armFromSections(): void {
    const s = this.sections?.[0];
    if (!s) {
      this.armRead = true;
      return;
    }
    const hit = this.candidates.find((c) => c.sectionStart === s.offset);
    if (hit) {
      this.arm = hit.attrs;
      this.armRead = true;
      return;
    }
    if (this.candidatesPending > 0) return; // a hit still being read may be this one
    if (s.offset + 11 > this.size || s.size < 11) {
      this.armRead = true;
      return;
    }
    const from = s.offset + 11; // 'A', the subsection length, "aeabi\0"
    const n = Math.min(s.size - 11, MAX_ARM_ATTRIBUTES_BYTES);
    const ok = this.keep.want(s.offset, from + n, (b) => {
      this.armRead = true;
      if (b.length >= 11 && b[0] === 0x41 && AEABI.every((v, i) => b[5 + i] === v)) this.arm = parseArmAttributes(b.subarray(11), this.little);
    });
    if (!ok) this.armRead = true; // passed before the table told where: unknown
  }

  /** At the end: without a section table, the first search hit that reads as attributes. */
  private settleArm(): void {
    if (this.sectionTableRead) {
      this.armFromSections();
      return;
    }
    this.arm = this.candidates.find((c) => c.attrs)?.attrs;
  }
}

function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle, from);
}

/** Most attribute tags read from one subsection (each takes at least two bytes anyway). */
export const MAX_ARM_ATTRIBUTE_TAGS = 1024;

/**
 * The Tag_File attributes of an `aeabi` subsection, from the bytes after the vendor name
 * (sub-subsections: a tag byte, a 4-byte size counting itself, the attributes). Values follow
 * the ARM ABI: tags 4, 5, 67 and odd tags above 32 are NUL-terminated strings, 32 is a ULEB128
 * then a string, every other tag one ULEB128. Undefined when no Tag_File subsection reads.
 */
export function parseArmAttributes(b: Uint8Array, little: boolean): ArmAttributes | undefined {
  const r = new Reader(b, little);
  let at = 0;
  while (at + 5 <= b.length) {
    const tag = b[at]!;
    const size = r.u32(at + 1)!;
    if (size < 5) return undefined;
    const end = Math.min(at + size, b.length);
    if (tag === 1) return readFileAttributes(b, at + 5, end);
    at += size;
  }
  return undefined;
}

function readFileAttributes(b: Uint8Array, from: number, end: number): ArmAttributes {
  const out: { -readonly [K in keyof ArmAttributes]: ArmAttributes[K] } = {};
  let at = from;
  for (let n = 0; n < MAX_ARM_ATTRIBUTE_TAGS && at < end; n++) {
    const tag = varint(b, at, end);
    if (!tag) break;
    at = tag.next;
    const t = tag.value;
    if (t === 4 || t === 5 || t === 67 || (t > 32 && t % 2 === 1)) {
      const nul = b.indexOf(0, at);
      if (nul < 0 || nul >= end) break;
      at = nul + 1;
      continue;
    }
    const v = varint(b, at, end);
    if (!v) break;
    at = v.next;
    if (t === 32) {
      const nul = b.indexOf(0, at);
      if (nul < 0 || nul >= end) break;
      at = nul + 1;
      continue;
    }
    if (t === 6) out.cpuArch = v.value;
    else if (t === 7) out.cpuProfile = v.value;
    else if (t === 9) out.thumbIsa = v.value;
    else if (t === 10) out.fpArch = v.value;
    else if (t === 28) out.vfpArgs = v.value;
  }
  return out;
}

/** One ULEB128 (Go's uvarint is the same) of at most 5 bytes (35 bits) before `end`; undefined when it does not end there. */
function varint(b: Uint8Array, at: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 5 && at + i < end; i++) {
    const byte = b[at + i]!;
    value += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

/** Build settings kept from Go's build info (the rest is the module list). */
const GO_KEYS = new Set(['GOOS', 'GOARCH', 'GOARM', 'GOAMD64', 'GOARM64', 'GO386', 'GOPPC64', 'GORISCV64', 'GOMIPS', 'GOMIPS64', 'CGO_ENABLED']);

/**
 * Go 1.18+ inline build info after its 32-byte header: a varint-prefixed version string, then
 * the varint-prefixed module info whose `build\tKEY=VALUE` lines carry GOARCH, GOARM, GOAMD64...
 * Gives `{go: version, GOARCH: ..., ...}` with what reads.
 */
export function parseGoBuildInfo(b: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const v = varint(b, 0, b.length);
  if (!v || v.next + v.value > b.length) return out;
  out['go'] = utf8Text(b.subarray(v.next, v.next + v.value));
  const m = varint(b, v.next + v.value, b.length);
  if (!m) return out;
  const mod = utf8Text(b.subarray(m.next, Math.min(b.length, m.next + m.value)));
  for (const line of mod.split('\n')) {
    if (!line.startsWith('build\t')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(6, eq);
    if (GO_KEYS.has(key)) out[key] = line.slice(eq + 1);
  }
  return out;
}
