/**
 * Work bounded by what was fetched, not by how often it is referenced: an index whose entries all
 * name one manifest or one config reads each once; a DAG of nested indexes that reuse each other
 * reads each distinct index once and lists each image once; reads of one root stop at its byte
 * limit (`E_LIMIT` naming the image) and are never more than MAX_CONCURRENT_READS at a time;
 * JSON nested deeper than MAX_JSON_DEPTH is refused before it is parsed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rejectsWith } from '../../test/support/assert.js';
import { countingSource, OCI, sha256, tally } from '../../test/support/images.js';
import { memorySource } from '../../test/support/memory-source.js';
import type { Digest } from './digest.js';
import { DEFAULT_MAX_IMAGE_BYTES, MAX_CONCURRENT_READS, openRoot, readLimitError, type Index } from './image.js';
import { decodeJson, jsonDepthExceeds, MAX_JSON_DEPTH, parseManifest, type Descriptor } from './manifest.js';
import { inspectPlatforms } from './platforms.js';
import type { ImageSource } from './source.js';
import { walkIndex } from './walk.js';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

/** Blobs by digest, and a helper that stores one and returns its descriptor. */
function store(): { blobs: Map<string, Uint8Array>; put: (mediaType: string, v: unknown) => Descriptor } {
  const blobs = new Map<string, Uint8Array>();
  return {
    blobs,
    put: (mediaType, v) => {
      const bytes = enc(v);
      const digest = sha256(bytes) as Digest;
      blobs.set(digest, bytes);
      return { mediaType, digest, size: bytes.length };
    },
  };
}

function configOf(put: ReturnType<typeof store>['put'], padding = 0): Descriptor {
  return put(OCI.config, { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { pad: 'x'.repeat(padding) } } });
}

function manifestOf(put: ReturnType<typeof store>['put'], config: Descriptor, n?: number): Descriptor {
  return put(OCI.manifest, { schemaVersion: 2, mediaType: OCI.manifest, config, layers: [], ...(n !== undefined ? { annotations: { n: String(n) } } : {}) });
}

function indexOf(put: ReturnType<typeof store>['put'], manifests: Descriptor[]): Descriptor {
  return put(OCI.index, { schemaVersion: 2, mediaType: OCI.index, manifests });
}

function sourceOf(blobs: Map<string, Uint8Array>, root: Descriptor, name = 'memory:bounds'): ReturnType<typeof countingSource> {
  return countingSource(memorySource(blobs, root, { name, verify: true }));
}

