/**
 * `inspectPlatforms` over images in the real registry (pushed by skopeo): OCI and Docker media
 * types, attestations, nested indexes, unknown entries, a config that disagrees with its index
 * entry, and single-manifest images. What anyarch reports is compared with what skopeo reads.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { skopeoCopyDirToRegistry, writeDirTransport } from '../../test/support/dir-transport.js';
import { buildTestImage, builtImageSource, busyboxLikeFiles, countingSource, writeOciLayout, type BuiltImage, type TestImageOptions, type TestPlatformImage } from '../../test/support/images.js';
import { memorySource as memoryStore } from '../../test/support/memory-source.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import { skopeoCopyToRegistry, skopeoInspectConfig, skopeoInspectRaw } from '../../test/support/skopeo.js';
import { RegistryClient } from '../registry/client.js';
import { pushImage } from '../registry/push.js';
import { isAnyarchError } from '../errors.js';
import * as digestModule from './digest.js';
import type { Digest } from './digest.js';
import { parseConfig } from './manifest.js';
import { inspectPlatforms, isVerifiedPlatform, MAX_INDEX_ENTRIES, platformMismatch, readVerifiedAnnotation, VERIFIED_BY_ANNOTATION, VERIFIED_PLATFORMS_ANNOTATION, verifiedPlatformsValue } from './platforms.js';
import { parseReference } from './reference.js';
import { registrySource } from '../registry/source.js';
import { openOciLayout } from './sources/layout.js';

const three: TestPlatformImage[] = [
  { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
  { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, files: busyboxLikeFiles('arm64') },
  { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, files: busyboxLikeFiles('arm') },
];

describe('inspectPlatforms against docker-registry', () => {
  let reg: TestRegistry;
  const client = new RegistryClient({ credentials: async () => undefined });
  const images: Record<string, BuiltImage> = {};
  const cases: Record<string, { images: TestPlatformImage[]; opts: TestImageOptions }> = {
    'oci-attest': { images: three, opts: { format: 'oci', attestations: true } },
    docker: { images: three, opts: { format: 'docker' } },
    nested: { images: three, opts: { format: 'oci', nested: true } },
    unknown: { images: three, opts: { format: 'oci', unknownEntry: true } },
    windows: {
      images: [
        { platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' } },
        { platform: { os: 'linux', architecture: 'amd64' } },
      ],
      opts: { format: 'oci' },
    },
    single: { images: [{ platform: { os: 'linux', architecture: 'riscv64' }, files: busyboxLikeFiles('riscv64') }], opts: { single: true } },
    mismatch: {
      images: [
        { platform: { os: 'linux', architecture: 'amd64' } },
        { platform: { os: 'linux', architecture: 'arm64' }, configPlatform: { os: 'linux', architecture: 'amd64' } },
      ],
      opts: { format: 'oci' },
    },
  };

  before(async () => {
    reg = await startRegistry();
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-platforms-'));
    try {
      for (const [name, c] of Object.entries(cases)) {
        const img = buildTestImage(c.images, c.opts);
        images[name] = img;
        if (c.opts.nested || c.opts.unknownEntry) {
          // skopeo 1.9 cannot copy an index inside an index, nor an entry of an unknown type: anyarch pushes these itself
          await pushImage(new RegistryClient({ credentials: async () => undefined }), { registry: reg.host, repository: `img/${name}` }, builtImageSource(img), { tag: 'v1' });
        } else if (c.opts.format === 'docker') {
          // skopeo's oci: transport takes OCI media types only; its dir: transport takes any
          const d = path.join(dir, `dir-${name}`);
          await writeDirTransport(d, img);
          await skopeoCopyDirToRegistry(d, reg, `img/${name}:v1`);
        } else {
          await writeOciLayout(dir, img, name);
          await skopeoCopyToRegistry(dir, name, reg, `img/${name}:v1`);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  after(async () => reg?.stop());

  const inspect = (name: string) => inspectPlatforms(registrySource(client, parseReference(`${reg.host}/img/${name}:v1`)));

  test('platforms, digests and sizes agree with the index skopeo reads; attestations apart', async () => {
    const report = await inspect('oci-attest');
    const raw = JSON.parse((await skopeoInspectRaw('img/oci-attest:v1', reg)).toString('utf8')) as {
      manifests: { digest: string; size: number; platform: { os: string; architecture: string; variant?: string }; annotations?: Record<string, string> }[];
    };
    const expected = raw.manifests
      .filter((m) => m.platform.os !== 'unknown')
      .map((m) => ({ platform: `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}`, digest: m.digest, size: m.size }));
    assert.deepEqual(
      report.platforms.map((p) => ({ platform: p.platform, digest: p.manifest.digest, size: p.manifest.size })),
      expected,
    );
    assert.equal(report.root.digest, images['oci-attest']?.root.digest);
    assert.equal(report.rootKind, 'index');
    assert.equal(report.attestations.length, 3);
    assert.deepEqual(report.attestations.map((a) => a.describesPlatform), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    assert.ok(report.attestations.every((a) => a.referenceType === 'attestation-manifest'));
    for (const p of report.platforms) {
      assert.equal(p.mismatch, undefined);
      assert.ok(p.imageSize && p.imageSize > 0);
      const cfg = await skopeoInspectConfig('img/oci-attest:v1', reg, undefined, p.platform);
      assert.equal(p.config?.architecture, cfg.architecture);
      assert.equal(p.config?.os, cfg.os);
      assert.equal(p.config?.created, cfg.created);
    }
  });

  test('Docker manifest lists read the same way', async () => {
    const report = await inspect('docker');
    assert.equal(report.root.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.deepEqual(report.platforms.map((p) => p.platform), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    assert.ok(report.platforms.every((p) => p.config && !p.error));
  });

  test('nested indexes are followed and the path recorded', async () => {
    const report = await inspect('nested');
    assert.deepEqual(report.platforms.map((p) => p.platform), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    assert.ok(report.platforms.every((p) => p.via.length === 1));
  });

  test('an entry of an unknown media type is ignored, not fatal', async () => {
    const report = await inspect('unknown');
    assert.equal(report.platforms.length, 3);
    assert.equal(report.ignored.length, 1);
  });

  test('os.version of Windows entries is reported', async () => {
    const report = await inspect('windows');
    assert.deepEqual(report.platforms.map((p) => [p.platform, p.osVersion]), [['windows/amd64', '10.0.17763.5329'], ['linux/amd64', undefined]]);
  });

  test('a single manifest reports its config platform', async () => {
    const report = await inspect('single');
    assert.equal(report.rootKind, 'manifest');
    assert.deepEqual(report.platforms.map((p) => p.platform), ['linux/riscv64']);
  });

  test('a config that disagrees with its index entry is reported', async () => {
    const report = await inspect('mismatch');
    const arm = report.platforms.find((p) => p.platform === 'linux/arm64');
    assert.match(arm?.mismatch ?? '', /index entry says linux\/arm64 but the image config says linux\/amd64/);
    assert.equal(report.platforms.find((p) => p.platform === 'linux/amd64')?.mismatch, undefined);
  });

  test('--index-only reads no child manifest', async () => {
    const report = await inspectPlatforms(registrySource(client, parseReference(`${reg.host}/img/docker:v1`)), { details: false });
    assert.equal(report.platforms.length, 3);
    assert.ok(report.platforms.every((p) => p.config === undefined && p.imageSize === undefined));
  });
});

describe('platformMismatch', () => {
  test('normalised platforms are the same platform', () => {
    assert.equal(platformMismatch({ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }), undefined);
    assert.equal(platformMismatch({ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }), undefined);
    assert.match(platformMismatch({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }) ?? '', /v6.*v7/);
  });
});

describe('inspectPlatforms on hostile or unusual indexes (in-memory source)', () => {
  const { digestOf } = digestModule;
  /** An ImageSource over a map of blobs whose root is an OCI index, counting reads. */
  const memorySource = (blobs: Map<string, Uint8Array>, root: { digest: Digest; size: number }) => countingSource(memoryStore(blobs, { mediaType: OCI_INDEX, ...root }));
  const put = (blobs: Map<string, Uint8Array>, v: unknown): { digest: Digest; size: number } => {
    const bytes = Buffer.from(JSON.stringify(v));
    const digest = digestOf(bytes);
    blobs.set(digest, bytes);
    return { digest, size: bytes.length };
  };
  const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  const image = (blobs: Map<string, Uint8Array>, arch: string) => {
    const config = put(blobs, { os: 'linux', architecture: arch, rootfs: { type: 'layers', diff_ids: [] } });
    return put(blobs, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [] });
  };

  test('entries without a platform take it from their config (also with --index-only)', async () => {
    const blobs = new Map<string, Uint8Array>();
    const a = image(blobs, 'amd64');
    const b = image(blobs, 'arm64');
    const root = put(blobs, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, ...a }, { mediaType: OCI_MANIFEST, ...b }] });
    for (const details of [true, false]) {
      const { source } = memorySource(blobs, root);
      const report = await inspectPlatforms(source, { details });
      assert.deepEqual(report.platforms.map((p) => p.platform), ['linux/amd64', 'linux/arm64']);
    }
  });

  test('an index repeated many times is read once; entries are listed once', async () => {
    const blobs = new Map<string, Uint8Array>();
    const a = image(blobs, 'amd64');
    const child = put(blobs, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array.from({ length: 300 }, () => ({ mediaType: OCI_MANIFEST, ...a, platform: { os: 'linux', architecture: 'amd64' } })) });
    const root = put(blobs, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array.from({ length: 300 }, () => ({ mediaType: OCI_INDEX, ...child })) });
    const { source, reads } = memorySource(blobs, root);
    const report = await inspectPlatforms(source, { details: false });
    assert.equal(report.platforms.length, 1);
    assert.equal(reads.manifests.filter((d) => d.digest === child.digest).length, 1);
  });

  test('too many entries is E_LIMIT, not hours of work', async () => {
    const blobs = new Map<string, Uint8Array>();
    const entries = Array.from({ length: MAX_INDEX_ENTRIES + 1 }, (_, i) => ({ mediaType: OCI_MANIFEST, digest: digestOf(String(i)), size: 1, platform: { os: 'linux', architecture: 'amd64' } }));
    const root = put(blobs, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
    const { source } = memorySource(blobs, root);
    await assert.rejects(inspectPlatforms(source, { details: false }), (e) => isAnyarchError(e) && e.code === 'E_LIMIT');
  });

  test('a config with a non-string variant is E_MANIFEST, not a crash', () => {
    assert.throws(() => parseConfig(Buffer.from('{"os":"linux","architecture":"arm","variant":7}'), 'config'), (e) => isAnyarchError(e) && e.code === 'E_MANIFEST' && /variant/.test(e.message));
    assert.throws(() => parseConfig(Buffer.from('{"os":"linux","architecture":"arm","created":12345}'), 'config'), (e) => isAnyarchError(e) && e.code === 'E_MANIFEST');
  });
});

