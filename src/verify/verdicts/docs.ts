/**
 * The generated part of each verdict's page, docs/rules/<ID>.md (the same block as a rule's, see
 * src/rules/docs.ts): `npm run docs:rules` rewrites it from the verdict's meta; a test fails when
 * one is stale.
 */
import { docHeader, replaceHeader } from '../../rules/docs.js';
import type { VerdictMeta } from './types.js';

export function verdictDocHeader(m: VerdictMeta): string {
  return docHeader(m.id, m.title, ['id', 'name', 'severity', 'command', 'can be allowed'], [m.id, m.name, m.severity, 'verify', m.allowable ? 'yes (verify.allow)' : 'no'], m.description);
}

/** Replaces the header block of a page (or prepends one). */
export function withVerdictHeader(page: string, m: VerdictMeta): string {
  return replaceHeader(page, verdictDocHeader(m));
}
