/**
 * ELF and PE machines in the platform vocabulary, and the words messages use for them.
 *
 * The ten known platforms' ELF identity (machine, class, byte order) comes from src/platform's
 * table (`PLATFORM_DATA[].elf`); the machines of this file's {@link OTHER_ELF_ARCHITECTURES} are
 * architectures no known platform has (big-endian ppc64, 31-bit s390, 32-bit MIPS...), named as
 * Go's GOARCH list names them (Debian's port names for m68k, hppa, sh4, ia64, alpha, or1k), so a
 * message can say what a foreign file is. A machine none of them names (eBPF, AMD and NVIDIA GPU
 * code, DSP and device firmware) is no CPU a container's programs run on: its architecture is
 * undefined and `fitsPlatform` does not judge it.
 */
import { PLATFORM_DATA } from '../platform/data.js';
import type { ElfArchitecture, ElfFacts, PeFacts } from './types.js';

/** e_machine words, as `file` prints them (shortened where `file` is long-winded). */
const ELF_MACHINE_WORDS: ReadonlyMap<number, string> = new Map([
  [0, 'no machine'],
  [2, 'SPARC'],
  [3, 'Intel 80386'],
  [4, 'm68k'],
  [8, 'MIPS'],
  [15, 'PA-RISC'],
  [20, 'PowerPC'],
  [21, 'PowerPC64'],
  [22, 'IBM S/390'],
  [40, 'ARM'],
  [42, 'SuperH'],
  [43, 'SPARC V9'],
  [50, 'IA-64'],
  [62, 'x86-64'],
  [92, 'OpenRISC'],
  [94, 'Xtensa'],
  [164, 'QUALCOMM DSP6 (Hexagon)'],
  [183, 'aarch64'],
  [190, 'NVIDIA CUDA'],
  [205, 'Intel Graphics Technology'],
  [224, 'AMD GPU'],
  [243, 'RISC-V'],
  [247, 'eBPF'],
  [258, 'LoongArch'],
  [0x9026, 'Alpha'],
]);

/** ELF identities of architectures outside the ten known platforms (Go's GOARCH words). */
export const OTHER_ELF_ARCHITECTURES: readonly {
  readonly machine: number;
  readonly class: 32 | 64;
  readonly endian: 'le' | 'be';
  readonly architecture: string;
}[] = Object.freeze([
  { machine: 21, class: 64, endian: 'be', architecture: 'ppc64' },
  { machine: 20, class: 32, endian: 'be', architecture: 'ppc' },
  { machine: 22, class: 32, endian: 'be', architecture: 's390' },
  { machine: 8, class: 64, endian: 'be', architecture: 'mips64' },
  { machine: 8, class: 32, endian: 'le', architecture: 'mipsle' },
  { machine: 8, class: 32, endian: 'be', architecture: 'mips' },
  { machine: 43, class: 64, endian: 'be', architecture: 'sparc64' },
  { machine: 2, class: 32, endian: 'be', architecture: 'sparc' },
  { machine: 62, class: 32, endian: 'le', architecture: 'amd64p32' },
  { machine: 243, class: 32, endian: 'le', architecture: 'riscv' },
  { machine: 40, class: 32, endian: 'be', architecture: 'armbe' },
  { machine: 183, class: 64, endian: 'be', architecture: 'arm64be' },
  // CPUs Linux distributions run programs on that Go has no port for (Debian's port names)
  { machine: 4, class: 32, endian: 'be', architecture: 'm68k' },
  { machine: 15, class: 32, endian: 'be', architecture: 'hppa' },
  { machine: 42, class: 32, endian: 'le', architecture: 'sh4' },
  { machine: 50, class: 64, endian: 'le', architecture: 'ia64' },
  { machine: 0x9026, class: 64, endian: 'le', architecture: 'alpha' },
  { machine: 92, class: 32, endian: 'be', architecture: 'or1k' },
] as const);

