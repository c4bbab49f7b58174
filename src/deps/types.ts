/**
 * The shapes `anyarch deps` is made of, shared by every part of it: what a lockfile says
 * (`Lockfile`, `LockedPackage`), what a target platform offers an install (`DepsTarget`: CPU,
 * libc and its version, the interpreter's version, the installing stage's toolchain), and the
 * answer per package and target (`Cell`). Nothing here has behaviour; see the sibling modules:
 * `lockfiles/` (readers), `npm/` and `python/` (coverage per ecosystem, their registries),
 * `dockerfile.ts` (targets from a Dockerfile's installing stage), `analyze.ts` (the whole of
 * `anyarch deps`, printing nothing).
 */
import type { AnyarchError } from '../errors.js';
import type { Platform } from '../platform/index.js';

export type Ecosystem = 'npm' | 'python';

export type LockfileKind =
  | 'package-lock' // package-lock.json v1, v2, v3
  | 'npm-shrinkwrap' // npm-shrinkwrap.json (same format)
  | 'pnpm-lock' // pnpm-lock.yaml v5.x, v6 and v9
  | 'yarn-berry' // yarn.lock of Yarn 2+ (`__metadata:`)
  | 'yarn-classic' // yarn.lock of Yarn 1 (`# yarn lockfile v1`); a file name says yarn-berry, the reader tells them apart
  | 'uv-lock' // uv.lock
  | 'poetry-lock' // poetry.lock
  | 'pylock' // pylock.toml / pylock.<name>.toml (PEP 751)
  | 'pipfile-lock' // Pipfile.lock
  | 'requirements'; // requirements.txt (resolved against an index)

export type Libc = 'glibc' | 'musl';

/** 1-based, as editors and SARIF count. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A distribution file a Python lockfile (or an index) names: a wheel or an sdist. */
export interface DistributionFile {
  /** the file name (a URL's last segment when the lock has only the URL) */
  readonly filename: string;
  readonly url?: string;
  /** `sha256:<hex>` when known */
  readonly hash?: string;
  /** an index's `requires-python` for this file (PEP 503 `data-requires-python`, PEP 691 `requires-python`) */
  readonly requiresPython?: string;
  /** the index marks the file yanked (PEP 592): pip takes it only for an exact `==` pin */
  readonly yanked?: boolean;
}

/** One locked package, as its lockfile records it; only what `deps` reads. */
export interface LockedPackage {
  readonly ecosystem: Ecosystem;
  /** npm: the package name (`@img/sharp-linux-arm64`); Python: the PEP 503 normalised name */
  readonly name: string;
  readonly version: string;
  /** where the entry starts in the lockfile */
  readonly position?: SourcePosition;
  /** the entry's key: npm `node_modules/a/node_modules/b`, pnpm `/name@1.0.0` or `name@1.0.0`, yarn `name@npm:1.0.0`, Python `name==version` */
  readonly key: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  // npm, pnpm, yarn
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
  /**
   * true: the lock records an install script (npm `hasInstallScript`). Undefined: none, when the
   * lock records install scripts; "cannot say" when its `Lockfile.unrecorded` has `install-scripts`.
   */
  readonly hasInstallScript?: boolean;
  /** pnpm v5/v6 `requiresBuild` (undefined as for `hasInstallScript`) */
  readonly requiresBuild?: boolean;
  /** names of its dependencies (regular) */
  readonly dependencies?: readonly string[];
  /** names of its optional dependencies */
  readonly optionalDependencies?: readonly string[];
  /** the tarball URL, when the lock records it */
  readonly resolved?: string;
  readonly integrity?: string;
  // Python
  /** wheels and sdist the lock names (uv, poetry, pylock); undefined: the lock names none (ask the index) */
  readonly files?: readonly DistributionFile[];
  /** a PEP 508 environment marker the lock attaches */
  readonly marker?: string;
  /** the index the lock resolved it from */
  readonly index?: string;
}

