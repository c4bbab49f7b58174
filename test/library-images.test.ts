/**
 * The image layer through the library's entry point, as a library user following the README
 * would use it: open a source by its specifier, open its root, pick a platform, read a layer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as anyarch from '../src/index.js';
import { tempPaths } from './support/assert.js';
import { buildTestImage, busyboxLikeFiles, readAll, sha256, tarOf, writeOciLayout } from './support/images.js';

const tmp = tempPaths('anyarch-library-');

test('openSource, openRoot, imageFor, layers, walkIndex: all from the entry point', async () => {
  for (const name of ['openRoot', 'walkIndex', 'MAX_INDEX_ENTRIES', 'DEFAULT_MAX_DEPTH', 'layerCompression', 'inspectPlatforms']) assert.ok(name in anyarch, name);
  const files = busyboxLikeFiles('arm64');
  const img = buildTestImage([
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ files, compression: 'zstd' }] },
  ]);
  const dir = tmp('layout');
  await writeOciLayout(dir, img, 'v1');
  const source = await anyarch.openSource(anyarch.parseSourceSpec(`oci:${dir}:v1`));
  try {
    const root = await anyarch.openRoot(source);
    assert.equal(root.kind, 'index');
    if (root.kind !== 'index') return;
    const walk = await anyarch.walkIndex(root);
    assert.deepEqual(
      walk.images.map((i) => i.platform && anyarch.formatPlatform(i.platform)),
      ['linux/amd64', 'linux/arm64/v8'],
    );
    const image = await root.imageFor(anyarch.parsePlatform('linux/arm64'));
    const [layer] = await image.layers();
    assert.equal(layer?.compression, 'zstd');
    const tar = await readAll(await layer!.uncompressed());
    assert.deepEqual(tar, tarOf(files));
    assert.equal(sha256(tar), layer?.diffId);
  } finally {
    await source.close();
  }
});
