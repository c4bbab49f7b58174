// Issue 11's real cases for vendor words, unsuffixed assets, pinned packages and COPY sources
// (test/support/vendor-cases.ts): each gives its rule's findings, and only those of that rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSource } from '../src/check/engine.js';
import { parsePlatformList } from '../src/platform/index.js';
import { VENDOR_CASES } from './support/vendor-cases.js';

const platforms = parsePlatformList('linux/amd64,linux/arm64');

for (const c of VENDOR_CASES) {
  test(`${c.rule} ${c.kind}: ${c.repo}`, () => {
    const r = checkSource(c.code, 'Dockerfile', { platforms, only: [c.rule] });
    assert.equal(r.error, undefined);
    assert.equal(r.findings.length, c.findings, r.findings.map((f) => f.message).join('\n'));
  });
}
