/**
 * Fuzz targets for what a registry answers, and what the Docker config and credential helpers
 * hand over:
 *
 * - `registry-client`: whatever a server answers — any status, malformed Location, Link,
 *   WWW-Authenticate, Content-Type, Docker-Content-Digest, Content-Range or Content-Length
 *   headers, any body — every client operation (manifests, blobs, ranges, tag lists, uploads)
 *   ends in a value or an AnyarchError, never a TypeError or a hang, and no error carries the
 *   Basic credentials. The server is a loopback HTTP server answering from the generated script
 *   (what no real registry can be asked to do);
 * - `registry-answers`: error bodies (parseDiagnostics never throws and keeps string codes),
 *   `WWW-Authenticate` challenges (parseChallenges never throws), and token responses
 *   (fetchToken: a usable token or an AnyarchError, the identity token never echoed);
 * - `credentials`: the Docker config file and a credential helper's output (resolveCredential:
 *   a credential or E_CONFIG/E_AUTH, and a failing helper's secret never in the message).
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import fc from 'fast-check';
import { isAnyarchError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/media.js';
import { parseChallenges, fetchToken } from '../../src/registry/auth.js';
import { RegistryClient } from '../../src/registry/client.js';
import { resolveCredential } from '../../src/registry/credentials.js';
import { parseDiagnostics } from '../../src/registry/errors.js';
import { expectAnyarchError, jsonCodec, mutatedBytes, onlyAnyarchErrorsAsync, scriptedServer, temporaryDir, utf8, type Answer, type FuzzTarget, type ScriptedServer } from '../support/fuzz.js';

// ---------------------------------------------------------------------------------------------
// registry-client

const headerValue = fc.oneof(
  fc.constantFrom(
    'http://[',
    '::::',
    '/v2/x/blobs/uploads/abc?_state=1',
    '<http://[>; rel="next"',
    '</v2/x/tags/list?last=a>; rel="next"',
    'Bearer realm="http://127.0.0.1:1/token",service="s"',
    'Bearer realm=',
    'Basic',
    'bytes 0-0/*',
    '0-99',
    'sha256:zz',
    digestOf('x'),
    MediaType.OCI_INDEX,
    '-1',
    '99999999999999999999',
    '',
  ),
  fc.string({ maxLength: 40 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
);
const anyStatus = fc.constantFrom(200, 201, 202, 204, 206, 301, 307, 400, 401, 403, 404, 416, 429, 500, 503);
const headers = fc.dictionary(fc.constantFrom('location', 'link', 'www-authenticate', 'content-type', 'docker-content-digest', 'content-range', 'range', 'retry-after', 'content-length'), headerValue, { maxKeys: 5 });
const body = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom('{"errors":[{"code":"X","message":"y"}]}', '{"tags":["a",1,null]}', '{"token":"t","expires_in":-1}', '{"schemaVersion":2,"manifests":[]}', 'null').map(utf8),
);

const OPS = ['getManifest', 'headManifest', 'getBlob', 'blobStream', 'readBlobRange', 'listTags', 'pushBlob', 'pushChunked', 'pushStream', 'pushStreamChunked', 'putManifest', 'ping'] as const;
type Op = (typeof OPS)[number];

/** The statuses of each operation's exchanges when all goes well (HEAD, POST, PATCH…, PUT). */
const HAPPY: Readonly<Record<Op, readonly number[]>> = {
  getManifest: [200],
  headManifest: [200],
  getBlob: [200],
  blobStream: [200],
  readBlobRange: [206],
  listTags: [200, 200, 200],
  pushBlob: [404, 202, 201],
  pushChunked: [404, 202, 202, 202, 202, 202, 201],
  pushStream: [404, 202, 201],
  pushStreamChunked: [404, 202, 202, 202, 202, 202, 201],
  putManifest: [201],
  ping: [200],
};

/** A script of answers that mostly follows the operation's happy path, with odd headers and bodies. */
const scriptFor = (op: Op): fc.Arbitrary<Answer[]> =>
  fc.array(fc.record({ happy: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }), status: anyStatus, headers, body }), { minLength: 1, maxLength: 9 }).map((steps) =>
    steps.map((st, i) => ({ status: st.happy ? (HAPPY[op][i] ?? st.status) : st.status, headers: st.headers, body: st.body })),
  );

const BLOB = utf8('some blob content for the fuzz test');
const BLOB_DESC = { mediaType: 'application/octet-stream', digest: digestOf(BLOB), size: BLOB.length };

