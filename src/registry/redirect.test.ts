/**
 * Redirects: registries send blob downloads to storage hosts. Authorization must follow a
 * redirect on the same origin and never go to another one. The real registry (htpasswd) sits
 * behind the fault proxy, which answers a blob request with a 307; the other origin is a small
 * recording server on loopback (what the real registry with filesystem storage cannot do).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../../test/support/fault-proxy.js';
import { buildTestImage, writeOciLayout, type BuiltImage } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { skopeoCopyToRegistry } from '../../test/support/skopeo.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/manifest.js';
import { RegistryClient } from './client.js';

const USER = { username: 'ci', password: 'redirect-secret' };

describe('redirects and Authorization', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let storage: Server;
  let storageUrl: string;
  const seen: IncomingHttpHeaders[] = [];
  let img: BuiltImage;
  let config: Descriptor;

  before(async () => {
    reg = await startRegistry({ auth: { kind: 'htpasswd', users: { [USER.username]: USER.password } } });
    img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' } }], { format: 'oci' });
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-redirect-'));
    try {
      await writeOciLayout(dir, img, 't');
      await skopeoCopyToRegistry(dir, 't', reg, 'r/app:1', USER);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const index = JSON.parse(Buffer.from(img.root.bytes).toString()) as ImageIndex;
    const m = JSON.parse(Buffer.from(img.blobs.get((index.manifests[0] as Descriptor).digest) as Uint8Array).toString()) as ImageManifest;
    config = m.config;
    storage = createServer((req, res) => {
      seen.push(req.headers);
      const digest = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      const body = img.blobs.get(digest);
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
    storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    proxy = await startFaultProxy(reg.url);
  });
  after(async () => {
    await proxy?.stop();
    await new Promise((r) => storage?.close(r));
    await reg?.stop();
  });

  test('a redirect to another origin gets no Authorization, and the content is still verified', async () => {
    const client = new RegistryClient({ credentials: async () => USER });
    const repo = { registry: proxy.host, repository: 'r/app' };
    await client.getManifest(repo, '1'); // learns Basic auth
    proxy.setRules([{ match: { method: 'GET', path: /\/blobs\// }, faults: [{ kind: 'status', status: 307, headers: { location: `${storageUrl}/storage/${config.digest}` } }] }]);
    seen.length = 0;
    const bytes = await client.getBlob(repo, config, 1 << 20);
    assert.equal(bytes.length, config.size);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.authorization, undefined);
    assert.equal(seen[0]?.['accept-encoding'], 'identity', 'no transparent decompression: digests are of the bytes sent');
  });

  test('an upload Location on another origin gets no Authorization either', async () => {
    const client = new RegistryClient({ credentials: async () => USER });
    const repo = { registry: proxy.host, repository: 'r/upload' };
    proxy.setRules([{ match: { method: 'POST', path: /\/blobs\/uploads\// }, faults: [{ kind: 'status', status: 202, headers: { location: `${storageUrl}/elsewhere/upload` } }] }]);
    seen.length = 0;
    const bytes = new TextEncoder().encode('a blob for elsewhere');
    const { digestOf } = await import('../oci/digest.js');
    await assert.rejects(client.pushBlob(repo, { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length }, bytes));
    assert.ok(seen.length >= 1, 'the PUT went to the other origin');
    assert.ok(seen.every((h) => h.authorization === undefined));
  });

  test('a redirect on the same origin keeps Authorization', async () => {
    const client = new RegistryClient({ credentials: async () => USER });
    const repo = { registry: proxy.host, repository: 'r/app' };
    await client.getManifest(repo, '1');
    proxy.setRules([{ match: { method: 'GET', path: /\/blobs\// }, faults: [{ kind: 'status', status: 307, headers: { location: `/v2/r/app/blobs/${config.digest}` } }] }]);
    proxy.log.length = 0;
    const bytes = await client.getBlob(repo, config, 1 << 20);
    assert.equal(bytes.length, config.size);
    assert.deepEqual(proxy.log.map((l) => l.status), [307, 200]);
  });
});

describe('transport choice', () => {
  test('HTTPS by default; plain HTTP only for loopback and named insecure registries', () => {
    const c = new RegistryClient({ insecureRegistries: ['registry.lan:5000'], credentials: async () => undefined });
    assert.equal(c.baseUrl('registry.example.com'), 'https://registry.example.com');
    assert.equal(c.baseUrl('docker.io'), 'https://registry-1.docker.io');
    assert.equal(c.baseUrl('registry.lan:5000'), 'http://registry.lan:5000');
    assert.equal(c.baseUrl('registry.lan:5001'), 'https://registry.lan:5001');
    assert.equal(c.baseUrl('localhost:5000'), 'http://localhost:5000');
    assert.equal(c.baseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(c.baseUrl('[::1]:5000'), 'http://[::1]:5000');
  });
});
