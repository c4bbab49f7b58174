/**
 * `anyarch build` end to end through the docker engine path: Debian's dockerd 20.10 started by the
 * set-up (own socket, data root, exec root; no bridge, no iptables; vfs), driven through Debian's
 * client `/usr/bin/docker` (BuildKit built in, no buildx: one `docker build --platform P` per
 * platform, RUN steps with `--network none`), RUN steps of linux/arm64 through QEMU's binfmt
 * handler registered by the set-up, base images made from Debian packages in the real registry on
 * 127.0.0.1 (test/support/build-fixtures.ts). Nothing comes from the internet.
 *
 * - examples/zasper/offline/Dockerfile.fixed and examples/hello-go, built for linux/amd64 and
 *   linux/arm64: tagged; `anyarch platforms` lists both; `anyarch verify` passes; the arm64
 *   variant's programs, run under qemu-aarch64-static named explicitly (`verify --run`), report
 *   aarch64 / linux/arm64, and its RUN step ran as aarch64.
 * - examples/zasper/offline/Dockerfile (Go of amd64 in every variant): refused at verify, exit 1,
 *   AA201 on /usr/local/go/bin/go at the Dockerfile's COPY line, no tag in the registry; the same
 *   tag after the fix completes.
 * - one builder per architecture: each platform built with --push-by-digest (the digest alone on
 *   standard output, no tag), then `anyarch merge`: tagged, both verified.
 * - a RUN step failing only on arm64: exit 4, the error names linux/arm64, nothing tagged; fixed,
 *   the re-run completes.
 * - the registry going away mid-push (a fault proxy resetting uploads): exit 2, nothing tagged; the
 *   re-run completes and uploads only the blobs the first run did not finish.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tempPaths } from './support/assert.js';
import { registerQemuBinfmt } from './support/binfmt.js';
import { anyarch, assertPublished, cliEnv, copyContext, onTmpfs, DOCKER_CLIENT, HELLO_GO, lineOf, shown, ZASPER_OFFLINE } from './support/build-cli.js';
import { pushBuildFixtures, registryTags, type BuildFixtures } from './support/build-fixtures.js';
import { startDockerd, type TestDockerd } from './support/dockerd.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const PLATFORMS = 'linux/amd64,linux/arm64';
const tmp = tempPaths('anyarch-build-docker-');
let reg: TestRegistry;
let dockerd: TestDockerd;
let fx: BuildFixtures;
let proxy: FaultProxy | undefined;

before(async () => {
  registerQemuBinfmt(['aarch64']);
  reg = await startRegistry();
  fx = await pushBuildFixtures(reg, { golang: true });
  dockerd = await onTmpfs(() => startDockerd());
});

after(async () => {
  await proxy?.stop();
  await dockerd?.stop();
  await reg?.stop();
});

/** `anyarch build` through the docker engine: Debian's client, both platforms, RUN steps offline. */
function dockerBuild(args: readonly string[]) {
  return anyarch(['build', '--engine', 'docker', '--docker', DOCKER_CLIENT, '--platform', PLATFORMS, '--network', 'none', ...args], cliEnv({ DOCKER_HOST: dockerd.host }));
}

test('zasper (fixed): both platforms built through docker, verified, tagged; the arm64 variant runs as aarch64', async (t) => {
  const ref = `${reg.host}/zasper:1`;
  const r = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-f', path.join(ZASPER_OFFLINE, 'Dockerfile.fixed'), '-t', ref, ZASPER_OFFLINE]);
  t.diagnostic(`anyarch build (zasper fixed, 2 platforms): ${r.seconds} s`);
  assert.equal(r.code, 0, shown(r));
  // its Cmd is the Go program: linux/arm64 under qemu-aarch64-static. (That the arm64 RUN steps
  // run as aarch64 through binfmt is the failing-step test's: its step fails only there.)
  await assertPublished(reg, 'zasper', ref, { 'linux/amd64': /linux\/amd64/, 'linux/arm64': /linux\/arm64/ });
});

