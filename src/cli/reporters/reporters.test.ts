import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileResult } from '../../check/engine.js';
import { computeLineStarts, rangeAt } from '../../dockerfile/text.js';
import { AnyarchError } from '../../errors.js';
import { defineRule, type Finding, type Rule, type Severity } from '../../rules/types.js';
import { useColor } from '../io.js';
import { summarize } from '../../check/summary.js';
import { escapeData, escapeProperty, githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import { artifactLocation, sarifReporter } from './sarif.js';
import { excerpt, summaryLine, textReporter } from './text.js';
import type { CheckReportContext } from './types.js';
import { assertValidSarif } from '../../../test/support/sarif.js';

const SOURCE = 'FROM alpine:3.20\nRUN wget https://example.com/tool_linux_amd64.tar.gz\n\tRUN\tx_amd64\n';

function finding(severity: Severity, start: number, end: number, extra: Partial<Finding> = {}, source = SOURCE, file = 'Dockerfile'): Finding {
  return {
    ruleId: 'AA900',
    ruleName: 'test-rule',
    severity,
    message: 'tool_linux_amd64 is the amd64 build',
    messageId: 'pinned',
    file,
    range: rangeAt(computeLineStarts(source), start, end),
    docsUrl: 'https://example.com/AA900.md',
    ...extra,
  };
}

const RULE: Rule = defineRule({
  meta: {
    id: 'AA900',
    name: 'test-rule',
    title: 'A test rule',
    severity: 'warning',
    description: 'Finds test things.',
    related: ['DL9999'],
    fixable: true,
  },
  messages: { pinned: 'pinned' },
  check() {},
});

const amd64 = SOURCE.indexOf('amd64');

function ctx(results: readonly FileResult[], over: Partial<CheckReportContext> = {}): CheckReportContext {
  return {
    rules: [RULE],
    summary: summarize(results),
    sources: new Map([['Dockerfile', SOURCE], ['sub dir/x.Dockerfile', SOURCE]]),
    cwd: '/work/project',
    color: false,
    quiet: false,
    toolVersion: '1.2.3',
    fixMode: 'none',
    ...over,
  };
}

const withFix = finding('warning', amd64, amd64 + 5, { fix: [{ start: amd64, end: amd64 + 5, text: '${TARGETARCH}' }] });
const noteOnly = finding('info', 0, 4, { fixNote: 'the URL has no arm64 build' });
const errorOne = finding('error', amd64, amd64 + 5, {}, SOURCE, 'sub dir/x.Dockerfile');
const parseError = new AnyarchError('E_PARSE', 'invalid escape directive "x"', 'Use \\ or `.', { file: 'bad/Dockerfile', line: 1, column: 10 });
const RESULTS: FileResult[] = [
  { file: 'Dockerfile', findings: [noteOnly, withFix], suppressed: 1 },
  { file: 'bad/Dockerfile', findings: [], error: parseError, suppressed: 0 },
  { file: 'sub dir/x.Dockerfile', findings: [errorOne], suppressed: 0 },
];

describe('text reporter', () => {
  test('places carets under the reported range', () => {
    const ex = excerpt(SOURCE, withFix.range);
    assert.ok(ex);
    assert.equal(ex.line, 'RUN wget https://example.com/tool_linux_amd64.tar.gz');
    assert.equal(ex.carets.indexOf('^'), ex.line.indexOf('amd64'));
    assert.equal(ex.carets.trim(), '^^^^^');
  });

  test('expands tabs so that carets still line up', () => {
    const at = SOURCE.indexOf('x_amd64');
    const ex = excerpt(SOURCE, finding('info', at, at + 7).range);
    assert.ok(ex);
    assert.ok(!ex.line.includes('\t'));
    assert.equal(ex.carets.indexOf('^'), ex.line.indexOf('x_amd64'));
    assert.equal(ex.carets.trim(), '^^^^^^^');
  });

  test('one caret for an empty range; to the end of the line for a multi-line range', () => {
    const empty = excerpt(SOURCE, finding('info', 5, 5).range);
    assert.equal(empty?.carets, '     ^');
    const multi = excerpt(SOURCE, finding('info', 5, SOURCE.indexOf('RUN')).range);
    assert.equal(multi?.carets, `     ${'^'.repeat('alpine:3.20'.length)}`);
  });

  test('prints location, severity, rule, message, excerpt and hint lines', () => {
    const out = textReporter.check(RESULTS, ctx(RESULTS));
    const lines = out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('Dockerfile:2:'));
    assert.ok(head >= 0, out);
    assert.equal(lines[head], `Dockerfile:2:${amd64 - SOURCE.indexOf('RUN') + 1}  warning  AA900  tool_linux_amd64 is the amd64 build`);
    assert.match(lines[head + 1] ?? '', /^ {2}2 \| RUN wget /);
    assert.match(lines[head + 2] ?? '', /^ {4}\| +\^{5}$/);
    assert.equal(lines[head + 3], '  fix: available with --fix');
    assert.ok(out.includes('  note: the URL has no arm64 build'));
    assert.ok(out.includes('bad/Dockerfile:1:10  error  E_PARSE  invalid escape directive "x"'));
    assert.ok(out.includes('  hint: Use \\ or `.'));
  });

  test('ends with the summary line, unless quiet', () => {
    const out = textReporter.check(RESULTS, ctx(RESULTS));
    const last = out.trimEnd().split('\n').at(-1);
    assert.equal(last, '3 problems (1 error, 1 warning, 1 info) in 2 files; 1 fixable with --fix; 1 file could not be checked; 1 suppressed by comments');
    const quiet = textReporter.check(RESULTS, ctx(RESULTS, { quiet: true }));
    assert.ok(!quiet.includes('problems ('));
  });

  test('summary wording', () => {
    assert.equal(summaryLine(summarize([]), 'none'), 'no Dockerfiles found');
    assert.equal(summaryLine(summarize([{ file: 'a', findings: [], suppressed: 0 }]), 'none'), 'no problems in 1 file');
    assert.equal(
      summaryLine(summarize([{ file: 'a', findings: [], suppressed: 0 }], { problems: 2, files: 1 }), 'fix'),
      'fixed 2 problems in 1 file; no remaining problems in 1 file',
    );
  });

  test('no colour codes unless asked', () => {
    const plain = textReporter.check(RESULTS, ctx(RESULTS));
    assert.ok(!plain.includes('\u001b['));
    const coloured = textReporter.check(RESULTS, ctx(RESULTS, { color: true }));
    assert.ok(coloured.includes('\u001b['));
  });

  test('control characters in messages cannot reach the terminal', () => {
    const evil = finding('info', 0, 4, { message: 'bad \u001b[2J clear' });
    const r: FileResult[] = [{ file: 'Dockerfile', findings: [evil], suppressed: 0 }];
    assert.ok(!textReporter.check(r, ctx(r)).includes('\u001b'));
  });
});

