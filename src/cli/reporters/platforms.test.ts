/** The platforms of images in every format, from results the library computed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnyarchError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { imageResult, imagesOutcome, summarizeImages, type ImageResult } from '../../oci/image-results.js';
import type { OciPlatform } from '../../oci/manifest.js';
import type { PlatformReport, PlatformVariant } from '../../oci/platforms.js';
import { parsePlatformList } from '../../platform/index.js';
import { githubReporter } from './github.js';
import { FORMATS, loadReporter } from './index.js';
import { jsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';
import { assertValidSarif } from '../../../test/support/sarif.js';
import { humanSize, textReporter } from './text.js';
import type { PlatformsReportContext } from './types.js';

const digest = (c: string): Digest => `sha256:${c.repeat(64)}`;

/** A variant as read; `details: false` as when its manifest or config could not be read. */
function variant(declared: OciPlatform, extra: Partial<PlatformVariant> = {}, details = true): PlatformVariant {
  const base = {
    platform: `${declared.os}/${declared.architecture}${declared.variant ? `/${declared.variant}` : ''}`,
    declared,
    manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('1'), size: 400 },
    via: [],
  };
  if (!details) return { ...base, ...extra };
  const config = { os: declared.os, architecture: declared.architecture, ...(declared.variant ? { variant: declared.variant } : {}), created: '2026-01-01T00:00:00Z' };
  return { ...base, imageSize: 1_234_567, layers: 1, config, ...extra };
}

const REPORT: PlatformReport = {
  name: 'registry.test/acme/api:1',
  root: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digest('0'), size: 900 },
  rootKind: 'index',
  platforms: [
    variant({ os: 'linux', architecture: 'amd64' }),
    variant({ os: 'linux', architecture: 'arm64' }, { mismatch: 'the index entry says linux/arm64 but the image config says linux/amd64' }),
    variant({ os: 'linux', architecture: 'arm', variant: 'v7' }, { error: new AnyarchError('E_NOT_FOUND', 'manifest is not in the layout') }, false),
    variant(
      { os: 'linux', architecture: 'riscv64' },
      { error: new AnyarchError('E_DIGEST', 'config: content digest does not match', 'the content was altered in transit or in storage; nothing was used') },
      false,
    ),
  ],
  attestations: [{ manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('2'), size: 500 }, referenceType: 'attestation-manifest', describes: digest('1'), describesPlatform: 'linux/amd64' }],
  ignored: [],
};

const REQUIRED = parsePlatformList('linux/amd64,linux/s390x');
const IMAGES: ImageResult[] = [
  imageResult('registry.test/acme/api:1', REPORT, REQUIRED),
  imageResult('registry.test/acme/gone:1', new AnyarchError('E_NOT_FOUND', 'registry.test/acme/gone:1: not found (HTTP 404 MANIFEST_UNKNOWN)'), REQUIRED),
];

function ctx(images: readonly ImageResult[], over: Partial<PlatformsReportContext> = {}): PlatformsReportContext {
  return { summary: summarizeImages(images), required: ['linux/amd64', 'linux/s390x'], fullDigests: false, cwd: '/work/project', toolVersion: '1.2.3', ...over };
}

describe('platforms: text', () => {
  const out = textReporter.platforms(IMAGES, ctx(IMAGES));
  test('one table per image; variants that could not be read say so; an unreadable image points to standard error', () => {
    const [first, second] = out.split('\n\n');
    assert.match(first ?? '', /^registry\.test\/acme\/api:1\n {2}OCI index sha256:000000000000 \(4 platforms, 1 attestation\)\n {2}PLATFORM +OS VERSION +MANIFEST +SIZE +CONFIG +CREATED\n/);
    assert.match(first ?? '', /\n {2}linux\/amd64 +- +sha256:111111111111 +1\.2 MB +linux\/amd64 +2026-01-01T00:00:00Z\n/);
    assert.match(first ?? '', /\n {2}linux\/arm\/v7 +- +sha256:111111111111 +- +error +-\n/);
    assert.match(first ?? '', /\n {2}attestation sha256:222222222222 for linux\/amd64 \(attestation-manifest\)\n/);
    assert.equal(second, 'registry.test/acme/gone:1: could not be read (E_NOT_FOUND; the reason is on standard error)\n');
  });
  test('a mismatch and an unreadable variant are warnings; content that failed its digest is an error', () => {
    assert.ok(out.includes('\n  warning: linux/arm64: the index entry says linux/arm64 but the image config says linux/amd64\n'));
    assert.ok(out.includes('\n  warning: linux/arm/v7: manifest is not in the layout\n'));
    assert.ok(out.includes('\n  error: linux/riscv64: config: content digest does not match\n'));
    assert.ok(out.includes('\n  missing: linux/s390x\n'));
  });
  test('--no-trunc prints whole digests; sizes in decimal units', () => {
    assert.ok(textReporter.platforms(IMAGES, ctx(IMAGES, { fullDigests: true })).includes(digest('0')));
    assert.deepEqual([humanSize(undefined), humanSize(999), humanSize(1000), humanSize(123_456_789)], ['-', '999 B', '1.0 kB', '123 MB']);
  });
});

