/**
 * npm coverage: for every package of a Node lockfile with native code, one cell per target —
 * prebuilt (which artifact), compiles (what it needs), missing (why), unknown (why) — by the way
 * the package gets its binary: a per-platform package family, prebuildify's `prebuilds/`,
 * prebuild-install or node-pre-gyp release assets (HEAD), or node-gyp at install. Registry facts
 * come from an `NpmMetadataSource` (none: the lockfile alone; cells that need the registry are
 * `unknown`). Never throws for a package: a failure is that package's `unknown` cells.
 */
import { AnyarchError } from '../../errors.js';
import { formatPlatform, toVocabulary } from '../../platform/index.js';
import { isMetadataFailure as isFailure } from '../metadata-failure.js';
import { compileReason } from '../stage-words.js';
import type { Cell, DepsTarget, LockedPackage, Lockfile, Mechanism, MetadataFailure, NpmManifest, NpmMetadataSource, PackageReport } from '../types.js';
import { wasmFallback } from './fallbacks.js';
import { type Family, type FamilyMember, findFamilies, platformOfName } from './families.js';
import { type NativeHint, hasCompileFallback, installScripts, isKnownNonNative, nativeFromLock, nativeFromManifest, prebuildInstallFlags, shortScript } from './native.js';
import { DEFAULT_NODE, NODE_ABI, describePrebuild, matchPrebuild, parsePrebuilds } from './prebuilds.js';
import { nodePreGypUrl, prebuildInstallUrl } from './templates.js';

/** Verdict ids of cells (h12-cli's src/deps/verdicts.ts defines them). */
export const CELL_IDS = {
  noBinary: 'AA301',
  noToolchain: 'AA302',
  compiles: 'AA303',
  unknown: 'AA304',
} as const;

/** Header-only addon helpers: with an install script of the package's own, the package compiles (node-pty 1.0.0, nan). */
const ADDON_HEADERS: readonly string[] = ['nan', 'node-addon-api'];

/** What node-gyp needs to compile an addon. */
export const NODE_GYP_NEEDS: readonly string[] = ['a C/C++ compiler', 'make', 'python3'];

export interface NpmCoverageOptions {
  /** problems of the analysis that belong to no cell (a pruned family read from the registry, a registry failure) */
  readonly onWarning?: (w: AnyarchError) => void;
  /**
   * whether to ask the registry for a newer version that covers every target (default true: up to
   * 20 manifests of a family's newer versions, the newest version's tarball list or assets otherwise)
   */
  readonly suggestVersions?: boolean;
}

/** Target words every mechanism needs. */
interface TargetWords {
  readonly target: DepsTarget;
  /** `linux/arm64 (musl)` */
  readonly label: string;
  /** npm cpu word; undefined: not a platform Node knows */
  readonly cpu?: string;
  readonly armv: string;
  readonly node: string;
  /** '' when the target's Node major is known and in the ABI table, else what was assumed (said once in a cell whose verdict rests on an ABI) */
  readonly nodeNote: string;
  readonly abi: string;
}

function targetWords(t: DepsTarget): TargetWords {
  const cpu = toVocabulary(t.platform, 'node');
  const armv = t.platform.architecture === 'arm64' ? '8' : t.platform.architecture === 'arm' ? (t.platform.variant || 'v7').replace(/^v/, '') : '';
  const major = t.node?.split('.')[0];
  const node = major && NODE_ABI.has(major) ? major : DEFAULT_NODE;
  return {
    target: t,
    label: `${formatPlatform(t.platform)}${t.libc === 'musl' ? ' (musl)' : ''}`,
    ...(cpu ? { cpu } : {}),
    armv,
    node,
    nodeNote: node === major ? '' : major ? ` (Node ${node} assumed: Node ${major}'s ABI is not in anyarch's table, 18 to 24)` : ` (Node ${node} assumed; pass --node)`,
    abi: NODE_ABI.get(node) ?? '127',
  };
}

/** The cell of a compile at install: the toolchain decides (`compiles`, or `missing` for what the stage lacks). */
export function compileCell(target: DepsTarget, why: string): Cell {
  const toolchain = target.toolchain;
  if (!toolchain) return { status: 'compiles', needs: NODE_GYP_NEEDS, reason: compileReason(target, why, 'node-gyp compiles it', []), id: CELL_IDS.compiles };
  const lacking: string[] = [];
  if (!toolchain.cc || !toolchain.cxx) lacking.push('a C/C++ compiler');
  if (!toolchain.make) lacking.push('make');
  if (!toolchain.python3) lacking.push('python3');
  if (lacking.length === 0) return { status: 'compiles', needs: NODE_GYP_NEEDS, reason: compileReason(target, why, 'node-gyp compiles it', []), id: CELL_IDS.compiles };
  return { status: 'missing', needs: NODE_GYP_NEEDS, lacking, reason: compileReason(target, why, 'node-gyp would compile it', lacking), id: CELL_IDS.noToolchain };
}

