/**
 * Property test: whatever a server answers — any status, malformed Location, Link,
 * WWW-Authenticate, Content-Type, Docker-Content-Digest, Content-Range or Content-Length headers,
 * any body — every client operation ends in a value or an AnyarchError, never a TypeError or a
 * hang. The server is a small loopback HTTP server answering from the generated script (what no
 * real registry can be asked to do); the real registry's behaviour is tested elsewhere.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { isAnyarchError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import { MediaType } from '../oci/media.js';
import { RegistryClient } from './client.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

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
  fc.constantFrom('{"errors":[{"code":"X","message":"y"}]}', '{"tags":["a",1,null]}', '{"token":"t","expires_in":-1}', '{"schemaVersion":2,"manifests":[]}', 'null').map((s) => Buffer.from(s)),
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

describe('registry client against arbitrary answers', () => {
  let server: Server;
  let host = '';
  let script: Answer[] = [];
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      const a = script.shift() ?? { status: 404, headers: {}, body: new Uint8Array() };
      try {
        res.writeHead(a.status, a.headers);
        res.end(req.method === 'HEAD' ? undefined : a.body);
      } catch {
        res.destroy();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('every operation ends in a result or an AnyarchError', async () => {
    const blob = new TextEncoder().encode('some blob content for the fuzz test');
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(blob), size: blob.length };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPS).chain((op) => fc.tuple(fc.constant(op), scriptFor(op))), async ([op, answers]) => {
        script = [...answers];
        const client = new RegistryClient({ credentials: async () => ({ username: 'u', password: 'p' }), retry: { attempts: 2, baseMs: 1, maxMs: 2, maxRetryAfterMs: 5 }, timeoutMs: 500 });
        const repo = { registry: host, repository: 'x' };
        try {
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
            case 'listTags':
              await client.listTags(repo);
              break;
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
              await client.putManifest(repo, 'latest', Buffer.from('{"schemaVersion":2}'), MediaType.OCI_MANIFEST);
              break;
            case 'ping':
              await client.ping(host);
              break;
          }
        } catch (e) {
          if (!isAnyarchError(e)) throw e;
          assert.ok(!e.message.includes(Buffer.from('u:p').toString('base64')));
        }
      }),
      { seed: 20261122, numRuns: 2000 },
    );
  });
});
