/**
 * anyarch's benchmarks, run one after the other (or one of them with `--only`):
 *
 * - check: a generated corpus of realistic Dockerfiles, checked by anyarch's CLI and validated by
 *   dockerfile-utils (the TypeScript Dockerfile validator closest to our job), each in its own
 *   process, plus in-process comparisons of the library calls;
 * - platforms (platforms.ts): the platforms and configs of 20 images in a local registry, read by
 *   `anyarch platforms` and by the library, against skopeo doing the same work;
 * - verify (verify.ts): `anyarch verify` on a generated 1 GiB two-platform image in a local
 *   registry, against a bare Node pull + gunzip (and zstd decode) of the same layers;
 * - assemble (assemble.ts): `anyarch assemble` of a 3-platform image onto a generated ~100 MiB
 *   base in a local registry, against docker build + push per platform + the index push through
 *   Debian's dockerd; then bytes sent by a re-assemble with only the app changed.
 * - deps (deps.ts): `anyarch deps` on a generated package-lock.json of 2,000 packages (300 native)
 *   served by a loopback registry, cold and warm cache, against `npm install --dry-run --os linux
 *   --cpu arm64` on the same lockfile; with `--deps-large`, then (deps-large.ts) on lockfiles of a
 *   large monorepo's size (package-lock.json, pnpm-lock.yaml, yarn.lock, uv.lock of ~20 MB each),
 *   beside a bare Node process parsing (or splitting) the same file.
 *
 *   node dist/bench/run.js [--only check|platforms|verify|assemble|deps] [--runs 5] [--count 2000] [--seed 1]
 *                          [--warmup 2] [--keep] [--dir <corpus dir>] [--profile]
 *                          [--cli-sample 30] [--startup-runs 15] [--no-snapshot] [--images 20]
 *                          [--verify-mib 64,128,320] [--verify-runs 3]
 *                          [--assemble-mib 100] [--assemble-runs 3]
 *                          [--deps-large] [--deps-large-mb 20] [--deps-large-runs 3]
 *
 * Each benchmark prints a Markdown table and then one JSON summary line (`"bench": "anyarch"` for
 * check, `"bench": "anyarch-platforms"` for platforms). Always exits 0 (this is a benchmark, not
 * a test); PASS/FAIL is printed against the check targets "anyarch's whole process takes at most
 * 0.5x dockerfile-utils' time" and "`anyarch check` on one Dockerfile takes at most 2x a bare
 * `node -e 0`" (start-up, measured in the same run). See docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, openSync, closeSync, mkdtempSync, mkdirSync, cpSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.js';
import { summarizeProfile } from './profile-summary.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const REPO = path.resolve(HERE, '../..');

/** Where the measured code lives: the repository, or a snapshot of its build (see snapshotBuild). */
interface Layout {
  readonly root: string;
  /** dist/bench under root */
  readonly bench: string;
  readonly cli: string;
  /** the bundle bin/anyarch.js runs (scripts/bundle.mjs) */
  readonly cliMain: string;
  readonly preload: string;
}

function layoutOf(root: string): Layout {
  return {
    root,
    bench: path.join(root, 'dist/bench'),
    cli: path.join(root, 'bin/anyarch.js'),
    cliMain: path.join(root, 'dist/cli/anyarch.cjs'),
    preload: path.join(root, 'dist/bench/rss-preload.js'),
  };
}

let layout: Layout = layoutOf(REPO);
/** the corpus target of issue 11: the CLI's whole process at most this times dockerfile-utils' */
const TARGET_RATIO = 0.5;
/** the start-up target of issue 11: `anyarch check` on one Dockerfile at most this times `node -e 0` */
const STARTUP_TARGET_RATIO = 2;
/** the Dockerfile of the start-up measurement (the README's first command), checked from the repository */
const STARTUP_FILE = 'examples/zasper/Dockerfile';

