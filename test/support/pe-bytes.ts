/**
 * PE files built byte by byte for tests, laid out as link.exe and the .NET SDK lay them out: a DOS
 * stub with `e_lfanew` 0x80, `PE\0\0`, the COFF header, a PE32 or PE32+ optional header with 16
 * data directories, a `.text` section at RVA 0x2000 (file offset 0x200) and, for a .NET assembly,
 * the CLR runtime header (data directory 14) 8 bytes into `.text`, as csc puts it.
 */

/** IMAGE_FILE_MACHINE_* */
export const PE_MACHINES = { amd64: 0x8664, arm64: 0xaa64, '386': 0x14c, arm: 0x1c4 } as const;

/** COMIMAGE_FLAGS_* of ECMA-335 II.25.3.3.1 */
export const CLR_FLAGS = { ilOnly: 0x1, requires32Bit: 0x2, strongNameSigned: 0x8, prefers32Bit: 0x20000 } as const;

export interface PeSpec {
  readonly machine: number;
  /** PE32+ (64-bit optional header); default: PE32 for i386 and 32-bit ARM, PE32+ otherwise */
  readonly plus?: boolean;
  /** a .NET assembly: the CLR header's Flags */
  readonly clrFlags?: number;
  /** IMAGE_FILE_DLL */
  readonly dll?: boolean;
}

const TEXT_RVA = 0x2000;
const TEXT_RAW = 0x200;

export function buildPe(spec: PeSpec): Uint8Array {
  const plus = spec.plus ?? !(spec.machine === 0x14c || spec.machine === 0x1c4);
  const b = new Uint8Array(0x400);
  const v = new DataView(b.buffer);
  b.set([0x4d, 0x5a]);
  v.setUint32(0x3c, 0x80, true);
  b.set([0x50, 0x45, 0, 0], 0x80);
  const optSize = plus ? 240 : 224;
  v.setUint16(0x84, spec.machine, true);
  v.setUint16(0x86, 1, true); // NumberOfSections
  v.setUint16(0x94, optSize, true);
  v.setUint16(0x96, 0x0022 | (spec.dll ? 0x2000 : 0), true);
  const opt = 0x98;
  v.setUint16(opt, plus ? 0x20b : 0x10b, true);
  v.setUint16(opt + 68, 3, true); // Subsystem: WINDOWS_CUI
  const dirs = opt + (plus ? 112 : 96);
  v.setUint32(dirs - 4, 16, true); // NumberOfRvaAndSizes
  if (spec.clrFlags !== undefined) {
    v.setUint32(dirs + 8 * 14, TEXT_RVA + 8, true);
    v.setUint32(dirs + 8 * 14 + 4, 72, true);
  }
  const sec = opt + optSize;
  b.set(new TextEncoder().encode('.text'), sec);
  v.setUint32(sec + 8, 0x1000, true); // VirtualSize
  v.setUint32(sec + 12, TEXT_RVA, true);
  v.setUint32(sec + 16, 0x200, true); // SizeOfRawData
  v.setUint32(sec + 20, TEXT_RAW, true);
  if (spec.clrFlags !== undefined) {
    const clr = TEXT_RAW + 8;
    v.setUint32(clr, 72, true); // cb
    v.setUint16(clr + 4, 2, true);
    v.setUint16(clr + 6, 5, true);
    v.setUint32(clr + 16, spec.clrFlags, true);
  }
  return b;
}