async function operate(client: RegistryClient, host: string, op: Op): Promise<void> {
  const repo = { registry: host, repository: 'x' };
  const blob = BLOB;
  const desc = BLOB_DESC;
  switch (op) {
    case 'getManifest':
      await client.getManifest(repo, 'latest');
      break;
    case 'headManifest':
      await client.headManifest(repo, desc.digest);
      break;
    case 'getBlob':
      await client.getBlob(repo, desc, 1024);
      break;
    case 'blobStream':
      await buffer(await client.blobStream(repo, desc));
      break;
    case 'readBlobRange':
      await client.readBlobRange(repo, desc, 1, 4);
      break;
    case 'listTags': {
      const tags = await client.listTags(repo);
      assert.ok(tags.every((t) => typeof t === 'string'));
      break;
    }
    case 'pushBlob':
      await client.pushBlob(repo, desc, blob);
      break;
    case 'pushChunked':
      await client.pushBlob(repo, desc, blob, { chunkSize: 8 });
      break;
    case 'pushStream':
      await client.pushBlob(repo, desc, async () => Readable.from([blob]));
      break;
    case 'pushStreamChunked':
      await client.pushBlob(repo, desc, async () => Readable.from([blob.subarray(0, 5), blob.subarray(5)]), { chunkSize: 8 });
      break;
    case 'putManifest':
      await client.putManifest(repo, 'latest', utf8('{"schemaVersion":2}'), MediaType.OCI_MANIFEST);
      break;
    case 'ping':
      await client.ping(host);
      break;
  }
}

export const registryClientTarget: FuzzTarget<[Op, Answer[]], ScriptedServer> = {
  name: 'registry-client',
  reads: 'registry HTTP answers (status, headers, bodies) to every client operation, tag lists included',
  input: fc.constantFrom(...OPS).chain((op) => fc.tuple(fc.constant(op), scriptFor(op))),
  ...jsonCodec,
  ciRuns: 300,
  setup: () => scriptedServer(),
  async check([op, answers], { host, play }) {
    play(answers);
    const client = new RegistryClient({ credentials: async () => ({ username: 'u', password: 'p' }), retry: { attempts: 2, baseMs: 1, maxMs: 2, maxRetryAfterMs: 5 }, timeoutMs: 500 });
    try {
      await operate(client, host, op);
    } catch (e) {
      expectAnyarchError(e);
      assert.ok(!(e as Error).message.includes(Buffer.from('u:p').toString('base64')), 'the Basic credentials in an error');
    }
  },
};

// ---------------------------------------------------------------------------------------------
// registry-answers: error bodies, challenges, token responses

const errorBodySeeds = (): Uint8Array[] =>
  [
    '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"latest"}}]}',
    '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"},{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"x","Action":"pull"}]}]}',
    '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}',
    '{"token":"eyJhbGciOiJFUzI1NiJ9.e30.sig","access_token":"eyJ","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"}',
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    'Basic realm="Registry Realm", Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:x/y:pull,push"',
  ].map(utf8);

const challengeish = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('Bearer', 'Basic', 'realm', 'service', 'scope', '=', '"', '\\"', '\\', ',', ' ', '\t', 'https://auth.example/token', 'repository:x:pull,push', '""', 'error="insufficient_scope"') },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

const tokenBody = fc.oneof(
  fc.record(
    {
      token: fc.oneof(fc.constantFrom('t0k3n', 'eyJ.e30.x', '', 'a b', 'ünï', 'x\r\ny'), fc.string(), anyJson()),
      access_token: fc.oneof(fc.constantFrom('a1', ''), anyJson()),
      expires_in: fc.oneof(fc.constantFrom(0, -1, 1, 300, 1e308, Number.MAX_SAFE_INTEGER), fc.double(), anyJson()),
      issued_at: fc.oneof(fc.constantFrom('2024-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '-271821-04-20T00:00:00Z', 'yesterday'), anyJson()),
    },
    { requiredKeys: [] },
  ).map((v) => utf8(JSON.stringify(v))),
  mutatedBytes(errorBodySeeds),
  fc.uint8Array({ maxLength: 40 }),
);

function anyJson(): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth: 2 });
}

interface AnswersInput {
  readonly errorBody: Uint8Array;
  readonly challenge: string;
  readonly tokenStatus: number;
  readonly token: Uint8Array;
}

