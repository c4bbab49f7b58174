/**
 * `anyarch platforms` on hostile and clumsy images, end to end: the real binary under
 * `/usr/bin/time`, its time and peak RSS measured from outside the process, against layouts and
 * archives the tests generate (sparse where large). Work must be bounded by what was fetched,
 * not by how often it is referenced; JSON nested 100,000 deep must not overflow the stack;
 * content that fails its digest is exit 2 from every source; each failure is one line naming the
 * image, and the other images on the command line are still reported.
 *
 * The bounds are generous (a loaded 2-core CI machine passes): before the image layer was
 * memoised, the 16 MB layout below took more than 5 GB and two minutes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempPaths } from './support/assert.js';
import { runMeasured } from './support/measured.js';
import { fakeEngine } from './support/fake-engine.js';
import { alterIn, buildTestImage, busyboxLikeFiles, OCI, writeDockerArchive, writeOciArchive, writeOciLayout } from './support/images.js';

/** Peak RSS allowed (Node alone takes ~50 MB; the 15 MiB config held once, parsed once, ~100 MB more). */
const MAX_RSS_MB = 300;
/** Seconds allowed per run (each takes 1 to 7 s on an idle machine). */
const MAX_SECONDS = 30;
const MIB = 1024 * 1024;

const tmp = tempPaths('anyarch-image-bounds-');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  rssMb: number;
}

/** Runs the binary under /usr/bin/time: its exit code, output, elapsed seconds and peak RSS. */
async function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete base[k];
  const r = await runMeasured(args, { env: base });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, seconds: r.seconds, rssMb: r.peakRssMb };
}

function assertBounded(r: Run, what: string): void {
  assert.ok(r.seconds < MAX_SECONDS, `${what}: ${r.seconds} s`);
  assert.ok(r.rssMb < MAX_RSS_MB, `${what}: peak RSS ${r.rssMb} MB`);
}

/** The lines of standard error that are not hints. */
const errorLines = (r: Run): string[] => r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('  hint: '));

// ---------------------------------------------------------------------------------------------
// Layouts written blob by blob

interface Layout {
  dir: string;
  put(mediaType: string, content: string | Uint8Array): { mediaType: string; digest: string; size: number };
  /** writes oci-layout and index.json naming `root` as `latest` */
  finish(root: { mediaType: string; digest: string; size: number }): string;
}

function layout(name: string): Layout {
  const dir = tmp(name);
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  return {
    dir,
    put(mediaType, content) {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      const hex = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(path.join(dir, 'blobs', 'sha256', hex), bytes);
      return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
    },
    finish(root) {
      writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: [{ ...root, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
      return `oci:${dir}:latest`;
    },
  };
}

const index = (manifests: unknown[]): string => JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests });
const manifest = (config: unknown, annotations?: Record<string, string>): string =>
  JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [], ...(annotations ? { annotations } : {}) });
/** A 15 MiB config (under the 16 MiB a config may have): one long label. */
const bigConfig = (): string => JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { pad: 'x'.repeat(15 * MIB) } } });

