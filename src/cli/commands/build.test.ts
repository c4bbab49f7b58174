/**
 * `anyarch build` through the real binary: buildah for real (its storage of its own through
 * CONTAINERS_STORAGE_CONF), Debian's registry. Built and tagged (exit 0, the summary); a
 * wrong-architecture variant refused with its verdicts (exit 1, no tag); --push-by-digest prints
 * the digest alone; --format json; a check error stops the build (exit 1) before any engine; usage
 * errors (exit 2); --help a newcomer can follow.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildContext } from '../../../test/support/build-context.js';
import { tempPaths } from '../../../test/support/assert.js';
import { fakeElf } from '../../../test/support/images.js';
import { NO_SCAN_CACHE, runMeasured, type MeasuredRun } from '../../../test/support/measured.js';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { RegistryClient } from '../../registry/client.js';
import type { Io } from '../io.js';
import { build, keyValues } from './build.js';

const temp = tempPaths('anyarch-build-cli-');

/** `anyarch ARGS` in `cwd`, the environment without CI or colour settings, plus `extraEnv`. */
function anyarch(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<MeasuredRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS', 'SOURCE_DATE_EPOCH']) delete env[k];
  return runMeasured(args, { cwd, env });
}

function context(files: Record<string, string | Uint8Array>): string {
  return buildContext(temp('ctx'), files);
}

