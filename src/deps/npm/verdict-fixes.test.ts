/**
 * Verdicts a reviewer found wrong on real lockfiles (rollup 4.24, ssh2 1.16, bufferutil 4.0.8,
 * node-sass 7.0.3, node-pty 1.0.0, re2 1.21.4, grpc 1.24), as hand-made package-lock.json v3
 * files of the same shapes and an in-memory registry (test/support/npm-memory-metadata.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryNpm } from '../../../test/support/npm-memory-metadata.js';
import { parsePlatform } from '../../platform/index.js';
import { readLockfile } from '../lockfiles/index.js';
import type { DepsTarget, Libc, PackageReport, Toolchain } from '../types.js';
import { analyzeNpmLockfile } from './coverage.js';
import { findFamilies, platformOfName } from './families.js';

function target(spec: string, libc: Libc = 'glibc', extra: Partial<DepsTarget> = {}): DepsTarget {
  return { platform: parsePlatform(spec), libc, ...extra };
}

/** A package-lock.json v3 from `node_modules/<name>` entries. */
export function lockOf(entries: Record<string, Record<string, unknown>>, root: Record<string, string> = {}): ReturnType<typeof readLockfile> {
  const packages: Record<string, unknown> = { '': { name: 'x', version: '1.0.0', dependencies: root } };
  for (const [name, e] of Object.entries(entries)) packages[`node_modules/${name}`] = e;
  return readLockfile('package-lock.json', JSON.stringify({ name: 'x', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

function rowOf(reports: readonly PackageReport[], name: string): PackageReport {
  const r = reports.find((x) => x.name === name);
  assert.ok(r, `${name} in ${reports.map((x) => x.name).join(', ')}`);
  return r;
}

const NONE: Toolchain = { cc: false, cxx: false, make: false, python3: false, rust: false, headers: [], evidence: ['the base node:20-slim carries no compiler'] };
const FULL: Toolchain = { cc: true, cxx: true, make: true, python3: true, rust: false, headers: [], evidence: ['build-base is installed in stage build (Dockerfile:3)'] };

describe('1. family members: every spelling real families use; a member\'s own fields win over its name', () => {
  test('platformOfName reads powerpc64le, loongarch64, riscv64, s390x, armv7, arm-gnueabihf, ia32', () => {
    const p = (n: string): string | undefined => {
      const x = platformOfName(n);
      return x ? `${x.os}/${x.cpu}${x.libc ? `/${x.libc}` : ''}` : undefined;
    };
    assert.equal(p('@rollup/rollup-linux-powerpc64le-gnu'), 'linux/ppc64/glibc'); // rollup 4.24
    assert.equal(p('@rollup/rollup-linux-powerpc64le-musl'), 'linux/ppc64/musl');
    assert.equal(p('@rollup/rollup-linux-loongarch64-gnu'), 'linux/loong64/glibc');
    assert.equal(p('@rollup/rollup-linux-riscv64-gnu'), 'linux/riscv64/glibc');
    assert.equal(p('@rollup/rollup-linux-s390x-gnu'), 'linux/s390x/glibc');
    assert.equal(p('@rollup/rollup-linux-arm-gnueabihf'), 'linux/arm/glibc');
    assert.equal(p('@swc/core-linux-arm-gnueabihf'), 'linux/arm/glibc');
    assert.equal(p('@img/sharp-linux-armv7'), 'linux/arm');
    assert.equal(p('@rollup/rollup-win32-ia32-msvc'), 'win32/ia32');
    assert.equal(p('@napi-rs/x-linux-x64-gnux32'), 'linux/x64/glibc');
  });

  // rollup@4.24.0 as npm 10 locks it: the ppc64le member carries cpu ppc64 and libc glibc
  const rollupLock = lockOf(
    {
      rollup: {
        version: '4.24.0',
        optionalDependencies: {
          '@rollup/rollup-linux-x64-gnu': '4.24.0',
          '@rollup/rollup-linux-x64-musl': '4.24.0',
          '@rollup/rollup-linux-powerpc64le-gnu': '4.24.0',
          '@rollup/rollup-linux-ppc-odd': '4.24.0',
        },
      },
      '@rollup/rollup-linux-x64-gnu': { version: '4.24.0', cpu: ['x64'], os: ['linux'], libc: ['glibc'], optional: true },
      '@rollup/rollup-linux-x64-musl': { version: '4.24.0', cpu: ['x64'], os: ['linux'], libc: ['musl'], optional: true },
      '@rollup/rollup-linux-powerpc64le-gnu': { version: '4.24.0', cpu: ['ppc64'], os: ['linux'], libc: ['glibc'], optional: true },
      // a name in words anyarch does not know: its own cpu/libc fields make it a member (riscv64 musl here)
      '@rollup/rollup-linux-ppc-odd': { version: '4.24.0', cpu: ['riscv64'], os: ['linux'], libc: ['musl'], optional: true },
    },
    { rollup: '^4.24.0' },
  );

  test('rollup@4.24.0 on linux/ppc64le: prebuilt by @rollup/rollup-linux-powerpc64le-gnu', async () => {
    const reports = await analyzeNpmLockfile(rollupLock, [target('linux/ppc64le'), target('linux/ppc64le', 'musl'), target('linux/riscv64', 'musl')], undefined);
    assert.deepEqual(reports.map((r) => r.name), ['rollup']);
    const rollup = rowOf(reports, 'rollup');
    assert.equal(rollup.cells[0]?.status, 'prebuilt');
    assert.equal(rollup.cells[0]?.artifact, '@rollup/rollup-linux-powerpc64le-gnu@4.24.0');
    assert.equal(rollup.cells[1]?.status, 'missing'); // its libc field says glibc
    assert.equal(rollup.cells[2]?.status, 'prebuilt');
    assert.equal(rollup.cells[2]?.artifact, '@rollup/rollup-linux-ppc-odd@4.24.0');
    assert.ok(findFamilies(rollupLock.packages).members.has('@rollup/rollup-linux-ppc-odd'));
  });

  test("the lock's cpu field wins over the name", async () => {
    const lock = lockOf({
      p: { version: '1.0.0', optionalDependencies: { 'p-linux-x64': '1.0.0' } },
      // named x64, built (and declared) for arm64
      'p-linux-x64': { version: '1.0.0', cpu: ['arm64'], os: ['linux'], optional: true },
    });
    const p = rowOf(await analyzeNpmLockfile(lock, [target('linux/amd64'), target('linux/arm64')], undefined), 'p');
    assert.deepEqual(p.cells.map((c) => c.status), ['missing', 'prebuilt']);
  });

  test('a pruned lock: an absent member whose name says no platform is read from its own manifest', async () => {
    const lock = lockOf({
      q: { version: '2.0.0', optionalDependencies: { 'q-linux-x64-gnu': '2.0.0', 'q-linux-ppc64-gnu': '2.0.0', 'q-weird-build': '2.0.0' } },
      'q-linux-x64-gnu': { version: '2.0.0', cpu: ['x64'], os: ['linux'], libc: ['glibc'], optional: true },
    });
    const meta = memoryNpm({
      manifests: {
        'q@2.0.0': { optionalDependencies: { 'q-linux-x64-gnu': '2.0.0', 'q-linux-ppc64-gnu': '2.0.0', 'q-weird-build': '2.0.0' } },
        'q-weird-build@2.0.0': { os: ['linux'], cpu: ['s390x'], libc: ['glibc'] },
      },
    });
    const q = rowOf(await analyzeNpmLockfile(lock, [target('linux/ppc64le'), target('linux/s390x'), target('linux/arm64')], meta, { suggestVersions: false }), 'q');
    assert.deepEqual(q.cells.map((c) => c.status), ['prebuilt', 'prebuilt', 'missing']);
    assert.equal(q.cells[1]?.artifact, 'q-weird-build@2.0.0');
  });
});

describe('2. optional packages: npm skips a failed build', () => {
  // ssh2@1.16.0 as npm 10 locks it: cpu-features and nan only through ssh2's optionalDependencies
  const ssh2Lock = lockOf(
    {
      ssh2: { version: '1.16.0', hasInstallScript: true, dependencies: { asn1: '^0.2.6', 'bcrypt-pbkdf': '^1.0.2' }, optionalDependencies: { 'cpu-features': '~0.0.10', nan: '^2.20.0' } },
      'cpu-features': { version: '0.0.10', hasInstallScript: true, optional: true, dependencies: { buildcheck: '~0.0.6', nan: '^2.19.0' } },
      buildcheck: { version: '0.0.6', optional: true },
      nan: { version: '2.30.0', optional: true },
      asn1: { version: '0.2.6' },
      'bcrypt-pbkdf': { version: '1.0.2' },
    },
    { ssh2: '1.16.0' },
  );
  const meta = memoryNpm({
    manifests: {
      'cpu-features@0.0.10': { scripts: { install: 'node buildcheck.js > buildcheck.gypi && node-gyp rebuild' }, gypfile: true },
      'ssh2@1.16.0': { scripts: { install: 'node install.js' } },
    },
  });

  test('cpu-features is an optional row; its AA302 cells do not fail the target', async () => {
    const { summarizeDeps, depsFindings } = await import('../analyze.js');
    const targets = [target('linux/amd64', 'glibc', { toolchain: NONE }), target('linux/arm64', 'glibc', { toolchain: FULL })];
    const packages = await analyzeNpmLockfile(ssh2Lock, targets, meta, { suggestVersions: false });
    // ssh2 itself is no row: nan is only among its optionalDependencies and its install.js tolerates a failed build
    assert.deepEqual(packages.map((p) => `${p.name} ${p.optional ?? false}`), ['cpu-features true']);
    const cpu = rowOf(packages, 'cpu-features');
    assert.deepEqual(cpu.cells.map((c) => `${c.status} ${c.id}`), ['missing AA302', 'compiles AA303']);
    const report = { file: 'package-lock.json', kind: 'package-lock' as const, ecosystem: 'npm' as const, targets, packages, total: 6, warnings: [] };
    const s = summarizeDeps([report]);
    assert.equal(s.failing, false);
    assert.deepEqual(s.summaries[0], { target: 'linux/amd64', prebuilt: 0, compiles: 0, missing: 0, unknown: 0, optionalMissing: 1, fails: false });
    const f = depsFindings([report]).find((x) => x.id === 'AA302');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.message ?? '', /optional: npm skips a failed build/);
    // the text reporter's marks: src/cli/reporters/deps-text-fixes.test.ts
  });

  test('the same package required directly (not optional) still fails', async () => {
    const lock = lockOf({ 'cpu-features': { version: '0.0.10', hasInstallScript: true, dependencies: { nan: '^2.19.0' } }, nan: { version: '2.30.0' } }, { 'cpu-features': '^0.0.10' });
    const packages = await analyzeNpmLockfile(lock, [target('linux/amd64', 'glibc', { toolchain: NONE })], meta, { suggestVersions: false });
    assert.equal(rowOf(packages, 'cpu-features').optional, undefined);
    const { summarizeDeps } = await import('../analyze.js');
    assert.equal(summarizeDeps([{ file: 'p', kind: 'package-lock', ecosystem: 'npm', targets: [target('linux/amd64')], packages, total: 2, warnings: [] }]).failing, true);
  });
});

describe('3. an untagged prebuild on musl with node-gyp-build as the install script: it compiles', () => {
  // bufferutil@4.0.8: `install: node-gyp-build`, prebuilds/linux-x64/node.napi.node with no libc tag
  const lock = lockOf({ bufferutil: { version: '4.0.8', hasInstallScript: true, dependencies: { 'node-gyp-build': '^4.3.0' } }, 'node-gyp-build': { version: '4.8.4' } }, { bufferutil: '^4.0.8' });
  const files = ['package/package.json', 'package/prebuilds/darwin-x64+arm64/node.napi.node', 'package/prebuilds/linux-x64/node.napi.node', 'package/prebuilds/win32-x64/node.napi.node'];

  test('with the install script: compiles (AA303 with tools, AA302 without), the libc note kept', async () => {
    const meta = memoryNpm({ manifests: { 'bufferutil@4.0.8': { scripts: { install: 'node-gyp-build' }, dependencies: { 'node-gyp-build': '^4.3.0' } } }, files: { 'bufferutil@4.0.8': files } });
    const [row] = await analyzeNpmLockfile(lock, [target('linux/amd64', 'musl', { toolchain: FULL }), target('linux/amd64', 'musl', { toolchain: NONE }), target('linux/amd64')], meta, { suggestVersions: false });
    assert.deepEqual(row?.cells.map((c) => `${c.status} ${c.id ?? ''}`.trim()), ['compiles AA303', 'missing AA302', 'prebuilt']);
    for (const c of row?.cells.slice(0, 2) ?? []) assert.match(c.reason, /prebuilds\/linux-x64\/node\.napi\.node has no libc tag.*fails to load there.*falls back to node-gyp rebuild/);
  });

  test('without an install script to fall back on: still missing (AA301)', async () => {
    const bare = lockOf({ bufferutil: { version: '4.0.8', dependencies: { 'node-gyp-build': '^4.3.0' } } });
    const meta = memoryNpm({ manifests: { 'bufferutil@4.0.8': { dependencies: { 'node-gyp-build': '^4.3.0' } } }, files: { 'bufferutil@4.0.8': files } });
    const [row] = await analyzeNpmLockfile(bare, [target('linux/amd64', 'musl', { toolchain: FULL })], meta, { suggestVersions: false });
    assert.equal(`${row?.cells[0]?.status} ${row?.cells[0]?.id}`, 'missing AA301');
  });
});

describe('4. native packages a JavaScript install script or nan alone hid', () => {
  const lock = lockOf(
    {
      // node-sass@7.0.3: gypfile, nan, `install: node scripts/install.js`, `postinstall: node scripts/build.js`
      'node-sass': { version: '7.0.3', hasInstallScript: true, dependencies: { nan: '^2.13.2', 'node-gyp': '^8.4.1', chalk: '^4.1.2' } },
      // node-pty@1.0.0: nan, binding.gyp in `files`, only a postinstall
      'node-pty': { version: '1.0.0', hasInstallScript: true, dependencies: { nan: '^2.17.0' } },
      // an addon on node-addon-api whose own install script builds it (no gypfile recorded)
      'addon-x': { version: '1.0.0', hasInstallScript: true, dependencies: { 'node-addon-api': '^7.0.0' } },
      // nan with no install script and no prebuilds: not native on its own (a library that re-exports)
      'uses-nan': { version: '1.0.0', dependencies: { nan: '^2.0.0' } },
      nan: { version: '2.30.0' },
    },
    { 'node-sass': '^7.0.3', 'node-pty': '^1.0.0' },
  );
  const meta = memoryNpm({
    manifests: {
      'node-sass@7.0.3': { scripts: { install: 'node scripts/install.js', postinstall: 'node scripts/build.js' }, gypfile: true, dependencies: { nan: '^2.13.2' } },
      'node-pty@1.0.0': { scripts: { postinstall: 'node scripts/post-install.js' }, dependencies: { nan: '^2.17.0' }, files: ['binding.gyp', 'lib/', 'scripts/', 'src/', 'deps/', 'typings/'] },
      'addon-x@1.0.0': { scripts: { install: 'node build.js' }, dependencies: { 'node-addon-api': '^7.0.0' } },
      'uses-nan@1.0.0': { dependencies: { nan: '^2.0.0' } },
    },
  });

  test('node-sass, node-pty and a node-addon-api package with its own install script compile; nan alone is not native', async () => {
    const reports = await analyzeNpmLockfile(lock, [target('linux/amd64', 'glibc', { toolchain: FULL }), target('linux/arm64', 'musl', { toolchain: NONE })], meta, { suggestVersions: false });
    assert.deepEqual(reports.map((r) => `${r.name} ${r.mechanism}`), ['node-sass node-gyp', 'node-pty node-gyp', 'addon-x node-gyp']);
    for (const r of reports) assert.deepEqual(r.cells.map((c) => `${c.status} ${c.id}`), ['compiles AA303', 'missing AA302'], r.name);
    assert.match(rowOf(reports, 'node-sass').cells[0]?.reason ?? '', /binding\.gyp \(gypfile\) and install script: node scripts\/install\.js/);
    assert.match(rowOf(reports, 'node-pty').cells[0]?.reason ?? '', /binding\.gyp with no install or preinstall script: npm runs node-gyp rebuild/);
    assert.match(rowOf(reports, 'addon-x').cells[0]?.reason ?? '', /depends on node-addon-api and has an install script: node build\.js/);
  });

  test('nativeFromManifest: gypfile with a JavaScript install script is node-gyp', async () => {
    const { nativeFromManifest } = await import('./native.js');
    assert.equal(nativeFromManifest({ name: 'node-sass', version: '7.0.3', gypfile: true, scripts: { install: 'node scripts/install.js' } })?.mechanism, 'node-gyp');
    assert.equal(nativeFromManifest({ name: 'node-pty', version: '1.0.0', files: ['binding.gyp'], scripts: { postinstall: 'node x.js' } })?.mechanism, 'node-gyp');
    assert.equal(nativeFromManifest({ name: 'p', version: '1.0.0', files: ['binding.gyp'], scripts: { install: 'node download.js' } }), null);
  });
});

describe('5. an assumed Node ABI is said once per cell', () => {
  // grpc@1.24.11: node-pre-gyp assets by Node ABI (node-v{abi}), no napi
  const lock = lockOf({ grpc: { version: '1.24.11', hasInstallScript: true, dependencies: { '@mapbox/node-pre-gyp': '^1.0.4', nan: '^2.13.2' } } });
  const grpc = {
    scripts: { install: 'node-pre-gyp install --fallback-to-build --library=static_library' },
    binary: { module_name: 'grpc_node', module_path: 'src/node/extension_binary/{node_abi}-{platform}-{arch}-{libc}', host: 'https://node-precompiled-binaries.grpc.io/', remote_path: '{name}/v{version}', package_name: '{node_abi}-{platform}-{arch}-{libc}.tar.gz' },
  };
  const url = (abi: string, arch: string, libc: string): string => `https://node-precompiled-binaries.grpc.io/grpc/v1.24.11/node-v${abi}-linux-${arch}-${libc}.tar.gz`;
  const count = (s: string | undefined, re: RegExp): number => (s ?? '').split(re).length - 1;

  test('without --node: prebuilt, compiled and unknown cells each say "(Node 22 assumed; pass --node)" once', async () => {
    const meta = memoryNpm({ manifests: { 'grpc@1.24.11': grpc }, urls: [url('127', 'x64', 'glibc')], failing: [url('127', 'ppc64', 'glibc')] });
    const [row] = await analyzeNpmLockfile(lock, [target('linux/amd64'), target('linux/arm64', 'glibc', { toolchain: FULL }), target('linux/ppc64le')], meta, { suggestVersions: false });
    assert.deepEqual(row?.cells.map((c) => c.status), ['prebuilt', 'compiles', 'unknown']);
    for (const c of row?.cells ?? []) assert.equal(count(c.reason, /\(Node 22 assumed; pass --node\)/), 1, c.reason);
  });

  test('with the Node version known: no note; a prebuildify ABI build ruled out by an assumed ABI says it', async () => {
    const meta = memoryNpm({ manifests: { 'grpc@1.24.11': grpc }, urls: [url('115', 'x64', 'glibc')] });
    const [row] = await analyzeNpmLockfile(lock, [target('linux/amd64', 'glibc', { node: '20' })], meta, { suggestVersions: false });
    assert.equal(row?.cells[0]?.status, 'prebuilt');
    assert.doesNotMatch(row?.cells[0]?.reason ?? '', /assumed/);
    // an ABI-tagged prebuildify build (abi115) ruled out under the assumed Node 22
    const pb = lockOf({ 'abi-addon': { version: '1.0.0', hasInstallScript: true, dependencies: { 'node-gyp-build': '^4.0.0' } } });
    const pbMeta = memoryNpm({ manifests: { 'abi-addon@1.0.0': { scripts: { install: 'node-gyp-build' } } }, files: { 'abi-addon@1.0.0': ['package/prebuilds/linux-x64/node.abi115.node'] } });
    const [r2] = await analyzeNpmLockfile(pb, [target('linux/amd64')], pbMeta, { suggestVersions: false });
    assert.equal(r2?.cells[0]?.status, 'compiles');
    assert.equal(count(r2?.cells[0]?.reason, /\(Node 22 assumed; pass --node\)/), 1, r2?.cells[0]?.reason);
  });
});

describe('6. a long install script is quoted shortened in cells and kept in full once', () => {
  // re2@1.21.4: install-artifact-from-github, falling back to node-gyp
  const RE2_INSTALL = 'install-from-cache --artifact build/Release/re2.node --host-var RE2_DOWNLOAD_MIRROR --skip-path-var RE2_DOWNLOAD_SKIP_PATH --skip-ver-var RE2_DOWNLOAD_SKIP_VER || node-gyp -j max rebuild';
  const lock = lockOf({ re2: { version: '1.21.4', hasInstallScript: true, dependencies: { 'install-artifact-from-github': '^1.3.5', nan: '^2.20.0', 'node-gyp': '^10.2.0' } } }, { re2: '^1.21.4' });
  const meta = memoryNpm({ manifests: { 're2@1.21.4': { scripts: { install: RE2_INSTALL }, gypfile: true, dependencies: { nan: '^2.20.0' } } } });

  test('every cell quotes the first 60 characters and …; the row keeps the script', async () => {
    const targets = [target('linux/amd64'), target('linux/arm64'), target('linux/ppc64le')];
    const packages = await analyzeNpmLockfile(lock, targets, meta, { suggestVersions: false });
    const re2 = rowOf(packages, 're2');
    assert.equal(re2.installScript, RE2_INSTALL);
    const short = `install script: ${RE2_INSTALL.slice(0, 60).trimEnd()}…`;
    for (const c of re2.cells) {
      assert.ok(c.reason.includes(short), c.reason);
      assert.ok(!c.reason.includes('node-gyp -j max rebuild'), c.reason);
    }
    // the text reporter prints it once: src/cli/reporters/deps-text-fixes.test.ts
  });
});

test('6. a short install script is quoted whole and not repeated on the row (cpu-features 0.0.10)', async () => {
  const lock = lockOf({ 'cpu-features': { version: '0.0.10', hasInstallScript: true, dependencies: { nan: '^2.19.0' } } });
  const meta = memoryNpm({ manifests: { 'cpu-features@0.0.10': { scripts: { install: 'node buildcheck.js > buildcheck.gypi && node-gyp rebuild' } } } });
  const [row] = await analyzeNpmLockfile(lock, [target('linux/amd64')], meta, { suggestVersions: false });
  assert.match(row?.cells[0]?.reason ?? '', /install script: node buildcheck\.js > buildcheck\.gypi && node-gyp rebuild;/);
  assert.equal(row?.installScript, undefined);
});
