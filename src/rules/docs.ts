/**
 * The generated part of each rule's page, docs/rules/<ID>.md: the block between
 * `<!-- header:start -->` and `<!-- header:end -->` comes from the rule's meta; the prose below
 * it is written by hand. `npm run docs:rules` rewrites the blocks; a test fails when one is stale.
 */
import type { DepsVerdictMeta } from '../deps/verdicts.js';
import type { Rule } from './types.js';

export const HEADER_START = '<!-- header:start -->';
export const HEADER_END = '<!-- header:end -->';

/**
 * A page's generated block: its title, a one-row table of `columns` and `cells`, and the
 * description, between the header markers (rules and verdicts alike).
 */
export function docHeader(id: string, title: string, columns: readonly string[], cells: readonly string[], description: string): string {
  return [
    HEADER_START,
    `# ${id}: ${title}`,
    '',
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    `| ${cells.join(' | ')} |`,
    '',
    `> ${description}`,
    HEADER_END,
  ].join('\n');
}

/** `page` with its header block replaced by `header` (or `header` prepended when it has none). */
export function replaceHeader(page: string, header: string): string {
  const s = page.indexOf(HEADER_START);
  const e = page.indexOf(HEADER_END);
  if (s === -1 || e === -1 || e < s) return `${header}\n\n${page}`;
  return page.slice(0, s) + header + page.slice(e + HEADER_END.length);
}

export function ruleDocHeader(rule: Rule): string {
  const m = rule.meta;
  const related = m.related.length ? m.related.join(', ') : '—';
  return docHeader(m.id, m.title, ['id', 'name', 'severity', 'fixable', 'related'], [m.id, m.name, m.severity, m.fixable ? 'yes' : 'no', related], m.description);
}

/** Replaces the header block of a page (or prepends one). */
export function withHeader(page: string, rule: Rule): string {
  return replaceHeader(page, ruleDocHeader(rule));
}

/** The header of a `deps` verdict's page (AA3xx, src/deps/verdicts.ts). */
export function depsVerdictDocHeader(m: DepsVerdictMeta): string {
  return docHeader(m.id, m.title, ['id', 'name', 'severity', 'command'], [m.id, m.name, m.severity, 'deps'], m.description);
}
