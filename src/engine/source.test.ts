// docker-daemon: against the real Docker engine (Debian's dockerd 20.10, started by
// test/support/dockerd.ts), and against small fake engines for what a real one will not do
// (break off an export, answer with errors, speak a newer API).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createConnection, createServer as createNetServer, type Server as NetServer } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { startDockerd, type TestDockerd } from '../../test/support/dockerd.js';
import { fakeEngine as startFakeEngine, type FakeEngine } from '../../test/support/fake-engine.js';
import { assertSameBytes, buildTestImage, readAll, sha256, writeDockerArchive, type BuiltImage } from '../../test/support/images.js';
import type { Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { openSource } from '../sources.js';
import { inspectPlatforms } from '../oci/platforms.js';
import { parseReference } from '../oci/reference.js';
import { parseSourceSpec } from '../oci/source-spec.js';
import type { ImageSource } from '../oci/source.js';
import { removeTemporaryDirs } from '../fs/temporary.js';
import { connectDockerEngine } from './api.js';
import { openDockerDaemon } from './source.js';

// dist/src/engine/source.test.js -> <repo>/bin/anyarch.js
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'anyarch.js');
const TAG = 'anyarch-test/app:1';

const tmp = tempPaths('anyarch-daemon-');
let dockerd: TestDockerd;
let image: BuiltImage;
let imageId: Digest;
/** A fresh, empty directory to pass as tmpDir, so what is left in it can be checked. */
function scratch(): string {
  const d = tmp('scratch');
  mkdirSync(d);
  return d;
}

before(async () => {
  image = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' } }], { single: true });
  imageId = image.manifests[0]!.configDigest as Digest;
  dockerd = await startDockerd();
  const file = tmp('app.tar');
  await writeDockerArchive(file, image, 0, [TAG]);
  assert.deepEqual(await (await connectDockerEngine({ host: dockerd.host })).imageLoad(createReadStream(file)), [TAG]);
  // the same image under a name with a registry host and port
  const tagged = await dockerd.api('POST', `/v${dockerd.apiVersion}/images/${encodeURIComponent(TAG)}/tag?repo=${encodeURIComponent('localhost:5000/team/app')}&tag=2`);
  assert.equal(tagged.status, 201, tagged.body.toString());
});
after(async () => {
  await dockerd?.stop();
});

const opts = (tmpDir?: string) => ({ env: { DOCKER_HOST: dockerd.host }, ...(tmpDir ? { tmpDir } : {}) });

/** The image's config, layers and platform, as the engine exported them. */
async function assertHoldsTheImage(src: ImageSource): Promise<void> {
  assert.equal(src.kind, 'docker-daemon');
  const root = await src.root();
  assert.equal(root.manifest.kind, 'manifest');
  if (root.manifest.kind !== 'manifest') return;
  assert.equal(root.manifest.config.digest, imageId);
  const config = JSON.parse(new TextDecoder().decode(await src.blob(root.manifest.config, 1 << 20))) as { architecture: string; os: string };
  assert.equal(config.architecture, 'arm64');
  assert.equal(config.os, 'linux');
  assertSameBytes(await src.blob(root.manifest.config, 1 << 20), image.blobs.get(imageId), 'config');
  // Docker 20.10 exports layers uncompressed, as loaded: each is the original layer, gunzipped.
  const original = (JSON.parse(new TextDecoder().decode(image.blobs.get(image.manifests[0]!.digest))) as { layers: Descriptor[] }).layers;
  assert.equal(root.manifest.layers.length, original.length);
  for (const [i, l] of root.manifest.layers.entries()) {
    const expected = gunzipSync(image.blobs.get(original[i]!.digest)!);
    assert.equal(l.digest, sha256(expected));
    assertSameBytes(await readAll(await src.blobStream(l)), expected, `layer ${i}`);
  }
  const report = await inspectPlatforms(src);
  assert.deepEqual(
    report.platforms.map((p) => p.platform),
    ['linux/arm64'],
  );
  assert.equal(report.platforms[0]!.config?.architecture, 'arm64');
}

