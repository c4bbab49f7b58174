/**
 * `anyarch deps [PATHS...]`: glue only. Flags to the library's `analyzeDeps` (which picks the npm
 * registry and its token as npm would, and the Python index from PIP_INDEX_URL), progress on a
 * terminal's standard error only, its run to a reporter, what could not be read to standard
 * error, and an outcome: a bug beats an unreadable input, which beats a failing target.
 */
import * as path from 'node:path';
import { analyzeDeps, type DepsOptions, type DepsRun } from '../../deps/analyze.js';
import { AnyarchError, isBug } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { errnoReason } from '../../fs/errno.js';
import { envFlag, showProgress, useColor, type Io, type Outcome } from '../io.js';
import { loadDepsReporter, type DepsFormat } from '../reporters/deps-types.js';
import { sanitize } from '../reporters/types.js';
import { packageVersion } from '../version.js';

export interface DepsCommandOptions {
  readonly paths: readonly string[];
  readonly platforms?: string;
  readonly dockerfile?: string;
  readonly libc?: string;
  readonly python?: string;
  readonly node?: string;
  readonly registry?: string;
  readonly indexUrl?: string;
  readonly offline: boolean;
  /** seconds one registry or index request may take */
  readonly timeout?: number;
  readonly format: DepsFormat;
  readonly output?: string;
  readonly color: boolean;
  /** tests: the parts and sources (default: the real ones) */
  readonly library?: Pick<DepsOptions, 'parts' | 'sources' | 'cacheDir'>;
}

function printError(io: Io, e: AnyarchError): void {
  io.stderr.write(`anyarch: ${sanitize(e.describe())}\n`);
  if (e.hint) io.stderr.write(`  hint: ${sanitize(e.hint)}\n`);
}

/** The outcome of a run: a bug beats an unreadable input, which beats a failing target. */
export function depsOutcome(run: DepsRun): Outcome {
  const errors = [...run.errors, ...run.reports.flatMap((r) => (r.error ? [r.error] : []))];
  if (errors.some(isBug)) return 'bug';
  if (errors.length) return 'input-error';
  return run.failing ? 'findings' : 'clean';
}

export async function deps(opts: DepsCommandOptions, io: Io): Promise<Outcome> {
  const progress = showProgress(io.stderr, io.env);
  let shown = false;
  const run = await analyzeDeps(opts.paths, {
    cwd: io.cwd,
    env: io.env,
    ...(opts.platforms !== undefined ? { platforms: opts.platforms } : {}),
    ...(opts.dockerfile !== undefined ? { dockerfile: opts.dockerfile } : {}),
    ...(opts.libc !== undefined ? { libc: opts.libc } : {}),
    ...(opts.python !== undefined ? { python: opts.python } : {}),
    ...(opts.node !== undefined ? { node: opts.node } : {}),
    // no --registry: npm's own choice (npm_config_registry, the project's and the user's .npmrc)
    ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
    ...(opts.indexUrl !== undefined ? { indexUrl: opts.indexUrl } : {}),
    offline: opts.offline || envFlag(io.env.ANYARCH_OFFLINE),
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
    ...opts.library,
    ...(progress
      ? {
          onProgress: (p) => {
            shown = true;
            io.stderr.write(`\ranyarch: ${p.lockfilesDone}/${p.lockfiles} lockfiles, ${p.requests} registry requests\u001b[K`);
          },
        }
      : {}),
  });
  if (shown) io.stderr.write('\r\u001b[K');

  const reporter = await loadDepsReporter(opts.format);
  const report = reporter.deps(run, { cwd: io.cwd, color: opts.output === undefined && useColor(io.stdout, io.env, opts.color), toolVersion: packageVersion() });
  if (opts.output !== undefined) {
    try {
      await writeFileAtomic(path.resolve(io.cwd, opts.output), report);
    } catch (e) {
      throw new AnyarchError('E_USAGE', `cannot write the report (--output): ${errnoReason(e)}`, undefined, { file: opts.output });
    }
  } else {
    io.stdout.write(report);
  }
  for (const e of run.errors) printError(io, e);
  for (const r of run.reports) if (r.error) printError(io, r.error.location?.file ? r.error : new AnyarchError(r.error.code, `${r.file}: ${r.error.message}`, r.error.hint));
  // unknown cells never fail the run: say so once on standard error, so a CI log shows it even under --format json
  const unknown = run.reports.flatMap((r) => r.packages.flatMap((p) => p.cells.filter((c) => c.status === 'unknown')));
  if (unknown.length) {
    io.stderr.write(`anyarch: ${unknown.length} cell${unknown.length === 1 ? '' : 's'} could not be told and do not count as failures (AA304), e.g. ${unknown[0]!.reason}\n`);
  }
  return depsOutcome(run);
}
