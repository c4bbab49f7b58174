/**
 * The ten known platforms and what each vocabulary calls them.
 */
import { PLATFORM_DATA } from './data.js';
import { formatPlatform } from './make.js';
import { normalizePlatform, samePlatform } from './parse.js';
import type { ElfIdentity, Platform, PlatformData, PythonTags, Vocabulary } from './types.js';

/** The ten Linux platforms of the research notes: amd64, arm64, arm/v7, arm/v6, 386, ppc64le, s390x, riscv64, mips64le, loong64. */
export const KNOWN_PLATFORMS: readonly Platform[] = Object.freeze(PLATFORM_DATA.map((d) => d.platform));

/** Architectures whose variants are CPU levels that still run the base platform's binaries. */
const LEVELLED = new Set(['amd64', 'arm64']);

/**
 * The data of a known platform. Exact match first (with the equivalences of `samePlatform`);
 * otherwise amd64 v2..v4 and arm64 v8.x/v9.x fall back to plain amd64/arm64, whose binaries they run.
 * Only Linux platforms are known.
 */
export function platformData(p: Platform): PlatformData | undefined {
  // rules ask for the same few (frozen) platform objects for every instruction of every file
  if (!Object.isFrozen(p)) return platformDataUncached(p);
  if (dataMemo.has(p)) return dataMemo.get(p);
  const d = platformDataUncached(p);
  dataMemo.set(p, d);
  return d;
}

const dataMemo = new WeakMap<Platform, PlatformData | undefined>();

function platformDataUncached(p: Platform): PlatformData | undefined {
  const exact = PLATFORM_DATA.find((d) => samePlatform(d.platform, p));
  if (exact) return exact;
  const n = normalizePlatform(p);
  if (n.os !== 'linux' || !LEVELLED.has(n.architecture)) return undefined;
  return PLATFORM_DATA.find((d) => d.platform.architecture === n.architecture && d.platform.variant === '');
}

/** True for one of {@link KNOWN_PLATFORMS} (variant equivalences apply; amd64/v3 is not one). */
export function isKnownPlatform(p: Platform): boolean {
  return PLATFORM_DATA.some((d) => samePlatform(d.platform, p));
}

/** Vocabularies whose words do not depend on the OS. */
const OS_INDEPENDENT: ReadonlySet<Vocabulary> = new Set<Vocabulary>(['oci', 'targetarch', 'go', 'node']);

function linuxWord(d: PlatformData, v: Vocabulary): string | null {
  switch (v) {
    case 'oci':
    case 'targetarch':
      return d.platform.architecture;
    case 'uname':
      return d.uname;
    case 'dpkg':
      return d.dpkg;
    case 'apk':
      return d.apk;
    case 'rpm':
      return d.rpm;
    case 'go':
      return d.goarch;
    case 'node':
      return d.node;
    case 'gnu':
      return d.gnu;
    case 'multiarch':
      return d.multiarch;
    case 'rust-gnu':
      return d.rustGnu;
    case 'rust-musl':
      return d.rustMusl;
    case 'python':
      return d.python;
    case 'bashbrew':
      return d.bashbrew;
  }
}

/**
 * The word vocabulary `v` uses for platform `p`, e.g. (linux/arm/v7, 'dpkg') -> 'armhf',
 * (linux/amd64, 'node') -> 'x64', (linux/ppc64le, 'node') -> 'ppc64'.
 *
 * `undefined` when the platform is not one of the ten known ones (amd64 v2..v4 and arm64 v8.x/v9
 * use the plain platform's words) or the vocabulary has no word for it (apk on mips64le,
 * bashbrew on loong64). For other OSes only the OS-independent vocabularies answer:
 * 'oci', 'targetarch', 'go' and 'node' (windows/amd64 -> node 'x64').
 */
export function toVocabulary(p: Platform, v: Vocabulary): string | undefined {
  const n = normalizePlatform(p);
  if (n.os !== 'linux') {
    if (!OS_INDEPENDENT.has(v)) return undefined;
    const d = platformData({ ...n, os: 'linux' });
    return d ? (linuxWord(d, v) ?? undefined) : undefined;
  }
  const d = platformData(n);
  return d ? (linuxWord(d, v) ?? undefined) : undefined;
}

/**
 * BuildKit's automatic platform build args for `p` (normalised first, as BuildKit does):
 * `{PREFIX}PLATFORM`, `{PREFIX}OS`, `{PREFIX}ARCH`, `{PREFIX}VARIANT`.
 * linux/arm64/v8 gives TARGETVARIANT '' and TARGETPLATFORM 'linux/arm64'; linux/arm gives 'v7'.
 */
export function buildArgs(p: Platform, prefix: 'TARGET' | 'BUILD'): Record<string, string> {
  const n = normalizePlatform(p);
  return {
    [`${prefix}PLATFORM`]: formatPlatform(n),
    [`${prefix}OS`]: n.os,
    [`${prefix}ARCH`]: n.architecture,
    [`${prefix}VARIANT`]: n.variant,
  };
}

/**
 * How an ELF binary for `p` identifies itself and which loaders it asks for;
 * `undefined` for platforms that are not known Linux platforms.
 */
export function elfIdentity(p: Platform): ElfIdentity | undefined {
  const d = normalizePlatform(p).os === 'linux' ? platformData(p) : undefined;
  return d ? { ...d.elf, otherLoaders: [...d.elf.otherLoaders] } : undefined;
}

/** Python wheel platform tags and `platform.machine()` for `p`; `undefined` for unknown platforms. */
export function pythonTags(p: Platform): PythonTags | undefined {
  const d = normalizePlatform(p).os === 'linux' ? platformData(p) : undefined;
  return d ? { manylinux: [...d.manylinux], musllinux: [...d.musllinux], machine: d.python } : undefined;
}

/**
 * Go's build environment for `p`: GOOS, GOARCH and the sub-architecture variable
 * (GOARM from the arm variant, GOAMD64 from the amd64 variant).
 * `undefined` when Go does not know the architecture as a known platform.
 */
export function goEnv(p: Platform): Record<string, string> | undefined {
  const n = normalizePlatform(p);
  const d = platformData({ ...n, os: 'linux' });
  if (!d) return undefined;
  const env: Record<string, string> = { GOOS: n.os, GOARCH: d.goarch };
  if (n.architecture === 'arm' && /^v[5-7]$/.test(n.variant)) env['GOARM'] = n.variant.slice(1);
  if (n.architecture === 'amd64' && n.variant !== '') env['GOAMD64'] = n.variant;
  return env;
}
