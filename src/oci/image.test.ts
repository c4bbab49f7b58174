/**
 * The image layer over a real source (OCI layouts written to a temporary directory), with a
 * counting wrapper: nothing is read before it is asked for, and nothing twice; layers stream
 * compressed and uncompressed (gzip, zstd, none) with their diff ids checked; history steps are
 * paired with the layers they made; `imageFor` matches platforms as containerd does.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import {
  buildTestImage,
  busyboxLikeFiles,
  countingSource,
  digestsOf,
  readAll,
  sha256,
  tally,
  tarOf,
  UNKNOWN_MEDIA_TYPE,
  writeOciLayout,
  type BuiltImage,
  type TestPlatformImage,
} from '../../test/support/images.js';
import { isAnyarchError } from '../errors.js';
import type { Digest } from './digest.js';
import { openRoot, type Image, type Index } from './image.js';
import { parseConfig, parseConfigDetails, type Descriptor } from './manifest.js';
import { inspectPlatforms } from './platforms.js';
import type { ImageSource } from './source.js';
import { openOciLayout } from './sources/layout.js';

const tmp = tempPaths('anyarch-image-');
const dec = new TextDecoder();
const enc = new TextEncoder();

function json(img: BuiltImage, digest: string): any {
  return JSON.parse(dec.decode(img.blobs.get(digest)));
}

async function layoutOf(img: BuiltImage): Promise<{ source: ImageSource; reads: ReturnType<typeof countingSource>['reads']; dir: string }> {
  const dir = tmp('layout');
  await writeOciLayout(dir, img, 'v1');
  return { ...countingSource(await openOciLayout(dir, 'v1')), dir };
}

async function asIndex(src: ImageSource): Promise<Index> {
  const root = await openRoot(src);
  assert.equal(root.kind, 'index');
  return root as Index;
}

async function asImage(src: ImageSource): Promise<Image> {
  const root = await openRoot(src);
  assert.equal(root.kind, 'image');
  return root as Image;
}

/**
 * A single-manifest image like image.manifests[0] of `img`, with its config changed by `edit`
 * (the manifest points at the new config; layers stay).
 */
function withConfig(img: BuiltImage, edit: (config: any) => any): BuiltImage {
  const m = json(img, img.manifests[0]!.digest);
  const config = enc.encode(JSON.stringify(edit(json(img, m.config.digest))));
  const configDigest = sha256(config);
  const manifest = enc.encode(JSON.stringify({ ...m, config: { ...m.config, digest: configDigest, size: config.length } }));
  const digest = sha256(manifest);
  const blobs = new Map(img.blobs);
  blobs.set(configDigest, config);
  blobs.set(digest, manifest);
  return {
    root: { digest, mediaType: m.mediaType, size: manifest.length, bytes: manifest },
    blobs,
    manifests: [{ platform: img.manifests[0]!.platform, digest, configDigest, size: manifest.length }],
  };
}

const amd64: TestPlatformImage = { platform: { os: 'linux', architecture: 'amd64' } };

