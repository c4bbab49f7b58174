import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildTestImage, busyboxLikeFiles, builtImageSource } from '../../test/support/images.js';
import { goBinary } from '../../test/support/real-binaries.js';
import { isAnyarchError } from '../errors.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import { parsePlatform, parsePlatformList } from '../platform/index.js';
import { parseAddition } from './additions.js';
import { assemble, assemblyPlatforms, basePlatforms } from './assemble.js';
import { BlobStore } from './blob-store.js';

const P = parsePlatform;

function base3() {
  return buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64'), containerConfig: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['sh'] } },
      { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
      { platform: { os: 'linux', architecture: 'arm', variant: 'v6' }, files: busyboxLikeFiles('arm') },
    ],
    { format: 'oci', attestations: true },
  );
}

async function layersOf(index: Index): Promise<Map<string, { image: Image; layers: string[] }>> {
  const m = await index.manifest();
  const out = new Map<string, { image: Image; layers: string[] }>();
  for (const d of m.manifests) {
    const image = await index.image(d);
    out.set(`${d.platform?.architecture}${d.platform?.variant ? `/${d.platform.variant}` : ''}`, { image, layers: (await image.manifest()).layers.map((l) => l.digest) });
  }
  return out;
}

describe('assemble (library)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'anyarch-assemble-'));
    await mkdir(path.join(dir, 'dist', 'amd64'), { recursive: true });
    await mkdir(path.join(dir, 'dist', 'arm64'), { recursive: true });
    await writeFile(path.join(dir, 'dist', 'amd64', 'app'), goBinary('linux/amd64'), { mode: 0o755 });
    await writeFile(path.join(dir, 'dist', 'arm64', 'app'), goBinary('linux/arm64'), { mode: 0o755 });
    await mkdir(path.join(dir, 'static', 'css'), { recursive: true });
    await writeFile(path.join(dir, 'static', 'index.html'), '<p>hi</p>\n');
    await writeFile(path.join(dir, 'static', 'css', 'a.css'), 'p{}\n');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const additions = () => [
    parseAddition('linux/amd64=dist/amd64/app:/usr/local/bin/app', false),
    parseAddition('linux/arm64=dist/arm64/app:/usr/local/bin/app', false),
    parseAddition('static:/srv/www', true),
  ];

  it('from scratch: one image per platform, the platform-less files in one layer every platform shares, the config changes applied', async () => {
    const store = await BlobStore.create({ name: 'test' });
    try {
      const platforms = await assemblyPlatforms(additions());
      assert.deepEqual(platforms, parsePlatformList('linux/amd64,linux/arm64'));
      const index = await assemble({ platforms, additions: additions(), config: { entrypoint: ['/usr/local/bin/app'], env: ['MODE=prod'], exposedPorts: ['8080/tcp'] }, store, cwd: dir });
      const byArch = await layersOf(index);
      assert.deepEqual([...byArch.keys()], ['amd64', 'arm64']);
      const amd = byArch.get('amd64')!;
      const arm = byArch.get('arm64')!;
      assert.equal(amd.layers.length, 2);
      assert.equal(amd.layers[0], arm.layers[0], 'the shared layer is the same blob');
      assert.notEqual(amd.layers[1], arm.layers[1]);
      const cfg = await amd.image.containerConfig();
      assert.deepEqual(cfg?.Entrypoint, ['/usr/local/bin/app']);
      assert.deepEqual(cfg?.Env, ['MODE=prod']);
      const config = await arm.image.config();
      assert.equal(config.architecture, 'arm64');
      assert.equal(config.created, '1970-01-01T00:00:00Z');
      const history = await arm.image.history();
      assert.deepEqual(history.map((h) => h.entry.created_by), ['anyarch assemble: /srv/www', 'anyarch assemble: /usr/local/bin/app']);
      // no host path anywhere in the configs
      assert.ok(!new TextDecoder().decode(await arm.image.configBytes()).includes(dir));
      assert.equal((await index.manifest()).annotations, undefined);
    } finally {
      await store.close();
    }
  });

  it('onto a base index: the base layers first, its config kept, base annotations on the index; the default platforms are those added for', async () => {
    const img = base3();
    const source = builtImageSource(img, 'oci:base');
    const store = await BlobStore.create({ name: 'test' });
    try {
      const base = await openRoot(source);
      assert.deepEqual(await basePlatforms(base), parsePlatformList('linux/amd64,linux/arm64,linux/arm/v6'));
      const platforms = await assemblyPlatforms(additions(), base);
      const index = await assemble({ base, baseName: 'registry.example/base:1', platforms, additions: additions(), config: { cmd: ['serve'] }, epoch: 1_700_000_000, store, cwd: dir });
      const byArch = await layersOf(index);
      const baseAmd = await (base as Index).imageFor(P('linux/amd64'));
      const baseLayers = (await baseAmd.manifest()).layers.map((l) => l.digest);
      assert.deepEqual(byArch.get('amd64')!.layers.slice(0, baseLayers.length), baseLayers);
      assert.equal(byArch.get('amd64')!.layers.length, baseLayers.length + 2);
      const cfg = await byArch.get('amd64')!.image.containerConfig();
      assert.deepEqual(cfg?.Env, ['PATH=/usr/bin:/bin']);
      assert.deepEqual(cfg?.Cmd, ['serve']);
      assert.equal((await byArch.get('amd64')!.image.config()).created, '2023-11-14T22:13:20Z');
      const ann = (await index.manifest()).annotations ?? {};
      assert.equal(ann['org.opencontainers.image.base.name'], 'registry.example/base:1');
      assert.equal(ann['org.opencontainers.image.base.digest'], img.root.digest);
    } finally {
      await store.close();
      await source.close();
    }
  });

  it('refuses a platform the base does not publish itself (no fallback to a compatible one), before writing anything', async () => {
    const source = builtImageSource(base3(), 'oci:base');
    const store = await BlobStore.create({ name: 'test' });
    try {
      const base = await openRoot(source);
      await assert.rejects(
        assemble({ base, platforms: [P('linux/arm/v7')], additions: [], store, cwd: dir }),
        (e: unknown) => isAnyarchError(e) && e.code === 'E_NOT_FOUND' && /has no linux\/arm\/v7 image \(it has linux\/amd64, linux\/arm64, linux\/arm\/v6\)/.test(e.message),
      );
      await assert.rejects(assemble({ base, platforms: [P('linux/s390x')], additions: [], store, cwd: dir }), (e: unknown) => isAnyarchError(e) && e.code === 'E_NOT_FOUND');
    } finally {
      await store.close();
      await source.close();
    }
  });

  it('a binary of the wrong architecture: E_INPUT naming the file, what it is and the platform; nothing is written to the store', async () => {
    const store = await BlobStore.create({ name: 'test' });
    try {
      const wrong = [parseAddition('linux/amd64=dist/amd64/app:/app', false), parseAddition('linux/arm64=dist/amd64/app:/app', false), parseAddition('static:/srv', true)];
      await assert.rejects(
        assemble({ platforms: parsePlatformList('linux/amd64,linux/arm64'), additions: wrong, store, cwd: dir }),
        (e: unknown) => isAnyarchError(e) && e.code === 'E_INPUT' && e.message.startsWith(`${path.join('dist', 'amd64', 'app')} is ELF 64-bit LSB x86-64`) && /does not run on linux\/arm64; nothing was written or pushed$/.test(e.message),
      );
      assert.deepEqual(await readdir(path.join(store.dir, 'blobs', 'sha256')), []);
    } finally {
      await store.close();
    }
  });

  it('usage errors: an addition for a platform not assembled, a path added twice, no platform at all', async () => {
    const store = await BlobStore.create({ name: 'test' });
    try {
      const usage = (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE';
      await assert.rejects(assemble({ platforms: [P('linux/amd64')], additions: additions(), store, cwd: dir }), usage);
      const twice = [parseAddition('static/index.html:/x', false), parseAddition('static/css/a.css:/x', false)];
      await assert.rejects(assemble({ platforms: [P('linux/amd64')], additions: twice, store, cwd: dir }), usage);
      await assert.rejects(assemblyPlatforms([parseAddition('static:/srv', true)]), usage);
      await assert.rejects(assemble({ platforms: [P('linux/amd64'), P('linux/amd64')], additions: [], store, cwd: dir }), usage);
      await assert.rejects(assemble({ platforms: [P('windows/amd64')], additions: [], store, cwd: dir }), (e: unknown) => usage(e) && /Linux images only/.test((e as Error).message));
    } finally {
      await store.close();
    }
  });
});
