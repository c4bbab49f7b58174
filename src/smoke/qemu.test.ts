import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { makePlatform } from '../platform/make.js';
import { tempPaths } from '../../test/support/assert.js';
import { debianFile } from '../../test/support/debian-packages.js';
import { findProgram, nativeMismatch, resolveUser, runInRoot } from './qemu.js';

const tmp = tempPaths('anyarch-qemu-');
const AMD64 = makePlatform('linux', 'amd64');
const ARM64 = makePlatform('linux', 'arm64');

/** A root holding `files` (a string starting with `->` is a symlink to the rest). */
function root(files: Record<string, string | Uint8Array>): string {
  const dir = tmp('root');
  mkdirSync(dir);
  for (const [p, v] of Object.entries(files)) {
    const abs = path.join(dir, p);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof v === 'string' && v.startsWith('->')) symlinkSync(v.slice(2), abs);
    else {
      writeFileSync(abs, v);
      chmodSync(abs, 0o755);
    }
  }
  return dir;
}

test("a symlink at the emulator's place in the image is replaced, never written through", async () => {
  const victim = tmp('victim');
  writeFileSync(victim, 'host file');
  const r = root({ 'bin/busybox': debianFile('busybox-static', 'arm64', '/bin/busybox'), '.anyarch-qemu': `->${victim}` });
  const run = await runInRoot(r, { platform: ARM64, argv: ['busybox', 'echo', 'ok'], host: AMD64 });
  assert.equal(run.output, 'ok\n');
  assert.equal(readFileSync(victim, 'utf8'), 'host file');
});

test('programs are found in PATH inside the root, symlinks followed inside it only', () => {
  const r = root({ 'bin/busybox': '\x7fELF', 'bin/echo': '->busybox', usr: '->/', 'bin/env': '->/usr/bin/env', 'bin/data': '->../etc/data', 'etc/data': 'x' });
  chmodSync(path.join(r, 'etc/data'), 0o644);
  assert.equal(findProgram(r, 'echo', '/usr/local/bin:/usr/bin:/bin', '/'), '/usr/bin/echo', '/usr -> / inside the root');
  assert.equal(findProgram(r, 'env', '/bin', '/'), undefined, "the host's /usr/bin/env is not the image's");
  assert.equal(findProgram(r, 'data', '/bin', '/'), undefined, 'not executable');
  assert.equal(findProgram(r, './bin/busybox', '', '/'), '/bin/busybox', 'a relative name from the working directory');
  assert.equal(findProgram(r, 'busybox', 'bin', '/'), '/bin/busybox', 'a relative PATH entry from the working directory');
});

test("the image's User resolves by name, number and group as Docker does", () => {
  const r = root({ 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n', 'etc/group': 'root:x:0:\nstaff:x:50:\n' });
  assert.deepEqual(resolveUser(r, 'app'), { uid: 1000, gid: 1001, home: '/home/app' });
  assert.deepEqual(resolveUser(r, '1000'), { uid: 1000, gid: 1001, home: '/home/app' });
  assert.deepEqual(resolveUser(r, '4242'), { uid: 4242, gid: 0 });
  assert.deepEqual(resolveUser(r, 'app:staff'), { uid: 1000, gid: 50, home: '/home/app' });
  assert.deepEqual(resolveUser(r, '7:9'), { uid: 7, gid: 9 });
  assert.match((resolveUser(r, 'nobody') as { error: string }).error, /unable to find user nobody/);
  assert.match((resolveUser(r, 'app:wheel') as { error: string }).error, /unable to find group wheel/);
});

test("a native run judges the program's ELF header, through a script's interpreter, before running it", async () => {
  const arm = debianFile('busybox-static', 'arm64', '/bin/busybox');
  const amd = debianFile('busybox-static', 'amd64', '/bin/busybox');
  const r = root({ 'bin/busybox': arm, 'bin/script': '#!/bin/busybox sh\necho hi\n', 'bin/busybox-ok': amd, 'bin/okscript': '#! /bin/busybox-ok sh\necho script ran\n', 'bin/text': 'just text' });
  assert.match(nativeMismatch(r, '/bin/busybox', AMD64) ?? '', /machine 183, not linux\/amd64/);
  assert.match(nativeMismatch(r, '/bin/script', AMD64) ?? '', /\/bin\/busybox: an ELF 64-bit LSB file for machine 183/);
  assert.equal(nativeMismatch(r, '/bin/busybox-ok', AMD64), undefined);
  assert.equal(nativeMismatch(r, '/bin/text', AMD64), undefined, 'not an ELF: the kernel decides');
  const run = await runInRoot(r, { platform: AMD64, argv: ['okscript'], env: ['PATH=/bin'], host: AMD64 });
  assert.equal(run.error, undefined, run.output);
  assert.equal(run.output, 'script ran\n');
  assert.equal(run.via, 'native');
});

test('where no network namespace can be made the run is refused, unless the network is allowed, and the result says so', async () => {
  const r = root({ 'bin/busybox': debianFile('busybox-static', 'arm64', '/bin/busybox') });
  const opts = { platform: ARM64, argv: ['busybox', 'echo', 'ok'], host: AMD64, unsharePath: '/nonexistent/unshare' };
  const refused = await runInRoot(r, opts);
  assert.match(refused.error ?? '', /cannot make a network namespace for the run/);
  assert.equal(refused.exitCode, undefined);
  assert.equal(refused.output, '');
  const allowed = await runInRoot(r, { ...opts, allowNetwork: true });
  assert.equal(allowed.error, undefined);
  assert.equal(allowed.output, 'ok\n');
  assert.equal(allowed.network, 'host');
  assert.equal(allowed.confinement, 'qemu-prefix', 'no chroot without unshare');
});
