// The Docker Engine API client: where the engine is (DOCKER_HOST), which API version, and images
// in and out: inspect, export as a stream, and load (`POST /images/load`, which `build` needs),
// against the real engine (Debian's dockerd 20.10, test/support/dockerd.ts) and a fake one for
// what a real engine will not do on demand.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { startDockerd, type TestDockerd } from '../../test/support/dockerd.js';
import { fakeEngine } from '../../test/support/fake-engine.js';
import { buildTestImage, readAll, writeDockerArchive, type BuiltImage } from '../../test/support/images.js';
import { AnyarchError } from '../errors.js';
import { connectDockerEngine, DEFAULT_DOCKER_SOCKET, dockerEndpoint, MAX_API_VERSION, negotiateApiVersion } from './api.js';

const tmp = tempPaths('anyarch-engine-api-');

describe('Engine API: where the engine is, which version', () => {
  test('dockerEndpoint: the default socket, unix://, loopback tcp://', () => {
    assert.deepEqual(dockerEndpoint(undefined, {}), { kind: 'unix', socketPath: DEFAULT_DOCKER_SOCKET, display: DEFAULT_DOCKER_SOCKET });
    assert.deepEqual(dockerEndpoint('', {}), { kind: 'unix', socketPath: DEFAULT_DOCKER_SOCKET, display: DEFAULT_DOCKER_SOCKET });
    assert.deepEqual(dockerEndpoint('unix:///run/user/1000/docker.sock', {}), { kind: 'unix', socketPath: '/run/user/1000/docker.sock', display: '/run/user/1000/docker.sock' });
    assert.deepEqual(dockerEndpoint('tcp://127.0.0.1:2375', {}), { kind: 'tcp', host: '127.0.0.1', port: 2375, display: 'tcp://127.0.0.1:2375' });
    assert.deepEqual(dockerEndpoint('tcp://localhost', {}), { kind: 'tcp', host: 'localhost', port: 2375, display: 'tcp://localhost:2375' });
    assert.deepEqual(dockerEndpoint('tcp://[::1]:2380', {}), { kind: 'tcp', host: '::1', port: 2380, display: 'tcp://[::1]:2380' });
    assert.deepEqual(dockerEndpoint('TCP://127.0.0.2:1', {}).kind, 'tcp');
  });

  test('dockerEndpoint refuses what it cannot reach safely, without echoing credentials', () => {
    const cases: [string, RegExp, NodeJS.ProcessEnv?][] = [
      ['tcp://10.0.0.5:2375', /tcp:\/\/10\.0\.0\.5:2375 is not on this machine/],
      ['tcp://docker.example.com:2376', /is not on this machine/],
      ['tcp://127.0.0.1:2376', /DOCKER_TLS_VERIFY: anyarch does not talk TLS/, { DOCKER_TLS_VERIFY: '1' }],
      ['tcp://127.0.0.1:2375/base', /only tcp:\/\/HOST\[:PORT\]/],
      ['ssh://me:secret@build-host', /DOCKER_HOST ssh:\/\/ is not supported/],
      ['npipe:////./pipe/docker_engine', /DOCKER_HOST npipe:\/\/ is not supported/],
      ['fd://', /DOCKER_HOST fd:\/\/ is not supported/],
      ['/var/run/docker.sock', /DOCKER_HOST "\/var\/run\/docker.sock" is not supported/],
    ];
    for (const [host, re, env] of cases) {
      assert.throws(
        () => dockerEndpoint(host, env ?? {}),
        (e: unknown) => {
          const err = e as { code: string; message: string };
          assert.equal(err.code, 'E_SOURCE', host);
          assert.match(err.message, re);
          assert.ok(!err.message.includes('secret') && !err.message.includes('\n'), err.message);
          return true;
        },
      );
    }
  });

  test('negotiateApiVersion: the engine\'s, capped at ours, never under its minimum', () => {
    assert.equal(MAX_API_VERSION, '1.41');
    assert.equal(negotiateApiVersion('1.41'), '1.41');
    assert.equal(negotiateApiVersion('1.50', '1.24'), '1.41');
    assert.equal(negotiateApiVersion('1.40'), '1.40');
    assert.equal(negotiateApiVersion('1.9'), '1.9');
    assert.equal(negotiateApiVersion('2.0'), '1.41');
    assert.equal(negotiateApiVersion('1.50', '1.44'), '1.44');
    assert.equal(negotiateApiVersion(undefined), '1.24');
    assert.equal(negotiateApiVersion('junk'), '1.24');
  });
});

