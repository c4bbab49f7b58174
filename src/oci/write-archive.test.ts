/**
 * The archive writers and the tar encoding: an OCI archive reads back byte for byte through the
 * project's oci-archive source and through skopeo; a `docker save` archive reads back through the
 * docker-archive source and is loaded by a real dockerd (`POST /images/load`) with the config's
 * digest as its image ID; a blob that fails its digest leaves no file; tar headers (PAX records,
 * base-256 sizes, checksums) read by GNU tar and the project's tar index.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { startDockerd, type TestDockerd } from '../../test/support/dockerd.js';
import { alterIn, assertSourceHolds, buildTestImage, busyboxLikeFiles, readAll, skopeo, writeOciLayout as writeTestLayout, type BuiltImage } from '../../test/support/images.js';
import { BlobStore } from '../build/blob-store.js';
import { connectDockerEngine } from '../engine/api.js';
import { openDockerDaemon } from '../engine/source.js';
import { writeImage } from '../build/image-writer.js';
import { writeLayer } from '../build/layer.js';
import { parsePlatform } from '../platform/index.js';
import { digestOf } from './digest.js';
import { openRoot, type Image, type Index } from './image.js';
import { openDockerArchive, openOciArchive, SYNTHETIC_MANIFEST_ANNOTATION } from './sources/archive.js';
import { openOciLayout } from './sources/layout.js';
import { parseReference } from './reference.js';
import { findEntry, indexTar, readEntry } from './tar.js';
import { TAR_END, tarHeader, tarPadding, TarFileWriter, writeDockerArchive, writeOciArchive } from './write-archive.js';

const temp = tempPaths('anyarch-write-archive-');

function twoPlatforms(): BuiltImage {
  return buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: busyboxLikeFiles('amd64') }, { files: { 'etc/shared': 'same in both\n' } }] },
      { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: busyboxLikeFiles('arm64'), compression: 'zstd' }, { files: { 'etc/shared': 'same in both\n' } }] },
    ],
    { attestations: true },
  );
}

async function fromLayout(img: BuiltImage, alter?: (dir: string) => void): Promise<{ root: Index | Image; close: () => Promise<void> }> {
  const dir = temp('src');
  await writeTestLayout(dir, img, 'src');
  alter?.(dir);
  const src = await openOciLayout(dir, 'src');
  return { root: await openRoot(src), close: () => src.close() };
}

function noTemporaryFiles(file: string): void {
  assert.deepEqual(readdirSync(path.dirname(file)).filter((f) => f.includes('.anyarch-')), []);
}

describe('tarHeader', () => {
  test('PAX records of every length around the digit boundaries, base-256 sizes, valid checksums: GNU tar and the tar index read them', async () => {
    const parts: Buffer[] = [];
    const names: string[] = [];
    // record lengths cross 99/100 and 999/1000 (the length counts its own digits)
    for (const n of [88, 89, 90, 91, 92, 93, 985, 986, 987, 988, 989, 990, 991]) {
      const name = `p/${'x'.repeat(n)}`;
      names.push(name);
      parts.push(tarHeader({ name, kind: 'file', mode: 0o644, size: 1, mtime: 5 }), Buffer.from('z'), tarPadding(1));
    }
    parts.push(TAR_END);
    const file = temp('pax.tar');
    writeFileSync(file, Buffer.concat(parts));
    const r = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), names);
    const index = await indexTar(file);
    for (const n of names) assert.equal(findEntry(index, n)?.size, 1, n);
    // exactly 100 bytes fit the ustar name field; 101 need a PAX record (a directory's `/` counts)
    assert.equal(tarHeader({ name: 'n'.repeat(100), kind: 'file', mode: 0o644, size: 0, mtime: 0 }).length, 512);
    assert.equal(tarHeader({ name: 'n'.repeat(101), kind: 'file', mode: 0o644, size: 0, mtime: 0 }).length, 1536);
    assert.equal(tarHeader({ name: 'n'.repeat(99), kind: 'dir', mode: 0o755, size: 0, mtime: 0 }).length, 512);
    assert.equal(tarHeader({ name: 'n'.repeat(100), kind: 'dir', mode: 0o755, size: 0, mtime: 0 }).length, 1536);
    assert.equal(tarHeader({ name: 'l', kind: 'symlink', mode: 0o777, size: 0, mtime: 0, linkname: 't'.repeat(100) }).length, 512);
    assert.equal(tarHeader({ name: 'l', kind: 'symlink', mode: 0o777, size: 0, mtime: 0, linkname: 't'.repeat(101) }).length, 1536);
    // 8 GiB and more: GNU base-256 in the size field (the header alone is checked here)
    const big = tarHeader({ name: 'big', kind: 'file', mode: 0o644, size: 2 ** 33 + 5, mtime: 0 });
    assert.equal(big.length, 512);
    assert.equal(big[124], 0x80);
    assert.equal(big.readUIntBE(124 + 6, 6), 2 ** 33 + 5);
    assert.throws(() => tarHeader({ name: 'x', kind: 'file', mode: 0o644, size: 0, mtime: -1 }), /mtime/);
    assert.throws(() => tarHeader({ name: 'x', kind: 'file', mode: 0o20000, size: 0, mtime: 0 }), /mode/);
  });

  test('TarFileWriter rewrites the header of a stream of unknown size; a stream of the wrong size is refused and leaves no file', async () => {
    const file = temp('w.tar');
    const tar = await TarFileWriter.create(file);
    await tar.stream('unknown', Readable.from([Buffer.alloc(700, 1), Buffer.alloc(300, 2)]));
    await tar.bytes('after', Buffer.from('after'));
    await tar.finish();
    const index = await indexTar(file);
    assert.equal(findEntry(index, 'unknown')?.size, 1000);
    assert.deepEqual(Buffer.from(await readEntry(index, 'after', 100)).toString(), 'after');
    assert.equal(spawnSync('tar', ['-tf', file]).status, 0);
    const bad = temp('bad.tar');
    const t2 = await TarFileWriter.create(bad);
    await rejectsWith(t2.stream('short', Readable.from([Buffer.alloc(10)]), 11), 'E_SOURCE', /10 bytes, but 11/);
    await t2.abort();
    assert.equal(existsSync(bad), false);
    noTemporaryFiles(bad);
  });
});

describe('writeOciArchive', () => {
  test('an index (attestations, gzip and zstd layers, a shared layer) reads back byte for byte, by anyarch and by skopeo; the same bytes twice', async () => {
    const img = twoPlatforms();
    const { root, close } = await fromLayout(img);
    try {
      const file = temp('out.tar');
      const r = await writeOciArchive(root, file, { tag: 'v1' });
      assert.equal(r.digest, img.root.digest);
      const src = await openOciArchive(file, 'v1');
      await assertSourceHolds(src, img);
      await src.close();
      const raw = skopeo(['inspect', '--raw', `oci-archive:${file}:v1`]);
      assert.equal(digestOf(raw), img.root.digest);
      assert.doesNotThrow(() => skopeo(['copy', '--all', `oci-archive:${file}:v1`, `oci:${temp('copy')}:c`]));
      const again = temp('again.tar');
      await writeOciArchive(root, again, { tag: 'v1' });
      assert.deepEqual(readFileSync(again), readFileSync(file));
      noTemporaryFiles(file);
      await rejectsWith(writeOciArchive(root, temp('x.tar'), { tag: 'bad tag' }), 'E_USAGE');
    } finally {
      await close();
    }
  });

  test('a blob that fails its digest: E_DIGEST, no archive, no temporary file', async () => {
    const img = twoPlatforms();
    const layer = [...img.blobs.entries()].find(([, b]) => b[0] === 0x1f && b.length > 100)!;
    const { root, close } = await fromLayout(img, (dir) => alterIn(path.join(dir, 'blobs', 'sha256', layer[0].slice(7)), layer[1]));
    try {
      const file = temp('bad.tar');
      await rejectsWith(writeOciArchive(root, file), 'E_DIGEST');
      assert.equal(existsSync(file), false);
      noTemporaryFiles(file);
    } finally {
      await close();
    }
  });

  test('an image written into a blob store over a borrowed base: skopeo inspects the archive', async () => {
    const base = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') }], { single: true });
    const { root, close } = await fromLayout(base);
    const store = await BlobStore.create();
    try {
      assert.equal(root.kind, 'image');
      const layer = await writeLayer([{ path: 'app', kind: 'file', bytes: Buffer.from('app') }], store);
      const image = await writeImage(store, { platform: parsePlatform('linux/arm64'), base: root as Image, layers: [{ ...layer, createdBy: 'add app' }] });
      const file = temp('store.tar');
      await writeOciArchive(image, file, { tag: 'latest' });
      const inspected = JSON.parse(skopeo(['inspect', `oci-archive:${file}:latest`])) as { Architecture: string; Layers: string[] };
      assert.equal(inspected.Architecture, 'arm64');
      assert.deepEqual(inspected.Layers, (await image.manifest()).layers.map((l) => l.digest));
      // the index.json entry carries the platform
      const index = JSON.parse(Buffer.from(await readEntry(await indexTar(file), 'index.json', 1 << 20)).toString()) as { manifests: { platform?: unknown }[] };
      assert.deepEqual(index.manifests[0]?.platform, { architecture: 'arm64', os: 'linux' });
    } finally {
      await store.close();
      await close();
    }
  });
});

/** An arm64 image with gzip layers (one repeated) in a layout, to be saved. */
async function imageToSave(): Promise<{ image: Image; close: () => Promise<void>; img: BuiltImage }> {
  const img = buildTestImage(
    [{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: busyboxLikeFiles('arm64') }, { files: { 'etc/motd': 'hello\n' } }, { files: { 'etc/motd': 'hello\n' } }] }],
    { single: true },
  );
  const { root, close } = await fromLayout(img);
  assert.equal(root.kind, 'image');
  return { image: root as Image, close, img };
}

