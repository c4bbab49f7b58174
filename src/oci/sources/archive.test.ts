import { rejectsWith, tempPaths } from '../../../test/support/assert.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { digestOf } from '../digest.js';
import type { Descriptor, ImageManifest } from '../manifest.js';
import { layerCompression, MediaType } from '../media.js';
import { indexTar } from '../tar.js';
import {
  assertSameBytes,
  assertSourceHolds,
  buildTestImage,
  readAll,
  skopeo,
  writeDockerArchive,
  writeDockerArchiveMulti,
  writeOciArchive,
  writeOciLayout,
  writeTar,
  type BuiltImage,
  type TestPlatformImage,
} from '../../../test/support/images.js';
import { openDockerArchive, openOciArchive, SYNTHETIC_MANIFEST_ANNOTATION } from './archive.js';

const PLATFORMS: TestPlatformImage[] = [
  { platform: { os: 'linux', architecture: 'amd64' } },
  { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  { platform: { os: 'linux', architecture: 's390x' } },
];

const tmp = tempPaths('anyarch-archive-');
const rejects = rejectsWith;

function json(img: BuiltImage, digest: string): any {
  return JSON.parse(new TextDecoder().decode(img.blobs.get(digest)));
}

/** Flips the last byte of entry `name` inside the archive (same size, other content). */
async function tamper(file: string, name: string): Promise<void> {
  const idx = await indexTar(file);
  const e = idx.entries.get(name);
  assert.ok(e && e.size > 0, `entry ${name}`);
  const bytes = readFileSync(file);
  bytes[e.offset + e.size - 1] = (bytes[e.offset + e.size - 1] as number) ^ 0xff;
  writeFileSync(file, bytes);
}

/** A single-platform docker-archive source holds image.manifests[i]: config bytes and layer contents. */
async function assertDockerImage(file: string, ref: string | undefined, img: BuiltImage, i: number, layers: 'tar' | 'gzip'): Promise<ImageManifest> {
  const src = await openDockerArchive(file, ref);
  assert.equal(src.kind, 'docker-archive');
  const root = await src.root();
  assert.ok(root.manifest.kind === 'manifest');
  const m = img.manifests[i]!;
  assert.equal(root.manifest.config.digest, m.configDigest);
  assertSameBytes(await src.blob(root.manifest.config, 1 << 20), img.blobs.get(m.configDigest), 'config');
  const original = json(img, m.digest).layers as Descriptor[];
  assert.equal(root.manifest.layers.length, original.length);
  for (const [k, l] of root.manifest.layers.entries()) {
    const bytes = await readAll(await src.blobStream(l));
    const gz = img.blobs.get(original[k]!.digest)!;
    if (layers === 'gzip') {
      assertSameBytes(bytes, gz, 'layer');
      assert.equal(layerCompression(l.mediaType), 'gzip');
    } else {
      assertSameBytes(bytes, gunzipSync(gz), 'layer');
      assert.equal(l.mediaType, MediaType.DOCKER_LAYER_TAR);
      assert.equal(layerCompression(l.mediaType), 'none');
    }
  }
  await src.close();
  return root.manifest;
}

describe('openOciArchive', () => {
  const multi = buildTestImage(PLATFORMS, { attestations: true });
  const nested = buildTestImage(PLATFORMS, { nested: true, unknownEntry: true });

  test('an archive written by writeOciArchive: root, manifests, blobs and streams', async () => {
    const f = tmp('oci.tar');
    await writeOciArchive(f, multi, 'v1');
    for (const tag of ['v1', undefined, 'docker.io/library/app:v1']) {
      const src = await openOciArchive(f, tag);
      assert.equal(src.kind, 'oci-archive');
      assert.equal(src.name, `oci-archive:${f}${tag ? `:${tag}` : ''}`);
      await assertSourceHolds(src, multi);
      await src.close();
    }
    await rejects(openOciArchive(f, 'v2'), 'E_NOT_FOUND', /no image tagged "v2"; it holds "v1"/);
  });

  test('a nested index with an unknown entry', async () => {
    const f = tmp('nested.tar');
    await writeOciArchive(f, nested);
    const src = await openOciArchive(f);
    await assertSourceHolds(src, nested);
    const root = await src.root();
    assert.ok(root.manifest.kind === 'index');
    const child = await src.manifest(root.manifest.manifests[0]!);
    assert.ok(child.manifest.kind === 'index');
    assert.equal(child.manifest.manifests.length, PLATFORMS.length + 1);
  });

  test('archives skopeo wrote (an index with attestations, and a single image)', async () => {
    const layout = tmp('layout');
    await writeOciLayout(layout, multi, 'multi');
    const f = tmp('skopeo-oci.tar');
    skopeo(['copy', '--all', `oci:${layout}:multi`, `oci-archive:${f}:multi`]);
    await assertSourceHolds(await openOciArchive(f, 'multi'), multi);
    const g = tmp('skopeo-single.tar');
    skopeo(['--override-arch', 'arm64', 'copy', `oci:${layout}:multi`, `oci-archive:${g}`]);
    const src = await openOciArchive(g);
    const root = await src.root();
    assert.equal(root.descriptor.digest, multi.manifests[1]!.digest);
  });

  test('a tampered layer: E_DIGEST at the end of the stream; a missing blob: E_NOT_FOUND', async () => {
    const f = tmp('tampered.tar');
    await writeOciArchive(f, multi, 'v1');
    const layer: Descriptor = json(multi, multi.manifests[0]!.digest).layers[0];
    await tamper(f, `blobs/sha256/${layer.digest.slice(7)}`);
    const src = await openOciArchive(f, 'v1');
    await rejects(readAll(await src.blobStream(layer)), 'E_DIGEST');
    await rejects(src.blob(layer, 1 << 20), 'E_DIGEST');
    const missing: Descriptor = { mediaType: MediaType.OCI_LAYER_GZIP, digest: digestOf('nothing'), size: 7 };
    await rejects(src.blobStream(missing), 'E_NOT_FOUND', /is not in the archive/);
  });

  test('a docker save archive, a truncated archive, a missing file', async () => {
    const f = tmp('docker.tar');
    await writeDockerArchive(f, multi, 0, ['x:1'], { layout: 'classic' });
    const e = await rejects(openOciArchive(f), 'E_SOURCE', /not an OCI image layout/);
    assert.match(e.hint ?? '', /docker-archive:/);
    const g = tmp('cut.tar');
    await writeOciArchive(g, multi, 'v1');
    truncateSync(g, 3000);
    await rejects(openOciArchive(g), 'E_SOURCE', /truncated/);
    await rejects(openOciArchive(tmp('missing.tar')), 'E_NOT_FOUND');
  });
});

describe('openDockerArchive', () => {
  const img = buildTestImage(PLATFORMS);

  test('classic docker save: a synthesised Docker v2.2 manifest (synthetic digest) over uncompressed layers', async () => {
    const f = tmp('classic.tar');
    await writeDockerArchive(f, img, 1, ['example/app:1'], { layout: 'classic' });
    const manifest = await assertDockerImage(f, undefined, img, 1, 'tar');
    assert.equal(manifest.mediaType, MediaType.DOCKER_MANIFEST);
    assert.equal(manifest.config.mediaType, MediaType.DOCKER_CONFIG);
    const src = await openDockerArchive(f, 'example/app:1');
    const root = await src.root();
    assert.equal(root.descriptor.annotations?.[SYNTHETIC_MANIFEST_ANNOTATION], 'docker-archive');
    assert.deepEqual(root.descriptor.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(root.descriptor.digest, digestOf(root.bytes));
    // the uncompressed layer's digest is the diff id
    assert.deepEqual(
      manifest.layers.map((l) => l.digest),
      json(img, img.manifests[1]!.configDigest).rootfs.diff_ids,
    );
    // the synthetic root is served by manifest() too
    assert.equal((await src.manifest(root.descriptor)).descriptor.digest, root.descriptor.digest);
  });

  test('classic with gzip layers: detected by magic bytes, digest of the file', async () => {
    const f = tmp('classic-gz.tar');
    await writeDockerArchive(f, img, 2, ['gz:1'], { layout: 'classic', gzipLayers: true });
    const manifest = await assertDockerImage(f, undefined, img, 2, 'gzip');
    assert.ok(manifest.layers.every((l) => l.mediaType === MediaType.DOCKER_LAYER));
    assert.deepEqual(
      manifest.layers.map((l) => l.digest),
      json(img, img.manifests[2]!.digest).layers.map((l: Descriptor) => l.digest),
    );
  });

  test('Docker 25+ (OCI layout inside): the real manifest is the root', async () => {
    const f = tmp('docker25.tar');
    await writeDockerArchive(f, img, 0, ['app:latest'], { layout: 'oci' });
    const src = await openDockerArchive(f, 'app');
    const root = await src.root();
    assert.equal(root.descriptor.digest, img.manifests[0]!.digest);
    assert.equal(root.descriptor.annotations?.[SYNTHETIC_MANIFEST_ANNOTATION], undefined);
    assertSameBytes(root.bytes, img.blobs.get(img.manifests[0]!.digest));
    const m = root.manifest as ImageManifest;
    assertSameBytes(await readAll(await src.blobStream(m.layers[0]!)), img.blobs.get(m.layers[0]!.digest));
    // the same file is also an OCI archive
    assert.equal((await (await openOciArchive(f)).root()).descriptor.digest, img.manifests[0]!.digest);
  });

  test('several images: by RepoTag (normalised like docker), by @N; errors list the images', async () => {
    for (const layout of ['classic', 'oci'] as const) {
      const f = tmp(`multi-${layout}.tar`);
      await writeDockerArchiveMulti(
        f,
        [
          { image: img, platformIndex: 0, repoTags: ['alpine:latest', 'ghcr.io/o/app:1'] },
          { image: img, platformIndex: 1, repoTags: ['docker.io/library/busybox:1.36'] },
          { image: img, platformIndex: 2, repoTags: [] },
        ],
        { layout, symlinkSharedLayers: true },
      );
      const configOf = async (ref: string) => ((await (await openDockerArchive(f, ref)).root()).manifest as ImageManifest).config.digest;
      for (const ref of ['alpine', 'alpine:latest', 'docker.io/library/alpine', 'ghcr.io/o/app:1', '@0']) assert.equal(await configOf(ref), img.manifests[0]!.configDigest, ref);
      for (const ref of ['busybox:1.36', 'library/busybox:1.36', '@1']) assert.equal(await configOf(ref), img.manifests[1]!.configDigest, ref);
      assert.equal(await configOf('@2'), img.manifests[2]!.configDigest);
      await rejects(openDockerArchive(f, 'busybox'), 'E_NOT_FOUND', /no image tagged "busybox"; it holds "alpine:latest", "ghcr.io\/o\/app:1"; "docker.io\/library\/busybox:1.36"; @2 \(untagged\)/);
      await rejects(openDockerArchive(f, '@3'), 'E_NOT_FOUND', /has no image @3 \(it holds 3: @0 to @2\)/);
      const e = await rejects(openDockerArchive(f), 'E_SOURCE', /holds 3 images, name one/);
      assert.match(e.hint ?? '', /:@N/);
      await assertDockerImage(f, '@2', img, 2, layout === 'oci' ? 'gzip' : 'tar');
    }
  });

  test('shared layers written as symlinks (as docker does) are followed', async () => {
    const same = buildTestImage([
      { platform: { os: 'linux', architecture: 'amd64' }, files: { a: 'same' } },
      { platform: { os: 'linux', architecture: 'arm64' }, files: { a: 'same' } },
    ]);
    const f = tmp('shared.tar');
    await writeDockerArchiveMulti(
      f,
      [
        { image: same, platformIndex: 0, repoTags: ['a:1'] },
        { image: same, platformIndex: 1, repoTags: ['b:1'] },
      ],
      { layout: 'classic', symlinkSharedLayers: true },
    );
    const idx = await indexTar(f);
    assert.ok([...idx.entries.values()].some((e) => e.type === 'symlink'));
    await assertDockerImage(f, 'b:1', same, 1, 'tar');
  });

  test('archives skopeo wrote: the synthesised manifest is skopeo\'s but for the honest layer media type', async () => {
    const layout = tmp('layout');
    await writeOciLayout(layout, img, 'multi');
    const f = tmp('skopeo-docker.tar');
    skopeo(['--override-arch', 'arm64', 'copy', `oci:${layout}:multi`, `docker-archive:${f}:example/app:1`]);
    await assertDockerImage(f, undefined, img, 1, 'tar');
    for (const ref of ['example/app:1', 'docker.io/example/app:1', '@0']) await assertDockerImage(f, ref, img, 1, 'tar');
    const src = await openDockerArchive(f);
    const root = await src.root();
    // skopeo labels the uncompressed layers tar.gzip; otherwise the synthesised manifest is byte for byte the same
    const theirs = skopeo(['inspect', '--raw', `docker-archive:${f}`]);
    assert.equal(new TextDecoder().decode(root.bytes).replaceAll(MediaType.DOCKER_LAYER_TAR + '"', MediaType.DOCKER_LAYER + '"'), theirs);
  });

  test('tampering: a layer fails its stream with E_DIGEST, a config named by its digest fails at open', async () => {
    const f = tmp('tamper.tar');
    await writeDockerArchive(f, img, 0, ['t:1'], { layout: 'classic' });
    const idx = await indexTar(f);
    const layerName = [...idx.entries.keys()].find((k) => k.endsWith('/layer.tar'))!;
    await tamper(f, layerName);
    const src = await openDockerArchive(f);
    const m = (await src.root()).manifest as ImageManifest;
    await rejects(readAll(await src.blobStream(m.layers[0]!)), 'E_DIGEST');
    const configName = `${img.manifests[0]!.configDigest.slice(7)}.json`;
    await tamper(f, configName);
    await rejects(openDockerArchive(f), 'E_DIGEST', /config/);
  });

  test('incomplete or foreign archives', async () => {
    // a layer listed in manifest.json but not in the archive
    const f = tmp('incomplete.tar');
    const cfg = img.blobs.get(img.manifests[0]!.configDigest)!;
    await writeTar(f, [
      { name: 'manifest.json', data: new TextEncoder().encode(JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['nope/layer.tar'] }])) },
      { name: 'c.json', data: cfg },
    ]);
    await rejects(openDockerArchive(f), 'E_NOT_FOUND', /layer 1 of x:1 \(nope\/layer.tar\) is not in the archive/);
    // bad manifest.json
    for (const text of ['not json', '{}', '[{"Layers":[]}]', '[{"Config":"c.json","Layers":"x"}]']) {
      const g = tmp('bad.tar');
      await writeTar(g, [{ name: 'manifest.json', data: new TextEncoder().encode(text) }]);
      await rejects(openDockerArchive(g), 'E_MANIFEST', /manifest\.json/);
    }
    // an empty one
    const h = tmp('empty.tar');
    await writeTar(h, [{ name: 'manifest.json', data: new TextEncoder().encode('[]') }]);
    await rejects(openDockerArchive(h), 'E_NOT_FOUND', /holds no image/);
    // an OCI archive
    const o = tmp('oci.tar');
    await writeOciArchive(o, img, 'v1');
    const e = await rejects(openDockerArchive(o), 'E_SOURCE', /no manifest\.json/);
    assert.match(e.hint ?? '', /oci-archive:/);
    // not a tar at all
    const z = tmp('junk.tar');
    writeFileSync(z, 'junk'.repeat(200));
    await rejects(openDockerArchive(z), 'E_SOURCE', /not a tar archive/);
  });
});
