/**
 * Python's names for platforms: extension-module suffixes (`EXT_SUFFIX`,
 * `.cpython-311-aarch64-linux-gnu.so`, whose triplet is cpython's `Misc/platform_triplet.c`
 * PLATFORM_TRIPLET, Debian's multiarch names for glibc and their `-musl` twins since
 * bpo-43112), where extension modules live, and a wheel's `WHEEL` file and platform tags.
 *
 * The ten known platforms' triplets are src/platform's `multiarch` words and their wheel
 * machines its `python` words (`platform.machine()`); this file adds the triplets and machines of
 * the architectures outside them.
 */
import { PLATFORM_DATA } from '../platform/data.js';
import { rustArchTable } from '../platform/toolchain-targets.js';

/** What an extension module's file name says. */
export interface ExtensionName {
  /** the module name (`_ssl`, `numpy.core._multiarray_umath` is `_multiarray_umath`) */
  readonly module: string;
  /** the interpreter and ABI tag: `cpython-311`, `cpython-313t`, `pypy39-pp73`, `abi3`, `cp311` (Windows); undefined for a bare `.so` */
  readonly python?: string;
  /** the PLATFORM_TRIPLET (`aarch64-linux-gnu`) or Windows platform (`win_amd64`); undefined when the name carries none */
  readonly triplet?: string;
  /** the OCI architecture the triplet names; undefined when it names none anyarch knows, or no triplet */
  readonly architecture?: string;
  /** the OS the triplet names (no triplet names an arm variant: `arm-linux-gnueabihf` is v6 and v7 alike) */
  readonly os?: 'linux' | 'darwin' | 'windows';
  readonly libc?: 'glibc' | 'musl';
  /** 32-bit ARM float ABI (`gnueabihf` hard, `gnueabi` soft) */
  readonly float?: 'hard' | 'soft';
}

interface TripletCpu {
  readonly architecture: string;
}

/** CPU words of triplets, for the architectures outside the platform table. */
const OTHER_TRIPLET_CPUS: ReadonlyMap<string, TripletCpu> = new Map([
  ['powerpc64', { architecture: 'ppc64' }],
  ['powerpc', { architecture: 'ppc' }],
  ['s390', { architecture: 's390' }],
  ['mips64', { architecture: 'mips64' }],
  ['mipsel', { architecture: 'mipsle' }],
  ['mips', { architecture: 'mips' }],
  ['sparc64', { architecture: 'sparc64' }],
  ['riscv32', { architecture: 'riscv' }],
  ['aarch64_be', { architecture: 'arm64be' }],
  ['armeb', { architecture: 'armbe' }],
  ['i686', { architecture: '386' }],
  ['i586', { architecture: '386' }],
  ['i486', { architecture: '386' }],
]);

/** The CPU word of each known platform's multiarch triplet (`x86_64-linux-gnu` → x86_64 → amd64). */
const KNOWN_TRIPLET_CPUS: ReadonlyMap<string, TripletCpu> = new Map(
  PLATFORM_DATA.map((d) => [d.multiarch.slice(0, d.multiarch.indexOf('-')), { architecture: d.platform.architecture }] as const),
);

const TRIPLET_RE = /^([a-z0-9_]+)(?:-[a-z0-9_]+)?-linux-(gnu|musl|android)([a-z0-9]*)$/;

/** The CPU word of a Rust target triple (`armv7`, `riscv64gc`) → its architecture, from src/platform's Rust vocabularies. */
function rustCpuArchitecture(cpu: string): string | undefined {
  const keys = rustArchTable().get(cpu);
  const first = keys ? [...keys][0] : undefined;
  return first?.split('/')[0];
}

/**
 * What a GNU triplet says: architecture, libc, float ABI. Debian's multiarch names and
 * PLATFORM_TRIPLETs (`aarch64-linux-gnu`) and the vendor forms of GCC, crosstool-NG and Rust
 * (`aarch64-unknown-linux-gnu`, `x86_64-alpine-linux-musl`, `armv7-unknown-linux-gnueabihf`),
 * and Android's (`aarch64-linux-android`, whose C library, bionic, is neither: no `libc`);
 * undefined for a triplet that is not `<cpu>[-<vendor>]-linux-<gnu|musl|android><abi>`.
 */
