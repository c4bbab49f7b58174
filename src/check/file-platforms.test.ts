import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlatform, parsePlatformList } from '../platform/index.js';
import { isPlainDockerfileName, platformOfFileName, platformsForFile } from './file-platforms.js';

const name = (f: string): string | undefined => {
  const p = platformOfFileName(f);
  return p && formatPlatform(p);
};
const TARGETS = parsePlatformList('linux/amd64,linux/arm64');

describe('platformOfFileName', () => {
  it('reads the linuxserver.io names and their relatives', () => {
    assert.equal(name('Dockerfile.aarch64'), 'linux/arm64');
    assert.equal(name('docker/Dockerfile.arm64'), 'linux/arm64');
    assert.equal(name('Dockerfile.armhf'), 'linux/arm/v7');
    assert.equal(name('Dockerfile.amd64'), 'linux/amd64');
    assert.equal(name('Dockerfile-arm64'), 'linux/arm64');
    assert.equal(name('Dockerfile_arm64v8'), 'linux/arm64');
    assert.equal(name('Containerfile.ppc64le'), 'linux/ppc64le');
    assert.equal(name('arm64.Dockerfile'), 'linux/arm64');
    assert.equal(name('app.arm64.Dockerfile'), 'linux/arm64');
    assert.equal(name('server-x86_64.Dockerfile'), 'linux/amd64');
    assert.equal(name('C:\\src\\Dockerfile.i386'), 'linux/386');
  });

  it('reads nothing from names without an architecture word', () => {
    for (const f of ['Dockerfile', 'Dockerfile.dev', 'Dockerfile.alpine', 'prod.Dockerfile', 'Dockerfile.arm64.dev', 'firmware64.Dockerfile', 'Dockerfile.x86_64-unknown-linux-gnu', 'Dockerfilearm64']) {
      assert.equal(name(f), undefined, f);
    }
  });
});

describe('platformsForFile', () => {
  it('a per-architecture file is checked for its own platform whatever the targets', () => {
    const r = platformsForFile('Dockerfile.aarch64', ['Dockerfile'], TARGETS);
    assert.deepEqual(r?.platforms.map(formatPlatform), ['linux/arm64']);
    assert.equal(r?.from, 'file-name');
  });

  it('a plain Dockerfile beside per-architecture siblings gets the remaining platforms', () => {
    // linuxserver.io: Dockerfile (amd64) and Dockerfile.aarch64 (arm64)
    const r = platformsForFile('x/Dockerfile', ['Dockerfile.aarch64', 'Dockerfile.armhf'], TARGETS);
    assert.deepEqual(r?.platforms.map(formatPlatform), ['linux/amd64']);
    assert.equal(r?.from, 'siblings');
  });

  it('leaves the targets alone without siblings, for other names, or when siblings take every target', () => {
    assert.equal(platformsForFile('Dockerfile', ['Dockerfile.dev'], TARGETS), undefined);
    assert.equal(platformsForFile('Dockerfile.dev', ['Dockerfile.aarch64'], TARGETS), undefined);
    assert.equal(platformsForFile('Dockerfile', ['Dockerfile.aarch64', 'Dockerfile.amd64'], TARGETS), undefined);
    assert.equal(platformsForFile('Dockerfile', ['Dockerfile.s390x'], TARGETS), undefined);
  });

  it('knows the plain names', () => {
    assert.ok(isPlainDockerfileName('a/b/Dockerfile'));
    assert.ok(isPlainDockerfileName('Containerfile'));
    assert.ok(!isPlainDockerfileName('Dockerfile.aarch64'));
  });
});
