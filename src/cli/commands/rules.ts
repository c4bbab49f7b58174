/** `anyarch rules`: the rule table (text) or the rules' metadata (json). */
import type { Rule } from '../../rules/types.js';
import { docsUrl } from '../../rules/types.js';
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

export async function rules(opts: RulesCommandOptions, io: Io, deps: { rules?: readonly Rule[] } = {}): Promise<Outcome> {
  const list = deps.rules ?? (await import('../../rules/index.js')).RULES;
  if (opts.format === 'json') {
    io.stdout.write(JSON.stringify({ version: 1, rules: list.map(ruleJSON) }, null, 2) + '\n');
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
  return 'clean';
}