test('zasper (unfixed): refused at verify, exit 1, AA201 at the COPY line, no tag; after the fix the re-run completes', async (t) => {
  const unfixed = path.join(ZASPER_OFFLINE, 'Dockerfile');
  const copyLine = lineOf(unfixed, /^COPY --from=go /);
  const ref = `${reg.host}/zasper-unfixed:1`;
  const r = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-f', unfixed, '-t', ref, ZASPER_OFFLINE]);
  t.diagnostic(`anyarch build (zasper unfixed, refused): ${r.seconds} s`);
  assert.equal(r.code, 1, shown(r));
  const out = r.stdout + r.stderr;
  assert.match(out, /AA201/, shown(r));
  assert.match(out, /\/usr\/local\/go\/bin\/go/);
  assert.match(out, /linux\/arm64/);
  assert.match(out, new RegExp(`Dockerfile:${copyLine}\\b|line ${copyLine}\\b`), `the verdict points at line ${copyLine}: ${shown(r)}`);
  assert.deepEqual(await registryTags(reg, 'zasper-unfixed'), [], 'no tag points at the refused index');

  // the fix (examples/zasper/offline/Dockerfile.fixed: the target's own Go), same tag
  const ctx = copyContext(ZASPER_OFFLINE, tmp('zasper'));
  writeFileSync(path.join(ctx, 'Dockerfile'), readFileSync(path.join(ZASPER_OFFLINE, 'Dockerfile.fixed')));
  const again = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, '--format', 'json', ctx]);
  t.diagnostic(`anyarch build (zasper after the fix): ${again.seconds} s`);
  assert.equal(again.code, 0, shown(again));
  assert.deepEqual(await registryTags(reg, 'zasper-unfixed'), ['1']);
  // what the refused run pushed by digest (the base's layers, the amd64 variant's) is not sent again
  const doc = JSON.parse(again.stdout) as { status: string; tagged: string[]; stats: { exists: number; uploaded: number; bytesUploaded: number } };
  assert.equal(doc.status, 'built');
  assert.deepEqual(doc.tagged, [ref]);
  t.diagnostic(`re-run after the fix: ${JSON.stringify(doc.stats)}`);
  assert.ok(doc.stats.exists >= 3, `blobs already there: ${JSON.stringify(doc.stats)}`);
});

test('hello-go: built for both platforms, verified, tagged; the arm64 program says linux/arm64 under qemu-aarch64-static', async (t) => {
  const ref = `${reg.host}/hello-go:1`;
  const r = await dockerBuild(['--build-arg', `GO_IMAGE=${fx.golang}`, '--build-arg', `BASE_IMAGE=${fx.busybox}`, '-t', ref, HELLO_GO]);
  t.diagnostic(`anyarch build (hello-go, 2 platforms): ${r.seconds} s`);
  assert.equal(r.code, 0, shown(r));
  await assertPublished(reg, 'hello-go', ref, { 'linux/amd64': /hello from linux\/amd64/, 'linux/arm64': /hello from linux\/arm64/ });
});

test('one builder per architecture, then merge: each platform pushed by digest (no tag), merged, verified, tagged', async (t) => {
  const repo = `${reg.host}/hello-merged`;
  const digests: string[] = [];
  for (const platform of ['linux/amd64', 'linux/arm64']) {
    const r = await anyarch(
      ['build', '--engine', 'docker', '--docker', DOCKER_CLIENT, '--platform', platform, '--network', 'none', '--push-by-digest', '--build-arg', `GO_IMAGE=${fx.golang}`, '--build-arg', `BASE_IMAGE=${fx.busybox}`, '-t', repo, HELLO_GO],
      cliEnv({ DOCKER_HOST: dockerd.host }),
    );
    t.diagnostic(`anyarch build --push-by-digest (${platform}): ${r.seconds} s`);
    assert.equal(r.code, 0, shown(r));
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/, 'the digest alone on standard output');
    digests.push(r.stdout.trim());
  }
  assert.deepEqual(await registryTags(reg, 'hello-merged'), [], 'pushed by digest: no tag yet');
  const m = await anyarch(['merge', `${repo}:1`, ...digests]);
  t.diagnostic(`anyarch merge (2 digests): ${m.seconds} s`);
  assert.equal(m.code, 0, shown(m));
  await assertPublished(reg, 'hello-merged', `${repo}:1`, { 'linux/amd64': /hello from linux\/amd64/, 'linux/arm64': /hello from linux\/arm64/ });
});

