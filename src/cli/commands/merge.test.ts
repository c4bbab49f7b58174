/**
 * `anyarch merge` through the real binary against the real registry: per-platform images pushed
 * by digest, merged, verified and tagged; a refused variant (exit 1, nothing tagged); --no-verify
 * saying what it skips; annotations; usage and input errors (exit 2); and `anyarch platforms`
 * showing which variants were verified.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestImage, busyboxLikeFiles, builtImageSource, fakeElf, type BuiltImage } from '../../../test/support/images.js';
import { runMeasured, type MeasuredRun } from '../../../test/support/measured.js';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { isAnyarchError } from '../../errors.js';
import type { ImageIndex } from '../../oci/manifest.js';
import { RegistryClient } from '../../registry/client.js';
import { pushImage } from '../../registry/push.js';

/** The built CLI in `cwd`, with the environment of this process plus `extraEnv` (no colour or CI settings, no SOURCE_DATE_EPOCH unless given). */
function anyarch(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<MeasuredRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS', 'SOURCE_DATE_EPOCH']) delete env[k];
  return runMeasured(args, { cwd, env: { ...env, ...extraEnv } });
}

function single(arch: string, appArch = arch, seed = 'cli'): BuiltImage {
  return buildTestImage(
    [
      {
        platform: { os: 'linux', architecture: arch },
        containerConfig: { Entrypoint: ['/usr/local/bin/app'], Cmd: null },
        layers: [{ files: busyboxLikeFiles(arch) }, { files: { 'usr/local/bin/app': fakeElf(appArch), 'etc/app.conf': seed } }],
      },
    ],
    { format: 'oci', single: true },
  );
}

