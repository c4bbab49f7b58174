/**
 * The npm registry client against servers that misbehave, on 127.0.0.1: a scripted HTTP server
 * (garbage, truncated, wrong shape, 500 then 200, 404, redirects, a HEAD-refusing asset host) and
 * the raw-TCP hostile server (down, silent, reset, stalled). Every failure is a value naming the
 * package and the status, and nothing is cached from one. The same client against a real registry
 * (verdaccio) is test/deps-npm-registry.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { tempPaths } from '../../../test/support/assert.js';
import { isAnyarchError } from '../../errors.js';
import { startHostileServer } from '../../../test/support/hostile-server.js';
import { makeTar } from '../../../test/support/rootfs-tar.js';
import { compareVersions, packumentPath, readPackument } from './packument.js';
import { isMetadataFailure, openNpmMetadata, type NpmMetadataOptions } from './registry.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const tmp = tempPaths('anyarch-npmreg-');
const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

function tgz(files: Record<string, string>): Buffer {
  return gzipSync(makeTar(Object.entries(files).map(([name, body]) => ({ name, body }))));
}

const sha512 = (b: Buffer): string => `sha512-${createHash('sha512').update(b).digest('base64')}`;

const fast: Partial<NpmMetadataOptions> = { retry: { attempts: 3, baseMs: 1, maxMs: 2 }, timeoutMs: 2000 };

function failed(v: unknown): string {
  assert.ok(isMetadataFailure(v), `expected a failure, got ${JSON.stringify(v)}`);
  return v.error.message;
}

describe('pure pieces', () => {
  test('packument paths escape the scope slash and refuse what is no package name', () => {
    assert.equal(packumentPath('esbuild'), 'esbuild');
    assert.equal(packumentPath('@img/sharp-linux-arm64'), '@img%2fsharp-linux-arm64');
    assert.equal(packumentPath('../etc/passwd'), undefined);
    assert.equal(packumentPath('a?b=c'), undefined);
    assert.equal(packumentPath('@a/b/c'), undefined);
    assert.equal(packumentPath(''), undefined);
  });

  test('a registry that is not an http(s) URL is a usage error, its user-info never printed', () => {
    assert.throws(() => openNpmMetadata({ registry: 'file:///srv/npm' }), (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE' && /not an http\(s\) URL/.test(e.message));
    assert.throws(() => openNpmMetadata({ registry: 'ftp://u:secret@host/' }), (e: unknown) => isAnyarchError(e) && !e.message.includes('secret'));
    assert.throws(() => openNpmMetadata({ registry: 'not a url' }), (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE');
  });

  test('versions sort by semver precedence, prereleases before their release', () => {
    const v = ['1.10.0', '1.2.0', '1.2.0-beta.2', '1.2.0-beta.10', '0.9.1', '1.2.0-alpha', 'garbage'];
    assert.deepEqual([...v].sort(compareVersions), ['garbage', '0.9.1', '1.2.0-alpha', '1.2.0-beta.2', '1.2.0-beta.10', '1.2.0', '1.10.0']);
  });

  test('a packument keeps only what deps reads, and drops fields of the wrong type', () => {
    const p = readPackument(
      'x',
      JSON.stringify({
        name: 'x',
        versions: {
          '1.0.0': { name: 'x', version: '1.0.0', os: 'linux', cpu: [1, 'arm64'], libc: { a: 1 }, scripts: { test: 'jest', install: 'node-gyp rebuild' }, readme: 'long', repository: { type: 'git', url: 'git+https://github.com/o/x.git' }, dist: { tarball: 'http://r/x.tgz', integrity: 'sha512-a' } },
          '0.1.0': 'not an object',
        },
      }),
      'packument x',
      200,
    );
    assert.deepEqual(p.versions, ['1.0.0']);
    assert.deepEqual(p.manifests.get('1.0.0'), { name: 'x', version: '1.0.0', os: ['linux'], cpu: ['arm64'], scripts: { install: 'node-gyp rebuild' }, repository: 'git+https://github.com/o/x.git', tarball: 'http://r/x.tgz', integrity: 'sha512-a' });
  });
});

describe('against a scripted loopback server', () => {
  test('garbage, wrong shapes and truncated bodies are failures naming the package and the status; nothing is cached', async () => {
    const { url } = await serve((req, res) => {
      const name = decodeURIComponent(req.url!.slice(1));
      if (name === 'not-json') return json(res, 200, '<html>hello</html>');
      if (name === 'empty') return json(res, 200, '');
      if (name === 'no-versions') return json(res, 200, { name: 'no-versions' });
      if (name === 'other-name') return json(res, 200, { name: 'evil', versions: {} });
      if (name === 'truncated') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('{"name":"truncated","versions":{');
        setTimeout(() => res.destroy(), 20);
        return;
      }
      if (name === 'teapot') return json(res, 418, { error: 'I am a teapot' });
      json(res, 404, { error: 'not found' });
    });
    const cacheDir = tmp('cache');
    const meta = openNpmMetadata({ registry: url, cacheDir, pack: 'garbage', ...fast });
    assert.match(failed(await meta.manifest('not-json', '1.0.0')), /packument not-json: the registry answered 200 with something that is not JSON/);
    assert.match(failed(await meta.versions('empty')), /packument empty: the registry answered 200 with an empty body/);
    assert.match(failed(await meta.manifest('no-versions', '1.0.0')), /packument no-versions: .*not a packument/);
    assert.match(failed(await meta.manifest('other-name', '1.0.0')), /packument other-name: .*packument of "evil"/);
    assert.match(failed(await meta.manifest('truncated', '1.0.0')), /packument truncated: .*(ECONNRESET|ended after|aborted)/);
    assert.match(failed(await meta.manifest('teapot', '1.0.0')), /packument teapot: 127\.0\.0\.1:\d+ answered 418: I am a teapot/);
    const small = openNpmMetadata({ registry: url, maxPackumentBytes: 10, ...fast });
    assert.match(failed(await small.manifest('no-versions', '1.0.0')), /packument no-versions: \d+ bytes is more than the 10 bytes anyarch reads/);
    assert.equal(await meta.manifest('absent', '1.0.0'), undefined);
    assert.deepEqual(await meta.versions('absent'), []);
    await meta.flush?.(); // nor a pack of them
    assert.deepEqual((existsSync(cacheDir) ? readdirSync(cacheDir, { recursive: true }) : []).filter((f) => String(f).endsWith('.json')), [], 'no answer of a failure is cached');
  });

  test('a 500 is retried and then answered; a 500 every time is a failure saying how many tries', async () => {
    let flaky = 0;
    const { url, seen } = await serve((req, res) => {
      if (req.url === '/flaky' && ++flaky < 3) return json(res, 500, { error: 'internal' });
      if (req.url === '/flaky') return json(res, 200, { name: 'flaky', versions: { '1.0.0': { name: 'flaky', version: '1.0.0', gypfile: true } } });
      json(res, 503, 'upstream down\nmore');
    });
    const meta = openNpmMetadata({ registry: url, ...fast });
    assert.deepEqual(await meta.manifest('flaky', '1.0.0'), { name: 'flaky', version: '1.0.0', gypfile: true });
    assert.match(failed(await meta.versions('down')), /packument down: 127\.0\.0\.1:\d+ answered 503: upstream down \(after 3 tries\)/);
    assert.equal(seen.filter((s) => s === 'GET /down').length, 3);
  });

  test('one packument request per name however many versions are asked, and a warm cache asks nothing', async () => {
    const tarball = tgz({ 'package/package.json': '{}', 'package/prebuilds/linux-x64/node.napi.glibc.node': 'x', 'package/prebuilds/linux-arm64/node.napi.armv8.node': 'y' });
    const { url, seen } = await serve((req, res) => {
      if (req.url === '/@sc%2fpkg') {
        const versions: Record<string, unknown> = {};
        for (const v of ['1.0.0', '1.1.0', '2.0.0']) versions[v] = { name: '@sc/pkg', version: v, dist: { tarball: `${url}@sc/pkg/-/pkg-${v}.tgz`, integrity: sha512(tarball) } };
        return json(res, 200, { name: '@sc/pkg', versions });
      }
      if (req.url?.startsWith('/@sc/pkg/-/')) {
        res.writeHead(200, { 'content-length': tarball.length });
        return res.end(tarball);
      }
      json(res, 404, {});
    });
    const cacheDir = tmp('cache');
    const requests: string[] = [];
    const meta = openNpmMetadata({ registry: url, cacheDir, onRequest: (w) => requests.push(w), ...fast });
    const [a, b, c] = await Promise.all([meta.manifest('@sc/pkg', '1.0.0'), meta.manifest('@sc/pkg', '2.0.0'), meta.versions('@sc/pkg')]);
    assert.equal((a as { version: string }).version, '1.0.0');
    assert.equal((b as { version: string }).version, '2.0.0');
    assert.deepEqual(c, ['1.0.0', '1.1.0', '2.0.0']);
    assert.deepEqual(await meta.files('@sc/pkg', '2.0.0'), ['package/package.json', 'package/prebuilds/linux-x64/node.napi.glibc.node', 'package/prebuilds/linux-arm64/node.napi.armv8.node']);
    assert.deepEqual(requests, ['packument @sc/pkg', 'tarball @sc/pkg@2.0.0']);
    const before = seen.length;
    const warm = openNpmMetadata({ registry: url, cacheDir, onRequest: (w) => requests.push(w), ...fast });
    assert.equal(((await warm.manifest('@sc/pkg', '2.0.0')) as { version: string }).version, '2.0.0');
    assert.deepEqual(await warm.versions('@sc/pkg'), ['1.0.0', '1.1.0', '2.0.0']);
    assert.equal(((await warm.files('@sc/pkg', '2.0.0')) as readonly string[]).length, 3);
    assert.equal(seen.length, before, 'a warm cache sends no request');
    const offline = openNpmMetadata({ registry: url, cacheDir, offline: true });
    assert.equal(((await offline.files('@sc/pkg', '2.0.0')) as readonly string[]).length, 3);
    assert.match(failed(await offline.manifest('@sc/pkg', '1.1.0')), /packument @sc\/pkg: not in the cache; run without --offline once/);
    assert.equal(seen.length, before);
  });

  test('a pack: a source of the same name (and registry) reads the answers the last one used from one file', async () => {
    const tarball = tgz({ 'package/package.json': '{}', 'package/prebuilds/linux-x64/node.napi.glibc.node': 'x' });
    const { url, seen } = await serve((req, res) => {
      if (req.url === '/pkg') return json(res, 200, { name: 'pkg', versions: { '1.0.0': { name: 'pkg', version: '1.0.0', gypfile: true, dist: { tarball: `${url}pkg/-/pkg-1.0.0.tgz`, integrity: sha512(tarball) } } } });
      if (req.url === '/pkg/-/pkg-1.0.0.tgz') return res.end(tarball);
      if (req.url === '/asset') return res.end();
      json(res, 404, {});
    });
    const cacheDir = tmp('cache');
    const ask = async (meta: ReturnType<typeof openNpmMetadata>): Promise<unknown[]> => [await meta.manifest('pkg', '1.0.0'), await meta.versions('pkg'), await meta.files('pkg', '1.0.0'), await meta.exists(`${url}asset`), await meta.exists(`${url}missing`)];
    const cold = openNpmMetadata({ registry: url, cacheDir, pack: 'app/package-lock.json', ...fast });
    const answers = await ask(cold);
    await cold.flush?.();
    const packs = readdirSync(path.join(cacheDir, 'npm', 'packs'));
    assert.equal(packs.length, 1);
    // the entries' own files gone: the pack alone answers, with no request, online or offline
    for (const f of readdirSync(path.join(cacheDir, 'npm'))) if (f.endsWith('.v2.json')) rmSync(path.join(cacheDir, 'npm', f));
    const before = seen.length;
    assert.deepEqual(await ask(openNpmMetadata({ registry: url, cacheDir, pack: 'app/package-lock.json', ...fast })), answers);
    assert.deepEqual(await ask(openNpmMetadata({ registry: url, cacheDir, pack: 'app/package-lock.json', offline: true })), answers);
    assert.equal(seen.length, before);
    // another name has another pack (here none): offline, the answers are not in the cache
    assert.match(failed(await openNpmMetadata({ registry: url, cacheDir, pack: 'other', offline: true }).manifest('pkg', '1.0.0')), /not in the cache/);
  });

  test('a tarball that is not gzip, is truncated, or fails its integrity is a failure, not a list', async () => {
    const good = tgz({ 'package/a.js': 'a' });
    const { url } = await serve((req, res) => {
      if (req.url === '/bad.tgz') return json(res, 200, 'not gzip at all');
      if (req.url === '/cut.tgz') {
        res.writeHead(200, { 'content-length': good.length });
        res.write(good.subarray(0, 20));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      if (req.url === '/tarred-garbage.tgz') return res.end(gzipSync(Buffer.alloc(1024, 0x41)));
      if (req.url === '/x') return json(res, 200, { name: 'x', versions: { '1.0.0': { name: 'x', version: '1.0.0', dist: { tarball: `${url}good.tgz`, integrity: sha512(Buffer.from('other')) } } } });
      res.end(good);
    });
    const meta = openNpmMetadata({ registry: url, ...fast });
    assert.match(failed(await meta.files('p', '1.0.0', `${url}bad.tgz`)), /tarball p@1\.0\.0: the tarball from 127\.0\.0\.1:\d+ is not a whole gzipped tar/);
    assert.match(failed(await meta.files('p', '1.0.1', `${url}cut.tgz`)), /tarball p@1\.0\.1: /);
    assert.match(failed(await meta.files('p', '1.0.2', `${url}tarred-garbage.tgz`)), /tarball p@1\.0\.2: the tarball .* is not a whole gzipped tar/);
    assert.match(failed(await meta.files('x', '1.0.0')), /tarball x@1\.0\.0: the tarball's sha512 is not the integrity the registry names/);
    assert.deepEqual(await meta.files('p', '1.0.3', `${url}good.tgz`), ['package/a.js']);
    assert.match(failed(await meta.files('p', '1.0.4', 'file:///etc/passwd')), /only http and https/);
  });

  test('HEAD: 2xx true, 404 false (both cached), 403 false, a 5xx a failure never cached, a HEAD-refusing host asked with GET, redirects followed', async () => {
    let flaky = 0;
    const { url, seen } = await serve((req, res) => {
      const p = req.url!;
      if (p === '/there.tar.gz') return res.writeHead(200).end();
      if (p === '/redirect.tar.gz') return res.writeHead(302, { location: '/there.tar.gz' }).end();
      // S3's answer for an absent binary (mapbox/node-pre-gyp#594: `Tried to download(403)`, then a compile)
      if (p === '/denied.tar.gz') return res.writeHead(403).end();
      if (p === '/down.tar.gz') return res.writeHead(++flaky <= 3 ? 502 : 200).end();
      if (p === '/nohead.tar.gz') return res.writeHead(req.method === 'HEAD' ? 405 : 206).end(req.method === 'HEAD' ? undefined : 'x');
      res.writeHead(404).end();
    });
    const cacheDir = tmp('cache');
    const meta = openNpmMetadata({ registry: 'http://127.0.0.1:1/', cacheDir, ...fast });
    assert.equal(await meta.exists(`${url}there.tar.gz`), true);
    assert.equal(await meta.exists(`${url}redirect.tar.gz`), true);
    assert.equal(await meta.exists(`${url}absent.tar.gz`), false);
    assert.equal(await meta.exists(`${url}denied.tar.gz`), false);
    assert.equal(await meta.exists(`${url}nohead.tar.gz`), true);
    assert.match(failed(await meta.exists(`${url}down.tar.gz`)), /HEAD http:\/\/127\.0\.0\.1:\d+\/down\.tar\.gz: 127\.0\.0\.1:\d+ answered 502 \(after 3 tries\)/);
    const n = seen.length;
    const warm = openNpmMetadata({ registry: 'http://127.0.0.1:1/', cacheDir, ...fast });
    assert.equal(await warm.exists(`${url}there.tar.gz`), true);
    assert.equal(await warm.exists(`${url}absent.tar.gz`), false);
    assert.equal(seen.length, n, 'positive and 404 answers come from the cache');
    assert.equal(await warm.exists(`${url}down.tar.gz`), true, 'the failure was not cached: asked again, now answered');
    assert.equal(await warm.exists(`${url}denied.tar.gz`), false);
    assert.equal(seen.length, n + 2);
  });

  test('the packuments of a scope come from its own registry, with its own token', async () => {
    const auth: string[] = [];
    const corp = await serve((req, res) => {
      auth.push(`corp ${req.url} ${req.headers.authorization ?? '-'}`);
      json(res, 200, { name: '@corp/x', versions: { '1.0.0': { name: '@corp/x', version: '1.0.0', gypfile: true } } });
    });
    const { url } = await serve((req, res) => {
      auth.push(`main ${req.url} ${req.headers.authorization ?? '-'}`);
      const name = decodeURIComponent(req.url!.slice(1));
      json(res, 200, { name, versions: { '1.0.0': { name, version: '1.0.0' } } });
    });
    const cacheDir = tmp('cache');
    const meta = openNpmMetadata({ registry: url, token: 'main-token', scopes: { '@corp': { registry: `${corp.url}npm/`, token: 'corp-token' } }, cacheDir, ...fast });
    assert.equal(((await meta.manifest('@corp/x', '1.0.0')) as { gypfile?: boolean }).gypfile, true);
    assert.equal(((await meta.manifest('p', '1.0.0')) as { name: string }).name, 'p');
    assert.deepEqual(auth, ['corp /npm/@corp%2fx Bearer corp-token', 'main /p Bearer main-token']);
    // another registry for the scope is another cache entry
    const elsewhere = openNpmMetadata({ registry: url, cacheDir, ...fast });
    assert.equal(((await elsewhere.manifest('@corp/x', '1.0.0')) as { name: string }).name, '@corp/x');
    assert.equal(auth.length, 3);
    assert.match(auth[2]!, /^main \/@corp%2fx -$/);
  });

  test('the token goes to the registry only, never to an asset host, and is never in a message', async () => {
    const auth: string[] = [];
    const assets = await serve((req, res) => {
      auth.push(`assets ${req.headers.authorization ?? '-'}`);
      res.writeHead(200).end();
    });
    const { url } = await serve((req, res) => {
      auth.push(`registry ${req.headers.authorization ?? '-'}`);
      if (req.url === '/secret') return json(res, 401, { error: 'bad token s3cr3t-t0ken' });
      json(res, 200, { name: 'p', versions: { '1.0.0': { name: 'p', version: '1.0.0' } } });
    });
    const meta = openNpmMetadata({ registry: url, token: 's3cr3t-t0ken', ...fast });
    assert.equal(((await meta.manifest('p', '1.0.0')) as { name: string }).name, 'p');
    assert.equal(await meta.exists(`${assets.url}x.tar.gz`), true);
    assert.deepEqual(auth, ['registry Bearer s3cr3t-t0ken', 'assets -']);
    const f = await meta.manifest('secret', '1.0.0');
    assert.ok(isMetadataFailure(f));
    assert.equal(f.error.code, 'E_AUTH');
    assert.match(f.error.message, /packument secret: 127\.0\.0\.1:\d+ answered 401: bad token \*\*\*/);
    assert.doesNotMatch(`${f.error.message} ${f.error.hint ?? ''}`, /s3cr3t/);
  });
});

