/**
 * The native-dependency lookup before a check, and `checkPaths` with it. The analysers of `anyarch
 * deps` (h12-nodelock's and h12-python's, through h12-cli's `analyzeLockfileReport`) are written
 * in parallel: these tests inject a fake analyser through the lookup's options, which answers from
 * the lockfile's text so that what was read is checked too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tempTree } from '../../test/support/tree.js';
import { nativeDepsKey } from '../deps/dockerfile.js';
import type { LockfileReport } from '../deps/types.js';
import { AnyarchError } from '../errors.js';
import { parsePlatform, parsePlatformList } from '../platform/index.js';
import { checkPaths, type CheckProgress } from './check-paths.js';
import { checkOutcome } from './outcome.js';
import { lookUpNativeDeps, type NativeDepsInput } from './deps-lookup.js';

/** A fake analyser: each line `name@version platform` of the lockfile's text is a missing cell on that platform. */
function fakeAnalyser(calls: NativeDepsInput[]) {
  return async (input: NativeDepsInput): Promise<LockfileReport> => {
    calls.push(input);
    if (input.text.startsWith('garbage')) throw new AnyarchError('E_INPUT', 'not a lockfile', undefined, { file: input.lockfile, line: 1, column: 1 });
    const lines = input.text.split('\n').filter((l) => /^\S+@\S+ \S+$/.test(l));
    const packages = lines.map((l) => {
      const [pkg, platform] = l.split(' ') as [string, string];
      const at = pkg.lastIndexOf('@');
      return {
        ecosystem: 'npm' as const,
        name: pkg.slice(0, at),
        version: pkg.slice(at + 1),
        mechanism: 'platform-packages' as const,
        cells: input.targets.map((t) =>
          `${t.platform.os}/${t.platform.architecture}` === platform ? { status: 'missing' as const, reason: `no ${pkg.slice(0, at)} build for ${platform}` } : { status: 'prebuilt' as const, reason: 'a package for it' },
        ),
      };
    });
    return { file: input.lockfile, kind: input.kind, ecosystem: 'npm', targets: input.targets, packages, total: packages.length, warnings: [] };
  };
}

const DOCKERFILE = 'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n';
const LOCK = 'sharp@0.33.5 linux/ppc64le\n';
const PLATFORMS = parsePlatformList('linux/amd64,linux/arm64,linux/ppc64le');

test('lookUpNativeDeps: reads the lockfile the install reads from the build context and keys the answer by site', async () => {
  const dir = tempTree({ Dockerfile: DOCKERFILE, 'package-lock.json': LOCK, 'package.json': '{}' });
  const calls: NativeDepsInput[] = [];
  let started = 0;
  const facts = await lookUpNativeDeps([{ file: 'Dockerfile', source: DOCKERFILE, context: dir, cwd: dir }], {
    platforms: PLATFORMS,
    buildPlatform: parsePlatform('linux/amd64'),
    analyse: fakeAnalyser(calls),
    onStart: (n) => (started = n),
  });
  assert.equal(started, 1);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.lockfile, 'package-lock.json');
  assert.equal(calls[0]?.kind, 'package-lock');
  assert.equal(calls[0]?.text, LOCK);
  assert.deepEqual(calls[0]?.targets.map((t) => [t.platform.architecture, t.libc, t.node]), [['amd64', 'musl', '20'], ['arm64', 'musl', '20'], ['ppc64le', 'musl', '20']]);
  const fact = facts.get(nativeDepsKey('Dockerfile', { key: '0:0' }));
  assert.equal(fact?.lockfile, 'package-lock.json');
  assert.equal(fact?.report.packages[0]?.cells[2]?.status, 'missing');
});

test('lookUpNativeDeps: costs nothing without an install, without an analyser, or without a lockfile in the context', async () => {
  const calls: NativeDepsInput[] = [];
  const analyse = fakeAnalyser(calls);
  const dir = tempTree({ Dockerfile: 'FROM alpine:3.20\nRUN apk add curl\n' });
  assert.equal((await lookUpNativeDeps([{ file: 'Dockerfile', source: 'FROM alpine:3.20\nRUN apk add curl\n', context: dir }], { analyse })).size, 0);
  assert.equal((await lookUpNativeDeps([{ file: 'Dockerfile', source: DOCKERFILE, context: dir }], { analyse })).size, 0, 'no package-lock.json in the context');
  assert.equal((await lookUpNativeDeps([{ file: 'Dockerfile', source: DOCKERFILE, context: dir }], {})).size, 0, 'no analyser');
  assert.equal((await lookUpNativeDeps([{ file: '<stdin>', source: DOCKERFILE }], { analyse })).size, 0, 'no context');
  assert.equal((await lookUpNativeDeps([{ file: 'Dockerfile', source: 'FROM node:20\nRUN npm ci\n"unterminated', context: dir }], { analyse })).size, 0);
  assert.equal(calls.length, 0);
});

