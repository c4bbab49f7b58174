/**
 * openNpmMetadata against a real npm registry: verdaccio 6.8.0 on 127.0.0.1 with no uplinks, the
 * fixtures of test/support/npm-fixtures.ts published to it with `npm publish`, their release
 * assets on a loopback static server, and the fault proxy in front of verdaccio for 503s,
 * truncated and corrupted answers. Verdaccio starts once for the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isMetadataFailure, openNpmMetadata, type NpmMetadataOptions } from '../src/deps/npm/registry.js';
import type { NpmManifest } from '../src/deps/types.js';
import { tempPaths } from './support/assert.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { ASSETS, publishFixtures } from './support/npm-fixtures.js';
import { startStaticServer, type StaticServer } from './support/static-server.js';
import { startVerdaccio, type Verdaccio } from './support/verdaccio.js';

let reg: Verdaccio;
let assets: StaticServer;
let proxy: FaultProxy;
const tmp = tempPaths('anyarch-npmreg-');
const fast: Partial<NpmMetadataOptions> = { retry: { attempts: 3, baseMs: 1, maxMs: 2 }, timeoutMs: 10_000 };

before(async () => {
  [reg, assets] = await Promise.all([startVerdaccio(), startStaticServer()]);
  await publishFixtures(reg, assets);
  proxy = await startFaultProxy(reg.registry.replace(/\/$/, ''));
});
after(async () => {
  await proxy?.stop();
  await assets?.stop();
  await reg?.stop();
});

function ok<T>(v: T): Exclude<T, { error: unknown } | undefined> {
  assert.ok(v !== undefined && !isMetadataFailure(v), `expected an answer, got ${isMetadataFailure(v) ? v.error.message : 'undefined'}`);
  return v as Exclude<T, { error: unknown } | undefined>;
}

describe('openNpmMetadata against verdaccio', () => {
  test('packuments: scoped family members with os/cpu/libc, the parent with its optional members', async () => {
    const meta = openNpmMetadata({ registry: reg.registry, ...fast });
    const member = ok(await meta.manifest('@fx/napi-linux-arm64-musl', '1.0.0'));
    assert.deepEqual([member.os, member.cpu, member.libc], [['linux'], ['arm64'], ['musl']]);
    assert.equal(member.tarball, `${reg.registry}@fx/napi-linux-arm64-musl/-/napi-linux-arm64-musl-1.0.0.tgz`);
    assert.match(member.integrity ?? '', /^sha512-/);
    const parent = ok(await meta.manifest('@fx/sharpish', '1.0.0'));
    assert.deepEqual(Object.keys(parent.optionalDependencies ?? {}).sort(), ['@fx/sharpish-linux-arm64', '@fx/sharpish-linux-x64', '@fx/sharpish-linuxmusl-x64']);
    assert.deepEqual(await meta.versions('@fx/sharpish'), ['1.0.0', '1.1.0']);
    assert.ok('@fx/sharpish-linuxmusl-arm64' in (ok(await meta.manifest('@fx/sharpish', '1.1.0')).optionalDependencies ?? {}));
  });

  test('packuments: what npm publish records of node-gyp, node-pre-gyp and prebuild-install packages', async () => {
    const meta = openNpmMetadata({ registry: reg.registry, ...fast });
    const gyp: NpmManifest = ok(await meta.manifest('fx-gyp', '1.0.0'));
    // npm publish adds these for a package with a binding.gyp and no install script
    assert.equal(gyp.gypfile, true);
    assert.equal(gyp.scripts?.install, 'node-gyp rebuild');
    const pregyp = ok(await meta.manifest('fx-pregyp', '1.0.0'));
    assert.equal(pregyp.binary?.host, assets.url);
    assert.equal(pregyp.binary?.module_name, 'fx_pregyp');
    assert.deepEqual(pregyp.binary?.napi_versions, [3]);
    assert.equal(pregyp.dependencies?.['@mapbox/node-pre-gyp'], '^1.0.11');
    const prebuild = ok(await meta.manifest('fx-prebuild', '1.0.0'));
    assert.equal(prebuild.scripts?.install, 'prebuild-install || node-gyp rebuild --release');
    assert.equal(prebuild.repository, 'git+https://github.com/fx-fixtures/fx-prebuild.git');
    assert.equal(await meta.manifest('fx-gyp', '9.9.9'), undefined, 'no such version');
    assert.equal(await meta.manifest('no-such-package', '1.0.0'), undefined, 'no such package, and no uplink to ask');
    assert.deepEqual(await meta.versions('@fx/no-such'), []);
  });

  test('tarball file lists: the prebuilds/ tree of a prebuildify package, read from the published tarball', async () => {
    const meta = openNpmMetadata({ registry: reg.registry, ...fast });
    const files = ok(await meta.files('fx-prebuildify', '1.0.0'));
    assert.deepEqual(
      files.filter((f) => f.startsWith('package/prebuilds/')).sort(),
      ['package/prebuilds/darwin-x64+arm64/node.napi.node', 'package/prebuilds/linux-arm64/node.napi.armv8.node', 'package/prebuilds/linux-x64/node.napi.glibc.node', 'package/prebuilds/linux-x64/node.napi.musl.node'],
    );
    assert.ok(files.includes('package/package.json') && files.includes('package/binding.gyp'));
    const member = ok(await meta.files('@fx/napi-linux-x64-gnu', '1.0.0'));
    assert.deepEqual([...member].sort(), ['package/fx.linux-x64-gnu.node', 'package/package.json']);
  });

  test('HEAD of release assets: present ones true, the musl arm64 ones false', async () => {
    const meta = openNpmMetadata({ registry: reg.registry, ...fast });
    for (const a of ASSETS) assert.equal(await meta.exists(assets.url + a), true, a);
    assert.equal(await meta.exists(`${assets.url}pregyp/v1.0.0/fx_pregyp-v1.0.0-napi-v3-linux-musl-arm64.tar.gz`), false);
    assert.equal(await meta.exists(`${assets.url}prebuild/v1.0.0/fx-prebuild-v1.0.0-node-v115-linuxmusl-arm64.tar.gz`), false);
  });

  test('a warm cache answers with no request; offline answers from it and names what it lacks', async () => {
    const cacheDir = tmp('cache');
    const requests: string[] = [];
    const cold = openNpmMetadata({ registry: reg.registry, cacheDir, onRequest: (w) => requests.push(w), ...fast });
    const asset = `${assets.url}${ASSETS[0]}`;
    const answers = async (m: ReturnType<typeof openNpmMetadata>): Promise<unknown[]> => [
      await m.manifest('@fx/napi', '1.0.0'),
      await m.versions('@fx/napi'),
      await m.files('fx-prebuildify', '1.0.0'),
      await m.exists(asset),
      await m.exists(`${assets.url}absent.tar.gz`),
    ];
    const first = await answers(cold);
    assert.deepEqual(requests, ['packument @fx/napi', 'packument fx-prebuildify', 'tarball fx-prebuildify@1.0.0', `HEAD ${asset}`, `HEAD ${assets.url}absent.tar.gz`]);
    requests.length = 0;
    const heads = assets.requests.length;
    const warm = openNpmMetadata({ registry: reg.registry, cacheDir, onRequest: (w) => requests.push(w), ...fast });
    assert.deepEqual(await answers(warm), first);
    assert.equal(requests.join(', '), '', 'no request from a warm cache');
    assert.equal(assets.requests.length, heads);
    const offline = openNpmMetadata({ registry: reg.registry, cacheDir, offline: true, onRequest: (w) => requests.push(w) });
    assert.deepEqual(await answers(offline), first);
    const miss = await offline.manifest('fx-gyp', '1.0.0');
    assert.ok(isMetadataFailure(miss));
    assert.equal(miss.error.message, 'packument fx-gyp: not in the cache; run without --offline once');
    assert.ok(isMetadataFailure(await offline.exists(`${assets.url}other.tar.gz`)));
    assert.deepEqual(requests, []);
  });

  test('through a fault proxy: a 503 and a truncated tarball are retried; a tarball truncated every time or corrupted is a failure and nothing is cached', async () => {
    const cacheDir = tmp('cache');
    const via = `${proxy.url}/`;
    proxy.setRules([
      { match: { path: /^\/fx-gyp$/ }, faults: [{ kind: 'status', status: 503, body: 'busy' }] },
      { match: { path: /fx-prebuildify-1\.0\.0\.tgz$/ }, faults: [{ kind: 'truncate', afterBytes: 100 }, { kind: 'truncate', afterBytes: 100 }, { kind: 'truncate', afterBytes: 100 }, { kind: 'corrupt', atByte: 40 }] },
    ]);
    const meta = openNpmMetadata({ registry: via, cacheDir, ...fast });
    assert.equal(ok(await meta.manifest('fx-gyp', '1.0.0')).gypfile, true);
    assert.deepEqual(
      proxy.log.filter((l) => l.path === '/fx-gyp').map((l) => l.status),
      [503, 200],
    );
    const tarball = `${via}fx-prebuildify/-/fx-prebuildify-1.0.0.tgz`;
    const cut = await meta.files('fx-prebuildify', '1.0.0', tarball);
    assert.ok(isMetadataFailure(cut), 'a tarball truncated on every try is a failure');
    assert.equal(proxy.log.filter((l) => l.fault === 'truncate 100').length, 3, 'a truncated tarball is tried again');
    assert.match(cut.error.message, /^tarball fx-prebuildify@1\.0\.0: /);
    const again = openNpmMetadata({ registry: via, cacheDir, ...fast });
    const corrupt = await again.files('fx-prebuildify', '1.0.0', tarball);
    assert.ok(isMetadataFailure(corrupt), 'a corrupted tarball is a failure');
    const third = openNpmMetadata({ registry: via, cacheDir, ...fast });
    assert.ok(ok(await third.files('fx-prebuildify', '1.0.0', tarball)).includes('package/binding.gyp'), 'nothing was cached from the failures');
  });
});
