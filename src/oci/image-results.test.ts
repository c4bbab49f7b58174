import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnyarchError } from '../errors.js';
import { parsePlatformList } from '../platform/index.js';
import type { Digest } from './digest.js';
import { imageError, imageResult, imagesOutcome, isIntegrityFailure, missingRequired, summarizeImages } from './image-results.js';
import type { OciPlatform } from './manifest.js';
import type { PlatformReport, PlatformVariant } from './platforms.js';
import { missingPlatforms } from './required-platforms.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digest = (c: string): Digest => `sha256:${c.repeat(64)}`;

function variant(declared: OciPlatform, extra: Partial<PlatformVariant> = {}): PlatformVariant {
  const platform = `${declared.os}/${declared.architecture}${declared.variant ? `/${declared.variant}` : ''}`;
  return { platform, declared, manifest: { mediaType: MANIFEST, digest: digest('1'), size: 1 }, via: [], ...extra };
}

function report(platforms: PlatformVariant[]): PlatformReport {
  return {
    name: 'registry.test/acme/api:1',
    root: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digest('0'), size: 1 },
    rootKind: 'index',
    platforms,
    attestations: [],
    ignored: [],
  };
}

const amd64 = variant({ os: 'linux', architecture: 'amd64' });
const arm64v8 = variant({ os: 'linux', architecture: 'arm64', variant: 'v8' }, { mismatch: 'the index entry says linux/arm64/v8 but the image config says linux/amd64' });
const armUnreadable = variant({ os: 'linux', architecture: 'arm', variant: 'v7' }, { error: new AnyarchError('E_NOT_FOUND', 'manifest sha256:1… is not in the layout') });
const riscvAltered = variant(
  { os: 'linux', architecture: 'riscv64' },
  { error: new AnyarchError('E_DIGEST', 'config sha256:2…: content digest sha256:3… does not match the expected sha256:2…', 'the content was altered in transit or in storage; nothing was used') },
);

describe('missingPlatforms (--require)', () => {
  test('normalised comparison: arm64/v8 is arm64, arm is arm/v7; in the required order', () => {
    const r = report([amd64, arm64v8]);
    assert.deepEqual(missingPlatforms(r, parsePlatformList('linux/arm64,linux/amd64')), []);
    assert.deepEqual(missingPlatforms(r, parsePlatformList('linux/riscv64,linux/arm64/v8,linux/arm')), ['linux/riscv64', 'linux/arm/v7']);
  });
  test('a variant that cannot be read cannot be pulled: it does not count', () => {
    assert.deepEqual(missingPlatforms(report([amd64, armUnreadable]), parsePlatformList('linux/arm/v7')), ['linux/arm/v7']);
  });
});

describe('image results', () => {
  test('problems in reading order: each variant (mismatch, then unreadable), then what is missing', () => {
    const r = imageResult('acme/api:1', report([amd64, arm64v8, armUnreadable, riscvAltered]), parsePlatformList('linux/amd64,linux/s390x'));
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.severity, p.platform]),
      [
        ['mismatch', 'warning', 'linux/arm64/v8'],
        ['unreadable', 'warning', 'linux/arm/v7'],
        ['unreadable', 'error', 'linux/riscv64'],
        ['missing', 'error', 'linux/s390x'],
      ],
    );
    assert.deepEqual(missingRequired(r), ['linux/s390x']);
    assert.equal(imageError(r), undefined);
    assert.equal(r.problems[0]?.detail, arm64v8.mismatch);
    assert.equal(r.problems[0]?.message, `acme/api:1: linux/arm64/v8: ${arm64v8.mismatch}`);
    assert.equal(r.problems[3]?.message, 'acme/api:1 does not publish linux/s390x');
  });

  test('an image that could not be read is one error problem', () => {
    const e = new AnyarchError('E_NOT_FOUND', 'acme/api:nope: not found');
    const r = imageResult('acme/api:nope', e, parsePlatformList('linux/amd64'));
    assert.equal(imageError(r), e);
    assert.equal(r.report, undefined);
    assert.deepEqual(missingRequired(r), []);
    assert.deepEqual(r.problems.map((p) => [p.kind, p.severity, p.platform, p.message]), [['unreadable', 'error', undefined, 'acme/api:nope: not found']]);
  });

  test('without --require nothing is missing', () => {
    const r = imageResult('acme/api:1', report([amd64]));
    assert.deepEqual(missingRequired(r), []);
    assert.deepEqual(r.problems, []);
  });

  test('only content that failed its digest is an integrity failure', () => {
    assert.equal(isIntegrityFailure(new AnyarchError('E_DIGEST', 'x')), true);
    assert.equal(isIntegrityFailure(new AnyarchError('E_NOT_FOUND', 'x')), false);
  });
});

describe('summary and outcome', () => {
  const clean = imageResult('a', report([amd64, arm64v8]), parsePlatformList('linux/amd64'));
  const gaps = imageResult('b', report([amd64, armUnreadable]), parsePlatformList('linux/arm64,linux/arm/v7'));
  const altered = imageResult('c', report([amd64, riscvAltered]));
  const gone = imageResult('d', new AnyarchError('E_NOT_FOUND', 'd: not found'));

  test('the counts the outcome is decided by, over every image (nothing else: the problems are the record)', () => {
    assert.deepEqual(summarizeImages([clean, gaps, altered, gone]), { unreadableImages: 1, integrityFailures: 1, missing: 2 });
    assert.deepEqual(Object.keys(clean).sort(), ['image', 'problems', 'report']);
    assert.deepEqual(Object.keys(gone).sort(), ['image', 'problems']);
  });

  test('clean; a missing platform is findings; an unreadable image or altered content is an input error, whatever else was read', () => {
    assert.equal(imagesOutcome(summarizeImages([clean])), 'clean');
    assert.equal(imagesOutcome(summarizeImages([clean, imageResult('e', report([amd64, armUnreadable]))])), 'clean'); // an unreadable variant stays a warning
    assert.equal(imagesOutcome(summarizeImages([clean, gaps])), 'findings');
    assert.equal(imagesOutcome(summarizeImages([clean, gaps, altered])), 'input-error');
    assert.equal(imagesOutcome(summarizeImages([clean, altered])), 'input-error');
    assert.equal(imagesOutcome(summarizeImages([gone, clean])), 'input-error');
  });
});