test('lookUpNativeDeps: a lockfile linked from outside the context is never read, and said so', async () => {
  const outside = tempTree({ 'package-lock.json': LOCK });
  const dir = tempTree({ Dockerfile: DOCKERFILE });
  symlinkSync(path.join(outside, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  const calls: NativeDepsInput[] = [];
  const facts = await lookUpNativeDeps([{ file: 'Dockerfile', source: DOCKERFILE, context: dir, cwd: dir }], { analyse: fakeAnalyser(calls), platforms: PLATFORMS });
  assert.equal(calls.length, 0);
  const fact = facts.get(nativeDepsKey('Dockerfile', { key: '0:0' }));
  assert.equal(fact?.lockfile, 'package-lock.json');
  assert.equal(fact?.report.error?.code, 'E_INPUT');
  assert.match(fact?.report.error?.message ?? '', /^cannot be read: a symbolic link to a file outside the build context/);
  assert.ok(!fact?.report.error?.message.includes(outside), 'the link target is not printed');
  rmSync(outside, { recursive: true });
});

test('lookUpNativeDeps: a lockfile that is a directory, a FIFO (never opened) or a dangling link is a fact with an error; a missing one has none', async () => {
  const dir = tempTree({ Dockerfile: DOCKERFILE });
  const facts = async (): Promise<string | undefined> => {
    const calls: NativeDepsInput[] = [];
    const f = await lookUpNativeDeps([{ file: 'Dockerfile', source: DOCKERFILE, context: dir, cwd: dir }], { analyse: fakeAnalyser(calls), platforms: PLATFORMS });
    assert.equal(calls.length, 0);
    const e = f.get(nativeDepsKey('Dockerfile', { key: '0:0' }))?.report.error;
    return e && `${e.code} ${e.location?.file}: ${e.message}`;
  };
  assert.equal(await facts(), undefined, 'no lockfile: no fact');
  mkdirSync(path.join(dir, 'package-lock.json'));
  assert.equal(await facts(), 'E_INPUT package-lock.json: cannot be read: a directory, not a regular file');
  rmSync(path.join(dir, 'package-lock.json'), { recursive: true });
  execFileSync('mkfifo', [path.join(dir, 'package-lock.json')]);
  assert.equal(await facts(), 'E_INPUT package-lock.json: cannot be read: a named pipe (FIFO), not a regular file');
  rmSync(path.join(dir, 'package-lock.json'));
  symlinkSync('nowhere.json', path.join(dir, 'package-lock.json'));
  assert.equal(await facts(), 'E_INPUT package-lock.json: cannot be read: a symbolic link to nothing (its target does not exist)');
});

test('lookUpNativeDeps: a lockfile the analyser cannot read is a fact with its error; two sites of one lockfile and targets share one analysis', async () => {
  const two = 'FROM node:20-alpine AS a\nWORKDIR /app\nCOPY . .\nRUN npm ci\nFROM node:20-alpine AS b\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN cd tools && npm ci\n';
  const dir = tempTree({ Dockerfile: two, 'package-lock.json': LOCK, 'tools/package-lock.json': 'garbage' });
  const calls: NativeDepsInput[] = [];
  const facts = await lookUpNativeDeps([{ file: 'Dockerfile', source: two, context: dir, cwd: dir }], { analyse: fakeAnalyser(calls), platforms: PLATFORMS });
  assert.equal(calls.length, 2);
  assert.equal(facts.size, 3);
  assert.equal(facts.get(nativeDepsKey('Dockerfile', { key: '0:0' }))?.report, facts.get(nativeDepsKey('Dockerfile', { key: '1:0' }))?.report);
  const bad = facts.get(nativeDepsKey('Dockerfile', { key: '1:1' }));
  assert.equal(bad?.lockfile, path.join('tools', 'package-lock.json'));
  assert.equal(bad?.report.error?.code, 'E_INPUT');
});

test('lookUpNativeDeps: lockfiles are analysed `concurrency` at a time', async () => {
  const three = 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN cd a && npm ci\nRUN cd b && npm ci\nRUN cd c && npm ci\n';
  const dir = tempTree({ Dockerfile: three, 'a/package-lock.json': LOCK, 'b/package-lock.json': LOCK, 'c/package-lock.json': LOCK });
  const calls: NativeDepsInput[] = [];
  const inner = fakeAnalyser(calls);
  let active = 0;
  let most = 0;
  const analyse = async (input: NativeDepsInput): Promise<LockfileReport> => {
    most = Math.max(most, ++active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
    return inner(input);
  };
  const facts = await lookUpNativeDeps([{ file: 'Dockerfile', source: three, context: dir, cwd: dir }], { analyse, platforms: PLATFORMS, concurrency: 2 });
  assert.equal(facts.size, 3);
  assert.equal(calls.length, 3);
  assert.equal(most, 2);
});

test('lookUpNativeDeps: a requirements.txt gets a reader of its -r/-c files from the build context, never outside it', async () => {
  const py = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r app/requirements.txt\n';
  const dir = tempTree({ Dockerfile: py, 'app/requirements.txt': '-r reqs/base.txt\n', 'app/reqs/base.txt': 'numpy==2.1.0\n' });
  const calls: NativeDepsInput[] = [];
  await lookUpNativeDeps([{ file: 'Dockerfile', source: py, context: dir, cwd: dir }], { analyse: fakeAnalyser(calls), platforms: PLATFORMS });
  assert.equal(calls.length, 1);
  const input = calls[0]!;
  assert.equal(input.kind, 'requirements');
  assert.deepEqual(input.include?.('reqs/base.txt', input.lockfile), { file: path.join('app', 'reqs', 'base.txt'), text: 'numpy==2.1.0\n' });
  assert.deepEqual(input.include?.('../../etc/passwd', input.lockfile), { error: '../../etc/passwd is outside the build context; not followed' });
  assert.deepEqual(input.include?.('/etc/passwd', input.lockfile), { error: '/etc/passwd is a path in the image, not in the build context; not followed' });
  assert.deepEqual(input.include?.('nope.txt', path.join('app', 'reqs', 'base.txt')), { error: `${path.join('app', 'reqs', 'nope.txt')} is not in the build context` });
});

test('checkPaths: AA123 on the install RUN from the injected analyser; nativeDeps: false leaves the rules silent and says which', async () => {
  const dir = tempTree({ Dockerfile: DOCKERFILE, 'package-lock.json': LOCK, 'package.json': '{}' });
  const calls: NativeDepsInput[] = [];
  const progress: CheckProgress[] = [];
  const run = await checkPaths([], {
    cwd: dir,
    check: { platforms: PLATFORMS, only: ['AA123', 'AA124'], buildPlatform: parsePlatform('linux/amd64') },
    baseImages: false,
    nativeDeps: { analyse: fakeAnalyser(calls) },
    onProgress: (p) => progress.push(p),
  });
  assert.deepEqual(progress, [{ step: 'native-deps', lockfiles: 1 }]);
  const findings = run.results.flatMap((r) => r.findings);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line, f.range.start.column, f.platforms]), [['AA123', 4, 5, ['linux/ppc64le']]]);
  assert.match(findings[0]?.message ?? '', /^npm ci fails on linux\/ppc64le \(musl\): sharp@0\.33\.5: no sharp build for linux\/ppc64le \(lockfile package-lock\.json\)$/);
  assert.equal(run.withoutNativeDeps, undefined);

  const offline = await checkPaths([], { cwd: dir, check: { platforms: PLATFORMS, only: ['AA123', 'AA124'] }, baseImages: false, nativeDeps: false });
  assert.deepEqual(offline.results.flatMap((r) => r.findings), []);
  assert.deepEqual(offline.withoutNativeDeps, ['AA123', 'AA124']);
});

