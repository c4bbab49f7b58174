import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHostileServer } from '../../../test/support/hostile-server.js';
import { startPypiIndex, type PypiIndex } from '../../../test/support/pypi-index.js';
import type { DistributionFile } from '../types.js';
import { openPythonIndex, parseSimpleHtml } from './index.js';
import { isMetadataFailure } from '../metadata-failure.js';

const NO_RETRY = { attempts: 1, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 };
const FAST_RETRY = { attempts: 3, baseMs: 1, maxMs: 2, maxRetryAfterMs: 1 };

const PROJECTS = [
  { name: 'NatPkg', files: ['natpkg-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'natpkg-1.0.0.tar.gz'], yanked: ['natpkg-1.0.0.tar.gz'] },
  { name: 'broken', files: [], status: 500 },
  { name: 'teapot', files: [], status: 418 },
  { name: 'garbage', files: [], garbage: 'this is not an index page' },
  { name: 'badjson', files: [], garbage: '{"files": [{"name": 1}]}' },
];


test('openPythonIndex: an index that is no http(s) URL is a usage error that never prints its user-info', () => {
  for (const indexUrl of ['ftp://user:s3cret@mirror.example/simple', 'file:///srv/wheels', 'not a url']) {
    assert.throws(
      () => openPythonIndex({ indexUrl }),
      (e: unknown) => (e as { code?: string }).code === 'E_USAGE' && /is not an http\(s\) URL/.test((e as Error).message) && !(e as Error).message.includes('s3cret'),
      indexUrl,
    );
  }
  assert.doesNotThrow(() => openPythonIndex({ indexUrl: 'https://user:s3cret@mirror.example/simple', offline: true }), 'user-info is pip\'s way to a private index');
});

describe('openPythonIndex against a loopback index', () => {
  let json: PypiIndex;
  let html: PypiIndex;
  before(async () => {
    json = await startPypiIndex(PROJECTS);
    html = await startPypiIndex(PROJECTS, { html: true });
  });
  after(async () => {
    await json.stop();
    await html.stop();
  });

  for (const mode of ['json', 'html'] as const) {
    test(`${mode}: files with URLs, hashes, requires-python, yanked; names normalised`, async () => {
      const server = mode === 'json' ? json : html;
      const index = openPythonIndex({ indexUrl: server.url, retry: NO_RETRY });
      const files = (await index.files('natpkg')) as DistributionFile[];
      assert.ok(Array.isArray(files));
      assert.deepEqual(files.map((f) => f.filename), PROJECTS[0]!.files);
      assert.ok(files[0]!.url?.startsWith(server.url.replace('/simple/', '/files/')), files[0]!.url);
      assert.match(files[0]!.hash ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(files[0]!.requiresPython, '>=3.8');
      assert.equal(files[1]!.yanked, true);
      assert.equal(files[0]!.yanked, undefined);
      // Nat_Pkg is natpkg: asked once (memoised)
      await index.files('Nat_Pkg');
      assert.equal(server.requests.filter((r) => r === '/simple/natpkg/').length, 1);
    });
  }

  test('no such project is undefined; 5xx, other statuses and garbage are failures naming the project and status', async () => {
    const index = openPythonIndex({ indexUrl: json.url, retry: FAST_RETRY });
    assert.equal(await index.files('nothere'), undefined);
    const broken = await index.files('broken');
    assert.ok(isMetadataFailure(broken));
    assert.match(broken.error.message, /broken.*HTTP 500|HTTP 500 for broken/);
    assert.equal(json.requests.filter((r) => r === '/simple/broken/').length, 3, '500 is retried');
    const teapot = await index.files('teapot');
    assert.ok(isMetadataFailure(teapot));
    assert.match(teapot.error.message, /HTTP 418 for teapot/);
    const garbage = await index.files('garbage');
    assert.ok(isMetadataFailure(garbage));
    assert.match(garbage.error.message, /garbage with text\/plain, neither PEP 691 JSON nor PEP 503 HTML/);
    const badjson = await index.files('badjson');
    assert.ok(isMetadataFailure(badjson));
    assert.match(badjson.error.message, /badjson with JSON that is not a PEP 691 project page/);
  });

  test('the cache answers the second run without a request; failures are not cached; offline misses', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'anyarch-pypi-'));
    const before = json.requests.length;
    const first = openPythonIndex({ indexUrl: json.url, cacheDir, retry: NO_RETRY });
    assert.ok(Array.isArray(await first.files('natpkg')));
    assert.equal(await first.files('nothere'), undefined);
    assert.ok(isMetadataFailure(await first.files('garbage')));
    assert.equal(json.requests.length, before + 3);
    assert.equal(readdirSync(path.join(cacheDir, 'pypi-simple')).length, 2, 'natpkg and the 404, not the garbage');
    const offline = openPythonIndex({ indexUrl: json.url, cacheDir, offline: true });
    const again = (await offline.files('natpkg')) as DistributionFile[];
    assert.equal(again.length, 2);
    assert.equal(again[1]!.yanked, true);
    assert.equal(await offline.files('nothere'), undefined);
    const miss = await offline.files('garbage');
    assert.ok(isMetadataFailure(miss));
    assert.match(miss.error.message, /garbage: not in the cache; run without --offline once/);
    assert.equal(json.requests.length, before + 3, 'offline asks nothing');
  });

  test('a server that resets the connection is a network failure, not a crash', async () => {
    const hostile = await startHostileServer(() => ({ kind: 'reset' }));
    try {
      const index = openPythonIndex({ indexUrl: `http://${hostile.host}/simple/`, retry: NO_RETRY, timeoutMs: 2000 });
      const r = await index.files('numpy');
      assert.ok(isMetadataFailure(r));
      assert.equal(r.error.code, 'E_NETWORK');
      assert.match(r.error.message, /numpy/);
    } finally {
      await hostile.stop();
    }
  });
});

describe('parseSimpleHtml', () => {
  test('anchors with entities, relative URLs, hashes; text when present, else the URL', () => {
    const files = parseSimpleHtml(
      `<html><body><a href="/p/a-1.0.tar.gz#sha256=${'a'.repeat(64)}" data-requires-python="&gt;=3.9">a-1.0.tar.gz</a>
       <A HREF='https://cdn.example/a-1.0-py3-none-any.whl' data-yanked="broken"></A></body></html>`,
      'https://idx.example/simple/a/',
    );
    assert.deepEqual(files, [
      { filename: 'a-1.0.tar.gz', url: 'https://idx.example/p/a-1.0.tar.gz', hash: `sha256:${'a'.repeat(64)}`, requiresPython: '>=3.9' },
      { filename: 'a-1.0-py3-none-any.whl', url: 'https://cdn.example/a-1.0-py3-none-any.whl', yanked: true },
    ]);
  });
});