describe('colour decision', () => {
  const tty = { write() {}, isTTY: true };
  const pipe = { write() {} };
  test('only on a terminal', () => {
    assert.equal(useColor(pipe, {}), false);
    assert.equal(useColor(tty, {}), true);
  });
  test('NO_COLOR and TERM=dumb turn it off; FORCE_COLOR forces it; --no-color wins', () => {
    assert.equal(useColor(tty, { NO_COLOR: '1' }), false);
    assert.equal(useColor(tty, { TERM: 'dumb' }), false);
    assert.equal(useColor(pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(useColor(pipe, { FORCE_COLOR: '' }), true);
    assert.equal(useColor(tty, { FORCE_COLOR: '0' }), false);
    assert.equal(useColor(tty, { FORCE_COLOR: '1' }, false), false);
  });
});

describe('json reporter', () => {
  test('versioned files and summary; errors as data', () => {
    const doc = JSON.parse(jsonReporter.check(RESULTS, ctx(RESULTS)));
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.tool, { name: 'anyarch', version: '1.2.3' });
    assert.deepEqual(
      doc.files.map((f: { file: string }) => f.file),
      ['Dockerfile', 'bad/Dockerfile', 'sub dir/x.Dockerfile'],
    );
    assert.equal(doc.files[0].findings.length, 2);
    assert.equal(doc.files[0].findings[1].ruleId, 'AA900');
    assert.equal(doc.files[0].findings[1].range.start.line, 2);
    assert.deepEqual(doc.files[0].findings[1].fix, withFix.fix);
    assert.deepEqual(doc.files[1].error, { code: 'E_PARSE', message: 'invalid escape directive "x"', hint: 'Use \\ or `.', line: 1, column: 10 });
    assert.equal(doc.files[2].error, undefined);
    assert.equal(doc.summary.problems, 3);
    assert.equal(doc.summary.unreadable, 1);
  });
});

describe('sarif reporter', () => {
  const log = JSON.parse(sarifReporter.check(RESULTS, ctx(RESULTS)));
  const run = log.runs[0];

  test('is a SARIF 2.1.0 log with one run', () => {
    assertValidSarif(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.runs.length, 1);
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, 'file:///work/project/');
  });

  test('the driver describes every rule', () => {
    const d = run.tool.driver;
    assert.equal(d.name, 'anyarch');
    assert.equal(d.version, '1.2.3');
    assert.match(d.informationUri, /^https:\/\//);
    assert.equal(d.rules.length, 1);
    const r = d.rules[0];
    assert.equal(r.id, 'AA900');
    assert.equal(r.name, 'test-rule');
    assert.equal(r.shortDescription.text, 'A test rule');
    assert.equal(r.fullDescription.text, 'Finds test things.');
    assert.match(r.helpUri, /AA900\.md$/);
    assert.equal(r.defaultConfiguration.level, 'warning');
    assert.ok(Array.isArray(r.properties.tags));
  });

  test('results carry rule, level, message and region', () => {
    assert.equal(run.results.length, 3);
    for (const res of run.results) {
      assert.equal(res.ruleId, 'AA900');
      assert.equal(res.ruleIndex, 0);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.equal(typeof res.message.text, 'string');
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) assert.equal(typeof loc.region[k], 'number', k);
    }
    assert.deepEqual(
      run.results.map((r: { level: string }) => r.level),
      ['note', 'warning', 'error'],
    );
    assert.equal(run.results[2].locations[0].physicalLocation.artifactLocation.uri, 'sub%20dir/x.Dockerfile');
    const region = run.results[1].locations[0].physicalLocation.region;
    assert.deepEqual(region, { startLine: 2, startColumn: withFix.range.start.column, endLine: 2, endColumn: withFix.range.end.column });
    assert.match(run.results[0].message.text, /no arm64 build/);
  });

  test('fixes are replacements with line/column regions', () => {
    const fix = run.results[1].fixes[0];
    const rep = fix.artifactChanges[0].replacements[0];
    assert.deepEqual(rep.deletedRegion, { startLine: 2, startColumn: withFix.range.start.column, endLine: 2, endColumn: withFix.range.end.column });
    assert.equal(rep.insertedContent.text, '${TARGETARCH}');
    assert.equal(fix.artifactChanges[0].artifactLocation.uri, 'Dockerfile');
    assert.equal(run.results[0].fixes, undefined);
  });

  test('files that could not be checked are tool execution notifications', () => {
    const inv = run.invocations[0];
    assert.equal(inv.executionSuccessful, false);
    assert.equal(inv.toolExecutionNotifications.length, 1);
    const n = inv.toolExecutionNotifications[0];
    assert.equal(n.level, 'error');
    assert.equal(n.descriptor.id, 'E_PARSE');
    assert.deepEqual(n.locations[0].physicalLocation.region, { startLine: 1, startColumn: 10 });
    const clean: FileResult[] = [{ file: 'Dockerfile', findings: [], suppressed: 0 }];
    const ok = JSON.parse(sarifReporter.check(clean, ctx(clean)));
    assertValidSarif(ok);
    assert.equal(ok.runs[0].invocations[0].executionSuccessful, true);
    assert.deepEqual(ok.runs[0].results, []);
  });

  test('artifact locations', () => {
    assert.deepEqual(artifactLocation('a/b c/Dockerfile'), { uri: 'a/b%20c/Dockerfile', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('a\\Dockerfile'), { uri: 'a/Dockerfile', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('/abs/Dockerfile'), { uri: 'file:///abs/Dockerfile' });
  });
});

describe('github reporter', () => {
  test('escapes data and properties as the Actions runner expects', () => {
    assert.equal(escapeData('50% done\r\nnext'), '50%25 done%0D%0Anext');
    assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  });

  test('one workflow command per finding and per unreadable file', () => {
    const out = githubReporter.check(RESULTS, ctx(RESULTS, { quiet: true }));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0] ?? '', /^::notice file=Dockerfile,line=1,col=1,endLine=1,endColumn=4,title=AA900 test-rule::/);
    assert.match(lines[1] ?? '', /^::warning file=Dockerfile,line=2,/);
    assert.match(lines[2] ?? '', /^::error file=bad\/Dockerfile,line=1,col=10,title=anyarch E_PARSE::invalid escape directive "x"%0AUse/);
    assert.match(lines[3] ?? '', /^::error file=sub dir\/x.Dockerfile,/);
    for (const l of lines) assert.ok(!l.slice(2).includes('\n'));
    assert.ok((lines[1] ?? '').includes('%0Ahttps://example.com/AA900.md'));
  });

  test('file names with commas and colons are escaped', () => {
    const f = finding('warning', 0, 4, {}, SOURCE, 'a,b:c/Dockerfile');
    const r: FileResult[] = [{ file: 'a,b:c/Dockerfile', findings: [f], suppressed: 0 }];
    assert.match(githubReporter.check(r, ctx(r, { quiet: true })), /^::warning file=a%2Cb%3Ac\/Dockerfile,/);
  });
});