test('checkPaths: a lockfile the install reads that is a FIFO is an error result (exit 2), never opened; the Dockerfile is still checked', async () => {
  const dir = tempTree({ Dockerfile: DOCKERFILE, 'package.json': '{}' });
  execFileSync('mkfifo', [path.join(dir, 'package-lock.json')]);
  const calls: NativeDepsInput[] = [];
  const run = await checkPaths([], { cwd: dir, check: { platforms: PLATFORMS, only: ['AA123', 'AA124'] }, baseImages: false, nativeDeps: { analyse: fakeAnalyser(calls) } });
  assert.equal(calls.length, 0);
  assert.deepEqual(run.results.map((r) => [r.file, r.error?.code, r.error?.message]), [
    ['Dockerfile', undefined, undefined],
    ['package-lock.json', 'E_INPUT', 'cannot be read: a named pipe (FIFO), not a regular file'],
  ]);
  assert.equal(checkOutcome(run), 'input-error');
});

test('checkPaths: a Dockerfile that names no package manager never reaches the analyser', async () => {
  const dir = tempTree({ Dockerfile: 'FROM golang:1.22\nRUN go build ./...\n', 'package-lock.json': LOCK });
  const calls: NativeDepsInput[] = [];
  const run = await checkPaths([], { cwd: dir, check: { only: ['AA123'] }, baseImages: false, nativeDeps: { analyse: fakeAnalyser(calls) } });
  assert.equal(calls.length, 0);
  assert.deepEqual(run.results.flatMap((r) => r.findings), []);
});
