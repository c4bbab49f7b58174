/**
 * The fuzz harness: every parser that reads untrusted bytes is a {@link FuzzTarget} (test/fuzz/),
 * run with a fixed seed and a small budget inside `npm test` (test/fuzz.test.ts) and with any seed
 * and a time budget on demand (`npm run fuzz`, {@link fuzzMain}).
 *
 * fast-check is the engine: its seeded generator makes a run repeatable from (seed, path), its
 * arbitraries build the structure-aware inputs, and its shrinking turns a failing input into a
 * small one. What this module adds is what a fuzzer needs on top of property tests:
 *
 * - byte mutation of seed corpora (the repository's own fixtures and examples): {@link mutatedBytes};
 * - the one property every target holds besides its own: an input ends in a value or a typed
 *   `AnyarchError` ({@link onlyAnyarchErrors}), within a per-input time bound — an `await` that
 *   never settles is cut by a deadline, and a synchronous loop that never ends by a watchdog on
 *   the worker thread each target runs in ({@link runInWorker}), which then reports the input it
 *   was stuck on;
 * - a failing input written to a file as the bytes the parser read, with the command that
 *   replays it ({@link writeFailure}).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { isAnyarchError } from '../../src/errors.js';

/** One parser of untrusted bytes, and what must hold of it. */
export interface FuzzTarget<T = unknown, C = unknown> {
  /** short name, used on the command line: `npm run fuzz -- <name>` */
  readonly name: string;
  /** what untrusted input it reads, for `--list` and the docs */
  readonly reads: string;
  /** structure-aware generators mixed with mutated seed corpora */
  readonly input: fc.Arbitrary<T>;
  /** the property: returns when it holds, throws (an assertion) when it does not */
  readonly check: (input: T, ctx: C) => void | Promise<void>;
  /** the bytes written to a failure file (what the parser read, or a JSON script of answers) */
  readonly encode: (input: T) => Uint8Array;
  /** and read back by `--replay` */
  readonly decode: (bytes: Uint8Array) => T;
  /** inputs tried inside `npm test` */
  readonly ciRuns: number;
  /** most milliseconds one input may take (default {@link DEFAULT_INPUT_MS}) */
  readonly inputMs?: number;
  /** what the checks share (a loopback server, a temporary directory), made once per run */
  readonly setup?: () => Promise<{ readonly ctx: C; close(): Promise<void> }>;
}

export type AnyTarget = FuzzTarget<any, any>;

/** The seed of the fuzz set inside `npm test`. */
export const CI_SEED = 20261122;
/**
 * How long one input may take before it counts as a hang. Parsers take micro- to milliseconds;
 * the bound is a thousand times that so a loaded machine never trips it: it catches loops and
 * blow-ups, it does not time anything.
 */
export const DEFAULT_INPUT_MS = 5_000;
/** Largest input the watchdog keeps a copy of (to report the one a loop was stuck on). */
const WATCH_BYTES = 1 << 20;

// ---------------------------------------------------------------------------------------------
// properties

/**
 * Runs `f`; a throw must be an `AnyarchError` (of one of `codes` when given), anything else fails
 * with its stack. Returns what `f` returned, or undefined when it threw.
 */
export function onlyAnyarchErrors<R>(f: () => R, codes?: readonly string[]): R | undefined {
  try {
    return f();
  } catch (e) {
    expectAnyarchError(e, codes);
    return undefined;
  }
}

/** {@link onlyAnyarchErrors} for a promise. */
export async function onlyAnyarchErrorsAsync<R>(f: () => Promise<R>, codes?: readonly string[]): Promise<R | undefined> {
  try {
    return await f();
  } catch (e) {
    expectAnyarchError(e, codes);
    return undefined;
  }
}

export function expectAnyarchError(e: unknown, codes?: readonly string[]): void {
  if (!isAnyarchError(e)) throw new Error(`threw something other than an AnyarchError: ${String((e as Error)?.stack ?? e)}`);
  if (codes && !codes.includes(e.code)) throw new Error(`threw ${e.code} (expected ${codes.join(' or ')}): ${e.message}`);
  if (typeof e.message !== 'string' || e.message.trim() === '') throw new Error(`an ${e.code} error without a message`);
}

