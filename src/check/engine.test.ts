import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { shellHits } from '../../test/support/shell-hits.js';
import { rangeAt } from '../dockerfile/text.js';
import { defineRule, type Rule } from '../rules/types.js';
import { SCRIPT_FIX_NOTE, applyEdits, checkSource, fixSource, resolveRuleRef, type CheckOptions } from './engine.js';

const ZASPER_LINE = 'RUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\n';
const FIRST = ['AA101', 'AA102', 'AA103'];
const ids = (src: string, opts: CheckOptions = {}) =>
  checkSource(src, 'Dockerfile', { only: FIRST, ...opts }).findings.map((f) => f.ruleId);

describe('suppression comments', () => {
  test('anyarch ignore= on the line above, with a reason', () => {
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=AA101 amd64-only tool, checked by hand\n${ZASPER_LINE}`), []);
  });
  test('ignore by rule name, and ignore=all', () => {
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=hardcoded-arch-download\n${ZASPER_LINE}`), []);
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=all\n${ZASPER_LINE}`), []);
  });
  test('only the next instruction', () => {
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=AA101\nRUN true\n${ZASPER_LINE}`), ['AA101']);
  });
  test('a blank line breaks the link', () => {
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=AA101\n\n${ZASPER_LINE}`), ['AA101']);
  });
  test('another rule id does not suppress', () => {
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=AA102\n${ZASPER_LINE}`), ['AA101']);
  });
  test('global ignore anywhere in the file', () => {
    assert.deepEqual(ids(`FROM alpine\n${ZASPER_LINE}# anyarch global ignore=AA101\n`), []);
  });
  test('a suppressed finding is counted', () => {
    assert.equal(checkSource(`FROM alpine\n# anyarch ignore=AA101\n${ZASPER_LINE}`, 'Dockerfile', { only: FIRST }).suppressed, 1);
  });
  test('pragmas: false reports everything', () => {
    assert.deepEqual(ids(`FROM alpine\n# anyarch ignore=AA101\n${ZASPER_LINE}`, { pragmas: false }), ['AA101']);
  });
  test('BuildKit check=skip for a rule with a BuildKit counterpart (AA102 ~ UndefinedVar)', () => {
    const body = 'FROM alpine\nRUN echo $TARGETARCH\n';
    assert.deepEqual(ids(body), ['AA102']);
    assert.deepEqual(ids(`# check=skip=UndefinedVar\n${body}`), []);
    assert.deepEqual(ids(`# check=skip=all\n${body}`), []);
    assert.deepEqual(ids(`FROM alpine\n# check=skip=UndefinedVar\nRUN echo $TARGETARCH\n`), []);
    assert.deepEqual(ids(`# check=skip=JSONArgsRecommended\n${body}`), ['AA102']);
  });
  test('check=skip does not touch rules without a BuildKit counterpart', () => {
    assert.deepEqual(ids(`# check=skip=all\nFROM alpine\n${ZASPER_LINE}`), ['AA101']);
  });
  test('hadolint ignore only for related rules', () => {
    assert.deepEqual(ids(`FROM alpine\n# hadolint ignore=DL3008,DL3029\n${ZASPER_LINE}`), ['AA101']);
  });
});

describe('rule selection and severity', () => {
  const src = `FROM alpine\nARG TARGETARCH=amd64\n${ZASPER_LINE}`;
  test('only / disable by id or name', () => {
    assert.deepEqual(ids(src), ['AA103', 'AA101']);
    assert.deepEqual(ids(src, { only: ['AA101'] }), ['AA101']);
    assert.deepEqual(ids(src, { disable: ['platform-arg-default', 'AA112'], only: undefined }), ['AA101']);
  });
  test('severity overrides and off', () => {
    const r = checkSource(src, 'Dockerfile', { only: FIRST, severities: { AA101: 'info', AA103: 'off' } });
    assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity]), [['AA101', 'info']]);
  });
  test('unknown rule is a usage error naming it', () => {
    assert.throws(() => checkSource(src, 'Dockerfile', { only: ['AA999'] }), (e) => isAnyarchError(e) && e.code === 'E_USAGE' && e.message.includes('AA999'));
  });
  test('resolveRuleRef', () => {
    assert.equal(resolveRuleRef('aa101'), 'AA101');
    assert.equal(resolveRuleRef('platform-arg-undeclared'), 'AA102');
    assert.equal(resolveRuleRef('nope'), undefined);
  });
  test('findings are sorted by position and carry docs URLs', () => {
    const r = checkSource(src, 'Dockerfile');
    assert.ok(r.findings.every((f, i, a) => i === 0 || a[i - 1]!.range.start.offset <= f.range.start.offset));
    assert.match(r.findings[0]!.docsUrl, /docs\/rules\/AA103\.md$/);
  });
});

