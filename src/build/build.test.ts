/**
 * buildImage, the whole of `anyarch build` without printing, against Debian's registry: with
 * buildah for real (chroot, storage of its own: built, verified, tagged; written as an OCI
 * layout), and with a stand-in engine whose variants are generated images (a wrong-architecture
 * variant refused and nothing tagged; one platform pushed by digest; a failed build; a check
 * error that stops the build before any engine is asked).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildContext } from '../../test/support/build-context.js';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { buildTestImage, builtImageSource, fakeElf } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { openRoot } from '../oci/image.js';
import { VERIFIED_PLATFORMS_ANNOTATION } from '../oci/platforms.js';
import { openOciLayout } from '../oci/sources/layout.js';
import { parsePlatformList, type Platform } from '../platform/index.js';
import { RegistryClient } from '../registry/client.js';
import { registrySource } from '../registry/source.js';
import { buildImage, dockerfileBase } from './build.js';
import { EngineBuildError } from './engines/failure.js';
import type { BuildRequest, Engine } from './types.js';

const temp = tempPaths('anyarch-build-');
const PLATFORMS = parsePlatformList('linux/amd64,linux/arm64');

function context(files: Record<string, string | Uint8Array>): string {
  return buildContext(temp('ctx'), files);
}

function request(dir: string, platforms: readonly Platform[] = PLATFORMS): BuildRequest {
  return { context: dir, dockerfile: path.join(dir, 'Dockerfile'), platforms, buildArgs: {}, labels: {}, noCache: false };
}

/** An engine whose variants are generated images: `app` is an ELF of `appArch(platform)`. */
function standIn(appArch: (arch: string) => string, calls: { n: number } = { n: 0 }): Engine {
  return {
    name: 'docker',
    version: 'test',
    why: 'a stand-in engine',
    async build(req) {
      calls.n++;
      const img = buildTestImage(req.platforms.map((p) => ({ platform: { os: p.os, architecture: p.architecture }, files: { 'usr/local/bin/app': fakeElf(appArch(p.architecture)) }, containerConfig: { Entrypoint: ['/usr/local/bin/app'], Cmd: null } })), { format: 'oci' });
      const source = builtImageSource(img);
      const root = await openRoot(source);
      assert.equal(root.kind, 'index');
      const variants = await Promise.all(req.platforms.map(async (platform) => ({ platform, image: await (root.kind === 'index' ? root.imageFor(platform) : root) })));
      return { variants, close: async () => source.close() };
    },
  };
}

async function tagExists(client: RegistryClient, reg: TestRegistry, repository: string, tag: string): Promise<boolean> {
  try {
    await client.getManifest({ registry: reg.host, repository }, tag);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'E_NOT_FOUND') return false;
    throw e;
  }
}

