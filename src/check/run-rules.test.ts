/** What the engine gives a rule (its context) and what it refuses from one. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPlatform, hostPlatform, parsePlatform } from '../platform/index.js';
import { defineRule, type RuleContext } from '../rules/types.js';
import { checkSource } from './engine.js';

/** A rule that only records the context it is given. */
function recorder(): { rule: ReturnType<typeof defineRule>; seen: RuleContext[] } {
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
