// Runs the anyarch binary in a child process under GNU time (/usr/bin/time, scripts/test-deps.sh
// installs it): its exit code, output, wall time and peak RSS measured from outside the process,
// for tests that bound how long a run may take or how much memory it may use (with generous
// margins, so a loaded machine passes).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/support/measured.js -> bin/anyarch.js */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'anyarch.js');
const TIME = '/usr/bin/time';

export interface MeasuredRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** wall-clock seconds, as GNU time measured them */
  readonly seconds: number;
  /** peak resident set size, MB */
  readonly peakRssMb: number;
}

export interface MeasuredOptions {
  readonly cwd?: string;
  /** the child's whole environment */
  readonly env?: NodeJS.ProcessEnv;
  /** a run that takes longer is killed (the test then fails on its time), ms; default 120 s */
  readonly killAfterMs?: number;
}

/**
 * What every test's CLI run adds to its environment: verify (and build, assemble, merge) neither
 * reads nor fills the user's cache of layer scans, so that a run reads its layers as it always did
 * and writes nothing to the real cache directory (a test of the cache gives its own
 * `ANYARCH_CACHE_DIR` and `ANYARCH_NO_SCAN_CACHE: '0'`).
 */
export const NO_SCAN_CACHE = { ANYARCH_NO_SCAN_CACHE: '1' } as const;

/** `anyarch ARGS...` under /usr/bin/time, with {@link NO_SCAN_CACHE} unless `env` says otherwise. */
export function runMeasured(args: readonly string[], opts: MeasuredOptions = {}): Promise<MeasuredRun> {
  return runMeasuredScript([BIN, ...args], { ...opts, env: { ...NO_SCAN_CACHE, ...(opts.env ?? process.env) } });
}

/** `node SCRIPT ARGS...` under /usr/bin/time (a test's own child script, e.g. one library call on hostile input). */
export function runMeasuredScript(scriptAndArgs: readonly string[], opts: MeasuredOptions = {}): Promise<MeasuredRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-measured-'));
  const report = path.join(dir, 'time');
  return new Promise<MeasuredRun>((resolve, reject) => {
    const child = spawn(TIME, ['-f', '%e %M', '-o', report, process.execPath, ...scriptAndArgs], {
      cwd: opts.cwd ?? process.cwd(),
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 120_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      try {
        // GNU time prints "Command exited with non-zero status N" before the format line
        const last = readFileSync(report, 'utf8').trim().split('\n').pop() ?? '';
        const [seconds = NaN, kb = NaN] = last.split(' ').map(Number);
        if (!Number.isFinite(seconds) || !Number.isFinite(kb)) throw new Error(`unreadable /usr/bin/time report: ${last}`);
        resolve({ code, stdout, stderr, seconds, peakRssMb: Math.round(kb / 1024) });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
