// Proves the registry test harness against the real parts: distribution's registry (2.8), skopeo,
// htpasswd, openssl. Nothing here is skipped when a tool is missing: scripts/test-deps.sh installs them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildTestImage, OCI, writeOciLayout, type BuiltImage } from './images.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { skopeoBlobInfoCacheDir, skopeoCopyFromRegistry, skopeoCopyToRegistry, skopeoInspectConfig, skopeoInspectRaw } from './skopeo.js';
import { parseScope, startTokenServer, type TokenServer } from './token-server.js';

const ACCEPT = [OCI.index, OCI.manifest, 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
const USERS = { alice: 'alice-secret', bob: 'bob-secret' };

let workDir: string;
let layoutDir: string;
let image: BuiltImage;

before(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'anyarch-registry-test-'));
  layoutDir = path.join(workDir, 'layout');
  image = buildTestImage([
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  await writeOciLayout(layoutDir, image, 'v1');
});
after(() => rmSync(workDir, { recursive: true, force: true }));

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function getManifest(reg: TestRegistry, repo: string, ref: string, authorization?: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT, ...(authorization ? { authorization } : {}) } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function token(ts: TokenServer, scopes: string[], authorization?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const q = new URLSearchParams({ service: ts.service });
  for (const s of scopes) q.append('scope', s);
  const res = await fetch(`${ts.realm}?${q}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Parses `Bearer realm="..",service="..",scope=".."` (quoted values only; what distribution sends). */
function challenge(header: string | null): { scheme: string; params: Record<string, string> } {
  assert.ok(header, 'expected a WWW-Authenticate header');
  const m = /^(\w+)\s+(.*)$/.exec(header);
  assert.ok(m, header);
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)="([^"]*)"/g)) params[p[1]!] = p[2]!;
  return { scheme: m[1]!, params };
}

/** Push with skopeo, then read back: the index and every platform manifest byte-identical. */
async function pushAndVerify(reg: TestRegistry, repo: string, creds?: string): Promise<void> {
  await skopeoCopyToRegistry(layoutDir, 'v1', reg, `${repo}:v1`, creds);
  const raw = await skopeoInspectRaw(`${repo}:v1`, reg, creds);
  assert.ok(raw.equals(Buffer.from(image.root.bytes)), `index differs:\n${raw.toString('utf8')}`);
  for (const m of image.manifests) {
    const child = await skopeoInspectRaw(`${repo}@${m.digest}`, reg, creds);
    assert.ok(child.equals(Buffer.from(image.blobs.get(m.digest)!)), `manifest for ${m.platform} differs`);
  }
  const config = await skopeoInspectConfig(`${repo}:v1`, reg, creds, 'linux/arm64/v8');
  assert.equal(config.architecture, 'arm64');
  assert.equal(config.variant, 'v8');
}

describe('registry harness, no auth', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry();
  });
  after(() => reg.stop());

  test('listens on 127.0.0.1 only and answers GET /v2/ with 200', async () => {
    assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
    assert.equal(reg.url, `http://${reg.host}`);
    const config = JSON.parse(readFileSync(reg.configFile, 'utf8')) as { http: { addr: string; debug?: unknown } };
    assert.equal(config.http.addr, reg.host);
    assert.equal(config.http.debug, undefined);
    const res = await fetch(`${reg.url}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  });

  test('skopeo pushes a multi-platform OCI image that reads back byte-identical', async () => {
    await pushAndVerify(reg, 'library/multi');
    const got = await getManifest(reg, 'library/multi', 'v1');
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), OCI.index);
    assert.equal(got.headers.get('docker-content-digest'), image.root.digest);
    assert.ok(got.body.equals(Buffer.from(image.root.bytes)));
    assert.ok(existsSync(path.join(reg.dataDir, 'docker', 'registry', 'v2', 'repositories', 'library', 'multi')));
  });

  test("skopeo's blob info cache is the sandbox's, not the machine's shared one", async () => {
    // pushed by the test above; a shared cache would let other runs' pushes steer this one's mounts
    const files = readdirSync(skopeoBlobInfoCacheDir());
    assert.ok(files.some((f) => f.startsWith('blob-info-cache')), files.join(', '));
  });

  test('skopeo copies the image back out with the same blobs', async () => {
    const out = path.join(workDir, 'copied-back');
    await skopeoCopyFromRegistry(reg, 'library/multi:v1', out, 'back');
    for (const [digest, bytes] of image.blobs) {
      const file = path.join(out, 'blobs', 'sha256', digest.slice('sha256:'.length));
      const got = readFileSync(file);
      assert.equal(`sha256:${createHash('sha256').update(got).digest('hex')}`, digest);
      assert.equal(got.length, bytes.length);
    }
  });

  test('deleting a manifest works (delete is enabled)', async () => {
    await skopeoCopyToRegistry(layoutDir, 'v1', reg, 'scratch/deleteme:v1');
    const res = await fetch(`${reg.url}/v2/scratch/deleteme/manifests/${image.root.digest}`, { method: 'DELETE' });
    assert.equal(res.status, 202);
    assert.equal((await getManifest(reg, 'scratch/deleteme', image.root.digest)).status, 404);
  });
});

describe('registry harness, htpasswd auth', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ auth: { kind: 'htpasswd', users: USERS } });
  });
  after(() => reg.stop());

  test('GET /v2/ is 401 with a Basic challenge, 200 with the right password', async () => {
    const anon = await fetch(`${reg.url}/v2/`);
    assert.equal(anon.status, 401);
    const c = challenge(anon.headers.get('www-authenticate'));
    assert.equal(c.scheme, 'Basic');
    assert.ok(c.params.realm);
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('alice', USERS.alice) } })).status, 200);
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('alice', 'wrong') } })).status, 401);
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('mallory', 'x') } })).status, 401);
  });

  test('skopeo pushes and reads back with credentials, and is refused without', async () => {
    await pushAndVerify(reg, 'team/app', `alice:${USERS.alice}`);
    await assert.rejects(skopeoInspectRaw('team/app:v1', reg), /unauthorized|authentication required/i);
    await assert.rejects(skopeoInspectRaw('team/app:v1', reg, 'alice:wrong'), /unauthorized|authentication required/i);
    const got = await getManifest(reg, 'team/app', 'v1', basic('bob', USERS.bob));
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(Buffer.from(image.root.bytes)));
  });
});

describe('registry harness, token auth (ES256)', () => {
  let reg: TestRegistry;
  let ts: TokenServer;
  before(async () => {
    reg = await startRegistry({
      auth: {
        kind: 'token',
        users: USERS,
        // alice: everything; bob: pull only; anonymous: pull on public/*.
        acl: (user, repo, actions) => {
          if (user === 'alice') return actions;
          if (user === 'bob') return actions.filter((a) => a === 'pull');
          return repo.startsWith('public/') ? actions.filter((a) => a === 'pull') : [];
        },
      },
    });
    ts = reg.tokenServer!;
  });
  after(() => reg.stop());

  test('challenges: GET /v2/ names realm and service; a manifest GET adds the scope', async () => {
    const root = await fetch(`${reg.url}/v2/`);
    assert.equal(root.status, 401);
    assert.deepEqual(challenge(root.headers.get('www-authenticate')), { scheme: 'Bearer', params: { realm: ts.realm, service: ts.service } });
    const m = await getManifest(reg, 'team/app', 'v1');
    assert.equal(m.status, 401);
    assert.deepEqual(challenge(m.headers.get('www-authenticate')), {
      scheme: 'Bearer',
      params: { realm: ts.realm, service: ts.service, scope: 'repository:team/app:pull' },
    });
  });

  test('skopeo pushes and reads back through the token server', async () => {
    const before = ts.requests.length;
    await pushAndVerify(reg, 'team/app', `alice:${USERS.alice}`);
    const mine = ts.requests.slice(before);
    assert.ok(mine.length > 0);
    for (const r of mine) {
      assert.equal(r.status, 200);
      assert.equal(r.user, 'alice');
      assert.equal(r.service, ts.service);
    }
    assert.ok(mine.some((r) => r.scope.includes('repository:team/app:pull,push')), JSON.stringify(mine.map((r) => r.scope)));
    assert.ok(mine.every((r) => r.granted.every((g) => g.type === 'repository' && g.name === 'team/app')));
  });

  test('a token from the token server opens the manifest; the JWT has the shape 2.8 checks', async () => {
    const t = await token(ts, ['repository:team/app:pull'], basic('alice', USERS.alice));
    assert.equal(t.status, 200);
    assert.equal(t.body.token, t.body.access_token);
    assert.equal(t.body.expires_in, ts.ttlSeconds);
    assert.equal(typeof t.body.issued_at, 'string');
    const jwt = t.body.token as string;
    const { header, claims } = ts.decode(jwt);
    assert.equal(header.typ, 'JWT');
    assert.equal(header.alg, 'ES256');
    assert.ok(Array.isArray(header.x5c) && header.x5c.length === 1);
    assert.equal(Buffer.from(jwt.split('.')[2]!, 'base64url').length, 64, 'ES256 signature is raw r||s');
    assert.equal(claims.iss, ts.issuer);
    assert.equal(claims.aud, ts.service);
    assert.equal(claims.sub, 'alice');
    assert.equal((claims.exp as number) - (claims.iat as number), ts.ttlSeconds);
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);

    const got = await getManifest(reg, 'team/app', 'v1', `Bearer ${jwt}`);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(Buffer.from(image.root.bytes)));
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: `Bearer ${jwt}` } })).status, 200);
  });

  test('a token for one repository does not open another', async () => {
    await skopeoCopyToRegistry(layoutDir, 'v1', reg, 'team/other:v1', `alice:${USERS.alice}`);
    const t = await token(ts, ['repository:team/app:pull'], basic('alice', USERS.alice));
    const got = await getManifest(reg, 'team/other', 'v1', `Bearer ${t.body.token as string}`);
    assert.equal(got.status, 401);
    const c = challenge(got.headers.get('www-authenticate'));
    assert.equal(c.params.scope, 'repository:team/other:pull');
    assert.equal(c.params.error, 'insufficient_scope');
  });

  test('the token server refuses a wrong password and grants per the acl', async () => {
    const wrong = await token(ts, ['repository:team/app:pull'], basic('alice', 'nope'));
    assert.equal(wrong.status, 401);
    assert.equal(ts.requests.at(-1)!.status, 401);
    assert.equal(ts.requests.at(-1)!.claimedUser, 'alice');
    assert.equal(ts.requests.at(-1)!.user, undefined);
    assert.equal((await token(ts, ['repository:team/app:pull'], basic('nobody', 'x'))).status, 401);

    // bob asks for pull and push, gets pull: reading works, pushing is refused by the registry.
    const bob = await token(ts, ['repository:team/app:pull,push'], basic('bob', USERS.bob));
    assert.equal(bob.status, 200);
    assert.deepEqual(ts.decode(bob.body.token as string).claims.access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    assert.equal((await getManifest(reg, 'team/app', 'v1', `Bearer ${bob.body.token as string}`)).status, 200);
    await assert.rejects(skopeoCopyToRegistry(layoutDir, 'v1', reg, 'team/app:bob', `bob:${USERS.bob}`), /denied|unauthorized|authentication required|insufficient/i);

    // anonymous: a token with no access for private repositories, pull for public/*.
    const anon = await token(ts, ['repository:team/app:pull']);
    assert.equal(anon.status, 200);
    assert.deepEqual(ts.decode(anon.body.token as string).claims.access, []);
    assert.equal((await getManifest(reg, 'team/app', 'v1', `Bearer ${anon.body.token as string}`)).status, 401);
    await skopeoCopyToRegistry(layoutDir, 'v1', reg, 'public/app:v1', `alice:${USERS.alice}`);
    const before = ts.requests.length;
    const raw = await skopeoInspectRaw('public/app:v1', reg);
    assert.ok(raw.equals(Buffer.from(image.root.bytes)));
    assert.ok(ts.requests.slice(before).every((r) => r.user === undefined && r.status === 200));
  });

  test('the registry enforces exp (with 60 s leeway), iss, aud and the signature', async () => {
    const access = [{ type: 'repository', name: 'team/app', actions: ['pull'] }];
    const status = async (jwt: string): Promise<number> => (await getManifest(reg, 'team/app', 'v1', `Bearer ${jwt}`)).status;
    const now = Math.floor(Date.now() / 1000);
    // distribution 2.8 allows 60 s of clock skew on exp and nbf, so a 1 s token is still good a
    // few seconds later; one that expired over a minute ago is refused.
    assert.equal(await status(ts.mint({ access, issuedAt: now - 40, ttlSeconds: 1 })), 200);
    assert.equal(await status(ts.mint({ access, issuedAt: now - 400, ttlSeconds: 300 })), 401);
    assert.equal(await status(ts.mint({ access, issuedAt: now + 120 })), 401, 'not yet valid');
    assert.equal(await status(ts.mint({ access, issuer: 'someone-else' })), 401);
    assert.equal(await status(ts.mint({ access, audience: 'another-registry' })), 401);
    const good = ts.mint({ access });
    assert.equal(await status(good), 200);
    const [h, c, s] = good.split('.');
    const flipped = Buffer.from(s!, 'base64url');
    flipped[5] = flipped[5]! ^ 1;
    assert.equal(await status(`${h}.${c}.${flipped.toString('base64url')}`), 401);
  });

  test('requests are recorded in order with their scopes (for token-reuse assertions)', async () => {
    const n = ts.requests.length;
    const q = new URLSearchParams({ service: ts.service, account: 'alice', offline_token: 'true' });
    q.append('scope', 'repository:a/b:pull');
    q.append('scope', 'repository:c/d:pull,push repository:e:pull');
    const res = await fetch(`${ts.realm}?${q}`, { headers: { authorization: basic('alice', USERS.alice) } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(typeof body.refresh_token, 'string');
    assert.equal(ts.requests.length, n + 1);
    const r = ts.requests[n]!;
    assert.deepEqual(r.scope, ['repository:a/b:pull', 'repository:c/d:pull,push', 'repository:e:pull']);
    assert.equal(r.account, 'alice');
    assert.equal(r.offlineToken, true);
    assert.equal(r.method, 'GET');

    // The OAuth2 POST form, with the refresh token.
    const post = await fetch(ts.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: body.refresh_token as string, service: ts.service, scope: 'repository:a/b:pull' }),
    });
    assert.equal(post.status, 200);
    assert.equal(ts.requests[n + 1]!.user, 'alice');
    assert.equal(ts.requests[n + 1]!.grantType, 'refresh_token');
  });
});

describe('registry harness, token auth (RS256)', () => {
  let reg: TestRegistry;
  after(() => reg?.stop());

  test('an RSA-signed token is accepted', async () => {
    reg = await startRegistry({ auth: { kind: 'token', users: USERS, alg: 'RS256', tokenTtlSeconds: 1 } });
    const ts = reg.tokenServer!;
    await skopeoCopyToRegistry(layoutDir, 'v1', reg, 'rsa/app:v1', `alice:${USERS.alice}`);
    const t = await token(ts, ['repository:rsa/app:pull'], basic('alice', USERS.alice));
    assert.equal(t.body.expires_in, 1);
    assert.equal(ts.decode(t.body.token as string).header.alg, 'RS256');
    assert.equal((await getManifest(reg, 'rsa/app', 'v1', `Bearer ${t.body.token as string}`)).status, 200);
  });
});

describe('registry harness lifecycle', () => {
  test('stop() ends the registry and removes its files', async () => {
    const reg = await startRegistry({ auth: { kind: 'token', users: USERS } });
    const ts = reg.tokenServer!;
    assert.equal((await fetch(`${reg.url}/v2/`)).status, 401);
    await reg.stop();
    await reg.stop(); // idempotent
    assert.equal(existsSync(reg.dataDir), false);
    assert.equal(existsSync(ts.certFile), false);
    await assert.rejects(fetch(`${reg.url}/v2/`));
    await assert.rejects(fetch(ts.realm));
  });

  test('a missing docker-registry is an error, not a skip', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(workDir, 'no-such-bin');
    try {
      await assert.rejects(startRegistry(), /docker-registry is not installed/);
    } finally {
      process.env.PATH = saved;
    }
  });

  test('parseScope splits type, name (which may hold a port) and actions', () => {
    assert.deepEqual(parseScope('repository:library/alpine:pull,push'), { type: 'repository', name: 'library/alpine', actions: ['pull', 'push'] });
    assert.deepEqual(parseScope('repository:localhost:5000/x:pull'), { type: 'repository', name: 'localhost:5000/x', actions: ['pull'] });
    assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
    assert.deepEqual(parseScope('repository(plugin):x:pull'), { type: 'repository', name: 'x', actions: ['pull'] });
    assert.equal(parseScope('nonsense'), undefined);
  });

  test('a standalone token server with a 1 s ttl says so in the response and the claims', async () => {
    const ts = await startTokenServer({ users: USERS, ttlSeconds: 1 });
    try {
      const t = await token(ts, ['repository:x:pull'], basic('bob', USERS.bob));
      assert.equal(t.body.expires_in, 1);
      const { claims } = ts.decode(t.body.token as string);
      assert.equal((claims.exp as number) - (claims.iat as number), 1);
      assert.equal(ts.requests.length, 1);
    } finally {
      await ts.stop();
    }
  });
});
