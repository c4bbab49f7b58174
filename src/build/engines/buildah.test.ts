/**
 * buildah for real (Debian's 1.28): `--isolation chroot`, storage of its own (`--root`,
 * `--runroot` under a temporary directory, vfs). A Dockerfile FROM scratch with a COPY, two
 * platforms, RUN-free: the manifest list pushed to an OCI layout and read back, each platform's
 * image with its platform and file; the list removed at close. Then one platform failing:
 * E_BUILD naming it and its step, the other reported built.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { buildContext } from '../../../test/support/build-context.js';
import { rejectsWith, tempPaths } from '../../../test/support/assert.js';
import { parsePlatformList, type Platform } from '../../platform/index.js';
import type { BuildRequest } from '../types.js';
import { findEngine } from './detect.js';
import { EngineBuildError } from './failure.js';
import { runProgram } from './run.js';

const temp = tempPaths('anyarch-buildah-engine-');

function context(files: Record<string, string | Uint8Array>): string {
  return buildContext(temp('ctx'), files);
}

function request(dir: string, platforms: readonly Platform[]): BuildRequest {
  return { context: dir, dockerfile: path.join(dir, 'Dockerfile'), platforms, buildArgs: { GREETING: 'hi' }, labels: { 'org.example.test': 'buildah' }, noCache: false };
}

describe('the buildah engine: chroot isolation, storage of its own', () => {
  test('two platforms into a manifest list, read back from the OCI layout buildah wrote; the list removed at close', async () => {
    const storage = { root: temp('root'), runroot: temp('runroot'), storageDriver: 'vfs' };
    const engine = await findEngine({ engine: 'buildah', buildahStorage: storage });
    assert.equal(engine.name, 'buildah');
    assert.match(engine.why, /^buildah 1\.\d+\.\d+ at .*buildah: --engine buildah asked for it$/);
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nARG GREETING\nCOPY hello-${TARGETARCH}.txt /hello.txt\nLABEL greeting=$GREETING\n', 'hello-amd64.txt': 'hello amd64\n', 'hello-arm64.txt': 'hello arm64\n' });
    const platforms = parsePlatformList('linux/amd64,linux/arm64');
    const byPlatform = new Map<string, number>();
    const result = await engine.build(request(dir, platforms), { onOutput: (_l, p) => p && byPlatform.set(p.architecture, (byPlatform.get(p.architecture) ?? 0) + 1) });
    try {
      assert.deepEqual(result.variants.map((v) => v.platform.architecture), ['amd64', 'arm64']);
      assert.ok((byPlatform.get('amd64') ?? 0) > 0 && (byPlatform.get('arm64') ?? 0) > 0, "buildah's [platform] lines are told apart");
      for (const v of result.variants) {
        const config = await v.image.config();
        assert.equal(config.architecture, v.platform.architecture);
        const cc = await v.image.containerConfig();
        assert.equal(cc?.Labels?.['org.example.test'], 'buildah');
        assert.equal(cc?.Labels?.['greeting'], 'hi');
        const layers = await v.image.layers();
        const tars = await Promise.all(layers.map(async (l) => buffer(await l.uncompressed())));
        assert.ok(tars.some((t) => t.includes(Buffer.from(`hello ${v.platform.architecture}\n`))), 'a layer holds the file of its platform');
      }
    } finally {
      await result.close();
    }
    // the list is gone from buildah's images (the per-platform images stay, as buildah's cache)
    const lists = await runProgram(engine.program ?? 'buildah', ['--root', storage.root, '--runroot', storage.runroot, '--storage-driver', 'vfs', 'images', '--format', '{{.Name}}']);
    assert.ok(!lists.stdout.includes('anyarch-build-'), lists.stdout);
  });

  test('one platform failing: E_BUILD naming it and its step, the other reported built', async () => {
    const storage = { root: temp('root'), runroot: temp('runroot'), storageDriver: 'vfs' };
    const engine = await findEngine({ engine: 'buildah', buildahStorage: storage });
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY only-${TARGETARCH}.txt /x\n', 'only-amd64.txt': 'x\n' });
    const err = await rejectsWith(engine.build(request(dir, parsePlatformList('linux/amd64,linux/arm64')), {}), 'E_BUILD', /^buildah build failed for linux\/arm64 at COPY only-\$\{TARGETARCH\}\.txt \/x \(exit status \d+\); linux\/amd64 built$/);
    assert.ok(err instanceof EngineBuildError);
    assert.ok(err.failed[0]?.lines.some((l) => /only-arm64/.test(l)), err.failed[0]?.lines.join('\n'));
  });
});