describe('buildImage', () => {
  let reg: TestRegistry;
  const client = new RegistryClient();
  before(async () => {
    reg = await startRegistry();
  });
  after(async () => reg?.stop());
  const ref = (repository: string, tag?: string) => ({ registry: reg.host, repository, ...(tag ? { tag } : {}) });

  test('buildah for real: built, every variant verified, the annotated index tagged', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY hello-${TARGETARCH}.txt /hello.txt\n', 'hello-amd64.txt': 'amd64\n', 'hello-arm64.txt': 'arm64\n' });
    const find = { engine: 'buildah' as const, buildahStorage: { root: temp('root'), runroot: temp('runroot'), storageDriver: 'vfs' } };
    const run = await buildImage(request(dir), { tags: [ref('app/buildah', 'v1')], client, find, annotations: { source: 'https://example.invalid/app' } });
    assert.equal(run.status, 'built', JSON.stringify(run.buildError?.failed));
    assert.equal(run.engine?.name, 'buildah');
    assert.equal(run.checkOutcome, 'clean');
    const r = run.published!;
    assert.deepEqual(r.tagged, [`${reg.host}/app/buildah:v1`]);
    assert.deepEqual(r.variants.map((v) => [formatted(v.platform), v.verification?.summary.verdicts.error]), [['linux/amd64', 0], ['linux/arm64', 0]]);
    const root = await openRoot(registrySource(client, ref('app/buildah', 'v1')));
    assert.equal(root.descriptor.digest, r.index.digest);
    const m = root.kind === 'index' ? await root.manifest() : undefined;
    assert.equal(m?.annotations?.[VERIFIED_PLATFORMS_ANNOTATION], 'linux/amd64,linux/arm64');
    assert.equal(m?.annotations?.['org.opencontainers.image.source'], 'https://example.invalid/app');
  });

  test('buildah for real, --output oci:DIR: verified here, then written; no registry', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n', 'hello.txt': 'hi\n' });
    const out = temp('layout');
    const find = { engine: 'buildah' as const, buildahStorage: { root: temp('root'), runroot: temp('runroot'), storageDriver: 'vfs' } };
    const run = await buildImage(request(dir), { tags: [], output: { kind: 'oci-layout', dir: out, tag: 'v1' }, find, annotations: {} });
    assert.equal(run.status, 'built');
    assert.deepEqual(run.written?.tagged, [`oci:${out}:v1`]);
    const root = await openRoot(await openOciLayout(out, 'v1'));
    assert.equal(root.descriptor.digest, run.written?.index.digest);
    assert.equal(root.kind === 'index' ? (await root.manifest()).manifests.length : 0, 2);
  });

  test('a wrong-architecture variant is refused: pushed by digest, verdicts returned, no tag written', async () => {
    const run = await buildImage(request(context({ Dockerfile: 'FROM scratch\nCOPY app /usr/local/bin/app\n' })), {
      tags: [ref('app/refused', 'v1')],
      client,
      engine: standIn(() => 'amd64'),
      annotations: {},
    });
    assert.equal(run.status, 'refused');
    const arm = run.published?.variants.find((v) => v.platform.architecture === 'arm64');
    assert.ok((arm?.verification?.summary.verdicts.error ?? 0) > 0, 'the arm64 variant holds an x86-64 program');
    assert.deepEqual(run.published?.tagged, []);
    assert.equal(await tagExists(client, reg, 'app/refused', 'v1'), false);
    // the re-run after the fix completes
    const fixed = await buildImage(request(context({ Dockerfile: 'FROM scratch\nCOPY app /usr/local/bin/app\n' })), { tags: [ref('app/refused', 'v1')], client, engine: standIn((a) => a), annotations: {} });
    assert.equal(fixed.status, 'built');
    assert.equal(await tagExists(client, reg, 'app/refused', 'v1'), true);
  });

  test('--push-by-digest: one platform pushed and verified, its manifest digest returned, nothing tagged', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY app /usr/local/bin/app\n' });
    const run = await buildImage(request(dir, parsePlatformList('linux/arm64')), { tags: [ref('app/bydigest', 'ignored')], pushByDigest: true, client, engine: standIn((a) => a), annotations: {} });
    assert.equal(run.status, 'built');
    assert.equal(run.digest, run.published?.variants[0]?.descriptor.digest);
    assert.deepEqual(run.published?.tagged, []);
    assert.equal(await tagExists(client, reg, 'app/bydigest', 'ignored'), false);
    const image = await openRoot(registrySource(client, { ...ref('app/bydigest'), digest: run.digest! }));
    assert.equal(image.kind, 'image');
    await rejectsWith(buildImage(request(dir), { tags: [ref('app/bydigest')], pushByDigest: true, client, engine: standIn((a) => a) }), 'E_USAGE', /builds one platform, not 2/);
  });

  test('a failed engine build is a result: the platforms named, nothing pushed', async () => {
    const failing: Engine = {
      name: 'docker',
      version: 'test',
      why: 'a failing stand-in',
      build: async (req) => {
        throw new EngineBuildError('docker', [{ platform: req.platforms[1]!, step: '[2/2] RUN make', reason: 'exit status 2', lines: ['make: *** [all] Error 2'] }], [req.platforms[0]!]);
      },
    };
    const run = await buildImage(request(context({ Dockerfile: 'FROM scratch\n' })), { tags: [ref('app/failed', 'v1')], client, engine: failing });
    assert.equal(run.status, 'build-failed');
    assert.match(run.buildError?.message ?? '', /failed for linux\/arm64 at \[2\/2\] RUN make \(exit status 2\); linux\/amd64 built/);
    assert.equal(await tagExists(client, reg, 'app/failed', 'v1'), false);
  });

  test('check errors stop the build before the engine is asked; check: false builds anyway', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nRUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\n' });
    const calls = { n: 0 };
    const run = await buildImage(request(dir), { tags: [ref('app/checked', 'v1')], client, engine: standIn((a) => a, calls) });
    assert.equal(run.status, 'check-failed');
    assert.equal(run.checkOutcome, 'findings');
    assert.ok(run.check?.results[0]?.findings.some((f) => f.severity === 'error'));
    assert.equal(calls.n, 0);
    const anyway = await buildImage(request(dir), { tags: [ref('app/checked', 'v1')], client, engine: standIn((a) => a, calls), check: false, annotations: {} });
    assert.equal(anyway.status, 'built');
    assert.equal(anyway.check, undefined);
  });

  test('--go: no Dockerfile, no engine: go build for the platform, put on scratch, verified, written', async () => {
    const dir = context({ 'go.mod': 'module example.com/hello\n\ngo 1.19\n', 'main.go': 'package main\n\nfunc main() { println("hello") }\n' });
    const out = temp('go-layout');
    const events: string[] = [];
    const run = await buildImage(
      { ...request(dir, parsePlatformList('linux/arm64')), go: { package: '.' } },
      { tags: [], output: { kind: 'oci-layout', dir: out }, annotations: {}, onEvent: (e) => e.kind === 'engine' && events.push(e.engine.why) },
    );
    assert.equal(run.status, 'built');
    assert.equal(run.engine?.name, 'assemble');
    assert.match(events[0] ?? '', /^--go \.: go build per platform, the binaries put on scratch without an engine$/);
    assert.equal(run.written?.variants[0]?.verification?.summary.verdicts.error, 0);
    assert.ok(Object.keys(run.written?.variants[0]?.verification?.summary.elf ?? {}).some((k) => k.startsWith('arm64/')), 'an arm64 ELF was verified');
  });

  test('usage errors: nowhere to put the image, no platform, two repositories', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\n' });
    await rejectsWith(buildImage(request(dir), { tags: [] }), 'E_USAGE', /nowhere to put the image/);
    await rejectsWith(buildImage(request(dir, []), { tags: [ref('a', 'v1')] }), 'E_USAGE', /at least one platform/);
    await rejectsWith(buildImage(request(dir), { tags: [ref('a', 'v1'), ref('b', 'v1')] }), 'E_USAGE', /two repositories/);
  });
});