describe('read lazily, at most once', () => {
  test('nothing is read before it is asked for; asking twice reads once', async () => {
    const img = buildTestImage([amd64, { platform: { os: 'linux', architecture: 'arm64' } }]);
    const { source, reads } = await layoutOf(img);
    const root = await asIndex(source);
    assert.deepEqual(reads, { root: 1, manifests: [], blobs: [], streams: [] });

    await root.manifest();
    await root.manifestBytes();
    assert.deepEqual(reads, { root: 1, manifests: [], blobs: [], streams: [] }, 'the root was read by openRoot');

    const entry = (await root.manifest()).manifests[0] as Descriptor;
    const image = await root.image(entry);
    assert.equal(await root.image(entry), image, 'one object per descriptor');
    assert.deepEqual(digestsOf(reads.manifests), [entry.digest]);
    assert.deepEqual(digestsOf(reads.blobs), []);

    const config = await image.config();
    assert.equal(config.architecture, 'amd64');
    await image.config();
    await image.configBytes();
    const layers = await image.layers();
    assert.equal(await image.layers(), layers);
    await image.history();
    assert.deepEqual(digestsOf(reads.manifests), [entry.digest]);
    assert.deepEqual(digestsOf(reads.blobs), [img.manifests[0]!.configDigest], 'the config was read once');
    assert.deepEqual(digestsOf(reads.streams), [], 'layers are not read until a stream is asked for');

    await readAll(await layers[0]!.compressed());
    await readAll(await layers[0]!.uncompressed());
    assert.deepEqual(digestsOf(reads.streams), [layers[0]!.descriptor.digest, layers[0]!.descriptor.digest], 'each stream asked for is read');
    await source.close();
  });

  test('an index of N entries sharing one manifest and config reads each once', async () => {
    const files = busyboxLikeFiles('amd64');
    const arches = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le'];
    // one image listed under eight platforms: same layer, same config, same manifest
    const img = buildTestImage(arches.map((architecture) => ({ platform: { os: 'linux', architecture }, files, configPlatform: { os: 'linux', architecture: 'amd64' } })));
    assert.equal(new Set(img.manifests.map((m) => m.digest)).size, 1);
    const { source, reads } = await layoutOf(img);
    const report = await inspectPlatforms(source);
    assert.equal(report.platforms.length, arches.length);

    assert.equal(report.platforms.filter((p) => p.mismatch).length, arches.length - 1);
    assert.deepEqual([...tally(digestsOf(reads.manifests)).values()], [1]);
    assert.deepEqual([...tally(digestsOf(reads.blobs)).values()], [1]);

    // another opening reads again (once); each entry keeps its own descriptor, though the content is one
    const root = await asIndex(source);
    const entries = (await root.manifest()).manifests;
    assert.deepEqual(
      await Promise.all(entries.map(async (e) => (await root.image(e)).descriptor.platform?.architecture)),
      arches,
    );
    assert.deepEqual([...tally(digestsOf(reads.manifests)).values()], [2]);
  });

  test('N image manifests sharing one config: each manifest once, the config once', async () => {
    const files = busyboxLikeFiles('arm64');
    const img = buildTestImage(Array.from({ length: 6 }, (_, i) => ({ platform: { os: 'linux', architecture: 'arm64' }, files, annotations: { n: String(i) } })));
    assert.equal(new Set(img.manifests.map((m) => m.digest)).size, 6);
    assert.equal(new Set(img.manifests.map((m) => m.configDigest)).size, 1);
    const { source, reads } = await layoutOf(img);
    const root = await asIndex(source);
    for (const entry of (await root.manifest()).manifests) {
      const image = await root.image(entry);
      await image.config();
      await image.layers();
      await image.history();
    }
    const again = await root.imageFor('linux/arm64');
    await again.config();
    assert.equal(reads.manifests.length, 6);
    assert.deepEqual(tally(digestsOf(reads.blobs)), new Map([[img.manifests[0]!.configDigest, 1]]));
  });

  test('a failed read is remembered: the same error, nothing read again', async () => {
    const img = buildTestImage([amd64]);
    const { source, reads, dir } = await layoutOf(img);
    // the config altered in storage (same size)
    const configPath = path.join(dir, 'blobs', 'sha256', img.manifests[0]!.configDigest.slice('sha256:'.length));
    const bytes = img.blobs.get(img.manifests[0]!.configDigest)!;
    writeFileSync(configPath, Buffer.from(bytes).map((b, i) => (i === 10 ? b ^ 1 : b)));
    const root = await asIndex(source);
    const image = await root.image((await root.manifest()).manifests[0]!);
    const first = await rejectsWith(image.config(), 'E_DIGEST');
    const second = await rejectsWith(image.configBytes(), 'E_DIGEST');
    assert.equal(second, first);
    await rejectsWith(image.layers(), 'E_DIGEST');
    assert.equal(reads.blobs.length, 1);
  });

  test('image() of an index and index() of an image are E_MANIFEST', async () => {
    const img = buildTestImage([amd64], { nested: true });
    const { source } = await layoutOf(img);
    const root = await asIndex(source);
    const child = (await root.manifest()).manifests[0]!;
    await rejectsWith(root.image(child), 'E_MANIFEST', /is an index/);
    const nested = await root.index(child);
    assert.equal(nested.kind, 'index');
    const leaf = (await nested.manifest()).manifests[0]!;
    await rejectsWith(nested.index(leaf), 'E_MANIFEST', /is an image manifest/);
    assert.equal((await (await nested.image(leaf)).config()).architecture, 'amd64');
  });
});

