/**
 * writeImage and compressImage: an OCI manifest and config over a base image from another source
 * (its layers borrowed, never copied: the store holds no base layer) and new layers; history and
 * diff ids kept and appended; config changes applied as Docker's dispatcher applies them; the
 * result read back through the project's own parsers, verifyImage, pushImage to Debian's registry
 * and skopeo. compressImage turns `docker save` layers into gzip layers with the same diff ids.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { buildTestImage, busyboxLikeFiles, fakeElf, readAll, writeDockerArchive, writeOciLayout as writeTestLayout, type BuiltImage } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { runSkopeo, skopeoInspectConfig, skopeoInspectRaw } from '../../test/support/skopeo.js';
import { imageContents } from '../oci/contents.js';
import { digestOf } from '../oci/digest.js';
import { openRoot, type Image } from '../oci/image.js';
import { MediaType } from '../oci/media.js';
import { openDockerArchive } from '../oci/sources/archive.js';
import { openOciLayout } from '../oci/sources/layout.js';
import { parsePlatform } from '../platform/index.js';
import { pushImage } from '../registry/push.js';
import { RegistryClient } from '../registry/client.js';
import { registrySource } from '../registry/source.js';
import { parseReference } from '../oci/reference.js';
import { summarizeVerify, verifyImage, verifyOutcome } from '../verify/verify.js';
import { BlobStore } from './blob-store.js';
import { applyConfigChanges, compressImage, exposedPorts, writeImage } from './image-writer.js';
import { createdFromEpoch, writeLayer } from './layer.js';

const temp = tempPaths('anyarch-image-writer-');
const arm64 = parsePlatform('linux/arm64');
const amd64 = parsePlatform('linux/amd64');

/** A Docker-typed base image for amd64 and arm64 with a container config and a history, in an OCI layout (another source). */
function baseImage(compression: 'gzip' | 'none' = 'gzip'): BuiltImage {
  return buildTestImage(
    (['amd64', 'arm64'] as const).map((arch) => ({
      platform: { os: 'linux', architecture: arch },
      layers: [{ files: busyboxLikeFiles(arch), compression }, { files: { 'etc/motd': 'base\n' }, compression }],
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:base in / ' },
        { created_by: '/bin/sh -c #(nop)  CMD ["busybox"]', empty_layer: true },
        { created_by: 'COPY motd /etc/motd # buildkit' },
      ],
      containerConfig: { Env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8'], Cmd: ['busybox'], WorkingDir: '/srv', Labels: { b: '1', a: '0' }, ExposedPorts: { '22/tcp': {} } },
    })),
    { format: 'docker' },
  );
}

async function openBase(img: BuiltImage): Promise<{ image: Image; close: () => Promise<void> }> {
  const dir = temp('base');
  await writeTestLayout(dir, img, 'base');
  const src = await openOciLayout(dir, 'base');
  const root = await openRoot(src);
  assert.equal(root.kind, 'index');
  if (root.kind !== 'index') throw new Error('not an index');
  return { image: await root.imageFor('linux/arm64'), close: () => src.close() };
}

