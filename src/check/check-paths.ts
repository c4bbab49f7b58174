/**
 * What `anyarch check` does, without printing: find the Dockerfiles, read and decode them, look
 * their base images up (unless offline), check or fix each one, and return the results with
 * their summary. The CLI adds flags, a config file, a reporter and an exit code; a program gets
 * the same results from the same function.
 *
 * ```ts
 * const run = await checkPaths(['services/'], { cwd: process.cwd(), check: { platforms } });
 * if (checkOutcome(run) !== 'clean') console.log(run.summary);
 * ```
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { AnyarchError, isAnyarchError, isBug } from '../errors.js';
import { snapshotOf, writeFileAtomic, type FileSnapshot } from '../fs/atomic.js';
import { readRegularFileSync } from '../fs/bounded-read.js';
import { errnoReason } from '../fs/errno.js';
import type { Finding } from '../rules/types.js';
import type { LookUpBaseImagesOptions } from './base-image-lookup.js';
import type { DepsAnalyserOptions, LookUpNativeDepsOptions } from './deps-lookup.js';
import { INSTALL_GATE } from '../deps/dockerfile.js';
import type { ScriptReader } from '../dockerfile/scripts.js';
import { formatPlatform } from '../platform/index.js';
import { contextReader } from './context.js';
import { discoverDockerfiles, isDockerfileName, type DiscoverOptions } from './discover.js';
import { DEFAULT_PLATFORMS, checkSource, fixSource, internalFailure, rulesNeeding, type CheckOptions, type FileResult } from './engine.js';
import { isPlainDockerfileName, platformOfFileName, platformsForFile, type FilePlatforms } from './file-platforms.js';
import { MAX_INPUT_BYTES, dockerfileText, inputReadError } from './input.js';
import { summarize, type Summary } from './summary.js';

/** The name standard input is reported under. */
export const STDIN_NAME = '<stdin>';

/** What a check is busy with, for a progress line. */
export type CheckProgress = { readonly step: 'base-images'; readonly images: number } | { readonly step: 'native-deps'; readonly lockfiles: number };

export interface CheckPathsOptions extends DiscoverOptions {
  /**
   * Reads standard input, for the path `-` (without it `-` is an unreadable input): to its end,
   * or until it has more than `limit` bytes, whichever comes first (`readAtMost` does that), so
   * an endless input is refused at the limit instead of filling memory.
   */
  readonly readStdin?: (limit: number) => Promise<Uint8Array>;
  /** how to check (platforms, rules, severities, …) */
  readonly check?: CheckOptions;
  /** `apply`: write the fixed files in place (atomically); `preview`: unified diffs, nothing written */
  readonly fix?: 'apply' | 'preview';
  /**
   * Base images: looked up before the check when a selected rule needs them (registry client,
   * credentials, cache); `false` checks offline (those rules then say nothing).
   */
  readonly baseImages?: false | Omit<LookUpBaseImagesOptions, 'platforms' | 'buildPlatform' | 'onStart'>;
  /**
   * Native dependencies (AA123, AA124): the lockfiles install RUNs read, analysed per target
   * platform before the check when a selected rule needs them, by `analyse` (`anyarch deps`'s
   * readers and analysers, whose metadata sources answer from their cache when offline); `false`
   * skips the step (those rules then say nothing). Only Dockerfiles whose text names a package
   * manager are read for it.
   */
  readonly nativeDeps?: false | (Omit<LookUpNativeDepsOptions, 'platforms' | 'buildPlatform' | 'onStart'> & Partial<DepsAnalyserOptions>);
  readonly onProgress?: (progress: CheckProgress) => void;
  /**
   * Per-architecture Dockerfiles (default true): a file named for one architecture
   * (`Dockerfile.aarch64`) is checked for that platform only, and a plain `Dockerfile` beside such
   * siblings for the target platforms they leave (src/check/file-platforms.ts). The CLI turns it
   * off when `--platforms` is given.
   */
  readonly platformsFromFileNames?: boolean;
}

