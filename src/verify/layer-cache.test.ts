/**
 * The layer scan cache: a warm verify reads no layer and gives the report a cold one gives (and
 * one without a cache); only complete, checked reads are stored; unusable entries are misses and
 * are removed; the bounds per entry and in all; the directory's mode.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inspectFile } from '../binary/index.js';
import type { Digest } from '../oci/digest.js';
import { scanLayer } from '../rootfs/layer-scan.js';
import type { LayerScan } from '../rootfs/types.js';
import type { FileFacts } from '../binary/types.js';
import { buildTestImage, builtImageSource, countingSource, fakeElf, sha256, type TestPlatformImage } from '../../test/support/images.js';
import { exe, layer, layerTar, peFile, type LayerEntry } from '../../test/support/verify-images.js';
import { decodeLayerScan, encodeLayerScan, LAYER_SCAN_FORMAT, layerScanCache, type LayerScanKey } from './layer-cache.js';
import { verifyImage, type VerifyOptions } from './verify.js';

const work = mkdtempSync(path.join(tmpdir(), 'anyarch-layer-cache-'));
after(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(work, `cache-${++dirs}`, 'layer-scans');
const entryFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.json'));

/** Every kind of entry a scan keeps: facts of each format, hard links sharing facts, whiteouts, an opaque directory, oddities. */
function richEntries(arch: 'amd64' | 'arm64'): LayerEntry[] {
  return [
    exe('usr/bin/tool', fakeElf(arch)),
    exe('usr/local/bin/foreign', fakeElf(arch === 'arm64' ? 'amd64' : 'arm64')),
    { path: 'usr/bin/tool-again', kind: 'hardlink', target: 'usr/bin/tool' },
    { path: 'usr/bin/sh', kind: 'symlink', target: 'tool' },
    exe('usr/bin/run.sh', new TextEncoder().encode('#!/usr/bin/env python3 -u\nprint(1)\n')),
    { path: 'opt/app/app.exe', kind: 'file', data: peFile(arch) },
    { path: 'usr/lib/python3/dist-packages/pkg-1.0.dist-info/WHEEL', kind: 'file', data: 'Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n' },
    { path: 'usr/lib/python3/dist-packages/pkg/_speedups.cpython-311-x86_64-linux-gnu.so', kind: 'file', data: fakeElf('amd64') },
    { path: 'srv/node_modules/addon/build/Release/addon.node', kind: 'file', data: fakeElf(arch) },
    { path: 'etc/ünïcödé name.conf', kind: 'file', data: 'x=1\n' },
    { path: 'var/cache/.wh..wh..opq', kind: 'file', data: '' },
    { path: 'etc/.wh.old.conf', kind: 'file', data: '' },
    { path: 'usr/bin/dangling', kind: 'hardlink', target: 'usr/bin/nothing-here' },
    { path: '../escapes', kind: 'raw', type: '0', data: new TextEncoder().encode('out\n') },
  ];
}

function richImage(): TestPlatformImage[] {
  return (['amd64', 'arm64'] as const).map((arch) => ({
    platform: { os: 'linux', architecture: arch },
    layers: [
      { files: { 'bin/busybox': fakeElf(arch), 'var/cache/old': 'gone\n', 'etc/old.conf': 'old\n' } },
      layer(richEntries(arch)),
      { files: { 'usr/share/doc/shared': 'the same in both\n' }, compression: 'none' },
      { files: { 'usr/share/doc/z': 'zstd\n' }, compression: 'zstd' },
    ],
  }));
}

const cacheIn = (dir: string, extra: Partial<Parameters<typeof layerScanCache>[0]> = {}) => layerScanCache({ dir, ...extra });

test('a warm verify gives the report a cold one gives, and the one without a cache', async () => {
  const img = buildTestImage(richImage());
  const dir = freshDir();
  const opts: VerifyOptions = { layerCache: cacheIn(dir) };
  const none = await verifyImage(builtImageSource(img), {}, 'rich');
  const cold = await verifyImage(builtImageSource(img), opts, 'rich');
  assert.ok(cold.platforms.flatMap((p) => p.verdicts).length > 0, 'the image has verdicts');
  assert.equal(entryFiles(dir).length, 6, 'the distinct layers stored (the last two are the same in both variants)');
  const warm = await verifyImage(builtImageSource(img), opts, 'rich');
  assert.deepEqual(cold, none);
  assert.deepEqual(warm, cold);
  for (const p of warm.platforms) {
    assert.equal(p.error, undefined);
    assert.ok(p.summary.files > 10 && p.summary.bytes > 0 && p.summary.layers === 4, JSON.stringify(p.summary));
  }
  assert.ok(warm.platforms[1]!.verdicts.some((v) => v.id === 'AA201' && v.path === '/usr/local/bin/foreign'));
  assert.ok(warm.platforms[0]!.verdicts.some((v) => v.id === 'AA210'), 'the oddities are kept');
});

