/**
 * The check engine: parse, model, run the selected rules, apply suppressions and severity
 * overrides, and apply fixes. Rules never see configuration, comments or the terminal.
 */
import type { Dockerfile, Range } from '../dockerfile/ast.js';
import { buildModel, type ContextScript, type Model } from '../dockerfile/model.js';
import type { ScriptReader } from '../dockerfile/scripts.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { rangeAt, splitBom } from '../dockerfile/text.js';
import { AnyarchError, isAnyarchError, thrownSummary } from '../errors.js';
import { builderPlatforms, hostPlatform, parsePlatformList, type Platform } from '../platform/index.js';
import { RULES } from '../rules/index.js';
import {
  docsUrl,
  type Edit,
  type Finding,
  type FixStyle,
  type ReportDescriptor,
  type Rule,
  type RuleContext,
  type Severity,
} from '../rules/types.js';
import type { BaseImageFacts } from '../rules/support/base-image-requirements.js';
import type { NativeDepsFacts } from '../deps/dockerfile.js';
import { contextReader } from './context.js';
import { collectSuppressions, type Suppressions } from './pragmas.js';

export type SeverityOverride = Severity | 'off';

export interface CheckOptions {
  /** target platforms; default linux/amd64 and linux/arm64 */
  readonly platforms?: readonly Platform[];
  readonly fixStyle?: FixStyle;
  /** run only these rules (ids or names) */
  readonly only?: readonly string[];
  /** never run these rules (ids or names) */
  readonly disable?: readonly string[];
  /** per-rule severity (ids or names); 'off' disables */
  readonly severities?: Readonly<Record<string, SeverityOverride>>;
  /** honour inline suppression comments (default true) */
  readonly pragmas?: boolean;
  /** the rule set (default: every built-in rule) */
  readonly rules?: readonly Rule[];
  /** the build machine's platform (default `defaultBuildPlatform()`: this machine's, as for the CLI and the base-image lookup) */
  readonly buildPlatform?: Platform;
  /** what registries said about the base images (AA114, AA115); absent: not looked up */
  readonly baseImages?: BaseImageFacts;
  /** what the ecosystem analysers said about the lockfiles install RUNs read (AA123, AA124); absent: not looked up */
  readonly nativeDeps?: NativeDepsFacts;
  /**
   * The build context: scripts of it that RUNs execute are read as shell too (`checkPaths`:
   * default each Dockerfile's directory; `checkSource`: none unless given, or a reader is passed).
   */
  readonly context?: string;
}

export interface FileResult {
  readonly file: string;
  readonly findings: readonly Finding[];
  /** a parse or input error: the file could not be checked */
  readonly error?: AnyarchError;
  /** findings removed by suppression comments */
  readonly suppressed: number;
  /** when the file's name chose the platforms it was checked for (`Dockerfile.aarch64`; src/check/file-platforms.ts) */
  readonly platforms?: { readonly platforms: readonly string[]; readonly from: 'file-name' | 'siblings' };
  /** build-context scripts its RUNs execute that were read and checked (paths as findings name them) with their text */
  readonly scripts?: readonly { readonly path: string; readonly text: string }[];
}

export const DEFAULT_PLATFORMS: readonly Platform[] = parsePlatformList('linux/amd64,linux/arm64');

/** `hostPlatform()`, worked out once. */
let hostDefault: Platform | undefined;
/** The build platform when none is given: this machine's (`hostPlatform()`, worked out once), for the check and the base-image lookup alike. */
export function defaultBuildPlatform(): Platform {
  return (hostDefault ??= hostPlatform());
}

const BY_START = (a: Finding, b: Finding): number =>
  a.range.start.offset - b.range.start.offset || a.ruleId.localeCompare(b.ruleId);

/** Resolves a rule reference (id or name, case-insensitive) to a rule id, or undefined. */
export function resolveRuleRef(ref: string, rules: readonly Rule[] = RULES): string | undefined {
  const r = ref.trim().toLowerCase();
  return rules.find((x) => x.meta.id.toLowerCase() === r || x.meta.name === r)?.meta.id;
}

/**
 * Resolves rule references (ids or names) to rule ids. An unknown one is an `AnyarchError`
 * (`code`, default E_USAGE) naming it and, when given, where it was written (`--rule`).
 */