describe('inspectPlatforms: content that fails its digest', () => {
  test('a variant whose config or manifest was altered is listed with its E_DIGEST error; the others in full', async () => {
    const img = buildTestImage(three);
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-platforms-digest-'));
    try {
      await writeOciLayout(dir, img, 'v1');
      const alter = async (digest: string) => {
        const bytes = Buffer.from(img.blobs.get(digest)!);
        bytes[5] = (bytes[5] as number) ^ 1;
        await writeFile(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
      };
      await alter(img.manifests[1]!.configDigest); // arm64: its config
      await alter(img.manifests[2]!.digest); // arm/v7: its manifest
      const src = await openOciLayout(dir, 'v1');
      const report = await inspectPlatforms(src);
      await src.close();
      assert.deepEqual(
        report.platforms.map((p) => [p.platform, p.error?.code, p.config?.architecture]),
        [
          ['linux/amd64', undefined, 'amd64'],
          ['linux/arm64/v8', 'E_DIGEST', undefined],
          ['linux/arm/v7', 'E_DIGEST', undefined],
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the verify annotation of an index', () => {
  test('read back per platform (linux/arm64/v8 is linux/arm64); a platform it does not list is not verified; no annotation, no field', async () => {
    const img = buildTestImage(three);
    const index = JSON.parse(new TextDecoder().decode(img.root.bytes)) as Record<string, unknown>;
    index['annotations'] = { [VERIFIED_PLATFORMS_ANNOTATION]: 'linux/amd64,linux/arm64', [VERIFIED_BY_ANNOTATION]: '9.9.9' };
    const bytes = new TextEncoder().encode(JSON.stringify(index));
    const digest = digestModule.digestOf(bytes);
    const blobs = new Map(img.blobs).set(digest, bytes);
    const report = await inspectPlatforms(memoryStore(blobs, { mediaType: img.root.mediaType, digest, size: bytes.length }, { verify: true }));
    assert.deepEqual(report.verified, { platforms: ['linux/amd64', 'linux/arm64'], version: '9.9.9' });
    assert.deepEqual(
      report.platforms.map((p) => [p.platform, p.verified]),
      [
        ['linux/amd64', true],
        ['linux/arm64/v8', true],
        ['linux/arm/v7', false],
      ],
    );
    const plain = await inspectPlatforms(builtImageSource(img));
    assert.equal(plain.verified, undefined);
    assert.ok(plain.platforms.every((p) => !('verified' in p)));
  });

  test('the annotation value: platforms in order, empty entries dropped, an empty value is no annotation', () => {
    assert.equal(verifiedPlatformsValue([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm', variant: 'v7' }]), 'linux/amd64,linux/arm/v7');
    assert.deepEqual(readVerifiedAnnotation({ [VERIFIED_PLATFORMS_ANNOTATION]: ' linux/amd64 ,,linux/s390x' }), { platforms: ['linux/amd64', 'linux/s390x'] });
    assert.equal(readVerifiedAnnotation({ [VERIFIED_PLATFORMS_ANNOTATION]: ' , ' }), undefined);
    assert.equal(readVerifiedAnnotation(undefined), undefined);
    assert.equal(isVerifiedPlatform({ platforms: ['linux/arm64'] }, 'linux/arm64/v8'), true);
    assert.equal(isVerifiedPlatform({ platforms: ['linux/arm64'] }, 'linux/amd64'), false);
  });
});
