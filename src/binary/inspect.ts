/**
 * The one inspector `verify` passes to the layer scan: per regular file, a {@link Capture} that
 * looks at the first bytes and keeps what a verdict needs (ELF and PE headers, a script's `#!`
 * line, a few small text files read whole), and tells the scan to skip everything else from the
 * first chunk on.
 */
import { ElfCapture, isElfMagic } from './elf.js';
import { RangeKeeper, Reader, utf8Text } from './ranges.js';
import type { FileCapture as Capture, FileEntry, FileFacts, PeFacts, ScriptFacts, TextFacts } from './types.js';

/** Most bytes of a `#!` line read (the kernel's BINPRM_BUF_SIZE); a longer line is cut there. */
export const MAX_SHEBANG_BYTES = 256;
/** Largest small text file read whole (a wheel's `WHEEL`); a larger one is not read. */
export const MAX_TEXT_BYTES = 65536;
/** Largest PE header offset (`e_lfanew`) followed; beyond it the file is not taken for a PE. */
export const MAX_PE_HEADER_OFFSET = 65536;

const WHEEL_RE = /(^|\/)[^/]+\.dist-info\/WHEEL$/;

/**
 * True for the small text files verify reads whole: those a verdict reads, a wheel's
 * `*.dist-info/WHEEL` (AA205). Nothing else is kept (a package.json would cost memory per Node
 * package until judging, and no verdict reads one).
 */
export function isTextFactsPath(path: string): boolean {
  return WHEEL_RE.test(path);
}

/** The inspector: a capture for each regular file worth a look, undefined for the rest. */
export function inspectFile(entry: FileEntry): Capture<FileFacts> | undefined {
  if (entry.kind !== 'file' || entry.size === 0) return undefined;
  if (isTextFactsPath(entry.path)) return entry.size <= MAX_TEXT_BYTES ? new TextCapture(entry.size) : undefined;
  if (entry.size < 4) return undefined;
  return new SniffCapture(entry.size, (entry.mode & 0o111) !== 0);
}

/** Looks at the first 4 bytes, then hands the body to the capture of its kind, or stops. */
class SniffCapture implements Capture<FileFacts> {
  private head = new Uint8Array(4);
  private have = 0;
  private inner: Capture<FileFacts> | undefined;
  private decided = false;

  constructor(
    private readonly size: number,
    private readonly executable: boolean,
  ) {}

  push(chunk: Uint8Array, offset: number): boolean {
    if (this.inner) return this.inner.push(chunk, offset);
    if (this.decided) return false;
    if (this.have === 0 && chunk.length >= 4) {
      const inner = this.decide(chunk);
      return inner ? inner.push(chunk, offset) : false;
    }
    // tiny chunks: gather the first 4 bytes, then replay them
    const take = Math.min(4 - this.have, chunk.length);
    this.head.set(chunk.subarray(0, take), this.have);
    this.have += take;
    if (this.have < 4) return true;
    const inner = this.decide(this.head);
    if (!inner || !inner.push(this.head, 0)) return false;
    return take < chunk.length ? inner.push(chunk.subarray(take), offset + take) : true;
  }

  private decide(b: Uint8Array): Capture<FileFacts> | undefined {
    this.decided = true;
    if (isElfMagic(b)) this.inner = new ElfCapture(this.size);
    else if (b[0] === 0x4d && b[1] === 0x5a) this.inner = new PeCapture(this.size);
    else if (b[0] === 0x23 && b[1] === 0x21 && this.executable) this.inner = new ScriptCapture(this.size);
    return this.inner;
  }

  finish(size: number): FileFacts | undefined {
    return this.inner?.finish(size);
  }
}

/** What the captures below share: the ranges they keep, the facts they make of them. */
abstract class KeptCapture<F> implements Capture<F> {
  protected readonly keep: RangeKeeper;
  protected facts: F | undefined;

  constructor(size: number) {
    this.keep = new RangeKeeper(size);
  }

  push(chunk: Uint8Array, offset: number): boolean {
    this.keep.push(chunk, offset);
    this.keep.release();
    return this.keep.pending && this.wantsMore(chunk);
  }

  /** whether bytes after this chunk may still matter (while a range is pending) */
  protected wantsMore(_chunk: Uint8Array): boolean {
    return true;
  }

  finish(): F | undefined {
    this.keep.flush();
    return this.facts;
  }
}

/** Most PE sections read to find the CLR runtime header (the Windows loader's own limit is 96). */
export const MAX_PE_SECTIONS = 96;
/** Largest PE optional header read (PE32+ with its 16 data directories is 240 bytes). */
export const MAX_PE_OPTIONAL_HEADER_BYTES = 4096;

/** Farthest file offset of a CLR runtime header read (compilers put it at the start of `.text`); beyond it the flags are not read. */
export const MAX_PE_CLR_OFFSET = 1 << 20;

/** The CLR runtime header (data directory 14): a .NET assembly. */
const CLR_DIRECTORY = 14;
/** IMAGE_COR20_HEADER: cb, runtime version, MetaData, then Flags at 16. */
const COR20_FLAGS_OFFSET = 16;

