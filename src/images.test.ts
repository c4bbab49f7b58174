/**
 * inspectImages, the library's `anyarch platforms`: specifiers parsed against a directory, every
 * image read even when another fails, --require and --index-only, progress, sources closed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestImage, busyboxLikeFiles, writeOciLayout } from '../test/support/images.js';
import { inspectImages, type ImagesProgress } from './images.js';
import { imageError, imagesOutcome, missingRequired } from './oci/image-results.js';
import { parsePlatformList } from './platform/index.js';

describe('inspectImages', () => {
  let work: string;
  const multi = buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
      { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
    ],
    { attestations: true },
  );
  const single = buildTestImage([{ platform: { os: 'linux', architecture: 'riscv64' } }], { single: true });

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-inspect-images-'));
    await writeOciLayout(path.join(work, 'layout'), multi, 'multi');
    await writeOciLayout(path.join(work, 'layout'), single, 'single');
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('every image is read, in the order given, even when others cannot be named or read; relative paths from cwd', async () => {
    const seen: ImagesProgress[] = [];
    const run = await inspectImages(['oci:layout:multi', 'bad::spec', 'oci:layout:nope', 'oci:layout:single'], {
      cwd: work,
      required: parsePlatformList('linux/amd64,linux/arm64'),
      onProgress: (p) => seen.push(p),
    });
    assert.deepEqual(
      run.results.map((r) => r.image),
      [`oci:${path.join(work, 'layout')}:multi`, 'bad::spec', `oci:${path.join(work, 'layout')}:nope`, `oci:${path.join(work, 'layout')}:single`],
    );
    const [ok, bad, nope, one] = run.results;
    assert.deepEqual(ok?.report?.platforms.map((p) => p.platform), ['linux/amd64', 'linux/arm64']);
    assert.equal(ok?.report?.platforms[0]?.config?.architecture, 'amd64');
    assert.deepEqual(ok && missingRequired(ok), []);
    assert.equal(bad && imageError(bad)?.code, 'E_REFERENCE');
    assert.equal(nope && imageError(nope)?.code, 'E_NOT_FOUND');
    assert.deepEqual(one && missingRequired(one), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(run.summary, { unreadableImages: 2, integrityFailures: 0, missing: 2 });
    assert.equal(imagesOutcome(run.summary), 'input-error');
    assert.deepEqual(seen.map((p) => p.total), [4, 4, 4, 4]);
    assert.deepEqual(seen.map((p) => p.done), [1, 2, 3, 4]);
    assert.deepEqual(seen.map((p) => p.image).sort(), ['bad::spec', 'oci:layout:multi', 'oci:layout:nope', 'oci:layout:single']);
  });

  test('index only: no manifest or config of a variant is read', async () => {
    const broken = path.join(work, 'index-only');
    await writeOciLayout(broken, multi, 'v1');
    for (const m of multi.manifests) await unlink(path.join(broken, 'blobs', 'sha256', m.digest.slice('sha256:'.length)));
    const full = await inspectImages([`oci:${broken}:v1`]);
    assert.ok(full.results[0]?.report?.platforms.every((p) => p.error));
    const index = await inspectImages([`oci:${broken}:v1`], { indexOnly: true });
    assert.deepEqual(index.results[0]?.report?.platforms.map((p) => [p.platform, p.error, p.config]), [
      ['linux/amd64', undefined, undefined],
      ['linux/arm64', undefined, undefined],
    ]);
    assert.deepEqual(index.results[0]?.problems, []);
    assert.equal(imagesOutcome(index.summary), 'clean');
  });

  test('no images: no results, a clean outcome', async () => {
    const run = await inspectImages([]);
    assert.deepEqual(run.results, []);
    assert.equal(imagesOutcome(run.summary), 'clean');
  });
});