async function withStore<T>(use: (store: BlobStore) => Promise<T>): Promise<T> {
  const store = await BlobStore.create({ name: 'image-writer-test' });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function storedFiles(store: BlobStore): string[] {
  return readdirSync(path.join(store.dir, 'blobs', 'sha256')).map((h) => `sha256:${h}`);
}

describe('writeImage', () => {
  test('from scratch: OCI manifest and config, diff ids, history, created, the platform, read by the project\'s parsers and verify', async () => {
    await withStore(async (store) => {
      const layer = await writeLayer([{ path: '/usr/local/bin/app', kind: 'file', bytes: fakeElf('arm64'), mode: 0o755 }], store, { epoch: 1_700_000_000 });
      const image = await writeImage(store, {
        platform: arm64,
        layers: [{ ...layer, createdBy: 'anyarch assemble: /usr/local/bin/app' }],
        config: { entrypoint: ['/usr/local/bin/app'], env: ['A=1'] },
        created: createdFromEpoch(1_700_000_000),
        annotations: { 'org.example.z': '1', 'org.example.a': '2' },
      });
      assert.deepEqual(image.descriptor.platform, { architecture: 'arm64', os: 'linux' });
      const m = await image.manifest();
      assert.equal(m.mediaType, MediaType.OCI_MANIFEST);
      assert.equal(m.config.mediaType, MediaType.OCI_CONFIG);
      assert.deepEqual(m.layers, [layer.descriptor]);
      assert.deepEqual(Object.keys(m.annotations ?? {}), ['org.example.a', 'org.example.z']);
      const config = await image.config();
      assert.equal(config.architecture, 'arm64');
      assert.equal(config.os, 'linux');
      assert.equal(config.variant, undefined);
      assert.equal(config.created, '2023-11-14T22:13:20Z');
      assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [layer.diffId] });
      assert.deepEqual(await image.containerConfig(), { Env: ['A=1'], Entrypoint: ['/usr/local/bin/app'] });
      const history = await image.history();
      assert.deepEqual(history.map((h) => [h.entry.created_by, h.entry.created, h.layer?.diffId]), [['anyarch assemble: /usr/local/bin/app', '2023-11-14T22:13:20Z', layer.diffId]]);
      const report = await verifyImage(image, {}, 'scratch-app');
      assert.equal(report.error, undefined);
      assert.equal(verifyOutcome(summarizeVerify([report]), 'info'), 'clean');
      // the same spec, the same image
      const again = await writeImage(store, { platform: arm64, layers: [{ ...layer, createdBy: 'anyarch assemble: /usr/local/bin/app' }], config: { env: ['A=1'], entrypoint: ['/usr/local/bin/app'] }, created: '2023-11-14T22:13:20Z', annotations: { 'org.example.a': '2', 'org.example.z': '1' } });
      assert.equal(again.descriptor.digest, image.descriptor.digest);
      // and a wrong-architecture binary in the arm64 image is what verify is for
      const wrong = await writeLayer([{ path: '/usr/local/bin/app', kind: 'file', bytes: fakeElf('amd64'), mode: 0o755 }], store);
      const bad = await writeImage(store, { platform: arm64, layers: [{ ...wrong, createdBy: 'x' }] });
      assert.equal(verifyOutcome(summarizeVerify([await verifyImage(bad)]), 'error'), 'findings');
    });
  });

  test('over a base from another source: its layers borrowed (the store holds none), history and diff ids kept and appended, config changed as Docker would', async () => {
    const img = baseImage();
    const base = await openBase(img);
    try {
      await withStore(async (store) => {
        const baseManifest = await base.image.manifest();
        const baseConfig = await base.image.config();
        const layer = await writeLayer([{ path: 'app/run', kind: 'file', bytes: Buffer.from('#!/bin/sh\n'), mode: 0o755 }], store);
        const image = await writeImage(store, {
          platform: arm64,
          base: base.image,
          layers: [{ ...layer, createdBy: 'anyarch assemble: /app/run' }],
          config: {
            entrypoint: ['/app/run'],
            env: ['PATH=/opt/bin:/usr/bin:/bin', 'NEW=x', 'EQ=a=b'],
            workdir: 'app/./data/',
            user: '1000:1000',
            labels: { c: '2', a: 'override' },
            exposedPorts: ['8080', '53/udp'],
          },
        });
        const m = await image.manifest();
        assert.equal(m.mediaType, MediaType.OCI_MANIFEST);
        // the base's layers by digest, relabelled with the OCI media type of the same bytes
        assert.deepEqual(m.layers.slice(0, 2).map((l) => [l.digest, l.size, l.mediaType]), baseManifest.layers.map((l) => [l.digest, l.size, MediaType.OCI_LAYER_GZIP]));
        assert.deepEqual(m.layers[2], layer.descriptor);
        for (const l of baseManifest.layers) assert.ok(!storedFiles(store).includes(l.digest), `base layer ${l.digest} is not copied into the store`);
        assert.deepEqual((await image.config()).rootfs?.diff_ids, [...(baseConfig.rootfs?.diff_ids ?? []), layer.diffId]);
        assert.deepEqual(
          (await image.history()).map((h) => [h.entry.created_by, h.entry.empty_layer ?? false, h.layer?.index]),
          [
            ['/bin/sh -c #(nop) ADD file:base in / ', false, 0],
            ['/bin/sh -c #(nop)  CMD ["busybox"]', true, undefined],
            ['COPY motd /etc/motd # buildkit', false, 1],
            ['anyarch assemble: /app/run', false, 2],
          ],
        );
        const cc = (await image.config()).config as Record<string, unknown>;
        assert.deepEqual(cc.Env, ['PATH=/opt/bin:/usr/bin:/bin', 'LANG=C.UTF-8', 'NEW=x', 'EQ=a=b']);
        assert.deepEqual(cc.Entrypoint, ['/app/run']);
        assert.equal('Cmd' in cc, false, 'an ENTRYPOINT resets the base image\'s CMD');
        assert.equal(cc.WorkingDir, '/srv/app/data');
        assert.equal(cc.User, '1000:1000');
        assert.deepEqual(Object.entries(cc.Labels as object), [['a', 'override'], ['b', '1'], ['c', '2']]);
        assert.deepEqual(Object.keys(cc.ExposedPorts as object), ['22/tcp', '53/udp', '8080/tcp']);
        // every layer readable through the store's source (the base's from the base's layout, verified)
        for (const l of await image.layers()) assert.equal(digestOf(await readAll(await l.uncompressed())), l.diffId);
        const contents = await imageContents(image);
        assert.equal(contents.blobs.length, 4, 'config + two base layers + the new layer');
        const report = await verifyImage(image);
        assert.equal(report.error, undefined);
        // a CMD given with the ENTRYPOINT stays
        const both = await writeImage(store, { platform: arm64, base: base.image, layers: [], config: { entrypoint: ['/e'], cmd: ['c'] } });
        assert.deepEqual(((await both.config()).config as Record<string, unknown>).Cmd, ['c']);
        // no changes: the base's container config as it was
        const same = await writeImage(store, { platform: arm64, base: base.image, layers: [] });
        assert.deepEqual((await same.config()).config, (await base.image.config()).config);
        // a base for another architecture is refused
        await rejectsWith(writeImage(store, { platform: amd64, base: base.image, layers: [] }), 'E_INPUT', /is for linux\/arm64, not linux\/amd64/);
        // a layer not in the store is refused
        const other = await BlobStore.create();
        const foreign = await writeLayer([{ path: 'x', kind: 'file', bytes: Buffer.from('x') }], other);
        await other.close();
        await rejectsWith(writeImage(store, { platform: arm64, layers: [{ ...foreign, createdBy: 'x' }] }), 'E_INPUT', /not in the blob store/);
        await rejectsWith(writeImage(store, { platform: arm64, layers: [], created: 'yesterday' }), 'E_INPUT', /RFC 3339/);
      });
    } finally {
      await base.close();
    }
  });

  test('config changes: ENV replacing its key (case-folded on Windows), relative WORKDIR, EXPOSE forms, refusals', () => {
    const linux = parsePlatform('linux/amd64');
    const windows = parsePlatform('windows/amd64');
    assert.deepEqual(applyConfigChanges({ Env: ['Path=a'] }, { env: ['PATH=b'] }, linux).Env, ['Path=a', 'PATH=b']);
    assert.deepEqual(applyConfigChanges({ Env: ['Path=a'] }, { env: ['PATH=b'] }, windows).Env, ['PATH=b']);
    assert.deepEqual(applyConfigChanges({ Env: ['A=1'] }, { env: ['A=2', 'A=3'] }, linux).Env, ['A=3']);
    assert.throws(() => applyConfigChanges({}, { env: ['NOVALUE'] }, linux), /not KEY=VALUE/);
    assert.throws(() => applyConfigChanges({}, { env: ['=x'] }, linux), /not KEY=VALUE/);
    assert.equal(applyConfigChanges({}, { workdir: 'app' }, linux).WorkingDir, '/app');
    assert.equal(applyConfigChanges({ WorkingDir: '/a' }, { workdir: '../b' }, linux).WorkingDir, '/b');
    assert.equal(applyConfigChanges({ WorkingDir: '/a' }, { workdir: '/' }, linux).WorkingDir, '/');
    assert.deepEqual(exposedPorts('8080'), ['8080/tcp']);
    assert.deepEqual(exposedPorts('53/UDP'), ['53/udp']);
    assert.deepEqual(exposedPorts('7000-7002/sctp'), ['7000/sctp', '7001/sctp', '7002/sctp']);
    for (const bad of ['0', '65536', 'http', '80/icmp', '9-8', '']) assert.throws(() => exposedPorts(bad), /EXPOSE/, bad);
  });
});

