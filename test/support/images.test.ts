import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import {
  buildTestImage,
  busyboxLikeFiles,
  DOCKER,
  OCI,
  readAll,
  REF_NAME,
  sha256,
  skopeo,
  UNKNOWN_MEDIA_TYPE,
  writeDockerArchive,
  writeDockerArchiveMulti,
  writeOciArchive,
  writeOciLayout,
  type BuiltImage,
  type TestPlatformImage,
} from './images.js';

const dec = new TextDecoder();
const PLATFORMS: TestPlatformImage[] = [
  { platform: { os: 'linux', architecture: 'amd64' } },
  { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
];

let dir: string;
let n = 0;
before(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'anyarch-images-')));
});
after(() => rmSync(dir, { recursive: true, force: true }));
function tmp(name: string): string {
  return path.join(dir, `${n++}-${name}`);
}

function jsonBlob(image: BuiltImage, digest: string): any {
  const b = image.blobs.get(digest);
  assert.ok(b, `blob ${digest} is in the image`);
  assert.equal(sha256(b), digest);
  return JSON.parse(dec.decode(b));
}

async function tarFiles(tar: Uint8Array): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const ex = tarStream.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const data = await readAll(entry);
      out.set(entry.header.name, data);
    }
  })();
  Readable.from([Buffer.from(tar)]).pipe(ex as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

describe('buildTestImage', () => {
  test('is deterministic: same input, same digests; another input, other digests', () => {
    const a = buildTestImage(PLATFORMS, { attestations: true });
    const b = buildTestImage(PLATFORMS, { attestations: true });
    assert.equal(a.root.digest, b.root.digest);
    assert.deepEqual(a.manifests, b.manifests);
    assert.deepEqual([...a.blobs.keys()], [...b.blobs.keys()]);
    assert.notEqual(buildTestImage(PLATFORMS, { format: 'docker' }).root.digest, a.root.digest);
    assert.notEqual(buildTestImage([{ ...PLATFORMS[0]!, created: '2026-02-02T00:00:00Z' }]).root.digest, buildTestImage([PLATFORMS[0]!]).root.digest);
  });

  test('an OCI index of image manifests; every blob is where its digest says', () => {
    const img = buildTestImage(PLATFORMS);
    assert.equal(img.root.mediaType, OCI.index);
    assert.equal(img.root.size, img.root.bytes.length);
    assert.equal(sha256(img.root.bytes), img.root.digest);
    for (const [d, b] of img.blobs) assert.equal(sha256(b), d);
    const index = jsonBlob(img, img.root.digest);
    assert.equal(index.manifests.length, 3);
    assert.deepEqual(
      index.manifests.map((m: any) => m.platform),
      [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    );
    assert.deepEqual(
      img.manifests.map((m) => m.platform),
      ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'],
    );
    for (const [i, m] of img.manifests.entries()) {
      assert.equal(index.manifests[i].digest, m.digest);
      assert.equal(index.manifests[i].size, m.size);
      const manifest = jsonBlob(img, m.digest);
      assert.equal(manifest.mediaType, OCI.manifest);
      assert.equal(manifest.config.digest, m.configDigest);
      assert.equal(manifest.config.mediaType, OCI.config);
      assert.equal(manifest.layers[0].mediaType, OCI.layer);
      const config = jsonBlob(img, m.configDigest);
      assert.equal(`${config.os}/${config.architecture}${config.variant ? `/${config.variant}` : ''}`, m.platform);
      assert.equal(config.created, '2026-01-01T00:00:00Z');
    }
  });

  test('layers are real gzip (mtime 0) of tars whose digests are the diff ids; files and fake ELF headers', async () => {
    const img = buildTestImage(PLATFORMS);
    for (const m of img.manifests) {
      const manifest = jsonBlob(img, m.digest);
      const config = jsonBlob(img, m.configDigest);
      const gz = img.blobs.get(manifest.layers[0].digest)!;
      assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
      assert.deepEqual([...gz.subarray(4, 8)], [0, 0, 0, 0], 'gzip mtime 0');
      const tar = gunzipSync(gz);
      assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [sha256(tar)] });
      const files = await tarFiles(tar);
      assert.deepEqual([...files.keys()], ['bin/', 'bin/busybox', 'etc/', 'etc/os-release', 'etc/passwd']);
      const elf = files.get('bin/busybox')!;
      const arch = m.platform.split('/')[1]!;
      assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
      const machine = new DataView(elf.buffer, elf.byteOffset).getUint16(18, true);
      assert.equal(machine, { amd64: 62, arm64: 183, arm: 40 }[arch]);
      assert.equal(elf[4], arch === 'arm' ? 1 : 2, 'ELF class');
    }
  });

  test('custom files, big-endian ELF for s390x, paths longer than 100 bytes', async () => {
    const long = `usr/share/${'d'.repeat(80)}/${'f'.repeat(60)}.txt`;
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 's390x' }, files: { ...busyboxLikeFiles('s390x'), [long]: 'x', 'empty': '' } }]);
    const manifest = jsonBlob(img, img.manifests[0]!.digest);
    const files = await tarFiles(gunzipSync(img.blobs.get(manifest.layers[0].digest)!));
    assert.equal(dec.decode(files.get(long)), 'x');
    assert.equal(files.get('empty')?.length, 0);
    const elf = files.get('bin/busybox')!;
    assert.equal(elf[5], 2, 'big-endian');
    assert.equal(new DataView(elf.buffer, elf.byteOffset).getUint16(18, false), 22);
  });

  test('attestations: unknown/unknown entries referencing their image, with an in-toto layer', () => {
    const img = buildTestImage(PLATFORMS.slice(0, 2), { attestations: true });
    const index = jsonBlob(img, img.root.digest);
    assert.equal(index.manifests.length, 4);
    const att = index.manifests.slice(2);
    assert.deepEqual(
      att.map((a: any) => a.annotations['vnd.docker.reference.digest']),
      img.manifests.map((m) => m.digest),
    );
    for (const a of att) {
      assert.equal(a.annotations['vnd.docker.reference.type'], 'attestation-manifest');
      assert.deepEqual(a.platform, { architecture: 'unknown', os: 'unknown' });
      const m = jsonBlob(img, a.digest);
      assert.equal(m.layers[0].mediaType, 'application/vnd.in-toto+json');
      assert.equal(jsonBlob(img, m.layers[0].digest)._type, 'https://in-toto.io/Statement/v0.1');
    }
  });

  test('nested index, unknown entry, single manifest, docker media types, configPlatform', () => {
    const nested = buildTestImage(PLATFORMS, { nested: true, unknownEntry: true });
    const root = jsonBlob(nested, nested.root.digest);
    assert.equal(root.manifests.length, 1);
    assert.equal(root.manifests[0].mediaType, OCI.index);
    const child = jsonBlob(nested, root.manifests[0].digest);
    assert.equal(child.manifests.length, 4);
    assert.equal(child.manifests[3].mediaType, UNKNOWN_MEDIA_TYPE);
    assert.ok(nested.blobs.has(child.manifests[3].digest));

    const single = buildTestImage(PLATFORMS, { single: true });
    assert.equal(single.root.mediaType, OCI.manifest);
    assert.equal(single.root.digest, single.manifests[0]!.digest);
    assert.equal(single.manifests.length, 1);

    const docker = buildTestImage(PLATFORMS.slice(0, 1), { format: 'docker' });
    assert.equal(docker.root.mediaType, DOCKER.index);
    const dm = jsonBlob(docker, docker.manifests[0]!.digest);
    assert.equal(dm.mediaType, DOCKER.manifest);
    assert.equal(dm.config.mediaType, DOCKER.config);
    assert.equal(dm.layers[0].mediaType, DOCKER.layer);

    const liar = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, configPlatform: { os: 'linux', architecture: 'amd64' } }]);
    assert.equal(jsonBlob(liar, liar.manifests[0]!.configDigest).architecture, 'amd64');
    assert.equal(jsonBlob(liar, liar.root.digest).manifests[0].platform.architecture, 'arm64');
  });
});

