/**
 * The deadline of one operation: a clock started once, a signal aborted with the operation's
 * own error, and waits that end with it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abortable, abortableSleep, Deadline, formatSeconds } from './deadline.js';

describe('Deadline', () => {
  test('nothing runs before start; then the signal is aborted with the error the operation gave', async () => {
    const d = new Deadline(20, () => new Error('late'));
    assert.equal(d.remaining(), Infinity);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(d.signal.aborted, false, 'the clock starts with start(), not when made');
    d.start();
    d.start(); // once
    assert.ok(d.remaining() <= 20);
    await assert.rejects(abortable(new Promise(() => undefined), d.signal), /late/);
    assert.equal((d.signal.reason as Error).message, 'late');
  });

  test('done() stops the clock; abort() ends at once with its reason', async () => {
    const d = new Deadline(20, () => new Error('late'));
    d.start();
    d.done();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(d.signal.aborted, false);
    d.abort(new Error('failed'));
    assert.equal((d.signal.reason as Error).message, 'failed');
  });

  test('a deadline longer than a timer keeps (--timeout 3000000) waits, instead of firing at once', async () => {
    // Node fires a timer of more than 2^31 - 1 ms after 1 ms: every request failed at once
    const d = new Deadline(3_000_000_000, () => new Error('late'));
    d.start();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(d.signal.aborted, false);
    d.done();
    const ctrl = new AbortController();
    const slept = abortableSleep(2 ** 33, ctrl.signal);
    await new Promise((r) => setTimeout(r, 30));
    ctrl.abort(new Error('stopped'));
    await assert.rejects(slept, /stopped/, 'the sleep was still waiting');
  });
});

describe('abortable and abortableSleep', () => {
  test('a settled promise wins; an aborted signal rejects with its reason, also when aborted before', async () => {
    const c = new AbortController();
    assert.equal(await abortable(Promise.resolve(1), c.signal), 1);
    await assert.rejects(abortable(Promise.reject(new Error('own')), c.signal), /own/);
    c.abort(new Error('gone'));
    await assert.rejects(abortable(Promise.resolve(1), c.signal), /gone/);
    await assert.rejects(abortableSleep(60_000, c.signal), /gone/);
  });

  test('a sleep ends early when the signal is aborted', async () => {
    const c = new AbortController();
    const sleeping = abortableSleep(60_000, c.signal);
    setTimeout(() => c.abort(new Error('deadline')), 10);
    await assert.rejects(sleeping, /deadline/);
    await abortableSleep(1, undefined);
  });
});

test('formatSeconds', () => {
  assert.equal(formatSeconds(2000), '2 s');
  assert.equal(formatSeconds(500), '0.5 s');
  assert.equal(formatSeconds(2500), '2.5 s');
  assert.equal(formatSeconds(1007), '1 s');
  assert.equal(formatSeconds(30_000), '30 s');
});