export interface CheckRun {
  /** one result per file (and per input naming nothing), sorted by file */
  readonly results: readonly FileResult[];
  /** the checked text of each file (after fixes, when fixing), which result positions refer to */
  readonly sources: ReadonlyMap<string, string>;
  readonly summary: Summary;
  /** with `fix: 'preview'`: a unified diff per changed file (`a/` and `b/` prefixes, `git apply` takes them) */
  readonly diffs: readonly string[];
  /**
   * anyarch or a rule failed on some file (a bug: a fix that broke the syntax, `E_FIX`; a rule
   * that broke its contract, `E_RULE`, or threw, `E_INTERNAL`), reported as that file's error;
   * the other files were still checked
   */
  readonly bug: boolean;
  /** ids of selected rules that needed base images but ran without them (offline) */
  readonly withoutBaseImages: readonly string[];
  /** ids of selected rules that needed native-dependency facts but ran without them (`nativeDeps: false`, or no analyser) */
  readonly withoutNativeDeps?: readonly string[];
  /**
   * With `fix: 'preview'`: the findings the fixes would remove (not in `results`, which hold what
   * would remain). Nothing was fixed, so they count for the outcome: a dry run ends as the check
   * would (`checkOutcome`).
   */
  readonly pending?: readonly Finding[];
}

interface Input {
  readonly file: string;
  readonly text: { readonly bom: string; readonly source: string } | AnyarchError;
  /** what the file was when read: `--fix` writes only over the same file */
  readonly snapshot?: FileSnapshot;
}

interface Checked {
  readonly result: FileResult;
  readonly source?: string;
  readonly fixed: readonly Finding[];
  readonly diff?: string;
  readonly bug?: boolean;
}

function errorResult(file: string, error: AnyarchError): FileResult {
  return { file, findings: [], error, suppressed: 0 };
}

function readFailure(file: string, e: unknown): Input {
  return { file, text: inputReadError(file, e) };
}

function decoded(file: string, bytes: Uint8Array): Input {
  try {
    return { file, text: dockerfileText(bytes, file) };
  } catch (e) {
    if (isAnyarchError(e)) return { file, text: e };
    throw e;
  }
}

function readFile(cwd: string, file: string, fixing: boolean): Input {
  let bytes: Uint8Array;
  let before;
  try {
    // stat first: a change between the stat and the read then shows as a change before a fix is written
    if (fixing) before = statSync(path.resolve(cwd, file), { bigint: true });
    // synchronous: thousands of small reads cost far less without a promise each; bounded, and
    // never opening a FIFO, device or socket (see fs/bounded-read.ts)
    bytes = readRegularFileSync(path.resolve(cwd, file), MAX_INPUT_BYTES);
  } catch (e) {
    return readFailure(file, e);
  }
  const input = decoded(file, bytes);
  return before ? { ...input, snapshot: snapshotOf(bytes, before) } : input;
}

/**
 * The trees `--fix` may write in, as real paths: each directory named (the current one when none
 * is), the directory of each file named, the fixed part of each glob pattern. A Dockerfile whose
 * real path (links resolved) lies outside them is not written.
 */
function fixTrees(named: readonly string[], cwd: string): string[] {
  const trees: string[] = [];
  const add = (dir: string): void => {
    try {
      trees.push(realpathSync(path.resolve(cwd, dir)));
    } catch {
      // names nothing: discovery reports it
    }
  };
  if (!named.length) add('.');
  for (const p of named) {
    if (/[*?[\]{}()!]/.test(p)) {
      const parts = p.split(/[\\/]/);
      const fixed = parts.slice(0, parts.findIndex((s) => /[*?[\]{}()!]/.test(s)));
      add(fixed.length ? fixed.join('/') : '.');
      continue;
    }
    let dir = p;
    try {
      if (!statSync(path.resolve(cwd, p)).isDirectory()) dir = path.dirname(p);
    } catch {
      dir = path.dirname(p);
    }
    add(dir);
  }
  return trees;
}

async function readStdin(read: ((limit: number) => Promise<Uint8Array>) | undefined): Promise<Input> {
  let bytes: Uint8Array;
  try {
    if (!read) throw new Error('standard input is not available');
    // the reader stops one byte past the limit; decoding refuses such an input
    bytes = await read(MAX_INPUT_BYTES);
  } catch (e) {
    return readFailure(STDIN_NAME, e);
  }
  return decoded(STDIN_NAME, bytes);
}