describe('parse errors are results, not exceptions', () => {
  test('bad escape directive', () => {
    const r = checkSource('# escape=x\nFROM alpine\n', 'bad/Dockerfile');
    assert.equal(r.error?.code, 'E_PARSE');
    assert.equal(r.error?.describe(), "bad/Dockerfile:1:10: invalid escape token 'x' does not match ` or \\");
  });
  test('unterminated heredoc names its line', () => {
    const r = checkSource('FROM alpine\nRUN <<EOF\necho\n', 'Dockerfile');
    assert.equal(r.error?.location?.line, 2);
  });
});

describe('fixing', () => {
  test('identical edits from several findings apply once; overlapping ones wait for the next pass', () => {
    const src = 'abcdef';
    const { output, applied } = applyEdits(src, [
      [{ start: 0, end: 0, text: 'X' }],
      [{ start: 0, end: 0, text: 'X' }, { start: 3, end: 4, text: 'D' }],
      [{ start: 3, end: 5, text: 'Q' }],
    ]);
    assert.equal(output, 'XabcDef');
    assert.deepEqual(applied, [0, 1]);
  });
  test('fixes several rules in passes until clean', () => {
    const src = 'FROM alpine\nARG TARGETARCH=amd64\nRUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\nRUN echo $TARGETOS\n';
    const r = fixSource(src, 'Dockerfile');
    assert.equal(
      r.output,
      'FROM alpine\nARG TARGETARCH\nARG TARGETOS\nRUN curl -LO https://go.dev/dl/go1.23.4.linux-${TARGETARCH}.tar.gz\nRUN echo $TARGETOS\n',
    );
    assert.deepEqual(r.result.findings, []);
    assert.deepEqual(r.fixed.map((f) => f.ruleId).sort(), ['AA101', 'AA102', 'AA103']);
    assert.equal(fixSource(r.output, 'Dockerfile').output, r.output);
  });
  test('CRLF files keep CRLF in inserted lines', () => {
    const src = 'FROM alpine\r\nRUN echo $TARGETARCH\r\n';
    assert.equal(fixSource(src, 'Dockerfile').output, 'FROM alpine\r\nARG TARGETARCH\r\nRUN echo $TARGETARCH\r\n');
  });
  test('a file without a final newline', () => {
    assert.equal(fixSource('FROM alpine', 'Dockerfile').output, 'FROM alpine');
    assert.equal(fixSource('FROM alpine\nRUN echo $TARGETARCH', 'Dockerfile').output, 'FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH');
  });
});

test('fixSource keeps a byte-order mark and edits land where they belong', async () => {
  const { fixSource: fix } = await import('./engine.js');
  assert.equal(fix('\ufeffFROM alpine\nRUN echo $TARGETARCH\n', 'Dockerfile').output, '\ufeffFROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n');
});

test("the user's severity beats a rule's per-finding severity", () => {
  const src = 'FROM --platform=$BUILDPLATFORM debian AS tools\nRUN curl -LO https://example.com/tool-linux-amd64.tar.gz\nFROM debian\nCOPY --from=tools /t /t\n';
  const own = checkSource(src, 'Dockerfile', { only: ['AA101'] }).findings;
  assert.deepEqual(own.map((f) => f.severity), ['warning']);
  const overridden = checkSource(src, 'Dockerfile', { only: ['AA101'], severities: { AA101: 'error' } }).findings;
  assert.deepEqual(overridden.map((f) => f.severity), ['error']);
});

