/**
 * The ways a layer is decoded give the same tar and the same errors: gzip by the `igzip` program
 * or node:zlib, zstd by the `zstd` program, fzstd (or node:zlib where Node has it). Altered bytes
 * are E_DIGEST, bytes that are not what the media type says are E_SOURCE, and a consumer that
 * stops early stops the program.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { buildTestImage, busyboxLikeFiles, readAll, tarOf, writeOciLayout } from '../../test/support/images.js';
import { openRoot, type Image } from './image.js';
import { gzipProgram, IGZIP_MIN_BYTES, igzipProgram, zstdProgram } from './layer.js';
import { openOciLayout } from './sources/layout.js';

const temp = tempPaths('anyarch-zstd-');

const files = { ...busyboxLikeFiles('arm64'), 'etc/big': 'zstd layer line\n'.repeat(200_000) };

async function layerImage(compression: 'gzip' | 'zstd', alter?: (stored: Buffer) => Buffer): Promise<Image> {
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files, compression }] }], { single: true });
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

function processesNamed(name: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) n++;
    } catch {
      // gone
    }
  }
  return n;
}

async function withDecoder<T>(variable: 'ANYARCH_ZSTD' | 'ANYARCH_GZIP', choice: string, f: () => Promise<T>): Promise<T> {
  const before = process.env[variable];
  process.env[variable] = choice;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env[variable];
    else process.env[variable] = before;
  }
}

describe('the decoder programs on PATH', () => {
  test('zstd and igzip are found on PATH (scripts/test-deps.sh installs them), and not when the in-process decoder is asked for', () => {
    assert.ok(zstdProgram(), 'zstd on PATH');
    assert.equal(zstdProgram({ ...process.env, ANYARCH_ZSTD: 'fzstd' }), undefined);
    assert.equal(zstdProgram({ PATH: '/nonexistent' }), undefined);
    assert.ok(igzipProgram(), 'igzip on PATH');
    assert.equal(igzipProgram({ ...process.env, ANYARCH_GZIP: 'zlib' }), undefined);
    assert.equal(igzipProgram({ PATH: '/nonexistent' }), undefined);
  });

  test('igzip inflates layers from IGZIP_MIN_BYTES up; smaller ones, and all with ANYARCH_GZIP=zlib, stay in node:zlib', () => {
    const env = { PATH: process.env.PATH };
    assert.equal(gzipProgram(IGZIP_MIN_BYTES - 1, env), undefined);
    assert.equal(gzipProgram(IGZIP_MIN_BYTES, env), igzipProgram(env));
    assert.equal(gzipProgram(1, { ...env, ANYARCH_GZIP: 'igzip' }), igzipProgram(env));
    assert.equal(gzipProgram(1 << 30, { ...env, ANYARCH_GZIP: 'zlib' }), undefined);
    assert.throws(() => gzipProgram(1, { PATH: '/nonexistent', ANYARCH_GZIP: 'igzip' }), /ANYARCH_GZIP=igzip, but no igzip program is on PATH/);
  });
});

const CASES: { compression: 'gzip' | 'zstd'; variable: 'ANYARCH_ZSTD' | 'ANYARCH_GZIP'; choice: string; program?: string }[] = [
  { compression: 'gzip', variable: 'ANYARCH_GZIP', choice: 'igzip', program: 'igzip' },
  { compression: 'gzip', variable: 'ANYARCH_GZIP', choice: 'zlib' },
  { compression: 'zstd', variable: 'ANYARCH_ZSTD', choice: 'cli', program: 'zstd' },
  { compression: 'zstd', variable: 'ANYARCH_ZSTD', choice: 'fzstd' },
];

for (const { compression, variable, choice, program } of CASES) {
  describe(`${compression} layers, ${variable}=${choice}`, () => {
    test('the tar, its diff id checked', async () => {
      await withDecoder(variable, choice, async () => {
        const [layer] = await (await layerImage(compression)).layers();
        assert.deepEqual(await readAll(await layer!.uncompressed()), tarOf(files));
      });
    });

    test(`altered bytes are E_DIGEST; bytes that are not ${compression} are E_SOURCE`, async () => {
      await withDecoder(variable, choice, async () => {
        const altered = await layerImage(compression, (b) => Buffer.from(b.map((x, i) => (i === Math.floor(b.length / 2) ? x ^ 0x5a : x))));
        await rejectsWith(readAll(await (await altered.layers())[0]!.uncompressed()), 'E_DIGEST');
        // a blob whose digest holds (the layout is rewritten with it) but that is not compressed
        const plain = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files, compression: 'none' }] }], { single: true });
        const m = JSON.parse(Buffer.from(plain.root.bytes).toString()) as { layers: { mediaType: string }[] };
        m.layers[0]!.mediaType = `application/vnd.oci.image.layer.v1.tar+${compression}`;
        const bytes = new TextEncoder().encode(JSON.stringify(m));
        const { createHash } = await import('node:crypto');
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        const dir = temp('layout');
        await writeOciLayout(dir, { ...plain, root: { ...plain.root, digest, size: bytes.length, bytes }, blobs: new Map([...plain.blobs, [digest, bytes]]) });
        const image = (await openRoot(await openOciLayout(dir))) as Image;
        await rejectsWith(readAll(await (await image.layers())[0]!.uncompressed()), 'E_SOURCE', new RegExp(`not valid ${compression}`));
      });
    });

    if (program) {
      test(`a consumer that stops early stops the ${program} program`, async () => {
        await withDecoder(variable, choice, async () => {
          const [layer] = await (await layerImage(compression)).layers();
          const before = processesNamed(program);
          const stream = await layer!.uncompressed();
          await new Promise<void>((resolve) => stream.once('data', () => resolve()));
          stream.destroy();
          for (let i = 0; i < 100 && processesNamed(program) > before; i++) await new Promise((r) => setTimeout(r, 20));
          assert.equal(processesNamed(program), before);
        });
      });
    }
  });
}

describe('uncompressed layers', () => {
  test('the tar as stored; its diff id is its digest and is checked once, by the source; another diff id is still checked', async () => {
    const tar = tarOf(files);
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
    const open = async (diffId: string): Promise<Image> => {
      const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files, stored: { bytes: tar, diffId, compression: 'none' } }] }], { single: true });
      const dir = temp('layout');
      await writeOciLayout(dir, img);
      return (await openRoot(await openOciLayout(dir))) as Image;
    };
    const [same] = await (await open(digest)).layers();
    assert.equal(same!.diffId, same!.descriptor.digest);
    assert.deepEqual(await readAll(await same!.uncompressed()), tar);
    const [other] = await (await open(`sha256:${'0'.repeat(64)}`)).layers();
    await rejectsWith(readAll(await other!.uncompressed()), 'E_DIGEST', /diff id/);
  });
});
