/**
 * Paths in an image that say something without the file's bytes: Docker's default PATH, and
 * paths that name an architecture by convention, so that a file of that architecture there is
 * foreign on purpose: cross toolchains and sysroots (`usr/aarch64-linux-gnu/`,
 * `usr/lib/gcc-cross/aarch64-linux-gnu/`), Debian multiarch library directories
 * (`usr/lib/aarch64-linux-gnu/`), Go's per-target tool and package directories
 * (`pkg/tool/linux_arm64/`, `pkg/linux_arm64/`), prebuildify's `prebuilds/<platform>-<arch>/`,
 * napi-rs and esbuild-style per-platform packages. `verify` calls a file intended when its bytes
 * are of the architecture its path names. QEMU's user-mode emulators are intended whatever their
 * architecture (an x86-64 `qemu-arm-static` copied into an arm image to build it).
 */
import { goarchArchitecture } from '../platform/toolchain-targets.js';
import { nodeArchToArchitecture, nodePackageOf, parseNodeAddonPath, parseNodePlatformName, parsePrebuildTuple } from './node.js';
import { tripletFacts } from './python.js';

/** Why a path names an architecture. */
export type PathConvention = 'cross-toolchain' | 'multiarch' | 'go-target' | 'node-prebuild' | 'node-platform-package';

export interface PathArchitecture {
  /** the OCI architectures the path names (several for a `darwin-x64+arm64` prebuild) */
  readonly architectures: readonly string[];
  /** the OS it names when not Linux (`darwin`, `windows`) */
  readonly os?: string;
  readonly convention: PathConvention;
  /** the path prefix that says it (`usr/aarch64-linux-gnu`, `usr/local/go/pkg/tool/linux_arm64`) */
  readonly where: string;
}

const GO_OSES = new Set(['linux', 'darwin', 'windows', 'freebsd', 'netbsd', 'openbsd', 'android', 'ios', 'illumos', 'solaris', 'aix', 'plan9', 'js', 'wasip1', 'dragonfly']);

/** A GNU triplet, with or without a vendor (`aarch64-linux-gnu`, `aarch64-unknown-linux-musl`): what tripletFacts reads. */
const TRIPLET = '[a-z0-9_]+(?:-[a-z0-9_]+)?-linux-[a-z0-9_]+';

const TRIPLET_DIRS: readonly (readonly [RegExp, PathConvention])[] = [
  // a cross toolchain's sysroot and target libraries: Debian's gcc-<triplet> (/usr/<triplet>/,
  // /usr/lib/gcc-cross/<triplet>/), musl-cross-make and crosstool-NG under /usr/local or /opt
  // (/usr/local/aarch64-linux-musl/), Rust's standard library per target
  // (<toolchain>/lib/rustlib/<target>/). Their compilers (usr/bin, usr/libexec/gcc-cross,
  // <prefix>/bin) are host binaries, and name no architecture here.
  [new RegExp(`^(?:usr/(?:local/)?|opt/(?:[^/]+/)?)(${TRIPLET})/(?!bin/)`), 'cross-toolchain'],
  [new RegExp(`^usr/lib/gcc-cross/(${TRIPLET})/`), 'cross-toolchain'],
  [new RegExp(`(?:^|/)lib/rustlib/(${TRIPLET})/`), 'cross-toolchain'],
  // a sysroot anywhere (the Android NDK's toolchains/llvm/prebuilt/<host>/sysroot/usr/lib/<triplet>/)
  [new RegExp(`(?:^|/)sysroot/(?:usr/)?lib/(${TRIPLET})/`), 'cross-toolchain'],
  // Debian multiarch directories
  [new RegExp(`^(?:usr/)?(?:lib|libexec|include)/(${TRIPLET})/`), 'multiarch'],
];

/**
 * The architecture a path names by one of the conventions above, or undefined when it names
 * none. Paths are the cleaned ones of the layer scan (relative to the root, no leading `/`).
 */
