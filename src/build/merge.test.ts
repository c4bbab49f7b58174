/**
 * `merge` and `composeIndex` against the real registry: per-platform images pushed by digest (as
 * one native builder per architecture does) composed into one index, each with its config's
 * platform, verified, then tagged; duplicates and images with no platform refused before anything
 * is pushed; images of another repository mounted, not sent.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { buildTestImage, busyboxLikeFiles, builtImageSource, fakeElf, type BuiltImage } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { isAnyarchError } from '../errors.js';
import { digestOf, type Digest } from '../oci/digest.js';
import { openRoot, type Image } from '../oci/image.js';
import type { ImageIndex } from '../oci/manifest.js';
import { MediaType } from '../oci/media.js';
import { VERIFIED_PLATFORMS_ANNOTATION } from '../oci/platforms.js';
import { parseReference } from '../oci/reference.js';
import { makePlatform } from '../platform/index.js';
import { RegistryClient, type RepositoryRef } from '../registry/client.js';
import { pushImage } from '../registry/push.js';
import { BlobStore } from './blob-store.js';
import { composeIndex } from './compose.js';
import { merge, publish } from './publish.js';

const RUNS_APP = { Entrypoint: ['/usr/local/bin/app'], Cmd: null };

/** One platform's image, a single manifest (as `build --push-by-digest` on one machine makes). */
function single(arch: string, opts: { appArch?: string; seed?: string } = {}): BuiltImage {
  return buildTestImage(
    [
      {
        platform: { os: 'linux', architecture: arch },
        containerConfig: RUNS_APP,
        layers: [{ files: busyboxLikeFiles(arch) }, { files: { 'usr/local/bin/app': fakeElf(opts.appArch ?? arch), 'etc/app.conf': opts.seed ?? 'merge' } }],
      },
    ],
    { format: 'oci', single: true },
  );
}

describe('merge: per-platform images by digest into one verified, tagged index', () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  let store: BlobStore;
  before(async () => {
    reg = await startRegistry();
  });
  after(async () => {
    await reg.stop();
  });
  beforeEach(async () => {
    client = new RegistryClient({ credentials: async () => undefined });
    store = await BlobStore.create({ name: 'merge-test' });
  });
  const repo = (name: string): RepositoryRef => ({ registry: reg.host, repository: name });
  const pushByDigest = async (name: string, img: BuiltImage): Promise<Digest> => (await pushImage(client, repo(name), builtImageSource(img))).digest;
  const tags = async (name: string): Promise<string[]> => client.listTags(repo(name)).catch((e: unknown) => (isAnyarchError(e) && e.code === 'E_NOT_FOUND' ? [] : Promise.reject(e)));

  test('bare digests in REF\'s repository: each platform from its config, verified, tagged; the index carries the annotations', async () => {
    const amd = await pushByDigest('m/app', single('amd64'));
    const arm = await pushByDigest('m/app', single('arm64'));
    const target = parseReference(`${reg.host}/m/app:1`);
    try {
      const result = await merge(target, [amd, arm], { client, tags: [], verify: true, store, annotations: { 'org.opencontainers.image.revision': 'abc123' } });
      assert.equal(result.passed, true);
      assert.deepEqual(result.tagged, [`${reg.host}/m/app:1`]);
      const index = (await client.getManifest(repo('m/app'), '1')).manifest as ImageIndex;
      assert.equal(index.mediaType, MediaType.OCI_INDEX);
      assert.deepEqual(
        index.manifests.map((m) => [m.digest, m.platform]),
        [
          [amd, { architecture: 'amd64', os: 'linux' }],
          [arm, { architecture: 'arm64', os: 'linux' }],
        ],
      );
      assert.equal(index.annotations?.['org.opencontainers.image.revision'], 'abc123');
      assert.equal(index.annotations?.[VERIFIED_PLATFORMS_ANNOTATION], 'linux/amd64,linux/arm64');
      assert.equal(result.stats.uploaded, 0, 'every blob was there already');
    } finally {
      await store.close();
    }
  });

  test('full references of another repository of the registry are mounted; an index given is taken apart', async () => {
    const amdIndex = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' }, containerConfig: RUNS_APP, layers: [{ files: busyboxLikeFiles('amd64') }, { files: { 'usr/local/bin/app': fakeElf('amd64'), 'etc/app.conf': 'mounted' } }] }], { format: 'oci' });
    const amd = await pushByDigest('m/builder-amd64', amdIndex);
    const arm = await pushByDigest('m/builder-arm64', single('arm64', { seed: 'mounted' }));
    try {
      const result = await merge(parseReference(`${reg.host}/m/mounted:v2`), [`${reg.host}/m/builder-amd64@${amd}`, `docker://${reg.host}/m/builder-arm64@${arm}`], { client, tags: [], verify: true, store });
      assert.equal(result.passed, true);
      assert.equal(result.stats.uploaded, 0);
      assert.ok(result.stats.mounted >= 4, `mounted ${result.stats.mounted}`);
      const index = (await client.getManifest(repo('m/mounted'), 'v2')).manifest as ImageIndex;
      assert.deepEqual(index.manifests.map((m) => m.platform?.architecture), ['amd64', 'arm64']);
      assert.equal(index.manifests[0]?.digest, amdIndex.manifests[0]?.digest, "the index's image, not the index");
    } finally {
      await store.close();
    }
  });

  test('two images of one platform, or an image whose config names none: E_INPUT, nothing pushed or tagged', async () => {
    const a = await pushByDigest('m/dup', single('amd64', { seed: 'a' }));
    const b = await pushByDigest('m/dup', single('amd64', { seed: 'b' }));
    try {
      await assert.rejects(merge(parseReference(`${reg.host}/m/dup:1`), [a, b], { client, tags: [], verify: true, store }), (e) => {
        assert.ok(isAnyarchError(e));
        assert.equal(e.code, 'E_INPUT');
        assert.match(e.message, /two images for linux\/amd64/);
        return true;
      });
      assert.deepEqual(await tags('m/dup'), []);

      // an artifact: its config is OCI's empty descriptor, no platform
      const empty = new TextEncoder().encode('{}');
      const config = { mediaType: MediaType.OCI_EMPTY, digest: digestOf(empty), size: empty.length };
      await client.pushBlob(repo('m/dup'), config, empty);
      const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, artifactType: 'application/vnd.example.thing', config, layers: [] }));
      const artifact = await client.putManifest(repo('m/dup'), digestOf(manifest), manifest, MediaType.OCI_MANIFEST);
      await assert.rejects(merge(parseReference(`${reg.host}/m/dup:1`), [a, artifact], { client, tags: [], verify: true, store }), (e) => {
        assert.ok(isAnyarchError(e));
        assert.equal(e.code, 'E_INPUT');
        assert.match(e.message, new RegExp(`${artifact} has no platform`));
        return true;
      });
      assert.deepEqual(await tags('m/dup'), []);
    } finally {
      await store.close();
    }
  });

  test('a variant refused by verify: nothing tagged, its verdicts in the report', async () => {
    const amd = await pushByDigest('m/bad', single('amd64', { seed: 'bad' }));
    const arm = await pushByDigest('m/bad', single('arm64', { appArch: 'amd64', seed: 'bad' }));
    try {
      const result = await merge(parseReference(`${reg.host}/m/bad:1`), [amd, arm], { client, tags: [], verify: true, store });
      assert.equal(result.passed, false);
      assert.deepEqual(result.tagged, []);
      assert.ok(result.report?.platforms.find((p) => p.name === 'linux/arm64')?.verdicts.some((v) => v.id === 'AA201'));
      assert.deepEqual(await tags('m/bad'), []);
    } finally {
      await store.close();
    }
  });
});

