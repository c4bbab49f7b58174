import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { connectDockerEngine } from '../engine/api.js';
import { makePlatform } from '../platform/make.js';
import { tempPaths } from '../../test/support/assert.js';
import { fakeEngine } from '../../test/support/fake-engine.js';
import { runInEngine } from './engine.js';

const tmp = tempPaths('anyarch-smoke-engine-');

function frame(stream: 1 | 2, text: string | Buffer, declared?: number): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(declared ?? body.length, 4);
  return Buffer.concat([h, body]);
}

test('an engine run that outlives its timeout is killed and removed; logs are split from their frames and bounded, a hostile frame size included', async () => {
  let pendingWait: ServerResponse | undefined;
  const engine = await fakeEngine(tmp('engine.sock'), (req, res) => {
    const url = req.url ?? '';
    const json = (status: number, v: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (url === '/_ping') res.end('OK');
    else if (url.endsWith('/version')) json(200, { ApiVersion: '1.41', Os: 'linux', Arch: 'amd64', Version: '20.10.24' });
    else if (url.includes('/containers/create')) json(201, { Id: 'abcdef012345' });
    else if (url.endsWith('/start')) res.writeHead(204).end();
    else if (url.endsWith('/wait')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      pendingWait = res; // answers when killed
    } else if (url.includes('/kill')) {
      res.writeHead(204).end();
      pendingWait?.end(JSON.stringify({ StatusCode: 137 }));
    } else if (url.includes('/logs')) {
      res.writeHead(200);
      res.write(frame(1, 'hello\n'));
      res.write(frame(2, 'an error\n'));
      res.end(frame(1, 'x'.repeat(100), 0xffffffff)); // declares 4 GiB
    } else if (req.method === 'DELETE') res.writeHead(204).end();
    else json(404, { message: 'no such thing' });
  });
  try {
    const client = await connectDockerEngine({ host: `unix://${engine.socket}` });
    const r = await runInEngine(client, { platform: makePlatform('linux', 'amd64'), image: 'img', argv: ['/bin/sleep', '100'], timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.ok, false);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.output, 'hello\nan error\n');
    assert.equal(r.via, 'engine');
    const sent = engine.requests.map((q) => q.replace('abcdef012345', 'ID').replace(/\?.*$/, ''));
    assert.deepEqual(sent.slice(sent.indexOf('POST /v1.41/containers/create')), [
      'POST /v1.41/containers/create',
      'POST /v1.41/containers/ID/start',
      'POST /v1.41/containers/ID/wait',
      'POST /v1.41/containers/ID/kill',
      'GET /v1.41/containers/ID/logs',
      'DELETE /v1.41/containers/ID',
    ]);
    assert.ok(engine.requests.some((q) => q.includes('/containers/create?platform=linux%2Famd64')));

    const bounded = await client.containerLogs('abcdef012345', 8);
    assert.equal(bounded.bytes.toString(), 'hello\nan');
    assert.equal(bounded.truncated, true);
  } finally {
    await engine.close();
  }
});

test('an engine that refuses the container is a failed result naming what it said, and nothing is left to remove', async () => {
  const engine = await fakeEngine(tmp('engine.sock'), (req, res) => {
    const url = req.url ?? '';
    if (url === '/_ping') res.end('OK');
    else if (url.endsWith('/version')) res.end(JSON.stringify({ ApiVersion: '1.41', Os: 'linux', Arch: 'amd64' }));
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such image: img' }));
    }
  });
  try {
    const client = await connectDockerEngine({ host: `unix://${engine.socket}` });
    const r = await runInEngine(client, { platform: makePlatform('linux', 'amd64'), image: 'img', argv: ['/bin/true'] });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /No such image: img/);
    assert.equal(engine.requests.some((q) => q.startsWith('DELETE')), false);
  } finally {
    await engine.close();
  }
});
