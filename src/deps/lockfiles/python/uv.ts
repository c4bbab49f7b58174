/**
 * uv.lock (uv's universal lock, `version = 1`): one `[[package]]` per locked distribution with
 * `source` (`registry`, `git`, `url`, `path`, `directory`, `editable`, `virtual`), `sdist` and
 * `wheels` (URL or path, hash: every file of that version on the index, for every platform, so
 * coverage needs no index), and `dependencies = [{ name, marker }]`. A package reached only
 * through edges with markers carries their `or` (so `pywin32`, reached by `sys_platform ==
 * 'win32'`, is not counted on Linux). The project itself (`virtual`, `editable`, `directory`) is
 * not a dependency and is left out.
 */
import type { DistributionFile, LockedPackage, Lockfile } from '../../types.js';
import { normalizeName } from '../../python/tags.js';
import { addEdgeMarker, entryWarning, fileNameOf, isTable, joinedMarker, LineIndex, lockedPython, lockfileError, packageTables, parseTomlLock, pythonLockfile, sdistAndWheels, str, type TomlTable } from './common.js';

const SUPPORTED_VERSION = 1;

function distributionFile(entry: unknown): DistributionFile | undefined {
  if (!isTable(entry)) return undefined;
  const url = str(entry['url']);
  const where = url ?? str(entry['path']) ?? str(entry['filename']);
  if (!where) return undefined;
  const hash = str(entry['hash']);
  return { filename: str(entry['filename']) ?? fileNameOf(where), ...(url ? { url } : {}), ...(hash ? { hash } : {}) };
}

/** Every dependency edge of a package (`dependencies`, `optional-dependencies.*`, `dev-dependencies.*`). */
function edges(pkg: TomlTable): TomlTable[] {
  const out: TomlTable[] = [];
  const add = (list: unknown): void => {
    if (Array.isArray(list)) for (const d of list) if (isTable(d)) out.push(d);
  };
  add(pkg['dependencies']);
  for (const key of ['optional-dependencies', 'dev-dependencies']) {
    const groups = pkg[key];
    if (isTable(groups)) for (const list of Object.values(groups)) add(list);
  }
  return out;
}

/** name (or `name==version`) → the markers of the edges into it; `null` once an edge without one is seen. */
function incomingMarkers(packages: readonly TomlTable[]): Map<string, string[] | null> {
  const into = new Map<string, string[] | null>();
  for (const pkg of packages) {
    for (const edge of edges(pkg)) {
      const name = str(edge['name']);
      if (!name) continue;
      // a forked resolution locks two versions of a name: its edges then name the version
      const version = str(edge['version']);
      addEdgeMarker(into, version ? `${normalizeName(name)}==${version}` : normalizeName(name), str(edge['marker']) ?? null);
    }
  }
  return into;
}

/** The markers of the edges into one locked version: those naming it with its version and those naming it alone. */
function markersInto(markers: Map<string, string[] | null>, name: string, version: string): string[] | null | undefined {
  const byName = markers.get(name);
  const byVersion = markers.get(`${name}==${version}`);
  if (byName === null || byVersion === null) return null;
  if (!byName) return byVersion;
  return byVersion ? [...byName, ...byVersion] : byName;
}

export function readUvLock(file: string, text: string): Lockfile {
  const doc = parseTomlLock(file, text, 'uv.lock');
  const lines = new LineIndex(text);
  const version = doc['version'];
  if (typeof version !== 'number') throw lockfileError(file, 'uv.lock has no `version`: is it a uv lockfile?', { line: 1, column: 1 });
  if (version !== SUPPORTED_VERSION) {
    throw lockfileError(file, `uv.lock version ${version} is not one anyarch reads (it reads version ${SUPPORTED_VERSION})`, { line: 1, column: 1 }, 'lock it again with a uv that writes version 1, or update anyarch');
  }
  const { tables, entries, warnings } = packageTables(file, doc, 'package', lines, 'uv.lock');
  const markers = incomingMarkers(tables);
  const packages: LockedPackage[] = [];
  for (const { pkg, name, version, position } of entries) {
    const source = isTable(pkg['source']) ? pkg['source'] : {};
    if ('virtual' in source || 'editable' in source || 'directory' in source) continue; // the project itself, or a local tree
    if (!version) {
      warnings.push(entryWarning(file, `${name} has no version; skipped`, position));
      continue;
    }
    const files = sdistAndWheels(pkg, distributionFile);
    const git = str(source['git']);
    const url = str(source['url']);
    const path = str(source['path']);
    if (files.length === 0 && (git ?? url ?? path)) {
      // built from a checkout or an archive: a source build, like an sdist
      files.push({ filename: git ? `${name}-${version}.tar.gz` : fileNameOf((url ?? path)!), ...(git || url ? { url: (git ?? url)! } : {}) });
    }
    packages.push(lockedPython({ name, version, position, files, marker: joinedMarker(markersInto(markers, normalizeName(name), version)), index: str(source['registry']) }));
  }
  return pythonLockfile(file, 'uv-lock', packages, warnings, { formatVersion: String(version), requiresPython: str(doc['requires-python']) });
}