describe('installFacts: the abbreviated packument', () => {
  test('asked with the install-v1 Accept header, once per name; hasInstallScript and os per version; a full document read for its scripts; cached, offline from the cache', async () => {
    const accepts: string[] = [];
    const { url, seen } = await serve((req, res) => {
      accepts.push(String(req.headers.accept));
      if (req.url === '/@sc%2fnative') {
        return json(res, 200, { name: '@sc/native', modified: '2024-01-01', versions: { '1.0.0': { name: '@sc/native', version: '1.0.0', hasInstallScript: true }, '2.0.0': { name: '@sc/native', version: '2.0.0' } } });
      }
      // a registry that ignores the Accept header answers the full document: its scripts say it
      if (req.url === '/full') return json(res, 200, { name: 'full', versions: { '1.0.0': { name: 'full', version: '1.0.0', scripts: { postinstall: 'node-gyp rebuild', test: 'x' }, os: ['darwin'] } } });
      if (req.url === '/wrong') return json(res, 200, { name: 'evil', versions: {} });
      json(res, 404, { error: 'not found' });
    });
    const cacheDir = tmp('cache');
    const meta = openNpmMetadata({ registry: url, cacheDir, ...fast });
    assert.ok(meta.installFacts);
    const [a, b, c] = await Promise.all([meta.installFacts('@sc/native', '1.0.0'), meta.installFacts('@sc/native', '2.0.0'), meta.installFacts('@sc/native', '3.0.0')]);
    assert.deepEqual([a, b, c], [{ hasInstallScript: true }, { hasInstallScript: false }, undefined]);
    assert.deepEqual(await meta.installFacts('full', '1.0.0'), { hasInstallScript: true, os: ['darwin'] });
    assert.equal(await meta.installFacts('absent', '1.0.0'), undefined);
    assert.match(failed(await meta.installFacts('wrong', '1.0.0')), /packument wrong \(abbreviated\): .*packument of "evil"/);
    assert.deepEqual(seen, ['GET /@sc%2fnative', 'GET /full', 'GET /absent', 'GET /wrong']);
    assert.ok(accepts.every((h) => h.startsWith('application/vnd.npm.install-v1+json')), accepts.join('\n'));
    // the answers of one version each are cached: a new source, offline, reads them; what was not asked is a miss
    const offline = openNpmMetadata({ registry: url, cacheDir, offline: true });
    assert.deepEqual(await offline.installFacts?.('@sc/native', '1.0.0'), { hasInstallScript: true });
    assert.deepEqual(await offline.installFacts?.('full', '1.0.0'), { hasInstallScript: true, os: ['darwin'] });
    assert.match(failed(await offline.installFacts?.('@sc/other', '1.0.0')), /packument @sc\/other \(abbreviated\): not in the cache; run without --offline once/);
    assert.equal(seen.length, 4);
  });

  test('a registry that cannot be reached is tried once, not once per package of a lock', async () => {
    const requests: string[] = [];
    const down = openNpmMetadata({ registry: 'http://127.0.0.1:1/', retry: { attempts: 2, baseMs: 1, maxMs: 2 }, onRequest: (w) => requests.push(w) });
    assert.match(failed(await down.installFacts?.('a', '1.0.0')), /packument a \(abbreviated\): ECONNREFUSED talking to 127\.0\.0\.1:1/);
    assert.match(failed(await down.installFacts?.('b', '1.0.0')), /packument b \(abbreviated\): not asked, since 127\.0\.0\.1:1 could not be reached \(ECONNREFUSED\)/);
    assert.match(failed(await down.manifest('c', '1.0.0')), /packument c: not asked/);
    assert.deepEqual(requests, ['packument a (abbreviated)', 'packument a (abbreviated)']);
  });

  test('a manifest the source already has answers without a request', async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url === '/pkg') return json(res, 200, { name: 'pkg', versions: { '1.0.0': { name: 'pkg', version: '1.0.0', scripts: { install: 'prebuild-install' } } } });
      json(res, 404, {});
    });
    const meta = openNpmMetadata({ registry: url, ...fast });
    assert.equal(((await meta.manifest('pkg', '1.0.0')) as { version: string }).version, '1.0.0');
    assert.deepEqual(await meta.installFacts?.('pkg', '1.0.0'), { hasInstallScript: true });
    assert.deepEqual(seen, ['GET /pkg']);
  });
});

