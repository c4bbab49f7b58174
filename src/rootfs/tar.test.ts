import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as tarStream from 'tar-stream';
import { AnyarchError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import { openLayer } from '../oci/layer.js';
import { MediaType } from '../oci/media.js';
import { concat, entryBlocks, makeTar, pad, paxBody, tarHeader } from '../../test/support/rootfs-tar.js';
import { cleanPath, MAX_TAR_META_BYTES, readTar, type TarSink } from './tar.js';
import type { TarEntry } from './types.js';

interface Seen {
  readonly at: number;
  readonly entry: TarEntry;
  readonly body?: string;
}

/** A stream that delivers `buf` in the given chunk lengths (cycled), each chunk a view (no copy). */
function chunked(buf: Uint8Array, sizes: readonly number[] = [buf.length || 1]): Readable {
  const parts: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] as number);
    parts.push(Buffer.from(buf.buffer, buf.byteOffset + i, Math.min(n, buf.length - i)));
    i += n;
  }
  return Readable.from(parts, { objectMode: false });
}

/** Every entry and every file's body, as the reader delivers them. */
async function collect(stream: Readable): Promise<Seen[]> {
  const seen: Seen[] = [];
  await readTar(stream, (entry, at) => {
    if (entry.kind !== 'file') {
      seen.push({ at, entry: { ...entry } });
      return undefined;
    }
    const parts: Buffer[] = [];
    let expect = 0;
    return {
      write(chunk, offset) {
        assert.equal(offset, expect);
        expect += chunk.length;
        parts.push(Buffer.from(chunk));
      },
      end(size) {
        assert.equal(size, expect);
        seen.push({ at, entry: { ...entry }, body: Buffer.concat(parts).toString('latin1') });
      },
    };
  });
  return seen;
}

