/**
 * `anyarch deps` with its real parts (readers, npm analyser, registry client) against a loopback
 * npm registry serving generated packuments and tarballs (bench/deps.ts's generator, 1,000 packages:
 * 100 families, 100 prebuildify, 100 node-gyp, pure ones): the matrix it predicts, the cache a
 * cold run fills, a warm run and an `--offline` run that send no request and answer the same,
 * an offline run with an empty cache that says unknown, and the CLI's exit codes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateProject, startRegistry, writeProject } from '../bench/deps.js';
import { analyzeDeps, type DepsRun } from '../src/deps/analyze.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'anyarch-deps-cli-'));
const project = path.join(work, 'project');
let registry: Awaited<ReturnType<typeof startRegistry>>['registry'];

before(async () => {
  const holder = { url: '' };
  const started = await startRegistry(() => generateProject(holder.url, 1000), holder);
  registry = started.registry;
  writeProject(project, started.project);
});
after(async () => {
  await registry.close();
  rmSync(work, { recursive: true, force: true });
});

const cells = (run: DepsRun, name: string): string[] => run.reports[0]?.packages.find((p) => p.name === name)?.cells.map((c) => c.status) ?? [];

test('cold, warm and offline runs over a loopback registry agree; warm and offline send no request', async () => {
  const cacheDir = path.join(work, 'cache');
  const base = { cwd: project, platforms: 'linux/amd64,linux/arm64', registry: registry.url, cacheDir } as const;
  registry.requests = 0;
  const cold = await analyzeDeps([], base);
  assert.deepEqual(cold.errors, []);
  assert.equal(cold.reports[0]?.total, 1000);
  assert.equal(cold.reports[0]?.packages.length, 300, 'every native package is a row; family members are not');
  assert.ok(registry.requests >= 200, `packuments and tarballs of 200 addons asked (${registry.requests})`);
  // per kind: a family with a member per target, prebuildify with and without an arm64 prebuild, node-gyp compiles
  assert.deepEqual(cells(cold, 'fam-1'), ['prebuilt', 'prebuilt']);
  assert.deepEqual(cells(cold, 'pb-1'), ['prebuilt', 'prebuilt']);
  assert.deepEqual(cells(cold, 'pb-0'), ['prebuilt', 'compiles'], 'no linux-arm64 prebuild: node-gyp-build falls back to a compile');
  assert.deepEqual(cells(cold, 'gyp-3'), ['compiles', 'compiles']);
  assert.equal(cold.failing, false, 'without a Dockerfile the toolchain is unknown: a compile is not a failure');

  registry.requests = 0;
  const warm = await analyzeDeps([], base);
  assert.equal(registry.requests, 0, 'a warm cache answers everything');
  assert.deepEqual(warm.reports, cold.reports);

  const offline = await analyzeDeps([], { ...base, offline: true });
  assert.equal(registry.requests, 0);
  assert.deepEqual(offline.summaries, cold.summaries);
});

test('musl targets: the family without an arm64 musl member is missing there, and the run fails', async () => {
  const run = await analyzeDeps([], { cwd: project, platforms: 'linux/amd64,linux/arm64', libc: 'musl', registry: registry.url, cacheDir: path.join(work, 'cache') });
  assert.deepEqual(cells(run, 'fam-0'), ['prebuilt', 'missing']);
  assert.equal(run.reports[0]?.packages.find((p) => p.name === 'fam-0')?.cells[1]?.id, 'AA301');
  assert.equal(run.failing, true);
  // 10 families without the member; the 80 prebuildify packages whose arm64 prebuild is untagged (a
  // glibc build, which fails to load on musl) compile instead: their install script is node-gyp-build
  assert.equal(run.summaries.find((s) => s.target === 'linux/arm64 (musl)')?.missing, 10);
  const pb1 = run.reports[0]?.packages.find((p) => p.name === 'pb-1')?.cells[1];
  assert.equal(pb1?.status, 'compiles');
  assert.match(pb1?.reason ?? '', /musl/);
});

test('offline with an empty cache: no request, and what needs the registry is unknown (never prebuilt)', async () => {
  registry.requests = 0;
  const run = await analyzeDeps([], { cwd: project, registry: registry.url, cacheDir: path.join(work, 'empty'), offline: true });
  assert.equal(registry.requests, 0);
  assert.deepEqual(cells(run, 'pb-1'), ['unknown', 'unknown']);
  assert.deepEqual(cells(run, 'fam-1'), ['prebuilt', 'prebuilt'], 'a family is read from the lockfile alone');
});

test('the CLI: exit 1 when a target fails, 0 when none does, 2 for a path that names nothing', () => {
  const cli = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'anyarch.js'), 'deps', '--registry', registry.url, ...args], { cwd: project, env: { ...process.env, ANYARCH_CACHE_DIR: path.join(work, 'cache'), CI: '1' }, encoding: 'utf8' });
  const musl = cli(['--libc', 'musl', '--format', 'json']);
  assert.equal(musl.status, 1, musl.stderr);
  assert.equal((JSON.parse(musl.stdout) as { failing: boolean }).failing, true);
  const glibc = cli([]);
  assert.equal(glibc.status, 0, glibc.stderr);
  assert.match(glibc.stdout, /^linux\/arm64 +\d+ prebuilt, \d+ compiles, 0 missing +ok$/m);
  const none = cli(['nowhere']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^anyarch: nowhere: no such file or directory\n/);
});

/**
 * tashfeenahmed/freellmapi PR #143 (real case, in our words): a `deps` stage on
 * node:20-bookworm-slim runs `npm ci` for better-sqlite3; where no prebuild matches (their
 * linux/arm64 leg) node-gyp compiles, and the slim base has no python3, make or g++, so the build
 * failed; the fix installed them in the deps stage before `npm ci`. Here a loopback registry serves
 * better-sqlite3's manifest (prebuild-install, `binary.host` on loopback) and the asset server has
 * the linux-x64 prebuild only.
 */
