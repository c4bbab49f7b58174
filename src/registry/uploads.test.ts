/**
 * Streamed uploads against the real registry, directly and through the fault proxy: content from
 * an opener, read once per attempt; content that does not match its descriptor never committed;
 * a lost chunk resumed by re-opening and skipping; pushImage opening only what the registry lacks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { before, beforeEach, describe, test } from 'node:test';
import type { FaultProxy } from '../../test/support/fault-proxy.js';
import { generatedBlob, generatedBlobDigest } from '../../test/support/generated-blob.js';
import { buildTestImage, busyboxLikeFiles, builtImageSource } from '../../test/support/images.js';
import { proxiedRegistry } from '../../test/support/proxied-registry.js';
import type { TestRegistry } from '../../test/support/registry.js';
import { isAnyarchError } from '../errors.js';
import { DigestVerifier, digestOf } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import type { ImageSource } from '../oci/source.js';
import { RegistryClient, type BlobOpener, type ClientEvent } from './client.js';
import { pushImage } from './push.js';

const SIZE = 3 * 1024 * 1024 + 12_345;
const RETRY = { attempts: 4, baseMs: 5, maxMs: 20, maxRetryAfterMs: 2000 };

/** An opener of generated content that counts how often it was opened. */
function opener(size = SIZE, seed = 1): { open: BlobOpener; opened: () => number } {
  let n = 0;
  return { open: async () => (n++, generatedBlob(size, seed)), opened: () => n };
}

