/**
 * `anyarch assemble` end to end on its fault: an artifact of the wrong architecture (the amd64 Go
 * program given for linux/arm64) is a clear error (exit 2, naming the file and the platform) and
 * nothing reaches the registry; the corrected command completes (verified, tagged, the arm64
 * program says linux/arm64 under qemu-aarch64-static), and assembling it again uploads nothing:
 * the same inputs give the same digests, and every blob is already there.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tempPaths } from './support/assert.js';
import { anyarch, assertPublished, shown } from './support/build-cli.js';
import { pushBuildFixtures, registryTags, type BuildFixtures } from './support/build-fixtures.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { goBinary } from './support/real-binaries.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const tmp = tempPaths('anyarch-build-assemble-');
let reg: TestRegistry;
let proxy: FaultProxy;
let fx: BuildFixtures;
let dir: string;

before(async () => {
  reg = await startRegistry();
  fx = await pushBuildFixtures(reg);
  proxy = await startFaultProxy(reg.url);
  dir = tmp('bin');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'app-amd64'), goBinary('linux/amd64'), { mode: 0o755 });
  writeFileSync(path.join(dir, 'app-arm64'), goBinary('linux/arm64'), { mode: 0o755 });
});
after(async () => {
  await proxy?.stop();
  await reg?.stop();
});

/** Requests that send blob or manifest bytes (upload starts, chunks, commits, manifest puts). */
function writes(log: FaultProxy['log']): string[] {
  return log.filter((e) => e.method === 'POST' || e.method === 'PATCH' || e.method === 'PUT').map((e) => `${e.method} ${e.path}`);
}

test('assemble: the amd64 program given for linux/arm64 is exit 2 naming it and the platform; nothing is pushed', async (t) => {
  // through the proxy, whose log shows every request the registry was sent
  const ref = `${proxy.host}/assembled:1`;
  const r = await anyarch([
    'assemble', '--base', fx.busybox.replace(reg.host, proxy.host), '--platform', 'linux/amd64,linux/arm64',
    '--add', `linux/amd64=${path.join(dir, 'app-amd64')}:/usr/local/bin/app`,
    '--add', `linux/arm64=${path.join(dir, 'app-amd64')}:/usr/local/bin/app`,
    '--entrypoint', '/usr/local/bin/app', '-t', ref,
  ]);
  assert.equal(r.code, 2, shown(r));
  t.diagnostic(`its error: ${r.stderr.trim()}`);
  assert.match(r.stderr, /app-amd64/);
  assert.match(r.stderr, /linux\/arm64/);
  assert.match(r.stderr, /x86-64|amd64/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(writes(proxy.log), [], 'nothing was sent to the registry');
  assert.deepEqual(await registryTags(reg, 'assembled'), []);
});

test('assemble: corrected, it completes (verified, tagged, arm64 runs as linux/arm64); again, it uploads nothing', async (t) => {
  const ref = `${proxy.host}/assembled:1`;
  const args = [
    'assemble', '--base', fx.busybox.replace(reg.host, proxy.host), '--platform', 'linux/amd64,linux/arm64',
    '--add', `linux/amd64=${path.join(dir, 'app-amd64')}:/usr/local/bin/app`,
    '--add', `linux/arm64=${path.join(dir, 'app-arm64')}:/usr/local/bin/app`,
    '--entrypoint', '/usr/local/bin/app', '-t', ref,
  ];
  const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', CI: 'true', NO_COLOR: '1' };
  const r = await anyarch(args, env);
  t.diagnostic(`anyarch assemble (2 platforms): ${r.seconds} s`);
  assert.equal(r.code, 0, shown(r));
  const direct = `${reg.host}/assembled:1`;
  await assertPublished(reg, 'assembled', direct, { 'linux/amd64': /hello from linux\/amd64/, 'linux/arm64': /hello from linux\/arm64/ });

  const before = proxy.log.length;
  const again = await anyarch(args, env);
  assert.equal(again.code, 0, shown(again));
  const sent = writes(proxy.log.slice(before));
  assert.deepEqual(sent.filter((w) => /\/blobs\/uploads\//.test(w)), [], `the re-run uploaded blobs: ${sent.join(', ')}`);
});
