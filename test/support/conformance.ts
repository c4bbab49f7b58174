/**
 * One conformance suite for every image source (go-containerregistry runs one `validate.Image`
 * in every source's tests): the same generated images, published where each source reads them,
 * checked through the image layer (src/oci/image.ts) with the same assertions. What a source is
 * allowed to differ in is said by its {@link SourceProfile}, and nothing else may differ:
 *
 *  - the root, every manifest, config and layer byte-identical to what was published and
 *    verified against its digest; each layer's uncompressed tar is its diff id;
 *  - the index walk lists the published platforms, attestations linked to them;
 *  - history steps paired with their layers;
 *  - altered content is `E_DIGEST`, a missing blob `E_NOT_FOUND`, a config above the limit
 *    `E_LIMIT` (when the source reads it to open the image: already at open);
 *  - close() twice is fine.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { openRoot, type Image, type Index } from '../../src/oci/image.js';
import { MAX_CONFIG_BYTES } from '../../src/oci/manifest.js';
import { formatPlatform } from '../../src/platform/index.js';
import { MediaType } from '../../src/oci/media.js';
import type { ImageSource, SourceKind } from '../../src/oci/source.js';
import { SYNTHETIC_MANIFEST_ANNOTATION } from '../../src/oci/sources/archive.js';
import { walkIndex } from '../../src/oci/walk.js';
import { rejectsWith } from './assert.js';
import { assertSameBytes, buildTestImage, busyboxLikeFiles, readAll, sha256, uncompressLayer, type BuiltImage, type TestPlatformImage } from './images.js';

/** Where a fault shows: when the content is asked for, already when the source opens, or not at all (and why). */
export type FaultAt = 'read' | 'open' | { readonly notApplicable: string };

export type Fault = 'alteredLayer' | 'alteredConfig' | 'alteredManifest' | 'missingLayer' | 'configTooLarge';

/** What a source is allowed to differ in. */
export interface SourceProfile {
  /** 'index': the published root with every platform; 'platform': one platform per opened source (`docker save`, an engine) */
  readonly holds: 'index' | 'platform';
  /** 'published': the manifest's own bytes; 'synthesised': one the source makes up (classic `docker save` has none) */
  readonly manifest: 'published' | 'synthesised';
  /** 'published': layers as published; 'uncompressed': stored as plain tars, whose digest is the diff id */
  readonly layers: 'published' | 'uncompressed';
  readonly faults: Readonly<Record<Fault, FaultAt>>;
}

/** An image as published to a source. */
export interface Published {
  /** opens it (for a source that holds one platform at a time: platform #`platform` of the image) */
  open(platform: number): Promise<ImageSource>;
  /** alters one byte of the stored blob whose bytes are `stored` (same size, other content) */
  alter?(stored: Uint8Array): Promise<void>;
  /** removes the stored blob whose bytes are `stored` */
  remove?(stored: Uint8Array): Promise<void>;
}

export interface SourceFixture {
  readonly kind: SourceKind;
  readonly profile: SourceProfile;
  /**
   * Puts `img` where the source reads it (`name` is unique per image: a repository, a file
   * name, a tag); a source holding one platform at a time needs only `platforms` of it.
   */
  publish(img: BuiltImage, name: string, platforms: readonly number[]): Promise<Published>;
}

const dec = new TextDecoder();

