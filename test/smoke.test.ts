// Smoke runs of real binaries: Debian's busybox-static for arm64 and amd64 in generated images,
// extracted and run under qemu-<arch>-static (or natively), with QEMU's binfmt handlers
// registered so that a wrong-architecture binary would run if the kernel were asked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SmokeResult } from '../src/smoke/types.js';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { AnyarchError } from '../src/errors.js';
import { openRoot, type Image, type Index } from '../src/oci/image.js';
import { commandArgv, smokeRun } from '../src/smoke/run.js';
import { tempPaths } from './support/assert.js';
import { registerQemuBinfmt } from './support/binfmt.js';
import { debianFile, debianTree } from './support/debian-packages.js';
import { buildTestImage, builtImageSource, writeOciLayout, type TestPlatformImage } from './support/images.js';

const tmp = tempPaths('anyarch-smoke-');
let busybox: { arm64: Uint8Array; amd64: Uint8Array };

before(() => {
  busybox = { arm64: debianFile('busybox-static', 'arm64', '/bin/busybox'), amd64: debianFile('busybox-static', 'amd64', '/bin/busybox') };
  registerQemuBinfmt(['aarch64']);
});

const CONFIG = { Entrypoint: ['/bin/busybox'], Cmd: ['echo', 'from-cmd'], Env: ['PATH=/usr/bin:/bin', 'GREETING=hi'], WorkingDir: '/work' };

async function imageOf(variants: { arch: 'arm64' | 'amd64'; files: Record<string, string | Uint8Array>; config?: Record<string, unknown> }[]): Promise<Index> {
  const images: TestPlatformImage[] = variants.map((v) => ({ platform: { os: 'linux', architecture: v.arch }, layers: [{ files: v.files }], containerConfig: v.config ?? CONFIG }));
  const root = await openRoot(builtImageSource(buildTestImage(images)));
  assert.equal(root.kind, 'index');
  return root as Index;
}

async function variant(arch: 'arm64' | 'amd64', files: Record<string, string | Uint8Array>, config?: Record<string, unknown>): Promise<Image> {
  return (await imageOf([{ arch, files, ...(config ? { config } : {}) }])).imageFor(`linux/${arch}`);
}

/** A fresh directory for the temporary roots of one test, to see that nothing is left there. */
function parentDir(): string {
  const d = tmp('roots');
  spawnSync('mkdir', [d]);
  return d;
}

test('an arm64 variant runs `busybox echo ok` under qemu-aarch64-static in a chroot with no network, and the root is removed', async () => {
  const parent = parentDir();
  const img = await variant('arm64', { 'bin/busybox': busybox.arm64 });
  const r = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'echo', 'ok'], entrypoint: false }, { extract: { parent } });
  assert.equal(r.error, undefined, r.output);
  assert.equal(r.ok, true);
  assert.equal(r.exitCode, 0);
  assert.equal(r.output, 'ok\n');
  assert.equal(r.via, 'qemu');
  assert.equal(r.confinement, 'chroot');
  assert.equal(r.network, 'none');
  assert.equal(r.platform, 'linux/arm64');
  assert.deepEqual(readdirSync(parent), []);
});

test('an arm64 variant whose /bin/busybox is x86-64 fails, while binfmt handlers would run it; an amd64 variant holding arm64 busybox is refused too', async () => {
  // the handler is live: the kernel runs an arm64 busybox on this machine when asked directly
  const direct = spawnSync(path.join(debianTree('busybox-static', 'arm64'), 'bin/busybox'), ['echo', 'binfmt'], { encoding: 'utf8' });
  assert.equal(direct.stdout, 'binfmt\n', 'qemu-aarch64 binfmt handler registered');

  const wrong = await imageOf([
    { arch: 'arm64', files: { 'bin/busybox': busybox.amd64 } },
    { arch: 'amd64', files: { 'bin/busybox': busybox.arm64 } },
  ]);
  const arm = await smokeRun(await wrong.imageFor('linux/arm64'), 'linux/arm64', { argv: ['/bin/busybox', 'echo', 'ok'], entrypoint: false });
  assert.equal(arm.ok, false);
  assert.equal(arm.exitCode, 255);
  assert.match(arm.output, /Invalid ELF image for this architecture/);
  assert.equal(arm.via, 'qemu');

  const amd = await smokeRun(await wrong.imageFor('linux/amd64'), 'linux/amd64', { argv: ['busybox', 'echo', 'ok'], entrypoint: false }, { host: { os: 'linux', architecture: 'amd64', variant: '' } });
  assert.equal(amd.ok, false);
  assert.equal(amd.via, 'native');
  assert.equal(amd.exitCode, 126, 'refused as the kernel or QEMU would refuse it: the image is at fault');
  assert.equal(amd.notRun, undefined);
  assert.match(amd.error ?? '', /exec format error: \/bin\/busybox: an ELF 64-bit LSB file for machine 183, not linux\/amd64 \(EM_X86_64\)/);
  assert.match(amd.output, /exec format error/);
});