function formatted(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}



test("the base.name annotation: the image the built stage starts from, through its parents; none for scratch or what cannot be read", () => {
  const p = parsePlatformList('linux/arm64');
  const df = 'ARG V=1.22\nFROM golang:${V} AS build\nRUN go build\nFROM build AS test\nFROM registry.example/base@sha256:' + 'a'.repeat(64) + ' AS final\nCOPY --from=build /x /x\n';
  assert.deepEqual(dockerfileBase(df, { platforms: p }), { name: 'registry.example/base', digest: `sha256:${'a'.repeat(64)}` });
  assert.deepEqual(dockerfileBase(df, { platforms: p, target: 'test' }), { name: 'docker.io/library/golang:1.22' });
  assert.equal(dockerfileBase('FROM scratch\nCOPY a /a\n', { platforms: p }), undefined);
  assert.equal(dockerfileBase('FROM $NOPE\n', { platforms: p }), undefined);
  assert.deepEqual(dockerfileBase('ARG BASE=debian:12\nFROM ${BASE}\n', { platforms: p }), { name: 'docker.io/library/debian:12' });
  assert.equal(dockerfileBase('ARG BASE=debian:12\nFROM ${BASE}\n', { platforms: p, buildArgs: { BASE: 'registry.example/other:1' } }), undefined);
  assert.equal(dockerfileBase('FROM [broken\n', { platforms: p }), undefined);
});