const ARM64_FAILS = `ARG REGISTRY
FROM \${REGISTRY}/anyarch-test/busybox:1
RUN if [ "$(uname -m)" = aarch64 ]; then echo "this step fails on aarch64" >&2; exit 3; fi
`;
const FIXED_STEP = `ARG REGISTRY
FROM \${REGISTRY}/anyarch-test/busybox:1
RUN uname -m > /etc/built-on
`;

test('one platform failing: a RUN step that fails only on arm64 is exit 4 naming linux/arm64, nothing tagged; fixed, the re-run completes', async (t) => {
  const ctx = copyContext(HELLO_GO, tmp('fails-on-arm64'));
  writeFileSync(path.join(ctx, 'Dockerfile'), ARM64_FAILS);
  const ref = `${reg.host}/fails-on-arm64:1`;
  const r = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, ctx]);
  t.diagnostic(`anyarch build (arm64 RUN fails): ${r.seconds} s`);
  assert.equal(r.code, 4, shown(r));
  t.diagnostic(`its error: ${r.stderr.trim().split('\n').filter((l) => /arm64/.test(l)).slice(0, 3).join(' | ')}`);
  assert.match(r.stderr, /linux\/arm64/, shown(r));
  assert.match(r.stderr, /this step fails on aarch64|exit code: 3|RUN/, 'the failing step or its output is shown');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await registryTags(reg, 'fails-on-arm64'), []);

  writeFileSync(path.join(ctx, 'Dockerfile'), FIXED_STEP);
  const again = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, ctx]);
  assert.equal(again.code, 0, shown(again));
  assert.deepEqual(await registryTags(reg, 'fails-on-arm64'), ['1']);
});

/** The digests of blob uploads the registry completed (PUT .../blobs/uploads/...?digest= answered 201). */
function uploaded(log: FaultProxy['log']): string[] {
  return log
    .filter((e) => e.method === 'PUT' && /\/blobs\/uploads\//.test(e.path) && e.status === 201)
    .map((e) => decodeURIComponent(/[?&]digest=([^&]+)/.exec(e.path)?.[1] ?? ''))
    .filter((d) => d !== '');
}

test('the registry going away mid-push: exit 2, nothing tagged; the re-run completes and uploads only what is missing', async (t) => {
  proxy = await startFaultProxy(reg.url);
  const ctx = copyContext(HELLO_GO, tmp('through-proxy'));
  writeFileSync(path.join(ctx, 'Dockerfile'), FIXED_STEP);
  const ref = `${proxy.host}/through-proxy:1`;
  // two blob uploads go through, then every later one has its connection reset (the registry is gone)
  const resets = Array.from({ length: 200 }, () => ({ kind: 'reset' as const }));
  proxy.setRules([{ match: { method: 'PUT', path: /\/blobs\/uploads\// }, faults: [{ kind: 'delay', ms: 0 }, { kind: 'delay', ms: 0 }, ...resets] }]);
  const r = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, ctx]);
  t.diagnostic(`anyarch build (registry gone mid-push): ${r.seconds} s`);
  assert.equal(r.code, 2, shown(r));
  t.diagnostic(`its error: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  assert.match(r.stderr, /upload|reset|socket|connection/i, shown(r));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await registryTags(reg, 'through-proxy'), []);
  const first = uploaded(proxy.log);
  assert.ok(first.length >= 1 && first.length <= 2, `the first run completed ${first.length} uploads`);

  proxy.setRules([]);
  const before = proxy.log.length;
  const again = await dockerBuild(['--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, ctx]);
  t.diagnostic(`anyarch build (re-run after the outage): ${again.seconds} s`);
  assert.equal(again.code, 0, shown(again));
  assert.deepEqual(await registryTags(reg, 'through-proxy'), ['1']);
  const second = uploaded(proxy.log.slice(before));
  assert.ok(second.length >= 1, 'the re-run uploaded what was missing');
  for (const d of second) assert.ok(!first.includes(d), `${d} was uploaded again`);
});
