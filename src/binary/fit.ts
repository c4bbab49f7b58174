/**
 * Whether a file's bytes fit a platform. `no` is a verdict; `unknown` is silence: this says `no`
 * only when the bytes prove it (another machine, class or byte order; a 32-bit ARM build
 * attribute or Go's GOARM the variant's CPUs lack; a Go GOAMD64 level above the platform's; a
 * soft-float dynamic file on a hard-float arm variant), and `unknown` whenever it cannot tell.
 *
 * 32-bit ARM variants accept sets of Tag_CPU_arch values, not a ladder (v6-M is 11, above v7's 10):
 * arm/v5 {pre-v4..v5TEJ}; arm/v6 adds v6, v6KZ, v6K (not v6T2: Thumb-2, which ARM1176 lacks);
 * arm/v7 adds v6T2 and v7; arm/v8 (AArch32 on ARMv8) adds the A-profile v8s and v9-A. M-profile
 * files run on none of them. Docker's arm/v6, v7 and v8 images are hard-float (armhf); soft-float
 * images are published as arm/v5, where a hard-float file is `unknown` (it needs a VFP unit the
 * variant does not promise).
 */
import { normalizeArch } from '../platform/parse.js';
import { armCpuArchName, describeFacts } from './describe.js';
import { elfArchitecture, peArchitecture } from './machines.js';
import type { ElfFacts, FileFacts, Fit } from './types.js';

/** The platform a file is judged against (a Platform's architecture and variant). */
export interface TargetPlatform {
  readonly architecture: string;
  readonly variant?: string;
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

const UNKNOWN = (reason: string): Fit => ({ fits: 'unknown', reason });
const YES: Fit = { fits: 'yes' };

/** Whether the file's bytes run on the platform (see the module comment). */
export function fitsPlatform(facts: FileFacts, platform: TargetPlatform): Fit {
  const target = normalizeArch(platform.architecture, platform.variant ?? '');
  switch (facts.format) {
    case 'elf':
      return fitsElf(facts, target);
    case 'pe': {
      const arch = peArchitecture(facts).architecture;
      if (arch === undefined) return UNKNOWN(`${describeFacts(facts)} is a PE machine anyarch does not know`);
      return arch === target.architecture ? YES : { fits: 'no', reason: `${describeFacts(facts)} is ${arch}, not ${target.architecture}` };
    }
    case 'script':
    case 'text':
      return UNKNOWN('not a binary');
  }
}

function platformWords(t: { architecture: string; variant: string }): string {
  return t.variant ? `${t.architecture}/${t.variant}` : t.architecture;
}

function fitsElf(f: ElfFacts, target: { architecture: string; variant: string }): Fit {
  const own = elfArchitecture(f);
  if (f.machine === 0) return UNKNOWN(f.problem ? `the ELF header cannot be read: ${f.problem}` : 'the ELF header names no machine');
  if (own.architecture === undefined) {
    return { fits: 'no', reason: `${own.machineName} is a machine no ${target.architecture} CPU runs` };
  }
  if (own.architecture !== target.architecture) {
    return { fits: 'no', reason: `${own.machineName} is ${own.architecture}, not ${platformWords(target)}` };
  }
  if (target.architecture === 'arm') return fitsArm(f, target.variant);
  if (target.architecture === 'amd64') return fitsAmd64(f, target.variant);
  return YES;
}

function fitsAmd64(f: ElfFacts, variant: string): Fit {
  const level = f.goBuild?.['GOAMD64'];
  if (level === undefined) return YES; // x86-64 levels of C code are not readable from headers: silence
  const need = AMD64_LEVELS.indexOf(level);
  const have = AMD64_LEVELS.indexOf(variant === '' ? 'v1' : variant);
  if (need < 0 || have < 0) return YES;
  if (need > have) return { fits: 'no', reason: `a Go binary built with GOAMD64=${level}, which amd64${variant ? `/${variant}` : ''} CPUs need not have` };
  return YES;
}

function fitsArm(f: ElfFacts, variant: string): Fit {
  const cpuSet = ARM_VARIANT_CPU_ARCH[variant];
  if (!cpuSet) return UNKNOWN(`arm variant "${variant}" is not one anyarch judges`);
  const platform = `arm/${variant}`;
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
