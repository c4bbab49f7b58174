/**
 * poetry.lock (`[metadata] lock-version` 1.1, 2.0, 2.1): one `[[package]]` per locked version
 * with `optional`, `python-versions`, `files = [{file, hash}]` (lock 2.x; 1.1 keeps them in
 * `[metadata.files]` by name), `[package.dependencies]` whose entries may carry `markers`, and
 * `[package.source]` (`legacy` = another index, `git`, `url`, `file`, `directory`). File names
 * only, no URLs. Edge markers are joined as in uv.ts; lock 2.1's own `markers` wins when present.
 */
import type { DistributionFile, LockedPackage, Lockfile } from '../../types.js';
import { normalizeName } from '../../python/tags.js';
import { addEdgeMarker, entryWarning, fileNameOf, isTable, joinedMarker, LineIndex, lockedPython, lockfileError, packageTables, parseTomlLock, pythonLockfile, str, type TomlTable } from './common.js';

function filesOf(list: unknown): DistributionFile[] {
  const out: DistributionFile[] = [];
  if (!Array.isArray(list)) return out;
  for (const f of list) {
    if (!isTable(f)) continue;
    const name = str(f['file']);
    if (!name) continue;
    const hash = str(f['hash']);
    out.push({ filename: name, ...(hash ? { hash } : {}) });
  }
  return out;
}

/** A dependency's markers: `{ version, markers }`, or a list of such; `null` for an unconditional one. */
function edgeMarkers(spec: unknown): (string | null)[] {
  if (Array.isArray(spec)) return spec.flatMap(edgeMarkers);
  if (isTable(spec)) return [str(spec['markers']) ?? null];
  return [null];
}

function incomingMarkers(tables: readonly TomlTable[]): Map<string, string[] | null> {
  const into = new Map<string, string[] | null>();
  for (const pkg of tables) {
    const deps = pkg['dependencies'];
    if (!isTable(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      const key = normalizeName(name);
      for (const marker of edgeMarkers(spec)) addEdgeMarker(into, key, marker);
    }
  }
  return into;
}

function ownMarker(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isTable(v)) {
    const all = Object.values(v).filter((m): m is string => typeof m === 'string');
    if (all.length === 1) return all[0];
    if (all.length > 1) return all.map((m) => `(${m})`).join(' or ');
  }
  return undefined;
}

export function readPoetryLock(file: string, text: string): Lockfile {
  const doc = parseTomlLock(file, text, 'poetry.lock');
  const lines = new LineIndex(text);
  const metadata = isTable(doc['metadata']) ? doc['metadata'] : undefined;
  const lockVersion = metadata ? str(metadata['lock-version']) : undefined;
  const metaPos = lines.headers('[metadata]')[0] ?? { line: 1, column: 1 };
  if (!lockVersion) throw lockfileError(file, 'poetry.lock has no `[metadata] lock-version`: is it a Poetry lockfile?', metaPos);
  const major = Number(lockVersion.split('.')[0]);
  if (major !== 1 && major !== 2) {
    throw lockfileError(file, `poetry.lock lock-version ${lockVersion} is not one anyarch reads (1.1, 2.0, 2.1)`, metaPos, 'lock it again with Poetry 1.x or 2.x, or update anyarch');
  }
  const legacyFiles = isTable(metadata?.['files']) ? (metadata['files'] as TomlTable) : undefined;
  const legacyByName = new Map<string, unknown>();
  if (legacyFiles) for (const [n, v] of Object.entries(legacyFiles)) legacyByName.set(normalizeName(n), v);
  const { tables, entries, warnings } = packageTables(file, doc, 'package', lines, 'poetry.lock');
  const markers = incomingMarkers(tables);
  const packages: LockedPackage[] = [];
  for (const { pkg, name, version, position } of entries) {
    if (!version) {
      warnings.push(entryWarning(file, `${name} has no version; skipped`, position));
      continue;
    }
    const source = isTable(pkg['source']) ? pkg['source'] : undefined;
    const sourceType = source ? str(source['type']) : undefined;
    if (sourceType === 'directory') continue; // a local tree (often the project's own packages)
    const key = normalizeName(name);
    let files = filesOf(pkg['files'] ?? legacyByName.get(key));
    const sourceUrl = source ? str(source['url']) : undefined;
    if (files.length === 0 && sourceUrl && (sourceType === 'git' || sourceType === 'url' || sourceType === 'file')) {
      files = [{ filename: sourceType === 'git' ? `${key}-${version}.tar.gz` : fileNameOf(sourceUrl), url: sourceUrl }];
    }
    const into = markers.get(key);
    const marker = ownMarker(pkg['markers']) ?? joinedMarker(into);
    const groups = Array.isArray(pkg['groups']) ? pkg['groups'] : undefined;
    const category = str(pkg['category']);
    const dev = groups ? !groups.includes('main') : category ? category === 'dev' : undefined;
    packages.push(lockedPython({ name, version, position, dev, optional: pkg['optional'] === true, files, marker, index: sourceType === 'legacy' ? sourceUrl : undefined }));
  }
  return pythonLockfile(file, 'poetry-lock', packages, warnings, { formatVersion: lockVersion, requiresPython: metadata ? str(metadata['python-versions']) : undefined });
}
