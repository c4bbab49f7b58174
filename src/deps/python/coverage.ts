/**
 * Python coverage: for each locked package with native code, per target, the wheel pip would
 * install (`prebuilt`), else a build from the sdist (`compiles` when the stage has what it needs
 * or the stage is unknown; `missing` when it lacks a compiler, Rust or headers), else `missing`
 * with why, in pip's words of tags.
 *
 * Which packages are in the matrix: those with at least one platform wheel (any tag but `any`)
 * for the locked version, and those known to hold native code (the table below) whatever their
 * files. A package with only an sdist and pure wheels is pure Python: it builds anywhere without
 * a compiler, so it is left out. A package whose files cannot be learnt (no index, an index
 * failure) is in the matrix with `unknown` cells naming why, so nothing is silently dropped.
 * A package whose marker is false on a target (`sys_platform == 'win32'`) is not installed
 * there: its cell is `prebuilt` with no artifact and a reason saying so; a package installed on
 * none of the targets is left out.
 */
import { AnyarchError } from '../../errors.js';
import { formatPlatform } from '../../platform/index.js';
import { isMetadataFailure as isFailure } from '../metadata-failure.js';
import { compileReason } from '../stage-words.js';
import type { Cell, DepsTarget, DistributionFile, LockedPackage, Lockfile, PackageReport, PythonIndexSource } from '../types.js';
import { evaluateMarker, requiresPythonAllows, requiresPythonFloor, targetEnvironment } from './markers.js';
import { fitRank, isPlatformWheel, isSdist, normalizeName, parsePlatformTag, parseWheelName, sdistVersion, wheelArch, wheelFits, type WheelMiss, type WheelName } from './tags.js';

/** Packages whose sdist builds native code (C, C++ or Rust): in the matrix even with no platform wheel locked. */
export const KNOWN_NATIVE: ReadonlySet<string> = new Set([
  'numpy', 'scipy', 'pandas', 'grpcio', 'grpcio-tools', 'cryptography', 'cffi', 'psutil', 'lxml', 'pillow', 'psycopg2',
  'psycopg2-binary', 'mysqlclient', 'pyyaml', 'regex', 'ujson', 'orjson', 'uvloop', 'greenlet', 'gevent', 'msgpack',
  'pydantic-core', 'tokenizers', 'bcrypt', 'rpds-py', 'jiter', 'watchfiles', 'httptools', 'markupsafe', 'frozenlist',
  'multidict', 'yarl', 'aiohttp', 'pycryptodome', 'pycryptodomex', 'kiwisolver', 'matplotlib', 'pyzmq', 'python-ldap',
  'google-crc32c', 'zstandard', 'lz4', 'xxhash', 'cython', 'h5py', 'shapely', 'pymssql', 'confluent-kafka', 'pynacl',
]);

/**
 * Known native packages whose C extension is optional: their build falls back to pure Python when
 * it cannot compile (MarkupSafe's and msgpack's setup.py catch the failed build; PyYAML's says
 * "falling back to pure Python"), so a stage without a compiler still installs them.
 */
const OPTIONAL_EXTENSION: ReadonlySet<string> = new Set(['markupsafe', 'pyyaml', 'msgpack']);

/**
 * Packages whose sdist needs Rust (maturin or setuptools-rust): a short table of the common
 * ones; cryptography since 3.4 (2021), bcrypt since 4.0.
 */
export const NEEDS_RUST: ReadonlySet<string> = new Set([
  'cryptography', 'pydantic-core', 'orjson', 'tokenizers', 'rpds-py', 'jiter', 'watchfiles', 'bcrypt', 'polars',
  'safetensors', 'tiktoken', 'nh3', 'rustworkx', 'cramjam', 'ruff',
]);

/** Packages whose build needs C++ besides C. */
const NEEDS_CXX: ReadonlySet<string> = new Set(['grpcio', 'grpcio-tools', 'numpy', 'scipy', 'pandas', 'matplotlib', 'kiwisolver', 'pyzmq', 'greenlet', 'gevent', 'pyarrow', 'scikit-learn', 'onnxruntime', 'lxml']);