export function pathArchitecture(path: string): PathArchitecture | undefined {
  for (const [re, convention] of TRIPLET_DIRS) {
    const m = re.exec(path);
    const arch = m ? tripletFacts(m[1]!)?.architecture : undefined;
    if (m && arch) return { architectures: [arch], convention, where: path.slice(0, m.index + m[0].lastIndexOf(m[1]!) + m[1]!.length) };
  }
  // Go: <GOROOT>/pkg/tool/<goos>_<goarch>/..., <GOROOT or GOPATH>/pkg/<goos>_<goarch>[_race...]/...
  const go = /(^|\/)pkg\/(?:tool\/)?([a-z0-9]+)_([a-z0-9]+)(?:_[a-z0-9]+)?\//.exec(path);
  if (go && GO_OSES.has(go[2]!)) {
    const arch = goarchArchitecture(go[3]!) ?? go[3]!;
    const where = path.slice(0, go.index + go[0].length - 1);
    return go[2] === 'linux' ? { architectures: [arch], convention: 'go-target', where } : { architectures: [arch], os: go[2]!, convention: 'go-target', where };
  }
  // Node: prebuildify prebuilds and per-platform packages
  const pre = /(^|\/)prebuilds\/([^/]+)\//.exec(path);
  if (pre) {
    const tuple = parsePrebuildTuple(pre[2]!);
    const t = tuple ? parseNodePlatformName(`${tuple.platform}-${tuple.archs[0]}`) : undefined;
    if (tuple && t) {
      const archs = tuple.archs.map(nodeArchToArchitecture).filter((a): a is string => a !== undefined);
      return nodeTarget({ ...t, architectures: archs }, 'node-prebuild', path.slice(0, pre.index + pre[0].length - 1));
    }
  }
  const pkg = nodePackageOf(path);
  const t = pkg ? parseNodePlatformName(pkg.name) : undefined;
  if (pkg && t) return nodeTarget(t, 'node-platform-package', pkg.dir);
  if (path.endsWith('.node')) {
    const addon = parseNodeAddonPath(path);
    if (addon?.kind === 'platform-package') return nodeTarget(addon.target, 'node-platform-package', path);
  }
  return undefined;
}

function nodeTarget(t: { os?: string; architectures: readonly string[] }, convention: PathConvention, where: string): PathArchitecture | undefined {
  if (t.architectures.length === 0) return undefined;
  return t.os && t.os !== 'linux' ? { architectures: t.architectures, os: t.os, convention, where } : { architectures: t.architectures, convention, where };
}

/**
 * The PATH a Linux container's programs are searched in when its config's Env sets none (what
 * Docker and containerd set): where verify looks up an Entrypoint or Cmd name, and what a smoke
 * run sets.
 */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** QEMU's linux-user targets (`qemu-<target>`, `qemu-<target>-static`). */
const QEMU_USER_TARGETS =
  'aarch64(?:_be)?|alpha|armeb|arm|cris|hexagon|hppa|i386|loongarch64|m68k|microblazeel|microblaze|mips64el|mips64|mipsel|mipsn32el|mipsn32|mips|nios2|or1k|ppc64le|ppc64|ppc|riscv32|riscv64|s390x|sh4eb|sh4|sparc32plus|sparc64|sparc|x86_64|xtensaeb|xtensa';
const QEMU_USER_RE = new RegExp(`(?:^|/)(?:qemu-(?:${QEMU_USER_TARGETS})(?:-static)?|usr/libexec/qemu-binfmt/[^/]+)$`);

/**
 * True for QEMU's user-mode emulators (`usr/bin/qemu-aarch64-static`, wherever a Dockerfile
 * copied one), host binaries that run another architecture's programs; not qemu-img,
 * qemu-system-* or the other tools, which are programs of the image's own architecture.
 */
export function isQemuUserEmulator(path: string): boolean {
  return QEMU_USER_RE.test(path);
}
