/**
 * Python distribution file names and whether a wheel installs on a target: wheel names (PEP 427,
 * with compressed tag sets such as `cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64`),
 * platform tags (PEP 600 `manylinux_X_Y_<arch>` and its legacy aliases manylinux1 = 2_5,
 * manylinux2010 = 2_12, manylinux2014 = 2_17; PEP 656 `musllinux_X_Y_<arch>`; `linux_<arch>`,
 * which is never portable: PyPI refuses it and an index that serves it serves a build for one
 * machine), interpreter and ABI tags (`cp312-cp312`, `cp39-abi3` = CPython 3.9 and later,
 * `py3-none`, free-threaded `cp313t` for a target whose Python is `3.13t`), and sdists. Pure: no I/O.
 *
 * The interpreter is taken to be CPython (the official `python` images and Debian's python3):
 * the tags a CPython X.Y accepts are packaging's `cpython_tags` then `compatible_tags`, and pip
 * prefers them in that order, which {@link wheelFits}'s `rank` follows.
 */
import { toVocabulary } from '../../platform/index.js';
import type { DepsTarget } from '../types.js';

/** PEP 503: lower case, runs of `-`, `_`, `.` as one `-`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export interface WheelTag {
  readonly python: string;
  readonly abi: string;
  readonly platform: string;
}

export interface WheelName {
  readonly filename: string;
  /** PEP 503 normalised */
  readonly name: string;
  readonly version: string;
  readonly build?: string;
  /** every tag of the compressed set (python × abi × platform) */
  readonly tags: readonly WheelTag[];
  readonly platforms: readonly string[];
}

/** `numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl`; undefined when not a wheel name. */
export function parseWheelName(filename: string): WheelName | undefined {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts as [string, string];
  const build = parts.length === 6 ? parts[2] : undefined;
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  if (!name || !version || !py || !abi || !plat) return undefined;
  const pythons = py.split('.');
  const abis = abi.split('.');
  const platforms = plat.split('.');
  const tags: WheelTag[] = [];
  for (const p of pythons) for (const a of abis) for (const pl of platforms) tags.push({ python: p, abi: a, platform: pl });
  return { filename, name: normalizeName(name), version, ...(build !== undefined ? { build } : {}), tags, platforms };
}

const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'] as const;

/** Whether a file name is a source distribution (`.tar.gz`, `.zip`, ...). */
export function isSdist(filename: string): boolean {
  return SDIST_SUFFIXES.some((s) => filename.endsWith(s));
}

/** The version an sdist's file name carries for a project (`PyYAML-6.0.1.tar.gz` → `6.0.1`), when it names that project. */
export function sdistVersion(filename: string, name: string): string | undefined {
  const suffix = SDIST_SUFFIXES.find((s) => filename.endsWith(s));
  if (!suffix) return undefined;
  const stem = filename.slice(0, -suffix.length);
  // the name may itself hold dashes: the version is what follows the name's normalised form
  const want = normalizeName(name);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (normalizeName(stem.slice(0, i)) === want && /^\d/.test(stem.slice(i + 1))) return stem.slice(i + 1);
  }
  return undefined;
}

/** What a platform tag asks of the machine. */
export type PlatformTag =
  | { readonly kind: 'any' }
  | { readonly kind: 'manylinux'; readonly arch: string; readonly major: number; readonly minor: number }
  | { readonly kind: 'musllinux'; readonly arch: string; readonly major: number; readonly minor: number }
  /** `linux_<arch>`: built on one glibc machine, taken by pip on any glibc Linux of that arch */
  | { readonly kind: 'linux'; readonly arch: string }
  /** macOS, Windows, Android, iOS...: not Linux */
  | { readonly kind: 'other'; readonly os: string };

const LEGACY_MANYLINUX: Readonly<Record<string, readonly [number, number]>> = {
  manylinux1: [2, 5],
  manylinux2010: [2, 12],
  manylinux2014: [2, 17],
};