describe('against the hostile server', () => {
  test('down, silent, reset, stalled and slow registries are failures within the timeout, after the retries; redirects elsewhere than http(s) are refused', async () => {
    const hostile = await startHostileServer((p) => {
      if (p === '/silent') return { kind: 'silent' };
      if (p === '/reset') return { kind: 'reset' };
      if (p === '/stall') return { kind: 'stall-body', length: 5000 };
      if (p === '/garbage') return { kind: 'answer', status: 200, body: '\u0000\u0001garbage' };
      if (p === '/slow') return { kind: 'trickle', everyMs: 50, from: 'body', length: 100_000 };
      if (p === '/to-file') return { kind: 'redirect', location: 'file:///etc/passwd' };
      if (p === '/to-userinfo') return { kind: 'redirect', location: 'http://user:pw@127.0.0.1:1/x' };
      return { kind: 'answer', status: 404 };
    });
    after(() => hostile.stop());
    const meta = openNpmMetadata({ registry: `http://${hostile.host}/`, retry: { attempts: 2, baseMs: 1, maxMs: 2 }, timeoutMs: 300 });
    const started = Date.now();
    assert.match(failed(await meta.manifest('silent', '1.0.0')), /packument silent: no answer from 127\.0\.0\.1:\d+ in time/);
    assert.match(failed(await meta.manifest('reset', '1.0.0')), /packument reset: ECONNRESET talking to 127\.0\.0\.1:\d+/);
    assert.match(failed(await meta.manifest('stall', '1.0.0')), /packument stall: no answer from 127\.0\.0\.1:\d+ in time/);
    assert.match(failed(await meta.manifest('garbage', '1.0.0')), /packument garbage: the registry answered 200 with something that is not JSON/);
    assert.match(failed(await meta.manifest('slow', '1.0.0')), /packument slow: no answer from 127\.0\.0\.1:\d+ in time/);
    assert.match(failed(await meta.manifest('to-file', '1.0.0')), /packument to-file: the server's Location points to a file: URL/);
    const userinfo = failed(await meta.manifest('to-userinfo', '1.0.0'));
    assert.match(userinfo, /packument to-userinfo: .*user-info/);
    assert.doesNotMatch(userinfo, /pw/);
    assert.ok(Date.now() - started < 15_000);
    assert.equal(hostile.requests.filter((r) => r === '/reset').length, 2, 'a reset is retried');
    const ctrl = new AbortController();
    const aborted = openNpmMetadata({ registry: 'http://127.0.0.1:1/', signal: ctrl.signal, retry: { attempts: 5, baseMs: 60_000, maxMs: 60_000 } });
    setTimeout(() => ctrl.abort(), 100);
    const waited = Date.now();
    assert.match(failed(await aborted.versions('esbuild')), /packument esbuild: no answer from 127\.0\.0\.1:1 in time/);
    assert.ok(Date.now() - waited < 5000, 'an abort ends the wait between tries');
    const down = openNpmMetadata({ registry: 'http://127.0.0.1:1/', retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
    assert.match(failed(await down.versions('esbuild')), /packument esbuild: ECONNREFUSED talking to 127\.0\.0\.1:1/);
  });
});
