/**
 * The index walk: breadth-first order, nesting, cycles, depth, attestations linked, unknown
 * entries kept; and property tests (fast-check, fixed seed) over random index graphs served by
 * an in-memory source: the walk ends in a result or an AnyarchError, lists every entry once,
 * reads each manifest and config at most once, and `inspectPlatforms` on top of it reports
 * exactly what the inline walk it replaced reported (kept below as the reference).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { rejectsWith } from '../../test/support/assert.js';
import { countingSource, tally, type SourceReads } from '../../test/support/images.js';
import { graphBlobs, indexGraph } from '../../test/support/index-graphs.js';
import { memorySource } from '../../test/support/memory-source.js';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { formatPlatform } from '../platform/index.js';
import { digestOf, type Digest } from './digest.js';
import { openRoot, type Index } from './image.js';
import { decodeJson, isAttestationEntry, MAX_CONFIG_BYTES, REFERENCE_DIGEST, REFERENCE_TYPE, type Descriptor, type ImageConfig, type OciPlatform } from './manifest.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from './media.js';
import { inspectPlatforms, platformMismatch, type AttestationEntry, type ConfigSummary, type PlatformReport, type PlatformVariant } from './platforms.js';
import type { FetchedManifest, ImageSource } from './source.js';
import { MAX_INDEX_ENTRIES, walkIndex } from './walk.js';

const SEED = 20261203;
const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

/** Reads as the image layer keys its memo: a manifest by digest, size and media type; a blob by digest and size. */
const manifestKeys = (reads: SourceReads) => reads.manifests.map((d) => `${d.digest} ${d.size} ${d.mediaType}`);
const blobKeys = (reads: SourceReads) => reads.blobs.map((d) => `${d.digest} ${d.size}`);

class Blobs extends Map<string, Uint8Array> {
  put(v: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const bytes = enc(v);
    const digest = digestOf(bytes);
    this.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...extra };
  }
  image(arch: string, variant?: string): Descriptor {
    const config = this.put({ os: 'linux', architecture: arch, ...(variant ? { variant } : {}) }, MediaType.OCI_CONFIG);
    return this.put({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config, layers: [] }, MediaType.OCI_MANIFEST);
  }
  index(manifests: Descriptor[]): Descriptor {
    return this.put({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests }, MediaType.OCI_INDEX);
  }
}

const linux = (architecture: string, variant?: string): OciPlatform => ({ os: 'linux', architecture, ...(variant ? { variant } : {}) });

async function rootIndex(blobs: Blobs, root: Descriptor): Promise<{ index: Index; reads: SourceReads }> {
  const m = countingSource(memorySource(blobs, root));
  const index = await openRoot(m.source);
  assert.equal(index.kind, 'index');
  return { index: index as Index, reads: m.reads };
}

