/**
 * What compilers' CPU flags say about the machine a binary is built for: `-march=` / `-mcpu=`
 * families (x86, ARM, 32-bit ARM, RISC-V, IBM Z, POWER, LoongArch), amd64 micro-architecture
 * levels, x86 feature flags (`-mavx2`) and Rust's `-C target-cpu=` / `-C target-feature=`.
 * Pure data and functions: finding the flags in a command is the rules' business.
 */

/** What a CPU flag says about the machine it builds for. */
export interface CpuFlag {
  /** OCI architectures whose compilers accept it */
  readonly archs: readonly string[];
  /** a human name of those CPUs */
  readonly family: string;
  /** true for `native`: the build machine's CPU */
  readonly native: boolean;
  /** amd64 micro-architecture level it requires (v2, v3, v4), when it names one */
  readonly level?: string;
}

/** The kinds of CPU flag {@link classifyCpuFlag} reads. */
export type CpuFlagKind = 'march' | 'mcpu' | 'feature' | 'mfpu' | 'target-cpu' | 'target-feature';

const X86 = { archs: ['amd64', '386'], family: 'x86', native: false } as const;
const ARM = { archs: ['arm64', 'arm'], family: 'ARM', native: false } as const;
const ARM32 = { archs: ['arm'], family: '32-bit ARM', native: false } as const;

/** x86 CPU names gcc and clang accept in `-march=`. */
const X86_CPUS =
  /^(x86-64|i[3-6]86|pentium\w*|prescott|nocona|core2|nehalem|westmere|sandybridge|ivybridge|haswell|broadwell|skylake[\w-]*|cascadelake|cooperlake|cannonlake|icelake[\w-]*|tigerlake|rocketlake|alderlake|raptorlake|meteorlake|sapphirerapids|emeraldrapids|graniterapids[\w-]*|goldmont[\w-]*|tremont|silvermont|knl|knm|bonnell|atom|znver\d|bdver\d|btver\d|amdfam10|barcelona|k8[\w-]*|opteron[\w-]*|athlon[\w-]*)$/;
/** ARM CPU names gcc and clang accept in `-mcpu=` (and `-march=` for some). */
const ARM_CPUS = /^(cortex-[amx]\d+[\w.+-]*|neoverse-[\w.+-]+|apple-[\w.+-]+|thunderx[\w.+-]*|ampere\d*[\w.+-]*|a64fx|carmel|kryo[\w.+-]*|exynos[\w.+-]*|falkor|saphira|tsv110|generic-armv[\w.+-]+)$/;

/**
 * x86 instruction-set features, as gcc and clang flags spell them (`-mavx2`, `-mpclmul`, `-mfma4`)
 * and as Rust target features do (`+avx2`, `+pclmulqdq`, `+bmi1`).
 */
const X86_FEATURES = /^(sse[\d.]*|ssse3|avx\w*|fma4?|bmi\d?|popcnt|aes|pclmul(qdq)?|f16c|lzcnt|movbe|sha|xop|vaes|vpclmulqdq|gfni)$/;

/**
 * Classifies `-march=`, `-mcpu=`, `-mfpu=`, `-m<feature>` (the word after `-m`: an x86 feature, or
 * undefined for `-m64`, `-mthumb` ...), `-C target-cpu=` and `-C target-feature=` values.
 */
export function classifyCpuFlag(kind: CpuFlagKind, value: string): CpuFlag | undefined {
  const v = value.toLowerCase();
  if (v === 'native') return kind === 'march' || kind === 'mcpu' || kind === 'target-cpu' ? { archs: [], family: 'the build machine', native: true } : undefined;
  switch (kind) {
    case 'march':
    case 'target-cpu': {
      const level = /^x86-64-(v[234])$/.exec(v);
      if (level) return { ...X86, archs: ['amd64'], level: level[1] as string };
      if (X86_CPUS.test(v)) return X86;
      if (/^armv[89](\.\d)?-?[a-z]*(\+[\w+]*)?$/.test(v)) return ARM;
      if (/^armv[4-7]/.test(v)) return ARM32;
      if (ARM_CPUS.test(v)) return ARM;
      if (/^rv64/.test(v)) return { archs: ['riscv64'], family: 'RISC-V', native: false };
      if (/^(z\d+|arch\d+)$/.test(v)) return { archs: ['s390x'], family: 'IBM Z', native: false };
      if (/^(power\d+|pwr\d+)$/.test(v)) return { archs: ['ppc64le'], family: 'POWER', native: false };
      if (/^(loongarch64|la\d+)$/.test(v)) return { archs: ['loong64'], family: 'LoongArch', native: false };
      return undefined;
    }
    case 'mcpu':
      if (ARM_CPUS.test(v)) return ARM;
      if (/^(power\d+|pwr\d+)$/.test(v)) return { archs: ['ppc64le'], family: 'POWER', native: false };
      return undefined;
    case 'mfpu':
      return ARM32;
    case 'feature':
      return X86_FEATURES.test(v) ? X86 : undefined;
    case 'target-feature': {
      const feats = v.split(',').map((f) => f.replace(/^[+-]/, ''));
      if (feats.some((f) => X86_FEATURES.test(f))) return X86;
      if (feats.some((f) => /^(neon|sve\d?|crc|lse|fp-armv8|dotprod|rcpc)$/.test(f))) return ARM;
      return undefined;
    }
  }
}
