/**
 * `anyarch deps` as the command line runs it, in-process, over in-memory parts
 * (test/support/deps-fakes.ts): the four formats, the outcome, errors on standard error, progress
 * on a terminal only, and the help a newcomer reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeLock as lock, fakeParts, tree } from '../../../test/support/deps-fakes.js';
import type { Io } from '../io.js';
import { main } from '../main.js';
import { deps, type DepsCommandOptions } from './deps.js';

interface FakeIo extends Io {
  out: string;
  err: string;
}

function fakeIo(cwd: string, env: Io['env'] = {}, tty = false): FakeIo {
  const io: FakeIo = {
    cwd,
    env,
    out: '',
    err: '',
    stdout: { write: (s: string) => void (io.out += s), isTTY: tty },
    stderr: { write: (s: string) => void (io.err += s), isTTY: tty },
    readStdin: async () => new Uint8Array(),
  };
  return io;
}

const PROJECT = {
  'package-lock.json': lock([
    { name: 'esbuild', version: '0.23.0', line: 12, native: {} },
    { name: 'sharp', version: '0.33.5', line: 40, native: { arm64: 'missing' } },
    { name: 'bcrypt', version: '5.1.1', line: 55, native: { amd64: 'compiles', arm64: 'missing-tools' } },
    { name: 'left-pad', version: '1.3.0' },
  ]),
};

function opts(over: Partial<DepsCommandOptions> = {}): DepsCommandOptions {
  return { paths: [], offline: false, format: 'text', color: false, library: { parts: fakeParts(), cacheDir: '/nonexistent' }, ...over };
}

test('text: the matrix, the reasons below it, one summary line per target; a missing cell is a finding (exit 1)', async () => {
  const io = fakeIo(tree(PROJECT));
  assert.equal(await deps(opts(), io), 'findings');
  assert.equal(
    io.out,
    [
      'package-lock.json  (3 native packages of 4)',
      '                  linux/amd64  linux/arm64',
      '  esbuild@0.23.0  prebuilt     prebuilt',
      '  sharp@0.33.5    prebuilt     MISSING',
      '  bcrypt@5.1.1    compiles     MISSING',
      '',
      '  sharp@0.33.5  prebuildify',
      '    linux/amd64: sharp-amd64',
      '    linux/arm64: missing here (AA301)',
      '',
      '  bcrypt@5.1.1  prebuildify',
      '    linux/amd64: compiles here (AA303)',
      '    linux/arm64: no gcc in stage; the stage lacks a C compiler (AA302)',
      '',
      'linux/amd64  2 prebuilt, 1 compiles, 0 missing  ok',
      'linux/arm64  1 prebuilt, 0 compiles, 2 missing  FAILS',
      '',
    ].join('\n'),
  );
  assert.equal(io.err, '', 'no progress off a terminal');
});

test('json: the whole run, with the schema name, targets, cells and verdict ids', async () => {
  const io = fakeIo(tree(PROJECT));
  await deps(opts({ format: 'json' }), io);
  const doc = JSON.parse(io.out) as { schema: string; failing: boolean; lockfiles: { targets: { label: string; libc: string }[]; packages: { name: string; cells: { status: string; id?: string }[] }[] }[]; findings: { id: string }[] };
  assert.equal(doc.schema, 'anyarch-deps/1');
  assert.equal(doc.failing, true);
  assert.deepEqual(
    doc.lockfiles[0]?.targets.map((t) => [t.label, t.libc]),
    [
      ['linux/amd64', 'glibc'],
      ['linux/arm64', 'glibc'],
    ],
  );
  assert.deepEqual(doc.lockfiles[0]?.packages[2]?.cells.map((c) => c.id), ['AA303', 'AA302']);
  assert.deepEqual(
    doc.findings.map((f) => f.id),
    ['AA301', 'AA303', 'AA302'],
  );
});

test('sarif: the five verdicts as rules, a result at the lockfile line of each failing package', async () => {
  const io = fakeIo(tree(PROJECT));
  await deps(opts({ format: 'sarif' }), io);
  const log = JSON.parse(io.out) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; properties: { target: string } }[]; invocations: { executionSuccessful: boolean }[] }[] };
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0];
  assert.deepEqual(
    run?.tool.driver.rules.map((r) => r.id),
    ['AA301', 'AA302', 'AA303', 'AA304', 'AA305'],
  );
  assert.deepEqual(
    run?.results.map((r) => [r.ruleId, r.level, r.locations[0]?.physicalLocation.artifactLocation.uri, r.locations[0]?.physicalLocation.region.startLine, r.properties.target]),
    [
      ['AA301', 'error', 'package-lock.json', 40, 'linux/arm64'],
      ['AA303', 'warning', 'package-lock.json', 55, 'linux/amd64'],
      ['AA302', 'error', 'package-lock.json', 55, 'linux/arm64'],
    ],
  );
  assert.equal(run?.invocations[0]?.executionSuccessful, true);
});

test('markdown: a summary table and a matrix for a pull request, pipes escaped', async () => {
  const io = fakeIo(tree({ 'package-lock.json': lock([{ name: 'a|b', version: '1.0.0', line: 3, native: { arm64: 'unknown' } }]) }));
  assert.equal(await deps(opts({ format: 'markdown' }), io), 'clean', 'unknown cells do not fail');
  assert.match(io.out, /^## Native dependencies per platform\n/);
  assert.match(io.out, /\| linux\/arm64 \| 0 \| 0 \| 0 \| 1 \| ✅ ok \|/);
  assert.match(io.out, /\| `a\\\|b@1\.0\.0` \| ✅ prebuilt<br>`a\\\|b-amd64` \| ❔ unknown<br>unknown here \(AA304\) \|/);
});

test('a lockfile that cannot be read: its error on standard error with its position, the others reported, exit 2', async () => {
  const io = fakeIo(tree({ 'a/package-lock.json': '{', 'b/package-lock.json': lock([{ name: 'sharp', version: '0.33.5', native: { arm64: 'missing' } }]) }));
  assert.equal(await deps(opts({ paths: ['a', 'b'] }), io), 'input-error', 'unreadable input beats a failing target');
  assert.equal(io.err, 'anyarch: a/package-lock.json:1:1: not JSON\n');
  assert.match(io.out, /b\/package-lock\.json {2}\(1 native package of 1\)/);
});

test('a directory named package-lock.json: one line saying so, exit 2', async () => {
  const io = fakeIo(tree({ 'package-lock.json/x': 'x' }));
  assert.equal(await main(['deps', 'package-lock.json'], io), 2);
  assert.equal(io.err, 'anyarch: package-lock.json: a directory, not a lockfile\n');
});

test('progress on a terminal, erased before the report; colour only on a terminal', async () => {
  const io = fakeIo(tree(PROJECT), {}, true);
  await deps(opts({ color: true }), io);
  assert.match(io.err, /\ranyarch: 1\/1 lockfiles, 0 registry requests\u001b\[K\r\u001b\[K$/);
  assert.match(io.out, /\u001b\[/, 'coloured on a terminal');
  const ci = fakeIo(tree(PROJECT), { CI: 'true' }, true);
  await deps(opts(), ci);
  assert.equal(ci.err, '', 'never in CI logs');
});

test('bad flags are usage errors before anything is read', async () => {
  const io = fakeIo(tree(PROJECT));
  await assert.rejects(deps(opts({ libc: 'uclibc' }), io), /unknown libc "uclibc"/);
  await assert.rejects(deps(opts({ platforms: 'linux/nonsense' }), io), (e: unknown) => (e as { code?: string }).code === 'E_PLATFORM_SPEC');
});

test('--index-url, --registry, --node and --python are checked when parsed: one line and a hint, exit 2, never a URL\'s user-info', async () => {
  const cases: [string[], RegExp][] = [
    [['--index-url', 'ftp://user:s3cret@mirror.example/simple'], /^anyarch: option '--index-url <url>' argument 'ftp:\/\/\*\*\*@mirror\.example\/simple' is invalid\. expected an http\(s\) URL \(this is a URL with scheme ftp:\)\n/],
    [['--index-url', 'mirror.example/simple'], /argument 'mirror\.example\/simple' is invalid\. expected an http\(s\) URL \(this is not a URL\)\n/],
    [['--registry', 'file:///srv/npm'], /^anyarch: option '--registry <url>' argument 'file:\/\/\/srv\/npm' is invalid\. expected an http\(s\) URL \(this is a URL with scheme file:\)/],
    [['--node', '99'], /^anyarch: option '--node <major>' argument '99' is invalid\. there is no Node\.js 99: majors from 4 to 40 are taken \(e\.g\. 20\)\n/],
    [['--node', 'abc'], /argument 'abc' is invalid\. expected a Node\.js major version, a whole number such as 20\n/],
    [['--python', '9.99'], /^anyarch: option '--python <version>' argument '9\.99' is invalid\. expected a Python 3 version, 3\.<minor> such as 3\.12\n/],
    [['--python', '3.99'], /argument '3\.99' is invalid\. there is no Python 3\.99: 3\.0 to 3\.20 are taken \(e\.g\. 3\.12\)\n/],
  ];
  for (const [args, message] of cases) {
    const io = fakeIo(tree(PROJECT));
    assert.equal(await main(['deps', ...args], io), 2, args.join(' '));
    assert.match(io.err, message);
    assert.equal(io.err.split('\n').length, 3, 'the refusal and a hint');
    assert.ok(!io.err.includes('s3cret'));
    assert.equal(io.out, '');
  }
});

test('--help explains the cells, the targets and the exit codes, with examples', async () => {
  const io = fakeIo('/');
  assert.equal(await main(['deps', '--help'], io), 0);
  for (const s of ['Usage: anyarch deps [options] [paths...]', '--platform <platforms>', '--dockerfile <file>', '--libc <libc>', '--offline', '--registry <url>', '--index-url <url>', 'markdown', 'Examples:', 'prebuilt', 'MISSING', 'Exit codes: 0 every target installs']) {
    assert.ok(io.out.includes(s), `--help says ${s}`);
  }
  const top = fakeIo('/');
  await main(['--help'], top);
  assert.match(top.out, /deps \[options\] \[paths\.\.\.\]/);
});

test('text: the install site a Dockerfile gave the targets, once per RUN', async () => {
  const site = { file: 'Dockerfile', stage: 'deps', line: 4, column: 1, command: 'npm ci --omit=dev', base: 'node:20-alpine' };
  const parts = fakeParts({
    installSites: (_text, _file, platforms) => [{ lockfiles: ['package-lock.json'], targets: platforms.map((platform) => ({ platform, libc: 'musl' as const, site })) }],
  });
  const io = fakeIo(tree({ ...PROJECT, Dockerfile: 'FROM node:20-alpine AS deps\n' }));
  await deps(opts({ library: { parts, cacheDir: '/nonexistent' } }), io);
  assert.match(io.out, /^package-lock\.json {2}\(3 native packages of 4\)\n {2}installed by Dockerfile:4 `npm ci --omit=dev` in stage deps \(node:20-alpine\)\n {18}linux\/amd64 \(musl\) {2}linux\/arm64 \(musl\)\n/);
});