describe('read once per digest', () => {
  test('2,000 entries naming one manifest (each its own platform) read it and its 1 MiB config once', async () => {
    const { blobs, put } = store();
    const m = manifestOf(put, configOf(put, 1024 * 1024));
    const root = indexOf(
      put,
      Array.from({ length: 2000 }, (_, i) => ({ ...m, platform: { os: 'linux', architecture: 'amd64', variant: `v${i}` } })),
    );
    const { source, reads } = sourceOf(blobs, root);
    const report = await inspectPlatforms(source);
    assert.equal(report.platforms.length, 2000);
    assert.ok(report.platforms.every((p) => p.config?.architecture === 'amd64' && p.error === undefined));
    assert.deepEqual([...tally(reads.manifests.map((d) => d.digest))], [[m.digest, 1]]);
    assert.equal(reads.blobs.length, 1);
  });

  test('2,000 distinct manifests without platforms naming one config read the config once (walk and details share it)', async () => {
    const { blobs, put } = store();
    const config = configOf(put, 1024 * 1024);
    const root = indexOf(
      put,
      Array.from({ length: 2000 }, (_, i) => manifestOf(put, config, i)),
    );
    const { source, reads } = sourceOf(blobs, root);
    const report = await inspectPlatforms(source);
    assert.equal(report.platforms.length, 2000);
    assert.ok(report.platforms.every((p) => p.platform === 'linux/amd64'));
    assert.equal(reads.manifests.length, 2000);
    assert.deepEqual(reads.blobs.map((d) => d.digest), [config.digest]);
  });

  test('a DAG of nested indexes reusing each other (30 entries per level, 4 levels) reads each index once and lists each image once, under the first path that reached it', async () => {
    const { blobs, put } = store();
    const config = configOf(put);
    const images = Array.from({ length: 5 }, (_, i) => ({ ...manifestOf(put, config, i), platform: { os: 'linux', architecture: 'amd64', variant: `v${i}` } }));
    let below = indexOf(put, images);
    const levels: Descriptor[] = [below];
    for (let l = 0; l < 3; l++) {
      // the same index listed 30 times, distinguished only by an annotation: 30^3 paths to the bottom
      below = indexOf(put, Array.from({ length: 30 }, (_, i) => ({ ...below, annotations: { n: String(i) } })));
      levels.unshift(below);
    }
    const { source, reads } = sourceOf(blobs, below);
    const root = (await openRoot(source)) as Index;
    const walk = await walkIndex(root, { name: source.name });
    assert.deepEqual(
      walk.indexes.map((i) => [i.descriptor.digest, i.via.length]),
      levels.slice(1).map((d, depth) => [d.digest, depth]),
    );
    assert.deepEqual(walk.images.map((i) => i.descriptor.digest), images.map((i) => i.digest));
    assert.deepEqual(walk.images[0]?.via, levels.slice(1).map((d) => d.digest));
    assert.deepEqual([...tally(reads.manifests.map((d) => d.digest))].filter(([, n]) => n > 1), []);
    assert.equal(reads.manifests.length, levels.length - 1);
    // the report, on a root of its own: every distinct index once (the root by the source's root()), every manifest once
    const again = sourceOf(blobs, below);
    const report = await inspectPlatforms(again.source);
    assert.deepEqual(report.platforms.map((p) => [p.platform, p.via.length]), images.map((_, i) => [`linux/amd64/v${i}`, 3]));
    reads.manifests = again.reads.manifests;
    assert.deepEqual([...tally(reads.manifests.map((d) => d.digest))].filter(([, n]) => n > 1), []);
    assert.equal(reads.manifests.length, levels.length - 1 + images.length);
  });

  test('an index walked already is not walked again, nor refused for the depth of a longer path to it', async () => {
    const { blobs, put } = store();
    const d = indexOf(put, [{ ...manifestOf(put, configOf(put)), platform: { os: 'linux', architecture: 'arm64' } }]);
    const b = indexOf(put, [d]);
    const a = indexOf(put, [b]);
    const root = indexOf(put, [a, d]);
    const { source, reads } = sourceOf(blobs, root);
    const walk = await walkIndex((await openRoot(source)) as Index, { maxDepth: 2 });
    assert.deepEqual(walk.indexes.map((i) => i.descriptor.digest), [a.digest, d.digest, b.digest]);
    assert.deepEqual(walk.images.map((i) => i.via), [[d.digest]]);
    assert.equal(reads.manifests.length, 3);
  });
});

