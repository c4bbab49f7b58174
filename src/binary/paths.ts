/**
 * Paths that name an architecture by convention, so that a file of that architecture there is
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

const TRIPLET_DIRS: readonly (readonly [RegExp, PathConvention])[] = [
  // a cross toolchain's sysroot and target libraries (its compilers in usr/bin and
  // usr/libexec/gcc-cross are host binaries, and name no architecture here)
  [/^usr\/(?:local\/)?([a-z0-9_]+-linux-[a-z0-9]+)\//, 'cross-toolchain'],
  [/^usr\/lib\/gcc-cross\/([a-z0-9_]+-linux-[a-z0-9]+)\//, 'cross-toolchain'],
  // Debian multiarch directories
  [/^(?:usr\/)?(?:lib|libexec|include)\/([a-z0-9_]+-linux-[a-z0-9]+)\//, 'multiarch'],
];

/**
 * The architecture a path names by one of the conventions above, or undefined when it names
 * none. Paths are the cleaned ones of the layer scan (relative to the root, no leading `/`).
 */
export function pathArchitecture(path: string): PathArchitecture | undefined {
  for (const [re, convention] of TRIPLET_DIRS) {
    const m = re.exec(path);
    const arch = m ? tripletFacts(m[1]!)?.architecture : undefined;
    if (m && arch) return { architectures: [arch], convention, where: m[0].slice(0, -1) };
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

/** True for QEMU's user-mode emulators (`usr/bin/qemu-aarch64-static`), host binaries that name another architecture. */
export function isQemuUserEmulator(path: string): boolean {
  return /(?:^|\/)(?:usr\/bin\/qemu-[a-z0-9_]+(?:-static)?|usr\/libexec\/qemu-binfmt\/[^/]+)$/.test(path);
}
