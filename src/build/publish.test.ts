/**
 * Verify before tag, against the real registry (Debian's docker-registry) behind the fault proxy:
 * everything is pushed by digest first, every variant verified, and only an image whose every
 * variant passes gets its (annotated) index tagged. A refused image leaves no tag; a registry that
 * goes away mid-push leaves no tag and a clear error; a re-run sends only what is missing.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { buildTestImage, busyboxLikeFiles, builtImageSource, fakeElf, type BuiltImage } from '../../test/support/images.js';
import { proxiedRegistry } from '../../test/support/proxied-registry.js';
import { isAnyarchError } from '../errors.js';
import { packageVersion } from '../fs/package-version.js';
import { openRoot, type Index } from '../oci/image.js';
import type { ImageIndex } from '../oci/manifest.js';
import { readVerifiedAnnotation } from '../oci/platforms.js';
import { parseReference } from '../oci/reference.js';
import { parsePlatformList } from '../platform/index.js';
import { RegistryClient, type RepositoryRef } from '../registry/client.js';
import { RegistryError } from '../registry/errors.js';
import { publish, publishOutcome, type PublishEvent } from './publish.js';
import { VERIFIED_BY_ANNOTATION, VERIFIED_PLATFORMS_ANNOTATION } from './types.js';

const RETRY = { attempts: 3, baseMs: 5, maxMs: 20, maxRetryAfterMs: 100 };

const RUNS_APP = { Entrypoint: ['/usr/local/bin/app'], Cmd: null };

/** linux/amd64 and linux/arm64; `wrongArm64`: the arm64 variant's program is an x86-64 binary (AA201). */
function image(opts: { wrongArm64?: boolean; seed?: string } = {}): BuiltImage {
  const seed = opts.seed ?? 'one';
  return buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, containerConfig: RUNS_APP, layers: [{ files: busyboxLikeFiles('amd64') }, { files: { 'usr/local/bin/app': fakeElf('amd64'), 'etc/app.conf': seed } }] },
      {
        platform: { os: 'linux', architecture: 'arm64' },
        containerConfig: RUNS_APP,
        layers: [{ files: busyboxLikeFiles('arm64') }, { files: { 'usr/local/bin/app': fakeElf(opts.wrongArm64 ? 'amd64' : 'arm64'), 'etc/app.conf': seed } }],
      },
    ],
    { format: 'oci' },
  );
}

async function rootOf(img: BuiltImage): Promise<Index> {
  const root = await openRoot(builtImageSource(img));
  assert.equal(root.kind, 'index');
  return root as Index;
}

/** Every blob (configs and layers) the image's manifests name, by digest, with its size. */
function blobsOf(img: BuiltImage): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of img.manifests) {
    const manifest = JSON.parse(new TextDecoder().decode(img.blobs.get(m.digest))) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    for (const d of [manifest.config, ...manifest.layers]) out.set(d.digest, d.size);
  }
  return out;
}

