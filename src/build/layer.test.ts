/**
 * writeLayer and gzipLayer: the same entries give byte-identical layers (and digests) whatever the
 * host's umask, owners, mtimes, directory order and the entries' order; the tar's fields (epoch
 * mtimes, uid/gid 0, no names, modes, implied parents, sorted) read back by two independent
 * readers (tar-stream and GNU tar); the gzip header's bytes; paths normalised and escapes
 * refused; long names and link targets through PAX; hard links, devices and bad entries refused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, linkSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as tarStream from 'tar-stream';
import { rejectsWith, tempPaths } from '../../test/support/assert.js';
import { digestOf } from '../oci/digest.js';
import { openLayer } from '../oci/layer.js';
import { MediaType } from '../oci/media.js';
import { BlobStore } from './blob-store.js';
import { createdFromEpoch, entriesFromDirectory, epochFromEnvironment, gzipLayer, layerPath, writeLayer, type LayerEntry, type WrittenLayer } from './layer.js';

const temp = tempPaths('anyarch-layer-');

interface Extracted {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
  linkname: string | null;
  body: string;
  raw: Buffer;
}

function stored(store: BlobStore, l: WrittenLayer): Buffer {
  return readFileSync(path.join(store.dir, 'blobs', 'sha256', l.descriptor.digest.slice(7)));
}

/** The layer's tar entries as tar-stream (an independent reader) sees them. */
async function extract(tar: Uint8Array): Promise<Extracted[]> {
  const out: Extracted[] = [];
  const ex = tarStream.extract();
  ex.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.push({
        name: h.name,
        type: h.type ?? 'file',
        mode: h.mode ?? -1,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        uname: h.uname ?? '',
        gname: h.gname ?? '',
        mtime: (h.mtime?.getTime() ?? -1) / 1000,
        size: h.size ?? -1,
        linkname: h.linkname ?? null,
        body: Buffer.concat(chunks).toString('utf8'),
        raw: Buffer.concat(chunks),
      });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(Buffer.from(tar));
  await done;
  return out;
}

async function withStore<T>(use: (store: BlobStore) => Promise<T>): Promise<T> {
  const store = await BlobStore.create();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** A host tree: `app` (executable), `etc/conf`, `share/doc/readme`, made in `order`, with this umask, owner and mtime. */
function hostTree(order: 'forward' | 'reverse', umask: number, owner: number, mtime: number): string {
  const dir = temp('tree');
  const was = process.umask(umask);
  try {
    const files: [string, string, number][] = [
      ['app', '#!/bin/sh\necho app\n', 0o777],
      ['etc/conf', 'key=value\n', 0o666],
      ['share/doc/readme', 'read me\n', 0o666],
    ];
    if (order === 'reverse') files.reverse();
    for (const [name, body, mode] of files) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), body, { mode });
      // other owners need root (the tests run as root here); the umask and mtimes differ anyway
      if (owner !== 0 && process.getuid?.() === 0) chownSync(path.join(dir, name), owner, owner);
      utimesSync(path.join(dir, name), mtime, mtime);
    }
  } finally {
    process.umask(was);
  }
  return dir;
}

function entriesOf(dir: string): LayerEntry[] {
  return [
    { path: '/usr/local/bin/app', kind: 'file', from: path.join(dir, 'app') },
    { path: 'etc/app/conf', kind: 'file', from: path.join(dir, 'etc/conf') },
    { path: './usr/share/doc/app/readme', kind: 'file', from: path.join(dir, 'share/doc/readme') },
    { path: '/usr/local/bin/app-link', kind: 'symlink', target: 'app' },
    { path: '/var/lib/app', kind: 'dir' },
    { path: '/etc/app/inline', kind: 'file', bytes: Buffer.from('inline\n') },
  ];
}