describe('work bounded by what was fetched', () => {
  const good = buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
      { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
    ],
    { format: 'oci' },
  );
  let goodSpec = '';
  before(async () => {
    const dir = tmp('good');
    await writeOciLayout(dir, good, 'v1');
    goodSpec = `oci:${dir}:v1`;
  });

  /** The other image on the command line is reported in full. */
  function assertGoodReported(r: Run): void {
    assert.match(r.stdout, /good:v1\n {2}OCI index sha256:[0-9a-f]{12} \(2 platforms\)/);
  }

  test('a 16 MB layout: 10,000 index entries naming one manifest with a 15 MiB config', { timeout: 120_000 }, async (t) => {
    const l = layout('one-manifest');
    const m = l.put(OCI.manifest, manifest(l.put(OCI.config, bigConfig())));
    const spec = l.finish(l.put(OCI.index, index(Array.from({ length: 10_000 }, (_, i) => ({ ...m, platform: { os: 'linux', architecture: 'amd64', variant: `v${i}` } })))));
    const r = await timed(['platforms', '--format', 'json', spec, goodSpec]);
    t.diagnostic(`10,000 entries, one manifest, one 15 MiB config: ${r.seconds} s, peak RSS ${r.rssMb} MB`);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { images: { platforms: { config?: unknown }[] }[] };
    assert.equal(doc.images[0]?.platforms.filter((p) => p.config !== undefined).length, 10_000);
    assert.equal(doc.images[1]?.platforms.length, 2);
    assertBounded(r, 'one manifest');

    // the same image over a limit it passes: one line naming it, exit 2, the other image still reported
    const limited = await timed(['platforms', '--max-image-mib', '8', spec, goodSpec]);
    assert.equal(limited.code, 2, limited.stderr);
    assert.deepEqual(errorLines(limited).length, 1, limited.stderr);
    assert.match(
      errorLines(limited)[0]!,
      /^anyarch: oci:[^ ]*one-manifest:latest: reading config sha256:[0-9a-f]{64} would take the manifests and configs read for this image past 8388608 bytes \(\d+ read so far\); anyarch stops there$/,
    );
    assert.match(limited.stderr, /^ {2}hint: if the image is meant to be this large, raise the limit: --max-image-mib/m);
    assertGoodReported(limited);
    assertBounded(limited, 'over the limit');
  });

  test('4,000 distinct manifests without platforms sharing one 15 MiB config', { timeout: 120_000 }, async (t) => {
    const l = layout('one-config');
    const config = l.put(OCI.config, bigConfig());
    const spec = l.finish(l.put(OCI.index, index(Array.from({ length: 4000 }, (_, i) => l.put(OCI.manifest, manifest(config, { n: String(i) }))))));
    const r = await timed(['platforms', spec, goodSpec]);
    t.diagnostic(`4,000 manifests, one 15 MiB config: ${r.seconds} s, peak RSS ${r.rssMb} MB`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /one-config:latest\n {2}OCI index sha256:[0-9a-f]{12} \(4000 platforms\)/);
    assertGoodReported(r);
    assertBounded(r, 'one config');
  });

  test('a DAG of nested indexes reusing each other (30 entries a level, 27,000 paths to one index of 50 images) is walked once per index', { timeout: 120_000 }, async (t) => {
    const l = layout('dag');
    const config = l.put(OCI.config, bigConfig());
    let below = l.put(OCI.index, index(Array.from({ length: 50 }, (_, i) => ({ ...l.put(OCI.manifest, manifest(config, { n: String(i) })), platform: { os: 'linux', architecture: 'amd64', variant: `v${i}` } }))));
    for (let level = 0; level < 3; level++) below = l.put(OCI.index, index(Array.from({ length: 30 }, (_, i) => ({ ...below, annotations: { n: String(i) } }))));
    const r = await timed(['platforms', '--format', 'json', l.finish(below), goodSpec]);
    t.diagnostic(`DAG of reused indexes: ${r.seconds} s, peak RSS ${r.rssMb} MB`);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { images: { platforms: { via: string[] }[] }[] };
    // each image once, under the first path that reached it (the three nested indexes)
    assert.equal(doc.images[0]?.platforms.length, 50);
    assert.ok(doc.images[0]?.platforms.every((p) => p.via.length === 3));
    assertBounded(r, 'DAG');
  });

  test('a `docker save` archive listing one 256 MiB layer (sparse) 200 times hashes it once', { timeout: 120_000 }, async (t) => {
    const file = tmp('repeated-layer.tar');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
    const list = Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: ['repeated:1'], Layers: Array.from({ length: 200 }, () => 'layer.tar') }]));
    writeSparseTar(file, [
      { name: 'manifest.json', data: list },
      { name: 'config.json', data: config },
      { name: 'layer.tar', size: 256 * MIB },
    ]);
    const r = await timed(['platforms', `docker-archive:${file}`, goodSpec]);
    t.diagnostic(`one 256 MiB layer listed 200 times: ${r.seconds} s, peak RSS ${r.rssMb} MB`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /repeated-layer\.tar\n {2}Docker manifest sha256:[0-9a-f]{12} \(1 platform\)/);
    assertGoodReported(r);
    assertBounded(r, 'repeated layer');
  });

  test('a Docker 25+ archive whose index.json names one 4 MiB index 300 times reads that index once', { timeout: 120_000 }, async (t) => {
    // before: each of the 256 visits read, hashed and parsed it again and queued its 27,000
    // children: 26 s and 2 GB for a 4 MB file
    const file = tmp('index-bomb.tar');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const configHex = createHash('sha256').update(config).digest('hex');
    const child = { mediaType: OCI.index, digest: `sha256:${'0'.repeat(64)}`, size: 10 };
    const perChild = JSON.stringify(child).length + 1;
    const big = Buffer.from(index(Array.from({ length: Math.floor((4 * MIB - 200) / perChild) }, () => child)));
    const bigHex = createHash('sha256').update(big).digest('hex');
    const entry = { mediaType: OCI.index, digest: `sha256:${bigHex}`, size: big.length };
    writeSparseTar(file, [
      { name: 'manifest.json', data: Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${configHex}`, RepoTags: ['bomb:1'], Layers: [] }])) },
      { name: `blobs/sha256/${configHex}`, data: config },
      { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
      { name: 'index.json', data: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: Array.from({ length: 300 }, () => entry) })) },
      { name: `blobs/sha256/${bigHex}`, data: big },
    ]);
    const r = await timed(['platforms', `docker-archive:${file}`, goodSpec]);
    t.diagnostic(`an index named 300 times: ${r.seconds} s, peak RSS ${r.rssMb} MB`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /index-bomb\.tar\n {2}Docker manifest sha256:[0-9a-f]{12} \(1 platform\)/);
    assertGoodReported(r);
    assert.ok(r.seconds < 10, `${r.seconds} s`);
    assert.ok(r.rssMb < 250, `peak RSS ${r.rssMb} MB`);
  });

  test('JSON nested 100,000 deep (an index entry, a platform\'s os.features, a config): exit 2, one line naming the image, in every format', { timeout: 120_000 }, async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const l = layout('deep');
    const config = l.put(OCI.config, JSON.stringify({ architecture: 'amd64', os: 'linux' }));
    const m = l.put(OCI.manifest, manifest(config));
    const entry = JSON.stringify({ ...m, platform: { os: 'linux', architecture: 'amd64' } });
    const inEntry = l.finish(l.put(OCI.index, `{"schemaVersion":2,"mediaType":"${OCI.index}","manifests":[${entry.slice(0, -1)},"x":${deep}}]}`));
    const l2 = layout('deep-features');
    const m2 = l2.put(OCI.manifest, manifest(l2.put(OCI.config, JSON.stringify({ architecture: 'amd64', os: 'linux' }))));
    const inFeatures = l2.finish(l2.put(OCI.index, `{"schemaVersion":2,"mediaType":"${OCI.index}","manifests":[{"mediaType":"${OCI.manifest}","digest":"${m2.digest}","size":${m2.size},"platform":{"os":"linux","architecture":"amd64","os.features":${deep}}}]}`));
    const l3 = layout('deep-config');
    const deepConfig = l3.put(OCI.config, `{"architecture":"arm64","os":"linux","config":{"Labels":{}},"history":${deep}}`);
    const inConfig = l3.finish(l3.put(OCI.manifest, manifest(deepConfig)));
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = await timed(['platforms', '--format', format, inEntry, inFeatures, inConfig, goodSpec]);
      assert.equal(r.code, 2, `${format}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /RangeError|internal error|at .*\.js:\d+/);
      const lines = errorLines(r);
      assert.equal(lines.length, 3, r.stderr);
      assert.match(lines[0]!, /^anyarch: oci:[^ ]*deep:latest: manifest sha256:[0-9a-f]{64}: JSON nested deeper than 256 levels \(anyarch reads no deeper\)$/);
      assert.match(lines[1]!, /^anyarch: oci:[^ ]*deep-features:latest: manifest sha256:[0-9a-f]{64}: JSON nested deeper than 256 levels/);
      assert.match(lines[2]!, /^anyarch: config sha256:[0-9a-f]{64} of oci:[^ ]*deep-config:latest: JSON nested deeper than 256 levels/);
      // SARIF and GitHub output carry problems only: nothing to say of the good image there
      if (format === 'text') assertGoodReported(r);
      if (format === 'json') assert.match(r.stdout, /good:v1/);
      assertBounded(r, `deep JSON, ${format}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Digest mismatch on a manifest or a config: exit 2 from every source

describe('content that fails its digest is exit 2, from every source', () => {
  const img = buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: { '/etc/amd64': 'a' } },
      { platform: { os: 'linux', architecture: 'arm64' }, files: { '/etc/arm64': 'b' } },
    ],
    { format: 'oci' },
  );
  const arm = img.manifests[1]!;
  const armConfig = img.blobs.get(arm.configDigest)!;
  const armManifest = img.blobs.get(arm.digest)!;
  let goodSpec = '';
  before(async () => {
    const dir = tmp('good');
    await writeOciLayout(dir, img, 'v1');
    goodSpec = `oci:${dir}:v1`;
  });

  /** Exit 2, one error line about `image` saying its content does not match, the good image reported. */
  function assertDigestFailure(r: Run, line: RegExp): void {
    assert.equal(r.code, 2, r.stderr);
    const lines = errorLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, line);
    assert.match(lines[0]!, /does not match|but its descriptor declares/);
    assert.match(r.stdout, /good:v1\n {2}OCI index/);
  }

  for (const what of ['manifest', 'config'] as const) {
    test(`oci layout and oci archive: a variant's ${what} altered`, async () => {
      const dir = tmp(`layout-${what}`);
      await writeOciLayout(dir, img, 'v1');
      const hex = (what === 'manifest' ? arm.digest : arm.configDigest).slice('sha256:'.length);
      alterIn(path.join(dir, 'blobs', 'sha256', hex), what === 'manifest' ? armManifest : armConfig);
      const tar = tmp(`archive-${what}.tar`);
      await writeOciArchive(tar, img, 'v1');
      alterIn(tar, what === 'manifest' ? armManifest : armConfig);
      for (const spec of [`oci:${dir}:v1`, `oci-archive:${tar}:v1`]) {
        const r = await timed(['platforms', spec, goodSpec]);
        assertDigestFailure(r, new RegExp(`^anyarch: linux/arm64: ${spec.split(':')[0]}:[^ ]*: (manifest|blob) ${what === 'manifest' ? arm.digest : arm.configDigest}: `));
        assert.match(r.stdout, /linux\/amd64/);
      }
    });
  }

  test('docker-archive (classic and Docker 25+): the config altered; Docker 25+: the image manifest altered', async () => {
    for (const layoutStyle of ['classic', 'oci'] as const) {
      for (const what of ['config', 'manifest'] as const) {
        if (layoutStyle === 'classic' && what === 'manifest') continue; // a classic archive holds no manifest
        const file = tmp(`docker-${layoutStyle}-${what}.tar`);
        await writeDockerArchive(file, img, 1, ['altered:1'], { layout: layoutStyle });
        alterIn(file, what === 'manifest' ? armManifest : armConfig);
        const r = await timed(['platforms', `docker-archive:${file}`, goodSpec]);
        assertDigestFailure(r, /^anyarch: docker-archive:[^ ]*\.tar: (config|manifest) /);
      }
    }
  });

  test('docker-daemon: an engine whose export holds an altered config', async () => {
    const file = tmp('engine.tar');
    await writeDockerArchive(file, img, 1, ['localhost:5000/altered:1'], { layout: 'classic' });
    alterIn(file, armConfig);
    const archive = readFileSync(file);
    const engine = await fakeEngine(tmp('engine.sock'), (req, res) => {
      const url = req.url ?? '';
      if (url === '/_ping') res.writeHead(200, { 'api-version': '1.41' }).end('OK');
      else if (url === '/version') res.writeHead(200, { 'content-type': 'application/json' }).end('{"ApiVersion":"1.41"}');
      else if (/\/images\/[^/]+\/json$/.test(url)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else if (/\/images\/[^/]+\/get$/.test(url)) res.writeHead(200, { 'content-type': 'application/x-tar' }).end(archive);
      else res.writeHead(404).end();
    });
    try {
      const r = await timed(['platforms', 'docker-daemon:localhost:5000/altered:1', goodSpec], { DOCKER_HOST: `unix://${engine.socket}` });
      assertDigestFailure(r, /^anyarch: docker-daemon:localhost:5000\/altered:1: config [0-9a-f]{64}\.json: content digest/);
    } finally {
      await engine.close();
    }
  });

  describe('registry (a loopback server answering the distribution API)', () => {
    let server: Server;
    let host = '';
    /** what the registry serves: the image's blobs, one of them altered per repository */
    const served = new Map<string, Map<string, Uint8Array>>();
    before(async () => {
      for (const what of ['manifest', 'config'] as const) {
        const blobs = new Map(img.blobs);
        const original = what === 'manifest' ? armManifest : armConfig;
        const altered = Buffer.from(original);
        const i = Math.floor(altered.length / 2);
        altered[i] = (altered[i] as number) ^ 0x5a;
        blobs.set(what === 'manifest' ? arm.digest : arm.configDigest, altered);
        served.set(`altered-${what}`, blobs);
      }
      server = createServer((req, res) => {
        const m = /^\/v2\/([^/]+)\/(manifests|blobs)\/(.+)$/.exec(req.url ?? '');
        if (req.url === '/v2/') return void res.writeHead(200).end('{}');
        // an error answer whose `detail` nests 30,000 deep (redaction walks what it keeps of it)
        if (m?.[1] === 'deep-error') return void res.writeHead(404, { 'content-type': 'application/json' }).end(`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown","detail":${'['.repeat(30_000)}${']'.repeat(30_000)}}]}`);
        const blobs = m ? served.get(m[1]!) : undefined;
        const digest = m?.[3] === '1' ? img.root.digest : m?.[3];
        const bytes = blobs && digest ? blobs.get(digest) : undefined;
        if (!bytes) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
        const type = m![2] === 'blobs' ? 'application/octet-stream' : (JSON.parse(Buffer.from(bytes).toString()) as { mediaType?: string }).mediaType ?? OCI.manifest;
        res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.length) }).end(req.method === 'HEAD' ? undefined : bytes);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server?.closeAllConnections();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    });

    test('an error answer nested 30,000 deep: one line naming the image, exit 2', async () => {
      const r = await timed(['platforms', `${host}/deep-error:1`, goodSpec]);
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(errorLines(r), [`anyarch: manifest ${host}/deep-error:1: not found (HTTP 404)`]);
      assert.match(r.stdout, /good:v1\n {2}OCI index/);
    });

    for (const what of ['manifest', 'config'] as const) {
      test(`a variant's ${what} altered`, async () => {
        const r = await timed(['platforms', `${host}/altered-${what}:1`, goodSpec]);
        assertDigestFailure(r, new RegExp(`^anyarch: linux/arm64: .*${what === 'manifest' ? arm.digest : arm.configDigest}`));
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A tar whose large entries are holes (sparse on disk)

function writeSparseTar(file: string, entries: ({ name: string; data: Uint8Array } | { name: string; size: number })[]): void {
  const fd = openSync(file, 'w');
  let at = 0;
  try {
    for (const e of entries) {
      const size = 'data' in e ? e.data.length : e.size;
      writeSync(fd, ustarHeader(e.name, size), 0, 512, at);
      at += 512;
      if ('data' in e) writeSync(fd, e.data, 0, e.data.length, at);
      at += Math.ceil(size / 512) * 512;
    }
    ftruncateSync(fd, at + 1024); // two zero blocks end the archive
  } finally {
    closeSync(fd);
  }
}

function ustarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