describe('Engine API: the real engine', () => {
  let dockerd: TestDockerd;
  let image: BuiltImage;
  before(async () => {
    image = buildTestImage([{ platform: { os: 'linux', architecture: 's390x' } }], { single: true });
    dockerd = await startDockerd();
  });
  after(async () => {
    await dockerd?.stop();
  });

  test('connects: pings, agrees on the engine\'s version capped at 1.41', async () => {
    const engine = await connectDockerEngine({ host: dockerd.host });
    assert.equal(engine.apiVersion, negotiateApiVersion(dockerd.apiVersion));
    assert.deepEqual(engine.endpoint, { kind: 'unix', socketPath: dockerd.socket, display: dockerd.socket });
  });

  test('loads a docker-save tarball streamed in: the engine names what it loaded, inspect and export find it', async () => {
    const file = tmp('load.tar');
    await writeDockerArchive(file, image, 0, ['anyarch-test/loaded:1']);
    const engine = await connectDockerEngine({ env: { DOCKER_HOST: dockerd.host }, subject: 'load test' });
    assert.deepEqual(await engine.imageLoad(createReadStream(file)), ['anyarch-test/loaded:1']);
    const inspect = await engine.imageInspect('anyarch-test/loaded:1');
    assert.equal(inspect?.Id, image.manifests[0]!.configDigest);
    assert.equal(inspect?.Architecture, 's390x');
    assert.equal(await engine.imageExists('anyarch-test/loaded:1'), true);
    assert.equal((await dockerd.inspectImage('anyarch-test/loaded:1')).Architecture, 's390x', 'the engine agrees, asked by the test harness');
    const exported = await readAll(await engine.imageExport('anyarch-test/loaded:1'));
    assert.ok(exported.length > 1024 && Buffer.from(exported.subarray(257, 262)).toString() === 'ustar', 'a tar archive');
  });

  test('an image without a name loads by id', async () => {
    const file = tmp('untagged.tar');
    const untagged = buildTestImage([{ platform: { os: 'linux', architecture: 'ppc64le' } }], { single: true });
    await writeDockerArchive(file, untagged, 0, []);
    const engine = await connectDockerEngine({ host: dockerd.host });
    assert.deepEqual(await engine.imageLoad(createReadStream(file)), [untagged.manifests[0]!.configDigest]);
  });

  test('what is not an image: E_SOURCE with the engine\'s own words; a missing image: undefined, E_NOT_FOUND on export', async () => {
    const engine = await connectDockerEngine({ host: dockerd.host, subject: 'docker-archive:junk.tar' });
    const e = await rejectsWith(engine.imageLoad(Readable.from([Buffer.alloc(10_240)])), 'E_SOURCE', /^docker-archive:junk\.tar: the Docker engine at .* could not load the image: .*repositories: no such file or directory$/);
    assert.ok(!e.message.includes('\n'));
    assert.equal(await engine.imageInspect('anyarch-test/never-loaded:1'), undefined);
    assert.equal(await engine.imageExists('anyarch-test/never-loaded:1'), false);
    await rejectsWith(engine.imageExport('anyarch-test/never-loaded:1'), 'E_NOT_FOUND', /^no image anyarch-test\/never-loaded:1 in the Docker engine at /);
  });
});

