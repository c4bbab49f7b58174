/**
 * A table-driven tester for rules, in the shape of ESLint's RuleTester: valid cases must produce
 * nothing, invalid cases must produce exactly the listed message ids (and positions), fixes must
 * give the expected output, re-parse, check clean for the rule and be idempotent, and every
 * suggestion must re-parse.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits, checkSource, fixSource, type CheckOptions } from '../check/engine.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { parsePlatform, parsePlatformList } from '../platform/index.js';
import type { BaseImageFact } from './support/base-image-requirements.js';
import type { FixStyle, Rule } from './types.js';

export interface CaseOptions {
  /** target platforms, e.g. 'linux/amd64,linux/arm64' (the default) */
  readonly platforms?: string;
  readonly fixStyle?: FixStyle;
  readonly name?: string;
  /** what the registry says about base images: platforms, or an error message (AA114, AA115) */
  readonly baseImages?: Readonly<Record<string, readonly string[] | { readonly error: string }>>;
  /** the build machine's platform (default linux/amd64) */
  readonly buildPlatform?: string;
}

export type ValidCase = string | ({ readonly code: string } & CaseOptions);

export interface ExpectedError {
  readonly messageId: string;
  readonly line?: number;
  readonly column?: number;
  readonly endColumn?: number;
  readonly severity?: 'error' | 'warning' | 'info';
}

export interface InvalidCase extends CaseOptions {
  readonly code: string;
  readonly errors: readonly ExpectedError[];
  /** the text after --fix; null: no automatic fix; undefined: not checked */
  readonly output?: string | null;
  /** the texts after applying each suggestion, in order */
  readonly suggestions?: readonly string[];
}

function optionsOf(rule: Rule, c: CaseOptions): CheckOptions {
  const facts = new Map<string, BaseImageFact>();
  for (const [ref, v] of Object.entries(c.baseImages ?? {})) {
    facts.set(ref, 'error' in v ? { error: { code: 'E_REGISTRY', message: v.error } } : { platforms: (v as readonly string[]).map((p) => parsePlatform(p)) });
  }
  return {
    rules: [rule],
    platforms: parsePlatformList(c.platforms ?? 'linux/amd64,linux/arm64'),
    fixStyle: c.fixStyle ?? 'targetarch',
    buildPlatform: parsePlatform(c.buildPlatform ?? 'linux/amd64'),
    ...(c.baseImages ? { baseImages: facts } : {}),
  };
}

function title(code: string, c: CaseOptions): string {
  const one = code.replace(/\n/g, '⏎').slice(0, 90);
  return `${c.name ? `${c.name}: ` : ''}${one}${c.platforms ? ` [${c.platforms}]` : ''}${c.fixStyle ? ` (${c.fixStyle})` : ''}${c.baseImages ? ` {${Object.keys(c.baseImages).join(',')}}` : ''}`;
}

export function ruleTester(rule: Rule, cases: { valid: readonly ValidCase[]; invalid: readonly InvalidCase[] }): void {
  describe(`${rule.meta.id} ${rule.meta.name}`, () => {
    const seen = new Set<string>();
    const key = (code: string, c: CaseOptions): string => JSON.stringify([code, c.platforms, c.fixStyle, c.baseImages, c.buildPlatform]);
    for (const v of cases.valid) {
      const c = typeof v === 'string' ? { code: v } : v;
      const k = key(c.code, c);
      test(`valid: ${title(c.code, c)}`, () => {
        assert.ok(!seen.has(k), 'duplicate test case');
        seen.add(k);
        const r = checkSource(c.code, 'Dockerfile', optionsOf(rule, c));
        assert.equal(r.error, undefined, r.error?.describe());
        assert.deepEqual(
          r.findings.map((f) => `${f.messageId} ${f.range.start.line}:${f.range.start.column} ${f.message}`),
          [],
        );
      });
    }
    for (const c of cases.invalid) {
      const k = key(c.code, c);
      test(`invalid: ${title(c.code, c)}`, () => {
        assert.ok(!seen.has(k), 'duplicate test case');
        seen.add(k);
        const opts = optionsOf(rule, c);
        const r = checkSource(c.code, 'Dockerfile', opts);
        assert.equal(r.error, undefined, r.error?.describe());
        assert.equal(
          r.findings.length,
          c.errors.length,
          `expected ${c.errors.length} findings, got:\n${r.findings.map((f) => `  ${f.messageId} ${f.range.start.line}:${f.range.start.column} ${f.message}`).join('\n')}`,
        );
        c.errors.forEach((e, i) => {
          const f = r.findings[i];
          assert.ok(f);
          assert.equal(f.messageId, e.messageId);
          if (e.line !== undefined) assert.equal(f.range.start.line, e.line, `line of finding ${i}`);
          if (e.column !== undefined) assert.equal(f.range.start.column, e.column, `column of finding ${i}`);
          if (e.endColumn !== undefined) assert.equal(f.range.end.column, e.endColumn, `end column of finding ${i}`);
          if (e.severity !== undefined) assert.equal(f.severity, e.severity, `severity of finding ${i}`);
          const template = (rule.messages as Record<string, string>)[f.messageId] ?? '';
          for (const [, key] of template.matchAll(/\{(\w+)\}/g)) {
            assert.ok(!f.message.includes(`{${key}}`), `unfilled placeholder {${key}} in "${f.message}"`);
          }
        });
        if (c.output === null) {
          assert.ok(r.findings.every((f) => !f.fix), 'expected no automatic fix');
        } else if (c.output !== undefined) {
          const fixed = fixSource(c.code, 'Dockerfile', opts);
          assert.equal(fixed.output, c.output);
          parseDockerfile(fixed.output, 'Dockerfile');
          const after = checkSource(fixed.output, 'Dockerfile', opts);
          assert.deepEqual(
            after.findings.filter((f) => f.fix).map((f) => `${f.messageId} ${f.range.start.line}:${f.range.start.column}`),
            [],
            'the fixed text must check clean for the fixed findings',
          );
          assert.equal(fixSource(fixed.output, 'Dockerfile', opts).output, fixed.output, 'fix must be idempotent');
        }
        if (c.suggestions !== undefined) {
          const texts = r.findings.flatMap((f) => (f.suggestions ?? []).map((s) => applyEdits(c.code, [s.edits]).output));
          assert.deepEqual(texts, c.suggestions);
          for (const t of texts) parseDockerfile(t, 'Dockerfile');
        }
      });
    }
  });
}
