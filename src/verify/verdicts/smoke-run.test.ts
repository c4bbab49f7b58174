import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import type { SmokeResult } from '../../smoke/types.js';
import rule from './smoke-run.js';

const run = (more: Partial<SmokeResult>): SmokeResult => ({ platform: 'linux/arm64', via: 'qemu', argv: ['/usr/bin/app', '--version'], timedOut: false, output: '', durationMs: 1200, ok: false, ...more });

test('AA211: a failed run is an error with exit code and first output line; a passing one nothing', () => {
  const vs = judge(rule, handTree({}), 'linux/arm64', { smoke: run({ exitCode: 126, output: '\nexec /usr/bin/app: exec format error\nmore\n' }) });
  assert.deepEqual(brief(vs), ['AA211 error']);
  assert.equal(vs[0]!.message, 'the smoke run `/usr/bin/app --version` on linux/arm64 exited 126 via qemu: exec /usr/bin/app: exec format error');
  assert.deepEqual(judge(rule, handTree({}), 'linux/arm64', { smoke: run({ exitCode: 0, ok: true }) }), []);
});

test('AA211: a timeout and a signal say so; a run never made is information', () => {
  assert.match(judge(rule, handTree({}), 'linux/arm64', { smoke: run({ timedOut: true, durationMs: 30_000 }) })[0]!.message, /timed out after 30 s/);
  assert.match(judge(rule, handTree({}), 'linux/arm64', { smoke: run({ signal: 'SIGILL' }) })[0]!.message, /killed by SIGILL/);
  assert.deepEqual(brief(judge(rule, handTree({}), 'linux/arm64', { smoke: run({ error: 'no qemu-aarch64-static on this machine' }) })), ['AA211 info']);
});
