/**
 * The whole of `anyarch deps`, printing nothing: find the lockfiles (files, or the known names in
 * a directory), read each (a file that cannot be read is an error of its own report; the rest are
 * still analysed), work out the targets (the installing stage of a Dockerfile per platform, else
 * the `platforms` with `libc`/`python`/`node`), open the metadata sources (npm registry, Python
 * index; cached, or the cache alone when offline), analyse each lockfile by its ecosystem, and
 * summarise per target. The CLI formats a {@link DepsRun}; a library user gets the same.
 *
 * The parts written elsewhere in the room (readers, analysers, registry clients, install sites)
 * come through {@link DepsParts}: `./parts.js` wires the real ones and is loaded only when
 * `analyzeDeps` runs, so that a caller that only formats (and `check`'s start-up) never loads them.
 */
import { realpathSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnyarchError, isAnyarchError, thrownSummary } from '../errors.js';
import { isInside } from '../fs/atomic.js';
import { fileKind, formatBytes, NotRegularFileError, readRegularFile, readTextSync, TooLargeError } from '../fs/bounded-read.js';
import { errnoReason } from '../fs/errno.js';
import { defaultCacheDir } from '../fs/cache.js';
import { dirsToWorkTreeRoot } from '../fs/work-tree.js';
import { formatPlatform, parsePlatformList, type Platform } from '../platform/index.js';
import type {
  Cell,
  DepsTarget,
  Libc,
  Lockfile,
  LockfileKind,
  LockfileReport,
  NpmMetadataSource,
  PackageReport,
  PythonIndexSource,
  RequirementsInclude,
  TargetSummary,
} from './types.js';
import { nodeMajorProblem, pythonVersionProblem } from './flag-checks.js';
import { mergedIndex } from './python/merged-index.js';
import type { NpmConfig } from './npm/npmrc.js';
import { LOCKFILE_INCOMPLETE, UNKNOWN_COVERAGE, cellVerdict, withVerdict, type DepsSeverity } from './verdicts.js';

/**
 * Most bytes of one lockfile read: large monorepos' package-lock.json and pnpm-lock.yaml run to
 * 10-40 MB (a 40 MB one is read and analysed in 3-5 s and under 400 MiB, docs/benchmarks.md),
 * so three times the largest seen; past it the lockfile is refused by its size, unread.
 */
export const MAX_LOCKFILE_BYTES = 128 * 1024 * 1024;
/** Most bytes of a Dockerfile read. */
export const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

/** The platforms analysed when neither `platforms` nor a Dockerfile names any. */
export const DEFAULT_DEPS_PLATFORMS = 'linux/amd64,linux/arm64';

/** Where the metadata sources' answers come from, per ecosystem; absent: lockfile facts only. */
export interface DepsSources {
  readonly npm?: NpmMetadataSource;
  readonly python?: PythonIndexSource;
}

/** One install site of a Dockerfile, as `deps` needs it: which lockfiles it reads and its targets. */
export interface DepsInstallSite {
  /** the lockfile paths the install reads, relative to the build context (the Dockerfile's directory) */
  readonly lockfiles: readonly string[];
  /** one per target platform, with the stage's libc, interpreter versions and toolchain */
  readonly targets: readonly DepsTarget[];
}

export interface MetadataOptions {
  /** the npm registry (default https://registry.npmjs.org/) */
  readonly registry?: string;
  /** the Python index (default https://pypi.org/simple/) */
  readonly indexUrl?: string;
  readonly cacheDir: string;
  readonly offline: boolean;
  /** what the run's questions are about (its lockfiles): the name of the cache pack that keeps their answers together for the next such run (`flush()` writes it) */
  readonly pack?: string;
  readonly signal?: AbortSignal;
  /** how long one request may take before it is retried (default the clients', 30 s) */
  readonly timeoutMs?: number;
  /** called as each request is sent (progress) */
  readonly onRequest?: (what: string) => void;
  /** the npm registry's token (never printed) */
  readonly token?: string;
  /** registries of npm scopes (`@corp` -> its URL and token), from `@corp:registry` lines of .npmrc */
  readonly scopes?: NpmConfig['scopes'];
}

/**
 * The parts of the room `analyzeDeps` is made of. `./parts.js` wires the real ones; tests pass
 * in-memory ones.
 */
export interface DepsParts {
  /** the kind of a lockfile by its file name, undefined when it is none */
  lockfileKind(file: string): LockfileKind | undefined;
  /** reads a whole lockfile (`include`: the files a requirements.txt's `-r`/`-c` lines name); throws `AnyarchError` (E_LOCKFILE) when it cannot */
  readLockfile(file: string, text: string, include?: RequirementsInclude): Lockfile;
  /** `onWarning`: problems of the analysis that belong to no cell (a pruned family read from the registry, metadata unavailable) */
  analyzeNpmLockfile(lock: Lockfile, targets: readonly DepsTarget[], meta: NpmMetadataSource | undefined, onWarning?: (w: AnyarchError) => void): Promise<PackageReport[]>;
  analyzePythonLockfile(lock: Lockfile, targets: readonly DepsTarget[], index: PythonIndexSource | undefined, onWarning?: (w: AnyarchError) => void): Promise<PackageReport[]>;
  openNpmMetadata(opts: MetadataOptions): NpmMetadataSource;
  openPythonIndex(opts: MetadataOptions): PythonIndexSource;
  /** the install sites of a Dockerfile's text (`file` as given), per platform; throws `AnyarchError` on a Dockerfile that cannot be parsed */
  installSites(text: string, file: string, platforms: readonly Platform[]): readonly DepsInstallSite[];
}

