/**
 * `anyarch check` in-process, with a small test rule (so nothing depends on the built-in rules):
 * exit outcomes, --fail-on, config, --rule/--disable, --fix, --fix-dry-run, --output, stdin.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempTree } from '../../../test/support/tree.js';
import { rangeAt } from '../../dockerfile/text.js';
import { AnyarchError } from '../../errors.js';
import { defineRule, type Rule } from '../../rules/types.js';
import type { Io } from '../io.js';
import { failsOn } from '../../check/outcome.js';
import { check, type CheckCommandOptions } from './check.js';

/** Reports every `amd64` in a RUN, with a fix to `${TARGETARCH}`. */
const AMD64: Rule = defineRule<'word'>({
  meta: {
    id: 'AA990',
    name: 'test-amd64-word',
    title: 'amd64 in RUN',
    severity: 'warning',
    description: 'Test rule.',
    related: [],
    fixable: true,
  },
  messages: { word: 'amd64 is one architecture' },
  check(model, ctx) {
    const src = model.file.source;
    for (const ins of model.file.instructions) {
      if (ins.keyword !== 'run') continue;
      let at = src.indexOf('amd64', ins.range.start.offset);
      while (at !== -1 && at < ins.range.end.offset) {
        ctx.report({ messageId: 'word', range: rangeAt(model.file.lineStarts, at, at + 5), fix: [{ start: at, end: at + 5, text: '${TARGETARCH}' }] });
        at = src.indexOf('amd64', at + 5);
      }
    }
  },
});

/** Reports every FROM as info, never fixable. */
const FROM_INFO: Rule = defineRule<'from'>({
  meta: { id: 'AA991', name: 'test-from', title: 'FROM', severity: 'info', description: 'Test rule.', related: [], fixable: false },
  messages: { from: 'a FROM' },
  check(model, ctx) {
    for (const ins of model.file.instructions) if (ins.keyword === 'from') ctx.report({ messageId: 'from', range: ins.keywordRange });
  },
});

const RULES = [AMD64, FROM_INFO];
const DOCKERFILE = 'FROM alpine:3.20\nRUN wget https://example.com/tool_linux_amd64.tar.gz\n';

interface FakeIo extends Io {
  out: string;
  err: string;
}

function fakeIo(cwd: string, stdin = '', env: Io['env'] = {}): FakeIo {
  const io: FakeIo = {
    cwd,
    env,
    out: '',
    err: '',
    stdout: { write: (s: string) => void (io.out += s) },
    stderr: { write: (s: string) => void (io.err += s) },
    readStdin: async () => new TextEncoder().encode(stdin),
  };
  return io;
}

function project(files: Record<string, string>): string {
  return tempTree(files, 'anyarch-check-');
}

function opts(over: Partial<CheckCommandOptions> = {}): CheckCommandOptions {
  return { paths: [], format: 'json', rule: [], disable: [], fix: false, fixDryRun: false, color: true, quiet: false, ...over };
}

