/**
 * What the verdicts ask of a file's facts: its architecture, whether it fits a platform, what a
 * loader path says, and a description for messages. These are the questions src/binary answers
 * (g9-binary); this module is the one place verdicts ask them, so that the answers come from one
 * table (src/platform's ELF identities and loaders) however src/binary grows.
 */
import type { ElfArchitecture, ElfFacts, FileFacts, Fit, LoaderFacts, PeFacts } from '../binary/types.js';
import { PLATFORM_DATA, normalizePlatform, type Platform } from '../platform/index.js';

const EM_NAMES: Readonly<Record<number, string>> = {
  2: 'SPARC',
  3: 'Intel 80386',
  8: 'MIPS',
  20: 'PowerPC',
  21: '64-bit PowerPC',
  22: 'IBM S/390',
  40: 'ARM',
  62: 'x86-64',
  183: 'ARM aarch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** EF_ARM_ABI_FLOAT_HARD / EF_ARM_ABI_FLOAT_SOFT (EABI5 e_flags). */
const EF_ARM_ABI_FLOAT_HARD = 0x400;
const EF_ARM_ABI_FLOAT_SOFT = 0x200;

/** The OCI architecture of an ELF's class, byte order and machine, and words for messages. */
export function elfArchitecture(facts: ElfFacts): ElfArchitecture {
  const cls = facts.class === 64 ? 2 : 1;
  const data = facts.endian === 'le' ? 1 : 2;
  const match = PLATFORM_DATA.find((d) => d.elf.machine === facts.machine && d.elf.elfClass === cls && d.elf.elfData === data);
  let architecture = match?.platform.architecture;
  if (!architecture && facts.machine === 21 && cls === 2 && data === 2) architecture = 'ppc64';
  if (!architecture && facts.machine === 8 && cls === 2 && data === 2) architecture = 'mips64';
  const machine = EM_NAMES[facts.machine] ?? `machine ${facts.machine}`;
  return { ...(architecture ? { architecture } : {}), machineName: `ELF ${facts.class}-bit ${facts.endian === 'le' ? 'LSB' : 'MSB'} ${machine}` };
}

const PE_MACHINES: Readonly<Record<number, string>> = { 0x8664: 'amd64', 0xaa64: 'arm64', 0x14c: '386', 0x1c4: 'arm' };

/** The architecture of a PE machine. */
export function peArchitecture(facts: PeFacts): string | undefined {
  return PE_MACHINES[facts.machine];
}

/** A dynamic loader path's architecture and C library, from src/platform's loader table. */
export function loaderFacts(path: string): LoaderFacts | undefined {
  const p = path.startsWith('/') ? path : `/${path}`;
  for (const d of PLATFORM_DATA) {
    const float = d.platform.architecture === 'arm' ? (/armhf/.test(p) ? 'hard' : 'soft') : undefined;
    if (d.elf.glibcLoader === p) return { architecture: d.platform.architecture, libc: 'glibc', ...(float ? { float } : {}) };
    if (d.elf.muslLoader === p) return { architecture: d.platform.architecture, libc: 'musl', ...(float ? { float } : {}) };
  }
  if (p === '/lib/ld-musl-arm.so.1') return { architecture: 'arm', libc: 'musl', float: 'soft' };
  return undefined;
}

/** Tag_CPU_arch values each arm variant runs (a set, not a ladder: M-profile values run on none). */
const ARM_CPU_ARCH: Readonly<Record<string, ReadonlySet<number>>> = {
  v5: new Set([0, 1, 2, 3, 4, 5]),
  v6: new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
  v7: new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
  v8: new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14]),
};
const ARM_CPU_ARCH_NAMES: Readonly<Record<number, string>> = {
  6: 'ARMv6',
  7: 'ARMv6KZ',
  8: 'ARMv6T2',
  9: 'ARMv6K',
  10: 'ARMv7',
  11: 'ARMv6-M',
  12: 'ARMv6S-M',
  13: 'ARMv7E-M',
  14: 'ARMv8-A',
};

/** The float ABI an ARM ELF's e_flags declare; undefined when they do not say (Go binaries). */
export function armFloat(facts: ElfFacts): 'hard' | 'soft' | undefined {
  if (facts.flags & EF_ARM_ABI_FLOAT_HARD) return 'hard';
  if (facts.flags & EF_ARM_ABI_FLOAT_SOFT) return 'soft';
  return undefined;
}

/**
 * Whether an ELF or PE file fits `platform`: class, byte order and machine first (AA201's
 * question), then for 32-bit ARM the CPU architecture the variant runs (AA202's). Scripts and
 * text fit everything; what cannot be told is `unknown`.
 */
export function fitsPlatform(facts: FileFacts, platform: Platform): Fit & { readonly armVariant?: boolean } {
  const p = normalizePlatform(platform);
  if (facts.format === 'pe') {
    const arch = peArchitecture(facts);
    if (!arch) return { fits: 'unknown', reason: `PE machine 0x${facts.machine.toString(16)} is not one anyarch knows` };
    return arch === p.architecture ? { fits: 'yes' } : { fits: 'no', reason: `a ${arch} Windows binary` };
  }
  if (facts.format !== 'elf') return { fits: 'unknown' };
  const arch = elfArchitecture(facts);
  if (!arch.architecture) return { fits: 'unknown', reason: `${arch.machineName} is no platform's machine` };
  if (arch.architecture !== p.architecture) return { fits: 'no', reason: `built for ${arch.architecture}, not ${p.architecture}` };
  if (p.architecture === 'arm') {
    const cpu = facts.arm?.cpuArch;
    const accepts = ARM_CPU_ARCH[p.variant];
    if (cpu !== undefined && accepts && !accepts.has(cpu)) {
      return { fits: 'no', armVariant: true, reason: `built for ${ARM_CPU_ARCH_NAMES[cpu] ?? `Tag_CPU_arch ${cpu}`}, which arm/${p.variant} cannot run` };
    }
  }
  return { fits: 'yes' };
}

/** One line on what a file is: `ELF 64-bit LSB x86-64, dynamic, interpreter /lib64/ld-linux-x86-64.so.2`. */
export function describeFacts(facts: FileFacts): string {
  switch (facts.format) {
    case 'elf': {
      const parts = [elfArchitecture(facts).machineName];
      if (facts.machine === 40) {
        const f = armFloat(facts);
        if (facts.arm?.cpuArch !== undefined) parts.push(ARM_CPU_ARCH_NAMES[facts.arm.cpuArch] ?? `Tag_CPU_arch ${facts.arm.cpuArch}`);
        if (f) parts.push(`${f}-float`);
      }
      parts.push(facts.interpreter ? 'dynamic' : facts.dynamic ? 'dynamic (no interpreter)' : 'static');
      if (facts.interpreter) parts.push(`interpreter ${facts.interpreter}`);
      if (facts.goBuild?.['GOARCH']) parts.push(`Go GOARCH=${facts.goBuild['GOARCH']}`);
      return parts.join(', ');
    }
    case 'pe':
      return `PE ${peArchitecture(facts) ?? `machine 0x${facts.machine.toString(16)}`}`;
    case 'script':
      return `script, #!${[facts.interpreter, ...facts.args].join(' ')}`;
    case 'text':
      return 'text';
  }
}
