import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

// A small upstream standing in for the registry.
const BLOB = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) % 256));
let upstream: http.Server;
let upstreamUrl = '';
let upstreamHits = 0;
let lastUpstreamHeaders: http.IncomingHttpHeaders = {};
let proxy: FaultProxy;

function upstreamHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  upstreamHits++;
  lastUpstreamHeaders = req.headers;
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/blob') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BLOB.length });
    res.end(req.method === 'HEAD' ? undefined : BLOB);
  } else if (url.pathname === '/chunked') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(BLOB.subarray(0, 400));
    setTimeout(() => res.end(BLOB.subarray(400)), 10);
  } else if (url.pathname === '/upload') {
    const hash = createHash('sha256');
    let size = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    req.on('end', () => {
      res.writeHead(202, {
        location: `${upstreamUrl}/v2/repo/blobs/uploads/abc?_state=xyz`,
        'x-size': String(size),
        'x-sha256': hash.digest('hex'),
        'content-length': 0,
      });
      res.end();
    });
  } else if (url.pathname === '/redirects') {
    res.writeHead(401, {
      location: url.searchParams.get('to') ?? '/relative/path',
      'www-authenticate': `Bearer realm="${upstreamUrl}/token",service="${upstreamUrl.slice(7)}",scope="repository:a:pull"`,
      link: `<${upstreamUrl}/v2/_catalog?n=2&last=b>; rel="next"`,
      'content-length': 0,
    });
    res.end();
  } else {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
  }
}

