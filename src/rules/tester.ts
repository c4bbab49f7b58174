/**
 * A table-driven tester for rules, in the shape of ESLint's RuleTester: valid cases must produce
 * nothing, invalid cases must produce exactly the listed message ids (and positions), fixes must
 * give the expected output, re-parse, check clean for the rule and be idempotent, and every
 * suggestion must re-parse. An invalid case whose findings carry a fix must state its `output`
 * (`null` only when no finding has a fix); a fixable rule must show a fix in some case; the same
 * case twice is an error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits, checkSource, fixSource, type CheckOptions } from '../check/engine.js';
import type { ScriptReader } from '../dockerfile/scripts.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { formatPlatform, parsePlatform, parsePlatformList, type Platform } from '../platform/index.js';
import { installSites, nativeDepsKey, type NativeDepsFact, type NativeDepsFacts } from '../deps/dockerfile.js';
import type { Cell, LockfileKind, PackageReport } from '../deps/types.js';
import { buildModel } from '../dockerfile/model.js';
import type { BaseImageFact } from './support/base-image-requirements.js';
import type { Finding, FixStyle, Messages, Rule } from './types.js';

export interface CaseOptions {
  /** target platforms, e.g. 'linux/amd64,linux/arm64' (the default) */
  readonly platforms?: string;
  readonly fixStyle?: FixStyle;
  readonly name?: string;
  /** what the registry says about base images: platforms, or an error message (AA114, AA115) */
  readonly baseImages?: Readonly<Record<string, readonly string[] | { readonly error: string }>>;
  /** the build machine's platform (default linux/amd64) */
  readonly buildPlatform?: string;
  /** files of the build context (path → text): scripts a RUN executes are read as shell */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * What the analysers say about lockfiles (context path → native packages, each with its cells by
   * platform; a platform left out is `prebuilt`) for AA123, AA124: given to every install site that
   * reads that lockfile
   */
  readonly nativeDeps?: Readonly<Record<string, readonly TestPackage[]>>;
}

/** A native package of a case's lockfile: cells by platform (`linux/arm64`). */
export interface TestPackage {
  readonly name: string;
  readonly version: string;
  readonly cells: Readonly<Record<string, Cell>>;
  /** an optional dependency only (`PackageReport.optional`) */
  readonly optional?: boolean;
}

/** The facts a case's `nativeDeps` stands for: the sites of its Dockerfile given their lockfiles' packages. */
function nativeFacts(code: string, c: CaseOptions, platforms: readonly Platform[], build: Platform): NativeDepsFacts {
  const given = c.nativeDeps ?? {};
  const facts = new Map<string, NativeDepsFact>();
  const model = buildModel(parseDockerfile(code, 'Dockerfile'));
  for (const site of installSites(model, 'Dockerfile', platforms, { buildPlatform: build })) {
    const i = site.lockfiles.findIndex((l) => Object.hasOwn(given, l));
    if (i < 0) continue;
    const lockfile = site.lockfiles[i] as string;
    const packages: PackageReport[] = (given[lockfile] ?? []).map((p) => ({
      ecosystem: site.ecosystem,
      name: p.name,
      version: p.version,
      mechanism: site.ecosystem === 'npm' ? 'node-gyp' : 'wheels',
      cells: site.targets.map((t) => p.cells[formatPlatform(t.platform)] ?? { status: 'prebuilt', reason: 'a binary for this platform' }),
      ...(p.optional ? { optional: true } : {}),
    }));
    const kind = site.kinds[i] as LockfileKind;
    facts.set(nativeDepsKey('Dockerfile', site), { lockfile, report: { file: lockfile, kind, ecosystem: site.ecosystem, targets: site.targets, packages, total: packages.length, warnings: [] } });
  }
  return facts;
}

export type ValidCase = string | ({ readonly code: string } & CaseOptions);

export interface ExpectedError<Id extends string = string> {
  readonly messageId: Id;
  readonly line?: number;
  readonly column?: number;
  readonly endColumn?: number;
  readonly severity?: 'error' | 'warning' | 'info';
  /** the file the finding is in (default: the Dockerfile; a context script's path for findings in it) */
  readonly file?: string;
}

export interface InvalidCase<Id extends string = string> extends CaseOptions {
  readonly code: string;
  readonly errors: readonly ExpectedError<Id>[];
  /**
   * The text after --fix. Required when a finding carries a fix; `null` says that no finding has
   * one (and may be left out then). Never equal to `code`: that is `null`.
   */
  readonly output?: string | null;
  /** the texts after applying each suggestion, in order */
  readonly suggestions?: readonly string[];
}

const hasFix = (f: Finding): boolean => f.fix !== undefined && f.fix.length > 0;

function optionsOf(rule: Rule, c: CaseOptions, code = ''): CheckOptions {
  const facts = new Map<string, BaseImageFact>();
  for (const [ref, v] of Object.entries(c.baseImages ?? {})) {
    facts.set(ref, 'error' in v ? { error: { code: 'E_REGISTRY', message: v.error } } : { platforms: (v as readonly string[]).map((p) => parsePlatform(p)) });
  }
  const platforms = parsePlatformList(c.platforms ?? 'linux/amd64,linux/arm64');
  const buildPlatform = parsePlatform(c.buildPlatform ?? 'linux/amd64');
  return {
    rules: [rule],
    platforms,
    fixStyle: c.fixStyle ?? 'targetarch',
    buildPlatform,
    ...(c.baseImages ? { baseImages: facts } : {}),
    ...(c.nativeDeps ? { nativeDeps: nativeFacts(code, c, platforms, buildPlatform) } : {}),
  };
}

