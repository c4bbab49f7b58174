/**
 * analyzeNpmLockfile over the locks that record no install scripts and no platforms (Yarn 1,
 * package-lock.json lockfileVersion 1; src/deps/lockfiles/legacy-fixtures.test-data.ts) and over
 * pnpm 5.x: families read from their members' names, native helpers recognised from the lock
 * alone, and every other package asked of the registry, never taken for pure when it cannot answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryNpm, type MemoryNpm } from '../../../test/support/npm-memory-metadata.js';
import { parsePlatform } from '../../platform/index.js';
import { ESBUILD_019_PLATFORMS, PNPM_V5, YARN_CLASSIC, packageLockV1 } from '../lockfiles/legacy-fixtures.test-data.js';
import { readLockfile } from '../lockfiles/index.js';
import type { DepsTarget, Libc, PackageReport } from '../types.js';
import { analyzeNpmLockfile } from './coverage.js';

function target(spec: string, libc: Libc = 'glibc'): DepsTarget {
  return { platform: parsePlatform(spec), libc, node: '20' };
}

const TARGETS = [target('linux/amd64'), target('linux/arm64', 'musl'), target('linux/arm/v7'), target('linux/s390x')];

/** `name mechanism status,status,...` per row. */
const summary = (reports: readonly PackageReport[]): string[] => reports.map((r) => `${r.name}@${r.version} ${r.mechanism} ${r.cells.map((c) => c.status).join(',')}`);

/** What the registry says of the fixtures' packages: manifests of the native ones and of those with a JavaScript install script; the rest have none. */
const REGISTRY: MemoryNpm = {
  manifests: {
    'esbuild@0.19.12': { scripts: { postinstall: 'node install.js' }, optionalDependencies: Object.fromEntries(ESBUILD_019_PLATFORMS.map((p) => [`@esbuild/${p}`, '0.19.12'])) },
    'fsevents@2.3.3': { os: ['darwin'], scripts: { install: 'node-gyp rebuild' }, gypfile: true },
    'iconv@3.0.1': { scripts: { install: 'node-gyp rebuild' }, gypfile: true },
    'puppeteer@21.11.0': { scripts: { postinstall: 'node install.mjs' } },
    'bufferutil@4.0.8': { scripts: { install: 'node-gyp-build' }, gypfile: true, dependencies: { 'node-gyp-build': '^4.3.0' } },
    'better-sqlite3@9.4.3': {
      scripts: { install: 'prebuild-install || node-gyp rebuild --release' },
      dependencies: { bindings: '^1.5.0', 'prebuild-install': '^7.1.1' },
      repository: 'git://github.com/WiseLibs/better-sqlite3.git',
    },
  },
  files: {
    'bufferutil@4.0.8': ['package/package.json', 'package/prebuilds/linux-x64/node.napi.node', 'package/prebuilds/linux-arm64/node.napi.armv8.node', 'package/prebuilds/darwin-x64+arm64/node.napi.node'],
  },
  urls: [
    'https://github.com/WiseLibs/better-sqlite3/releases/download/v9.4.3/better-sqlite3-v9.4.3-node-v115-linux-x64.tar.gz',
    'https://github.com/WiseLibs/better-sqlite3/releases/download/v9.4.3/better-sqlite3-v9.4.3-node-v115-linuxmusl-arm64.tar.gz',
  ],
};

/** Every package of the fixtures the registry knows, with no install script (what an abbreviated packument says of them). */
const PURE: Record<string, { hasInstallScript: false }> = Object.fromEntries(
  ['@babel/code-frame@7.12.13', '@babel/highlight@7.13.10', 'chokidar@3.6.0', 'file-uri-to-path@1.0.0', 'string-width@4.2.3', 'detect-libc@1.0.3', 'detect-libc@2.0.3', 'glob-parent@5.1.2', 'nopt@4.0.3'].map((k) => [k, { hasInstallScript: false }]),
);

/** The rows both legacy formats give with the registry answering (besides the git and GitHub dependencies, which are not the registry's code), in lockfile order. */
const EXPECTED = [
  'better-sqlite3@9.4.3 prebuild-install prebuilt,prebuilt,compiles,compiles',
  'bufferutil@4.0.8 prebuildify prebuilt,compiles,compiles,compiles',
  'esbuild@0.19.12 platform-packages prebuilt,prebuilt,prebuilt,prebuilt',
  'iconv@3.0.1 node-gyp compiles,compiles,compiles,compiles',
];