export function resolveRuleRefs(
  refs: Iterable<string>,
  rules: readonly Rule[] = RULES,
  where?: string,
  code: 'E_USAGE' | 'E_CONFIG' = 'E_USAGE',
): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    const id = resolveRuleRef(ref, rules);
    if (!id) throw new AnyarchError(code, `unknown rule "${ref}"${where ? ` in ${where}` : ''}`, 'Run `anyarch rules` to list rule ids and names.');
    out.push(id);
  }
  return out;
}

export interface Selected {
  readonly rule: Rule;
  /** the user's severity for the rule (config or options), which beats the rule's own */
  readonly override: Severity | undefined;
}

/** The default options, one object so the rule selection below is worked out once for it. */
const NO_OPTIONS: CheckOptions = Object.freeze({});

/** Selection depends on the options alone: work it out once per options object. */
const selections = new WeakMap<CheckOptions, Selected[]>();

/** The rules `checkSource` runs for `opts`, in rule-set order (worked out once per options object). */
export function selectRules(opts: CheckOptions): Selected[] {
  let s = selections.get(opts);
  if (!s) {
    s = computeSelection(opts);
    selections.set(opts, s);
  }
  return s;
}

/** The one rule selection: every rule of the set, less those not in `only`, those in `disable` and those `severities` turns off. */
export function computeSelection(opts: CheckOptions): Selected[] {
  const all = opts.rules ?? RULES;
  const only = opts.only ? new Set(resolveRuleRefs(opts.only, all)) : undefined;
  const disabled = new Set(resolveRuleRefs(opts.disable ?? [], all));
  const sev = new Map<string, SeverityOverride>();
  for (const [ref, s] of Object.entries(opts.severities ?? {})) {
    const [id] = resolveRuleRefs([ref], all, 'rule settings', 'E_CONFIG');
    sev.set(id as string, s);
  }
  const out: Selected[] = [];
  for (const rule of all) {
    const id = rule.meta.id;
    if (only && !only.has(id)) continue;
    if (disabled.has(id)) continue;
    const s = sev.get(id);
    if (s === 'off') continue;
    out.push({ rule, override: s });
  }
  return out;
}

/**
 * The rule options of choices made by name (the command line's `--rule` and `--disable`) over
 * per-rule severities (a config file's): references resolved to ids, severity keys included (an
 * unknown one is an error naming where it was written: `E_USAGE` for `only`/`disable`,
 * `E_CONFIG` for `severities`), and a rule named in `only` is not turned off by `severities` —
 * naming a rule is the stronger wish.
 */
export function ruleOptions(
  choices: { readonly only?: readonly string[]; readonly disable?: readonly string[]; readonly severities?: Readonly<Record<string, SeverityOverride>> },
  rules: readonly Rule[] = RULES,
  where: { readonly only: string; readonly disable: string } = { only: 'only', disable: 'disable' },
): { only?: string[]; disable: string[]; severities: Record<string, SeverityOverride> } {
  const only = choices.only ? resolveRuleRefs(choices.only, rules, where.only) : undefined;
  const disable = resolveRuleRefs(choices.disable ?? [], rules, where.disable);
  // keys by id, whatever the configuration wrote (`AA101`, `aa101`, `arch-specific-path`)
  const severities: Record<string, SeverityOverride> = {};
  for (const [ref, s] of Object.entries(choices.severities ?? {})) severities[resolveRuleRefs([ref], rules, 'rule settings', 'E_CONFIG')[0] as string] = s;
  for (const id of only ?? []) if (severities[id] === 'off') delete severities[id];
  return { ...(only ? { only } : {}), disable, severities };
}

/** The selected rules (as `checkSource` runs them for `opts`) that need `fact` from outside the Dockerfile. */
export function rulesNeeding(opts: CheckOptions, fact: NonNullable<Rule['needs']>[number]): Rule[] {
  return selectRules(opts)
    .filter((s) => s.rule.needs?.includes(fact))
    .map((s) => s.rule);
}

