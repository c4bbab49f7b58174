/**
 * THE one test that reaches past 127.0.0.1: openNpmMetadata against the npm registry this machine
 * is configured for (`npm config get registry`, normally https://registry.npmjs.org/), asking for
 * the packuments of esbuild, sharp and better-sqlite3. It asserts facts of published versions
 * (which never change) and is tolerant of new ones. It is never skipped: an unreachable registry
 * fails it with a message saying so.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { isMetadataFailure, openNpmMetadata } from '../src/deps/npm/registry.js';
import type { NpmManifest } from '../src/deps/types.js';
import { tempPaths } from './support/assert.js';

const tmp = tempPaths('anyarch-npmreal-');

async function configuredRegistry(): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['config', 'get', 'registry'], { env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  const url = stdout.trim();
  assert.match(url, /^https?:\/\//, `npm config get registry said ${JSON.stringify(url)}`);
  return url;
}

test('the configured npm registry: esbuild, sharp and better-sqlite3 packuments say what deps needs', async () => {
  const registry = await configuredRegistry();
  const cacheDir = tmp('cache');
  const requests: string[] = [];
  const meta = openNpmMetadata({ registry, cacheDir, onRequest: (w) => requests.push(w) });
  const manifest = async (name: string, version: string): Promise<NpmManifest> => {
    const m = await meta.manifest(name, version);
    if (isMetadataFailure(m)) {
      assert.fail(`the npm registry ${registry} (npm config get registry) did not answer for ${name}: ${m.error.message}. This integration test needs it; it is not skipped.`);
    }
    assert.ok(m, `${name}@${version} is on ${registry}`);
    return m;
  };

  // esbuild: a platform-package family with a linux-arm64 member
  const esbuild = await manifest('esbuild', '0.25.0');
  assert.equal(esbuild.optionalDependencies?.['@esbuild/linux-arm64'], '0.25.0');
  assert.equal(esbuild.scripts?.postinstall, 'node install.js');
  const member = await manifest('@esbuild/linux-arm64', '0.25.0');
  assert.deepEqual([member.os, member.cpu], [['linux'], ['arm64']]);
  const versions = await meta.versions('esbuild');
  assert.ok(!isMetadataFailure(versions));
  assert.ok(versions.includes('0.25.0') && versions.includes('0.24.2'));
  assert.ok(versions.indexOf('0.24.2') < versions.indexOf('0.25.0'), 'newest last');

  // sharp: a linux-ppc64 package but no linuxmusl-ppc64 one (no musl build for ppc64le); a musl arm64 one with its libc
  const sharp = await manifest('sharp', '0.34.3');
  const names = Object.keys(sharp.optionalDependencies ?? {});
  assert.ok(names.includes('@img/sharp-linux-ppc64'));
  assert.ok(names.includes('@img/sharp-linuxmusl-arm64'));
  assert.ok(!names.includes('@img/sharp-linuxmusl-ppc64'), 'sharp 0.34.3 has no musl ppc64 package');
  const musl = await manifest('@img/sharp-linuxmusl-arm64', '0.34.3');
  assert.deepEqual([musl.os, musl.cpu, musl.libc], [['linux'], ['arm64'], ['musl']]);

  // better-sqlite3: prebuild-install, falling back to node-gyp
  const sqlite = await manifest('better-sqlite3', '11.10.0');
  assert.equal(sqlite.scripts?.install, 'prebuild-install || node-gyp rebuild --release');
  assert.ok(sqlite.dependencies?.['prebuild-install']);
  assert.deepEqual(Object.keys(sqlite.scripts ?? {}), ['install'], 'only install scripts are kept');

  assert.deepEqual(requests.sort(), ['packument @esbuild/linux-arm64', 'packument @img/sharp-linuxmusl-arm64', 'packument better-sqlite3', 'packument esbuild', 'packument sharp']);
  // the same questions again, from the cache
  const warm = openNpmMetadata({ registry, cacheDir, offline: true });
  assert.deepEqual(await warm.manifest('sharp', '0.34.3'), sharp);
  assert.deepEqual(await warm.versions('esbuild'), versions);
});
