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
import { entryWarning, fileNameOf, isTable, LineIndex, lockfileError, parseTomlLock, str, type TomlTable } from './common.js';

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

/** name → the markers of the edges into it; `null` once an edge without one is seen. */
function incomingMarkers(packages: readonly TomlTable[]): Map<string, string[] | null> {
  const into = new Map<string, string[] | null>();
  for (const pkg of packages) {
    for (const edge of edges(pkg)) {
      const name = str(edge['name']);
      if (!name) continue;
      const key = normalizeName(name);
      const marker = str(edge['marker']);
      const seen = into.get(key);
      if (seen === null) continue;
      if (!marker) into.set(key, null);
      else if (seen === undefined) into.set(key, [marker]);
      else if (!seen.includes(marker)) seen.push(marker);
    }
  }
  return into;
}

export function readUvLock(file: string, text: string): Lockfile {
  const doc = parseTomlLock(file, text, 'uv.lock');
  const lines = new LineIndex(text);
  const version = doc['version'];
  if (typeof version !== 'number') throw lockfileError(file, 'uv.lock has no `version`: is it a uv lockfile?', { line: 1, column: 1 });
  if (version !== SUPPORTED_VERSION) {
    throw lockfileError(file, `uv.lock version ${version} is not one anyarch reads (it reads version ${SUPPORTED_VERSION})`, { line: 1, column: 1 }, 'lock it again with a uv that writes version 1, or update anyarch');
  }
  const raw = doc['package'];
  if (raw !== undefined && !Array.isArray(raw)) throw lockfileError(file, 'uv.lock: `package` is not an array of tables', { line: 1, column: 1 });
  const list = (raw ?? []) as unknown[];
  const headers = lines.headers('[[package]]');
  const tables = list.filter(isTable);
  const markers = incomingMarkers(tables);
  const warnings = [];
  const packages: LockedPackage[] = [];
  for (let i = 0; i < list.length; i++) {
    const pkg = list[i];
    const position = headers[i];
    const name = isTable(pkg) ? str(pkg['name']) : undefined;
    const version = isTable(pkg) ? str(pkg['version']) : undefined;
    if (!isTable(pkg) || !name) {
      warnings.push(entryWarning(file, `[[package]] #${i + 1} has no name; skipped`, position));
      continue;
    }
    const source = isTable(pkg['source']) ? pkg['source'] : {};
    if ('virtual' in source || 'editable' in source || 'directory' in source) continue; // the project itself, or a local tree
    if (!version) {
      warnings.push(entryWarning(file, `${name} has no version; skipped`, position));
      continue;
    }
    const files: DistributionFile[] = [];
    const sdist = distributionFile(pkg['sdist']);
    if (sdist) files.push(sdist);
    if (Array.isArray(pkg['wheels'])) for (const w of pkg['wheels']) {
      const f = distributionFile(w);
      if (f) files.push(f);
    }
    const git = str(source['git']);
    const url = str(source['url']);
    const path = str(source['path']);
    if (files.length === 0 && (git ?? url ?? path)) {
      // built from a checkout or an archive: a source build, like an sdist
      files.push({ filename: git ? `${name}-${version}.tar.gz` : fileNameOf((url ?? path)!), ...(git || url ? { url: (git ?? url)! } : {}) });
    }
    const key = normalizeName(name);
    const into = markers.get(key);
    const marker = into && into.length > 0 ? (into.length === 1 ? into[0]! : into.map((m) => `(${m})`).join(' or ')) : undefined;
    const index = str(source['registry']);
    packages.push({
      ecosystem: 'python',
      name: key,
      version,
      key: `${key}==${version}`,
      ...(position ? { position } : {}),
      files,
      ...(marker ? { marker } : {}),
      ...(index ? { index } : {}),
    });
  }
  const requiresPython = str(doc['requires-python']);
  return {
    file,
    kind: 'uv-lock',
    ecosystem: 'python',
    formatVersion: String(version),
    packages,
    ...(requiresPython ? { requiresPython } : {}),
    warnings,
  };
}
