/**
 * Pushing to the real registry: monolithic and chunked uploads, cross-repository mounts, blobs
 * already there, manifests children first, tags; what anyarch writes is read back by skopeo.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestImage, busyboxLikeFiles, builtImageSource, type BuiltImage } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { skopeoInspectConfig, skopeoInspectRaw } from '../../test/support/skopeo.js';
import { isAnyarchError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import { openRoot } from '../oci/image.js';
import type { ImageIndex } from '../oci/manifest.js';
import { RegistryClient } from './client.js';
import { pushImage } from './push.js';

const USERS = { pusher: 'push-pass-1' };

function testImage(seed: string): BuiltImage {
  return buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: { ...busyboxLikeFiles('amd64'), seed } },
      { platform: { os: 'linux', architecture: 'arm64' }, files: { ...busyboxLikeFiles('arm64'), seed } },
      { platform: { os: 'linux', architecture: 's390x' }, files: { ...busyboxLikeFiles('s390x'), seed } },
    ],
    { format: 'oci', attestations: true },
  );
}

for (const auth of ['none', 'token'] as const) {
  describe(`pushing to docker-registry (${auth === 'none' ? 'no auth' : 'token auth'})`, () => {
    let reg: TestRegistry;
    let client: RegistryClient;
    const creds = auth === 'token' ? { username: 'pusher', password: USERS.pusher } : undefined;
    before(async () => {
      reg = await startRegistry({ auth: auth === 'none' ? { kind: 'none' } : { kind: 'token', users: USERS } });
      client = new RegistryClient({ credentials: async () => creds });
    });
    after(async () => reg?.stop());

    test('a multi-platform image with attestations, monolithic uploads; skopeo reads it back byte for byte', async () => {
      const img = testImage('mono');
      const repo = { registry: reg.host, repository: 'push/mono' };
      const { digest, stats } = await pushImage(client, repo, builtImageSource(img), { tag: 'v1' });
      assert.equal(digest, img.root.digest);
      assert.equal(stats.manifests, 1 + 3 + 3); // root, three images, three attestations
      assert.ok(stats.blobs.uploaded > 0);
      assert.deepEqual(await skopeoInspectRaw('push/mono:v1', reg, creds), Buffer.from(img.root.bytes));
      const cfg = await skopeoInspectConfig('push/mono:v1', reg, creds, 'linux/s390x');
      assert.equal(cfg.architecture, 's390x');
    });

    test('chunked uploads give the same image', async () => {
      const img = testImage('chunked');
      const repo = { registry: reg.host, repository: 'push/chunked' };
      await pushImage(client, repo, builtImageSource(img), { tag: 'v1', chunkSize: 100 });
      assert.deepEqual(await skopeoInspectRaw('push/chunked:v1', reg, creds), Buffer.from(img.root.bytes));
      const again = await client.getManifest(repo, 'v1');
      assert.equal(again.descriptor.digest, img.root.digest);
    });

    test('a second push finds every blob there; another repository mounts them', async () => {
      const img = testImage('mount');
      const src = { registry: reg.host, repository: 'push/source' };
      await pushImage(client, src, builtImageSource(img), { tag: 'v1' });
      const again = await pushImage(client, src, builtImageSource(img), { tag: 'v1' });
      assert.equal(again.stats.blobs.uploaded, 0);
      assert.equal(again.stats.blobs.mounted, 0);
      assert.ok(again.stats.blobs.exists > 0);
      const dst = { registry: reg.host, repository: 'push/dest' };
      const mounted = await pushImage(client, dst, builtImageSource(img), { tag: 'v1', mountFrom: 'push/source' });
      assert.equal(mounted.stats.blobs.uploaded, 0);
      assert.equal(mounted.stats.blobs.mounted, again.stats.blobs.exists);
      assert.deepEqual(await skopeoInspectRaw('push/dest:v1', reg, creds), Buffer.from(img.root.bytes));
    });

    test('an opened image pushes as itself: one platform of an index, chosen on the image layer', async () => {
      const img = testImage('one');
      const index = await openRoot(builtImageSource(img));
      assert.equal(index.kind, 'index');
      if (index.kind !== 'index') return;
      const arm64 = await index.imageFor('linux/arm64');
      const repo = { registry: reg.host, repository: 'push/one' };
      const { digest, stats } = await pushImage(client, repo, arm64, { tag: 'arm64' });
      assert.equal(digest, arm64.descriptor.digest);
      assert.equal(stats.manifests, 1);
      assert.equal(stats.blobs.uploaded, 1 + (await arm64.manifest()).layers.length);
      assert.deepEqual(await skopeoInspectRaw('push/one:arm64', reg, creds), Buffer.from(await arm64.manifestBytes()));
      assert.equal((await skopeoInspectConfig('push/one:arm64', reg, creds)).architecture, 'arm64');
    });

    test('an index whose child is missing is refused by the registry: E_REGISTRY naming the code', async () => {
      const img = testImage('orphan');
      const repo = { registry: reg.host, repository: 'push/orphan' };
      await assert.rejects(client.putManifest(repo, 'v1', img.root.bytes, img.root.mediaType), (e) => isAnyarchError(e) && e.code === 'E_REGISTRY' && /MANIFEST_BLOB_UNKNOWN/.test(e.message));
    });

    test('content that does not match its descriptor is not uploaded', async () => {
      const repo = { registry: reg.host, repository: 'push/bad' };
      const bytes = new TextEncoder().encode('hello');
      await assert.rejects(client.pushBlob(repo, { mediaType: 'x', digest: digestOf('other'), size: 5 }, bytes), (e) => isAnyarchError(e) && e.code === 'E_DIGEST');
      assert.equal(await client.hasBlob(repo, digestOf('other')), false);
      const index = JSON.parse(Buffer.from(testImage('x').root.bytes).toString('utf8')) as ImageIndex;
      assert.ok(index.manifests.length > 0);
    });
  });
}
