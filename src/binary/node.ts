/**
 * Node's names for platforms: addon paths and the choice node-gyp-build makes among them.
 *
 * - prebuildify ships every platform's addon inside the package:
 *   `prebuilds/<platform>-<arch>[+<arch>...]/<name>[.napi|.abiNN][.uv1][.armv7][.glibc|.musl].node`;
 *   node-gyp-build picks one at run time (see {@link selectPrebuild}), so foreign files there are
 *   intended.
 * - napi-rs (and esbuild-style packages) put each platform in its own optional package
 *   (`@scope/pkg-linux-arm64-gnu`, `pkg-linux-arm-gnueabihf`, `@esbuild/linux-arm64`), and name the
 *   addon the same way (`index.linux-x64-musl.node`).
 * - `build/Release/*.node` is compiled at install time and must match the platform.
 *
 * Node's arch words (`process.arch`) are src/platform's `node` words for the ten known platforms
 * (`x64`, `arm64`, `arm`, `ia32`, `ppc64` for little-endian ppc64le too, `s390x`, `riscv64`,
 * `loong64`, `mips64el`) plus the few of this file.
 */
import { PLATFORM_DATA } from '../platform/data.js';
import { normalizeArch } from '../platform/parse.js';

/** Node arch words outside the platform table. */
const OTHER_NODE_ARCHES: readonly (readonly [string, string])[] = [
  ['mipsel', 'mipsle'],
  ['mips', 'mips'],
  ['ppc', 'ppc'],
  ['s390', 's390'],
  ['x32', 'amd64p32'],
];

const NODE_TO_OCI: ReadonlyMap<string, string> = new Map([
  ...PLATFORM_DATA.filter((d) => d.node !== null).map((d) => [d.node!, d.platform.architecture] as const),
  ...OTHER_NODE_ARCHES,
]);

const OCI_TO_NODE: ReadonlyMap<string, string> = new Map([...NODE_TO_OCI].map(([node, oci]) => [oci, node] as const));

/** The OCI architecture of a Node arch word (`x64` → amd64, `ppc64` → ppc64le); undefined for a word Node does not use. */
export function nodeArchToArchitecture(word: string): string | undefined {
  return NODE_TO_OCI.get(word);
}

/** Node's arch word for an OCI architecture (`amd64` → x64, `386` → ia32). */
export function architectureToNodeArch(architecture: string): string | undefined {
  return OCI_TO_NODE.get(normalizeArch(architecture, '').architecture);
}

/** Node's platform words (`process.platform`) and the OCI OS each names. */
const NODE_PLATFORMS: ReadonlyMap<string, string> = new Map([
  ['linux', 'linux'],
  ['darwin', 'darwin'],
  ['win32', 'windows'],
  ['freebsd', 'freebsd'],
  ['openbsd', 'openbsd'],
  ['netbsd', 'netbsd'],
  ['android', 'android'],
  ['sunos', 'solaris'],
  ['aix', 'aix'],
  ['openharmony', 'openharmony'],
]);

/** The OCI OS of a Node platform word (`win32` → windows). */
export function nodePlatformToOs(word: string): string | undefined {
  return NODE_PLATFORMS.get(word);
}

function osToNodePlatform(os: string): string {
  for (const [node, oci] of NODE_PLATFORMS) if (oci === os) return node;
  return os;
}

/** The tags of a prebuild's file name, as node-gyp-build reads them. */
export interface PrebuildTags {
  readonly file: string;
  readonly runtime?: 'node' | 'electron' | 'node-webkit';
  readonly napi?: boolean;
  readonly abi?: string;
  readonly uv?: string;
  readonly armv?: string;
  readonly libc?: 'glibc' | 'musl';
  /** how many of the tags above the name carries (node-gyp-build's tie-break) */
  readonly specificity: number;
}

