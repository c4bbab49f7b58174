/**
 * Compiler commands of shell scripts and the CPU flags in them: `go build` / `go install` (and
 * `go env -w`), `cargo build` / `cargo install`, native and cross C compilers, `-march=` / `-m<feature>` /
 * `-C target-cpu=` flags and the variables that carry flags (CFLAGS, RUSTFLAGS ...). What the flags
 * mean for a CPU is platform knowledge (src/platform/cpu-flags.ts); finding them is here.
 */
import type { ShellWord, SimpleCommand } from '../../dockerfile/shell.js';
import { classifyCpuFlag, type CpuFlag } from '../../platform/index.js';
import { commandWords } from './shell-words.js';

export type GoKind = 'build' | 'install';

/** `go build` / `go install` (with `go -C dir` allowed before the subcommand). */
export function goCommand(cmd: SimpleCommand): { kind: GoKind; words: ShellWord[] } | undefined {
  const w = commandWords(cmd);
  if (w[0]?.value !== 'go') return undefined;
  let i = 1;
  while (w[i]?.value === '-C') i += 2;
  const sub = w[i]?.value;
  if (sub !== 'build' && sub !== 'install') return undefined;
  return { kind: sub, words: w };
}

/** The `-o` output of a go build, when given. */
export function goOutput(words: readonly ShellWord[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const v = words[i]?.value ?? '';
    if (v === '-o') return words[i + 1]?.value;
    if (v.startsWith('-o=')) return v.slice(3);
  }
  return undefined;
}

export type CargoKind = 'build' | 'install';

/** `cargo build` / `cargo install` (with `cargo +toolchain` allowed). */
export function cargoCommand(cmd: SimpleCommand): { kind: CargoKind; words: ShellWord[] } | undefined {
  const w = commandWords(cmd);
  if (w[0]?.value !== 'cargo') return undefined;
  let i = 1;
  while ((w[i]?.value ?? '').startsWith('+')) i++;
  const sub = w[i]?.value;
  if (sub === 'build' || sub === 'b') return { kind: 'build', words: w };
  if (sub === 'install') return { kind: 'install', words: w };
  return undefined;
}

export function hasTargetFlag(words: readonly ShellWord[]): boolean {
  return words.some((w) => w.value === '--target' || w.value.startsWith('--target=') || w.value === '-target');
}

/** `cargo install <crate>` from a registry or git (a tool) rather than `--path`. */
export function isCargoToolInstall(words: readonly ShellWord[]): boolean {
  return !words.some((w) => w.value === '--path' || w.value.startsWith('--path='));
}

const C_COMPILER = /^(gcc|cc|g\+\+|c\+\+|clang|clang\+\+)(-\d+(\.\d+)*)?$/;
const SOURCE_FILE = /\.(c|cc|cpp|cxx|c\+\+|m|mm|s|S|o|a)$/;