/** Development packages a build links against, by libc (Debian names; Alpine names). */
const LIBRARY_HEADERS: Readonly<Record<string, { readonly glibc: readonly string[]; readonly musl: readonly string[] }>> = {
  cffi: { glibc: ['libffi-dev'], musl: ['libffi-dev'] },
  cryptography: { glibc: ['libssl-dev'], musl: ['openssl-dev'] },
  psycopg2: { glibc: ['libpq-dev'], musl: ['libpq-dev'] },
  lxml: { glibc: ['libxml2-dev', 'libxslt1-dev'], musl: ['libxml2-dev', 'libxslt-dev'] },
  mysqlclient: { glibc: ['default-libmysqlclient-dev'], musl: ['mariadb-dev'] },
  pillow: { glibc: ['libjpeg-dev', 'zlib1g-dev'], musl: ['jpeg-dev', 'zlib-dev'] },
  'python-ldap': { glibc: ['libldap2-dev', 'libsasl2-dev'], musl: ['openldap-dev'] },
};

export const C_COMPILER = 'a C compiler';
export const CXX_COMPILER = 'a C++ compiler';
export const RUST = 'Rust';
export const PYTHON_HEADERS = 'Python headers (python3-dev)';

/** What building a package from its sdist needs on a target. */
export function compileNeeds(name: string, target: DepsTarget): string[] {
  const needs = [C_COMPILER, PYTHON_HEADERS];
  if (NEEDS_CXX.has(name)) needs.push(CXX_COMPILER);
  if (NEEDS_RUST.has(name)) needs.push(RUST);
  needs.push(...(LIBRARY_HEADERS[name]?.[target.libc] ?? []));
  return needs;
}

/**
 * What the target's stage lacks of `needs`. Python headers count as present with a
 * `python3-dev`-like package or on an official `python` base image (which ships its headers).
 */
export function lackingOf(needs: readonly string[], target: DepsTarget): string[] {
  const tc = target.toolchain;
  if (!tc) return [];
  const officialPython = /(^|\/)python:/.test(target.site?.base ?? '');
  return needs.filter((n) => {
    if (n === C_COMPILER) return !tc.cc;
    if (n === CXX_COMPILER) return !tc.cxx;
    if (n === RUST) return !tc.rust;
    if (n === PYTHON_HEADERS) return !officialPython && !tc.headers.some((h) => /^python(3(\.\d+)?)?-dev$/.test(h));
    return !tc.headers.includes(n);
  });
}

export function targetLabel(t: DepsTarget): string {
  return `${formatPlatform(t.platform)}${t.libc === 'musl' ? ' (musl)' : ''}`;
}

/** The files of one version among an index's files for every version. */
export function filesOfVersion(files: readonly DistributionFile[], name: string, version: string): DistributionFile[] {
  return files.filter((f) => {
    const w = parseWheelName(f.filename);
    if (w) return w.version === version;
    return isSdist(f.filename) && sdistVersion(f.filename, name) === version;
  });
}

const STAGES: Readonly<Record<WheelMiss['kind'], number>> = { os: 0, arch: 1, 'not-portable': 2, 'libc-kind': 3, 'libc-version': 4, python: 5 };

/** One sentence for why no wheel fits, from the misses that got furthest. */
export function noWheelReason(wheels: readonly WheelName[], target: DepsTarget, hasSdist: boolean): string {
  const arch = wheelArch(target) ?? target.platform.architecture;
  const misses = wheels.flatMap((w) => {
    const f = wheelFits(w, target);
    return f.fits ? [] : f.misses;
  });
  const furthest = misses.reduce((m, x) => Math.max(m, STAGES[x.kind]), -1);
  const at = misses.filter((m) => STAGES[m.kind] === furthest);
  const tail = hasSdist ? '' : ' and no sdist';
  if (wheels.length === 0) return hasSdist ? 'no wheels, only an sdist' : 'no wheel and no sdist';
  switch (at[0]?.kind) {
    case 'python': {
      const tags = [...new Set(at.map((m) => (m.kind === 'python' ? m.abi === 'abi3' ? `${m.python}-abi3` : m.abi : '')))].sort();
      return `no wheel for CPython ${target.python ?? '?'} on ${arch} (the wheels are ${tags.join(', ')})${tail}`;
    }
    case 'libc-version': {
      const floors = at.map((m) => (m.kind === 'libc-version' ? m.needs : '')).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
      const kind = target.libc === 'musl' ? 'musllinux' : 'manylinux';
      return `only ${kind}_${floors[0]!.replace('.', '_')} wheels for ${arch}; the base has ${target.libc} ${target.libcVersion ?? '?'}${tail}`;
    }
    case 'libc-kind':
      return target.libc === 'musl' ? `no musllinux wheel for ${arch} (manylinux wheels need glibc)${tail}` : `only musllinux wheels for ${arch}${tail}`;
    case 'not-portable':
      return `only linux_${arch} wheels, built against glibc (no musllinux wheel)${tail}`;
    default:
      return `no wheel for ${arch}${tail}`;
  }
}

