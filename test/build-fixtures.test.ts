/**
 * The build tests' base images (test/support/build-fixtures.ts) are what they claim: made from
 * Debian packages of each architecture, pushed to the real registry, every variant passing
 * `anyarch verify` (the arm64 toolchain's go, compile and link are aarch64, its loader is there),
 * the per-architecture tags single manifests of that architecture, the Go source layer shared
 * by both platforms.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anyarch, platformsOf, shown } from './support/build-cli.js';
import { golangFixture, GO_VERSION, pushBuildFixtures, registryTags, type BuildFixtures } from './support/build-fixtures.js';
import { layersOf, reportsOf } from './support/verify-images.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

let reg: TestRegistry;
let fx: BuildFixtures;

before(async () => {
  reg = await startRegistry();
  fx = await pushBuildFixtures(reg, { golang: true });
});
after(async () => reg?.stop());

test('busybox, glibc and golang: both platforms, every variant verified clean', async () => {
  for (const ref of [fx.busybox, fx.glibc!, fx.golang!]) {
    assert.deepEqual((await platformsOf(ref)).names, ['linux/amd64', 'linux/arm64'], ref);
    const r = await anyarch(['verify', ref, '--format', 'json']);
    assert.equal(r.code, 0, `${ref}: ${shown(r)}`);
    const [report] = reportsOf(r.stdout);
    for (const p of report!.platforms) assert.deepEqual(p.verdicts.filter((v) => v.severity !== 'info'), [], `${ref} ${p.name}`);
  }
  assert.deepEqual(await registryTags(reg, 'anyarch-test/golang'), [GO_VERSION, `${GO_VERSION}-linux-amd64`, `${GO_VERSION}-linux-arm64`].sort());
});

test('the golang variants hold their own architecture\'s toolchain; the source layer is one blob for both', async () => {
  const r = await anyarch(['verify', fx.golang!, '--platform', 'linux/arm64', '--format', 'json']);
  assert.equal(r.code, 0, shown(r));
  const arm = reportsOf(r.stdout)[0]!.platforms[0]!;
  assert.ok((arm.summary.elf['arm64/glibc'] ?? 0) >= 1, `go is a dynamic aarch64 program: ${JSON.stringify(arm.summary.elf)}`);
  assert.ok((arm.summary.elf['arm64/static'] ?? 0) >= 3, `compile, link, asm, busybox: ${JSON.stringify(arm.summary.elf)}`);
  // the only foreign ELF files are the source's race-detector objects of every architecture (.syso), which verify knows are intended
  for (const v of arm.verdicts) {
    assert.equal(v.severity, 'info', JSON.stringify(v));
    assert.match(v.path ?? '', /^\/usr\/share\/go-1\.19\/src\/.*\.syso$/, JSON.stringify(v));
  }
  const amd = layersOf(golangFixture(), 'linux/amd64');
  const a64 = layersOf(golangFixture(), 'linux/arm64');
  assert.equal(amd[2]!.digest, a64[2]!.digest, 'golang-1.19-src (architecture all) is one layer');
  assert.notEqual(amd[3]!.digest, a64[3]!.digest);
  // the per-architecture tag is a single manifest of that architecture
  const single = await anyarch(['platforms', `${reg.host}/anyarch-test/golang:${GO_VERSION}-linux-amd64`, '--format', 'json']);
  assert.equal(single.code, 0, shown(single));
  assert.match(single.stdout, /amd64/);
  assert.doesNotMatch(single.stdout, /arm64/);
});
