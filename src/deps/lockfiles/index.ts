/**
 * Every lockfile `deps` reads, by name: `lockfileKind(path)` says which kind a file is,
 * `readLockfile(file, text)` reads it with that kind's reader. A file that cannot be read is an
 * `E_LOCKFILE` error with its position; an entry that cannot be read is a warning and skipped.
 */
import * as path from 'node:path';
import type { Ecosystem, Lockfile, LockfileKind, RequirementsInclude } from '../types.js';
import { readPackageLock } from './npm.js';
import { readPnpmLock } from './pnpm.js';
import { lockfileError } from './positions.js';
import { readYarnLock } from './yarn.js';
import { readPipfileLock } from './python/pipfile.js';
import { readPoetryLock } from './python/poetry.js';
import { readPylock } from './python/pylock.js';
import { readRequirements } from './python/requirements.js';
import { readUvLock } from './python/uv.js';

export { npmKeyName, readPackageLock } from './npm.js';
export { pnpmBaseKey, pnpmKeyNameVersion, readPnpmLock } from './pnpm.js';
export { parseYarnConditions, readYarnLock, yarnResolutionName } from './yarn.js';
export { readYarnClassicLock, yarnDescriptor } from './yarn-classic.js';

/** Each kind's reader, by the one signature they share. */
const READERS: Readonly<Record<LockfileKind, (file: string, text: string) => Lockfile>> = {
  'package-lock': (file, text) => readPackageLock(file, text, 'package-lock'),
  'npm-shrinkwrap': (file, text) => readPackageLock(file, text, 'npm-shrinkwrap'),
  'pnpm-lock': readPnpmLock,
  'yarn-berry': readYarnLock,
  'yarn-classic': readYarnLock,
  'uv-lock': readUvLock,
  'poetry-lock': readPoetryLock,
  pylock: readPylock,
  'pipfile-lock': readPipfileLock,
  requirements: readRequirements,
};

/** The ecosystem of each kind. */
export const LOCKFILE_ECOSYSTEM: Readonly<Record<LockfileKind, Ecosystem>> = {
  'package-lock': 'npm',
  'npm-shrinkwrap': 'npm',
  'pnpm-lock': 'npm',
  'yarn-berry': 'npm',
  'yarn-classic': 'npm',
  'uv-lock': 'python',
  'poetry-lock': 'python',
  pylock: 'python',
  'pipfile-lock': 'python',
  requirements: 'python',
};

/** The exact file names `deps` looks for in a directory (requirements files also match `requirements*.txt`). */
export const LOCKFILE_NAMES: readonly string[] = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'uv.lock',
  'poetry.lock',
  'pylock.toml',
  'Pipfile.lock',
  'requirements.txt',
];

const EXACT: ReadonlyMap<string, LockfileKind> = new Map([
  ['package-lock.json', 'package-lock'],
  ['npm-shrinkwrap.json', 'npm-shrinkwrap'],
  ['pnpm-lock.yaml', 'pnpm-lock'],
  ['yarn.lock', 'yarn-berry'],
  ['uv.lock', 'uv-lock'],
  ['poetry.lock', 'poetry-lock'],
  ['pylock.toml', 'pylock'],
  ['Pipfile.lock', 'pipfile-lock'],
]);

/**
 * The kind of lockfile a path names, by its file name: `package-lock.json`, `npm-shrinkwrap.json`,
 * `pnpm-lock.yaml`, `yarn.lock` (kind `yarn-berry` by name; the reader tells a Yarn 1 file by its text),
 * `uv.lock`, `poetry.lock`, `pylock.toml` and `pylock.<name>.toml` (PEP 751), `Pipfile.lock`,
 * `requirements*.txt`, `<name>-requirements.txt`, Rye's `requirements*.lock` and any `.txt` in a
 * `requirements/` directory. `undefined`: none of them.
 */
export function lockfileKind(file: string): LockfileKind | undefined {
  const base = path.basename(file);
  const exact = EXACT.get(base);
  if (exact) return exact;
  if (/^pylock\.[^/]+\.toml$/.test(base)) return 'pylock';
  // requirements-dev.txt, dev-requirements.txt, test_requirements.txt, prod.requirements.txt; Rye's requirements.lock and requirements-dev.lock
  if (/^requirements[\w.-]*\.txt$/i.test(base) || /[\w-][-_.]requirements\.txt$/i.test(base) || /^requirements(?:-[\w.-]+)?\.lock$/.test(base)) return 'requirements';
  if (base.endsWith('.txt') && path.basename(path.dirname(file)) === 'requirements') return 'requirements';
  return undefined;
}

/** What a reader may read besides the lockfile: the files a requirements.txt's `-r`/`-c` lines name. */
export interface ReadLockfileOptions {
  readonly include?: RequirementsInclude;
}

/**
 * Reads a lockfile of any kind `lockfileKind` knows, with the reader of that kind.
 * @param kind the kind when the caller knows it better than the file name
 * @param opts what else it may read (a requirements.txt's includes, followed only with `include`)
 * @throws AnyarchError `E_LOCKFILE`: a name of no known kind, or a file its reader cannot read.
 */
export function readLockfile(file: string, text: string, kind: LockfileKind | undefined = lockfileKind(file), opts: ReadLockfileOptions = {}): Lockfile {
  if (kind === undefined) {
    throw lockfileError(file, `not a lockfile anyarch reads (by its name): expected one of ${LOCKFILE_NAMES.join(', ')}`);
  }
  return kind === 'requirements' ? readRequirements(file, text, opts) : READERS[kind](file, text);
}