describe('platforms: json', () => {
  test('the data, with the required platforms, what each image misses and why it could not be read', () => {
    const doc = JSON.parse(jsonReporter.platforms(IMAGES, ctx(IMAGES))) as {
      version: number;
      require: string[];
      images: { image: string; kind?: string; platforms?: { platform: string; error?: { code: string } }[]; missing?: string[]; error?: { code: string; message: string } }[];
    };
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.require, ['linux/amd64', 'linux/s390x']);
    assert.equal(doc.images[0]?.kind, 'index');
    assert.deepEqual(doc.images[0]?.platforms?.map((p) => p.error?.code ?? null), [null, null, 'E_NOT_FOUND', 'E_DIGEST']);
    assert.deepEqual(doc.images[0]?.missing, ['linux/s390x']);
    assert.deepEqual(doc.images[1], { image: 'registry.test/acme/gone:1', error: { code: 'E_NOT_FOUND', message: 'registry.test/acme/gone:1: not found (HTTP 404 MANIFEST_UNKNOWN)' } });
    const noRequire = JSON.parse(jsonReporter.platforms(IMAGES, { summary: summarizeImages(IMAGES), fullDigests: false, cwd: '/', toolVersion: '1.2.3' })) as object;
    assert.ok(!('require' in noRequire));
  });
});

describe('platforms: sarif', () => {
  const log = JSON.parse(sarifReporter.platforms(IMAGES, ctx(IMAGES))) as {
    version: string;
    runs: {
      tool: { driver: { name: string; version: string; rules: { id: string; defaultConfiguration: { level: string } }[] } };
      invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; descriptor: { id: string }; message: { text: string } }[] }[];
      results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { logicalLocations: { fullyQualifiedName: string }[] }[]; properties: { platforms: string[] } }[];
    }[];
  };
  const run = log.runs[0];
  test('a SARIF 2.1.0 log whose driver lists the two image problems', () => {
    assert.equal(log.version, '2.1.0');
    assert.equal(run?.tool.driver.name, 'anyarch');
    assert.equal(run?.tool.driver.version, '1.2.3');
    assert.deepEqual(run?.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level]), [
      ['required-platform-missing', 'error'],
      ['config-platform-mismatch', 'warning'],
    ]);
  });
  test('a missing required platform is an error result, a mismatch a warning; both located at the image', () => {
    assert.deepEqual(run?.results.map((r) => [r.ruleId, r.ruleIndex, r.level, r.properties.platforms[0]]), [
      ['config-platform-mismatch', 1, 'warning', 'linux/arm64'],
      ['required-platform-missing', 0, 'error', 'linux/s390x'],
    ]);
    assert.equal(run?.results[1]?.message.text, 'registry.test/acme/api:1 does not publish linux/s390x');
    assert.equal(run?.results[0]?.locations[0]?.logicalLocations[0]?.fullyQualifiedName, 'registry.test/acme/api:1');
  });
  test('what could not be read is a notification at the severity the library gave it; the run fails only when the outcome is an input error', () => {
    const inv = run?.invocations[0];
    assert.equal(inv?.executionSuccessful, false);
    assert.deepEqual(inv?.toolExecutionNotifications.map((n) => [n.level, n.descriptor.id]), [
      ['warning', 'E_NOT_FOUND'],
      ['error', 'E_DIGEST'],
      ['error', 'E_NOT_FOUND'],
    ]);
    assert.match(inv?.toolExecutionNotifications[1]?.message.text ?? '', /^linux\/riscv64: config: content digest does not match \(the content was altered/);
    const fine = [imageResult('x', { ...REPORT, platforms: [REPORT.platforms[0] as PlatformVariant] })];
    const ok = JSON.parse(sarifReporter.platforms(fine, ctx(fine))) as typeof log;
    assertValidSarif(log);
    assertValidSarif(ok);
    assert.equal(ok.runs[0]?.invocations[0]?.executionSuccessful, true);
    assert.deepEqual(ok.runs[0]?.results, []);
    // another unreadable variant is a warning: the image was read, the command exits 0
    const warned = [imageResult('x', { ...REPORT, platforms: [REPORT.platforms[0] as PlatformVariant, REPORT.platforms[2] as PlatformVariant] })];
    assert.equal(imagesOutcome(summarizeImages(warned)), 'clean');
    const w = JSON.parse(sarifReporter.platforms(warned, ctx(warned))) as typeof log;
    assertValidSarif(w);
    assert.equal(w.runs[0]?.invocations[0]?.executionSuccessful, true);
    assert.deepEqual(w.runs[0]?.invocations[0]?.toolExecutionNotifications.map((n) => [n.level, n.descriptor.id]), [['warning', 'E_NOT_FOUND']]);
  });
});

