/**
 * `anyarch check`: glue between flags, the config file, the library (`checkPaths`) and a
 * reporter. Returns an Outcome; main.ts turns it into an exit code.
 */
import { defaultCacheDir } from '../../fs/cache.js';
import * as path from 'node:path';
import { checkPaths } from '../../check/check-paths.js';
import { ruleOptions, type CheckOptions } from '../../check/engine.js';
import { DEFAULT_FAIL_ON, checkOutcome, type FailOn } from '../../check/outcome.js';
import { AnyarchError } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { errnoReason } from '../../fs/errno.js';
import { parsePlatform, parsePlatformList, type Platform } from '../../platform/index.js';
import type { FixStyle, Rule } from '../../rules/types.js';
import { envFlag, showProgress, useColor, type Io, type Outcome, type OutStream } from '../io.js';
import { loadReporter } from '../reporters/index.js';
import type { Format } from '../reporters/types.js';
import { packageVersion } from '../version.js';
import { loadSettings, parseFlag } from './settings.js';

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
  /** seconds one registry request of the base-image lookup may take */
  readonly timeout?: number;
  /** --context: the build context directory (default: each Dockerfile's directory) */
  readonly context?: string;
}

export interface CheckDeps {
  /** the rule set (tests pass their own; default: the built-in rules) */
  readonly rules?: readonly Rule[];
}

export async function check(opts: CheckCommandOptions, io: Io, deps: CheckDeps = {}): Promise<Outcome> {
  if (opts.fix && opts.fixDryRun) throw new AnyarchError('E_USAGE', '--fix and --fix-dry-run cannot be used together', 'Use --fix-dry-run to preview, then --fix.');

  // Settings: flags beat the config file, which beats the defaults
  const rules = deps.rules ?? (await import('../../rules/index.js')).RULES;
  const config = await loadSettings(opts.config, io, rules);
  // the flag's or the config's value; without either the library's defaults apply
  const platforms: readonly Platform[] | undefined =
    opts.platforms !== undefined ? parseFlag('--platforms', () => parsePlatformList(opts.platforms as string)) : config?.platforms;
  // a rule named by --rule runs even when the config turns it off
  const selection = ruleOptions({ ...(opts.rule.length ? { only: opts.rule } : {}), disable: opts.disable, ...(config?.rules ? { severities: config.rules } : {}) }, rules, {
    only: '--rule',
    disable: '--disable',
  });
  const buildPlatform =
    opts.buildPlatform !== undefined ? parseFlag('--build-platform', () => parsePlatform(opts.buildPlatform as string)) : config?.buildPlatform;
  const checkOptions: CheckOptions = {
    ...(platforms ? { platforms } : {}),
    fixStyle: opts.fixStyle ?? config?.fixStyle ?? 'targetarch',
    ...selection,
    rules,
    ...(buildPlatform ? { buildPlatform } : {}),
    ...(opts.context !== undefined ? { context: opts.context } : {}),
  };
  const failOn = opts.failOn ?? config?.failOn ?? DEFAULT_FAIL_ON;
  const offline = opts.offline === true || config?.offline === true || envFlag(io.env.ANYARCH_OFFLINE);

  const run = await checkPaths(opts.paths, {
    cwd: io.cwd,
    ...(config?.ignore?.length ? { ignore: config.ignore, ignoreBase: config.dir } : {}),
    readStdin: (limit) => io.readStdin(limit),
    check: checkOptions,
    // --platforms names the platforms for every file; without it a per-architecture name chooses
    platformsFromFileNames: opts.platforms === undefined,
    ...(opts.fix ? { fix: 'apply' as const } : opts.fixDryRun ? { fix: 'preview' as const } : {}),
    baseImages: offline
      ? false
      : { insecureRegistries: opts.insecureRegistries ?? [], env: io.env, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}) },
    // AA123/AA124: the lockfiles install RUNs read, analysed as `anyarch deps` does (registries as npm and pip would pick them; offline: the cache only)
    nativeDeps: { offline, cacheDir: defaultCacheDir(io.env), env: io.env, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}) },
    onProgress: (p) => {
      if (!showProgress(io.stderr, io.env, opts.quiet)) return;
      if (p.step === 'base-images') io.stderr.write(`anyarch: reading the platforms of ${p.images} base image${p.images === 1 ? '' : 's'}…\n`);
      else io.stderr.write(`anyarch: analysing ${p.lockfiles} lockfile${p.lockfiles === 1 ? '' : 's'} for native dependencies…\n`);
    },
  });
  if (run.withoutBaseImages.length && !opts.quiet) {
    io.stderr.write(`anyarch: offline: base images were not checked for their platforms (${run.withoutBaseImages.join(', ')})\n`);
  }

  // With --fix-dry-run the diff goes to stdout (so it can be piped to `git apply`) and the report to stderr.
  const stream: OutStream = opts.fixDryRun ? io.stderr : io.stdout;
  const reporter = await loadReporter(opts.format);
  const report = reporter.check(run.results, {
    rules,
    summary: run.summary,
    sources: run.sources,
    cwd: io.cwd,
    color: opts.output === undefined && useColor(stream, io.env, opts.color),
    quiet: opts.quiet,
    toolVersion: packageVersion(),
    fixMode: opts.fix ? 'fix' : opts.fixDryRun ? 'dry-run' : 'none',
  });
  if (opts.fixDryRun && run.diffs.length) io.stdout.write(run.diffs.join(''));
  if (opts.output !== undefined) {
    try {
      await writeFileAtomic(path.resolve(io.cwd, opts.output), report);
    } catch (e) {
      throw new AnyarchError('E_USAGE', `cannot write the report (--output): ${errnoReason(e)}`, undefined, { file: opts.output });
    }
  } else if (report) {
    stream.write(report);
  }
  return checkOutcome(run, failOn);
}