export interface DepsOptions {
  /** the directory relative paths are resolved against; reports keep paths as given */
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** the target platforms, comma-separated or parsed (default: a Dockerfile's, else linux/amd64,linux/arm64) */
  readonly platforms?: string | readonly Platform[];
  /** the Dockerfile that installs the dependencies (default: a `Dockerfile` beside each lockfile, when there is one) */
  readonly dockerfile?: string;
  /** targets without a Dockerfile: the C library (default glibc) and its version (`musl`, `glibc`, `glibc:2.31`, `musl:1.2.4`) */
  readonly libc?: string;
  /** targets without a Dockerfile (or a base that names none): the Python version (`3.12`) */
  readonly python?: string;
  /** targets without a Dockerfile (or a base that names none): the Node.js major version (`20`) */
  readonly node?: string;
  readonly registry?: string;
  /** the npm registry's token (never printed) */
  readonly token?: string;
  /** the Python index for every Python lockfile (beats the index a lockfile names) */
  readonly indexUrl?: string;
  /** the Python index for lockfiles that name none (`PIP_INDEX_URL`; default: the client's, https://pypi.org/simple/) */
  readonly defaultIndexUrl?: string;
  /** answer from the cache only */
  readonly offline?: boolean;
  /** default: `defaultCacheDir(env)` */
  readonly cacheDir?: string;
  readonly signal?: AbortSignal;
  /** how long one registry or index request may take before it is retried (default 30 s) */
  readonly timeoutMs?: number;
  /** progress: a registry or index request was sent, or a lockfile is done */
  readonly onProgress?: (p: DepsProgress) => void;
  /** the parts (default: the real ones, `./parts.js`); a partial set replaces only what it names */
  readonly parts?: Partial<DepsParts>;
  /** the metadata sources (default: opened from `registry`/`indexUrl`/`offline`/`cacheDir` by the parts) */
  readonly sources?: DepsSources;
}

export interface DepsProgress {
  /** requests sent so far */
  readonly requests: number;
  readonly lockfilesDone: number;
  readonly lockfiles: number;
}

/** One problem of a run, placed: what the SARIF and the text report list besides the matrix. */
export interface DepsFinding {
  /** AA301..AA305 */
  readonly id: string;
  readonly severity: DepsSeverity;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** `name@version`, when about one package */
  readonly package?: string;
  /** the target's label (`linux/arm64 (musl)`), when about one target */
  readonly target?: string;
  readonly message: string;
}

/** What `anyarch deps` found. */
export interface DepsRun {
  /** one per lockfile, in the order found (each with its own targets) */
  readonly reports: readonly LockfileReport[];
  /** one line per target label, over every lockfile, in first-seen order */
  readonly summaries: readonly TargetSummary[];
  /** the failing and noteworthy cells and lockfile warnings, placed (AA301..AA305) */
  readonly findings: readonly DepsFinding[];
  /** an install for some target would fail (a missing cell) */
  readonly failing: boolean;
  /** problems of the run that are not a lockfile's: a path naming nothing, a Dockerfile that could not be read */
  readonly errors: readonly AnyarchError[];
  /** how many packages every lockfile locks, native or not */
  readonly total: number;
}

/** `linux/arm64`, `linux/arm64 (musl)`, `linux/amd64 (glibc 2.31)`. Stage names are left to the report. */
export function targetLabel(t: DepsTarget): string {
  const p = formatPlatform(t.platform);
  if (t.libc === 'musl') return `${p} (musl)`;
  return t.libcVersion ? `${p} (glibc ${t.libcVersion})` : p;
}

/**
 * The labels of one lockfile's targets, as reports and summaries name them: {@link targetLabel},
 * with the installing stage added where two targets would otherwise read the same (one lockfile
 * installed in a build stage with a compiler and in a runtime stage without one):
 * `linux/arm64 [stage build]`, `linux/arm64 [stage runtime]`.
 */
export function targetLabels(targets: readonly DepsTarget[]): string[] {
  const plain = targets.map(targetLabel);
  const count = new Map<string, number>();
  for (const l of plain) count.set(l, (count.get(l) ?? 0) + 1);
  return plain.map((l, i) => {
    if ((count.get(l) ?? 0) < 2) return l;
    const site = targets[i]?.site;
    return site ? `${l} [stage ${site.stage}]` : l;
  });
}

/** Analyses one read lockfile against its targets: the ecosystem's analyser, verdict ids on the cells, and AA305 for what the reading warned. */
export async function analyzeLockfileReport(lock: Lockfile, targets: readonly DepsTarget[], sources: DepsSources, parts?: Partial<DepsParts>): Promise<LockfileReport> {
  const p = parts?.analyzeNpmLockfile && parts.analyzePythonLockfile ? (parts as Pick<DepsParts, 'analyzeNpmLockfile' | 'analyzePythonLockfile'>) : { ...(await realParts()), ...parts };
  const warnings: AnyarchError[] = [...lock.warnings];
  let packages: PackageReport[];
  try {
    const onWarning = (w: AnyarchError): void => void warnings.push(w);
    packages = lock.ecosystem === 'npm' ? await p.analyzeNpmLockfile(lock, targets, sources.npm, onWarning) : await p.analyzePythonLockfile(lock, targets, sources.python, onWarning);
  } catch (e) {
    // an analyser that throws is a bug of it; the lockfile's other facts and the other lockfiles still stand
    const error = isAnyarchError(e) ? e : new AnyarchError('E_INTERNAL', `analysing ${lock.file} failed: ${thrownSummary(e)}`, undefined, { file: lock.file }, { cause: e });
    return { file: lock.file, kind: lock.kind, ecosystem: lock.ecosystem, targets, packages: [], total: lock.packages.length, warnings, error };
  }
  return {
    file: lock.file,
    kind: lock.kind,
    ecosystem: lock.ecosystem,
    targets,
    packages: packages.map((r) => (r.cells.every((c) => cellVerdict(c)?.id === c.id) ? r : { ...r, cells: r.cells.map(withVerdict) })),
    total: lock.packages.length,
    warnings,
  };
}

/**
 * One `TargetSummary` per target label over `reports`, in first-seen order; `failing` when any has
 * a missing cell. A missing cell of an optional package (npm skips its failed build) is counted in
 * `optionalMissing`, not in `missing`, and fails nothing.
 */
export function summarizeDeps(reports: readonly LockfileReport[]): { readonly summaries: TargetSummary[]; readonly failing: boolean } {
  const byLabel = new Map<string, { prebuilt: number; compiles: number; missing: number; unknown: number; optionalMissing: number }>();
  for (const r of reports) {
    const labels = targetLabels(r.targets);
    for (const l of labels) if (!byLabel.has(l)) byLabel.set(l, { prebuilt: 0, compiles: 0, missing: 0, unknown: 0, optionalMissing: 0 });
    for (const pkg of r.packages) {
      pkg.cells.forEach((c, i) => {
        const s = byLabel.get(labels[i] ?? '');
        if (!s) return;
        if (c.status === 'missing' && pkg.optional) s.optionalMissing++;
        else s[c.status]++;
      });
    }
  }
  const summaries = [...byLabel].map(([target, { optionalMissing, ...s }]): TargetSummary => ({ target, ...s, ...(optionalMissing ? { optionalMissing } : {}), fails: s.missing > 0 }));
  return { summaries, failing: summaries.some((s) => s.fails) };
}

/**
 * The rows of a report that could not be screened (`PackageReport.unscreened`: a lock that records
 * no install scripts, a registry that could not answer), and one sentence for all of them:
 * `357 packages could not be screened for native code: the lock records no install scripts, ...
 * (e.g. align-text@0.1.4: <its first cell's reason>)`. Undefined when there are none.
 */
export function unscreenedSummary(r: Pick<LockfileReport, 'packages'>, examples = 5): { readonly count: number; readonly names: readonly string[]; readonly message: string } | undefined {
  const rows = r.packages.filter((p) => p.unscreened);
  const first = rows[0];
  if (!first) return undefined;
  const names = rows.map((p) => `${p.name}@${p.version}`);
  const shown = names.slice(0, examples).join(', ') + (names.length > examples ? ` and ${names.length - examples} more` : '');
  const message = `${rows.length} ${rows.length === 1 ? 'package' : 'packages'} could not be screened for native code (${shown}): ${first.cells[0]?.reason ?? 'unknown'}`;
  return { count: rows.length, names, message };
}

/** The placed problems of reports: a finding per cell that is not prebuilt, one for the rows that could not be screened, and AA305 per lockfile warning. */
export function depsFindings(reports: readonly LockfileReport[]): DepsFinding[] {
  const out: DepsFinding[] = [];
  for (const r of reports) {
    if (r.error) continue;
    for (const w of r.warnings) {
      out.push({ id: LOCKFILE_INCOMPLETE.id, severity: LOCKFILE_INCOMPLETE.severity, file: r.file, ...at(w.location), message: w.message });
    }
    const unscreened = unscreenedSummary(r);
    if (unscreened) {
      // at the warning that says the lock records no install scripts (its header), when there is one
      out.push({ id: UNKNOWN_COVERAGE.id, severity: UNKNOWN_COVERAGE.severity, file: r.file, ...at(r.warnings.find((w) => w.location?.line)?.location), message: unscreened.message });
    }
    const labels = targetLabels(r.targets);
    for (const pkg of r.packages) {
      if (pkg.unscreened) continue;
      pkg.cells.forEach((c: Cell, i) => {
        const v = cellVerdict(c);
        if (!v) return;
        out.push({
          id: v.id,
          // an optional package's failure is skipped by npm: a warning, not an error
          severity: pkg.optional && v.severity === 'error' ? 'warning' : v.severity,
          file: r.file,
          ...at(pkg.position),
          package: `${pkg.name}@${pkg.version}`,
          target: labels[i] ?? '',
          message: cellMessage(pkg, c, labels[i] ?? ''),
        });
      });
    }
  }
  return out;
}

function at(pos: { readonly line?: number | undefined; readonly column?: number | undefined } | undefined): { line?: number; column?: number } {
  return { ...(pos?.line ? { line: pos.line } : {}), ...(pos?.column ? { column: pos.column } : {}) };
}

/** What an optional package's missing cell means, in words every reporter uses. */
export const OPTIONAL_NOTE = 'optional: npm skips a failed build';

/** One sentence for a cell: `sharp@0.33.5 has no binary for linux/ppc64le (musl): no @img/sharp-linuxmusl-ppc64 package`. */
export function cellMessage(pkg: PackageReport, c: Cell, label: string): string {
  const who = `${pkg.name}@${pkg.version}`;
  switch (c.status) {
    case 'prebuilt':
      return `${who} is prebuilt for ${label}${c.artifact ? `: ${c.artifact}` : ''}`;
    case 'compiles':
      return `${who} compiles at install on ${label}${c.needs?.length ? ` (needs ${c.needs.join(', ')})` : ''}: ${c.reason}`;
    case 'missing': {
      const optional = pkg.optional ? ` (${OPTIONAL_NOTE})` : '';
      return c.lacking?.length
        ? `${who} compiles at install on ${label} but the stage lacks ${c.lacking.join(', ')}${optional}: ${c.reason}`
        : `${who} has no binary for ${label}${optional}: ${c.reason}`;
    }
    case 'unknown':
      return `whether ${who} has a binary for ${label} is unknown: ${c.reason}`;
  }
}

let loadedParts: Promise<DepsParts> | undefined;
/** The real parts, loaded once and only when needed. */
function realParts(): Promise<DepsParts> {
  loadedParts ??= import('./parts.js').then((m) => m.DEPS_PARTS);
  return loadedParts;
}

const PART_NAMES = ['lockfileKind', 'readLockfile', 'analyzeNpmLockfile', 'analyzePythonLockfile', 'openNpmMetadata', 'openPythonIndex', 'installSites'] as const;

/** The parts given, completed by the real ones (loaded only when some part is not given). */
async function partsFrom(given: Partial<DepsParts> = {}): Promise<DepsParts> {
  return PART_NAMES.some((k) => given[k] === undefined) ? { ...(await realParts()), ...given } : (given as DepsParts);
}

/** `glibc`, `musl`, `glibc:2.31`, `musl-1.2.4`, `gnu` → a libc and its version. */
export function parseLibc(spec: string): { readonly libc: Libc; readonly version?: string } {
  const m = /^(glibc|gnu|musl)(?:[:@-]?(\d+(?:\.\d+){0,2}))?$/i.exec(spec.trim());
  if (!m) throw new AnyarchError('E_USAGE', `unknown libc "${spec}"`, 'use glibc or musl, optionally with a version: glibc:2.31, musl:1.2.4');
  const libc: Libc = (m[1] as string).toLowerCase() === 'musl' ? 'musl' : 'glibc';
  return m[2] ? { libc, version: m[2] } : { libc };
}

function checkVersion(what: string, v: string | undefined, problem: (v: string) => string | undefined): void {
  const why = v === undefined ? undefined : problem(v);
  if (why !== undefined) throw new AnyarchError('E_USAGE', `invalid ${what} version ${JSON.stringify(v?.slice(0, 40))}: ${why}`);
}

/** The targets of the command line (no Dockerfile): each platform with `--libc`, `--python`, `--node`. */
export function flagTargets(platforms: readonly Platform[], opts: Pick<DepsOptions, 'libc' | 'python' | 'node'>): DepsTarget[] {
  const libc = opts.libc !== undefined ? parseLibc(opts.libc) : { libc: 'glibc' as const };
  checkVersion('Python', opts.python, pythonVersionProblem);
  checkVersion('Node.js', opts.node, nodeMajorProblem);
  // npm's os/cpu/libc and wheel tags are read for Linux; another OS would be answered wrongly, so it is refused
  const other = platforms.find((p) => p.os !== 'linux');
  if (other) {
    throw new AnyarchError('E_USAGE', `${formatPlatform(other)} is not a Linux platform: anyarch deps answers for Linux containers`, 'Name Linux platforms: --platform linux/amd64,linux/arm64.');
  }
  return platforms.map((platform) => ({
    platform,
    libc: libc.libc,
    ...(libc.version !== undefined ? { libcVersion: libc.version } : {}),
    ...(opts.python !== undefined ? { python: opts.python } : {}),
    ...(opts.node !== undefined ? { node: opts.node } : {}),
  }));
}

interface Found {
  /** as given / joined with the directory as given */
  readonly file: string;
  readonly kind: LockfileKind;
}

/** The lockfiles that `paths` name: files as given (a file of no known name is refused), and every known name directly in a directory. */
export async function findLockfiles(paths: readonly string[], cwd: string, kindOf: DepsParts['lockfileKind']): Promise<{ found: Found[]; errors: AnyarchError[] }> {
  const found: Found[] = [];
  const errors: AnyarchError[] = [];
  const seen = new Set<string>();
  const add = (file: string, kind: LockfileKind): void => {
    const key = path.resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ file, kind });
  };
  for (const given of paths.length ? paths : ['.']) {
    if (/[*?[]/.test(given)) {
      const matched = await globLockfiles(given, cwd, kindOf);
      if (matched.length === 0) errors.push(new AnyarchError('E_INPUT', `${given}: no lockfile matches this pattern`, 'quote the pattern so that the shell leaves it to anyarch: anyarch deps "services/*/package-lock.json"'));
      for (const f of matched) add(f.file, f.kind);
      continue;
    }
    const abs = path.resolve(cwd, given);
    let isDir: boolean;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch {
      errors.push(new AnyarchError('E_INPUT', `${given}: no such file or directory`, 'name a lockfile (package-lock.json, pnpm-lock.yaml, yarn.lock, uv.lock, poetry.lock, Pipfile.lock, requirements.txt...) or a directory holding one'));
      continue;
    }
    if (isDir && kindOf(given)) {
      // `anyarch deps package-lock.json` naming a directory: said as such, not searched
      errors.push(new AnyarchError('E_INPUT', `${given}: a directory, not a lockfile`));
      continue;
    }
    if (!isDir) {
      const kind = kindOf(given);
      if (kind) add(given, kind);
      else errors.push(new AnyarchError('E_INPUT', `${given}: not a lockfile anyarch reads`, 'lockfiles: package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, uv.lock, poetry.lock, pylock.toml, Pipfile.lock, requirements.txt'));
      continue;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      errors.push(new AnyarchError('E_INPUT', `${given}: cannot be read (${(e as NodeJS.ErrnoException).code ?? thrownSummary(e)})`));
      continue;
    }
    const names: string[] = [];
    let any = false;
    for (const d of entries) {
      if (d.isFile()) names.push(d.name);
      else if (kindOf(d.name)) {
        // a lockfile's name on something else: a link to a file is read, anything else is said
        const what = await statKind(path.join(abs, d.name));
        if (what === 'a regular file') names.push(d.name);
        else {
          errors.push(new AnyarchError('E_INPUT', `${given === '.' ? d.name : path.join(given, d.name)}: ${what}, not a lockfile`));
          any = true;
        }
      }
    }
    names.sort();
    for (const name of names) {
      const kind = kindOf(name);
      if (!kind) continue;
      // npm reads npm-shrinkwrap.json instead of package-lock.json when both are there
      if (kind === 'package-lock' && names.includes('npm-shrinkwrap.json')) continue;
      add(given === '.' ? name : path.join(given, name), kind);
      any = true;
    }
    if (!any) errors.push(new AnyarchError('E_INPUT', `${given}: no lockfile found in this directory`, 'anyarch deps reads package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, uv.lock, poetry.lock, pylock.toml, Pipfile.lock and requirements.txt'));
  }
  return { found, errors };
}