describe('Engine API: fake engines', () => {
  const speaks = (handler: (url: string, res: import('node:http').ServerResponse) => void) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url === '/_ping') res.writeHead(200, { 'api-version': '1.41' }).end('OK');
    else if (req.url === '/version') res.writeHead(200, { 'content-type': 'application/json' }).end('{"ApiVersion":"1.41"}');
    else {
      req.resume();
      req.on('end', () => handler(req.url ?? '', res));
    }
  };

  test('load: the tarball is streamed to POST /v1.41/images/load; an {"error"} line in a 200 answer is E_SOURCE quoting it', async () => {
    let received = 0;
    const fake = await fakeEngine(
      tmp('fake.sock'),
      speaks((_url, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"stream":"Loading layer"}\n{"errorDetail":{"message":"open /var/lib/docker/tmp/x: no space left on device"},"error":"open /var/lib/docker/tmp/x: no space left on device"}\n')),
    );
    try {
      const engine = await connectDockerEngine({ host: `unix://${fake.socket}`, subject: 'load test' });
      const body = Readable.from((function* () { for (let i = 0; i < 64; i++) { received += 16384; yield Buffer.alloc(16384); } })());
      await rejectsWith(engine.imageLoad(body), 'E_SOURCE', /^load test: the Docker engine at .*fake\.sock could not load the image: open \/var\/lib\/docker\/tmp\/x: no space left on device$/);
      assert.equal(received, 64 * 16384);
      assert.deepEqual(fake.requests, ['GET /_ping', 'GET /version', 'POST /v1.41/images/load?quiet=1']);
    } finally {
      await fake.close();
    }
  });

  test('load answered with lines that are JSON but no messages (null, false): E_SOURCE, not a TypeError (found by the engine-api fuzz target)', async () => {
    const fake = await fakeEngine(tmp('fake.sock'), speaks((_url, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('false\nnull\n')));
    try {
      const engine = await connectDockerEngine({ host: `unix://${fake.socket}`, subject: 'load test' });
      await rejectsWith(engine.imageLoad(Readable.from([Buffer.alloc(100)])), 'E_SOURCE', /answered POST \/images\/load with something that is not JSON messages$/);
    } finally {
      await fake.close();
    }
  });

  test('load refused with a status: E_SOURCE with the engine\'s message', async () => {
    const fake = await fakeEngine(tmp('fake.sock'), speaks((_url, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"unexpected EOF"}')));
    try {
      const engine = await connectDockerEngine({ host: `unix://${fake.socket}`, subject: 'load test' });
      await rejectsWith(engine.imageLoad(Readable.from([Buffer.alloc(100)])), 'E_SOURCE', /answered POST \/images\/load with HTTP 500: unexpected EOF$/);
    } finally {
      await fake.close();
    }
  });

  test('load of a tarball that fails on the way: the tarball\'s own error, not the engine\'s', async () => {
    const fake = await fakeEngine(tmp('fake.sock'), speaks((_url, res) => res.writeHead(200).end('{"stream":"Loaded image: x:1\\n"}\n')));
    try {
      const engine = await connectDockerEngine({ host: `unix://${fake.socket}`, subject: 'load test' });
      const missing = tmp('no-such.tar');
      const e = await rejectsWith(engine.imageLoad(createReadStream(missing)), 'E_SOURCE', /ENOENT/);
      assert.doesNotMatch(e.message, /Docker engine/);
      assert.ok(e.message.includes(missing), e.message);
      async function* altered(): AsyncGenerator<Buffer> {
        yield Buffer.alloc(65_536);
        await new Promise((r) => setTimeout(r, 50));
        throw new AnyarchError('E_DIGEST', 'layer 1: content digest differs');
      }
      await rejectsWith(engine.imageLoad(Readable.from(altered())), 'E_DIGEST', /^layer 1: content digest differs$/);
    } finally {
      await fake.close();
    }
  });

  test('no engine: E_SOURCE naming the subject and the socket', async () => {
    const sock = tmp('missing.sock');
    const e = await rejectsWith(connectDockerEngine({ host: `unix://${sock}`, subject: 'build' }), 'E_SOURCE');
    assert.equal(e.message, `build: no Docker engine at ${sock} (no such socket)`);
  });
});

describe('Engine API: one deadline per exchange', () => {
  // an engine that answers the headers of every request, then never sends (or only trickles) the body
  const stalls = (trickle: boolean) => (_req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
    res.write('{');
    if (!trickle) return;
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
    res.on('close', () => clearInterval(timer));
  };

  for (const trickle of [false, true]) {
    test(`an engine that ${trickle ? 'trickles' : 'stalls'} its answer's body: E_SOURCE at the deadline, naming the subject and the request`, { timeout: 60_000 }, async () => {
      const fake = await fakeEngine(tmp('stall.sock'), stalls(trickle));
      try {
        const e = await rejectsWith(connectDockerEngine({ host: `unix://${fake.socket}`, subject: 'docker-daemon:x:1', timeoutMs: 500 }), 'E_SOURCE');
        assert.equal(e.message, `docker-daemon:x:1: the Docker engine at ${fake.socket} did not answer GET /_ping within 0.5 s`);
      } finally {
        await fake.close();
      }
    });
  }

  test('an engine that accepts and says nothing: the same', { timeout: 60_000 }, async () => {
    const fake = await fakeEngine(tmp('silent.sock'), () => undefined);
    try {
      await rejectsWith(connectDockerEngine({ host: `unix://${fake.socket}`, subject: 'docker-daemon:x:1', timeoutMs: 500 }), 'E_SOURCE', /did not answer GET \/_ping within 0\.5 s$/);
    } finally {
      await fake.close();
    }
  });
});
