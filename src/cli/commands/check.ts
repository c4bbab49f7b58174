/**
 * `anyarch check`: glue between the library (config, discovery, engine) and a reporter.
 * Returns an Outcome; main.ts turns it into an exit code.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { discoverDockerfiles } from '../../check/discover.js';
import { DEFAULT_PLATFORMS, checkSource, fixSource, resolveRuleRef, type CheckOptions, type FileResult, type SeverityOverride } from '../../check/engine.js';
import { decodeDockerfile } from '../../check/input.js';
import { findConfig, loadConfig, type Config, type FailOn } from '../../config.js';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import { hostPlatform, parsePlatform, parsePlatformList, type Platform } from '../../platform/index.js';
import type { BaseImageFacts } from '../../rules/support/base-image-requirements.js';
import type { Finding, FixStyle, Rule, Severity } from '../../rules/types.js';
import { envFlag, errnoReason, showProgress, useColor, writeFileAtomic, type Io, type Outcome, type OutStream } from '../io.js';
import { loadReporter } from '../reporters/index.js';
import { posixPath, type Format } from '../reporters/types.js';
import { summarize } from '../summary.js';
import { packageVersion } from '../version.js';

export interface CheckCommandOptions {
  /** files, directories or glob patterns; `-` reads standard input; none: the current directory */
  readonly paths: readonly string[];
  readonly platforms?: string;
  readonly format: Format;
  readonly failOn?: FailOn;
  /** --rule: only these rules (ids or names) */
  readonly rule: readonly string[];
  readonly disable: readonly string[];
  readonly fix: boolean;
  readonly fixDryRun: boolean;
  readonly fixStyle?: FixStyle;
  /** a file, false for --no-config, undefined to search */
  readonly config?: string | false;
  readonly color: boolean;
  readonly quiet: boolean;
  readonly output?: string;
  /** --offline: do not ask registries which platforms base images publish (AA114, AA115) */
  readonly offline?: boolean;
  /** registries that may be spoken to over plain HTTP (loopback always may) */
  readonly insecureRegistries?: readonly string[];
  /** the build machine's platform (default: this machine's) */
  readonly buildPlatform?: string;
}

export interface CheckDeps {
  /** the rule set (tests pass their own; default: the built-in rules) */
  readonly rules?: readonly Rule[];
}

/** The default --fail-on: like hadolint's failure-threshold, any finding fails. */
export const DEFAULT_FAIL_ON: FailOn = 'warning';
export const STDIN_NAME = '<stdin>';

const RANK: Readonly<Record<Severity, number>> = { info: 1, warning: 2, error: 3 };

/** True when a finding of `severity` makes the run fail under `failOn`. */
export function failsOn(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn];
}

