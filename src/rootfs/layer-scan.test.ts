import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { AnyarchError } from '../errors.js';
import { makeTar, type RawEntry } from '../../test/support/rootfs-tar.js';
import { runMeasuredScript } from '../../test/support/measured.js';
import { MAX_LAYER_ODDITIES, MAX_LAYER_UNCOMPRESSED_BYTES, scanLayer } from './layer-scan.js';
import type { Capture, Inspector } from './types.js';

const stream = (entries: readonly RawEntry[], chunk = 300): Readable => {
  const tar = makeTar(entries);
  const parts: Buffer[] = [];
  for (let i = 0; i < tar.length; i += chunk) parts.push(tar.subarray(i, i + chunk));
  return Readable.from(parts);
};

/** Keeps the first `n` bytes of every file as text, and how many pushes it took. */
const head =
  (n: number): Inspector<string> =>
  () => {
    const parts: Buffer[] = [];
    let got = 0;
    const c: Capture<string> = {
      push(chunk, offset) {
        assert.equal(offset, got);
        const take = Math.min(n - got, chunk.length);
        parts.push(Buffer.from(chunk.subarray(0, take)));
        got += take;
        return got < n;
      },
      finish(size) {
        return `${Buffer.concat(parts).toString()}|${size}`;
      },
    };
    return c;
  };

