/**
 * The registry client against the real registry (Debian's docker-registry, distribution 2.8)
 * on loopback: images are pushed by skopeo, a second, independent client, and read back by ours.
 * Plain, htpasswd (Basic) and token (Bearer, with the test token service) registries.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildTestImage, busyboxLikeFiles, writeOciLayout, type BuiltImage } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { skopeoCopyToRegistry, skopeoInspectRaw } from '../../test/support/skopeo.js';
import { isAnyarchError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import { MAX_CONFIG_BYTES, parseConfig, type Descriptor } from '../oci/manifest.js';
import { parseChallenges } from './auth.js';
import { RegistryClient, type ClientEvent } from './client.js';
import type { Credential } from './credentials.js';

const USERS = { alice: 'correct horse battery staple', bob: 's3cr3t:with:colons' };

function image(): BuiltImage {
  return buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
      { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
      { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, files: busyboxLikeFiles('arm') },
    ],
    { format: 'oci', attestations: true },
  );
}

async function push(reg: TestRegistry, img: BuiltImage, repoAndTag: string, creds?: { username: string; password: string }): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-layout-'));
  try {
    await writeOciLayout(dir, img, 't');
    await skopeoCopyToRegistry(dir, 't', reg, repoAndTag, creds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const noCreds = async (): Promise<Credential | undefined> => undefined;

function assertCode(e: unknown, code: string, pattern?: RegExp): true {
  assert.ok(isAnyarchError(e), `expected an AnyarchError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
}

// (Retry-After and backoff are tested with their code, in src/net/retry.test.ts)
describe('WWW-Authenticate', () => {
  test('parses Bearer challenges with quoted commas and several challenges', () => {
    const c = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x"');
    assert.deepEqual(c, [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm="basic-realm"'), [{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
    assert.deepEqual(parseChallenges(''), []);
  });
});

describe('registry client against docker-registry (no auth)', () => {
  let reg: TestRegistry;
  const img = image();
  const client = new RegistryClient({ credentials: noCreds });
  before(async () => {
    reg = await startRegistry();
    await push(reg, img, 'team/app:1.0');
  });
  after(async () => reg?.stop());

  test('reads the index by tag byte for byte as skopeo does, and its digest', async () => {
    const repo = { registry: reg.host, repository: 'team/app' };
    const got = await client.getManifest(repo, '1.0');
    const raw = await skopeoInspectRaw('team/app:1.0', reg);
    assert.deepEqual(Buffer.from(got.bytes), raw);
    assert.equal(got.descriptor.digest, img.root.digest);
    assert.equal(got.descriptor.digest, digestOf(raw));
    assert.equal(got.manifest.kind, 'index');
  });

  test('reads children by digest, configs and layers, all verified', async () => {
    const repo = { registry: reg.host, repository: 'team/app' };
    const root = await client.getManifest(repo, img.root.digest);
    assert.equal(root.manifest.kind, 'index');
    if (root.manifest.kind !== 'index') return;
    const arm = root.manifest.manifests.find((d) => d.platform?.architecture === 'arm');
    assert.ok(arm);
    const m = await client.getManifest(repo, arm.digest, arm);
    assert.equal(m.manifest.kind, 'manifest');
    if (m.manifest.kind !== 'manifest') return;
    const config = parseConfig(await client.getBlob(repo, m.manifest.config, MAX_CONFIG_BYTES), 'config');
    assert.equal(config.architecture, 'arm');
    assert.equal(config.variant, 'v7');
    const layer = m.manifest.layers[0];
    assert.ok(layer);
    const chunks: Buffer[] = [];
    for await (const c of await client.blobStream(repo, layer)) chunks.push(c as Buffer);
    const tar = gunzipSync(Buffer.concat(chunks));
    assert.equal(digestOf(tar), config.rootfs?.diff_ids[0]);
  });

  test('HEAD gives the descriptor; a missing manifest is undefined', async () => {
    const repo = { registry: reg.host, repository: 'team/app' };
    const d = await client.headManifest(repo, '1.0');
    assert.equal(d?.digest, img.root.digest);
    assert.equal(d?.size, img.root.size);
    assert.equal(await client.headManifest(repo, 'nope'), undefined);
  });

  test('not found is E_NOT_FOUND naming the image and the registry code', async () => {
    await assert.rejects(client.getManifest({ registry: reg.host, repository: 'team/app' }, 'missing'), (e) => assertCode(e, 'E_NOT_FOUND', /team\/app:missing.*404 MANIFEST_UNKNOWN/));
    await assert.rejects(client.getManifest({ registry: reg.host, repository: 'team/none' }, 'x'), (e) => assertCode(e, 'E_NOT_FOUND', /404/));
  });

  test('asking for a digest the content does not have is an error, never an accept', async () => {
    const repo = { registry: reg.host, repository: 'team/app' };
    const desc = { mediaType: 'application/octet-stream', digest: digestOf('not this'), size: 8 } as const;
    await assert.rejects(client.getBlob(repo, desc, 1024), (e) => assertCode(e, 'E_NOT_FOUND'));
    // a real config blob declared with the wrong size
    const root = await client.getManifest(repo, '1.0');
    if (root.manifest.kind !== 'index') return assert.fail('index expected');
    const first = root.manifest.manifests[0];
    assert.ok(first);
    await assert.rejects(client.getManifest(repo, first.digest, { ...first, size: first.size + 1 }), (e) => assertCode(e, 'E_DIGEST', /declares/));
  });

  test('Range reads give exactly the bytes asked for (206)', async () => {
    const repo = { registry: reg.host, repository: 'team/app' };
    const index = JSON.parse(Buffer.from(img.root.bytes).toString()) as { manifests: Descriptor[] };
    const m = JSON.parse(Buffer.from(img.blobs.get((index.manifests[0] as Descriptor).digest) as Uint8Array).toString()) as { layers: Descriptor[] };
    const layer = m.layers[0] as Descriptor;
    const whole = img.blobs.get(layer.digest) as Uint8Array;
    assert.deepEqual(Buffer.from(await client.readBlobRange(repo, layer, 10, 99)), Buffer.from(whole.subarray(10, 100)));
    assert.deepEqual(Buffer.from(await client.readBlobRange(repo, layer, 0, 0)), Buffer.from(whole.subarray(0, 1)));
    await assert.rejects(client.readBlobRange(repo, layer, 5, layer.size), (e) => assertCode(e, 'E_USAGE'));
  });

  test('lists tags', async () => {
    await push(reg, img, 'team/app:1.1');
    const tags = await client.listTags({ registry: reg.host, repository: 'team/app' });
    assert.deepEqual([...tags].sort(), ['1.0', '1.1']);
  });
});

describe('registry client against docker-registry with htpasswd (Basic)', () => {
  let reg: TestRegistry;
  const img = image();
  before(async () => {
    reg = await startRegistry({ auth: { kind: 'htpasswd', users: USERS } });
    await push(reg, img, 'private/app:1', { username: 'bob', password: USERS.bob });
  });
  after(async () => reg?.stop());

  test('reads with the right credentials (a password with colons)', async () => {
    const client = new RegistryClient({ credentials: async () => ({ username: 'bob', password: USERS.bob }) });
    const got = await client.getManifest({ registry: reg.host, repository: 'private/app' }, '1');
    assert.equal(got.descriptor.digest, img.root.digest);
  });

  test('without credentials: E_AUTH that says to log in', async () => {
    const client = new RegistryClient({ credentials: noCreds });
    await assert.rejects(client.getManifest({ registry: reg.host, repository: 'private/app' }, '1'), (e) => assertCode(e, 'E_AUTH', /requires a login/));
  });

  test('a registry token that cannot go into a header: E_AUTH without it', async () => {
    const secret = 'tok\nen-with-a-newline';
    const client = new RegistryClient({ credentials: async () => ({ registryToken: secret }) });
    // the registry asks for Basic; a registry token is only sent as Bearer, so use a Bearer registry
    const tokenReg = await startRegistry({ auth: { kind: 'token', users: USERS } });
    try {
      await assert.rejects(client.getManifest({ registry: tokenReg.host, repository: 'private/app' }, '1'), (e) => {
        assertCode(e, 'E_AUTH', /characters an HTTP header cannot carry/);
        assert.ok(!(e as Error).message.includes('en-with'));
        return true;
      });
    } finally {
      await tokenReg.stop();
    }
  });

  test('wrong password: E_AUTH, and the password is in no message', async () => {
    const secret = 'wr0ng-p4ssw0rd-do-not-print';
    const client = new RegistryClient({ credentials: async () => ({ username: 'alice', password: secret }) });
    await assert.rejects(client.getManifest({ registry: reg.host, repository: 'private/app' }, '1'), (e) => {
      assertCode(e, 'E_AUTH', /refused the credentials/);
      const all = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`;
      assert.ok(!all.includes(secret));
      assert.ok(!all.includes(Buffer.from(`alice:${secret}`).toString('base64')));
      return true;
    });
  });
});

describe('registry client against docker-registry with token auth (Bearer)', () => {
  let reg: TestRegistry;
  const img = image();
  before(async () => {
    reg = await startRegistry({ auth: { kind: 'token', users: USERS, tokenTtlSeconds: 2 } });
    await push(reg, img, 'org/one:1', { username: 'alice', password: USERS.alice });
    await push(reg, img, 'org/two:1', { username: 'alice', password: USERS.alice });
  });
  after(async () => reg?.stop());

  test('gets a token per scope and reuses it', async () => {
    const events: ClientEvent[] = [];
    const client = new RegistryClient({ credentials: async () => ({ username: 'alice', password: USERS.alice }), onEvent: (e) => events.push(e) });
    const ts = reg.tokenServer;
    assert.ok(ts);
    const before = ts.requests.length;
    const repo = { registry: reg.host, repository: 'org/one' };
    const root = await client.getManifest(repo, '1');
    if (root.manifest.kind !== 'index') return assert.fail('index expected');
    for (const d of root.manifest.manifests) await client.getManifest(repo, d.digest, d);
    await client.getManifest({ registry: reg.host, repository: 'org/two' }, '1');
    const made = ts.requests.slice(before);
    assert.equal(made.length, 2, `token requests: ${JSON.stringify(made)}`);
    assert.deepEqual(made.map((r) => r.scope), [['repository:org/one:pull'], ['repository:org/two:pull']]);
    assert.ok(made.every((r) => r.user === 'alice'));
    assert.equal(events.filter((e) => e.type === 'token').length, 2);
  });

  test('an expired token is replaced', async () => {
    const client = new RegistryClient({ credentials: async () => ({ username: 'alice', password: USERS.alice }) });
    const ts = reg.tokenServer;
    assert.ok(ts);
    const repo = { registry: reg.host, repository: 'org/one' };
    await client.getManifest(repo, '1');
    const n = ts.requests.length;
    await new Promise((r) => setTimeout(r, 2200));
    await client.getManifest(repo, '1');
    assert.equal(ts.requests.length, n + 1);
  });

  test('anonymous: the token service grants nothing, E_AUTH', async () => {
    const client = new RegistryClient({ credentials: noCreds });
    await assert.rejects(client.getManifest({ registry: reg.host, repository: 'org/one' }, '1'), (e) => assertCode(e, 'E_AUTH', /anonymous/));
  });

  test('wrong password at the token service: E_AUTH without the secret', async () => {
    const secret = 'not-alices-password';
    const client = new RegistryClient({ credentials: async () => ({ username: 'alice', password: secret }) });
    await assert.rejects(client.getManifest({ registry: reg.host, repository: 'org/one' }, '1'), (e) => {
      assertCode(e, 'E_AUTH', /token service refused the credentials/);
      assert.ok(!(e as Error).message.includes(secret));
      return true;
    });
  });

  test('an identity token (from docker login) uses the refresh-token grant', async () => {
    const ts = reg.tokenServer;
    assert.ok(ts);
    const auth = `Basic ${Buffer.from(`alice:${USERS.alice}`).toString('base64')}`;
    const res = await fetch(`${ts.realm}?service=${encodeURIComponent(ts.service)}&offline_token=true&client_id=test`, { headers: { authorization: auth } });
    const refresh = ((await res.json()) as { refresh_token?: string }).refresh_token;
    assert.ok(refresh);
    const before = ts.requests.length;
    const client = new RegistryClient({ credentials: async () => ({ identityToken: refresh }) });
    const got = await client.getManifest({ registry: reg.host, repository: 'org/one' }, '1');
    assert.equal(got.descriptor.digest, img.root.digest);
    const made = ts.requests.slice(before);
    assert.deepEqual(made.map((r) => [r.method, r.grantType, r.user]), [['POST', 'refresh_token', 'alice']]);
  });

  test('layers stream through the token flow and verify', async () => {
    const client = new RegistryClient({ credentials: async () => ({ username: 'alice', password: USERS.alice }) });
    const repo = { registry: reg.host, repository: 'org/two' };
    const root = await client.getManifest(repo, '1');
    if (root.manifest.kind !== 'index') return assert.fail('index expected');
    const first = root.manifest.manifests[0];
    assert.ok(first);
    const m = await client.getManifest(repo, first.digest, first);
    if (m.manifest.kind !== 'manifest') return assert.fail('manifest expected');
    const cfg = await text(await client.blobStream(repo, m.manifest.config));
    assert.match(cfg, /"architecture"/);
  });
});

describe('tag list pagination (Link headers; distribution 2.8 ignores ?n=, so a small server plays the registry)', () => {
  test('follows rel="next" pages on the same origin, and refuses another host', async () => {
    const { createServer } = await import('node:http');
    const pages: Record<string, { tags: string[]; next?: string }> = {
      '': { tags: ['a', 'b'], next: '/v2/x/tags/list?n=2&last=b' },
      b: { tags: ['c', 'd'], next: '/v2/x/tags/list?n=2&last=d' },
      d: { tags: ['e'] },
      evil: { tags: ['z'], next: 'http://example.invalid/v2/x/tags/list' },
    };
    const server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const page = pages[u.searchParams.get('last') ?? (req.headers['x-evil'] ? 'evil' : '')] ?? pages[''];
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page?.next) headers.link = `<${page.next}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: 'x', tags: page?.tags }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    try {
      const client = new RegistryClient({ credentials: noCreds });
      assert.deepEqual(await client.listTags({ registry: host, repository: 'x' }, 2), ['a', 'b', 'c', 'd', 'e']);
      pages[''] = pages.evil as { tags: string[]; next?: string };
      await assert.rejects(client.listTags({ registry: host, repository: 'x' }, 2), (e) => assertCode(e, 'E_REGISTRY', /another host/));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
