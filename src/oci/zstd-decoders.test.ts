/**
 * The three ways a zstd layer is decoded on Node 20 (the `zstd` program on PATH, fzstd, and
 * node:zlib where Node has it) give the same tar and the same errors: altered bytes are E_DIGEST,
 * bytes that are not zstd are E_SOURCE, and a consumer that stops early stops the program.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { buildTestImage, busyboxLikeFiles, readAll, tarOf, writeOciLayout } from '../../test/support/images.js';
import { openRoot, type Image } from './image.js';
import { zstdProgram } from './layer.js';
import { openOciLayout } from './sources/layout.js';

const temp = tempPaths('anyarch-zstd-');

const files = { ...busyboxLikeFiles('arm64'), 'etc/big': 'zstd layer line\n'.repeat(200_000) };

async function zstdImage(alter?: (stored: Buffer) => Buffer): Promise<Image> {
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files, compression: 'zstd' }] }], { single: true });
  const dir = temp('layout');
  await writeOciLayout(dir, img);
  if (alter) {
    const manifest = JSON.parse(Buffer.from(img.root.bytes).toString()) as { layers: { digest: string }[] };
    const blob = path.join(dir, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7));
    writeFileSync(blob, alter(readFileSync(blob)));
  }
  const root = await openRoot(await openOciLayout(dir));
  assert.equal(root.kind, 'image');
  return root as Image;
}

function zstdProcesses(): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'zstd') n++;
    } catch {
      // gone
    }
  }
  return n;
}

async function withDecoder<T>(choice: string, f: () => Promise<T>): Promise<T> {
  const before = process.env.ANYARCH_ZSTD;
  process.env.ANYARCH_ZSTD = choice;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.ANYARCH_ZSTD;
    else process.env.ANYARCH_ZSTD = before;
  }
}

describe('zstd layers: the zstd program, fzstd', () => {
  test('the zstd program is found on PATH (scripts/test-deps.sh installs it), and not when fzstd is asked for', () => {
    assert.ok(zstdProgram(), 'zstd on PATH');
    assert.equal(zstdProgram({ ...process.env, ANYARCH_ZSTD: 'fzstd' }), undefined);
    assert.equal(zstdProgram({ PATH: '/nonexistent' }), undefined);
  });

  for (const choice of ['cli', 'fzstd']) {
    test(`${choice}: the tar, its diff id checked`, async () => {
      await withDecoder(choice, async () => {
        const [layer] = await (await zstdImage()).layers();
        assert.deepEqual(await readAll(await layer!.uncompressed()), tarOf(files));
      });
    });

    test(`${choice}: altered bytes are E_DIGEST; bytes that are not zstd are E_SOURCE`, async () => {
      await withDecoder(choice, async () => {
        const altered = await zstdImage((b) => Buffer.from(b.map((x, i) => (i === Math.floor(b.length / 2) ? x ^ 0x5a : x))));
        await rejectsWith(readAll(await (await altered.layers())[0]!.uncompressed()), 'E_DIGEST');
        // a blob whose digest holds (the layout is rewritten with it) but that is no zstd
        const notZstd = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files, compression: 'none' }] }], { single: true });
        const m = JSON.parse(Buffer.from(notZstd.root.bytes).toString()) as { layers: { mediaType: string }[] };
        m.layers[0]!.mediaType = 'application/vnd.oci.image.layer.v1.tar+zstd';
        const bytes = new TextEncoder().encode(JSON.stringify(m));
        const { createHash } = await import('node:crypto');
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        const dir = temp('layout');
        await writeOciLayout(dir, { ...notZstd, root: { ...notZstd.root, digest, size: bytes.length, bytes }, blobs: new Map([...notZstd.blobs, [digest, bytes]]) });
        const image = (await openRoot(await openOciLayout(dir))) as Image;
        await rejectsWith(readAll(await (await image.layers())[0]!.uncompressed()), 'E_SOURCE', /not valid zstd/);
      });
    });
  }

  test('a consumer that stops early stops the zstd program', async () => {
    await withDecoder('cli', async () => {
      const [layer] = await (await zstdImage()).layers();
      const before = zstdProcesses();
      const stream = await layer!.uncompressed();
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.destroy();
      for (let i = 0; i < 100 && zstdProcesses() > before; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(zstdProcesses(), before);
    });
  });
});