test("QEMU emulates the variant's oldest CPU: Debian's armhf (ARMv7) busybox runs in arm/v7 and dies of an illegal instruction in arm/v6", async () => {
  const armhf = debianFile('busybox-static', 'armhf', '/bin/busybox');
  const built = buildTestImage(
    ['v7', 'v6'].map((variant) => ({ platform: { os: 'linux', architecture: 'arm', variant }, layers: [{ files: { 'bin/busybox': armhf } }], containerConfig: CONFIG })),
  );
  const index = (await openRoot(builtImageSource(built))) as Index;
  const v7 = await smokeRun(await index.imageFor('linux/arm/v7'), 'linux/arm/v7', { argv: ['busybox', 'echo', 'ok'], entrypoint: false });
  assert.equal(v7.error, undefined, v7.output);
  assert.equal(v7.output, 'ok\n');
  const v6 = await smokeRun(await index.imageFor('linux/arm/v6'), 'linux/arm/v6', { argv: ['busybox', 'echo', 'ok'], entrypoint: false });
  assert.equal(v6.ok, false);
  assert.match(v6.output, /uncaught target signal 4 \(Illegal instruction\)/);
});

test('the native platform runs without QEMU, in a chroot', async () => {
  const img = await variant('amd64', { 'bin/busybox': busybox.amd64 });
  const r = await smokeRun(img, 'linux/amd64', { argv: ['busybox', 'sh', '-c', 'echo native; ls /'], entrypoint: false }, { host: { os: 'linux', architecture: 'amd64', variant: '' } });
  assert.equal(r.error, undefined, r.output);
  assert.equal(r.via, 'native');
  assert.equal(r.confinement, 'chroot');
  assert.equal(r.output, 'native\nbin\ndev\nwork\n', "the image's root (WorkingDir and /dev made as Docker makes them), no emulator copied in");
});

test('a timeout kills `sleep 100` and everything it started', async () => {
  const img = await variant('arm64', { 'bin/busybox': busybox.arm64 });
  const started = Date.now();
  const r = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'sh', '-c', 'busybox sleep 100.125 & busybox setsid busybox sleep 100.5 & busybox sleep 100.25'], entrypoint: false }, { timeoutMs: 1500 });
  assert.equal(r.ok, false);
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
  assert.match(r.error ?? '', /still running after 1500 ms: killed/);
  assert.ok(Date.now() - started < 60_000);
  // a daemon left behind by a run that ended is killed with it, as a container's processes are
  for (const confinement of ['chroot', 'qemu-prefix'] as const) {
    const daemon = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'sh', '-c', 'busybox setsid busybox sleep 100.75 >/dev/null 2>&1 & echo started'], entrypoint: false }, { confinement });
    assert.equal(daemon.ok, true);
    assert.equal(daemon.output, 'started\n');
  }
  const timedOutPrefix = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'sh', '-c', 'busybox setsid busybox sleep 100.5 & busybox sleep 100.25'], entrypoint: false }, { timeoutMs: 1500, confinement: 'qemu-prefix' });
  assert.equal(timedOutPrefix.timedOut, true);
  const left = readdirSync('/proc')
    .filter((p) => /^[0-9]+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return ['100.125', '100.25', '100.5', '100.75'].some((d) => cmd.includes(`sleep\u0000${d}`));
      } catch {
        return false;
      }
    });
  assert.deepEqual(left, [], 'no process of the run is left');
});

