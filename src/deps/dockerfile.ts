/**
 * The installing stage of a Dockerfile, as `deps` and `check` need it: every RUN that installs
 * dependencies from a lockfile (`npm ci`, `pnpm install`, `yarn install`, `pip install -r`,
 * `uv sync`, `uv pip install -r`, `poetry install`, `pipenv install`), which context files it
 * reads (COPY/ADD into WORKDIR, bind mounts, `COPY . .`, a requirements file an earlier `uv
 * export` or `poetry export` wrote), and for each target platform what the install meets there:
 * the C library and its version, the Python or Node.js version the base image names, and the
 * compilers and headers of the stage at that RUN (the base's, and what earlier RUNs of the stage
 * chain installed), each fact with the sentence that found it.
 *
 * Pure: it reads the model only (the build context is the caller's).
 */
import type { Instruction, Range } from '../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../dockerfile/model.js';
import { contextPathOf, copyPlacements, joinPath, mountPlacements, normalizePath, type Placement } from '../dockerfile/scripts.js';
import { commandWords } from '../dockerfile/command-words.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { rangeAt, toSourceRange } from '../dockerfile/text.js';
import { formatPlatform, parsePlatform, tryParsePlatform, type Platform } from '../platform/index.js';
import { ALPINE_PYTHON, baseTraits, DEBIAN_RELEASES, UBUNTU_RELEASES, type BaseTraits, type Family } from './base-images.js';
import type { DepsTarget, Ecosystem, InstallSite, LockfileKind, LockfileReport, Toolchain } from './types.js';

export type InstallManager = 'npm' | 'pnpm' | 'yarn' | 'pip' | 'uv' | 'poetry' | 'pipenv';

/** One install from a lockfile, and what each target platform offers it. */
export interface InstallSiteFacts {
  /** stable within the file across fixes (`<stage index>:<n>`, the n-th install site of the stage) */
  readonly key: string;
  readonly file: string;
  readonly stage: Stage;
  readonly instruction: Instruction;
  readonly manager: InstallManager;
  readonly ecosystem: Ecosystem;
  /** the install command as written (`npm ci --omit=dev`) */
  readonly command: string;
  /** the install command's words in the Dockerfile */
  readonly range: Range;
  /** context-relative paths of the lockfile it reads, most likely first (empty: none found in the context) */
  readonly lockfiles: readonly string[];
  /** the kinds those paths are, in the same order */
  readonly kinds: readonly LockfileKind[];
  /** the path inside the image the install reads (`/app/package-lock.json`) */
  readonly containerPath: string;
  /** the stage runs on the build machine (`--platform=$BUILDPLATFORM`): its targets are the builder's */
  readonly builder: boolean;
  /** one per platform the stage is built for, in the order given (deduplicated) */
  readonly targets: readonly DepsTarget[];
}

/** What the analysers said about the lockfile one install site reads (`check`'s AA123, AA124). */
export interface NativeDepsFact {
  /** the lockfile read, as findings name it */
  readonly lockfile: string;
  /** the analysis, its targets those of the site (same order) */
  readonly report: LockfileReport;
}

/** Facts keyed by `nativeDepsKey(file, site)`. Absent: not looked up (offline), so nothing is said. */
export type NativeDepsFacts = ReadonlyMap<string, NativeDepsFact>;

/** The key of a site's fact: the Dockerfile as checked and the site's key (stable across fixes). */
export function nativeDepsKey(file: string, site: { readonly key: string }): string {
  return `${file}\0${site.key}`;
}

/** A cheap test before any shell reading: can the text install from a lockfile at all? */
export const INSTALL_GATE = /\b(?:npm|pnpm|yarn|pip3?|uv|poetry|pipenv)\b/;

const LOCK_NAMES: Readonly<Record<InstallManager, readonly { name: string; kind: LockfileKind }[]>> = {
  npm: [{ name: 'npm-shrinkwrap.json', kind: 'npm-shrinkwrap' }, { name: 'package-lock.json', kind: 'package-lock' }],
  pnpm: [{ name: 'pnpm-lock.yaml', kind: 'pnpm-lock' }],
  yarn: [{ name: 'yarn.lock', kind: 'yarn-berry' }],
  uv: [{ name: 'uv.lock', kind: 'uv-lock' }],
  poetry: [{ name: 'poetry.lock', kind: 'poetry-lock' }],
  pipenv: [{ name: 'Pipfile.lock', kind: 'pipfile-lock' }],
  pip: [],
};

