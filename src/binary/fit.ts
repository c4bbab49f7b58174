/**
 * Whether a file's bytes fit a platform. `no` is a verdict; `unknown` is silence: this says `no`
 * only when the bytes prove it (another machine, class or byte order; a 32-bit ARM build
 * attribute or Go's GOARM the variant's CPUs lack; a soft-float dynamic file on a hard-float arm
 * variant), and `unknown` whenever it cannot tell. `some` when the file runs on some machines of
 * the platform only (types.ts `FitLimit`): the 32-bit architecture a platform's kernels run in
 * a compatibility mode (i386 on amd64; 32-bit ARM on arm64, whose CPUs may lack AArch32: the
 * compatible platforms are containerd's, src/platform's `compatiblePlatforms`), or a Go binary
 * built for a GOAMD64 level above the platform's (it exits at start on older CPUs).
 *
 * Judged are files the kernel or a loader maps to run: ELF executables and shared objects
 * (ET_EXEC, ET_DYN). Relocatable objects (`.o`, Go's `.syso`), core dumps and machines that are no
 * CPU a container's programs run on (eBPF, GPU code objects, firmware: machines.ts) are `unknown`.
 * A .NET assembly of IL only for any CPU (PE machine i386, COMIMAGE_FLAGS_ILONLY without
 * 32BITREQUIRED) runs wherever the .NET runtime does: `yes` on every platform.
 *
 * 32-bit ARM variants accept sets of Tag_CPU_arch values, not a ladder (v6-M is 11, above v7's 10):
 * arm/v5 {pre-v4..v5TEJ}; arm/v6 adds v6, v6KZ, v6K (not v6T2: Thumb-2, which ARM1176 lacks);
 * arm/v7 adds v6T2 and v7; arm/v8 (AArch32 on ARMv8) adds the A-profile v8s and v9-A. M-profile
 * files run on none of them. Docker's arm/v6, v7 and v8 images are hard-float (armhf); soft-float
 * images are published as arm/v5, where a hard-float file is `unknown` (it needs a VFP unit the
 * variant does not promise).
 */
import { compatiblePlatforms } from '../platform/compat.js';
import { normalizeArch } from '../platform/parse.js';
import { armCpuArchName, describeFacts } from './describe.js';
import { elfArchitecture, knowsArchitecture, peArchitecture } from './machines.js';
import type { ElfFacts, FileFacts, Fit, PeFacts } from './types.js';

/** The platform a file is judged against (a Platform's architecture and variant). */
export interface TargetPlatform {
  readonly architecture: string;
  readonly variant?: string;
}

export interface FitOptions {
  /**
   * the file is loaded into a process of the platform (a Python extension, a Node addon), not run
   * by itself: a compatible 32-bit architecture does not count, the process is the platform's
   */
  readonly loaded?: boolean;
}

const PRE_V6 = [0, 1, 2, 3, 4, 5];
const V6 = [...PRE_V6, 6, 7, 9];
const V7 = [...V6, 8, 10];
const V8 = [...V7, 14, 18, 19, 20, 22];

/** Tag_CPU_arch values each arm variant's CPUs run. */
export const ARM_VARIANT_CPU_ARCH: Readonly<Record<string, ReadonlySet<number>>> = Object.freeze({
  v5: new Set(PRE_V6),
  v6: new Set(V6),
  v7: new Set(V7),
  v8: new Set(V8),
});

/** Go's GOARM values each arm variant runs (GOARM=5 is soft float in software, 6 needs VFPv2, 7 VFPv3). */
const ARM_VARIANT_GOARM: Readonly<Record<string, ReadonlySet<string>>> = {
  v5: new Set(['5']),
  v6: new Set(['5', '6']),
  v7: new Set(['5', '6', '7']),
  v8: new Set(['5', '6', '7']),
};

const AMD64_LEVELS = ['v1', 'v2', 'v3', 'v4'];

/** ECMA-335 II.25.3.3.1 runtime flags of a CLR header. */
const COMIMAGE_FLAGS_ILONLY = 0x1;
const COMIMAGE_FLAGS_32BITREQUIRED = 0x2;
const PE_MACHINE_I386 = 0x14c;

