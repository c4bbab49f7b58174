/**
 * RegistryError: what registries say when they refuse, kept in their words. The unit tests pin the
 * codes, sentences and the one retry decision; the real registry (distribution 2.8) shows which
 * codes it sends for a missing child, an unknown repository, a missing login and a refused scope;
 * the fault proxy plays registries that send several errors, DENIED, or TOOMANYREQUESTS.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FaultProxy } from '../../test/support/fault-proxy.js';
import { proxiedRegistry } from '../../test/support/proxied-registry.js';
import { buildTestImage, builtImageSource } from '../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { AnyarchError } from '../errors.js';
import { NetworkError } from '../net/http.js';
import { fetchToken, MAX_TOKEN_LIFETIME_S } from './auth.js';
import { RegistryClient, type ClientEvent } from './client.js';
import { parseDiagnostics, RegistryError, registryError, retryDecision, SPEC_ERROR_CODES } from './errors.js';
import { pushImage } from './push.js';

const POLICY = { attempts: 4, baseMs: 100, maxMs: 100, maxRetryAfterMs: 2000 };
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** The RegistryError `p` rejects with. */
async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RegistryError, `expected a RegistryError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a refusal');
}

describe('RegistryError', () => {
  test('parseDiagnostics keeps every entry with a code, in order, with message and detail', () => {
    const d = parseDiagnostics(
      enc({
        errors: [
          { code: 'DENIED', message: 'requested access to the resource is denied' },
          { code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Name: 'a/b', Action: 'push' }] },
          { message: 'no code: skipped' },
          'not an object',
          { code: 'VENDOR_SPECIFIC' },
        ],
      }),
    );
    assert.deepEqual(d, [
      { code: 'DENIED', message: 'requested access to the resource is denied' },
      { code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Name: 'a/b', Action: 'push' }] },
      { code: 'VENDOR_SPECIFIC', message: '' },
    ]);
    assert.deepEqual(parseDiagnostics(new TextEncoder().encode('<html>502 Bad Gateway</html>')), []);
    assert.deepEqual(parseDiagnostics(enc({ errors: 'x' })), []);
    assert.deepEqual(parseDiagnostics(enc(null)), []);
  });

  test('the token service follows the same statuses: 501 and 507 are final, 503 is worth another try', async () => {
    let status = 501;
    const server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const ask = () => fetchToken({ realm, scopes: [], allowHttp: () => true, timeoutMs: 2000, userAgent: 'test', registry: 'r.example' });
    try {
      for (status of [501, 507]) {
        await assert.rejects(ask(), (e) => e instanceof AnyarchError && !(e instanceof NetworkError) && e.code === 'E_REGISTRY' && e.message.includes(`HTTP ${status}`), String(status));
      }
      status = 503;
      await assert.rejects(ask(), (e) => e instanceof NetworkError && e.transient);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('a token is reused at most MAX_TOKEN_LIFETIME_S, whatever expires_in says (1.8e305 made it expire at Infinity: found by the registry-answers fuzz target)', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"a1","expires_in":1.7976931348623157e+305}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    try {
      const t = await fetchToken({ realm, scopes: [], allowHttp: () => true, timeoutMs: 2000, userAgent: 'test', registry: 'r.example', now: () => 1000 });
      assert.equal(t.value, 'a1');
      assert.equal(t.expiresAt, 1000 + MAX_TOKEN_LIFETIME_S * 1000 - 5000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('codes and sentences by status, as before RegistryError: 404, 401, 403, 429, others', () => {
    const said = [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }];
    const cases: [number, string, string, string | undefined][] = [
      [404, 'E_NOT_FOUND', 'm: not found (HTTP 404 MANIFEST_UNKNOWN)', undefined],
      [401, 'E_AUTH', 'm: authentication required (HTTP 401 MANIFEST_UNKNOWN)', 'log in (docker login), or point DOCKER_CONFIG at a config with credentials for it'],
      [403, 'E_AUTH', 'm: access denied (HTTP 403 MANIFEST_UNKNOWN)', undefined],
      [429, 'E_REGISTRY', 'm: rate limited by the registry (HTTP 429 MANIFEST_UNKNOWN) after 4 tries', 'try again later'],
      [400, 'E_REGISTRY', 'm: HTTP 400 MANIFEST_UNKNOWN: manifest unknown', undefined],
    ];
    for (const [status, code, message, hint] of cases) {
      const e = registryError(status, said, 'm', 4);
      assert.ok(e instanceof AnyarchError);
      assert.deepEqual([e.code, e.message, e.hint, e.status, e.diagnostics], [code, message, hint, status, said], String(status));
    }
    assert.equal(registryError(500, [], 'm', 4).message, 'm: HTTP 500');
    assert.equal(registryError(400, [{ code: 'X', message: 'y'.repeat(300) }], 'm', 4).message, `m: HTTP 400 X: ${'y'.repeat(200)}`);
  });

  test('temporary: 408, 429, 5xx, or TOOMANYREQUESTS whatever the status; has() names a code', () => {
    const at = (status: number, codes: string[] = []) => registryError(status, codes.map((code) => ({ code, message: '' })), 'm', 1);
    for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(at(s).temporary, true, String(s));
    for (const s of [400, 401, 403, 404, 501, 505, 507]) assert.equal(at(s).temporary, false, String(s));
    assert.equal(at(507, ['TOOMANYREQUESTS']).temporary, true);
    assert.equal(at(403, ['DENIED']).temporary, false);
    assert.equal(at(403, ['DENIED', 'TOOMANYREQUESTS']).temporary, true);
    assert.ok(at(400, ['MANIFEST_BLOB_UNKNOWN']).has('MANIFEST_BLOB_UNKNOWN'));
    assert.ok(!at(400, ['MANIFEST_BLOB_UNKNOWN']).has('DENIED'));
    assert.equal(SPEC_ERROR_CODES.length, 14);
  });

  test('retryDecision: temporary answers after Retry-After or a backoff; network breaks; altered bytes on reads only; refusals never', () => {
    const get = { method: 'GET', what: 'manifest m' };
    const put = { method: 'PUT', what: 'manifest m' };
    const retried = (c: ReturnType<typeof retryDecision>) => (c.retry ? c.waitMs : undefined);
    assert.equal(retried(retryDecision(registryError(503, [], 'm', 4, 1500), get, 1, POLICY)), 1500);
    const backoff = retried(retryDecision(registryError(503, [], 'm', 4), put, 1, POLICY));
    assert.ok(backoff !== undefined && backoff <= 100);
    assert.notEqual(retried(retryDecision(new NetworkError('reset', true), put, 1, POLICY)), undefined);
    assert.equal(retried(retryDecision(new NetworkError('HPE_INVALID', false), get, 1, POLICY)), undefined);
    assert.notEqual(retried(retryDecision(new AnyarchError('E_DIGEST', 'altered'), get, 1, POLICY)), undefined);
    assert.equal(retried(retryDecision(new AnyarchError('E_DIGEST', 'stored as'), put, 1, POLICY)), undefined);
    for (const code of ['DENIED', 'MANIFEST_BLOB_UNKNOWN', 'NAME_UNKNOWN']) {
      assert.equal(retryDecision(registryError(code === 'DENIED' ? 403 : 404, [{ code, message: '' }], 'm', 4), get, 1, POLICY).retry, false, code);
    }
    assert.equal(retryDecision(new TypeError('a bug'), get, 1, POLICY).retry, false);
    // a Retry-After beyond the ceiling: give up now, say when to come back, keep the registry's words
    const far = retryDecision(registryError(429, [{ code: 'TOOMANYREQUESTS', message: 'slow down' }], 'm', 4, 3_600_000), get, 1, POLICY);
    assert.ok(!far.retry && far.error instanceof RegistryError);
    assert.equal(far.error.message, 'manifest m: HTTP 429; the registry asks to wait 3600 s before trying again');
    assert.equal(far.error.code, 'E_REGISTRY');
    assert.ok(far.error.has('TOOMANYREQUESTS'));
  });
});

describe('RegistryError from the real registry (distribution 2.8)', () => {
  let plain: TestRegistry;
  let basic: TestRegistry;
  let token: TestRegistry;
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' } }, { platform: { os: 'linux', architecture: 'arm64' } }], { format: 'oci' });
  before(async () => {
    plain = await startRegistry();
    basic = await startRegistry({ auth: { kind: 'htpasswd', users: { ci: 'ci-pass' } } });
    // the token service grants `ci` pull, never push
    token = await startRegistry({ auth: { kind: 'token', users: { ci: 'ci-pass' }, acl: (user, _name, actions) => (user ? actions.filter((a) => a === 'pull') : []) } });
  });
  after(async () => {
    await plain?.stop();
    await basic?.stop();
    await token?.stop();
  });

  test('an index whose child is missing: MANIFEST_BLOB_UNKNOWN (400), final; pushed children first, it is accepted', async () => {
    const client = new RegistryClient({ credentials: async () => undefined });
    const repo = { registry: plain.host, repository: 'errors/orphan' };
    const e = await refusal(client.putManifest(repo, 'v1', img.root.bytes, img.root.mediaType));
    assert.equal(e.status, 400);
    assert.equal(e.code, 'E_REGISTRY');
    assert.ok(e.has('MANIFEST_BLOB_UNKNOWN'), JSON.stringify(e.diagnostics));
    assert.equal(e.temporary, false);
    assert.equal((await pushImage(client, repo, builtImageSource(img), { tag: 'v1' })).digest, img.root.digest);
  });

  test('an unknown repository: 404 with MANIFEST_UNKNOWN (2.8 does not say NAME_UNKNOWN for reads), BLOB_UNKNOWN for blobs', async () => {
    const client = new RegistryClient({ credentials: async () => undefined });
    const repo = { registry: plain.host, repository: 'errors/never-pushed' };
    const m = await refusal(client.getManifest(repo, 'v1'));
    assert.equal(m.code, 'E_NOT_FOUND');
    assert.equal(m.status, 404);
    assert.ok(m.has('MANIFEST_UNKNOWN') || m.has('NAME_UNKNOWN'), JSON.stringify(m.diagnostics));
    const b = await refusal(client.getBlob(repo, { mediaType: 'application/octet-stream', digest: `sha256:${'1'.repeat(64)}`, size: 3 }, 1024));
    assert.ok(b.has('BLOB_UNKNOWN'), JSON.stringify(b.diagnostics));
  });

  test('htpasswd and no credentials: UNAUTHORIZED (401), naming the access it lacked', async () => {
    const client = new RegistryClient({ credentials: async () => undefined });
    const e = await refusal(client.getManifest({ registry: basic.host, repository: 'errors/private' }, 'v1'));
    assert.equal(e.code, 'E_AUTH');
    assert.match(e.message, /requires a login/);
    assert.equal(e.status, 401);
    assert.ok(e.has('UNAUTHORIZED'), JSON.stringify(e.diagnostics));
    assert.match(JSON.stringify(e.diagnostics[0]?.detail), /errors\/private/);
  });

  test('the token service refuses the push scope: the registry says UNAUTHORIZED (2.8 never says DENIED), and the pull still works', async () => {
    const client = new RegistryClient({ credentials: async () => ({ username: 'ci', password: 'ci-pass' }) });
    const repo = { registry: token.host, repository: 'errors/readonly' };
    const e = await refusal(client.putManifest(repo, 'v1', img.root.bytes, img.root.mediaType));
    assert.equal(e.code, 'E_AUTH');
    assert.equal(e.status, 401);
    assert.ok(e.has('UNAUTHORIZED') && !e.has('DENIED'), JSON.stringify(e.diagnostics));
    assert.match(JSON.stringify(e.diagnostics), /"Action":"push"/);
    assert.equal(e.temporary, false);
    await assert.rejects(client.getManifest(repo, 'v1'), (x) => x instanceof RegistryError && x.has('MANIFEST_UNKNOWN'));
  });
});

describe('RegistryError through the fault proxy (registries that say more than distribution)', () => {
  const env = proxiedRegistry();
  let proxy: FaultProxy;
  let events: ClientEvent[];
  let client: RegistryClient;
  beforeEach(() => {
    proxy = env.proxy;
    events = [];
    client = new RegistryClient({ credentials: async () => undefined, retry: { attempts: 3, baseMs: 5, maxMs: 10, maxRetryAfterMs: 2000 }, onEvent: (e) => events.push(e) });
  });
  const repo = () => ({ registry: proxy.host, repository: 'f/app' });
  const answer = (status: number, errors: unknown[], headers?: Record<string, string>) => ({ kind: 'status' as const, status, body: JSON.stringify({ errors }), ...(headers ? { headers } : {}) });

  test('a 403 with several errors: every one kept, in order; DENIED is final (one request)', async () => {
    proxy.setRules([
      {
        match: { path: /manifests/ },
        faults: [
          answer(403, [
            { code: 'DENIED', message: 'requested access to the resource is denied' },
            { code: 'UNAUTHORIZED', message: 'authentication required', detail: { scope: 'repository:f/app:pull' } },
          ]),
        ],
      },
    ]);
    const e = await refusal(client.getManifest(repo(), 'v1'));
    assert.equal(e.code, 'E_AUTH');
    assert.equal(e.message, `manifest ${proxy.host}/f/app:v1: access denied (HTTP 403 DENIED)`);
    assert.deepEqual(e.diagnostics, [
      { code: 'DENIED', message: 'requested access to the resource is denied' },
      { code: 'UNAUTHORIZED', message: 'authentication required', detail: { scope: 'repository:f/app:pull' } },
    ]);
    assert.equal(e.temporary, false);
    assert.equal(proxy.log.length, 1);
  });

  test('TOOMANYREQUESTS on a 403 is temporary: retried, and the last answer keeps the code', async () => {
    proxy.setRules([{ match: { path: /manifests/ }, faults: Array(5).fill(answer(403, [{ code: 'TOOMANYREQUESTS', message: 'pull rate limit' }])) }]);
    const e = await refusal(client.getManifest(repo(), 'v1'));
    assert.equal(e.temporary, true);
    assert.ok(e.has('TOOMANYREQUESTS'));
    assert.equal(proxy.log.length, 3);
    assert.deepEqual(events.filter((x) => x.type === 'retry').map((x) => x.type === 'retry' && x.reason), ['HTTP 403', 'HTTP 403']);
  });

  test('501 and 507 are final: one request, E_REGISTRY in the registry\'s words', async () => {
    for (const status of [501, 507]) {
      proxy.log.length = 0;
      events.length = 0;
      proxy.setRules([{ match: { path: /manifests/ }, faults: Array(5).fill(answer(status, [{ code: 'UNSUPPORTED', message: 'not here' }])) }]);
      const e = await refusal(client.getManifest(repo(), 'v1'));
      assert.equal(e.code, 'E_REGISTRY');
      assert.equal(e.status, status);
      assert.equal(e.temporary, false);
      assert.equal(proxy.log.length, 1, String(status));
      assert.deepEqual(events.filter((x) => x.type === 'retry'), []);
    }
  });

  test('a 503 whose body is not JSON: temporary, no diagnostics, retried until the registry answers', async () => {
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' } }], { single: true });
    await pushImage(client, repo(), builtImageSource(img), { tag: 'v1' });
    proxy.log.length = 0;
    proxy.setRules([{ match: { path: /manifests/ }, faults: [{ kind: 'status', status: 503, body: '<html>busy</html>' }] }]);
    assert.equal((await client.getManifest(repo(), 'v1')).descriptor.digest, img.root.digest);
    assert.equal(proxy.log.length, 2);
  });

  test('a registry that echoes the password in its errors: the secret is in neither the sentence nor the diagnostics', async () => {
    const secret = 'echoed-s3cret-password';
    const echoing = new RegistryClient({ credentials: async () => ({ username: 'ci', password: secret }), retry: { attempts: 1 } });
    proxy.setRules([{ match: { path: /manifests/ }, faults: [answer(400, [{ code: 'NAME_INVALID', message: `no repository for ci:${secret}`, detail: { tried: [secret, 'x'] } }])] }]);
    const e = await refusal(echoing.getManifest(repo(), 'v1'));
    assert.ok(!JSON.stringify({ message: e.message, hint: e.hint, diagnostics: e.diagnostics }).includes(secret));
    assert.deepEqual(e.diagnostics, [{ code: 'NAME_INVALID', message: 'no repository for ***', detail: { tried: ['***', 'x'] } }]);
  });

  test('a blob upload refused with BLOB_UPLOAD_INVALID and SIZE_INVALID: both kept, E_REGISTRY', async () => {
    proxy.setRules([
      {
        match: { method: 'PUT', path: /blobs\/uploads/ },
        faults: [answer(400, [{ code: 'BLOB_UPLOAD_INVALID', message: 'blob upload invalid' }, { code: 'SIZE_INVALID', message: 'provided length did not match content length' }])],
      },
    ]);
    const bytes = new TextEncoder().encode('a blob the proxy refuses');
    const { digestOf } = await import('../oci/digest.js');
    const e = await refusal(client.pushBlob({ registry: proxy.host, repository: 'f/upload' }, { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length }, bytes));
    assert.equal(e.code, 'E_REGISTRY');
    assert.deepEqual(e.diagnostics.map((d) => d.code), ['BLOB_UPLOAD_INVALID', 'SIZE_INVALID']);
    assert.match(e.message, /HTTP 400 BLOB_UPLOAD_INVALID: blob upload invalid$/);
  });
});
