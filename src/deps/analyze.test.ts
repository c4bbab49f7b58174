/**
 * `analyzeDeps` end to end over in-memory parts (readers, analysers, sources, install sites are
 * other modules' and tested there): finding lockfiles, errors per file with the rest analysed,
 * targets from flags or from a Dockerfile beside the lockfile, verdict ids, summaries, findings.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { fakeCalls, fakeLock as lock, fakeParts, tree } from '../../test/support/deps-fakes.js';
import { AnyarchError } from '../errors.js';
import { makePlatform } from '../platform/index.js';
import { analyzeDeps, analyzeLockfileReport, flagTargets, globRegExp, lockfileAnalyser, MAX_LOCKFILE_BYTES, parseLibc, summarizeDeps, targetLabel, targetLabels } from './analyze.js';
import type { Cell, DepsTarget, Lockfile, PackageReport } from './types.js';

const calls = fakeCalls;

test('a directory: every known lockfile in it, analysed against the default platforms; a missing cell fails', async () => {
  calls.length = 0;
  const cwd = tree({
    'package-lock.json': lock([
      { name: 'left-pad', version: '1.3.0' },
      { name: 'sharp', version: '0.33.5', line: 40, native: { arm64: 'missing' } },
    ]),
    'uv.lock': lock([{ name: 'numpy', version: '2.1.0', line: 7, native: { amd64: 'prebuilt', arm64: 'prebuilt' } }]),
    'README.md': '# not a lockfile',
  });
  const run = await analyzeDeps([], { cwd, parts: fakeParts() });
  assert.deepEqual(run.errors, []);
  assert.deepEqual(
    run.reports.map((r) => [r.file, r.kind, r.total, r.packages.map((p) => p.name)]),
    [
      ['package-lock.json', 'package-lock', 2, ['sharp']],
      ['uv.lock', 'uv-lock', 1, ['numpy']],
    ],
  );
  assert.deepEqual(run.summaries, [
    { target: 'linux/amd64', prebuilt: 2, compiles: 0, missing: 0, unknown: 0, fails: false },
    { target: 'linux/arm64', prebuilt: 1, compiles: 0, missing: 1, unknown: 0, fails: true },
  ]);
  assert.equal(run.failing, true);
  assert.equal(run.total, 3);
  assert.deepEqual(run.findings, [
    { id: 'AA301', severity: 'error', file: 'package-lock.json', line: 40, column: 5, package: 'sharp@0.33.5', target: 'linux/arm64', message: 'sharp@0.33.5 has no binary for linux/arm64: missing here' },
  ]);
  assert.ok(calls.includes('open npm') && calls.includes('open python'));
});

test('only the sources of the ecosystems present are opened', async () => {
  calls.length = 0;
  const cwd = tree({ 'package-lock.json': lock([]) });
  await analyzeDeps(['.'], { cwd, parts: fakeParts() });
  assert.ok(calls.includes('open npm'));
  assert.ok(!calls.includes('open python'), 'no Python lockfile, no Python index');
});

test('a lockfile that cannot be read is its own error; the others are still analysed', async () => {
  const cwd = tree({ 'a/package-lock.json': '{ truncated', 'b/package-lock.json': lock([{ name: 'esbuild', version: '0.23.0', native: {} }]) });
  const run = await analyzeDeps(['a', 'b', 'nowhere', 'b/package-lock.json'], { cwd, parts: fakeParts() });
  assert.equal(run.reports.length, 2, 'b/package-lock.json named twice is read once');
  assert.equal(run.reports[0]?.error?.describe(), 'a/package-lock.json:1:1: not JSON');
  assert.equal(run.reports[1]?.packages[0]?.cells[1]?.status, 'prebuilt');
  assert.deepEqual(
    run.errors.map((e) => e.message),
    ['nowhere: no such file or directory'],
  );
  assert.equal(run.failing, false);
});

test('a file of no known name, and a directory with no lockfile, are errors naming them', async () => {
  const cwd = tree({ 'notes.txt': 'x', 'empty/README': 'x' });
  const run = await analyzeDeps(['notes.txt', 'empty'], { cwd, parts: fakeParts() });
  assert.deepEqual(
    run.errors.map((e) => e.message),
    ['notes.txt: not a lockfile anyarch reads', 'empty: no lockfile found in this directory'],
  );
  assert.deepEqual(run.reports, []);
});

test('a directory named like a lockfile is said to be one, named or met in a directory; a link to a lockfile is read', async () => {
  const cwd = tree({ 'package-lock.json/README': 'x', 'app/uv.lock/x': 'x', 'app/real.json': lock([]), 'other/README': 'x' });
  const { symlinkSync } = await import('node:fs');
  symlinkSync('../app/real.json', path.join(cwd, 'other', 'package-lock.json'));
  symlinkSync('nowhere', path.join(cwd, 'other', 'requirements.txt'));
  const run = await analyzeDeps(['package-lock.json', 'app', 'other'], { cwd, parts: fakeParts() });
  assert.deepEqual(run.errors.map((e) => e.message), [
    'package-lock.json: a directory, not a lockfile',
    `${path.join('app', 'uv.lock')}: a directory, not a lockfile`,
    `${path.join('other', 'requirements.txt')}: a symbolic link to nothing, not a lockfile`,
  ]);
  assert.deepEqual(run.errors.map((e) => e.hint), [undefined, undefined, undefined], 'one line each');
  assert.deepEqual(run.reports.map((r) => [r.file, r.error?.message]), [[path.join('other', 'package-lock.json'), undefined]]);
});

test('npm-shrinkwrap.json wins over package-lock.json in one directory, as npm reads it', async () => {
  const cwd = tree({ 'package-lock.json': lock([]), 'npm-shrinkwrap.json': lock([]) });
  const run = await analyzeDeps([], { cwd, parts: fakeParts() });
  assert.deepEqual(
    run.reports.map((r) => r.file),
    ['npm-shrinkwrap.json'],
  );
});

test('verdict ids: AA302 for a compile the stage lacks tools for, AA303 compiles, AA304 unknown, AA305 per reading warning', async () => {
  const cwd = tree({
    'package-lock.json': lock(
      [
        { name: 'bcrypt', version: '5.1.1', line: 10, native: { amd64: 'compiles', arm64: 'missing-tools' } },
        { name: 'odd', version: '1.0.0', line: 20, native: { amd64: 'unknown', arm64: 'prebuilt' } },
      ],
      'the lock was pruned to linux/x64: 7 optional packages of other platforms are not in it',
    ),
  });
  const run = await analyzeDeps([], { cwd, platforms: 'linux/amd64,linux/arm64', parts: fakeParts() });
  const ids = run.reports[0]?.packages.map((p) => p.cells.map((c) => c.id ?? '-'));
  assert.deepEqual(ids, [
    ['AA303', 'AA302'],
    ['AA304', '-'],
  ]);
  assert.deepEqual(
    run.findings.map((f) => [f.id, f.line, f.target]),
    [
      ['AA305', 2, undefined],
      ['AA303', 10, 'linux/amd64'],
      ['AA302', 10, 'linux/arm64'],
      ['AA304', 20, 'linux/amd64'],
    ],
  );
  assert.match(run.findings[2]?.message ?? '', /^bcrypt@5\.1\.1 compiles at install on linux\/arm64 but the stage lacks a C compiler: no gcc in stage$/);
  assert.equal(run.failing, true);
});

test('a Dockerfile beside the lockfile gives the targets of the install that reads it; flags fill the versions its base does not name', async () => {
  const cwd = tree({ 'app/package-lock.json': lock([{ name: 'sharp', version: '0.33.5', native: { arm64: 'missing' } }]), 'app/Dockerfile': 'FROM node:20-alpine\n' });
  const seen: string[] = [];
  const parts = fakeParts({
    installSites: (text, file, platforms) => {
      seen.push(`${file} ${text.trim()} ${platforms.length}`);
      return [
        { lockfiles: ['other/package-lock.json'], targets: [{ platform: makePlatform('linux', 's390x'), libc: 'glibc' }] },
        { lockfiles: ['./package-lock.json'], targets: platforms.map((platform) => ({ platform, libc: 'musl' as const, libcVersion: '1.2.5', node: '20' })) },
      ];
    },
  });
  const run = await analyzeDeps(['app'], { cwd, platforms: 'linux/amd64,linux/arm64', python: '3.12', parts });
  assert.deepEqual(seen, [`${path.join('app', 'Dockerfile')} FROM node:20-alpine 2`]);
  const r = run.reports[0];
  assert.deepEqual(r?.targets.map(targetLabel), ['linux/amd64 (musl)', 'linux/arm64 (musl)']);
  assert.equal(r?.targets[0]?.python, '3.12', 'the flag fills what the base does not name');
  assert.equal(r?.targets[0]?.node, '20');
  assert.deepEqual(
    run.summaries.map((s) => [s.target, s.fails]),
    [
      ['linux/amd64 (musl)', false],
      ['linux/arm64 (musl)', true],
    ],
  );
});

test('two installs of one lockfile with the same facts are one target: uv sync --no-install-project then uv sync, npm ci in two stages on one base', async () => {
  const cwd = tree({ 'package-lock.json': lock([{ name: 'sharp', version: '0.33.5', native: { arm64: 'missing' } }]), 'Dockerfile': 'FROM node:20-slim\n' });
  const toolchain = (stage: string, gcc: boolean): DepsTarget['toolchain'] => ({ cc: gcc, cxx: gcc, make: gcc, python3: true, rust: false, headers: [], evidence: [`the base node:20-slim carries python3 (${stage})`] });
  const site = (stage: string, line: number, gcc: boolean) => ({
    lockfiles: ['package-lock.json'],
    targets: ['amd64', 'arm64'].map((arch) => ({ platform: makePlatform('linux', arch), libc: 'glibc' as const, libcVersion: '2.36', node: '20', toolchain: toolchain(stage, gcc), site: { file: 'Dockerfile', stage, line, column: 5, command: 'npm ci' } })),
  });
  const run = await analyzeDeps(['package-lock.json'], { cwd, parts: fakeParts({ installSites: () => [site('deps', 4, false), site('runner', 9, false)] }) });
  const r = run.reports[0];
  assert.deepEqual(r?.targets.map((t) => `${targetLabel(t)} ${t.site?.stage}`), ['linux/amd64 (glibc 2.36) deps', 'linux/arm64 (glibc 2.36) deps']);
  assert.deepEqual(run.summaries.map((s) => [s.target, s.prebuilt, s.missing]), [
    ['linux/amd64 (glibc 2.36)', 1, 0],
    ['linux/arm64 (glibc 2.36)', 0, 1],
  ]);
  // a stage with a compiler is another target, even under the same label
  const other = await analyzeDeps(['package-lock.json'], { cwd, parts: fakeParts({ installSites: () => [site('deps', 4, true), site('runner', 9, false)] }) });
  assert.deepEqual(other.reports[0]?.targets.map((t) => t.site?.stage), ['deps', 'deps', 'runner', 'runner']);
  // ... and labelled with its stage, where the plain labels would read the same: summaries are per stage, not added up
  assert.deepEqual(targetLabels(other.reports[0]?.targets ?? []), ['linux/amd64 (glibc 2.36) [stage deps]', 'linux/arm64 (glibc 2.36) [stage deps]', 'linux/amd64 (glibc 2.36) [stage runner]', 'linux/arm64 (glibc 2.36) [stage runner]']);
  assert.deepEqual(other.summaries.map((s) => [s.target, s.prebuilt, s.compiles, s.missing]), [
    ['linux/amd64 (glibc 2.36) [stage deps]', 1, 0, 0],
    ['linux/arm64 (glibc 2.36) [stage deps]', 0, 0, 1],
    ['linux/amd64 (glibc 2.36) [stage runner]', 1, 0, 0],
    ['linux/arm64 (glibc 2.36) [stage runner]', 0, 0, 1],
  ]);
  assert.deepEqual(other.findings.filter((f) => f.id !== 'AA305').map((f) => f.target), ['linux/arm64 (glibc 2.36) [stage deps]', 'linux/arm64 (glibc 2.36) [stage runner]']);
});

test('a Dockerfile that cannot be parsed is an error of the run; the lockfile is analysed against the flags', async () => {
  const cwd = tree({ 'package-lock.json': lock([]), 'Dockerfile': 'FROM' });
  const parts = fakeParts({
    installSites: (_t, file) => {
      throw new AnyarchError('E_PARSE', 'FROM needs an image', undefined, { file, line: 1, column: 1 });
    },
  });
  const run = await analyzeDeps([], { cwd, libc: 'musl', parts });
  assert.deepEqual(
    run.errors.map((e) => e.describe()),
    ['Dockerfile:1:1: FROM needs an image'],
  );
  assert.deepEqual(run.reports[0]?.targets.map(targetLabel), ['linux/amd64 (musl)', 'linux/arm64 (musl)']);
});

test('an analyser that throws fails its lockfile only', async () => {
  const cwd = tree({ 'package-lock.json': lock([]), 'uv.lock': lock([{ name: 'grpcio', version: '1.66.0', native: {} }]) });
  const parts = fakeParts({
    analyzeNpmLockfile: async () => {
      throw new TypeError('boom');
    },
  });
  const run = await analyzeDeps([], { cwd, parts });
  assert.equal(run.reports[0]?.error?.code, 'E_INTERNAL');
  assert.match(run.reports[0]?.error?.message ?? '', /analysing package-lock\.json failed: TypeError: boom/);
  assert.equal(run.reports[1]?.packages.length, 1);
});

test('progress counts requests and lockfiles', async () => {
  const cwd = tree({ 'package-lock.json': lock([{ name: 'a', version: '1.0.0', native: {} }]) });
  const events: string[] = [];
  const base = fakeParts();
  let onRequest: ((w: string) => void) | undefined;
  const parts = fakeParts({
    openNpmMetadata: (o) => {
      onRequest = o.onRequest;
      return base.openNpmMetadata(o);
    },
    analyzeNpmLockfile: async (l, t, m) => {
      onRequest?.('GET /a');
      return base.analyzeNpmLockfile(l, t, m);
    },
  });
  await analyzeDeps([], { cwd, parts, onProgress: (p) => events.push(`${p.requests} ${p.lockfilesDone}/${p.lockfiles}`) });
  assert.deepEqual(events, ['1 0/1', '1 1/1']);
});

test('analyzeLockfileReport keeps an analyser\'s own verdict id and fills the others', async () => {
  const l: Lockfile = { file: 'uv.lock', kind: 'uv-lock', ecosystem: 'python', packages: [], warnings: [] };
  const t: DepsTarget[] = [{ platform: makePlatform('linux', 'arm64'), libc: 'glibc' }];
  const r = await analyzeLockfileReport(l, t, {}, {
    analyzeNpmLockfile: async () => [],
    analyzePythonLockfile: async () => [
      { ecosystem: 'python', name: 'x', version: '1', mechanism: 'sdist', cells: [{ status: 'missing', reason: 'no wheel', id: 'AA301' }] },
      { ecosystem: 'python', name: 'y', version: '1', mechanism: 'sdist', cells: [{ status: 'compiles', reason: 'sdist' }] },
    ],
  });
  assert.deepEqual(
    r.packages.map((p) => p.cells[0]?.id),
    ['AA301', 'AA303'],
  );
});

test('summarizeDeps: one line per target label across lockfiles, in first-seen order', () => {
  const amd = { platform: makePlatform('linux', 'amd64'), libc: 'glibc' as const };
  const arm = { platform: makePlatform('linux', 'arm64'), libc: 'glibc' as const, libcVersion: '2.36' };
  const pkg = (cells: Cell['status'][]): PackageReport => ({ ecosystem: 'npm', name: 'p', version: '1', mechanism: 'node-gyp', cells: cells.map((status) => ({ status, reason: '' })) });
  const s = summarizeDeps([
    { file: 'a', kind: 'package-lock', ecosystem: 'npm', targets: [amd, arm], packages: [pkg(['compiles', 'unknown'])], total: 1, warnings: [] },
    { file: 'b', kind: 'uv-lock', ecosystem: 'python', targets: [arm], packages: [pkg(['prebuilt'])], total: 1, warnings: [] },
  ]);
  assert.deepEqual(s.summaries, [
    { target: 'linux/amd64', prebuilt: 0, compiles: 1, missing: 0, unknown: 0, fails: false },
    { target: 'linux/arm64 (glibc 2.36)', prebuilt: 1, compiles: 0, missing: 0, unknown: 1, fails: false },
  ]);
  assert.equal(s.failing, false);
});

test('--libc, --python and --node are checked; bad ones are usage errors', () => {
  assert.deepEqual(parseLibc('musl'), { libc: 'musl' });
  assert.deepEqual(parseLibc('glibc:2.31'), { libc: 'glibc', version: '2.31' });
  assert.deepEqual(parseLibc('gnu'), { libc: 'glibc' });
  assert.throws(() => parseLibc('bionic'), /unknown libc "bionic"/);
  const p = [makePlatform('linux', 'arm64')];
  assert.deepEqual(flagTargets(p, { libc: 'musl-1.2.4', python: '3.12', node: '22' }), [{ platform: p[0], libc: 'musl', libcVersion: '1.2.4', python: '3.12', node: '22' }]);
  assert.throws(() => flagTargets(p, { python: '3' }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE');
  assert.throws(() => flagTargets(p, { node: 'v20' }), /invalid Node\.js version "v20"/);
  for (const node of ['99', 'abc', '0', '3', '20.1']) assert.throws(() => flagTargets(p, { node }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE', node);
  for (const python of ['9.99', '3.99', '3.021', '2.7', '3.12.1', 'abc']) assert.throws(() => flagTargets(p, { python }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE', python);
  assert.doesNotThrow(() => flagTargets(p, { node: '4', python: '3.0' }));
  assert.doesNotThrow(() => flagTargets(p, { node: '26', python: '3.15' }));
});

test('lockfileAnalyser: lockfiles a caller read, analysed against its targets; one source per ecosystem; unreadable ones throw', async () => {
  calls.length = 0;
  const analyse = lockfileAnalyser({ cwd: '/', parts: fakeParts() });
  const t: DepsTarget[] = [{ platform: makePlatform('linux', 'arm64'), libc: 'musl' }];
  const a = await analyse({ lockfile: 'app/package-lock.json', text: lock([{ name: 'sharp', version: '0.33.5', native: { arm64: 'missing' } }]), targets: t });
  const b = await analyse({ lockfile: 'web/package-lock.json', text: lock([]), targets: t });
  assert.deepEqual(a.packages[0]?.cells.map((c) => c.id), ['AA301']);
  assert.equal(b.file, 'web/package-lock.json');
  assert.equal(calls.filter((c) => c === 'open npm').length, 1, 'the npm source is opened once');
  await assert.rejects(analyse({ lockfile: 'x/package-lock.json', text: '{', targets: t }), /not JSON/);
});

test('a lockfile that is not UTF-8, or a directory that cannot be listed, is one error naming it', async () => {
  const cwd = tree({ 'package-lock.json': 'x', 'ok/package-lock.json': lock([]) });
  const { writeFileSync, mkdirSync, chmodSync } = await import('node:fs');
  writeFileSync(path.join(cwd, 'package-lock.json'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  mkdirSync(path.join(cwd, 'locked'));
  chmodSync(path.join(cwd, 'locked'), 0o000);
  const run = await analyzeDeps(['.', 'locked', 'ok'], { cwd, parts: fakeParts() });
  chmodSync(path.join(cwd, 'locked'), 0o755);
  // the path is the error's location (printed first), not repeated in its sentence
  assert.equal(run.reports[0]?.error?.message, 'not UTF-8 text');
  assert.equal(run.reports[0]?.error?.location?.file, 'package-lock.json');
  assert.equal(run.reports[1]?.file, path.join('ok', 'package-lock.json'));
  // root reads every directory: then "locked" is a directory without lockfiles
  assert.match(run.errors[0]?.message ?? '', /^locked: (cannot be read \(EACCES\)|no lockfile found in this directory)$/);
});

test('a lockfile past the limit is refused by its size, unread, naming the limit; the others are analysed', async () => {
  const cwd = tree({ 'big/package-lock.json': '', 'ok/package-lock.json': lock([]) });
  const { truncateSync } = await import('node:fs');
  // sparse: the size is declared, no byte is written (or read)
  truncateSync(path.join(cwd, 'big/package-lock.json'), MAX_LOCKFILE_BYTES + 1024 * 1024);
  const run = await analyzeDeps(['big', 'ok'], { cwd, parts: fakeParts() });
  assert.equal(run.reports[0]?.error?.describe(), `${path.join('big', 'package-lock.json')}: larger than 128 MiB (129.0 MiB), the most anyarch reads from a lockfile`);
  assert.equal(run.reports[0]?.error?.code, 'E_INPUT');
  assert.equal(run.reports[1]?.error, undefined);
  assert.ok(MAX_LOCKFILE_BYTES >= 40 * 1024 * 1024, 'a 40 MB monorepo lockfile is read');
});

test('a quoted glob searches below its fixed part, skipping node_modules; one that matches nothing is an error', async () => {
  const cwd = tree({
    'services/api/package-lock.json': lock([]),
    'services/web/deep/uv.lock': lock([]),
    'services/web/node_modules/x/package-lock.json': lock([]),
    'services/README.md': 'x',
  });
  const all = await analyzeDeps(['services/**/*'], { cwd, parts: fakeParts() });
  assert.deepEqual(
    all.reports.map((r) => r.file),
    ['services/api/package-lock.json', 'services/web/deep/uv.lock'],
  );
  const one = await analyzeDeps(['services/*/package-lock.json', 'nothing/*.lock'], { cwd, parts: fakeParts() });
  assert.deepEqual(
    one.reports.map((r) => r.file),
    ['services/api/package-lock.json'],
  );
  assert.deepEqual(
    one.errors.map((e) => e.message),
    ['nothing/*.lock: no lockfile matches this pattern'],
  );
  assert.ok(globRegExp('a/**/b?.[jt]s').test('a/x/y/b1.ts'));
  assert.ok(!globRegExp('a/*.json').test('a/b/c.json'));
});
