/**
 * When and how long to wait before trying a request again: bounded attempts, exponential
 * backoff with full jitter (so many clients do not retry in step), and `Retry-After` honoured
 * for 429 and 503 — up to a ceiling, beyond which anyarch gives up and says when to come back.
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