describe('layers', () => {
  const layered: TestPlatformImage = {
    platform: { os: 'linux', architecture: 'amd64' },
    layers: [
      { files: { 'etc/a': 'gzip layer\n' }, compression: 'gzip' },
      { files: { 'etc/b': 'zstd layer\n'.repeat(500) }, compression: 'zstd' },
      { files: { 'etc/c': 'plain layer\n' }, compression: 'none' },
    ],
  };

  for (const format of ['oci', 'docker'] as const) {
    test(`gzip, zstd and uncompressed layers (${format} media types): streams, compression, diff ids`, async () => {
      const img = buildTestImage([layered], { single: true, format });
      const { source } = await layoutOf(img);
      const image = await asImage(source);
      const config = json(img, img.manifests[0]!.configDigest);
      const layers = await image.layers();
      assert.deepEqual(
        layers.map((l) => l.compression),
        ['gzip', 'zstd', 'none'],
      );
      for (const [i, l] of layers.entries()) {
        assert.equal(l.index, i);
        assert.equal(l.mediaType, l.descriptor.mediaType);
        assert.equal(l.diffId, config.rootfs.diff_ids[i]);
        const stored = await readAll(await l.compressed());
        assert.equal(sha256(stored), l.descriptor.digest);
        const tar = await readAll(await l.uncompressed());
        assert.equal(sha256(tar), l.diffId);
        assert.deepEqual(tar, tarOf(layered.layers![i]!.files));
      }
    });
  }

  test('an uncompressed tar that is not its diff id (diff ids swapped): E_DIGEST at the end of its stream', async () => {
    const img = withConfig(buildTestImage([layered], { single: true }), (c) => ({ ...c, rootfs: { ...c.rootfs, diff_ids: [c.rootfs.diff_ids[1], c.rootfs.diff_ids[0], c.rootfs.diff_ids[2]] } }));
    const { source } = await layoutOf(img);
    const layers = await (await asImage(source)).layers();
    for (const l of layers) await readAll(await l.compressed()); // the stored bytes are the published ones
    await rejectsWith(readAll(await layers[0]!.uncompressed()), 'E_DIGEST', /diff id/);
    await rejectsWith(readAll(await layers[1]!.uncompressed()), 'E_DIGEST', /diff id/);
    assert.equal(sha256(await readAll(await layers[2]!.uncompressed())), layers[2]!.diffId);
  });

  test('rootfs.diff_ids of another count than the layers: E_MANIFEST when layers are asked for (Docker and containerd refuse it); the platform still listed', async () => {
    for (const edit of [(ids: string[]) => ids.slice(1), (ids: string[]) => [...ids, ids[0]], () => []]) {
      const img = withConfig(buildTestImage([layered], { single: true }), (c) => ({ ...c, rootfs: { ...c.rootfs, diff_ids: edit(c.rootfs.diff_ids) } }));
      const { source } = await layoutOf(img);
      const image = await asImage(source);
      const count = edit(['1', '2', '3']).length;
      await rejectsWith(image.layers(), 'E_MANIFEST', new RegExp(`"rootfs\\.diff_ids" lists ${count} diff ids for 3 layers`));
      await rejectsWith(image.history(), 'E_MANIFEST', /diff_ids/);
      assert.equal((await inspectPlatforms(source)).platforms[0]?.platform, 'linux/amd64');
    }
  });

  test('a config without rootfs: layers without diff ids, streamed unchecked', async () => {
    const img = withConfig(buildTestImage([layered], { single: true }), ({ rootfs: _r, ...c }) => c);
    const { source } = await layoutOf(img);
    const layers = await (await asImage(source)).layers();
    assert.ok(layers.every((l) => l.diffId === undefined));
    assert.deepEqual(await readAll(await layers[1]!.uncompressed()), tarOf(layered.layers![1]!.files));
  });

  test('a malformed diff id is E_MANIFEST', async () => {
    const img = withConfig(buildTestImage([amd64], { single: true }), (c) => ({ ...c, rootfs: { type: 'layers', diff_ids: ['sha256:nothex'] } }));
    const { source } = await layoutOf(img);
    await rejectsWith((await asImage(source)).layers(), 'E_MANIFEST', /diff_ids\[0\]/);
  });

  for (const [compression, at] of [
    ['gzip', 'middle'],
    ['zstd', 'middle'],
    ['gzip', 'end'],
  ] as const) {
    test(`altered ${compression} bytes (${at}): E_DIGEST from both streams, not a decoder error`, async () => {
      const img = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: busyboxLikeFiles('amd64'), compression }] }], { single: true });
      const { source, dir } = await layoutOf(img);
      const layer = (await (await asImage(source)).layers())[0]!;
      const stored = img.blobs.get(layer.descriptor.digest)!;
      const i = at === 'middle' ? Math.floor(stored.length / 2) : stored.length - 1;
      writeFileSync(path.join(dir, 'blobs', 'sha256', layer.descriptor.digest.slice(7)), Buffer.from(stored).map((b, k) => (k === i ? b ^ 0x5a : b)));
      await rejectsWith(readAll(await layer.compressed()), 'E_DIGEST');
      await rejectsWith(readAll(await layer.uncompressed()), 'E_DIGEST');
    });
  }

  test('a layer that is not what its media type says (a plain tar called gzip): E_SOURCE', async () => {
    const base = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: { 'etc/x': 'x' }, compression: 'none' }] }], { single: true });
    const m = json(base, base.manifests[0]!.digest);
    const manifest = enc.encode(JSON.stringify({ ...m, layers: [{ ...m.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }] }));
    const img: BuiltImage = { ...base, root: { digest: sha256(manifest), mediaType: m.mediaType, size: manifest.length, bytes: manifest }, blobs: new Map([...base.blobs, [sha256(manifest), manifest]]) };
    const { source } = await layoutOf(img);
    const layer = (await (await asImage(source)).layers())[0]!;
    assert.equal(layer.compression, 'gzip');
    await rejectsWith(readAll(await layer.uncompressed()), 'E_SOURCE', /not valid gzip/);
  });

  test('a layer of a media type that is no layer (an attestation statement): E_MANIFEST, compressed bytes still readable', async () => {
    const img = buildTestImage([amd64], { attestations: true });
    const { source } = await layoutOf(img);
    const root = await asIndex(source);
    const att = (await root.manifest()).manifests.find((d) => d.platform?.os === 'unknown')!;
    const image = await root.image(att);
    const [layer] = await image.layers();
    assert.equal(layer?.compression, undefined);
    assert.equal(layer?.mediaType, 'application/vnd.in-toto+json');
    await rejectsWith(layer!.uncompressed(), 'E_MANIFEST', /not a layer/);
    assert.match(dec.decode(await readAll(await layer!.compressed())), /in-toto/);
  });

  test('a consumer that stops early releases the source stream', async () => {
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: { 'big/file': new Uint8Array(4 << 20).map((_, i) => (i * 7919) % 251) } }] }], { single: true });
    const { source } = await layoutOf(img);
    let inner: Readable | undefined;
    const spy: ImageSource = { ...source, blobStream: async (d) => (inner = await source.blobStream(d)) };
    const layer = (await (await asImage(spy)).layers())[0]!;
    const out = await layer.uncompressed();
    for await (const chunk of out) {
      assert.ok((chunk as Uint8Array).length > 0);
      break; // destroys `out`
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(inner?.destroyed, 'the source stream is destroyed');
  });
});