function unknownCell(reason: string): Cell {
  return { status: 'unknown', reason, id: CELL_IDS.unknown };
}

/**
 * The native packages of an npm, pnpm or Yarn lockfile and their cells, one per target in target
 * order, in lockfile order (one row per name and version).
 */
export async function analyzeNpmLockfile(lock: Lockfile, targets: readonly DepsTarget[], meta: NpmMetadataSource | undefined, options: NpmCoverageOptions = {}): Promise<PackageReport[]> {
  const words = targets.map(targetWords);
  const { families, members } = findFamilies(lock.packages);
  const familyOf = new Map<LockedPackage, Family>();
  for (const f of families) familyOf.set(f.parent, f);
  const seen = new Set<string>();
  const jobs: Promise<PackageReport | undefined>[] = [];
  const manifests = new Map<string, Promise<NpmManifest | undefined | MetadataFailure>>();
  const manifest = (name: string, version: string): Promise<NpmManifest | undefined | MetadataFailure> => {
    const key = `${name}@${version}`;
    let p = manifests.get(key);
    if (!p) manifests.set(key, (p = meta ? meta.manifest(name, version) : Promise.resolve(undefined)));
    return p;
  };
  let byName: Map<string, LockedPackage> | undefined;
  const locked = (name: string): LockedPackage | undefined => {
    if (!byName) {
      byName = new Map();
      for (const p of lock.packages) if (!byName.has(p.name)) byName.set(p.name, p);
    }
    return byName.get(name);
  };
  const ctx: Ctx = { words, meta, manifest, warn: options.onWarning ?? (() => undefined), file: lock.file, suggest: options.suggestVersions !== false, pnpmScriptsGated: lock.kind === 'pnpm-lock' && (lock.formatVersion ?? '').startsWith('9'), locked };
  const scriptsUnrecorded = lock.unrecorded?.includes('install-scripts') === true;
  for (const pkg of lock.packages) {
    const id = `${pkg.name}@${pkg.version}`;
    if (seen.has(id) || members.has(pkg.name)) continue;
    if (!installsOnLinux(pkg.os ?? (lock.unrecorded?.includes('platforms') ? KNOWN_OS[pkg.name] : undefined))) continue; // fsevents and other packages of other systems
    const family = familyOf.get(pkg);
    if (family) {
      seen.add(id);
      jobs.push(familyReport(family, ctx));
      continue;
    }
    if (!pkg.optional && pkg.cpu && pkg.cpu.length > 0) {
      // a platform package required outright (not through a family's optional dependencies)
      seen.add(id);
      jobs.push(Promise.resolve(requiredPlatformReport(pkg, ctx)));
      continue;
    }
    const hint = nativeFromLock(pkg);
    // a lock that records no install scripts (npm v1, Yarn 1) cannot clear a package: the registry says
    if (!hint && !(scriptsUnrecorded && !isKnownNonNative(pkg.name))) continue;
    seen.add(id);
    const report = hint ? addonReport(pkg, hint, ctx) : screenedReport(pkg, ctx);
    // an optional package (npm `optional: true`, ssh2's cpu-features): npm skips its failed build
    jobs.push(pkg.optional ? report.then((r) => (r ? { ...r, optional: true } : r)) : report);
  }
  const reports = await Promise.all(jobs);
  return reports.filter((r): r is PackageReport => r !== undefined);
}

/** npm's `os` check for Linux: no list, a list naming linux, or only negations other than `!linux`. */
/**
 * The `os` of packages every old JavaScript lock carries, for locks that record no platforms (npm
 * v1, Yarn 1): fsevents (chokidar's optional dependency) declares `"os": ["darwin"]` in every
 * version, so npm and Yarn skip it on Linux; without this, such a lock offline would show it as a
 * native package of unknown coverage in nearly every project.
 */
const KNOWN_OS: Readonly<Record<string, readonly string[]>> = { fsevents: ['darwin'] };

export function installsOnLinux(os: readonly string[] | undefined): boolean {
  if (!os || os.length === 0) return true;
  if (os.includes('!linux')) return false;
  const positive = os.filter((o) => !o.startsWith('!'));
  return positive.length === 0 || positive.includes('linux');
}

interface Ctx {
  readonly words: readonly TargetWords[];
  readonly meta: NpmMetadataSource | undefined;
  /** meta.manifest, asked once per name and version within one analysis */
  readonly manifest: (name: string, version: string) => Promise<NpmManifest | undefined | MetadataFailure>;
  readonly warn: (w: AnyarchError) => void;
  readonly file: string;
  readonly suggest: boolean;
  /** a pnpm-lock.yaml of lockfileVersion 9: pnpm 10 runs no dependency's build script unless allowed */
  readonly pnpmScriptsGated: boolean;
  /** why there are no registry facts when `meta` is undefined (default: offline or no source) */
  readonly noMeta?: string;
  /** the lock's entry of a name (the first), looked up rarely: the map is built on first use */
  readonly locked: (name: string) => LockedPackage | undefined;
}

