/** What the engine gives a rule (its context) and what it refuses from one. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPlatform, hostPlatform, parsePlatform } from '../platform/index.js';
import { rangeAt } from '../dockerfile/text.js';
import { defineRule, type Rule, type RuleContext } from '../rules/types.js';
import { isAnyarchError, isBug } from '../errors.js';
import { checkSource, fixSource } from './engine.js';

/** A rule that only records the context it is given. */
function recorder(): { rule: Rule; seen: RuleContext[] } {
  const seen: RuleContext[] = [];
  const rule = defineRule({
    meta: { id: 'AA900', name: 'context-recorder', title: 'Records the rule context', severity: 'info', description: 'test', related: [], fixable: false },
    messages: { seen: 'seen' },
    check(_model, ctx) {
      seen.push(ctx);
    },
  });
  return { rule, seen };
}

describe('the rule context', () => {
  test('the build platform defaults to this machine, as the CLI\'s does', () => {
    const { rule, seen } = recorder();
    checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule] });
    assert.equal(formatPlatform(seen[0]?.buildPlatform ?? assert.fail()), formatPlatform(hostPlatform()));
  });
  test('builder platforms: the usual builders on amd64 and arm64 machines', () => {
    for (const build of ['linux/amd64', 'linux/arm64']) {
      const { rule, seen } = recorder();
      checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule], buildPlatform: parsePlatform(build) });
      assert.deepEqual(seen[0]?.builderPlatforms.map(formatPlatform), ['linux/amd64', 'linux/arm64'], build);
    }
  });
  test('builder platforms include a build platform of another CPU', () => {
    const { rule, seen } = recorder();
    checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule], buildPlatform: parsePlatform('linux/riscv64') });
    assert.deepEqual(seen[0]?.builderPlatforms.map(formatPlatform), ['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    assert.equal(formatPlatform(seen[0]?.buildPlatform ?? assert.fail()), 'linux/riscv64');
  });
});

describe('meta.fixable is a contract the engine enforces', () => {
  /** Reports the FROM keyword with a fix that lower-cases it. */
  const lowerFrom = (fixable: boolean): Rule =>
    defineRule({
      meta: { id: 'AA902', name: 'lower-from', title: 'FROM written in capitals', severity: 'info', description: 'test', related: [], fixable },
      messages: { upper: 'FROM in capitals' },
      check(model, ctx) {
        const from = model.file.instructions[0];
        if (!from) return;
        const { start, end } = from.keywordRange;
        ctx.report({ messageId: 'upper', range: rangeAt(model.file.lineStarts, start.offset, end.offset), fix: [{ start: start.offset, end: end.offset, text: 'from' }] });
      },
    });
  test('a fixable rule may fix', () => {
    assert.equal(fixSource('FROM alpine\n', 'Dockerfile', { rules: [lowerFrom(true)] }).output, 'from alpine\n');
  });
  test('a rule whose meta says it is not fixable and reports a fix is refused loudly: E_RULE, a bug of that rule, the file\'s error', () => {
    const e = checkSource('FROM alpine\n', 'Dockerfile', { rules: [lowerFrom(false)] }).error;
    assert.ok(isAnyarchError(e), 'an AnyarchError');
    assert.equal(e.code, 'E_RULE');
    assert.ok(isBug(e));
    assert.match(e.message, /AA902 reported a fix for "upper", but its meta says it is not fixable/);
    assert.match(e.hint ?? '', /bug in rule AA902 \(lower-from\)/);
    assert.equal(e.location?.file, 'Dockerfile');
  });
  test('an empty fix is no fix: a rule that is not fixable may report one', () => {
    const rule = defineRule({
      meta: { id: 'AA903', name: 'empty-fix', title: 'Reports an empty fix', severity: 'info', description: 'test', related: [], fixable: false },
      messages: { empty: 'an empty fix' },
      check(model, ctx) {
        ctx.report({ messageId: 'empty', range: model.file.instructions[0]!.range, fix: [] });
      },
    });
    const r = checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule] });
    assert.deepEqual(r.findings.map((f) => f.messageId), ['empty']);
  });
});

describe('message ids are a contract the engine enforces', () => {
  test('an unknown message id is E_RULE, naming the rule', () => {
    // a rule typed by message ids alone, as a library user may write it
    const rule: Rule<'known'> = {
      meta: { id: 'AA904', name: 'unknown-message', title: 'Reports a message it does not have', severity: 'info', description: 'test', related: [], fixable: false },
      messages: { known: 'known' },
      check(model, ctx) {
        ctx.report({ messageId: 'known', range: model.file.instructions[0]!.range });
        (ctx as RuleContext).report({ messageId: 'unknown', range: model.file.instructions[0]!.range });
      },
    };
    const r = checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule] });
    assert.ok(isAnyarchError(r.error));
    assert.equal(r.error.code, 'E_RULE');
    assert.match(r.error.message, /rule AA904 reported unknown message "unknown"/);
    assert.match(r.error.hint ?? '', /bug in rule AA904 \(unknown-message\)/);
    assert.deepEqual(r.findings.map((f) => f.messageId), ['known']); // what it reported before its bug is kept
  });
});

describe('a rule that throws is a bug of that rule, the file\'s error; the other rules still run', () => {
  const throwing: Rule = defineRule({
    meta: { id: 'AA905', name: 'throws', title: 'Throws', severity: 'info', description: 'test', related: [], fixable: false },
    messages: { never: 'never' },
    check() {
      throw new RangeError('Maximum call stack size exceeded');
    },
  });
  const fine: Rule = defineRule({
    meta: { id: 'AA906', name: 'fine', title: 'Reports FROM', severity: 'warning', description: 'test', related: [], fixable: false },
    messages: { from: 'a FROM' },
    check(model, ctx) {
      ctx.report({ messageId: 'from', range: model.file.instructions[0]!.range });
    },
  });
  test('E_INTERNAL naming the rule and what it threw, the thrown value as cause; the other rule\'s finding kept', () => {
    const r = checkSource('FROM alpine\n', 'Dockerfile', { rules: [throwing, fine] });
    assert.ok(isAnyarchError(r.error));
    assert.equal(r.error.code, 'E_INTERNAL');
    assert.ok(isBug(r.error));
    assert.equal(r.error.message, 'rule AA905 (throws) failed: RangeError: Maximum call stack size exceeded');
    assert.match(r.error.hint ?? '', /bug in rule AA905 \(throws\), not in the Dockerfile: please report it with the Dockerfile/);
    assert.equal(r.error.location?.file, 'Dockerfile');
    assert.ok(r.error.cause instanceof RangeError);
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['AA906']);
  });
  test('fixing: nothing is fixed in a file a rule failed on', () => {
    const r = fixSource('FROM alpine\n', 'Dockerfile', { rules: [throwing] });
    assert.equal(r.output, 'FROM alpine\n');
    assert.equal(r.result.error?.code, 'E_INTERNAL');
  });
});