describe('composeIndex', () => {
  const imageOf = async (img: BuiltImage): Promise<Image> => {
    const root = await openRoot(builtImageSource(img));
    assert.equal(root.kind, 'image');
    return root as Image;
  };

  test('entries in the order given, children borrowed: the store serves the whole image', async () => {
    const store = await BlobStore.create({ name: 'compose-test' });
    try {
      const arm = single('arm64');
      const amd = single('amd64');
      const index = await composeIndex(
        store,
        [
          { platform: makePlatform('linux', 'arm64'), image: await imageOf(arm) },
          { platform: makePlatform('linux', 'amd64'), image: await imageOf(amd) },
        ],
        { annotations: { a: 'b' } },
      );
      const m = await index.manifest();
      assert.deepEqual(m.manifests.map((d) => d.digest), [arm.root.digest, amd.root.digest]);
      assert.deepEqual(m.annotations, { a: 'b' });
      assert.equal(index.descriptor.digest, digestOf(await index.manifestBytes()));
      const child = await index.image(m.manifests[0] as never);
      const layers = await child.layers();
      for (const l of layers) {
        const chunks: Buffer[] = [];
        for await (const c of await child.blob(l.descriptor)) chunks.push(c as Buffer);
        assert.equal(digestOf(Buffer.concat(chunks)), l.descriptor.digest);
      }
      assert.ok(store.has(arm.root.digest) && !store.holds(arm.root.digest), 'borrowed, not copied');

      await assert.rejects(
        composeIndex(store, [
          { platform: makePlatform('linux', 'arm64'), image: await imageOf(arm) },
          { platform: makePlatform('linux', 'arm64', 'v8'), image: await imageOf(amd) },
        ]),
        (e) => isAnyarchError(e) && e.code === 'E_INPUT' && /two images for linux\/arm64/.test(e.message),
      );
      await assert.rejects(composeIndex(store, []), (e) => isAnyarchError(e) && e.code === 'E_INPUT');
    } finally {
      await store.close();
    }
  });

  test('an index composed over local images publishes whole: every borrowed blob is read from where it lives and uploaded', async () => {
    const reg = await startRegistry();
    const store = await BlobStore.create({ name: 'compose-publish' });
    try {
      const amd = single('amd64', { seed: 'local' });
      const arm = single('arm64', { seed: 'local' });
      const index = await composeIndex(store, [
        { platform: makePlatform('linux', 'amd64'), image: await imageOf(amd) },
        { platform: makePlatform('linux', 'arm64'), image: await imageOf(arm) },
      ]);
      const client = new RegistryClient({ credentials: async () => undefined });
      const result = await publish(index, { client, tags: [parseReference(`${reg.host}/local/app:1`)], verify: true });
      assert.equal(result.passed, true);
      const blobs = new Set<string>();
      for (const img of [amd, arm]) for (const [d] of img.blobs) if (d !== img.root.digest) blobs.add(d);
      assert.equal(result.stats.uploaded, blobs.size);
      const pushed = (await client.getManifest({ registry: reg.host, repository: 'local/app' }, '1')).manifest as ImageIndex;
      assert.deepEqual(pushed.manifests.map((m) => m.digest), [amd.root.digest, arm.root.digest]);
      for (const d of blobs) assert.ok(await client.hasBlob({ registry: reg.host, repository: 'local/app' }, d as Digest), d);
    } finally {
      await store.close();
      await reg.stop();
    }
  });
});