const UNKNOWN = (reason: string): Fit => ({ fits: 'unknown', reason });
const YES: Fit = { fits: 'yes' };

type Target = { readonly architecture: string; readonly variant: string };

/** Whether the file's bytes run on the platform (see the module comment). */
export function fitsPlatform(facts: FileFacts, platform: TargetPlatform, options: FitOptions = {}): Fit {
  const target = normalizeArch(platform.architecture, platform.variant ?? '');
  switch (facts.format) {
    case 'elf':
      return fitsElf(facts, target, options);
    case 'pe':
      return fitsPe(facts, target, options);
    case 'script':
    case 'text':
      return UNKNOWN('not a binary');
  }
}

function platformWords(t: Target): string {
  return t.variant ? `${t.architecture}/${t.variant}` : t.architecture;
}

/** The 32-bit architecture `target`'s kernels also run (containerd's compatible platforms), with the arm variant its CPUs are. */
function compatTarget(target: Target, own: string): Target | undefined {
  const p = compatiblePlatforms({ os: 'linux', architecture: target.architecture, variant: target.variant })
    .slice(1)
    .find((c) => c.architecture === own && c.architecture !== target.architecture);
  return p ? { architecture: p.architecture, variant: p.variant } : undefined;
}

/** Why a compatible 32-bit architecture runs on `target`, and on which of its machines. */
function compatFit(target: Target, own: string, what: string): Fit {
  // every x86-64 CPU runs IA-32 code (the kernel must have IA32 emulation, as distributions' do);
  // ARMv8 CPUs may leave out AArch32 (Neoverse V1/N2 and later, AWS Graviton 3, Ampere)
  if (own === '386') return { fits: 'some', limit: 'compat', reason: `${what} is ${own}, which ${platformWords(target)} kernels run through their 32-bit compatibility mode` };
  return { fits: 'some', limit: 'cpu', reason: `${what} is 32-bit ${own}, which runs only on ${platformWords(target)} CPUs with AArch32 (many arm64 servers lack it)` };
}

function fitsElf(f: ElfFacts, target: Target, options: FitOptions): Fit {
  const own = elfArchitecture(f);
  if (f.machine === 0) return UNKNOWN(f.problem ? `the ELF header cannot be read: ${f.problem}` : 'the ELF header names no machine');
  if (f.type !== 'exec' && f.type !== 'dyn') return UNKNOWN(`${describeFacts(f)} is not a program or shared object: nothing runs it as it is`);
  if (own.architecture === undefined) return UNKNOWN(`${own.machineName} is no CPU a container's programs run on (GPU, eBPF or firmware code)`);
  if (!knowsArchitecture(target.architecture)) return UNKNOWN(`anyarch knows no ELF identity of ${target.architecture}`);
  if (own.architecture !== target.architecture) {
    // x32 (64-bit x86 with 32-bit pointers) runs on amd64 kernels that enable its ABI (Debian's
    // kernels build it but leave it off: syscall.x32=y turns it on); not one of containerd's platforms
    if (own.architecture === 'amd64p32' && target.architecture === 'amd64' && !options.loaded) {
      return { fits: 'some', limit: 'compat', reason: `${own.machineName} is x32 (amd64p32), which amd64 kernels run only where the x32 ABI is enabled` };
    }
    const compat = options.loaded ? undefined : compatTarget(target, own.architecture);
    if (compat && compat.architecture === 'arm') {
      const cpu = fitsArm(f, compat.variant, { floatAbi: false, label: `the AArch32 of ${platformWords(target)}` });
      if (cpu.fits === 'no') return cpu;
    }
    if (compat) return compatFit(target, own.architecture, own.machineName);
    return { fits: 'no', reason: `${own.machineName} is ${own.architecture}, not ${platformWords(target)}` };
  }
  if (target.architecture === 'arm') return fitsArm(f, target.variant, { floatAbi: true, label: `arm/${target.variant}` });
  if (target.architecture === 'amd64') return fitsAmd64(f, target.variant);
  return YES;
}