describe('writeDockerArchive', () => {
  test('manifest.json, the config as <hex>.json byte for byte, layers uncompressed as <diff id>.tar: read back by the docker-archive source', async () => {
    const { image, close } = await imageToSave();
    try {
      const file = temp('saved.tar');
      await writeDockerArchive(image, file, { tags: ['example.test/app:v1', 'app:latest'] });
      const index = await indexTar(file);
      const manifest = JSON.parse(Buffer.from(await readEntry(index, 'manifest.json', 1 << 20)).toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
      const configBytes = await image.configBytes();
      const diffIds = (await image.layers()).map((l) => l.diffId);
      assert.deepEqual(manifest, [{ Config: `${digestOf(configBytes).slice(7)}.json`, RepoTags: ['example.test/app:v1', 'app:latest'], Layers: diffIds.map((d) => `${d!.slice(7)}.tar`) }]);
      assert.equal([...index.entries.keys()].filter((n) => n.endsWith('.tar')).length, 2, 'the repeated layer is written once');
      const src = await openDockerArchive(file, 'example.test/app:v1');
      try {
        const saved = await openRoot(src);
        assert.equal(saved.kind, 'image');
        if (saved.kind !== 'image') return;
        assert.equal(saved.descriptor.annotations?.[SYNTHETIC_MANIFEST_ANNOTATION], 'docker-archive');
        assert.deepEqual(await saved.configBytes(), configBytes);
        const layers = await saved.layers();
        assert.deepEqual(layers.map((l) => [l.compression, l.diffId]), diffIds.map((d) => ['none', d]));
        for (const [i, l] of layers.entries()) {
          const original = await readAll(await (await image.layers())[i]!.compressed());
          assert.deepEqual(Buffer.from(await readAll(await l.compressed())), gunzipSync(original));
        }
      } finally {
        await src.close();
      }
      await rejectsWith(writeDockerArchive(image, temp('x.tar'), { tags: ['app@sha256:' + 'a'.repeat(64)] }), 'E_USAGE', /NAME:TAG/);
      await rejectsWith(writeDockerArchive(image, temp('x.tar'), { tags: ['Not A Tag'] }), 'E_USAGE');
      noTemporaryFiles(file);
    } finally {
      await close();
    }
  });

  test('a layer that fails its diff id: E_DIGEST, no archive', async () => {
    const { close, img } = await imageToSave();
    await close();
    const layer = [...img.blobs.entries()].find(([, b]) => b[0] === 0x1f && b.length > 100)!;
    const { root, close: close2 } = await fromLayout(img, (dir) => alterIn(path.join(dir, 'blobs', 'sha256', layer[0].slice(7)), layer[1]));
    try {
      const file = temp('bad.tar');
      await assert.rejects(writeDockerArchive(root as Image, file), (e: Error & { code?: string }) => e.code === 'E_DIGEST' || e.code === 'E_SOURCE');
      assert.equal(existsSync(file), false);
      noTemporaryFiles(file);
    } finally {
      await close2();
    }
  });

  describe('docker load (Debian\'s dockerd)', () => {
    let dockerd: TestDockerd;
    before(async () => {
      dockerd = await startDockerd();
    });
    after(async () => {
      await dockerd?.stop();
    });

    test('POST /images/load takes the archive: the image ID is the config digest, the tag and the platform are the image\'s', async () => {
      const { image, close } = await imageToSave();
      const store = await BlobStore.create();
      try {
        // an image of the blob store over the saved one (borrowed layers + a new one): what `build` hands to docker
        const layer = await writeLayer([{ path: 'usr/local/bin/app', kind: 'file', bytes: Buffer.from('#!/bin/sh\n'), mode: 0o755 }], store);
        const built = await writeImage(store, { platform: parsePlatform('linux/arm64'), base: image, layers: [{ ...layer, createdBy: 'add app' }], config: { cmd: ['/usr/local/bin/app'] } });
        const file = temp('load.tar');
        await writeDockerArchive(built, file, { tags: ['example.test/built:v1'] });
        const res = await dockerd.api('POST', `/v${dockerd.apiVersion}/images/load?quiet=1`, { body: { file }, headers: { 'Content-Type': 'application/x-tar' } });
        const said = res.body.toString('utf8');
        assert.equal(res.status, 200, said);
        assert.doesNotMatch(said, /errorDetail/, said);
        const inspect = await dockerd.inspectImage('example.test/built:v1');
        assert.equal(inspect.Id, (await built.manifest()).config.digest);
        assert.equal(inspect.Architecture, 'arm64');
        assert.deepEqual(inspect.RepoTags, ['example.test/built:v1']);
        // the library's own load (what `build` calls), and the engine's export read back: the same config and diff ids
        const again = temp('load2.tar');
        await writeDockerArchive(built, again, { tags: ['example.test/built:v2'] });
        const engine = await connectDockerEngine({ host: dockerd.host });
        assert.deepEqual(await engine.imageLoad(createReadStream(again)), ['example.test/built:v2']);
        const exported = await openDockerDaemon(parseReference('example.test/built:v2'), { env: { DOCKER_HOST: dockerd.host } });
        try {
          const back = await openRoot(exported);
          assert.equal(back.kind, 'image');
          if (back.kind !== 'image') return;
          assert.deepEqual(await back.configBytes(), await built.configBytes());
          assert.deepEqual((await back.layers()).map((l) => l.diffId), (await built.layers()).map((l) => l.diffId));
        } finally {
          await exported.close();
        }
      } finally {
        await store.close();
        await close();
      }
    });
  });
});
