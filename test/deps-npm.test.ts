/**
 * `deps` for npm, end to end, and checked against npm itself: the fixtures of
 * test/support/npm-fixtures.ts published to verdaccio (127.0.0.1, no uplinks), a project that
 * depends on one of each kind locked by `npm install --package-lock-only`, the lockfile read by
 * readLockfile and analysed by analyzeNpmLockfile against openNpmMetadata (the registry and the
 * loopback asset server), and then `npm ci --os linux --cpu arm64 --libc musl` (and x64 glibc)
 * from that lockfile: npm fetches exactly the family members `deps` predicted prebuilt for the
 * target, and none where it predicted missing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readLockfile } from '../src/deps/lockfiles/index.js';
import { analyzeNpmLockfile } from '../src/deps/npm/coverage.js';
import { isMetadataFailure, openNpmMetadata } from '../src/deps/npm/registry.js';
import type { DepsTarget, MetadataFailure, NpmMetadataSource, PackageReport } from '../src/deps/types.js';
import { AnyarchError } from '../src/errors.js';
import { npm, publishFixtures } from './support/npm-fixtures.js';
import { startStaticServer, type StaticServer } from './support/static-server.js';
import { startVerdaccio, type Verdaccio } from './support/verdaccio.js';

let reg: Verdaccio;
let assets: StaticServer;
let project: string;
let lockText: string;

const DEPENDENCIES = { '@fx/napi': '1.0.0', '@fx/sharpish': '1.0.0', 'fx-prebuildify': '1.0.0', 'fx-pregyp': '1.0.0', 'fx-prebuild': '1.0.0', 'fx-gyp': '1.0.0' };

const ARM64_MUSL: DepsTarget = { platform: { os: 'linux', architecture: 'arm64', variant: '' }, libc: 'musl', node: '20' };
const AMD64_GLIBC: DepsTarget = { platform: { os: 'linux', architecture: 'amd64', variant: '' }, libc: 'glibc', node: '20' };
const TARGETS = [ARM64_MUSL, AMD64_GLIBC];
/** npm's words for each target, in TARGETS order */
const NPM_FLAGS = [
  ['--os', 'linux', '--cpu', 'arm64', '--libc', 'musl'],
  ['--os', 'linux', '--cpu', 'x64', '--libc', 'glibc'],
];

before(async () => {
  [reg, assets] = await Promise.all([startVerdaccio(), startStaticServer()]);
  await publishFixtures(reg, assets);
  project = path.join(reg.dir, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'fx-project', version: '1.0.0', private: true, dependencies: DEPENDENCIES }, null, 2));
  await npm(reg, ['install', '--package-lock-only', '--ignore-scripts'], project);
  lockText = readFileSync(path.join(project, 'package-lock.json'), 'utf8');
});
after(async () => {
  await assets?.stop();
  await reg?.stop();
});

/** The registry source, refusing (and recording) any URL that is not on 127.0.0.1: this test never leaves the machine. */
function loopbackOnly(source: NpmMetadataSource, refused: string[]): NpmMetadataSource {
  const guard = (url: string | undefined): MetadataFailure | undefined => {
    if (url === undefined || new URL(url).hostname === '127.0.0.1') return undefined;
    refused.push(url);
    return { error: new AnyarchError('E_USAGE', `the test refuses ${url}`) };
  };
  return {
    manifest: (n, v) => source.manifest(n, v),
    ...(source.installFacts ? { installFacts: source.installFacts.bind(source) } : {}),
    versions: (n) => source.versions(n),
    files: async (n, v, t) => guard(t) ?? source.files(n, v, t),
    exists: async (u) => guard(u) ?? source.exists(u),
  };
}

/** The family members npm put in node_modules (`@fx/napi-linux-arm64-musl`), parents left out. */
function installedMembers(dir: string): string[] {
  const scope = path.join(dir, 'node_modules', '@fx');
  if (!existsSync(scope)) return [];
  return readdirSync(scope)
    .filter((d) => d.includes('-'))
    .map((d) => `@fx/${d}`)
    .sort();
}

/** The members `deps` said are prebuilt for target `i`, from the family rows' artifacts (`name@version, ...`). */
function predictedMembers(reports: readonly PackageReport[], i: number): string[] {
  return reports
    .filter((r) => r.mechanism === 'platform-packages')
    .flatMap((r) => {
      const cell = r.cells[i]!;
      return cell.status === 'prebuilt' && cell.artifact ? cell.artifact.split(', ').map((a) => a.slice(0, a.lastIndexOf('@'))) : [];
    })
    .sort();
}