/** The words after wrappers (`sudo`, `env A=1`, `exec`), `python -m pip` read as `pip`, and `corepack pnpm` / `npx pnpm@9` as `pnpm`. */
function toolWords(cmd: SimpleCommand): readonly ShellWord[] {
  const out = commandWords(cmd);
  const first = out[0]?.value.replace(/^.*\//, '') ?? '';
  // python -m pip / python3.12 -m pip / python -m uv
  if (/^python[\d.]*$/.test(first) && out[1]?.value === '-m' && out[2]) return out.slice(2);
  // corepack pnpm install / corepack yarn@4.1.0 install / npx --yes pnpm@9 install: the package manager, its version dropped
  if (first === 'corepack' || first === 'npx') {
    let i = 1;
    while (out[i]?.value.startsWith('-')) i++;
    const w = out[i];
    const m = w ? /^(npm|pnpm|yarn)(?:@[^/\s]*)?$/.exec(w.value) : null;
    if (w && m) return [{ ...w, value: m[1] as string }, ...out.slice(i + 1)];
  }
  return out;
}

/** A flag's value: `--prefix dir`, `--prefix=dir`, `-C dir`. */
function flagValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (n.startsWith('--') && a.startsWith(`${n}=`)) return a.slice(n.length + 1);
      if (!n.startsWith('--') && a.startsWith(n) && a.length > n.length) return a.slice(n.length);
    }
  }
  return undefined;
}

