/**
 * The rule set as a whole, checked both ways (ESLint's Makefile does the same): the rule files and
 * the rule index, the docs pages and the rules, the README's rule table and the rules. verify's
 * verdicts (AA2xx, src/verify/verdicts) share the namespace, the docs and the table.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEPS_VERDICTS } from '../deps/verdicts.js';
import { HEADER_END, HEADER_START, depsVerdictDocHeader, ruleDocHeader } from './docs.js';
import { RULES } from './index.js';
import type { Rule } from './types.js';
import { verdictDocHeader } from '../verify/verdicts/docs.js';
import { VERDICTS } from '../verify/verdicts/index.js';
import type { VerdictRule } from '../verify/verdicts/types.js';

/** Rules and verdicts: one namespace of ids, one docs folder, one README table. */
const ALL: readonly { meta: { id: string; name: string } }[] = [...RULES, ...VERDICTS, ...DEPS_VERDICTS.map((meta) => ({ meta }))];

/** How a rule's page names `RuleContext.builderPlatforms` (whitespace folded). */
const BUILDER_PLATFORMS_PROSE =
  /linux\/amd64 and linux\/arm64, and the build platform \(`--build-platform`, `buildPlatform:` in `\.anyarch\.yaml`; default this machine's\) when it is another CPU/;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

test('rule ids are unique, ordered and well-formed; names are kebab-case', () => {
  const ids = RULES.map((r) => r.meta.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(new Set(RULES.map((r) => r.meta.name)).size, RULES.length, 'names are unique');
  for (const r of RULES) {
    assert.match(r.meta.id, /^AA\d{3}$/);
    assert.match(r.meta.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(r.meta.title.length > 10 && !r.meta.title.endsWith('.'), `${r.meta.id} title`);
    assert.ok(Object.keys(r.messages).length > 0);
  }
});

test('every rule file is in the rule index, and every indexed rule has its file (src/rules/<name>.ts)', async () => {
  const dir = resolve(root, 'src/rules');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => /^export default defineRule\b/m.test(readFileSync(resolve(dir, f), 'utf8')))
    .sort();
  const indexed = new Set<Rule>(RULES);
  for (const f of files) {
    const mod = (await import(pathToFileURL(resolve(here, f.replace(/\.ts$/, '.js'))).href)) as { default: Rule };
    assert.ok(indexed.has(mod.default), `src/rules/${f} is not in the rule index (src/rules/index.ts)`);
    assert.equal(`${mod.default.meta.name}.ts`, f, `the file of ${mod.default.meta.id} is named after the rule`);
  }
  assert.deepEqual(RULES.map((r) => `${r.meta.name}.ts`).sort(), files, 'every indexed rule has a rule file');
});

test('every docs/rules page belongs to a rule or a verdict, and every one has one', () => {
  const pages = readdirSync(resolve(root, 'docs/rules')).filter((f) => f.endsWith('.md')).sort();
  assert.deepEqual(pages, ALL.map((r) => `${r.meta.id}.md`).sort());
});

test('verdict ids are unique, ordered, AA2xx, after the rules; names are kebab-case', () => {
  const ids = ALL.map((r) => r.meta.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
  for (const v of VERDICTS) {
    assert.match(v.meta.id, /^AA2\d{2}$/);
    assert.match(v.meta.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(v.meta.title.length > 10 && !v.meta.title.endsWith('.'), `${v.meta.id} title`);
  }
  assert.equal(new Set(VERDICTS.map((v) => v.meta.name)).size, VERDICTS.length);
});

test('every verdict file is in the verdict index, and every indexed verdict has its file (src/verify/verdicts/<name>.ts)', async () => {
  const dir = resolve(root, 'src/verify/verdicts');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => /^export default defineVerdict\b/m.test(readFileSync(resolve(dir, f), 'utf8')))
    .sort();
  const indexed = new Set<VerdictRule>(VERDICTS);
  for (const f of files) {
    const mod = (await import(pathToFileURL(resolve(here, '../verify/verdicts', f.replace(/\.ts$/, '.js'))).href)) as { default: VerdictRule };
    assert.ok(indexed.has(mod.default), `src/verify/verdicts/${f} is not in the verdict index`);
    assert.equal(`${mod.default.meta.name}.ts`, f);
  }
  assert.deepEqual(VERDICTS.map((v) => `${v.meta.name}.ts`).sort(), files);
});

test('the README rule table lists exactly the rules, in order: id, link, name', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8').split('\n');
  const at = readme.findIndex((l) => /^## Rules\s*$/.test(l));
  assert.ok(at !== -1, 'README.md has a "## Rules" section');
  const sep = readme.findIndex((l, i) => i > at && /^\|\s*---/.test(l));
  assert.ok(sep !== -1, 'the Rules section has a table');
  const rows: string[][] = [];
  for (let i = sep + 1; i < readme.length && (readme[i] ?? '').startsWith('|'); i++) {
    const m = /^\| \[(AA\d{3})\]\(([^)]+)\) \| ([^|]+?) \|/.exec(readme[i] as string);
    assert.ok(m, `a README rule row that cannot be read: ${readme[i]}`);
    rows.push([m[1] as string, m[2] as string, m[3] as string]);
  }
  assert.deepEqual(
    rows,
    ALL.map((r) => [r.meta.id, `docs/rules/${r.meta.id}.md`, r.meta.name]),
  );
});

for (const verdict of VERDICTS) {
  test(`${verdict.meta.id} has a docs page with a current header: what, why, example, fix, allow`, () => {
    const page = readFileSync(resolve(root, `docs/rules/${verdict.meta.id}.md`), 'utf8');
    const s = page.indexOf(HEADER_START);
    const e = page.indexOf(HEADER_END);
    assert.ok(s !== -1 && e > s, 'no generated header block');
    assert.equal(page.slice(s, e + HEADER_END.length), verdictDocHeader(verdict.meta), 'stale header: run `npm run docs:rules`');
    for (const h of ['## What', '## Why it matters', '## Example', '## How to fix', '## How to allow']) assert.ok(page.includes(`\n${h}\n`), `docs/rules/${verdict.meta.id}.md has no "${h}"`);
  });
  test(`${verdict.meta.id} has its own test file`, () => {
    assert.ok(existsSync(resolve(root, `src/verify/verdicts/${verdict.meta.name}.test.ts`)), `missing src/verify/verdicts/${verdict.meta.name}.test.ts`);
  });
}

for (const verdict of DEPS_VERDICTS) {
  test(`${verdict.id} (deps) has a docs page with a current header: what, why, example, fix, allow`, () => {
    assert.match(verdict.id, /^AA3\d{2}$/);
    assert.match(verdict.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(verdict.title.length > 10 && !verdict.title.endsWith('.'), `${verdict.id} title`);
    const page = readFileSync(resolve(root, `docs/rules/${verdict.id}.md`), 'utf8');
    const s = page.indexOf(HEADER_START);
    const e = page.indexOf(HEADER_END);
    assert.ok(s !== -1 && e > s, 'no generated header block');
    assert.equal(page.slice(s, e + HEADER_END.length), depsVerdictDocHeader(verdict), 'stale header: run `npm run docs:rules`');
    for (const h of ['## What', '## Why it matters', '## Example', '## How to fix', '## How to allow']) assert.ok(page.includes(`\n${h}\n`), `docs/rules/${verdict.id}.md has no "${h}"`);
  });
}

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
  test(`${rule.meta.id}'s page names the builder platforms whenever the rule asks about them`, () => {
    // ctx.builderPlatforms is one list (linux/amd64, linux/arm64, then the build platform when it
    // is another CPU): a page that says which build machines it checks says all of that
    const source = readFileSync(resolve(root, `src/rules/${rule.meta.name}.ts`), 'utf8');
    const page = readFileSync(resolve(root, `docs/rules/${rule.meta.id}.md`), 'utf8').replace(/\s+/g, ' ');
    assert.doesNotMatch(page, /build machines? \((?:linux\/)?amd64 (?:and|or) (?:linux\/)?arm64\)/, 'the builder platforms are more than amd64 and arm64');
    if (!source.includes('ctx.builderPlatforms')) return;
    assert.match(page, BUILDER_PLATFORMS_PROSE, `docs/rules/${rule.meta.id}.md does not say which build machines a --platform=$BUILDPLATFORM stage is checked against`);
  });
  test(`${rule.meta.id} has its own test file`, () => {
    assert.ok(existsSync(resolve(root, `src/rules/${rule.meta.name}.test.ts`)), `missing src/rules/${rule.meta.name}.test.ts`);
  });
}
