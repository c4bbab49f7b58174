/**
 * `checkPaths`, the library's `anyarch check`: discovery, reading, base images (from a seeded
 * cache, or offline), checking and fixing, with small test rules so nothing depends on the
 * built-in ones.
 */
import assert from 'node:assert/strict';
import { chownSync, chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { tempTree } from '../../test/support/tree.js';
import { shellHits } from '../../test/support/shell-hits.js';
import { rangeAt } from '../dockerfile/text.js';
import { parsePlatformList } from '../platform/index.js';
import { isAnyarchError } from '../errors.js';
import { jsonCache } from '../fs/cache.js';
import { RegistryClient } from '../registry/client.js';
import { defineRule, type Rule } from '../rules/types.js';
import { STDIN_NAME, checkPaths, type CheckProgress } from './check-paths.js';
import { checkOutcome } from './outcome.js';

/** Reports every `amd64` in the text, fixing it to `${TARGETARCH}`. */
const AMD64: Rule = defineRule<'word'>({
  meta: { id: 'AA990', name: 'test-amd64-word', title: 'amd64', severity: 'warning', description: 'Test rule.', related: [], fixable: true },
  messages: { word: 'amd64 is one architecture' },
  check(model, ctx) {
    const src = model.file.source;
    for (let at = src.indexOf('amd64'); at !== -1; at = src.indexOf('amd64', at + 5)) {
      ctx.report({ messageId: 'word', range: rangeAt(model.file.lineStarts, at, at + 5), fix: [{ start: at, end: at + 5, text: '${TARGETARCH}' }] });
    }
  },
});

/** Needs base images: reports each FROM whose image the facts say nothing about publishing. */
const BASES: Rule = defineRule<'facts'>({
  meta: { id: 'AA992', name: 'test-base-facts', title: 'facts', severity: 'error', description: 'Test rule.', related: [], fixable: false },
  messages: { facts: '{image}: {answer}' },
  needs: ['baseImages'],
  check(model, ctx) {
    if (!ctx.baseImages) return;
    for (const [image, fact] of ctx.baseImages) {
      const answer = 'platforms' in fact ? `${fact.platforms.length} platforms` : fact.error.code;
      ctx.report({ messageId: 'facts', range: model.file.instructions[0]!.range, data: { image, answer } });
    }
  },
});

const RULES = [AMD64, BASES];
const NOWHERE = '127.0.0.1:1';

function project(files: Record<string, string>): string {
  return tempTree(files, 'anyarch-check-paths-');
}

describe('checkPaths', () => {
  test('finds, reads and checks every Dockerfile; unreadable inputs are results; sorted, summarised', async () => {
    const cwd = project({ 'b/Dockerfile': 'FROM alpine\nRUN echo amd64\n', 'a/Dockerfile': '# escape=x\nFROM alpine\n', 'README.md': '' });
    writeFileSync(path.join(cwd, 'c.Dockerfile'), Buffer.from([0x46, 0xff, 0x0a]));
    const run = await checkPaths([], { cwd, check: { rules: [AMD64] } });
    assert.deepEqual(
      run.results.map((r) => [r.file.split(path.sep).join('/'), r.error?.code ?? r.findings.map((f) => f.ruleId).join()]),
      [['a/Dockerfile', 'E_PARSE'], ['b/Dockerfile', 'AA990'], ['c.Dockerfile', 'E_INPUT']],
    );
    assert.equal(run.summary.files, 3);
    assert.equal(run.summary.unreadable, 2);
    assert.equal(run.summary.fixable, 1);
    assert.equal(run.sources.get(path.join('b', 'Dockerfile')), 'FROM alpine\nRUN echo amd64\n');
    assert.equal(checkOutcome(run), 'input-error');
    assert.equal(run.bug, false);
  });

  test('a path naming nothing is an input error beside the other files', async () => {
    const cwd = project({ Dockerfile: 'FROM alpine\n' });
    const run = await checkPaths(['Dockerfile', 'missing/Dockerfile'], { cwd, check: { rules: [AMD64] } });
    assert.deepEqual(run.results.map((r) => r.error?.code), [undefined, 'E_INPUT']);
  });

  test('- is standard input, reported as <stdin>; without a reader it cannot be read', async () => {
    const cwd = project({});
    const run = await checkPaths(['-'], { cwd, check: { rules: [AMD64] }, readStdin: async () => new TextEncoder().encode('\ufeffFROM alpine\nRUN amd64\n') });
    assert.equal(run.results[0]?.file, STDIN_NAME);
    assert.equal(run.results[0]?.findings[0]?.range.start.column, 5); // positions after the byte order mark
    const none = await checkPaths(['-'], { cwd, check: { rules: [AMD64] } });
    assert.equal(none.results[0]?.error?.code, 'E_INPUT');
    await assert.rejects(checkPaths(['-'], { cwd, fix: 'apply' }), (e: unknown) => (e as { code?: string }).code === 'E_USAGE');
  });

  test('a bad option (an unknown rule) throws before standard input or any file is read', async () => {
    const cwd = project({ Dockerfile: 'FROM alpine\n' });
    let reads = 0;
    const readStdin = async (): Promise<Uint8Array> => {
      reads++;
      return new TextEncoder().encode('FROM alpine\n');
    };
    for (const check of [{ rules: [AMD64], only: ['no-such-rule'] }, { rules: [AMD64], disable: ['AA999'] }, { rules: [AMD64], severities: { nope: 'off' as const } }]) {
      await assert.rejects(checkPaths(['-', 'Dockerfile'], { cwd, check, readStdin }), (e: unknown) => isAnyarchError(e) && /unknown rule/.test(e.message));
    }
    assert.equal(reads, 0);
    await assert.rejects(checkPaths(['-'], { cwd, fix: 'apply', readStdin }), (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE' && /standard input/.test(e.message));
    assert.equal(reads, 0);
  });

  test('fix: apply writes in place (keeping the byte order mark); preview returns diffs and writes nothing', async () => {
    const text = '\ufeffFROM alpine\r\nRUN echo amd64\r\n';
    const cwd = project({ Dockerfile: text });
    const preview = await checkPaths([], { cwd, check: { rules: [AMD64] }, fix: 'preview' });
    assert.equal(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8'), text);
    assert.equal(preview.diffs.length, 1);
    assert.match(preview.diffs[0] ?? '', /^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n@@ /);
    assert.equal(preview.summary.fixed, 1);
    const applied = await checkPaths([], { cwd, check: { rules: [AMD64] }, fix: 'apply' });
    assert.equal(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8'), '\ufeffFROM alpine\r\nRUN echo ${TARGETARCH}\r\n');
    assert.deepEqual(applied.diffs, []);
    assert.equal(applied.summary.fixedFiles, 1);
    assert.equal(applied.summary.problems, 0);
    assert.deepEqual(readdirSync(cwd), ['Dockerfile']);
  });

  test('config ignore patterns apply relative to their base', async () => {
    const cwd = project({ 'a/Dockerfile': 'FROM alpine\n', 'vendor/Dockerfile': 'FROM alpine\n' });
    const run = await checkPaths([], { cwd, ignore: ['vendor/'], ignoreBase: cwd, check: { rules: [AMD64] } });
    assert.deepEqual(run.results.map((r) => r.file.split(path.sep).join('/')), ['a/Dockerfile']);
  });

  test('base images: looked up before the check when a selected rule needs them, with progress', async () => {
    const image = `${NOWHERE}/lib/base:1`;
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'anyarch-check-paths-cache-'));
    await jsonCache<unknown>({ dir: path.join(cacheDir, 'platforms'), read: (v) => v }).set(image, { digest: `sha256:${'c'.repeat(64)}`, platforms: ['linux/amd64'] });
    const cwd = project({ Dockerfile: `FROM ${image}\n` });
    const progress: CheckProgress[] = [];
    const run = await checkPaths([], {
      cwd,
      check: { rules: RULES },
      baseImages: { client: new RegistryClient({ retry: { attempts: 1 } }), cacheDir },
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(progress, [{ step: 'base-images', images: 1 }]);
    assert.deepEqual(run.results[0]?.findings.map((f) => f.message), [`${image}: 1 platforms`]);
    assert.deepEqual(run.withoutBaseImages, []);
  });

  test('base images offline: the rules needing them say nothing, and the run says which they are', async () => {
    const cwd = project({ Dockerfile: `FROM ${NOWHERE}/lib/base:1\nRUN amd64\n` });
    const run = await checkPaths([], { cwd, check: { rules: RULES }, baseImages: false });
    assert.deepEqual(run.withoutBaseImages, ['AA992']);
    assert.deepEqual(run.results[0]?.findings.map((f) => f.ruleId), ['AA990']);
    const notSelected = await checkPaths([], { cwd, check: { rules: RULES, disable: ['AA992'] }, baseImages: false });
    assert.deepEqual(notSelected.withoutBaseImages, []);
  });
});

/** Throws (as a rule with a bug would) on a file holding BOOM. */
const BOOM: Rule = defineRule<'never'>({
  meta: { id: 'AA993', name: 'test-boom', title: 'boom', severity: 'error', description: 'Test rule.', related: [], fixable: false },
  messages: { never: 'never' },
  check(model) {
    if (model.file.source.includes('BOOM')) throw new RangeError('Maximum call stack size exceeded');
  },
});

/** A modification time in whole seconds, which utimes sets exactly. */
const SOME_TIME = 1_000_000_000;

/** While the check runs (between the read and the write of --fix), replaces the file with `edit(text)`, keeping size and mtime when asked. */
function editingRule(file: string, edit: (text: string) => string, keepStat = false): Rule {
  return defineRule<'never'>({
    meta: { id: 'AA994', name: 'test-editor', title: 'edits', severity: 'info', description: 'Test rule: a concurrent editor.', related: [], fixable: false },
    messages: { never: 'never' },
    check() {
      const text = readFileSync(file, 'utf8');
      if (text.includes('EDITED')) return;
      writeFileSync(file, edit(text));
      if (keepStat) utimesSync(file, SOME_TIME, SOME_TIME);
    },
  });
}

describe('checkPaths: one file\'s failure never loses the others', () => {
  test('a rule that throws on one file is that file\'s E_INTERNAL error (naming the rule); the others are checked; the run is a bug', async () => {
    const cwd = project({ 'a/Dockerfile': 'FROM alpine\nRUN amd64\n', 'b/Dockerfile': 'FROM alpine\n# BOOM\nRUN amd64\n', 'c/Dockerfile': 'FROM alpine\nRUN amd64\n' });
    for (const fix of [undefined, 'preview', 'apply'] as const) {
      const run = await checkPaths([], { cwd, check: { rules: [BOOM, AMD64] }, ...(fix ? { fix } : {}) });
      const rows = run.results.map((r) => [r.file.split(path.sep).join('/'), r.error?.code ?? '', r.error?.message ?? r.findings.map((f) => f.ruleId).join()]);
      const other = fix ? '' : 'AA990'; // fixing: what remains after the fixes
      assert.deepEqual(rows, [
        ['a/Dockerfile', '', other],
        ['b/Dockerfile', 'E_INTERNAL', 'rule AA993 (test-boom) failed: RangeError: Maximum call stack size exceeded'],
        ['c/Dockerfile', '', other],
      ], String(fix));
      assert.equal(run.bug, true);
      assert.equal(checkOutcome(run), 'bug');
    }
    // nothing was written to the file the rule failed on; the others were fixed
    assert.equal(readFileSync(path.join(cwd, 'b', 'Dockerfile'), 'utf8'), 'FROM alpine\n# BOOM\nRUN amd64\n');
    assert.equal(readFileSync(path.join(cwd, 'a', 'Dockerfile'), 'utf8'), 'FROM alpine\nRUN ${TARGETARCH}\n');
  });
});

describe('checkPaths: --fix never loses work', () => {
  test('a file edited between the read and the write is left alone (E_CONFLICT); the other files are fixed', async () => {
    const cwd = project({ 'a/Dockerfile': 'FROM alpine\nRUN amd64\n', 'b/Dockerfile': 'FROM alpine\nRUN amd64\n' });
    const b = path.join(cwd, 'b', 'Dockerfile');
    const run = await checkPaths([], { cwd, check: { rules: [AMD64, editingRule(b, (t) => `${t}# EDITED by someone\n`)] }, fix: 'apply' });
    assert.deepEqual(run.results.map((r) => r.error?.code), [undefined, 'E_CONFLICT']);
    assert.equal(run.results[1]?.error?.message, 'not written: its size changed since anyarch read it');
    assert.equal(run.results[1]?.error?.location?.file, path.join('b', 'Dockerfile'));
    assert.equal(readFileSync(b, 'utf8'), 'FROM alpine\nRUN amd64\n# EDITED by someone\n');
    assert.equal(readFileSync(path.join(cwd, 'a', 'Dockerfile'), 'utf8'), 'FROM alpine\nRUN ${TARGETARCH}\n');
    assert.equal(checkOutcome(run), 'input-error');
    assert.equal(run.bug, false);
    assert.deepEqual(readdirSync(path.join(cwd, 'b')), ['Dockerfile']); // no temporary file left
  });

  test('the same size and modification time, another content: the hash tells, the file is left alone', async () => {
    const cwd = project({ Dockerfile: 'FROM alpine\nRUN amd64\n' });
    const file = path.join(cwd, 'Dockerfile');
    utimesSync(file, SOME_TIME, SOME_TIME);
    const run = await checkPaths([], { cwd, check: { rules: [AMD64, editingRule(file, (t) => t.replace('alpine', 'EDITED'), true)] }, fix: 'apply' });
    assert.equal(run.results[0]?.error?.code, 'E_CONFLICT');
    assert.equal(run.results[0]?.error?.message, 'not written: its content changed since anyarch read it');
    assert.equal(readFileSync(file, 'utf8'), 'FROM EDITED\nRUN amd64\n');
  });

  test('the replaced file keeps its mode and owner (0640, user and group 65534; the tests run as root, which may give a file away)', async () => {
    const cwd = project({ Dockerfile: 'FROM alpine\nRUN amd64\n' });
    const file = path.join(cwd, 'Dockerfile');
    chmodSync(file, 0o640);
    chownSync(file, 65534, 65534);
    const run = await checkPaths([], { cwd, check: { rules: [AMD64] }, fix: 'apply' });
    assert.equal(run.results[0]?.error, undefined);
    assert.equal(readFileSync(file, 'utf8'), 'FROM alpine\nRUN ${TARGETARCH}\n');
    const st = statSync(file);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
  });

  test('a symbolic link out of the tree being fixed is not followed; one inside it is (and stays a link)', async () => {
    const outside = project({ 'Dockerfile': 'FROM alpine\nRUN amd64\n' });
    const cwd = project({ 'real/base.txt': 'FROM alpine\nRUN amd64\n', 'svc/Dockerfile': 'FROM alpine\nRUN amd64\n' });
    symlinkSync(path.join(outside, 'Dockerfile'), path.join(cwd, 'escape.Dockerfile'));
    symlinkSync(path.join('..', 'real', 'base.txt'), path.join(cwd, 'svc', 'linked.Dockerfile'));
    const run = await checkPaths([], { cwd, check: { rules: [AMD64] }, fix: 'apply' });
    const rows = run.results.map((r) => [r.file.split(path.sep).join('/'), r.error?.code ?? '']);
    assert.deepEqual(rows, [['escape.Dockerfile', 'E_INPUT'], ['svc/Dockerfile', ''], ['svc/linked.Dockerfile', '']]);
    assert.match(run.results[0]?.error?.message ?? '', /^not written: it leads to .*Dockerfile, outside the tree being fixed \(a symbolic link\)$/);
    assert.equal(readFileSync(path.join(outside, 'Dockerfile'), 'utf8'), 'FROM alpine\nRUN amd64\n');
    assert.equal(readFileSync(path.join(cwd, 'real', 'base.txt'), 'utf8'), 'FROM alpine\nRUN ${TARGETARCH}\n');
    assert.ok(lstatSync(path.join(cwd, 'svc', 'linked.Dockerfile')).isSymbolicLink());
    // asked to fix svc/ only, a link from svc/ to real/ leads out of that tree
    writeFileSync(path.join(cwd, 'real', 'base.txt'), 'FROM alpine\nRUN amd64\n');
    const svc = await checkPaths(['svc'], { cwd, check: { rules: [AMD64] }, fix: 'apply' });
    assert.deepEqual(svc.results.map((r) => r.error?.code), [undefined, 'E_INPUT']);
    assert.equal(readFileSync(path.join(cwd, 'real', 'base.txt'), 'utf8'), 'FROM alpine\nRUN amd64\n');
    assert.equal(checkOutcome(svc), 'input-error');
  });
});

/** Reports the platforms a file is checked for, and every `amd64` in the RUNs' shell (context scripts included). */
const PLATFORMS: Rule = defineRule<'platforms' | 'shell'>({
  meta: { id: 'AA993', name: 'test-platforms', title: 'platforms', severity: 'info', description: 'Test rule.', related: [], fixable: false },
  messages: { platforms: '{list}', shell: 'amd64 in shell' },
  check(model, ctx) {
    ctx.report({ messageId: 'platforms', range: model.file.instructions[0]!.range, data: { list: ctx.platforms.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`).join(',') } });
    for (const h of shellHits(model, 'amd64')) ctx.report({ messageId: 'shell', range: rangeAt(model.file.lineStarts, h.start, h.end) });
  },
});

describe('checkPaths: per-architecture Dockerfiles and build-context scripts', () => {
  const platformsOf = (run: Awaited<ReturnType<typeof checkPaths>>, file: string): string | undefined =>
    run.results.find((r) => r.file === file)?.findings.find((f) => f.messageId === 'platforms')?.message;

  test('linuxserver.io: Dockerfile is amd64, Dockerfile.aarch64 arm64, and the results say why', async () => {
    const cwd = project({ 'svc/Dockerfile': 'FROM alpine\n', 'svc/Dockerfile.aarch64': 'FROM alpine\n', 'other/Dockerfile': 'FROM alpine\n' });
    const run = await checkPaths([], { cwd, check: { rules: [PLATFORMS] }, baseImages: false });
    assert.equal(platformsOf(run, path.join('svc', 'Dockerfile')), 'linux/amd64');
    assert.equal(platformsOf(run, path.join('svc', 'Dockerfile.aarch64')), 'linux/arm64');
    assert.equal(platformsOf(run, path.join('other', 'Dockerfile')), 'linux/amd64,linux/arm64');
    assert.deepEqual(run.results.find((r) => r.file === path.join('svc', 'Dockerfile.aarch64'))?.platforms, { platforms: ['linux/arm64'], from: 'file-name' });
    assert.deepEqual(run.results.find((r) => r.file === path.join('svc', 'Dockerfile'))?.platforms, { platforms: ['linux/amd64'], from: 'siblings' });
    assert.equal(run.results.find((r) => r.file === path.join('other', 'Dockerfile'))?.platforms, undefined);
  });

  test('explicit platforms win when names are not to choose (the CLI\'s --platforms)', async () => {
    const cwd = project({ 'Dockerfile.armhf': 'FROM alpine\n' });
    const run = await checkPaths([], { cwd, check: { rules: [PLATFORMS], platforms: parsePlatformList('linux/amd64,linux/arm64') }, baseImages: false, platformsFromFileNames: false });
    assert.equal(platformsOf(run, 'Dockerfile.armhf'), 'linux/amd64,linux/arm64');
    const named = await checkPaths([], { cwd, check: { rules: [PLATFORMS] }, baseImages: false });
    assert.equal(platformsOf(named, 'Dockerfile.armhf'), 'linux/arm/v7');
  });

  test('a script the Dockerfile runs is read from its directory (or --context), its findings named by path', async () => {
    const cwd = project({
      'app/Dockerfile': 'FROM alpine\nCOPY install.sh /tmp/\nRUN /tmp/install.sh\n',
      'app/install.sh': '#!/bin/sh\ncurl -o /x https://example.com/x-amd64\n',
      'ctx/install.sh': 'echo nothing\n',
    });
    const run = await checkPaths(['app/Dockerfile'], { cwd, check: { rules: [PLATFORMS] }, baseImages: false });
    const f = run.results[0]?.findings.find((x) => x.messageId === 'shell');
    assert.equal(f?.file, path.join('app', 'install.sh'));
    assert.equal(f?.via?.file, 'app/Dockerfile');
    assert.equal(run.sources.get(path.join('app', 'install.sh')), '#!/bin/sh\ncurl -o /x https://example.com/x-amd64\n');
    const other = await checkPaths(['app/Dockerfile'], { cwd, check: { rules: [PLATFORMS], context: 'ctx' }, baseImages: false });
    assert.equal(other.results[0]?.findings.filter((x) => x.messageId === 'shell').length, 0);
    // a build context that is missing or no directory is a usage error, not a clean check
    for (const context of ['no-such-dir', 'app/install.sh']) {
      await assert.rejects(
        checkPaths(['app/Dockerfile'], { cwd, check: { rules: [PLATFORMS], context }, baseImages: false }),
        (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE' && e.message.includes(JSON.stringify(context)),
      );
    }
  });
});
