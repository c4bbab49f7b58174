/** The rule set as a whole: ids, names, docs pages and tests (ESLint's Makefile checks the same). */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HEADER_END, HEADER_START, ruleDocHeader } from './docs.js';
import { RULES } from './index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('rule ids are unique, ordered and well-formed; names are kebab-case', () => {
  const ids = RULES.map((r) => r.meta.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
  for (const r of RULES) {
    assert.match(r.meta.id, /^AA\d{3}$/);
    assert.match(r.meta.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(r.meta.title.length > 10 && !r.meta.title.endsWith('.'), `${r.meta.id} title`);
    assert.ok(Object.keys(r.messages).length > 0);
  }
});

for (const rule of RULES) {
  test(`${rule.meta.id} has a docs page with a current header, bad and good examples`, () => {
    const path = resolve(root, `docs/rules/${rule.meta.id}.md`);
    assert.ok(existsSync(path), `missing docs/rules/${rule.meta.id}.md`);
    const page = readFileSync(path, 'utf8');
    const s = page.indexOf(HEADER_START);
    const e = page.indexOf(HEADER_END);
    assert.ok(s !== -1 && e > s, 'no generated header block');
    assert.equal(page.slice(s, e + HEADER_END.length), ruleDocHeader(rule), 'stale header: run `npm run docs:rules`');
    assert.match(page, /^## Bad/m);
    assert.match(page, /^## Good/m);
  });
  test(`${rule.meta.id} has its own test file`, () => {
    assert.ok(existsSync(resolve(root, `src/rules/${rule.meta.name}.test.ts`)), `missing src/rules/${rule.meta.name}.test.ts`);
  });
}
