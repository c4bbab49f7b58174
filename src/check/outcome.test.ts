import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeLineStarts, rangeAt } from '../dockerfile/text.js';
import { AnyarchError } from '../errors.js';
import type { Finding, Severity } from '../rules/types.js';
import type { FileResult } from './engine.js';
import { DEFAULT_FAIL_ON, FAIL_ON_VALUES, checkOutcome, failsOn } from './outcome.js';
import { summarize } from './summary.js';

function finding(severity: Severity): Finding {
  return {
    ruleId: 'AA900',
    ruleName: 'test-rule',
    severity,
    message: 'm',
    messageId: 'm',
    file: 'Dockerfile',
    range: rangeAt(computeLineStarts('FROM a\n'), 0, 4),
    docsUrl: 'https://example.com/AA900.md',
  };
}

const run = (results: FileResult[], bug = false) => ({ results, summary: summarize(results), bug });

test('failsOn: a finding fails at or above the threshold; never means never', () => {
  assert.deepEqual(FAIL_ON_VALUES, ['error', 'warning', 'info', 'never']);
  assert.equal(DEFAULT_FAIL_ON, 'warning');
  const table = (['info', 'warning', 'error'] as const).map((s) => FAIL_ON_VALUES.map((f) => failsOn(s, f)));
  assert.deepEqual(table, [
    [false, false, true, false],
    [false, true, true, false],
    [true, true, true, false],
  ]);
});

test('checkOutcome: bug, then unreadable input, then findings at or above --fail-on, else clean', () => {
  const warning: FileResult = { file: 'a', findings: [finding('warning')], suppressed: 0 };
  const broken: FileResult = { file: 'b', findings: [], error: new AnyarchError('E_PARSE', 'bad'), suppressed: 0 };
  assert.equal(checkOutcome(run([])), 'clean');
  assert.equal(checkOutcome(run([warning])), 'findings');
  assert.equal(checkOutcome(run([warning]), 'error'), 'clean');
  assert.equal(checkOutcome(run([warning]), 'never'), 'clean');
  assert.equal(checkOutcome(run([warning, broken])), 'input-error');
  assert.equal(checkOutcome(run([warning, broken], true)), 'bug');
});
