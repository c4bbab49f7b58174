/**
 * The generated part of each rule's page, docs/rules/<ID>.md: the block between
 * `<!-- header:start -->` and `<!-- header:end -->` comes from the rule's meta; the prose below
 * it is written by hand. `npm run docs:rules` rewrites the blocks; a test fails when one is stale.
 */
import type { Rule } from './types.js';

export const HEADER_START = '<!-- header:start -->';
export const HEADER_END = '<!-- header:end -->';

export function ruleDocHeader(rule: Rule): string {
  const m = rule.meta;
  const related = m.related.length ? m.related.join(', ') : '—';
  return [
    HEADER_START,
    `# ${m.id}: ${m.title}`,
    '',
    '| id | name | severity | fixable | related |',
    '| --- | --- | --- | --- | --- |',
    `| ${m.id} | ${m.name} | ${m.severity} | ${m.fixable ? 'yes' : 'no'} | ${related} |`,
    '',
    `> ${m.description}`,
    HEADER_END,
  ].join('\n');
}

/** Replaces the header block of a page (or prepends one). */
export function withHeader(page: string, rule: Rule): string {
  const header = ruleDocHeader(rule);
  const s = page.indexOf(HEADER_START);
  const e = page.indexOf(HEADER_END);
  if (s === -1 || e === -1 || e < s) return `${header}\n\n${page}`;
  return page.slice(0, s) + header + page.slice(e + HEADER_END.length);
}