/**
 * A fact a lockfile format does not record for any entry (`Lockfile.unrecorded`):
 * - `install-scripts`: whether a package runs an install script (npm `hasInstallScript`, pnpm
 *   `requiresBuild`)
 * - `platforms`: a package's `os`, `cpu` and `libc`
 */
export type LockFact = 'install-scripts' | 'platforms';

export interface Lockfile {
  /** the path as given (relative to the caller's cwd) */
  readonly file: string;
  readonly kind: LockfileKind;
  readonly ecosystem: Ecosystem;
  /** `lockfileVersion`, `lockfileVersion` (pnpm), `__metadata.version`, uv `version`, `lock-version`... */
  readonly formatVersion?: string;
  readonly packages: readonly LockedPackage[];
  /**
   * Facts this lock's format never records, so that their absence on an entry means "the lock
   * cannot say", not "no": package-lock.json lockfileVersion 1 and Yarn 1 record neither install
   * scripts (whether a package has one is the registry's to say) nor platforms (they lock every
   * optional dependency whatever its platform: a platform package's platform is read from its
   * name). Absent: the lock records what it says (package-lock v2/v3, pnpm v5/v6 write
   * `hasInstallScript`/`requiresBuild` when true). pnpm 9 and Yarn Berry record no install
   * scripts either; their readers leave this unset, and native code there is read from the
   * helpers a package depends on (node-gyp-build, prebuild-install...) and from families.
   */
  readonly unrecorded?: readonly LockFact[];
  /** Python: the project's requires-python, when the lock records it */
  readonly requiresPython?: string;
  /** Python: `--index-url` / `[[source]]` / Pipfile `sources` the lock names */
  readonly indexUrl?: string;
  /** Python: `--extra-index-url`s a requirements.txt names: pip looks every package up in each as well */
  readonly extraIndexUrls?: readonly string[];
  /**
   * Problems that did not stop the reading (an entry that could not be read and was skipped, a
   * pruned npm lock, a lock written without `libc` fields), each with the file and position.
   */
  readonly warnings: readonly AnyarchError[];
}

/** What the installing stage has for compiling native code. */
export interface Toolchain {
  /** a C compiler (gcc, clang, cc via build-essential / build-base / alpine-sdk / "Development Tools") */
  readonly cc: boolean;
  readonly cxx: boolean;
  readonly make: boolean;
  /** python3 (node-gyp needs it) */
  readonly python3: boolean;
  /** rustc and cargo (cryptography and other Rust sdists) */
  readonly rust: boolean;
  /** development headers installed, as package names (`python3-dev`, `libffi-dev`, `musl-dev`, `linux-headers`...) */
  readonly headers: readonly string[];
  /** where each fact was found, as sentences: `build-essential is installed in stage build (Dockerfile:12)` */
  readonly evidence: readonly string[];
}

/** Where the targets' facts came from, when a Dockerfile gave them. */
export interface InstallSite {
  /** the Dockerfile, as given */
  readonly file: string;
  /** the stage's name or index (`build`, `#2`) */
  readonly stage: string;
  /** the installing RUN's position */
  readonly line: number;
  readonly column: number;
  /** the install command as written (`npm ci --omit=dev`) */
  readonly command: string;
  /** the stage's base image as expanded for this target (`node:20-alpine`) */
  readonly base?: string;
}

/** One platform an install must work on, with what decides which binaries fit. */
export interface DepsTarget {
  readonly platform: Platform;
  readonly libc: Libc;
  /** the C library's version (`2.36`, `1.2.4`); undefined: unknown (glibc floors are then not checked, and said so) */
  readonly libcVersion?: string;
  /** the Python version (`3.12`); undefined: unknown */
  readonly python?: string;
  /** the Node.js major version (`20`); undefined: unknown */
  readonly node?: string;
  /** the installing stage's toolchain; undefined: unknown (no Dockerfile) */
  readonly toolchain?: Toolchain;
  readonly site?: InstallSite;
}

