/**
 * credentialedClient: the one way anyarch's commands make a registry client. Credentials come
 * from the Docker config of the environment given (not the process's), and plain HTTP is
 * allowed only for loopback and the registries named.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { credentialedClient } from './credentialed.js';

describe('credentialedClient', () => {
  let server: Server;
  let host: string;
  let work: string;
  const seen: (string | undefined)[] = [];

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/v2/') {
        seen.push(req.headers.authorization);
        if (!req.headers.authorization) {
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Type': 'application/json' }).end('{}');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-credentialed-'));
    await writeFile(path.join(work, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } }));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('credentials come from the Docker config of the environment given', async () => {
    await credentialedClient({ env: { DOCKER_CONFIG: work } }).ping(host);
    assert.deepEqual(seen.slice(-2), [undefined, `Basic ${Buffer.from('ci:s3cret').toString('base64')}`]);
    await assert.rejects(credentialedClient({ env: { DOCKER_CONFIG: path.join(work, 'none') } }).ping(host), (e) => isAnyarchError(e) && e.code === 'E_AUTH');
  });

  test('plain HTTP only for loopback and the registries named insecure', () => {
    assert.equal(credentialedClient({ env: {} }).baseUrl('registry.test:5000'), 'https://registry.test:5000');
    assert.equal(credentialedClient({ env: {}, insecureRegistries: ['registry.test:5000'] }).baseUrl('registry.test:5000'), 'http://registry.test:5000');
    assert.equal(credentialedClient({ env: {} }).baseUrl(host), `http://${host}`);
  });
});