/** Positional words (not flags, not the values of `valued` flags). */
function positionals(args: readonly string[], valued: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('-')) {
      if (valued.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

const NPM_VALUED = new Set(['--prefix', '-w', '--workspace', '--omit', '--include', '--registry', '--cache', '--loglevel', '--userconfig', '--os', '--cpu', '--libc', '--install-strategy', '--fetch-retries', '--fetch-timeout', '--fetch-retry-mintimeout', '--fetch-retry-maxtimeout', '--maxsockets', '--audit-level', '--script-shell']);
const PIP_VALUED = new Set(['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-t', '--target', '--prefix', '--root', '-f', '--find-links', '--python-version', '--platform', '--abi', '--implementation', '--cache-dir', '--trusted-host', '--progress-bar', '--python', '-p', '--project', '--directory']);

/** What one command installs from: the manager, the directory argument and the lockfile names (pip: the requirement files). */
interface Install {
  readonly manager: InstallManager;
  /** a directory the tool is told to work in (`--prefix`, `-C`, `--cwd`, `--project`) */
  readonly dir?: string;
  /** requirement files (pip, uv pip): read as lockfiles */
  readonly files?: readonly string[];
}

function installOf(words: readonly ShellWord[]): Install | undefined {
  // pip3.12 and /opt/venv/bin/pip are pip
  const tool = words[0]?.value.replace(/^.*\//, '').replace(/^pip3(?:\.\d+)?$/, 'pip');
  if (!tool) return undefined;
  const args = words.slice(1).map((w) => w.value);
  const sub = positionals(args, NPM_VALUED)[0];
  switch (tool) {
    case 'npm': {
      const pos = positionals(args, NPM_VALUED);
      const verb = pos[0];
      const dir = flagValue(args, ['--prefix']);
      if (verb === 'ci' || verb === 'clean-install' || verb === 'ic' || verb === 'install-clean') return { manager: 'npm', ...(dir ? { dir } : {}) };
      // a bare install reads the lockfile; `npm install left-pad` changes it
      if ((verb === 'install' || verb === 'i') && pos.length === 1) return { manager: 'npm', ...(dir ? { dir } : {}) };
      return undefined;
    }
    case 'pnpm': {
      const dir = flagValue(args, ['-C', '--dir']);
      const pos = positionals(args, new Set(['-C', '--dir', '--filter', '-F']));
      // `pnpm install` takes no package (pnpm add does), so a word after it is the value of a flag
      // (`--store-dir /pnpm/store`, `--reporter append-only`); `pnpm deploy` installs a workspace
      // package's dependencies from the lockfile into a folder
      if (pos[0] === 'install' || pos[0] === 'i' || pos[0] === 'deploy') return { manager: 'pnpm', ...(dir ? { dir } : {}) };
      return undefined;
    }
    case 'yarn': {
      const dir = flagValue(args, ['--cwd']);
      const pos = positionals(args, new Set(['--cwd', '--mode', '--network-timeout', '--cache-folder', '--modules-folder', '--mutex', '--network-concurrency']));
      // a bare `yarn` installs (not `yarn --version`); `yarn install` takes no package (yarn add
      // does); Berry's `yarn workspaces focus` installs some workspaces from the lockfile
      if (args.some((a) => a === '--version' || a === '-v' || a === '--help' || a === '-h')) return undefined;
      if (pos.length === 0 || pos[0] === 'install' || (pos[0] === 'workspaces' && pos[1] === 'focus')) return { manager: 'yarn', ...(dir ? { dir } : {}) };
      return undefined;
    }
    case 'pip':
      // `pip wheel -r requirements.txt` builds (or fetches) every wheel in its stage: where a builder stage compiles them
      if (sub !== 'install' && sub !== 'wheel') return undefined;
      return requirementInstall('pip', args);
    case 'uv': {
      const pos = positionals(args, PIP_VALUED);
      if (pos[0] === 'pip' && pos[1] === 'install') return requirementInstall('uv', args);
      if (pos[0] === 'pip' && pos[1] === 'sync') return pos.length > 2 ? { manager: 'uv', files: pos.slice(2) } : undefined;
      if (pos[0] === 'sync') {
        const dir = flagValue(args, ['--project', '--directory']);
        return { manager: 'uv', ...(dir ? { dir } : {}) };
      }
      return undefined;
    }
    case 'poetry': {
      const pos = positionals(args, new Set(['-C', '--directory', '-P', '--project', '--with', '--without', '--only', '-E', '--extras']));
      if (pos[0] !== 'install' && pos[0] !== 'sync') return undefined;
      const dir = flagValue(args, ['-C', '--directory', '-P', '--project']);
      return { manager: 'poetry', ...(dir ? { dir } : {}) };
    }
    case 'pipenv': {
      const pos = positionals(args, new Set(['--python']));
      if ((pos[0] === 'install' && pos.length === 1) || pos[0] === 'sync') return { manager: 'pipenv' };
      return undefined;
    }
    default:
      return undefined;
  }
}

function requirementInstall(manager: 'pip' | 'uv', args: readonly string[]): Install | undefined {
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-r' || a === '--requirement' || a === '--requirements') {
      const f = args[i + 1];
      if (f) files.push(f);
      i++;
    } else if (a.startsWith('--requirement=')) files.push(a.slice('--requirement='.length));
    else if (a.startsWith('-r') && a.length > 2 && !a.startsWith('--')) files.push(a.slice(2));
    else if (/^-[qvUI]+r$/.test(a)) {
      // `-qr requirements.txt`, `-Ur requirements.txt`: short flags together, -r last
      const f = args[i + 1];
      if (f) files.push(f);
      i++;
    }
  }
  return files.length ? { manager, files } : undefined;
}

/** The managers whose lockfile a command writes out as a requirements file. */
type ExportManager = 'uv' | 'poetry' | 'pipenv';

/** A file an `uv export` / `poetry export` / `pipenv requirements` (`pipenv lock -r` before 2022.4) writes (`-o f`, `--output f`, `> f`), and the lockfile it comes from. */
function exportOf(cmd: SimpleCommand, words: readonly ShellWord[]): { output: string; manager: ExportManager; dir?: string } | undefined {
  const tool = words[0]?.value.replace(/^.*\//, '');
  if (tool !== 'uv' && tool !== 'poetry' && tool !== 'pipenv') return undefined;
  const args = words.slice(1).map((w) => w.value);
  if (tool === 'pipenv' ? !(args[0] === 'requirements' || (args[0] === 'lock' && (args.includes('-r') || args.includes('--requirements')))) : !args.includes('export')) return undefined;
  let output = flagValue(args, ['-o', '--output', '--output-file']);
  if (!output) {
    for (const r of cmd.redirects) {
      const m = /^1?>\|?(.+)$/.exec(r.value);
      if (m) output = m[1];
    }
  }
  if (!output || output.includes('$')) return undefined;
  const dir = tool === 'pipenv' ? undefined : flagValue(args, tool === 'uv' ? ['--project', '--directory'] : ['-C', '--directory']);
  return { output, manager: tool, ...(dir ? { dir } : {}) };
}

/** The kind of a requirements-like file by its name. */
function requirementKind(name: string): LockfileKind {
  const base = name.replace(/^.*\//, '');
  if (base === 'uv.lock') return 'uv-lock';
  if (base === 'poetry.lock') return 'poetry-lock';
  if (base === 'Pipfile.lock') return 'pipfile-lock';
  if (/^pylock(\..+)?\.toml$/.test(base)) return 'pylock';
  return 'requirements';
}

/** Where context files sit at each RUN of a stage chain, and the working directory. */
interface RunPlace {
  readonly placements: readonly Placement[];
  readonly workdir: string;
}

/** The placements and WORKDIR before each RUN, per stage (a stage built FROM another starts with its parent's). */
function placesOf(model: Model): Map<Instruction, RunPlace> {
  const out = new Map<Instruction, RunPlace>();
  const ends = new Map<Stage, RunPlace>();
  for (const stage of model.stages) {
    const inherited = stage.parent ? ends.get(stage.parent) : undefined;
    let placements: Placement[] = inherited ? [...inherited.placements] : [];
    let workdir = inherited?.workdir ?? '/';
    for (const ins of stage.instructions) {
      if (ins.keyword === 'workdir') workdir = normalizePath(joinPath(workdir, ins.body.text.trim())) ?? '/';
      else if (ins.keyword === 'copy' || ins.keyword === 'add') placements = [...placements, ...copyPlacements(ins, workdir)];
      else if (ins.keyword === 'run') out.set(ins, { placements: [...placements, ...mountPlacements(ins, workdir)], workdir });
    }
    ends.set(stage, { placements, workdir });
  }
  return out;
}

/** The platforms a stage is built for among `targets`: the builder's for a `$BUILDPLATFORM` stage, a constant `--platform`'s, or the targets that build it. */
function runPlatforms(model: Model, stage: Stage, targets: readonly Platform[], build: Platform): { platforms: readonly Platform[]; builder: boolean } {
  const building = targets.filter((t) => model.stagesFor(t).has(stage));
  const chosen = building.length ? building : stage.reachable ? [] : targets;
  if (!chosen.length) return { platforms: [], builder: false };
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (!s.platform) continue;
    if (s.onBuildPlatform) return { platforms: [build], builder: true };
    const value = s.platform.value?.trim() ?? '';
    const p = value && !value.includes('$') ? tryParsePlatform(value) : undefined;
    return { platforms: p ? [p] : chosen, builder: false };
  }
  return { platforms: chosen, builder: false };
}

// ---- the toolchain ----

interface Installed {
  readonly name: string;
  readonly where: string;
}

const APT = new Set(['apt-get', 'apt', 'aptitude']);
const APK = new Set(['apk']);
const RPM = new Set(['dnf', 'yum', 'microdnf', 'tdnf']);

/** Packages one command installs (and removes): apt, apk, dnf/yum/microdnf, rustup. */
function packagesOf(words: readonly ShellWord[], virtuals: Map<string, string[]>): { add: string[]; remove: string[] } | undefined {
  const tool = words[0]?.value.replace(/^.*\//, '');
  if (!tool) return undefined;
  const args = words.slice(1).map((w) => w.value);
  if (tool === 'rustup' || args.some((a) => /sh\.rustup\.rs|rustup-init/.test(a)) || /rustup-init/.test(tool)) return { add: ['rustup'], remove: [] };
  const names = (from: number, valued: ReadonlySet<string>): string[] =>
    positionals(args.slice(from), valued).map((a) => a.replace(/[=~<>:].*$/, '').toLowerCase()).filter((a) => a && !a.includes('$'));
  if (APT.has(tool)) {
    const i = args.findIndex((a) => a === 'install' || a === 'remove' || a === 'purge');
    if (i < 0) return undefined;
    const list = names(i + 1, new Set(['-o', '-t', '--target-release']));
    return args[i] === 'install' ? { add: list, remove: [] } : { add: [], remove: list };
  }
  if (APK.has(tool)) {
    const i = args.findIndex((a) => a === 'add' || a === 'del');
    if (i < 0) return undefined;
    const rest = args.slice(i + 1);
    const virtual = flagValue(rest, ['--virtual', '-t']);
    const list = names(i + 1, new Set(['--virtual', '-t', '--repository', '-X', '--root', '-p']));
    if (args[i] === 'add') {
      if (virtual) virtuals.set(virtual, list);
      return { add: list, remove: [] };
    }
    return { add: [], remove: list.flatMap((n) => virtuals.get(n) ?? [n]) };
  }
  if (RPM.has(tool)) {
    const text = args.join(' ').toLowerCase();
    if (/\bgroup(install| install)\b.*development tools|@development-tools|@"?development tools/.test(text)) return { add: ['@development-tools'], remove: [] };
    const i = args.findIndex((a) => a === 'install' || a === 'remove' || a === 'erase');
    if (i < 0) return undefined;
    const list = names(i + 1, new Set(['--setopt', '--enablerepo', '--disablerepo', '--releasever', '--installroot']));
    return args[i] === 'install' ? { add: list, remove: [] } : { add: [], remove: list };
  }
  return undefined;
}

const CC = /^(gcc(-\d+)?|clang(-\d+)?|build-essential|build-base|alpine-sdk|gcc-c\+\+|g\+\+(-\d+)?|@development-tools|musl-gcc)$/;
const CXX = /^(g\+\+(-\d+)?|clang(-\d+)?|clang\+\+|build-essential|build-base|alpine-sdk|gcc-c\+\+|@development-tools)$/;
const MAKE = /^(make|build-essential|build-base|alpine-sdk|@development-tools)$/;
const PYTHON3 = /^(python3(\.\d+)?(-minimal|-dev|-devel)?|python3\d+|python-is-python3|python3\d*-devel)$/;
const RUST = /^(rustc|cargo|rust|rustup)$/;
/** Meta packages and the headers they bring. */
const BRINGS: Readonly<Record<string, readonly string[]>> = {
  'build-essential': ['libc6-dev'],
  'build-base': ['musl-dev', 'libc-dev'],
  'alpine-sdk': ['musl-dev', 'libc-dev'],
  '@development-tools': ['glibc-devel', 'glibc-dev'],
};
const HEADERS = /(-dev|-devel|-headers)$/;

/** Header package names with their usual spellings added (`python3.11-dev` → `python3-dev`, `libffi-devel` → `libffi-dev`). */
function headerNames(pkg: string): string[] {
  const out = [...(BRINGS[pkg] ?? [])];
  if (HEADERS.test(pkg)) {
    out.push(pkg);
    if (pkg.endsWith('-devel')) out.push(`${pkg.slice(0, -'-devel'.length)}-dev`);
    if (/^(lib)?python3?[\d.]*-dev(el)?$/.test(pkg)) out.push('python3-dev');
  }
  return out;
}

function describeTools(t: { cc: boolean; cxx: boolean; make: boolean; python3: boolean; rust: boolean }): string {
  const has = [t.cc && 'a C compiler', t.cxx && 'a C++ compiler', t.make && 'make', t.python3 && 'python3', t.rust && 'Rust'].filter(Boolean);
  return has.join(', ');
}

/** The toolchain at a command: the base's tools plus what earlier commands of the stage chain installed (less what they removed). */
function toolchainAt(base: BaseTraits, installed: readonly Installed[]): Toolchain | undefined {
  // an image anyarch does not know may carry anything: its toolchain is unknown, not empty
  if (!base.known || base.scratch) return undefined;
  const evidence: string[] = [];
  const t = { cc: base.tools.cc, cxx: base.tools.cxx, make: base.tools.make, python3: base.tools.python3, rust: base.tools.rust };
  const headers = new Set(base.tools.headers);
  const baseHas = describeTools(t);
  if (baseHas) evidence.push(`the base ${base.image} carries ${baseHas}`);
  else evidence.push(`the base ${base.image} carries no compiler`);
  for (const { name, where } of installed) {
    const adds: string[] = [];
    if (CC.test(name) && !t.cc) (t.cc = true), adds.push('a C compiler');
    if (CXX.test(name) && !t.cxx) (t.cxx = true), adds.push('a C++ compiler');
    if (MAKE.test(name) && !t.make) (t.make = true), adds.push('make');
    if (PYTHON3.test(name) && !t.python3) (t.python3 = true), adds.push('python3');
    if (RUST.test(name) && !t.rust) (t.rust = true), adds.push('Rust');
    const hs = headerNames(name).filter((h) => !headers.has(h));
    for (const h of hs) headers.add(h);
    if (adds.length || hs.length) evidence.push(`${name} is installed ${where}`);
  }
  return { ...t, headers: [...headers], evidence };
}

/** The python3 a distribution package install gives (`python3` → the release's, `python3.12` → 3.12). */
function distroPython(family: Family | undefined, release: string | undefined, installed: readonly Installed[]): string | undefined {
  for (const { name } of installed) {
    const m = /^python(3\.\d+)(-dev|-devel)?$/.exec(name);
    if (m) return m[1];
    if (name === 'python3' || name === 'python3-dev' || name === 'python3-minimal') {
      if (!release) return undefined;
      if (family === 'debian') return DEBIAN_RELEASES.get(release)?.python;
      if (family === 'ubuntu') return UBUNTU_RELEASES.get(release)?.python;
      if (family === 'alpine') return ALPINE_PYTHON.get(release);
    }
  }
  return undefined;
}

/** Does the stage's text say which package manager, and so which C library, it has? */
function libcFromCommands(installed: readonly { tool: string }[]): 'glibc' | 'musl' | undefined {
  for (const { tool } of installed) {
    if (APK.has(tool)) return 'musl';
    if (APT.has(tool) || RPM.has(tool)) return 'glibc';
  }
  return undefined;
}

// ---- the sites ----

function wordsRange(model: Model, src: ShellSource, words: readonly ShellWord[]): Range {
  const first = words[0] as ShellWord;
  const last = words[words.length - 1] as ShellWord;
  const [s, e] = toSourceRange(src.text, first.start, last.end);
  return rangeAt(model.file.lineStarts, s, e);
}

function stageLabel(stage: Stage): string {
  return stage.name ?? `#${stage.index}`;
}

interface Found {
  readonly ins: Instruction;
  readonly src: ShellSource;
  readonly cmd: SimpleCommand;
  readonly words: readonly ShellWord[];
  readonly install: Install;
  /** the working directory of the command (WORKDIR, then `cd` before it in the same RUN) */
  readonly cwd: string;
  /** requirement files earlier `uv export` / `poetry export` commands of the RUN wrote: path → lockfile */
  readonly exported: ReadonlyMap<string, { manager: ExportManager; path: string }>;
}

/** A requirements file an `uv export` / `poetry export` of a RUN wrote: its container path and the lockfile's. */
interface Export {
  readonly output: string;
  readonly manager: ExportManager;
  readonly lock: string;
}

/** The install commands of a RUN with their working directories, and the requirement files its exports wrote. */
function installsIn(model: Model, ins: Instruction, workdir: string, exports: Export[] = []): Found[] {
  const out: Found[] = [];
  for (const src of model.shell(ins)) {
    if (src.origin) continue;
    let cwd = workdir;
    const exported = new Map<string, { manager: ExportManager; path: string }>();
    for (const cmd of src.script.commands) {
      if (cmd.substitution) continue;
      const words = toolWords(cmd);
      if (!words.length) continue;
      if (words[0]?.value === 'cd' && cmd.subshells.length === 0) {
        const to = words[1]?.value;
        if (to && !to.includes('$') && to !== '-') cwd = normalizePath(joinPath(cwd, to)) ?? cwd;
        continue;
      }
      const ex = exportOf(cmd, words);
      if (ex) {
        const dir = ex.dir ? normalizePath(joinPath(cwd, ex.dir)) ?? cwd : cwd;
        const output = normalizePath(joinPath(cwd, ex.output)) ?? ex.output;
        const lock = joinPath(dir, LOCK_NAMES[ex.manager][0]?.name as string);
        exported.set(output, { manager: ex.manager, path: lock });
        exports.push({ output, manager: ex.manager, lock });
        continue;
      }
      const install = installOf(words);
      if (install) out.push({ ins, src, cmd, words, install, cwd, exported: new Map(exported) });
    }
  }
  return out;
}

/** The lockfiles an install reads: container paths with their kinds. */
function lockPaths(f: Found): { path: string; kind: LockfileKind }[] {
  const dir = f.install.dir && !f.install.dir.includes('$') ? (normalizePath(joinPath(f.cwd, f.install.dir)) ?? f.cwd) : f.cwd;
  if (f.install.files) {
    return f.install.files
      .filter((x) => !x.includes('$') && !/^[a-z]+:\/\//i.test(x))
      .map((x) => {
        const path = normalizePath(joinPath(f.cwd, x)) ?? x;
        const from = f.exported.get(path);
        return from ? { path: from.path, kind: LOCK_NAMES[from.manager][0]?.kind as LockfileKind } : { path, kind: requirementKind(path) };
      });
  }
  return LOCK_NAMES[f.install.manager].map((l) => ({ path: joinPath(dir, l.name), kind: l.kind }));
}

/** A path with a directory named like a file (`package.json/package-lock.json`, `go.sum/web/x`). */
const NAMED_FILE_DIR = /(?:^|\/)(?:[^/]+\.(?:json|ya?ml|lock|txt|toml|sum|mod|cfg|ini|js|mjs|cjs|ts|md|sh|py)|Pipfile|Gemfile|Makefile|Dockerfile|Procfile|LICENSE|README)\//;

const ECOSYSTEM: Readonly<Record<InstallManager, Ecosystem>> = { npm: 'npm', pnpm: 'npm', yarn: 'npm', pip: 'python', uv: 'python', poetry: 'python', pipenv: 'python' };

export interface InstallSitesOptions {
  /** the build machine's platform, for stages on `$BUILDPLATFORM` (default linux/amd64) */
  readonly buildPlatform?: Platform;
}

const DEFAULT_BUILD: Platform = parsePlatform('linux/amd64');

/**
 * Every RUN of `model` that installs from a lockfile, with the lockfile's context paths and, per
 * platform of `platforms` the stage is built for, the `DepsTarget` the install meets there.
 * `file` is the Dockerfile's name as the caller shows it.
 */
export function installSites(model: Model, file: string, platforms: readonly Platform[], opts: InstallSitesOptions = {}): readonly InstallSiteFacts[] {
  if (!INSTALL_GATE.test(model.file.source)) return [];
  const build = opts.buildPlatform ?? DEFAULT_BUILD;
  // the lookup and both rules ask for the same model: read it once
  const memoKey = `${file}\0${platforms.map(formatPlatform).join(',')}\0${formatPlatform(build)}`;
  let memo = memos.get(model);
  const hit = memo?.get(memoKey);
  if (hit) return hit;
  const sites = computeSites(model, file, platforms, build);
  if (!memo) memos.set(model, (memo = new Map()));
  memo.set(memoKey, sites);
  return sites;
}

const memos = new WeakMap<Model, Map<string, readonly InstallSiteFacts[]>>();

/**
 * Requirement files earlier RUNs exported (`poetry export -o requirements.txt` in one RUN, `pip
 * install -r requirements.txt` in a later one or in a stage that copies the file `--from` this
 * one), by container path: the context paths of the lockfile each came from.
 */
type StageExports = Map<string, { readonly lockfiles: readonly string[]; readonly kind: LockfileKind }>;

/** The context paths a container path may hold, without the directories that read as files (`COPY package.json package-lock.json ./`). */
function contextFiles(path: string, placements: readonly Placement[]): string[] {
  return contextPathOf(path, placements).filter((c) => !NAMED_FILE_DIR.test(c));
}

/** Carries `from`'s exported files that a `COPY --from` copies into `into`, at their new paths. */
function copyExports(ins: Instruction, workdir: string, from: StageExports, into: StageExports): void {
  const words = ins.json ? [...ins.args] : ins.args.length === 1 ? (ins.args[0] as string).trim().split(/\s+/) : [...ins.args];
  if (words.length < 2) return;
  const dest = words[words.length - 1] as string;
  const sources = words.slice(0, -1);
  if (dest.includes('$')) return;
  const absDest = normalizePath(joinPath(workdir, dest)) ?? '/';
  const intoDir = dest.endsWith('/') || sources.length > 1 || dest === '.' || dest === './';
  for (const source of sources) {
    const abs = normalizePath(joinPath('/', source));
    if (abs === undefined || source.includes('$')) continue;
    for (const [path, e] of from) {
      if (path === abs) into.set(intoDir ? joinPath(absDest, path.replace(/^.*\//, '')) : absDest, e);
      else if (path.startsWith(`${abs.replace(/\/$/, '')}/`)) into.set(joinPath(absDest, path.slice(abs.replace(/\/$/, '').length + 1)), e);
    }
  }
}

function computeSites(model: Model, file: string, platforms: readonly Platform[], build: Platform): readonly InstallSiteFacts[] {
  const places = placesOf(model);
  const cache: SiteCache = { traits: new Map(), states: new Map(), toolchains: new WeakMap() };
  const out: InstallSiteFacts[] = [];
  const exportsOf = new Map<Stage, StageExports>();
  const workdirs = new Map<Stage, string>();
  for (const stage of model.stages) {
    const stageExports: StageExports = new Map(stage.parent ? exportsOf.get(stage.parent) : undefined);
    exportsOf.set(stage, stageExports);
    let workdir = (stage.parent && workdirs.get(stage.parent)) ?? '/';
    workdirs.set(stage, workdir);
    if (stage.windows) continue;
    let n = 0;
    for (const ins of stage.instructions) {
      if (ins.keyword === 'workdir') workdir = normalizePath(joinPath(workdir, ins.body.text.trim())) ?? '/';
      workdirs.set(stage, workdir);
      if ((ins.keyword === 'copy' || ins.keyword === 'add') && ins.flags.some((f) => f.name === 'from')) {
        const edge = model.graph.dependencies(stage).find((e) => e.kind === 'copy' && e.instruction === ins);
        const from = edge ? exportsOf.get(edge.from) : undefined;
        if (from?.size) copyExports(ins, workdir, from, stageExports);
        continue;
      }
      if (ins.keyword !== 'run' || ins.json) continue;
      if (!INSTALL_GATE.test(ins.body.text) && !ins.heredocs.some((h) => INSTALL_GATE.test(h.content))) continue;
      const place = places.get(ins) ?? { placements: [], workdir: '/' };
      const runExports: Export[] = [];
      const found = installsIn(model, ins, place.workdir, runExports);
      for (const f of found) {
        const { platforms: runOn, builder } = runPlatforms(model, stage, platforms, build);
        const key = `${stage.index}:${n++}`;
        if (!runOn.length) continue;
        const locks = lockPaths(f);
        const lockfiles: string[] = [];
        const kinds: LockfileKind[] = [];
        for (const l of locks) {
          // a requirements file an earlier RUN exported names the lockfile it came from
          const exported = l.kind === 'requirements' ? stageExports.get(l.path) : undefined;
          for (const c of exported ? exported.lockfiles : contextFiles(l.path, place.placements)) {
            if (!lockfiles.includes(c)) lockfiles.push(c), kinds.push(exported ? exported.kind : l.kind);
          }
        }
        const range = wordsRange(model, f.src, f.words);
        const command = f.src.text.text.slice((f.words[0] as ShellWord).start, (f.words[f.words.length - 1] as ShellWord).end);
        const seen = new Set<string>();
        const targets: DepsTarget[] = [];
        for (const p of runOn) {
          const k = formatPlatform(p);
          if (seen.has(k)) continue;
          seen.add(k);
          targets.push(targetFor(model, stage, f, p, build, { file, stage: stageLabel(stage), line: range.start.line, column: range.start.column, command }, cache));
        }
        out.push({
          key,
          file,
          stage,
          instruction: ins,
          manager: f.install.manager,
          ecosystem: ECOSYSTEM[f.install.manager],
          command,
          range,
          lockfiles,
          kinds,
          containerPath: locks[locks.length - 1]?.path ?? place.workdir,
          builder,
          targets,
        });
      }
      for (const e of runExports) {
        const lockfiles = contextFiles(e.lock, place.placements);
        if (lockfiles.length) stageExports.set(e.output, { lockfiles, kind: LOCK_NAMES[e.manager][0]?.kind as LockfileKind });
      }
    }
  }
  return out;
}

/** The stage chain for a platform, root first. */
function chainOf(model: Model, stage: Stage, p: Platform): Stage[] {
  const chain: Stage[] = [];
  for (let s: Stage | null = stage; s && !chain.includes(s); s = model.parentFor(s, p)) chain.unshift(s);
  return chain;
}

/** What the package managers of a stage chain installed up to a point (and which managers they were). */
interface PkgState {
  readonly installed: readonly Installed[];
  readonly tools: readonly { readonly tool: string }[];
  readonly virtuals: ReadonlyMap<string, string[]>;
}

const EMPTY_STATE: PkgState = { installed: [], tools: [], virtuals: new Map() };

/** The state after `cmds` (new arrays only when a command installs or removes something). */
function applyCommands(state: PkgState, cmds: Iterable<SimpleCommand>, where: string, stop?: SimpleCommand): PkgState {
  let out = state;
  for (const cmd of cmds) {
    if (cmd === stop) break;
    if (cmd.substitution) continue;
    const words = toolWords(cmd);
    const tool = words[0]?.value.replace(/^.*\//, '');
    if (!tool || !(APT.has(tool) || APK.has(tool) || RPM.has(tool) || /rust/.test(cmd.words.map((w) => w.value).join(' ')))) continue;
    const virtuals = new Map(out.virtuals);
    const pk = packagesOf(words, virtuals);
    if (!pk) continue;
    const removed = new Set(pk.remove);
    out = {
      installed: [...out.installed.filter((x) => !removed.has(x.name)), ...pk.add.map((name) => ({ name, where }))],
      tools: [...out.tools, { tool: words[0]?.value.replace(/^.*\//, '') ?? '' }],
      virtuals,
    };
  }
  return out;
}

/** Per stage (and the parent it is built FROM for a platform): the package state before each RUN, and at its end. Each RUN is read once. */
type StageStates = Map<string, { readonly before: ReadonlyMap<Instruction, PkgState>; readonly end: PkgState }>;

function statesOf(model: Model, stage: Stage, p: Platform, file: string, memo: StageStates, seen: Set<Stage> = new Set()): { readonly before: ReadonlyMap<Instruction, PkgState>; readonly end: PkgState } {
  const parent = seen.has(stage) ? null : model.parentFor(stage, p);
  const key = `${stage.index}<${parent?.index ?? ''}`;
  const hit = memo.get(key);
  if (hit) return hit;
  seen.add(stage);
  let state = parent ? statesOf(model, parent, p, file, memo, seen).end : EMPTY_STATE;
  const before = new Map<Instruction, PkgState>();
  for (const ins of stage.instructions) {
    before.set(ins, state);
    if (ins.keyword !== 'run' || ins.json || !PACKAGE_GATE.test(ins.body.text + ins.heredocs.map((h) => h.content).join('\n'))) continue;
    const where = `in stage ${stageLabel(stage)} (${file}:${ins.range.start.line})`;
    for (const src of model.shell(ins)) state = applyCommands(state, src.script.commands, where);
  }
  const out = { before, end: state };
  memo.set(key, out);
  return out;
}

/** What the sites of one file share: base traits per image, package states per stage, toolchains per package state and image. */
interface SiteCache {
  readonly traits: Map<string, BaseTraits>;
  readonly states: StageStates;
  readonly toolchains: WeakMap<readonly Installed[], Map<string, Toolchain | undefined>>;
}

/** A cheap test: can a RUN install or remove a system package or Rust at all? */
const PACKAGE_GATE = /\b(?:apt-get|apt|aptitude|apk|dnf|yum|microdnf|tdnf|rustup)\b|rustup/;

function targetFor(model: Model, stage: Stage, f: Found, p: Platform, build: Platform, site: Omit<InstallSite, 'base'>, cache: SiteCache): DepsTarget {
  const chain = chainOf(model, stage, p);
  const root = chain[0] as Stage;
  const image = model.view(root, p, build).image.trim();
  const base = cache.traits.get(image) ?? baseTraits(image);
  cache.traits.set(image, base);
  const start = statesOf(model, stage, p, site.file, cache.states).before.get(f.ins) ?? EMPTY_STATE;
  // the install's own RUN, before the install command
  const { installed, tools } = applyCommands(start, f.src.script.commands, `in stage ${stageLabel(stage)} (${site.file}:${f.ins.range.start.line}, before the install)`, f.cmd);
  const libc = base.libc ?? libcFromCommands(tools) ?? 'glibc';
  const python = base.python ?? distroPython(base.family, base.release, installed);
  // sites that meet the same base and packages share one toolchain
  let byImage = cache.toolchains.get(installed);
  if (!byImage) cache.toolchains.set(installed, (byImage = new Map()));
  const toolchain = byImage.has(image) ? byImage.get(image) : toolchainAt(base, installed);
  byImage.set(image, toolchain);
  return {
    platform: p,
    libc,
    ...(base.libc && base.libcVersion ? { libcVersion: base.libcVersion } : {}),
    ...(python ? { python } : {}),
    ...(base.node ? { node: base.node } : {}),
    ...(toolchain ? { toolchain } : {}),
    site: { ...site, ...(image ? { base: image } : {}) },
  };
}

/** How a stage's distribution installs a toolchain for native builds (for advice). */
export function toolchainAdvice(base: string, lacking: readonly string[]): string {
  const family = baseTraits(base).family;
  const want = new Set<string>();
  for (const l of lacking) {
    const w = l.toLowerCase();
    if (/c\+\+|g\+\+/.test(w)) want.add('cxx');
    else if (/compiler|gcc|\bcc\b/.test(w)) want.add('cc');
    else if (w.includes('make')) want.add('make');
    else if (w.includes('python3-dev') || w.includes('header')) want.add(w.includes('python') ? 'pydev' : 'hdr');
    else if (w.includes('python')) want.add('python3');
    else if (w.includes('rust')) want.add('rust');
    else want.add(`pkg:${l}`);
  }
  const pkgs = (names: Record<string, string>): string =>
    [...want].map((w) => (w.startsWith('pkg:') ? w.slice(4) : names[w])).filter((x): x is string => !!x).filter((x, i, a) => a.indexOf(x) === i).join(' ');
  if (family === 'alpine') return `RUN apk add --no-cache ${pkgs({ cc: 'build-base', cxx: 'build-base', make: 'build-base', python3: 'python3', pydev: 'python3-dev', hdr: 'linux-headers', rust: 'rust cargo' })}`;
  if (family === 'debian' || family === 'ubuntu') return `RUN apt-get update && apt-get install -y --no-install-recommends ${pkgs({ cc: 'build-essential', cxx: 'build-essential', make: 'build-essential', python3: 'python3', pydev: 'python3-dev', hdr: 'linux-libc-dev', rust: 'rustc cargo' })}`;
  if (family === 'rhel' || family === 'fedora' || family === 'amazonlinux') return `RUN dnf install -y ${pkgs({ cc: 'gcc', cxx: 'gcc-c++', make: 'make', python3: 'python3', pydev: 'python3-devel', hdr: 'kernel-headers', rust: 'rust cargo' })}`;
  return `install ${lacking.join(', ')} in the stage before this RUN`;
}
