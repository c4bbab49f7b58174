import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { parsePlatform } from '../platform/index.js';
import { buildElf } from '../../test/support/elf-bytes.js';
import { busyboxStatic, goBinary } from '../../test/support/real-binaries.js';
import { findArchitectureMismatches, listAdditions, mismatchError, parseAddition } from './additions.js';

const usage = (code = 'E_USAGE') => (e: unknown) => isAnyarchError(e) && e.code === code;

describe('parseAddition (--add / --add-dir grammar)', () => {
  it('reads PLATFORM=SRC:DEST', () => {
    assert.deepEqual(parseAddition('linux/arm64=dist/arm64/app:/usr/local/bin/app', false), {
      platform: parsePlatform('linux/arm64'),
      from: 'dist/arm64/app',
      to: '/usr/local/bin/app',
      dir: false,
    });
    assert.deepEqual(parseAddition('linux/arm/v7=out:/srv', true), { platform: parsePlatform('linux/arm/v7'), from: 'out', to: '/srv', dir: true });
  });

  it('without PLATFORM= the addition is for every platform', () => {
    assert.deepEqual(parseAddition('config.yaml:/etc/app/config.yaml', false), { from: 'config.yaml', to: '/etc/app/config.yaml', dir: false });
  });

  it('splits at the last ":/": Windows sources and colons in the source stay whole', () => {
    assert.equal(parseAddition('windows/amd64=C:\\dist\\app.exe:/app/app.exe', false).from, 'C:\\dist\\app.exe');
    assert.equal(parseAddition('C:/dist/app:/usr/local/bin/app', false).from, 'C:/dist/app');
    assert.equal(parseAddition('C:/dist/app:/usr/local/bin/app', false).to, '/usr/local/bin/app');
    const a = parseAddition('out/a:b:/opt/a:b', false);
    assert.equal(a.from, 'out/a:b');
    assert.equal(a.to, '/opt/a:b');
  });

  it('an "=" is a platform only before a known os: other text before "=" is part of the path', () => {
    assert.deepEqual(parseAddition('dist/a=b:/app', false), { from: 'dist/a=b', to: '/app', dir: false });
    assert.deepEqual(parseAddition('./linux/arm64=x:/app', false), { from: './linux/arm64=x', to: '/app', dir: false });
    assert.equal(parseAddition('linux/amd64=a=b:/c=d', false).from, 'a=b');
    assert.equal(parseAddition('linux/amd64=a=b:/c=d', false).to, '/c=d');
  });

  it('a misspelt platform is a usage error, not a file name', () => {
    assert.throws(() => parseAddition('linux/amd46=app:/app', false), usage());
  });

  it('a DEST ending in / takes the file name (as COPY does); destinations are normalised', () => {
    assert.equal(parseAddition('linux/amd64=dist/amd64/app:/usr/local/bin/', false).to, '/usr/local/bin/app');
    assert.equal(parseAddition('C:\\dist\\app.exe:/bin/', false).to, '/bin/app.exe');
    assert.equal(parseAddition('dir:/srv//www/./', true).to, '/srv/www');
  });

  it('refuses a relative or escaping destination, a missing destination, an empty source', () => {
    assert.throws(() => parseAddition('app:usr/bin/app', false), usage());
    assert.throws(() => parseAddition('app', false), usage());
    assert.throws(() => parseAddition(':/app', false), usage());
    assert.throws(() => parseAddition('app:/usr/../../etc/passwd', false), usage());
  });

  it('takes a JSON form for what the short form cannot say', () => {
    assert.deepEqual(parseAddition('{"platform":"linux/arm64","from":"a","to":"/x:/y"}', false), { platform: parsePlatform('linux/arm64'), from: 'a', to: '/x:/y', dir: false });
    assert.deepEqual(parseAddition('{"from":"a","to":"/x"}', true), { from: 'a', to: '/x', dir: true });
    assert.throws(() => parseAddition('{"from":"a"}', false), usage());
    assert.throws(() => parseAddition('{"from":"a","to":"/x","mode":1}', false), usage());
    assert.throws(() => parseAddition('{nope', false), usage());
  });
});

