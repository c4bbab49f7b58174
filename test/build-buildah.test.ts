/**
 * `anyarch build --engine buildah` end to end: Debian's buildah 1.28 with storage of its own (vfs
 * root and runroot in a temporary directory, test/support/buildah.ts), `--isolation chroot`, RUN
 * steps of linux/arm64 through QEMU's binfmt handler registered by the set-up, the base image
 * made from Debian's busybox-static per architecture in the real registry on 127.0.0.1. The
 * context is a FROM + COPY + one tiny RUN: the Go program of each platform is cross-compiled on
 * this machine (test/support/real-binaries.ts), so nothing heavy runs under emulation.
 * (examples/hello-go builds and passes through buildah too, but its two standard-library
 * compiles in buildah's chroot take ~80 s here: the docker tests build it.)
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tempPaths } from './support/assert.js';
import { registerQemuBinfmt } from './support/binfmt.js';
import { startBuildah, type TestBuildah } from './support/buildah.js';
import { anyarch, assertPublished, assertVerifiedRuns, cliEnv, onTmpfs, shown } from './support/build-cli.js';
import { pushBuildFixtures, registryTags, type BuildFixtures } from './support/build-fixtures.js';
import { goBinary } from './support/real-binaries.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const tmp = tempPaths('anyarch-build-buildah-');
let reg: TestRegistry;
let fx: BuildFixtures;
let buildah: TestBuildah;
let ctx: string;

const DOCKERFILE = `ARG REGISTRY
FROM \${REGISTRY}/anyarch-test/busybox:1
ARG TARGETARCH
COPY hello-\${TARGETARCH} /usr/local/bin/hello
RUN uname -m > /etc/built-on
ENTRYPOINT ["/usr/local/bin/hello"]
`;

before(async () => {
  registerQemuBinfmt(['aarch64']);
  reg = await startRegistry();
  fx = await pushBuildFixtures(reg);
  buildah = await onTmpfs(async () => startBuildah({ insecureRegistries: [reg.host] }));
  ctx = tmp('context');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
  writeFileSync(path.join(ctx, 'hello-amd64'), goBinary('linux/amd64'), { mode: 0o755 });
  writeFileSync(path.join(ctx, 'hello-arm64'), goBinary('linux/arm64'), { mode: 0o755 });
});
after(async () => {
  buildah?.cleanup();
  await reg?.stop();
});

test('buildah: both platforms built (arm64 RUN through QEMU), verified, tagged; the arm64 program says linux/arm64', async (t) => {
  const ref = `${reg.host}/hello-buildah:1`;
  const r = await anyarch(
    ['build', '--engine', 'buildah', '--buildah', buildah.program, '--platform', 'linux/amd64,linux/arm64', '--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, ctx],
    cliEnv({ CONTAINERS_STORAGE_CONF: buildah.env.CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF: buildah.env.CONTAINERS_REGISTRIES_CONF }),
  );
  t.diagnostic(`anyarch build --engine buildah (2 platforms): ${r.seconds} s`);
  assert.equal(r.code, 0, shown(r));
  await assertPublished(reg, 'hello-buildah', ref, { 'linux/amd64': /hello from linux\/amd64/, 'linux/arm64': /hello from linux\/arm64/ });
  // the RUN step ran as aarch64
  await assertVerifiedRuns(ref, 'cat /etc/built-on', { 'linux/amd64': /^x86_64$/m, 'linux/arm64': /^aarch64$/m });
  // the build used the test's storage, not buildah's default
  assert.ok((await buildah.images()).some((n) => n.includes('anyarch-test/busybox')), 'the base was pulled into the test storage');
});

test('buildah refuses --network none with a clear usage error (exit 2), nothing tagged', async () => {
  const ref = `${reg.host}/hello-buildah-network:1`;
  const r = await anyarch(
    ['build', '--engine', 'buildah', '--buildah', buildah.program, '--platform', 'linux/amd64,linux/arm64', '--network', 'none', '--build-arg', `REGISTRY=${fx.registry}`, '-t', ref, ctx],
    cliEnv({ CONTAINERS_STORAGE_CONF: buildah.env.CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF: buildah.env.CONTAINERS_REGISTRIES_CONF }),
  );
  assert.equal(r.code, 2, shown(r));
  assert.match(r.stderr, /network/);
  assert.deepEqual(await registryTags(reg, 'hello-buildah-network'), []);
});