describe('walkIndex', () => {
  test('breadth first: the root entries in order, then the nested indexes entries; via records the path', async () => {
    const b = new Blobs();
    const amd = { ...b.image('amd64'), platform: linux('amd64') };
    const arm = { ...b.image('arm64'), platform: linux('arm64') };
    const s390 = { ...b.image('s390x'), platform: linux('s390x') };
    const inner = b.index([s390]);
    const nested = b.index([arm, inner]);
    const root = b.index([nested, amd]);
    const { index } = await rootIndex(b, root);
    const walk = await walkIndex(index);
    assert.deepEqual(
      walk.images.map((i) => [formatPlatform(i.platform!), i.via.length, i.platformFrom]),
      [
        ['linux/amd64', 0, 'index'],
        ['linux/arm64', 1, 'index'],
        ['linux/s390x', 2, 'index'],
      ],
    );
    assert.deepEqual(walk.images[2]?.via, [nested.digest, inner.digest]);
    assert.deepEqual(
      walk.indexes.map((i) => [i.descriptor.digest, i.via]),
      [
        [nested.digest, []],
        [inner.digest, [nested.digest]],
      ],
    );
  });

  test('configs: false reads nothing but indexes', async () => {
    const b = new Blobs();
    const { index, reads } = await rootIndex(b, b.index([b.image('arm64'), b.index([b.image('amd64')])]));
    const walk = await walkIndex(index, { configs: false });
    assert.deepEqual(
      walk.images.map((i) => [i.platform, i.platformFrom, i.error]),
      [
        [undefined, 'config', undefined],
        [undefined, 'config', undefined],
      ],
    );
    assert.equal(walk.indexes.length, 1);
    assert.deepEqual(reads.blobs, []);
    assert.deepEqual(reads.manifests.map((d) => d.mediaType), [MediaType.OCI_INDEX]);
  });

  test('attestations apart and linked to their image; unknown entries ignored; repeated entries once', async () => {
    const b = new Blobs();
    const amd = { ...b.image('amd64'), platform: linux('amd64') };
    const att = b.put({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: { mediaType: MediaType.OCI_CONFIG, digest: digestOf('c'), size: 1 }, layers: [] }, MediaType.OCI_MANIFEST, {
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { [REFERENCE_TYPE]: 'attestation-manifest', [REFERENCE_DIGEST]: amd.digest },
    });
    const other = b.put({ anything: true }, 'application/vnd.example.thing+json');
    const root = b.index([amd, att, other, amd, att]);
    const { index, reads } = await rootIndex(b, root);
    const walk = await walkIndex(index);
    assert.equal(walk.images.length, 1);
    assert.equal(walk.attestations.length, 1);
    assert.equal(walk.attestations[0]?.referenceType, 'attestation-manifest');
    assert.equal(walk.attestations[0]?.subject, walk.images[0]);
    assert.deepEqual(walk.ignored, [other]);
    assert.deepEqual(reads.manifests, [], 'entries with a platform are not read');
  });

  test('entries without a platform take it from their config; one that cannot be read keeps its error', async () => {
    const b = new Blobs();
    const arm = b.image('arm', 'v7');
    const missing = { mediaType: MediaType.OCI_MANIFEST, digest: digestOf('gone'), size: 10 };
    const { index, reads } = await rootIndex(b, b.index([arm, missing]));
    const walk = await walkIndex(index);
    assert.deepEqual(walk.images[0]?.platform, linux('arm', 'v7'));
    assert.equal(walk.images[0]?.platformFrom, 'config');
    assert.equal(walk.images[1]?.platform, undefined);
    assert.equal(walk.images[1]?.error?.code, 'E_NOT_FOUND');
    assert.equal(reads.blobs.length, 1);
  });

  test('cycles, depth and size are bounded', async () => {
    const b = new Blobs();
    // a cycle: an index naming the root's digest
    const leaf = { ...b.image('amd64'), platform: linux('amd64') };
    const placeholder = { mediaType: MediaType.OCI_INDEX, digest: digestOf('root'), size: 1 };
    const child = b.index([leaf, placeholder]);
    const rootBytes = enc({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [child] });
    b.set(placeholder.digest, rootBytes);
    const { index } = await rootIndex(b, placeholder);
    await rejectsWith(walkIndex(index), 'E_MANIFEST', /cycle/);

    let deep = b.index([leaf]);
    for (let i = 0; i < 5; i++) deep = b.index([deep]);
    const five = await rootIndex(b, deep);
    await rejectsWith(walkIndex(five.index), 'E_MANIFEST', /deeper than 4 levels/);
    assert.equal((await walkIndex(five.index, { maxDepth: 5 })).images.length, 1);

    const many = b.index(Array.from({ length: MAX_INDEX_ENTRIES + 1 }, (_, i) => ({ mediaType: MediaType.OCI_MANIFEST, digest: digestOf(String(i)), size: 1, platform: linux('amd64') })));
    await rejectsWith(walkIndex((await rootIndex(b, many)).index), 'E_LIMIT');
  });
});