describe('compressImage', () => {
  test('docker save layers (uncompressed tars) become gzip layers: same diff ids, the config\'s exact bytes, OCI types; verify passes', async () => {
    const img = baseImage('none');
    const file = temp('saved.tar');
    await writeDockerArchive(file, img, 1, ['example.com/base:1'], { layout: 'classic' });
    const src = await openDockerArchive(file);
    try {
      const saved = await openRoot(src);
      assert.equal(saved.kind, 'image');
      if (saved.kind !== 'image') return;
      await withStore(async (store) => {
        const image = await compressImage(store, saved);
        const m = await image.manifest();
        assert.equal(m.mediaType, MediaType.OCI_MANIFEST);
        assert.equal(m.config.mediaType, MediaType.OCI_CONFIG);
        assert.deepEqual(await image.configBytes(), await saved.configBytes(), 'the config byte for byte: the image ID stays');
        assert.equal(m.config.digest, (await saved.manifest()).config.digest);
        assert.deepEqual(image.descriptor.platform, { architecture: 'arm64', os: 'linux' });
        const before = await saved.layers();
        const now = await image.layers();
        assert.equal(now.length, 2);
        for (const [i, l] of now.entries()) {
          assert.equal(l.mediaType, MediaType.OCI_LAYER_GZIP);
          assert.equal(l.compression, 'gzip');
          assert.equal(l.diffId, before[i]!.diffId);
          const gz = await readAll(await l.compressed());
          assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
          assert.deepEqual(gunzipSync(gz), Buffer.from(await readAll(await before[i]!.compressed())));
        }
        const report = await verifyImage(image);
        assert.equal(report.error, undefined);
        assert.equal(verifyOutcome(summarizeVerify([report]), 'error'), 'clean', JSON.stringify(report.platforms.map((p) => p.verdicts)));
        // compressing again gives the same image; gzip layers are borrowed as they are
        assert.equal((await compressImage(store, saved)).descriptor.digest, image.descriptor.digest);
        const twice = await compressImage(store, image);
        assert.deepEqual((await twice.manifest()).layers, m.layers);
      });
    } finally {
      await src.close();
    }
  });
});