async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  const name = file.replace(/\\/g, '/');
  const { createTwoFilesPatch } = await import('diff');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 })
    .split('\n')
    .filter((l, i) => !(i === 0 && /^=+$/.test(l)))
    .join('\n');
}

/**
 * One file checked (or fixed) whatever happens: a failure on it, even a bug of anyarch's, is that
 * file's error, so the other files are still checked and reported.
 */
async function checkGuarded(input: Input, check: CheckOptions, opts: CheckPathsOptions, trees: readonly string[], siblings?: Map<string, string[]>): Promise<Checked> {
  let c: Checked;
  try {
    c = await checkOne(input, check, opts, trees, siblings);
  } catch (e) {
    const error = internalFailure(input.file, opts.fix ? 'fixing the Dockerfile' : 'checking the Dockerfile', e);
    c = { result: errorResult(input.file, error), fixed: [], ...(input.text instanceof AnyarchError ? {} : { source: input.text.source }) };
  }
  return c.result.error && isBug(c.result.error) ? { ...c, bug: true } : c;
}

/**
 * Throws E_USAGE unless `dir` is a directory: a misspelt build context would otherwise read no
 * script and check clean without a word.
 */
function contextDirectory(dir: string, given: string): void {
  let reason: string | undefined;
  try {
    if (!statSync(dir).isDirectory()) reason = 'not a directory';
  } catch (e) {
    reason = errnoReason(e);
  }
  if (reason !== undefined) {
    throw new AnyarchError('E_USAGE', `the build context ${JSON.stringify(given)} cannot be used: ${reason}`, 'Name the directory the image is built from (anyarch check --context DIR), or leave it out for each Dockerfile\'s directory.');
  }
}

/** The Dockerfile names in a directory (for a plain Dockerfile's per-architecture siblings), read once per directory. */
function siblingsIn(dir: string, cache: Map<string, string[]>): string[] {
  let names = cache.get(dir);
  if (!names) {
    try {
      names = readdirSync(dir).filter((n) => isDockerfileName(n) && platformOfFileName(n) !== undefined);
    } catch {
      names = [];
    }
    cache.set(dir, names);
  }
  return names;
}

/** The platforms a file's name (or its per-architecture siblings) chooses, unless names are not to choose. */
function namedPlatforms(file: string, check: CheckOptions, opts: CheckPathsOptions, siblings: Map<string, string[]>): FilePlatforms | undefined {
  if (opts.platformsFromFileNames === false || file === STDIN_NAME) return undefined;
  const own = platformOfFileName(file);
  if (!own && !isPlainDockerfileName(file)) return undefined;
  return platformsForFile(file, own ? [] : siblingsIn(path.dirname(path.resolve(opts.cwd, file)), siblings), check.platforms ?? DEFAULT_PLATFORMS);
}

/** The build context of a file: `--context`, else the file's directory (none for standard input). */
function contextDirOf(file: string, check: CheckOptions, opts: CheckPathsOptions): string | undefined {
  return check.context !== undefined ? path.resolve(opts.cwd, check.context) : file === STDIN_NAME ? undefined : path.dirname(path.resolve(opts.cwd, file));
}