/**
 * PE: the DOS header's `e_lfanew`, then `PE\0\0` and IMAGE_FILE_HEADER.Machine there; when the
 * optional header names a CLR runtime header (a .NET assembly), that header's Flags, found
 * through the section table (ILONLY and 32BITREQUIRED tell an AnyCPU assembly).
 */
export class PeCapture extends KeptCapture<PeFacts> {
  constructor(size: number) {
    super(size);
    this.keep.want(0, 64, (dos) => {
      const lfanew = new Reader(dos, true).u32(0x3c);
      if (lfanew === undefined || lfanew < 4 || lfanew > MAX_PE_HEADER_OFFSET) return;
      this.keep.want(lfanew, lfanew + 24, (pe) => {
        if (pe.length < 6 || pe[0] !== 0x50 || pe[1] !== 0x45 || pe[2] !== 0 || pe[3] !== 0) return;
        const r = new Reader(pe, true);
        this.facts = { format: 'pe', machine: r.u16(4)! };
        const sections = r.u16(6);
        const optional = r.u16(20);
        if (sections === undefined || optional === undefined || optional > MAX_PE_OPTIONAL_HEADER_BYTES || sections > MAX_PE_SECTIONS) return;
        const start = lfanew + 24;
        this.keep.want(start, start + optional + 40 * sections, (h) => this.readClr(h, optional, sections, start));
      });
    });
  }

  /** The CLR directory of the optional header, and its header's Flags in the section that holds it. */
  private readClr(h: Uint8Array, optional: number, sections: number, start: number): void {
    const r = new Reader(h, true);
    const magic = r.u16(0);
    const dirs = magic === 0x10b ? 96 : magic === 0x20b ? 112 : undefined;
    if (dirs === undefined) return;
    const count = r.u32(dirs - 4) ?? 0;
    const at = dirs + 8 * CLR_DIRECTORY;
    if (count <= CLR_DIRECTORY || at + 8 > optional) return;
    const rva = r.u32(at) ?? 0;
    const size = r.u32(at + 4) ?? 0;
    if (rva === 0 || size === 0) return;
    this.facts = { ...this.facts!, clr: true };
    for (let i = 0; i < sections; i++) {
      const s = optional + 40 * i;
      const va = r.u32(s + 12);
      const virtualSize = r.u32(s + 8);
      const raw = r.u32(s + 20);
      const rawSize = r.u32(s + 16);
      if (va === undefined || virtualSize === undefined || raw === undefined || rawSize === undefined) return;
      if (rva < va || rva + COR20_FLAGS_OFFSET + 4 > va + Math.max(virtualSize, rawSize)) continue;
      const off = raw + (rva - va);
      // a header the file does not hold, or one before these bytes (never in a real file): not read
      if (off < start + h.length || off > MAX_PE_CLR_OFFSET) return;
      this.keep.want(off + COR20_FLAGS_OFFSET, off + COR20_FLAGS_OFFSET + 4, (flags) => {
        const v = new Reader(flags, true).u32(0);
        if (v !== undefined) this.facts = { ...this.facts!, clrFlags: v };
      });
      return;
    }
  }
}

/** A script's `#!` line (the file has an executable bit and starts with `#!`). */
export class ScriptCapture extends KeptCapture<ScriptFacts> {
  constructor(size: number) {
    super(size);
    this.keep.want(0, MAX_SHEBANG_BYTES, (b) => {
      this.facts = parseShebang(b);
    });
  }

  /** a short line is complete as soon as its newline has passed */
  protected override wantsMore(chunk: Uint8Array): boolean {
    return chunk.subarray(0, MAX_SHEBANG_BYTES).indexOf(0x0a) < 0;
  }
}

/**
 * The interpreter and arguments of a `#!` line (bytes from the file's start; the line ends at
 * the first newline or at {@link MAX_SHEBANG_BYTES}). Blanks are spaces and tabs, as the
 * kernel's; a trailing carriage return is kept (the kernel keeps it too, and the interpreter
 * named with it is what is missing). Undefined when no interpreter is named.
 */
export function parseShebang(b: Uint8Array): ScriptFacts | undefined {
  if (b.length < 2 || b[0] !== 0x23 || b[1] !== 0x21) return undefined;
  let end = b.indexOf(0x0a);
  if (end < 0) end = b.length;
  const words = utf8Text(b.subarray(2, end))
    .split(/[ \t]+/)
    .filter((w) => w !== '');
  const interpreter = words[0];
  if (interpreter === undefined) return undefined;
  return { format: 'script', interpreter, args: words.slice(1) };
}

/** A small text file read whole. */
export class TextCapture extends KeptCapture<TextFacts> {
  constructor(size: number) {
    super(size);
    this.keep.want(0, size, (b) => {
      this.facts = { format: 'text', text: utf8Text(b) };
    });
  }

  override finish(): TextFacts | undefined {
    const whole = !this.keep.pending;
    this.keep.flush();
    return whole ? this.facts : undefined; // a body shorter than its header said: nothing to trust
  }
}