async function rejects(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AnyarchError, `not an AnyarchError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

let dir: string;
before(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'anyarch-rootfs-tar-')));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readTar on archives GNU tar writes', () => {
  const long100 = `d/${'n'.repeat(120)}`;
  const long255 = `${long100}/${'m'.repeat(150)}`;
  let src: string;
  before(() => {
    src = path.join(dir, 'src');
    mkdirSync(path.join(src, long100), { recursive: true });
    writeFileSync(path.join(src, 'file'), 'hello\n');
    writeFileSync(path.join(src, 'empty'), '');
    writeFileSync(path.join(src, 'big'), Buffer.alloc(70_000, 0x61));
    writeFileSync(path.join(src, long255), 'long');
    symlinkSync('file', path.join(src, 'sym'));
    symlinkSync(`../${'t'.repeat(130)}`, path.join(src, 'longsym'));
    linkSync(path.join(src, 'file'), path.join(src, 'hard'));
    linkSync(path.join(src, long255), path.join(src, 'hardlong'));
    spawnSync('mknod', [path.join(src, 'chr'), 'c', '1', '3']);
    spawnSync('mknod', [path.join(src, 'blk'), 'b', '7', '0']);
    spawnSync('mkfifo', [path.join(src, 'fifo')]);
  });

  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    test(`--format=${format}: names, kinds, links, devices and bodies`, async () => {
      const out = path.join(dir, `${format}.tar`);
      // ustar cannot hold the long names: GNU tar skips them with a warning (exit 2)
      const r = spawnSync('tar', [`--format=${format}`, '--sort=name', '-C', src, '-cf', out, '.'], { encoding: 'utf8' });
      assert.ok(r.status === 0 || format === 'ustar', r.stderr);
      const seen = await collect(chunked(readFileSync(out), [4096, 7, 512, 100_000]));
      const by = new Map(seen.map((s) => [s.entry.path, s]));
      assert.equal(by.get('')?.entry.kind, 'dir'); // ./
      assert.equal(by.get('file')?.body, 'hello\n');
      assert.equal(by.get('file')?.entry.size, 6);
      assert.equal(by.get('file')?.entry.rawPath, './file');
      assert.equal(by.get('empty')?.body, '');
      assert.equal(by.get('big')?.body, 'a'.repeat(70_000));
      assert.deepEqual(
        [by.get('sym')?.entry.kind, by.get('sym')?.entry.linkname, by.get('sym')?.entry.mode],
        ['symlink', 'file', 0o777],
      );
      // GNU tar archives the first name it meets as the file, the other as a hard link
      const hard = [by.get('file'), by.get('hard')].find((s) => s?.entry.kind === 'hardlink');
      assert.ok(hard, 'one of file/hard is a hard link');
      assert.equal(hard.entry.size, 0);
      assert.ok(hard.entry.linkname === 'file' || hard.entry.linkname === 'hard');
      assert.equal(by.get('chr')?.entry.kind, 'char');
      assert.equal(by.get('blk')?.entry.kind, 'block');
      assert.equal(by.get('fifo')?.entry.kind, 'fifo');
      assert.equal(by.get('d')?.entry.kind, 'dir');
      if (format !== 'ustar') {
        assert.equal(by.get(long100)?.entry.kind, 'dir');
        const l = by.get(long255);
        const lh = by.get('hardlong');
        assert.ok(l && lh, 'both long names present');
        assert.ok(l.body === 'long' || lh.body === 'long');
        const link = [l, lh].find((s) => s.entry.kind === 'hardlink');
        assert.ok(link?.entry.linkname === long255 || link?.entry.linkname === 'hardlong');
        assert.equal(by.get('longsym')?.entry.linkname, `../${'t'.repeat(130)}`);
      } else {
        assert.equal(by.get(long255), undefined);
      }
      for (const s of seen) assert.equal(s.entry.escapes, false);
      assert.ok(seen.every((s, i) => i === 0 || s.at > (seen[i - 1] as Seen).at), 'header offsets increase');
    });
  }

  test('the ustar prefix field: a 200-character path GNU tar splits at a slash', async () => {
    const p = `${'p'.repeat(90)}/${'q'.repeat(60)}/file`;
    const root = path.join(dir, 'prefix');
    mkdirSync(path.join(root, path.dirname(p)), { recursive: true });
    writeFileSync(path.join(root, p), 'x');
    const out = path.join(dir, 'prefix.tar');
    const r = spawnSync('tar', ['--format=ustar', '-C', root, '-cf', out, p], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const buf = readFileSync(out);
    assert.notEqual(buf[345], 0, 'GNU tar used the prefix field');
    const seen = await collect(chunked(buf));
    assert.deepEqual(
      seen.map((s) => [s.entry.path, s.body]),
      [[p, 'x']],
    );
  });
});

describe('readTar on archives tar-stream writes', () => {
  test('files, directories, links, a PAX long name and uid/gid', async () => {
    const pack = tarStream.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    const done = new Promise<void>((r) => pack.on('end', () => r()));
    const longName = `usr/lib/${'x'.repeat(300)}.so`;
    pack.entry({ name: 'usr/', type: 'directory', mode: 0o755 });
    pack.entry({ name: 'usr/bin/tool', mode: 0o4755, uid: 1000, gid: 2000 }, 'binary!');
    pack.entry({ name: longName }, 'L');
    pack.entry({ name: 'usr/bin/alias', type: 'symlink', linkname: '/usr/bin/tool' });
    pack.entry({ name: 'usr/bin/copy', type: 'link', linkname: 'usr/bin/tool' });
    pack.entry({ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 });
    pack.finalize();
    await done;
    const seen = await collect(chunked(Buffer.concat(chunks), [1000, 3]));
    assert.deepEqual(
      seen.map((s) => [s.entry.path, s.entry.kind, s.entry.linkname, s.body]),
      [
        ['usr', 'dir', undefined, undefined],
        ['usr/bin/tool', 'file', undefined, 'binary!'],
        [longName, 'file', undefined, 'L'],
        ['usr/bin/alias', 'symlink', '/usr/bin/tool', undefined],
        ['usr/bin/copy', 'hardlink', 'usr/bin/tool', undefined],
        ['dev/null', 'char', undefined, undefined],
      ],
    );
    const tool = seen[1]?.entry;
    assert.deepEqual([tool?.mode, tool?.uid, tool?.gid], [0o4755, 1000, 2000]);
  });
});

describe('readTar: formats and fields', () => {
  test('PAX records override the header: path, linkpath, size, uid, gid; mtime ignored; global records ignored', async () => {
    const body = paxBody({ path: 'from/pax', uid: '123456789', gid: '42', mtime: '1700000000.5', size: '5' });
    const tar = concat([
      tarHeader({ name: 'PaxGlobal', type: 'g', size: paxBody({ path: 'global/ignored', uid: '7' }).length }),
      pad(paxBody({ path: 'global/ignored', uid: '7' })),
      tarHeader({ name: 'PaxHeader', type: 'x', size: body.length }),
      pad(body),
      tarHeader({ name: 'ignored', size: 5 }),
      pad(Buffer.from('12345')),
      ...entryBlocks({ name: 'l', type: '2', linkname: 'short' }),
      tarHeader({ name: 'x', type: 'x', size: paxBody({ linkpath: 'pax/target' }).length }),
      pad(paxBody({ linkpath: 'pax/target' })),
      tarHeader({ name: 'l2', type: '2', linkname: 'short' }),
      new Uint8Array(1024),
    ]);
    const seen = await collect(chunked(tar, [13]));
    assert.deepEqual(
      seen.map((s) => [s.entry.path, s.entry.uid, s.entry.gid, s.entry.linkname, s.body]),
      [
        ['from/pax', 123456789, 42, undefined, '12345'],
        ['l', 0, 0, 'short', undefined],
        ['l2', 0, 0, 'pax/target', undefined],
      ],
    );
  });

  test('GNU L and K long names, and a base-256 size', async () => {
    const name = `${'a/'.repeat(200)}file`;
    const link = `${'b/'.repeat(100)}target`;
    const nb = Buffer.from(`${name}\0`);
    const lb = Buffer.from(`${link}\0`);
    const tar = concat([
      tarHeader({ name: '././@LongLink', type: 'L', size: nb.length }, { gnu: true }),
      pad(nb),
      tarHeader({ name: 'trunc', type: '0', size: 3 }, { gnu: true }),
      pad(Buffer.from('abc')),
      tarHeader({ name: '././@LongLink', type: 'K', size: lb.length }, { gnu: true }),
      pad(lb),
      tarHeader({ name: 'sym', type: '2', linkname: 'x' }, { gnu: true }),
      new Uint8Array(1024),
    ]);
    const seen = await collect(chunked(tar));
    assert.deepEqual(
      seen.map((s) => [s.entry.path, s.entry.linkname, s.body]),
      [
        [name, undefined, 'abc'],
        ['sym', link, undefined],
      ],
    );
    // base-256: a header claiming 8^11 + 5 bytes (more than octal holds) in a stream that has them not
    const big = concat([tarHeader({ name: 'huge', size: 8 ** 11 + 5 }), new Uint8Array(4096)]);
    let size = -1;
    await rejects(
      readTar(chunked(big), (e) => {
        size = e.size;
      }),
      'E_SOURCE',
      /truncated tar: the stream ends at byte 4608, inside an entry body/,
    );
    assert.equal(size, 8 ** 11 + 5);
  });

  test('kinds: contiguous files, V7 directories, devices and fifos without bodies, unknown kinds skipped', async () => {
    const tar = makeTar([
      { name: 'contig', type: '7', body: 'C' },
      { name: 'v7dir/', type: '\0' },
      { name: 'v7file', type: '\0', body: 'V' },
      // a device whose size field is not 0: no body follows (as Go and containerd read it)
      { name: 'dev', type: '3', size: 1024 },
      { name: 'fifo', type: '6' },
      { name: 'blk', type: '4' },
      { name: 'sparse', type: 'S', body: 'S'.repeat(600) },
      { name: 'after', body: 'A' },
    ]);
    const seen = await collect(chunked(tar));
    assert.deepEqual(
      seen.map((s) => [s.entry.path, s.entry.kind, s.entry.size, s.body]),
      [
        ['contig', 'file', 1, 'C'],
        ['v7dir', 'dir', 0, undefined],
        ['v7file', 'file', 1, 'V'],
        ['dev', 'char', 0, undefined],
        ['fifo', 'fifo', 0, undefined],
        ['blk', 'block', 0, undefined],
        ['sparse', 'other', 0, undefined],
        ['after', 'file', 1, 'A'],
      ],
    );
  });

  test('traversal and absolute names are cleaned, clamped at the root and flagged', async () => {
    const tar = makeTar([
      { name: '../../etc/passwd', body: 'x' },
      { name: '/abs/file', body: 'y' },
      { name: './a/./b/../c//d/' , type: '5' },
      { name: 'ok/../../../x', type: '5' },
      { name: 'link', type: '1', linkname: '/../etc/shadow' },
      { name: 'plain/.hidden', body: '' },
    ]);
    const seen = await collect(chunked(tar));
    assert.deepEqual(
      seen.map((s) => [s.entry.path, s.entry.escapes, s.entry.rawPath, s.entry.linkname]),
      [
        ['etc/passwd', true, '../../etc/passwd', undefined],
        ['abs/file', true, '/abs/file', undefined],
        ['a/c/d', false, './a/./b/../c//d/', undefined],
        ['x', true, 'ok/../../../x', undefined],
        ['link', false, 'link', 'etc/shadow'],
        ['plain/.hidden', false, 'plain/.hidden', undefined],
      ],
    );
    assert.deepEqual(cleanPath('./'), { path: '', escapes: false });
    assert.deepEqual(cleanPath('..'), { path: '', escapes: true });
  });

  test('every name is cleaned as POSIX normalisation from the root would, fast path or not (property)', async () => {
    const name = fc.array(fc.constantFrom('a', 'b.c', '.', '..', '', '.x', 'x.', '...'), { minLength: 1, maxLength: 7 }).map((s) => s.join('/'));
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 20 }), async (names) => {
        const seen = await collect(chunked(makeTar(names.map((n) => ({ name: n, type: '5' }))), [700]));
        seen.forEach((s, i) => {
          const raw = names[i] as string;
          const want = path.posix.normalize(`/${raw}`).replace(/^\/+/, '').replace(/\/+$/, '');
          const rel = path.posix.normalize(raw === '' ? '.' : raw);
          assert.equal(s.entry.path, want, raw);
          assert.equal(s.entry.rawPath, raw);
          assert.equal(s.entry.escapes, raw.startsWith('/') || rel === '..' || rel.startsWith('../'), raw);
          assert.deepEqual(cleanPath(raw), { path: want, escapes: s.entry.escapes });
        });
      }),
      { numRuns: 300 },
    );
  });

  test('trailing bytes after the two end blocks are read and ignored; one zero block then the end is accepted', async () => {
    const tar = concat([makeTar([{ name: 'a', body: 'A' }]), Buffer.from('garbage that is no tar at all'), new Uint8Array(3000).fill(7)]);
    const stats = await readTar(chunked(tar, [999]), () => undefined);
    assert.equal(stats.entries, 1);
    assert.equal(stats.tarBytes, 512 * 4);
    assert.equal(stats.streamBytes, tar.length);
    const lone = concat([...entryBlocks({ name: 'a', body: 'A' }), new Uint8Array(512)]);
    assert.equal((await readTar(chunked(lone), () => undefined)).entries, 1);
  });
});

describe('readTar: damaged and hostile archives', () => {
  const good = makeTar([
    { name: 'dir', type: '5' },
    { name: 'dir/one', body: 'x'.repeat(700) },
    { name: `dir/${'l'.repeat(150)}`, body: 'long' },
    { name: 'dir/link', type: '2', linkname: 'one' },
  ]);

  test('a truncated tar is an error wherever it is cut (property)', async () => {
    const end = good.length - 512; // a lone zero block at the end is accepted
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: end - 1 }), fc.integer({ min: 1, max: 600 }), async (cut, chunk) => {
        await rejects(readTar(chunked(good.subarray(0, cut), [chunk]), () => undefined), 'E_SOURCE', /truncated tar: the stream ends at byte \d+/);
      }),
      { numRuns: 300 },
    );
  });

  test('a corrupt checksum is an error naming the header offset', async () => {
    const tar = concat([...entryBlocks({ name: 'a', body: 'A' }), tarHeader({ name: 'b', size: 0 }, { badChecksum: true }), new Uint8Array(1024)]);
    await rejects(readTar(chunked(tar), () => undefined), 'E_SOURCE', /the header at byte 1024 has a bad checksum/);
    const flipped = Buffer.from(good);
    flipped[512 + 3] = (flipped[512 + 3] as number) ^ 0x10; // a byte of the second header's name
    await rejects(readTar(chunked(flipped), () => undefined), 'E_SOURCE', /header at byte 512 has a bad checksum/);
    // a lone zero block followed by a header
    const lone = concat([new Uint8Array(512), ...entryBlocks({ name: 'a', body: 'A' }), new Uint8Array(1024)]);
    await rejects(readTar(chunked(lone), () => undefined), 'E_SOURCE', /lone zero block at byte 0/);
  });

  test('a huge PAX header is refused before its body is read, and is never buffered', async () => {
    // the header alone: the reader must refuse it without waiting for 2^40 bytes
    const huge = concat([tarHeader({ name: 'PaxHeader', type: 'x', size: 2 ** 40 }), new Uint8Array(512)]);
    await rejects(readTar(chunked(huge), () => undefined), 'E_LIMIT', /PAX header at byte 0 holds 1099511627776 bytes, more than the 1048576/);
    const justOver = tarHeader({ name: 'L', type: 'L', size: MAX_TAR_META_BYTES + 1 }, { gnu: true });
    await rejects(readTar(chunked(justOver), () => undefined), 'E_LIMIT', /GNU long-name header/);
    // at the bound: read (a path of 1 MiB is then over the path bound)
    const name = Buffer.alloc(MAX_TAR_META_BYTES, 0x61);
    const atBound = concat([tarHeader({ name: 'L', type: 'L', size: name.length }, { gnu: true }), name, tarHeader({ name: 'x', size: 0 }), new Uint8Array(1024)]);
    await rejects(readTar(chunked(atBound, [65536]), () => undefined), 'E_LIMIT', /a path of 1048576 characters, more than 4096/);
  });

  test('malformed PAX records and numeric fields are errors naming the offset', async () => {
    const bad = (b: string) => concat([tarHeader({ name: 'P', type: 'x', size: b.length }), pad(Buffer.from(b)), ...entryBlocks({ name: 'a' }), new Uint8Array(1024)]);
    await rejects(readTar(chunked(bad('99 path=a\n')), () => undefined), 'E_SOURCE', /PAX header at byte 0 has a malformed record/);
    await rejects(readTar(chunked(bad('x path=a\n')), () => undefined), 'E_SOURCE', /malformed record length/);
    await rejects(readTar(chunked(bad('11 size=-1\n')), () => undefined), 'E_SOURCE', /unreadable size/);
    const h = tarHeader({ name: 'a', size: 0 });
    h.set(Buffer.from('12345678'), 100); // mode: not octal
    let sum = 0;
    h.fill(0x20, 148, 156);
    for (const b of h) sum += b;
    h.set(Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    await rejects(readTar(chunked(concat([h, new Uint8Array(1024)])), () => undefined), 'E_SOURCE', /header at byte 0 has an unreadable mode/);
  });

  test('more entries than the bound, or a path over the bound, is E_LIMIT', async () => {
    const tar = makeTar(Array.from({ length: 10 }, (_, i) => ({ name: `f${i}` })));
    await rejects(readTar(chunked(tar), () => undefined, { maxEntries: 9, what: 'layer sha256:abc' }), 'E_LIMIT', /^layer sha256:abc: more than 9 entries \(at byte 4608\)/);
    assert.equal((await readTar(chunked(tar), () => undefined, { maxEntries: 10 })).entries, 10);
    const long = makeTar([{ name: 'x'.repeat(300) }]);
    await rejects(readTar(chunked(long), () => undefined, { maxPathBytes: 299 }), 'E_LIMIT', /a path of 300 characters, more than 299/);
  });

  test('more stream bytes than maxBytes is E_LIMIT, trailing bytes after the end blocks counted too (a bomb after the archive)', async () => {
    const tar = makeTar([{ name: 'a', body: 'A' }]);
    assert.equal((await readTar(chunked(tar), () => undefined, { maxBytes: tar.length })).streamBytes, tar.length);
    await rejects(readTar(chunked(tar), () => undefined, { maxBytes: tar.length - 1, what: 'layer 2' }), 'E_LIMIT', new RegExp(`^layer 2: more than ${tar.length - 1} bytes uncompressed`));
    const trailing = concat([tar, new Uint8Array(1 << 20)]);
    await rejects(readTar(chunked(trailing, [65536]), () => undefined, { maxBytes: 1 << 20 }), 'E_LIMIT', /more than 1048576 bytes uncompressed/);
  });
});

describe('readTar: chunking, sinks and backpressure', () => {
  const entries = fc.array(
    fc.record({
      name: fc.stringMatching(/^[a-z]{1,8}(\/[a-z.]{1,8}){0,3}$/),
      type: fc.constantFrom('0', '5', '2', '1', '6', 'Z'),
      body: fc.uint8Array({ maxLength: 1500 }),
      long: fc.boolean(),
    }),
    { maxLength: 12 },
  );

  test('any split of the stream gives the same entries and bodies (property)', async () => {
    await fc.assert(
      fc.asyncProperty(entries, fc.array(fc.integer({ min: 1, max: 1100 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 2000 }), async (list, sizes, trailing) => {
        const tar = concat([
          makeTar(
            list.map((e) => ({
              name: e.long ? `${e.name}/${'z'.repeat(120)}` : e.name,
              type: e.type,
              ...(e.type === '0' || e.type === 'Z' ? { body: e.body } : {}),
              ...(e.type === '2' || e.type === '1' ? { linkname: e.long ? 'q'.repeat(150) : 'target' } : {}),
            })),
          ),
          new Uint8Array(trailing).fill(1),
        ]);
        const whole = await collect(chunked(tar));
        const split = await collect(chunked(tar, sizes));
        assert.deepEqual(split, whole);
        assert.equal(whole.length, list.length);
      }),
      { numRuns: 200 },
    );
  });

  test('an async sink: the reader waits for each promise, in order, and the stream is paused meanwhile', async () => {
    const body = Buffer.alloc(300_000);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    const tar = makeTar([{ name: 'a', body }, { name: 'b', body: 'bee' }, { name: 'c', type: '5' }]);
    const stream = chunked(tar, [10_000, 333]);
    const log: string[] = [];
    const got = new Map<string, Buffer[]>();
    let inFlight = 0;
    await readTar(stream, async (entry) => {
      await new Promise((r) => setTimeout(r, 1));
      log.push(`entry ${entry.path}`);
      if (entry.kind !== 'file') return undefined;
      const parts: Buffer[] = [];
      got.set(entry.path, parts);
      const sink: TarSink = {
        async write(chunk) {
          assert.equal(inFlight, 0, 'one write at a time');
          inFlight++;
          const copy = Buffer.from(chunk);
          await new Promise((r) => setImmediate(r));
          assert.ok(stream.isPaused(), 'the stream is paused while a write is pending');
          parts.push(copy);
          inFlight--;
        },
        async end(size) {
          await new Promise((r) => setImmediate(r));
          log.push(`end ${entry.path} ${size}`);
        },
      };
      return sink;
    });
    assert.deepEqual(log, ['entry a', `end a ${body.length}`, 'entry b', 'end b 3', 'entry c']);
    assert.deepEqual(Buffer.concat(got.get('a') ?? []), body);
    assert.equal(Buffer.concat(got.get('b') ?? []).toString(), 'bee');
  });

  test('a sink that returns false gets no more bytes and end is called once; the next entry is read', async () => {
    const tar = makeTar([{ name: 'a', body: 'x'.repeat(5000) }, { name: 'b', body: 'y' }]);
    const calls: string[] = [];
    await readTar(chunked(tar, [100]), (e) => ({
      write(chunk, offset) {
        calls.push(`${e.path} write ${offset} ${chunk.length}`);
        return false;
      },
      end(size) {
        calls.push(`${e.path} end ${size}`);
      },
    }));
    assert.deepEqual(calls, ['a write 0 88', 'a end 5000', 'b write 0 1', 'b end 1']);
  });

  test('a throwing consumer, or a failing stream, ends readTar with that error and aborts the open sink', async () => {
    const tar = makeTar([{ name: 'a', body: 'x'.repeat(5000) }]);
    const boom = new Error('disk full');
    const aborted: Error[] = [];
    await assert.rejects(
      readTar(chunked(tar, [1000]), () => ({
        write: (_c, off) => {
          if (off > 0) throw boom;
        },
        end: () => undefined,
        abort: (e) => aborted.push(e),
      })),
      (e) => e === boom,
    );
    assert.deepEqual(aborted, [boom]);
    const failing = new Readable({
      read() {
        this.push(tar.subarray(0, 1024));
        this.destroy(new Error('connection reset'));
      },
    });
    const aborted2: Error[] = [];
    await rejects(
      readTar(failing, () => ({ write: () => true, end: () => undefined, abort: (e) => aborted2.push(e) })),
      'E_SOURCE',
      /cannot be read \(connection reset\)/,
    );
    assert.equal(aborted2.length, 1);
    // a typed error of the stream (a layer's digest check) passes as it is
    const typed = new AnyarchError('E_DIGEST', 'layer: digest mismatch');
    const s3 = new Readable({ read() { this.destroy(typed); } });
    await assert.rejects(readTar(s3, () => undefined), (e) => e === typed);
  });
});

describe('readTar through src/oci/layer.ts', () => {
  const tar = makeTar([{ name: 'bin/', type: '5' }, { name: 'bin/sh', body: 'ELF...' }, { name: 'bin/ash', type: '1', linkname: 'bin/sh' }]);
  const layerOf = (bytes: Buffer, mediaType: string) =>
    openLayer(
      { mediaType, digest: digestOf(bytes), size: bytes.length },
      { index: 0, diffId: digestOf(tar), history: undefined, read: async () => chunked(bytes, [100]), what: 'layer 0' },
    );

  test('gzip and zstd layers read the same entries as the plain tar', async () => {
    const plain = await collect(chunked(tar));
    const gz = await collect(await layerOf(gzipSync(tar), MediaType.OCI_LAYER_GZIP).uncompressed());
    assert.deepEqual(gz, plain);
    const z = spawnSync('zstd', ['-q', '-c'], { input: tar });
    assert.equal(z.status, 0, String(z.stderr));
    const zs = await collect(await layerOf(z.stdout, MediaType.OCI_LAYER_ZSTD).uncompressed());
    assert.deepEqual(zs, plain);
  });

  test('a layer whose tar does not match its diff id fails with E_DIGEST, not a tar error', async () => {
    const other = makeTar([{ name: 'bin/sh', body: 'ELF!!!' }]);
    const gz = gzipSync(other);
    const layer = openLayer({ mediaType: MediaType.OCI_LAYER_GZIP, digest: digestOf(gz), size: gz.length }, { index: 0, diffId: digestOf(tar), history: undefined, read: async () => chunked(gz), what: 'layer 0' });
    await assert.rejects(readTar(await layer.uncompressed(), () => undefined), (e: unknown) => e instanceof AnyarchError && e.code === 'E_DIGEST');
  });
});