/** A reader of a case's context files. */
function readerOf(c: CaseOptions): ScriptReader | undefined {
  const files = c.files;
  if (!files) return undefined;
  return (p) => (Object.hasOwn(files, p) ? { path: p, text: files[p] as string } : undefined);
}

function title(code: string, c: CaseOptions): string {
  const one = code.replace(/\n/g, '⏎').slice(0, 90);
  return `${c.name ? `${c.name}: ` : ''}${one}${c.platforms ? ` [${c.platforms}]` : ''}${c.fixStyle ? ` (${c.fixStyle})` : ''}${c.baseImages ? ` {${Object.keys(c.baseImages).join(',')}}` : ''}`;
}

/** A fixable rule shows a fix in some invalid case; a rule that says it is not fixable in none. */
export function assertFixesShown(rule: Rule, invalid: readonly InvalidCase[]): void {
  const shown = invalid.filter((c) => typeof c.output === 'string').length;
  if (rule.meta.fixable) assert.ok(shown > 0, `${rule.meta.id} says it is fixable, but no invalid case states the output of a fix`);
  else assert.equal(shown, 0, `${rule.meta.id} says it is not fixable, but ${shown} case(s) state a fixed output`);
}

/** Checks a valid case: no finding, no error. Throws an AssertionError otherwise. */
export function assertValid(rule: Rule, v: ValidCase): void {
  const c = typeof v === 'string' ? { code: v } : v;
  const r = checkSource(c.code, 'Dockerfile', optionsOf(rule, c, c.code), readerOf(c));
  assert.equal(r.error, undefined, r.error?.describe());
  assert.deepEqual(
    r.findings.map((f) => `${f.messageId} ${f.range.start.line}:${f.range.start.column} ${f.message}`),
    [],
  );
}

/**
 * Checks an invalid case: the findings (ids, positions, severities, filled placeholders), the
 * stated output of --fix (re-parsed, clean, idempotent) or that there is no fix, and the
 * suggestions. Throws an AssertionError otherwise.
 */
export function assertInvalid(rule: Rule, c: InvalidCase): void {
  const opts = optionsOf(rule, c, c.code);
  const reader = readerOf(c);
  const r = checkSource(c.code, 'Dockerfile', opts, reader);
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
    assert.equal(f.file, e.file ?? 'Dockerfile', `file of finding ${i}`);
    const template = rule.messages[f.messageId] ?? '';
    for (const [, key] of template.matchAll(/\{(\w+)\}/g)) {
      assert.ok(!f.message.includes(`{${key}}`), `unfilled placeholder {${key}} in "${f.message}"`);
    }
  });
  if (c.output === undefined || c.output === null) {
    const fixes = r.findings.filter(hasFix).map((f) => `${f.messageId} ${f.range.start.line}:${f.range.start.column}`);
    assert.deepEqual(
      fixes,
      [],
      c.output === null ? 'expected no automatic fix' : 'a finding carries a fix: state the expected `output` of the case',
    );
  } else {
    assert.notEqual(c.output, c.code, '`output` equals `code`: write `output: null` when no fix is expected');
    const fixed = fixSource(c.code, 'Dockerfile', opts, reader);
    assert.equal(fixed.output, c.output);
    parseDockerfile(fixed.output, 'Dockerfile');
    const after = checkSource(fixed.output, 'Dockerfile', opts, reader);
    assert.deepEqual(
      after.findings.filter((f) => f.fix).map((f) => `${f.messageId} ${f.range.start.line}:${f.range.start.column}`),
      [],
      'the fixed text must check clean for the fixed findings',
    );
    assert.equal(fixSource(fixed.output, 'Dockerfile', opts, reader).output, fixed.output, 'fix must be idempotent');
  }
  if (c.suggestions !== undefined) {
    const texts = r.findings.flatMap((f) => (f.suggestions ?? []).map((s) => applyEdits(c.code, [s.edits]).output));
    assert.deepEqual(texts, c.suggestions);
    for (const t of texts) parseDockerfile(t, 'Dockerfile');
  }
}

/** Runs a rule's cases; the message ids of invalid cases are checked against the rule's messages. */
export function ruleTester<M extends Messages>(
  typed: Rule<M>,
  cases: { valid: readonly ValidCase[]; invalid: readonly InvalidCase<keyof M & string>[] },
): void {
  const rule: Rule = typed;
  describe(`${rule.meta.id} ${rule.meta.name}`, () => {
    test(rule.meta.fixable ? 'fixable: some invalid case shows its fix' : 'not fixable: no case expects a fix', () => {
      assertFixesShown(rule, cases.invalid);
    });
    const seen = new Set<string>();
    const key = (code: string, c: CaseOptions): string => JSON.stringify([code, c.platforms, c.fixStyle, c.baseImages, c.buildPlatform, c.files, c.nativeDeps]);
    for (const v of cases.valid) {
      const c = typeof v === 'string' ? { code: v } : v;
      const k = key(c.code, c);
      test(`valid: ${title(c.code, c)}`, () => {
        assert.ok(!seen.has(k), 'duplicate test case');
        seen.add(k);
        assertValid(rule, c);
      });
    }
    for (const c of cases.invalid) {
      const k = key(c.code, c);
      test(`invalid: ${title(c.code, c)}`, () => {
        assert.ok(!seen.has(k), 'duplicate test case');
        seen.add(k);
        assertInvalid(rule, c);
      });
    }
  });
}
