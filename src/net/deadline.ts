/**
 * One deadline per operation: an `AbortSignal` that ends everything an operation does (every
 * try, redirect, token fetch and body read) once its time is up, with a timer armed when the
 * operation really starts (not while it queues for a connection) and cleared when it is done.
 * Whatever is given the signal stops on it (fetch, node:http, the body streams they hand out,
 * the waits between tries); whatever cannot be given one is raced against it ({@link abortable}).
 * A stream that outlives its request (a layer) is watched instead ({@link watchStream}): it may
 * not go silent, nor arrive slower than a floor rate.
 */
import type { Readable, Writable } from 'node:stream';

/** The longest delay a Node timer keeps (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a timer takes it: a longer wait is the longest a timer keeps, never 1 ms. */
export function timerMs(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_TIMER_MS);
}

/** An operation's deadline: its signal, aborted with `expired()` (the error to report) `ms` after {@link start}. */
export class Deadline {
  private readonly ctrl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private endsAt: number | undefined;

  constructor(
    /** how long the operation may take once started, ms */
    readonly ms: number,
    /** the error the operation ends with when its time is up */
    private readonly expired: () => Error,
  ) {}

  /** aborted when the time is up (or {@link abort} was called) */
  get signal(): AbortSignal {
    return this.ctrl.signal;
  }

  /** Starts the clock (once; later calls do nothing). */
  start(): void {
    if (this.endsAt !== undefined || this.ctrl.signal.aborted) return;
    this.endsAt = Date.now() + this.ms;
    this.timer = setTimeout(() => this.ctrl.abort(this.expired()), timerMs(this.ms));
  }

  /** ms left before the deadline (Infinity before {@link start}) */
  remaining(): number {
    return this.endsAt === undefined ? Infinity : Math.max(0, this.endsAt - Date.now());
  }

  /** Ends the operation now: whatever holds the signal stops (releasing connections and bodies). */
  abort(reason: unknown): void {
    this.done();
    if (!this.ctrl.signal.aborted) this.ctrl.abort(reason);
  }

  /** The operation is over: the clock stops (what it handed out, a stream, lives on). */
  done(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * `p`, or the signal's reason as soon as it is aborted: for waits that cannot be given the
 * signal themselves (a credential helper, a consumer's own body read).
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Waits `ms`, or rejects with the signal's reason when it is aborted first. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise((r) => setTimeout(r, timerMs(ms)));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, timerMs(ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `2 s`, `0.5 s`: a duration for messages. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(s < 1 ? 3 : 1))} s`;
}

/**
 * The slowest average rate a streamed blob may arrive at, bytes per second, after the request's
 * own timeout: a layer of `size` bytes may take `timeout + size / MIN_STREAM_BYTES_PER_SECOND`
 * of the time its reader was waiting for it (16 KiB/s: a 1 GiB layer may take some 18 hours, a
 * server trickling a byte a second cannot hold a reader for ever).
 */
export const MIN_STREAM_BYTES_PER_SECOND = 16 * 1024;

export interface StreamWatch {
  /** how long the source may send nothing while the reader wants more, ms */
  readonly silenceMs: number;
  /** how long the reader may wait for the whole stream in all, ms (time it holds the stream back itself not counted) */
  readonly budgetMs: number;
  /** the error for a source that went silent */
  readonly silent: () => Error;
  /** the error for a source too slow to finish within the budget */
  readonly slow: () => Error;
}

/**
 * Ends `out` (what `source` is piped into) with an error when `source` sends nothing for
 * `silenceMs`, or when the whole stream takes longer than `budgetMs`, counting only the time
 * `out` wanted more: a consumer that holds the stream back (backpressure) is not the source's
 * slowness.
 */
export function watchStream(source: Readable, out: Writable, w: StreamWatch): void {
  const tick = Math.max(10, Math.min(1000, Math.floor(Math.min(w.silenceMs, w.budgetMs) / 4)));
  let silentFor = 0;
  let waited = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const step = now - last;
    last = now;
    if (out.writableNeedDrain || source.isPaused()) return; // the reader holds it back
    silentFor += step;
    waited += step;
    if (silentFor >= w.silenceMs) out.destroy(w.silent());
    else if (waited >= w.budgetMs) out.destroy(w.slow());
  }, tick);
  source.on('data', () => (silentFor = 0));
  const stop = (): void => clearInterval(timer);
  source.once('close', stop);
  out.once('close', stop);
}