/**
 * True when an ELF identity of this file's tables names `architecture` (an OCI word, normalised):
 * a platform whose files can be told apart by machine, class and byte order.
 */
export function knowsArchitecture(architecture: string): boolean {
  return PLATFORM_DATA.some((d) => d.platform.architecture === architecture) || OTHER_ELF_ARCHITECTURES.some((o) => o.architecture === architecture) || architecture.startsWith('mips64p32');
}

/** EF_MIPS_ABI2: a 32-bit-class MIPS file of the n32 ABI, which needs a 64-bit CPU. */
const EF_MIPS_ABI2 = 0x20;

/** The word of an ELF machine number (`x86-64`, `aarch64`, `ARM`...), or `machine N`. */
export function elfMachineWord(machine: number): string {
  return ELF_MACHINE_WORDS.get(machine) ?? `machine ${machine}`;
}

/**
 * What an ELF file's identity says in the platform vocabulary: the OCI architecture (from
 * src/platform's table for the ten known platforms, Go's word for the others, undefined for a
 * machine no Go architecture names), and `ELF 64-bit LSB x86-64` for messages.
 */
export function elfArchitecture(facts: Pick<ElfFacts, 'class' | 'endian' | 'machine' | 'flags'>): ElfArchitecture {
  const machineName = `ELF ${facts.class}-bit ${facts.endian === 'le' ? 'LSB' : 'MSB'} ${elfMachineWord(facts.machine)}`;
  const architecture = elfOciArchitecture(facts);
  return architecture === undefined ? { machineName } : { architecture, machineName };
}

function elfOciArchitecture(f: Pick<ElfFacts, 'class' | 'endian' | 'machine' | 'flags'>): string | undefined {
  if (f.machine === 0) return undefined;
  const elfClass = f.class === 64 ? 2 : 1;
  const elfData = f.endian === 'le' ? 1 : 2;
  if (f.machine === 8 && f.class === 32 && (f.flags & EF_MIPS_ABI2) !== 0) return f.endian === 'le' ? 'mips64p32le' : 'mips64p32';
  const known = PLATFORM_DATA.find((d) => d.elf.machine === f.machine && d.elf.elfClass === elfClass && d.elf.elfData === elfData);
  if (known) return known.platform.architecture;
  return OTHER_ELF_ARCHITECTURES.find((o) => o.machine === f.machine && o.class === f.class && o.endian === f.endian)?.architecture;
}

/** PE machines (IMAGE_FILE_HEADER.Machine): OCI architecture, the word for messages, PE32 or PE32+. */
const PE_MACHINES: ReadonlyMap<number, { readonly architecture: string; readonly word: string; readonly plus: boolean }> = new Map([
  [0x8664, { architecture: 'amd64', word: 'x86-64', plus: true }],
  [0xaa64, { architecture: 'arm64', word: 'Aarch64', plus: true }],
  [0x14c, { architecture: '386', word: 'Intel 80386', plus: false }],
  [0x1c4, { architecture: 'arm', word: 'ARMv7 Thumb', plus: false }],
  [0x1c0, { architecture: 'arm', word: 'ARM', plus: false }],
  [0x5064, { architecture: 'riscv64', word: 'RISC-V 64-bit', plus: true }],
  [0x6264, { architecture: 'loong64', word: 'LoongArch 64-bit', plus: true }],
  [0x200, { architecture: 'ia64', word: 'IA-64', plus: true }],
]);

/** A PE file's machine in the platform vocabulary, and `PE32+ x86-64` for messages. */
export function peArchitecture(facts: Pick<PeFacts, 'machine'>): ElfArchitecture {
  const m = PE_MACHINES.get(facts.machine);
  if (!m) return { machineName: `PE machine 0x${facts.machine.toString(16)}` };
  return { architecture: m.architecture, machineName: `${m.plus ? 'PE32+' : 'PE32'} ${m.word}` };
}