describe('anyarch build', () => {
  let reg: TestRegistry;
  let storageEnv: NodeJS.ProcessEnv;
  before(async () => {
    reg = await startRegistry();
    const conf = path.join(temp('storage'), 'storage.conf');
    mkdirSync(path.dirname(conf), { recursive: true });
    writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${path.join(path.dirname(conf), 'root')}"\nrunroot = "${path.join(path.dirname(conf), 'runroot')}"\n`);
    storageEnv = { CONTAINERS_STORAGE_CONF: conf, ANYARCH_OFFLINE: '1' };
  });
  after(async () => reg?.stop());

  test('built with buildah, verified and tagged: exit 0, the engine and why on stderr, the summary on stdout', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY app-${TARGETARCH} /app\nENTRYPOINT ["/app"]\n', 'app-amd64': fakeElf('amd64'), 'app-arm64': fakeElf('arm64') });
    const r = await anyarch(['build', '--engine', 'buildah', '-t', `${reg.host}/cli/app:v1`, '-t', `${reg.host}/cli/app:latest`, '--platform', 'linux/amd64,linux/arm64', '.'], dir, storageEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^anyarch: building with buildah 1\.\d+\.\d+ at \S+: --engine buildah asked for it$/m);
    assert.match(r.stdout, /^index \(verified, annotated\) sha256:[0-9a-f]{12} in 127\.0\.0\.1:\d+\/cli\/app$/m);
    assert.match(r.stdout, /^ {2}linux\/amd64 +sha256:[0-9a-f]{12} +[\d.]+ k?B +passed$/m);
    assert.match(r.stdout, /^ {2}linux\/arm64 +sha256:[0-9a-f]{12} +[\d.]+ k?B +passed$/m);
    assert.match(r.stdout, new RegExp(`^tagged: ${reg.host.replace(/\./g, '\\.')}/cli/app:v1, ${reg.host.replace(/\./g, '\\.')}/cli/app:latest$`, 'm'));
    const client = new RegistryClient();
    const tagged = await client.getManifest({ registry: reg.host, repository: 'cli/app' }, 'v1');
    assert.match(new TextDecoder().decode(tagged.bytes), /dev\.anyarch\.verify\.platforms/);
  });

  test('a wrong-architecture variant: exit 1, the verdict shown as verify shows it, nothing tagged', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n', app: fakeElf('amd64') });
    const r = await anyarch(['build', '--engine', 'buildah', '-t', `${reg.host}/cli/wrong:v1`, '.'], dir, storageEnv);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /AA201/);
    assert.match(r.stdout, /^not tagged: a variant was refused by verify/m);
    assert.match(r.stderr, /verify refused a variant: nothing was tagged or written/);
    await assert.rejects(new RegistryClient().getManifest({ registry: reg.host, repository: 'cli/wrong' }, 'v1'), (e: Error & { code?: string }) => e.code === 'E_NOT_FOUND');
  });

  test('--push-by-digest prints the digest alone on stdout; --format json is one document', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n', app: fakeElf('arm64') });
    const r = await anyarch(['build', '--engine', 'buildah', '--platform', 'linux/arm64', '--push-by-digest', '-t', `${reg.host}/cli/bydigest`, '.'], dir, storageEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.match(r.stderr, /pushed by digest, untagged: .*cli\/bydigest@sha256:/);
    const pj = await anyarch(['build', '--engine', 'buildah', '--platform', 'linux/arm64', '--push-by-digest', '-t', `${reg.host}/cli/bydigest`, '--format', 'json', '.'], dir, storageEnv);
    assert.equal(pj.code, 0, pj.stderr);
    const pdoc = JSON.parse(pj.stdout) as { digest: string; index: { digest: string }; tagged: string[]; variants: { descriptor: { digest: string } }[] };
    assert.match(pdoc.digest, /^sha256:[0-9a-f]{64}$/); // (buildah stamps each build's config with its time: another digest than the first run's)
    assert.equal(pdoc.variants[0]?.descriptor.digest, pdoc.digest);
    assert.match(pdoc.index.digest, /^sha256:/);
    assert.deepEqual(pdoc.tagged, []);
    const j = await anyarch(['build', '--engine', 'buildah', '--platform', 'linux/arm64', '--format', 'json', '--output', `oci:${temp('layout')}:v1`, '.'], dir, storageEnv);
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { status: string; engine: { name: string }; written: { passed: boolean; tagged: string[]; variants: unknown[] } };
    assert.equal(doc.status, 'built');
    assert.equal(doc.engine.name, 'buildah');
    assert.equal(doc.written.passed, true);
    assert.equal(doc.written.variants.length, 1);
  });

  test('check errors stop the build before any engine: exit 1, the finding as check shows it', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nRUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\n' });
    const r = await anyarch(['build', '--engine', 'buildah', '-t', `${reg.host}/cli/checked:v1`, '.'], dir, storageEnv);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Dockerfile:2:\d+/);
    assert.match(r.stdout, /AA1\d\d/);
    assert.match(r.stderr, /nothing was built \(--no-check builds anyway\)/);
    assert.doesNotMatch(r.stderr, /building with/);
  });

  test('a platform whose build fails: exit 4, the platform, its step and the engine\'s last lines on stderr, nothing tagged', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY only-${TARGETARCH} /x\n', 'only-amd64': 'x' });
    const r = await anyarch(['build', '--engine', 'buildah', '--no-check', '-t', `${reg.host}/cli/failing:v1`, '.'], dir, storageEnv);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^anyarch: linux\/arm64: failed at COPY only-\$\{TARGETARCH\} \/x \(exit status \d+\)$/m);
    assert.match(r.stderr, /^ {2}\| .*only-arm64/m);
    assert.match(r.stderr, /^anyarch: buildah build failed for linux\/arm64 .*; linux\/amd64 built$/m);
    await assert.rejects(new RegistryClient().getManifest({ registry: reg.host, repository: 'cli/failing' }, 'v1'), (e: Error & { code?: string }) => e.code === 'E_NOT_FOUND');
  });

  test('progress: one line per platform redrawn on a terminal and erased; nothing in CI', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a' });
    const run = async (env: Record<string, string | undefined>): Promise<string> => {
      let err = '';
      const io: Io = {
        cwd: dir,
        env: { ...process.env, ...NO_SCAN_CACHE, ...storageEnv, ...env },
        stdout: { write: () => true, isTTY: true },
        stderr: { write: (s: string) => ((err += s), true), isTTY: true },
        readStdin: async () => new Uint8Array(),
      };
      assert.equal(await build({ context: '.', cache: true, check: true, verify: true, format: 'text', color: false, engine: 'buildah', output: `oci:${temp('out')}` }, io), 'clean');
      return err;
    };
    const tty = await run({ CI: undefined });
    assert.match(tty, /\rlinux\/amd64 {2}.*\u001b\[K\n\rlinux\/arm64 {2}.*\u001b\[K\n/, 'a line per platform');
    assert.match(tty, /\u001b\[2A/, 'redrawn in place');
    assert.ok(tty.endsWith('\u001b[2A\r\u001b[J'), 'erased at the end');
    const ci = await run({ CI: 'true' });
    assert.equal(ci.replace(/^anyarch: building with .*\n/, ''), '');
  });

  test('usage errors exit 2 with a hint; --help explains engines, verify before tag and exit codes', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\n' });
    const none = await anyarch(['build', '.'], dir, storageEnv);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /nowhere to put the image/);
    assert.match(none.stderr, /hint: name it with -t/);
    const twoRepos = await anyarch(['build', '-t', 'a.example/x:1', '-t', 'a.example/y:1', '.'], dir, storageEnv);
    assert.equal(twoRepos.code, 2);
    assert.match(twoRepos.stderr, /two repositories/);
    const badOutput = await anyarch(['build', '--output', 'docker-archive:x.tar', '.'], dir, storageEnv);
    assert.equal(badOutput.code, 2);
    assert.match(badOutput.stderr, /writes oci:DIR\[:TAG\] or oci-archive:FILE\[:TAG\]/);
    const help = await anyarch(['build', '--help'], dir);
    assert.equal(help.code, 0);
    for (const s of ['-t, --tag <ref>', '--push-by-digest', '--no-verify', 'Engines', 'A Docker 23+ client without buildx is skipped', 'Exit codes', 'anyarch merge']) assert.ok(help.stdout.includes(s), s);
  });
});

test('--build-arg KEY takes the value from the environment, as docker build does; KEY=VALUE as given', () => {
  assert.deepEqual(keyValues('--build-arg', ['A=1', 'B', 'C', 'D=x=y'], { B: 'from-env' }), { A: '1', B: 'from-env', D: 'x=y' });
  assert.deepEqual(keyValues('--label', ['k'], undefined), { k: '' });
  assert.throws(() => keyValues('--label', ['=v'], undefined), /expected KEY=VALUE/);
});
