/**
 * pylock.toml and pylock.<name>.toml (PEP 751, `lock-version = "1.0"`): `[[packages]]` with
 * `name`, `version`, `marker`, `index`, `wheels` (each `name`?, `url` or `path`, `hashes`) and
 * `sdist`; `vcs`, `directory` and `archive` packages are source builds (a directory is the
 * project's own tree and left out). `uv export --format pylock.toml` writes every wheel of the
 * universal lock; `pip lock` only the current environment's (pypa/pip#13213).
 */
import type { DistributionFile, LockedPackage, Lockfile } from '../../types.js';
import { normalizeName } from '../../python/tags.js';
import type { AnyarchError } from '../../../errors.js';
import { entryWarning, fileNameOf, isTable, LineIndex, lockfileError, parseTomlLock, str } from './common.js';

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
  const raw = doc['packages'];
  if (raw !== undefined && !Array.isArray(raw)) throw lockfileError(file, 'pylock.toml: `packages` is not an array of tables', { line: 1, column: 1 });
  const list = (raw ?? []) as unknown[];
  const headers = lines.headers('[[packages]]');
  const warnings: AnyarchError[] = [];
  const packages: LockedPackage[] = [];
  for (let i = 0; i < list.length; i++) {
    const pkg = list[i];
    const position = headers[i];
    const name = isTable(pkg) ? str(pkg['name']) : undefined;
    if (!isTable(pkg) || !name) {
      warnings.push(entryWarning(file, `[[packages]] #${i + 1} has no name; skipped`, position));
      continue;
    }
    if (isTable(pkg['directory'])) continue;
    const version = str(pkg['version']);
    if (!version) {
      warnings.push(entryWarning(file, `${name} has no version (a vcs or archive source); skipped`, position));
      continue;
    }
    const files: DistributionFile[] = [];
    const sdist = distributionFile(pkg['sdist']);
    if (sdist) files.push(sdist);
    if (Array.isArray(pkg['wheels'])) for (const w of pkg['wheels']) {
      const f = distributionFile(w);
      if (f) files.push(f);
    }
    const archive = isTable(pkg['archive']) ? pkg['archive'] : undefined;
    const vcs = isTable(pkg['vcs']) ? pkg['vcs'] : undefined;
    if (files.length === 0 && (archive || vcs)) {
      const url = str((archive ?? vcs)!['url']) ?? str((archive ?? vcs)!['path']);
      files.push({ filename: archive && url ? fileNameOf(url) : `${normalizeName(name)}-${version}.tar.gz`, ...(url ? { url } : {}) });
    }
    const key = normalizeName(name);
    const marker = str(pkg['marker']);
    const index = str(pkg['index']);
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
    kind: 'pylock',
    ecosystem: 'python',
    formatVersion: lockVersion,
    packages,
    ...(requiresPython ? { requiresPython } : {}),
    warnings,
  };
}