function format(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (!data) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

/**
 * A rule that broke its contract (`E_RULE`) or failed (`E_INTERNAL`, what it threw as `cause`):
 * a bug of that rule, not of the Dockerfile.
 */
function brokenContract(rule: Rule, sentence: string, file: string, code: 'E_RULE' | 'E_INTERNAL' = 'E_RULE', cause?: unknown): AnyarchError {
  return new AnyarchError(
    code,
    sentence,
    `This is a bug in rule ${rule.meta.id} (${rule.meta.name}), not in the Dockerfile: please report it with the Dockerfile to the rule's authors (anyarch's issue tracker for a built-in rule).`,
    { file },
    cause === undefined ? undefined : { cause },
  );
}

/** A failure of anyarch itself while checking `file` (not in a rule): `E_INTERNAL`, what was thrown as `cause`. */
export function internalFailure(file: string, during: string, e: unknown): AnyarchError {
  if (isAnyarchError(e)) return e.location?.file ? e : new AnyarchError(e.code, e.message, e.hint, { ...e.location, file }, { cause: e.cause });
  return new AnyarchError(
    'E_INTERNAL',
    `${during} failed: ${thrownSummary(e)}`,
    'This is a bug in anyarch, not in the Dockerfile: please report it with the Dockerfile.',
    { file },
    { cause: e },
  );
}

/**
 * Runs rules over a parsed file. A rule that throws (a bug of that rule) does not stop the others:
 * its failure is returned in `error` (the first one, `E_RULE` or `E_INTERNAL`), beside the other
 * rules' findings.
 */
export function runRules(model: Model, opts: CheckOptions = NO_OPTIONS): { findings: Finding[]; suppressed: number; error?: AnyarchError } {
  const selected = selectRules(opts);
  const platforms = opts.platforms ?? DEFAULT_PLATFORMS;
  const fixStyle = opts.fixStyle ?? 'targetarch';
  const buildPlatform = opts.buildPlatform ?? defaultBuildPlatform();
  const builders = builderPlatforms(buildPlatform);
  const file = model.file;
  const findings: Finding[] = [];
  let error: AnyarchError | undefined;
  // a rule's gate looks at the scripts too: their commands are the RUN's
  const gateText = model.scripts.length ? [file.source, ...new Set(model.scripts.map((x) => x.file.text))].join('\n') : file.source;
  for (const { rule, override } of selected) {
    if (rule.gate && !rule.gate.test(gateText)) continue;
    const seen = new Set<string>();
    const ctx: RuleContext = {
      platforms,
      fixStyle,
      buildPlatform,
      builderPlatforms: builders,
      ...(opts.baseImages ? { baseImages: opts.baseImages } : {}),
      ...(opts.nativeDeps ? { nativeDeps: opts.nativeDeps } : {}),
      report(d: ReportDescriptor<string>) {
        const key = `${d.messageId}|${d.range.start.offset}|${d.range.end.offset}`;
        if (seen.has(key)) return;
        seen.add(key);
        const template = rule.messages[d.messageId];
        if (template === undefined) throw brokenContract(rule, `rule ${rule.meta.id} reported unknown message "${d.messageId}"`, file.path);
        // a rule's meta is its contract: reporters, docs and --fix trust `fixable`
        if (d.fix?.length && !rule.meta.fixable) {
          throw brokenContract(rule, `rule ${rule.meta.id} reported a fix for "${d.messageId}", but its meta says it is not fixable`, file.path);
        }
        findings.push({
          ruleId: rule.meta.id,
          ruleName: rule.meta.name,
          severity: override ?? d.severity ?? rule.meta.severity,
          message: format(template, d.data),
          messageId: d.messageId,
          file: file.path,
          range: d.range,
          docsUrl: docsUrl(rule.meta.id),
          ...(d.fix ? { fix: d.fix } : {}),
          ...(d.fixNote ? { fixNote: d.fixNote } : {}),
          ...(d.suggestions?.length ? { suggestions: d.suggestions } : {}),
          ...(d.platforms?.length ? { platforms: d.platforms } : {}),
        });
      },
    };
    try {
      rule.check(model, ctx);
    } catch (e) {
      error ??= isAnyarchError(e) ? e : brokenContract(rule, `rule ${rule.meta.id} (${rule.meta.name}) failed: ${thrownSummary(e)}`, file.path, 'E_INTERNAL', e);
    }
  }
  const placed = model.scripts.length ? placeInScripts(model, findings) : findings.map((f) => ({ finding: f, at: f }));
  let kept = placed;
  let suppressed = 0;
  if (opts.pragmas !== false) {
    const sup: Suppressions = collectSuppressions(file, opts.rules ?? RULES);
    // a finding in a script is suppressed by a comment on the RUN that executes it
    kept = placed.filter((p) => !sup.suppresses(p.at));
    suppressed = placed.length - kept.length;
  }
  kept.sort((a, b) => BY_START(a.at, b.at) || BY_START(a.finding, b.finding));
  if (model.scripts.length) {
    // a script several RUNs execute says the same thing once, named by the first RUN not suppressed
    const said = new Set<string>();
    kept = kept.filter(({ finding: f }) => {
      if (!f.via) return true;
      const key = `${f.ruleId}\0${f.messageId}\0${f.file}\0${f.range.start.offset}\0${f.range.end.offset}\0${f.message}`;
      if (said.has(key)) return false;
      said.add(key);
      return true;
    });
  }
  return { findings: kept.map((p) => p.finding), suppressed, ...(error ? { error } : {}) };
}

/** What anyarch says instead of a fix inside a script: it writes Dockerfiles only. */
export const SCRIPT_FIX_NOTE = 'the problem is in a script of the build context: anyarch fixes Dockerfiles only, so change the script by hand';

/**
 * Findings whose range lies in a context script (past the Dockerfile's end, see
 * `ContextScript`) moved to the script: its path, its own line and column, `via` the RUN that
 * executes it, no fix (anyarch writes Dockerfiles only); `at` is where a suppression comment
 * applies (the RUN, for a script's finding).
 */
function placeInScripts(model: Model, findings: readonly Finding[]): { finding: Finding; at: Finding }[] {
  const end = model.file.source.length;
  const runOf = new Map<ContextScript, Range>();
  for (const st of model.stages) {
    for (const ins of st.instructions) {
      if (ins.keyword !== 'run') continue;
      for (const src of model.shell(ins)) if (src.origin && !runOf.has(src.origin.script)) runOf.set(src.origin.script, ins.range);
    }
  }
  const outside = (edits: readonly Edit[] | undefined): boolean => (edits ?? []).some((e) => e.end > end || e.start > end);
  return findings.map((f) => {
    if (f.range.start.offset <= end) {
      // a fix in the Dockerfile must not reach into a script's offsets
      if (!outside(f.fix) && !(f.suggestions ?? []).some((x) => outside(x.edits))) return { finding: f, at: f };
      const { fix, suggestions, ...rest } = f;
      const kept = (suggestions ?? []).filter((x) => !outside(x.edits));
      const clean: Finding = {
        ...rest,
        ...(fix && !outside(fix) ? { fix } : {}),
        ...(outside(fix) && !rest.fixNote ? { fixNote: SCRIPT_FIX_NOTE } : {}),
        ...(kept.length ? { suggestions: kept } : {}),
      };
      return { finding: clean, at: f };
    }
    const script = model.scripts.find((x) => f.range.start.offset >= x.base && f.range.start.offset <= x.base + x.file.text.length);
    const run = script && runOf.get(script);
    if (!script || !run) return { finding: f, at: f };
    const s = f.range.start.offset - script.base;
    const e = Math.max(s, Math.min(f.range.end.offset - script.base, script.file.text.length));
    const { fix: _fix, suggestions: _suggestions, ...rest } = f;
    const moved: Finding = {
      ...rest,
      file: script.file.path,
      range: rangeAt(script.lineStarts, s, e),
      via: { file: model.file.path, line: run.start.line, column: run.start.column },
      ...(f.fix?.length || f.suggestions?.length || f.fixNote ? { fixNote: f.fixNote ? `${f.fixNote} (${SCRIPT_FIX_NOTE})` : SCRIPT_FIX_NOTE } : {}),
    };
    return { finding: moved, at: { ...f, range: run } };
  });
}


/**
 * Checks Dockerfile text. Parse errors are returned in `error`, never thrown; so is a failure of
 * anyarch or of a rule on this text (`E_INTERNAL`, `E_RULE`: a bug, `isBug`), beside the findings
 * of the rules that worked.
 */
export function checkSource(source: string, file: string, opts: CheckOptions = NO_OPTIONS, scripts?: ScriptReader): FileResult {
  let model: Model;
  try {
    const reader = scripts ?? (opts.context !== undefined ? contextReader(opts.context) : undefined);
    model = buildModel(parseDockerfile(source, file), reader ? { scripts: reader } : {});
  } catch (e) {
    return { file, findings: [], error: internalFailure(file, 'reading the Dockerfile', e), suppressed: 0 };
  }
  const { findings, suppressed, error } = runRules(model, opts);
  // a script two RUNs execute is placed twice (once per RUN), and listed once
  const read = [...new Map(model.scripts.map((x) => [x.file.path, { path: x.file.path, text: x.file.text }])).values()];
  return { file, findings, suppressed, ...(read.length ? { scripts: read } : {}), ...(error ? { error } : {}) };
}

/** Applies non-overlapping edit groups; identical edits from several findings apply once. */
export function applyEdits(source: string, groups: readonly (readonly Edit[])[]): { output: string; applied: number[] } {
  const accepted: Edit[] = [];
  const applied: number[] = [];
  const overlaps = (a: Edit, b: Edit): boolean =>
    (a.start < b.end && b.start < a.end) || (a.start === b.start && (a.start === a.end || b.start === b.end));
  const same = (a: Edit, b: Edit): boolean => a.start === b.start && a.end === b.end && a.text === b.text;
  groups.forEach((edits, gi) => {
    const fresh = edits.filter((e) => !accepted.some((a) => same(a, e)));
    if (fresh.some((e) => accepted.some((a) => overlaps(a, e)))) return;
    // edits inside one group must not overlap each other either
    for (let i = 0; i < fresh.length; i++) {
      for (let j = i + 1; j < fresh.length; j++) if (overlaps(fresh[i] as Edit, fresh[j] as Edit)) return;
    }
    accepted.push(...fresh);
    applied.push(gi);
  });
  accepted.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = source;
  for (const e of accepted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { output: out, applied };
}

export interface FixResult {
  /** the fixed text (equal to the input when nothing was fixed) */
  readonly output: string;
  /** findings whose fix was applied, over all passes */
  readonly fixed: readonly Finding[];
  /** the result of checking the fixed text */
  readonly result: FileResult;
  readonly passes: number;
}

/** The most passes --fix makes (ESLint makes 10 too). */
export const MAX_FIX_PASSES = 10;

/**
 * Applies every safe fix, re-checking after each pass until nothing changes. A pass whose output
 * no longer parses is dropped (and that is reported as a bug, since fixes must keep syntax).
 */
export function fixSource(input: string, file: string, opts: CheckOptions = NO_OPTIONS, scripts?: ScriptReader): FixResult {
  // Edits refer to the text without a byte-order mark (the parser drops it); keep it on output.
  const { bom, source } = splitBom(input);
  let current = source;
  const fixed: Finding[] = [];
  const reader = scripts ?? (opts.context !== undefined ? contextReader(opts.context) : undefined);
  let result = checkSource(current, file, opts, reader);
  let passes = 0;
  while (!result.error && passes < MAX_FIX_PASSES) {
    const fixable = result.findings.filter((f) => f.fix && f.fix.length);
    if (!fixable.length) break;
    const { output, applied } = applyEdits(current, fixable.map((f) => f.fix as readonly Edit[]));
    if (output === current) break;
    const next = checkSource(output, file, opts, reader);
    // a rule that failed on the fixed text: nothing is written, the failure is the file's
    if (next.error && next.error.code !== 'E_PARSE') throw next.error;
    if (next.error) {
      throw new AnyarchError(
        'E_FIX',
        `a fix produced a Dockerfile that does not parse (${next.error.message}); nothing was written`,
        'This is a bug in anyarch: please report it with the Dockerfile.',
        { file },
      );
    }
    for (const i of applied) fixed.push(fixable[i] as Finding);
    current = output;
    result = next;
    passes++;
  }
  return { output: bom + current, fixed, result, passes };
}

/** A range covering a whole line (for file-level findings). */
export function lineRange(df: Dockerfile, line: number): Range {
  const start = df.lineStarts[line - 1] ?? 0;
  const next = df.lineStarts[line];
  const end = next === undefined ? df.source.length : next - 1;
  return rangeAt(df.lineStarts, start, end);
}
