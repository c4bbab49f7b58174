/** The engine's rule selection, as `checkSource` and the CLI share it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { defineRule, type Rule } from '../rules/types.js';
import { computeSelection, resolveRuleRefs, ruleOptions, rulesNeeding, selectRules, type CheckOptions } from './engine.js';

function rule(id: string, name: string, needs?: readonly 'baseImages'[]): Rule {
  return defineRule<'m'>({
    meta: { id, name, title: name, severity: 'warning', description: 'Test rule.', related: [], fixable: false },
    messages: { m: 'm' },
    ...(needs ? { needs } : {}),
    check() {},
  });
}

const RULES = [rule('AA981', 'first-rule'), rule('AA982', 'second-rule', ['baseImages']), rule('AA983', 'third-rule', ['baseImages'])];
const ids = (opts: CheckOptions): string[] => computeSelection({ rules: RULES, ...opts }).map((s) => s.rule.meta.id);

describe('rule selection', () => {
  test('references resolve by id or name, any case; an unknown one names where it was written', () => {
    assert.deepEqual(resolveRuleRefs(['aa981', 'second-rule', ' AA983 '], RULES), ['AA981', 'AA982', 'AA983']);
    assert.throws(
      () => resolveRuleRefs(['AA981', 'nope'], RULES, '--disable'),
      (e) => isAnyarchError(e) && e.code === 'E_USAGE' && e.message === 'unknown rule "nope" in --disable' && /anyarch rules/.test(e.hint ?? ''),
    );
    assert.throws(() => resolveRuleRefs(['nope'], RULES, 'rule settings', 'E_CONFIG'), (e) => isAnyarchError(e) && e.code === 'E_CONFIG');
  });

  test('only, disable and off remove rules; the user severity is kept for the rest', () => {
    assert.deepEqual(ids({}), ['AA981', 'AA982', 'AA983']);
    assert.deepEqual(ids({ only: ['first-rule', 'AA982'] }), ['AA981', 'AA982']);
    assert.deepEqual(ids({ disable: ['AA982'] }), ['AA981', 'AA983']);
    assert.deepEqual(ids({ only: ['AA981', 'AA982'], severities: { AA982: 'off' } }), ['AA981']);
    assert.deepEqual(
      computeSelection({ rules: RULES, severities: { 'third-rule': 'info' } }).map((s) => s.override),
      [undefined, undefined, 'info'],
    );
    assert.throws(() => ids({ severities: { AA999: 'off' } }), (e) => isAnyarchError(e) && e.code === 'E_CONFIG');
  });

  test('the selection is worked out once per options object', () => {
    const opts: CheckOptions = { rules: RULES };
    assert.equal(selectRules(opts), selectRules(opts));
  });

  test('rulesNeeding: the selected rules that need a fact', () => {
    assert.deepEqual(rulesNeeding({ rules: RULES }, 'baseImages').map((r) => r.meta.id), ['AA982', 'AA983']);
    assert.deepEqual(rulesNeeding({ rules: RULES, disable: ['AA982'], severities: { AA983: 'off' } }, 'baseImages'), []);
    assert.deepEqual(rulesNeeding({ rules: RULES, only: ['AA983'] }, 'baseImages').map((r) => r.meta.id), ['AA983']);
  });
});

describe('ruleOptions: choices by name over configured severities', () => {
  test('a rule named in only runs even when the configuration turns it off', () => {
    const opts = ruleOptions({ only: ['second-rule'], severities: { AA982: 'off', AA983: 'off', AA981: 'error' } }, RULES);
    assert.deepEqual(opts, { only: ['AA982'], disable: [], severities: { AA983: 'off', AA981: 'error' } });
    assert.deepEqual(ids(opts), ['AA982']);
  });

  test('severity keys are resolved first, so a rule named in only is spared whether the configuration names it by id, name or lower-case id', () => {
    const opts = ruleOptions({ only: ['AA982', 'aa983', 'first-rule'], severities: { 'second-rule': 'off', aa983: 'off', 'First-Rule': 'error' } }, RULES);
    assert.deepEqual(opts, { only: ['AA982', 'AA983', 'AA981'], disable: [], severities: { AA981: 'error' } });
    assert.deepEqual(ids(opts), ['AA981', 'AA982', 'AA983']);
    assert.deepEqual(ruleOptions({ severities: { 'third-rule': 'off' } }, RULES), { disable: [], severities: { AA983: 'off' } });
    assert.throws(
      () => ruleOptions({ severities: { 'no-such-rule': 'off' } }, RULES),
      (e) => isAnyarchError(e) && e.code === 'E_CONFIG' && e.message === 'unknown rule "no-such-rule" in rule settings',
    );
  });

  test('without only the configuration stands; disable is resolved to ids', () => {
    const opts = ruleOptions({ disable: ['first-rule'], severities: { AA982: 'off' } }, RULES);
    assert.deepEqual(opts, { disable: ['AA981'], severities: { AA982: 'off' } });
    assert.deepEqual(ids(opts), ['AA983']);
  });

  test('unknown references name the flag they came from', () => {
    const where = { only: '--rule', disable: '--disable' };
    assert.throws(() => ruleOptions({ only: ['NOPE1'] }, RULES, where), (e) => isAnyarchError(e) && e.message === 'unknown rule "NOPE1" in --rule');
    assert.throws(() => ruleOptions({ disable: ['NOPE2'] }, RULES, where), (e) => isAnyarchError(e) && e.message === 'unknown rule "NOPE2" in --disable');
  });
});