describe('scanLayer', () => {
  test('whiteouts, opaque markers and AUFS meta entries: OCI semantics, never listed as files', async () => {
    const scan = await scanLayer(
      stream([
        { name: 'etc/.wh.passwd' },
        { name: './usr/lib/.wh..wh..opq' },
        { name: '.wh..wh..opq' },
        { name: 'var/.wh..wh.plnk', type: '5' },
        { name: '.wh..wh.aufs' },
        { name: '.wh.top' },
        { name: 'a/.wh.' },
        { name: 'usr/lib/keep', body: 'k' },
        { name: 'b/.wh.dir', type: '5' },
      ]),
      () => undefined,
    );
    assert.deepEqual([...scan.whiteouts].sort(), ['b/dir', 'etc/passwd', 'top']);
    assert.deepEqual([...scan.opaque].sort(), ['', 'usr/lib']);
    assert.deepEqual([...scan.entries.keys()], ['usr/lib/keep']);
    assert.equal(scan.entryCount, 9);
    assert.deepEqual(scan.oddities, ['a/.wh.: a whiteout naming no file, ignored']);
  });

  test('the inspector sees each file body from offset 0 and keeps facts; the rest is skipped', async () => {
    const big = 'ELF'.padEnd(5000, '.');
    const scan = await scanLayer(
      stream([
        { name: 'bin/', type: '5' },
        { name: 'bin/sh', body: big },
        { name: 'bin/empty', body: '' },
        { name: 'bin/ln', type: '2', linkname: 'sh' },
      ]),
      head(4),
    );
    assert.equal(scan.entries.get('bin/sh')?.facts, 'ELF.|5000');
    assert.equal(scan.entries.get('bin/empty')?.facts, '|0');
    assert.equal(scan.entries.get('bin')?.entry.kind, 'dir');
    assert.equal(scan.entries.get('bin/ln')?.facts, undefined);
    assert.equal(scan.entries.get('bin/ln')?.entry.linkname, 'sh');
    assert.equal(scan.bytes, 512 * 4 + 512 * 10 + 1024);
  });

  test('hard links get their target’s facts; a target no entry of this layer names is left to mergeLayers; the last duplicate wins', async () => {
    const scan = await scanLayer(
      stream([
        { name: 'usr/bin/python3.11', body: 'PYTHON' },
        { name: 'usr/bin/python3', type: '1', linkname: './usr/bin/python3.11' },
        { name: 'usr/bin/py', type: '1', linkname: 'usr/bin/python3' },
        { name: 'usr/bin/ghost', type: '1', linkname: 'usr/bin/nowhere' },
        { name: 'usr/bin/self', type: '1', linkname: 'usr/bin/self' },
        { name: 'usr/lib/', type: '5' },
        { name: 'usr/bin/todir', type: '1', linkname: 'usr/lib' },
        { name: 'dup', body: 'first' },
        { name: 'dup', body: 'second' },
        { name: '../escape', body: 'e' },
      ]),
      head(100),
    );
    assert.equal(scan.entries.get('usr/bin/python3')?.facts, 'PYTHON|6');
    assert.equal(scan.entries.get('usr/bin/py')?.facts, 'PYTHON|6');
    assert.equal(scan.entries.get('usr/bin/ghost')?.facts, undefined);
    assert.equal(scan.entries.get('usr/bin/ghost')?.entry.kind, 'hardlink');
    assert.equal(scan.entries.get('dup')?.facts, 'second|6');
    assert.equal(scan.entries.get('escape')?.entry.escapes, true);
    assert.deepEqual(scan.oddities, ['usr/bin/todir: a hard link to usr/lib, which is no file', '../escape: a name outside the root, read as /escape']);
  });

  test('oddities are bounded: the rest counted in one line', async () => {
    const n = MAX_LAYER_ODDITIES + 5;
    const scan = await scanLayer(
      stream(Array.from({ length: n }, (_, i) => ({ name: `/abs/l${i}`, body: '' }))),
      () => undefined,
    );
    assert.equal(scan.oddities.length, MAX_LAYER_ODDITIES + 1);
    assert.equal(scan.oddities.at(-1), 'and 5 more');
    assert.equal(scan.entries.size, n);
  });

  test('scans share an entry budget (the layers of one image): the scan that reads past it fails with E_LIMIT', async () => {
    const budget = { left: 25, limit: 25 };
    const ten = (p: string): Readable => stream(Array.from({ length: 10 }, (_, i) => ({ name: `${p}${i}` })));
    assert.equal((await scanLayer(ten('a'), () => undefined, { entryBudget: budget })).entryCount, 10);
    assert.equal((await scanLayer(ten('b'), () => undefined, { entryBudget: budget })).entryCount, 10);
    await assert.rejects(
      scanLayer(ten('c'), () => undefined, { entryBudget: budget, what: 'layer 3' }),
      (e: unknown) => e instanceof AnyarchError && e.code === 'E_LIMIT' && /^layer 3: the layers of this image hold more than 25 entries/.test(e.message),
    );
  });

  test(`a layer's uncompressed bytes are bounded by default (MAX_LAYER_UNCOMPRESSED_BYTES, ${MAX_LAYER_UNCOMPRESSED_BYTES / 1024 ** 3} GiB), and per call`, async () => {
    assert.ok(MAX_LAYER_UNCOMPRESSED_BYTES >= 8 * 1024 ** 3, 'real layers of several GiB pass');
    await assert.rejects(
      scanLayer(stream([{ name: 'big', body: 'x'.repeat(5000) }]), () => undefined, { maxBytes: 4096 }),
      (e: unknown) => e instanceof AnyarchError && e.code === 'E_LIMIT' && /more than 4096 bytes uncompressed/.test(e.message),
    );
  });

  test('the names kept are bounded (E_LIMIT)', async () => {
    await assert.rejects(
      scanLayer(stream(Array.from({ length: 20 }, (_, i) => ({ name: `${'d'.repeat(50)}/${i}` }))), () => undefined, { maxNameChars: 500, what: 'layer 3' }),
      (e: unknown) => e instanceof AnyarchError && e.code === 'E_LIMIT' && /^layer 3: its names add up to more than 500 characters/.test(e.message),
    );
  });

  test('10^6 entries scanned and merged: bounded time and memory, measured from outside', async () => {
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/support/rootfs-scan-child.js');
    const r = await runMeasuredScript(['--expose-gc', child, '1000000'], { killAfterMs: 300_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { entries: number; files: number; heapBytesPerEntry: number; treeBytesPerEntry: number };
    assert.equal(out.entries, 1_000_000);
    assert.equal(out.files, 1_000_000);
    // generous bounds: measured 484 MB peak RSS, 182 B of heap per entry for the scan and 79 more for the tree
    assert.ok(r.peakRssMb < 1200, `peak RSS ${r.peakRssMb} MB`);
    assert.ok(out.heapBytesPerEntry < 500, `scan heap per entry ${out.heapBytesPerEntry} B`);
    assert.ok(out.treeBytesPerEntry < 300, `tree heap per entry ${out.treeBytesPerEntry} B`);
    assert.ok(r.seconds < 120, `${r.seconds} s`);
  });

  test('a layer at the entry bound fails with E_LIMIT, not by running out of memory', async () => {
    const tarEntries = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}` }));
    await assert.rejects(scanLayer(stream(tarEntries), () => undefined, { maxEntries: 10 }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_LIMIT');
  });
});
