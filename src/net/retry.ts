/**
 * When and how long to wait before trying a request again: bounded attempts, exponential
 * backoff with full jitter (so many clients do not retry in step), `Retry-After` read as the
 * server means it, a per-host limit on requests in flight, and {@link retrying}, the one loop
 * that runs an attempt until it succeeds, the attempts run out, or a decision says stop. What
 * is worth another try is the caller's to decide (a registry client decides from its status
 * codes and error bodies; a package-registry client may decide otherwise).
 */

export interface RetryPolicy {
  /** tries in all, the first included */
  readonly attempts: number;
  /** first backoff ceiling in ms; doubles per retry */
  readonly baseMs: number;
  /** largest backoff in ms */
  readonly maxMs: number;
  /** longest Retry-After anyarch waits for; longer ones end the request */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 300, maxMs: 5000, maxRetryAfterMs: 60_000 };

/** Full-jitter backoff for retry number `retry` (1 for the first retry). */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110). Undefined when absent or
 * unreadable; never negative.
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** At most `limit` tasks at a time (per registry host). */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Runs `task` on every item, at most `limit` at once (a `Semaphore`), started in the items'
 * order; resolves when all are done, rejects with the first task that throws.
 */
export async function eachLimited<T>(items: Iterable<T>, limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const s = new Semaphore(Math.max(1, limit));
  await Promise.all(Array.from(items, (item) => s.run(() => task(item))));
}

/** What a decision says about a failed attempt. */
export type RetryChoice =
  /** try again after `waitMs`; `reason` is for progress lines and logs */
  | { readonly retry: true; readonly waitMs: number; readonly reason: string }
  /** stop, throwing `error` when given (a clearer one), else the attempt's own */
  | { readonly retry: false; readonly error?: unknown };

export const GIVE_UP: RetryChoice = { retry: false };

export interface RetryingOptions {
  /** called before each wait (`attempt` is the one that failed, 1 for the first) */
  readonly onRetry?: (attempt: number, choice: Extract<RetryChoice, { retry: true }>) => void;
  /** waits between attempts (tests replace it) */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` (1, 2, ...) until it returns, `policy.attempts` tries have failed, or `decide`
 * says a failure is not worth another try. `decide` sees every failure but the last (the last is
 * thrown as it is) and may throw or name another error itself.
 */
export async function retrying<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  decide: (error: unknown, n: number) => RetryChoice,
  opts: RetryingOptions = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n >= policy.attempts) throw e;
      const choice = decide(e, n);
      if (!choice.retry) throw choice.error ?? e;
      opts.onRetry?.(n, choice);
      await (opts.sleep ?? sleep)(choice.waitMs);
    }
  }
}
