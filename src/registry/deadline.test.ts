/**
 * A registry that misbehaves on purpose (test/support/hostile-server.ts, on loopback): silent,
 * stalling its body, trickling one byte at a time, resetting, redirecting to URLs with
 * credentials in them or to other schemes, naming a token realm that never answers. Every
 * request must end within its one deadline with a one-line error that names what was asked,
 * and no credential in a URL may reach a message. (How long the CLI takes is measured from
 * outside the process in src/cli/commands/network-deadlines.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHostileServer, type HostileServer, type Misbehaviour } from '../../test/support/hostile-server.js';
import { isAnyarchError, type AnyarchError } from '../errors.js';
import { NetworkError } from '../net/http.js';
import { digestOf } from '../oci/digest.js';
import { RegistryClient, type RepositoryRef } from './client.js';

const RETRY = { attempts: 4, baseMs: 10, maxMs: 50 };
const CONFIG = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 1000 } as const;
/** a test that hangs fails instead */
const BOUND = { timeout: 60_000 };

describe('one deadline per registry request, whatever the server does', () => {
  let server: HostileServer;
  let realm: HostileServer;
  /** what each repository's requests get */
  const plan = new Map<string, Misbehaviour>();

  before(async () => {
    realm = await startHostileServer(() => ({ kind: 'silent' }));
    server = await startHostileServer((p) => {
      const repo = /^\/v2\/([^/]+)\//.exec(p)?.[1] ?? '';
      return plan.get(repo) ?? { kind: 'answer', status: 404 };
    });
  });
  after(async () => {
    await server?.stop();
    await realm?.stop();
  });

  const client = (timeoutMs = 1000): RegistryClient => new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs });
  const repo = (name: string): RepositoryRef => ({ registry: server.host, repository: name });
  const hits = (name: string): number => server.requests.filter((p) => p.startsWith(`/v2/${name}/`)).length;

  /** the request fails with E_NETWORK saying the deadline passed, naming the manifest and the host */
  const timedOut = (name: string) => (e: unknown) => {
    assert.ok(e instanceof NetworkError, String(e));
    assert.equal(e.message, `manifest ${server.host}/${name}:1: no complete answer from ${server.host} within 1 s`);
    assert.match(e.hint ?? '', /--timeout/);
    assert.equal(e.transient, false);
    return true;
  };

  for (const [name, m] of [
    ['silent', { kind: 'silent' }],
    ['stall', { kind: 'stall-body' }],
    ['trickle-head', { kind: 'trickle', everyMs: 100, from: 'head' }],
    ['trickle-body', { kind: 'trickle', everyMs: 100, from: 'body' }],
  ] as const) {
    test(`${name}: the manifest request ends at the deadline, tried once (the deadline covers every try)`, BOUND, async () => {
      plan.set(name, m);
      await assert.rejects(client().getManifest(repo(name), '1'), timedOut(name));
      assert.equal(hits(name), 1);
    });
  }

  test('a config blob that trickles is bounded too (getBlob reads it whole)', BOUND, async () => {
    plan.set('blob', { kind: 'trickle', everyMs: 100, from: 'body', length: CONFIG.size });
    await assert.rejects(client().getBlob(repo('blob'), CONFIG, 1 << 20), (e: AnyarchError) => e.code === 'E_NETWORK' && e.message === `blob ${CONFIG.digest} of ${server.host}/blob: no complete answer from ${server.host} within 1 s`);
  });

  test('a layer stream whose body stalls ends with E_NETWORK after that long of silence', BOUND, async () => {
    plan.set('layer', { kind: 'stall-body', length: CONFIG.size });
    const stream = await client().blobStream(repo('layer'), CONFIG);
    await assert.rejects(
      (async () => {
        for await (const _ of stream) void _;
      })(),
      (e: AnyarchError) => isAnyarchError(e) && e.code === 'E_NETWORK' && /blob sha256:c+ of .*\/layer: 127\.0\.0\.1:\d+ sent nothing for 1 s/.test(e.message),
    );
  });

  test('a layer stream that trickles (never silent for long): ends once it is slower than the floor rate', BOUND, async () => {
    plan.set('trickled-layer', { kind: 'trickle', everyMs: 100, from: 'body', length: CONFIG.size });
    const stream = await client().blobStream(repo('trickled-layer'), CONFIG);
    await assert.rejects(
      (async () => {
        for await (const _ of stream) void _;
      })(),
      (e: AnyarchError) => e.code === 'E_NETWORK' && /trickled-layer: 127\.0\.0\.1:\d+ sent \d+ of 1000 bytes in 1\.1 s, slower than the 16 KiB\/s anyarch waits for$/.test(e.message),
    );
  });

  test('a reader that holds a layer stream back longer than the timeout is not the registry\'s silence', BOUND, async () => {
    const bytes = Buffer.alloc(8 << 20, 7);
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length };
    plan.set('big', { kind: 'answer', status: 200, body: bytes });
    const stream = await client(1000).blobStream(repo('big'), desc);
    let n = 0;
    let paused = false;
    for await (const chunk of stream) {
      n += (chunk as Buffer).length;
      if (!paused) {
        paused = true;
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
    assert.equal(n, bytes.length);
  });

  test('a reset on every try: transient, retried up to the policy, then E_NETWORK naming the manifest', BOUND, async () => {
    plan.set('reset', { kind: 'reset' });
    await assert.rejects(client(5000).getManifest(repo('reset'), '1'), (e: AnyarchError) => e.code === 'E_NETWORK' && e.message.startsWith(`manifest ${server.host}/reset:1: `));
    assert.equal(hits('reset'), RETRY.attempts);
  });

  test('503 asking for a wait longer than the deadline: not waited for, the 503 is the error', BOUND, async () => {
    plan.set('busy', { kind: 'answer', status: 503, headers: { 'retry-after': '50' }, body: '{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}' });
    await assert.rejects(client().getManifest(repo('busy'), '1'), (e: AnyarchError) => e.code === 'E_REGISTRY' && /HTTP 503/.test(e.message));
    assert.equal(hits('busy'), 1);
  });

  test('a token realm that never answers: the token fetch is inside the request deadline', BOUND, async () => {
    plan.set('auth', { kind: 'answer', status: 401, headers: { 'www-authenticate': `Bearer realm="http://${realm.host}/token",service="x"` } });
    await assert.rejects(client().getManifest(repo('auth'), '1'), timedOut('auth'));
  });

  test('a token realm with user-info is refused without showing it', BOUND, async () => {
    plan.set('realmcreds', { kind: 'answer', status: 401, headers: { 'www-authenticate': `Bearer realm="http://bob:realm-secret@${realm.host}/token"` } });
    await assert.rejects(client().getManifest(repo('realmcreds'), '1'), (e: AnyarchError) => {
      assert.equal(e.code, 'E_REGISTRY');
      assert.match(e.message, /token realm with user-info/);
      assert.doesNotMatch(`${e.message} ${e.hint ?? ''}`, /realm-secret|bob/);
      return true;
    });
  });

  for (const [name, location, says] of [
    ['userinfo', (host: string) => `http://alice:redirect-secret@${host}/v2/elsewhere/manifests/1`, /points to a URL with user-info \(credentials in the URL, http:\/\/\*\*\*@127\.0\.0\.1:\d+\); anyarch does not follow it/],
    ['userinfo-other', () => 'https://alice:redirect-secret@storage.invalid/blob', /points to a URL with user-info .*https:\/\/\*\*\*@storage\.invalid/],
    ['ftp', () => 'ftp://alice:redirect-secret@127.0.0.1/x', /points to a ftp: URL; anyarch follows only http and https/],
    ['file', () => 'file:///etc/passwd', /points to a file: URL; anyarch follows only http and https/],
    ['invalid', () => 'http://alice:redirect-secret@[zz', /sent an invalid Location \("http:\/\/\*\*\*@\[zz"\)/],
  ] as const) {
    test(`a redirect to ${name}: E_REGISTRY naming the image, not followed, no credential shown`, BOUND, async () => {
      plan.set(name, { kind: 'redirect', location: location(server.host) });
      await assert.rejects(client().getManifest(repo(name), '1'), (e: AnyarchError) => {
        assert.equal(e.code, 'E_REGISTRY');
        assert.ok(e.message.startsWith(`manifest ${server.host}/${name}:1: the server`), e.message);
        assert.match(e.message, says);
        assert.doesNotMatch(`${e.message} ${e.hint ?? ''}`, /redirect-secret|alice/);
        return true;
      });
      assert.equal(hits(name), 1);
      assert.equal(hits('elsewhere'), 0);
    });
  }
});
