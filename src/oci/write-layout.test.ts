/**
 * writeOciLayout: what it writes reads back through anyarch's own layout source and through
 * skopeo, byte for byte; a blob that fails its digest leaves no file and no index.json behind;
 * index.json keeps other entries and replaces a tag; a second write finds everything present.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { assertSourceHolds, buildTestImage, busyboxLikeFiles, skopeo, writeOciLayout as writeTestLayout, type BuiltImage } from '../../test/support/images.js';
import { openRoot } from './image.js';
import { openOciLayout } from './sources/layout.js';
import { writeOciLayout } from './write-layout.js';

const temp = tempPaths('anyarch-write-layout-');

function twoPlatforms(): BuiltImage {
  return buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: busyboxLikeFiles('amd64') }, { files: { 'etc/shared': 'same in both\n' } }] },
      { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: busyboxLikeFiles('arm64'), compression: 'zstd' }, { files: { 'etc/shared': 'same in both\n' } }] },
    ],
    { attestations: true, nested: true },
  );
}

async function fromLayout(img: BuiltImage, alter?: (dir: string) => void) {
  const dir = temp('src');
  await writeTestLayout(dir, img, 'src');
  alter?.(dir);
  return openRoot(await openOciLayout(dir, 'src'));
}

describe('writeOciLayout', () => {
  test('an index (nested, with attestations, gzip and zstd layers, a layer shared by both platforms) reads back byte for byte, by anyarch and by skopeo', async () => {
    const img = twoPlatforms();
    const out = temp('out');
    const r = await writeOciLayout(await fromLayout(img), out, { tag: 'v1' });
    assert.equal(r.digest, img.root.digest);
    assert.equal(r.present, 0);
    assert.equal(r.written, img.blobs.size, 'every blob and manifest once, the shared layer once');
    await assertSourceHolds(await openOciLayout(out, 'v1'), img);
    // an independent reader: skopeo takes the layout and finds both platforms
    const raw = JSON.parse(skopeo(['inspect', '--raw', `oci:${out}:v1`])) as { manifests: unknown[] };
    assert.equal(raw.manifests.length, JSON.parse(Buffer.from(img.root.bytes).toString()).manifests.length);
    // skopeo copies only one level of index: a flat index written by anyarch copies whole
    const flat = buildTestImage([0, 1].map((i) => ({ platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' }, files: busyboxLikeFiles(i ? 'arm64' : 'amd64') })), { attestations: true });
    const flatOut = temp('flat');
    await writeOciLayout(await fromLayout(flat), flatOut, { tag: 'f' });
    assert.doesNotThrow(() => skopeo(['copy', '--all', `oci:${flatOut}:f`, `oci:${temp('copy')}:c`]));
    assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    assert.deepEqual(readdirSync(path.join(out, 'blobs', 'sha256')).filter((f) => f.endsWith('.tmp')), []);
  });

  test('a second write finds every blob present; other entries of index.json stay; the same tag is replaced, an untagged entry added once', async () => {
    const img = twoPlatforms();
    const out = temp('out');
    const root = await fromLayout(img);
    await writeOciLayout(root, out, { tag: 'v1' });
    const again = await writeOciLayout(root, out, { tag: 'v1' });
    assert.deepEqual([again.written, again.present], [0, img.blobs.size]);
    const single = buildTestImage([{ platform: { os: 'linux', architecture: 'riscv64' }, files: busyboxLikeFiles('riscv64') }], { single: true });
    await writeOciLayout(await fromLayout(single), out, { tag: 'other' });
    await writeOciLayout(await fromLayout(single), out, { tag: 'v1' });
    await writeOciLayout(await fromLayout(single), out);
    await writeOciLayout(await fromLayout(single), out);
    const index = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    assert.deepEqual(
      index.manifests.map((m) => [m.annotations?.['org.opencontainers.image.ref.name'] ?? '-', m.digest]),
      [
        ['other', single.root.digest],
        ['v1', single.root.digest],
        ['-', single.root.digest],
      ],
    );
    await assertSourceHolds(await openOciLayout(out, 'other'), single);
  });

  test('a layer that fails its digest: E_DIGEST, no file for it, no index.json; an index.json that is not JSON is not replaced', async () => {
    const img = twoPlatforms();
    const first = JSON.parse(Buffer.from(img.blobs.get(img.manifests[0]!.digest)!).toString()) as { layers: { digest: string }[] };
    const layer = first.layers[0]!.digest;
    const root = await fromLayout(img, (dir) => {
      const file = path.join(dir, 'blobs', 'sha256', layer.slice(7));
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x5a;
      writeFileSync(file, bytes);
    });
    const out = temp('out');
    await rejectsWith(writeOciLayout(root, out, { tag: 'v1', parallel: 1 }), 'E_DIGEST');
    assert.equal(existsSync(path.join(out, 'blobs', 'sha256', layer.slice(7))), false);
    assert.equal(existsSync(path.join(out, 'index.json')), false);
    assert.deepEqual(readdirSync(path.join(out, 'blobs', 'sha256')).filter((f) => f.endsWith('.tmp')), []);

    const broken = temp('broken');
    await writeOciLayout(await fromLayout(img), broken, { tag: 'v1' });
    writeFileSync(path.join(broken, 'index.json'), '{not json');
    await rejectsWith(writeOciLayout(await fromLayout(img), broken, { tag: 'v2' }), 'E_MANIFEST', /not JSON/);
    assert.equal(readFileSync(path.join(broken, 'index.json'), 'utf8'), '{not json');
    await rejectsWith(writeOciLayout(await fromLayout(img), temp('bad-tag'), { tag: 'no spaces allowed' }), 'E_USAGE');
  });
});