describe('imageFor when entries could not be read', () => {
  /** An index of arm/v6 (listed with its platform) and `bare` entries without one. */
  function armIndex(bare: (b: Blobs) => Descriptor[]): { blobs: Blobs; root: Descriptor; v6: Descriptor } {
    const b = new Blobs();
    const v6 = { ...b.image('arm', 'v6'), platform: linux('arm', 'v6') };
    return { blobs: b, root: b.index([...bare(b), v6]), v6 };
  }
  /** An image whose config is altered in storage (same size): E_DIGEST when read. */
  function altered(b: Blobs, arch: string, variant?: string): Descriptor {
    const m = b.image(arch, variant);
    const config = JSON.parse(Buffer.from(b.get(m.digest)!).toString('utf8')).config as Descriptor;
    const bytes = Buffer.from(b.get(config.digest)!);
    bytes[5]! ^= 1;
    b.set(config.digest, bytes);
    return m;
  }
  const open = async (blobs: Blobs, root: Descriptor) => (await openRoot(memorySource(blobs, root, { verify: true }))) as Index;

  test('an entry that failed its digest: its error, not a fallback to a less preferred platform', async () => {
    const { blobs, root, v6 } = armIndex((b) => [altered(b, 'arm', 'v7')]);
    const index = await open(blobs, root);
    await rejectsWith(index.imageFor('linux/arm/v7'), 'E_DIGEST');
    // the platform itself is there: no doubt, no error
    assert.equal((await index.imageFor('linux/arm/v6')).descriptor.digest, v6.digest);
  });

  test('no match at all: the entry error rather than E_NOT_FOUND; E_DIGEST before other errors', async () => {
    const missing: Descriptor = { mediaType: MediaType.OCI_MANIFEST, digest: digestOf('gone'), size: 10 };
    const { blobs, root } = armIndex((b) => [missing, altered(b, 'arm64')]);
    const index = await open(blobs, root);
    await rejectsWith(index.imageFor('linux/s390x'), 'E_DIGEST');
    const only = armIndex(() => [missing]);
    await rejectsWith((await open(only.blobs, only.root)).imageFor('linux/arm/v7'), 'E_NOT_FOUND', /gone|no sha256/);
    const clean = armIndex(() => []);
    await rejectsWith((await open(clean.blobs, clean.root)).imageFor('linux/s390x'), 'E_NOT_FOUND', /has no image for linux\/s390x \(it has linux\/arm\/v6\)/);
  });
});

// ---------------------------------------------------------------------------------------------
// The reference: inspectPlatforms as it was before the image layer (the inline walk), with the
// config parser of that time, kept here to prove the report did not change.

/** parseConfig as it was before the image layer: os and architecture, variant, os.version, created, rootfs.diff_ids; nothing else. */
function referenceParseConfig(bytes: Uint8Array, what: string): ImageConfig {
  const fail = (why: string): never => {
    throw new AnyarchError('E_MANIFEST', `${what}: ${why}`);
  };
  if (bytes.length > MAX_CONFIG_BYTES) throw new AnyarchError('E_LIMIT', `${what}: ${bytes.length} bytes is more than the ${MAX_CONFIG_BYTES} bytes anyarch reads`);
  const r = decodeJson(bytes);
  if ('reason' in r) return fail(r.reason);
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(r.value)) return fail('not a JSON object');
  const v = r.value;
  if (typeof v.architecture !== 'string' || typeof v.os !== 'string') fail('an image config needs string "os" and "architecture"');
  for (const k of ['variant', 'os.version', 'created'] as const) {
    if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') fail(`"${k}" is not a string`);
  }
  if (v.rootfs !== undefined) {
    const rootfs = v.rootfs;
    if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids) || rootfs.diff_ids.some((d) => typeof d !== 'string')) fail('"rootfs.diff_ids" is not a list of digests');
  }
  return v as unknown as ImageConfig;
}

