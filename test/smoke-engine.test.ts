// A smoke run through a real Docker engine (Debian's dockerd 20.10, test/support/dockerd.ts):
// `docker run --platform linux/arm64 --network none --rm` over the Engine API, with the host's
// qemu-aarch64-static bind-mounted as the entrypoint, so that an arm64 image holding x86-64
// busybox fails, although this x86-64 engine would run that binary natively. One small test:
// starting dockerd is slow.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { after, before, test } from 'node:test';
import { connectDockerEngine } from '../src/engine/api.js';
import { openRoot, type Index } from '../src/oci/image.js';
import { smokeRun } from '../src/smoke/run.js';
import { verifyImage } from '../src/verify/verify.js';
import { tempPaths } from './support/assert.js';
import { registerQemuBinfmt } from './support/binfmt.js';
import { debianFile } from './support/debian-packages.js';
import { startDockerd, type TestDockerd } from './support/dockerd.js';
import { buildTestImage, builtImageSource, writeDockerArchive } from './support/images.js';

const tmp = tempPaths('anyarch-smoke-engine-');
let dockerd: TestDockerd;

before(async () => {
  dockerd = await startDockerd();
});
after(async () => {
  await dockerd?.stop();
});

test("through the engine: arm64 busybox runs under the bind-mounted qemu; x86-64 busybox in an arm64 image and arm64 busybox in an amd64 image fail, under binfmt; containers removed", async () => {
  const arm64 = debianFile('busybox-static', 'arm64', '/bin/busybox');
  const amd64 = debianFile('busybox-static', 'amd64', '/bin/busybox');
  const config = { Entrypoint: ['/bin/busybox'], Cmd: ['echo', 'from-cmd'], Env: ['PATH=/bin'] };
  const built = buildTestImage([
    { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: { 'bin/busybox': arm64 } }], containerConfig: config },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ files: { 'bin/busybox': amd64 } }], containerConfig: config },
    { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: { 'bin/busybox': amd64 } }], containerConfig: config },
    { platform: { os: 'linux', architecture: 'amd64', variant: 'v2' }, layers: [{ files: { 'bin/busybox': arm64 } }], containerConfig: config },
  ]);
  const engine = await connectDockerEngine({ host: dockerd.host });
  const loaded: string[] = [];
  for (const [i, tag] of [
    [0, 'anyarch-smoke:right'],
    [1, 'anyarch-smoke:wrong'],
    [2, 'anyarch-smoke:amd64'],
    [3, 'anyarch-smoke:amd64-wrong'],
  ] as const) {
    const file = tmp(`image-${i}.tar`);
    await writeDockerArchive(file, built, i, [tag]);
    loaded.push(...(await engine.imageLoad(createReadStream(file))));
  }
  assert.deepEqual(loaded, ['anyarch-smoke:right', 'anyarch-smoke:wrong', 'anyarch-smoke:amd64', 'anyarch-smoke:amd64-wrong']);
  const index = (await openRoot(builtImageSource(built))) as Index;
  const [right, wrong, amd, amdWrong] = await Promise.all((await index.manifest()).manifests.map((d) => index.image(d)));

  const ok = await smokeRun(right!, 'linux/arm64', { argv: ['busybox', 'echo', 'ok'], entrypoint: false }, { engine: { engine, image: 'anyarch-smoke:right' } });
  assert.equal(ok.error, undefined, ok.output);
  assert.equal(ok.ok, true);
  assert.equal(ok.output, 'ok\n');
  assert.equal(ok.via, 'engine');
  assert.equal(ok.confinement, 'container');
  assert.equal(ok.network, 'none');

  const entry = await smokeRun(right!, 'linux/arm64', { argv: [], entrypoint: true }, { engine: { engine, image: 'anyarch-smoke:right' } });
  assert.equal(entry.output, 'from-cmd\n');

  const bad = await smokeRun(wrong!, 'linux/arm64', { argv: ['busybox', 'echo', 'ok'], entrypoint: false }, { engine: { engine, image: 'anyarch-smoke:wrong' } });
  assert.equal(bad.ok, false);
  assert.equal(bad.exitCode, 255);
  assert.match(bad.output, /Invalid ELF image for this architecture/);

  // what a plain `docker run --platform linux/arm64` of that image does on this x86-64 engine: it passes
  const plain = await engine.containerCreate({ Image: 'anyarch-smoke:wrong', Entrypoint: ['/bin/busybox'], Cmd: ['echo', 'ran anyway'], HostConfig: { NetworkMode: 'none' } }, { platform: 'linux/arm64' });
  await engine.containerStart(plain);
  assert.deepEqual(await engine.containerWait(plain, 30_000), { statusCode: 0 });
  assert.equal((await engine.containerLogs(plain, 1024)).bytes.toString(), 'ran anyway\n');
  await engine.containerRemove(plain);

  // the engine's own platform runs under this machine's QEMU too: an arm64 busybox in an amd64 image fails although binfmt is registered
  registerQemuBinfmt(['aarch64']);
  const native = await smokeRun(amd!, 'linux/amd64', { argv: ['busybox', 'echo', 'native'], entrypoint: false }, { engine: { engine, image: 'anyarch-smoke:amd64' } });
  assert.equal(native.output, 'native\n');
  assert.equal(native.ok, true);
  const nativeWrong = await smokeRun(amdWrong!, 'linux/amd64/v2', { argv: ['busybox', 'echo', 'native'], entrypoint: false }, { engine: { engine, image: 'anyarch-smoke:amd64-wrong' } });
  assert.equal(nativeWrong.ok, false);
  assert.equal(nativeWrong.exitCode, 255);
  assert.match(nativeWrong.output, /Invalid ELF image for this architecture/);

  const slow = await smokeRun(right!, 'linux/arm64', { argv: ['busybox', 'sleep', '100'], entrypoint: false }, { engine: { engine, image: 'anyarch-smoke:right' }, timeoutMs: 2000 });
  assert.equal(slow.timedOut, true);
  assert.equal(slow.ok, false);

  const res = await dockerd.api('GET', `/v${dockerd.apiVersion}/containers/json?all=1`);
  assert.deepEqual(JSON.parse(res.body.toString('utf8')), [], 'every container is removed');
});