/** A native C/C++ compiler call that compiles or links something (not `gcc --version`). */
export function cCompilerCommand(cmd: SimpleCommand): ShellWord | undefined {
  const w = commandWords(cmd);
  const first = w[0];
  if (!first || !C_COMPILER.test(first.value.replace(/^.*\//, ''))) return undefined;
  if (w.some((x) => /^(--?target\b|-target$|--sysroot|-m32$|-m64$|-mx32$)/.test(x.value))) return undefined;
  const compiles = w.slice(1).some((x) => x.value === '-c' || x.value === '-o' || x.value.startsWith('-o') || SOURCE_FILE.test(x.value));
  return compiles ? first : undefined;
}

/** A cross compiler named for its target (`aarch64-linux-gnu-gcc`) or xx's wrappers. */
export function isCrossCompiler(word: string): boolean {
  const base = word.replace(/^.*\//, '');
  return /-linux-\w+-(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|ld)(-\d+)?$/.test(base) || /^xx-/.test(base);
}

/** `go env -w NAME=value ...`: the NAME=value words. */
export function goEnvWrites(cmd: SimpleCommand): ShellWord[] {
  const v = cmd.words.map((w) => w.value);
  if (v[0] !== 'go' || v[1] !== 'env' || v[2] !== '-w') return [];
  return cmd.words.slice(3).filter((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value));
}

/** A CPU flag found in text. */
export interface CpuFlagHit {
  /** offsets in the scanned text */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly flag: CpuFlag;
}

/** `-march=`/`-mcpu=`/`-mfpu=` values, `-m<word>` (which words are CPU features: src/platform), Rust's `-C target-*=`. */
const CPU_FLAG_RE = /(?<![\w-])(?:-m(arch|cpu|fpu)=([\w.+-]+)|-m([\w.]+)(?![\w.=+-])|-C\s*(target-cpu|target-feature)=([\w.+,-]+))/g;

/** CPU flags in a piece of text (a shell command, an ENV value). */
export function cpuFlags(text: string): CpuFlagHit[] {
  if (!/-m|target-/.test(text)) return [];
  const out: CpuFlagHit[] = [];
  CPU_FLAG_RE.lastIndex = 0;
  for (let m = CPU_FLAG_RE.exec(text); m; m = CPU_FLAG_RE.exec(text)) {
    let flag: CpuFlag | undefined;
    if (m[1]) flag = classifyCpuFlag(`m${m[1]}` as 'march' | 'mcpu' | 'mfpu', m[2] as string);
    else if (m[3]) flag = classifyCpuFlag('feature', m[3]);
    else if (m[4]) flag = classifyCpuFlag(m[4] as 'target-cpu' | 'target-feature', m[5] as string);
    if (flag) out.push({ start: m.index, end: m.index + m[0].length, text: m[0], flag });
  }
  return out;
}

/** Variables whose value is passed to compilers as flags. */
export const FLAG_VARIABLES: ReadonlySet<string> = new Set([
  'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'FFLAGS', 'LDFLAGS', 'RUSTFLAGS', 'CARGO_ENCODED_RUSTFLAGS',
  'CGO_CFLAGS', 'CGO_CXXFLAGS', 'CGO_CPPFLAGS', 'CGO_LDFLAGS', 'NIX_CFLAGS_COMPILE', 'EXTRA_CFLAGS',
]);

/** What a build-platform stage may compile without naming the target, beyond go, cargo and cc (AA106). */
export type NativeBuildKind = 'make' | 'cmake' | 'configure' | 'npm' | 'pip' | 'dotnet' | 'goreleaser';

export interface NativeBuild {
  readonly kind: NativeBuildKind;
  /** the words of the command (wrappers removed) */
  readonly words: readonly ShellWord[];
  /** the word the finding points at (the tool) */
  readonly tool: ShellWord;
}

/** Make targets that make no machine code (documentation, web assets, generated sources, checks). */
const PLATFORM_FREE_MAKE_TARGETS = new Set([
  'doc', 'docs', 'html', 'man', 'manpages', 'assets', 'static', 'css', 'js', 'web', 'ui', 'frontend', 'generate', 'gen',
  'proto', 'protos', 'fmt', 'format', 'lint', 'test', 'tests', 'check', 'clean', 'distclean', 'deps', 'vendor', 'help', 'version',
]);

/** Flags and variables that give make, configure or cmake a cross toolchain or a target. */
const MAKE_CROSS = /^(CC|CXX|CROSS_COMPILE|CROSS|HOST|TARGET|ARCH|GOARCH|GOOS|CARGO_BUILD_TARGET|TARGETARCH|TARGETPLATFORM|PLATFORM|OS_ARCH|TARGET_ARCH|CPU_ARCH|AR|LD|STRIP)=/;
const CMAKE_CROSS = /^-D\s*CMAKE_(TOOLCHAIN_FILE|C_COMPILER|CXX_COMPILER|SYSTEM_PROCESSOR|SYSTEM_NAME|C_COMPILER_TARGET|CXX_COMPILER_TARGET)\b|^--toolchain\b/;

/** npm subcommands that build native addons (install scripts run node-gyp or prebuild). */
const NPM_INSTALLS = new Set(['ci', 'install', 'i', 'rebuild', 'add']);

/**
 * A command that compiles for the machine it runs on unless told the target: `make` (not a
 * documentation or asset target) without CC=/CROSS_COMPILE=/ARCH=…, `./configure` without
 * `--host`, a `cmake` configure without a toolchain or compiler, `npm ci/install/rebuild` without
 * `--arch`/`--cpu`/`--target_arch`, `pip wheel`/`pip install --target|--prefix` without
 * `--platform`, and a self-contained `dotnet publish` without `-r`/`-a`. Whether the stage builds
 * native code at all (npm, pip) is the caller's to tell.
 */
export function nativeBuildCommand(cmd: SimpleCommand): NativeBuild | undefined {
  const w = commandWords(cmd);
  const first = w[0];
  if (!first) return undefined;
  const name = first.value.replace(/^.*\//, '');
  const args = w.slice(1);
  const values = args.map((x) => x.value);
  const assigned = [...cmd.assignments.map((a) => a.value), ...values];
  if (name === 'make' || name === 'gmake') {
    if (assigned.some((v) => MAKE_CROSS.test(v))) return undefined;
    const targets: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as string;
      if (/^-[CfIjlo]$/.test(v)) i++;
      else if (!v.startsWith('-') && !v.includes('=')) targets.push(v);
    }
    if (targets.length && targets.every((t) => PLATFORM_FREE_MAKE_TARGETS.has(t))) return undefined;
    return { kind: 'make', words: w, tool: first };
  }
  if (first.value === './configure' || /\/configure$/.test(first.value)) {
    if (values.some((v) => /^--(host|target)(=|$)/.test(v)) || assigned.some((v) => /^(CC|CXX|CROSS_COMPILE)=/.test(v))) return undefined;
    return { kind: 'configure', words: w, tool: first };
  }
  if (name === 'cmake') {
    // `cmake --build`/`--install` use what configuring chose; only configuring is reported
    if (values.some((v) => v === '--build' || v === '--install' || v === '-E' || v === '-P' || v === '--version')) return undefined;
    if (values.some((v, i) => CMAKE_CROSS.test(v) || (v === '-D' && CMAKE_CROSS.test(`-D${values[i + 1] ?? ''}`)))) return undefined;
    return { kind: 'cmake', words: w, tool: first };
  }
  if (name === 'npm' || name === 'yarn' || name === 'pnpm') {
    const sub = values.find((v) => !v.startsWith('-'));
    // `yarn` alone installs too
    const installs = sub ? NPM_INSTALLS.has(sub) : name === 'yarn';
    if (!installs) return undefined;
    if (assigned.some((v) => /^(--arch|--cpu|--target[_-]arch|npm_config_arch|npm_config_target_arch|npm_config_cpu)(=|$)/i.test(v))) return undefined;
    if (values.some((v) => v === '--ignore-scripts')) return undefined;
    return { kind: 'npm', words: w, tool: first };
  }
  if (/^pip[\d.]*$/.test(name) || (/^python[\d.]*$/.test(name) && values[0] === '-m' && /^pip$/.test(values[1] ?? ''))) {
    const rest = name.startsWith('python') ? values.slice(2) : values;
    const sub = rest.find((v) => !v.startsWith('-'));
    const writesElsewhere = rest.some((v) => /^(-t|--target|--prefix|--root|-w|--wheel-dir)(=|$)/.test(v) || /^--user$/.test(v));
    if (sub !== 'wheel' && !(sub === 'install' && writesElsewhere)) return undefined;
    if (rest.some((v) => /^--(platform|only-binary)(=|$)/.test(v))) return undefined;
    return { kind: 'pip', words: w, tool: first };
  }
  // `goreleaser build --single-target` builds for GOOS/GOARCH from the environment, else for the machine it runs on
  if (name === 'goreleaser' && values[0] === 'build' && values.includes('--single-target')) {
    if (assigned.some((v) => /^GOARCH=/.test(v))) return undefined;
    return { kind: 'goreleaser', words: w, tool: first };
  }
  if (name === 'dotnet' && values[0] === 'publish') {
    const selfContained = values.some((v) => /^(--self-contained|--sc)(=true)?$/i.test(v) || /^[-/]p:(PublishAot|PublishSingleFile|PublishReadyToRun|SelfContained)=true$/i.test(v));
    if (!selfContained) return undefined;
    if (values.some((v) => /^(-r|--runtime|-a|--arch|--os|--use-current-runtime|--ucr)(=|$)/.test(v) || /^[-/]p:RuntimeIdentifier=/i.test(v))) return undefined;
    return { kind: 'dotnet', words: w, tool: first };
  }
  return undefined;
}

/** A stage that builds native code for npm/pip installs: it installs a C/C++ toolchain or names node-gyp/prebuild or a C extension tool. */
export const NATIVE_TOOLCHAIN_HINT = /(?<![\w+.-])(build-essential|build-base|g\+\+|gcc|clang|node-gyp|prebuild(-install)?|node-pre-gyp|cmake-js|python3?-dev|libffi-dev|cython|maturin|setuptools-rust)(?![\w+-])/;

/** A stage that set up cross-building for make (configure --host, a CMake toolchain, CROSS_COMPILE, xx). */
export const CROSS_SETUP_HINT = /--host[= ]|CMAKE_TOOLCHAIN_FILE|CMAKE_C_COMPILER|--toolchain[= ]|CROSS_COMPILE|\bxx-(clang|info|c\+\+|cc)\b/;