describe('the store\'s images in a real registry', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry?.stop();
  });

  test('pushImage takes an image written over a borrowed base; skopeo reads back the same manifest and config', async () => {
    const base = await openBase(baseImage());
    try {
      await withStore(async (store) => {
        const layer = await writeLayer([{ path: '/usr/local/bin/app', kind: 'file', bytes: fakeElf('arm64'), mode: 0o755 }], store);
        const image = await writeImage(store, { platform: arm64, base: base.image, layers: [{ ...layer, createdBy: 'anyarch assemble' }], config: { cmd: ['/usr/local/bin/app'] } });
        const client = new RegistryClient({ credentials: async () => undefined });
        const repo = { registry: registry.host, repository: 'built/app' };
        const pushed = await pushImage(client, repo, store.source(image.descriptor, 'store image'), { tag: 'v1' });
        assert.equal(pushed.digest, image.descriptor.digest);
        assert.equal(pushed.stats.blobs.uploaded, 4);
        assert.deepEqual(await skopeoInspectRaw('built/app:v1', registry), Buffer.from(await image.manifestBytes()));
        const config = await skopeoInspectConfig('built/app:v1', registry, undefined, 'linux/arm64');
        assert.deepEqual((config.config as Record<string, unknown>).Cmd, ['/usr/local/bin/app']);
        // skopeo copies it whole (every blob verified by containers/image)
        const out = temp('copied');
        await runSkopeo(['copy', '--src-tls-verify=false', `docker://${registry.host}/built/app:v1`, `oci:${out}:v1`]);
        const copied = await openRoot(await openOciLayout(out, 'v1'));
        assert.equal(copied.kind, 'image');
        if (copied.kind === 'image') assert.deepEqual((await copied.config()).rootfs?.diff_ids, (await image.config()).rootfs?.diff_ids);
        // and verify reads it from the registry through the project's registry source
        const remote = registrySource(client, parseReference(`${registry.host}/built/app:v1`));
        const report = await verifyImage(remote);
        await remote.close();
        assert.equal(report.error, undefined);
        assert.equal(verifyOutcome(summarizeVerify([report]), 'error'), 'clean');
      });
    } finally {
      await base.close();
    }
  });
});

