/**
 * Inline suppressions, in anyarch's own syntax and in the syntaxes users already write:
 *
 *   # anyarch ignore=AA101,AA104 reason      the next instruction
 *   # anyarch global ignore=AA101            the whole file
 *   # hadolint ignore=DL3029                 the next instruction, for rules related to DL3029
 *   # hadolint global ignore=DL3029          the whole file
 *   # check=skip=FromPlatformFlagConstDisallowed   BuildKit: a parser directive (whole file) or a
 *                                            comment directly above an instruction
 *
 * `all` stands for every anyarch rule (anyarch ignore=all), every rule with a BuildKit
 * counterpart (check=skip=all) or every rule with a hadolint counterpart.
 */
import type { Dockerfile, Instruction } from '../dockerfile/ast.js';
import type { Finding, Rule } from '../rules/types.js';

export interface Suppressions {
  suppresses(f: Finding): boolean;
}

type Origin = 'anyarch' | 'hadolint' | 'buildkit';

interface Ignore {
  readonly origin: Origin;
  readonly ids: ReadonlySet<string>;
}

const ANYARCH_RE = /^anyarch\s+(global\s+)?ignore\s*=\s*(\S+)/i;
const HADOLINT_RE = /^hadolint\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,]+)/i;
const CHECK_RE = /^check\s*=\s*(.*)$/i;

function splitIds(s: string): Set<string> {
  return new Set(s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean));
}

function checkSkip(value: string): Set<string> | undefined {
  for (const part of value.split(';')) {
    const m = /^\s*skip\s*=\s*(.*)$/i.exec(part);
    if (m) return splitIds(m[1] as string);
  }
  return undefined;
}

function parseComment(text: string): { global: boolean; ignore: Ignore } | undefined {
  let m = ANYARCH_RE.exec(text);
  if (m) return { global: !!m[1], ignore: { origin: 'anyarch', ids: splitIds(m[2] as string) } };
  m = HADOLINT_RE.exec(text);
  if (m) return { global: !!m[1], ignore: { origin: 'hadolint', ids: splitIds(m[2] as string) } };
  m = CHECK_RE.exec(text);
  if (m) {
    const ids = checkSkip(m[1] as string);
    if (ids) return { global: false, ignore: { origin: 'buildkit', ids } };
  }
  return undefined;
}

function isBuildkitName(id: string): boolean {
  return /^[A-Z][a-z]+[A-Z]/.test(id);
}

function isHadolintId(id: string): boolean {
  return /^(DL|SC)\d+$/.test(id);
}

function matches(ig: Ignore, rule: Rule): boolean {
  const { ids, origin } = ig;
  if (origin === 'anyarch') return ids.has('all') || ids.has(rule.meta.id.toLowerCase()) || ids.has(rule.meta.name);
  const related = rule.meta.related.filter(origin === 'buildkit' ? isBuildkitName : isHadolintId);
  if (related.length === 0) return false;
  if (ids.has('all')) return true;
  return related.some((r) => ids.has(r.toLowerCase()));
}

export function collectSuppressions(file: Dockerfile, rules: readonly Rule[]): Suppressions {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const global: Ignore[] = [];
  for (const d of file.directives) {
    if (d.name === 'check') {
      const ids = checkSkip(d.value);
      if (ids) global.push({ origin: 'buildkit', ids });
    }
  }
  const local: { ins: Instruction; ignores: Ignore[] }[] = [];
  const directiveLines = new Set(file.directives.map((d) => d.range.start.line));
  for (const c of file.comments) {
    const p = parseComment(c.text);
    if (p?.global) global.push(p.ignore);
  }
  for (const ins of file.instructions) {
    const ignores: Ignore[] = [];
    for (const c of ins.comments) {
      if (directiveLines.has(c.range.start.line)) continue;
      const p = parseComment(c.text);
      if (p && !p.global) ignores.push(p.ignore);
    }
    if (ignores.length) local.push({ ins, ignores });
  }
  return {
    suppresses(f: Finding): boolean {
      const rule = byId.get(f.ruleId);
      if (!rule) return false;
      if (global.some((g) => matches(g, rule))) return true;
      const at = f.range.start.offset;
      return local.some(
        ({ ins, ignores }) =>
          at >= ins.range.start.offset && at <= ins.range.end.offset && ignores.some((g) => matches(g, rule)),
      );
    },
  };
}
