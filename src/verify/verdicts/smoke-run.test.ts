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
  const notMade = judge(rule, handTree({}), 'linux/arm64', { smoke: run({ error: 'no qemu-aarch64-static on this machine', notRun: 'no qemu-aarch64-static on this machine' }) });
  assert.deepEqual(brief(notMade), ['AA211 info']);
  assert.match(notMade[0]!.message, /was not made: no qemu-aarch64-static on this machine/);
});

test('AA211: a missing program (127), a native wrong-arch refusal (126) and a run that could not start for the image are errors, never information', () => {
  const missing = judge(rule, handTree({}), 'linux/amd64', { smoke: run({ platform: 'linux/amd64', via: 'native', argv: ['/bin/missing'], exitCode: 127, error: '/bin/missing: no such executable file in the image', output: '/bin/missing: no such executable file in the image\n' }) });
  assert.deepEqual(brief(missing), ['AA211 error']);
  assert.match(missing[0]!.message, /exited 127 via native: \/bin\/missing: no such executable file in the image/);
  const wrong = judge(rule, handTree({}), 'linux/amd64', { smoke: run({ platform: 'linux/amd64', via: 'native', exitCode: 126, error: 'exec format error: /usr/bin/app: an ELF 64-bit LSB file for machine 183', output: 'exec format error: /usr/bin/app: an ELF 64-bit LSB file for machine 183\n' }) });
  assert.deepEqual(brief(wrong), ['AA211 error']);
  assert.match(wrong[0]!.message, /exited 126 via native: exec format error/);
  const noStart = judge(rule, handTree({}), 'linux/arm64', { smoke: run({ error: 'the image has no Entrypoint or Cmd to run' }) });
  assert.deepEqual(brief(noStart), ['AA211 error']);
  assert.match(noStart[0]!.message, /could not start via qemu: the image has no Entrypoint or Cmd to run/);
});
