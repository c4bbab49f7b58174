/**
 * The docker engine for real: Debian's dockerd (test/support/dockerd.ts: its own socket, data
 * root, vfs, no networking) driven by Debian's docker 20.10 client, found by findEngine through
 * DOCKER_HOST. A Dockerfile FROM scratch with a COPY, two platforms, RUN-free (no QEMU needed):
 * each platform's image exported by id, readable, of its platform; the temporary tags gone after
 * close. Then one platform failing: E_BUILD naming it and its step, the other reported built,
 * and no temporary tag left behind.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { buildContext } from '../../../test/support/build-context.js';
import { rejectsWith, tempPaths } from '../../../test/support/assert.js';
import { startDockerd, type TestDockerd } from '../../../test/support/dockerd.js';
import { fakeElf } from '../../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { openRoot, type Image } from '../../oci/image.js';
import { RegistryClient } from '../../registry/client.js';
import { registrySource } from '../../registry/source.js';
import { buildImage } from '../build.js';
import { parsePlatformList, type Platform } from '../../platform/index.js';
import type { BuildRequest } from '../types.js';
import { findEngine } from './detect.js';
import { EngineBuildError } from './failure.js';

const temp = tempPaths('anyarch-docker-engine-');

function context(files: Record<string, string | Uint8Array>): string {
  return buildContext(temp('ctx'), files);
}

function request(dir: string, platforms: readonly Platform[]): BuildRequest {
  return { context: dir, dockerfile: path.join(dir, 'Dockerfile'), platforms, buildArgs: {}, labels: { 'org.example.test': 'engines' }, noCache: false, network: 'none' };
}

describe("the docker engine: Debian's docker 20.10 client and dockerd", () => {
  let dockerd: TestDockerd;
  let reg: TestRegistry;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    [dockerd, reg] = await Promise.all([startDockerd(), startRegistry()]);
    // the docker first on PATH here is a Docker 28 client without buildx: detection must pass it over
    env = { ...process.env, DOCKER_HOST: dockerd.host };
  });
  after(async () => Promise.all([dockerd?.stop(), reg?.stop()]));

  test('two platforms built, each exported by id with its platform and files; the temporary tags removed at close', async () => {
    const engine = await findEngine({ engine: 'docker', env });
    assert.equal(engine.name, 'docker');
    assert.equal(engine.program, '/usr/bin/docker');
    assert.match(engine.why, new RegExp(`engine at ${dockerd.socket.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} answered`));
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY hello-${TARGETARCH}.txt /hello.txt\n', 'hello-amd64.txt': 'hello amd64\n', 'hello-arm64.txt': 'hello arm64\n' });
    const platforms = parsePlatformList('linux/amd64,linux/arm64');
    const seen = new Map<string, number>();
    const result = await engine.build(request(dir, platforms), { onOutput: (_l, p) => seen.set(p?.architecture ?? '?', (seen.get(p?.architecture ?? '?') ?? 0) + 1) });
    let tags: string[] = [];
    try {
      assert.deepEqual(result.variants.map((v) => v.platform.architecture), ['amd64', 'arm64']);
      assert.ok((seen.get('amd64') ?? 0) > 0 && (seen.get('arm64') ?? 0) > 0, 'output lines arrive per platform');
      for (const v of result.variants) {
        const config = await v.image.config();
        assert.equal(config.architecture, v.platform.architecture);
        assert.equal(config.os, 'linux');
        const cc = await v.image.containerConfig();
        assert.equal(cc?.Labels?.['org.example.test'], 'engines');
        const layers = await v.image.layers();
        assert.equal(layers.length, 1);
        assert.equal(layers[0]?.compression, 'none', 'a docker save export holds plain tars (buildImage gzips them)');
        const tar = await buffer(await layers[0]!.uncompressed());
        assert.ok(tar.includes(Buffer.from(`hello ${v.platform.architecture}\n`)), 'the layer holds the file of its platform');
      }
      const images = JSON.parse((await dockerd.api('GET', '/v1.41/images/json')).body.toString()) as { RepoTags: string[] | null }[];
      tags = images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith('anyarch-build-'));
      assert.deepEqual(tags.map((t) => t.split(':')[1]).sort(), ['linux-amd64', 'linux-arm64']);
    } finally {
      await result.close();
    }
    for (const t of tags) assert.equal((await dockerd.api('GET', `/v1.41/images/${encodeURIComponent(t)}/json`)).status, 404, `${t} removed`);
  });

  test('one platform failing: E_BUILD naming it and its step, the other reported built, no temporary tag left', async () => {
    const engine = await findEngine({ engine: 'docker', env });
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY only-${TARGETARCH}.txt /x\n', 'only-amd64.txt': 'x\n' });
    const err = await rejectsWith(engine.build(request(dir, parsePlatformList('linux/amd64,linux/arm64')), {}), 'E_BUILD', /^docker build failed for linux\/arm64 at \[1\/1\] COPY only-arm64\.txt \/x \(exit status 1\); linux\/amd64 built$/);
    assert.ok(err instanceof EngineBuildError);
    assert.ok(err.failed[0]?.lines.some((l) => /only-arm64\.txt/.test(l)), err.failed[0]?.lines.join('\n'));
    const images = JSON.parse((await dockerd.api('GET', '/v1.41/images/json')).body.toString()) as { RepoTags: string[] | null }[];
    assert.deepEqual(images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith('anyarch-build-')), []);
  });

  test('buildImage through it: the exports gzipped (OCI layers), pushed by digest, verified, the index tagged', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY app-${TARGETARCH} /app\nENTRYPOINT ["/app"]\n' });
    writeFileSync(path.join(dir, 'app-amd64'), fakeElf('amd64'));
    writeFileSync(path.join(dir, 'app-arm64'), fakeElf('arm64'));
    const client = new RegistryClient();
    const run = await buildImage(request(dir, parsePlatformList('linux/amd64,linux/arm64')), { tags: [{ registry: reg.host, repository: 'docker/app', tag: 'v1' }], client, find: { engine: 'docker', env }, env, annotations: {} });
    assert.equal(run.status, 'built', run.buildError?.message);
    assert.equal(run.engine?.name, 'docker');
    assert.deepEqual(run.published?.tagged, [`${reg.host}/docker/app:v1`]);
    assert.deepEqual(run.published?.variants.map((v) => [v.platform.architecture, v.verification?.summary.verdicts.error]), [['amd64', 0], ['arm64', 0]]);
    const root = await openRoot(registrySource(client, { registry: reg.host, repository: 'docker/app', tag: 'v1' }));
    assert.equal(root.kind, 'index');
    for (const platform of parsePlatformList('linux/amd64,linux/arm64')) {
      const image: Image = root.kind === 'index' ? await root.imageFor(platform) : root;
      const m = await image.manifest();
      assert.deepEqual(m.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+gzip']);
      assert.equal((await image.config()).architecture, platform.architecture);
    }
  });
});
