import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestMatch, compatiblePlatforms } from './compat.js';
import { formatPlatform, parsePlatform } from './index.js';

const order = (p: string): string[] => compatiblePlatforms(parsePlatform(p)).map(formatPlatform);
const best = (want: string, have: string[]): string | undefined => {
  const m = bestMatch(parsePlatform(want), have.map((h) => parsePlatform(h)));
  return m ? `${formatPlatform(m.platform)}${m.exact ? '' : ' (fallback)'}` : undefined;
};

test('the order containerd prefers', () => {
  assert.deepEqual(order('linux/amd64'), ['linux/amd64', 'linux/386']);
  assert.deepEqual(order('linux/amd64/v3'), ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386']);
  assert.deepEqual(order('linux/arm/v7'), ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  assert.deepEqual(order('linux/arm'), ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  assert.deepEqual(order('linux/arm64'), ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  assert.deepEqual(order('linux/riscv64'), ['linux/riscv64']);
});

test('exact beats compatible; aliases and default variants are the same platform', () => {
  assert.equal(best('linux/arm64', ['linux/arm/v7', 'linux/arm64/v8']), 'linux/arm64');
  assert.equal(best('linux/arm/v7', ['linux/arm/v5', 'linux/arm/v6']), 'linux/arm/v6 (fallback)');
  assert.equal(best('linux/amd64', ['linux/386']), 'linux/386 (fallback)');
  assert.equal(best('linux/amd64', ['linux/amd64/v2']), undefined);
  assert.equal(best('linux/s390x', ['linux/amd64', 'linux/arm64']), undefined);
  assert.equal(best('linux/arm/v6', ['linux/arm/v7']), undefined);
});