const PEP600 = /^(manylinux|musllinux)_(\d+)_(\d+)_(.+)$/;
const LEGACY = /^(manylinux1|manylinux2010|manylinux2014)_(.+)$/;

/** tag → parsed: the distinct tags of a lockfile are few, each asked for per wheel and target */
const PLATFORM_TAGS = new Map<string, PlatformTag>();

export function parsePlatformTag(tag: string): PlatformTag {
  let parsed = PLATFORM_TAGS.get(tag);
  if (!parsed) {
    parsed = parsePlatformTagUncached(tag);
    if (PLATFORM_TAGS.size < 10_000) PLATFORM_TAGS.set(tag, parsed);
  }
  return parsed;
}

function parsePlatformTagUncached(tag: string): PlatformTag {
  if (tag === 'any') return { kind: 'any' };
  const m = PEP600.exec(tag);
  if (m) return { kind: m[1] as 'manylinux' | 'musllinux', major: Number(m[2]), minor: Number(m[3]), arch: m[4]! };
  const l = LEGACY.exec(tag);
  if (l) {
    const [major, minor] = LEGACY_MANYLINUX[l[1]!]!;
    return { kind: 'manylinux', major, minor, arch: l[2]! };
  }
  if (tag.startsWith('linux_')) return { kind: 'linux', arch: tag.slice(6) };
  const os = tag.split('_')[0] ?? tag;
  return { kind: 'other', os };
}

