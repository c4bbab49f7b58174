/**
 * pylock.toml and pylock.<name>.toml (PEP 751, `lock-version = "1.0"`): `[[packages]]` with
 * `name`, `version`, `marker`, `index`, `wheels` (each `name`?, `url` or `path`, `hashes`) and
 * `sdist`; `vcs`, `directory` and `archive` packages are source builds (a directory is the
 * project's own tree and left out). `uv export --format pylock.toml` writes every wheel of the
 * universal lock; `pip lock` only the current environment's (pypa/pip#13213).
 */
import type { DistributionFile, LockedPackage, Lockfile } from '../../types.js';
import { normalizeName } from '../../python/tags.js';
import { entryWarning, fileNameOf, isTable, LineIndex, lockedPython, lockfileError, packageTables, parseTomlLock, pythonLockfile, sdistAndWheels, str } from './common.js';

function distributionFile(entry: unknown): DistributionFile | undefined {
  if (!isTable(entry)) return undefined;
  const url = str(entry['url']);
  const where = url ?? str(entry['path']);
  const filename = str(entry['name']) ?? (where ? fileNameOf(where) : undefined);
  if (!filename) return undefined;
  const hashes = isTable(entry['hashes']) ? entry['hashes'] : {};
  const sha = str(hashes['sha256']);
  return { filename, ...(url ? { url } : {}), ...(sha ? { hash: `sha256:${sha}` } : {}) };
}

export function readPylock(file: string, text: string): Lockfile {
  const doc = parseTomlLock(file, text, 'pylock.toml');
  const lines = new LineIndex(text);
  const lockVersion = str(doc['lock-version']);
  if (!lockVersion) throw lockfileError(file, 'pylock.toml has no `lock-version`: is it a PEP 751 lockfile?', { line: 1, column: 1 });
  if (lockVersion.split('.')[0] !== '1') {
    throw lockfileError(file, `pylock.toml lock-version ${lockVersion} is not one anyarch reads (1.x)`, { line: 1, column: 1 }, 'PEP 751 says a reader must refuse a major version it does not know');
  }
  const { entries, warnings } = packageTables(file, doc, 'packages', lines, 'pylock.toml');
  const packages: LockedPackage[] = [];
  for (const { pkg, name, version, position } of entries) {
    if (isTable(pkg['directory'])) continue;
    if (!version) {
      warnings.push(entryWarning(file, `${name} has no version (a vcs or archive source); skipped`, position));
      continue;
    }
    const files = sdistAndWheels(pkg, distributionFile);
    const archive = isTable(pkg['archive']) ? pkg['archive'] : undefined;
    const vcs = isTable(pkg['vcs']) ? pkg['vcs'] : undefined;
    if (files.length === 0 && (archive || vcs)) {
      const url = str((archive ?? vcs)!['url']) ?? str((archive ?? vcs)!['path']);
      files.push({ filename: archive && url ? fileNameOf(url) : `${normalizeName(name)}-${version}.tar.gz`, ...(url ? { url } : {}) });
    }
    packages.push(lockedPython({ name, version, position, files, marker: str(pkg['marker']), index: str(pkg['index']) }));
  }
  return pythonLockfile(file, 'pylock', packages, warnings, { formatVersion: lockVersion, requiresPython: str(doc['requires-python']) });
}