export const registryAnswersTarget: FuzzTarget<AnswersInput, ScriptedServer> = {
  name: 'registry-answers',
  reads: 'registry error bodies, WWW-Authenticate challenges and token service answers',
  input: fc.record({
    errorBody: fc.oneof(mutatedBytes(errorBodySeeds), fc.jsonValue({ maxDepth: 3 }).map((v) => utf8(JSON.stringify({ errors: v })))),
    challenge: fc.oneof(challengeish, mutatedBytes(errorBodySeeds).map((b) => Buffer.from(b).toString('latin1'))),
    tokenStatus: fc.constantFrom(200, 200, 200, 401, 404, 500),
    token: tokenBody,
  }),
  ...jsonCodec,
  ciRuns: 400,
  setup: () => scriptedServer(),
  async check(x, { host, play }) {
    // error bodies: never a throw; diagnostics with string codes and messages
    for (const dgn of parseDiagnostics(x.errorBody)) {
      assert.equal(typeof dgn.code, 'string');
      assert.equal(typeof dgn.message, 'string');
    }
    // challenges: never a throw; lower-case schemes, string parameters
    for (const c of parseChallenges(x.challenge)) {
      assert.equal(c.scheme, c.scheme.toLowerCase());
      assert.ok(c.scheme.length > 0);
      for (const v of Object.values(c.params)) assert.equal(typeof v, 'string');
    }
    // token answers: a token fit for a header, or an AnyarchError that never echoes the identity token
    play([{ status: x.tokenStatus, headers: { 'content-type': 'application/json' }, body: x.token }]);
    const secret = 'identity-SECRET-42';
    const token = await onlyAnyarchErrorsAsync(async () => {
      try {
        return await fetchToken({ realm: `http://${host}/token`, service: 'fuzz', scopes: ['repository:x:pull'], credential: { identityToken: secret }, allowHttp: () => true, timeoutMs: 2000, userAgent: 'anyarch-fuzz', registry: host });
      } catch (e) {
        if (isAnyarchError(e)) assert.ok(!e.message.includes(secret) && !(e.hint ?? '').includes(secret), 'the identity token in an error');
        throw e;
      }
    });
    if (token) {
      assert.match(token.value, /^[\x21-\x7e]+$/);
      assert.ok(Number.isFinite(token.expiresAt), `expiresAt ${token.expiresAt}`);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// credentials: the Docker config file and credential helper output

const HELPER_SECRET = 'hunter2-Zq8wX1vB7nK3';

function dockerConfigSeeds(): Uint8Array[] {
  const auth = Buffer.from('user:pa:ss').toString('base64');
  return [
    { auths: { 'registry.example': { auth }, 'https://index.docker.io/v1/': { auth, identitytoken: 'idtok' } } },
    { auths: { 'ghcr.io': { username: 'u', password: 'p' }, 'localhost:5000': {} }, credsStore: 'fuzz' },
    { credHelpers: { 'registry.example': 'fuzz', 'docker.io': '' }, auths: { 'registry.example': { registrytoken: 'rt' } } },
    { credsStore: 'fuzz' },
  ].map((v) => utf8(JSON.stringify(v)));
}

const helperOutput = fc.oneof(
  fc.constantFrom(`{"Username":"u","Secret":"${HELPER_SECRET}"}`, `{"Username":"<token>","Secret":"${HELPER_SECRET}"}`, '{"Secret":""}', 'credentials not found in native keychain', `{"Username":1,"Secret":"${HELPER_SECRET}"}`, '[]', ''),
  fc.string({ maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(HELPER_SECRET, Buffer.from(`u:${HELPER_SECRET}`).toString('base64'), `"Secret":"${HELPER_SECRET}"`), fc.string({ maxLength: 10 })).map((p) => p.join('')),
);

interface CredentialsInput {
  readonly config: Uint8Array;
  readonly registry: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: number;
}

export const credentialsTarget: FuzzTarget<CredentialsInput, { dir: string }> = {
  name: 'credentials',
  reads: 'the Docker config file and a credential helper’s output (resolveCredential)',
  input: fc.record({
    config: fc.oneof(mutatedBytes(dockerConfigSeeds), fc.jsonValue({ maxDepth: 3 }).map((v) => utf8(JSON.stringify(v)))),
    registry: fc.constantFrom('registry.example', 'docker.io', 'ghcr.io', 'localhost:5000', 'https://index.docker.io/v1/'),
    stdout: helperOutput,
    stderr: helperOutput,
    exit: fc.constantFrom(0, 0, 1, 2),
  }),
  ...jsonCodec,
  ciRuns: 150,
  async setup() {
    const tmp = await temporaryDir('credentials');
    const { dir } = tmp.ctx;
    // the helper prints what the input says (from files, so any bytes survive) and exits with its status
    const helper = path.join(dir, 'docker-credential-fuzz');
    await writeFile(helper, `#!/bin/sh\ncat >/dev/null\ncat "${dir}/stdout"\ncat "${dir}/stderr" >&2\nexit "$(cat "${dir}/exit")"\n`);
    await chmod(helper, 0o755);
    return tmp;
  },
  async check(x, { dir }) {
    await Promise.all([writeFile(path.join(dir, 'config.json'), x.config), writeFile(path.join(dir, 'stdout'), x.stdout), writeFile(path.join(dir, 'stderr'), x.stderr), writeFile(path.join(dir, 'exit'), String(x.exit))]);
    try {
      const cred = await resolveCredential(x.registry, { configPath: path.join(dir, 'config.json'), env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir }, helperTimeoutMs: 5000 });
      if (cred) for (const v of Object.values(cred)) assert.equal(typeof v, 'string');
    } catch (e) {
      expectAnyarchError(e, ['E_CONFIG', 'E_AUTH']);
      const said = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`;
      assert.ok(!said.includes(HELPER_SECRET), `a helper's secret in the message: ${said}`);
    }
  },
};