describe('config and history', () => {
  test('history steps paired with the layers they made; empty_layer steps skipped', async () => {
    const img = buildTestImage(
      [
        {
          platform: { os: 'linux', architecture: 'amd64' },
          layers: [{ files: { 'etc/base': 'base' } }, { files: { 'app/bin': 'app' } }],
          history: [
            { created_by: '/bin/sh -c #(nop) ADD file:base in /' },
            { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
            { created_by: 'RUN /bin/sh -c make install # buildkit', comment: 'buildkit.dockerfile.v0' },
            { created_by: 'CMD ["/app/bin"]', empty_layer: true },
          ],
          containerConfig: { Entrypoint: ['/app/bin'], User: 'app', WorkingDir: '/app', Labels: { a: 'b' } },
        },
      ],
      { single: true },
    );
    const { source } = await layoutOf(img);
    const image = await asImage(source);
    const layers = await image.layers();
    assert.deepEqual(
      layers.map((l) => l.history?.created_by),
      ['/bin/sh -c #(nop) ADD file:base in /', 'RUN /bin/sh -c make install # buildkit'],
    );
    const steps = await image.history();
    assert.deepEqual(
      steps.map((s) => [s.entry.created_by, s.layer?.index]),
      [
        ['/bin/sh -c #(nop) ADD file:base in /', 0],
        ['/bin/sh -c #(nop)  ENV A=1', undefined],
        ['RUN /bin/sh -c make install # buildkit', 1],
        ['CMD ["/app/bin"]', undefined],
      ],
    );
    assert.equal(steps[2]?.layer, layers[1]);
    assert.equal(steps[2]?.entry.comment, 'buildkit.dockerfile.v0');
    const config = await image.config();
    const run = await image.containerConfig();
    assert.deepEqual(run?.Entrypoint, ['/app/bin']);
    assert.deepEqual(run?.Cmd, ['/bin/sh']);
    assert.equal(run?.User, 'app');
    assert.equal(run?.WorkingDir, '/app');
    assert.deepEqual(run?.Labels, { a: 'b' });
    assert.equal(config.rootfs?.diff_ids.length, 2);
  });

  test('steps that made layers and layers disagree in number: no step is paired', async () => {
    const img = buildTestImage(
      [{ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: { a: 'a' } }, { files: { b: 'b' } }], history: [{ created_by: 'one' }, { created_by: 'two', empty_layer: true }] }],
      { single: true },
    );
    const { source } = await layoutOf(img);
    const image = await asImage(source);
    assert.ok((await image.layers()).every((l) => l.history === undefined));
    assert.deepEqual(
      (await image.history()).map((s) => [s.entry.created_by, s.layer]),
      [
        ['one', undefined],
        ['two', undefined],
      ],
    );
  });

  test('parseConfig checks what listing platforms needs; the container config and history are checked where they are read, as Docker decodes them', () => {
    const parse = (v: unknown) => parseConfig(enc.encode(JSON.stringify(v)), 'config');
    const base = { os: 'linux', architecture: 'amd64' };
    const details = (v: unknown) => parseConfigDetails(parse({ ...base, ...(v as object) }), 'config');
    const c = parse({ ...base, config: { Entrypoint: '/bin/sh', Cmd: null, Labels: null, Healthcheck: { Test: ['NONE'] } }, history: [{ empty_layer: true }], 'x-extra': 1 });
    assert.equal((c as unknown as Record<string, unknown>)['x-extra'], 1);
    const d = parseConfigDetails(c, 'config');
    assert.deepEqual(d.container?.Entrypoint, ['/bin/sh']);
    assert.equal(d.container?.Cmd, null);
    assert.deepEqual((d.container as Record<string, unknown>).Healthcheck, { Test: ['NONE'] });
    assert.deepEqual(d.history, [{ empty_layer: true }]);
    // what Go's decoder takes: null lists and fields are absent, null elements and map values ""
    assert.deepEqual(details({ config: { Labels: { maintainer: null, a: 'b' }, Env: null, Cmd: [null, 'sh'], User: null }, history: [null, { created_by: null, empty_layer: null, comment: 'c' }] }), {
      container: { Labels: { maintainer: '', a: 'b' }, Env: null, Cmd: ['', 'sh'] },
      history: [{}, { comment: 'c' }],
    });
    assert.deepEqual(details({ config: null, history: null }), { container: undefined, history: [] });
    assert.deepEqual(details({}), { container: undefined, history: [] });
    for (const bad of [
      { history: {} },
      { history: [1] },
      { history: [{ created_by: 1 }] },
      { history: [{ empty_layer: 'yes' }] },
      { history: [{ empty_layer: 'false' }] },
      { config: [] },
      { config: { Cmd: [1] } },
      { config: { Entrypoint: {} } },
      { config: { Env: 'A=1' } },
      { config: { User: 0 } },
      { config: { Labels: { a: 1 } } },
      { config: { Labels: ['a'] } },
    ]) {
      // listing platforms reads the config as before; Docker refuses it when it decodes it
      assert.equal(parse({ ...base, ...bad }).architecture, 'amd64', JSON.stringify(bad));
      assert.throws(() => details(bad), (e) => isAnyarchError(e) && e.code === 'E_MANIFEST', JSON.stringify(bad));
    }
    assert.equal((parse({ ...base, author: 1 }) as unknown as Record<string, unknown>).author, 1, 'a field anyarch never reads is never checked');
    for (const bad of [{ variant: 1 }, { 'os.version': [] }, { created: 5 }, { rootfs: { diff_ids: [1] } }, { rootfs: null }, { os: null }]) {
      assert.throws(() => parse({ ...base, ...bad }), (e) => isAnyarchError(e) && e.code === 'E_MANIFEST', JSON.stringify(bad));
    }
  });

  test('a history or container config Docker would refuse: the platform is listed, history(), layers() and containerConfig() say E_MANIFEST', async () => {
    const odd = buildTestImage(
      [
        { platform: { os: 'linux', architecture: 'amd64' }, history: [{ created_by: 'one', empty_layer: 'false' as unknown as boolean }] },
        { platform: { os: 'linux', architecture: 'arm64' }, containerConfig: { Labels: { maintainer: null }, Env: null } },
      ],
      {},
    );
    const { source } = await layoutOf(odd);
    const report = await inspectPlatforms(source);
    assert.deepEqual(
      report.platforms.map((p) => [p.platform, p.error?.code]),
      [
        ['linux/amd64', undefined],
        ['linux/arm64', undefined],
      ],
    );
    const index = await asIndex(source);
    const amd64 = await index.imageFor('linux/amd64');
    await rejectsWith(amd64.history(), 'E_MANIFEST', /history\[0\]\.empty_layer" is not true or false/);
    await rejectsWith(amd64.layers(), 'E_MANIFEST', /empty_layer/);
    await rejectsWith(amd64.containerConfig(), 'E_MANIFEST', /empty_layer/);
    const arm64 = await index.imageFor('linux/arm64');
    assert.deepEqual(await arm64.containerConfig(), { Env: null, Cmd: ['/bin/sh'], Labels: { maintainer: '' } });
    assert.deepEqual(
      (await arm64.history()).map((s) => [s.entry.created_by, s.layer?.index]),
      [['anyarch test image', 0]],
    );
  });
});

