import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AnyarchError } from '../errors.js';
import { writeTar } from '../../test/support/images.js';
import { entryStream, findEntry, indexTar, normalizeTarName, readEntry } from './tar.js';

let dir: string;
before(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'anyarch-tar-')));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const enc = new TextEncoder();
let counter = 0;
function file(name = 'a.tar'): string {
  return path.join(dir, `${counter++}-${name}`);
}

/** A raw header block with any type flag (the checksum computed unless `badChecksum`). */
function header(name: string, size: number, flag: string, opts: { linkname?: string; gnu?: boolean; prefix?: string; sizeField?: Uint8Array; badChecksum?: boolean } = {}): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number) => h.set(enc.encode(s), at);
  put(name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  if (opts.sizeField) h.set(opts.sizeField, 124);
  else put(size.toString(8).padStart(11, '0') + '\0', 124);
  put('00000000000\0', 136);
  put('        ', 148);
  put(flag, 156);
  if (opts.linkname) put(opts.linkname, 157);
  if (opts.gnu) put('ustar  \0', 257);
  else {
    put('ustar\0', 257);
    put('00', 263);
  }
  if (opts.prefix) put(opts.prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  if (opts.badChecksum) sum += 1;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

function pax(records: Record<string, string>): Uint8Array {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = enc.encode(body).length;
    len += String(len).length;
    if (String(len).length !== String(len - String(len).length).length) len += 1;
    text += `${len}${body}`;
  }
  return enc.encode(text);
}

const concat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

const END = new Uint8Array(1024);

function rawEntry(name: string, data: string | Uint8Array, flag = '0', opts: Parameters<typeof header>[3] = {}): Uint8Array {
  const bytes = typeof data === 'string' ? enc.encode(data) : data;
  return concat(header(name, bytes.length, flag, opts), padded(bytes));
}

async function sourceError(p: Promise<unknown>, code = 'E_SOURCE'): Promise<AnyarchError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AnyarchError, `expected an AnyarchError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

async function collect(s: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('normalizeTarName', () => {
  test('strips ./, leading and trailing slashes, doubled slashes', () => {
    assert.equal(normalizeTarName('./a//b/'), 'a/b');
    assert.equal(normalizeTarName('/index.json'), 'index.json');
    assert.equal(normalizeTarName('././blobs/sha256/x'), 'blobs/sha256/x');
    assert.equal(normalizeTarName('./'), '');
    assert.equal(normalizeTarName('a/./b/../c'), 'a/c');
  });
});

describe('indexTar', () => {
  test('indexes a tar-stream archive: files, directories, 0-byte files, ./ names, symlinks', async () => {
    const f = file();
    const big = new Uint8Array(70_000).map((_, i) => i % 251);
    await writeTar(f, [
      { name: './', type: 'directory' },
      { name: './index.json', data: enc.encode('{"schemaVersion":2}') },
      { name: './blobs/', type: 'directory' },
      { name: './blobs/sha256/big', data: big },
      { name: 'empty', data: new Uint8Array() },
      { name: 'link', type: 'symlink', linkname: 'blobs/sha256/big' },
    ]);
    const idx = await indexTar(f);
    assert.deepEqual([...idx.entries.keys()], ['index.json', 'blobs', 'blobs/sha256/big', 'empty', 'link']);
    assert.equal(idx.entries.get('blobs')?.type, 'directory');
    assert.equal(idx.entries.get('empty')?.size, 0);
    assert.equal(idx.entries.get('link')?.type, 'symlink');
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'index.json', 100)), '{"schemaVersion":2}');
    assert.deepEqual(await readEntry(idx, './index.json', 100), await readEntry(idx, 'index.json', 100));
    assert.deepEqual(await readEntry(idx, 'empty', 0), new Uint8Array());
    assert.deepEqual(await collect(entryStream(idx, 'empty')), Buffer.alloc(0));
    const e = idx.entries.get('blobs/sha256/big')!;
    assert.equal(e.size, big.length);
    // the offset is where the data is in the file
    assert.deepEqual(readFileSync(f).subarray(e.offset, e.offset + e.size), Buffer.from(big));
    assert.deepEqual(await collect(entryStream(idx, 'blobs/sha256/big')), Buffer.from(big));
    assert.deepEqual(await readEntry(idx, 'link', big.length), big);
    assert.equal(findEntry(idx, 'link')?.name, 'blobs/sha256/big');
  });

  test('PAX long names (tar-stream writes them for names that do not fit ustar)', async () => {
    const f = file();
    const long = `blobs/${'x'.repeat(180)}/${'y'.repeat(120)}.json`;
    await writeTar(f, [{ name: long, data: enc.encode('long') }, { name: 'after', data: enc.encode('after') }]);
    const bytes = readFileSync(f);
    assert.equal(String.fromCharCode(bytes[156]!), 'x', 'the archive holds a PAX header');
    const idx = await indexTar(f);
    assert.deepEqual([...idx.entries.keys()], [long, 'after']);
    assert.equal(new TextDecoder().decode(await readEntry(idx, long, 10)), 'long');
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'after', 10)), 'after');
  });

  test('PAX size, path and linkpath override the header; global headers are skipped', async () => {
    const f = file();
    const data = enc.encode('0123456789');
    writeFileSync(
      f,
      concat(
        rawEntry('pax_global_header', pax({ comment: 'git archive' }), 'g'),
        rawEntry('PaxHeader/short', pax({ path: 'the/real/name.txt', size: '10' }), 'x'),
        header('short', 0, '0'), // size 0 in the header; the PAX size says 10
        padded(data),
        rawEntry('PaxHeader/l', pax({ linkpath: 'the/real/name.txt' }), 'x'),
        header('l', 0, '1', { linkname: 'wrong' }),
        END,
      ),
    );
    const idx = await indexTar(f);
    assert.deepEqual([...idx.entries.keys()], ['the/real/name.txt', 'l']);
    assert.deepEqual(await readEntry(idx, 'the/real/name.txt', 10), data);
    assert.equal(idx.entries.get('l')?.linkname, 'the/real/name.txt');
    assert.deepEqual(await readEntry(idx, 'l', 10), data, 'a hard link reads its target');
  });

  test('GNU long names and long link names (L, K)', async () => {
    const f = file();
    const long = `${'d'.repeat(120)}/${'f'.repeat(130)}`;
    writeFileSync(
      f,
      concat(
        rawEntry('././@LongLink', `${long}\0`, 'L', { gnu: true }),
        rawEntry(long.slice(0, 99), 'gnu', '0', { gnu: true }),
        rawEntry('././@LongLink', `${long}\0`, 'K', { gnu: true }),
        rawEntry('././@LongLink', 'sym\0', 'L', { gnu: true }),
        header('sym', 0, '1', { gnu: true, linkname: long.slice(0, 99) }),
        END,
      ),
    );
    const idx = await indexTar(f);
    assert.deepEqual([...idx.entries.keys()], [long, 'sym']);
    assert.equal(new TextDecoder().decode(await readEntry(idx, long, 10)), 'gnu');
    assert.equal(idx.entries.get('sym')?.linkname, long);
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'sym', 10)), 'gnu');
  });

  test('a v7-style directory (type 0, trailing slash) is a directory', async () => {
    const f = file();
    writeFileSync(f, concat(header('dir/', 0, '0'), rawEntry('dir/f', 'f'), END));
    const idx = await indexTar(f);
    assert.equal(idx.entries.get('dir')?.type, 'directory');
    assert.equal(findEntry(idx, 'dir'), undefined);
  });

  test('ustar prefix field', async () => {
    const f = file();
    writeFileSync(f, concat(rawEntry('name.txt', 'p', '0', { prefix: 'some/prefix' }), END));
    const idx = await indexTar(f);
    assert.deepEqual([...idx.entries.keys()], ['some/prefix/name.txt']);
  });

  test('GNU base-256 sizes', async () => {
    const f = file();
    const sizeField = new Uint8Array(12);
    sizeField[0] = 0x80;
    sizeField[11] = 5;
    writeFileSync(f, concat(header('b256', 5, '0', { sizeField }), padded(enc.encode('hello')), END));
    const idx = await indexTar(f);
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'b256', 5)), 'hello');
  });

  test('reads what GNU tar writes (gnu and posix formats, long names)', async () => {
    const src = path.join(dir, `gnu-src-${counter++}`);
    const long = `${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(90)}.txt`;
    mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
    writeFileSync(path.join(src, long), 'deep');
    writeFileSync(path.join(src, 'zero'), '');
    for (const format of ['gnu', 'posix', 'ustar']) {
      const f = file(`${format}.tar`);
      const r = spawnSync('tar', [`--format=${format}`, '-cf', f, '-C', src, '.'], { encoding: 'utf8' });
      if (format === 'ustar') {
        // ustar cannot hold the long name; GNU tar says so and skips it
        assert.notEqual(r.status, 0);
        continue;
      }
      assert.equal(r.status, 0, r.stderr);
      const idx = await indexTar(f);
      assert.equal(new TextDecoder().decode(await readEntry(idx, long, 10)), 'deep', format);
      assert.equal(findEntry(idx, 'zero')?.size, 0, format);
      assert.equal(idx.entries.get(path.dirname(long))?.type, 'directory', format);
    }
  });

  test('a later entry of the same name replaces the earlier one', async () => {
    const f = file();
    writeFileSync(f, concat(rawEntry('x', 'first'), rawEntry('y', 'y'), rawEntry('./x', 'second'), END));
    const idx = await indexTar(f);
    assert.deepEqual([...idx.entries.keys()], ['y', 'x']);
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'x', 10)), 'second');
  });

  test('an empty file and an archive of only end blocks have no entries', async () => {
    for (const bytes of [new Uint8Array(), END]) {
      const f = file();
      writeFileSync(f, bytes);
      assert.equal((await indexTar(f)).entries.size, 0);
    }
  });

  test('an archive without end-of-archive blocks is accepted when it ends between entries', async () => {
    const f = file();
    writeFileSync(f, concat(rawEntry('a', 'aaa'), rawEntry('b', 'b')));
    assert.deepEqual([...(await indexTar(f)).entries.keys()], ['a', 'b']);
  });

  test('truncated inside an entry: E_SOURCE naming the archive and the entry', async () => {
    const f = file();
    writeFileSync(f, concat(rawEntry('index.json', '{}'), rawEntry('blobs/sha256/layer', new Uint8Array(3000)), END));
    truncateSync(f, 1024 + 512 + 1000);
    const e = await sourceError(indexTar(f, { display: 'image.tar' }));
    assert.match(e.message, /^image\.tar: truncated/);
    assert.match(e.message, /"blobs\/sha256\/layer"/);
  });

  test('truncated inside a header: E_SOURCE', async () => {
    const f = file();
    writeFileSync(f, concat(rawEntry('a', 'a'), header('b', 1, '0')).subarray(0, 1024 + 100));
    assert.match((await sourceError(indexTar(f))).message, /truncated: the archive ends inside the header at offset 1024/);
  });

  test('truncated inside a PAX header: E_SOURCE', async () => {
    const f = file();
    writeFileSync(f, rawEntry('PaxHeader/x', pax({ path: 'x'.repeat(600) }), 'x').subarray(0, 700));
    assert.match((await sourceError(indexTar(f))).message, /truncated: the extended header at offset 0/);
  });

  test('corrupt: bad checksum, bad size, bad PAX, not a tar, compressed', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [concat(rawEntry('a', 'a'), header('b', 1, '0', { badChecksum: true }), END), /corrupt tar header at offset 1024 \(checksum mismatch\)/],
      [concat(header('a', 0, '0', { sizeField: enc.encode('12x4\0') }), END), /invalid size field/],
      [concat(rawEntry('P', enc.encode('99 path=x\n'), 'x'), rawEntry('a', 'a'), END), /corrupt PAX header at offset 0/],
      [concat(rawEntry('P', enc.encode('nonsense'), 'x'), rawEntry('a', 'a'), END), /corrupt PAX header/],
      [concat(rawEntry('P', pax({ size: '-1' }), 'x'), rawEntry('a', 'a'), END), /invalid size "-1"/],
      [enc.encode('{"this":"is json"}'.padEnd(600, ' ')), /is not a tar archive/],
      [gzipSync(concat(rawEntry('a', 'a'), END)), /is gzip-compressed/],
    ];
    for (const [bytes, re] of cases) {
      const f = file();
      writeFileSync(f, bytes);
      assert.match((await sourceError(indexTar(f))).message, re);
    }
  });

  test('a missing file is E_NOT_FOUND; a directory is E_SOURCE', async () => {
    await sourceError(indexTar(path.join(dir, 'nope.tar')), 'E_NOT_FOUND');
    await sourceError(indexTar(dir), 'E_SOURCE');
  });

  test('more entries than maxEntries: E_LIMIT', async () => {
    const f = file();
    writeFileSync(f, concat(rawEntry('a', ''), rawEntry('b', ''), rawEntry('c', ''), END));
    await sourceError(indexTar(f, { maxEntries: 2 }), 'E_LIMIT');
    assert.equal((await indexTar(f, { maxEntries: 3 })).entries.size, 3);
  });

  test('random corruption never crashes or hangs: an index or an AnyarchError', async () => {
    const base = concat(
      rawEntry('PaxHeader/x', pax({ path: `long/${'n'.repeat(200)}` }), 'x'),
      rawEntry('short', 'data'),
      rawEntry('././@LongLink', `${'q'.repeat(150)}\0`, 'L', { gnu: true }),
      rawEntry('q', new Uint8Array(700).fill(7), '0', { gnu: true }),
      header('s', 0, '2', { linkname: 'short' }),
      END,
    );
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const f = file();
    for (let i = 0; i < 400; i++) {
      const bytes = new Uint8Array(base);
      const edits = 1 + rand(4);
      for (let k = 0; k < edits; k++) bytes[rand(bytes.length)] = rand(256);
      const cut = rand(3) === 0 ? rand(bytes.length) : bytes.length;
      writeFileSync(f, bytes.subarray(0, cut));
      try {
        const idx = await indexTar(f);
        for (const name of idx.entries.keys()) {
          const e = findEntry(idx, name);
          if (e) assert.equal((await readEntry(idx, name, 1 << 20)).length, e.size);
        }
      } catch (e) {
        assert.ok(e instanceof AnyarchError, `iteration ${i}: ${String(e)}`);
      }
    }
  });
});

describe('readEntry and entryStream', () => {
  test('E_NOT_FOUND for a missing entry or a directory, E_LIMIT above the limit', async () => {
    const f = file();
    await writeTar(f, [{ name: 'd/', type: 'directory' }, { name: 'd/f', data: enc.encode('12345') }]);
    const idx = await indexTar(f, { display: 'x.tar' });
    assert.match((await sourceError(readEntry(idx, 'nope', 10), 'E_NOT_FOUND')).message, /^x\.tar: no entry "nope"/);
    assert.match((await sourceError(readEntry(idx, 'd', 10), 'E_NOT_FOUND')).message, /"d" is a directory/);
    assert.throws(() => entryStream(idx, 'nope'), (e: unknown) => e instanceof AnyarchError && e.code === 'E_NOT_FOUND');
    assert.match((await sourceError(readEntry(idx, 'd/f', 4), 'E_LIMIT')).message, /"d\/f" is 5 bytes, more than the 4/);
    assert.equal((await readEntry(idx, 'd/f', 5)).length, 5);
  });

  test('symbolic links: relative to their directory, absolute from the root; loops and escapes are not files', async () => {
    const f = file();
    await writeTar(f, [
      { name: 'blobs/sha256/abc', data: enc.encode('blob') },
      { name: 'id/layer.tar', type: 'symlink', linkname: '../blobs/sha256/abc' },
      { name: 'abs', type: 'symlink', linkname: '/blobs/sha256/abc' },
      { name: 'loop1', type: 'symlink', linkname: 'loop2' },
      { name: 'loop2', type: 'symlink', linkname: 'loop1' },
      { name: 'out', type: 'symlink', linkname: '../../etc/passwd' },
      { name: 'dangling', type: 'symlink', linkname: 'nothing' },
    ]);
    const idx = await indexTar(f);
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'id/layer.tar', 10)), 'blob');
    assert.equal(new TextDecoder().decode(await readEntry(idx, 'abs', 10)), 'blob');
    for (const n of ['loop1', 'out', 'dangling']) {
      assert.equal(findEntry(idx, n), undefined, n);
      assert.match((await sourceError(readEntry(idx, n, 10), 'E_NOT_FOUND')).message, /is a symlink to/);
    }
  });

  test('an archive cut after indexing: readEntry and the stream fail with E_SOURCE', async () => {
    const f = file();
    const data = new Uint8Array(200_000).fill(1);
    await writeTar(f, [{ name: 'layer', data }]);
    const idx = await indexTar(f);
    truncateSync(f, 512 + 100_000);
    assert.match((await sourceError(readEntry(idx, 'layer', data.length))).message, /truncated: "layer" ends after 100000 of its 200000 bytes/);
    await sourceError(collect(entryStream(idx, 'layer')));
    rmSync(f);
    await sourceError(collect(entryStream(idx, 'layer')));
  });
});