function fitsPe(f: PeFacts, target: Target, options: FitOptions): Fit {
  const what = describeFacts(f);
  if (f.clr && f.machine === PE_MACHINE_I386) {
    if (f.clrFlags === undefined) return UNKNOWN(`${what} is a .NET assembly whose CLR flags were not read`);
    // AnyCPU: IL only, no 32-bit requirement; the runtime compiles it for the CPU it runs on
    if ((f.clrFlags & COMIMAGE_FLAGS_ILONLY) !== 0 && (f.clrFlags & COMIMAGE_FLAGS_32BITREQUIRED) === 0) return YES;
  }
  const arch = peArchitecture(f).architecture;
  if (arch === undefined) return UNKNOWN(`${what} is a PE machine anyarch does not know`);
  if (arch === target.architecture) return YES;
  if (!options.loaded && compatTarget(target, arch) && arch === '386') {
    return { fits: 'some', limit: 'compat', reason: `${what} is ${arch}, which 64-bit Windows runs through WoW64 (Nano Server has none)` };
  }
  return { fits: 'no', reason: `${what} is ${arch}, not ${target.architecture}` };
}

function fitsAmd64(f: ElfFacts, variant: string): Fit {
  const level = f.goBuild?.['GOAMD64'];
  if (level === undefined) return YES; // x86-64 levels of C code are not readable from headers: silence
  const need = AMD64_LEVELS.indexOf(level);
  const have = AMD64_LEVELS.indexOf(variant === '' ? 'v1' : variant);
  if (need < 0 || have < 0 || need <= have) return YES;
  return {
    fits: 'some',
    limit: 'cpu',
    reason: `a Go binary built with GOAMD64=${level}: it exits at start on amd64${variant ? `/${variant}` : ''} CPUs without x86-64-${level} ("This program can only be run on AMD64 processors with ${level} microarchitecture support")`,
  };
}

/** 32-bit ARM on an arm variant's CPUs (`label` names them in reasons); the float ABI only where the images' C library decides it. */
function fitsArm(f: ElfFacts, variant: string, how: { readonly floatAbi: boolean; readonly label: string }): Fit {
  const cpuSet = ARM_VARIANT_CPU_ARCH[variant];
  if (!cpuSet) return UNKNOWN(`arm variant "${variant}" is not one anyarch judges`);
  const platform = how.label;
  const a = f.arm;
  if (a?.cpuProfile === 0x4d) return { fits: 'no', reason: `built for the M profile (microcontrollers), which no ${platform} CPU is` };
  if (a?.cpuArch !== undefined && !cpuSet.has(a.cpuArch)) {
    return { fits: 'no', reason: `built for ${armCpuArchName(a.cpuArch)} (Tag_CPU_arch ${a.cpuArch}), which ${platform} CPUs do not run` };
  }
  if (variant === 'v6' && a?.thumbIsa === 2) return { fits: 'no', reason: `uses Thumb-2 (Tag_THUMB_ISA_use 2), which ARMv6 CPUs (ARM1176) lack` };
  if (variant === 'v6' && a?.fpArch !== undefined && a.fpArch >= 3) {
    return { fits: 'no', reason: `uses VFPv3 or later (Tag_FP_arch ${a.fpArch}), which ARMv6 CPUs (VFPv2) lack` };
  }
  const goarm = f.goBuild?.['GOARM'];
  if (goarm !== undefined && !ARM_VARIANT_GOARM[variant]!.has(goarm)) {
    return { fits: 'no', reason: `a Go binary built with GOARM=${goarm}, which ${platform} CPUs do not run` };
  }
  if (!how.floatAbi) return YES;
  // float ABI: judged on the hard-float variants only, and only where it matters (linking)
  const eabi5 = f.flags >>> 24 === 5;
  const soft = eabi5 && (f.flags & 0x200) !== 0;
  if (variant !== 'v5' && soft && f.interpreter !== undefined) {
    return { fits: 'no', reason: `a soft-float (armel) dynamic binary; ${platform} images are hard-float (armhf)` };
  }
  if (variant === 'v5' && eabi5 && (f.flags & 0x400) !== 0) {
    return UNKNOWN(`a hard-float binary: ${platform} images are soft-float (armel), and whether their CPUs have a VFP unit cannot be told`);
  }
  if (a?.cpuArch === undefined && goarm === undefined) {
    return UNKNOWN(`no build attributes tell which ARM CPUs ${platform} needs`);
  }
  return YES;
}