describe('imageFor: containerd matching', () => {
  const platforms: TestPlatformImage[] = [
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' } },
  ];
  const byPlatform = (img: BuiltImage, p: string): Digest => img.manifests.find((m) => m.platform === p)!.digest as Digest;

  test('exact, normalised (arm64 = arm64/v8, aarch64), and fallbacks (arm/v7 takes arm/v6); attestations never', async () => {
    const img = buildTestImage(platforms, { attestations: true });
    const { source } = await layoutOf(img);
    const root = await asIndex(source);
    const cases: [string | { os: string; architecture: string; variant: string }, string][] = [
      ['linux/amd64', 'linux/amd64'],
      ['linux/arm64', 'linux/arm64/v8'],
      ['linux/arm64/v8', 'linux/arm64/v8'],
      ['linux/aarch64', 'linux/arm64/v8'],
      [{ os: 'linux', architecture: 'arm64', variant: '' }, 'linux/arm64/v8'],
      ['linux/arm/v7', 'linux/arm/v6'],
      ['linux/arm/v6', 'linux/arm/v6'],
      ['windows/amd64', 'windows/amd64'],
    ];
    for (const [wanted, expected] of cases) {
      const image = await root.imageFor(wanted);
      assert.equal(image.descriptor.digest, byPlatform(img, expected), JSON.stringify(wanted));
    }
    await rejectsWith(root.imageFor('linux/riscv64'), 'E_NOT_FOUND', /no image for linux\/riscv64 \(it has linux\/amd64, linux\/arm64\/v8, linux\/arm\/v6, windows\/amd64\)/);
    await rejectsWith(root.imageFor('linux/arm/v5'), 'E_NOT_FOUND');
    await rejectsWith(root.imageFor('not a platform!'), 'E_PLATFORM_SPEC');
  });

  test('arm64 falls back to 32-bit arm, amd64 to 386', async () => {
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }, { platform: { os: 'linux', architecture: '386' } }]);
    const { source } = await layoutOf(img);
    const root = await asIndex(source);
    assert.equal((await root.imageFor('linux/arm64')).descriptor.digest, byPlatform(img, 'linux/arm/v7'));
    assert.equal((await root.imageFor('linux/amd64')).descriptor.digest, byPlatform(img, 'linux/386'));
  });

  test('nested indexes are searched; entries without a platform match by their config', async () => {
    const nested = buildTestImage(platforms.slice(0, 2), { nested: true });
    const n = await asIndex((await layoutOf(nested)).source);
    assert.equal((await n.imageFor('linux/arm64')).descriptor.digest, byPlatform(nested, 'linux/arm64/v8'));

    // an index whose entries carry no platform
    const base = buildTestImage(platforms.slice(0, 2));
    const index = json(base, base.root.digest);
    const bare = enc.encode(JSON.stringify({ ...index, manifests: index.manifests.map(({ platform: _p, ...d }: { platform: unknown }) => d) }));
    const img: BuiltImage = { ...base, root: { ...base.root, digest: sha256(bare), size: bare.length, bytes: bare }, blobs: new Map([...base.blobs, [sha256(bare), bare]]) };
    const { source, reads } = await layoutOf(img);
    const root = await asIndex(source);
    assert.equal((await root.imageFor('linux/arm64')).descriptor.digest, byPlatform(base, 'linux/arm64/v8'));
    assert.equal((await root.imageFor('linux/amd64')).descriptor.digest, byPlatform(base, 'linux/amd64'));
    assert.deepEqual([...tally(digestsOf(reads.blobs)).values()], [1, 1], 'each config read once across both questions');
  });
});