/** The options and context reader for one file: its platforms by name, its build context. */
function fileCheck(file: string, check: CheckOptions, opts: CheckPathsOptions, siblings: Map<string, string[]>): { check: CheckOptions; reader?: ScriptReader; platforms?: FileResult['platforms'] } {
  let out = check;
  let platforms: FileResult['platforms'];
  const chosen = namedPlatforms(file, check, opts, siblings);
  if (chosen) {
    out = { ...check, platforms: chosen.platforms };
    platforms = { platforms: chosen.platforms.map(formatPlatform), from: chosen.from };
  }
  const dir = contextDirOf(file, check, opts);
  if (dir === undefined) return { check: out, ...(platforms ? { platforms } : {}) };
  const shown = (p: string): string => {
    const abs = path.join(dir, p);
    const rel = path.relative(opts.cwd, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  };
  return { check: out, reader: contextReader(dir, shown), ...(platforms ? { platforms } : {}) };
}

async function checkOne(input: Input, base: CheckOptions, opts: CheckPathsOptions, trees: readonly string[], siblings: Map<string, string[]> = new Map()): Promise<Checked> {
  const { file, text } = input;
  if (text instanceof AnyarchError) return { result: errorResult(file, text), fixed: [] };
  const { bom, source } = text;
  const { check, reader, platforms } = fileCheck(file, base, opts, siblings);
  const withPlatforms = (r: FileResult): FileResult => (platforms ? { ...r, platforms } : r);
  if (!opts.fix) return { result: withPlatforms(checkSource(source, file, check, reader)), source, fixed: [] };
  let fixed;
  try {
    fixed = fixSource(source, file, check, reader);
  } catch (e) {
    if (isAnyarchError(e)) return { result: errorResult(file, e), source, fixed: [] };
    throw e;
  }
  const out: Checked = { result: withPlatforms(fixed.result), source: fixed.output, fixed: fixed.fixed };
  if (fixed.output === source) return out;
  if (opts.fix === 'preview') return { ...out, diff: await unifiedDiff(file, source, fixed.output) };
  try {
    await writeFileAtomic(path.resolve(opts.cwd, file), bom + fixed.output, {
      within: trees,
      ...(input.snapshot ? { unchanged: input.snapshot } : {}),
    });
  } catch (e) {
    // left alone (changed since read, a link out of the tree, an owner that cannot be kept) or not writable
    const error = isAnyarchError(e) ? new AnyarchError(e.code, e.message, e.hint, { file }) : new AnyarchError('E_INPUT', `cannot write the fixed file: ${errnoReason(e)}`, undefined, { file });
    return { result: errorResult(file, error), source, fixed: [] };
  }
  return out;
}

/**
 * Checks (or fixes) the Dockerfiles `paths` name: files, directories searched for Dockerfile
 * names, glob patterns, and `-` for standard input; none means `cwd`. Unreadable inputs are
 * results with an error, never exceptions; a bad option (an unknown rule) throws.
 */
export async function checkPaths(paths: readonly string[], opts: CheckPathsOptions): Promise<CheckRun> {
  const readsStdin = paths.includes('-');
  if (readsStdin && opts.fix === 'apply') {
    throw new AnyarchError('E_USAGE', 'fixes cannot be written back to standard input', "Preview them as a diff instead (anyarch check --fix-dry-run, or fix: 'preview').");
  }
  // bad options (an unknown rule, a build context that is no directory) throw before anything is read
  let check = opts.check ?? {};
  if (check.context !== undefined) contextDirectory(path.resolve(opts.cwd, check.context), check.context);
  const needBaseImages = rulesNeeding(check, 'baseImages');
  const needNativeDeps = rulesNeeding(check, 'nativeDeps');

  const named = paths.filter((p) => p !== '-');
  const discovery =
    named.length || !readsStdin
      ? await discoverDockerfiles(named, {
          cwd: opts.cwd,
          ...(opts.ignore?.length ? { ignore: opts.ignore, ...(opts.ignoreBase !== undefined ? { ignoreBase: opts.ignoreBase } : {}) } : {}),
        })
      : { files: [], errors: [] };

  const checked: Checked[] = discovery.errors.map((e) => ({ result: errorResult(e.location?.file ?? '', e), fixed: [] }));
  const inputs: Input[] = [];
  if (readsStdin) inputs.push(await readStdin(opts.readStdin));
  for (const file of discovery.files) inputs.push(readFile(opts.cwd, file, opts.fix === 'apply'));

  const siblings = new Map<string, string[]>();
  let withoutBaseImages: string[] = [];
  if (needBaseImages.length) {
    if (opts.baseImages === false) {
      withoutBaseImages = needBaseImages.map((r) => r.meta.id);
    } else {
      const { lookUpBaseImages } = await import('./base-image-lookup.js');
      const texts = inputs.flatMap((i) => {
        if (i.text instanceof AnyarchError) return [];
        const own = namedPlatforms(i.file, check, opts, siblings);
        return [{ file: i.file, source: i.text.source, ...(own ? { platforms: own.platforms } : {}) }];
      });
      const facts = await lookUpBaseImages(texts, {
        ...opts.baseImages,
        ...(check.platforms ? { platforms: check.platforms } : {}),
        ...(check.buildPlatform ? { buildPlatform: check.buildPlatform } : {}),
        onStart: (images) => opts.onProgress?.({ step: 'base-images', images }),
      });
      check = { ...check, baseImages: facts };
    }
  }

  let withoutNativeDeps: string[] = [];
  if (needNativeDeps.length) {
    if (opts.nativeDeps === false) {
      withoutNativeDeps = needNativeDeps.map((r) => r.meta.id);
    } else {
      // only files that name a package manager: the rest cost nothing (not even the module's load)
      const texts = inputs.flatMap((i) => {
        if (i.text instanceof AnyarchError || !INSTALL_GATE.test(i.text.source)) return [];
        const context = contextDirOf(i.file, check, opts);
        if (context === undefined) return [];
        const own = namedPlatforms(i.file, check, opts, siblings);
        return [{ file: i.file, source: i.text.source, context, cwd: opts.cwd, ...(own ? { platforms: own.platforms } : {}) }];
      });
      if (texts.length) {
        const { lookUpNativeDeps, depsAnalyser } = await import('./deps-lookup.js');
        const nd = opts.nativeDeps ?? {};
        const analyse =
          nd.analyse ??
          (await depsAnalyser({
            cwd: opts.cwd,
            ...(nd.env ? { env: nd.env } : {}),
            ...(nd.cacheDir !== undefined ? { cacheDir: nd.cacheDir } : {}),
            offline: nd.offline === true,
            ...(nd.registry !== undefined ? { registry: nd.registry } : {}),
            ...(nd.token !== undefined ? { token: nd.token } : {}),
            ...(nd.signal ? { signal: nd.signal } : {}),
            ...(nd.timeoutMs !== undefined ? { timeoutMs: nd.timeoutMs } : {}),
          }));
        const facts = await lookUpNativeDeps(texts, {
          ...nd,
          analyse,
          ...(check.platforms ? { platforms: check.platforms } : {}),
          ...(check.buildPlatform ? { buildPlatform: check.buildPlatform } : {}),
          onStart: (lockfiles) => opts.onProgress?.({ step: 'native-deps', lockfiles }),
        });
        if (facts.size) check = { ...check, nativeDeps: facts };
        // a lockfile an install reads that cannot be read (malformed, truncated, an unknown version)
        // is input the build would fail on too: one error result per lockfile, the rest still checked
        const unreadable = new Map<string, AnyarchError>();
        for (const f of facts.values()) if (f.report.error && !unreadable.has(f.lockfile)) unreadable.set(f.lockfile, f.report.error);
        for (const [file, error] of unreadable) checked.push({ result: errorResult(file, error), fixed: [] });
      }
    }
  }

  const trees = opts.fix === 'apply' ? fixTrees(named, opts.cwd) : [];
  for (const input of inputs) checked.push(await checkGuarded(input, check, opts, trees, siblings));
  checked.sort((a, b) => (a.result.file < b.result.file ? -1 : a.result.file > b.result.file ? 1 : 0));

  const results = checked.map((c) => c.result);
  const sources = new Map<string, string>();
  for (const c of checked) if (c.source !== undefined) sources.set(c.result.file, c.source);
  // findings in build-context scripts show their lines from the script's text
  for (const c of checked) for (const x of c.result.scripts ?? []) if (!sources.has(x.path)) sources.set(x.path, x.text);
  return {
    results,
    sources,
    summary: summarize(results, {
      problems: checked.reduce((n, c) => n + c.fixed.length, 0),
      files: checked.filter((c) => c.fixed.length > 0).length,
    }),
    diffs: checked.flatMap((c) => (c.diff === undefined ? [] : [c.diff])),
    bug: checked.some((c) => c.bug),
    withoutBaseImages,
    ...(withoutNativeDeps.length ? { withoutNativeDeps } : {}),
    ...(opts.fix === 'preview' ? { pending: checked.flatMap((c) => c.fixed) } : {}),
  };
}