/** Reads a prebuild file name's tags (`node.napi.armv7.glibc.node`); undefined when it does not end in `.node`. */
export function parsePrebuildTags(file: string): PrebuildTags | undefined {
  const parts = file.split('.');
  if (parts.pop() !== 'node') return undefined;
  const tags: { -readonly [K in keyof PrebuildTags]: PrebuildTags[K] } = { file, specificity: 0 };
  for (const tag of parts) {
    if (tag === 'node' || tag === 'electron' || tag === 'node-webkit') tags.runtime = tag;
    else if (tag === 'napi') tags.napi = true;
    else if (tag.startsWith('abi')) tags.abi = tag.slice(3);
    else if (tag.startsWith('uv')) tags.uv = tag.slice(2);
    else if (tag.startsWith('armv')) tags.armv = tag.slice(4);
    else if (tag === 'glibc' || tag === 'musl') tags.libc = tag;
    else continue;
    tags.specificity++;
  }
  return tags;
}

/** A prebuilds directory name (`linux-x64`, `darwin-x64+arm64`): Node platform and arch words. */
export function parsePrebuildTuple(name: string): { readonly platform: string; readonly archs: readonly string[] } | undefined {
  const parts = name.split('-');
  if (parts.length !== 2 || !parts[0]) return undefined;
  const archs = parts[1]!.split('+');
  if (!archs.every(Boolean)) return undefined;
  return { platform: parts[0], archs };
}

/** The ABI words of napi-rs platform names and what each says. */
const NAPI_ABIS: ReadonlyMap<string, { libc?: 'glibc' | 'musl'; float?: 'hard' | 'soft' }> = new Map([
  ['gnu', { libc: 'glibc' }],
  ['musl', { libc: 'musl' }],
  ['gnueabihf', { libc: 'glibc', float: 'hard' }],
  ['musleabihf', { libc: 'musl', float: 'hard' }],
  ['gnueabi', { libc: 'glibc', float: 'soft' }],
  ['eabi', {}],
  ['msvc', {}],
  ['gnux32', { libc: 'glibc' }],
]);

/** A platform a Node package or addon name targets. */
export interface NodeTarget {
  /** the Node platform word (`linux`, `win32`) */
  readonly nodePlatform: string;
  /** the OCI OS (`linux`, `windows`); undefined for a word Node does not use */
  readonly os?: string;
  /** Node arch words (`x64`; several for a `darwin-x64+arm64` prebuild) */
  readonly nodeArchs: readonly string[];
  /** their OCI architectures (undefined entries dropped); `universal` (napi-rs macOS) gives amd64 and arm64 */
  readonly architectures: readonly string[];
  readonly libc?: 'glibc' | 'musl';
  readonly float?: 'hard' | 'soft';
}

function target(nodePlatform: string, nodeArchs: readonly string[], extra: { libc?: 'glibc' | 'musl'; float?: 'hard' | 'soft' } = {}): NodeTarget {
  const archs = nodeArchs.flatMap((a) => (a === 'universal' ? ['x64', 'arm64'] : [a]));
  const out: { -readonly [K in keyof NodeTarget]: NodeTarget[K] } = {
    nodePlatform,
    nodeArchs: archs,
    architectures: archs.map(nodeArchToArchitecture).filter((a): a is string => a !== undefined),
  };
  const os = nodePlatformToOs(nodePlatform);
  if (os !== undefined) out.os = os;
  if (extra.libc) out.libc = extra.libc;
  if (extra.float) out.float = extra.float;
  return out;
}

const PLATFORM_SUFFIX_RE = /(?:^|[-.])(linux|darwin|win32|freebsd|android|openharmony)-([a-z0-9]+)(?:-([a-z0-9]+))?$/;

/**
 * The platform a per-platform package name or addon stem names, napi-rs and esbuild style:
 * `@scope/pkg-linux-arm64-gnu`, `pkg-linux-arm-gnueabihf`, `@esbuild/linux-arm64`,
 * `@img/sharp-linuxmusl-x64`, `index.darwin-universal`. Undefined when the name names none
 * (the arch word must be a Node arch word).
 */
