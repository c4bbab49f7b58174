/**
 * The generated part of each verdict's page, docs/rules/<ID>.md (the same block as a rule's, see
 * src/rules/docs.ts): `npm run docs:rules` rewrites it from the verdict's meta; a test fails when
 * one is stale.
 */
import { HEADER_END, HEADER_START } from '../../rules/docs.js';
import type { VerdictMeta } from './types.js';

export function verdictDocHeader(m: VerdictMeta): string {
  return [
    HEADER_START,
    `# ${m.id}: ${m.title}`,
    '',
    '| id | name | severity | command | can be allowed |',
    '| --- | --- | --- | --- | --- |',
    `| ${m.id} | ${m.name} | ${m.severity} | verify | ${m.allowable ? 'yes (verify.allow)' : 'no'} |`,
    '',
    `> ${m.description}`,
    HEADER_END,
  ].join('\n');
}

/** Replaces the header block of a page (or prepends one). */
export function withVerdictHeader(page: string, m: VerdictMeta): string {
  const header = verdictDocHeader(m);
  const s = page.indexOf(HEADER_START);
  const e = page.indexOf(HEADER_END);
  if (s === -1 || e === -1 || e < s) return `${header}\n\n${page}`;
  return page.slice(0, s) + header + page.slice(e + HEADER_END.length);
}