describe('writers', () => {
  test('writeOciLayout: several calls add tags (a same tag is replaced); blobs written once', async () => {
    const d = tmp('layout');
    const a = buildTestImage(PLATFORMS);
    const b = buildTestImage(PLATFORMS, { single: true });
    await writeOciLayout(d, a, 'multi');
    await writeOciLayout(d, b, 'single');
    await writeOciLayout(d, b, 'multi');
    await writeOciLayout(d, a, 'multi');
    const index = JSON.parse(readFileSync(path.join(d, 'index.json'), 'utf8'));
    assert.deepEqual(
      index.manifests.map((m: any) => [m.annotations[REF_NAME], m.digest]),
      [['single', b.root.digest], ['multi', a.root.digest]],
    );
    assert.deepEqual(JSON.parse(readFileSync(path.join(d, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    assert.equal(readdirSync(path.join(d, 'blobs', 'sha256')).length, new Set([...a.blobs.keys(), ...b.blobs.keys()]).size);
  });
});

describe('skopeo reads what the writers write', () => {
  const variants: [string, BuiltImage][] = [
    ['multi', buildTestImage(PLATFORMS)],
    ['attest', buildTestImage(PLATFORMS, { attestations: true })],
    ['nested', buildTestImage(PLATFORMS, { nested: true })],
    ['unknown', buildTestImage(PLATFORMS, { unknownEntry: true })],
    ['docker', buildTestImage(PLATFORMS, { format: 'docker' })],
    ['single', buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' } }], { single: true })],
  ];
  let layout: string;
  before(async () => {
    layout = tmp('skopeo-layout');
    for (const [tag, img] of variants) await writeOciLayout(layout, img, tag);
  });

  test('inspect --raw oci:DIR:tag gives exactly the root bytes', () => {
    for (const [tag, img] of variants) {
      // containers/image only looks for index.json entries of OCI media types: a Docker list is not found
      if (tag === 'docker') continue;
      assert.equal(skopeo(['inspect', '--raw', `oci:${layout}:${tag}`]), dec.decode(img.root.bytes), tag);
    }
  });

  test('inspect: the architecture of a single image, and of the platform picked from an index', () => {
    assert.equal(JSON.parse(skopeo(['inspect', `oci:${layout}:single`])).Architecture, 'arm64');
    const arm = JSON.parse(skopeo(['--override-arch', 'arm', '--override-variant', 'v7', 'inspect', `oci:${layout}:attest`]));
    assert.equal(arm.Architecture, 'arm');
    const config = skopeo(['--override-arch', 'arm', '--override-variant', 'v7', 'inspect', '--config', '--raw', `oci:${layout}:attest`]);
    assert.equal(sha256(config), variants[1]![1].manifests[2]!.configDigest);
  });

  test('copy --all oci:DIR:tag dir:OUT verifies every digest and keeps the index', () => {
    // (skopeo 1.9 cannot copy a nested index, nor find a Docker list in a layout: those are checked with inspect --raw only)
    for (const tag of ['multi', 'attest', 'single']) {
      const out = tmp(`dir-${tag}`);
      skopeo(['copy', '--all', `oci:${layout}:${tag}`, `dir:${out}`]);
      const img = variants.find(([t]) => t === tag)![1];
      assert.equal(readFileSync(path.join(out, 'manifest.json'), 'utf8'), dec.decode(img.root.bytes), tag);
      for (const m of img.manifests) {
        const copied = tag === 'single' ? 'manifest.json' : `${m.digest.slice(7)}.manifest.json`;
        assert.equal(sha256(readFileSync(path.join(out, copied))), m.digest);
      }
    }
    // skopeo (containers/image) cannot copy an entry of an unknown media type with --all; one platform it can
    const out = tmp('dir-unknown');
    skopeo(['--override-arch', 'arm64', 'copy', `oci:${layout}:unknown`, `dir:${out}`]);
    assert.equal(sha256(readFileSync(path.join(out, 'manifest.json'))), variants[3]![1].manifests[1]!.digest);
  });

  test('copy oci:DIR:tag docker-archive:FILE:name:tag', () => {
    const file = tmp('copied.tar');
    skopeo(['--override-arch', 'arm64', 'copy', `oci:${layout}:attest`, `docker-archive:${file}:example/app:1`]);
    const info = JSON.parse(skopeo(['inspect', `docker-archive:${file}`]));
    assert.equal(info.Architecture, 'arm64');
    assert.equal(skopeo(['inspect', '--config', '--raw', `docker-archive:${file}:example/app:1`]), dec.decode(variants[1]![1].blobs.get(variants[1]![1].manifests[1]!.configDigest)));
  });

  test('writeOciArchive: skopeo reads the root and copies the image', async () => {
    const img = variants[1]![1];
    const file = tmp('oci.tar');
    await writeOciArchive(file, img, 'v1');
    assert.equal(skopeo(['inspect', '--raw', `oci-archive:${file}:v1`]), dec.decode(img.root.bytes));
    const out = tmp('dir-from-archive');
    skopeo(['copy', '--all', `oci-archive:${file}:v1`, `dir:${out}`]);
    assert.equal(readFileSync(path.join(out, 'manifest.json'), 'utf8'), dec.decode(img.root.bytes));
  });

  for (const style of ['classic', 'oci'] as const) {
    test(`writeDockerArchive (${style}): skopeo reads every image and verifies the layers`, async () => {
      const img = variants[0]![1];
      const file = tmp(`docker-${style}.tar`);
      await writeDockerArchiveMulti(
        file,
        [
          { image: img, platformIndex: 1, repoTags: ['example/app:arm64'] },
          { image: img, platformIndex: 2, repoTags: ['example/app:arm', 'other:latest'] },
        ],
        { layout: style },
      );
      const arm64 = JSON.parse(skopeo(['inspect', `docker-archive:${file}:example/app:arm64`]));
      assert.equal(arm64.Architecture, 'arm64');
      const arm = JSON.parse(skopeo(['inspect', `docker-archive:${file}:@1`]));
      assert.equal(arm.Architecture, 'arm');
      assert.equal(skopeo(['inspect', '--config', `docker-archive:${file}:other:latest`]).length > 0, true);
      const out = tmp(`dir-docker-${style}`);
      skopeo(['copy', `docker-archive:${file}:@1`, `dir:${out}`]);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
      assert.equal(manifest.config.digest, img.manifests[2]!.configDigest);
    });
  }

  test('writeDockerArchive (classic, gzip layers, one image)', async () => {
    const img = variants[5]![1];
    const file = tmp('docker-gz.tar');
    await writeDockerArchive(file, img, 0, ['gz:1'], { layout: 'classic', gzipLayers: true });
    const info = JSON.parse(skopeo(['inspect', `docker-archive:${file}`]));
    assert.equal(info.Architecture, 'arm64');
    const out = tmp('dir-docker-gz');
    skopeo(['copy', `docker-archive:${file}`, `dir:${out}`]);
  });
});
