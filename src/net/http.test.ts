/**
 * The generic HTTP exchange against small loopback servers: streamed request bodies (read only as
 * fast as the socket takes them, failing with their own error), timeouts, and how failures are
 * named.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { closeIdleConnections, discard, isTemporaryStatus, NetworkError, readBody, redactUserInfo, send, serverUrl, toNetworkError } from './http.js';
import { gzipSync } from 'node:zlib';

const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
}

/** An endless stream of 1 MiB pieces that counts what was taken from it. */
function counting(): { stream: Readable; taken: () => number } {
  let taken = 0;
  const stream = new Readable({
    read() {
      taken += 1 << 20;
      this.push(Buffer.alloc(1 << 20, 7));
    },
  });
  return { stream, taken: () => taken };
}

test('isTemporaryStatus: 408, 429, 500, 502, 503, 504; nothing else', () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isTemporaryStatus(s), true, String(s));
  // 501 Not Implemented, 505, 507 Insufficient Storage, 508...: the same answer next time
  for (const s of [200, 201, 301, 400, 401, 403, 404, 409, 416, 501, 505, 507, 508, 511, 599, 600]) assert.equal(isTemporaryStatus(s), false, String(s));
});

describe('toNetworkError', () => {
  test('an AnyarchError passes through, also when wrapped as the cause', () => {
    const own = new AnyarchError('E_DIGEST', 'content digest differs');
    assert.equal(toNetworkError(own, 'x', 'http://h/'), own);
    assert.equal(toNetworkError(new Error('request failed', { cause: own }), 'x', 'http://h/'), own);
  });
  test('connection failures are transient E_NETWORK; a malformed answer (llhttp HPE_*) is E_NETWORK, not transient', () => {
    const reset = toNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'manifest x', 'http://h:1/');
    assert.ok(reset instanceof NetworkError && reset.transient);
    assert.equal(reset.message, 'manifest x: ECONNRESET talking to h:1');
    const parse = toNetworkError(Object.assign(new Error('Parse Error: Invalid character in Content-Length'), { code: 'HPE_INVALID_CONTENT_LENGTH' }), 'x', 'http://h/');
    assert.ok(parse instanceof NetworkError && !parse.transient);
  });
  test('anything else is a bug and is thrown on unchanged', () => {
    const bug = new TypeError('undefined is not a function');
    assert.throws(() => toNetworkError(bug, 'x', 'http://h/'), (e) => e === bug);
  });
});

describe('send with a streamed body', () => {
  test('reads the body only as the server takes it (a server that does not read holds it back)', async () => {
    let request: IncomingMessage | undefined;
    const url = await serve((req) => {
      request = req;
      req.pause(); // reads nothing
    });
    const { stream, taken } = counting();
    const sent = send({ method: 'PUT', url, headers: { 'content-length': String(1 << 30) }, body: stream, what: 'upload' }, { timeoutMs: 10_000 });
    sent.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(taken() < 64 << 20, `${taken() >> 20} MiB taken from the source while the server read nothing`);
    request?.socket.destroy();
    await assert.rejects(sent, (e) => isAnyarchError(e) && e.code === 'E_NETWORK');
    stream.destroy();
  });

  test('all of it arrives; the answer is read as with any other request', async () => {
    const url = await serve((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.writeHead(201, { 'x-received': String(n), 'content-length': '2' }).end('ok'));
    });
    const pieces = Array.from({ length: 10 }, (_, i) => Buffer.alloc(100_000, i));
    const res = await send({ method: 'PUT', url, headers: { 'content-length': '1000000' }, body: Readable.from(pieces), what: 'upload' }, { timeoutMs: 5000 });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-received'), '1000000');
    assert.equal(Buffer.from(await readBody(res, 100, 'answer')).toString(), 'ok');
  });

  test('a body that fails ends the request with its own error', async () => {
    const url = await serve((req) => req.resume());
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(1000);
      throw new AnyarchError('E_DIGEST', 'upload: content digest differs');
    }
    await assert.rejects(send({ method: 'PUT', url, headers: { 'content-length': '2000' }, body: failing(), what: 'upload' }, { timeoutMs: 5000 }), (e) => isAnyarchError(e) && e.code === 'E_DIGEST' && /content digest differs/.test(e.message));
  });

  test('a body that fails with a plain Node error: E_SOURCE saying so, not a network failure', async () => {
    const url = await serve((req) => req.resume());
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(1000);
      throw Object.assign(new Error("ENOENT: no such file or directory, open '/x/layer.tar'"), { code: 'ENOENT' });
    }
    await assert.rejects(
      send({ method: 'PUT', url, headers: { 'content-length': '2000' }, body: failing(), what: 'upload' }, { timeoutMs: 5000 }),
      (e) => isAnyarchError(e) && !(e instanceof NetworkError) && e.code === 'E_SOURCE' && e.message === "upload: reading the request body failed (ENOENT: no such file or directory, open '/x/layer.tar')",
    );
  });

  test('a server that takes the body and never answers: transient E_NETWORK after the timeout', async () => {
    const url = await serve((req) => req.resume());
    const t0 = Date.now();
    await assert.rejects(send({ method: 'PATCH', url, headers: { 'content-length': '10' }, body: Readable.from([Buffer.alloc(10)]), what: 'chunk' }, { timeoutMs: 300 }), (e) => e instanceof NetworkError && e.transient && /chunk: no answer from .* in time/.test(e.message));
    assert.ok(Date.now() - t0 < 5000);
  });
});