describe('build-context scripts', () => {
  const it = test;
  const files: Record<string, string> = {
    'install.sh': '#!/bin/sh\n# a comment\nwget -O /usr/bin/tool https://example.com/tool-linux-amd64\n',
  };
  const reader = (p: string) => (Object.hasOwn(files, p) ? { path: `ctx/${p}`, text: files[p] as string } : undefined);
  const AMD: Rule = defineRule<'word'>({
    meta: { id: 'AA991', name: 'test-amd64-in-shell', title: 'amd64', severity: 'warning', description: 'Test rule.', related: [], fixable: true },
    messages: { word: 'amd64 here' },
    gate: /amd64/,
    check(model, ctx) {
      for (const h of shellHits(model, 'amd64')) {
        ctx.report({ messageId: 'word', range: rangeAt(model.file.lineStarts, h.start, h.end), fix: [{ start: h.start, end: h.end, text: '$TARGETARCH' }] });
      }
    },
  });

  it('a finding in a script names the script, its own line and column, and the RUN; it has no fix', () => {
    const src = 'FROM alpine\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n';
    const r = checkSource(src, 'Dockerfile', { rules: [AMD] }, reader);
    assert.equal(r.findings.length, 1);
    const f = r.findings[0]!;
    assert.equal(f.file, 'ctx/install.sh');
    assert.deepEqual([f.range.start.line, f.range.start.column, f.range.end.column], [3, 54, 59]);
    assert.deepEqual(f.via, { file: 'Dockerfile', line: 3, column: 1 });
    assert.equal(f.fix, undefined);
    assert.equal(f.fixNote, SCRIPT_FIX_NOTE);
    assert.deepEqual(r.scripts?.map((x) => x.path), ['ctx/install.sh']);
    // --fix leaves the Dockerfile alone
    assert.equal(fixSource(src, 'Dockerfile', { rules: [AMD] }, reader).output, src);
  });

  it('a script two RUNs execute: each RUN has its own finding, named by it; a comment on one RUN covers only that one', () => {
    const src = 'FROM alpine\nCOPY install.sh /tmp/\n# anyarch ignore=AA991\nRUN sh /tmp/install.sh\n\nFROM alpine\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n';
    const r = checkSource(src, 'Dockerfile', { rules: [AMD] }, reader);
    assert.deepEqual([r.findings.map((f) => [f.file, f.range.start.line, f.via?.line]), r.suppressed], [[['ctx/install.sh', 3, 8]], 1]);
    assert.deepEqual(r.scripts?.map((x) => x.path), ['ctx/install.sh']);
    // unsuppressed in both: said once, named by the first RUN
    const both = checkSource(src.replace('# anyarch ignore=AA991\n', ''), 'Dockerfile', { rules: [AMD] }, reader);
    assert.deepEqual(both.findings.map((f) => [f.file, f.range.start.line, f.via?.line]), [['ctx/install.sh', 3, 3]]);
  });

  it('a suppression comment on the RUN covers findings in its script', () => {
    const src = 'FROM alpine\nCOPY install.sh /tmp/\n# anyarch ignore=AA991\nRUN sh /tmp/install.sh\n';
    const r = checkSource(src, 'Dockerfile', { rules: [AMD] }, reader);
    assert.deepEqual([r.findings.length, r.suppressed], [0, 1]);
  });

  it('a Dockerfile finding whose fix would edit a script keeps no such fix', () => {
    const REACH: Rule = defineRule<'run'>({
      meta: { id: 'AA994', name: 'test-reach', title: 'reach', severity: 'warning', description: 'Test rule.', related: [], fixable: true },
      messages: { run: 'run' },
      check(model, ctx) {
        const h = shellHits(model, 'amd64')[0];
        const run = model.stages[0]!.instructions[1]!;
        if (h) ctx.report({ messageId: 'run', range: run.range, fix: [{ start: h.start, end: h.end, text: 'x' }], suggestions: [{ title: 't', edits: [{ start: h.start, end: h.end, text: 'y' }] }] });
      },
    });
    const src = 'FROM alpine\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n';
    const f = checkSource(src, 'Dockerfile', { rules: [REACH] }, reader).findings[0]!;
    assert.deepEqual([f.file, f.fix, f.suggestions, f.fixNote], ['Dockerfile', undefined, undefined, SCRIPT_FIX_NOTE]);
    assert.equal(fixSource(src, 'Dockerfile', { rules: [REACH] }, reader).output, src);
  });

  it('a missing script is silent, and without a reader nothing is read', () => {
    const src = 'FROM alpine\nCOPY setup.sh /tmp/\nRUN /tmp/setup.sh\n';
    assert.deepEqual(checkSource(src, 'Dockerfile', { rules: [AMD] }, reader).findings, []);
    let asked = 0;
    checkSource('FROM alpine\nRUN echo hi\n', 'Dockerfile', { rules: [AMD] }, () => (asked++, undefined));
    assert.equal(asked, 0);
  });
});