/**
 * How a package gets its native code:
 * - `platform-packages`: per-platform optional packages (napi-rs, esbuild, swc, rollup, sharp, @parcel/watcher)
 * - `prebuildify`: `prebuilds/<os>-<arch>/*.node` inside the tarball (node-gyp-build)
 * - `prebuild-install`: release assets named by prebuild-install's template
 * - `node-pre-gyp`: `binary.host` + templated name (@mapbox/node-pre-gyp)
 * - `node-gyp`: compiled at install (binding.gyp)
 * - `install-script`: an install script of unknown kind
 * - `wheels`: Python wheels (and maybe an sdist)
 * - `sdist`: a Python source distribution only
 */
export type Mechanism =
  | 'platform-packages'
  | 'prebuildify'
  | 'prebuild-install'
  | 'node-pre-gyp'
  | 'node-gyp'
  | 'install-script'
  | 'wheels'
  | 'sdist';

/**
 * - `prebuilt`: a binary for the target exists (`artifact` names it)
 * - `compiles`: nothing prebuilt; it compiles at install and the stage has what that needs, or the stage is unknown (`needs`)
 * - `missing`: the install fails (or the import fails) on the target: no binary and no compile, or a compile the stage lacks tools for
 * - `unknown`: cannot tell (`reason` says why: offline without a cached answer, a registry error)
 */
export type CellStatus = 'prebuilt' | 'compiles' | 'missing' | 'unknown';

/** One package on one target. */
export interface Cell {
  readonly status: CellStatus;
  /** prebuilt: which artifact (`@esbuild/linux-arm64@0.28.2`, a wheel's file name, `prebuilds/linux-arm64/node.napi.armv8.node`, a URL) */
  readonly artifact?: string;
  /** compiles, or missing for want of tools: what the compile needs (`a C compiler`, `make`, `python3`, `Rust`, `libffi-dev`) */
  readonly needs?: readonly string[];
  /** what the installing stage lacks of `needs` (missing cells only) */
  readonly lacking?: readonly string[];
  /** one sentence: why (`no @img/sharp-linuxmusl-ppc64 package`, `only manylinux_2_28 wheels; the base has glibc 2.31`) */
  readonly reason: string;
  /** the verdict id (AA301..) of a cell that is not plainly prebuilt */
  readonly id?: string;
}

/** One package with native code and its cells, one per target in the report's target order. */
export interface PackageReport {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly position?: SourcePosition;
  readonly mechanism: Mechanism;
  readonly cells: readonly Cell[];
  /** what would help, as a sentence (a version with the wheel or prebuild, a glibc base, a build-deps stage) */
  readonly suggestion?: string;
  /**
   * only an optional dependency needs it (npm `optional: true`): npm skips a failed build or a
   * refused platform and the install goes on (ssh2 falls back to JavaScript without cpu-features),
   * so its missing cells do not fail the target
   */
  readonly optional?: boolean;
  /** npm: the install-time scripts (preinstall, install, postinstall, joined by `&&`) in full, when a cell's reason quotes them shortened (longer than 60 characters) */
  readonly installScript?: string;
  /**
   * a row only because nothing could say whether the package has native code: the lock records no
   * install scripts (npm v1, Yarn 1) and the registry could not answer (offline, down). Every cell
   * is unknown. Reports list such rows together, not one by one.
   */
  readonly unscreened?: boolean;
}

/** The one question a metadata source could not answer: why, never an exception. */
export interface MetadataFailure {
  readonly error: AnyarchError;
}

/** What `deps` reads of a version's npm manifest (the full packument's `versions[v]`). */
export interface NpmManifest {
  readonly name: string;
  readonly version: string;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
  readonly scripts?: Readonly<Record<string, string>>;
  readonly gypfile?: boolean;
  /** node-pre-gyp / prebuild-install settings (`module_name`, `module_path`, `host`, `remote_path`, `package_name`, `napi_versions`) */
  readonly binary?: Readonly<Record<string, unknown>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  /** `files` of package.json */
  readonly files?: readonly string[];
  /** `config` (sharp's `config.glibc` floor, etc.) */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly tarball?: string;
  readonly integrity?: string;
  /** the repository URL (`repository.url`, or the string form: `github:owner/repo`, `owner/repo`): prebuild-install's default host is its GitHub releases */
  readonly repository?: string;
}