/** Directories a glob never descends into. */
const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', '.venv', '__pypackages__']);
/** Most directory entries a glob looks at. */
const MAX_GLOB_ENTRIES = 200_000;

/** A glob (`*`, `?`, `[...]` within a name, `**` across directories) as a regular expression over `/`-separated paths. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The lockfiles a glob names (relative to `cwd` as written), sorted; node_modules, .git and virtualenvs are not searched. */
async function globLockfiles(glob: string, cwd: string, kindOf: DepsParts['lockfileKind']): Promise<Found[]> {
  const posix = glob.split(path.sep).join('/');
  const parts = posix.split('/');
  const firstMagic = parts.findIndex((p) => /[*?[]/.test(p));
  const base = parts.slice(0, firstMagic).join('/') || (posix.startsWith('/') ? '/' : '.');
  const re = globRegExp(posix.replace(/^\.\//, ''));
  const out: Found[] = [];
  let seen = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(path.resolve(cwd, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++seen > MAX_GLOB_ENTRIES) return;
      const rel = dir === '.' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) await walk(rel);
      else if (e.isFile() && re.test(rel)) {
        const kind = kindOf(e.name);
        if (kind) out.push({ file: rel, kind });
      }
    }
  };
  await walk(base);
  return out;
}

async function readText(file: string, abs: string, limit: number, what: 'lockfile' | 'Dockerfile'): Promise<string> {
  // the messages leave the path to `location.file`, which every printer puts first
  try {
    const bytes = await readRegularFile(abs, limit);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof TooLargeError) {
      const size = e.size !== undefined ? ` (${(e.size / 1024 / 1024).toFixed(1)} MiB)` : '';
      throw new AnyarchError('E_INPUT', `larger than ${formatBytes(limit)}${size}, the most anyarch reads from a ${what}`, undefined, { file });
    }
    if (e instanceof TypeError) throw new AnyarchError('E_INPUT', 'not UTF-8 text', undefined, { file });
    if (e instanceof NotRegularFileError) throw new AnyarchError('E_INPUT', `cannot be read: ${e.message}`, undefined, { file });
    throw new AnyarchError('E_INPUT', `cannot be read: ${errnoReason(e)}`, undefined, { file });
  }
}