/** `2.31` → [2, 31]; `1.2.4` → [1, 2]; undefined when not a version. */
export function libcVersionParts(v: string | undefined): readonly [number, number] | undefined {
  const m = v === undefined ? null : /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** `3.12` → [3, 12]. */
function pythonParts(v: string | undefined): readonly [number, number] | undefined {
  const m = v === undefined ? null : /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The wheel arch suffix of a target (`aarch64`, `armv7l`, `x86_64`, `i686`), or undefined for a platform Python does not name. */
export function wheelArch(target: DepsTarget): string | undefined {
  const key = `${target.platform.os}/${target.platform.architecture}/${target.platform.variant}`;
  let arch = ARCHES.get(key);
  if (arch === undefined) {
    arch = toVocabulary(target.platform, 'python') ?? '';
    ARCHES.set(key, arch);
  }
  return arch || undefined;
}

/** platform → wheel arch ('' for none): a handful of entries, asked for every wheel and target */
const ARCHES = new Map<string, string>();

/** Why a wheel does not install on a target, most telling last. */
export type WheelMiss =
  | { readonly kind: 'os'; readonly os: string }
  | { readonly kind: 'arch'; readonly arch: string }
  | { readonly kind: 'not-portable'; readonly tag: string }
  | { readonly kind: 'libc-kind'; readonly libc: 'glibc' | 'musl' }
  | { readonly kind: 'libc-version'; readonly tag: string; readonly needs: string }
  | { readonly kind: 'python'; readonly python: string; readonly abi: string };

export type WheelFit =
  | {
      readonly fits: true;
      /** lower is better, as pip orders tags */
      readonly rank: number;
      /** the wheel fits only because the target's libc version is unknown (the floor, e.g. `2.28`, was not checked) */
      readonly uncheckedFloor?: string;
    }
  | { readonly fits: false; readonly misses: readonly WheelMiss[] };

/**
 * How well a python/abi pair suits CPython `py` (undefined: unknown, anything CPython 3 accepts
 * fits): a rank (lower is better), or undefined when it does not install.
 */
function interpreterRank(python: string, abi: string, py: readonly [number, number] | undefined, freeThreaded = false): number | undefined {
  const cp = /^cp(\d)(\d+)$/.exec(python);
  if (cp) {
    const major = Number(cp[1]);
    const minor = Number(cp[2]);
    if (major !== 3) return undefined;
    if (abi === 'abi3') {
      // the stable ABI of 3.minor runs on 3.minor and later, but not on a free-threaded build
      if (freeThreaded) return undefined;
      if (py && minor > py[1]) return undefined;
      return 100 + (py ? py[1] - minor : 0);
    }
    if (py && minor !== py[1]) return undefined;
    if (freeThreaded ? abi === `cp3${minor}t` : abi === `cp3${minor}` || (minor < 8 && abi === `cp3${minor}m`)) return 0;
    if (abi === 'none') return 300;
    // cp313t on a default build, cp313 on a free-threaded one, debug builds (d), other ABIs
    return undefined;
  }
  if (abi !== 'none') return undefined;
  if (python === 'py3') return 500;
  if (python === 'py2') return undefined;
  const pyx = /^py3(\d+)$/.exec(python);
  if (pyx) {
    const minor = Number(pyx[1]);
    if (py && minor > py[1]) return undefined;
    return 400 + (py ? py[1] - minor : 0);
  }
  // pp (PyPy), ip, jy: another interpreter
  return undefined;
}

/** How well a platform tag suits a target: a rank (lower is better) or why not. */
function platformRank(tag: string, target: DepsTarget, arch: string | undefined): { rank: number; unchecked?: string } | WheelMiss {
  const t = parsePlatformTag(tag);
  switch (t.kind) {
    case 'any':
      return { rank: 10_000 };
    case 'other':
      return { kind: 'os', os: t.os };
    case 'linux':
      // pip and uv take `linux_<arch>` on any glibc Linux of that arch, after every manylinux tag
      // and before `any` (PyTorch's CPU index: torch-2.5.1+cpu-cp312-cp312-linux_x86_64.whl;
      // piwheels' linux_armv7l); it was built against glibc: not for musl
      if (t.arch !== arch) return { kind: 'arch', arch: t.arch };
      return target.libc === 'musl' ? { kind: 'not-portable', tag } : { rank: 5_000 };
    case 'manylinux':
    case 'musllinux': {
      if (t.arch !== arch) return { kind: 'arch', arch: t.arch };
      const libc = t.kind === 'manylinux' ? 'glibc' : 'musl';
      if (target.libc !== libc) return { kind: 'libc-kind', libc };
      const floor = `${t.major}.${t.minor}`;
      const have = libcVersionParts(target.libcVersion);
      // newer floors first, as packaging lists them
      const rank = 1000 - (t.major * 100 + t.minor);
      if (!have) return { rank, unchecked: floor };
      if (have[0] < t.major || (have[0] === t.major && have[1] < t.minor)) return { kind: 'libc-version', tag, needs: floor };
      return { rank };
    }
  }
}

/** What of a target decides a wheel's fit, computed once per target. */
interface TargetFacts {
  readonly arch: string | undefined;
  readonly py: readonly [number, number] | undefined;
  readonly have: readonly [number, number] | undefined;
  /** a free-threaded CPython (`3.13t`) */
  readonly ft: boolean;
  /** `python-abi` → interpreter rank, -1 when it does not install */
  readonly interpreters: Map<string, number>;
}

const FACTS = new WeakMap<DepsTarget, TargetFacts>();

function factsOf(target: DepsTarget): TargetFacts {
  let f = FACTS.get(target);
  if (!f) {
    f = { arch: wheelArch(target), py: pythonParts(target.python), have: libcVersionParts(target.libcVersion), ft: target.python?.endsWith('t') === true, interpreters: new Map() };
    FACTS.set(target, f);
  }
  return f;
}

/**
 * The rank of the best tag of `wheel` on `target` (lower is better), or undefined when the wheel
 * does not install there: {@link wheelFits} without its reasons, allocating nothing, for the
 * hot path (every wheel of every package on every target).
 */
export function fitRank(wheel: WheelName, target: DepsTarget): number | undefined {
  const f = factsOf(target);
  let best: number | undefined;
  for (const tag of wheel.tags) {
    const t = parsePlatformTag(tag.platform);
    let pr: number;
    if (t.kind === 'any') pr = 10_000;
    else if (t.kind === 'manylinux' || t.kind === 'musllinux') {
      if (t.arch !== f.arch || target.libc !== (t.kind === 'manylinux' ? 'glibc' : 'musl')) continue;
      if (f.have && (f.have[0] < t.major || (f.have[0] === t.major && f.have[1] < t.minor))) continue;
      pr = 1000 - (t.major * 100 + t.minor);
    } else if (t.kind === 'linux') {
      if (t.arch !== f.arch || target.libc === 'musl') continue;
      pr = 5_000;
    } else continue;
    const key = `${tag.python}-${tag.abi}`;
    let ir = f.interpreters.get(key);
    if (ir === undefined) {
      ir = interpreterRank(tag.python, tag.abi, f.py, f.ft) ?? -1;
      f.interpreters.set(key, ir);
    }
    if (ir < 0) continue;
    const rank = ir * 100_000 + pr;
    if (best === undefined || rank < best) best = rank;
  }
  return best;
}

/**
 * Whether a wheel installs on a target (Linux, its CPU, libc kind and version, CPython version),
 * with its rank among the wheels that do (pip's preference: interpreter and ABI first, then the
 * platform tag), or every reason it does not.
 */
export function wheelFits(wheel: WheelName, target: DepsTarget): WheelFit {
  const arch = wheelArch(target);
  const py = pythonParts(target.python);
  const misses: WheelMiss[] = [];
  let best: { rank: number; unchecked?: string } | undefined;
  for (const tag of wheel.tags) {
    const ir = interpreterRank(tag.python, tag.abi, py, target.python?.endsWith('t') === true);
    const pr = platformRank(tag.platform, target, arch);
    if ('kind' in pr) {
      misses.push(pr);
      continue;
    }
    if (ir === undefined) {
      misses.push({ kind: 'python', python: tag.python, abi: tag.abi });
      continue;
    }
    const rank = ir * 100_000 + pr.rank;
    if (!best || rank < best.rank) best = { rank, ...(pr.unchecked ? { unchecked: pr.unchecked } : {}) };
  }
  if (best) return { fits: true, rank: best.rank, ...(best.unchecked ? { uncheckedFloor: best.unchecked } : {}) };
  return { fits: false, misses };
}

/** Whether a wheel holds code for one platform (anything but `any`): a package with one has native code. */
export function isPlatformWheel(wheel: WheelName): boolean {
  return wheel.platforms.some((p) => p !== 'any');
}

/**
 * The `--platform` tags to hand `pip download` for a target: pip takes them literally and does
 * not expand `manylinux_2_28_<arch>` to older floors (pypa/pip#10760), so every floor from 2_17
 * (glibc) or 1_1 (musl) up to the target's version is listed, with the legacy aliases.
 * Undefined for an unknown libc version or a platform Python does not name.
 */
export function pipPlatformTags(target: DepsTarget): readonly string[] | undefined {
  const arch = wheelArch(target);
  const have = libcVersionParts(target.libcVersion);
  if (!arch || !have) return undefined;
  const out: string[] = [];
  if (target.libc === 'musl') {
    for (let minor = have[1]; minor >= 1; minor--) out.push(`musllinux_${have[0]}_${minor}_${arch}`);
    return out;
  }
  for (let minor = have[1]; minor >= 5; minor--) {
    out.push(`manylinux_${have[0]}_${minor}_${arch}`);
    if (minor === 17) out.push(`manylinux2014_${arch}`);
    if (minor === 12) out.push(`manylinux2010_${arch}`);
    if (minor === 5) out.push(`manylinux1_${arch}`);
  }
  // pip's own list ends with linux_<arch> (packaging.tags), taken on glibc as wheelFits takes it
  out.push(`linux_${arch}`);
  return out;
}
