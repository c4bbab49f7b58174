/**
 * The process around a command: where it runs, what it may print to, and when to use colour and
 * progress lines. Commands take an `Io` instead of touching `process`, so tests run them in-process.
 */

import type { Writable } from 'node:stream';
import { readAtMost } from '../fs/bounded-read.js';

export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** reads standard input to its end, or until it has more than `limit` bytes (for the `-` path) */
  readStdin(limit: number): Promise<Uint8Array>;
  /**
   * Waits until what was written to standard output has been handed to the system, and returns
   * the first error writing it (EPIPE when the reader went away, ENOSPC on a full disk…), if any.
   */
  outputError?(): Promise<NodeJS.ErrnoException | undefined>;
}

/** What a command ended with; only main.ts turns it into an exit code. */
export type Outcome =
  /** nothing at or above --fail-on */
  | 'clean'
  /** findings at or above --fail-on */
  | 'findings'
  /** some input could not be read or parsed (the others were still checked) */
  | 'input-error'
  /** anyarch misbehaved (e.g. a fix broke the syntax); already reported */
  | 'bug'
  /** an engine's build or a cross-compile failed (nothing tagged) */
  | 'build-failed';

/**
 * A process stream whose write errors are kept instead of thrown: a closed pipe (`| head`) or a
 * full disk emits 'error', which without a listener ends the process with a stack trace. The
 * first error is kept for `outputError()`; later writes are dropped (the output is lost anyway).
 */
export class GuardedStream implements OutStream {
  error: NodeJS.ErrnoException | undefined;
  constructor(private readonly stream: Writable & { readonly isTTY?: boolean }) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      this.error ??= e;
    });
  }
  get isTTY(): boolean | undefined {
    return this.stream.isTTY;
  }
  write(chunk: string): boolean {
    if (this.error || this.stream.destroyed) return false;
    try {
      return this.stream.write(chunk);
    } catch (e) {
      this.error ??= e as NodeJS.ErrnoException;
      return false;
    }
  }
  /** Resolves once everything written has left (or the stream failed or closed): then `error` is final. */
  async settled(): Promise<NodeJS.ErrnoException | undefined> {
    const s = this.stream;
    if (!this.error && !s.destroyed && s.writableLength > 0) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          s.off('drain', done).off('error', done).off('close', done);
          resolve();
        };
        s.on('drain', done).on('error', done).on('close', done);
      });
    }
    // an error of a synchronous write (a file, /dev/full) is emitted on the next tick
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.error;
  }
}

export function processIo(): Io {
  const stdout = new GuardedStream(process.stdout);
  // standard error's own failures cannot be reported anywhere; kept quiet, never a crash
  const stderr = new GuardedStream(process.stderr);
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout,
    stderr,
    readStdin: (limit) => readAtMost(process.stdin, limit),
    outputError: () => stdout.settled(),
  };
}

/**
 * Whether to colour output written to `stream`: never with --no-color; FORCE_COLOR (other than
 * `0`/`false`) forces it; otherwise only on a terminal, and not when NO_COLOR is set or TERM=dumb.
 */
export function useColor(stream: OutStream, env: Io['env'], allowed = true): boolean {
  if (!allowed) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** An environment flag is set unless absent, empty, `0` or `false` (any case). */
export function envFlag(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Whether to show progress on `stream`: on a terminal only, never in CI logs, never with --quiet. */
export function showProgress(stream: OutStream, env: Io['env'], quiet = false): boolean {
  return stream.isTTY === true && !quiet && !envFlag(env.CI);
}