for (const [what, file, text] of [
  ['yarn.lock (Yarn 1)', 'yarn.lock', YARN_CLASSIC],
  ['package-lock.json lockfileVersion 1', 'package-lock.json', packageLockV1()],
] as const) {
  describe(`analyzeNpmLockfile: ${what}`, () => {
    const lock = readLockfile(file, text);

    test('esbuild 0.19 with every @esbuild/* member and no os/cpu: each target reads its member by name, the registry unasked', async () => {
      const meta = memoryNpm({ ...REGISTRY, install: PURE });
      const reports = await analyzeNpmLockfile(lock, [...TARGETS, target('linux/riscv64'), target('linux/ppc64le', 'musl')], meta);
      const esbuild = reports.find((r) => r.name === 'esbuild');
      assert.ok(esbuild);
      assert.deepEqual(
        esbuild.cells.map((c) => c.artifact),
        ['linux-x64', 'linux-arm64', 'linux-arm', 'linux-s390x', 'linux-riscv64', 'linux-ppc64'].map((p) => `@esbuild/${p}@0.19.12`),
      );
      assert.equal(esbuild.position?.line, lock.packages.find((p) => p.name === 'esbuild')?.position?.line);
      assert.equal(meta.asked.some((a) => / esbuild@|@esbuild\//.test(a)), false, meta.asked.join('\n'));
    });

    test('the registry says which packages run an install script: only those are asked for a manifest, fsevents (darwin) and a download script are no rows', async () => {
      const meta = memoryNpm({ ...REGISTRY, install: PURE });
      const reports = await analyzeNpmLockfile(lock, TARGETS, meta);
      const rows = summary(reports);
      assert.deepEqual(rows.filter((r) => !/^(left-pad|my-lib)@/.test(r)), EXPECTED);
      // a package the registry says has no install script is asked nothing more
      assert.equal(meta.asked.some((a) => /^(manifest|files|versions) (chokidar|string-width|@babel|glob-parent)/.test(a)), false, meta.asked.join('\n'));
      // the alias is asked under the package it installs
      assert.ok(meta.asked.includes('install string-width@4.2.3'));
      // where a package came from git, the registry is not asked about it
      const git = reports.find((r) => r.name === 'left-pad');
      assert.ok(git);
      assert.match(git.cells[0]?.reason ?? '', /comes from a git repository, not the registry/);
      assert.equal(meta.asked.some((a) => a.includes('left-pad')), false);
    });

    test('a source without installFacts: the manifest of each package says it (the same rows)', async () => {
      const withManifests: MemoryNpm = { ...REGISTRY, manifests: { ...REGISTRY.manifests, ...Object.fromEntries(Object.keys(PURE).map((k) => [k, {}])) } };
      const reports = await analyzeNpmLockfile(lock, TARGETS, memoryNpm(withManifests));
      assert.deepEqual(summary(reports).filter((r) => !/^(left-pad|my-lib)@/.test(r)), EXPECTED);
    });

    test('node-gyp-build and prebuild-install are recognised from the lock alone; every other package is unknown without the registry, never pure', async () => {
      const reports = await analyzeNpmLockfile(lock, TARGETS, undefined);
      const mechanisms = new Map(reports.map((r) => [r.name, r.mechanism]));
      assert.equal(mechanisms.get('bufferutil'), 'prebuildify');
      assert.equal(mechanisms.get('better-sqlite3'), 'prebuild-install');
      assert.equal(mechanisms.get('esbuild'), 'platform-packages');
      const iconv = reports.find((r) => r.name === 'iconv');
      assert.ok(iconv, 'iconv (no dependency says it is native) is a row');
      assert.deepEqual(iconv.cells.map((c) => c.status), ['unknown', 'unknown', 'unknown', 'unknown']);
      assert.match(iconv.cells[0]?.reason ?? '', /the lock records no install scripts: whether it runs one needs the registry/);
      // the helpers themselves are never rows
      assert.equal(reports.some((r) => ['node-gyp-build', 'prebuild-install', 'bindings'].includes(r.name)), false);
    });

    test('a registry that cannot answer (offline, a cache miss) leaves the package unknown with the failure, not pure', async () => {
      const meta = memoryNpm({ ...REGISTRY, install: PURE, failing: ['iconv', 'chokidar'] });
      const reports = await analyzeNpmLockfile(lock, TARGETS, meta);
      for (const name of ['iconv', 'chokidar']) {
        const r = reports.find((x) => x.name === name);
        assert.ok(r, name);
        assert.deepEqual(r.cells.map((c) => `${c.status} ${c.id}`), Array(4).fill('unknown AA304'));
        assert.match(r.cells[0]?.reason ?? '', /the lock records no install scripts, and the registry could not say whether it runs one: .*503/);
      }
    });

    test('a package the registry does not have (another registry\'s, an unpublished version) is unknown, not pure', async () => {
      const { 'chokidar@3.6.0': _, ...rest } = PURE;
      const reports = await analyzeNpmLockfile(lock, TARGETS, memoryNpm({ ...REGISTRY, install: rest }));
      const chokidar = reports.find((x) => x.name === 'chokidar');
      assert.deepEqual(chokidar?.cells.map((c) => c.status), Array(4).fill('unknown'));
      assert.match(chokidar?.cells[0]?.reason ?? '', /^the lock records no install scripts, and the registry has no chokidar@3\.6\.0: whether it runs one is unknown$/);
    });
  });
}

describe('analyzeNpmLockfile: pnpm-lock.yaml 5.4', () => {
  test('the esbuild family from its locked members, prebuild-install from its dependencies, requiresBuild alone an install script; nothing else asked', async () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V5);
    const meta = memoryNpm({ ...REGISTRY, manifests: { ...REGISTRY.manifests, '@corp/native-thing@2.0.1': { scripts: { install: 'node-gyp rebuild' }, gypfile: true } } });
    const reports = await analyzeNpmLockfile(lock, [target('linux/amd64'), target('linux/arm64', 'musl'), target('linux/s390x')], meta);
    assert.deepEqual(summary(reports), [
      'better-sqlite3@9.4.3 prebuild-install prebuilt,prebuilt,compiles',
      'esbuild@0.19.12 platform-packages prebuilt,prebuilt,missing',
      '@corp/native-thing@2.0.1 node-gyp compiles,compiles,compiles',
    ]);
    assert.match(reports[1]?.cells[2]?.reason ?? '', /no esbuild platform package for linux\/s390x \(it has linux-arm64, linux-x64\)/);
    // pnpm 5.x records requiresBuild: packages without it are not asked about
    assert.equal(meta.asked.some((a) => /react-dom|bindings@|prebuild-install@/.test(a)), false, meta.asked.join('\n'));
  });
});

