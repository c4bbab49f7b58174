/**
 * The pure pieces of npm coverage: platform names of family members, prebuildify's file tags as
 * node-gyp-build matches them, the asset templates of prebuild-install and node-pre-gyp, native
 * detection. Real names and templates: esbuild, @swc/core, rollup, sharp, @parcel/watcher,
 * napi-rs (@napi-rs/canvas), turbo; bcrypt 5 and sqlite3 5.0 (node-pre-gyp `binary` blocks of
 * their package.json), sqlite3 5.1 and canvas (prebuild-install -r napi), argon2 and bcrypt 6
 * (prebuildify --tag-libc --tag-armv).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LockedPackage, NpmManifest } from '../types.js';
import { platformOfName } from './families.js';
import { hasCompileFallback, nativeFromLock, nativeFromManifest, prebuildInstallFlags } from './native.js';
import { matchPrebuild, parsePrebuilds } from './prebuilds.js';
import { expandTemplate, githubRepository, nodePreGypUrl, prebuildInstallUrl } from './templates.js';

describe('platformOfName', () => {
  test('the platform a member name says, across the families that exist', () => {
    const table: [string, string | undefined][] = [
      ['@esbuild/linux-arm64', 'linux/arm64/any'],
      ['@esbuild/linux-ppc64', 'linux/ppc64/any'],
      ['@swc/core-linux-arm-gnueabihf', 'linux/arm/glibc'],
      ['@swc/core-linux-arm64-musl', 'linux/arm64/musl'],
      ['@rollup/rollup-linux-riscv64-gnu', 'linux/riscv64/glibc'],
      ['@img/sharp-linuxmusl-x64', 'linux/x64/musl'],
      ['@img/sharp-libvips-linux-s390x', 'linux/s390x/any'],
      ['@parcel/watcher-linux-arm64-glibc', 'linux/arm64/glibc'],
      ['@napi-rs/canvas-linux-x64-musl', 'linux/x64/musl'],
      ['@swc/core-win32-x64-msvc', 'win32/x64/any'],
      ['@esbuild/darwin-arm64', 'darwin/arm64/any'],
      ['turbo-linux-64', 'linux/x64/any'],
      ['@sentry/cli-linux-i686', 'linux/ia32/any'],
      ['esbuild', undefined],
      ['linux', undefined],
      ['@types/node', undefined],
      ['left-pad', undefined],
    ];
    for (const [name, want] of table) {
      const p = platformOfName(name);
      assert.equal(p ? `${p.os}/${p.cpu}/${p.libc ?? 'any'}` : undefined, want, name);
    }
    assert.equal(platformOfName('@rollup/rollup-linux-arm-musleabihf')?.suffix, 'linux-arm-musleabihf');
  });
});

describe('prebuilds (node-gyp-build)', () => {
  // argon2 0.40: prebuildify --napi --tag-libc --tag-armv
  const argon2 = parsePrebuilds([
    'package/package.json',
    'package/prebuilds/darwin-arm64/argon2.armv8.node',
    'package/prebuilds/linux-arm/argon2.armv7.glibc.node',
    'package/prebuilds/linux-arm64/argon2.armv8.glibc.node',
    'package/prebuilds/linux-arm64/argon2.armv8.musl.node',
    'package/prebuilds/linux-x64/argon2.glibc.node',
    'package/prebuilds/linux-x64/argon2.musl.node',
    'package/prebuilds/win32-x64/argon2.node',
  ]);

  test('tags are read from the file names; other files are not prebuilds', () => {
    assert.equal(argon2.length, 7);
    const arm = argon2.find((p) => p.path === 'prebuilds/linux-arm/argon2.armv7.glibc.node');
    assert.deepEqual([arm?.platform, arm?.archs, arm?.armv, arm?.libc], ['linux', ['arm'], '7', 'glibc']);
    const multi = parsePrebuilds(['prebuilds/darwin-x64+arm64/node.napi.node', 'prebuilds/linux-x64/node.abi115.node', 'prebuilds/linux-x64/electron.napi.node']);
    assert.deepEqual(multi.map((p) => [p.archs, p.runtime, p.napi, p.abi]), [[['x64', 'arm64'], 'node', true, undefined], [['x64'], 'node', false, '115'], [['x64'], 'electron', true, undefined]]);
  });

  test('libc and armv tags decide; arm/v6 does not take an armv7 build', () => {
    const m = (arch: string, armv: string, libc: 'glibc' | 'musl') => matchPrebuild(argon2, { arch, armv, libc, abi: '115' }).match?.path;
    assert.equal(m('arm64', '8', 'musl'), 'prebuilds/linux-arm64/argon2.armv8.musl.node');
    assert.equal(m('arm64', '8', 'glibc'), 'prebuilds/linux-arm64/argon2.armv8.glibc.node');
    assert.equal(m('arm', '7', 'glibc'), 'prebuilds/linux-arm/argon2.armv7.glibc.node');
    assert.equal(m('arm', '6', 'glibc'), undefined);
    assert.equal(m('arm', '7', 'musl'), undefined);
    assert.equal(m('ppc64', '', 'glibc'), undefined);
    assert.equal(matchPrebuild(argon2, { arch: 'arm', armv: '6', libc: 'glibc' }).ruledOut.length, 1);
  });

  test('an untagged build matches any libc, and is flagged on musl', () => {
    const untagged = parsePrebuilds(['package/prebuilds/linux-x64/node.napi.node']);
    const onMusl = matchPrebuild(untagged, { arch: 'x64', armv: '', libc: 'musl' });
    assert.equal(onMusl.match?.path, 'prebuilds/linux-x64/node.napi.node');
    assert.equal(onMusl.untaggedOnMusl, true);
    assert.equal(matchPrebuild(untagged, { arch: 'x64', armv: '', libc: 'glibc' }).untaggedOnMusl, false);
  });

  test('a non-napi build needs the same ABI; electron builds never load in node', () => {
    const abi = parsePrebuilds(['prebuilds/linux-x64/node.abi115.node', 'prebuilds/linux-x64/electron.abi125.node']);
    assert.equal(matchPrebuild(abi, { arch: 'x64', armv: '', libc: 'glibc', abi: '115' }).match?.path, 'prebuilds/linux-x64/node.abi115.node');
    assert.equal(matchPrebuild(abi, { arch: 'x64', armv: '', libc: 'glibc', abi: '127' }).match, undefined);
  });
});

describe('asset templates', () => {
  test('expandTemplate leaves unknown keys; githubRepository reads the forms package.json uses', () => {
    assert.equal(expandTemplate('{a}-{b}', { a: '1' }), '1-{b}');
    assert.equal(githubRepository('git+https://github.com/TryGhost/node-sqlite3.git'), 'https://github.com/TryGhost/node-sqlite3');
    assert.equal(githubRepository('github:Automattic/node-canvas'), 'https://github.com/Automattic/node-canvas');
    assert.equal(githubRepository('WiseLibs/better-sqlite3'), 'https://github.com/WiseLibs/better-sqlite3');
    assert.equal(githubRepository('https://gitlab.com/a/b'), undefined);
  });

  test('prebuild-install: GitHub release assets, napi runtime, linuxmusl, node ABI', () => {
    // sqlite3 5.1.7: "install": "prebuild-install -r napi || node-gyp rebuild", binary.napi_versions [3, 6]
    const sqlite3: NpmManifest = { name: 'sqlite3', version: '5.1.7', repository: 'git+https://github.com/TryGhost/node-sqlite3.git', scripts: { install: 'prebuild-install -r napi || node-gyp rebuild' }, binary: { napi_versions: [3, 6] } };
    const flags = prebuildInstallFlags(sqlite3);
    assert.deepEqual(flags, { runtime: 'napi', tagPrefix: 'v' });
    assert.equal(prebuildInstallUrl(sqlite3, { arch: 'arm64', libc: 'musl', abi: '115' }, flags), 'https://github.com/TryGhost/node-sqlite3/releases/download/v5.1.7/sqlite3-v5.1.7-napi-v6-linuxmusl-arm64.tar.gz');
    // better-sqlite3 11: "install": "prebuild-install || node-gyp rebuild --release"
    const bs: NpmManifest = { name: 'better-sqlite3', version: '11.1.2', repository: 'git://github.com/WiseLibs/better-sqlite3.git', scripts: { install: 'prebuild-install || node-gyp rebuild --release' } };
    assert.equal(prebuildInstallUrl(bs, { arch: 'x64', libc: 'glibc', abi: '127' }, prebuildInstallFlags(bs)), 'https://github.com/WiseLibs/better-sqlite3/releases/download/v11.1.2/better-sqlite3-v11.1.2-node-v127-linux-x64.tar.gz');
    assert.equal(prebuildInstallUrl({ name: 'x', version: '1.0.0' }, { arch: 'x64', libc: 'glibc', abi: '127' }, { runtime: 'node', tagPrefix: 'v' }), undefined);
    const hosted: NpmManifest = { name: '@scope/addon', version: '2.0.0', binary: { host: 'https://mirror.example/', remote_path: '/addon/v{version}/' } };
    assert.equal(prebuildInstallUrl(hosted, { arch: 'arm', libc: 'glibc', abi: '115' }, { runtime: 'node', tagPrefix: 'v' }), 'https://mirror.example/addon/v2.0.0/addon-v2.0.0-node-v115-linux-arm.tar.gz');
  });

  test('node-pre-gyp: bcrypt 5 and sqlite3 5.0 binary blocks', () => {
    const bcrypt: NpmManifest = {
      name: 'bcrypt',
      version: '5.1.1',
      scripts: { install: 'node-pre-gyp install --fallback-to-build' },
      binary: { module_name: 'bcrypt_lib', module_path: './lib/binding/napi-v{napi_build_version}', package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}-{libc}.tar.gz', host: 'https://github.com', remote_path: 'kelektiv/node.bcrypt.js/releases/download/v{version}', napi_versions: [3] },
    };
    assert.equal(nodePreGypUrl(bcrypt, { arch: 'arm64', libc: 'musl', abi: '115' }), 'https://github.com/kelektiv/node.bcrypt.js/releases/download/v5.1.1/bcrypt_lib-v5.1.1-napi-v3-linux-arm64-musl.tar.gz');
    const sqlite: NpmManifest = {
      name: 'sqlite3',
      version: '5.0.2',
      binary: { module_name: 'node_sqlite3', module_path: './lib/binding/napi-v{napi_build_version}-{platform}-{arch}', host: 'https://mapbox-node-binary.s3.amazonaws.com', remote_path: './{name}/v{version}/{toolset}/', package_name: 'napi-v{napi_build_version}-{platform}-{arch}.tar.gz', napi_versions: [3, 6] },
    };
    assert.equal(nodePreGypUrl(sqlite, { arch: 'x64', libc: 'glibc', abi: '115' }), 'https://mapbox-node-binary.s3.amazonaws.com/sqlite3/v5.0.2/napi-v6-linux-x64.tar.gz');
    const plain: NpmManifest = { name: 'old', version: '1.0.0', binary: { module_name: 'old', host: 'https://h.example/b' } };
    assert.equal(nodePreGypUrl(plain, { arch: 'x64', libc: 'glibc', abi: '115' }), 'https://h.example/b/old-v1.0.0-node-v115-linux-x64.tar.gz');
    assert.equal(nodePreGypUrl({ name: 'x', version: '1.0.0' }, { arch: 'x64', libc: 'glibc', abi: '115' }), undefined);
  });
});

describe('native detection', () => {
  const pkg = (over: Partial<LockedPackage>): LockedPackage => ({ ecosystem: 'npm', name: 'p', version: '1.0.0', key: 'node_modules/p', ...over });

  test('from the lockfile: helper dependencies, install scripts, known JavaScript-only scripts', () => {
    assert.deepEqual(nativeFromLock(pkg({ dependencies: ['prebuild-install', 'bindings'] }))?.mechanism, 'prebuild-install');
    assert.deepEqual(nativeFromLock(pkg({ dependencies: ['@mapbox/node-pre-gyp', 'node-addon-api'] }))?.mechanism, 'node-pre-gyp');
    assert.deepEqual(nativeFromLock(pkg({ dependencies: ['node-gyp-build'] }))?.mechanism, 'prebuildify');
    const nan = nativeFromLock(pkg({ dependencies: ['nan'] }));
    assert.deepEqual([nan?.mechanism, nan?.certain], ['node-gyp', false]);
    assert.deepEqual(nativeFromLock(pkg({ hasInstallScript: true }))?.mechanism, 'install-script');
    assert.deepEqual(nativeFromLock(pkg({ requiresBuild: true }))?.mechanism, 'install-script');
    assert.equal(nativeFromLock(pkg({ name: 'core-js', hasInstallScript: true })), undefined);
    assert.equal(nativeFromLock(pkg({ name: 'node-gyp-build', hasInstallScript: true })), undefined);
    assert.equal(nativeFromLock(pkg({ dependencies: ['lodash'] })), undefined);
  });

  test('from the manifest: scripts, gypfile, binary; a JavaScript-only script is not native', () => {
    const m = (over: Partial<NpmManifest>): NpmManifest => ({ name: 'p', version: '1.0.0', ...over });
    assert.equal(nativeFromManifest(m({ scripts: { install: 'prebuild-install -r napi || node-gyp rebuild' } }))?.mechanism, 'prebuild-install');
    assert.equal(nativeFromManifest(m({ scripts: { install: 'node-pre-gyp install --fallback-to-build' } }))?.mechanism, 'node-pre-gyp');
    assert.equal(nativeFromManifest(m({ scripts: { install: 'node-gyp-build' } }))?.mechanism, 'prebuildify');
    assert.equal(nativeFromManifest(m({ scripts: { install: 'node-gyp rebuild' } }))?.mechanism, 'node-gyp');
    assert.equal(nativeFromManifest(m({ gypfile: true }))?.mechanism, 'node-gyp');
    assert.equal(nativeFromManifest(m({ scripts: { postinstall: 'node install.js' } })), null);
    assert.equal(hasCompileFallback(m({ scripts: { install: 'prebuild-install || node-gyp rebuild' } }), 'prebuild-install'), true);
    assert.equal(hasCompileFallback(m({ scripts: { install: 'prebuild-install' } }), 'prebuild-install'), false);
    assert.equal(hasCompileFallback(m({ scripts: { install: 'node-pre-gyp install --fallback-to-build' } }), 'node-pre-gyp'), true);
    assert.equal(hasCompileFallback(m({ scripts: { install: 'node-pre-gyp install' } }), 'node-pre-gyp'), false);
  });
});

describe('installsOnLinux', () => {
  test("npm's os lists: none, positive, negated", async () => {
    const { installsOnLinux } = await import('./coverage.js');
    assert.equal(installsOnLinux(undefined), true);
    assert.equal(installsOnLinux(['darwin']), false);
    assert.equal(installsOnLinux(['linux', 'darwin']), true);
    assert.equal(installsOnLinux(['!win32']), true);
    assert.equal(installsOnLinux(['!linux']), false);
  });
});