before(async () => {
  upstream = http.createServer(upstreamHandler);
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});
beforeEach(async () => {
  await proxy?.stop();
  proxy = await startFaultProxy(upstreamUrl);
});
after(async () => {
  await proxy?.stop();
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** the error the response or request ended with, if any */
  error?: NodeJS.ErrnoException;
}

/** One request with node:http (no retries, no keep-alive), collecting whatever arrives. */
function raw(path: string, opts: { method?: string; body?: Buffer; agent?: http.Agent } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${proxy.url}${path}`, { method: opts.method ?? 'GET', agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      const done = (error?: NodeJS.ErrnoException): void =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ...(error ? { error } : {}) });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done());
      res.on('error', (e: NodeJS.ErrnoException) => done(e));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('pass-through', () => {
  test('forwards the body and rewrites Host', async () => {
    const res = await fetch(`${proxy.url}/blob`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), BLOB);
    assert.equal(lastUpstreamHeaders.host, upstreamUrl.slice('http://'.length));
    assert.equal(proxy.log.length, 1);
    assert.equal(proxy.log[0]?.method, 'GET');
    assert.equal(proxy.log[0]?.path, '/blob');
    assert.equal(proxy.log[0]?.status, 200);
    assert.equal(proxy.log[0]?.fault, undefined);
  });

  test('streams a large upload to the upstream unchanged', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const res = await raw('/upload', { method: 'PUT', body });
    assert.equal(res.status, 202);
    assert.equal(res.headers['x-size'], String(body.length));
    assert.equal(res.headers['x-sha256'], createHash('sha256').update(body).digest('hex'));
  });

  test('HEAD and chunked responses', async () => {
    const head = await fetch(`${proxy.url}/blob`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(BLOB.length));
    const chunked = await fetch(`${proxy.url}/chunked`);
    assert.deepEqual(Buffer.from(await chunked.arrayBuffer()), BLOB);
  });

  test('keeps connections alive', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports = new Set<number>();
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = http.get(`${proxy.url}/blob`, { agent }, (res) => {
            ports.add(req.socket?.localPort ?? -1);
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
        });
      }
      assert.equal(ports.size, 1, 'one connection for three requests');
    } finally {
      agent.destroy();
    }
  });

  test('rewrites absolute upstream URLs in Location, Link and the WWW-Authenticate realm', async () => {
    const upload = await raw('/upload', { method: 'POST', body: Buffer.from('x') });
    assert.equal(upload.headers.location, `${proxy.url}/v2/repo/blobs/uploads/abc?_state=xyz`);

    const r = await raw('/redirects');
    assert.equal(r.headers.location, '/relative/path', 'relative Location unchanged');
    assert.match(String(r.headers['www-authenticate']), new RegExp(`realm="${proxy.url}/token"`));
    assert.equal(r.headers.link, `<${proxy.url}/v2/_catalog?n=2&last=b>; rel="next"`);

    const other = await raw(`/redirects?to=${encodeURIComponent('http://127.0.0.2:1/elsewhere')}`);
    assert.equal(other.headers.location, 'http://127.0.0.2:1/elsewhere', 'other origins unchanged');
    const longerPort = `${upstreamUrl}9/x`;
    const near = await raw(`/redirects?to=${encodeURIComponent(longerPort)}`);
    assert.equal(near.headers.location, longerPort, 'a different port is a different origin');
  });

  test('binds 127.0.0.1 only', () => {
    assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(proxy.host, proxy.url.slice('http://'.length));
  });
});

describe('faults', () => {
  test('status: the injected answer, without asking the upstream; then pass-through', async () => {
    proxy.setRules([
      {
        match: { path: /^\/blob$/ },
        faults: [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: 'slow down' },
        ],
      },
    ]);
    const hits = upstreamHits;
    const a = await fetch(`${proxy.url}/blob`);
    assert.equal(a.status, 503);
    assert.match(await a.text(), /UNKNOWN/);
    const b = await fetch(`${proxy.url}/blob`);
    assert.equal(b.status, 429);
    assert.equal(b.headers.get('retry-after'), '1');
    assert.equal(await b.text(), 'slow down');
    assert.equal(upstreamHits, hits, 'the upstream was not asked');
    const c = await fetch(`${proxy.url}/blob`);
    assert.equal(c.status, 200);
    assert.deepEqual(Buffer.from(await c.arrayBuffer()), BLOB);
    assert.deepEqual(
      proxy.log.map((e) => [e.fault, e.status]),
      [
        ['status 503', 503],
        ['status 429', 429],
        [undefined, 200],
      ],
    );
  });

  test('status after an upload body: the client still gets the answer', async () => {
    proxy.setRules([{ match: { method: 'put' }, faults: [{ kind: 'status', status: 500 }] }]);
    const res = await raw('/upload', { method: 'PUT', body: Buffer.alloc(512 * 1024, 1) });
    assert.equal(res.status, 500);
  });

  test('reset: the connection is reset before any response', async () => {
    proxy.setRules([{ match: { path: /blob/ }, faults: [{ kind: 'reset' }, { kind: 'reset' }] }]);
    const hits = upstreamHits;
    await assert.rejects(raw('/blob'), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET' || /socket hang up/.test(e.message));
    await assert.rejects(fetch(`${proxy.url}/blob`), TypeError);
    assert.equal(upstreamHits, hits);
    assert.equal((await fetch(`${proxy.url}/blob`)).status, 200);
    assert.deepEqual(proxy.log.map((e) => e.fault), ['reset', 'reset', undefined]);
  });

  test('truncate: the original Content-Length, the first N bytes, then the connection closes', async () => {
    proxy.setRules([{ match: { path: /blob/ }, faults: [{ kind: 'truncate', afterBytes: 100 }, { kind: 'truncate', afterBytes: 0 }, { kind: 'truncate', afterBytes: 300 }] }]);
    const r = await raw('/blob');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(BLOB.length));
    assert.deepEqual(r.body, BLOB.subarray(0, 100));
    assert.ok(r.error, 'the response ends with an error');

    const zero = await raw('/blob');
    assert.equal(zero.headers['content-length'], String(BLOB.length));
    assert.equal(zero.body.length, 0);
    assert.ok(zero.error);

    const viaFetch = await fetch(`${proxy.url}/blob`);
    assert.equal(viaFetch.status, 200);
    await assert.rejects(viaFetch.arrayBuffer());
    assert.deepEqual(proxy.log.map((e) => e.fault), ['truncate 100', 'truncate 0', 'truncate 300']);
  });

  test('truncate of a chunked body', async () => {
    proxy.setRules([{ match: { path: /chunked/ }, faults: [{ kind: 'truncate', afterBytes: 500 }] }]);
    const r = await raw('/chunked');
    assert.equal(r.headers['content-length'], undefined);
    assert.deepEqual(r.body, BLOB.subarray(0, 500));
    assert.ok(r.error);
  });

  test('corrupt: same length, one byte flipped (the given one, else the middle)', async () => {
    proxy.setRules([{ match: {}, faults: [{ kind: 'corrupt', atByte: 10 }, { kind: 'corrupt' }] }]);
    for (const at of [10, BLOB.length / 2]) {
      const res = await fetch(`${proxy.url}/blob`);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(body.length, BLOB.length);
      const diff = [...body.keys()].filter((i) => body[i] !== BLOB[i]);
      assert.deepEqual(diff, [at]);
      assert.equal((body[at] ?? 0) ^ (BLOB[at] ?? 0), 0x01);
    }
    assert.deepEqual(proxy.log.map((e) => e.fault), ['corrupt@10', 'corrupt@500']);
  });

  test('corrupt across chunks of a chunked body', async () => {
    proxy.setRules([{ match: {}, faults: [{ kind: 'corrupt', atByte: 450 }] }]);
    const body = Buffer.from(await (await fetch(`${proxy.url}/chunked`)).arrayBuffer());
    assert.deepEqual([...body.keys()].filter((i) => body[i] !== BLOB[i]), [450]);
  });

  test('delay: the answer comes after the delay', async () => {
    proxy.setRules([{ match: { method: 'GET' }, faults: [{ kind: 'delay', ms: 250 }] }]);
    const t0 = Date.now();
    const res = await fetch(`${proxy.url}/blob`);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), BLOB);
    assert.ok(Date.now() - t0 >= 240, `took ${Date.now() - t0} ms`);
    const t1 = Date.now();
    await (await fetch(`${proxy.url}/blob`)).arrayBuffer();
    assert.ok(Date.now() - t1 < 240, 'the next one is not delayed');
  });

  test('a client that gives up during a delay', async () => {
    proxy.setRules([{ match: {}, faults: [{ kind: 'delay', ms: 300 }] }]);
    const hits = upstreamHits;
    await assert.rejects(fetch(`${proxy.url}/blob`, { signal: AbortSignal.timeout(50) }));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(upstreamHits, hits, 'nothing forwarded for a gone client');
  });
});

describe('rules', () => {
  test('consumed in order per rule, filtered by method and path; the first rule with faults left wins', async () => {
    const faults = [
      { kind: 'status' as const, status: 500 },
      { kind: 'status' as const, status: 502 },
    ];
    proxy.setRules([
      { match: { method: 'HEAD', path: /^\/blob$/ }, faults: [{ kind: 'status', status: 404 }] },
      { match: { path: /^\/blob$/ }, faults },
      { match: { path: /blob/ }, faults: [{ kind: 'status', status: 503 }] },
    ]);
    const statuses: number[] = [];
    for (const method of ['GET', 'HEAD', 'GET', 'GET', 'GET']) statuses.push((await fetch(`${proxy.url}/blob`, { method })).status);
    assert.deepEqual(statuses, [500, 404, 502, 503, 200]);
    assert.equal(faults.length, 2, "the caller's fault list is not consumed");
  });

  test('a path regex also sees the query; setRules replaces the rules', async () => {
    proxy.setRules([{ match: { path: /digest=sha256/ }, faults: [{ kind: 'status', status: 400 }] }]);
    assert.equal((await fetch(`${proxy.url}/blob?digest=sha256:abc`)).status, 400);
    proxy.setRules([{ match: { path: /^\/blob$/g }, faults: [{ kind: 'status', status: 418 }, { kind: 'status', status: 418 }] }]);
    assert.equal((await fetch(`${proxy.url}/blob`)).status, 418);
    assert.equal((await fetch(`${proxy.url}/blob`)).status, 418, 'a global regex is not stateful across requests');
    proxy.setRules([]);
    assert.equal((await fetch(`${proxy.url}/blob`)).status, 200);
  });

  test('stop closes the listener and is idempotent', async () => {
    await proxy.stop();
    await proxy.stop();
    await assert.rejects(fetch(`${proxy.url}/blob`));
  });
});