export function tripletFacts(triplet: string): Pick<ExtensionName, 'architecture' | 'libc' | 'float' | 'os'> | undefined {
  if (triplet === 'darwin') return { os: 'darwin' };
  const m = TRIPLET_RE.exec(triplet);
  if (!m) return undefined;
  const [, cpu = '', libcWord, abi = ''] = m;
  const libc = libcWord === 'musl' ? 'musl' : libcWord === 'gnu' ? 'glibc' : undefined;
  let architecture = (KNOWN_TRIPLET_CPUS.get(cpu) ?? OTHER_TRIPLET_CPUS.get(cpu))?.architecture ?? rustCpuArchitecture(cpu);
  if (architecture === 'amd64' && abi === 'x32') architecture = 'amd64p32';
  if (architecture === 'mips64le' && abi === 'abin32') architecture = 'mips64p32le';
  if (architecture === 'mips64' && abi === 'abin32') architecture = 'mips64p32';
  const out: { -readonly [K in keyof ExtensionName]?: ExtensionName[K] } = libc ? { os: 'linux', libc } : { os: 'linux' };
  if (architecture !== undefined) out.architecture = architecture;
  if (architecture === 'arm' || architecture === 'armbe') {
    if (abi === 'eabihf') out.float = 'hard';
    else if (abi === 'eabi') out.float = 'soft';
  }
  return out;
}

const WINDOWS_PLATFORMS: ReadonlyMap<string, string> = new Map([
  ['win_amd64', 'amd64'],
  ['win32', '386'],
  ['win_arm64', 'arm64'],
]);

/**
 * What an extension module's file name says (`_foo.cpython-311-aarch64-linux-gnu.so` →
 * python cpython-311, triplet aarch64-linux-gnu, arm64, glibc). `.abi3.so` and a bare `.so` carry
 * no platform (the ELF content must say it); Python 3.15's `.abi3-<triplet>.so` does, as do
 * PyPy's `.pypy39-pp73-<triplet>.so` and Windows' `.cp311-win_amd64.pyd`. Undefined for a name
 * that is no extension module.
 */
export function parseExtensionName(basename: string): ExtensionName | undefined {
  const slash = basename.lastIndexOf('/');
  const name = slash < 0 ? basename : basename.slice(slash + 1);
  if (name.endsWith('.pyd')) {
    const parts = name.slice(0, -4).split('.');
    const module = parts[0] ?? '';
    const tag = parts.length > 1 ? parts[parts.length - 1]! : undefined;
    const m = tag ? /^(cp\d+t?)-(win32|win_amd64|win_arm64)$/.exec(tag) : null;
    if (!module) return undefined;
    if (!m) return { module, os: 'windows' };
    return { module, python: m[1]!, triplet: m[2]!, architecture: WINDOWS_PLATFORMS.get(m[2]!)!, os: 'windows' };
  }
  if (!name.endsWith('.so')) return undefined;
  const stem = name.slice(0, -3);
  const dot = stem.indexOf('.');
  if (dot <= 0) return stem ? { module: stem } : undefined;
  const module = stem.slice(0, dot);
  const tag = stem.slice(dot + 1);
  if (tag === 'abi3') return { module, python: 'abi3' };
  const m = /^(cpython-\d+[a-z]*|pypy\d+-pp\d+|abi3t?|graalpy\d+-\d+-native)-(.+)$/.exec(tag);
  if (!m) return { module };
  const triplet = m[2]!;
  const facts = tripletFacts(triplet);
  return { module, python: m[1]!, triplet, ...facts };
}

/** True for a path where Python imports extension modules from: `*.so` under `site-packages`, `dist-packages` or `lib-dynload`. */
export function isPythonExtensionPath(path: string): boolean {
  return path.endsWith('.so') && /(^|\/)(site-packages|dist-packages|lib-dynload)\//.test(path);
}

/** Most `Tag:` lines kept from a WHEEL file. */
export const MAX_WHEEL_TAGS = 256;

export interface WheelFile {
  /** every `Tag:` value (`cp312-cp312-manylinux_2_17_aarch64`), at most {@link MAX_WHEEL_TAGS} */
  readonly tags: readonly string[];
  /** `Root-Is-Purelib` (true: a pure-Python wheel); undefined when absent */
  readonly rootIsPurelib?: boolean;
  readonly wheelVersion?: string;
  readonly generator?: string;
}

/** Reads a `*.dist-info/WHEEL` file (email-header style `Key: value` lines). */
export function parseWheelFile(text: string): WheelFile {
  const tags: string[] = [];
  let rootIsPurelib: boolean | undefined;
  let wheelVersion: string | undefined;
  let generator: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    const key = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).trim();
    if (key === 'tag' && value && tags.length < MAX_WHEEL_TAGS) tags.push(value);
    else if (key === 'root-is-purelib') rootIsPurelib = value.toLowerCase() === 'true';
    else if (key === 'wheel-version') wheelVersion = value;
    else if (key === 'generator') generator = value;
  }
  const out: { -readonly [K in keyof WheelFile]: WheelFile[K] } = { tags };
  if (rootIsPurelib !== undefined) out.rootIsPurelib = rootIsPurelib;
  if (wheelVersion !== undefined) out.wheelVersion = wheelVersion;
  if (generator !== undefined) out.generator = generator;
  return out;
}

