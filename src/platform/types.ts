/**
 * Shared types of the platform module. Nothing here has behaviour; see the sibling modules.
 */

/**
 * An OCI platform (os/architecture/variant), e.g. `{ os: 'linux', architecture: 'arm', variant: 'v7' }`.
 * `variant` is `''` when there is none.
 */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  /** '' when none */
  readonly variant: string;
}

/**
 * Anything shaped like a platform: a {@link Platform}, or the `platform` object of an OCI index
 * entry or image config, whose `variant` may be absent.
 */
export interface PlatformLike {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

/**
 * The vocabularies in which tools name a CPU architecture.
 *
 * - `oci`: the OCI image `architecture` field (`arm` for both arm/v6 and arm/v7); its word list
 *   also holds the aliases containerd normalises (`x86_64`, `x86-64`, `aarch64`, `armhf`, `armel`, `i386`)
 * - `targetarch`: BuildKit's `TARGETARCH` / `BUILDARCH` value
 * - `uname`: `uname -m` on a native kernel (unreliable inside image builds)
 * - `dpkg`: `dpkg --print-architecture`
 * - `apk`: `apk --print-arch`
 * - `rpm`: `rpm --eval %{_arch}` (package arches such as `armv7hl` and `i686` are extra words)
 * - `go`: `GOARCH`
 * - `node`: Node.js `process.arch`
 * - `gnu`: the GNU triplet gcc and dpkg use (`arm-linux-gnueabihf`)
 * - `multiarch`: the Debian multiarch directory name (`i386-linux-gnu`)
 * - `rust-gnu` / `rust-musl`: the Rust target triple
 * - `python`: `platform.machine()`, also the suffix of wheel platform tags
 * - `bashbrew`: the docker-library architecture and Docker Hub namespace (`arm32v7`)
 */
export type Vocabulary =
  | 'oci'
  | 'targetarch'
  | 'uname'
  | 'dpkg'
  | 'apk'
  | 'rpm'
  | 'go'
  | 'node'
  | 'gnu'
  | 'multiarch'
  | 'rust-gnu'
  | 'rust-musl'
  | 'python'
  | 'bashbrew';

/** Every {@link Vocabulary}, in a stable order. */
export const VOCABULARIES: readonly Vocabulary[] = Object.freeze([
  'oci',
  'targetarch',
  'uname',
  'dpkg',
  'apk',
  'rpm',
  'go',
  'node',
  'gnu',
  'multiarch',
  'rust-gnu',
  'rust-musl',
  'python',
  'bashbrew',
] as const);

/** How a binary built for a platform identifies itself (ELF header) and which loader it asks for. */
export interface ElfIdentity {
  /** EI_CLASS (byte 4): 1 = ELFCLASS32, 2 = ELFCLASS64 */
  readonly elfClass: 1 | 2;
  /** EI_DATA (byte 5): 1 = little-endian, 2 = big-endian */
  readonly elfData: 1 | 2;
  /** e_machine (offset 18, in the file's byte order) */
  readonly machine: number;
  /** the EM_* constant name, e.g. `EM_AARCH64` */
  readonly machineName: string;
  /** what e_flags should carry, in words ('' when nothing) */
  readonly flagsNote: string;
  /** the glibc dynamic loader (PT_INTERP) */
  readonly glibcLoader: string;
  /** the musl dynamic loader (PT_INTERP) */
  readonly muslLoader: string;
  /** other loaders seen for this platform (e.g. Raspbian hard-float for arm/v6) */
  readonly otherLoaders: readonly string[];
}

/** Python wheel platform tags for a platform. */
export interface PythonTags {
  readonly manylinux: string[];
  readonly musllinux: string[];
  /** `platform.machine()` */
  readonly machine: string;
}

/**
 * Everything the project knows about one of the ten known Linux platforms.
 * Source: the project's research notes (containerd/platforms, BuildKit, dpkg, rpm, xx-info,
 * docker-library, rustc, Go, Node, pypa, ELF headers, clang's loader table).
 */
export interface PlatformData {
  readonly platform: Platform;
  /** the platform without `linux/`: `amd64`, `arm/v7` (the key of {@link Vendor.tokens}) */
  readonly key: string;
  /** other specifiers that parse to this platform */
  readonly specifierAliases: readonly string[];
  /** variants that still run this platform's binaries (amd64 v2..v4, arm64 v8/v9) */
  readonly optionalVariants: readonly string[];
  readonly uname: string;
  /** other `uname -m` values seen in builds for this platform, with why */
  readonly unameOther: readonly string[];
  readonly dpkg: string;
  /** null: no Alpine port */
  readonly apk: string | null;
  /** `rpm --eval %{_arch}` */
  readonly rpm: string;
  /** the ARCH field of package file names (`armv7hl`, `i686`) */
  readonly rpmPackage: string;
  readonly multiarch: string;
  readonly gnu: string;
  /** Alpine's GNU triplet when it differs in the CPU field */
  readonly gnuAlpine?: string;
  readonly rustGnu: string;
  readonly rustMusl: string;
  readonly goarch: string;
  /** Go sub-architecture environment for this platform (defaults) */
  readonly goEnv: Readonly<Record<string, string>>;
  /** null: Node.js does not run there */
  readonly node: string | null;
  readonly python: string;
  readonly manylinux: readonly string[];
  readonly musllinux: readonly string[];
  readonly elf: ElfIdentity;
  /** null: not a docker-library architecture */
  readonly bashbrew: string | null;
  /** names of fields whose value was not verified in a primary source */
  readonly unverified: readonly string[];
  readonly notes: readonly string[];
}