test("Entrypoint and Cmd as Docker combines them; the image's Env, WorkingDir and User are honoured in the chroot", async () => {
  const files = { 'bin/busybox': busybox.arm64, 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', 'etc/group': 'root:x:0:\nstaff:x:50:\n' };
  const img = await variant('arm64', files, { ...CONFIG, User: 'app:staff' });
  const cmd = await smokeRun(img, 'linux/arm64', { argv: [], entrypoint: true });
  assert.equal(cmd.output, 'from-cmd\n');
  assert.deepEqual(cmd.argv, ['/bin/busybox', 'echo', 'from-cmd']);
  const args = await smokeRun(img, 'linux/arm64', { argv: ['sh', '-c', 'echo $GREETING $HOME; pwd; id -u; id -g'], entrypoint: true });
  assert.equal(args.error, undefined, args.output);
  assert.equal(args.output, 'hi /home/app\n/work\n1000\n50\n');
  const missing = await smokeRun(img, 'linux/arm64', { argv: ['nosuch'], entrypoint: false });
  assert.equal(missing.ok, false);
  assert.equal(missing.exitCode, 127, 'as a shell and docker run give it');
  assert.equal(missing.notRun, undefined);
  assert.match(missing.error ?? '', /nosuch: no such executable file in the image \(PATH \/usr\/bin:\/bin\)/);

  assert.deepEqual(commandArgv({ Entrypoint: null, Cmd: ['a', 'b'] }, { argv: [], entrypoint: true }), ['a', 'b']);
  assert.deepEqual(commandArgv({ Entrypoint: ['e'], Cmd: ['c'] }, { argv: ['x'], entrypoint: false }), ['x']);
  assert.deepEqual(commandArgv(undefined, { argv: [], entrypoint: true }), []);
});

test('a smoke run cannot reach the network: a server on this machine sees no connection', async () => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('reached');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const img = await variant('arm64', { 'bin/busybox': busybox.arm64 });
    for (const confinement of ['chroot', 'qemu-prefix'] as const) {
      const r = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'sh', '-c', `echo 'GET / HTTP/1.0' | busybox nc 127.0.0.1 ${port}`], entrypoint: false }, { confinement });
      assert.equal(r.network, 'none');
      assert.equal(r.confinement, confinement);
      assert.equal(r.ok, false);
      assert.match(r.output, /can't connect to remote host \(127\.0\.0\.1\): Network is unreachable/);
    }
    assert.equal(hits, 0);
  } finally {
    server.close();
  }
});

test('qemu -L (no root needed) runs too and says what it cannot promise; output is bounded', async () => {
  const img = await variant('arm64', { 'bin/busybox': busybox.arm64 });
  const r = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'sh', '-c', 'i=0; while [ $i -lt 1000 ]; do echo line $i; i=$((i+1)); done'], entrypoint: false }, { confinement: 'qemu-prefix', outputLines: 3 });
  assert.equal(r.error, undefined);
  assert.equal(r.ok, true);
  assert.equal(r.confinement, 'qemu-prefix');
  assert.match(r.notes?.join('\n') ?? '', /resolve on this machine/);
  const total = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('').length;
  assert.equal(r.output, `line 0\nline 1\nline 2\n… (${total - 'line 0\nline 1\nline 2\n'.length} more bytes)`);
});

test('an image that cannot be extracted is a failed result, not a throw; misuse throws E_USAGE', async () => {
  const img = await variant('arm64', { 'bin/busybox': busybox.arm64, '../escape': 'x' });
  const r = await smokeRun(img, 'linux/arm64', { argv: ['busybox', 'true'], entrypoint: false });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /cannot be extracted for a smoke run: linux\/arm64 layer 1 \(sha256:[0-9a-f]{64}\): the entry "\.\.\/(escape)?" names a path outside the root/);
  await assert.rejects(smokeRun(img, 'linux/arm64', { argv: [], entrypoint: false }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE');
  await assert.rejects(smokeRun(img, 'linux/arm64', { argv: ['true'], entrypoint: false }, { timeoutMs: 0 }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_USAGE');
});

test('without root: a chroot in a user namespace, or qemu -L, still with no network; what cannot be honoured is said', async () => {
  // the compiled library, the child and the image, where uid 65534 can read them (the checkout may be private)
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  // /tmp: world-traversable on every Linux (the test's own temporary directory is private)
  const work = mkdtempSync('/tmp/anyarch-unprivileged-');
  after(() => rmSync(work, { recursive: true, force: true }));
  cpSync(path.join(dist, 'src'), path.join(work, 'dist', 'src'), { recursive: true });
  cpSync(path.join(dist, 'test', 'support', 'smoke-child.js'), path.join(work, 'dist', 'test', 'support', 'smoke-child.js'));
  writeFileSync(path.join(work, 'package.json'), '{"type":"module"}\n');
  const built = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: { 'bin/busybox': busybox.arm64 } }], containerConfig: { User: '1000' } }]);
  await writeOciLayout(path.join(work, 'layout'), built);
  spawnSync('chmod', ['-R', 'a+rX', work]);

  const run = (confinement: string): SmokeResult => {
    const r = spawnSync(process.execPath, [path.join(work, 'dist', 'test', 'support', 'smoke-child.js'), path.join(work, 'layout'), 'linux/arm64', confinement, 'busybox', 'sh', '-c', 'echo ok; busybox id -u; busybox nc 127.0.0.1 1'], {
      uid: 65534,
      gid: 65534,
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as SmokeResult;
  };
  const userns = run('auto');
  assert.equal(userns.confinement, 'chroot');
  assert.equal(userns.network, 'none');
  assert.match(userns.output, /^ok\n0\n/, 'root of its own user namespace');
  assert.match(userns.output, /Network is unreachable/);
  assert.match(userns.notes?.join('\n') ?? '', /User 1000 is not taken without root/);
  assert.match(userns.notes?.join('\n') ?? '', /no \/dev\/null and the other standard devices/);
  const prefix = run('qemu-prefix');
  assert.equal(prefix.confinement, 'qemu-prefix');
  assert.equal(prefix.network, 'none');
  assert.match(prefix.output, /^ok\n/);
  assert.match(prefix.output, /Network is unreachable/);
});

