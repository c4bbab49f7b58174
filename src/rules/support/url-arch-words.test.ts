import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findArchTokens } from './url-arch-words.js';

const words = (url: string): string[][] =>
  findArchTokens(url).map((h) => [h.text, ...new Set(h.platforms.map((p) => p.architecture))]);

describe('findArchTokens: vendors\' own spellings', () => {
  const cases: [string, string[][]][] = [
    // errata-ai/vale release assets (GoReleaser replacements): Linux_64-bit
    ['https://github.com/errata-ai/vale/releases/download/v2.15.4/vale_2.15.4_Linux_64-bit.tar.gz', [['64-bit', 'amd64']]],
    ['https://github.com/gohugoio/hugo/releases/download/v0.96.0/hugo_extended_0.96.0_Linux-64bit.deb', [['64bit', 'amd64']]],
    ['https://example.com/app_Linux_ARM64.tar.gz', [['ARM64', 'arm64']]],
    ['https://chromedriver.storage.googleapis.com/114.0.5735.90/chromedriver_linux64.zip', [['linux64', 'amd64']]],
    ['https://github.com/protocolbuffers/protobuf/releases/download/v28.2/protoc-28.2-linux-aarch_64.zip', [['aarch_64', 'arm64']]],
    ['https://example.com/tool-x86-64-linux.tgz', [['x86-64', 'amd64']]],
    ['https://example.com/tool-linux-amd64v3.tgz', [['amd64v3', 'amd64']]],
    ['https://example.com/get?os=linux&arch=x64', [['x64', 'amd64']]],
    ['https://example.com/get?platform=linux-x64', [['x64', 'amd64']]],
    ['https://example.com/get?cpu=arm&os=linux', [['arm', 'arm']]],
    // an h2o benchmark Dockerfile (search id 55214545165): the owner "apple" is no macOS asset
    ['https://github.com/apple/foundationdb/releases/download/7.3.79/foundationdb-clients_7.3.79-1_amd64.deb', [['amd64', 'amd64']]],
  ];
  for (const [url, want] of cases) test(url, () => assert.deepEqual(words(url), want));
});

describe('findArchTokens: other-OS assets on a forge', () => {
  test('a darwin asset is still another OS\'s', () => {
    assert.deepEqual(words('https://github.com/apple/swift/releases/download/v1/swift-macos-arm64.tar.gz'), []);
    assert.deepEqual(words('https://github.com/foo/bar/releases/download/v1/bar-darwin-arm64.tar.gz'), []);
  });
});

describe('findArchTokens: unsuffixed x86-64 assets', () => {
  test('k3s: the plain binary is the x86-64 build, spanning the file name', () => {
    const url = 'https://github.com/k3s-io/k3s/releases/download/v1.30.0+k3s1/k3s';
    const [hit, ...rest] = findArchTokens(url);
    assert.equal(rest.length, 0);
    assert.equal(hit?.implicit, true);
    assert.equal(hit?.text, 'k3s');
    assert.equal(url.slice(hit?.start, hit?.end), 'k3s');
    assert.deepEqual(hit?.platforms.map((p) => p.architecture), ['amd64']);
  });
  test('azcopy with a query keeps the span before it', () => {
    const hits = findArchTokens('https://aka.ms/downloadazcopy-v10-linux?x=1');
    assert.equal(hits[0]?.text, 'downloadazcopy-v10-linux');
  });
  test('the per-arch asset names its word as usual', () => {
    assert.deepEqual(words('https://github.com/k3s-io/k3s/releases/download/v1.30.0+k3s1/k3s-arm64'), [['arm64', 'arm64']]);
  });
  test('a bare file name is never implicit', () => assert.deepEqual(words('k3s'), []));
});

describe('findArchTokens: no false positives', () => {
  for (const url of [
    'https://example.com/dl?name=x64dbg',
    'https://example.com/dl?arch=x64dbg',
    'https://example.com/libx64thing.tgz',
    'https://example.com/win-x64/app.zip',
    'https://example.com/dl?page=64',
    'https://github.com/k3s-io/k3s/releases/download/v1.30.0+k3s1/sha256sum-amd64.txt'.replace('amd64', 'all'),
  ]) {
    test(url, () => assert.deepEqual(words(url), []));
  }
});
