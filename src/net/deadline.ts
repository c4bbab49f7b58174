/**
 * One deadline per operation: an `AbortSignal` that ends everything an operation does (every
 * try, redirect, token fetch and body read) once its time is up, with a timer armed when the
 * operation really starts (not while it queues for a connection) and cleared when it is done.
 * Whatever is given the signal stops on it (fetch, node:http, the body streams they hand out,
 * the waits between tries); whatever cannot be given one is raced against it ({@link abortable}).
 */

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
    this.timer = setTimeout(() => this.ctrl.abort(this.expired()), this.ms);
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
  if (!signal) return new Promise((r) => setTimeout(r, ms));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
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