test('fsevents 1 (on nan and node-pre-gyp, as chokidar 2 locks it in Yarn 1): for darwin only, by its manifest or by name, so it is no row', async () => {
  const text = '# yarn lockfile v1\n\nfsevents@^1.2.7:\n  version "1.2.13"\n  resolved "https://registry.yarnpkg.com/fsevents/-/fsevents-1.2.13.tgz#f325cb0455592428bcf11b383370ef70e3bfcc38"\n  dependencies:\n    bindings "^1.5.0"\n    nan "^2.12.1"\n';
  const lock = readLockfile('yarn.lock', text);
  const darwin = memoryNpm({ manifests: { 'fsevents@1.2.13': { os: ['darwin'], scripts: { install: 'node install.js' }, dependencies: { bindings: '^1.5.0', nan: '^2.12.1' } } } });
  assert.deepEqual(await analyzeNpmLockfile(lock, TARGETS, darwin), []);
  // without the registry: fsevents is known to be for darwin only (every version says so)
  assert.deepEqual(await analyzeNpmLockfile(lock, TARGETS, undefined), []);
  // another package in its place is judged from the lock alone
  const other = readLockfile('yarn.lock', text.replace(/fsevents/g, 'fsevents-like'));
  assert.deepEqual(summary(await analyzeNpmLockfile(other, TARGETS, undefined)), ['fsevents-like@1.2.13 node-gyp compiles,compiles,compiles,compiles']);
});
