import assert from 'node:assert/strict';
import { cp, mkdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { parsePlatform } from '../platform/index.js';
import { BINARY_CACHE } from '../../test/support/real-binaries.js';
import { buildTestImage, busyboxLikeFiles, writeOciLayout } from '../../test/support/images.js';
import { BlobStore } from './blob-store.js';
import { buildGoImage, CA_CERTIFICATES_FILE, goBinaryName, goBuild, goBuildArgs, goBuildEnv } from './go.js';
import type { BuildRequest } from './types.js';

/** the cache real-binaries.ts's builds use: the standard library is compiled once per suite */
const GO_CACHE = { GOCACHE: path.join(BINARY_CACHE, 'go-build-cache'), GOPATH: path.join(BINARY_CACHE, 'gopath'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };

/** A Go module in `dir/sub` (`sub` '' for dir itself): go.mod and one main package. */
async function goModule(dir: string, sub: string, name: string, body: string): Promise<void> {
  await mkdir(path.join(dir, sub), { recursive: true });
  await writeFile(path.join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.19\n`);
  await writeFile(path.join(dir, sub, 'main.go'), `package main\n\n${body}\n`);
}

const HELLO = 'import "fmt"\n\nfunc main() { fmt.Println("hello") }';

describe('go build per platform', () => {
  it('sets GOOS/GOARCH and GOARM or GOAMD64 from the platform, CGO_ENABLED=0 unless asked', () => {
    const env = { PATH: '/usr/bin', GOARM: '5', GOAMD64: 'v4' };
    const arm = goBuildEnv(parsePlatform('linux/arm/v7'), false, env);
    assert.deepEqual([arm['GOOS'], arm['GOARCH'], arm['GOARM'], arm['CGO_ENABLED'], arm['GOAMD64']], ['linux', 'arm', '7', '0', undefined]);
    const v3 = goBuildEnv(parsePlatform('linux/amd64/v3'), true, env);
    assert.deepEqual([v3['GOARCH'], v3['GOAMD64'], v3['CGO_ENABLED'], v3['GOARM']], ['amd64', 'v3', '1', undefined]);
    assert.equal(goBuildEnv(parsePlatform('linux/arm64'), false, env)['GOARCH'], 'arm64');
    assert.equal(goBuildEnv(parsePlatform('linux/arm/v8'), false, env)['GOARM'], '7');
    assert.equal(goBuildEnv(parsePlatform('windows/amd64'), false, env)['GOOS'], 'windows');
    assert.equal(goBuildEnv(parsePlatform('linux/amd64'), false, env)['PATH'], '/usr/bin');
  });

  it('builds reproducibly: -trimpath and an empty build id', () => {
    assert.deepEqual(goBuildArgs('./cmd/app', '/out/app'), ['build', '-trimpath', '-ldflags=-buildid=', '-o', '/out/app', './cmd/app']);
    assert.deepEqual(goBuildArgs('.', '/o', '-s -w'), ['build', '-trimpath', '-ldflags=-buildid= -s -w', '-o', '/o', '.']);
  });

  it('names the binary after the package', () => {
    assert.equal(goBinaryName('./cmd/app', '/src', parsePlatform('linux/amd64')), 'app');
    assert.equal(goBinaryName('./cmd/app/', '/src', parsePlatform('linux/amd64')), 'app');
    assert.equal(goBinaryName('.', '/src/hello', parsePlatform('linux/amd64')), 'hello');
    assert.equal(goBinaryName('example.com/tool/v2', '/src', parsePlatform('linux/amd64')), 'tool');
    assert.equal(goBinaryName('./cmd/app', '/src', parsePlatform('windows/amd64')), 'app.exe');
  });

  it('compiles a tiny program for linux/amd64 and linux/arm64: the ELF machines are x86-64 and AArch64, and the bytes are the same twice', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-go-'));
    try {
      await goModule(dir, '', 'hello', HELLO);
      const env = { ...process.env, ...GO_CACHE };
      const platforms = [parsePlatform('linux/amd64'), parsePlatform('linux/arm64')];
      const adds = await goBuild('.', platforms, { dir, outDir: path.join(dir, 'out1'), env });
      assert.deepEqual(
        adds.map((a) => [a.platform?.architecture, path.relative(dir, a.from), a.to]),
        [
          ['amd64', path.join('out1', 'linux_amd64', path.basename(dir)), `/usr/local/bin/${path.basename(dir)}`],
          ['arm64', path.join('out1', 'linux_arm64', path.basename(dir)), `/usr/local/bin/${path.basename(dir)}`],
        ],
      );
      const machine = (b: Buffer): number => b.readUInt16LE(18);
      const amd = await readFile(adds[0]!.from);
      const arm = await readFile(adds[1]!.from);
      assert.equal(amd.subarray(0, 4).toString('latin1'), '\x7fELF');
      assert.equal(machine(amd), 62); // EM_X86_64
      assert.equal(machine(arm), 183); // EM_AARCH64
      // the same source in another directory, built into another: the same bytes (-trimpath, no build id)
      const other = path.join(dir, 'elsewhere', 'hello');
      await cp(path.join(dir, 'go.mod'), path.join(other, 'go.mod'));
      await cp(path.join(dir, 'main.go'), path.join(other, 'main.go'));
      const again = await goBuild('.', platforms.slice(1), { dir: other, outDir: path.join(dir, 'out2'), env });
      assert.ok(arm.equals(await readFile(again[0]!.from)), 'the same source elsewhere gives the same bytes');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failing compile is E_BUILD with the compiler\'s lines', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-go-'));
    try {
      await goModule(dir, '', 'broken', 'func main() { undefinedThing() }');
      const env = { ...process.env, ...GO_CACHE };
      await assert.rejects(
        goBuild('.', [parsePlatform('linux/arm64')], { dir, outDir: path.join(dir, 'out'), env }),
        (e: unknown) => isAnyarchError(e) && e.code === 'E_BUILD' && /for linux\/arm64 exited with \d+:/.test(e.message) && /undefined: undefinedThing/.test(e.message) && /GOARCH=arm64/.test(e.hint ?? ''),
      );
      await assert.rejects(goBuild('.', [parsePlatform('linux/arm64')], { dir, outDir: path.join(dir, 'out'), env: { PATH: '/nonexistent' } }), (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('buildGoImage (anyarch build --go): the binaries assembled onto scratch with the CA bundle shared, or onto a base; the entrypoint set', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-go-image-'));
    const store = await BlobStore.create({ name: 'go-test' });
    try {
      await goModule(dir, path.join('cmd', 'hello'), 'hello', HELLO);
      const request: BuildRequest = {
        context: dir,
        dockerfile: '',
        platforms: [parsePlatform('linux/amd64'), parsePlatform('linux/arm64')],
        buildArgs: {},
        labels: { 'org.example.team': 'core' },
        noCache: false,
        go: { package: './cmd/hello', caCertificates: true },
      };
      const env = { ...process.env, ...GO_CACHE };
      const made = await buildGoImage(request, { store, env });
      assert.equal(made.entrypoint, '/usr/local/bin/hello');
      const m = await made.index.manifest();
      assert.deepEqual(m.manifests.map((d) => d.platform?.architecture), ['amd64', 'arm64']);
      const amd = await made.index.image(m.manifests[0]!);
      const arm = await made.index.image(m.manifests[1]!);
      const [amdLayers, armLayers] = [(await amd.manifest()).layers, (await arm.manifest()).layers];
      assert.equal(amdLayers.length, 2);
      assert.equal(amdLayers[0]!.digest, armLayers[0]!.digest, 'the CA bundle layer is shared');
      assert.deepEqual((await arm.containerConfig())?.Entrypoint, ['/usr/local/bin/hello']);
      assert.equal((await arm.containerConfig())?.Labels?.['org.example.team'], 'core');
      assert.equal(CA_CERTIFICATES_FILE, '/etc/ssl/certs/ca-certificates.crt');
      await made.close();

      // onto a base in an OCI layout (relative to cwd)
      const img = buildTestImage([
        { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
        { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
      ]);
      await writeOciLayout(path.join(dir, 'base'), img, 'v1');
      const onBase = await buildGoImage({ ...request, go: { package: './cmd/hello', base: 'oci:base:v1' } }, { store, env, cwd: dir });
      const first = await onBase.index.image((await onBase.index.manifest()).manifests[0]!);
      assert.equal((await first.manifest()).layers.length, 2, 'the base layer, then the binary');
      assert.equal((await onBase.index.manifest()).annotations?.['org.opencontainers.image.base.name'], 'oci:base:v1');
      await onBase.close();
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