test('a warm verify reads no layer blob; progress counts the layers and bytes a read would', async () => {
  const img = buildTestImage(richImage());
  const dir = freshDir();
  const progress: { layersDone: number; bytes: number }[] = [];
  const opts: VerifyOptions = { layerCache: cacheIn(dir), onProgress: (p) => progress.push({ layersDone: p.layersDone, bytes: p.bytes }) };
  const cold = countingSource(builtImageSource(img));
  await verifyImage(cold.source, opts);
  const coldProgress = progress.splice(0);
  const layerDigests = new Set(cold.reads.streams.map((d) => d.digest));
  assert.equal(layerDigests.size, 6);
  const warm = countingSource(builtImageSource(img));
  await verifyImage(warm.source, opts);
  assert.deepEqual(warm.reads.streams, [], 'no layer streamed');
  assert.ok(warm.reads.blobs.every((d) => !layerDigests.has(d.digest)), 'no layer read whole either');
  assert.deepEqual(progress.at(-1), coldProgress.at(-1));
});

test('a layer that fails its diff id is not stored, and fails again on the next run', async () => {
  const good = layerTar([{ path: 'bin/app', kind: 'file', data: fakeElf('amd64') }]);
  const liar = layerTar([{ path: 'bin/app', kind: 'file', data: fakeElf('arm64') }]);
  // the config names the diff id of `good`, the blob holds `liar`
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: {}, stored: { bytes: gzipSync(liar), diffId: sha256(good), compression: 'gzip' } }] }]);
  const dir = freshDir();
  const opts: VerifyOptions = { layerCache: cacheIn(dir) };
  for (let run = 0; run < 2; run++) {
    const r = await verifyImage(builtImageSource(img), opts);
    assert.equal(r.platforms[0]!.error?.code, 'E_DIGEST', `run ${run}`);
  }
  assert.equal(existsSync(dir), false, 'nothing written');
});

test('a hit the image entry budget cannot take is read, and fails as a read does', async () => {
  const img = buildTestImage(richImage());
  const dir = freshDir();
  await verifyImage(builtImageSource(img), { layerCache: cacheIn(dir) });
  // more entries than any one layer holds, fewer than the image: only the budget shared by its layers refuses
  const tight: VerifyOptions = { maxImageEntries: 40, layersInFlight: 1 };
  const cold = await verifyImage(builtImageSource(img), tight);
  const warm = await verifyImage(builtImageSource(img), { ...tight, layerCache: cacheIn(dir) });
  assert.ok(cold.platforms.some((p) => p.error?.code === 'E_LIMIT'), JSON.stringify(cold.platforms.map((p) => p.error)));
  assert.deepEqual(warm, cold);
});

/** A layer's scan by src/rootfs and src/binary, as verify's default readers make it. */
async function scanOf(entries: readonly LayerEntry[]): Promise<{ key: LayerScanKey; scan: LayerScan<FileFacts> }> {
  const tar = layerTar(entries);
  const scan = await scanLayer(Readable.from([Buffer.from(tar)]), inspectFile);
  return { key: { digest: `sha256:${'1'.repeat(64)}` as Digest, diffId: sha256(tar) as Digest }, scan };
}

/** A scan as plain data: every entry's fields and facts, the sets, the counts. */
function plain(scan: LayerScan<FileFacts>): unknown {
  return {
    entries: [...scan.entries].map(([p, f]) => [p, { ...f.entry }, f.facts === undefined ? null : { ...f.facts }]),
    whiteouts: [...scan.whiteouts],
    opaque: [...scan.opaque],
    entryCount: scan.entryCount,
    bytes: scan.bytes,
    oddities: [...scan.oddities],
  };
}