test('without a name in the engine the variant is loaded for the run and its name removed after; verify runs through the engine DOCKER_HOST names, and AA211 is an error for the wrong variant', async () => {
  const arm64 = debianFile('busybox-static', 'arm64', '/bin/busybox');
  const config = { Env: ['PATH=/bin'] };
  const built = buildTestImage([
    { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: { 'bin/busybox': arm64 } }, { files: { 'etc/motd': 'hi\n' } }], containerConfig: config },
    { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: { 'bin/busybox': arm64 } }], containerConfig: config },
  ]);
  const engine = await connectDockerEngine({ host: dockerd.host });
  const images = async (): Promise<string[]> => (JSON.parse((await dockerd.api('GET', `/v${dockerd.apiVersion}/images/json`)).body.toString('utf8')) as { RepoTags: string[] | null }[]).flatMap((i) => i.RepoTags ?? []).sort();
  const before = await images();
  const index = (await openRoot(builtImageSource(built))) as Index;
  const arm = await index.imageFor('linux/arm64');
  const r = await smokeRun(arm, 'linux/arm64', { argv: ['busybox', 'cat', '/etc/motd'], entrypoint: false }, { engine: { engine } });
  assert.equal(r.error, undefined, r.output);
  assert.equal(r.via, 'engine');
  assert.equal(r.output, 'hi\n');
  assert.deepEqual(await images(), before, 'the name made for the run is gone');

  process.env.DOCKER_HOST = dockerd.host;
  registerQemuBinfmt(['aarch64']);
  const report = await verifyImage(builtImageSource(built), { smoke: { command: { argv: ['busybox', 'echo', 'ran'], entrypoint: false } } });
  const byName = new Map(report.platforms.map((p) => [p.name, p]));
  const good = byName.get('linux/arm64');
  assert.equal(good?.smoke?.via, 'engine');
  assert.equal(good?.smoke?.output, 'ran\n');
  assert.equal(good?.verdicts.some((v) => v.id === 'AA211'), false);
  const wrong = byName.get('linux/amd64');
  assert.equal(wrong?.smoke?.via, 'engine');
  assert.equal(wrong?.smoke?.ok, false);
  const aa211 = wrong?.verdicts.find((v) => v.id === 'AA211');
  assert.equal(aa211?.severity, 'error', 'an arm64 busybox in linux/amd64 fails its run although binfmt would run it');
  assert.ok(wrong?.verdicts.some((v) => v.id === 'AA201'), 'beside the ELF verdict');
  assert.deepEqual(await images(), before);
});
