/**
 * Dynamic loaders (PT_INTERP) by architecture and C library: glibc's and musl's names, matched
 * by basename (s390x's `ld64.so.1` is in `/lib` for clang and in `/lib64` for zig).
 *
 * The ten known platforms' glibc and musl loaders come from src/platform's table; the rest are
 * glibc's `sysdeps/unix/sysv/linux/<arch>/ldconfig.h` names and musl's
 * `ld-musl-$(ARCH)$(SUBARCH).so.1` for the architectures outside it.
 */
import { PLATFORM_DATA } from '../platform/data.js';
import { elfArchitecture } from './machines.js';
import type { ElfFacts, LoaderFacts } from './types.js';

interface LoaderRow {
  /** candidate architectures; more than one when the name is shared (`ld64.so.1`: s390x, ppc64) */
  readonly architectures: readonly string[];
  readonly libc: 'glibc' | 'musl';
  readonly float?: 'hard' | 'soft';
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/** Loaders the platform table does not list (architectures outside the ten, soft-float ARM...). */
const EXTRA: readonly (readonly [string, LoaderRow])[] = [
  ['ld-linux.so.3', { architectures: ['arm'], libc: 'glibc', float: 'soft' }],
  ['ld-linux-armhf.so.3', { architectures: ['arm'], libc: 'glibc', float: 'hard' }],
  ['ld-musl-armhf.so.1', { architectures: ['arm'], libc: 'musl', float: 'hard' }],
  ['ld-musl-arm.so.1', { architectures: ['arm'], libc: 'musl', float: 'soft' }],
  ['ld64.so.1', { architectures: ['s390x', 'ppc64'], libc: 'glibc' }],
  ['ld.so.1', { architectures: ['mips64le', 'mips64', 'mips', 'mipsle', 'ppc', 's390'], libc: 'glibc' }],
  ['ld-linux-riscv64-lp64.so.1', { architectures: ['riscv64'], libc: 'glibc' }],
  ['ld-linux-x32.so.2', { architectures: ['amd64p32'], libc: 'glibc' }],
  ['ld-linux-aarch64_be.so.1', { architectures: ['arm64be'], libc: 'glibc' }],
  ['ld-linux-loongarch-lp64s.so.1', { architectures: ['loong64'], libc: 'glibc' }],
  ['ld-musl-powerpc64.so.1', { architectures: ['ppc64'], libc: 'musl' }],
  ['ld-musl-powerpc.so.1', { architectures: ['ppc'], libc: 'musl' }],
  ['ld-musl-mips64.so.1', { architectures: ['mips64'], libc: 'musl' }],
  ['ld-musl-mipsel.so.1', { architectures: ['mipsle'], libc: 'musl' }],
  ['ld-musl-mips.so.1', { architectures: ['mips'], libc: 'musl' }],
  ['ld-musl-mipsel-sf.so.1', { architectures: ['mipsle'], libc: 'musl', float: 'soft' }],
  ['ld-musl-mips-sf.so.1', { architectures: ['mips'], libc: 'musl', float: 'soft' }],
  ['ld-musl-x32.so.1', { architectures: ['amd64p32'], libc: 'musl' }],
];

/** Every loader basename → what it says. */
export const LOADERS: ReadonlyMap<string, LoaderRow> = buildLoaders();

function buildLoaders(): Map<string, LoaderRow> {
  const m = new Map<string, LoaderRow>(EXTRA);
  for (const d of PLATFORM_DATA) {
    const arch = d.platform.architecture;
    for (const [path, libc] of [
      [d.elf.glibcLoader, 'glibc'],
      [d.elf.muslLoader, 'musl'],
    ] as const) {
      const name = basename(path);
      const row = m.get(name);
      if (!row) m.set(name, { architectures: [arch], libc });
      else if (!row.architectures.includes(arch)) m.set(name, { ...row, architectures: [...row.architectures, arch] });
    }
  }
  return m;
}

/**
 * The architecture and C library a loader path names (`/lib/ld-musl-aarch64.so.1` → arm64,
 * musl), by basename. A name several architectures share (`ld64.so.1`: s390x and big-endian
 * ppc64; `ld.so.1`: MIPS, 32-bit PowerPC) is decided by the ELF file that asks for it; without
 * one, or when it is none of them, undefined. Undefined for a name that is no known loader.
 */
export function loaderFacts(path: string, elf?: Pick<ElfFacts, 'class' | 'endian' | 'machine' | 'flags'>): LoaderFacts | undefined {
  const row = LOADERS.get(basename(path));
  if (!row) return undefined;
  let architecture = row.architectures.length === 1 ? row.architectures[0] : undefined;
  if (architecture === undefined && elf) {
    const own = elfArchitecture(elf).architecture;
    if (own !== undefined && row.architectures.includes(own)) architecture = own;
  }
  if (architecture === undefined) return undefined;
  return row.float ? { architecture, libc: row.libc, float: row.float } : { architecture, libc: row.libc };
}

/** The C library a loader path names (glibc or musl; `ld64.so.1` is glibc whatever the architecture). */
export function libcOfLoader(path: string): 'glibc' | 'musl' | undefined {
  return LOADERS.get(basename(path))?.libc;
}

/** The C library a dynamic ELF file asks for through its loader; undefined for a static file or an unknown loader. */
export function libcOfElf(facts: Pick<ElfFacts, 'interpreter'>): 'glibc' | 'musl' | undefined {
  return facts.interpreter === undefined ? undefined : libcOfLoader(facts.interpreter);
}
