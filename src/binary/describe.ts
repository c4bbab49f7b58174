/**
 * One line saying what a file is, for verdict messages, in `file`'s manner:
 * `ELF 64-bit LSB x86-64, dynamic, interpreter /lib64/ld-linux-x86-64.so.2`,
 * `ELF 32-bit LSB ARM, EABI5 hard-float, ARMv7, dynamic, interpreter /lib/ld-linux-armhf.so.3`,
 * `PE32+ x86-64`, `script, interpreter /usr/bin/python3`.
 */
import { elfArchitecture, peArchitecture } from './machines.js';
import type { ElfFacts, FileFacts } from './types.js';

/** Tag_CPU_arch values (ARM ABI addenda; LLVM ARMBuildAttributes.h). */
const CPU_ARCH_NAMES: readonly string[] = [
  'pre-ARMv4',
  'ARMv4',
  'ARMv4T',
  'ARMv5T',
  'ARMv5TE',
  'ARMv5TEJ',
  'ARMv6',
  'ARMv6KZ',
  'ARMv6T2',
  'ARMv6K',
  'ARMv7',
  'ARMv6-M',
  'ARMv6S-M',
  'ARMv7E-M',
  'ARMv8-A',
  'ARMv8-R',
  'ARMv8-M.baseline',
  'ARMv8-M.mainline',
  'ARMv8.1-A',
  'ARMv8.2-A',
  'ARMv8.3-A',
  'ARMv8.1-M.mainline',
  'ARMv9-A',
];

/** The name of a Tag_CPU_arch value (`ARMv7`, `ARMv6KZ`...). */
export function armCpuArchName(value: number): string {
  return CPU_ARCH_NAMES[value] ?? `Tag_CPU_arch ${value}`;
}

/** EABI version and float ABI of a 32-bit ARM e_flags (`EABI5 hard-float`), '' when it says neither. */
export function armFloatWords(flags: number): string {
  const eabi = flags >>> 24;
  if (eabi === 0) return '';
  let words = `EABI${eabi}`;
  if (eabi === 5 && flags & 0x400) words += ' hard-float';
  else if (eabi === 5 && flags & 0x200) words += ' soft-float';
  return words;
}

/** How an ELF file is linked: `dynamic, interpreter X`, `static`, `static-pie`, `shared object`... */
export function elfLinkage(f: ElfFacts): string {
  if (f.interpreter !== undefined) return `dynamic, interpreter ${f.interpreter}`;
  switch (f.type) {
    case 'rel':
      return 'relocatable';
    case 'core':
      return 'core file';
    case 'dyn':
      return f.pie === false ? 'shared object' : 'static-pie';
    case 'exec':
      return 'static';
    default:
      return 'unknown type';
  }
}

/** One line saying what the file is. */
export function describeFacts(facts: FileFacts): string {
  switch (facts.format) {
    case 'elf': {
      const parts = [elfArchitecture(facts).machineName];
      if (facts.machine === 40 && facts.class === 32) {
        const floatWords = armFloatWords(facts.flags);
        if (floatWords) parts.push(floatWords);
        if (facts.arm?.cpuArch !== undefined) parts.push(armCpuArchName(facts.arm.cpuArch));
        const goarm = facts.goBuild?.['GOARM'];
        if (goarm !== undefined) parts.push(`GOARM=${goarm}`);
      }
      const goamd64 = facts.goBuild?.['GOAMD64'];
      if (goamd64 !== undefined && goamd64 !== 'v1') parts.push(`GOAMD64=${goamd64}`);
      parts.push(elfLinkage(facts));
      const line = parts.join(', ');
      return facts.problem ? `${line} (${facts.problem})` : line;
    }
    case 'pe': {
      const line = peArchitecture(facts).machineName;
      return facts.problem ? `${line} (${facts.problem})` : line;
    }
    case 'script':
      return `script, interpreter ${[facts.interpreter, ...facts.args].join(' ')}`;
    case 'text':
      return 'text';
  }
}
