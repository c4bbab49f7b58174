#!/usr/bin/env node
// Rewrites the generated header of every docs/rules/<ID>.md from the rules' meta (run after `npm run build`).
import { readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { RULES } from '../dist/src/rules/index.js';
import { withHeader } from '../dist/src/rules/docs.js';

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
