import assert from 'node:assert/strict';
import { createHash as nodeCreateHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { createHash, nameHash, randomHex, sha256Hex } from './hash.js';

describe('hash', () => {
  test('sha256Hex and createHash are node:crypto', () => {
    const want = nodeCreateHash('sha256').update('anyarch').digest('hex');
    assert.equal(sha256Hex('anyarch'), want);
    assert.equal(sha256Hex(Buffer.from('anyarch')), want);
    assert.equal(createHash('sha512').update('x').digest('hex'), nodeCreateHash('sha512').update('x').digest('hex'));
  });

  test('randomHex gives n bytes of hex, different each time', () => {
    const a = randomHex(4);
    assert.match(a, /^[0-9a-f]{8}$/);
    assert.notEqual(randomHex(16), randomHex(16));
  });

  test('nameHash: 32 hex digits, stable, and distinct for near names', () => {
    const h = nameHash('npm http://127.0.0.1:4873/ deps /tmp/a/package-lock.json');
    assert.match(h, /^[0-9a-f]{32}$/);
    assert.equal(nameHash('npm http://127.0.0.1:4873/ deps /tmp/a/package-lock.json'), h);
    const seen = new Set<string>();
    // names that differ in one character, in their order, or by a suffix: no two alike
    for (let i = 0; i < 5000; i++) seen.add(nameHash(`run ${i}`));
    seen.add(nameHash('ab'));
    seen.add(nameHash('ba'));
    seen.add(nameHash(''));
    seen.add(nameHash('\u00e9'));
    seen.add(nameHash('e\u0301'));
    assert.equal(seen.size, 5005);
  });
});
