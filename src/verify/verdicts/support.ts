/**
 * What several verdicts share: which verdict owns a file (a Python extension is AA205's, a Node
 * addon AA206's, every other binary AA201's, so that one file gets one verdict), a dynamic ELF's
 * loader problem (AA203 or AA204), and the platform words of Python and Node.
 */
import type { ElfFacts } from '../../binary/types.js';
import { PLATFORM_DATA, normalizePlatform, type Platform } from '../../platform/index.js';
import { loaderFacts } from '../binary-kit.js';
import type { VariantView } from './types.js';

const PYTHON_PACKAGES = /(?:^|\/)(?:site|dist)-packages\//;
/** napi-rs, esbuild, swc, sharp...: one npm package per platform, `<name>-<os>-<arch>[-<abi>]`. */
const PLATFORM_PACKAGE = /^(?:(.+)-)?(linux|linuxmusl|darwin|win32|freebsd|android|openbsd|sunos)-(x64|arm64|arm|ia32|ppc64|s390x|riscv64|loong64|mips64el)(?:-(gnu|musl|gnueabihf|musleabihf|msvc|eabi))?$/;

/** Is the file a Python extension module or a library bundled with one (under site-/dist-packages)? */
export function isPythonBinary(path: string): boolean {
  return PYTHON_PACKAGES.test(path) && /\.so(?:\.[0-9.]+)?$/.test(path);
}

/** A package of a platform-per-package family a file belongs to. */
export interface PlatformPackage {
  /** the package's directory (`usr/lib/node_modules/@esbuild/linux-x64`) */
  readonly dir: string;
  /** the node_modules directory plus scope and name prefix: the family (`.../node_modules/@esbuild/`) */
  readonly family: string;
  readonly os: string;
  /** Node's `process.arch` word */
  readonly arch: string;
  readonly abi?: string;
}

/** The platform package a path lies in (`node_modules/@esbuild/linux-x64/bin/esbuild`), if any. */
export function platformPackage(path: string): PlatformPackage | undefined {
  const segs = path.split('/');
  for (let i = segs.lastIndexOf('node_modules'); i >= 0; i = segs.lastIndexOf('node_modules', i - 1)) {
    const scoped = segs[i + 1]?.startsWith('@') === true;
    const nameAt = scoped ? i + 2 : i + 1;
    const name = segs[nameAt];
    if (name === undefined || nameAt >= segs.length - 1) continue;
    const m = PLATFORM_PACKAGE.exec(name);
    if (!m) continue;
    const dir = segs.slice(0, nameAt + 1).join('/');
    const family = `${segs.slice(0, nameAt).join('/')}/${m[1] ?? ''}`;
    return { dir, family, os: m[2] === 'linuxmusl' ? 'linux' : (m[2] as string), arch: m[3] as string, ...(m[4] ? { abi: m[4] } : m[2] === 'linuxmusl' ? { abi: 'musl' } : {}) };
  }
  return undefined;
}

/** Is the file a Node addon, or a binary of a per-platform npm package (AA206's files)? */
export function isNodeBinary(path: string): boolean {
  return path.endsWith('.node') || platformPackage(path) !== undefined;
}

/** Node's `process.arch` word for a platform (`x64`, `arm64`, `arm`...). */
export function nodeArch(platform: Platform): string | undefined {
  const p = normalizePlatform(platform);
  return PLATFORM_DATA.find((d) => d.platform.architecture === p.architecture)?.node ?? undefined;
}

/** The OCI architecture of Node's `process.arch` word. */
export function nodeArchArchitecture(word: string): string | undefined {
  return PLATFORM_DATA.find((d) => d.node === word)?.platform.architecture;
}

/** The OCI architecture of Python's `platform.machine()` word (`x86_64`, `aarch64`, `armv7l`). */
export function pythonMachineArchitecture(word: string): string | undefined {
  if (word === 'i386' || word === 'i586') return '386';
  return PLATFORM_DATA.find((d) => d.python === word)?.platform.architecture;
}

/**
 * What is wrong with a dynamic ELF's loader: `missing` (PT_INTERP leads nowhere in the tree, AA203),
 * `libc` (it is another C library's loader than the image has, AA204), or undefined.
 */
export function loaderProblem(facts: ElfFacts, view: VariantView): { kind: 'missing' | 'libc'; libc?: 'glibc' | 'musl' } | undefined {
  const interp = facts.interpreter;
  if (!interp) return undefined;
  if (view.tree.resolve(interp.replace(/^\/+/, ''))) return undefined;
  const loader = loaderFacts(interp, facts);
  if (loader && view.libcs.size > 0 && !view.libcs.has(loader.libc)) return { kind: 'libc', libc: loader.libc };
  return { kind: 'missing' };
}

/** The image's C libraries in words (`musl`, `glibc and musl`). */
export function libcWords(libcs: ReadonlySet<string>): string {
  return [...libcs].sort().join(' and ') || 'no C library';
}