describe('writeLayer', () => {
  test('the same entries give byte-identical layers whatever the umask, owners, mtimes, creation order and entry order', async () => {
    await withStore(async (store) => {
      const a = hostTree('forward', 0o022, 0, 1_700_000_000);
      const b = hostTree('reverse', 0o077, 4321, 86_400);
      const la = await writeLayer(entriesOf(a), store, { epoch: 1_600_000_000 });
      const lb = await writeLayer([...entriesOf(b)].reverse(), store, { epoch: 1_600_000_000 });
      assert.equal(la.descriptor.digest, lb.descriptor.digest);
      assert.equal(la.diffId, lb.diffId);
      assert.deepEqual(stored(store, la), stored(store, lb));
      assert.equal(la.descriptor.mediaType, MediaType.OCI_LAYER_GZIP);
      const gz = stored(store, la);
      assert.equal(la.descriptor.size, gz.length);
      assert.equal(la.descriptor.digest, digestOf(gz));
      const tar = gunzipSync(gz);
      assert.equal(la.diffId, digestOf(tar));
      assert.equal(la.uncompressedSize, tar.length);
      // nothing of the host paths is in the layer
      assert.equal(tar.includes(Buffer.from(path.basename(a))), false);
      // and the epoch is part of the content: another epoch, another layer
      const lc = await writeLayer(entriesOf(a), store, { epoch: 1_600_000_001 });
      assert.notEqual(lc.diffId, la.diffId);
    });
  });

  test('the tar: sorted, parents implied 0755, modes from the execute bit, epoch mtimes, uid/gid 0, no user or group names', async () => {
    await withStore(async (store) => {
      const dir = hostTree('forward', 0o077, 4321, 12345);
      const l = await writeLayer(entriesOf(dir), store, { epoch: 1_234_567_890 });
      const entries = await extract(gunzipSync(stored(store, l)));
      assert.deepEqual(
        entries.map((e) => [e.name, e.type, e.mode.toString(8)]),
        [
          ['etc/', 'directory', '755'],
          ['etc/app/', 'directory', '755'],
          ['etc/app/conf', 'file', '644'],
          ['etc/app/inline', 'file', '644'],
          ['usr/', 'directory', '755'],
          ['usr/local/', 'directory', '755'],
          ['usr/local/bin/', 'directory', '755'],
          ['usr/local/bin/app', 'file', '755'],
          ['usr/local/bin/app-link', 'symlink', '777'],
          ['usr/share/', 'directory', '755'],
          ['usr/share/doc/', 'directory', '755'],
          ['usr/share/doc/app/', 'directory', '755'],
          ['usr/share/doc/app/readme', 'file', '644'],
          ['var/', 'directory', '755'],
          ['var/lib/', 'directory', '755'],
          ['var/lib/app/', 'directory', '755'],
        ],
      );
      for (const e of entries) {
        assert.deepEqual([e.uid, e.gid, e.uname, e.gname, e.mtime], [0, 0, '', '', 1_234_567_890], e.name);
      }
      assert.equal(entries.find((e) => e.name === 'usr/local/bin/app')?.body, '#!/bin/sh\necho app\n');
      assert.equal(entries.find((e) => e.name === 'usr/local/bin/app-link')?.linkname, 'app');
      // GNU tar reads it the same way, numeric owners 0/0
      const file = temp('layer.tar');
      writeFileSync(file, gunzipSync(stored(store, l)));
      const r = spawnSync('tar', ['--numeric-owner', '--full-time', '-tvf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^-rwxr-xr-x 0\/0 +19 2009-02-13 23:31:30 usr\/local\/bin\/app$/m);
      assert.match(r.stdout, /^lrwxrwxrwx 0\/0 +0 2009-02-13 23:31:30 usr\/local\/bin\/app-link -> app$/m);
      // a given mode wins over the execute bit
      const given = await writeLayer([{ path: 'x', kind: 'file', bytes: Buffer.from('x'), mode: 0o4750 }], store);
      assert.equal((await extract(gunzipSync(stored(store, given))))[0]?.mode, 0o4750);
    });
  });

  test('gzip: a fixed header (mtime 0, no name, OS byte 255) and level 6 unless told', async () => {
    await withStore(async (store) => {
      const entries: LayerEntry[] = [{ path: 'f', kind: 'file', bytes: Buffer.alloc(100_000, 'a') }];
      const l = await writeLayer(entries, store);
      const gz = stored(store, l);
      assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
      const fast = await writeLayer(entries, store, { level: 1 });
      assert.deepEqual([...stored(store, fast).subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff], 'level 1 sets XFL 4, as zlib does');
      assert.equal(fast.diffId, l.diffId, 'the tar is the same');
      await rejectsWith(writeLayer(entries, store, { level: 10 }), 'E_USAGE', /gzip level/);
      // 2 MB of seeded text: the compressed digest is pinned. It was checked equal to pako's output
      // (zlib ported to JavaScript: no CPU-specific code), i.e. Node's zlib hashes with zlib's own
      // Rabin-Karp hash, not Chromium's CPU-dependent CRC32C one; a Node linked against another
      // zlib would fail here, and its layers would have other digests (diff ids stay).
      const words = ['arm64', 'amd64', 'layer', 'image', 'ELF', 'verify', 'tag', 'index', '\n', 'the', 'of', '0x7f'];
      let x = 12345;
      const parts: string[] = [];
      for (let len = 0; len < 2_000_000; ) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const w = words[x % words.length] as string;
        parts.push(w, ' ');
        len += w.length + 1;
      }
      const text = await writeLayer([{ path: 'text', kind: 'file', bytes: Buffer.from(parts.join('')).subarray(0, 2_000_000) }], store);
      assert.equal(text.descriptor.digest, 'sha256:d680daafb088ab59a53ce3b0fc348d8559386c51cfb2a0e59f6844eb911b9c5c', `node:zlib ${process.versions.zlib} compresses differently from zlib's reference deflate`);
    });
  });

  test('SOURCE_DATE_EPOCH: read by the caller, every mtime and `created` from it', async () => {
    assert.equal(epochFromEnvironment({ SOURCE_DATE_EPOCH: '1700000000' }), 1_700_000_000);
    assert.equal(epochFromEnvironment({}), undefined);
    assert.equal(epochFromEnvironment({ SOURCE_DATE_EPOCH: '' }), undefined);
    assert.throws(() => epochFromEnvironment({ SOURCE_DATE_EPOCH: '17e8' }), /SOURCE_DATE_EPOCH/);
    assert.throws(() => epochFromEnvironment({ SOURCE_DATE_EPOCH: '-1' }), /SOURCE_DATE_EPOCH/);
    assert.equal(createdFromEpoch(undefined), '1970-01-01T00:00:00Z');
    assert.equal(createdFromEpoch(1_700_000_000), '2023-11-14T22:13:20Z');
    await withStore(async (store) => {
      const epoch = epochFromEnvironment({ SOURCE_DATE_EPOCH: '1700000000' });
      const l = await writeLayer([{ path: 'a/b', kind: 'file', bytes: Buffer.from('b') }], store, { ...(epoch !== undefined ? { epoch } : {}) });
      assert.deepEqual((await extract(gunzipSync(stored(store, l)))).map((e) => e.mtime), [1_700_000_000, 1_700_000_000]);
      const zero = await writeLayer([{ path: 'a/b', kind: 'file', bytes: Buffer.from('b') }], store);
      assert.deepEqual((await extract(gunzipSync(stored(store, zero)))).map((e) => e.mtime), [0, 0]);
    });
  });

  test('paths: normalised; leaving the root is E_INPUT; long names and link targets through PAX, read by tar-stream and GNU tar', async () => {
    assert.equal(layerPath('/usr/bin/x'), 'usr/bin/x');
    assert.equal(layerPath('./usr//bin/./x/'), 'usr/bin/x');
    assert.equal(layerPath('usr/lib/../bin/x'), 'usr/bin/x');
    assert.throws(() => layerPath('../etc/passwd'), /leaves the image's root/);
    assert.throws(() => layerPath('/../etc/passwd'), /leaves the image's root/);
    assert.throws(() => layerPath('a/../../b'), /leaves the image's root/);
    assert.throws(() => layerPath('/'), /root itself/);
    await withStore(async (store) => {
      await rejectsWith(writeLayer([{ path: '../x', kind: 'file', bytes: Buffer.from('x') }], store), 'E_INPUT', /leaves the image's root/);
      const long = `opt/${'d'.repeat(120)}/${'f'.repeat(150)}`;
      const target = `/${'t'.repeat(300)}`;
      const unicode = 'usr/share/naïve-☃';
      const l = await writeLayer(
        [
          { path: long, kind: 'file', bytes: Buffer.from('long') },
          { path: 'opt/link', kind: 'symlink', target },
          { path: unicode, kind: 'file', bytes: Buffer.from('u') },
        ],
        store,
      );
      const tar = gunzipSync(stored(store, l));
      const entries = await extract(tar);
      assert.equal(entries.find((e) => e.name === long)?.body, 'long');
      assert.equal(entries.find((e) => e.name === 'opt/link')?.linkname, target);
      assert.equal(entries.find((e) => e.name === unicode)?.body, 'u');
      const file = temp('pax.tar');
      writeFileSync(file, tar);
      const r = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.split('\n').includes(long), 'GNU tar reads the PAX path');
      assert.ok(r.stdout.split('\n').includes(unicode));
      // short ASCII names need no PAX header
      const plain = await writeLayer([{ path: 'a/b', kind: 'file', bytes: Buffer.from('b') }], store);
      assert.equal(gunzipSync(stored(store, plain)).includes(Buffer.from('PaxHeaders')), false);
    });
  });

  test('hard links are written as plain files, devices and other kinds refused, bad entries E_INPUT', async () => {
    const dir = temp('links');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'one'), 'same inode\n');
    linkSync(path.join(dir, 'one'), path.join(dir, 'two'));
    await withStore(async (store) => {
      const l = await writeLayer(
        [
          { path: 'one', kind: 'file', from: path.join(dir, 'one') },
          { path: 'two', kind: 'file', from: path.join(dir, 'two') },
        ],
        store,
      );
      const entries = await extract(gunzipSync(stored(store, l)));
      assert.deepEqual(entries.map((e) => [e.name, e.type, e.body]), [['one', 'file', 'same inode\n'], ['two', 'file', 'same inode\n']]);
      await rejectsWith(writeLayer([{ path: 'null', kind: 'file', from: '/dev/null' }], store), 'E_INPUT', /not a regular file/);
      await rejectsWith(writeLayer([{ path: 'd', kind: 'file', from: dir }], store), 'E_INPUT', /a directory/);
      await rejectsWith(writeLayer([{ path: 'x', kind: 'file', from: path.join(dir, 'missing') }], store), 'E_INPUT', /ENOENT/);
      await rejectsWith(writeLayer([{ path: 'x', kind: 'hardlink', target: 'y' } as unknown as LayerEntry], store), 'E_INPUT', /hard links and devices/);
      await rejectsWith(writeLayer([{ path: 'x', kind: 'file' }], store), 'E_INPUT', /neither/);
      await rejectsWith(writeLayer([{ path: 'x', kind: 'symlink' }], store), 'E_INPUT', /target/);
      const one = (p: string): LayerEntry => ({ path: p, kind: 'file', bytes: Buffer.from(p) });
      await rejectsWith(writeLayer([one('/x'), one('x')], store), 'E_INPUT', /given twice/);
      await rejectsWith(writeLayer([one('x'), one('x/y')], store), 'E_INPUT', /parent x is a file/);
      await rejectsWith(writeLayer([{ path: 'x', kind: 'file', bytes: Buffer.from('1'), mode: 0o10000 }], store), 'E_INPUT', /mode/);
      // nothing half-written by the refusals
      assert.deepEqual(
        (await import('node:fs')).readdirSync(store.dir).filter((f) => f.startsWith('.tmp')),
        [],
      );
    });
  });

  test('a host directory (--add-dir): the same layer whatever the creation order, umask, owners and mtimes; links kept, FIFOs refused', async () => {
    await withStore(async (store) => {
      const a = hostTree('forward', 0o022, 0, 1_700_000_000);
      const b = hostTree('reverse', 0o077, 4321, 86_400);
      for (const d of [a, b]) symlinkSync('../app', path.join(d, 'etc', 'app-link'));
      const ea = await entriesFromDirectory(a, '/opt/app/');
      const eb = await entriesFromDirectory(b, 'opt/app');
      const la = await writeLayer(ea, store);
      const lb = await writeLayer(eb, store);
      assert.equal(la.descriptor.digest, lb.descriptor.digest);
      const tar = gunzipSync(stored(store, la));
      assert.equal(tar.includes(Buffer.from(path.basename(a))), false, 'no host path in the layer');
      assert.deepEqual(
        (await extract(tar)).map((e) => [e.name, e.mode.toString(8), e.linkname ?? '']),
        [
          ['opt/', '755', ''],
          ['opt/app/', '755', ''],
          ['opt/app/app', '755', ''],
          ['opt/app/etc/', '755', ''],
          ['opt/app/etc/app-link', '777', '../app'],
          ['opt/app/etc/conf', '644', ''],
          ['opt/app/share/', '755', ''],
          ['opt/app/share/doc/', '755', ''],
          ['opt/app/share/doc/readme', '644', ''],
        ],
      );
      assert.deepEqual((await entriesFromDirectory(a, '/')).map((e) => e.path).sort(), ['app', 'etc', 'etc/app-link', 'etc/conf', 'share', 'share/doc', 'share/doc/readme']);
      assert.equal(spawnSync('mkfifo', [path.join(a, 'share', 'pipe')]).status, 0);
      await rejectsWith(entriesFromDirectory(a, '/opt/app'), 'E_INPUT', /FIFOs/);
      await rejectsWith(entriesFromDirectory(path.join(a, 'app'), '/x'), 'E_INPUT', /not a directory/);
      await rejectsWith(entriesFromDirectory(a, '../x'), 'E_INPUT', /leaves the image's root/);
    });
  });

  test('the tar is byte for byte what GNU tar writes (ustar, sorted, owner 0, the epoch), with a pinned diff id', async () => {
    const dir = temp('gnu');
    const was = process.umask(0o022);
    try {
      mkdirSync(path.join(dir, 'usr/local/bin'), { recursive: true });
      mkdirSync(path.join(dir, 'usr/bin'), { recursive: true });
      mkdirSync(path.join(dir, 'etc'), { recursive: true });
      writeFileSync(path.join(dir, 'usr/local/bin/app'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
      writeFileSync(path.join(dir, 'etc/app.conf'), 'a=1\n', { mode: 0o644 });
      symlinkSync('../local/bin/app', path.join(dir, 'usr/bin/app'));
    } finally {
      process.umask(was);
    }
    const gnu = temp('gnu.tar');
    const r = spawnSync('tar', ['-C', dir, '--sort=name', '--format=ustar', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000', '-b', '1', '-cf', gnu, 'etc', 'usr']);
    assert.equal(r.status, 0, String(r.stderr));
    await withStore(async (store) => {
      const l = await writeLayer(
        [
          { path: '/usr/local/bin/app', kind: 'file', bytes: Buffer.from('#!/bin/sh\necho hello\n'), mode: 0o755 },
          { path: '/etc/app.conf', kind: 'file', bytes: Buffer.from('a=1\n') },
          { path: '/usr/bin/app', kind: 'symlink', target: '../local/bin/app' },
        ],
        store,
        { epoch: 1_700_000_000 },
      );
      assert.deepEqual(gunzipSync(stored(store, l)), readFileSync(gnu));
      // the tar is anyarch's own encoding: this digest holds on every host and Node version
      assert.equal(l.diffId, 'sha256:c4aa28be9c21f3ea3f17c6c3d076c9489f16e9160616604d373e47de991cb236');
    });
  });

  test('property: any set of entries, in any order, gives one layer; every entry and implied parent reads back', async () => {
    const segment = fc.oneof(fc.constantFrom('a', 'b', 'bin', 'é', '☃', 'a-b', 'a.b', 'x'.repeat(60)), fc.stringMatching(/^[a-z0-9._-]{1,12}$/).filter((s) => s !== '.' && s !== '..'));
    const entry = fc.record({
      path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((p) => p.join('/')),
      kind: fc.constantFrom('file', 'symlink', 'dir'),
      body: fc.uint8Array({ maxLength: 2000 }),
      mode: fc.option(fc.integer({ min: 0, max: 0o7777 }), { nil: undefined }),
    });
    await withStore(async (store) => {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(entry, { maxLength: 12, selector: (e) => e.path }), fc.integer({ min: 0, max: 2 ** 31 }), async (raw, epoch) => {
          // a path that is a parent of another is a directory (a file cannot hold entries)
          const list: LayerEntry[] = raw.map((e) => {
            const parent = raw.some((o) => o.path.startsWith(`${e.path}/`));
            if (parent || e.kind === 'dir') return { path: e.path, kind: 'dir', ...(e.mode !== undefined ? { mode: e.mode } : {}) };
            if (e.kind === 'symlink') return { path: e.path, kind: 'symlink', target: `../${e.path}` };
            return { path: e.path, kind: 'file', bytes: e.body, ...(e.mode !== undefined ? { mode: e.mode } : {}) };
          });
          const a = await writeLayer(list, store, { epoch });
          const b = await writeLayer([...list].reverse(), store, { epoch });
          assert.equal(a.descriptor.digest, b.descriptor.digest);
          const read = await extract(gunzipSync(stored(store, a)));
          const names = read.map((e) => e.name.replace(/\/$/, ''));
          const expected = new Set<string>();
          for (const e of list) for (let p = e.path; p !== '.'; p = path.posix.dirname(p)) expected.add(p);
          assert.deepEqual(new Set(names), expected);
          assert.equal(names.length, expected.size, 'each path once');
          assert.deepEqual([...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))), names, 'sorted by bytes');
          for (const e of list) {
            const got = read.find((r) => r.name.replace(/\/$/, '') === e.path);
            if (e.kind === 'file') assert.deepEqual(got!.raw, Buffer.from(e.bytes!));
            if (e.mode !== undefined) assert.equal(got!.mode, e.mode);
            assert.equal(got!.mtime, epoch);
          }
        }),
        { numRuns: 40 },
      );
    });
  });

  test('an empty layer is a valid tar (two zero blocks)', async () => {
    await withStore(async (store) => {
      const l = await writeLayer([], store);
      assert.deepEqual(gunzipSync(stored(store, l)), Buffer.alloc(1024));
    });
  });
});

describe('gzipLayer', () => {
  test('an uncompressed layer gzipped deterministically; its diff id kept; altered tars refused', async () => {
    await withStore(async (store) => {
      const source = await writeLayer([{ path: 'usr/bin/tool', kind: 'file', bytes: Buffer.alloc(300_000, 'z'), mode: 0o755 }], store);
      const tar = gunzipSync(stored(store, source));
      const layerOf = (bytes: Buffer, diffId = digestOf(tar)) =>
        openLayer({ mediaType: MediaType.DOCKER_LAYER_TAR, digest: digestOf(bytes), size: bytes.length }, { index: 0, diffId, history: undefined, read: async () => Readable.from([bytes]), what: 'test layer' });
      const g = await gzipLayer(layerOf(tar), store);
      assert.equal(g.diffId, digestOf(tar));
      assert.equal(g.uncompressedSize, tar.length);
      assert.equal(g.descriptor.mediaType, MediaType.OCI_LAYER_GZIP);
      assert.deepEqual(gunzipSync(stored(store, g)), tar);
      assert.deepEqual([...stored(store, g).subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
      assert.equal((await gzipLayer(layerOf(tar), store)).descriptor.digest, g.descriptor.digest, 'the same digest again');
      assert.equal(g.descriptor.digest, source.descriptor.digest, 'writeLayer and gzipLayer gzip the same way');
      // a tar that is not its diff id
      const altered = Buffer.from(tar);
      altered[700] = (altered[700] as number) ^ 1;
      await rejectsWith(gzipLayer(layerOf(altered, digestOf(tar)), store), 'E_DIGEST');
      assert.deepEqual((await import('node:fs')).readdirSync(store.dir).filter((f) => f.startsWith('.tmp')), []);
    });
  });
});