function relativeForDisplay(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

async function loadSettings(opts: CheckCommandOptions, io: Io, rules: readonly Rule[]): Promise<Config | undefined> {
  if (opts.config === false) return undefined;
  const file = opts.config ? path.resolve(io.cwd, opts.config) : await findConfig(io.cwd);
  if (!file) return undefined;
  return loadConfig(file, { rules, displayPath: relativeForDisplay(io.cwd, file) });
}

function resolveRefs(refs: readonly string[], flag: string, rules: readonly Rule[]): string[] {
  return refs.map((ref) => {
    const id = resolveRuleRef(ref, rules);
    if (!id) throw new AnyarchError('E_USAGE', `unknown rule "${ref}" in ${flag}`, 'Run `anyarch rules` to list rule ids and names.');
    return id;
  });
}

function errorResult(file: string, error: AnyarchError): FileResult {
  return { file, findings: [], error, suppressed: 0 };
}

function readError(file: string, e: unknown): AnyarchError {
  return new AnyarchError('E_INPUT', `cannot read file: ${errnoReason(e)}`, undefined, { file });
}

/**
 * The text the rules see: decoded (AnyarchError E_INPUT when it is not a Dockerfile's text) and
 * without a byte order mark — positions refer to it; the mark is kept to write a fix back.
 */
function sourceText(bytes: Uint8Array, file: string): { bom: string; source: string } {
  const text = decodeDockerfile(bytes, file);
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  return { bom, source: bom ? text.slice(1) : text };
}

interface FileOutcome {
  result: FileResult;
  /** the text the result's positions refer to */
  source?: string;
  fixed: readonly Finding[];
  /** unified diff for --fix-dry-run */
  diff?: string;
  bug?: boolean;
}

async function checkOne(
  file: string,
  bytes: Uint8Array | AnyarchError,
  opts: CheckCommandOptions,
  checkOptions: CheckOptions,
  io: Io,
): Promise<FileOutcome> {
  if (bytes instanceof AnyarchError) return { result: errorResult(file, bytes), fixed: [] };
  let bom: string;
  let source: string;
  try {
    ({ bom, source } = sourceText(bytes, file));
  } catch (e) {
    if (isAnyarchError(e)) return { result: errorResult(file, e), fixed: [] };
    throw e;
  }
  if (!opts.fix && !opts.fixDryRun) {
    return { result: checkSource(source, file, checkOptions), source, fixed: [] };
  }
  let fixed;
  try {
    fixed = fixSource(source, file, checkOptions);
  } catch (e) {
    if (isAnyarchError(e) && e.code === 'E_FIX') return { result: errorResult(file, e), source, fixed: [], bug: true };
    throw e;
  }
  const out: FileOutcome = { result: fixed.result, source: fixed.output, fixed: fixed.fixed };
  if (fixed.output === source) return out;
  if (opts.fixDryRun) {
    const name = posixPath(file);
    const { createTwoFilesPatch } = await import('diff');
    out.diff = createTwoFilesPatch(`a/${name}`, `b/${name}`, source, fixed.output, undefined, undefined, { context: 3 })
      .split('\n')
      .filter((l, i) => !(i === 0 && /^=+$/.test(l)))
      .join('\n');
  } else {
    try {
      await writeFileAtomic(path.resolve(io.cwd, file), bom + fixed.output);
    } catch (e) {
      return { result: errorResult(file, new AnyarchError('E_INPUT', `cannot write the fixed file: ${errnoReason(e)}`, undefined, { file })), source, fixed: [] };
    }
  }
  return out;
}

/** Parses every readable input, collects its base images and looks them up (cache, then registry). */
async function lookUpBaseImages(
  inputs: readonly { file: string; bytes: Uint8Array | AnyarchError }[],
  checkOptions: CheckOptions,
  opts: CheckCommandOptions,
  io: Io,
): Promise<BaseImageFacts> {
  const [{ buildModel }, { parseDockerfile }, { baseImageRequirements }, { resolveBaseImages, defaultCacheDir }, { RegistryClient }, { resolveCredential }] = await Promise.all([
    import('../../dockerfile/model.js'),
    import('../../dockerfile/parser.js'),
    import('../../rules/support/base-image-requirements.js'),
    import('../../check/base-image-lookup.js'),
    import('../../registry/client.js'),
    import('../../registry/credentials.js'),
  ]);
  const references = new Set<string>();
  for (const { file, bytes } of inputs) {
    if (bytes instanceof AnyarchError) continue;
    try {
      const model = buildModel(parseDockerfile(sourceText(bytes, file).source, file));
      for (const r of baseImageRequirements(model, checkOptions.platforms ?? DEFAULT_PLATFORMS, checkOptions.buildPlatform ?? hostPlatform())) references.add(r.reference);
    } catch (e) {
      if (!isAnyarchError(e)) throw e; // the check reports unreadable files itself
    }
  }
  if (references.size === 0) return new Map();
  const progress = showProgress(io.stderr, io.env, opts.quiet);
  if (progress) io.stderr.write(`anyarch: reading the platforms of ${references.size} base image${references.size === 1 ? '' : 's'}…\n`);
  const client = new RegistryClient({
    insecureRegistries: opts.insecureRegistries ?? [],
    credentials: (registry) => resolveCredential(registry, { env: io.env as NodeJS.ProcessEnv }),
  });
  return resolveBaseImages(references, { client, cacheDir: defaultCacheDir(io.env) });
}

export async function check(opts: CheckCommandOptions, io: Io, deps: CheckDeps = {}): Promise<Outcome> {
  if (opts.fix && opts.fixDryRun) throw new AnyarchError('E_USAGE', '--fix and --fix-dry-run cannot be used together', 'Use --fix-dry-run to preview, then --fix.');
  const readsStdin = opts.paths.includes('-');
  if (readsStdin && opts.fix) throw new AnyarchError('E_USAGE', '--fix cannot rewrite standard input', 'Use --fix-dry-run to see the changes as a diff.');

  const rules = deps.rules ?? (await import('../../rules/index.js')).RULES;
  const config = await loadSettings(opts, io, rules);

  let platforms: readonly Platform[] = config?.platforms ?? DEFAULT_PLATFORMS;
  if (opts.platforms !== undefined) {
    try {
      platforms = parsePlatformList(opts.platforms);
    } catch (e) {
      if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `--platforms: ${e.message}`, e.hint);
      throw e;
    }
  }
  const only = opts.rule.length ? resolveRefs(opts.rule, '--rule', rules) : undefined;
  const disable = resolveRefs(opts.disable, '--disable', rules);
  // --rule names rules explicitly: they run even when the config turns them off
  const severities: Record<string, SeverityOverride> = { ...(config?.rules ?? {}) };
  for (const id of only ?? []) if (severities[id] === 'off') delete severities[id];
  let buildPlatform = config?.buildPlatform ?? hostPlatform();
  if (opts.buildPlatform !== undefined) {
    try {
      buildPlatform = parsePlatform(opts.buildPlatform);
    } catch (e) {
      if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `--build-platform: ${e.message}`, e.hint);
      throw e;
    }
  }
  let checkOptions: CheckOptions = {
    platforms,
    fixStyle: opts.fixStyle ?? config?.fixStyle ?? 'targetarch',
    ...(only ? { only } : {}),
    disable,
    severities,
    rules,
    buildPlatform,
  };
  const failOn = opts.failOn ?? config?.failOn ?? DEFAULT_FAIL_ON;

  // Which files
  const inputs = opts.paths.filter((p) => p !== '-');
  const discovery =
    inputs.length || !readsStdin
      ? await discoverDockerfiles(inputs, {
          cwd: io.cwd,
          ...(config?.ignore?.length ? { ignore: config.ignore, ignoreBase: config.dir } : {}),
        })
      : { files: [], errors: [] };

  const outcomes: FileOutcome[] = [];
  for (const e of discovery.errors) outcomes.push({ result: errorResult(e.location?.file ?? '', e), fixed: [] });
  const toCheck: { file: string; bytes: Uint8Array | AnyarchError }[] = [];
  if (readsStdin) {
    let bytes: Uint8Array | AnyarchError;
    try {
      bytes = await io.readStdin();
    } catch (e) {
      bytes = readError(STDIN_NAME, e);
    }
    toCheck.push({ file: STDIN_NAME, bytes });
  }
  for (const file of discovery.files) {
    let bytes: Uint8Array | AnyarchError;
    try {
      // synchronous: thousands of small reads cost far less without a promise each
      bytes = readFileSync(path.resolve(io.cwd, file));
    } catch (e) {
      bytes = readError(file, e);
    }
    toCheck.push({ file, bytes });
  }

  // Base images: ask registries (or the cache) which platforms they publish, before the check
  const baseRules = rules.filter((r) => r.needs?.includes('baseImages') && (!only || only.includes(r.meta.id)) && !disable.includes(r.meta.id) && severities[r.meta.id] !== 'off');
  if (baseRules.length) {
    const offline = opts.offline === true || config?.offline === true || envFlag(io.env.ANYARCH_OFFLINE);
    if (offline) {
      if (!opts.quiet) io.stderr.write(`anyarch: offline: base images were not checked for their platforms (${baseRules.map((r) => r.meta.id).join(', ')})\n`);
    } else {
      const facts = await lookUpBaseImages(toCheck, checkOptions, opts, io);
      checkOptions = { ...checkOptions, baseImages: facts };
    }
  }

  for (const { file, bytes } of toCheck) outcomes.push(await checkOne(file, bytes, opts, checkOptions, io));
  outcomes.sort((a, b) => (a.result.file < b.result.file ? -1 : a.result.file > b.result.file ? 1 : 0));

  // Report
  const results = outcomes.map((o) => o.result);
  const fixedProblems = outcomes.reduce((n, o) => n + o.fixed.length, 0);
  const fixedFiles = outcomes.filter((o) => o.fixed.length > 0).length;
  const summary = summarize(results, { problems: fixedProblems, files: fixedFiles });
  const sources = new Map<string, string>();
  for (const o of outcomes) if (o.source !== undefined) sources.set(o.result.file, o.source);

  // With --fix-dry-run the diff goes to stdout (so it can be piped to `git apply`) and the report to stderr.
  const stream: OutStream = opts.fixDryRun ? io.stderr : io.stdout;
  const reporter = await loadReporter(opts.format);
  const report = reporter.report(results, {
    rules,
    summary,
    sources,
    cwd: io.cwd,
    color: opts.output === undefined && useColor(stream, io.env, opts.color),
    quiet: opts.quiet,
    toolVersion: packageVersion(),
    fixMode: opts.fix ? 'fix' : opts.fixDryRun ? 'dry-run' : 'none',
  });
  if (opts.fixDryRun) {
    const diffs = outcomes.map((o) => o.diff).filter((d): d is string => d !== undefined);
    if (diffs.length) io.stdout.write(diffs.join(''));
  }
  if (opts.output !== undefined) {
    try {
      await writeFileAtomic(path.resolve(io.cwd, opts.output), report);
    } catch (e) {
      throw new AnyarchError('E_USAGE', `cannot write the report (--output): ${errnoReason(e)}`, undefined, { file: opts.output });
    }
  } else if (report) {
    stream.write(report);
  }

  if (outcomes.some((o) => o.bug)) return 'bug';
  if (summary.unreadable > 0) return 'input-error';
  if (results.some((r) => r.findings.some((f) => failsOn(f.severity, failOn)))) return 'findings';
  return 'clean';
}