test('a slim stage without a toolchain fails the arm64 compile (AA302); with python3 make g++ it compiles (AA303)', async () => {
  const { createServer } = await import('node:http');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/better-sqlite3') {
      const host = `http://127.0.0.1:${(server.address() as { port: number }).port}/assets`;
      const v = { name: 'better-sqlite3', version: '11.3.0', scripts: { install: 'prebuild-install || node-gyp rebuild --release' }, binary: { host }, dependencies: { bindings: '^1.5.0', 'prebuild-install': '^7.1.1' }, dist: { tarball: `${host}/none.tgz` } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'better-sqlite3', 'dist-tags': { latest: '11.3.0' }, versions: { '11.3.0': v } }));
    } else if (url.startsWith('/assets/') && url.includes('-x64')) {
      res.writeHead(200, { 'content-length': '0' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const lock = JSON.stringify({
      name: 'app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', dependencies: { 'better-sqlite3': '^11.3.0' } },
        'node_modules/better-sqlite3': { version: '11.3.0', resolved: `${url}better-sqlite3/-/better-sqlite3-11.3.0.tgz`, hasInstallScript: true, dependencies: { bindings: '^1.5.0', 'prebuild-install': '^7.1.1' } },
        'node_modules/bindings': { version: '1.5.0' },
        'node_modules/prebuild-install': { version: '7.1.2' },
      },
    });
    const slim = path.join(work, 'slim');
    const tooled = path.join(work, 'tooled');
    const dockerfile = (extra: string): string => `FROM node:20-bookworm-slim AS deps\nWORKDIR /app\n${extra}COPY package.json package-lock.json ./\nRUN npm ci\n\nFROM node:20-bookworm-slim\nCOPY --from=deps /app/node_modules /app/node_modules\n`;
    for (const [dir, extra] of [[slim, ''], [tooled, 'RUN apt-get update && apt-get install -y python3 make g++\n']] as const) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'package-lock.json'), lock);
      writeFileSync(path.join(dir, 'package.json'), '{"name":"app","dependencies":{"better-sqlite3":"^11.3.0"}}');
      writeFileSync(path.join(dir, 'Dockerfile'), dockerfile(extra));
    }
    const opts = { platforms: 'linux/amd64,linux/arm64', registry: url, cacheDir: path.join(work, 'cache-sqlite') } as const;
    const bad = await analyzeDeps([], { ...opts, cwd: slim });
    assert.deepEqual(bad.errors, []);
    const r = bad.reports[0];
    assert.deepEqual(
      r?.targets.map((t) => [t.libc, t.libcVersion, t.node, t.site?.stage]),
      [
        ['glibc', '2.36', '20', 'deps'],
        ['glibc', '2.36', '20', 'deps'],
      ],
    );
    const statuses = (run: DepsRun): string[] => run.reports[0]?.packages[0]?.cells.map((c) => `${c.status} ${c.id ?? ''}`.trim()) ?? [];
    assert.deepEqual(statuses(bad), ['prebuilt', 'missing AA302']);
    assert.ok(r?.packages[0]?.cells[1]?.lacking?.length, 'what the stage lacks is named');
    assert.equal(bad.failing, true);

    const good = await analyzeDeps([], { ...opts, cwd: tooled });
    assert.deepEqual(statuses(good), ['prebuilt', 'compiles AA303']);
    assert.equal(good.failing, false);

    // `check` says the same on the install RUN (AA124), from the cache the runs above filled
    const check = (cwd: string): { status: number | null; stdout: string } =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'anyarch.js'), 'check', '--offline', '--platforms', 'linux/amd64,linux/arm64', 'Dockerfile'], { cwd, env: { ...process.env, ANYARCH_CACHE_DIR: opts.cacheDir, npm_config_registry: url, CI: '1' }, encoding: 'utf8' });
    const flagged = check(slim);
    assert.match(flagged.stdout, /^Dockerfile:4:5 {2}error {2}AA124 {2}npm ci compiles better-sqlite3@11\.3\.0 on linux\/arm64 and stage deps lacks .*python3/m);
    assert.equal(flagged.status, 1);
    assert.doesNotMatch(check(tooled).stdout, /AA12[34]/);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/**
 * A uv.lock names every wheel, so coverage needs no index (`--offline`, an empty cache). Shaped
 * like the uv.lock of dannystewart/dsbin (wheels per platform in the lock), with grpcio-like
 * wheels: manylinux for x86_64 and aarch64, musllinux for x86_64 only, and no sdist.
 */