describe('serverUrl: what a server names is checked before it is followed', () => {
  const refused = (value: string, re: RegExp): void => {
    assert.throws(
      () => serverUrl(value, 'http://127.0.0.1:5000/v2/x/manifests/1', 'manifest 127.0.0.1:5000/x:1', 'Location'),
      (e) => isAnyarchError(e) && e.code === 'E_REGISTRY' && e.message.startsWith('manifest 127.0.0.1:5000/x:1: ') && re.test(e.message) && !/pw-9|bob/.test(e.message),
    );
  };
  test('http(s), relative or absolute, without user-info: followed', () => {
    assert.equal(serverUrl('/v2/x/blobs/a', 'http://127.0.0.1:5000/v2/', 'w', 'Location').toString(), 'http://127.0.0.1:5000/v2/x/blobs/a');
    assert.equal(serverUrl('https://storage.example/b?sig=1', 'http://h/', 'w', 'Location').host, 'storage.example');
  });
  test('user-info, other schemes and invalid URLs: E_REGISTRY naming the request, the credentials never shown', () => {
    refused('http://bob:pw-9@127.0.0.1:5000/x', /user-info \(credentials in the URL, http:\/\/\*\*\*@127\.0\.0\.1:5000\)/);
    refused('http://bob@127.0.0.1:5000/x', /user-info/);
    refused('//bob:pw-9@other.example/x', /user-info/);
    refused('ftp://bob:pw-9@127.0.0.1/x', /a ftp: URL; anyarch follows only http and https/);
    refused('file:///etc/passwd', /a file: URL/);
    refused('javascript:alert(1)', /a javascript: URL/);
    refused('http://bob:pw-9@[zz/', /invalid Location \("http:\/\/\*\*\*@\[zz\/"\)/);
  });
  test('redactUserInfo', () => {
    assert.equal(redactUserInfo('see http://bob:pw-9@h/x and https://a@b/c'), 'see http://***@h/x and https://***@b/c');
    // a password holding @ is hidden whole, not up to its first @
    assert.equal(redactUserInfo('http://u:p@ss@h/x'), 'http://***@h/x');
    assert.equal(redactUserInfo('"http://u:p@ss@[bad/x"'), '"http://***@[bad/x"');
    assert.equal(redactUserInfo('http://h/x?next=a@b'), 'http://h/x?next=a@b');
  });
});

describe('send with a deadline signal', () => {
  test('the signal ends the body read after send returned, with its reason', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x');
    });
    const ctrl = new AbortController();
    const res = await send({ method: 'GET', url, what: 'manifest h/x:1' }, { timeoutMs: 60_000, signal: ctrl.signal });
    const reading = readBody(res, 10_000, 'manifest h/x:1');
    const late = new NetworkError('manifest h/x:1: no complete answer in time', false);
    setTimeout(() => ctrl.abort(late), 50);
    await assert.rejects(reading, (e) => e === late);
  });

  test('an aborted signal ends a streamed request too', async () => {
    const url = await serve((req) => req.resume());
    const ctrl = new AbortController();
    const late = new NetworkError('upload: no complete answer in time', false);
    setTimeout(() => ctrl.abort(late), 50);
    await assert.rejects(send({ method: 'PUT', url, headers: { 'content-length': '10' }, body: Readable.from([Buffer.alloc(10)]), what: 'upload' }, { timeoutMs: 60_000, signal: ctrl.signal }), (e) => e === late);
  });
});

describe('connections and encodings', () => {
  test('a connection is kept for the next request; closeIdleConnections closes it', async () => {
    const ports: number[] = [];
    const url = await serve((req, res) => {
      ports.push(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    const get = async (): Promise<string> => Buffer.from(await readBody(await send({ method: 'GET', url, what: 'x' }, { timeoutMs: 5000 }), 100, 'x')).toString();
    assert.equal(await get(), 'ok');
    assert.equal(await get(), 'ok');
    closeIdleConnections();
    assert.equal(await get(), 'ok');
    assert.equal(ports.length, 3);
    assert.equal(ports[1], ports[0], 'the second request reused the first connection');
    assert.notEqual(ports[2], ports[1], 'after closeIdleConnections a new connection');
  });

  test('an answer gzip-encoded despite accept-encoding identity is decoded; a discarded short answer keeps the connection', async () => {
    const asked: (string | undefined)[] = [];
    const ports: number[] = [];
    const url = await serve((req, res) => {
      asked.push(req.headers['accept-encoding']);
      ports.push(req.socket.remotePort ?? 0);
      if (req.url?.endsWith('/upload')) {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.from('{"a":1}')));
      } else res.writeHead(404, { 'content-length': '9' }).end('not found');
    });
    const res = await send({ method: 'GET', url, what: 'x' }, { timeoutMs: 5000 });
    assert.equal(Buffer.from(await readBody(res, 100, 'x')).toString(), '{"a":1}');
    assert.deepEqual(asked, ['identity']);
    closeIdleConnections();
    const missing = await send({ method: 'GET', url: url.replace(/upload$/, 'missing'), what: 'x' }, { timeoutMs: 5000 });
    assert.equal(missing.status, 404);
    await discard(missing);
    await new Promise((r) => setTimeout(r, 50));
    await readBody(await send({ method: 'GET', url, what: 'x' }, { timeoutMs: 5000 }), 100, 'x');
    assert.equal(ports[2], ports[1], 'the discarded answer was read to its end and its connection reused');
  });
});
