/**
 * bin/anyarch.js: the command runs from the bundle (dist/cli/anyarch.cjs, scripts/bundle.mjs)
 * with a V8 code cache per command in the cache directory, and prints and exits the same with
 * the cache, without it, and when the cache is damaged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../../test/support/tree.js';

// dist/src/cli/bin.test.js -> <repo>/bin/anyarch.js
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = path.join(REPO, 'bin', 'anyarch.js');

function run(cwd: string, args: string[], env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { ...process.env, ANYARCH_OFFLINE: '1' };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS', 'ANYARCH_NO_COMPILE_CACHE']) delete base[k];
  Object.assign(base, env);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: base, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DOCKERFILE = 'FROM alpine:3.20\nRUN curl -fsSLO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\n';

describe('bin/anyarch.js', () => {
  test('the bundle is ASCII and bin/ is CommonJS', () => {
    const bytes = readFileSync(path.join(REPO, 'dist', 'cli', 'anyarch.cjs'));
    assert.equal(bytes.findIndex((b) => b > 0x7f), -1);
    assert.deepEqual(JSON.parse(readFileSync(path.join(REPO, 'bin', 'package.json'), 'utf8')), { type: 'commonjs' });
  });

  test('writes one code cache per command, then reads it; the output and exit code do not change', () => {
    const cwd = tempTree({ Dockerfile: DOCKERFILE }, 'anyarch-bin-');
    const cache = mkdtempSync(path.join(os.tmpdir(), 'anyarch-bin-cache-'));
    try {
      const first = run(cwd, ['check', 'Dockerfile'], { ANYARCH_CACHE_DIR: cache });
      assert.equal(first.code, 1, first.stderr);
      const files = readdirSync(path.join(cache, 'compile'));
      assert.equal(files.length, 1);
      assert.match(files[0] ?? '', /^[0-9a-f]{64}-[a-z0-9]+-check\.v8cache$/);
      const second = run(cwd, ['check', 'Dockerfile'], { ANYARCH_CACHE_DIR: cache });
      assert.deepEqual(second, first);
      const version = run(cwd, ['--version'], { ANYARCH_CACHE_DIR: cache });
      assert.equal(version.code, 0);
      assert.deepEqual(readdirSync(path.join(cache, 'compile')).sort(), [...files, (files[0] ?? '').replace(/-check\.v8cache$/, '-other.v8cache')].sort());

      // a damaged cache is rejected by V8 and written again; the run is the same
      const file = path.join(cache, 'compile', files[0] ?? '');
      writeFileSync(file, 'not a code cache');
      const third = run(cwd, ['check', 'Dockerfile'], { ANYARCH_CACHE_DIR: cache });
      assert.deepEqual(third, first);
      assert.notEqual(readFileSync(file, 'latin1'), 'not a code cache');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test('ANYARCH_NO_COMPILE_CACHE=1 reads and writes no cache', () => {
    const cwd = tempTree({ Dockerfile: DOCKERFILE }, 'anyarch-bin-');
    const cache = mkdtempSync(path.join(os.tmpdir(), 'anyarch-bin-cache-'));
    try {
      const r = run(cwd, ['check', 'Dockerfile'], { ANYARCH_CACHE_DIR: cache, ANYARCH_NO_COMPILE_CACHE: '1' });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(existsSync(path.join(cache, 'compile')), false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test('a cache directory others can write is neither read nor written (a code cache is code)', () => {
    const cwd = tempTree({ Dockerfile: DOCKERFILE }, 'anyarch-bin-');
    const cache = mkdtempSync(path.join(os.tmpdir(), 'anyarch-bin-cache-'));
    try {
      const first = run(cwd, ['check', 'Dockerfile'], { ANYARCH_CACHE_DIR: cache });
      const [name] = readdirSync(path.join(cache, 'compile'));
      assert.ok(name);
      // the directory made writable by everyone, and the cache file replaced by someone else's
      chmodSync(path.join(cache, 'compile'), 0o777);
      const planted = path.join(cache, 'compile', name);
      writeFileSync(planted, 'not ours');
      const second = run(cwd, ['check', 'Dockerfile'], { ANYARCH_CACHE_DIR: cache });
      assert.deepEqual(second, first);
      assert.equal(readFileSync(planted, 'latin1'), 'not ours', 'neither read (rejected, then rewritten) nor written');
      assert.deepEqual(readdirSync(path.join(cache, 'compile')), [name]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
