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
