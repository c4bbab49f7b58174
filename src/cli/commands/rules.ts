/** `anyarch rules`: the rule table (text) or the rules' metadata (json), and verify's verdicts (AA2xx) after them. */
import type { Rule } from '../../rules/types.js';
import { docsUrl } from '../../rules/types.js';
import type { VerdictMeta } from '../../verify/verdicts/types.js';
import type { Io, Outcome } from '../io.js';
import { table } from '../table.js';

export type RulesFormat = 'text' | 'json';
export const RULES_FORMATS: readonly RulesFormat[] = ['text', 'json'];

export interface RulesCommandOptions {
  readonly format: RulesFormat;
}

export interface RuleJSON {
  id: string;
  name: string;
  title: string;
  severity: string;
  fixable: boolean;
  description: string;
  related: string[];
  docsUrl: string;
}

export function ruleJSON(r: Rule): RuleJSON {
  const m = r.meta;
  return {
    id: m.id,
    name: m.name,
    title: m.title,
    severity: m.severity,
    fixable: m.fixable,
    description: m.description,
    related: [...m.related],
    docsUrl: docsUrl(m.id),
  };
}

export interface VerdictJSON {
  id: string;
  name: string;
  title: string;
  severity: string;
  /** a verify.allow entry can turn it into AA212 information */
  allowable: boolean;
  description: string;
  docsUrl: string;
}

export function verdictJSON(m: VerdictMeta): VerdictJSON {
  return { id: m.id, name: m.name, title: m.title, severity: m.severity, allowable: m.allowable, description: m.description, docsUrl: docsUrl(m.id) };
}

export async function rules(opts: RulesCommandOptions, io: Io, deps: { rules?: readonly Rule[] } = {}): Promise<Outcome> {
  const list = deps.rules ?? (await import('../../rules/index.js')).RULES;
  // verify's verdicts with the built-in rules (a caller's own rule set has none)
  const verdicts = deps.rules ? [] : (await import('../../verify/verdicts/index.js')).VERDICTS.map((v) => v.meta);
  if (opts.format === 'json') {
    io.stdout.write(JSON.stringify({ version: 1, rules: list.map(ruleJSON), ...(verdicts.length ? { verdicts: verdicts.map(verdictJSON) } : {}) }, null, 2) + '\n');
    return 'clean';
  }
  if (list.length === 0) {
    io.stdout.write('no rules\n');
    return 'clean';
  }
  const rows = [['ID', 'NAME', 'SEVERITY', 'FIXABLE', 'TITLE', 'DOCS']];
  for (const r of list) {
    const m = r.meta;
    rows.push([m.id, m.name, m.severity, m.fixable ? 'yes' : 'no', m.title, docsUrl(m.id)]);
  }
  io.stdout.write(table(rows));
  if (verdicts.length) {
    const vrows = [['ID', 'NAME', 'SEVERITY', 'ALLOWABLE', 'TITLE', 'DOCS']];
    for (const m of verdicts) vrows.push([m.id, m.name, m.severity, m.allowable ? 'yes' : 'no', m.title, docsUrl(m.id)]);
    io.stdout.write(`\nanyarch verify's verdicts (on image bytes):\n${table(vrows)}`);
  }
  return 'clean';
}