/** The Dockerfile's install sites, cached per Dockerfile; undefined when there is none to read. */
type SitesOf = (dockerfile: string) => Promise<readonly DepsInstallSite[] | AnyarchError>;

/**
 * The targets of one lockfile: the install sites of the Dockerfile that read it, else the flags'
 * (`undefined` then). The build context is not known here: the Dockerfile's directory, the
 * current directory and the lockfile's directories up to it are each tried (a Dockerfile in
 * `app/` built from the repository's root names `app/uv.lock`).
 */
function targetsFor(lockfile: string, dockerfile: string, sites: readonly DepsInstallSite[], cwd: string): readonly DepsTarget[] | undefined {
  const abs = path.resolve(cwd, lockfile);
  const contexts = new Set([path.dirname(path.resolve(cwd, dockerfile)), path.resolve(cwd)]);
  for (let d = path.dirname(abs); d.startsWith(path.resolve(cwd)) && d !== path.dirname(d); d = path.dirname(d)) contexts.add(d);
  for (const context of contexts) {
    const rel = path.relative(context, abs).split(path.sep).join('/');
    const out: DepsTarget[] = [];
    const seen = new Set<string>();
    for (const s of sites) {
      if (!s.lockfiles.some((l) => l.replace(/^\.\//, '') === rel)) continue;
      // two installs of one lockfile where every fact of a verdict is the same (uv's documented
      // `uv sync --no-install-project` then `uv sync`; `npm ci` in a deps stage and again in the
      // runtime stage on the same base) are one target: the first install's
      for (const t of s.targets) {
        const key = verdictFactsKey(t);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(t);
      }
    }
    if (out.length) return out;
  }
  return undefined;
}

/** What decides a target's cells, as one string: platform, C library and its version, Python and Node versions, the toolchain's tools and headers (not where they were found). */
function verdictFactsKey(t: DepsTarget): string {
  const tc = t.toolchain;
  const tools = tc ? [tc.cc, tc.cxx, tc.make, tc.python3, tc.rust].map((b) => (b ? 1 : 0)).join('') + [...tc.headers].sort().join(',') : '-';
  return [formatPlatform(t.platform), t.libc, t.libcVersion ?? '', t.python ?? '', t.node ?? '', tools].join('\0');
}

/**
 * The reader of the files a requirements.txt (`lockfile`, as given against `cwd`) includes with
 * `-r`/`-c`: a path relative to the including file, followed when it leads (links resolved) into
 * the current directory, the lockfile's directory or the git work tree holding it; anything
 * else is refused (a requirements.txt cannot make anyarch print lines of any file of the user's).
 */
async function includeReader(cwd: string, lockfile: string): Promise<RequirementsInclude> {
  const dir = path.dirname(path.resolve(cwd, lockfile));
  const roots = [cwd, dir, (await dirsToWorkTreeRoot(dir))?.at(-1)].flatMap((d) => {
    try {
      return d === undefined ? [] : [realpathSync(d)];
    } catch {
      return [];
    }
  });
  return (ref, from) => {
    const abs = path.resolve(cwd, path.dirname(from), ref);
    const rel = path.relative(cwd, abs);
    const file = rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (e) {
      return { error: `${file}: ${errnoReason(e)}` };
    }
    if (!roots.some((r) => isInside(real, r))) return { error: `${file} is outside the current directory, the lockfile's and its git work tree; not followed` };
    const got = readTextSync(real, MAX_LOCKFILE_BYTES);
    return 'text' in got ? { file, text: got.text } : { error: `${file}: ${got.unreadable}` };
  };
}

/** What `anyarch deps` does, printing nothing. */
export async function analyzeDeps(paths: readonly string[], opts: DepsOptions): Promise<DepsRun> {
  const parts = await partsFrom(opts.parts);

  const platforms = opts.platforms === undefined ? undefined : typeof opts.platforms === 'string' ? parsePlatformList(opts.platforms) : opts.platforms;
  const fallback = flagTargets(platforms ?? parsePlatformList(DEFAULT_DEPS_PLATFORMS), opts);

  const { found, errors } = await findLockfiles(paths, opts.cwd, parts.lockfileKind);

  let requests = 0;
  let lockfilesDone = 0;
  const progress = (): void => opts.onProgress?.({ requests, lockfilesDone, lockfiles: found.length });
  // the npm lockfiles of this run name the cache pack of their answers: the next run on them reads one file
  const npmLocks = found.filter((f) => ecosystemOf(f.kind) === 'npm').map((f) => path.resolve(opts.cwd, f.file));
  const pack = npmLocks.length > 0 ? `deps ${npmLocks.sort().join('\n')}` : undefined;
  const { sourcesFor, flush } = metadataSources(
    parts,
    await withNpmConfig(opts),
    () => {
      requests++;
      progress();
    },
    pack,
  );

  const sitesCache = new Map<string, Promise<readonly DepsInstallSite[] | AnyarchError>>();
  const sitesOf: SitesOf = (dockerfile) => {
    const key = path.resolve(opts.cwd, dockerfile);
    let p = sitesCache.get(key);
    if (!p) {
      p = readText(dockerfile, key, MAX_DOCKERFILE_BYTES, 'Dockerfile')
        .then((text) => parts.installSites(text, dockerfile, platforms ?? parsePlatformList(DEFAULT_DEPS_PLATFORMS)))
        .catch((e: unknown) => (isAnyarchError(e) ? e : new AnyarchError('E_INPUT', `${dockerfile}: ${thrownSummary(e)}`, undefined, { file: dockerfile })));
      sitesCache.set(key, p);
    }
    return p;
  };
  const dockerfileErrors = new Set<AnyarchError>();

  const reports = await Promise.all(
    found.map(async ({ file, kind }): Promise<LockfileReport> => {
      const done = (r: LockfileReport): LockfileReport => {
        lockfilesDone++;
        progress();
        return r;
      };
      let lock: Lockfile;
      try {
        const text = await readText(file, path.resolve(opts.cwd, file), MAX_LOCKFILE_BYTES, 'lockfile');
        lock = kind === 'requirements' ? parts.readLockfile(file, text, await includeReader(opts.cwd, file)) : parts.readLockfile(file, text);
      } catch (e) {
        const error = isAnyarchError(e) ? e : new AnyarchError('E_INTERNAL', `reading ${file} failed: ${thrownSummary(e)}`, undefined, { file }, { cause: e });
        return done({ file, kind, ecosystem: ecosystemOf(kind), targets: [], packages: [], total: 0, warnings: [], error });
      }
      // the Dockerfile: the one named, else one beside the lockfile
      let dockerfile = opts.dockerfile;
      if (dockerfile === undefined) {
        const beside = path.join(path.dirname(file), 'Dockerfile');
        if (await isFile(path.resolve(opts.cwd, beside))) dockerfile = beside;
      }
      let targets: readonly DepsTarget[] = fallback;
      let unmatched: AnyarchError | undefined;
      if (dockerfile !== undefined) {
        const sites = await sitesOf(dockerfile);
        if (sites instanceof AnyarchError) dockerfileErrors.add(sites);
        else {
          const found = targetsFor(file, dockerfile, sites, opts.cwd);
          if (found) targets = found.map((t) => withFlagVersions(t, opts));
          else if (opts.dockerfile !== undefined) {
            // a Dockerfile named on purpose that installs none of it: said, so the flags' targets are not mistaken for its
            unmatched = new AnyarchError('E_INPUT', `${dockerfile} installs nothing from ${file} (no RUN reads it after a COPY or bind mount): the targets are the flags'`, 'Name the Dockerfile that installs this lockfile, or the lockfile it installs.', { file: dockerfile });
          }
        }
      }
      const report = await analyzeLockfileReport(lock, targets, sourcesFor(lock), parts);
      return done(unmatched ? { ...report, warnings: [unmatched, ...report.warnings] } : report);
    }),
  );
  await flush();
  const { summaries, failing } = summarizeDeps(reports);
  return {
    reports,
    summaries,
    findings: depsFindings(reports),
    failing,
    errors: [...errors, ...dockerfileErrors],
    total: reports.reduce((n, r) => n + r.total, 0),
  };
}

/** One lockfile a caller already read, with its targets (`check`'s lookup of an install site). */
export interface LockfileInput {
  /** the lockfile as reports name it */
  readonly lockfile: string;
  readonly text: string;
  readonly targets: readonly DepsTarget[];
  /** reads the files a requirements.txt's `-r`/`-c` lines name, as the caller may (the build context); none: not followed */
  readonly include?: RequirementsInclude;
}

/**
 * An analyser of lockfiles a caller reads itself (`check`'s AA123/AA124 lookup): each input is
 * read (`readLockfile`; a lockfile that cannot be read throws its `AnyarchError`) and analysed
 * with `analyzeLockfileReport`; the metadata sources are opened once, on first use, per
 * ecosystem (and per Python index). The real parts load only when the first lockfile comes.
 */
export function lockfileAnalyser(opts: Omit<DepsOptions, 'platforms' | 'dockerfile' | 'libc' | 'onProgress'> & { readonly onRequest?: (what: string) => void }): (input: LockfileInput) => Promise<LockfileReport> {
  let made: Promise<{ parts: DepsParts; sourcesFor: (lock: Lockfile) => DepsSources }> | undefined;
  return async (input) => {
    made ??= Promise.all([partsFrom(opts.parts), withNpmConfig(opts)]).then(([parts, o]) => ({ parts, sourcesFor: metadataSources(parts, o, opts.onRequest).sourcesFor }));
    const { parts, sourcesFor } = await made;
    const lock = input.include ? parts.readLockfile(input.lockfile, input.text, input.include) : parts.readLockfile(input.lockfile, input.text);
    return analyzeLockfileReport(lock, input.targets, sourcesFor(lock), parts);
  };
}

/**
 * The metadata sources of each lockfile, opened on first use: one npm registry client, one Python
 * index client per index URL (`indexUrl`, else the lockfile's, else `defaultIndexUrl`); `sources`
 * given replace them.
 */
/**
 * The options with npm's own choice of registry, token and scoped registries (its environment,
 * the project's and the user's .npmrc) when the caller names no registry.
 */
async function withNpmConfig<O extends Pick<DepsOptions, 'registry' | 'token' | 'cwd' | 'env'>>(opts: O): Promise<O & { readonly scopes?: NpmConfig['scopes'] }> {
  if (opts.registry !== undefined) return opts;
  const env = opts.env ?? process.env;
  const { readNpmConfig } = await import('./npm/npmrc.js');
  const npmrc = await readNpmConfig({ cwd: opts.cwd, env, home: env.HOME || os.homedir() });
  return { ...opts, registry: npmrc.registry, scopes: npmrc.scopes, ...(npmrc.token !== undefined && opts.token === undefined ? { token: npmrc.token } : {}) };
}

function metadataSources(
  parts: Pick<DepsParts, 'openNpmMetadata' | 'openPythonIndex'>,
  opts: Pick<DepsOptions, 'registry' | 'token' | 'cacheDir' | 'env' | 'offline' | 'signal' | 'timeoutMs' | 'sources' | 'indexUrl' | 'defaultIndexUrl'> & { readonly scopes?: NpmConfig['scopes'] },
  onRequest: ((what: string) => void) | undefined,
  pack?: string,
): { sourcesFor: (lock: Lockfile) => DepsSources; flush: () => Promise<void> } {
  const meta: MetadataOptions = {
    ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.scopes !== undefined ? { scopes: opts.scopes } : {}),
    cacheDir: opts.cacheDir ?? defaultCacheDir(opts.env ?? process.env),
    offline: opts.offline === true,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(onRequest ? { onRequest } : {}),
  };
  let npm = opts.sources?.npm;
  // only a source opened here is flushed: one the caller gave is the caller's
  let opened: NpmMetadataSource | undefined;
  const python = new Map<string, PythonIndexSource>();
  const sourcesFor = (lock: Lockfile): DepsSources => {
    if (lock.ecosystem === 'npm') return { npm: (npm ??= opened = parts.openNpmMetadata(pack !== undefined ? { ...meta, pack } : meta)) };
    if (opts.sources?.python) return { python: opts.sources.python };
    const url = opts.indexUrl ?? lock.indexUrl ?? opts.defaultIndexUrl ?? (opts.env ?? process.env).PIP_INDEX_URL;
    const open = (u: string | undefined): PythonIndexSource => {
      let index = python.get(u ?? '');
      if (!index) python.set(u ?? '', (index = parts.openPythonIndex({ ...meta, ...(u !== undefined ? { indexUrl: u } : {}) })));
      return index;
    };
    // --extra-index-url: pip looks every package up in each index too (each cached under its own URL)
    const extra = (lock.extraIndexUrls ?? []).filter((u) => u !== url);
    return { python: extra.length ? mergedIndex([open(url), ...extra.map(open)]) : open(url) };
  };
  const flush = async (): Promise<void> => {
    try {
      await opened?.flush?.();
    } catch {
      // what a source keeps for the next run only saves time
    }
  };
  return { sourcesFor, flush };
}

/** A Dockerfile target whose base names no Python/Node version takes the flag's. */
function withFlagVersions(t: DepsTarget, opts: Pick<DepsOptions, 'python' | 'node'>): DepsTarget {
  if ((t.python !== undefined || opts.python === undefined) && (t.node !== undefined || opts.node === undefined)) return t;
  return { ...t, ...(t.python === undefined && opts.python !== undefined ? { python: opts.python } : {}), ...(t.node === undefined && opts.node !== undefined ? { node: opts.node } : {}) };
}

/** What a path names, links followed (`fileKind`'s words), or `a symbolic link to nothing`. */
async function statKind(abs: string): Promise<string> {
  try {
    return fileKind(await stat(abs));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'a symbolic link to nothing' : `unreadable (${errnoReason(e)})`;
  }
}

async function isFile(abs: string): Promise<boolean> {
  try {
    return (await stat(abs)).isFile();
  } catch {
    return false;
  }
}

const PYTHON_KINDS: ReadonlySet<LockfileKind> = new Set(['uv-lock', 'poetry-lock', 'pylock', 'pipfile-lock', 'requirements']);
function ecosystemOf(kind: LockfileKind): 'npm' | 'python' {
  return PYTHON_KINDS.has(kind) ? 'python' : 'npm';
}
