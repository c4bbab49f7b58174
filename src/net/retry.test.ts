/** Backoff, Retry-After, the per-host limit and the generic retry loop, without a network. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffMs, eachLimited, GIVE_UP, retryAfterMs, retrying, Semaphore, type RetryChoice } from './retry.js';

describe('Retry-After and backoff', () => {
  test('Retry-After as seconds and as an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
  });
  test('backoff grows, is capped, and is jittered below its ceiling', () => {
    const p = { attempts: 5, baseMs: 100, maxMs: 350, maxRetryAfterMs: 1000 };
    assert.equal(backoffMs(p, 1, () => 1), 100);
    assert.equal(backoffMs(p, 2, () => 1), 200);
    assert.equal(backoffMs(p, 3, () => 1), 350);
    assert.equal(backoffMs(p, 3, () => 0.5), 175);
  });
});

describe('retrying', () => {
  const policy = { attempts: 3, baseMs: 1, maxMs: 1, maxRetryAfterMs: 10 };
  const again = (waitMs: number): RetryChoice => ({ retry: true, waitMs, reason: 'again' });
  const noSleep = async (): Promise<void> => undefined;

  test('tries until an attempt succeeds, waiting what the decision says', async () => {
    const waits: number[] = [];
    const seen: number[] = [];
    const result = await retrying(
      policy,
      async (n) => {
        seen.push(n);
        if (n < 3) throw new Error(`try ${n}`);
        return 'done';
      },
      (_e, n) => again(n * 10),
      { sleep: async (ms) => void waits.push(ms) },
    );
    assert.equal(result, 'done');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(waits, [10, 20]);
  });

  test('bounded: the last failure is thrown as it is, without asking the decision', async () => {
    const asked: number[] = [];
    await assert.rejects(
      retrying(policy, async (n) => Promise.reject(new Error(`try ${n}`)), (_e, n) => (asked.push(n), again(0)), { sleep: noSleep }),
      /try 3/,
    );
    assert.deepEqual(asked, [1, 2]);
  });

  test('a decision to stop ends at once, with its own error when it names one', async () => {
    let tries = 0;
    await assert.rejects(retrying(policy, async () => Promise.reject(new Error(`try ${++tries}`)), () => GIVE_UP, { sleep: noSleep }), /try 1/);
    assert.equal(tries, 1);
    await assert.rejects(
      retrying(policy, async () => Promise.reject(new Error('first')), () => ({ retry: false, error: new Error('clearer') }), { sleep: noSleep }),
      /clearer/,
    );
  });

  test('onRetry hears every retry before its wait', async () => {
    const heard: string[] = [];
    await retrying(
      policy,
      async (n) => {
        if (n === 1) throw new Error('x');
        return n;
      },
      () => again(5),
      { sleep: noSleep, onRetry: (n, c) => heard.push(`${n}:${c.waitMs}:${c.reason}`) },
    );
    assert.deepEqual(heard, ['1:5:again']);
  });
});

test('Semaphore: at most `limit` tasks at a time, all of them run', async () => {
  const s = new Semaphore(2);
  let active = 0;
  let most = 0;
  const results = await Promise.all(
    Array.from({ length: 7 }, (_, i) =>
      s.run(async () => {
        most = Math.max(most, ++active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
        return i;
      }),
    ),
  );
  assert.equal(most, 2);
  assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6]);
});

test('eachLimited: every item once, started in order, at most `limit` at a time; a failure rejects', async () => {
  let active = 0;
  let most = 0;
  const started: number[] = [];
  await eachLimited([1, 2, 3, 4, 5], 2, async (i) => {
    started.push(i);
    most = Math.max(most, ++active);
    await new Promise((r) => setTimeout(r, 2));
    active--;
  });
  assert.equal(most, 2);
  assert.deepEqual(started, [1, 2, 3, 4, 5]);
  let ran = 0;
  await eachLimited(new Set(['a']), 0, async () => void ran++);
  assert.equal(ran, 1, 'a limit below one still runs');
  await assert.rejects(eachLimited([1, 2], 4, async (i) => {
    if (i === 2) throw new Error('boom');
  }), /boom/);
});