async function referenceInspect(source: ImageSource, withDetails: boolean): Promise<PlatformReport> {
  const maxDepth = 4;
  const details = async (manifest: { config: Descriptor; layers: readonly Descriptor[] }) => {
    const c = referenceParseConfig(await source.blob(manifest.config, MAX_CONFIG_BYTES), `config ${manifest.config.digest} of ${source.name}`);
    const config: ConfigSummary = { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}), ...(c['os.version'] ? { osVersion: c['os.version'] } : {}), ...(c.created ? { created: c.created } : {}) };
    return { config, imageSize: manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0), layers: manifest.layers.length };
  };
  const root = await source.root();
  if (root.manifest.kind === 'manifest') {
    const d = await details(root.manifest);
    const declared: OciPlatform = { os: d.config.os, architecture: d.config.architecture, ...(d.config.variant ? { variant: d.config.variant } : {}) };
    const p: PlatformVariant = { platform: formatPlatform(declared), ...(d.config.osVersion ? { osVersion: d.config.osVersion } : {}), declared, manifest: root.descriptor, imageSize: d.imageSize, layers: d.layers, config: d.config, via: [] };
    return { name: source.name, root: root.descriptor, rootKind: 'manifest', platforms: [p], attestations: [], ignored: [] };
  }
  const variant = async (entry: Descriptor, via: Digest[]): Promise<PlatformVariant> => {
    const declared: OciPlatform = entry.platform ?? { os: 'unknown', architecture: 'unknown' };
    const base = { platform: formatPlatform(declared), ...(declared['os.version'] ? { osVersion: declared['os.version'] } : {}), declared, manifest: entry, via };
    if (!withDetails && entry.platform) return base;
    try {
      const m = await source.manifest(entry);
      if (m.manifest.kind !== 'manifest') throw new AnyarchError('E_MANIFEST', `${source.name}: entry ${entry.digest} is declared as ${entry.mediaType} but is an index`);
      const d = await details(m.manifest);
      if (!entry.platform) {
        const fromConfig: OciPlatform = { os: d.config.os, architecture: d.config.architecture, ...(d.config.variant ? { variant: d.config.variant } : {}) };
        return { ...base, platform: formatPlatform(fromConfig), ...(d.config.osVersion ? { osVersion: d.config.osVersion } : {}), declared: fromConfig, imageSize: d.imageSize, layers: d.layers, config: d.config };
      }
      const mismatch = platformMismatch(declared, d.config);
      return { ...base, imageSize: d.imageSize, layers: d.layers, config: d.config, ...(mismatch ? { mismatch } : {}) };
    } catch (e) {
      if (isAnyarchError(e)) return { ...base, error: e };
      throw e;
    }
  };
  const platforms: Promise<PlatformVariant>[] = [];
  const attestations: AttestationEntry[] = [];
  const ignored: Descriptor[] = [];
  const seenIndexes = new Set<string>([root.descriptor.digest]);
  const seenEntries = new Set<string>();
  let entries = 0;
  const visit = async (index: FetchedManifest, via: Digest[]): Promise<void> => {
    if (index.manifest.kind !== 'index') return;
    const nested: Promise<void>[] = [];
    try {
      for (const entry of index.manifest.manifests) {
        if (++entries > MAX_INDEX_ENTRIES) throw new AnyarchError('E_LIMIT', `${source.name}: more than ${MAX_INDEX_ENTRIES} index entries; anyarch stops there`);
        const key = `${entry.digest} ${entry.mediaType} ${entry.platform ? formatPlatform(entry.platform) : ''}`;
        if (seenEntries.has(key)) continue;
        seenEntries.add(key);
        if (isAttestationEntry(entry)) {
          const describes = entry.annotations?.[REFERENCE_DIGEST];
          const referenceType = entry.annotations?.[REFERENCE_TYPE];
          attestations.push({ manifest: entry, ...(referenceType ? { referenceType } : {}), ...(describes ? { describes } : {}) });
        } else if (isIndexMediaType(entry.mediaType)) {
          if (via.includes(entry.digest) || entry.digest === root.descriptor.digest) throw new AnyarchError('E_MANIFEST', `${source.name}: the indexes form a cycle (at ${entry.digest})`);
          if (via.length + 1 > maxDepth) throw new AnyarchError('E_MANIFEST', `${source.name}: indexes nested deeper than ${maxDepth} levels (at ${entry.digest})`);
          if (seenIndexes.has(entry.digest)) continue;
          seenIndexes.add(entry.digest);
          nested.push(source.manifest(entry).then((child) => visit(child, [...via, entry.digest])));
        } else if (isManifestMediaType(entry.mediaType)) {
          platforms.push(variant(entry, via));
        } else {
          ignored.push(entry);
        }
      }
    } catch (e) {
      await Promise.allSettled(nested);
      throw e;
    }
    await Promise.all(nested);
  };
  await visit(root, []);
  const list = await Promise.all(platforms);
  const byDigest = new Map(list.map((p) => [p.manifest.digest as string, p.platform]));
  return {
    name: source.name,
    root: root.descriptor,
    rootKind: 'index',
    platforms: list,
    attestations: attestations.map((a) => {
      const p = a.describes ? byDigest.get(a.describes) : undefined;
      return p ? { ...a, describesPlatform: p } : a;
    }),
    ignored,
  };
}