/**
 * Where a locked package came from when that is not a registry: a git repository, a GitHub
 * tarball, a local folder or file (what the lock's `resolved`, pnpm's tarball, Yarn's resolution
 * or a version that is no version says). The registry's package of that name and version, if
 * there is one, is not this code (it may be another package altogether), so it is not asked.
 */
export function nonRegistrySource(pkg: Pick<LockedPackage, 'resolved' | 'key' | 'version'>): string | undefined {
  for (const v of [pkg.resolved, pkg.key, pkg.version]) {
    if (v === undefined) continue;
    if (/(?:^|@)(?:git\+[a-z]+:|git:|github:|gitlab:|bitbucket:|ssh:)|\.git(?:#|$)/.test(v)) return 'a git repository';
    if (/^(?:[^@]+@)?https?:\/\/(?:codeload\.github\.com\/|github\.com\/[^/]+\/[^/]+\/(?:tarball|archive)\/)/.test(v)) return 'a GitHub tarball';
    if (/(?:^|@)(?:file:|link:|portal:)/.test(v)) return 'a local folder or file';
  }
  return undefined;
}

function row(pkg: LockedPackage, mechanism: Mechanism, cells: readonly Cell[], suggestion?: string): PackageReport {
  return {
    ecosystem: 'npm',
    name: pkg.name,
    version: pkg.version,
    ...(pkg.position ? { position: pkg.position } : {}),
    mechanism,
    cells,
    ...(suggestion ? { suggestion } : {}),
  };
}

// ---- per-platform package families --------------------------------------------------------------

interface MemberFacts {
  readonly name: string;
  readonly version?: string;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
  /** libc the name says (`-musl`, `linuxmusl-`), when the entry records none */
  readonly namedLibc?: string;
}

function memberFacts(m: FamilyMember): MemberFacts {
  const l = m.locked;
  return {
    name: m.name,
    ...(l ? { version: l.version } : {}),
    os: l?.os ?? [m.named.os],
    cpu: l?.cpu ?? [m.named.cpu],
    ...(l?.libc ? { libc: l.libc } : {}),
    ...(m.named.libc ? { namedLibc: m.named.libc } : {}),
  };
}

/** A member's facts from its own manifest (its `os`/`cpu`/`libc` fields, which win over its name). */
function manifestFacts(m: NpmManifest): MemberFacts {
  const named = platformOfName(m.name);
  return {
    name: m.name,
    version: m.version,
    os: m.os ?? [named?.os ?? 'linux'],
    ...(m.cpu ? { cpu: m.cpu } : named ? { cpu: [named.cpu] } : {}),
    ...(m.libc ? { libc: m.libc } : {}),
    ...(named?.libc ? { namedLibc: named.libc } : {}),
  };
}

function namedFacts(name: string, version: string | undefined): MemberFacts | undefined {
  const named = platformOfName(name);
  if (!named) return undefined;
  return { name, ...(version ? { version } : {}), os: [named.os], cpu: [named.cpu], ...(named.libc ? { namedLibc: named.libc } : {}) };
}

/**
 * In a family whose names mark musl builds (`linuxmusl-x64`, `-linux-x64-musl`), a Linux member
 * whose name marks no libc is the glibc build (sharp's `linux-x64`): said so, for the members
 * whose entry records no `libc` (a pruned lock, npm < 11.11).
 */
function withImpliedGlibc(facts: readonly MemberFacts[]): MemberFacts[] {
  if (!facts.some((f) => f.namedLibc === 'musl')) return [...facts];
  return facts.map((f) => (f.namedLibc || f.libc || !f.os?.includes('linux') ? f : { ...f, namedLibc: 'glibc' }));
}

/** Whether npm installs the member on the target, and whether it then loads there. */
function memberFits(m: MemberFacts, w: TargetWords): 'fits' | 'no' | 'wrong-libc' {
  if (!w.cpu) return 'no';
  if (m.os && !m.os.includes('linux')) return 'no';
  if (m.cpu && !m.cpu.includes(w.cpu)) return 'no';
  if (m.libc) return m.libc.includes(w.target.libc) ? 'fits' : 'no';
  if (m.namedLibc && m.namedLibc !== w.target.libc) return 'wrong-libc'; // installed (no libc field), fails to load
  return 'fits';
}

function familyCells(parentName: string, facts: readonly MemberFacts[], words: readonly TargetWords[]): Cell[] {
  const linux = facts.filter((f) => f.os?.includes('linux'));
  const have = [...new Set(linux.map((f) => platformOfName(f.name)?.suffix ?? f.name))].join(', ');
  return words.map((w): Cell => {
    const fits = facts.filter((f) => memberFits(f, w) === 'fits');
    if (fits.length > 0) {
      return { status: 'prebuilt', artifact: fits.map((f) => (f.version ? `${f.name}@${f.version}` : f.name)).join(', '), reason: `${fits[0]?.name} is built for ${w.label}` };
    }
    const wrong = facts.filter((f) => memberFits(f, w) === 'wrong-libc');
    const wrongNote = wrong.length > 0 ? `; ${wrong.map((f) => f.name).join(', ')} has no libc field, so npm installs it there, and a ${wrong[0]?.namedLibc} build fails to load on ${w.target.libc}` : '';
    return { status: 'missing', reason: `no ${parentName} platform package for ${w.label} (it has ${have || 'none for Linux'})${wrongNote}`, id: CELL_IDS.noBinary };
  });
}

async function familyReport(f: Family, ctx: Ctx): Promise<PackageReport> {
  const parent = f.parent;
  let facts = f.members.map(memberFacts);
  if (f.absent.length > 0 && ctx.meta) {
    // a lock pruned to one platform: the parent's manifest names every member and its version
    const m = await ctx.manifest(parent.name, parent.version);
    if (isFailure(m)) ctx.warn(packageWarning(ctx.file, parent, `the lock holds only some of its platform packages and the registry could not say the rest: ${m.error.message}; read from the names`));
    else if (m?.optionalDependencies) {
      const locked = new Map(f.members.flatMap((x, i) => (x.locked && facts[i] ? [[x.name, facts[i]] as const] : [])));
      const entries = await Promise.all(
        Object.entries(m.optionalDependencies).map(async ([name, version]): Promise<MemberFacts | undefined> => {
          const have = locked.get(name) ?? namedFacts(name, version);
          if (have) return have;
          // a name in words anyarch does not know: the member's own manifest says its os/cpu/libc
          const own = await ctx.manifest(name, version);
          return !isFailure(own) && own?.cpu?.length ? manifestFacts(own) : undefined;
        }),
      );
      facts = entries.filter((x): x is MemberFacts => x !== undefined);
    }
  }
  facts = withImpliedGlibc(facts);
  let cells = await withGlibcFloors(familyCells(parent.name, facts, ctx.words), facts, ctx);
  // a parent that loads a WASM build of its own where no member loads (next): see fallbacks.ts
  const fallback = cells.some((c) => c.id === CELL_IDS.noBinary) ? wasmFallback(parent.name, parent.version, ctx.locked) : undefined;
  if (fallback) cells = cells.map((c) => (c.id !== CELL_IDS.noBinary ? c : fallback.works ? { status: 'prebuilt', artifact: fallback.artifact, reason: `${c.reason}; ${fallback.how}` } : { ...c, reason: `${c.reason}; ${fallback.why}` }));
  const suggestion = await familySuggestion(parent, cells, ctx, (w) => facts.some((f) => memberFits(f, glibcWords(w)) === 'fits'), fallback && !fallback.works ? fallback.fix : undefined);
  return row(parent, 'platform-packages', cells, suggestion);
}

/** `>=2.36` -> [2, 36]; undefined for what is not a plain lower bound. */
function glibcFloor(range: unknown): number[] | undefined {
  if (typeof range !== 'string') return undefined;
  const m = /^\s*>=\s*(\d+)\.(\d+)\s*$/.exec(range);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function versionBelow(have: string, floor: readonly number[]): boolean {
  const [a = 0, b = 0] = have.split('.').map(Number);
  return a < (floor[0] ?? 0) || (a === floor[0] && b < (floor[1] ?? 0));
}

/**
 * A prebuilt member whose manifest sets a glibc floor (`config.glibc`, sharp's `@img/sharp-linux-arm`
 * needs >= 2.36), which npm does not check, on a glibc target whose version is known and lower:
 * missing. Asks the registry only for members that are some known-glibc target's artifact.
 */
async function withGlibcFloors(cells: Cell[], facts: readonly MemberFacts[], ctx: Ctx): Promise<Cell[]> {
  const meta = ctx.meta;
  if (!meta) return cells;
  return Promise.all(
    cells.map(async (cell, i): Promise<Cell> => {
      const w = ctx.words[i];
      if (!w || cell.status !== 'prebuilt' || w.target.libc !== 'glibc' || !w.target.libcVersion) return cell;
      for (const f of facts) {
        if (!f.version || memberFits(f, w) !== 'fits') continue;
        const m = await ctx.manifest(f.name, f.version);
        if (isFailure(m) || !m) continue;
        const floor = glibcFloor(m.config?.['glibc']);
        if (floor && versionBelow(w.target.libcVersion, floor)) {
          return { status: 'missing', artifact: cell.artifact, reason: `${f.name}@${f.version} needs glibc >= ${floor.join('.')} (its config.glibc, which npm does not check); the base has glibc ${w.target.libcVersion}`, id: CELL_IDS.noBinary };
        }
      }
      return cell;
    }),
  );
}

async function familySuggestion(parent: LockedPackage, cells: readonly Cell[], ctx: Ctx, glibcBuild: GlibcBuild, fallbackFix?: string): Promise<string | undefined> {
  const failing = ctx.words.filter((_, i) => cells[i]?.status === 'missing');
  if (failing.length === 0) return undefined;
  const parts: string[] = fallbackFix ? [fallbackFix] : [];
  if (ctx.meta && ctx.suggest) {
    const versions = await ctx.meta.versions(parent.name);
    if (!isFailure(versions)) {
      const newer = versions.slice(versions.indexOf(parent.version) + 1).filter((v) => !v.includes('-')).slice(-20).reverse();
      for (const v of newer) {
        const m = await ctx.manifest(parent.name, v);
        if (isFailure(m) || !m?.optionalDependencies) continue;
        const facts = withImpliedGlibc(Object.entries(m.optionalDependencies).flatMap(([name, version]) => namedFacts(name, version) ?? []));
        // every target covered by the members' names, and no member's glibc floor above a target's known glibc
        const then = familyCells(parent.name, facts, ctx.words);
        if (then.every((c) => c.status === 'prebuilt') && (await withGlibcFloors(then, facts, ctx)).every((c) => c.status === 'prebuilt')) {
          parts.push(`${parent.name}@${v} has a platform package for every target`);
          break;
        }
      }
    }
  }
  parts.push(...(await baseSuggestions(cells, ctx.words, glibcBuild)));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Whether the package has a glibc build for a target's CPU (its libc aside): known, never guessed. */
type GlibcBuild = (w: TargetWords) => boolean | Promise<boolean>;

/** A target's words with glibc for its libc (the version unknown): what a glibc base would offer the same CPU. */
function glibcWords(w: TargetWords): TargetWords {
  const { libcVersion: _drop, ...target } = w.target;
  return targetWords({ ...target, libc: 'glibc' });
}

/**
 * A glibc base where musl targets fail and the package has a glibc build for the same CPU
 * (`glibcBuild` says so from what is known: a family member, a prebuild, a release asset that
 * answers); a build-deps stage where tools are lacking.
 */
async function baseSuggestions(cells: readonly Cell[], words: readonly TargetWords[], glibcBuild: GlibcBuild): Promise<string[]> {
  const out: string[] = [];
  const muslFailing: TargetWords[] = [];
  for (const [i, w] of words.entries()) {
    if (w.target.libc === 'musl' && cells[i]?.status === 'missing' && cells[i]?.id === CELL_IDS.noBinary && w.cpu && (await glibcBuild(w))) muslFailing.push(w);
  }
  if (muslFailing.length > 0) out.push(`a glibc base (node:${muslFailing[0]?.node}-slim, Debian) instead of Alpine for ${muslFailing.map((w) => w.label).join(', ')}`);
  const lacking = [...new Set(cells.flatMap((c) => (c.id === CELL_IDS.noToolchain ? (c.lacking ?? []) : [])))];
  if (lacking.length > 0) {
    out.push(`a build-deps stage that installs ${lacking.join(', ')} (apt-get install -y build-essential python3, or apk add --no-cache build-base python3) and copies node_modules into the final stage`);
  }
  return out;
}

function packageWarning(file: string, pkg: LockedPackage, message: string): AnyarchError {
  return new AnyarchError('E_LOCKFILE', `${pkg.name}@${pkg.version}: ${message}`, undefined, { file, ...(pkg.position ?? {}) });
}

/** A non-optional package with a `cpu` list: npm refuses to install it elsewhere (EBADPLATFORM), so the install fails there. */
function requiredPlatformReport(pkg: LockedPackage, ctx: Ctx): PackageReport {
  const named = platformOfName(pkg.name);
  const facts: MemberFacts = { name: pkg.name, version: pkg.version, ...(pkg.os ? { os: pkg.os } : {}), ...(pkg.cpu ? { cpu: pkg.cpu } : {}), ...(pkg.libc ? { libc: pkg.libc } : {}), ...(named?.libc ? { namedLibc: named.libc } : {}) };
  const declared = [`cpu ${pkg.cpu?.join(', ')}`, pkg.libc ? `libc ${pkg.libc.join(', ')}` : ''].filter(Boolean).join(', ');
  const cells = ctx.words.map((w): Cell => {
    const fit = memberFits(facts, w);
    if (fit === 'fits') return { status: 'prebuilt', artifact: `${pkg.name}@${pkg.version}`, reason: `${pkg.name} is built for ${w.label}` };
    if (fit === 'wrong-libc') return { status: 'missing', reason: `${pkg.name} is a ${named?.libc} build with no libc field: npm installs it on ${w.label}, where it fails to load`, id: CELL_IDS.noBinary };
    return { status: 'missing', reason: `${pkg.name} declares ${declared} and is not optional: npm refuses to install it on ${w.label} (EBADPLATFORM)`, id: CELL_IDS.noBinary };
  });
  return row(pkg, 'platform-packages', cells);
}

// ---- addons: prebuildify, prebuild-install, node-pre-gyp, node-gyp --------------------------------

async function addonReport(pkg: LockedPackage, hint: NativeHint, ctx: Ctx): Promise<PackageReport | undefined> {
  const source = ctx.meta ? nonRegistrySource(pkg) : undefined;
  if (source) return addonReport(pkg, hint, { ...ctx, meta: undefined, noMeta: `it comes from ${source}, not the registry (whose ${pkg.name}@${pkg.version}, if any, may be other code)` });
  let manifest: NpmManifest | undefined;
  let mechanism = hint.mechanism;
  let why = hint.why;
  let onlyIfPrebuilds = false;
  // why the registry's facts are missing, for the cells that needed them: the failure itself, not a guess
  let noMetadata = ctx.meta ? 'the registry had no manifest for it' : (ctx.noMeta ?? 'needs the registry (offline or no metadata source)');
  if (ctx.meta) {
    const m = await ctx.manifest(pkg.name, pkg.version);
    if (isFailure(m)) {
      noMetadata = `the registry did not answer: ${m.error.message}`;
      if (!hint.certain) return row(pkg, mechanism, ctx.words.map(() => unknownCell(`${why}; the registry could not say whether it is native: ${m.error.message}`)));
      ctx.warn(packageWarning(ctx.file, pkg, `registry metadata unavailable (${m.error.message}); judged from the lockfile alone`));
    } else if (m) {
      // a lock without os facts (npm v1, Yarn 1) locks fsevents too: its manifest says darwin
      if (!pkg.os && !installsOnLinux(m.os)) return undefined;
      manifest = m;
      const fromManifest = nativeFromManifest(m);
      if (fromManifest) {
        // the manifest names the mechanism; keep the lockfile's when it is the more specific one
        if (!hint.certain || hint.mechanism === 'node-gyp' || hint.mechanism === 'install-script') {
          mechanism = fromManifest.mechanism;
          why = fromManifest.why;
        }
      } else if (!hint.certain) {
        // an install script that runs JavaScript only is not native; nan/bindings/node-addon-api
        // without a build step are native only if the tarball carries prebuilds (better-sqlite3 >= 12)
        if (hint.mechanism !== 'node-gyp') return undefined;
        const scripts = installScripts(m);
        const header = ADDON_HEADERS.find((h) => pkg.dependencies?.includes(h) || m.dependencies?.[h] !== undefined);
        if (scripts !== '' && header) {
          // nan or node-addon-api with an install script of its own: that script builds the addon.
          // Only a regular dependency counts: ssh2 has nan among its optionalDependencies and an
          // install script that tolerates a failed build (it falls back to JavaScript)
          why = `depends on ${header} and has an install script: ${shortScript(scripts)}`;
        } else onlyIfPrebuilds = true;
      }
    }
  }
  // a tarball may carry prebuilds whatever the install script says (better-sqlite3 >= 12)
  let prebuildFiles: readonly string[] | undefined;
  if (ctx.meta && (mechanism === 'prebuildify' || mechanism === 'node-gyp' || mechanism === 'install-script')) {
    const files = await ctx.meta.files(pkg.name, pkg.version, manifest?.tarball ?? pkg.resolved);
    if (isFailure(files)) {
      if (mechanism === 'prebuildify') return row(pkg, mechanism, ctx.words.map(() => unknownCell(`${why}; its tarball's file list is unavailable: ${files.error.message}`)));
    } else if (files.some((f) => f.startsWith('package/prebuilds/') || f.startsWith('prebuilds/'))) {
      prebuildFiles = files;
      mechanism = 'prebuildify';
    } else if (mechanism === 'prebuildify') {
      prebuildFiles = [];
    }
  }
  if (onlyIfPrebuilds && mechanism !== 'prebuildify') return undefined;
  let cells: Cell[];
  switch (mechanism) {
    case 'prebuildify':
      cells = prebuildFiles ? prebuildifyCells(pkg, prebuildFiles, manifest, why, ctx) : ctx.words.map(() => unknownCell(`${why}; which prebuilds its tarball carries is unknown: ${noMetadata}`));
      break;
    case 'prebuild-install':
    case 'node-pre-gyp':
      cells = await assetCells(pkg, mechanism, manifest, why, ctx, noMetadata);
      break;
    case 'node-gyp':
      cells = ctx.words.map((w) => compileCell(w.target, why));
      break;
    default:
      cells = ctx.words.map((w) => (ctx.meta ? compileCell(w.target, why) : unknownCell(`${why}; whether it compiles native code is unknown: ${noMetadata}`)));
  }
  const glibcBuild: GlibcBuild =
    mechanism === 'prebuildify' && prebuildFiles
      ? (w) => matchPrebuild(parsePrebuilds(prebuildFiles), { arch: w.cpu ?? '', armv: w.armv, libc: 'glibc', abi: w.abi }).match !== undefined
      : (mechanism === 'prebuild-install' || mechanism === 'node-pre-gyp') && manifest
        ? async (w) => (await assetCells(pkg, mechanism, manifest, why, { ...ctx, words: [glibcWords(w)] }))[0]?.status === 'prebuilt'
        : () => false;
  let suggestion = await addonSuggestion(pkg, mechanism, cells, ctx, glibcBuild);
  const needsScript = mechanism === 'prebuild-install' || mechanism === 'node-pre-gyp' || mechanism === 'node-gyp' || mechanism === 'install-script' || cells.some((c) => c.status === 'compiles');
  if (ctx.pnpmScriptsGated && needsScript) {
    // pnpm 10 release notes: dependencies' lifecycle scripts run only when allowed
    const gate = `with pnpm 10, list ${pkg.name} in onlyBuiltDependencies (pnpm-workspace.yaml), or its install script is skipped and no binary is fetched or built`;
    suggestion = suggestion ? `${suggestion}; ${gate}` : gate;
  }
  const report = row(pkg, mechanism, cells, suggestion);
  // a long install script in full, once per row (cells quote its first 60 characters)
  const script = manifest ? installScripts(manifest) : '';
  return shortScript(script) !== script && cells.some((c) => c.reason.includes(shortScript(script))) ? { ...report, installScript: script } : report;
}

/**
 * A package of a lock that records no install scripts and names no native helper: the registry
 * says whether it runs an install script (`installFacts`, else its manifest), and one that does is
 * judged as an install script's package is; one the registry cannot answer for is `unknown`, never
 * taken for pure.
 */
async function screenedReport(pkg: LockedPackage, ctx: Ctx): Promise<PackageReport | undefined> {
  const hint = await screenInstallScript(pkg, ctx);
  if (hint === undefined) return undefined;
  if ('unknown' in hint) return { ...row(pkg, 'install-script', ctx.words.map(() => unknownCell(hint.unknown))), unscreened: true };
  return addonReport(pkg, hint, ctx);
}

async function screenInstallScript(pkg: LockedPackage, ctx: Ctx): Promise<NativeHint | { readonly unknown: string } | undefined> {
  const none = 'the lock records no install scripts';
  const meta = ctx.meta;
  if (!meta) return { unknown: `${none}: whether it runs one needs the registry (offline or no metadata source)` };
  const outside = nonRegistrySource(pkg);
  if (outside) return { unknown: `${none}, and it comes from ${outside}, not the registry: whether it runs one is unknown` };
  const facts = meta.installFacts ? await meta.installFacts(pkg.name, pkg.version) : await ctx.manifest(pkg.name, pkg.version);
  if (isFailure(facts)) return { unknown: `${none}, and the registry could not say whether it runs one: ${facts.error.message}` };
  if (facts === undefined) return { unknown: `${none}, and the registry has no ${pkg.name}@${pkg.version}: whether it runs one is unknown` };
  if (!installsOnLinux(facts.os)) return undefined;
  if ('hasInstallScript' in facts) {
    return facts.hasInstallScript ? { mechanism: 'install-script', certain: false, why: "has an install script (the registry's hasInstallScript)" } : undefined;
  }
  // a source without installFacts: the manifest itself
  const scripts = installScripts(facts);
  return nativeFromManifest(facts) ?? (scripts !== '' ? { mechanism: 'install-script', certain: false, why: `install script: ${shortScript(scripts)}` } : undefined);
}

function prebuildifyCells(pkg: LockedPackage, files: readonly string[], manifest: NpmManifest | undefined, why: string, ctx: Ctx): Cell[] {
  const prebuilds = parsePrebuilds(files);
  const fallback = hasCompileFallback(manifest, 'prebuildify') || (!manifest && pkg.hasInstallScript === true);
  const linux = [...new Set(prebuilds.filter((p) => p.platform === 'linux').map(describePrebuild))].join(', ') || 'none for Linux';
  return ctx.words.map((w): Cell => {
    if (!w.cpu) return { status: 'missing', reason: `Node.js has no build for ${w.label}`, id: CELL_IDS.noBinary };
    const { match, untaggedOnMusl, ruledOut } = matchPrebuild(prebuilds, { arch: w.cpu, armv: w.armv, libc: w.target.libc, abi: w.abi });
    if (match && untaggedOnMusl) {
      const untagged = `${match.path} has no libc tag, so node-gyp-build loads it on musl too, and a glibc build fails to load there; no musl-tagged prebuild (it has ${linux})`;
      // node-gyp-build's install step (bin.js) test-loads the prebuild and runs node-gyp rebuild when
      // that fails; at run time it loads build/Release before prebuilds/
      if (fallback) return compileCell(w.target, `${untagged}; the install script's node-gyp-build test-loads it, fails, and falls back to node-gyp rebuild`);
      return { status: 'missing', artifact: match.path, reason: untagged, id: CELL_IDS.noBinary };
    }
    if (match) {
      const abiNote = match.abi && !match.napi ? w.nodeNote : '';
      return { status: 'prebuilt', artifact: match.path, reason: `${match.path} fits ${w.label}${abiNote}` };
    }
    const abiRuled = ruledOut.some((p) => p.abi && !p.napi);
    const ruled = ruledOut.length > 0 ? `; ${ruledOut.map(describePrebuild).join(', ')} does not fit (node ${w.node}, abi${w.abi})${abiRuled ? w.nodeNote : ''}` : '';
    if (fallback) return compileCell(w.target, `no prebuild for ${w.label} (it has ${linux})${ruled}`);
    return { status: 'missing', reason: `no prebuild for ${w.label} (it has ${linux})${ruled}, and no install script to compile one`, id: CELL_IDS.noBinary };
  });
}

async function assetCells(pkg: LockedPackage, mechanism: 'prebuild-install' | 'node-pre-gyp', manifest: NpmManifest | undefined, why: string, ctx: Ctx, noMetadata = 'needs the registry (offline or no metadata source)'): Promise<Cell[]> {
  if (!ctx.meta || !manifest) {
    return ctx.words.map(() => unknownCell(`${why}; which ${mechanism} binaries exist is unknown: ${noMetadata}`));
  }
  const meta = ctx.meta;
  const fallback = hasCompileFallback(manifest, mechanism);
  const flags = prebuildInstallFlags(manifest);
  return Promise.all(
    ctx.words.map(async (w): Promise<Cell> => {
      if (!w.cpu) return { status: 'missing', reason: `Node.js has no build for ${w.label}`, id: CELL_IDS.noBinary };
      const t = { arch: w.cpu, libc: w.target.libc, abi: w.abi };
      const url = mechanism === 'prebuild-install' ? prebuildInstallUrl(manifest, t, flags) : nodePreGypUrl(manifest, t);
      if (!url) return fallback ? compileCell(w.target, `${why}; no download URL can be named from its package.json`) : unknownCell(`${why}; no download URL can be named from its package.json`);
      const abiNote = url.includes('napi') ? '' : w.nodeNote;
      const exists = await meta.exists(url);
      if (isFailure(exists)) return unknownCell(`could not check the ${mechanism} binary: ${exists.error.message}${abiNote}`);
      if (exists) return { status: 'prebuilt', artifact: url, reason: `${mechanism} downloads ${url}${abiNote}` };
      const none = `no ${mechanism} binary for ${w.label} (${url} is absent)${abiNote}`;
      return fallback ? compileCell(w.target, none) : { status: 'missing', reason: `${none}, and no fallback to compile`, id: CELL_IDS.noBinary };
    }),
  );
}

async function addonSuggestion(pkg: LockedPackage, mechanism: Mechanism, cells: readonly Cell[], ctx: Ctx, glibcBuild: GlibcBuild): Promise<string | undefined> {
  if (!cells.some((c) => c.status === 'missing' || c.status === 'compiles')) return undefined;
  const parts: string[] = [];
  const meta = ctx.meta;
  if (meta && ctx.suggest && (mechanism === 'prebuildify' || mechanism === 'prebuild-install' || mechanism === 'node-pre-gyp')) {
    // the newest stable version only: each asks for a tarball list or a HEAD per target
    const versions = await meta.versions(pkg.name);
    const newest = isFailure(versions) ? undefined : versions.filter((v) => !v.includes('-')).at(-1);
    if (newest && newest !== pkg.version) {
      const m = await ctx.manifest(pkg.name, newest);
      const manifest = isFailure(m) ? undefined : m;
      const newer = { ...pkg, version: newest };
      let cellsThen: readonly Cell[] | undefined;
      if (mechanism === 'prebuildify') {
        const files = await meta.files(pkg.name, newest, manifest?.tarball);
        if (!isFailure(files)) cellsThen = prebuildifyCells(newer, files, manifest, '', ctx);
      } else if (manifest) {
        cellsThen = await assetCells(newer, mechanism, manifest, '', ctx);
      }
      if (cellsThen?.every((c) => c.status === 'prebuilt')) parts.push(`${pkg.name}@${newest} has a prebuilt binary for every target`);
    }
  }
  parts.push(...(await baseSuggestions(cells, ctx.words, glibcBuild)));
  return parts.length > 0 ? parts.join('; ') : undefined;
}