describe('streamed uploads to docker-registry', () => {
  const env = proxiedRegistry();
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let desc: Descriptor;
  let direct: RegistryClient;
  let viaProxy: RegistryClient;
  before(async () => {
    desc = { mediaType: 'application/octet-stream', digest: await generatedBlobDigest(SIZE), size: SIZE };
  });
  beforeEach(() => {
    reg = env.registry;
    proxy = env.proxy;
    direct = new RegistryClient({ credentials: async () => undefined });
    viaProxy = new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs: 5000 });
  });

  for (const chunkSize of [0, 1024 * 1024]) {
    const how = chunkSize ? 'chunked' : 'monolithic';
    test(`${how}: the content is opened once, uploaded, and reads back with its digest`, async () => {
      const repo = { registry: reg.host, repository: `streams/${how}` };
      const o = opener();
      assert.equal(await direct.pushBlob(repo, desc, o.open, chunkSize ? { chunkSize } : {}), 'uploaded');
      assert.equal(o.opened(), 1);
      assert.equal(digestOf(await direct.getBlob(repo, desc, SIZE)), desc.digest);
      assert.equal(await direct.pushBlob(repo, desc, o.open), 'exists');
      assert.equal(o.opened(), 1, 'a blob the registry has is never opened');
    });

    test(`${how}: content other than its descriptor says is E_DIGEST and never committed`, async () => {
      const repo = { registry: proxy.host, repository: `streams/bad-${how}` };
      const cases: [string, BlobOpener][] = [
        ['other bytes of the same size', opener(SIZE, 2).open],
        ['one byte short', opener(SIZE - 1).open],
        ['one byte more', opener(SIZE + 1).open],
      ];
      for (const [what, open] of cases) {
        proxy.log.length = 0;
        await assert.rejects(viaProxy.pushBlob(repo, desc, open, chunkSize ? { chunkSize } : {}), (e) => isAnyarchError(e) && e.code === 'E_DIGEST', what);
        assert.equal(await direct.hasBlob(repo, desc.digest), false, what);
        // no PUT ever completed (a chunked upload never sends its closing PUT)
        assert.ok(!proxy.log.some((l) => l.method === 'PUT' && l.status === 201), `${what}: ${JSON.stringify(proxy.log.map((l) => [l.method, l.status]))}`);
        // the session is cancelled (after an aborted monolithic PUT distribution may have dropped it already)
        const cancelled = proxy.log.find((l) => l.method === 'DELETE');
        assert.ok(cancelled && (cancelled.status === 204 || (!chunkSize && cancelled.status === 404)), `${what}: ${JSON.stringify(cancelled)}`);
      }
    });
  }

  test('monolithic PUT reset on the way: retried with the content opened again', async () => {
    const repo = { registry: proxy.host, repository: 'streams/put-reset' };
    proxy.setRules([{ match: { method: 'PUT', path: /blobs\/uploads/ }, faults: [{ kind: 'reset' }] }]);
    const o = opener();
    assert.equal(await viaProxy.pushBlob(repo, desc, o.open), 'uploaded');
    assert.equal(o.opened(), 2);
    assert.equal(await direct.hasBlob(repo, desc.digest), true);
  });

  test('a chunk lost on the way: the upload resumes at the registry\'s offset, the content re-opened and skipped to it', async () => {
    const repo = { registry: proxy.host, repository: 'streams/patch-reset' };
    // the first chunk passes, the second is reset
    proxy.setRules([{ match: { method: 'PATCH', path: /uploads/ }, faults: [{ kind: 'delay', ms: 1 }, { kind: 'reset' }] }]);
    const o = opener();
    assert.equal(await viaProxy.pushBlob(repo, desc, o.open, { chunkSize: 1024 * 1024 }), 'uploaded');
    assert.equal(o.opened(), 2);
    assert.ok(proxy.log.some((l) => l.method === 'GET' && /uploads/.test(l.path)), 'asked the upload status');
    assert.equal(proxy.log.filter((l) => l.method === 'POST').length, 1, 'the same session');
    assert.equal(digestOf(await direct.getBlob(repo, desc, SIZE)), desc.digest);
  });

  test('a chunk answered 429 with Retry-After: 1: waits what the registry asks, then resumes the same session', async () => {
    const repo = { registry: proxy.host, repository: 'streams/patch-429' };
    const events: ClientEvent[] = [];
    const client = new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs: 5000, onEvent: (e) => events.push(e) });
    // the first chunk passes, the second is refused for now
    proxy.setRules([{ match: { method: 'PATCH', path: /uploads/ }, faults: [{ kind: 'delay', ms: 1 }, { kind: 'status', status: 429, headers: { 'retry-after': '1' } }] }]);
    const o = opener();
    const t0 = Date.now();
    assert.equal(await client.pushBlob(repo, desc, o.open, { chunkSize: 1024 * 1024 }), 'uploaded');
    assert.ok(Date.now() - t0 >= 950, `${Date.now() - t0} ms`);
    const retries = events.filter((e) => e.type === 'retry');
    assert.deepEqual(retries.map((e) => e.type === 'retry' && [e.waitMs, e.reason]), [[1000, 'HTTP 429']]);
    const patches = proxy.log.filter((l) => l.method === 'PATCH');
    const refused = patches.findIndex((l) => l.status === 429);
    assert.equal(refused, 1);
    assert.ok((patches[refused + 1]?.at ?? 0) - (patches[refused]?.at ?? 0) >= 950, 'the next chunk waited a second');
    assert.ok(proxy.log.some((l) => l.method === 'GET' && /uploads/.test(l.path)), 'asked the upload status');
    assert.equal(proxy.log.filter((l) => l.method === 'POST').length, 1, 'the same session');
    assert.equal(digestOf(await direct.getBlob(repo, desc, SIZE)), desc.digest);
  });

  test('a chunk refused for good (400): one PATCH, no retry', async () => {
    const repo = { registry: proxy.host, repository: 'streams/patch-400' };
    proxy.setRules([{ match: { method: 'PATCH', path: /uploads/ }, faults: Array(5).fill({ kind: 'status', status: 400, body: JSON.stringify({ errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'no' }] }) }) }]);
    await assert.rejects(viaProxy.pushBlob(repo, desc, opener().open, { chunkSize: 1024 * 1024 }), (e) => isAnyarchError(e) && e.code === 'E_REGISTRY' && /BLOB_UPLOAD_INVALID/.test(e.message));
    assert.equal(proxy.log.filter((l) => l.method === 'PATCH').length, 1);
  });

  test('a source stream that fails: its error, not a network one; nothing committed', async () => {
    const repo = { registry: reg.host, repository: 'streams/failing-source' };
    const open: BlobOpener = async () =>
      Readable.from(
        (async function* () {
          yield Buffer.alloc(1000);
          throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        })(),
      );
    await assert.rejects(direct.pushBlob(repo, desc, open), (e) => isAnyarchError(e) && e.code === 'E_SOURCE' && /reading the content failed \(EIO: i\/o error, read\)/.test(e.message));
    await assert.rejects(direct.pushBlob(repo, desc, open, { chunkSize: 4096 }), (e) => isAnyarchError(e) && e.code === 'E_SOURCE');
    assert.equal(await direct.hasBlob(repo, desc.digest), false);
  });

  test('an opener that cannot open: E_SOURCE naming the blob, on both paths; nothing committed', async () => {
    const repo = { registry: reg.host, repository: 'streams/unopenable' };
    const open: BlobOpener = async () => {
      throw Object.assign(new Error("ENOENT: no such file or directory, open '/nowhere/layer.tar'"), { code: 'ENOENT' });
    };
    for (const opts of [{}, { chunkSize: 4096 }]) {
      await assert.rejects(
        direct.pushBlob(repo, desc, open, opts),
        (e) => isAnyarchError(e) && e.code === 'E_SOURCE' && e.message === `upload of ${desc.digest} to ${repo.registry}/${repo.repository}: opening the content failed (ENOENT: no such file or directory, open '/nowhere/layer.tar')`,
        JSON.stringify(opts),
      );
    }
    assert.equal(await direct.hasBlob(repo, desc.digest), false);
  });

  test('content that comes through a verifier of its own digest and size is hashed once; any other content once too', async () => {
    // every byte hashed in this process, whoever hashes it
    const hashed = { bytes: 0 };
    const proto = Object.getPrototypeOf(createHash('sha256')) as { update: (data: Uint8Array, ...rest: unknown[]) => unknown };
    const original = proto.update;
    proto.update = function (this: unknown, data: Uint8Array, ...rest: unknown[]) {
      hashed.bytes += data.length;
      return original.call(this, data, ...rest);
    };
    const verified = (d: Descriptor, seed = 1): BlobOpener => async () => generatedBlob(SIZE, seed).pipe(new DigestVerifier(d.digest, 'the source', d.size));
    try {
      const cases: [string, BlobOpener, number][] = [
        ['a verifying stream (what a source gives)', verified(desc), SIZE],
        ['a plain stream', opener().open, SIZE],
        ['a verifier of another size: not trusted', async () => generatedBlob(SIZE).pipe(new DigestVerifier(desc.digest, 'the source')), 2 * SIZE],
      ];
      for (const [i, [what, open, expected]] of cases.entries()) {
        for (const chunkSize of [0, 1024 * 1024]) {
          hashed.bytes = 0;
          const repo = { registry: reg.host, repository: `streams/hashed-${i}-${chunkSize}` };
          assert.equal(await direct.pushBlob(repo, desc, open, chunkSize ? { chunkSize } : {}), 'uploaded', what);
          assert.equal(hashed.bytes, expected, `${what}, ${chunkSize ? 'chunked' : 'monolithic'}`);
        }
      }
      // the source's verifier still decides: altered content is E_DIGEST and never committed
      for (const chunkSize of [0, 1024 * 1024]) {
        const repo = { registry: reg.host, repository: `streams/hashed-altered-${chunkSize}` };
        await assert.rejects(direct.pushBlob(repo, desc, verified(desc, 2), chunkSize ? { chunkSize } : {}), (e) => isAnyarchError(e) && e.code === 'E_DIGEST' && /^the source: content digest/.test(e.message) && /nothing was committed/.test(e.hint ?? ''));
        assert.equal(await direct.hasBlob(repo, desc.digest), false);
      }
    } finally {
      proto.update = original;
    }
  });

  test('pushImage opens each blob the registry lacks once, and none it has', async () => {
    const img = buildTestImage(
      [
        { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
        { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
      ],
      { format: 'oci' },
    );
    const opened: string[] = [];
    const inner = builtImageSource(img);
    const counted: ImageSource = { ...inner, blobStream: (d) => (opened.push(d.digest), inner.blobStream(d)), blob: () => assert.fail('pushImage reads no blob whole') };
    const repo = { registry: reg.host, repository: 'streams/image' };
    const first = await pushImage(direct, repo, counted, { tag: 'v1' });
    assert.equal(first.stats.blobs.uploaded, opened.length);
    assert.equal(new Set(opened).size, opened.length);
    opened.length = 0;
    const again = await pushImage(direct, repo, counted, { tag: 'v1' });
    assert.deepEqual(opened, []);
    assert.equal(again.stats.blobs.exists, first.stats.blobs.uploaded);
    assert.equal(again.digest, img.root.digest);
  });
});