test('encode and decode: the scan back as it was, hard links sharing one facts object', async () => {
  const { key, scan } = await scanOf(richEntries('arm64'));
  const text = encodeLayerScan(key, scan);
  assert.ok(text !== undefined);
  const back = decodeLayerScan(text, key);
  assert.ok(back);
  assert.deepEqual(plain(back), plain(scan));
  assert.equal(back.entries.get('usr/bin/tool-again')!.facts, back.entries.get('usr/bin/tool')!.facts);
  assert.equal(decodeLayerScan(text, { ...key, diffId: `sha256:${'2'.repeat(64)}` as Digest }), undefined, 'another key');
  assert.equal(decodeLayerScan(text.replace(`"format":${LAYER_SCAN_FORMAT}`, `"format":${LAYER_SCAN_FORMAT + 1}`), key), undefined, 'another format');
  assert.equal(decodeLayerScan(text.replace(/"anyarch":"[^"]*"/, '"anyarch":"0.0.0-other"'), key), undefined, 'another version');
  assert.equal(decodeLayerScan(text.slice(0, -20), key), undefined, 'truncated');
  assert.equal(decodeLayerScan(text.replace(/"class":(32|64)/, '"class":"sixty-four"'), key), undefined, 'facts of another shape');
  assert.equal(encodeLayerScan(key, scan, 200), undefined, 'larger than the bound');
});

test('unusable entries are misses and are removed; a write after them works', async () => {
  const dir = freshDir();
  const cache = cacheIn(dir);
  const { key, scan } = await scanOf(richEntries('amd64'));
  await cache.set(key, scan);
  const [name] = entryFiles(dir);
  assert.ok(name);
  const file = path.join(dir, name);
  const whole = readFileSync(file, 'utf8');
  for (const [what, text] of [
    ['truncated', whole.slice(0, whole.length / 2)],
    ['not JSON', 'garbage'],
    ['another format', whole.replace(`"format":${LAYER_SCAN_FORMAT}`, '"format":999')],
    ['another key', whole.replace(key.diffId, `sha256:${'3'.repeat(64)}`)],
  ] as const) {
    writeFileSync(file, text);
    assert.equal(await cache.get(key), undefined, what);
    assert.deepEqual(entryFiles(dir), [], `${what}: removed`);
  }
  await cache.set(key, scan);
  assert.deepEqual(plain((await cache.get(key))!), plain(scan));
  assert.equal(await cacheIn(path.join(work, 'never-made')).get(key), undefined, 'no directory: a miss');
});

test('the directory is 0700; a scan larger than the entry bound is not stored', async () => {
  const dir = freshDir();
  const { key, scan } = await scanOf(richEntries('amd64'));
  await cacheIn(dir, { maxEntryBytes: 300 }).set(key, scan);
  assert.throws(() => statSync(dir), /ENOENT/, 'nothing stored, nothing made');
  await cacheIn(dir).set(key, scan);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('the total bound: least recently used entries go first, a hit counts as a use', async () => {
  const dir = freshDir();
  const scans = await Promise.all(['a', 'b', 'c'].map((n) => scanOf([{ path: `data/${n}`, kind: 'file', data: n }])));
  const size = Buffer.byteLength(encodeLayerScan(scans[0]!.key, scans[0]!.scan)!);
  const keys = scans.map((s, i) => ({ ...s.key, digest: `sha256:${String(i).repeat(64)}` as Digest }));
  // room for two entries, not three
  const cache = cacheIn(dir, { maxBytes: size * 2 + size / 2 });
  const age = (name: string, minutes: number): void => {
    const t = new Date(Date.now() - minutes * 60_000);
    utimesSync(path.join(dir, name), t, t);
  };
  await cache.set(keys[0]!, scans[0]!.scan);
  const [a] = entryFiles(dir);
  age(a!, 20);
  await cache.set(keys[1]!, scans[1]!.scan);
  const [b] = entryFiles(dir).filter((n) => n !== a);
  age(b!, 10);
  // a is the older; then a is used, and b becomes the least recently used
  assert.ok(await cache.get(keys[0]!), 'a hit');
  await cache.set(keys[2]!, scans[2]!.scan);
  assert.ok(await cache.get(keys[0]!), 'a kept: used last');
  assert.equal(await cache.get(keys[1]!), undefined, 'b removed');
  assert.ok(await cache.get(keys[2]!), 'c stored');
  assert.equal(entryFiles(dir).length, 2);
});
