/**
 * The native-dependency step before a check, for AA123/AA124: find each Dockerfile's install
 * sites (`installSites`, the function the rules use, so what is looked up is exactly what is
 * checked), read the lockfile each reads from the build context (bounded, never outside it), and
 * ask the ecosystem analysers (`anyarch deps`'s) what every target platform gets. Facts are keyed
 * by `nativeDepsKey(file, site)`. A Dockerfile whose text names no package manager costs nothing
 * (no parse, no read); a lockfile that cannot be read (a directory, a FIFO or device, never
 * opened; a symbolic link out of the context, never followed; too large; not UTF-8) or analysed
 * becomes a fact with an error, never an exception; a lockfile that is not there has no fact.
 */
import * as path from 'node:path';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { installSites, nativeDepsKey, INSTALL_GATE, type InstallSiteFacts, type NativeDepsFact, type NativeDepsFacts } from '../deps/dockerfile.js';
import type { DepsTarget, LockfileKind, LockfileReport, RequirementsInclude } from '../deps/types.js';
import { buildModel } from '../dockerfile/model.js';
import { eachLimited } from '../net/retry.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { formatPlatform, type Platform } from '../platform/index.js';
import { contextFiles, readContextFile } from './context.js';
import { DEFAULT_PLATFORMS, defaultBuildPlatform } from './engine.js';

/** The largest lockfile read (a monorepo's package-lock.json runs to tens of MiB). */
export const MAX_LOCKFILE_BYTES = 128 * 1024 * 1024;
/** At most this many lockfiles are read for one Dockerfile. */
export const MAX_LOCKFILES = 64;

/** One lockfile to analyse: its text, its kind as the install site names it, and the site's targets. */
export interface NativeDepsInput {
  /** the lockfile as findings name it (relative to the working directory) */
  readonly lockfile: string;
  readonly text: string;
  readonly kind: LockfileKind;
  readonly targets: readonly DepsTarget[];
  /** a requirements.txt's `-r`/`-c` files, read from the build context relative to it (never outside it) */
  readonly include?: RequirementsInclude;
}

/**
 * Reads and analyses one lockfile (`anyarch deps`'s readers and analysers: `readLockfile`, then
 * `analyzeLockfileReport` with the metadata sources). Throws `AnyarchError` (E_LOCKFILE) for a
 * lockfile that cannot be read: the lookup keeps that as the fact's error.
 */
export type NativeDepsAnalyser = (input: NativeDepsInput) => Promise<LockfileReport>;

/** Where `depsAnalyser` takes its answers from. */
export interface DepsAnalyserOptions {
  /** the directory whose .npmrc names the npm registry (with the user's), when `registry` is not given */
  readonly cwd: string;
  /** npm_config_*, PIP_INDEX_URL, HOME, the cache directory's variables (default `process.env`) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** anyarch's cache directory (registry and index answers are cached there); default `defaultCacheDir(env)` */
  readonly cacheDir?: string;
  /** answer from the cache only */
  readonly offline: boolean;
  /** the npm registry (default npm's configured one for `cwd`, else https://registry.npmjs.org/) */
  readonly registry?: string;
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** how long one registry or index request may take before it is retried */
  readonly timeoutMs?: number;
}

/**
 * `anyarch deps`'s readers and analysers as a `NativeDepsAnalyser` (`lockfileAnalyser` of
 * src/deps/analyze.ts): the npm registry and the Python index a lockfile names, opened on first
 * use, cached, offline from the cache alone. Loaded only when a lockfile is analysed.
 */
export async function depsAnalyser(opts: DepsAnalyserOptions): Promise<NativeDepsAnalyser> {
  const { lockfileAnalyser } = await import('../deps/analyze.js');
  return lockfileAnalyser(opts);
}

export interface LookUpNativeDepsOptions {
  /** target platforms (default `DEFAULT_PLATFORMS`, as the check's) */
  readonly platforms?: readonly Platform[];
  /** the build machine's platform (default `defaultBuildPlatform()`) */
  readonly buildPlatform?: Platform;
  /** the analyser; without one nothing is looked up (no facts: AA123/AA124 say nothing) */
  readonly analyse?: NativeDepsAnalyser;
  /** lockfiles analysed at once (default 4) */
  readonly concurrency?: number;
  /** called once before any lockfile is analysed, with how many there are (none: not called) */
  readonly onStart?: (lockfiles: number) => void;
}

/** A Dockerfile to look up: its text (no byte order mark), its own platforms, its build context. */
export interface NativeDepsDockerfile {
  readonly file: string;
  readonly source: string;
  /** this file's own platforms (a per-architecture name), else `opts.platforms` */
  readonly platforms?: readonly Platform[];
  /** the build context directory (absolute); none (standard input): nothing is read */
  readonly context?: string;
  /** the working directory lockfile names are shown against (default the process's) */
  readonly cwd?: string;
}

/** Does the text name a package manager at all? The whole step is skipped otherwise. */
export function mayInstall(source: string): boolean {
  return INSTALL_GATE.test(source);
}

interface Job {
  readonly keys: string[];
  readonly input: NativeDepsInput;
}

function errorReport(input: Pick<NativeDepsInput, 'lockfile' | 'kind' | 'targets'>, site: InstallSiteFacts, e: unknown): LockfileReport {
  if (!isAnyarchError(e)) throw e;
  return { file: input.lockfile, kind: input.kind, ecosystem: site.ecosystem, targets: input.targets, packages: [], total: 0, warnings: [], error: e };
}

