#!/usr/bin/env node
// Rewrites the generated header of every docs/rules/<ID>.md from the rules' meta (run after `npm run build`).
import { readFileSync, writeFileSync, existsSync, readdirSync, renameSync } from 'node:fs';
import { RULES } from '../dist/src/rules/index.js';
import { withHeader } from '../dist/src/rules/docs.js';
import { VERDICTS } from '../dist/src/verify/verdicts/index.js';
import { withVerdictHeader } from '../dist/src/verify/verdicts/docs.js';
import { DEPS_VERDICTS } from '../dist/src/deps/verdicts.js';
import { depsVerdictDocHeader, replaceHeader } from '../dist/src/rules/docs.js';

for (const rule of RULES) {
  const path = new URL(`../docs/rules/${rule.meta.id}.md`, import.meta.url);
  const page = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const next = withHeader(page, rule);
  if (next !== page) {
    writeFileSync(`${path.pathname}.tmp`, next);
    renameSync(`${path.pathname}.tmp`, path);
    console.log(`updated docs/rules/${rule.meta.id}.md`);
  }
}

// verify's verdicts (AA2xx) share the pages' namespace
for (const verdict of VERDICTS) {
  const path = new URL(`../docs/rules/${verdict.meta.id}.md`, import.meta.url);
  const page = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const next = withVerdictHeader(page, verdict.meta);
  if (next !== page) {
    writeFileSync(`${path.pathname}.tmp`, next);
    renameSync(`${path.pathname}.tmp`, path);
    console.log(`updated docs/rules/${verdict.meta.id}.md`);
  }
}

// deps's verdicts (AA3xx) too
for (const verdict of DEPS_VERDICTS) {
  const path = new URL(`../docs/rules/${verdict.id}.md`, import.meta.url);
  const page = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const next = replaceHeader(page, depsVerdictDocHeader(verdict));
  if (next !== page) {
    writeFileSync(`${path.pathname}.tmp`, next);
    renameSync(`${path.pathname}.tmp`, path);
    console.log(`updated docs/rules/${verdict.id}.md`);
  }
}

// a page without a rule is stale (the rule was renumbered or removed): say so, as the tests do
const ids = new Set([...[...RULES, ...VERDICTS].map((r) => r.meta.id), ...DEPS_VERDICTS.map((v) => v.id)].map((id) => `${id}.md`));
const orphans = readdirSync(new URL('../docs/rules/', import.meta.url)).filter((f) => f.endsWith('.md') && !ids.has(f));
for (const f of orphans) console.error(`docs/rules/${f} belongs to no rule: remove it or add the rule`);
if (orphans.length) process.exitCode = 1;