interface PublishedManifest {
  mediaType: string;
  config: { digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}

interface PublishedConfig {
  os: string;
  architecture: string;
  variant?: string;
  rootfs: { diff_ids: string[] };
  history?: { created_by?: string; empty_layer?: boolean }[];
  config?: Record<string, unknown>;
}

function parsed<T>(img: BuiltImage, digest: string): T {
  const b = img.blobs.get(digest);
  assert.ok(b, `the image has ${digest}`);
  return JSON.parse(dec.decode(b)) as T;
}

/** The bytes a source stores for layer `i` of platform `m`. */
function storedLayer(img: BuiltImage, m: BuiltImage['manifests'][number], i: number, profile: SourceProfile): { stored: Uint8Array; tar: Uint8Array; mediaType: string } {
  const l = parsed<PublishedManifest>(img, m.digest).layers[i];
  assert.ok(l, `layer ${i} of ${m.platform}`);
  const blob = img.blobs.get(l.digest)!;
  const tar = uncompressLayer(blob, l.mediaType);
  return { stored: profile.layers === 'published' ? blob : tar, tar, mediaType: l.mediaType };
}

/** One platform's image: manifest, config, layers (both streams), diff ids and history. */
async function assertImage(image: Image, img: BuiltImage, m: BuiltImage['manifests'][number], profile: SourceProfile, ownManifest: boolean): Promise<void> {
  const published = parsed<PublishedManifest>(img, m.digest);
  const config = parsed<PublishedConfig>(img, m.configDigest);
  if (ownManifest) {
    assert.equal(image.descriptor.digest, m.digest);
    assert.equal(image.descriptor.size, m.size);
    assertSameBytes(await image.manifestBytes(), img.blobs.get(m.digest), `manifest of ${m.platform}`);
  } else {
    assert.equal(image.descriptor.mediaType, MediaType.DOCKER_MANIFEST);
    assert.equal(image.descriptor.annotations?.[SYNTHETIC_MANIFEST_ANNOTATION], 'docker-archive', 'a synthesised manifest says so');
  }
  const manifest = await image.manifest();
  assert.equal(manifest.config.digest, m.configDigest);
  assert.equal(manifest.config.size, published.config.size);
  assertSameBytes(await image.configBytes(), img.blobs.get(m.configDigest), `config of ${m.platform}`);
  const c = await image.config();
  assert.deepEqual([c.os, c.architecture, c.variant], [config.os, config.architecture, config.variant]);
  assert.deepEqual(await image.containerConfig(), config.config);

  const layers = await image.layers();
  assert.equal(layers.length, published.layers.length);
  for (const [i, layer] of layers.entries()) {
    const { stored, tar, mediaType } = storedLayer(img, m, i, profile);
    assert.equal(layer.descriptor.digest, sha256(stored), `layer ${i} of ${m.platform}: digest`);
    assert.equal(layer.descriptor.size, stored.length);
    if (profile.layers === 'published') assert.equal(layer.mediaType, mediaType);
    else assert.equal(layer.compression, 'none');
    assert.equal(layer.diffId, config.rootfs.diff_ids[i]);
    assertSameBytes(await readAll(await layer.compressed()), stored, `layer ${i} of ${m.platform}: as stored`);
    assertSameBytes(await readAll(await layer.uncompressed()), tar, `layer ${i} of ${m.platform}: uncompressed`);
    assert.equal(sha256(tar), layer.diffId);
  }

  const steps = await image.history();
  assert.deepEqual(
    steps.map((s) => s.entry.created_by),
    (config.history ?? []).map((h) => h.created_by),
  );
  assert.deepEqual(
    steps.filter((s) => s.layer).map((s) => s.layer?.index),
    layers.map((l) => l.index),
    'every layer paired with the step that made it',
  );
}

/** Asserts that `src` holds `img` (for a source holding one platform: platform #`platform`). */
export async function assertHoldsImage(src: ImageSource, img: BuiltImage, profile: SourceProfile, platform = 0): Promise<void> {
  const root = await openRoot(src);
  if (profile.holds === 'platform') {
    assert.equal(root.kind, 'image', 'one platform: an image manifest');
    const m = img.manifests[platform];
    assert.ok(m);
    await assertImage(root as Image, img, m, profile, profile.manifest === 'published');
    return;
  }
  assert.equal(root.descriptor.digest, img.root.digest);
  assert.equal(root.descriptor.size, img.root.size);
  assert.equal(root.descriptor.mediaType, img.root.mediaType);
  assertSameBytes(await root.manifestBytes(), img.root.bytes, 'root');
  if (root.kind === 'image') {
    await assertImage(root, img, img.manifests[0]!, profile, true);
    return;
  }
  const walk = await walkIndex(root, { name: src.name });
  assert.deepEqual(
    walk.images.map((i) => [i.descriptor.digest, i.platform && formatPlatform(i.platform)]),
    img.manifests.map((m) => [m.digest, m.platform]),
  );
  for (const a of walk.attestations) assert.ok(a.subject && img.manifests.some((m) => m.digest === a.subject?.descriptor.digest), 'an attestation is linked to its image');
  for (const [i, m] of img.manifests.entries()) await assertImage(await root.image(walk.images[i]!.descriptor), img, m, profile, true);
}

let images: Record<string, BuiltImage> | undefined;

/** The images every source is checked on: Docker's and OCI's media types, gzip, zstd and plain layers, attestations, history. */
export function conformanceImages(): Record<string, BuiltImage> {
  return (images ??= {
    oci: buildTestImage(
      [
        {
          platform: { os: 'linux', architecture: 'amd64' },
          layers: [
            { files: busyboxLikeFiles('amd64'), compression: 'gzip' },
            { files: { 'app/run': 'zstd layer\n'.repeat(300) }, compression: 'zstd' },
          ],
          history: [{ created_by: 'ADD rootfs.tar /' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'COPY app /app' }, { created_by: 'CMD ["/app/run"]', empty_layer: true }],
          containerConfig: { Entrypoint: ['/app/run'], WorkingDir: '/app' },
        },
        { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, files: busyboxLikeFiles('arm64') },
        { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, layers: [{ files: busyboxLikeFiles('arm'), compression: 'none' }] },
      ],
      { format: 'oci', attestations: true },
    ),
    docker: buildTestImage(
      [
        { platform: { os: 'linux', architecture: 'amd64' }, files: { ...busyboxLikeFiles('amd64'), 'etc/docker': 'docker media types' } },
        { platform: { os: 'linux', architecture: 'ppc64le' }, files: busyboxLikeFiles('ppc64le') },
      ],
      { format: 'docker' },
    ),
  });
}

/** The platforms of {@link faultImage}, one fault each. */
const FAULTS: readonly { fault: Fault; platform: TestPlatformImage['platform'] }[] = [
  { fault: 'alteredLayer', platform: { os: 'linux', architecture: 'amd64' } },
  { fault: 'alteredConfig', platform: { os: 'linux', architecture: 'arm64' } },
  { fault: 'alteredManifest', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  { fault: 'missingLayer', platform: { os: 'linux', architecture: 's390x' } },
  { fault: 'configTooLarge', platform: { os: 'linux', architecture: 'ppc64le' } },
];

let faulty: BuiltImage | undefined;

/** One index, one platform per fault, no blob shared between them (each is altered on its own). */
export function faultImage(): BuiltImage {
  return (faulty ??= buildTestImage(
    FAULTS.map(({ fault, platform }) => ({
      platform,
      files: { ...busyboxLikeFiles(platform.architecture), 'etc/fault': fault },
      ...(fault === 'configTooLarge' ? { containerConfig: { Labels: { padding: 'x'.repeat(MAX_CONFIG_BYTES) } } } : {}),
    })),
    { format: 'oci' },
  ));
}

const CODE = { alteredLayer: 'E_DIGEST', alteredConfig: 'E_DIGEST', alteredManifest: 'E_DIGEST', missingLayer: 'E_NOT_FOUND', configTooLarge: 'E_LIMIT' } as const;

/** Publishes {@link faultImage}, alters it where the fixture can, and checks each fault shows where the profile says. */
async function assertFaults(t: TestContext, fixture: SourceFixture, name: string): Promise<void> {
  const img = faultImage();
  const at = (f: Fault) => FAULTS.findIndex((x) => x.fault === f);
  const applicable = FAULTS.filter(({ fault }) => typeof fixture.profile.faults[fault] !== 'object').map(({ fault }) => at(fault));
  const published = await fixture.publish(img, name, applicable);
  const m = (f: Fault) => img.manifests[at(f)]!;
  const layer0 = (f: Fault) => storedLayer(img, m(f), 0, fixture.profile).stored;
  const alterations: [Fault, () => Promise<void> | undefined][] = [
    ['alteredLayer', () => published.alter?.(layer0('alteredLayer'))],
    ['alteredConfig', () => published.alter?.(img.blobs.get(m('alteredConfig').configDigest)!)],
    ['alteredManifest', () => published.alter?.(img.blobs.get(m('alteredManifest').digest)!)],
    ['missingLayer', () => published.remove?.(layer0('missingLayer'))],
  ];
  for (const [fault, change] of alterations) {
    if (typeof fixture.profile.faults[fault] === 'object') continue;
    assert.ok(published.alter && published.remove, `${fixture.kind}: a source whose content can be altered says how`);
    await change();
  }

  let index: Index | undefined;
  const opened: ImageSource[] = [];
  const imageOf = async (f: Fault): Promise<Image> => {
    if (fixture.profile.holds === 'platform') {
      const src = await published.open(at(f));
      opened.push(src);
      const root = await openRoot(src);
      assert.equal(root.kind, 'image');
      return root as Image;
    }
    if (!index) {
      const src = await published.open(0);
      opened.push(src);
      const root = await openRoot(src);
      assert.equal(root.kind, 'index');
      index = root as Index;
    }
    const p = FAULTS[at(f)]!.platform;
    return index.imageFor(formatPlatform(p));
  };
  try {
    for (const { fault } of FAULTS) {
      const where = fixture.profile.faults[fault];
      await t.test(`${fault}: ${typeof where === 'object' ? `not applicable (${where.notApplicable})` : `${CODE[fault]} at ${where}`}`, async () => {
        if (typeof where === 'object') return;
        const code = CODE[fault];
        if (where === 'open') {
          assert.equal(fixture.profile.holds, 'platform', 'only a source holding one image reads its content to open it');
          await rejectsWith(published.open(at(fault)), code);
          return;
        }
        if (fault === 'alteredManifest') {
          await rejectsWith(imageOf(fault), code);
          return;
        }
        const image = await imageOf(fault);
        if (fault === 'alteredConfig' || fault === 'configTooLarge') {
          await rejectsWith(image.config(), code);
          await rejectsWith(image.configBytes(), code);
          return;
        }
        // the layer list needs the config only: the fault shows when the layer is read
        const [layer] = await image.layers();
        assert.ok(layer);
        await rejectsWith(layer.compressed().then(readAll), code);
        await rejectsWith(layer.uncompressed().then(readAll), code);
      });
    }
  } finally {
    for (const src of opened) await src.close();
  }
}

/** The whole suite for one source: every image of {@link conformanceImages}, then the faults. */
export async function assertSourceConforms(t: TestContext, fixture: SourceFixture): Promise<void> {
  for (const [name, img] of Object.entries(conformanceImages())) {
    await t.test(`holds the ${name} image`, async () => {
      const platforms = fixture.profile.holds === 'platform' ? img.manifests.map((_, i) => i) : [0];
      const published = await fixture.publish(img, name, platforms);
      for (const i of platforms) {
        const src = await published.open(i);
        assert.equal(src.kind, fixture.kind);
        try {
          await assertHoldsImage(src, img, fixture.profile, i);
        } finally {
          await src.close();
        }
        await src.close(); // twice is fine
      }
    });
  }
  await t.test('faults', (tt) => assertFaults(tt, fixture, 'faults'));
}