describe('docker-daemon: the real engine', () => {
  test('by name: the root manifest, config and layers of the arm64 image; linux/arm64', async () => {
    const dir = scratch();
    const src = await openDockerDaemon(parseReference(TAG), opts(dir));
    try {
      assert.equal(src.name, `docker-daemon:${TAG}`);
      await assertHoldsTheImage(src);
      // while open: one private directory holding the export, readable by its owner only
      const [sub, ...more] = readdirSync(dir);
      assert.ok(sub && more.length === 0, `${readdirSync(dir)}`);
      assert.equal(statSync(path.join(dir, sub)).mode & 0o777, 0o700);
      assert.deepEqual(readdirSync(path.join(dir, sub)), ['image.tar']);
      assert.equal(statSync(path.join(dir, sub, 'image.tar')).mode & 0o777, 0o600);
    } finally {
      await src.close();
    }
    await src.close(); // twice is fine
    assert.deepEqual(readdirSync(dir), [], 'the temporary directory is gone after close()');
    await rejectsWith(src.root(), 'E_SOURCE', /closed/);
  });

  test('the library installs no process handlers; the export\'s directory is held in temporaryDirs until close(), and removeTemporaryDirs() removes it', async () => {
    const events = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = events.map((e) => process.listenerCount(e));
    const dir = scratch();
    const src = await openDockerDaemon(parseReference(TAG), opts(dir));
    const [sub] = readdirSync(dir);
    assert.ok(sub);
    assert.deepEqual(events.map((e) => process.listenerCount(e)), before);
    removeTemporaryDirs();
    assert.deepEqual(readdirSync(dir), []);
    await src.close(); // what the handlers removed is not missed
    assert.deepEqual(events.map((e) => process.listenerCount(e)), before);
  });

  test('by id (sha256:…, the config digest)', async () => {
    const dir = scratch();
    const src = await openDockerDaemon({ id: imageId }, opts(dir));
    try {
      assert.equal(src.name, `docker-daemon:${imageId}`);
      await assertHoldsTheImage(src);
    } finally {
      await src.close();
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  test('names are normalised as Docker does: docker.io/… and a registry host with a port', async () => {
    for (const [ref, name] of [
      [`docker.io/${TAG}`, TAG],
      ['localhost:5000/team/app:2', 'localhost:5000/team/app:2'],
    ] as const) {
      const src = await openDockerDaemon(parseReference(ref), opts());
      try {
        assert.equal(src.name, `docker-daemon:${name}`);
        assert.equal(((await src.root()).manifest as { config: Descriptor }).config.digest, imageId);
      } finally {
        await src.close();
      }
    }
  });

  test('through openSource and a parsed docker-daemon: specifier (DOCKER_HOST from the environment)', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = dockerd.host;
    try {
      for (const spec of [`docker-daemon:${TAG}`, `docker-daemon:${imageId}`, `docker-daemon:${imageId.slice('sha256:'.length)}`]) {
        const src = await openSource(parseSourceSpec(spec));
        try {
          await assertHoldsTheImage(src);
        } finally {
          await src.close();
        }
      }
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  test('a missing image is E_NOT_FOUND, by name and by id; nothing is left behind', async () => {
    const dir = scratch();
    const e = await rejectsWith(openDockerDaemon(parseReference('anyarch-test/missing:1'), opts(dir)), 'E_NOT_FOUND', /^no image anyarch-test\/missing:1 in the Docker engine at /);
    assert.ok(!e.message.includes('\n'));
    assert.ok(e.hint);
    await rejectsWith(openDockerDaemon({ id: `sha256:${'0'.repeat(64)}` }, opts(dir)), 'E_NOT_FOUND', /no image sha256:0{64} in the Docker engine/);
    await rejectsWith(openDockerDaemon(parseReference('anyarch-test/app:2'), opts(dir)), 'E_NOT_FOUND', /no image anyarch-test\/app:2 /);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('errors from reading the export name the image, not the temporary file', async () => {
    const src = await openDockerDaemon(parseReference(TAG), opts());
    try {
      const e = await rejectsWith(src.blob({ mediaType: 'application/octet-stream', digest: `sha256:${'1'.repeat(64)}`, size: 3 }, 1 << 20), 'E_NOT_FOUND');
      assert.match(e.message, new RegExp(`^docker-daemon:${TAG}: blob sha256:1{64}`));
      assert.ok(!e.message.includes('image.tar') && !e.message.includes('docker-archive:'), e.message);
    } finally {
      await src.close();
    }
  });

  test('tcp:// to a loopback address, in plain HTTP (here a proxy to the engine socket)', async () => {
    const proxy: NetServer = createNetServer((c) => {
      const up = createConnection(dockerd.socket);
      c.pipe(up).pipe(c);
      up.on('error', () => c.destroy());
      c.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    try {
      const src = await openDockerDaemon(parseReference(TAG), { env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
      try {
        await assertHoldsTheImage(src);
      } finally {
        await src.close();
      }
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  test('`anyarch platforms docker-daemon:IMAGE` end to end', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: dockerd.host };
    for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
    const r = spawnSync(process.execPath, [BIN, 'platforms', `docker-daemon:${TAG}`], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /linux\/arm64/);
    assert.match(r.stdout, new RegExp(`docker-daemon:${TAG}`));

    const json = spawnSync(process.execPath, [BIN, 'platforms', '--format', 'json', '--require', 'linux/arm64', `docker-daemon:${imageId}`], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout) as { images: { image: string; platforms: { platform: string }[] }[] };
    assert.equal(out.images[0]!.image, `docker-daemon:${imageId}`);
    assert.deepEqual(out.images[0]!.platforms.map((p) => p.platform), ['linux/arm64']);

    const missing = spawnSync(process.execPath, [BIN, 'platforms', `docker-daemon:${TAG}`], { env: { ...env, DOCKER_HOST: `unix://${tmp('nothing-here.sock')}` }, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /no Docker engine at .*nothing-here\.sock \(no such socket\)/);
  });
});

describe('docker-daemon: where the engine is', () => {
  test('DOCKER_HOST at a missing socket: E_SOURCE, one line, with a hint', async () => {
    const sock = tmp('missing.sock');
    const e = await rejectsWith(openDockerDaemon(parseReference('alpine'), { env: { DOCKER_HOST: `unix://${sock}` } }), 'E_SOURCE');
    assert.equal(e.message, `docker-daemon:alpine:latest: no Docker engine at ${sock} (no such socket)`);
    assert.ok(!e.message.includes('\n'));
    assert.match(e.hint ?? '', /DOCKER_HOST/);
  });

  test('something at the path that is not listening: refused', async () => {
    const file = tmp('not-a-socket');
    writeFileSync(file, '');
    await rejectsWith(openDockerDaemon(parseReference('alpine'), { host: `unix://${file}` }), 'E_SOURCE', /no Docker engine at .*not-a-socket \(connection refused\)$/);
  });

  test('opts.host wins over DOCKER_HOST', async () => {
    const src = await openDockerDaemon(parseReference(TAG), { host: dockerd.host, env: { DOCKER_HOST: `unix://${tmp('wrong.sock')}` } });
    await src.close();
  });

  test('an unsupported DOCKER_HOST fails openDockerDaemon with the image named', async () => {
    await rejectsWith(openDockerDaemon(parseReference('alpine:3.20'), { env: { DOCKER_HOST: 'ssh://host' } }), 'E_SOURCE', /^docker-daemon:alpine:3\.20: DOCKER_HOST ssh:\/\/ is not supported/);
  });

});

// ---------------------------------------------------------------------------------------------
// A fake engine on a unix socket, for behaviour a real one does not show on demand.

type Fake = FakeEngine;

function fakeEngine(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Fake> {
  return startFakeEngine(tmp('fake.sock'), handler);
}

/** An engine that says it speaks `api` and holds `archive` (a docker-save tar) under every name. */
function engineHandler(api: { ApiVersion?: string; MinAPIVersion?: string }, archive: () => Buffer, get?: (res: ServerResponse) => void, inspect?: (res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (url === '/_ping') {
      res.writeHead(200, { 'api-version': api.ApiVersion ?? '1.41' }).end('OK');
    } else if (url === '/version') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: 'fake', ...api }));
    } else if (/^\/v[0-9.]+\/images\/[^/]+\/json$/.test(url)) {
      if (inspect) inspect(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else if (/^\/v[0-9.]+\/images\/[^/]+\/get$/.test(url)) {
      if (get) get(res);
      else res.writeHead(200, { 'content-type': 'application/x-tar' }).end(archive());
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"page not found"}');
    }
  };
}

describe('docker-daemon: fake engines', () => {
  let archive: Buffer;
  before(async () => {
    const f = tmp('fake-archive.tar');
    await writeDockerArchive(f, image, 0, ['localhost:5000/x:1'], { layout: 'classic' });
    archive = readFileSync(f);
  });

  test('a newer engine is spoken to in API 1.41; names are URL-encoded in the path', async () => {
    const fake = await fakeEngine(engineHandler({ ApiVersion: '1.47', MinAPIVersion: '1.24' }, () => archive));
    try {
      const src = await openDockerDaemon(parseReference('localhost:5000/x:1'), { host: `unix://${fake.socket}` });
      await assertHoldsTheImage(src);
      await src.close();
      assert.deepEqual(fake.requests, ['GET /_ping', 'GET /version', 'GET /v1.41/images/localhost%3A5000%2Fx%3A1/json', 'GET /v1.41/images/localhost%3A5000%2Fx%3A1/get']);
    } finally {
      await fake.close();
    }
  });

  test('only asks whether the image is there: an inspect answer larger than a JSON read (and not JSON) does not matter', async () => {
    const huge = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.alloc(5 * 1024 * 1024, 0x20));
    const fake = await fakeEngine(engineHandler({ ApiVersion: '1.41' }, () => archive, undefined, huge));
    try {
      const src = await openDockerDaemon(parseReference('localhost:5000/x:1'), { host: `unix://${fake.socket}` });
      await assertHoldsTheImage(src);
      await src.close();
    } finally {
      await fake.close();
    }
  });

  test('an older engine is spoken to in its own version; one that does not say, in the ping header\'s', async () => {
    const old = await fakeEngine(engineHandler({ ApiVersion: '1.38' }, () => archive));
    const silent = await fakeEngine((req, res) => {
      if (req.url === '/version') res.writeHead(404).end();
      else engineHandler({ ApiVersion: '1.39' }, () => archive)(req, res);
    });
    try {
      await (await openDockerDaemon({ id: imageId }, { host: `unix://${old.socket}` })).close();
      assert.equal(old.requests[3], `GET /v1.38/images/${encodeURIComponent(imageId)}/get`);
      await (await openDockerDaemon({ id: imageId }, { host: `unix://${silent.socket}` })).close();
      assert.equal(silent.requests[3], `GET /v1.39/images/${encodeURIComponent(imageId)}/get`);
    } finally {
      await old.close();
      await silent.close();
    }
  });

  /**
   * Starts a process (`start`, given the fake engine's socket and a scratch directory for the
   * export) against an engine whose export never ends, waits until the export is being written,
   * sends `signal`: the process must end by that signal and leave the directory empty.
   */
  async function interruptDuringExport(start: (socket: string, dir: string) => ChildProcess, signal: NodeJS.Signals): Promise<void> {
    const fake = await fakeEngine(
      engineHandler({ ApiVersion: '1.41' }, () => archive, (res) => {
        res.writeHead(200, { 'content-type': 'application/x-tar' });
        res.write(archive.subarray(0, 4096)); // and never ends
      }),
    );
    const dir = scratch();
    const child = start(fake.socket, dir);
    try {
      const deadline = Date.now() + 10_000;
      const exported = (): boolean => readdirSync(dir).some((d) => { try { return statSync(path.join(dir, d, 'image.tar')).size > 0; } catch { return false; } });
      while (!exported() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(exported(), 'the export started');
      const ended = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
      child.kill(signal);
      assert.equal(await ended, signal);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      child.kill('SIGKILL');
      await fake.close();
    }
  }

  test('interrupted (SIGTERM) during the export: the temporary directory is removed and the signal ends the process', async () => {
    const daemonJs = fileURLToPath(new URL('./source.js', import.meta.url));
    const referenceJs = fileURLToPath(new URL('../oci/reference.js', import.meta.url));
    const signalsJs = fileURLToPath(new URL('../cli/signals.js', import.meta.url));
    // the library installs no handlers: the process's owner does (here as the anyarch command does)
    await interruptDuringExport((socket, dir) => {
      const script = `
        const { openDockerDaemon } = await import(${JSON.stringify(daemonJs)});
        const { parseReference } = await import(${JSON.stringify(referenceJs)});
        (await import(${JSON.stringify(signalsJs)})).installSignalHandlers();
        await openDockerDaemon(parseReference('localhost:5000/x:1'), { host: ${JSON.stringify(`unix://${socket}`)}, tmpDir: ${JSON.stringify(dir)} });
      `;
      return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    }, 'SIGTERM');
  });

  test('`anyarch platforms docker-daemon:…` interrupted (SIGINT) during the export: the command removes the directory and ends by the signal', async () => {
    await interruptDuringExport(
      (socket, dir) => spawn(process.execPath, [BIN, 'platforms', 'docker-daemon:localhost:5000/x:1'], { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, TMPDIR: dir }, stdio: 'ignore' }),
      'SIGINT',
    );
  });

  test('an export that breaks off: E_SOURCE, and the temporary directory is removed', async () => {
    const fake = await fakeEngine(
      engineHandler({ ApiVersion: '1.41' }, () => archive, (res) => {
        res.writeHead(200, { 'content-type': 'application/x-tar' });
        res.write(archive.subarray(0, 4096), () => res.destroy());
      }),
    );
    const dir = scratch();
    try {
      await rejectsWith(openDockerDaemon(parseReference('localhost:5000/x:1'), { host: `unix://${fake.socket}`, tmpDir: dir }), 'E_SOURCE', /export of the image broke off/);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await fake.close();
    }
  });

  test('an export that is not a docker-save archive: its error names the image; the directory is removed', async () => {
    const fake = await fakeEngine(engineHandler({ ApiVersion: '1.41' }, () => Buffer.alloc(1024)));
    const dir = scratch();
    try {
      const e = await rejectsWith(openDockerDaemon(parseReference('localhost:5000/x:1'), { host: `unix://${fake.socket}`, tmpDir: dir }), 'E_SOURCE');
      assert.match(e.message, /^docker-daemon:localhost:5000\/x:1: /);
      assert.ok(!e.message.includes('image.tar'), e.message);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await fake.close();
    }
  });

  test('engine errors: a failing ping, a 500 on inspect (its message quoted), 404 on export', async () => {
    const ping = await fakeEngine((_req, res) => res.writeHead(503).end('starting'));
    const inspect = await fakeEngine((req, res) => {
      if (/\/json$/.test(req.url ?? '')) res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"boom: the store is locked"}');
      else engineHandler({ ApiVersion: '1.41' }, () => archive)(req, res);
    });
    const gone = await fakeEngine(
      engineHandler({ ApiVersion: '1.41' }, () => archive, (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"reference does not exist"}')),
    );
    try {
      const ref = parseReference('localhost:5000/x:1');
      await rejectsWith(openDockerDaemon(ref, { host: `unix://${ping.socket}` }), 'E_SOURCE', /answered GET \/_ping with HTTP 503 \(starting\)/);
      await rejectsWith(openDockerDaemon(ref, { host: `unix://${inspect.socket}` }), 'E_SOURCE', /answered GET \/images\/localhost:5000\/x:1\/json with HTTP 500: boom: the store is locked$/);
      await rejectsWith(openDockerDaemon(ref, { host: `unix://${gone.socket}` }), 'E_NOT_FOUND', /no image localhost:5000\/x:1 in the Docker engine/);
    } finally {
      await ping.close();
      await inspect.close();
      await gone.close();
    }
  });

  test('a temporary directory that cannot be made: E_SOURCE', async () => {
    const fake = await fakeEngine(engineHandler({ ApiVersion: '1.41' }, () => archive));
    try {
      await rejectsWith(openDockerDaemon(parseReference('localhost:5000/x:1'), { host: `unix://${fake.socket}`, tmpDir: tmp('no-such-dir') }), 'E_SOURCE', /cannot make a temporary directory in .*no-such-dir .*\(ENOENT\)/);
    } finally {
      await fake.close();
    }
  });
});