describe('check command', () => {
  test('findings fail at the default threshold (warning)', async () => {
    const io = fakeIo(project({ Dockerfile: DOCKERFILE }));
    assert.equal(await check(opts(), io, { rules: RULES }), 'findings');
    const doc = JSON.parse(io.out);
    assert.deepEqual(
      doc.files[0].findings.map((f: { ruleId: string }) => f.ruleId),
      ['AA991', 'AA990'],
    );
    assert.equal(doc.summary.fixable, 1);
  });

  test('--fail-on decides which findings fail', async () => {
    const cwd = project({ Dockerfile: DOCKERFILE });
    assert.equal(await check(opts({ failOn: 'error' }), fakeIo(cwd), { rules: RULES }), 'clean');
    assert.equal(await check(opts({ failOn: 'warning' }), fakeIo(cwd), { rules: RULES }), 'findings');
    assert.equal(await check(opts({ failOn: 'never' }), fakeIo(cwd), { rules: RULES }), 'clean');
    assert.equal(failsOn('info', 'info'), true);
    assert.equal(failsOn('warning', 'error'), false);
  });

  test('a rule that fails on one file: that file\'s one line (file, rule, what it threw) and a hint to report it; the others still reported; a bug', async () => {
    const boom: Rule = defineRule<'never'>({
      meta: { id: 'AA993', name: 'test-boom', title: 'boom', severity: 'error', description: 'Test rule.', related: [], fixable: false },
      messages: { never: 'never' },
      check(model) {
        if (model.file.source.includes('BOOM')) throw new RangeError('Maximum call stack size exceeded');
      },
    });
    const cwd = project({ 'a/Dockerfile': DOCKERFILE, 'b/Dockerfile': `# BOOM\n${DOCKERFILE}`, 'c/Dockerfile': DOCKERFILE });
    const io = fakeIo(cwd);
    assert.equal(await check(opts({ format: 'text', color: false }), io, { rules: [boom, ...RULES] }), 'bug');
    const lines = io.out.split('\n');
    const b = path.join('b', 'Dockerfile');
    assert.ok(lines.includes(`${b}  error  E_INTERNAL  rule AA993 (test-boom) failed: RangeError: Maximum call stack size exceeded`), io.out);
    assert.ok(lines.includes("  hint: This is a bug in rule AA993 (test-boom), not in the Dockerfile: please report it with the Dockerfile to the rule's authors (anyarch's issue tracker for a built-in rule)."), io.out);
    for (const f of ['a', 'b', 'c']) assert.ok(lines.some((l) => l.startsWith(`${path.join(f, 'Dockerfile')}:`) && l.includes('AA990')), `${f}: ${io.out}`);
    assert.doesNotMatch(io.out + io.err, /^\s{4}at /m);
  });

  test('a file that cannot be parsed or decoded: input-error, the others still reported', async () => {
    const cwd = project({ 'a/Dockerfile': '# escape=x\nFROM alpine\n', 'b/Dockerfile': DOCKERFILE });
    writeFileSync(path.join(cwd, 'c.Dockerfile'), Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xff, 0x0a]));
    const io = fakeIo(cwd);
    assert.equal(await check(opts(), io, { rules: RULES }), 'input-error');
    const doc = JSON.parse(io.out);
    assert.deepEqual(
      doc.files.map((f: { file: string; error?: { code: string } }) => [f.file.split(path.sep).join('/'), f.error?.code ?? null]),
      [['a/Dockerfile', 'E_PARSE'], ['b/Dockerfile', null], ['c.Dockerfile', 'E_INPUT']],
    );
    assert.equal(doc.files[1].findings.length, 2);
  });

  test('config: platforms, rules off, failOn; flags override it', async () => {
    const cwd = project({ Dockerfile: DOCKERFILE, '.anyarch.yaml': 'rules:\n  test-amd64-word: off\nfailOn: warning\n' });
    const io = fakeIo(cwd);
    assert.equal(await check(opts(), io, { rules: RULES }), 'clean'); // only the info finding is left
    assert.deepEqual(
      JSON.parse(io.out).files[0].findings.map((f: { ruleId: string }) => f.ruleId),
      ['AA991'],
    );
    assert.equal(await check(opts({ rule: ['AA990'] }), fakeIo(cwd), { rules: RULES }), 'findings'); // --rule turns it back on
    assert.equal(await check(opts({ config: false }), fakeIo(cwd), { rules: RULES }), 'findings');
    assert.equal(await check(opts({ failOn: 'info', disable: ['AA990'] }), fakeIo(cwd), { rules: RULES }), 'findings');
  });

  test('a bad config or an unknown rule is an error, not a result', async () => {
    const cwd = project({ Dockerfile: DOCKERFILE, '.anyarch.yaml': 'failOn: sometimes\n' });
    await assert.rejects(check(opts(), fakeIo(cwd), { rules: RULES }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_CONFIG' && e.location?.line === 1);
    await assert.rejects(check(opts({ config: false, rule: ['AA000'] }), fakeIo(cwd), { rules: RULES }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE');
    await assert.rejects(check(opts({ config: false, platforms: 'linux/bogus' }), fakeIo(cwd), { rules: RULES }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE');
  });

  test('--fix rewrites in place, keeping mode, BOM and CRLF, and leaves no temp file', async () => {
    const text = '\ufeffFROM alpine:3.20\r\nRUN echo amd64 && echo amd64\r\n';
    const cwd = project({ Dockerfile: text });
    const file = path.join(cwd, 'Dockerfile');
    chmodSync(file, 0o640);
    const io = fakeIo(cwd);
    assert.equal(await check(opts({ fix: true, format: 'text', color: false, failOn: 'info' }), io, { rules: RULES }), 'findings'); // the info finding remains
    assert.equal(readFileSync(file, 'utf8'), '\ufeffFROM alpine:3.20\r\nRUN echo ${TARGETARCH} && echo ${TARGETARCH}\r\n');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(cwd), ['Dockerfile']);
    assert.match(io.out, /fixed 2 problems in 1 file; 1 remaining problem/);
  });

  test('--fix-dry-run prints a diff on stdout, the report on stderr, and writes nothing', async () => {
    const cwd = project({ Dockerfile: DOCKERFILE });
    const before = statSync(path.join(cwd, 'Dockerfile')).mtimeMs;
    const io = fakeIo(cwd);
    assert.equal(await check(opts({ fixDryRun: true, format: 'text', failOn: 'info' }), io, { rules: RULES }), 'findings');
    assert.equal(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8'), DOCKERFILE);
    assert.equal(statSync(path.join(cwd, 'Dockerfile')).mtimeMs, before);
    assert.deepEqual(readdirSync(cwd), ['Dockerfile']);
    assert.match(io.out, /^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n@@ /);
    assert.ok(io.out.includes('+RUN wget https://example.com/tool_linux_${TARGETARCH}.tar.gz'));
    assert.match(io.err, /would fix 1 problem in 1 file/);
  });

  test('--fix and --fix-dry-run together is a usage error', async () => {
    await assert.rejects(check(opts({ fix: true, fixDryRun: true }), fakeIo(project({})), { rules: RULES }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE');
  });

  test('--output writes the report to a file and nothing to stdout; no colour in files', async () => {
    const cwd = project({ Dockerfile: DOCKERFILE });
    const io = fakeIo(cwd, '', { FORCE_COLOR: '1' });
    await check(opts({ format: 'text', output: 'report.txt' }), io, { rules: RULES });
    assert.equal(io.out, '');
    const report = readFileSync(path.join(cwd, 'report.txt'), 'utf8');
    assert.match(report, /AA990/);
    assert.ok(!report.includes('\u001b['));
  });

  test('- reads standard input', async () => {
    const io = fakeIo(project({}), DOCKERFILE);
    assert.equal(await check(opts({ paths: ['-'] }), io, { rules: RULES }), 'findings');
    const doc = JSON.parse(io.out);
    assert.equal(doc.files.length, 1);
    assert.equal(doc.files[0].file, '<stdin>');
    await assert.rejects(check(opts({ paths: ['-'], fix: true }), fakeIo(project({})), { rules: RULES }), /standard input/);
  });

  test('a missing path is reported with the other files', async () => {
    const io = fakeIo(project({ Dockerfile: DOCKERFILE }));
    assert.equal(await check(opts({ paths: ['Dockerfile', 'missing/Dockerfile'] }), io, { rules: RULES }), 'input-error');
    const doc = JSON.parse(io.out);
    assert.equal(doc.files.length, 2);
    assert.equal(doc.files[1].error.code, 'E_INPUT');
  });

  test('no Dockerfiles: an input error naming the directory, as a glob matching nothing', async () => {
    const io = fakeIo(project({ 'README.md': '' }));
    assert.equal(await check(opts({ format: 'text' }), io, { rules: RULES }), 'input-error');
    assert.match(io.out, /^\. {2}error {2}E_INPUT {2}no Dockerfiles found\n/);
  });
});