describe('the byte limit of one root', () => {
  function manyConfigs(n: number, padding: number): { source: ImageSource; reads: ReturnType<typeof countingSource>['reads'] } {
    const { blobs, put } = store();
    const root = indexOf(
      put,
      Array.from({ length: n }, (_, i) => ({ ...manifestOf(put, configOf(put, padding + i)), platform: { os: 'linux', architecture: 'amd64', variant: `v${i}` } })),
    );
    return sourceOf(blobs, root, 'memory:big-image');
  }

  test('defaults to 256 MiB', () => {
    assert.equal(DEFAULT_MAX_IMAGE_BYTES, 256 * 1024 * 1024);
  });

  test('reads that would pass it are E_LIMIT naming the image, the whole report refused, and nothing is read past it', async () => {
    const { source, reads } = manyConfigs(100, 64 * 1024);
    const limit = 1024 * 1024;
    const e = await rejectsWith(inspectPlatforms(source, { maxBytes: limit }), 'E_LIMIT');
    assert.match(e.message, /^memory:big-image: reading (manifest|config) sha256:[0-9a-f]{64} would take the manifests and configs read for this image past 1048576 bytes \(\d+ read so far\); anyarch stops there$/);
    assert.match(e.hint ?? '', /--max-image-mib/);
    const read = [...reads.manifests, ...reads.blobs].reduce((n, d) => n + d.size, 0);
    assert.ok(read <= limit, `${read} bytes read`);
    assert.ok(reads.blobs.length < 100, `${reads.blobs.length} configs read`);
  });

  test('raised, the same image reads whole', async () => {
    const { source } = manyConfigs(100, 64 * 1024);
    const report = await inspectPlatforms(source, { maxBytes: 16 * 1024 * 1024 });
    assert.equal(report.platforms.filter((p) => p.config !== undefined).length, 100);
  });

  test('counts the root: a root larger than the limit is refused at open; readLimitError tells an opened root that passed it', async () => {
    const { source } = manyConfigs(10, 10);
    const root = await source.root();
    await rejectsWith(openRoot(source, { maxBytes: root.bytes.length - 1 }), 'E_LIMIT');
    const opened = (await openRoot(source, { maxBytes: root.bytes.length + 100 })) as Index;
    assert.equal(readLimitError(opened), undefined);
    const [first] = (await opened.manifest()).manifests;
    await rejectsWith(opened.image(first as Descriptor), 'E_LIMIT');
    assert.equal(readLimitError(opened)?.code, 'E_LIMIT');
  });

  test(`at most ${MAX_CONCURRENT_READS} reads in flight, however many entries ask at once`, async () => {
    const { source: inner } = manyConfigs(200, 10);
    let inFlight = 0;
    let most = 0;
    const slow = <T>(read: () => Promise<T>): Promise<T> => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<T>((resolve, reject) => setTimeout(() => read().then(resolve, reject).finally(() => inFlight--), 1));
    };
    const source: ImageSource = { ...inner, manifest: (d) => slow(() => inner.manifest(d)), blob: (d, limit) => slow(() => inner.blob(d, limit)) };
    const report = await inspectPlatforms(source);
    assert.equal(report.platforms.length, 200);
    assert.ok(most <= MAX_CONCURRENT_READS && most > 1, `${most} reads in flight at most`);
  });
});

describe('JSON nesting', () => {
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

  test(`${MAX_JSON_DEPTH} levels are read, one more is refused with a reason that says so; 100,000 levels never overflow the stack`, () => {
    assert.ok('value' in decodeJson(enc(deep(MAX_JSON_DEPTH))));
    assert.deepEqual(decodeJson(enc(deep(MAX_JSON_DEPTH + 1))), { reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels (anyarch reads no deeper)` });
    assert.ok('reason' in decodeJson(enc(deep(100_000))));
    assert.ok('reason' in decodeJson(enc('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000))));
  });

  test('brackets inside strings (escaped quotes too) do not count', () => {
    assert.equal(jsonDepthExceeds(JSON.stringify({ a: '['.repeat(1000), b: '\\"[[[[', c: [[1]] }), 3), false);
    assert.equal(jsonDepthExceeds(JSON.stringify({ a: '\\', b: [[[1]]] }), 3), true);
  });

  test('a manifest, an index entry or a config nested 100,000 deep is E_MANIFEST naming it, read through a source and the walk', async () => {
    const x = deep(100_000);
    const { blobs, put } = store();
    const config = configOf(put);
    const good = manifestOf(put, config);
    // an entry whose unknown field nests deep: its index cannot be read
    const rootBytes = `{"schemaVersion":2,"mediaType":"${OCI.index}","manifests":[{"mediaType":"${OCI.manifest}","digest":"${good.digest}","size":${good.size},"x":${x}}]}`;
    const root = put(OCI.index, rootBytes);
    const e = await rejectsWith(inspectPlatforms(sourceOf(blobs, root).source), 'E_MANIFEST');
    assert.match(e.message, /nested deeper than 256 levels/);
    // a deep config: that variant is listed with its error, the others in full
    const deepConfig = put(OCI.config, `{"architecture":"arm64","os":"linux","history":${x}}`);
    const index = indexOf(put, [
      { ...good, platform: { os: 'linux', architecture: 'amd64' } },
      { ...manifestOf(put, deepConfig), platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    const report = await inspectPlatforms(sourceOf(blobs, index).source);
    assert.equal(report.platforms[0]?.config?.architecture, 'amd64');
    assert.equal(report.platforms[1]?.error?.code, 'E_MANIFEST');
    assert.match(report.platforms[1]?.error?.message ?? '', /config sha256:[0-9a-f]{64} of memory:bounds: JSON nested deeper than 256 levels/);
    assert.throws(() => parseManifest(enc(`{"schemaVersion":2,"config":${x}}`), 'm'), /m: JSON nested deeper than 256 levels/);
  });
});