interface Options {
  count: number;
  runs: number;
  seed: number;
  warmup: number;
  keep: boolean;
  dir: string | undefined;
  profile: boolean;
  /** files to run dockerfile-utils' own CLI on, one process each (0: skip) */
  cliSample: number;
  /** measure a copy of the build (default) rather than the working tree */
  snapshot: boolean;
  /** timed runs of each start-up measurement (one Dockerfile, and `node -e 0`) */
  startupRuns: number;
  /** run one benchmark only (default: check, then platforms, then verify) */
  only: 'check' | 'platforms' | 'verify' | 'assemble' | 'deps' | undefined;
  /** images for the platforms benchmark */
  images: number;
  /** uncompressed MiB of each layer of each platform of the verify benchmark's image */
  verifyMiB: number[];
  /** runs of the verify benchmark (each reads the whole image several times) */
  verifyRuns: number;
  /** uncompressed MiB of each platform's base of the assemble benchmark */
  assembleMiB: number;
  /** runs of the assemble benchmark */
  assembleRuns: number;
  /** the deps benchmark on large lockfiles too (deps-large.ts) */
  depsLarge: boolean;
  /** the size of each of its lockfiles, in MB */
  depsLargeMb: number;
  /** its runs */
  depsLargeRuns: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { count: 2000, runs: 5, seed: 1, warmup: 2, keep: false, dir: undefined, profile: false, cliSample: 30, startupRuns: 15, snapshot: true, only: undefined, images: 20, verifyMiB: [64, 128, 320], verifyRuns: 3, assembleMiB: 100, assembleRuns: 3, depsLarge: false, depsLargeMb: 20, depsLargeRuns: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.includes('=') ? (a.split('=', 2) as [string, string]) : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (): number => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
      return n;
    };
    switch (flag) {
      case '--count': o.count = Math.max(1, Math.floor(num())); break;
      case '--runs': o.runs = Math.max(1, Math.floor(num())); break;
      case '--seed': o.seed = Math.floor(num()); break;
      case '--warmup': o.warmup = Math.floor(num()); break;
      case '--keep': o.keep = true; break;
      case '--dir': o.dir = path.resolve(value()); break;
      case '--profile': o.profile = true; break;
      case '--cli-sample': o.cliSample = Math.floor(num()); break;
      case '--no-snapshot': o.snapshot = false; break;
      case '--startup-runs': o.startupRuns = Math.floor(num()); break;
      case '--only': {
        const v = value();
        if (v !== 'check' && v !== 'platforms' && v !== 'verify' && v !== 'assemble' && v !== 'deps') throw new Error(`--only takes check, platforms, verify, assemble or deps, not ${v}`);
        o.only = v;
        break;
      }
      case '--images': o.images = Math.max(1, Math.floor(num())); break;
      case '--verify-mib': {
        const sizes = value().split(',').map(Number);
        if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--verify-mib takes MiB sizes, e.g. 64,128,320');
        o.verifyMiB = sizes;
        break;
      }
      case '--verify-runs': o.verifyRuns = Math.max(1, Math.floor(num())); break;
      case '--assemble-mib': o.assembleMiB = Math.max(1, Math.floor(num())); break;
      case '--assemble-runs': o.assembleRuns = Math.max(1, Math.floor(num())); break;
      case '--deps-large': o.depsLarge = true; break;
      case '--deps-large-mb': o.depsLargeMb = Math.max(1, num()); o.depsLarge = true; break;
      case '--deps-large-runs': o.depsLargeRuns = Math.max(1, Math.floor(num())); o.depsLarge = true; break;
      case '-h':
      case '--help':
        process.stdout.write('usage: node dist/bench/run.js [--only check|platforms|verify|assemble|deps] [--count 2000] [--runs 5] [--seed 1] [--warmup 2] [--keep] [--dir DIR] [--profile] [--cli-sample 30] [--startup-runs 15] [--no-snapshot] [--images 20] [--verify-mib 64,128,320] [--verify-runs 3] [--assemble-mib 100] [--assemble-runs 3] [--deps-large] [--deps-large-mb 20] [--deps-large-runs 3]\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Statistics

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function min(xs: readonly number[]): number {
  return Math.min(...xs);
}

interface Measurement {
  id: string;
  label: string;
  kind: 'process' | 'in-process';
  /** wall times in ms */
  timesMs: number[];
  /** peak RSS per run in MiB (processes) or of the whole child (in-process) */
  rssMiB: number[];
  note?: string;
  /** the output did not parse or did not cover every file: the time is not comparable */
  invalid?: string;
  skipped?: string;
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface ProcessRun {
  ms: number;
  rssMiB: number;
  status: number | null;
  stdoutFile: string;
  stderr: string;
}

/**
 * Runs `node [--import preload] args...` with stdout to a file; wall time and peak RSS. Without
 * the preload (`preload: false`, the start-up measurements: it would load Node's ES module loader
 * into every process) the peak RSS is NaN.
 */
function runNode(
  args: readonly string[],
  cwd: string,
  work: string,
  tag: string,
  extraNodeArgs: readonly string[] = [],
  opts: { preload?: boolean; env?: Readonly<Record<string, string>> } = {},
): ProcessRun {
  const stdoutFile = path.join(work, `${tag}.out`);
  const rssFile = path.join(work, `${tag}.rss`);
  rmSync(rssFile, { force: true });
  const fd = openSync(stdoutFile, 'w');
  // the CLI's code cache (bin/anyarch.js) in the run's own directory, never the user's
  const env: NodeJS.ProcessEnv = { ...process.env, ANYARCH_BENCH_RSS_FILE: rssFile, NO_COLOR: '1', ANYARCH_CACHE_DIR: path.join(work, 'anyarch-cache'), ...opts.env };
  delete env.NODE_OPTIONS;
  const preload = opts.preload === false ? [] : ['--import', pathToFileUrl(layout.preload)];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...extraNodeArgs, ...preload, ...args], {
    cwd,
    env,
    stdio: ['ignore', fd, 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  closeSync(fd);
  if (r.error) throw r.error;
  let rssMiB = NaN;
  try {
    rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // the child died before its exit handler
  }
  return { ms, rssMiB, status: r.status, stdoutFile, stderr: r.stderr?.toString() ?? '' };
}

function pathToFileUrl(p: string): string {
  return new URL(`file://${path.resolve(p)}`).href;
}

// ---------------------------------------------------------------------------------------------
// Output checks: every file must be covered

interface Coverage {
  ok: boolean;
  detail: string;
  findings?: number;
  errors?: number;
}

function checkAnyarchReport(outFile: string, cwd: string, expected: ReadonlySet<string>): Coverage {
  let report: { files?: { file: string; findings?: unknown[]; error?: unknown }[] };
  try {
    report = JSON.parse(readFileSync(outFile, 'utf8')) as typeof report;
  } catch (e) {
    return { ok: false, detail: `output is not JSON: ${(e as Error).message}` };
  }
  if (!Array.isArray(report.files)) return { ok: false, detail: 'no "files" array in the report' };
  const seen = new Set(report.files.map((f) => path.resolve(cwd, f.file)));
  const missing = [...expected].filter((f) => !seen.has(f));
  const extra = [...seen].filter((f) => !expected.has(f));
  const findings = report.files.reduce((n, f) => n + (f.findings?.length ?? 0), 0);
  const errors = report.files.filter((f) => f.error).length;
  if (missing.length || extra.length) {
    return {
      ok: false,
      detail: `${missing.length} missing (e.g. ${missing.slice(0, 2).join(', ')}), ${extra.length} extra (e.g. ${extra.slice(0, 2).join(', ')})`,
      findings,
      errors,
    };
  }
  return { ok: true, detail: `${seen.size} files, ${findings} findings, ${errors} with errors`, findings, errors };
}

function checkBaselineReport(outFile: string, expected: ReadonlySet<string>): Coverage {
  let report: { files?: { file: string; diagnostics: unknown[] }[] };
  try {
    report = JSON.parse(readFileSync(outFile, 'utf8')) as typeof report;
  } catch (e) {
    return { ok: false, detail: `output is not JSON: ${(e as Error).message}` };
  }
  const files = report.files ?? [];
  const seen = new Set(files.map((f) => f.file));
  const ok = seen.size === expected.size && [...expected].every((f) => seen.has(f));
  const diags = files.reduce((n, f) => n + f.diagnostics.length, 0);
  return { ok, detail: `${seen.size} files, ${diags} diagnostics`, findings: diags };
}

// ---------------------------------------------------------------------------------------------
// Main

/** A fingerprint of the built library (paths and content hashes under dist/src), to notice a rebuild mid-run. */
function buildFingerprint(root = REPO): string {
  const parts: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (n.endsWith('.js') || n.endsWith('.cjs')) parts.push(`${p}:${createHash('sha1').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(path.join(root, 'dist/src'));
  walk(path.join(root, 'dist/cli'));
  return parts.map((p) => p.slice(root.length)).join('|');
}

/**
 * Copies bin/, dist/src, dist/cli, dist/bench and package.json to `dir` (node_modules linked), so that a
 * rebuild in the working tree during the run (other people compiling) cannot change the code
 * being measured halfway. Returns false when the tree changed while it was copied.
 */
function snapshotBuild(dir: string): boolean {
  const before = buildFingerprint();
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  if (existsSync(path.join(REPO, 'bin'))) cpSync(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
  cpSync(path.join(REPO, 'dist/src'), path.join(dir, 'dist/src'), { recursive: true });
  if (existsSync(path.join(REPO, 'dist/cli'))) cpSync(path.join(REPO, 'dist/cli'), path.join(dir, 'dist/cli'), { recursive: true });
  cpSync(HERE, path.join(dir, 'dist/bench'), { recursive: true });
  cpSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return buildFingerprint() === before && buildFingerprint(dir) === before;
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

interface StartupResult {
  lines: string[];
  summary: Record<string, unknown>;
}

/**
 * The start-up measurement of issue 11: `anyarch check --offline` on one Dockerfile (the README's
 * first command, from the repository, so its .anyarch.yaml is read as a user's would be) against a
 * bare `node -e 0`, and the same check without the code cache (a first run after an install or an
 * upgrade). Interleaved, one untimed run each first (which also fills the code cache); no preload,
 * so that nothing but the command itself is measured.
 */
function startupBenchmark(opts: Options, work: string, log: (s: string) => void): StartupResult {
  const file = path.join(REPO, STARTUP_FILE);
  const rows: { id: string; label: string; args: string[]; env?: Record<string, string> }[] = [
    { id: 'node', label: 'bare `node -e 0`', args: ['-e', '0'] },
    { id: 'check-one', label: `\`anyarch check --offline ${STARTUP_FILE}\``, args: [layout.cli, 'check', '--offline', file] },
    { id: 'check-one-cold', label: `the same without the code cache (\`ANYARCH_NO_COMPILE_CACHE=1\`: a first run)`, args: [layout.cli, 'check', '--offline', file], env: { ANYARCH_NO_COMPILE_CACHE: '1' } },
  ];
  if (!existsSync(layout.cli) || !existsSync(layout.cliMain) || !existsSync(file) || opts.startupRuns < 1) {
    const why = opts.startupRuns < 1 ? '--startup-runs 0' : `${existsSync(file) ? path.relative(layout.root, layout.cliMain) : STARTUP_FILE} missing`;
    return { lines: ['', `Start-up: SKIPPED (${why}).`], summary: { skipped: why } };
  }
  const times = new Map(rows.map((r) => [r.id, [] as number[]]));
  const statuses = new Map<string, number | null>();
  for (let i = -1; i < opts.startupRuns; i++) {
    for (const r of rows) {
      const run = runNode(r.args, REPO, work, `startup-${r.id}`, [], { preload: false, ...(r.env ? { env: r.env } : {}) });
      if (i < 0) statuses.set(r.id, run.status);
      else times.get(r.id)?.push(run.ms);
    }
  }
  const med = (id: string): number => median(times.get(id) ?? []);
  const ratio = med('check-one') / med('node');
  const verdict = ratio <= STARTUP_TARGET_RATIO ? 'PASS' : 'FAIL';
  log(`start-up: node -e 0 ${fmt(med('node'), 1)} ms, check one file ${fmt(med('check-one'), 1)} ms (${ratio.toFixed(2)}x), without the code cache ${fmt(med('check-one-cold'), 1)} ms`);
  const lines = [
    '',
    `### Start-up: one Dockerfile (${opts.startupRuns} runs, interleaved)`,
    '',
    '| Measurement | median ms | min ms | / `node -e 0` |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => {
      const ts = times.get(r.id) ?? [];
      const status = statuses.get(r.id);
      const note = r.id === 'node' || status === 1 ? '' : ` (exit ${status}: expected 1, a finding)`;
      return `| ${r.label}${note} | ${fmt(median(ts), 1)} | ${fmt(min(ts), 1)} | ${r.id === 'node' ? '' : `${(median(ts) / med('node')).toFixed(2)}×`} |`;
    }),
    '',
    `Target (\`anyarch check\` on one Dockerfile ≤ ${STARTUP_TARGET_RATIO}× \`node -e 0\`): **${verdict}** — ${ratio.toFixed(2)}× (${fmt(med('check-one'), 1)} ms vs ${fmt(med('node'), 1)} ms, medians).`,
  ];
  const summary = {
    runs: opts.startupRuns,
    file: STARTUP_FILE,
    measurements: rows.map((r) => ({ id: r.id, medianMs: +med(r.id).toFixed(2), minMs: +min(times.get(r.id) ?? []).toFixed(2), status: statuses.get(r.id) ?? null })),
    target: { ratio: STARTUP_TARGET_RATIO, measured: +ratio.toFixed(3), verdict },
  };
  return { lines, summary };
}

/** The Dockerfile-check benchmark (corpus, processes, in-process, report); prints its table and JSON line. */
async function checkBenchmark(opts: Options, ctx: { tmp: string; corpus: string; work: string; started: bigint; fingerprint: string; log: (s: string) => void }): Promise<void> {
  const { tmp, corpus, work, started, fingerprint, log } = ctx;
  // --- corpus
  const tGen = process.hrtime.bigint();
  const files = await generateCorpus(corpus, opts.count, opts.seed);
  const genMs = Number(process.hrtime.bigint() - tGen) / 1e6;
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const lines = files.map((f) => readFileSync(f, 'utf8').split('\n').length - 1).sort((a, b) => a - b);
  const listFile = path.join(work, 'files.txt');
  writeFileSync(listFile, files.join('\n') + '\n');
  const expected = new Set(files);
  const mb = bytes / 1e6;
  log(`corpus: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, lines min ${lines[0]} / median ${median(lines)} / max ${lines[lines.length - 1]}, generated in ${genMs.toFixed(0)} ms in ${corpus}`);

  const measurements: Measurement[] = [];
  const coverage: Record<string, Coverage> = {};

  // --- start-up: one Dockerfile against a bare node
  const startup = startupBenchmark(opts, work, log);

  // --- whole processes, interleaved so drift affects every measurement alike
  const cliBuilt = existsSync(layout.cli) && existsSync(layout.cliMain);
  const procs: { id: string; label: string; args: string[]; check: (out: string) => Coverage; skipped?: string }[] = [
    {
      id: 'cli',
      label: 'anyarch CLI: `check --offline --format json --fail-on never <dir>`',
      args: [layout.cli, 'check', '--offline', '--quiet', '--format', 'json', '--fail-on', 'never', corpus],
      check: (out) => checkAnyarchReport(out, tmp, expected),
      ...(cliBuilt ? {} : { skipped: `CLI not built (${path.relative(layout.root, existsSync(layout.cli) ? layout.cliMain : layout.cli)} missing)` }),
    },
    {
      id: 'lib',
      label: 'anyarch library pipeline process (discover + read + checkSource + JSON, no CLI layer)',
      args: [path.join(layout.bench, 'lib-child.js'), corpus],
      check: (out) => checkAnyarchReport(out, tmp, expected),
    },
    {
      id: 'floor',
      label: 'anyarch floor process (discover + read + parse only: no model, no rules)',
      args: [path.join(layout.bench, 'lib-child.js'), corpus, '--parse-only'],
      check: (out) => checkAnyarchReport(out, tmp, expected),
    },
    {
      id: 'baseline',
      label: 'dockerfile-utils process (read + `validate` per file + JSON)',
      args: [path.join(layout.bench, 'dockerfile-utils-child.js'), listFile],
      check: (out) => checkBaselineReport(out, expected),
    },
  ];
  const results = new Map<string, Measurement>();
  for (const p of procs) {
    results.set(p.id, { id: p.id, label: p.label, kind: 'process', timesMs: [], rssMiB: [], ...(p.skipped ? { skipped: p.skipped } : {}) });
  }
  // one untimed run each: warms the file cache and checks the output
  for (const p of procs) {
    const m = results.get(p.id) as Measurement;
    if (m.skipped) continue;
    const r = runNode(p.args, tmp, work, `${p.id}-warm`);
    const c = p.check(r.stdoutFile);
    coverage[p.id] = c;
    if (!c.ok) {
      log(`${p.id}: output check failed: ${c.detail}; exit ${r.status}; ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    } else log(`${p.id}: exit ${r.status}, ${c.detail}`);
    // anyarch exits 1 on findings at --fail-on and 2 when a file cannot be parsed (the corpus has
    // a few broken files on purpose); anything else, or output that misses files, is a problem
    if (r.status === null || r.status > 2) m.note = `exit status ${r.status}`;
    if (!c.ok) m.invalid = c.detail;
  }
  for (let i = 0; i < opts.runs; i++) {
    for (const p of procs) {
      const m = results.get(p.id) as Measurement;
      if (m.skipped) continue;
      const r = runNode(p.args, tmp, work, p.id);
      m.timesMs.push(r.ms);
      m.rssMiB.push(r.rssMiB);
    }
    log(`process run ${i + 1}/${opts.runs}: ${procs.map((p) => `${p.id} ${fmt(results.get(p.id)?.timesMs[i] ?? NaN)} ms`).join(', ')}`);
  }
  for (const p of procs) measurements.push(results.get(p.id) as Measurement);

  // --- in-process: each group in one child, passes interleaved
  const inprocGroups: { id: string; label: string }[][] = [
    [
      { id: 'anyarch-check', label: 'in-process: anyarch `checkSource` (parse + model + all rules)' },
      { id: 'du-validate', label: 'in-process: dockerfile-utils `validate`' },
    ],
    [
      { id: 'anyarch-parse', label: 'in-process: anyarch `parseDockerfile`' },
      { id: 'anyarch-model', label: 'in-process: anyarch `parseDockerfile` + `buildModel`' },
      { id: 'dast-parse', label: 'in-process: dockerfile-ast `DockerfileParser.parse`' },
    ],
  ];
  const inprocUnits: Record<string, { units: number; errors: number }> = {};
  for (const group of inprocGroups) {
    const modes = group.map((g) => g.id).join(',');
    const r = runNode([path.join(layout.bench, 'inproc-child.js'), modes, listFile, String(opts.runs), String(opts.warmup)], tmp, work, `inproc-${group[0]?.id}`);
    let parsed: { results: Record<string, { runsNs: number[]; units: number; errors: number }>; maxRSSKiB: number } | undefined;
    try {
      parsed = JSON.parse(readFileSync(r.stdoutFile, 'utf8')) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    for (const ip of group) {
      const m: Measurement = { id: ip.id, label: ip.label, kind: 'in-process', timesMs: [], rssMiB: [] };
      const res = parsed?.results[ip.id];
      if (parsed && res) {
        m.timesMs = res.runsNs.map((ns) => ns / 1e6);
        m.rssMiB = [parsed.maxRSSKiB / 1024];
        inprocUnits[ip.id] = { units: res.units, errors: res.errors };
      } else {
        m.skipped = `child failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`;
      }
      measurements.push(m);
      log(`${ip.id}: median ${fmt(m.timesMs.length ? median(m.timesMs) : NaN, 1)} ms`);
    }
  }

  // --- dockerfile-utils' own CLI takes one file per process: a sample, extrapolated (context only)
  if (opts.cliSample > 0) {
    const bin = path.join(REPO, 'node_modules/dockerfile-utils/bin/dockerfile-utils');
    const m: Measurement = {
      id: 'du-cli',
      label: `dockerfile-utils CLI, one process per file (\`dockerfile-utils lint --json FILE\`), extrapolated from ${Math.min(opts.cliSample, files.length)} files`,
      kind: 'process',
      timesMs: [],
      rssMiB: [],
    };
    if (!existsSync(bin)) m.skipped = 'node_modules/dockerfile-utils/bin/dockerfile-utils missing';
    else {
      const n = Math.min(opts.cliSample, files.length);
      const step = files.length / n;
      const sample = Array.from({ length: n }, (_, i) => files[Math.floor(i * step)] as string);
      runNode([bin, 'lint', '--json', sample[0] as string], tmp, work, 'du-cli-warm');
      let total = 0;
      const rss: number[] = [];
      for (const f of sample) {
        const r = runNode([bin, 'lint', '--json', f], tmp, work, 'du-cli');
        total += r.ms;
        rss.push(r.rssMiB);
      }
      m.timesMs = [(total / n) * files.length];
      m.rssMiB = [median(rss.filter(Number.isFinite))];
      m.note = `${(total / n).toFixed(0)} ms per file; not used for the target`;
    }
    measurements.push(m);
    log(`du-cli: ${m.skipped ?? m.note}`);
  }

  // --- profile (optional): one CLI run (or the library process) with --cpu-prof
  let profile: string | undefined;
  if (opts.profile) {
    const profDir = path.join(work, 'prof');
    const args = cliBuilt ? (procs[0] as { args: string[] }).args : (procs[1] as { args: string[] }).args;
    runNode(args, tmp, work, 'profile', ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=200']);
    const prof = existsSync(profDir) ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    profile = prof
      ? `Profile of ${cliBuilt ? 'the CLI' : 'the library process'} (one run):\n\n${summarizeProfile(path.join(profDir, prof))}`
      : 'profile: no .cpuprofile written';
  }

  // --- report
  const byId = new Map(measurements.map((m) => [m.id, m]));
  const med = (id: string): number => {
    const m = byId.get(id);
    return m && !m.skipped && m.timesMs.length ? median(m.timesMs) : NaN;
  };
  const ratioOf: Record<string, [string, string]> = {
    cli: ['cli', 'baseline'],
    'du-cli': ['cli', 'du-cli'],
    lib: ['lib', 'baseline'],
    floor: ['floor', 'baseline'],
    'anyarch-check': ['anyarch-check', 'du-validate'],
    'anyarch-parse': ['anyarch-parse', 'dast-parse'],
    'anyarch-model': ['anyarch-model', 'dast-parse'],
  };
  const ratio = (id: string): number => {
    const pair = ratioOf[id];
    return pair ? med(pair[0]) / med(pair[1]) : NaN;
  };

  const out: string[] = [];
  out.push(`## anyarch benchmark`);
  out.push('');
  out.push(
    `Corpus: ${files.length} Dockerfiles, ${mb.toFixed(2)} MB, ${lines.reduce((a, b) => a + b, 0)} lines (median ${median(lines)}, max ${lines[lines.length - 1]}), seed ${opts.seed}. ` +
      `Node ${process.version}, ${os.cpus().length} CPU (${os.cpus()[0]?.model.trim() ?? '?'}), ${opts.runs} runs` +
      `${opts.warmup ? `, ${opts.warmup} warm-up passes in-process` : ''}.`,
  );
  out.push('');
  out.push('| Measurement | median ms | min ms | files/s | MB/s | peak RSS MiB | anyarch / baseline |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of measurements) {
    if (m.skipped) {
      out.push(`| ${m.label} | skipped: ${m.skipped} | | | | | |`);
      continue;
    }
    const md = median(m.timesMs);
    const r = ratio(m.id);
    out.push(
      `| ${m.label}${m.note ? ` (${m.note})` : ''}${m.invalid ? ` (INVALID OUTPUT: ${m.invalid})` : ''} | ${fmt(md, 1)} | ${fmt(min(m.timesMs), 1)} | ${fmt(files.length / (md / 1000))} | ${fmt(mb / (md / 1000), 2)} | ${fmt(median(m.rssMiB.filter(Number.isFinite)), 1)} | ${Number.isFinite(r) ? `${r.toFixed(2)}×` : ''} |`,
    );
  }
  out.push('');
  out.push(
    'Ratios (below 1: anyarch is faster): CLI and library process vs the dockerfile-utils process; `checkSource` vs `validate`; ' +
      '`parseDockerfile` (and + `buildModel`) vs dockerfile-ast `parse`; last row: the anyarch CLI vs running dockerfile-utils\' CLI once per file (context only). ' +
      'Peak RSS: per process; for in-process rows, the child that ran the group (both libraries and the corpus loaded).',
  );
  out.push('');
  const cliRatio = ratio('cli');
  let verdict: 'PASS' | 'FAIL' | 'SKIPPED';
  const cliM = byId.get('cli');
  if (!Number.isFinite(cliRatio) || cliM?.invalid || byId.get('baseline')?.invalid) {
    verdict = 'SKIPPED';
    const libRatio = ratio('lib');
    out.push(
      `Target (anyarch whole process ≤ ${TARGET_RATIO}× dockerfile-utils): SKIPPED — ${cliM?.skipped ?? cliM?.invalid ?? byId.get('baseline')?.invalid ?? 'no CLI measurement'}` +
        (Number.isFinite(libRatio) ? `; the library process is at ${libRatio.toFixed(2)}× (${libRatio <= TARGET_RATIO ? 'would pass' : 'would fail'}).` : '.'),
    );
  } else {
    verdict = cliRatio <= TARGET_RATIO ? 'PASS' : 'FAIL';
    out.push(`Target (anyarch whole process ≤ ${TARGET_RATIO}× dockerfile-utils): **${verdict}** — ${cliRatio.toFixed(3)}× (${fmt(med('cli'), 1)} ms vs ${fmt(med('baseline'), 1)} ms, medians).`);
  }
  const floorRatio = ratio('floor');
  if (Number.isFinite(floorRatio)) {
    out.push(
      '',
      `Floor: start-up, discovery, reading and a cold parse alone take ${floorRatio.toFixed(3)}× the baseline, ` +
        `which leaves ${Math.max(0, TARGET_RATIO - floorRatio).toFixed(3)}× (${fmt(Math.max(0, TARGET_RATIO * med('baseline') - med('floor')), 1)} ms) of the target for the model, all rules and the report.`,
    );
  }
  out.push(...startup.lines);
  if (profile) out.push('', profile);
  const rebuilt = buildFingerprint(layout.root) !== fingerprint;
  if (rebuilt) out.push('', '**Warning:** dist/src changed during the run (a rebuild): the measurements may mix two builds. Run again.');
  else if (opts.snapshot && buildFingerprint() !== fingerprint) out.push('', 'Note: the working tree was rebuilt during the run; the numbers are for the build as it was at the start (measured from a snapshot).');
  const totalS = Number(process.hrtime.bigint() - started) / 1e9;
  out.push('', `Benchmark took ${totalS.toFixed(1)} s.`);
  process.stdout.write(out.join('\n') + '\n');

  const summary = {
    bench: 'anyarch',
    node: process.version,
    cpus: os.cpus().length,
    corpus: { files: files.length, bytes, lines: lines.reduce((a, b) => a + b, 0), medianLines: median(lines), seed: opts.seed },
    runs: opts.runs,
    measurements: measurements.map((m) => ({
      id: m.id,
      kind: m.kind,
      ...(m.skipped
        ? { skipped: m.skipped }
        : {
            medianMs: +median(m.timesMs).toFixed(2),
            minMs: +min(m.timesMs).toFixed(2),
            filesPerSec: Math.round(files.length / (median(m.timesMs) / 1000)),
            mbPerSec: +(mb / (median(m.timesMs) / 1000)).toFixed(3),
            peakRssMiB: +median(m.rssMiB.filter(Number.isFinite)).toFixed(1),
            ...(Number.isFinite(ratio(m.id)) ? { ratio: +ratio(m.id).toFixed(3) } : {}),
            ...(m.note ? { note: m.note } : {}),
            ...(m.invalid ? { invalid: m.invalid } : {}),
          }),
    })),
    coverage,
    inprocUnits,
    target: { ratio: TARGET_RATIO, measured: Number.isFinite(cliRatio) ? +cliRatio.toFixed(3) : null, verdict },
    startup: startup.summary,
    rebuiltDuringRun: rebuilt,
    seconds: +totalS.toFixed(1),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
}

type BenchCtx = { work: string; fingerprint: string; log: (s: string) => void };

/**
 * Runs one of the registry benchmarks (platforms, verify: each module loaded only when it runs)
 * and prints its table and JSON line; a missing tool is SKIPPED, any other failure FAILED.
 */
async function registryBenchmark(
  name: 'platforms' | 'verify' | 'assemble' | 'deps' | 'deps-large',
  opts: Options,
  ctx: BenchCtx,
  run: () => Promise<{ lines: string[]; summary: Record<string, unknown> }>,
): Promise<void> {
  const t0 = process.hrtime.bigint();
  let lines: string[];
  let summary: Record<string, unknown>;
  try {
    ({ lines, summary } = await run());
  } catch (e) {
    // docker-registry or skopeo missing (SKIPPED), or something failed (FAILED; the registry is stopped by then)
    const msg = (e as Error).message ?? String(e);
    ctx.log(`${name} benchmark failed: ${(e as Error).stack ?? msg}`);
    const first = msg.split('\n')[0] ?? msg;
    const missing = /is not installed/.test(first);
    lines = [`## anyarch ${name} benchmark`, '', `${missing ? 'SKIPPED' : 'FAILED'}: ${first}`];
    summary = { bench: `anyarch-${name}`, node: process.version, ...(missing ? { skipped: first } : { failed: first }) };
  }
  const rebuilt = buildFingerprint(layout.root) !== ctx.fingerprint;
  if (rebuilt) lines.push('', '**Warning:** dist/src changed during the run (a rebuild): the measurements may mix two builds. Run again.');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  lines.push('', `${name[0]!.toUpperCase()}${name.slice(1)} benchmark took ${seconds.toFixed(1)} s.`);
  // after the previous benchmark's JSON line, a blank line before this table
  process.stdout.write((opts.only === name ? '' : '\n') + lines.join('\n') + '\n');
  process.stdout.write(JSON.stringify({ ...summary, rebuiltDuringRun: rebuilt, seconds: +seconds.toFixed(1) }) + '\n');
}

/** The platforms benchmark (platforms.ts). */
function platformsBenchmark(opts: Options, ctx: BenchCtx): Promise<void> {
  return registryBenchmark('platforms', opts, ctx, async () => (await import('./platforms.js')).runPlatformsBenchmark({ runs: opts.runs, images: opts.images, work: ctx.work, layout, log: ctx.log }));
}

/** The verify benchmark (verify.ts). */
function verifyBenchmark(opts: Options, ctx: BenchCtx): Promise<void> {
  return registryBenchmark('verify', opts, ctx, async () => (await import('./verify.js')).runVerifyBenchmark({ runs: opts.verifyRuns, layerMiB: opts.verifyMiB, work: ctx.work, layout, log: ctx.log }));
}

/** The assemble benchmark (assemble.ts). */
function assembleBenchmark(opts: Options, ctx: BenchCtx): Promise<void> {
  return registryBenchmark('assemble', opts, ctx, async () => (await import('./assemble.js')).runAssembleBenchmark({ runs: opts.assembleRuns, baseMiB: opts.assembleMiB, work: ctx.work, layout, log: ctx.log }));
}

/** The deps benchmark (deps.ts), then, with --deps-large, the one on large lockfiles (deps-large.ts). */
async function depsBenchmark(opts: Options, ctx: BenchCtx): Promise<void> {
  await registryBenchmark('deps', opts, ctx, async () => (await import('./deps.js')).runDepsBenchmark({ runs: opts.runs, work: ctx.work, layout, log: ctx.log }));
  if (opts.depsLarge) {
    await registryBenchmark('deps-large', opts, ctx, async () => (await import('./deps-large.js')).runDepsLargeBenchmark({ runs: opts.depsLargeRuns, megabytes: opts.depsLargeMb, work: ctx.work, layout, log: ctx.log }));
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  // before anything is created: a non-empty --dir is refused, and then left alone
  if ((opts.only === undefined || opts.only === 'check') && opts.dir && existsSync(opts.dir) && readdirSync(opts.dir).length > 0) {
    throw new Error(`--dir ${opts.dir} is not empty; pass an empty or new directory`);
  }
  let corpusUsed = false;

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'anyarch-bench-'));
  const corpus = opts.dir ?? path.join(tmp, 'corpus');
  const work = path.join(tmp, 'work');
  mkdirSync(work, { recursive: true });
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  let fingerprint = buildFingerprint();
  if (opts.snapshot) {
    let ok = false;
    for (let attempt = 1; attempt <= 3 && !ok; attempt++) {
      const snap = path.join(tmp, `build-${attempt}`);
      ok = snapshotBuild(snap);
      layout = layoutOf(snap);
      if (!ok) {
        log('the build changed while it was copied; waiting and copying again');
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
    fingerprint = buildFingerprint(layout.root);
    log(`measuring a snapshot of the build in ${layout.root}${ok ? '' : ' (the build kept changing: it may be a mix)'}`);
  }

  try {
    if (opts.only === undefined || opts.only === 'check') {
      corpusUsed = true;
      await checkBenchmark(opts, { tmp, corpus, work, started, fingerprint, log });
    }
    if (opts.only === undefined || opts.only === 'platforms') await platformsBenchmark(opts, { work, fingerprint, log });
    if (opts.only === undefined || opts.only === 'verify') await verifyBenchmark(opts, { work, fingerprint, log });
    if (opts.only === undefined || opts.only === 'assemble') await assembleBenchmark(opts, { work, fingerprint, log });
    if (opts.only === undefined || opts.only === 'deps') await depsBenchmark(opts, { work, fingerprint, log });
  } finally {
    if (opts.keep) log(`kept ${tmp}`);
    else {
      rmSync(tmp, { recursive: true, force: true });
      if (opts.dir && corpusUsed) rmSync(opts.dir, { recursive: true, force: true });
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
  // a benchmark, not a test: never fail the build
  process.exitCode = 0;
});