describe('platforms: github', () => {
  test('one workflow command per problem, titled by its kind', () => {
    const lines = githubReporter.platforms(IMAGES, ctx(IMAGES)).trimEnd().split('\n');
    assert.deepEqual(lines, [
      '::warning title=anyarch platform mismatch::registry.test/acme/api:1: linux/arm64: the index entry says linux/arm64 but the image config says linux/amd64',
      '::warning title=anyarch E_NOT_FOUND::linux/arm/v7: manifest is not in the layout',
      '::error title=anyarch E_DIGEST::linux/riscv64: config: content digest does not match%0Athe content was altered in transit or in storage; nothing was used',
      '::error title=anyarch missing platform::registry.test/acme/api:1 does not publish linux/s390x',
      '::error title=anyarch E_NOT_FOUND::registry.test/acme/gone:1: not found (HTTP 404 MANIFEST_UNKNOWN)',
    ]);
    assert.equal(githubReporter.platforms([], ctx([])), '');
  });
});

test('every format writes every kind of result', async () => {
  for (const format of FORMATS) {
    const r = await loadReporter(format);
    assert.equal(r.format, format);
    assert.equal(typeof r.check, 'function');
    assert.equal(typeof r.platforms, 'function');
  }
});

describe('the verify annotation of a published index', () => {
  const verifiedReport: PlatformReport = {
    ...REPORT,
    platforms: [variant({ os: 'linux', architecture: 'amd64' }, { verified: true }), variant({ os: 'linux', architecture: 'arm64' }, { verified: false })],
    verified: { platforms: ['linux/amd64'], version: '0.1.0' },
  };
  const images = [imageResult('registry.test/acme/api:2', verifiedReport)];

  test('text: a VERIFIED column, yes or no per platform, and the line naming the anyarch that verified', () => {
    const out = textReporter.platforms(images, ctx(images, { required: undefined }));
    assert.match(out, /PLATFORM\s+OS VERSION\s+MANIFEST\s+SIZE\s+CONFIG\s+CREATED\s+VERIFIED/);
    assert.match(out, /linux\/amd64 .* yes\n/);
    assert.match(out, /linux\/arm64 .* no\n/);
    assert.match(out, /verified by anyarch 0\.1\.0: linux\/amd64\n/);
  });

  test('json: verified per platform and the annotation on the image', () => {
    const json = JSON.parse(jsonReporter.platforms(images, ctx(images, { required: undefined }))) as { images: { verified?: unknown; platforms: { verified?: boolean }[] }[] };
    const [img] = json.images;
    assert.deepEqual(img?.verified, { platforms: ['linux/amd64'], version: '0.1.0' });
    assert.deepEqual(
      img?.platforms.map((p) => p.verified),
      [true, false],
    );
  });

  test('without the annotation: no column, no line, no field', () => {
    const plain = [imageResult('registry.test/acme/api:1', { ...REPORT, platforms: REPORT.platforms.slice(0, 1) })];
    const out = textReporter.platforms(plain, ctx(plain, { required: undefined }));
    assert.doesNotMatch(out, /VERIFIED|verified/);
    const json = JSON.parse(jsonReporter.platforms(plain, ctx(plain, { required: undefined }))) as { images: { verified?: unknown; platforms: { verified?: boolean }[] }[] };
    assert.equal(json.images[0]?.verified, undefined);
    assert.equal('verified' in (json.images[0]?.platforms[0] ?? {}), false);
  });
});
