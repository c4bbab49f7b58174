/**
 * pnpm-lock.yaml, lockfileVersion 5.x (pnpm 3 to 7: keys `/name/1.2.3_peer@1.0.0`, pnpm-v5.ts,
 * and otherwise the facts of 6.x), 6.x (pnpm 8: `packages` keyed `/name@1.0.0(peer@2)` with
 * `cpu`/`os`, `requiresBuild`, `dev`, `optional`, `dependencies`, `optionalDependencies`) and
 * 9.0 (pnpm 9 and 10: `packages` keyed `name@1.0.0` with the package's facts, `snapshots` keyed
 * with peer suffixes holding `dependencies`, `optionalDependencies`, `optional`; `requiresBuild`
 * dropped, pnpm#7710). pnpm writes no `libc` (pnpm#9871) unless a later pnpm does: read when there.
 */
import type { AnyarchError } from '../../errors.js';
import { lockFamilyWarnings } from '../npm/families.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../types.js';
import { isRecord, lockfileError, lockfileWarning, stripBom, strings } from './positions.js';
import { isPnpmV5LocalKey, pnpmV5KeyNameVersion } from './pnpm-v5.js';
import { readYamlLock } from './yaml-lock.js';



/** `/@scope/name@1.2.3(peer@4)` -> `@scope/name@1.2.3`: the key without the leading slash and peer suffix. */
export function pnpmBaseKey(key: string): string {
  const k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  return paren === -1 ? k : k.slice(0, paren);
}

/** Name and version of a pnpm key (`@scope/name@1.2.3`); undefined when it has no `@version`. */
export function pnpmKeyNameVersion(key: string): { name: string; version: string } | undefined {
  const base = pnpmBaseKey(key);
  const at = base.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: base.slice(0, at), version: base.slice(at + 1) };
}

/** The keys of a map, undefined when there are none. */
function namesOf(v: unknown): string[] | undefined {
  if (!isRecord(v)) return undefined;
  const names = Object.keys(v);
  return names.length > 0 ? names : undefined;
}

/** The names of both lists, each once, in first-seen order. */
function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a || !b) return a ?? b;
  return [...new Set([...a, ...b])];
}

/**
 * Reads a pnpm-lock.yaml of lockfileVersion 5.x, 6.x or 9.0.
 * @throws AnyarchError `E_LOCKFILE`: not YAML (at its position), no or an unknown lockfileVersion.
 */
export function readPnpmLock(file: string, text: string): Lockfile {
  // positions of `packages`' keys only: a snapshot is never reported (its package is)
  const { data, keys } = readYamlLock(file, stripBom(text), 'pnpm-lock.yaml', ['packages']);
  const top = keys.get('') ?? new Map<string, SourcePosition>();
  const raw = data['lockfileVersion'];
  const versionAt = top.get('lockfileVersion') ?? { line: 1, column: 1 };
  if (raw === undefined) throw lockfileError(file, 'pnpm-lock.yaml has no lockfileVersion: it is not a pnpm lockfile', { line: 1, column: 1 });
  const version = String(raw);
  const major = Number.parseInt(version, 10);
  if (major !== 5 && major !== 6 && major !== 9) {
    const hint = major < 5 ? 'pnpm 3 and later write lockfileVersion 5 or newer: run pnpm install with a newer pnpm' : undefined;
    throw lockfileError(file, `unknown pnpm lockfileVersion ${JSON.stringify(version)}: anyarch reads 5.x (pnpm 3 to 7), 6.x (pnpm 8) and 9.0 (pnpm 9 and 10)`, versionAt, hint);
  }
  const warnings: AnyarchError[] = [];
  const packagesValue = data['packages'] ?? {};
  if (!isRecord(packagesValue)) throw lockfileError(file, 'pnpm-lock.yaml: "packages" is not a mapping', top.get('packages') ?? versionAt);
  const pkgPositions = keys.get('packages') ?? new Map<string, SourcePosition>();

  // v9: facts of the dependency graph live in `snapshots`, keyed with peer suffixes (several per package: their names joined)
  const snapshots = new Map<string, { deps: string[] | undefined; optDeps: string[] | undefined; optional: boolean }>();
  if (major === 9) {
    const snaps = data['snapshots'] ?? {};
    if (!isRecord(snaps)) throw lockfileError(file, 'pnpm-lock.yaml: "snapshots" is not a mapping', top.get('snapshots') ?? versionAt);
    for (const key in snaps) {
      const value = snaps[key];
      const base = pnpmBaseKey(key);
      const v = isRecord(value) ? value : {};
      const deps = namesOf(v['dependencies']);
      const optDeps = namesOf(v['optionalDependencies']);
      const s = snapshots.get(base);
      if (!s) snapshots.set(base, { deps, optDeps, optional: v['optional'] === true });
      else {
        if (v['optional'] !== true) s.optional = false;
        s.deps = union(s.deps, deps);
        s.optDeps = union(s.optDeps, optDeps);
      }
    }
  }

  const packages: LockedPackage[] = [];
  for (const [key, value] of Object.entries(packagesValue)) {
    const position = pkgPositions.get(key);
    if (!isRecord(value)) {
      warnings.push(lockfileWarning(file, `packages["${key}"] is not a mapping; skipped`, position));
      continue;
    }
    if (major === 5 && isPnpmV5LocalKey(key)) continue; // the project's own folders
    const fromKey = major === 5 ? pnpmV5KeyNameVersion(key) : pnpmKeyNameVersion(key);
    const name = typeof value['name'] === 'string' ? value['name'] : fromKey?.name;
    const version = typeof value['version'] === 'string' ? value['version'] : fromKey?.version;
    if (!name || !version) {
      warnings.push(lockfileWarning(file, `packages["${key}"] names no package and version; skipped`, position));
      continue;
    }
    const resolution = isRecord(value['resolution']) ? value['resolution'] : {};
    // local code: `link:`, and `file:` folders, which pnpm 9 keys `name@file:../lib` with the folder's own `version`
    const local = (v: string | undefined): boolean => v !== undefined && (v.startsWith('link:') || v.startsWith('file:'));
    if (local(version) || local(fromKey?.version) || typeof resolution['directory'] === 'string') continue;
    const s = major === 9 ? snapshots.get(pnpmBaseKey(key)) : undefined;
    const deps = major === 9 ? s?.deps : isRecord(value['dependencies']) ? Object.keys(value['dependencies']) : undefined;
    const optDeps = major === 9 ? s?.optDeps : isRecord(value['optionalDependencies']) ? Object.keys(value['optionalDependencies']) : undefined;
    // one shape for every entry (absent facts undefined), as package-lock's reader builds them
    const pkg: LockedPackage = {
      ecosystem: 'npm',
      name,
      version,
      key,
      position,
      dev: value['dev'] === true ? true : undefined,
      optional: (major === 9 ? s?.optional === true : value['optional'] === true) ? true : undefined,
      os: strings(value['os']),
      cpu: strings(value['cpu']),
      libc: strings(value['libc']),
      requiresBuild: value['requiresBuild'] === true ? true : undefined,
      dependencies: deps,
      optionalDependencies: optDeps,
      resolved: typeof resolution['tarball'] === 'string' ? resolution['tarball'] : undefined,
      integrity: typeof resolution['integrity'] === 'string' ? resolution['integrity'] : undefined,
    };
    packages.push(pkg);
  }
  warnings.push(...lockFamilyWarnings(file, packages, 'pnpm'));
  return { file, kind: 'pnpm-lock', ecosystem: 'npm', formatVersion: version, packages, warnings };
}
