/**
 * Runs an engine's client program (docker, buildah, podman) and hands its output over line by
 * line, keeping only the last lines (what a failure is explained with) and, when asked, a
 * bounded standard output (what a `--version` says). Never a shell: the arguments go to the
 * program as given.
 */
import { spawn } from 'node:child_process';
import { AnyarchError } from '../../errors.js';
import { errnoReason } from '../../fs/errno.js';
import type { BuildRequest, Engine, EngineBuildOptions, EngineName, EngineResult } from '../types.js';

/** Lines of an engine's output kept to explain a failure. */
export const TAIL_LINES = 30;
/** Most characters of one output line kept (a progress line can be a whole JSON document). */
export const MAX_LINE_CHARS = 4096;
/** Most bytes of standard output kept for the caller (`--version`, a `buildx version`). */
const MAX_STDOUT_BYTES = 64 * 1024;

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** each line of standard output and standard error, as it comes */
  readonly onLine?: (line: string) => void;
  /** ends the program (SIGKILL) after this many ms: for questions, never for builds */
  readonly timeoutMs?: number;
}

export interface RunResult {
  /** the exit status, or null when a signal ended it */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** the start of standard output (at most 64 KiB) */
  readonly stdout: string;
  /** the last {@link TAIL_LINES} lines of standard output and error, interleaved as they came */
  readonly tail: readonly string[];
  /** true when `timeoutMs` ended it */
  readonly timedOut: boolean;
}

/** Splits a byte stream into lines (`\n`, `\r\n`, and `\r` of progress bars), each trimmed to {@link MAX_LINE_CHARS}. */
class LineSplitter {
  private rest = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: string): void {
    const parts = (this.rest + chunk).split(/\r\n|\n|\r/);
    this.rest = parts.pop() ?? '';
    if (this.rest.length > MAX_LINE_CHARS * 4) this.rest = this.rest.slice(0, MAX_LINE_CHARS);
    for (const p of parts) this.emit(p.length > MAX_LINE_CHARS ? `${p.slice(0, MAX_LINE_CHARS)}…` : p);
  }
  end(): void {
    if (this.rest !== '') this.emit(this.rest.length > MAX_LINE_CHARS ? `${this.rest.slice(0, MAX_LINE_CHARS)}…` : this.rest);
    this.rest = '';
  }
}

/**
 * Runs `program args`. Resolves with how it ended (a non-zero exit is a result, not an error);
 * rejects with `E_BUILD` only when it cannot be started at all (not there, not executable), or
 * with the signal's reason when `signal` aborts it (the program is killed first).
 */
export function runProgram(program: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const child = spawn(program, [...args], {
      env: opts.env ?? process.env,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onLine?.(line);
    };
    const outLines = new LineSplitter(onLine);
    const errLines = new LineSplitter(onLine);
    let stdout = '';
    let stdoutBytes = 0;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      if (stdoutBytes < MAX_STDOUT_BYTES) stdout += s.slice(0, MAX_STDOUT_BYTES - stdoutBytes);
      stdoutBytes += s.length;
      outLines.push(s);
    });
    child.stderr.on('data', (s: string) => errLines.push(s));

    let timedOut = false;
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    const abort = (): void => {
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', abort, { once: true });
    let failed: Error | undefined;
    child.on('error', (e) => {
      failed = e;
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', abort);
      outLines.end();
      errLines.end();
      if (opts.signal?.aborted) {
        reject(opts.signal.reason);
        return;
      }
      if (failed && code === null && signal === null) {
        reject(new AnyarchError('E_BUILD', `cannot run ${program}: ${errnoReason(failed)}`, 'is it installed, and executable? Name another with --docker or --buildah', undefined, { cause: failed }));
        return;
      }
      resolve({ code, signal, stdout, tail, timedOut });
    });
  });
}

/** How a program ended, in words: `exit status 1`, `killed by SIGKILL`. */
export function endedWith(r: RunResult): string {
  if (r.timedOut) return 'no answer in time';
  return r.code !== null ? `exit status ${r.code}` : `killed by ${r.signal ?? 'a signal'}`;
}

/** An engine driven through a client program: what it is and the environment it runs in. */
export abstract class ClientEngine implements Engine {
  abstract readonly name: EngineName;
  constructor(
    /** the client program, full path */
    readonly program: string,
    readonly version: string,
    readonly why: string,
    /** the environment the client runs in (DOCKER_HOST, DOCKER_CONFIG, CONTAINERS_STORAGE_CONF…) */
    protected readonly env: NodeJS.ProcessEnv,
  ) {}
  abstract build(request: BuildRequest, opts?: EngineBuildOptions): Promise<EngineResult>;
}

/** `work` run once however often the function returned is called (an `EngineResult.close`). */
export function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}