/** Until the proxy has seen nothing new for a while: requests of a failed push still in flight have ended. */
async function settled(log: readonly unknown[]): Promise<void> {
  for (let seen = -1; seen !== log.length; ) {
    seen = log.length;
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('publish: verify before tag', () => {
  const env = proxiedRegistry();
  let client: RegistryClient;
  /** straight to the registry, not through the proxy: what it holds */
  let direct: RegistryClient;
  beforeEach(() => {
    client = new RegistryClient({ credentials: async () => undefined, retry: RETRY, timeoutMs: 5000 });
    direct = new RegistryClient({ credentials: async () => undefined });
  });
  const repoOf = (name: string): RepositoryRef => ({ registry: env.registry.host, repository: name });
  const tagsIn = async (name: string): Promise<string[]> => {
    try {
      return await direct.listTags(repoOf(name));
    } catch (e) {
      if (isAnyarchError(e) && e.code === 'E_NOT_FOUND') return [];
      throw e;
    }
  };
  const missingIn = async (name: string, blobs: Map<string, number>): Promise<Set<string>> => {
    const out = new Set<string>();
    for (const d of blobs.keys()) if (!(await direct.hasBlob(repoOf(name), d as `sha256:${string}`))) out.add(d);
    return out;
  };

  test('every variant passes: pushed by digest, verified, the annotated index tagged; a re-run uploads nothing', async () => {
    const img = image();
    const tag = parseReference(`${env.proxy.host}/pub/good:1`);
    const events: PublishEvent[] = [];
    const result = await publish(await rootOf(img), { client, tags: [tag, parseReference(`${env.proxy.host}/pub/good:latest`)], verify: true, onProgress: (e) => events.push(e) });

    assert.equal(result.passed, true);
    assert.deepEqual(result.tagged, [`${env.proxy.host}/pub/good:1`, `${env.proxy.host}/pub/good:latest`]);
    assert.deepEqual(result.variants.map((v) => `${v.platform.os}/${v.platform.architecture}`), ['linux/amd64', 'linux/arm64']);
    assert.ok(result.variants.every((v) => v.verification && v.verification.verdicts.every((d) => d.severity === 'info')));
    assert.equal(publishOutcome(result), 'clean');

    // the tag names the annotated index, not the one pushed before verifying, which is there by digest
    assert.notEqual(result.index.digest, img.root.digest);
    const head = await direct.headManifest(repoOf('pub/good'), '1');
    assert.equal(head?.digest, result.index.digest);
    assert.ok(await direct.headManifest(repoOf('pub/good'), img.root.digest), 'the index pushed before verifying is there by digest');
    const tagged = (await direct.getManifest(repoOf('pub/good'), '1')).manifest as ImageIndex;
    assert.equal(tagged.annotations?.[VERIFIED_PLATFORMS_ANNOTATION], 'linux/amd64,linux/arm64');
    assert.equal(tagged.annotations?.[VERIFIED_BY_ANNOTATION], packageVersion());
    assert.deepEqual(readVerifiedAnnotation(tagged.annotations)?.platforms, ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(
      tagged.manifests.map((m) => m.digest),
      img.manifests.map((m) => m.digest),
      'the annotated index lists the manifests verified',
    );

    const blobs = blobsOf(img);
    // progress: every blob, then verify's layers, then each tag, in that order
    const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
    assert.deepEqual(phases, ['push', 'verify', 'tag']);
    const lastPush = events.filter((e) => e.phase === 'push').at(-1);
    assert.deepEqual(lastPush && [lastPush.done, lastPush.total], [blobs.size, blobs.size]);
    assert.deepEqual(events.flatMap((e) => (e.phase === 'tag' ? [e.reference] : [])), result.tagged);
    assert.equal(result.stats.uploaded, blobs.size);
    assert.equal(result.stats.exists, 0);
    const manifestBytes = img.manifests.reduce((n, m) => n + m.size, 0) + img.root.size;
    const blobBytes = [...blobs.values()].reduce((a, b) => a + b, 0);
    // blobs, the three manifests, then the annotated index three times (by digest and two tags)
    assert.equal(result.stats.bytesUploaded, blobBytes + manifestBytes + 3 * result.index.size);

    const again = await publish(await rootOf(img), { client, tags: [tag], verify: true });
    assert.equal(again.passed, true);
    assert.equal(again.stats.uploaded, 0);
    assert.equal(again.stats.exists, blobs.size);
    assert.equal(again.index.digest, result.index.digest, 'the same image and anyarch give the same annotated index');
    assert.equal(again.stats.bytesUploaded, manifestBytes + 2 * again.index.size);
  });

  test('a variant refused by verify: no tag written at all, the verdicts in the report; a re-run after the fix uploads only what changed', async () => {
    const bad = image({ wrongArm64: true });
    const tag = parseReference(`${env.proxy.host}/pub/refused:1`);
    const result = await publish(await rootOf(bad), { client, tags: [tag], verify: true });

    assert.equal(result.passed, false);
    assert.deepEqual(result.tagged, []);
    assert.equal(result.index.digest, bad.root.digest, 'the index pushed by digest, unannotated');
    const arm = result.report?.platforms.find((p) => p.name === 'linux/arm64');
    assert.ok(arm?.verdicts.some((v) => v.id === 'AA201' && v.severity === 'error' && v.path === '/usr/local/bin/app'), JSON.stringify(arm?.verdicts));
    assert.equal(result.variants.find((v) => v.platform.architecture === 'arm64')?.verification, arm);
    assert.equal(publishOutcome(result), 'findings');
    assert.deepEqual(await tagsIn('pub/refused'), [], 'the registry lists no tag');
    assert.equal(await direct.headManifest(repoOf('pub/refused'), '1'), undefined);
    assert.ok(!env.proxy.log.some((e) => e.method === 'PUT' && /\/manifests\/1$/.test(e.path)), 'no tag was ever sent');
    // a caller's platform choice does not narrow what is verified before a tag
    const narrowed = await publish(await rootOf(bad), { client, tags: [tag], verify: true, verifyOptions: { platforms: parsePlatformList('linux/amd64') } });
    assert.equal(narrowed.passed, false);
    assert.deepEqual(narrowed.tagged, []);
    // at --fail-on never the same verdicts pass
    const lenient = await publish(await rootOf(bad), { client, tags: [parseReference(`${env.proxy.host}/pub/lenient:1`)], verify: true, failOn: 'never' });
    assert.equal(lenient.passed, true);

    // the fix changes the arm64 program only: its layer, config and manifest are all that is sent
    const fixed = image();
    const before = await missingIn('pub/refused', blobsOf(fixed));
    assert.ok(before.size > 0 && before.size < blobsOf(fixed).size);
    const rerun = await publish(await rootOf(fixed), { client, tags: [tag], verify: true });
    assert.equal(rerun.passed, true);
    assert.deepEqual(rerun.tagged, [`${env.proxy.host}/pub/refused:1`]);
    assert.equal(rerun.stats.uploaded, before.size);
    assert.equal(rerun.stats.exists, blobsOf(fixed).size - before.size);
    const sent = [...before].reduce((n, d) => n + (blobsOf(fixed).get(d) ?? 0), 0);
    const manifestBytes = fixed.manifests.reduce((n, m) => n + m.size, 0) + fixed.root.size;
    assert.equal(rerun.stats.bytesUploaded, sent + manifestBytes + 2 * rerun.index.size);
    assert.equal((await direct.headManifest(repoOf('pub/refused'), '1'))?.digest, rerun.index.digest);
  });

  test('--no-verify: the index as composed is tagged, with no verify annotation and no report', async () => {
    const img = image({ wrongArm64: true, seed: 'no-verify' });
    const result = await publish(await rootOf(img), { client, tags: [parseReference(`${env.proxy.host}/pub/unverified:1`)], verify: false });
    assert.equal(result.passed, true);
    assert.equal(result.report, undefined);
    assert.equal(result.index.digest, img.root.digest);
    assert.equal((await direct.headManifest(repoOf('pub/unverified'), '1'))?.digest, img.root.digest);
    assert.ok(result.variants.every((v) => v.verification === undefined));
  });

  test('a reference without a tag pushes by digest and tags nothing; tags of two repositories are E_USAGE', async () => {
    const img = image({ seed: 'by-digest' });
    const result = await publish(await rootOf(img), { client, tags: [{ registry: env.proxy.host, repository: 'pub/bydigest' }], verify: true });
    assert.equal(result.passed, true);
    assert.deepEqual(result.tagged, []);
    assert.ok(await direct.headManifest(repoOf('pub/bydigest'), result.index.digest));
    assert.deepEqual(await tagsIn('pub/bydigest'), []);
    await assert.rejects(
      publish(await rootOf(img), { client, tags: [parseReference(`${env.proxy.host}/a/b:1`), parseReference(`${env.proxy.host}/a/c:1`)], verify: true }),
      (e) => isAnyarchError(e) && e.code === 'E_USAGE' && /two repositories/.test(e.message),
    );
  });

  test('the registry drops the connection during a blob upload: E_NETWORK naming the image, nothing tagged; a re-run through a healthy proxy uploads only the missing blobs', async () => {
    const img = image({ seed: 'dropped' });
    const blobs = blobsOf(img);
    // the arm64 program's layer: every try of its upload is cut off
    const victim = (JSON.parse(new TextDecoder().decode(img.blobs.get(img.manifests[1]?.digest as string))) as { layers: { digest: string }[] }).layers[1]?.digest as string;
    const hex = victim.slice('sha256:'.length);
    env.proxy.setRules([{ match: { method: 'PUT', path: new RegExp(`/blobs/uploads/.*digest=sha256(?::|%3A)${hex}`) }, faults: Array(20).fill({ kind: 'reset' }) }]);
    const tag = parseReference(`${env.proxy.host}/pub/dropped:1`);
    await assert.rejects(publish(await rootOf(img), { client, tags: [tag], verify: true }), (e) => {
      assert.ok(isAnyarchError(e));
      assert.equal(e.code, 'E_NETWORK');
      assert.match(e.message, new RegExp(`^publishing ${env.proxy.host}/pub/dropped@${img.root.digest}: `));
      assert.match(e.message, new RegExp(victim));
      return true;
    });
    assert.ok(env.proxy.log.some((e) => e.fault === 'reset'));
    await settled(env.proxy.log);
    assert.deepEqual(await tagsIn('pub/dropped'), []);
    assert.ok(!env.proxy.log.some((e) => e.method === 'PUT' && /\/manifests\//.test(e.path)), 'no manifest was put before every blob was there');

    env.proxy.setRules([]);
    const missing = await missingIn('pub/dropped', blobs);
    assert.ok(missing.has(victim));
    const rerun = await publish(await rootOf(img), { client, tags: [tag], verify: true });
    assert.equal(rerun.passed, true);
    assert.equal(rerun.stats.uploaded, missing.size);
    assert.equal(rerun.stats.exists, blobs.size - missing.size);
    assert.equal((await direct.headManifest(repoOf('pub/dropped'), '1'))?.digest, rerun.index.digest);
  });

  test('the registry fails every manifest put (HTTP 500): E_REGISTRY naming the image and the status, nothing tagged; a re-run uploads no blob', async () => {
    const img = image({ seed: 'manifest-put' });
    env.proxy.setRules([{ match: { method: 'PUT', path: /\/manifests\// }, faults: Array(20).fill({ kind: 'status', status: 500 }) }]);
    const tag = parseReference(`${env.proxy.host}/pub/putfails:1`);
    await assert.rejects(publish(await rootOf(img), { client, tags: [tag], verify: true }), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, 'E_REGISTRY');
      assert.equal(e.status, 500);
      assert.match(e.message, new RegExp(`^publishing ${env.proxy.host}/pub/putfails@${img.root.digest}: .*HTTP 500`));
      return true;
    });
    assert.deepEqual(await tagsIn('pub/putfails'), []);

    env.proxy.setRules([]);
    const rerun = await publish(await rootOf(img), { client, tags: [tag], verify: true });
    assert.equal(rerun.passed, true);
    assert.equal(rerun.stats.uploaded, 0);
    assert.equal(rerun.stats.exists, blobsOf(img).size);
    assert.deepEqual(await tagsIn('pub/putfails'), ['1']);
  });

  test('the registry goes away after the push, while the tag is written: E_NETWORK, and the re-run tags it', async () => {
    const img = image({ seed: 'tag-put' });
    const tag = parseReference(`${env.proxy.host}/pub/tagfails:1`);
    env.proxy.setRules([{ match: { method: 'PUT', path: /\/manifests\/1$/ }, faults: Array(20).fill({ kind: 'reset' }) }]);
    await assert.rejects(publish(await rootOf(img), { client, tags: [tag], verify: true }), (e) => isAnyarchError(e) && e.code === 'E_NETWORK' && /publishing .*pub\/tagfails@/.test(e.message));
    assert.deepEqual(await tagsIn('pub/tagfails'), []);
    env.proxy.setRules([]);
    const rerun = await publish(await rootOf(img), { client, tags: [tag], verify: true });
    assert.deepEqual(rerun.tagged, [`${env.proxy.host}/pub/tagfails:1`]);
    assert.equal(rerun.stats.uploaded, 0);
  });
});