/** Builds `test/support/smoke-programs/<name>.c` with gcc (`args` before the source) into the test's directory. */
function compile(name: string, args: readonly string[]): Uint8Array {
  const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'support', 'smoke-programs', `${name}.c`);
  const out = tmp(name);
  const r = spawnSync('gcc', [...args, '-O1', '-o', out, source], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

test("the chroot run is a boundary, as root too: a static program's chroot escape finds no file of this machine, and it cannot signal PID 1 or make a device", async () => {
  const escape = compile('escape', ['-static']);
  // a world-readable file of this machine, in a directory anyone may enter
  const dir = mkdtempSync('/tmp/anyarch-host-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const secret = path.join(dir, 'host-secret');
  writeFileSync(secret, 'the host secret\n', { mode: 0o644 });
  spawnSync('chmod', ['755', dir]);
  const img = await variant('amd64', { 'bin/escape': escape, 'bin/busybox': busybox.amd64 }, { Env: ['PATH=/bin'] });
  const r = await smokeRun(img, 'linux/amd64', { argv: ['escape', secret], entrypoint: false }, { host: { os: 'linux', architecture: 'amd64', variant: '' } });
  assert.equal(r.error, undefined, r.output);
  assert.equal(r.confinement, 'chroot');
  assert.doesNotMatch(r.output, /HOST FILE READ|ALLOWED/);
  assert.match(r.output, /open host file: No such file or directory/, 'the escape leads to a root holding only the image and the helpers');
  assert.match(r.output, /kill 1: Operation not permitted/, 'root of its own user namespace, nobody on this machine');
  assert.match(r.output, /mknod: (Operation not permitted|Permission denied)/);
  assert.match(r.output, /uid 0\n/, 'root inside, as in a container');
  // what the image holds stays writable by its root (the files belong to the ids the namespace maps)
  const write = await smokeRun(img, 'linux/amd64', { argv: ['busybox', 'sh', '-c', 'echo x > /bin/new && busybox mkdir /made && echo wrote'], entrypoint: false }, { host: { os: 'linux', architecture: 'amd64', variant: '' } });
  assert.equal(write.output, 'wrote\n');
});

test("the image's Env never reaches this machine's programs: LD_PRELOAD and PATH naming the image's files run no image code outside emulation", async () => {
  const preload = compile('preload', ['-shared', '-fPIC']);
  const evilScript = '#!/bin/sh\necho IMAGE CODE RAN OUTSIDE EMULATION from PATH >&2\nexit 0\n';
  const files: Record<string, string | Uint8Array> = { 'evil.so': preload, 'work/evil.so': preload, 'bin/busybox': busybox.arm64 };
  for (const name of ['sh', 'env', 'unshare', 'nsenter', 'mount', 'umount', 'pivot_root', 'sleep', 'qemu-aarch64-static']) files[`work/bin/${name}`] = evilScript;
  const env = ['PATH=bin:/work/bin:/bin', 'LD_PRELOAD=./evil.so /evil.so', 'LD_LIBRARY_PATH=.:/work', 'GREETING=hi'];
  const arm = await variant('arm64', files, { Env: env, WorkingDir: '/work' });
  for (const confinement of ['chroot', 'qemu-prefix'] as const) {
    const r = await smokeRun(arm, 'linux/arm64', { argv: ['/bin/busybox', 'sh', '-c', 'echo $GREETING $LD_PRELOAD'], entrypoint: false }, { confinement });
    assert.equal(r.confinement, confinement);
    assert.doesNotMatch(r.output, /IMAGE CODE RAN/, `${confinement}: ${r.output}`);
    assert.match(r.output, /hi \.\/evil\.so \/evil\.so\n$/, 'the program itself gets the whole environment');
    assert.equal(r.ok, true, r.output);
  }
  // natively the last helper (unshare's chroot) starts with the image's environment, where the image's files are out of reach
  const amd = await variant('amd64', { ...files, 'bin/busybox': busybox.amd64 }, { Env: env, WorkingDir: '/work' });
  const r = await smokeRun(amd, 'linux/amd64', { argv: ['/bin/busybox', 'sh', '-c', 'echo $GREETING'], entrypoint: false }, { host: { os: 'linux', architecture: 'amd64', variant: '' } });
  assert.equal(r.confinement, 'chroot');
  assert.doesNotMatch(r.output, /IMAGE CODE RAN/, r.output);
  assert.match(r.output, /hi\n$/);
});
