/**
 * Pushing to the real registry: monolithic and chunked uploads, cross-repository mounts, blobs
 * already there, manifests children first, tags; what anyarch writes is read back by skopeo.
 */
import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { rejectsWith } from '../../test/support/assert.js';
import { buildTestImage, busyboxLikeFiles, builtImageSource, type BuiltImage } from '../../test/support/images.js';
import { memorySource } from '../../test/support/memory-source.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { skopeoInspectConfig, skopeoInspectRaw } from '../../test/support/skopeo.js';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import { openRoot } from '../oci/image.js';
import { REFERENCE_DIGEST, REFERENCE_TYPE, type Descriptor, type ImageIndex } from '../oci/manifest.js';
import { MediaType } from '../oci/media.js';
import type { ImageSource } from '../oci/source.js';
import { RegistryClient, type BlobOpener } from './client.js';
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

/** Index graphs built by hand, served by a source that checks every digest. */
class Graph {
  readonly blobs = new Map<string, Uint8Array>();
  put(v: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const bytes = Buffer.from(JSON.stringify(v));
    const digest = digestOf(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...extra };
  }
  image(arch: string): Descriptor {
    const config = this.put({ os: 'linux', architecture: arch, rootfs: { type: 'layers', diff_ids: [] } }, MediaType.OCI_CONFIG);
    const layer = this.put({ layer: arch }, MediaType.OCI_LAYER);
    return this.put({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config, layers: [layer] }, MediaType.OCI_MANIFEST, { platform: { os: 'linux', architecture: arch } });
  }
  index(manifests: Descriptor[], extra: Partial<Descriptor> = {}): Descriptor {
    return this.put({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests }, MediaType.OCI_INDEX, extra);
  }
  source(root: Descriptor): ImageSource {
    return memorySource(this.blobs, root, { name: 'graph', verify: true });
  }
}

/**
 * A registry in memory that refuses what distribution refuses: a manifest whose config, layers
 * or listed manifests it does not have (MANIFEST_BLOB_UNKNOWN). Records every call.
 */
function memoryRegistry(): { client: RegistryClient; calls: string[]; manifests: Set<string> } {
  const calls: string[] = [];
  const blobs = new Set<string>();
  const manifests = new Set<string>();
  const client = {
    hasBlob: async (_repo: unknown, digest: string) => (calls.push(`HEAD ${digest}`), blobs.has(digest)),
    pushBlob: async (_repo: unknown, d: Descriptor, open: BlobOpener) => {
      calls.push(`BLOB ${d.digest}`);
      assert.equal(digestOf(await buffer(await open())), d.digest);
      blobs.add(d.digest);
      return 'uploaded' as const;
    },
    putManifest: async (_repo: unknown, reference: string, bytes: Uint8Array) => {
      const digest = digestOf(bytes);
      calls.push(`MANIFEST ${digest}`);
      const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
      for (const d of m.manifests ?? []) if (!manifests.has(d.digest) && !blobs.has(d.digest)) throw new AnyarchError('E_REGISTRY', `${reference}: MANIFEST_BLOB_UNKNOWN ${d.digest}`);
      for (const d of [...(m.config ? [m.config] : []), ...(m.layers ?? [])]) if (!blobs.has(d.digest)) throw new AnyarchError('E_REGISTRY', `${reference}: MANIFEST_BLOB_UNKNOWN ${d.digest}`);
      manifests.add(digest);
      return digest;
    },
  };
  return { client: client as unknown as RegistryClient, calls, manifests };
}

describe('pushImage over index graphs (a registry in memory)', () => {
  const repo = { registry: 'registry.example', repository: 'graphs' };

  test('an index nested deeper than the walk goes is refused before anything is pushed', async () => {
    const g = new Graph();
    let deep = g.index([g.image('amd64')]);
    for (let i = 0; i < 5; i++) deep = g.index([deep]);
    const { client, calls } = memoryRegistry();
    await rejectsWith(pushImage(client, repo, g.source(deep)), 'E_MANIFEST', /deeper than 4 levels/);
    assert.deepEqual(calls, []);
    // within a deeper limit it goes up: the innermost index first, the root last
    const ok = memoryRegistry();
    const { digest, stats } = await pushImage(ok.client, repo, g.source(deep), { maxDepth: 5 });
    assert.equal(digest, deep.digest);
    assert.equal(stats.manifests, 7);
    assert.equal(ok.calls.filter((c) => c.startsWith('MANIFEST')).at(-1), `MANIFEST ${deep.digest}`);
  });

  test('a cycle is refused before anything is pushed', async () => {
    const g = new Graph();
    const placeholder: Descriptor = { mediaType: MediaType.OCI_INDEX, digest: digestOf('root'), size: 1 };
    const child = g.index([g.image('amd64'), placeholder]);
    const rootBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [child] }));
    g.blobs.set(placeholder.digest, rootBytes);
    const { client, calls } = memoryRegistry();
    await rejectsWith(pushImage(client, repo, memorySource(g.blobs, placeholder)), 'E_MANIFEST', /cycle/);
    assert.deepEqual(calls, []);
  });

  test('an index listed at two depths goes up before both indexes that list it; blobs before any manifest', async () => {
    const g = new Graph();
    const shared = g.index([g.image('s390x')]);
    const sibling = g.index([g.image('arm64'), shared]);
    const root = g.index([shared, sibling, g.image('amd64')]);
    const { client, calls, manifests } = memoryRegistry();
    const { stats } = await pushImage(client, repo, g.source(root), { tag: 'v1' });
    assert.equal(stats.manifests, 6);
    assert.deepEqual([...manifests].slice(-3), [shared.digest, sibling.digest, root.digest]);
    const firstManifest = calls.findIndex((c) => c.startsWith('MANIFEST'));
    assert.ok(calls.slice(firstManifest).every((c) => c.startsWith('MANIFEST')), 'every blob before the first manifest');
  });

  test('an attestation entry that is an index is pushed with what it lists; an artifact entry as a blob', async () => {
    const g = new Graph();
    const amd64 = g.image('amd64');
    const statement = g.put({ predicateType: 'https://slsa.dev/provenance/v1' }, MediaType.IN_TOTO);
    const attestations = g.index([g.image('unknown')], { annotations: { [REFERENCE_TYPE]: 'attestation-manifest', [REFERENCE_DIGEST]: amd64.digest } });
    const root = g.index([amd64, attestations, statement]);
    const { client, calls, manifests } = memoryRegistry();
    const { stats } = await pushImage(client, repo, g.source(root));
    assert.equal(stats.manifests, 4);
    assert.deepEqual([...manifests].slice(-2), [attestations.digest, root.digest]);
    assert.ok(calls.includes(`BLOB ${statement.digest}`));
  });
});