/** Whether a version runs install-time scripts, and the systems it declares: what a lock that records no install scripts leaves to the registry. */
export interface InstallFacts {
  /** `preinstall`, `install` or `postinstall` (the abbreviated packument's `hasInstallScript`) */
  readonly hasInstallScript: boolean;
  readonly os?: readonly string[];
}

/**
 * Where npm facts come from beyond the lockfile: a registry (packuments), cached on disk, or the
 * cache alone (`--offline`). Every method answers a failure as a value.
 */
export interface NpmMetadataSource {
  /** a version's manifest; `undefined` when the registry has no such package or version */
  manifest(name: string, version: string): Promise<NpmManifest | undefined | MetadataFailure>;
  /**
   * Whether a version runs install-time scripts, and its `os`: asked for every package of a lock
   * that records no install scripts (`Lockfile.unrecorded`), from the abbreviated packument
   * (`application/vnd.npm.install-v1+json`, a tenth of the full one). `undefined`: no such package
   * or version. Optional: without it the analysis asks `manifest`.
   */
  installFacts?(name: string, version: string): Promise<InstallFacts | undefined | MetadataFailure>;
  /** the versions the registry publishes for a name, newest last (for "a version that has the prebuild") */
  versions(name: string): Promise<readonly string[] | MetadataFailure>;
  /** the paths inside a version's tarball (`package/prebuilds/linux-x64/node.napi.node`), read from the tarball */
  files(name: string, version: string, tarball?: string): Promise<readonly string[] | MetadataFailure>;
  /** whether a URL answers 2xx to HEAD (prebuild-install and node-pre-gyp assets) */
  exists(url: string): Promise<boolean | MetadataFailure>;
  /** keeps what the source learnt for the next run, when it keeps anything (the registry client's cache pack); never throws */
  flush?(): Promise<void>;
}

/** Where Python facts come from beyond the lockfile: a PEP 691/503 index, cached on disk, or the cache alone. */
export interface PythonIndexSource {
  /** every file the index lists for a project (all versions); `undefined`: no such project */
  files(name: string): Promise<readonly DistributionFile[] | undefined | MetadataFailure>;
}

/**
 * Reads a file a requirements.txt's `-r` or `-c` line names (`ref` as written, relative to the
 * file `from`, as reports name it): the file as reports should name it and its text, or why it
 * cannot be read (`no such file`, `outside the build context`).
 */
export type RequirementsInclude = (ref: string, from: string) => { readonly file: string; readonly text: string } | { readonly error: string };

/** What `deps` found for one lockfile. */
export interface LockfileReport {
  readonly file: string;
  readonly kind: LockfileKind;
  readonly ecosystem: Ecosystem;
  /** the targets, in the order of every package's `cells` */
  readonly targets: readonly DepsTarget[];
  /** packages with native code only, in lockfile order */
  readonly packages: readonly PackageReport[];
  /** how many packages the lockfile locks (native or not) */
  readonly total: number;
  /** warnings of the reading and of the analysis (a package the registry could not answer for) */
  readonly warnings: readonly AnyarchError[];
  /** a lockfile that could not be read at all: nothing else is set but file and kind */
  readonly error?: AnyarchError;
}

/** One line of the summary per target. */
export interface TargetSummary {
  /** `linux/arm64`, `linux/arm64 (musl)` */
  readonly target: string;
  readonly prebuilt: number;
  readonly compiles: number;
  readonly missing: number;
  readonly unknown: number;
  /** missing cells of optional packages (`PackageReport.optional`): counted here, not in `missing`, and never failing */
  readonly optionalMissing?: number;
  /** whether an install for this target would fail (any missing cell of a package that is not optional) */
  readonly fails: boolean;
}