/**
 * A reader of the lockfiles of one build context (each path read once, at most `MAX_LOCKFILES`):
 * the file as findings name it and its text, an `E_INPUT` error naming why it cannot be read, or
 * undefined when nothing is there.
 */
function lockfileReader(dir: string, shown: (contextPath: string) => string): (contextPath: string) => { path: string; text: string } | AnyarchError | undefined {
  return contextFiles(dir, { maxBytes: MAX_LOCKFILE_BYTES, maxFiles: MAX_LOCKFILES }, (contextPath, got) =>
    'text' in got
      ? { path: shown(contextPath), text: got.text }
      : 'unreadable' in got
        ? new AnyarchError('E_INPUT', `cannot be read: ${got.unreadable}`, 'An install RUN reads this lockfile from the build context: it must be a regular file there.', { file: shown(contextPath) })
        : undefined,
  );
}

/**
 * The files a requirements.txt at `contextPath` of the context `dir` includes (`-r`, `-c`): read
 * from the context relative to the including file, never outside it; an absolute path names a
 * file of the image, which the context does not show.
 */
function contextIncludes(dir: string, contextPath: string, shown: (contextPath: string) => string): RequirementsInclude {
  const contextOf = new Map([[shown(contextPath), contextPath]]);
  return (ref, from) => {
    if (ref.startsWith('/')) return { error: `${ref} is a path in the image, not in the build context; not followed` };
    const at = path.posix.join(path.posix.dirname(contextOf.get(from) ?? contextPath), ref);
    if (at === '..' || at.startsWith('../')) return { error: `${ref} is outside the build context; not followed` };
    const got = readContextFile(dir, at, MAX_LOCKFILE_BYTES);
    if ('absent' in got) return { error: `${shown(at)} is not in the build context` };
    if ('unreadable' in got) return { error: `${shown(at)}: ${got.unreadable}` };
    contextOf.set(shown(at), at);
    return { file: shown(at), text: got.text };
  };
}

/**
 * What the analysers say about the lockfiles the install RUNs of `dockerfiles` read. A file that
 * does not parse is skipped (the check reports it); a site whose lockfile is not in the context
 * has no fact.
 */
export async function lookUpNativeDeps(dockerfiles: Iterable<NativeDepsDockerfile>, opts: LookUpNativeDepsOptions = {}): Promise<NativeDepsFacts> {
  const analyse = opts.analyse;
  if (!analyse) return new Map();
  const platforms = opts.platforms ?? DEFAULT_PLATFORMS;
  const buildPlatform = opts.buildPlatform ?? defaultBuildPlatform();
  // one job per lockfile and set of targets: two sites that meet the same targets share the analysis
  const jobs = new Map<string, Job>();
  const sites = new Map<string, InstallSiteFacts>();
  // lockfiles that cannot be read: facts with the error, no analysis
  const out = new Map<string, NativeDepsFact>();
  for (const d of dockerfiles) {
    if (!d.context || !mayInstall(d.source)) continue;
    let found: readonly InstallSiteFacts[];
    try {
      found = installSites(buildModel(parseDockerfile(d.source, d.file)), d.file, d.platforms ?? platforms, { buildPlatform });
    } catch {
      continue;
    }
    if (!found.length) continue;
    const cwd = d.cwd ?? process.cwd();
    const dir = d.context;
    const shown = (p: string): string => {
      const rel = path.relative(cwd, path.join(dir, p));
      return rel.startsWith('..') || path.isAbsolute(rel) ? path.join(dir, p) : rel;
    };
    const read = lockfileReader(dir, shown);
    for (const site of found) {
      if (!site.targets.length) continue;
      for (let i = 0; i < site.lockfiles.length; i++) {
        const file = read(site.lockfiles[i] as string);
        if (!file) continue;
        const key = nativeDepsKey(d.file, site);
        if (file instanceof AnyarchError) {
          const lockfile = file.location?.file as string;
          out.set(key, { lockfile, report: errorReport({ lockfile, kind: site.kinds[i] as LockfileKind, targets: site.targets }, site, file) });
          break;
        }
        const jobKey = `${file.path}\0${JSON.stringify(site.targets.map((t) => [formatPlatform(t.platform), t.libc, t.libcVersion, t.python, t.node, t.toolchain]))}`;
        const job = jobs.get(jobKey);
        if (job) job.keys.push(key);
        else {
          const kind = site.kinds[i] as LockfileKind;
          const include = kind === 'requirements' ? { include: contextIncludes(dir, site.lockfiles[i] as string, shown) } : {};
          jobs.set(jobKey, { keys: [key], input: { lockfile: file.path, text: file.text, kind, targets: site.targets, ...include } });
        }
        sites.set(key, site);
        break;
      }
    }
  }
  if (!jobs.size) return out;
  opts.onStart?.(jobs.size);
  await eachLimited(jobs.values(), opts.concurrency ?? 4, async (job) => {
    const site = sites.get(job.keys[0] as string) as InstallSiteFacts;
    let report: LockfileReport;
    try {
      report = await analyse(job.input);
    } catch (e) {
      report = errorReport(job.input, site, e);
    }
    for (const key of job.keys) out.set(key, { lockfile: job.input.lockfile, report });
  });
  return out;
}
