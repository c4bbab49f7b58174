/**
 * Lockfiles of public projects (test/fixtures/real-lockfiles, sources and licenses in SOURCES.md
 * there), read as a user's would be: each is read without an error, its facts are the file's own,
 * and what a lockfile cannot say is said, never taken for pure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readLockfile } from '../src/deps/lockfiles/index.js';
import { analyzeNpmLockfile } from '../src/deps/npm/coverage.js';
import { analyzePythonLockfile } from '../src/deps/python/coverage.js';
import { makePlatform } from '../src/platform/index.js';
import type { DepsTarget } from '../src/deps/types.js';

const fixture = (rel: string): string => readFileSync(fileURLToPath(new URL(`../../test/fixtures/real-lockfiles/${rel}`, import.meta.url)), 'utf8');

test('python-rsa Pipfile.lock (pipenv, 2020): default and develop, markers, positions; native ones by name without an index', async () => {
  const text = fixture('pipfile-lock/sybrenstuvel__python-rsa__Pipfile.lock');
  const lock = readLockfile('Pipfile.lock', text, 'pipfile-lock');
  assert.deepEqual(lock.warnings, []);
  assert.equal(lock.packages.length, 42);
  const pyasn1 = lock.packages.find((p) => p.name === 'pyasn1');
  assert.deepEqual([pyasn1?.version, pyasn1?.dev, pyasn1?.position], ['0.4.4', undefined, { line: 19, column: 9 }]);
  assert.equal(lock.packages.find((p) => p.name === 'zipp')?.marker, "python_version < '3.8'");
  const t = (arch: string): DepsTarget => ({ platform: makePlatform('linux', arch), libc: 'glibc', libcVersion: '2.36', python: '3.12' });
  const rows = await analyzePythonLockfile(lock, [t('amd64'), t('s390x')], undefined);
  // without an index only the packages known to carry native code are rows, each unknown (AA304)
  assert.deepEqual(rows.map((r) => [r.name, r.cells.map((c) => c.status).join(',')]), [['markupsafe', 'unknown,unknown']]);
});

test('uri-js yarn.lock (Yarn 1, 2020): read with its facts; fsevents (macOS only) is no row; offline, what the lock cannot say is one unscreened group', async () => {
  const text = fixture('yarn-v1/garycourt__uri-js__yarn.lock');
  const lock = readLockfile('yarn.lock', text);
  assert.equal(lock.kind, 'yarn-classic');
  assert.equal(lock.packages.length, 360);
  assert.deepEqual(lock.unrecorded, ['install-scripts', 'platforms']);
  assert.deepEqual(lock.warnings.map((w) => w.location?.line), [2], 'one warning, at the header');
  const fsevents = lock.packages.filter((p) => p.name === 'fsevents');
  assert.deepEqual(fsevents.map((p) => [p.version, p.position?.line, p.optional]), [['1.2.13', 1191, true], ['2.1.3', 1199, true]]);
  const t = (arch: string): DepsTarget => ({ platform: makePlatform('linux', arch), libc: 'glibc', libcVersion: '2.36', node: '20' });
  const rows = await analyzeNpmLockfile(lock, [t('amd64'), t('arm64')], undefined);
  assert.ok(!rows.some((r) => r.name === 'fsevents'), 'fsevents installs on macOS only');
  assert.ok(rows.length > 300 && rows.every((r) => r.unscreened && r.cells.every((c) => c.status === 'unknown')), 'offline, nothing is taken for pure');
});
