/**
 * Fuzz targets for what reads images: whatever bytes a registry, a layout or an archive hands
 * over, the parsers and the platform walk end in a result or an AnyarchError — never a
 * TypeError, a hang or a stack trace — and what they return has the types it claims.
 *
 * - `manifest`: parseManifest on manifest-shaped JSON with fields of any type, raw and truncated
 *   bytes, and byte mutations of real-shaped manifests and indexes;
 * - `image-config`: parseConfig and parseConfigDetails (container config, history);
 * - `index-walk`: inspectPlatforms over random index graphs (nested, repeated, cyclic, dangling);
 * - `tar`: the tar index (ustar, PAX, GNU long names, base-256 sizes) and reads of its entries.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import fc from 'fast-check';
import { graphBlobs, indexGraph, type GraphNode } from '../support/index-graphs.js';
import { memorySource } from '../support/memory-source.js';
import { isAnyarchError } from '../../src/errors.js';
import { digestOf, isDigest } from '../../src/oci/digest.js';
import { parseConfig, parseConfigDetails, parseManifest, type Descriptor, type ImageConfig } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media.js';
import { inspectPlatforms } from '../../src/oci/platforms.js';
import { openDockerArchive, openOciArchive } from '../../src/oci/sources/archive.js';
import { findEntry, indexTar, readEntry } from '../../src/oci/tar.js';
import { byteMutation, bytesCodec, jsonCodec, mutateBytes, mutatedBytes, onlyAnyarchErrors, onlyAnyarchErrorsAsync, seedBytes, temporaryDir, utf8, type FuzzTarget } from '../support/fuzz.js';

const enc = (v: unknown): Uint8Array => utf8(JSON.stringify(v) ?? 'null');

// ---------------------------------------------------------------------------------------------
// manifests and indexes

const d = (mediaType: string, content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ mediaType, digest: digestOf(content), size: content.length, ...extra });

/** Real-shaped manifests and indexes of each kind a registry serves. */
function manifestSeeds(): Uint8Array[] {
  const config = d(MediaType.OCI_CONFIG, '{"architecture":"amd64","os":"linux"}');
  const layer = d(MediaType.OCI_LAYER_GZIP, 'layer', { annotations: { 'org.opencontainers.image.title': 'a' } });
  return [
    { schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config, layers: [layer], annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' } },
    { schemaVersion: 2, mediaType: MediaType.DOCKER_MANIFEST, config: { ...config, mediaType: MediaType.DOCKER_CONFIG }, layers: [{ ...layer, mediaType: MediaType.DOCKER_LAYER }] },
    {
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [
        d(MediaType.OCI_MANIFEST, 'a', { platform: { os: 'linux', architecture: 'amd64' } }),
        d(MediaType.OCI_MANIFEST, 'b', { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }),
        d(MediaType.OCI_MANIFEST, 'c', { platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': digestOf('a') } }),
        d(MediaType.OCI_MANIFEST, 'w', { platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2227', 'os.features': ['win32k'] } }),
      ],
    },
    { schemaVersion: 2, mediaType: MediaType.DOCKER_LIST, manifests: [d(MediaType.DOCKER_MANIFEST, 'x', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })] },
    { schemaVersion: 2, manifests: [], subject: d(MediaType.OCI_MANIFEST, 's'), artifactType: 'application/vnd.example' },
    { schemaVersion: 1, name: 'x', tag: 'latest', architecture: 'amd64', fsLayers: [{ blobSum: digestOf('l') }] },
  ].map(enc);
}

/** Values shaped like manifests, with every field sometimes of the wrong type. */
const anyValue = fc.anything({ maxDepth: 3, withNullPrototype: false });
const descriptorish = fc.record(
  {
    mediaType: fc.oneof(fc.constantFrom(...Object.values(MediaType)), anyValue),
    digest: fc.oneof(fc.constant(digestOf('x')), fc.string(), anyValue),
    size: fc.oneof(fc.nat(), fc.integer(), fc.double(), anyValue),
    platform: fc.oneof(fc.record({ os: fc.oneof(fc.constantFrom('linux', 'windows', 'unknown'), anyValue), architecture: fc.oneof(fc.constantFrom('amd64', 'arm64', 'arm', 'unknown'), anyValue), variant: anyValue }, { requiredKeys: [] }), anyValue),
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyValue),
  },
  { requiredKeys: [] },
);
const manifestish = fc.record(
  {
    schemaVersion: fc.oneof(fc.constant(2), anyValue),
    mediaType: fc.oneof(fc.constantFrom(MediaType.OCI_INDEX, MediaType.OCI_MANIFEST, MediaType.DOCKER_LIST, MediaType.DOCKER_MANIFEST), anyValue),
    manifests: fc.oneof(fc.array(descriptorish, { maxLength: 4 }), anyValue),
    config: fc.oneof(descriptorish, anyValue),
    layers: fc.oneof(fc.array(descriptorish, { maxLength: 3 }), anyValue),
    subject: fc.oneof(descriptorish, anyValue),
    annotations: anyValue,
  },
  { requiredKeys: [] },
);

function assertDescriptor(x: Descriptor): void {
  assert.equal(typeof x.mediaType, 'string');
  assert.ok(isDigest(x.digest), `descriptor digest ${String(x.digest)}`);
  assert.ok(Number.isSafeInteger(x.size) && x.size >= 0, `descriptor size ${x.size}`);
  if (x.platform) assert.ok(typeof x.platform.os === 'string' && typeof x.platform.architecture === 'string');
}

export const manifestTarget: FuzzTarget<Uint8Array> = {
  name: 'manifest',
  reads: 'manifest and index bytes (parseManifest), as served with any Content-Type',
  input: fc.oneof(
    { weight: 3, arbitrary: manifestish.map(enc) },
    { weight: 3, arbitrary: mutatedBytes(manifestSeeds) },
    { weight: 1, arbitrary: seedBytes(manifestSeeds).chain((b) => fc.nat(b.length).map((cut) => b.subarray(0, cut))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  ),
  ...bytesCodec,
  ciRuns: 1500,
  check(bytes) {
    for (const ct of [undefined, MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST, 'text/plain; charset=utf-8']) {
      const m = onlyAnyarchErrors(() => parseManifest(bytes, 'fuzz', ct));
      if (!m) continue;
      assert.equal(m.schemaVersion, 2);
      if (m.kind === 'index') m.manifests.forEach(assertDescriptor);
      else {
        assertDescriptor(m.config);
        m.layers.forEach(assertDescriptor);
      }
      if (m.subject) assertDescriptor(m.subject);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// image configs

function configSeeds(): Uint8Array[] {
  return [
    {
      architecture: 'arm',
      variant: 'v7',
      os: 'linux',
      created: '2024-05-01T10:00:00Z',
      config: { Entrypoint: ['/app'], Cmd: null, Env: ['PATH=/usr/bin'], WorkingDir: '/', User: '1000', Labels: { a: 'b' } },
      rootfs: { type: 'layers', diff_ids: [digestOf('l1'), digestOf('l2')] },
      history: [{ created: '2024-05-01T10:00:00Z', created_by: 'RUN x', empty_layer: true }, { created_by: 'COPY . /', comment: 'buildkit.dockerfile.v0' }],
    },
    { architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2227', rootfs: { type: 'layers', diff_ids: [] } },
    { architecture: 'amd64', os: 'linux' },
  ].map(enc);
}

const maybe = (a: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(a, fc.constant(null), anyValue);
const strings = fc.array(fc.oneof(fc.string(), fc.constant(null)), { maxLength: 3 });
const containerish = fc.record(
  { Entrypoint: maybe(fc.oneof(strings, fc.string())), Cmd: maybe(strings), Env: maybe(strings), WorkingDir: maybe(fc.string()), User: maybe(fc.string()), Labels: maybe(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(null)))) },
  { requiredKeys: [] },
);
const stepish = fc.record({ created: maybe(fc.string()), created_by: maybe(fc.string()), comment: maybe(fc.string()), author: maybe(fc.string()), empty_layer: maybe(fc.boolean()) }, { requiredKeys: [] });
const configish = fc.record(
  {
    os: fc.oneof(fc.constant('linux'), anyValue),
    architecture: fc.oneof(fc.constant('amd64'), anyValue),
    variant: anyValue,
    'os.version': anyValue,
    created: anyValue,
    rootfs: fc.oneof(fc.record({ type: fc.string(), diff_ids: fc.array(fc.string()) }), anyValue),
    config: maybe(containerish),
    history: maybe(fc.array(maybe(stepish), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

const isStrings = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
const isString = (v: unknown): boolean => v === undefined || typeof v === 'string';

export const imageConfigTarget: FuzzTarget<Uint8Array> = {
  name: 'image-config',
  reads: 'image config bytes (parseConfig, then parseConfigDetails: container config and history)',
  input: fc.oneof({ weight: 3, arbitrary: configish.map(enc) }, { weight: 2, arbitrary: mutatedBytes(configSeeds) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }) }),
  ...bytesCodec,
  ciRuns: 1500,
  check(bytes) {
    const got = onlyAnyarchErrors(() => parseConfig(bytes, 'fuzz'));
    if (!got) return;
    for (const k of ['os', 'architecture'] as const) assert.equal(typeof got[k], 'string');
    for (const k of ['variant', 'os.version', 'created'] as const) assert.ok(got[k] === undefined || got[k] === null || typeof got[k] === 'string', `${k} is ${typeof got[k]}`);
    const details = onlyAnyarchErrors(() => parseConfigDetails(got as ImageConfig, 'fuzz'));
    if (!details) return;
    const c = details.container;
    if (c) {
      assert.ok(isStrings(c.Entrypoint) && isStrings(c.Cmd) && isStrings(c.Env) && isString(c.WorkingDir) && isString(c.User));
      assert.ok(c.Labels === undefined || c.Labels === null || Object.values(c.Labels).every((v) => typeof v === 'string'));
    }
    for (const h of details.history) {
      for (const k of ['created', 'created_by', 'comment', 'author'] as const) assert.ok(isString(h[k]));
      assert.ok(h.empty_layer === undefined || typeof h.empty_layer === 'boolean');
    }
  },
};

// ---------------------------------------------------------------------------------------------
// the index walk

export const indexWalkTarget: FuzzTarget<[GraphNode[], boolean]> = {
  name: 'index-walk',
  reads: 'index graphs (nested, repeated, cyclic, dangling entries of any type) walked by inspectPlatforms',
  input: fc.tuple(indexGraph, fc.boolean()),
  ...jsonCodec,
  ciRuns: 800,
  async check([nodes, details]) {
    // digests do not match content here: this walk is about shapes, not checks
    const { blobs, root } = graphBlobs(nodes);
    const report = await onlyAnyarchErrorsAsync(() => inspectPlatforms(memorySource(blobs, root, 'fuzz'), { details }));
    for (const p of report?.platforms ?? []) assert.equal(typeof p.platform, 'string');
  },
};

// ---------------------------------------------------------------------------------------------
// tar headers

const BLOCK = 512;

/** One tar header block (`flag` the type) and its data, padded; `size` overrides the size field. */
function tarEntry(name: string, data: Uint8Array, flag = '0', opts: { size?: string; linkname?: string; prefix?: string; gnu?: boolean } = {}): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(opts.size ?? `${data.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('14712345670\0', 136);
  h.write(flag, 156);
  if (opts.linkname) h.write(opts.linkname, 157);
  if (opts.gnu) h.write('ustar  \0', 257);
  else h.write('ustar\x0000', 257);
  if (opts.prefix) h.write(opts.prefix, 345);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of h) sum += x;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  return Buffer.concat([h, data, pad]);
}

const pax = (records: Record<string, string>): Uint8Array =>
  utf8(
    Object.entries(records)
      .map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        let n = body.length + 1;
        while (`${n}${body}`.length !== n) n = `${n}${body}`.length;
        return `${n}${body}`;
      })
      .join(''),
  );

/** Archives of the shapes `docker save` and OCI archives come in. */
function tarSeeds(): Uint8Array[] {
  const end = Buffer.alloc(2 * BLOCK);
  const json = utf8('[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l/layer.tar"]}]');
  const long = `${'d/'.repeat(60)}file`;
  return [
    Buffer.concat([tarEntry('manifest.json', json), tarEntry('l/', new Uint8Array(), '5'), tarEntry('l/layer.tar', utf8('layer bytes')), tarEntry('c.json', utf8('{"os":"linux","architecture":"amd64"}')), end]),
    Buffer.concat([tarEntry('PaxHeaders/x', pax({ path: long, size: '5' }), 'x'), tarEntry('short', utf8('hello')), tarEntry('link', new Uint8Array(), '2', { linkname: long }), end]),
    Buffer.concat([tarEntry('././@LongLink', utf8(`${long}\0`), 'L', { gnu: true }), tarEntry('cut', utf8('gnu'), '0', { gnu: true }), tarEntry('hard', new Uint8Array(), '1', { linkname: 'cut' }), end]),
    Buffer.concat([tarEntry('name', utf8('in a prefix'), '0', { prefix: 'blobs/sha256' }), tarEntry('g', pax({ comment: 'global' }), 'g'), tarEntry('./a//b/', new Uint8Array(), '5'), end]),
    // a GNU base-256 size
    Buffer.concat([tarEntry('big', utf8('x'), '0', { size: '\x80\0\0\0\0\0\0\0\0\0\0\x01' }), end]),
  ].map((b) => new Uint8Array(b));
}

/** Header-aware mutations: a seed archive with one field of one header block rewritten. */
const tarFieldMutation: fc.Arbitrary<Uint8Array> = fc
  .tuple(seedBytes(tarSeeds), fc.nat(), fc.constantFrom([0, 100], [124, 12], [148, 8], [156, 1], [157, 100], [257, 8], [345, 155]), fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.constantFrom('77777777777\0', '\xff\xff\xff\xff', '-1', ' ', '../../etc/passwd', 'x', '2', 'L', 'K', 'g', '00000001000').map((s) => Uint8Array.from(Buffer.from(s, 'latin1')))))
  .map(([seed, block, [off, len], value]) => {
    const b = Buffer.from(seed);
    const blocks = Math.floor(b.length / BLOCK);
    const at = (block % Math.max(1, blocks)) * BLOCK + (off as number);
    Buffer.from(value).copy(b, at, 0, Math.min(value.length, len as number));
    return new Uint8Array(b);
  });

export const tarTarget: FuzzTarget<Uint8Array, { dir: string }> = {
  name: 'tar',
  reads: 'tar archives (docker save, OCI archives): headers indexed by indexTar, entries read by findEntry and readEntry',
  input: fc.oneof({ weight: 3, arbitrary: mutatedBytes(tarSeeds) }, { weight: 3, arbitrary: tarFieldMutation }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 1200 }) }),
  ...bytesCodec,
  ciRuns: 600,
  setup: () => temporaryDir('tar'),
  async check(bytes, { dir }) {
    const file = path.join(dir, 'archive.tar');
    await writeFile(file, bytes);
    const index = await onlyAnyarchErrorsAsync(() => indexTar(file, { display: 'fuzz.tar', maxEntries: 1000 }), ['E_SOURCE', 'E_LIMIT']);
    if (!index) return;
    assert.ok(index.entries.size <= 1000);
    let reads = 0;
    for (const e of index.entries.values()) {
      assert.ok(Number.isSafeInteger(e.offset) && e.offset >= 0 && e.offset + e.size <= bytes.length, `entry ${e.name} at ${e.offset}+${e.size} outside the ${bytes.length} bytes`);
      const found = findEntry(index, e.name);
      if (found) assert.equal(found.type, 'file');
      if (reads++ < 8) {
        try {
          const data = await readEntry(index, e.name, 64 * 1024);
          if (found) assert.equal(data.length, found.size);
        } catch (err) {
          if (!isAnyarchError(err)) throw err;
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------
// archives: docker save (classic and Docker 25+) and OCI archives

const blobName = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

/** The files of one archive, in order: real content, with digests that match. */
function archiveFiles(kind: 'classic' | 'docker25' | 'oci'): [string, Uint8Array][] {
  const layer = new Uint8Array(Buffer.concat([tarEntry('hello', utf8('hi')), Buffer.alloc(2 * BLOCK)]));
  const layerDigest = digestOf(layer);
  const config = enc({ architecture: 'arm64', variant: 'v8', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, history: [{ created_by: 'COPY hello /' }] });
  const configDigest = digestOf(config);
  const manifest = enc({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: { mediaType: MediaType.OCI_CONFIG, digest: configDigest, size: config.length }, layers: [{ mediaType: MediaType.OCI_LAYER, digest: layerDigest, size: layer.length }] });
  const manifestDigest = digestOf(manifest);
  const docker: [string, Uint8Array][] = [
    ['manifest.json', enc([{ Config: blobName(configDigest), RepoTags: ['example.com/x:1'], Layers: [blobName(layerDigest)] }])],
    ['repositories', enc({ 'example.com/x': { '1': configDigest.slice(7) } })],
  ];
  const oci: [string, Uint8Array][] = [
    ['oci-layout', enc({ imageLayoutVersion: '1.0.0' })],
    ['index.json', enc({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [{ mediaType: MediaType.OCI_MANIFEST, digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': '1', 'io.containerd.image.name': 'example.com/x:1' }, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] })],
    [blobName(manifestDigest), manifest],
  ];
  const blobs: [string, Uint8Array][] = [
    [blobName(configDigest), config],
    [blobName(layerDigest), layer],
  ];
  return kind === 'classic' ? [...docker, ...blobs] : kind === 'oci' ? [...oci, ...blobs] : [...docker, ...oci, ...blobs];
}

const tarOf = (files: readonly [string, Uint8Array][]): Uint8Array => new Uint8Array(Buffer.concat([...files.map(([n, b]) => tarEntry(n, b)), Buffer.alloc(2 * BLOCK)]));

/** JSON shaped like the archive's own files, with any field of any type. */
const archiveJsonish = fc.oneof(
  fc.array(fc.record({ Config: fc.oneof(fc.constantFrom('blobs/sha256/x', '../../etc/passwd', '/abs', 'manifest.json'), anyValue), RepoTags: fc.oneof(fc.array(fc.oneof(fc.constantFrom('x:1', 'example.com/x:1', '', 'UPPER:1'), anyValue), { maxLength: 3 }), anyValue), Layers: fc.oneof(fc.array(fc.oneof(fc.constantFrom('blobs/sha256/x', 'index.json', '.'), anyValue), { maxLength: 3 }), anyValue) }, { requiredKeys: [] }), { maxLength: 3 }),
  manifestish,
  fc.record({ imageLayoutVersion: fc.oneof(fc.constantFrom('1.0.0', '2.0.0', ''), anyValue) }, { requiredKeys: [] }),
  anyValue,
).map(enc);

/** An archive with one of its files replaced (byte-mutated, or JSON of any shape), or the whole tar mutated. */
const archiveInput: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom('classic', 'docker25', 'oci') as fc.Arbitrary<'classic' | 'docker25' | 'oci'>, fc.nat(), fc.oneof(fc.array(byteMutation, { minLength: 1, maxLength: 3 }), archiveJsonish), fc.boolean()).map(([kind, which, change, drop]) => {
      const files = archiveFiles(kind);
      const i = which % files.length;
      const [name, bytes] = files[i] as [string, Uint8Array];
      if (drop && which % 5 === 0) files.splice(i, 1);
      else files[i] = [name, change instanceof Uint8Array ? change : mutateBytes(bytes, change, [])];
      return tarOf(files);
    }),
  },
  { weight: 1, arbitrary: mutatedBytes(() => (['classic', 'docker25', 'oci'] as const).map((k) => tarOf(archiveFiles(k)))) },
);

export const archiveTarget: FuzzTarget<Uint8Array, { dir: string }> = {
  name: 'archive',
  reads: 'docker save and OCI archives: manifest.json, index.json, oci-layout and blobs (openDockerArchive, openOciArchive, then inspectPlatforms)',
  input: archiveInput,
  ...bytesCodec,
  ciRuns: 300,
  setup: () => temporaryDir('archive'),
  async check(bytes, { dir }) {
    const file = path.join(dir, 'image.tar');
    await writeFile(file, bytes);
    for (const open of [openDockerArchive, openOciArchive]) {
      const source = await onlyAnyarchErrorsAsync(() => open(file));
      if (!source) continue;
      try {
        const report = await onlyAnyarchErrorsAsync(() => inspectPlatforms(source, { details: true }));
        for (const p of report?.platforms ?? []) assert.equal(typeof p.platform, 'string');
      } finally {
        await source.close();
      }
    }
  },
};