interface Files {
  readonly files?: readonly DistributionFile[];
  readonly unknown?: string;
}

async function filesFor(pkg: LockedPackage, index: PythonIndexSource | undefined): Promise<Files> {
  if (pkg.files) return { files: pkg.files };
  if (!index) return { unknown: 'the lockfile names no files and no index was asked' };
  const all = await index.files(pkg.name);
  if (isFailure(all)) return { unknown: all.error.message };
  if (all === undefined) return { unknown: `the index has no project ${pkg.name}` };
  const mine = filesOfVersion(all, pkg.name, pkg.version);
  return mine.length > 0 ? { files: mine } : { unknown: `the index lists no files for ${pkg.name} ${pkg.version}` };
}

/** PEP 440 release numbers only: `2.1.0` > `1.26.4`; prereleases and dev releases are not offered. */
function releaseParts(v: string): number[] | undefined {
  return /^\d+(\.\d+)*$/.test(v) ? v.split('.').map(Number) : undefined;
}

function newer(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

/** Whether pip refuses a file on the target for its `requires-python` (known to exclude the target's Python). */
function refusesPython(f: DistributionFile, t: DepsTarget): boolean {
  return f.requiresPython !== undefined && requiresPythonAllows(f.requiresPython, t.python) === false;
}

/** A wheel and the file it was read from. */
interface WheelFile {
  readonly wheel: WheelName;
  readonly file: DistributionFile;
}

/**
 * What pip may take on a target once `requires-python` is read (the index's, per file): the
 * wheels and the sdist it admits, and, when it refuses what would otherwise fit (a wheel whose
 * tags fit, the sdist), why in words, which then stands for the cell's reason.
 */
function pythonGate(files: readonly WheelFile[], sdist: DistributionFile | undefined, t: DepsTarget): { wheels: WheelName[]; sdist: DistributionFile | undefined; why?: string } {
  const refused = files.filter((w) => refusesPython(w.file, t) && fitRank(w.wheel, t) !== undefined);
  const sdistRefused = sdist !== undefined && refusesPython(sdist, t);
  const wheels = files.filter((w) => !refusesPython(w.file, t)).map((w) => w.wheel);
  const allowed = sdistRefused ? undefined : sdist;
  if (refused.length === 0 && !sdistRefused) return { wheels, sdist: allowed };
  const base = `the base has Python ${t.python}`;
  const sdistWords = sdistRefused ? `${sdist.filename} requires Python ${sdist.requiresPython}` : '';
  if (refused.length > 0) {
    const first = refused[0]!;
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more wheel${refused.length > 2 ? 's' : ''})` : '';
    const tail = sdistRefused ? `, and ${sdistWords}` : sdist ? '' : ', and there is no sdist';
    return { wheels, sdist: allowed, why: `${first.file.filename}${more} fits ${wheelArch(t) ?? t.platform.architecture} but requires Python ${first.file.requiresPython}${tail}; ${base}` };
  }
  return { wheels, sdist: allowed, why: `${noWheelReason(wheels, t, true)}; ${sdistWords}, and ${base}` };
}

/** The newest release after `version` whose wheels fit every target of `targets`, from an index's files. */
export function versionWithWheels(all: readonly DistributionFile[], version: string, targets: readonly DepsTarget[]): string | undefined {
  const byVersion = new Map<string, { wheel: WheelName; file: DistributionFile }[]>();
  for (const f of all) {
    if (f.yanked) continue;
    const w = parseWheelName(f.filename);
    if (!w || !releaseParts(w.version)) continue;
    const list = byVersion.get(w.version) ?? [];
    list.push({ wheel: w, file: f });
    byVersion.set(w.version, list);
  }
  const base = releaseParts(version) ?? [0];
  let best: { v: string; parts: number[] } | undefined;
  for (const [v, wheels] of byVersion) {
    const parts = releaseParts(v)!;
    if (!newer(parts, base) || (best && !newer(parts, best.parts))) continue;
    // a wheel pip takes there: its tags fit and its requires-python admits the target's Python
    if (targets.every((t) => wheels.some((w) => fitRank(w.wheel, t) !== undefined && !refusesPython(w.file, t)))) best = { v, parts };
  }
  return best?.v;
}

/** The glibc of Debian bookworm, the base the suggestions name (`python:3.12-slim-bookworm`). */
const BOOKWORM_GLIBC = '2.36';

/** The lowest manylinux floor among the wheels for the targets' CPUs (`2.28`). */
function lowestFloor(wheels: readonly WheelName[], targets: readonly DepsTarget[]): string | undefined {
  const arches = new Set(targets.map(wheelArch));
  const floors = wheels.flatMap((w) => w.platforms.map(parsePlatformTag)).flatMap((p) => (p.kind === 'manylinux' && arches.has(p.arch) ? [`${p.major}.${p.minor}`] : []));
  return floors.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))[0];
}

/**
 * A base with a newer Python where a wheel's tags fit a troubled target but its requires-python
 * refuses the target's Python, and that wheel is taken on the lowest Python it admits.
 */
function pythonFloorSuggestion(files: readonly WheelFile[], cells: readonly Cell[], targets: readonly DepsTarget[]): string | undefined {
  const byFloor = new Map<string, DepsTarget[]>();
  targets.forEach((t, i) => {
    if (cells[i]!.status === 'prebuilt') return;
    for (const { wheel, file } of files) {
      const floor = file.requiresPython && refusesPython(file, t) ? requiresPythonFloor(file.requiresPython) : undefined;
      if (!floor || requiresPythonAllows(file.requiresPython!, floor) !== true || fitRank(wheel, { ...t, python: floor }) === undefined) continue;
      byFloor.set(floor, [...(byFloor.get(floor) ?? []), t]);
      return;
    }
  });
  const parts = [...byFloor].map(([floor, ts]) => `a base with Python ${floor} (python:${floor}-${ts[0]!.libc === 'musl' ? 'alpine' : 'slim'}) has a wheel for ${ts.map(targetLabel).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function suggestionFor(name: string, files: readonly WheelFile[], cells: readonly Cell[], targets: readonly DepsTarget[], newerVersion: string | undefined, pythonFloor?: string): string | undefined {
  const troubled = targets.filter((_, i) => cells[i]!.status !== 'prebuilt');
  if (troubled.length === 0) return undefined;
  const parts: string[] = pythonFloor ? [pythonFloor] : [];
  if (newerVersion) parts.push(`${name} ${newerVersion} has wheels for ${troubled.map(targetLabel).join(', ')}`);
  // a glibc base only where a manylinux wheel pip takes fits the same CPU and Python: on the base named (bookworm's glibc), else on a newer glibc
  const wheels = files.map((w) => w.wheel);
  const fitsGlibc = (t: DepsTarget, version: string | undefined): boolean => files.some((w) => !refusesPython(w.file, t) && fitRank(w.wheel, { ...t, libc: 'glibc', libcVersion: version }) !== undefined);
  const musl = troubled.filter((t) => t.libc === 'musl' && fitsGlibc(t, BOOKWORM_GLIBC));
  if (musl.length > 0) parts.push(`a glibc base (python:${musl[0]!.python ?? '3'}-slim-bookworm) instead of Alpine has a manylinux wheel for ${musl.map(targetLabel).join(', ')}`);
  const muslNewer = troubled.filter((t) => t.libc === 'musl' && !fitsGlibc(t, BOOKWORM_GLIBC) && fitsGlibc(t, undefined));
  if (muslNewer.length > 0) parts.push(`a base with glibc >= ${lowestFloor(wheels, muslNewer) ?? '?'} instead of Alpine has a manylinux wheel for ${muslNewer.map(targetLabel).join(', ')}`);
  // a newer glibc only where the base's is what refuses the wheel
  const old = troubled.filter((t) => t.libc === 'glibc' && t.libcVersion && !fitsGlibc(t, t.libcVersion) && fitsGlibc(t, undefined));
  if (old.length > 0) parts.push(`a base with glibc >= ${lowestFloor(wheels, old) ?? '?'} (Debian bookworm has ${BOOKWORM_GLIBC}) for ${old.map(targetLabel).join(', ')}`);
  const compiling = cells.some((c) => c.status === 'compiles' || (c.lacking?.length ?? 0) > 0);
  if (parts.length === 0 && compiling) parts.push('a build-deps stage with the compiler and headers, copying the built wheel into the final stage');
  return parts.length > 0 ? `${parts.join('; ')}.` : undefined;
}

/** The cell of a package whose marker is false on the target: nothing is installed there. */
function notInstalled(pkg: LockedPackage, target: DepsTarget): Cell {
  return { status: 'prebuilt', reason: `not installed on ${targetLabel(target)} (marker ${pkg.marker})` };
}

function cellFor(pkg: LockedPackage, wheels: readonly WheelName[], sdist: DistributionFile | undefined, target: DepsTarget, env: ReadonlyMap<string, string | undefined>, refusedWhy?: string): Cell {
  if (pkg.marker !== undefined && evaluateMarker(pkg.marker, env) === false) return notInstalled(pkg, target);
  let best: { wheel: WheelName; rank: number } | undefined;
  for (const w of wheels) {
    const rank = fitRank(w, target);
    if (rank !== undefined && (!best || rank < best.rank)) best = { wheel: w, rank };
  }
  if (best) {
    const fit = target.libcVersion === undefined ? wheelFits(best.wheel, target) : undefined;
    const unchecked = fit?.fits ? fit.uncheckedFloor : undefined;
    const note = unchecked ? `; needs ${target.libc} >= ${unchecked}, and the base's version is unknown` : '';
    return { status: 'prebuilt', artifact: best.wheel.filename, reason: `wheel ${best.wheel.filename}${note}` };
  }
  const why = refusedWhy ?? noWheelReason(wheels, target, sdist !== undefined);
  if (!sdist) return { status: 'missing', reason: why, id: 'AA301' };
  const needs = compileNeeds(pkg.name, target);
  const lacking = lackingOf(needs, target);
  if (lacking.length === 0) return { status: 'compiles', needs, reason: compileReason(target, why, `pip builds ${sdist.filename}`, []), id: 'AA303' };
  if (OPTIONAL_EXTENSION.has(normalizeName(pkg.name))) {
    const how = `pip builds ${sdist.filename}, which installs as pure Python without its optional C extension`;
    return { status: 'compiles', needs, reason: compileReason(target, why, how, lacking), id: 'AA303' };
  }
  return { status: 'missing', needs, lacking, reason: compileReason(target, why, `pip would build ${sdist.filename}`, lacking), id: 'AA302' };
}

/**
 * The packages of a Python lockfile with native code and their cells, one per target in the
 * order of `targets`, in lockfile order. `index` answers for locks that name no files
 * (requirements.txt, Pipfile.lock) and offers newer versions for the suggestions.
 */
export async function analyzePythonLockfile(
  lock: Lockfile,
  targets: readonly DepsTarget[],
  index: PythonIndexSource | undefined,
  options: { readonly onWarning?: (w: AnyarchError) => void } = {},
): Promise<PackageReport[]> {
  const envs = targets.map(targetEnvironment);
  // packages whose files could not be learnt and that are not known to be native: left out of the matrix, said once
  const unchecked: { name: string; why: string }[] = [];
  const rows = await Promise.all(
    lock.packages.map(async (pkg): Promise<PackageReport | undefined> => {
      const name = normalizeName(pkg.name);
      const known = KNOWN_NATIVE.has(name);
      // the lock's own marker says where it is not installed (`pywin32==306 ; sys_platform == "win32"`), whatever the index knows
      const notHere = targets.map((_, i) => pkg.marker !== undefined && evaluateMarker(pkg.marker, envs[i]!) === false);
      if (targets.length > 0 && notHere.every(Boolean)) return undefined;
      const got = await filesFor(pkg, index);
      const base = { ecosystem: 'python' as const, name, version: pkg.version, ...(pkg.position ? { position: pkg.position } : {}) };
      if (!got.files) {
        const reason = `${name} ${pkg.version}: ${got.unknown ?? 'unknown'}`;
        // unknown files: in the matrix when known native, or when the index failed (it may be); without an index, said once
        if (!known && !index) {
          unchecked.push({ name, why: got.unknown ?? 'no index to ask' });
          return undefined;
        }
        const cells = targets.map((t, i): Cell => (notHere[i] ? notInstalled(pkg, t) : { status: 'unknown', reason, id: 'AA304' }));
        return { ...base, mechanism: known ? 'sdist' : 'wheels', cells };
      }
      const wheelFiles = got.files.flatMap((file) => {
        const wheel = parseWheelName(file.filename);
        return wheel ? [{ wheel, file }] : [];
      });
      const wheels = wheelFiles.map((w) => w.wheel);
      const platformWheels = wheels.some(isPlatformWheel);
      if (!platformWheels && !known) return undefined;
      const sdist = got.files.find((f) => isSdist(f.filename));
      const cells = targets.map((t, i) => {
        const gate = pythonGate(wheelFiles, sdist, t);
        return cellFor(pkg, gate.wheels, gate.sdist, t, envs[i]!, gate.why);
      });
      if (pkg.marker !== undefined && targets.length > 0 && cells.every((c) => c.status === 'prebuilt' && !c.artifact)) return undefined; // installed on none of the targets
      let newerVersion: string | undefined;
      const troubled = targets.filter((_, i) => cells[i]!.status !== 'prebuilt');
      if (index && troubled.length > 0) {
        const all = await index.files(name);
        if (Array.isArray(all)) newerVersion = versionWithWheels(all as readonly DistributionFile[], pkg.version, troubled);
      }
      const suggestion = suggestionFor(name, wheelFiles, cells, targets, newerVersion, pythonFloorSuggestion(wheelFiles, cells, targets));
      return { ...base, mechanism: platformWheels ? 'wheels' : 'sdist', cells, ...(suggestion ? { suggestion } : {}) };
    }),
  );
  if (unchecked.length && options.onWarning) {
    const names = unchecked.slice(0, 5).map((u) => u.name).join(', ') + (unchecked.length > 5 ? `, and ${unchecked.length - 5} more` : '');
    options.onWarning(
      new AnyarchError(
        'E_LOCKFILE',
        `${lock.file}: ${unchecked.length} package${unchecked.length === 1 ? '' : 's'} not checked for native code (${names}): ${unchecked[0]!.why}`,
        'The lockfile names no files for them; run once with the index reachable (--index-url) so its answers are cached.',
        { file: lock.file },
      ),
    );
  }
  const refused = lock.requiresPython === undefined ? [] : targets.filter((t) => requiresPythonAllows(lock.requiresPython!, t.python) === false);
  if (refused.length && options.onWarning) {
    const pythons = [...new Set(refused.map((t) => t.python))].join(', ');
    options.onWarning(
      new AnyarchError(
        'E_LOCKFILE',
        `${lock.file}: the project requires Python ${lock.requiresPython}, and ${refused.map(targetLabel).join(', ')} ${refused.length === 1 ? 'has' : 'have'} Python ${pythons}: ${INSTALLER[lock.kind] ?? 'the installer'} refuses to install there`,
        'Use a base image with a Python the project admits, or relock for this one.',
        { file: lock.file },
      ),
    );
  }
  return rows.filter((r): r is PackageReport => r !== undefined);
}

/** The install command that refuses a Python the lock's requires-python excludes, per kind. */
const INSTALLER: Partial<Record<Lockfile['kind'], string>> = { 'uv-lock': 'uv sync', 'poetry-lock': 'poetry install', 'pipfile-lock': 'pipenv install --deploy', pylock: 'an installer of pylock.toml' };
