/** The rule tester holds rules to their contract: stated fixes, fixable rules that show one. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rangeAt } from '../dockerfile/text.js';
import { assertFixesShown, assertInvalid, assertValid } from './tester.js';
import { defineRule, type Rule } from './types.js';

/** Reports every `amd64` in the file, with a fix to `${TARGETARCH}` when `fixable`. */
function amd64Rule(fixable: boolean): Rule {
  return defineRule({
    meta: { id: 'AA990', name: 'test-amd64', title: 'amd64 written in a test file', severity: 'warning', description: 'test', related: [], fixable },
    messages: { word: '{word} is one architecture' },
    check(model, ctx) {
      const src = model.file.source;
      for (let at = src.indexOf('amd64'); at !== -1; at = src.indexOf('amd64', at + 5)) {
        ctx.report({
          messageId: 'word',
          range: rangeAt(model.file.lineStarts, at, at + 5),
          data: { word: 'amd64' },
          ...(fixable ? { fix: [{ start: at, end: at + 5, text: '${TARGETARCH}' }] } : {}),
        });
      }
    },
  });
}

const fixable = amd64Rule(true);
const code = 'FROM alpine\nARG TARGETARCH\nRUN echo amd64\n';
const fixed = 'FROM alpine\nARG TARGETARCH\nRUN echo ${TARGETARCH}\n';

describe('assertInvalid', () => {
  test('a case with its fix and the right output passes', () => {
    assertInvalid(fixable, { code, errors: [{ messageId: 'word', line: 3, column: 10 }], output: fixed });
  });
  test('a finding with a fix needs a stated output', () => {
    assert.throws(() => assertInvalid(fixable, { code, errors: [{ messageId: 'word' }] }), /state the expected `output`/);
  });
  test('output: null when a finding has a fix fails', () => {
    assert.throws(() => assertInvalid(fixable, { code, errors: [{ messageId: 'word' }], output: null }), /expected no automatic fix/);
  });
  test('an output equal to the code is written null', () => {
    assert.throws(() => assertInvalid(amd64Rule(false), { code, errors: [{ messageId: 'word' }], output: code }), /write `output: null`/);
  });
  test('a wrong output fails', () => {
    assert.throws(() => assertInvalid(fixable, { code, errors: [{ messageId: 'word' }], output: code.replace('amd64', 'arm64') }));
  });
  test('without a fix, the output may be null or left out', () => {
    const plain = amd64Rule(false);
    assertInvalid(plain, { code, errors: [{ messageId: 'word' }], output: null });
    assertInvalid(plain, { code, errors: [{ messageId: 'word' }] });
  });
  test('the findings must be the listed ones', () => {
    assert.throws(() => assertInvalid(fixable, { code, errors: [], output: fixed }), /expected 0 findings/);
  });
});

describe('assertFixesShown', () => {
  test('a fixable rule must show a fix in some case', () => {
    assert.throws(() => assertFixesShown(fixable, [{ code, errors: [{ messageId: 'word' }], output: null }]), /says it is fixable/);
    assertFixesShown(fixable, [{ code, errors: [{ messageId: 'word' }], output: fixed }]);
  });
  test('a rule that is not fixable shows none', () => {
    const plain = amd64Rule(false);
    assert.throws(() => assertFixesShown(plain, [{ code, errors: [{ messageId: 'word' }], output: fixed }]), /not fixable/);
    assertFixesShown(plain, [{ code, errors: [{ messageId: 'word' }] }]);
  });
});

test('assertValid fails on a finding', () => {
  assertValid(fixable, 'FROM alpine\n');
  assert.throws(() => assertValid(fixable, code));
});
