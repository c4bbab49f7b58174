import { rejectsWith, tempPaths } from '../../../test/support/assert.js';
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AnyarchError } from '../../errors.js';
import { MAX_MANIFEST_BYTES, isAttestationEntry, type Descriptor } from '../manifest.js';
import { MediaType } from '../media.js';
import {
  buildTestImage,
  readAll,
  REF_NAME,
  sha256,
  skopeo,
  UNKNOWN_MEDIA_TYPE,
  writeOciLayout,
  assertSameBytes,
  assertSourceHolds as assertHolds,
  type BuiltImage,
  type TestPlatformImage,
} from '../../../test/support/images.js';
import { openOciLayout, selectIndexEntry } from './layout.js';

const PLATFORMS: TestPlatformImage[] = [
  { platform: { os: 'linux', architecture: 'amd64' } },
  { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  { platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2227' }, files: { 'Files/hello.txt': 'hi' } },
];

const tmp = tempPaths('anyarch-layout-');
const rejects = rejectsWith;

function hex(d: string): string {
  return d.slice(d.indexOf(':') + 1);
}

function blobFile(layout: string, digest: string): string {
  return path.join(layout, 'blobs', 'sha256', hex(digest));
}

function manifestOf(img: BuiltImage, digest: string): any {
  return JSON.parse(new TextDecoder().decode(img.blobs.get(digest)));
}

describe('openOciLayout', () => {
  const multi = buildTestImage(PLATFORMS, { attestations: true });
  const single = buildTestImage(PLATFORMS, { single: true });
  const nested = buildTestImage(PLATFORMS, { nested: true });
  const unknown = buildTestImage(PLATFORMS, { unknownEntry: true });
  const docker = buildTestImage(PLATFORMS, { format: 'docker' });
  let layout: string;
  before(async () => {
    layout = tmp('layout');
    await writeOciLayout(layout, multi, 'multi');
    await writeOciLayout(layout, single, '1.0');
    await writeOciLayout(layout, nested, 'nested');
    await writeOciLayout(layout, unknown, 'unknown');
    await writeOciLayout(layout, docker, 'docker.io/library/app:docker');
  });

  test('a multi-platform index with attestations: root, manifests, configs, layers', async () => {
    const src = await openOciLayout(layout, 'multi');
    assert.equal(src.kind, 'oci-layout');
    assert.equal(src.name, `oci:${layout}:multi`);
    await assertHolds(src, multi);
    const root = await src.root();
    assert.equal(root.descriptor.annotations?.[REF_NAME], 'multi', 'the root descriptor is the index.json entry');
    assert.equal(root.manifest.kind, 'index');
    if (root.manifest.kind !== 'index') return;
    const attestations = root.manifest.manifests.filter(isAttestationEntry);
    assert.equal(attestations.length, 3);
    for (const a of attestations) {
      const m = await src.manifest(a);
      assert.equal(m.manifest.kind, 'manifest');
      if (m.manifest.kind === 'manifest') assert.equal(m.manifest.layers[0]?.mediaType, MediaType.IN_TOTO);
    }
    assert.equal(await src.root(), await src.root(), 'the root is read once');
    await src.close();
    await src.close();
  });

  test('a single manifest as root', async () => {
    const src = await openOciLayout(layout, '1.0');
    await assertHolds(src, single);
    assert.equal((await src.root()).manifest.kind, 'manifest');
  });

  test('a nested index: the child index is a manifest() away', async () => {
    const src = await openOciLayout(layout, 'nested');
    const root = await src.root();
    assert.ok(root.manifest.kind === 'index');
    assert.equal(root.manifest.manifests.length, 1);
    const child = await src.manifest(root.manifest.manifests[0]!);
    assert.ok(child.manifest.kind === 'index');
    assert.deepEqual(
      child.manifest.manifests.map((d) => d.digest),
      nested.manifests.map((m) => m.digest),
    );
    await assertHolds(src, nested);
  });

  test('an entry of an unknown media type is tolerated', async () => {
    const src = await openOciLayout(layout, 'unknown');
    await assertHolds(src, unknown);
    const root = await src.root();
    assert.ok(root.manifest.kind === 'index');
    const other = root.manifest.manifests.find((d) => d.mediaType === UNKNOWN_MEDIA_TYPE);
    assert.ok(other);
    assertSameBytes(await src.blob(other, 1024), unknown.blobs.get(other.digest));
  });

  test('Docker media types; a tag written as a full reference or a short name matches', async () => {
    for (const tag of ['docker.io/library/app:docker', 'app:docker', 'library/app:docker', 'docker']) {
      const src = await openOciLayout(layout, tag);
      assert.equal((await src.root()).descriptor.digest, docker.root.digest, tag);
    }
    await assertHolds(await openOciLayout(layout, 'docker'), docker);
    assert.equal((await (await openOciLayout(layout, 'docker')).root()).descriptor.mediaType, MediaType.DOCKER_LIST);
  });

  test('a full reference matches an entry tagged with its tag only; a digest selects its entry', async () => {
    const src = await openOciLayout(layout, 'docker.io/library/whatever:multi');
    assert.equal((await src.root()).descriptor.digest, multi.root.digest);
    for (const t of [single.root.digest, `@${single.root.digest}`]) {
      assert.equal((await (await openOciLayout(layout, t)).root()).descriptor.digest, single.root.digest);
    }
    await rejects(openOciLayout(layout, `sha256:${'0'.repeat(64)}`), 'E_NOT_FOUND', /no image with digest/);
  });

  test('an unknown tag: E_NOT_FOUND listing the tags; several images and no tag: E_SOURCE listing them', async () => {
    const e = await rejects(openOciLayout(layout, 'nope'), 'E_NOT_FOUND');
    assert.equal(e.message, `oci:${layout}: no image tagged "nope"; it holds "multi", "1.0", "nested", "unknown" and "docker.io/library/app:docker"`);
    const e2 = await rejects(openOciLayout(layout), 'E_SOURCE', /holds 5 images, name one: "multi", "1.0"/);
    assert.match(e2.hint ?? '', /oci:.*:TAG/);
  });

  test('the only image needs no tag (tagged or not)', async () => {
    const d = tmp('one');
    await writeOciLayout(d, single);
    const src = await openOciLayout(d);
    await assertHolds(src, single);
    assert.equal(src.name, `oci:${d}`);
  });

  test('an ambiguous name is refused', () => {
    const a = { mediaType: MediaType.OCI_MANIFEST, digest: `sha256:${'a'.repeat(64)}`, size: 1, annotations: { 'io.containerd.image.name': 'docker.io/library/x:1', [REF_NAME]: '1' } } as const;
    const b = { ...a, digest: `sha256:${'b'.repeat(64)}`, annotations: { 'io.containerd.image.name': 'docker.io/library/y:1', [REF_NAME]: '1' } } as const;
    assert.equal(selectIndexEntry([a, b], 'x:1', 'L', 'S').digest, a.digest);
    assert.equal(selectIndexEntry([a, b], 'docker.io/library/y:1', 'L', 'S').digest, b.digest);
    assert.throws(() => selectIndexEntry([a, b], '1', 'L', 'S'), (e: unknown) => e instanceof AnyarchError && e.code === 'E_SOURCE' && /names 2 different images/.test(e.message));
  });

  test('reads a layout skopeo wrote (copy --all oci: -> oci:)', async () => {
    const out = tmp('skopeo-out');
    skopeo(['copy', '--all', `oci:${layout}:multi`, `oci:${out}:copied`]);
    skopeo(['copy', `oci:${layout}:1.0`, `oci:${out}:docker.io/library/single:1.0`]);
    await assertHolds(await openOciLayout(out, 'copied'), multi);
    await assertHolds(await openOciLayout(out, 'single:1.0'), single);
    await rejects(openOciLayout(out), 'E_SOURCE', /"copied" and "docker.io\/library\/single:1.0"/);
  });
});

describe('openOciLayout: verification and errors', () => {
  const img = buildTestImage(PLATFORMS.slice(0, 2));
  async function fresh(): Promise<string> {
    const d = tmp('bad');
    await writeOciLayout(d, img, 'x');
    return d;
  }
  const m0 = img.manifests[0]!;
  const manifest0 = (): any => manifestOf(img, m0.digest);

  test('a tampered layer: blob() fails, the stream fails with E_DIGEST at its end', async () => {
    const d = await fresh();
    const layer: Descriptor = manifest0().layers[0];
    const file = blobFile(d, layer.digest);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const src = await openOciLayout(d, 'x');
    await rejects(src.blob(layer, 1 << 20), 'E_DIGEST', /content digest .* does not match/);
    const stream = await src.blobStream(layer);
    let seen = 0;
    await rejects(
      (async () => {
        for await (const c of stream) seen += (c as Buffer).length;
      })(),
      'E_DIGEST',
    );
    assert.equal(seen, bytes.length, 'every byte was delivered before the error');
  });

  test('a blob of another size: E_DIGEST before reading', async () => {
    const d = await fresh();
    const config: Descriptor = manifest0().config;
    writeFileSync(blobFile(d, config.digest), '{}');
    const src = await openOciLayout(d, 'x');
    await rejects(src.blob(config, 1 << 20), 'E_DIGEST', /2 bytes, but its descriptor declares/);
    await rejects(src.blobStream(config), 'E_DIGEST');
  });

  test('a tampered root (index.json points at other bytes): E_DIGEST', async () => {
    const d = await fresh();
    const file = blobFile(d, img.root.digest);
    const bytes = readFileSync(file);
    bytes[bytes.indexOf('amd64')] = 'A'.charCodeAt(0);
    writeFileSync(file, bytes);
    await rejects((await openOciLayout(d, 'x')).root(), 'E_DIGEST');
  });

  test('a missing blob: E_NOT_FOUND naming it', async () => {
    const d = await fresh();
    const layer: Descriptor = manifest0().layers[0];
    unlinkSync(blobFile(d, layer.digest));
    unlinkSync(blobFile(d, m0.digest));
    const src = await openOciLayout(d, 'x');
    await rejects(src.blobStream(layer), 'E_NOT_FOUND', new RegExp(`blob ${layer.digest} \\(${MediaType.OCI_LAYER_GZIP.replace(/[.+]/g, '\\$&')}\\) is not in the layout`));
    await rejects(src.blob(layer, 1 << 30), 'E_NOT_FOUND');
    await rejects(src.manifest({ mediaType: MediaType.OCI_MANIFEST, digest: m0.digest as Descriptor['digest'], size: m0.size }), 'E_NOT_FOUND', new RegExp(`manifest ${m0.digest}`));
  });

  test('limits: a blob above the limit, a manifest above 4 MiB', async () => {
    const d = await fresh();
    const src = await openOciLayout(d, 'x');
    const config: Descriptor = manifest0().config;
    await rejects(src.blob(config, 10), 'E_LIMIT');
    await rejects(src.manifest({ mediaType: MediaType.OCI_MANIFEST, digest: m0.digest as Descriptor['digest'], size: MAX_MANIFEST_BYTES + 1 }), 'E_LIMIT');
  });

  test('bad JSON where a manifest should be: E_MANIFEST', async () => {
    const d = await fresh();
    const junk = new TextEncoder().encode('{"schemaVersion": 2, "manifests": [');
    const digest = sha256(junk);
    writeFileSync(blobFile(d, digest), junk);
    const index = JSON.parse(readFileSync(path.join(d, 'index.json'), 'utf8'));
    index.manifests.push({ mediaType: MediaType.OCI_INDEX, digest, size: junk.length, annotations: { [REF_NAME]: 'junk' } });
    writeFileSync(path.join(d, 'index.json'), JSON.stringify(index));
    await rejects((await openOciLayout(d, 'junk')).root(), 'E_MANIFEST', /not valid JSON/);
    writeFileSync(path.join(d, 'index.json'), '{"schemaVersion":2,"manifests":[{"digest":"nope"}]}');
    await rejects(openOciLayout(d, 'junk'), 'E_MANIFEST', /index\.json/);
    writeFileSync(path.join(d, 'index.json'), 'not json');
    await rejects(openOciLayout(d, 'junk'), 'E_MANIFEST', /index\.json: not valid JSON/);
  });

  test('not a layout: missing directory, a file, no oci-layout, another version, no index.json', async () => {
    await rejects(openOciLayout(tmp('missing')), 'E_NOT_FOUND', /no such directory/);
    const f = tmp('file.tar');
    writeFileSync(f, 'x');
    const e = await rejects(openOciLayout(f), 'E_SOURCE', /not a directory/);
    assert.match(e.hint ?? '', /oci-archive:/);
    const d = await fresh();
    writeFileSync(path.join(d, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await rejects(openOciLayout(d), 'E_SOURCE', /unsupported OCI layout version "2.0.0"/);
    writeFileSync(path.join(d, 'oci-layout'), 'nope');
    await rejects(openOciLayout(d), 'E_SOURCE', /oci-layout is not valid JSON/);
    unlinkSync(path.join(d, 'oci-layout'));
    await rejects(openOciLayout(d), 'E_SOURCE', /not an OCI image layout/);
    const empty = tmp('empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await rejects(openOciLayout(empty), 'E_SOURCE', /no index\.json/);
    writeFileSync(path.join(empty, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    await rejects(openOciLayout(empty), 'E_NOT_FOUND', /holds no image/);
  });

  test('a descriptor with embedded data is served from it, verified', async () => {
    const d = await fresh();
    const src = await openOciLayout(d, 'x');
    const data = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}');
    const desc: Descriptor = { mediaType: MediaType.OCI_CONFIG, digest: sha256(data) as Descriptor['digest'], size: data.length, data: Buffer.from(data).toString('base64') };
    assertSameBytes(await src.blob(desc, 1024), data);
    assertSameBytes(await readAll(await src.blobStream(desc)), data);
    await rejects(src.blob({ ...desc, data: Buffer.from('{}').toString('base64') }, 1024), 'E_DIGEST');
  });

  test('a closed source refuses reads', async () => {
    const src = await openOciLayout(await fresh(), 'x');
    await src.close();
    await rejects(src.root(), 'E_SOURCE', /closed/);
  });
});