export function parseNodePlatformName(name: string): NodeTarget | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const musl = /(?:^|[-.])linuxmusl-([a-z0-9]+)$/.exec(base);
  if (musl && (nodeArchToArchitecture(musl[1]!) || musl[1] === 'universal')) return target('linux', [musl[1]!], { libc: 'musl' });
  const m = PLATFORM_SUFFIX_RE.exec(base);
  if (!m) return undefined;
  const [, platform = '', arch = '', abi] = m;
  if (!nodeArchToArchitecture(arch) && arch !== 'universal') return undefined;
  if (abi !== undefined && !NAPI_ABIS.has(abi)) return undefined;
  return target(platform, [arch], abi ? NAPI_ABIS.get(abi) : {});
}

/** Where a Node addon sits and what its path says. */
export type NodeAddonPath =
  | {
      /** `prebuilds/<platform>-<arch>/<tags>.node` of prebuildify */
      readonly kind: 'prebuild';
      /** the package directory holding `prebuilds/` */
      readonly packageDir: string;
      /** the path relative to the package directory, as {@link selectPrebuild} takes it */
      readonly relative: string;
      readonly target: NodeTarget;
      readonly tags: PrebuildTags;
    }
  | {
      /** an addon of a per-platform package (napi-rs), or named for a platform */
      readonly kind: 'platform-package';
      readonly packageDir: string;
      readonly packageName: string;
      readonly target: NodeTarget;
    }
  | {
      /** `build/Release/*.node` (or Debug): compiled at install time, loaded first */
      readonly kind: 'build';
      readonly packageDir: string;
      readonly relative: string;
    }
  | { readonly kind: 'other'; readonly packageDir: string };

