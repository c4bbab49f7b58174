/**
 * BlobStore: put and putStream store content-addressed blobs (temp + rename, nothing left by a
 * failed stream); borrowed blobs are served without a copy and checked against their digest when
 * read; the store's source is read by openRoot; close (and an interrupted CLI's clean-up through
 * temporaryDirs) removes the directory.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { readAll } from '../../test/support/images.js';
import { removeTemporaryDirs } from '../fs/temporary.js';
import { digestOf } from '../oci/digest.js';
import { openRoot } from '../oci/image.js';
import { MediaType } from '../oci/media.js';
import { BlobStore } from './blob-store.js';

const temp = tempPaths('anyarch-blob-store-');

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('.tmp'));
}

describe('BlobStore', () => {
  test('put and putStream store blobs by digest, once, with no temporary file left', async () => {
    const store = await BlobStore.create({ name: 'test' });
    try {
      assert.deepEqual(JSON.parse(readFileSync(path.join(store.dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
      const bytes = Buffer.from('{"a":1}');
      const d = await store.put(bytes, MediaType.OCI_CONFIG);
      assert.deepEqual(d, { mediaType: MediaType.OCI_CONFIG, digest: digestOf(bytes), size: bytes.length });
      assert.deepEqual(readFileSync(path.join(store.dir, 'blobs', 'sha256', d.digest.slice(7))), bytes);
      assert.deepEqual(await store.put(bytes, MediaType.OCI_CONFIG), d, 'a second put of the same bytes is the same blob');
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      const chunks = [big.subarray(0, 1000), big.subarray(1000, 2_000_000), big.subarray(2_000_000)];
      const s = await store.putStream(Readable.from(chunks), MediaType.OCI_LAYER);
      assert.equal(s.digest, digestOf(big));
      assert.equal(s.size, big.length);
      assert.ok(store.has(s.digest) && store.holds(s.digest));
      assert.equal((await store.putStream(Readable.from([big]), MediaType.OCI_LAYER)).digest, s.digest);
      assert.deepEqual(readdirSync(path.join(store.dir, 'blobs', 'sha256')).sort(), [d.digest.slice(7), s.digest.slice(7)].sort());
      assert.deepEqual(leftovers(store.dir), []);
    } finally {
      await store.close();
    }
  });

  test('a stream that fails leaves nothing behind, and the error is the stream\'s', async () => {
    const store = await BlobStore.create();
    try {
      async function* failing(): AsyncGenerator<Buffer> {
        yield Buffer.alloc(100_000, 1);
        throw new Error('the source broke');
      }
      await assert.rejects(store.putStream(Readable.from(failing()), MediaType.OCI_LAYER), /the source broke/);
      assert.deepEqual(leftovers(store.dir), []);
      assert.deepEqual(readdirSync(path.join(store.dir, 'blobs', 'sha256')), []);
    } finally {
      await store.close();
    }
  });

  test('borrowed blobs are served without a copy, and checked against their digest when read', async () => {
    const store = await BlobStore.create();
    try {
      const layer = Buffer.alloc(200_000, 3);
      const good = { mediaType: MediaType.OCI_LAYER, digest: digestOf(layer), size: layer.length };
      let opened = 0;
      store.borrow(good, async () => {
        opened++;
        return Readable.from([layer]);
      });
      // a borrowed blob whose place now holds other bytes of the same size
      const altered = Buffer.from(layer);
      altered[1000] = 9;
      const bad = { mediaType: MediaType.OCI_LAYER, digest: digestOf(Buffer.alloc(200_000, 4)), size: layer.length };
      store.borrow(bad, async () => Readable.from([altered]));
      const config = await store.put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [good.digest, bad.digest] } })), MediaType.OCI_CONFIG);
      const manifest = await store.put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config, layers: [good, bad] })), MediaType.OCI_MANIFEST);
      assert.equal(opened, 0, 'nothing is read when borrowing');
      assert.ok(store.has(good.digest) && !store.holds(good.digest));
      assert.equal(existsSync(path.join(store.dir, 'blobs', 'sha256', good.digest.slice(7))), false, 'not copied');

      const src = store.source(manifest, 'test-store');
      assert.equal(src.kind, 'oci-layout');
      const image = await openRoot(src);
      assert.equal(image.kind, 'image');
      if (image.kind !== 'image') return;
      const layers = await image.layers();
      assert.deepEqual(await readAll(await layers[0]!.compressed()), layer);
      assert.equal(opened, 1);
      await rejectsWith(readAll(await layers[1]!.compressed()), 'E_DIGEST', /does not match/);
      await rejectsWith(src.blob(bad, 1 << 20), 'E_DIGEST');
      // a borrowed blob that cannot be opened is a source error naming it
      const gone = { mediaType: MediaType.OCI_LAYER, digest: digestOf('gone'), size: 4 };
      store.borrow(gone, async () => {
        throw new Error('the registry went away');
      });
      await rejectsWith(readAll(await src.blobStream(gone)), 'E_SOURCE', /cannot be opened \(the registry went away\)/);
      await rejectsWith(src.blobStream({ ...good, digest: digestOf('nothing') }), 'E_NOT_FOUND');
    } finally {
      await store.close();
    }
  });

  test('close removes the directory (safe twice); the sources it gave stop reading', async () => {
    const store = await BlobStore.create({ tmpDir: path.dirname(temp('x')), name: 'a/b c' });
    assert.match(path.basename(store.dir), /^anyarch-a-b-c-/);
    const d = await store.put(Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'), MediaType.OCI_INDEX);
    const src = store.source(d);
    await store.close();
    await store.close();
    assert.equal(existsSync(store.dir), false);
    await rejectsWith(src.root(), 'E_SOURCE', /closed/);
    await rejectsWith(store.put(Buffer.from('x'), 'x'), 'E_INTERNAL', /closed/);
  });

  test('a temporary directory that cannot be used is E_INPUT naming it', async () => {
    const missing = path.join(path.dirname(temp('x')), 'no-such-dir');
    await rejectsWith(BlobStore.create({ tmpDir: missing }), 'E_INPUT', /cannot make a blob store in .*no-such-dir \(ENOENT\)/);
  });

  test('an interrupted CLI removes the store: it is registered with temporaryDirs', async () => {
    const store = await BlobStore.create({ tmpDir: path.dirname(temp('x')) });
    await store.put(Buffer.from('content'), MediaType.OCI_LAYER);
    assert.ok(existsSync(store.dir));
    removeTemporaryDirs(); // what src/cli/signals.ts calls on SIGINT and exit
    assert.equal(existsSync(store.dir), false);
    await store.close();
  });
});