describe('listAdditions', () => {
  it('lists a directory in name order, keeps links, refuses missing files and wrong kinds', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-add-'));
    try {
      await mkdir(path.join(dir, 'www', 'b'), { recursive: true });
      await writeFile(path.join(dir, 'www', 'z.txt'), 'z');
      await writeFile(path.join(dir, 'www', 'b', 'a.txt'), 'a');
      await symlink('z.txt', path.join(dir, 'www', 'link'));
      const files = await listAdditions([parseAddition('www:/srv', true)], dir);
      assert.deepEqual(
        files.map((f) => [f.to, f.kind, f.target]),
        [
          ['/srv/b', 'dir', undefined],
          ['/srv/b/a.txt', 'file', undefined],
          ['/srv/link', 'symlink', 'z.txt'],
          ['/srv/z.txt', 'file', undefined],
        ],
      );
      await assert.rejects(listAdditions([parseAddition('nope:/x', false)], dir), usage('E_NOT_FOUND'));
      await assert.rejects(listAdditions([parseAddition('www:/x', false)], dir), usage('E_INPUT'));
      await assert.rejects(listAdditions([parseAddition('www/z.txt:/x', true)], dir), usage('E_INPUT'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the architecture check of added binaries', () => {
  it('finds a real amd64 Go binary added for linux/arm64, naming the file, what it is and the platform', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-arch-'));
    try {
      await writeFile(path.join(dir, 'app-amd64'), goBinary('linux/amd64'));
      await writeFile(path.join(dir, 'app-arm64'), goBinary('linux/arm64'));
      await chmod(path.join(dir, 'app-amd64'), 0o755);
      const additions = [parseAddition('linux/arm64=app-amd64:/app', false), parseAddition('linux/amd64=app-amd64:/app', false)];
      const platforms = [parsePlatform('linux/amd64'), parsePlatform('linux/arm64')];
      const found = await findArchitectureMismatches(await listAdditions(additions, dir), platforms, dir);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.file, 'app-amd64');
      assert.equal(found[0]!.platform.architecture, 'arm64');
      assert.match(found[0]!.what, /^ELF 64-bit LSB x86-64/);
      const e = mismatchError(found);
      assert.equal(e.code, 'E_INPUT');
      assert.match(e.message, /^app-amd64 is ELF 64-bit LSB x86-64.*, which does not run on linux\/arm64; nothing was written or pushed$/);

      const ok = [parseAddition('linux/arm64=app-arm64:/app', false), parseAddition('linux/amd64=app-amd64:/app', false)];
      assert.deepEqual(await findArchitectureMismatches(await listAdditions(ok, dir), platforms, dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('judges a binary added for every platform against each of them, and binaries inside an added directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-arch-'));
    try {
      await mkdir(path.join(dir, 'tree', 'bin'), { recursive: true });
      await writeFile(path.join(dir, 'tree', 'bin', 'busybox'), busyboxStatic('linux/arm/v7'));
      await writeFile(path.join(dir, 'tree', 'README'), 'text');
      await writeFile(path.join(dir, 'tool'), buildElf({ class: 64, machine: 183 })); // aarch64
      const platforms = [parsePlatform('linux/amd64'), parsePlatform('linux/arm64'), parsePlatform('linux/arm/v7')];
      const files = await listAdditions([parseAddition('tool:/usr/bin/tool', false), parseAddition('linux/amd64=tree:/opt', true)], dir);
      const found = await findArchitectureMismatches(files, platforms, dir);
      assert.deepEqual(
        found.map((m) => `${m.file} ${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}`),
        ['tool amd64', 'tool arm/v7', path.join('tree', 'bin', 'busybox') + ' amd64'],
      );
      assert.match(mismatchError(found).message, /and 2 more/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets a 32-bit binary on its 64-bit platform and files it cannot judge through', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-arch-'));
    try {
      await writeFile(path.join(dir, 'i386'), buildElf({ class: 32, machine: 3 }));
      await writeFile(path.join(dir, 'script'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
      await writeFile(path.join(dir, 'obj.o'), buildElf({ class: 64, machine: 183, type: 1 }));
      const files = await listAdditions(['i386:/a', 'script:/b', 'obj.o:/c'].map((v) => parseAddition(`linux/amd64=${v}`, false)), dir);
      assert.deepEqual(await findArchitectureMismatches(files, [parsePlatform('linux/amd64')], dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