describe('anyarch merge', () => {
  let reg: TestRegistry;
  let work: string;
  let client: RegistryClient;
  const digests: Record<string, string> = {};
  const push = async (repo: string, img: BuiltImage): Promise<string> => (await pushImage(client, { registry: reg.host, repository: repo }, builtImageSource(img))).digest;
  const tags = async (repo: string): Promise<string[]> =>
    client.listTags({ registry: reg.host, repository: repo }).catch((e: unknown) => (isAnyarchError(e) && e.code === 'E_NOT_FOUND' ? [] : Promise.reject(e)));

  before(async () => {
    reg = await startRegistry();
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-merge-cli-'));
    client = new RegistryClient({ credentials: async () => undefined });
    digests['amd'] = await push('cli/app', single('amd64'));
    digests['arm'] = await push('cli/app', single('arm64'));
    digests['badArm'] = await push('cli/app', single('arm64', 'amd64', 'bad'));
  });
  after(async () => {
    await reg.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('text: the tagged index, per platform its manifest, size and verdict, the tags; platforms then shows both verified', async () => {
    const run = await anyarch(['merge', `${reg.host}/cli/app:1`, digests['amd'] as string, digests['arm'] as string, '--annotation', 'org.opencontainers.image.url=https://acme.example'], work, { SOURCE_DATE_EPOCH: '1700000000' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^index \(verified, annotated\) sha256:[0-9a-f]{12} in 127\.0\.0\.1:\d+\/cli\/app\n/);
    assert.match(run.stdout, /linux\/amd64\s+sha256:[0-9a-f]{12}\s+[\d.]+ \w?B\s+passed\n/);
    assert.match(run.stdout, /linux\/arm64\s+sha256:[0-9a-f]{12}\s+[\d.]+ \w?B\s+passed\n/);
    assert.match(run.stdout, new RegExp(`tagged: ${reg.host.replace(/\./g, '\\.')}/cli/app:1\n`));
    assert.match(run.stdout, /pushed: 0 blobs uploaded, \d+ already there, 0 mounted; 5 manifests put; [\d.]+ \w?B sent\n/, 'two image manifests, the index by digest, the annotated one by digest and under its tag');
    assert.equal(run.stderr, '');

    const index = (await client.getManifest({ registry: reg.host, repository: 'cli/app' }, '1')).manifest as ImageIndex;
    assert.equal(index.annotations?.['org.opencontainers.image.url'], 'https://acme.example');
    assert.equal(index.annotations?.['org.opencontainers.image.created'], '2023-11-14T22:13:20Z');
    assert.equal(index.annotations?.['org.opencontainers.image.revision'], undefined, 'not in a git work tree');

    const text = await anyarch(['platforms', `${reg.host}/cli/app:1`], work);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /VERIFIED\n/);
    assert.match(text.stdout, /linux\/amd64 .* yes\n/);
    assert.match(text.stdout, /linux\/arm64 .* yes\n/);
    assert.match(text.stdout, /verified by anyarch \d+\.\d+\.\d+: linux\/amd64, linux\/arm64\n/);
    const json = await anyarch(['platforms', '--format', 'json', `${reg.host}/cli/app:1`], work);
    const img = (JSON.parse(json.stdout) as { images: { verified: { platforms: string[] }; platforms: { verified: boolean }[] }[] }).images[0];
    assert.deepEqual(img?.verified.platforms, ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(img?.platforms.map((p) => p.verified), [true, true]);
  });

  test('json: the PublishResult', async () => {
    const run = await anyarch(['merge', '--format', 'json', `${reg.host}/cli/app:json`, digests['amd'] as string, `${reg.host}/cli/app@${digests['arm']}`], work);
    assert.equal(run.code, 0, run.stderr);
    const r = JSON.parse(run.stdout) as { version: number; passed: boolean; tagged: string[]; index: { digest: string }; variants: { descriptor: { digest: string }; verification: { verdicts: unknown[] } }[]; stats: { uploaded: number; exists: number } };
    assert.equal(r.version, 1);
    assert.equal(r.passed, true);
    assert.deepEqual(r.tagged, [`${reg.host}/cli/app:json`]);
    assert.deepEqual(r.variants.map((v) => v.descriptor.digest), [digests['amd'], digests['arm']]);
    assert.ok(r.variants.every((v) => Array.isArray(v.verification.verdicts)));
    assert.equal(r.stats.uploaded, 0);
  });

  test('a variant refused by verify: exit 1, the verdict shown, nothing tagged', async () => {
    const run = await anyarch(['merge', `${reg.host}/cli/app:bad`, digests['amd'] as string, digests['badArm'] as string], work);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^index \(pushed by digest, not tagged\)/);
    assert.match(run.stdout, /linux\/arm64\s+\S+\s+.*2 errors\n/);
    assert.match(run.stdout, /not tagged: a variant was refused by verify/);
    assert.match(run.stdout, /linux\/arm64  error  AA201 foreign-binary  \/usr\/local\/bin\/app\n/);
    assert.ok(!(await tags('cli/app')).includes('bad'));
    // --fail-on never lets the same verdicts through
    const lenient = await anyarch(['merge', '--fail-on', 'never', `${reg.host}/cli/app:lenient`, digests['amd'] as string, digests['badArm'] as string], work);
    assert.equal(lenient.code, 0, lenient.stderr);
  });

  test('--no-verify says what it skips; the index has no verify annotation, and platforms shows no column', async () => {
    const run = await anyarch(['merge', '--no-verify', `${reg.host}/cli/app:unverified`, digests['amd'] as string, digests['badArm'] as string], work);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /--no-verify: the variants are not verified \(no AA2xx verdicts/);
    assert.match(run.stdout, /not verified \(--no-verify\)/);
    const text = await anyarch(['platforms', `${reg.host}/cli/app:unverified`], work);
    assert.doesNotMatch(text.stdout, /VERIFIED|verified by/);
  });

  test('usage and input errors: exit 2 with one line, nothing tagged', async () => {
    const dup = await anyarch(['merge', `${reg.host}/cli/app:dup`, digests['arm'] as string, digests['badArm'] as string], work);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /^anyarch: two images for linux\/arm64: /);
    const badAnnotation = await anyarch(['merge', '--annotation', 'novalue', `${reg.host}/cli/app:x`, digests['amd'] as string], work);
    assert.equal(badAnnotation.code, 2);
    assert.match(badAnnotation.stderr, /--annotation "novalue": expected KEY=VALUE/);
    const badEpoch = await anyarch(['merge', `${reg.host}/cli/app:x`, digests['amd'] as string], work, { SOURCE_DATE_EPOCH: 'yesterday' });
    assert.equal(badEpoch.code, 2);
    assert.match(badEpoch.stderr, /SOURCE_DATE_EPOCH="yesterday" is not a whole number of seconds/);
    const missing = await anyarch(['merge', `${reg.host}/cli/app:x`, `sha256:${'0'.repeat(64)}`], work);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found/);
    const noImages = await anyarch(['merge', `${reg.host}/cli/app:x`], work);
    assert.equal(noImages.code, 2);
    for (const t of ['dup', 'x']) assert.ok(!(await tags('cli/app')).includes(t));
  });
});
