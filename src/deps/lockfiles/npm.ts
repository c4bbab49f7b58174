/**
 * package-lock.json (lockfileVersion 2 and 3) and npm-shrinkwrap.json (the same format): the
 * `packages` map, one entry per installed folder (`node_modules/a/node_modules/b`), with what
 * npm copied from each manifest (`os`, `cpu`, `libc` since npm 11.11, `hasInstallScript`,
 * `optionalDependencies`...). lockfileVersion 1 (npm 5 and 6) has no `packages` map: npm-v1.ts
 * reads its `dependencies` tree.
 */
import type { AnyarchError } from '../../errors.js';
import { lockFamilyWarnings } from '../npm/families.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../types.js';
import { readPackageLockV1 } from './npm-v1.js';
import { LineIndex, canonicalJsonKeyPositions, isRecord, jsonKeyPositions, lockfileError, lockfileWarning, parseJsonLockfile, stripBom, strings } from './positions.js';

const NESTED = new Set(['packages']);

/** The package name of a `packages` key: what follows its last `node_modules/`; undefined for a workspace folder or the root. */
export function npmKeyName(key: string): string | undefined {
  const i = key.lastIndexOf('node_modules/');
  if (i === -1) return undefined;
  const name = key.slice(i + 'node_modules/'.length);
  return name === '' ? undefined : name;
}


function keys(v: unknown): readonly string[] | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out = Object.keys(v);
  return out.length > 0 ? out : undefined;
}


/**
 * Reads a package-lock.json or npm-shrinkwrap.json.
 * @throws AnyarchError `E_LOCKFILE` for text that is not JSON (at the position the parser names),
 *   an unknown version, or no `packages` map (lockfileVersion 2 and 3).
 */
export function readPackageLock(file: string, text: string, kind: 'package-lock' | 'npm-shrinkwrap' = 'package-lock'): Lockfile {
  const body = stripBom(text);
  const what = kind === 'npm-shrinkwrap' ? 'npm-shrinkwrap.json' : 'package-lock.json';
  const doc = parseJsonLockfile(file, body, undefined, what);
  const start = { line: 1, column: 1 };
  if (!isRecord(doc)) throw lockfileError(file, `${what} is not a JSON object`, start);
  // the scan of every key's position, only when the text is not as npm writes it (or for an error)
  let scanned: ReturnType<typeof jsonKeyPositions> | undefined;
  const scan = (): ReturnType<typeof jsonKeyPositions> => (scanned ??= jsonKeyPositions(body, new LineIndex(body), NESTED));
  const version = doc['lockfileVersion'];
  const versionAt = (): SourcePosition => scan().top.get('lockfileVersion') ?? start;
  if (version === undefined) throw lockfileError(file, `${what} has no lockfileVersion: it is not an npm lockfile`, start);
  if (version === 1) return readPackageLockV1(file, body, doc, kind); // npm 5 and 6: a dependencies tree (npm-v1.ts)
  if (version !== 2 && version !== 3) {
    throw lockfileError(file, `unknown lockfileVersion ${JSON.stringify(version)}: anyarch reads package-lock.json versions 1, 2 and 3`, versionAt());
  }
  const packagesValue = doc['packages'];
  if (!isRecord(packagesValue)) {
    throw lockfileError(file, `${what} (lockfileVersion ${version}) has no "packages" map`, scan().top.get('packages') ?? versionAt());
  }
  // npm writes JSON.stringify's text: each entry's position without a scan (in Object.keys order)
  const canonical = canonicalJsonKeyPositions(body, doc, 'packages');
  const positionOf = (key: string, i: number): SourcePosition | undefined => (canonical ? canonical[i] : scan().nested.get(`packages\0${key}`));
  const warnings: AnyarchError[] = [];
  const packages: LockedPackage[] = [];
  const keys = Object.keys(packagesValue);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === '') continue; // the project itself
    const entry = packagesValue[key];
    const position = positionOf(key, i);
    const folderName = npmKeyName(key);
    if (folderName === undefined) continue; // a workspace's own folder: local code, not from a registry
    if (!isRecord(entry)) {
      warnings.push(lockfileWarning(file, `packages["${key}"] is not an object; skipped`, position));
      continue;
    }
    if (entry['link'] === true) continue; // a link to a workspace folder
    const name = typeof entry['name'] === 'string' ? entry['name'] : folderName;
    const v = entry['version'];
    if (typeof v !== 'string' || v === '') {
      // npm 11 with a registry other than npmjs.org writes platform entries without a version (npm/cli#9342)
      warnings.push(lockfileWarning(file, `packages["${key}"] has no version; skipped (npm 11 writes such entries for some registries: npm/cli#9342)`, position));
      continue;
    }
    packages.push(npmEntry(key, name, v, entry, position));
  }
  warnings.push(...lockFamilyWarnings(file, packages, 'npm'));
  return { file, kind, ecosystem: 'npm', formatVersion: String(version), packages, warnings };
}

/** One shape for every entry (absent facts undefined, which JSON leaves out): V8 keeps one hidden class for 2,000 of them. */
function npmEntry(key: string, name: string, version: string, e: Record<string, unknown>, position: SourcePosition | undefined): LockedPackage {
  const resolved = e['resolved'];
  const integrity = e['integrity'];
  return {
    ecosystem: 'npm',
    name,
    version,
    key,
    position,
    dev: e['dev'] === true ? true : undefined,
    optional: e['optional'] === true || e['devOptional'] === true ? true : undefined,
    os: strings(e['os']),
    cpu: strings(e['cpu']),
    libc: strings(e['libc']),
    hasInstallScript: e['hasInstallScript'] === true ? true : undefined,
    dependencies: keys(e['dependencies']),
    optionalDependencies: keys(e['optionalDependencies']),
    resolved: typeof resolved === 'string' ? resolved : undefined,
    integrity: typeof integrity === 'string' ? integrity : undefined,
  };
}
