// Proves the Docker engine test harness against the real dockerd (Debian's docker.io, 20.10):
// it starts with its own socket and directories and no networking, loads `docker save` archives
// written by images.ts, exports them back, and leaves nothing behind (process, files, mounts),
// also when the test process is killed. Nothing is skipped: scripts/test-deps.sh installs dockerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { isAnyarchError } from '../../src/errors.js';
import { buildTestImage, sha256, writeDockerArchive, writeTar, type BuiltImage } from './images.js';
import { connectDockerEngine } from '../../src/engine/api.js';
import { mountsUnder, startDockerd, type TestDockerd } from './dockerd.js';

const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dockerd.js');

let workDir: string;
let image: BuiltImage;
let dockerd: TestDockerd;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Loads a `docker save` archive through the library's Engine API client: the names and ids the engine says it loaded. */
async function load(file: string): Promise<string[]> {
  return (await connectDockerEngine({ host: dockerd.host })).imageLoad(createReadStream(file));
}

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'anyarch-dockerd-test-'));
  image = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' } }, { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }]);
  dockerd = await startDockerd();
});
after(async () => {
  await dockerd?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('dockerd harness', () => {
  test('answers /_ping on its own socket; /version names the engine and its API version', async () => {
    const ping = await dockerd.api('GET', '/_ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.body.toString(), 'OK');
    assert.ok(dockerd.socket.startsWith(dockerd.dir + path.sep));
    assert.equal(dockerd.host, `unix://${dockerd.socket}`);
    assert.match(dockerd.version, /^20\.10\./, 'Debian bookworm docker.io');
    assert.match(dockerd.apiVersion, /^1\.[0-9]+$/);
  });

  test('runs with its own data root, the vfs driver and no bridge network', async () => {
    const info = JSON.parse((await dockerd.api('GET', `/v${dockerd.apiVersion}/info`)).body.toString()) as { DockerRootDir: string; Driver: string };
    assert.equal(info.DockerRootDir, dockerd.dataRoot);
    assert.equal(info.Driver, 'vfs');
    const networks = JSON.parse((await dockerd.api('GET', `/v${dockerd.apiVersion}/networks`)).body.toString()) as { Name: string }[];
    assert.ok(!networks.some((n) => n.Name === 'bridge'), `networks: ${networks.map((n) => n.Name).join(', ')}`);
    assert.ok(existsSync(path.join(dockerd.dir, 'key.json')), 'the trust key is kept in the harness directory, not /etc/docker');
  });

  for (const layout of ['classic', 'oci'] as const) {
    test(`loads a ${layout} docker-save archive; the image keeps its config (id) and platform, and exports back`, async () => {
      const file = path.join(workDir, `${layout}.tar`);
      const tag = `anyarch-harness/${layout}:1`;
      await writeDockerArchive(file, image, 1, [tag], { layout });
      assert.deepEqual(await load(file), [tag]);
      const m = image.manifests[1]!;
      const inspect = await dockerd.inspectImage(tag);
      assert.equal(inspect.Id, m.configDigest);
      assert.equal(inspect.Os, 'linux');
      assert.equal(inspect.Architecture, 'arm');
      assert.equal(inspect.Variant, 'v7');
      assert.ok(inspect.RepoTags?.includes(tag));

      const saved = await dockerd.api('GET', `/v${dockerd.apiVersion}/images/${encodeURIComponent(tag)}/get`);
      assert.equal(saved.status, 200);
      const out = path.join(workDir, `${layout}-saved.tar`);
      writeFileSync(out, saved.body);
      const { indexTar, readEntry } = await import('../../src/oci/tar.js');
      const idx = await indexTar(out);
      const manifest = JSON.parse(Buffer.from(await readEntry(idx, 'manifest.json', 1 << 20)).toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
      assert.equal(manifest.length, 1);
      assert.deepEqual(manifest[0]!.RepoTags, [tag]);
      assert.equal(sha256(await readEntry(idx, manifest[0]!.Config, 1 << 20)), m.configDigest);
      // 20.10 exports layers uncompressed, byte for byte as loaded (tar-split): their digest is the diff id.
      const layerDigest = (JSON.parse(new TextDecoder().decode(image.blobs.get(m.digest))) as { layers: { digest: string }[] }).layers[0]!.digest;
      const layer = await readEntry(idx, manifest[0]!.Layers[0]!, 1 << 20);
      assert.ok(Buffer.from(layer).equals(gunzipSync(image.blobs.get(layerDigest)!)));
    });
  }

  test('a broken archive is a load error, not a silent success', async () => {
    const file = path.join(workDir, 'broken.tar');
    await writeTar(file, [{ name: 'manifest.json', data: new TextEncoder().encode('[{"Config":"missing.json","RepoTags":["x:1"],"Layers":[]}]') }]);
    await assert.rejects(load(file), (e) => isAnyarchError(e) && e.code === 'E_SOURCE' && /could not load the image: .*missing\.json/.test(e.message));
  });
});

describe('dockerd harness lifecycle', () => {
  test('stop() ends dockerd and containerd and removes its files and mounts; idempotent', async () => {
    const d = await startDockerd();
    assert.ok(alive(d.pid));
    assert.ok(mountsUnder(d.dir).length <= 1, 'at most the data root, bind-mounted onto itself');
    const t0 = Date.now();
    await d.stop();
    await d.stop();
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(alive(d.pid), false);
    assert.equal(existsSync(d.dir), false);
    assert.deepEqual(mountsUnder(d.dir), []);
    await assert.rejects(d.api('GET', '/_ping'));
  });

  test('when the test process is killed, the watchdog stops dockerd and removes its files and mounts', async () => {
    const script = path.join(workDir, 'orphan.mjs');
    writeFileSync(
      script,
      `import { startDockerd } from ${JSON.stringify(pathToFileURL(HARNESS).href)};\n` +
        `const d = await startDockerd();\n` +
        `process.stdout.write(JSON.stringify({ pid: d.pid, dir: d.dir }) + '\\n');\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting dockerd`)));
    });
    const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
    assert.ok(alive(pid));
    child.kill('SIGKILL');
    await until('dockerd to stop', () => !alive(pid));
    await until('the harness directory to go', () => !existsSync(dir));
    assert.deepEqual(mountsUnder(dir), []);
  });

  test('a missing dockerd is an error, not a skip', async () => {
    await assert.rejects(startDockerd({ binary: path.join(workDir, 'no-such-dockerd') }), /dockerd is not installed/);
  });

  test('a dockerd that cannot start is an error quoting its output', async () => {
    const fake = path.join(workDir, 'failing-dockerd');
    writeFileSync(fake, '#!/bin/sh\necho "failed to start daemon: something is wrong" >&2\nexit 1\n', { mode: 0o755 });
    await assert.rejects(startDockerd({ binary: fake }), /exited \(exit code 1\)[^]*something is wrong/);
  });

});
