/**
 * analyzeNpmLockfile over hand-written lockfiles of real shapes (src/deps/lockfiles/fixtures.test-data.ts)
 * and an in-memory registry. Real gaps turned into cases: sharp has no musl build for ppc64le or
 * s390x (lovell/sharp's platform list; the research notes' npm view of sharp 0.35); @swc/core's
 * `linux-arm-gnueabihf` package has no libc field, so npm installs it on musl where it cannot load
 * (the research notes, from @swc/core 1.16's manifests); a lock pruned to the host by npm >= 10.3
 * (npm/cli#7961); better-sqlite3 and sqlite3 on Alpine arm64 falling back to node-gyp without
 * build tools (the "better-sqlite3 alpine" reports); prebuildify builds without a libc tag loaded
 * on musl.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryNpm } from '../../../test/support/npm-memory-metadata.js';
import type { AnyarchError } from '../../errors.js';
import { parsePlatform } from '../../platform/index.js';
import { PNPM_V6, PNPM_V9, YARN_BERRY, packageLockV3 } from '../lockfiles/fixtures.test-data.js';
import { readLockfile } from '../lockfiles/index.js';
import type { Cell, DepsTarget, Libc, Lockfile, PackageReport, Toolchain } from '../types.js';
import { analyzeNpmLockfile, nonRegistrySource } from './coverage.js';

function target(spec: string, libc: Libc = 'glibc', extra: Partial<DepsTarget> = {}): DepsTarget {
  return { platform: parsePlatform(spec), libc, ...extra };
}

const FULL: Toolchain = { cc: true, cxx: true, make: true, python3: true, rust: false, headers: [], evidence: ['build-base is installed in stage build (Dockerfile:3)'] };
const NONE: Toolchain = { cc: false, cxx: false, make: false, python3: false, rust: false, headers: [], evidence: [] };

function rowOf(reports: readonly PackageReport[], name: string): PackageReport {
  const r = reports.find((x) => x.name === name);
  assert.ok(r, `${name} in ${reports.map((x) => x.name).join(', ')}`);
  return r;
}

const brief = (c: Cell | undefined): string => `${c?.status}${c?.id ? ` ${c.id}` : ''}`;

const ARGON2_FILES = [
  'package/package.json',
  'package/prebuilds/linux-arm/argon2.armv7.glibc.node',
  'package/prebuilds/linux-arm64/argon2.armv8.glibc.node',
  'package/prebuilds/linux-arm64/argon2.armv8.musl.node',
  'package/prebuilds/linux-x64/argon2.glibc.node',
  'package/prebuilds/linux-x64/argon2.musl.node',
];

const BCRYPT = {
  scripts: { install: 'node-pre-gyp install --fallback-to-build' },
  binary: { module_name: 'bcrypt_lib', module_path: './lib/binding/napi-v{napi_build_version}', package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}-{libc}.tar.gz', host: 'https://github.com', remote_path: 'kelektiv/node.bcrypt.js/releases/download/v{version}', napi_versions: [3] },
};
const bcryptUrl = (arch: string, libc: string): string => `https://github.com/kelektiv/node.bcrypt.js/releases/download/v5.1.1/bcrypt_lib-v5.1.1-napi-v3-linux-${arch}-${libc}.tar.gz`;

describe('analyzeNpmLockfile: package-lock.json', () => {
  const lock = readLockfile('package-lock.json', packageLockV3());
  const targets = [target('linux/amd64'), target('linux/arm64', 'musl'), target('linux/arm/v7'), target('linux/ppc64le'), target('linux/s390x', 'musl')];

  test('native packages only, in lockfile order, one cell per target; families grouped under their parent', async () => {
    const reports = await analyzeNpmLockfile(lock, targets, undefined);
    assert.deepEqual(reports.map((r) => `${r.name}@${r.version} ${r.mechanism}`), ['argon2@0.40.3 prebuildify', 'bcrypt@5.1.1 node-pre-gyp', 'esbuild@0.21.5 platform-packages', 'sharp@0.33.5 platform-packages']);
    for (const r of reports) assert.equal(r.cells.length, targets.length, r.name);
    assert.equal(rowOf(reports, 'bcrypt').position?.line, lock.packages.find((p) => p.name === 'bcrypt')?.position?.line);
  });

  test('esbuild: every Linux target has its static package, musl included (no libc split)', async () => {
    const esbuild = rowOf(await analyzeNpmLockfile(lock, targets, undefined), 'esbuild');
    assert.deepEqual(esbuild.cells.map((c) => c.status), ['prebuilt', 'prebuilt', 'prebuilt', 'prebuilt', 'prebuilt']);
    assert.deepEqual(esbuild.cells.map((c) => c.artifact), ['@esbuild/linux-x64@0.21.5', '@esbuild/linux-arm64@0.21.5', '@esbuild/linux-arm@0.21.5', '@esbuild/linux-ppc64@0.21.5', '@esbuild/linux-s390x@0.21.5']);
    assert.equal(esbuild.suggestion, undefined);
  });

  test('sharp: glibc and musl packages by libc; no ppc64 package, no musl s390x; a glibc base suggested for musl', async () => {
    const sharp = rowOf(await analyzeNpmLockfile(lock, targets, undefined), 'sharp');
    assert.deepEqual(sharp.cells.map(brief), ['prebuilt', 'prebuilt', 'prebuilt', 'missing AA301', 'missing AA301']);
    assert.equal(sharp.cells[1]?.artifact, '@img/sharp-linuxmusl-arm64@0.33.5');
    assert.equal(sharp.cells[0]?.artifact, '@img/sharp-linux-x64@0.33.5');
    assert.match(sharp.cells[3]?.reason ?? '', /^no sharp platform package for linux\/ppc64le \(it has linux-arm, linux-arm64, linux-s390x, linux-x64, linuxmusl-arm64, linuxmusl-x64\)/);
    assert.match(sharp.cells[4]?.reason ?? '', /linux\/s390x \(musl\)/);
    assert.match(sharp.suggestion ?? '', /glibc base \(node:22-slim, Debian\) instead of Alpine for linux\/s390x \(musl\)/);
  });

  test('without registry metadata, prebuild and asset checks are unknown (AA304), saying why', async () => {
    const reports = await analyzeNpmLockfile(lock, targets, undefined);
    for (const name of ['argon2', 'bcrypt']) {
      const r = rowOf(reports, name);
      assert.deepEqual(new Set(r.cells.map(brief)), new Set(['unknown AA304']), name);
      assert.match(r.cells[0]?.reason ?? '', /needs the registry/);
    }
  });

  test('prebuildify from the tarball list; node-pre-gyp assets by HEAD; missing ones compile as the toolchain allows', async () => {
    const meta = memoryNpm({
      manifests: { 'argon2@0.40.3': { scripts: { install: 'node-gyp-build' } }, 'bcrypt@5.1.1': BCRYPT },
      files: { 'argon2@0.40.3': ARGON2_FILES },
      urls: [bcryptUrl('x64', 'glibc'), bcryptUrl('arm64', 'musl')],
    });
    const withTools = targets.map((t, i) => ({ ...t, toolchain: i === 3 ? FULL : NONE }));
    const reports = await analyzeNpmLockfile(lock, withTools, meta);
    const argon2 = rowOf(reports, 'argon2');
    assert.deepEqual(argon2.cells.map(brief), ['prebuilt', 'prebuilt', 'prebuilt', 'compiles AA303', 'missing AA302']);
    assert.deepEqual(argon2.cells.slice(0, 3).map((c) => c.artifact), ['prebuilds/linux-x64/argon2.glibc.node', 'prebuilds/linux-arm64/argon2.armv8.musl.node', 'prebuilds/linux-arm/argon2.armv7.glibc.node']);
    assert.deepEqual(argon2.cells[4]?.lacking, ['a C/C++ compiler', 'make', 'python3']);
    assert.match(argon2.cells[4]?.reason ?? '', /no prebuild for linux\/s390x \(musl\).*lacks a C\/C\+\+ compiler, make, python3/);
    assert.match(argon2.suggestion ?? '', /build-deps stage/);
    const bcrypt = rowOf(reports, 'bcrypt');
    assert.deepEqual(bcrypt.cells.map(brief), ['prebuilt', 'prebuilt', 'missing AA302', 'compiles AA303', 'missing AA302']);
    assert.equal(bcrypt.cells[1]?.artifact, bcryptUrl('arm64', 'musl'));
    assert.ok(meta.asked.includes(`exists ${bcryptUrl('ppc64', 'glibc')}`), meta.asked.join('\n'));
  });

  test('an install script that is plain JavaScript is not native; a registry failure leaves that row unknown and the rest analysed', async () => {
    const text = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/banner': { version: '1.0.0', hasInstallScript: true },
        'node_modules/mystery': { version: '2.0.0', hasInstallScript: true },
        'node_modules/gyp-only': { version: '3.0.0', hasInstallScript: true },
      },
    });
    const l = readLockfile('package-lock.json', text);
    const meta = memoryNpm({ manifests: { 'banner@1.0.0': { scripts: { postinstall: 'node banner.js' } }, 'gyp-only@3.0.0': { gypfile: true } }, failing: ['mystery'] });
    const reports = await analyzeNpmLockfile(l, [target('linux/arm64')], meta);
    assert.deepEqual(reports.map((r) => `${r.name} ${r.mechanism} ${brief(r.cells[0])}`), ['mystery install-script unknown AA304', 'gyp-only node-gyp compiles AA303']);
    assert.match(reports[0]?.cells[0]?.reason ?? '', /mystery: 503/);
    assert.deepEqual(reports[1]?.cells[0]?.needs, ['a C/C++ compiler', 'make', 'python3']);
  });

  test('a package from git, a GitHub tarball or a folder is not looked up on the registry, whose package of that name may be other code', async () => {
    const text = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/forked-addon': { version: '1.0.0', resolved: 'git+ssh://git@github.com/me/forked-addon.git#0123456789abcdef0123456789abcdef01234567', hasInstallScript: true },
        'node_modules/tar-addon': { version: '2.0.0', resolved: 'https://codeload.github.com/me/tar-addon/tar.gz/0123456', hasInstallScript: true, dependencies: { 'node-gyp-build': '^4' } },
        'node_modules/registry-addon': { version: '3.0.0', resolved: 'https://registry.npmjs.org/registry-addon/-/registry-addon-3.0.0.tgz', hasInstallScript: true },
      },
    });
    const l = readLockfile('package-lock.json', text);
    const asked: string[] = [];
    const inner = memoryNpm({ manifests: { 'forked-addon@1.0.0': { gypfile: true }, 'tar-addon@2.0.0': {}, 'registry-addon@3.0.0': { gypfile: true } } });
    const meta = { ...inner, manifest: (n: string, v: string) => (asked.push(`${n}@${v}`), inner.manifest(n, v)), files: (n: string, v: string, t?: string) => (asked.push(`files ${n}@${v}`), inner.files(n, v, t)) };
    const reports = await analyzeNpmLockfile(l, [target('linux/arm64')], meta);
    assert.deepEqual(asked.filter((a) => !a.startsWith('files ')), ['registry-addon@3.0.0']);
    assert.ok(!asked.some((a) => a.includes('forked-addon') || a.includes('tar-addon')), asked.join(', '));
    assert.match(rowOf(reports, 'forked-addon').cells[0]?.reason ?? '', /comes from a git repository, not the registry/);
    assert.equal(rowOf(reports, 'tar-addon').cells[0]?.status, 'unknown');
    assert.match(rowOf(reports, 'tar-addon').cells[0]?.reason ?? '', /a GitHub tarball/);
    assert.equal(rowOf(reports, 'registry-addon').cells[0]?.status, 'compiles');
    // the shapes of Yarn's resolutions and pnpm's keys, and what is a registry's
    const src = (key: string, version = '1.0.0', resolved?: string): string | undefined => nonRegistrySource({ key, version, resolved });
    assert.equal(src('addon@git+https://github.com/a/b.git#commit=abc'), 'a git repository');
    assert.equal(src('addon@github:a/b#abc'), 'a git repository');
    assert.equal(src('addon@https://codeload.github.com/a/b/tar.gz/abc'), 'a GitHub tarball');
    assert.equal(src('addon@https://github.com/a/b/archive/v1.tar.gz'), 'a GitHub tarball');
    assert.equal(src('addon@file:../addon'), 'a local folder or file');
    assert.equal(src('addon@npm:1.0.0'), undefined);
    assert.equal(src('node_modules/addon', '1.0.0', 'https://npm.example.com/addon/-/addon-1.0.0.tgz'), undefined);
    assert.equal(src('/addon@1.0.0'), undefined);
  });
});

describe('analyzeNpmLockfile: a lock pruned to one platform', () => {
  const pruned = readLockfile('package-lock.json', packageLockV3({ pruneTo: 'linux-x64' }));
  const targets = [target('linux/amd64'), target('linux/arm64', 'musl'), target('linux/ppc64le')];

  test('coverage from the names the parent declares, without the registry', async () => {
    const reports = await analyzeNpmLockfile(pruned, targets, undefined);
    const sharp = rowOf(reports, 'sharp');
    assert.deepEqual(sharp.cells.map((c) => c.artifact ?? c.status), ['@img/sharp-linux-x64@0.33.5', '@img/sharp-linuxmusl-arm64', 'missing']);
  });

  test("with the registry, the parent's manifest gives every member its version, with a warning only on failure", async () => {
    const meta = memoryNpm({
      manifests: { 'sharp@0.33.5': { optionalDependencies: { '@img/sharp-linux-x64': '0.33.5', '@img/sharp-linuxmusl-arm64': '0.33.5', '@img/sharp-linux-arm64': '0.33.5' } } },
      failing: ['esbuild'],
    });
    const warnings: AnyarchError[] = [];
    const reports = await analyzeNpmLockfile(pruned, targets, meta, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(rowOf(reports, 'sharp').cells.map((c) => c.artifact ?? c.status), ['@img/sharp-linux-x64@0.33.5', '@img/sharp-linuxmusl-arm64@0.33.5', 'missing']);
    assert.deepEqual(rowOf(reports, 'esbuild').cells.map((c) => c.status), ['prebuilt', 'prebuilt', 'prebuilt']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? '', /^esbuild@0\.21\.5: .*esbuild: 503/);
    assert.equal(warnings[0]?.location?.file, 'package-lock.json');
  });
});

describe('analyzeNpmLockfile: pnpm and Yarn locks', () => {
  test('pnpm v6: @swc/core arm-gnueabihf has no libc field: installed on musl, where it fails to load', async () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V6);
    const reports = await analyzeNpmLockfile(lock, [target('linux/arm/v7'), target('linux/arm/v7', 'musl'), target('linux/arm64', 'musl')], undefined);
    const swc = rowOf(reports, '@swc/core');
    assert.deepEqual(swc.cells.map(brief), ['prebuilt', 'missing AA301', 'prebuilt']);
    assert.match(swc.cells[1]?.reason ?? '', /@swc\/core-linux-arm-gnueabihf has no libc field, so npm installs it there, and a glibc build fails to load on musl/);
    assert.equal(rowOf(reports, 'sqlite3').mechanism, 'node-pre-gyp');
  });

  test('pnpm v9: better-sqlite3 by prebuild-install against its GitHub release, for the Node version of the target', async () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V9);
    const asset = (node: string, plat: string, arch: string) => `https://github.com/WiseLibs/better-sqlite3/releases/download/v11.1.2/better-sqlite3-v11.1.2-node-v${node}-${plat}-${arch}.tar.gz`;
    const meta = memoryNpm({
      manifests: { 'better-sqlite3@11.1.2': { scripts: { install: 'prebuild-install || node-gyp rebuild --release' }, repository: 'git://github.com/WiseLibs/better-sqlite3.git' } },
      urls: [asset('115', 'linux', 'x64'), asset('127', 'linuxmusl', 'x64')],
    });
    const targets = [target('linux/amd64', 'glibc', { node: '20' }), target('linux/amd64', 'musl'), target('linux/arm64', 'musl', { node: '20', toolchain: NONE })];
    const reports = await analyzeNpmLockfile(lock, targets, meta);
    const bs = rowOf(reports, 'better-sqlite3');
    assert.deepEqual(bs.cells.map(brief), ['prebuilt', 'prebuilt', 'missing AA302']);
    assert.equal(bs.cells[0]?.artifact, asset('115', 'linux', 'x64'));
    assert.match(bs.cells[1]?.reason ?? '', /\(Node 22 assumed; pass --node\)/);
    assert.match(bs.cells[2]?.reason ?? '', /linuxmusl-arm64\.tar\.gz is absent/);
    assert.match(bs.suggestion ?? '', /with pnpm 10, list better-sqlite3 in onlyBuiltDependencies/);
    const sharp = rowOf(reports, 'sharp');
    assert.deepEqual(sharp.cells.map((c) => c.status), ['prebuilt', 'prebuilt', 'missing']);
    assert.doesNotMatch(sharp.suggestion ?? '', /onlyBuiltDependencies/);
  });

  test('Yarn Berry: rollup by conditions (no musl s390x, no ppc64); canvas by node-pre-gyp', async () => {
    const lock = readLockfile('yarn.lock', YARN_BERRY);
    const reports = await analyzeNpmLockfile(lock, [target('linux/arm64', 'musl'), target('linux/s390x'), target('linux/s390x', 'musl'), target('linux/ppc64le')], undefined);
    assert.deepEqual(reports.map((r) => r.name), ['canvas', 'rollup']);
    assert.deepEqual(rowOf(reports, 'rollup').cells.map(brief), ['prebuilt', 'prebuilt', 'missing AA301', 'missing AA301']);
    assert.equal(rowOf(reports, 'canvas').mechanism, 'node-pre-gyp');
  });
});

describe('analyzeNpmLockfile: prebuilds without a libc tag, suggestions of versions', () => {
  const lockOf = (entries: Record<string, unknown>): Lockfile => readLockfile('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...entries } }));

  test('an untagged (glibc) prebuild is picked on musl and fails to load; node-gyp-build then compiles (its install step), naming the file', async () => {
    const lock = lockOf({ 'node_modules/leveldown': { version: '6.1.1', hasInstallScript: true, dependencies: { 'node-gyp-build': '^4.3.0', 'napi-macros': '~2.0.0' } } });
    const meta = memoryNpm({ manifests: { 'leveldown@6.1.1': { scripts: { install: 'node-gyp-build' } } }, files: { 'leveldown@6.1.1': ['package/prebuilds/linux-x64/node.napi.glibc.node', 'package/prebuilds/linux-arm64/node.napi.armv8.node'] } });
    const [row] = await analyzeNpmLockfile(lock, [target('linux/amd64', 'musl'), target('linux/arm64', 'musl'), target('linux/arm64')], meta);
    assert.deepEqual(row?.cells.map(brief), ['compiles AA303', 'compiles AA303', 'prebuilt']);
    assert.match(row?.cells[1]?.reason ?? '', /prebuilds\/linux-arm64\/node\.napi\.armv8\.node has no libc tag, so node-gyp-build loads it on musl too.*falls back to node-gyp rebuild/);
  });

  test('a newer version of a family that covers every target is suggested', async () => {
    const lock = lockOf({
      'node_modules/@acme/fast': { version: '1.0.0', optionalDependencies: { '@acme/fast-linux-x64-gnu': '1.0.0', '@acme/fast-linux-arm64-gnu': '1.0.0' } },
      'node_modules/@acme/fast-linux-x64-gnu': { version: '1.0.0', os: ['linux'], cpu: ['x64'], optional: true },
      'node_modules/@acme/fast-linux-arm64-gnu': { version: '1.0.0', os: ['linux'], cpu: ['arm64'], optional: true },
    });
    const meta = memoryNpm({
      versions: { '@acme/fast': ['0.9.0', '1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0', '2.1.0'] },
      manifests: {
        '@acme/fast@2.0.0': { optionalDependencies: { '@acme/fast-linux-x64-gnu': '2.0.0', '@acme/fast-linux-arm64-gnu': '2.0.0', '@acme/fast-linux-riscv64-gnu': '2.0.0' } },
        '@acme/fast@2.1.0': { optionalDependencies: { '@acme/fast-linux-x64-gnu': '2.1.0', '@acme/fast-linux-arm64-gnu': '2.1.0', '@acme/fast-linux-riscv64-gnu': '2.1.0' } },
      },
    });
    const [row] = await analyzeNpmLockfile(lock, [target('linux/amd64'), target('linux/riscv64')], meta);
    assert.deepEqual(row?.cells.map(brief), ['prebuilt', 'missing AA301']);
    assert.equal(row?.suggestion, '@acme/fast@2.1.0 has a platform package for every target');
    assert.equal(meta.asked.includes('manifest @acme/fast@2.0.0-beta.1'), false);
  });
});

describe('analyzeNpmLockfile: glibc floors and newer prebuilt versions', () => {
  test("a member's config.glibc floor (sharp's linux-arm needs 2.36) against the base's glibc version", async () => {
    const lock = readLockfile('package-lock.json', packageLockV3());
    const meta = memoryNpm({ manifests: { '@img/sharp-linux-arm@0.33.5': { config: { glibc: '>=2.36' } }, '@img/sharp-linux-x64@0.33.5': { config: { glibc: '>=2.17' } } } });
    const targets = [target('linux/arm/v7', 'glibc', { libcVersion: '2.31' }), target('linux/arm/v7', 'glibc', { libcVersion: '2.36' }), target('linux/arm/v7'), target('linux/amd64', 'glibc', { libcVersion: '2.31' })];
    const sharp = rowOf(await analyzeNpmLockfile(lock, targets, meta), 'sharp');
    assert.deepEqual(sharp.cells.map(brief), ['missing AA301', 'prebuilt', 'prebuilt', 'prebuilt']);
    assert.match(sharp.cells[0]?.reason ?? '', /@img\/sharp-linux-arm@0\.33\.5 needs glibc >= 2\.36 \(its config\.glibc, which npm does not check\); the base has glibc 2\.31/);
    assert.equal(meta.asked.filter((a) => a === 'manifest @img/sharp-linux-arm@0.33.5').length, 1, 'asked once');
  });

  test('prebuild-install: the newest version whose assets exist for every target is suggested', async () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V9);
    const url = (v: string, plat: string, arch: string) => `https://github.com/WiseLibs/better-sqlite3/releases/download/v${v}/better-sqlite3-v${v}-node-v115-${plat}-${arch}.tar.gz`;
    const manifest = { scripts: { install: 'prebuild-install || node-gyp rebuild --release' }, repository: 'WiseLibs/better-sqlite3' };
    const meta = memoryNpm({
      versions: { 'better-sqlite3': ['11.1.2', '11.5.0', '12.0.0-beta.1'] },
      manifests: { 'better-sqlite3@11.1.2': manifest, 'better-sqlite3@11.5.0': manifest },
      urls: [url('11.1.2', 'linux', 'x64'), url('11.5.0', 'linux', 'x64'), url('11.5.0', 'linuxmusl', 'arm64')],
    });
    const bs = rowOf(await analyzeNpmLockfile(lock, [target('linux/amd64', 'glibc', { node: '20' }), target('linux/arm64', 'musl', { node: '20' })], meta), 'better-sqlite3');
    assert.deepEqual(bs.cells.map(brief), ['prebuilt', 'compiles AA303']);
    assert.match(bs.suggestion ?? '', /^better-sqlite3@11\.5\.0 has a prebuilt binary for every target/);
  });
});

describe('analyzeNpmLockfile: a lock without libc fields (npm < 11.11, pnpm)', () => {
  test("libc from the members' names: a family that names musl builds makes its plain linux- names glibc", async () => {
    const lock = readLockfile('package-lock.json', packageLockV3({ withLibc: false }));
    const sharp = rowOf(await analyzeNpmLockfile(lock, [target('linux/arm64', 'musl'), target('linux/arm64'), target('linux/s390x', 'musl')], undefined), 'sharp');
    assert.deepEqual(sharp.cells.map((c) => c.artifact ?? brief(c)), ['@img/sharp-linuxmusl-arm64@0.33.5', '@img/sharp-linux-arm64@0.33.5', 'missing AA301']);
    assert.match(sharp.cells[2]?.reason ?? '', /@img\/sharp-linux-s390x has no libc field, so npm installs it there, and a glibc build fails to load on musl/);
  });
});

describe('analyzeNpmLockfile: a platform package required outright', () => {
  test('a non-optional dependency on one platform package fails the install elsewhere (EBADPLATFORM)', async () => {
    const lock = readLockfile('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/@esbuild/linux-x64': { version: '0.21.5', os: ['linux'], cpu: ['x64'] }, 'node_modules/@esbuild/linux-arm64': { version: '0.21.5', os: ['linux'], cpu: ['arm64'], optional: true } } }));
    const reports = await analyzeNpmLockfile(lock, [target('linux/amd64'), target('linux/arm64')], undefined);
    assert.deepEqual(reports.map((r) => `${r.name} ${r.cells.map(brief).join(' / ')}`), ['@esbuild/linux-x64 prebuilt / missing AA301']);
    assert.match(reports[0]?.cells[1]?.reason ?? '', /declares cpu x64 and is not optional: npm refuses to install it on linux\/arm64 \(EBADPLATFORM\)/);
  });
});

describe('analyzeNpmLockfile: prebuilds without an install script', () => {
  test('better-sqlite3 >= 12 (bindings, gypfile false, prebuilds in the tarball, no install script): missing where no prebuild fits; bindings alone without prebuilds is not a row', async () => {
    const lock = readLockfile('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/better-sqlite3': { version: '12.2.0', dependencies: { bindings: '^1.5.0' } }, 'node_modules/plain': { version: '1.0.0', dependencies: { bindings: '^1.5.0' } } } }));
    const meta = memoryNpm({
      manifests: { 'better-sqlite3@12.2.0': { gypfile: false, files: ['lib/**', 'prebuilds/**'] }, 'plain@1.0.0': {} },
      files: { 'better-sqlite3@12.2.0': ['package/prebuilds/linux-x64/better-sqlite3.node.napi.glibc.node', 'package/prebuilds/linux-arm64/better-sqlite3.node.napi.musl.node'] },
    });
    const reports = await analyzeNpmLockfile(lock, [target('linux/amd64'), target('linux/arm64', 'musl'), target('linux/ppc64le')], meta);
    assert.deepEqual(reports.map((r) => `${r.name} ${r.mechanism} ${r.cells.map(brief).join(' / ')}`), ['better-sqlite3 prebuildify prebuilt / prebuilt / missing AA301']);
    assert.match(reports[0]?.cells[2]?.reason ?? '', /no prebuild for linux\/ppc64le.*no install script to compile one/);
  });
});

describe('analyzeNpmLockfile: suggestions only where they are known to hold', () => {
  const lockOf = (entries: Record<string, unknown>): Lockfile => readLockfile('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...entries } }));
  test('a glibc base only for a musl target whose CPU has a glibc member: sharp has none for ppc64le, one for s390x', async () => {
    const lock = readLockfile('package-lock.json', packageLockV3());
    const sharp = rowOf(await analyzeNpmLockfile(lock, [target('linux/ppc64le', 'musl'), target('linux/s390x', 'musl')], undefined), 'sharp');
    assert.deepEqual(sharp.cells.map(brief), ['missing AA301', 'missing AA301']);
    assert.equal(sharp.suggestion, 'a glibc base (node:22-slim, Debian) instead of Alpine for linux/s390x (musl)');
    const ppc = rowOf(await analyzeNpmLockfile(lock, [target('linux/ppc64le', 'musl')], undefined), 'sharp');
    assert.equal(ppc.suggestion, undefined, 'no glibc ppc64 build either: a glibc base would not help');
  });

  test('prebuilds: a glibc base only where the tarball has a glibc prebuild for that CPU', async () => {
    const lock = readLockfile('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/fastdb': { version: '1.0.0', dependencies: { bindings: '^1.5.0' } } } }));
    const meta = memoryNpm({
      manifests: { 'fastdb@1.0.0': { gypfile: false } },
      files: { 'fastdb@1.0.0': ['package/prebuilds/linux-x64/fastdb.napi.glibc.node', 'package/prebuilds/linux-arm64/fastdb.napi.armv8.glibc.node'] },
    });
    const [row] = await analyzeNpmLockfile(lock, [target('linux/arm64', 'musl'), target('linux/s390x', 'musl')], meta);
    assert.deepEqual(row?.cells.map(brief), ['missing AA301', 'missing AA301']);
    assert.equal(row?.suggestion, 'a glibc base (node:22-slim, Debian) instead of Alpine for linux/arm64 (musl)');
  });

  test('release assets: a glibc base only where the glibc asset for that CPU answers', async () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V9);
    const url = (plat: string, arch: string) => `https://github.com/WiseLibs/better-sqlite3/releases/download/v11.1.2/better-sqlite3-v11.1.2-node-v115-${plat}-${arch}.tar.gz`;
    const meta = memoryNpm({
      manifests: { 'better-sqlite3@11.1.2': { scripts: { install: 'prebuild-install' }, repository: 'WiseLibs/better-sqlite3' } },
      urls: [url('linux', 'x64'), url('linux', 'arm64')],
    });
    const bs = rowOf(await analyzeNpmLockfile(lock, [target('linux/arm64', 'musl', { node: '20' }), target('linux/s390x', 'musl', { node: '20' })], meta), 'better-sqlite3');
    assert.deepEqual(bs.cells.map(brief), ['missing AA301', 'missing AA301']);
    assert.match(bs.suggestion ?? '', /^a glibc base \(node:20-slim, Debian\) instead of Alpine for linux\/arm64 \(musl\);/);
    assert.doesNotMatch(bs.suggestion ?? '', /s390x/);
  });

  test("a newer family version is not offered when a member's glibc floor is above the target's", async () => {
    const lock = lockOf({
      'node_modules/@acme/fast': { version: '1.0.0', optionalDependencies: { '@acme/fast-linux-x64-gnu': '1.0.0' } },
      'node_modules/@acme/fast-linux-x64-gnu': { version: '1.0.0', os: ['linux'], cpu: ['x64'], optional: true },
    });
    const meta = memoryNpm({
      versions: { '@acme/fast': ['1.0.0', '2.0.0'] },
      manifests: {
        '@acme/fast@2.0.0': { optionalDependencies: { '@acme/fast-linux-x64-gnu': '2.0.0', '@acme/fast-linux-arm64-gnu': '2.0.0' } },
        '@acme/fast-linux-arm64-gnu@2.0.0': { config: { glibc: '>=2.38' } },
      },
    });
    const targets = [target('linux/amd64', 'glibc', { libcVersion: '2.36' }), target('linux/arm64', 'glibc', { libcVersion: '2.36' })];
    const [row] = await analyzeNpmLockfile(lock, targets, meta);
    assert.deepEqual(row?.cells.map(brief), ['prebuilt', 'missing AA301']);
    assert.equal(row?.suggestion, undefined, '2.0.0 has an arm64 member, but it needs glibc 2.38 and the base has 2.36');
    const [newer] = await analyzeNpmLockfile(lock, [target('linux/amd64', 'glibc', { libcVersion: '2.39' }), target('linux/arm64', 'glibc', { libcVersion: '2.39' })], meta);
    assert.equal(newer?.suggestion, '@acme/fast@2.0.0 has a platform package for every target');
  });
});

describe('analyzeNpmLockfile: a parent that falls back to a WASM build of its own (fallbacks.ts)', () => {
  const SWC = ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl', 'darwin-arm64', 'win32-x64-msvc'];
  const cpu = (s: string) => (s.includes('x64') ? 'x64' : 'arm64');
  const lockOf = (name: string, version: string, prefix: string, extra: Record<string, unknown> = {}): Lockfile =>
    readLockfile(
      'package-lock.json',
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': {},
          [`node_modules/${name}`]: { version, optionalDependencies: Object.fromEntries(SWC.map((s) => [`${prefix}${s}`, version])) },
          ...Object.fromEntries(SWC.map((s) => [`node_modules/${prefix}${s}`, { version, os: [s.split('-')[0]], cpu: [cpu(s)], ...(s.startsWith('linux') ? { libc: [s.endsWith('musl') ? 'musl' : 'glibc'] } : {}), optional: true }])),
          ...extra,
        },
      }),
    );
  const targets = [target('linux/amd64'), target('linux/s390x'), target('linux/ppc64le'), target('linux/arm64', 'musl')];

  test('next 15 on s390x and ppc64le: no @next/swc package, but next loads @next/swc-wasm-nodejs (fetched at build time): prebuilt, saying how', async () => {
    const [row] = await analyzeNpmLockfile(lockOf('next', '15.1.0', '@next/swc-'), targets, undefined);
    assert.deepEqual(row?.cells.map(brief), ['prebuilt', 'prebuilt', 'prebuilt', 'prebuilt']);
    assert.equal(row?.cells[1]?.artifact, '@next/swc-wasm-nodejs (WASM, fetched by next at build time)');
    assert.match(row?.cells[1]?.reason ?? '', /^no next platform package for linux\/s390x \(it has .*\); next 15\.1\.0 falls back to @next\/swc-wasm-nodejs, which next downloads from the npm registry during next build \(the build needs the registry then\); WASM builds run slower$/);
    assert.equal(row?.suggestion, undefined);
  });

  test('a locked @next/swc-wasm-nodejs is what runs; nothing is fetched', async () => {
    const [row] = await analyzeNpmLockfile(lockOf('next', '14.2.5', '@next/swc-', { 'node_modules/@next/swc-wasm-nodejs': { version: '14.2.5' } }), [target('linux/s390x')], undefined);
    assert.deepEqual(row?.cells.map((c) => [c.status, c.artifact]), [['prebuilt', '@next/swc-wasm-nodejs@14.2.5']]);
    assert.match(row?.cells[0]?.reason ?? '', /falls back to @next\/swc-wasm-nodejs@14\.2\.5 from node_modules/);
  });

  test('next 16: the WASM bindings cannot run Turbopack, its default: still missing, saying why, and next build --webpack suggested', async () => {
    const [row] = await analyzeNpmLockfile(lockOf('next', '16.0.1', '@next/swc-'), targets, undefined);
    assert.deepEqual(row?.cells.map(brief), ['prebuilt', 'missing AA301', 'missing AA301', 'prebuilt']);
    assert.match(row?.cells[1]?.reason ?? '', /; next 16\.0\.1 falls back to @next\/swc-wasm-nodejs, which cannot run Turbopack, the bundler next build and next dev use by default since Next 16$/);
    assert.match(row?.suggestion ?? '', /^build with next build --webpack, which runs on @next\/swc-wasm-nodejs where no @next\/swc package fits/);
  });

  test('no fallback known: next 12, and a family without one of its own (lightningcss)', async () => {
    const [old] = await analyzeNpmLockfile(lockOf('next', '12.3.4', '@next/swc-'), [target('linux/s390x')], undefined);
    assert.deepEqual(old?.cells.map(brief), ['missing AA301']);
    const [css] = await analyzeNpmLockfile(lockOf('lightningcss', '1.28.2', 'lightningcss-'), [target('linux/s390x')], undefined);
    assert.deepEqual(css?.cells.map(brief), ['missing AA301']);
  });
});