test('a uv.lock offline: wheels per target from the lock alone; no musllinux aarch64 wheel and no sdist is AA301', async () => {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const dir = path.join(work, 'uv');
  mkdirSync(dir, { recursive: true });
  const H = 'sha256:' + '0'.repeat(64);
  const F = 'https://files.example/packages';
  writeFileSync(
    path.join(dir, 'uv.lock'),
    `version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "grpcio" }, { name = "idna" }]

[[package]]
name = "grpcio"
version = "1.66.1"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "${F}/grpcio-1.66.1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "${H}", size = 1 },
    { url = "${F}/grpcio-1.66.1-cp312-cp312-manylinux_2_17_aarch64.whl", hash = "${H}", size = 1 },
    { url = "${F}/grpcio-1.66.1-cp312-cp312-musllinux_1_1_x86_64.whl", hash = "${H}", size = 1 },
]

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "${F}/idna-3.10.tar.gz", hash = "${H}", size = 1 }
wheels = [{ url = "${F}/idna-3.10-py3-none-any.whl", hash = "${H}", size = 1 }]
`,
  );
  const run = async (libc: string): Promise<DepsRun> => analyzeDeps([], { cwd: dir, platforms: 'linux/amd64,linux/arm64', libc, python: '3.12', offline: true, cacheDir: path.join(work, 'empty-uv') });
  const glibc = await run('glibc');
  assert.deepEqual(glibc.errors, []);
  assert.equal(glibc.reports[0]?.error, undefined);
  assert.deepEqual(glibc.reports[0]?.packages.map((p) => p.name), ['grpcio'], 'a pure wheel is no native package');
  assert.deepEqual(glibc.reports[0]?.packages[0]?.cells.map((c) => c.status), ['prebuilt', 'prebuilt']);
  assert.match(glibc.reports[0]?.packages[0]?.cells[1]?.artifact ?? '', /aarch64\.whl$/);
  const musl = await run('musl');
  assert.deepEqual(musl.reports[0]?.packages[0]?.cells.map((c) => `${c.status} ${c.id ?? ''}`.trim()), ['prebuilt', 'missing AA301']);
  assert.equal(musl.failing, true);
});