// ---------------------------------------------------------------------------------------------
// inputs

export const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
export const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
/** Codecs for targets whose input is bytes, or text. */
export const bytesCodec = { encode: (b: Uint8Array): Uint8Array => b, decode: (b: Uint8Array): Uint8Array => b };
export const textCodec = { encode: utf8, decode: text };
/** For a structured input (a script of HTTP answers): JSON, byte arrays as base64. */
export const jsonCodec = {
  encode: (v: unknown): Uint8Array => utf8(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? { $bytes: Buffer.from(x).toString('base64') } : x), 1)),
  decode: (b: Uint8Array): never =>
    JSON.parse(text(b), (_k, x: unknown) => (x && typeof x === 'object' && typeof (x as { $bytes?: unknown }).$bytes === 'string' ? new Uint8Array(Buffer.from((x as { $bytes: string }).$bytes, 'base64')) : x)) as never,
};

/** Bytes a mutation likes to put in: delimiters of the formats anyarch reads, and edge values. */
const INTERESTING = [0x00, 0x01, 0x0a, 0x0d, 0x09, 0x20, 0x22, 0x27, 0x5c, 0x2c, 0x3a, 0x3d, 0x7b, 0x7d, 0x5b, 0x5d, 0x24, 0x23, 0x2f, 0x30, 0x37, 0x7f, 0x80, 0xc0, 0xef, 0xfe, 0xff];

export type ByteMutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly len: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly len: number; readonly times: number }
  | { readonly op: 'splice'; readonly at: number; readonly from: number; readonly start: number; readonly len: number }
  | { readonly op: 'truncate'; readonly at: number };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat(255)) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...INTERESTING).map((b) => Uint8Array.of(b))) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), start: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Applies byte mutations to `seed` (`corpus` gives the other seeds a splice takes from). */
export function mutateBytes(seed: Uint8Array, muts: readonly ByteMutation[], corpus: readonly Uint8Array[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const n = b.length;
    const at = m.at % (n + 1);
    switch (m.op) {
      case 'flip':
        if (n) b[at % n] = (b[at % n] as number) ^ (1 << m.bit);
        break;
      case 'set':
        if (n) b[at % n] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'duplicate': {
        const piece = b.subarray(at, at + m.len);
        b = Buffer.concat([b.subarray(0, at), ...Array<Buffer>(m.times + 1).fill(piece), b.subarray(at + m.len)]);
        break;
      }
      case 'splice': {
        const other = corpus.length ? (corpus[m.from % corpus.length] as Uint8Array) : b;
        const start = other.length ? m.start % other.length : 0;
        b = Buffer.concat([b.subarray(0, at), other.subarray(start, start + m.len), b.subarray(at)]);
        break;
      }
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return new Uint8Array(b);
}

/**
 * A seed of the corpus (read lazily, once: `seeds` may read files) with one to `max` byte
 * mutations. Shrinking removes mutations, so a failure shrinks towards the seed it came from.
 */
export function mutatedBytes(seeds: () => readonly Uint8Array[], max = 4): fc.Arbitrary<Uint8Array> {
  let corpus: readonly Uint8Array[] | undefined;
  const get = (): readonly Uint8Array[] => (corpus ??= seeds());
  return fc.tuple(fc.nat(), fc.array(byteMutation, { minLength: 1, maxLength: max })).map(([i, muts]) => {
    const c = get();
    return c.length ? mutateBytes(c[i % c.length] as Uint8Array, muts, c) : new Uint8Array();
  });
}

/** A seed as it is, so each target also sees its well-formed corpus. */
export function seedBytes(seeds: () => readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  let corpus: readonly Uint8Array[] | undefined;
  return fc.nat().map((i) => {
    const c = (corpus ??= seeds());
    return c.length ? (c[i % c.length] as Uint8Array) : new Uint8Array();
  });
}

/** Files of the repository (paths from its root), read as bytes: seed corpora. */
export function repoFiles(...relative: readonly string[]): Uint8Array[] {
  const root = repoRoot();
  return relative.map((r) => new Uint8Array(readFileSync(path.join(root, r))));
}

/** The repository's root (this file is test/support/fuzz.ts, compiled to dist/test/support/fuzz.js). */
export function repoRoot(): string {
  return path.resolve(new URL('.', import.meta.url).pathname, '..', '..', '..');
}

// ---------------------------------------------------------------------------------------------
// what targets share: a temporary directory, a scripted loopback HTTP server

/** A setup giving a fresh temporary directory, removed at the end of the run. */
export async function temporaryDir(prefix: string): Promise<{ readonly ctx: { readonly dir: string }; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `anyarch-fuzz-${prefix}-`));
  return { ctx: { dir }, close: () => rm(dir, { recursive: true, force: true }) };
}

