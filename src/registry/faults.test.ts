/**
 * Faults between anyarch and the real registry: a fault-injecting proxy in front of
 * docker-registry drops connections, answers 500/503/429 (with Retry-After), truncates and
 * alters bodies. Retries must cure what is transient, stay bounded, and never let altered bytes
 * through.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { before, beforeEach, describe, test } from 'node:test';
import type { FaultProxy } from '../../test/support/fault-proxy.js';
import { buildTestImage, busyboxLikeFiles, writeOciLayout, type BuiltImage } from '../../test/support/images.js';
import { proxiedRegistry } from '../../test/support/proxied-registry.js';
import type { TestRegistry } from '../../test/support/registry.js';
import { isAnyarchError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/manifest.js';
import { skopeoCopyToRegistry } from '../../test/support/skopeo.js';
import { RegistryClient, type ClientEvent, type RepositoryRef } from './client.js';

const RETRY = { attempts: 4, baseMs: 5, maxMs: 20, maxRetryAfterMs: 2000 };

describe('registry client through a fault-injecting proxy', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let repo: RepositoryRef;
  let img: BuiltImage;
  let child: Descriptor;
  let layer: Descriptor;
  let events: ClientEvent[];
  let client: RegistryClient;

  const env = proxiedRegistry();

  before(async () => {
    reg = env.registry;
    proxy = env.proxy;
    img = buildTestImage(
      [
        { platform: { os: 'linux', architecture: 'amd64' }, files: { ...busyboxLikeFiles('amd64'), 'big.bin': new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff) } },
        { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
      ],
      { format: 'oci' },
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-faults-'));
    try {
      await writeOciLayout(dir, img, 't');
      await skopeoCopyToRegistry(dir, 't', reg, 'f/app:1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    repo = { registry: proxy.host, repository: 'f/app' };
    const index = JSON.parse(Buffer.from(img.root.bytes).toString('utf8')) as ImageIndex;
    child = index.manifests[0] as Descriptor;
    const m = JSON.parse(Buffer.from(img.blobs.get(child.digest) as Uint8Array).toString('utf8')) as ImageManifest;
    layer = m.layers[0] as Descriptor;
  });
  beforeEach(() => {
    events = [];
    client = new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs: 2000, onEvent: (e) => events.push(e) });
  });

  const manifestPath = /\/v2\/f\/app\/manifests\//;
  const blobPath = /\/v2\/f\/app\/blobs\/sha256:/;
  const retries = (): ClientEvent[] => events.filter((e) => e.type === 'retry');

  test('500 then success: one retry', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'status', status: 500 }] }]);
    const got = await client.getManifest(repo, '1');
    assert.equal(got.descriptor.digest, img.root.digest);
    assert.equal(proxy.log.length, 2);
    assert.equal(retries().length, 1);
  });

  test('503 on every try: bounded, E_REGISTRY after exactly `attempts` requests', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: Array(10).fill({ kind: 'status', status: 503 }) }]);
    await assert.rejects(client.getManifest(repo, '1'), (e) => isAnyarchError(e) && e.code === 'E_REGISTRY' && /HTTP 503/.test(e.message));
    assert.equal(proxy.log.length, RETRY.attempts);
  });

  test('429 with Retry-After: waits what the registry asks', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'status', status: 429, headers: { 'retry-after': '1' } }] }]);
    const t0 = Date.now();
    await client.getManifest(repo, '1');
    assert.ok(Date.now() - t0 >= 950);
    assert.deepEqual(retries().map((e) => e.type === 'retry' && e.waitMs), [1000]);
  });

  test('429 with a Retry-After beyond the ceiling: gives up at once and says when', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'status', status: 429, headers: { 'retry-after': '3600' } }] }]);
    await assert.rejects(client.getManifest(repo, '1'), (e) => isAnyarchError(e) && e.code === 'E_REGISTRY' && /wait 3600 s/.test(e.message));
    assert.equal(proxy.log.length, 1);
  });

  test('connection reset: retried', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'reset' }, { kind: 'reset' }] }]);
    const got = await client.getManifest(repo, child.digest, child);
    assert.equal(got.descriptor.digest, child.digest);
    assert.equal(retries().length, 2);
  });

  test('truncated body: retried; truncated every time: E_NETWORK, bounded', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'truncate', afterBytes: 10 }] }]);
    assert.equal((await client.getManifest(repo, '1')).descriptor.digest, img.root.digest);
    proxy.setRules([{ match: { path: manifestPath }, faults: Array(10).fill({ kind: 'truncate', afterBytes: 10 }) }]);
    proxy.log.length = 0;
    await assert.rejects(client.getManifest(repo, '1'), (e) => isAnyarchError(e) && e.code === 'E_NETWORK');
    assert.equal(proxy.log.length, RETRY.attempts);
  });

  test('altered manifest bytes are never accepted: retried, and E_DIGEST when it persists', async () => {
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'corrupt' }] }]);
    assert.equal((await client.getManifest(repo, child.digest, child)).descriptor.digest, child.digest);
    assert.match(JSON.stringify(retries()), /does not match/);
    proxy.setRules([{ match: { path: manifestPath }, faults: Array(10).fill({ kind: 'corrupt' }) }]);
    await assert.rejects(client.getManifest(repo, child.digest, child), (e) => isAnyarchError(e) && e.code === 'E_DIGEST');
    // by tag: the registry's Docker-Content-Digest is the reference
    await assert.rejects(client.getManifest(repo, '1'), (e) => isAnyarchError(e) && (e.code === 'E_DIGEST' || e.code === 'E_MANIFEST'));
  });

  test('an altered layer stream fails with E_DIGEST at its end', async () => {
    proxy.setRules([{ match: { path: blobPath }, faults: [{ kind: 'corrupt', atByte: 1000 }] }]);
    const stream = await client.blobStream(repo, layer);
    await assert.rejects(buffer(stream), (e) => isAnyarchError(e) && e.code === 'E_DIGEST');
  });

  test('a truncated layer stream fails (never a short, silent success)', async () => {
    proxy.setRules([{ match: { path: blobPath }, faults: [{ kind: 'truncate', afterBytes: 1000 }] }]);
    const stream = await client.blobStream(repo, layer);
    await assert.rejects(buffer(stream), (e) => isAnyarchError(e) && (e.code === 'E_NETWORK' || e.code === 'E_DIGEST'));
    proxy.setRules([]);
    const ok = await buffer(await client.blobStream(repo, layer));
    assert.equal(digestOf(ok), layer.digest);
  });

  test('a registry slower than the timeout: the request ends at its deadline, which covers every try', async () => {
    const slow = new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs: 500, onEvent: (e) => events.push(e) });
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'delay', ms: 2000 }] }]);
    await assert.rejects(slow.getManifest(repo, '1'), (e) => isAnyarchError(e) && e.code === 'E_NETWORK' && e.message === `manifest ${proxy.host}/f/app:1: no complete answer from ${proxy.host} within 0.5 s`);
    assert.deepEqual(retries(), []);
    assert.equal(proxy.log.length, 1);
  });

  test('a slow answer and a reset inside the deadline: retried, and read', async () => {
    const patient = new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs: 10_000, onEvent: (e) => events.push(e) });
    proxy.setRules([{ match: { path: manifestPath }, faults: [{ kind: 'reset' }, { kind: 'delay', ms: 300 }] }]);
    assert.equal((await patient.getManifest(repo, '1')).descriptor.digest, img.root.digest);
    assert.equal(retries().length, 1);
  });

  test('chunked upload whose first chunk is reset starts a new session (Range 0-0 is ambiguous)', async () => {
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff);
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length };
    const target = { registry: proxy.host, repository: 'f/upload-first' };
    proxy.setRules([{ match: { method: 'PATCH', path: /uploads/ }, faults: [{ kind: 'reset' }] }]);
    assert.equal(await client.pushBlob(target, desc, bytes, { chunkSize: 64 * 1024 }), 'uploaded');
    assert.equal(proxy.log.filter((l) => l.method === 'POST').length, 2, 'a second upload session');
    assert.equal(digestOf(await client.getBlob(target, desc, 1 << 20)), desc.digest);
  });

  test('chunked upload survives a reset chunk by resuming from the registry\'s Range', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length };
    const target = { registry: proxy.host, repository: 'f/upload' };
    // the first chunk passes (after a short delay), the second is reset
    proxy.setRules([{ match: { method: 'PATCH', path: /uploads/ }, faults: [{ kind: 'delay', ms: 1 }, { kind: 'reset' }] }]);
    const how = await client.pushBlob(target, desc, bytes, { chunkSize: 64 * 1024 });
    assert.equal(how, 'uploaded');
    const patches = proxy.log.filter((l) => l.method === 'PATCH').length;
    assert.ok(patches >= 6, `PATCH requests: ${patches}`);
    assert.ok(proxy.log.some((l) => l.method === 'GET' && /uploads/.test(l.path)), 'asked the upload status');
    const back = await client.getBlob(target, desc, 1024 * 1024);
    assert.equal(digestOf(back), desc.digest);
  });
});