describe('blobs by descriptor', () => {
  test('an image streams its config and layers as stored, parses no config, and refuses what its manifest does not name', async () => {
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') }], { single: true });
    const { source, reads } = await layoutOf(img);
    const image = await asImage(source);
    const m = await image.manifest();
    for (const d of [m.config, ...m.layers]) assert.equal(sha256(await readAll(await image.blob(d))), d.digest);
    assert.deepEqual(reads.blobs, [], 'nothing read whole, no config parsed');
    assert.deepEqual(tally(reads.streams.map((d) => d.digest)), tally([m.config.digest, ...m.layers.map((l) => l.digest)]));
    const elsewhere: Descriptor = { mediaType: 'application/octet-stream', digest: sha256('elsewhere') as Digest, size: 9 };
    await rejectsWith(image.blob(elsewhere), 'E_NOT_FOUND', /names no blob/);
    await rejectsWith(image.blob({ ...m.config, size: m.config.size + 1 }), 'E_NOT_FOUND');
  });

  test('an index streams an entry of another media type, and nothing it does not list', async () => {
    const img = buildTestImage([amd64], { unknownEntry: true });
    const { source } = await layoutOf(img);
    const index = await asIndex(source);
    const unknown = (await index.manifest()).manifests.find((d) => d.mediaType === UNKNOWN_MEDIA_TYPE);
    assert.ok(unknown);
    assert.equal(sha256(await readAll(await index.blob(unknown))), unknown.digest);
    await rejectsWith(index.blob({ ...unknown, digest: sha256('not listed') as Digest }), 'E_NOT_FOUND');
  });
});