describe('deps for npm against verdaccio and npm itself', () => {
  let reports: PackageReport[];
  const refused: string[] = [];

  before(async () => {
    const lock = readLockfile('package-lock.json', lockText);
    assert.deepEqual(lock.warnings.map((w) => w.message), []);
    const meta = loopbackOnly(openNpmMetadata({ registry: reg.registry, retry: { attempts: 2, baseMs: 1, maxMs: 2 } }), refused);
    reports = await analyzeNpmLockfile(lock, TARGETS, meta);
  });

  const cellOf = (name: string, i: number): { status: string; artifact?: string; reason: string } => {
    const r = reports.find((p) => p.name === name);
    assert.ok(r, `${name} is reported (got ${reports.map((p) => p.name).join(', ')})`);
    return r.cells[i]!;
  };

  test('the analysis asked nothing beyond 127.0.0.1 and reported every native package once', () => {
    assert.deepEqual(refused, []);
    assert.deepEqual(reports.map((r) => `${r.name} ${r.mechanism}`).sort(), [
      '@fx/napi platform-packages',
      '@fx/sharpish platform-packages',
      'fx-gyp node-gyp',
      'fx-prebuild prebuild-install',
      'fx-prebuildify prebuildify',
      'fx-pregyp node-pre-gyp',
    ]);
  });

  test('families: a musl arm64 member of one, none of the other, and a newer version that has it', () => {
    assert.equal(cellOf('@fx/napi', 0).artifact, '@fx/napi-linux-arm64-musl@1.0.0');
    assert.equal(cellOf('@fx/napi', 1).artifact, '@fx/napi-linux-x64-gnu@1.0.0');
    assert.equal(cellOf('@fx/sharpish', 0).status, 'missing');
    assert.equal(cellOf('@fx/sharpish', 1).artifact, '@fx/sharpish-linux-x64@1.0.0');
    assert.match(reports.find((r) => r.name === '@fx/sharpish')?.suggestion ?? '', /@fx\/sharpish@1\.1\.0/);
  });

  test('release assets: found on the asset server for x64 glibc, absent for musl arm64 (a compile)', () => {
    for (const name of ['fx-pregyp', 'fx-prebuild']) {
      const x64 = cellOf(name, 1);
      assert.equal(x64.status, 'prebuilt', `${name} x64: ${x64.reason}`);
      assert.ok(x64.artifact?.startsWith(assets.url), `${name}: ${x64.artifact}`);
      assert.equal(cellOf(name, 0).status, 'compiles', `${name} arm64 musl: ${cellOf(name, 0).reason}`);
    }
    assert.ok(assets.requests.includes('HEAD /pregyp/v1.0.0/fx_pregyp-v1.0.0-napi-v3-linux-musl-arm64.tar.gz'), assets.requests.join('\n'));
    assert.ok(assets.requests.includes('HEAD /prebuild/v1.0.0/fx-prebuild-v1.0.0-node-v115-linuxmusl-arm64.tar.gz'), assets.requests.join('\n'));
    assert.equal(cellOf('fx-gyp', 0).status, 'compiles');
    assert.equal(cellOf('fx-prebuildify', 1).status, 'prebuilt');
    assert.match(cellOf('fx-prebuildify', 1).artifact ?? '', /prebuilds\/linux-x64\/node\.napi\.glibc\.node$/);
    // the arm64 prebuild carries no libc tag: a glibc build on musl fails node-gyp-build's
    // install-time test load, so its install script (node-gyp-build) compiles instead
    assert.equal(cellOf('fx-prebuildify', 0).status, 'compiles');
    assert.match(cellOf('fx-prebuildify', 0).reason, /no libc tag/);
  });

  for (const [i, flags] of NPM_FLAGS.entries()) {
    test(`npm ci ${flags.join(' ')} fetches exactly the family members deps predicted prebuilt`, async () => {
      const dir = path.join(reg.dir, `install-${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'package.json'), readFileSync(path.join(project, 'package.json')));
      writeFileSync(path.join(dir, 'package-lock.json'), lockText);
      await npm(reg, ['ci', '--ignore-scripts', ...flags], dir);
      const predicted = predictedMembers(reports, i);
      assert.ok(predicted.length > 0);
      assert.deepEqual(installedMembers(dir), predicted);
    });
  }
});

/** The v3 lock's packages (every one under node_modules/, none nested in this project) as Yarn 1 writes them: one entry per package, keyed by each range that asks for it. */
function asYarnClassic(v3: string): string {
  const { packages } = JSON.parse(v3) as { packages: Record<string, Record<string, unknown>> };
  const ranges = new Map<string, Set<string>>();
  for (const e of Object.values(packages)) {
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const [name, range] of Object.entries((e[field] ?? {}) as Record<string, string>)) ranges.set(name, (ranges.get(name) ?? new Set()).add(range));
    }
  }
  let out = '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n';
  for (const [key, e] of Object.entries(packages)) {
    if (key === '') continue;
    assert.ok(!key.slice('node_modules/'.length).includes('node_modules/'), `${key}: nested`);
    const name = key.slice('node_modules/'.length);
    const specs = [...(ranges.get(name) ?? [e['version'] as string])].map((r) => JSON.stringify(`${name}@${r}`));
    out += `\n${specs.join(', ')}:\n  version "${String(e['version'])}"\n  resolved "${String(e['resolved'])}"\n  integrity ${String(e['integrity'])}\n`;
    for (const field of ['dependencies', 'optionalDependencies']) {
      const deps = Object.entries((e[field] ?? {}) as Record<string, string>);
      if (deps.length > 0) out += `  ${field}:\n${deps.map(([n, r]) => `    ${JSON.stringify(n)} ${JSON.stringify(r)}\n`).join('')}`;
    }
  }
  return out;
}

/** The same packages as npm 6's lockfileVersion 1: a dependencies tree, `requires` for both kinds of dependency. */
function asPackageLockV1(v3: string): string {
  const { packages } = JSON.parse(v3) as { packages: Record<string, Record<string, unknown>> };
  const dependencies: Record<string, unknown> = {};
  for (const [key, e] of Object.entries(packages)) {
    if (key === '') continue;
    const requires = { ...(e['dependencies'] as object | undefined), ...(e['optionalDependencies'] as object | undefined) };
    dependencies[key.slice('node_modules/'.length)] = {
      version: e['version'],
      resolved: e['resolved'],
      integrity: e['integrity'],
      ...(e['optional'] === true ? { optional: true } : {}),
      ...(Object.keys(requires).length > 0 ? { requires } : {}),
    };
  }
  return `${JSON.stringify({ name: 'fx-project', version: '1.0.0', lockfileVersion: 1, requires: true, dependencies }, null, 2)}\n`;
}

describe('deps for npm from a Yarn 1 lock and a lockfileVersion 1 lock of the same project', () => {
  /** A row as far as the locks' formats must agree: the mechanism, each cell's status and artifact. */
  const brief = (rs: readonly PackageReport[]): string[] => rs.map((r) => `${r.name} ${r.mechanism} ${r.cells.map((c) => `${c.status}:${c.artifact ?? ''}`).join(' ')}`);
  let v3: string[];
  before(async () => {
    const meta = openNpmMetadata({ registry: reg.registry, retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
    v3 = brief(await analyzeNpmLockfile(readLockfile('package-lock.json', lockText), TARGETS, loopbackOnly(meta, [])));
    assert.equal(v3.length, 6);
  });

  for (const [file, convert, kind] of [
    ['yarn.lock', asYarnClassic, 'yarn-classic'],
    ['package-lock.json', asPackageLockV1, 'package-lock'],
  ] as const) {
    test(`${file} (${kind}, no os, cpu, libc or install scripts): the same rows and cells as the lockfileVersion 3 lock`, async () => {
      const lock = readLockfile(file, convert(lockText));
      assert.deepEqual([lock.kind, lock.formatVersion, lock.warnings.length], [kind, '1', 1]);
      const refused: string[] = [];
      const meta = loopbackOnly(openNpmMetadata({ registry: reg.registry, retry: { attempts: 2, baseMs: 1, maxMs: 2 } }), refused);
      assert.deepEqual(brief(await analyzeNpmLockfile(lock, TARGETS, meta)), v3);
      assert.deepEqual(refused, []);
    });
  }

  test("installFacts reads verdaccio's abbreviated packuments: npm publish gave a binding.gyp an install script, a family member its os", async () => {
    const meta = openNpmMetadata({ registry: reg.registry, retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
    assert.deepEqual(await meta.installFacts?.('fx-gyp', '1.0.0'), { hasInstallScript: true });
    assert.deepEqual(await meta.installFacts?.('@fx/napi', '1.0.0'), { hasInstallScript: false });
    assert.deepEqual(await meta.installFacts?.('@fx/napi-darwin-arm64', '1.0.0'), { hasInstallScript: false, os: ['darwin'] });
    assert.equal(await meta.installFacts?.('@fx/no-such', '1.0.0'), undefined);
  });
});

test('the source answers as values when asked for what the registry lacks', async () => {
  const meta = openNpmMetadata({ registry: reg.registry });
  assert.equal(await meta.manifest('@fx/sharpish-linuxmusl-arm64', '1.0.0'), undefined);
  const files = await meta.files('@fx/no-such', '1.0.0');
  assert.ok(isMetadataFailure(files));
  assert.match(files.error.message, /tarball @fx\/no-such@1\.0\.0: the registry has no such version/);
});