/** One HTTP answer of a script. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

export interface ScriptedServer {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly port: number;
  /** the answers to the next requests, in order (then `fallback`) */
  play(answers: readonly Answer[]): void;
}

/** A loopback HTTP server answering each request with the next answer of the script played. */
export async function scriptedServer(fallback: Answer = { status: 404, headers: {}, body: new Uint8Array() }): Promise<{ readonly ctx: ScriptedServer; close(): Promise<void> }> {
  let script: Answer[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    const a = script.shift() ?? fallback;
    try {
      res.writeHead(a.status, a.headers);
      res.end(req.method === 'HEAD' ? undefined : a.body);
    } catch {
      res.destroy(); // a header the generator made that HTTP does not allow
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    ctx: { host: `127.0.0.1:${port}`, port, play: (answers) => (script = [...answers]) },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// running

export interface RunOptions {
  readonly seed: number;
  /** inputs to try (default: the target's CI budget, or unbounded with `seconds`) */
  readonly runs?: number;
  /** stop generating after this long (a failure found is still shrunk, within the same budget) */
  readonly seconds?: number;
  /** per-input time bound (default: the target's, else {@link DEFAULT_INPUT_MS}) */
  readonly inputMs?: number;
  /** fast-check's replay path of a failure (with its seed): regenerates that input */
  readonly path?: string;
  /** bytes of an input to check once (a failure file), instead of generating */
  readonly replay?: Uint8Array;
}

export interface RunResult {
  readonly target: string;
  readonly seed: number;
  /** inputs tried (shrinking included) */
  readonly inputs: number;
  readonly ms: number;
  readonly failed: boolean;
  /** the first line of what broke */
  readonly error?: string;
  /** the smallest failing input found, as the target encodes it */
  readonly counterexample?: Uint8Array;
  /** fast-check's replay path of it */
  readonly path?: string;
  /** the input did not finish: a loop the watchdog stopped */
  readonly hang?: boolean;
  /** one input from a file was checked (`--replay`), nothing generated */
  readonly replayed?: boolean;
}

/** Fails with a clear line when `p` does not settle within `ms`. */
async function withDeadline<R>(p: Promise<R>, ms: number): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no result within ${ms} ms on one input (a hang)`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one target in this thread. `watch` is called with each input's bytes before it is checked
 * (the worker keeps them where the watchdog can read them).
 */
export async function runTarget(target: AnyTarget, opts: RunOptions, watch?: (input: () => Uint8Array) => void): Promise<RunResult> {
  const inputMs = opts.inputMs ?? target.inputMs ?? DEFAULT_INPUT_MS;
  const started = performance.now();
  const env = target.setup ? await target.setup() : undefined;
  let inputs = 0;
  const one = async (x: unknown): Promise<void> => {
    inputs++;
    watch?.(() => target.encode(x));
    const t0 = performance.now();
    await withDeadline(Promise.resolve().then(() => target.check(x, env?.ctx)), inputMs);
    const took = performance.now() - t0;
    if (took > inputMs) throw new Error(`took ${Math.round(took)} ms on one input, more than the ${inputMs} ms bound`);
  };
  try {
    if (opts.replay) {
      const x = target.decode(opts.replay);
      try {
        await one(x);
        return { target: target.name, seed: opts.seed, inputs, ms: performance.now() - started, failed: false, replayed: true };
      } catch (e) {
        return { target: target.name, seed: opts.seed, inputs, ms: performance.now() - started, failed: true, error: firstLine(e), counterexample: opts.replay, replayed: true };
      }
    }
    const runs = opts.runs ?? (opts.seconds !== undefined ? 2 ** 31 - 1 : target.ciRuns);
    const details = await fc.check(fc.asyncProperty(target.input, one), {
      seed: opts.seed,
      numRuns: runs,
      ...(opts.path !== undefined ? { path: opts.path } : {}),
      ...(opts.seconds !== undefined ? { plugins: [fc.interruptAfterTimeLimit(opts.seconds * 1000)] } : {}),
    });
    const ms = performance.now() - started;
    if (!details.failed || !details.counterexample) return { target: target.name, seed: opts.seed, inputs, ms, failed: false };
    return {
      target: target.name,
      seed: opts.seed,
      inputs,
      ms,
      failed: true,
      error: firstLine(details.errorInstance),
      counterexample: target.encode((details.counterexample as unknown[])[0]),
      path: details.counterexamplePath ?? undefined,
    };
  } finally {
    await env?.close();
  }
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  // an assertion's first line, and the frame that threw when it is not one
  const stack = e instanceof Error && !/AssertionError/.test(e.name) ? (e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l) && !/fast-check|node:internal/.test(l)) : undefined;
  return [lines.slice(0, 3).join(' / '), stack?.trim()].filter(Boolean).join(' — ').slice(0, 2000);
}

/** Where the worker loads the targets from (a module exporting `TARGETS`). */
const TARGETS_MODULE = new URL('../fuzz/targets.js', import.meta.url).href;

export async function loadTargets(module = TARGETS_MODULE): Promise<readonly AnyTarget[]> {
  return ((await import(module)) as { TARGETS: readonly AnyTarget[] }).TARGETS;
}

/** One target to run, with its options. */
export interface Job {
  readonly name: string;
  readonly opts: RunOptions;
}

type WorkerMessage = { readonly kind: 'start'; readonly name: string } | { readonly kind: 'result'; readonly result: RunResult };

/**
 * Runs `jobs` one after the other on a worker thread (the code is loaded once), with a watchdog:
 * when one input has not finished after twice its time bound (a synchronous loop the in-thread
 * deadline cannot cut), the worker is stopped, the input it was on is that target's result, and a
 * new worker goes on with the rest. `onResult` sees each result as it comes. `module` is where
 * the targets come from (a module exporting `TARGETS`; default test/fuzz/targets.js).
 */
export async function runJobs(jobs: readonly Job[], onResult: (r: RunResult) => void = () => undefined, module = TARGETS_MODULE): Promise<RunResult[]> {
  const targets = await loadTargets(module);
  const results: RunResult[] = [];
  let rest = [...jobs];
  for (const j of rest) if (!targets.some((t) => t.name === j.name)) throw new Error(`no fuzz target ${j.name} (there are: ${targets.map((t) => t.name).join(', ')})`);
  while (rest.length) {
    // [0] inputs started, [1] bytes of the current input kept, then the bytes
    const shared = new SharedArrayBuffer(8 + WATCH_BYTES);
    const counters = new Int32Array(shared, 0, 2);
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: { anyarchFuzz: { jobs: rest, shared, targets: module } } });
    const done = await new Promise<RunResult[]>((resolve, reject) => {
      const got: RunResult[] = [];
      let current: Job | undefined;
      let started = performance.now();
      let last = -1;
      let since = performance.now();
      const finish = (f: () => void): void => {
        clearInterval(watchdog);
        worker.removeAllListeners();
        void worker.terminate();
        f();
      };
      const watchdog = setInterval(() => {
        const n = Atomics.load(counters, 0);
        if (n !== last) {
          last = n;
          since = performance.now();
          return;
        }
        const job = current;
        if (!job) return;
        const inputMs = job.opts.inputMs ?? targets.find((t) => t.name === job.name)?.inputMs ?? DEFAULT_INPUT_MS;
        const bound = 2 * inputMs + 1000;
        if (n > 0 && performance.now() - since > bound) {
          const input = new Uint8Array(shared, 8, Atomics.load(counters, 1)).slice();
          const r: RunResult = { target: job.name, seed: job.opts.seed, inputs: n, ms: performance.now() - started, failed: true, hang: true, error: `one input did not finish within ${Math.round(bound / 1000)} s (a loop); the worker was stopped`, counterexample: input };
          got.push(r);
          onResult(r);
          finish(() => resolve(got));
        }
      }, 100);
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'start') {
          current = jobs.find((j) => j.name === m.name);
          started = performance.now();
          Atomics.store(counters, 0, 0);
          last = 0;
          since = performance.now();
          return;
        }
        const r = { ...m.result, ...(m.result.counterexample ? { counterexample: new Uint8Array(m.result.counterexample) } : {}) };
        got.push(r);
        onResult(r);
        if (got.length === rest.length) finish(() => resolve(got));
      });
      worker.once('error', (e) => finish(() => reject(e)));
      worker.once('exit', (code) => finish(() => reject(new Error(`the fuzz worker exited (${code}) before its last result`))));
    });
    results.push(...done);
    rest = rest.slice(done.length);
  }
  return results;
}

/** What the worker does (called from fuzz-worker.ts with its workerData): each job in turn. */
export async function workerMain(data: { jobs: readonly Job[]; shared: SharedArrayBuffer; targets: string }, post: (m: WorkerMessage) => void): Promise<void> {
  const { TARGETS } = (await import(data.targets)) as { TARGETS: readonly AnyTarget[] };
  const counters = new Int32Array(data.shared, 0, 2);
  const bytes = new Uint8Array(data.shared, 8);
  for (const job of data.jobs) {
    const target = TARGETS.find((t) => t.name === job.name) as AnyTarget;
    const opts = job.opts.replay ? { ...job.opts, replay: new Uint8Array(job.opts.replay) } : job.opts;
    post({ kind: 'start', name: job.name });
    const t0 = performance.now();
    const result = await runTarget(target, opts, (input) => {
      const b = input();
      const n = Math.min(b.length, bytes.length);
      bytes.set(b.subarray(0, n));
      Atomics.store(counters, 1, n);
      Atomics.add(counters, 0, 1);
    }).catch((e: unknown): RunResult => ({ target: job.name, seed: job.opts.seed, inputs: 0, ms: performance.now() - t0, failed: true, error: `the target itself failed (its setup or generator): ${firstLine(e)}` }));
    post({ kind: 'result', result });
  }
}

// ---------------------------------------------------------------------------------------------
// reporting

/** Writes the failing input to `<dir>/<target>-seed<seed>.bin`; returns the path. */
export function writeFailure(r: RunResult, dir: string): string | undefined {
  if (!r.counterexample) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${r.target}-seed${r.seed}.bin`);
  writeFileSync(file, r.counterexample);
  return file;
}

/** The lines that report a run: ok, or what failed, where its input is, and how to replay it. */
export function describeRun(r: RunResult, file?: string): string {
  const head = r.replayed ? `fuzz ${r.target}: the input of ${file ?? 'the file'}` : `fuzz ${r.target}: seed ${r.seed}, ${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s`;
  if (!r.failed) return `${head}: ok`;
  const lines = [`${head}: FAILED${r.hang ? ' (hang)' : ''}`, `  ${r.error ?? 'the property does not hold'}`];
  if (file && !r.replayed) {
    lines.push(`  smallest failing input (${r.counterexample?.length ?? 0} bytes): ${file}`);
    lines.push(`  replay it:      npm run fuzz -- --replay ${file} ${r.target}`);
  }
  if (r.path) lines.push(`  regenerate it:  npm run fuzz -- --seed ${r.seed} --path ${r.path} ${r.target}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// npm run fuzz

const USAGE = `usage: npm run fuzz -- [--seconds N] [--seed N] [--runs N] [--input-ms N] [--out DIR] [target...]
       npm run fuzz -- --replay FILE target
       npm run fuzz -- --seed N --path P target
       npm run fuzz -- --list

  --seconds N   time budget of the whole run, shared by the targets (default 60; env ANYARCH_FUZZ_SECONDS)
  --seed N      seed of the generator (default: a random one, printed; env ANYARCH_FUZZ_SEED)
  --runs N      inputs per target instead of a time budget
  --input-ms N  most milliseconds one input may take (default: the target's, ${DEFAULT_INPUT_MS} ms)
  --out DIR     where failing inputs are written (default fuzz-failures; env ANYARCH_FUZZ_OUT)
  --replay FILE check the input in FILE (as written after a failure) against one target
  --path P      with --seed: regenerate fast-check's failing input P (printed after a failure)
  --list        the targets and what they read`;

/** `npm run fuzz`: parses `argv`, runs the targets, prints each result; the exit code. */
export async function fuzzMain(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, print: (s: string) => void = console.log): Promise<number> {
  const TARGETS = await loadTargets();
  const names: string[] = [];
  let seconds = env.ANYARCH_FUZZ_SECONDS !== undefined ? Number(env.ANYARCH_FUZZ_SECONDS) : undefined;
  let seed = env.ANYARCH_FUZZ_SEED !== undefined ? Number(env.ANYARCH_FUZZ_SEED) : undefined;
  let out = env.ANYARCH_FUZZ_OUT ?? 'fuzz-failures';
  let runs: number | undefined;
  let inputMs: number | undefined;
  let replay: string | undefined;
  let replayPath: string | undefined;
  let replayBytes: Uint8Array | undefined;
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number (got ${v ?? 'nothing'})`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] as string;
      const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const value = (): string | undefined => inline ?? argv[++i];
      switch (flag) {
        case '--seconds':
          seconds = num(flag, value());
          break;
        case '--seed':
          seed = Math.trunc(num(flag, value()));
          break;
        case '--runs':
          runs = Math.trunc(num(flag, value()));
          break;
        case '--input-ms':
          inputMs = num(flag, value());
          break;
        case '--out':
          out = value() ?? out;
          break;
        case '--replay':
          replay = value();
          break;
        case '--path':
          replayPath = value();
          break;
        case '--list':
          for (const t of TARGETS) print(`${t.name.padEnd(18)} ${t.reads}`);
          return 0;
        case '--help':
        case '-h':
          print(USAGE);
          return 0;
        default:
          if (flag.startsWith('-')) throw new Error(`unknown option ${flag}`);
          if (!TARGETS.some((t) => t.name === flag)) throw new Error(`no fuzz target ${flag} (--list shows them)`);
          names.push(flag);
      }
    }
    if (seconds !== undefined && !Number.isFinite(seconds)) throw new Error('ANYARCH_FUZZ_SECONDS is not a number');
    if (seed !== undefined && !Number.isFinite(seed)) throw new Error('ANYARCH_FUZZ_SEED is not a number');
    if ((replay || replayPath) && names.length !== 1) throw new Error(`${replay ? '--replay' : '--path'} needs exactly one target`);
    if (replayPath && seed === undefined) throw new Error('--path needs the --seed it was printed with');
    if (replay) {
      try {
        replayBytes = new Uint8Array(readFileSync(replay));
      } catch (e) {
        throw new Error(`--replay ${replay}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
  } catch (e) {
    print(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const chosen = names.length ? names : TARGETS.map((t) => t.name);
  const runSeed = seed ?? Math.floor(Math.random() * 2 ** 31);
  const each = runs === undefined && !replay && !replayPath ? (seconds ?? 60) / chosen.length : undefined;
  if (replay) print(`fuzz: replaying ${replay}`);
  else print(`fuzz: seed ${runSeed}, ${chosen.length} target${chosen.length === 1 ? '' : 's'}${each !== undefined ? `, ${each.toFixed(1)} s each` : runs !== undefined ? `, ${runs} inputs each` : ''}`);
  const opts: RunOptions = {
    seed: runSeed,
    ...(runs !== undefined ? { runs } : {}),
    ...(each !== undefined ? { seconds: each } : {}),
    ...(inputMs !== undefined ? { inputMs } : {}),
    ...(replayPath !== undefined ? { path: replayPath } : {}),
    ...(replayBytes !== undefined ? { replay: replayBytes } : {}),
  };
  let failed = 0;
  await runJobs(
    chosen.map((name) => ({ name, opts })),
    (r) => {
      if (r.failed) failed++;
      print(describeRun(r, r.failed && !replay ? writeFailure(r, out) : replay));
    },
  );
  return failed ? 1 : 0;
}