/** The package a path lies in: the last `node_modules/<name>` or `node_modules/@scope/<name>` of it. */
export function nodePackageOf(path: string): { readonly dir: string; readonly name: string } | undefined {
  const re = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/@][^/]*)(?=\/)/g;
  let last: RegExpExecArray | undefined;
  for (let m = re.exec(path); m; m = re.exec(path)) last = m;
  if (!last) return undefined;
  const end = last.index + last[0].length;
  return { dir: path.slice(0, end).replace(/^\//, ''), name: last[1]! };
}

/**
 * What a `.node` file's path says: a prebuildify prebuild (platform, arch and tags), an addon of
 * a per-platform package or named for a platform (napi-rs), an install-time build, or other.
 * Undefined for a path that does not end in `.node`.
 */
export function parseNodeAddonPath(path: string): NodeAddonPath | undefined {
  if (!path.endsWith('.node')) return undefined;
  const pkg = nodePackageOf(path);
  const pre = /(?:^|\/)prebuilds\/([^/]+)\/([^/]+)$/.exec(path);
  if (pre) {
    const packageDir = path.slice(0, pre.index);
    const tuple = parsePrebuildTuple(pre[1]!);
    const tags = parsePrebuildTags(pre[2]!);
    if (tuple && tags) {
      const extra: { libc?: 'glibc' | 'musl' } = tags.libc ? { libc: tags.libc } : {};
      return { kind: 'prebuild', packageDir, relative: path.slice(packageDir ? packageDir.length + 1 : 0), target: target(tuple.platform, tuple.archs, extra), tags };
    }
  }
  const build = /(?:^|\/)build\/(?:Release|Debug)\/[^/]+$/.exec(path);
  if (build) {
    const packageDir = path.slice(0, build.index);
    return { kind: 'build', packageDir, relative: path.slice(packageDir ? packageDir.length + 1 : 0) };
  }
  const fileStem = path.slice(path.lastIndexOf('/') + 1, -'.node'.length);
  const named = (pkg && parseNodePlatformName(pkg.name)) ?? parseNodePlatformName(fileStem);
  const packageDir = pkg?.dir ?? path.slice(0, Math.max(0, path.lastIndexOf('/')));
  if (named) return { kind: 'platform-package', packageDir, packageName: pkg?.name ?? fileStem, target: named };
  return { kind: 'other', packageDir };
}

/** What node-gyp-build knows of the process that loads an addon. */
export interface PrebuildTarget {
  readonly platform: { readonly os?: string; readonly architecture: string; readonly variant?: string };
  /**
   * node-gyp-build's libc: `musl` only where `/etc/alpine-release` exists (it does not look at
   * the loader), else `glibc`; the LIBC environment variable overrides it
   */
  readonly libc: 'glibc' | 'musl';
  /** `process.versions.modules` of the Node in the image; unknown: any abi tag may match */
  readonly abi?: string;
  readonly runtime?: 'node' | 'electron' | 'node-webkit';
  /** libuv major (`1` on every Node since 0.12) */
  readonly uv?: string;
  /** PREBUILDS_ONLY: skip `build/Release` and `build/Debug` */
  readonly prebuildsOnly?: boolean;
}

/**
 * The addon node-gyp-build (4.x) loads for a process, among `candidates`: paths relative to the
 * package directory (`build/Release/x.node`, `prebuilds/linux-x64/node.napi.node`). Its rules:
 * the first `.node` of `build/Release`, then of `build/Debug`; else among `prebuilds/` the
 * directory whose platform is the process's and whose `+`-joined archs include its arch, fewest
 * archs first; in it, the files whose tags match (a runtime other than the process's only for
 * `node.napi`; an abi other than the process's only with `napi`; uv, armv — `8` on arm64, the
 * variant's digit on arm — and libc equal when tagged), the process's runtime first, then abi
 * over napi, then the most tags. Undefined when none matches: the package cannot load.
 */
export function selectPrebuild(candidates: readonly string[], t: PrebuildTarget): string | undefined {
  const { architecture, variant } = normalizeArch(t.platform.architecture, t.platform.variant ?? '');
  const arch = OCI_TO_NODE.get(architecture);
  const platform = osToNodePlatform(t.platform.os ?? 'linux');
  const runtime = t.runtime ?? 'node';
  const uv = t.uv ?? '1';
  const armv = architecture === 'arm64' ? '8' : architecture === 'arm' ? variant.replace(/^v/, '') : '';
  const sorted = [...candidates].sort();
  if (!t.prebuildsOnly) {
    for (const dir of ['build/Release/', 'build/Debug/']) {
      const hit = sorted.find((c) => c.startsWith(dir) && !c.slice(dir.length).includes('/') && c.endsWith('.node'));
      if (hit) return hit;
    }
  }
  if (arch === undefined) return undefined;
  const dirs = new Map<string, { archs: number; files: PrebuildTags[] }>();
  for (const c of sorted) {
    const m = /^prebuilds\/([^/]+)\/([^/]+)$/.exec(c);
    if (!m) continue;
    const tuple = parsePrebuildTuple(m[1]!);
    if (!tuple || tuple.platform !== platform || !tuple.archs.includes(arch)) continue;
    const entry = dirs.get(m[1]!) ?? { archs: tuple.archs.length, files: [] };
    const tags = parsePrebuildTags(m[2]!);
    if (tags) entry.files.push(tags);
    dirs.set(m[1]!, entry);
  }
  const dir = [...dirs.entries()].sort((a, b) => a[1].archs - b[1].archs)[0];
  if (!dir) return undefined;
  const matching = dir[1].files.filter((tags) => {
    if (tags.runtime && tags.runtime !== runtime && !(tags.runtime === 'node' && tags.napi)) return false;
    if (tags.abi && t.abi !== undefined && tags.abi !== t.abi && !tags.napi) return false;
    if (tags.uv && tags.uv !== uv) return false;
    if (tags.armv && tags.armv !== armv) return false;
    if (tags.libc && tags.libc !== t.libc) return false;
    return true;
  });
  matching.sort((a, b) => {
    if (a.runtime !== b.runtime) return a.runtime === runtime ? -1 : 1;
    if (a.abi !== b.abi) return a.abi ? -1 : 1;
    return b.specificity - a.specificity;
  });
  const winner = matching[0];
  return winner ? `prebuilds/${dir[0]}/${winner.file}` : undefined;
}