/** A report with its errors as code and message (error objects are compared by what they say). */
function plain(r: PlatformReport): unknown {
  return { ...r, platforms: r.platforms.map((p) => (p.error ? { ...p, error: `${p.error.code} ${p.error.message}` } : p)) };
}

async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { error: AnyarchError }> {
  try {
    return { ok: await p };
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    return { error: e };
  }
}

describe('the walk over random index graphs', () => {
  test('a walk or an AnyarchError; every entry once, each read at most once, paths within the depth', async () => {
    await fc.assert(
      fc.asyncProperty(indexGraph, async (nodes) => {
        const { blobs, root } = graphBlobs(nodes);
        const m = countingSource(memorySource(blobs, root));
        const opened = await outcome(openRoot(m.source));
        if ('error' in opened || opened.ok.kind !== 'index') return;
        const result = await outcome(walkIndex(opened.ok));
        if ('error' in result) return;
        const walk = result.ok;
        const keys = walk.images.map((i) => `${i.descriptor.digest} ${i.descriptor.mediaType} ${i.descriptor.platform ? formatPlatform(i.descriptor.platform) : ''}`);
        assert.equal(new Set(keys).size, keys.length, 'each entry listed once');
        assert.equal(new Set(walk.indexes.map((i) => i.descriptor.digest)).size, walk.indexes.length, 'each nested index listed once');
        for (const i of walk.indexes) assert.ok(i.via.length < 4 && isIndexMediaType(i.descriptor.mediaType) && i.descriptor.digest !== root.digest);
        for (const i of walk.images) {
          assert.ok(isManifestMediaType(i.descriptor.mediaType) && !isAttestationEntry(i.descriptor));
          assert.ok(i.via.length <= 4);
          assert.equal(i.platformFrom, i.descriptor.platform ? 'index' : 'config');
          if (i.descriptor.platform) assert.equal(i.platform, i.descriptor.platform);
          else assert.ok((i.platform === undefined) !== (i.error === undefined), 'a platform from the config, or why not');
        }
        for (const a of walk.attestations) {
          assert.ok(isAttestationEntry(a.descriptor));
          if (a.subject) assert.equal(a.subject.descriptor.digest, a.describes);
        }
        for (const d of walk.ignored) assert.ok(!isManifestMediaType(d.mediaType) && !isIndexMediaType(d.mediaType) && !isAttestationEntry(d));
        assert.ok([...tally(manifestKeys(m.reads)).values()].every((n) => n === 1), 'each manifest or index read at most once');
        assert.ok([...tally(blobKeys(m.reads)).values()].every((n) => n === 1), 'each config read at most once');
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  test('inspectPlatforms reports exactly what the walk it replaced reported', async () => {
    await fc.assert(
      fc.asyncProperty(indexGraph, fc.boolean(), async (nodes, details) => {
        const { blobs, root } = graphBlobs(nodes);
        const now = await outcome(inspectPlatforms(memorySource(blobs, root), { details }));
        const before = await outcome(referenceInspect(memorySource(blobs, root), details));
        assert.equal('ok' in now, 'ok' in before, `now ${'error' in now ? now.error.message : 'a report'}, before ${'error' in before ? before.error.message : 'a report'}`);
        if ('ok' in now && 'ok' in before) assert.deepEqual(plain(now.ok), plain(before.ok));
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