describe('per-architecture files and build-context scripts in the reports', () => {
  const SCRIPT = '#!/bin/sh\nwget https://example.com/tool-amd64\n';
  const at = SCRIPT.indexOf('amd64');
  const inScript = finding('error', at, at + 5, { via: { file: 'Dockerfile.aarch64', line: 3, column: 1 }, fixNote: 'change the script by hand' }, SCRIPT, 'install.sh');
  const results: FileResult[] = [{ file: 'Dockerfile.aarch64', findings: [inScript], suppressed: 0, platforms: { platforms: ['linux/arm64'], from: 'file-name' } }];
  const context = ctx(results, { sources: new Map([['Dockerfile.aarch64', SOURCE], ['install.sh', SCRIPT]]) });

  test('text: the platforms the name chose, the script line under its own position, and the RUN', () => {
    const out = textReporter.check(results, context);
    assert.match(out, /^Dockerfile\.aarch64: checked for linux\/arm64 \(named for that architecture; --platforms overrides\)$/m);
    assert.match(out, /^install\.sh:2:31 {2}error {2}AA900/m);
    assert.match(out, /\| wget https:\/\/example\.com\/tool-amd64\n/);
    assert.match(out, /run by: Dockerfile\.aarch64:3/);
  });

  test('json: the file\'s platforms and the finding\'s via', () => {
    const out = JSON.parse(jsonReporter.check(results, context)) as { files: { platforms?: unknown; findings: { via?: unknown; file: string }[] }[] };
    assert.deepEqual(out.files[0]?.platforms, { platforms: ['linux/arm64'], from: 'file-name' });
    assert.deepEqual(out.files[0]?.findings[0]?.via, { file: 'Dockerfile.aarch64', line: 3, column: 1 });
    assert.equal(out.files[0]?.findings[0]?.file, 'install.sh');
  });
});