/** A platform one wheel platform tag names. */
export interface WheelPlatform {
  readonly tag: string;
  readonly os: 'linux' | 'darwin' | 'windows';
  /** undefined for a machine anyarch does not know (or macOS `universal2`, which is two) */
  readonly architecture?: string;
  /** arm variant for `armv7l` / `armv6l` */
  readonly variant?: string;
  /** manylinux: glibc, musllinux: musl, `linux_*`: undefined */
  readonly libc?: 'glibc' | 'musl';
}

/** Machines of wheel tags outside the platform table's `python` words. */
const OTHER_WHEEL_MACHINES: ReadonlyMap<string, { architecture: string; variant?: string }> = new Map([
  ['ppc64', { architecture: 'ppc64' }],
  ['armv5tel', { architecture: 'arm', variant: 'v5' }],
  ['armv8l', { architecture: 'arm', variant: 'v8' }],
  ['i386', { architecture: '386' }],
  ['i586', { architecture: '386' }],
  ['amd64', { architecture: 'amd64' }],
  ['arm64', { architecture: 'arm64' }],
  ['mips', { architecture: 'mips' }],
  ['mipsel', { architecture: 'mipsle' }],
  ['s390', { architecture: 's390' }],
  ['sparc64', { architecture: 'sparc64' }],
]);

const KNOWN_WHEEL_MACHINES: ReadonlyMap<string, { architecture: string; variant?: string }> = new Map(
  PLATFORM_DATA.filter((d) => d.python !== 'mips64').map((d) => [d.python, d.platform.variant ? { architecture: d.platform.architecture, variant: d.platform.variant } : { architecture: d.platform.architecture }] as const),
);

function wheelMachine(word: string): { architecture: string; variant?: string } | undefined {
  if (word === 'mips64') return { architecture: 'mips64le' }; // platform.machine() says mips64 for both orders; wheels are built little-endian
  return KNOWN_WHEEL_MACHINES.get(word) ?? OTHER_WHEEL_MACHINES.get(word);
}

/**
 * The platforms a wheel tag names. `tag` is a whole tag (`cp312-cp312-manylinux_2_17_aarch64`),
 * or only its platform part; compressed tag sets (`manylinux_2_17_x86_64.manylinux2014_x86_64`)
 * give each. `any` gives `{ any: true }` and no platforms. Tags anyarch cannot read give none.
 */
export function wheelTagArchitectures(tag: string): { readonly any: boolean; readonly platforms: readonly WheelPlatform[] } {
  const parts = tag.split('-');
  const platformPart = parts.length >= 3 ? parts[parts.length - 1]! : tag;
  const platforms: WheelPlatform[] = [];
  let any = false;
  for (const p of platformPart.split('.')) {
    if (p === 'any') {
      any = true;
      continue;
    }
    const w = wheelPlatform(p);
    if (w) platforms.push(w);
  }
  return { any, platforms };
}

function wheelPlatform(p: string): WheelPlatform | undefined {
  let m = /^manylinux(?:1|2010|2014|_\d+_\d+)_(.+)$/.exec(p);
  if (m) return linuxWheel(p, m[1]!, 'glibc');
  m = /^musllinux_\d+_\d+_(.+)$/.exec(p);
  if (m) return linuxWheel(p, m[1]!, 'musl');
  m = /^linux_(.+)$/.exec(p);
  if (m) return linuxWheel(p, m[1]!, undefined);
  const win = WINDOWS_PLATFORMS.get(p);
  if (win) return { tag: p, os: 'windows', architecture: win };
  m = /^macosx_\d+_\d+_(.+)$/.exec(p);
  if (m) {
    const arch = m[1] === 'x86_64' || m[1] === 'intel' ? 'amd64' : m[1] === 'arm64' ? 'arm64' : undefined;
    return arch ? { tag: p, os: 'darwin', architecture: arch } : { tag: p, os: 'darwin' };
  }
  return undefined;
}

function linuxWheel(tag: string, machine: string, libc: 'glibc' | 'musl' | undefined): WheelPlatform {
  const m = wheelMachine(machine);
  const out: { -readonly [K in keyof WheelPlatform]: WheelPlatform[K] } = { tag, os: 'linux' };
  if (m) {
    out.architecture = m.architecture;
    if (m.variant) out.variant = m.variant;
  }
  if (libc) out.libc = libc;
  return out;
}
