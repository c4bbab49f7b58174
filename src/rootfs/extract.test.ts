import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnyarchError } from '../errors.js';
import { tempPaths } from '../../test/support/assert.js';
import { makeTar, type RawEntry } from '../../test/support/rootfs-tar.js';
import { extractLayers, lookupInRoot, withExtractedRoot, type ExtractOptions } from './extract.js';
import { scanLayer } from './layer-scan.js';
import { mergeLayers } from './tree.js';

const tmp = tempPaths('anyarch-extract-');

const layer = (entries: RawEntry[]) => async () => Readable.from([makeTar(entries)]);

/** A fresh directory the temporary root is made in, so a test can see what is left there. */
function parentDir(): string {
  const d = tmp('parent');
  mkdirSync(d);
  return d;
}

async function refusal(layers: RawEntry[][], opts: ExtractOptions, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(extractLayers(layers.map(layer), opts), (e: unknown) => {
    assert.ok(e instanceof AnyarchError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
  assert.deepEqual(readdirSync(opts.parent as string), [], 'the temporary root is removed after a failure');
}

test('layers are applied bottom-up with OCI whiteouts: .wh.name, an opaque marker anywhere in its layer, aufs meta names skipped', async () => {
  const parent = parentDir();
  const r = await extractLayers(
    [
      layer([
        { name: 'a/', type: '5', mode: 0o755 },
        { name: 'a/x', body: 'x1' },
        { name: 'a/y', body: 'y1' },
        { name: 'd/keep', body: 'lower' },
        { name: 'd/old/deep', body: 'lower' },
        { name: 'e/o', body: 'lower' },
        { name: 'bin/tool', body: 'v1', mode: 0o755 },
      ]),
      layer([
        { name: 'a/.wh.x', body: '' },
        { name: 'a/y2', body: 'same layer' },
        { name: 'a/.wh.y2', body: '' }, // a whiteout never hides its own layer's file
        { name: 'd/new', body: 'upper' },
        { name: 'd/sub/kept', body: 'upper' },
        { name: 'd/.wh..wh..opq', body: '' }, // after this layer's own entries: they stay
        { name: 'a/.wh..wh.plnk', body: '' },
        { name: 'bin/tool', body: 'v2', mode: 0o750 },
      ]),
      layer([
        { name: 'e/.wh..wh..opq', body: '' }, // before this layer's own entries
        { name: 'e/n', body: 'upper' },
      ]),
    ],
    { parent },
  );
  try {
    const ls = (d: string): string[] => readdirSync(path.join(r.root, d)).sort();
    assert.deepEqual(ls('a'), ['y', 'y2']);
    assert.deepEqual(ls('d'), ['new', 'sub']);
    assert.deepEqual(ls('d/sub'), ['kept']);
    assert.deepEqual(ls('e'), ['n']);
    assert.equal(readFileSync(path.join(r.root, 'bin/tool'), 'utf8'), 'v2', 'an overwritten file has its last version');
    assert.equal(statSync(path.join(r.root, 'bin/tool')).mode & 0o777, 0o750);
    assert.equal(r.stats.files, 11);
    assert.equal(r.stats.whiteouts, 4, '.wh.x, .wh.y2 (nothing hidden) and two opaque markers; the aufs name is not one');
    assert.equal(lookupInRoot(r.root, 'a/.wh..wh.plnk'), undefined, 'no whiteout file is written');
    assert.equal(statSync(r.root).mode & 0o777, 0o755);
    assert.equal(statSync(r.tempDir).mode & 0o777, 0o700);
  } finally {
    await r.remove();
  }
  assert.deepEqual(readdirSync(parent), [], 'the temporary root is removed after success');
});

test('names that climb out or are absolute are refused, and nothing lands outside the root', async () => {
  const parent = parentDir();
  await refusal([[{ name: 'ok', body: '' }, { name: '../evil', body: 'x' }]], { parent }, 'E_SOURCE', /"\.\.\/evil" names a path outside the root/);
  await refusal([[{ name: 'a/../../evil', body: 'x' }]], { parent }, 'E_SOURCE', /outside the root/);
  await refusal([[{ name: '/etc/evil', body: 'x' }]], { parent }, 'E_SOURCE', /"\/etc\/evil" names a path outside the root/);
  assert.equal(existsSync(path.join(path.dirname(parent), 'evil')), false);
});

test('a symlink met on the way is followed inside the root only: writing through it never reaches the host', async () => {
  const parent = parentDir();
  const outside = path.join(path.dirname(parent), 'outside');
  const r = await extractLayers(
    [
      layer([
        { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
        { name: 'f', type: '2', linkname: '/etc/passwd' },
      ]),
      layer([
        // the layer's own symlinks are followed on the way to its entries (a lower layer's are replaced: see below)
        { name: 'up', type: '2', linkname: '../../../../../../../../..' + outside },
        { name: 'abs', type: '2', linkname: outside },
        { name: 'up/pwned', body: 'x' },
        { name: 'abs/pwned2', body: 'x' },
        { name: 'f', body: 'a file replaces the link' }, // the last component is never followed
      ]),
    ],
    { parent },
  );
  try {
    assert.equal(existsSync(outside), false, 'nothing is written outside the root');
    const rel = outside.slice(1);
    assert.equal(readFileSync(path.join(r.root, rel, 'pwned'), 'utf8'), 'x', '`..` is clamped at the root, as in a chroot');
    assert.equal(readFileSync(path.join(r.root, rel, 'pwned2'), 'utf8'), 'x', 'an absolute target starts at the root');
    assert.equal(lstatSync(path.join(r.root, 'f')).isFile(), true);
    assert.equal(readFileSync(path.join(r.root, 'etc/passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
    assert.equal(readlinkSync(path.join(r.root, 'up')).endsWith(outside), true, 'the symlink itself is kept as written');
  } finally {
    await r.remove();
  }
});

test('hard links only to files already in the root; links out, to missing files or through links out are refused', async () => {
  const parent = parentDir();
  const r = await extractLayers(
    [
      layer([
        { name: 'etc/passwd', body: 'image' },
        { name: 'lnk', type: '2', linkname: '/etc' },
        { name: 'h1', type: '1', linkname: 'etc/passwd' },
        { name: 'h2', type: '1', linkname: 'lnk/passwd' }, // the target's parent resolves inside the root
      ]),
    ],
    { parent },
  );
  try {
    const ino = statSync(path.join(r.root, 'etc/passwd')).ino;
    assert.equal(statSync(path.join(r.root, 'h1')).ino, ino);
    assert.equal(statSync(path.join(r.root, 'h2')).ino, ino);
    assert.notEqual(ino, statSync('/etc/passwd').ino);
  } finally {
    await r.remove();
  }
  // the reader clamps a link target at the root: `../../etc/shadow` names the root's etc/shadow, which is not there
  await refusal([[{ name: 'h', type: '1', linkname: '../../../etc/shadow' }]], { parent }, 'E_SOURCE', /hard link "h" points at "etc\/shadow", which is not in the root/);
  await refusal([[{ name: 'lnk', type: '2', linkname: '/' }, { name: 'h', type: '1', linkname: 'lnk/etc/hostname' }]], { parent }, 'E_SOURCE', /not in the root/);
  await refusal([[{ name: 'd/', type: '5' }, { name: 'h', type: '1', linkname: 'd' }]], { parent }, 'E_SOURCE', /points at the directory/);
});

test('a hard link replacing the directory that holds its target is refused (found by the property below)', async () => {
  const parent = parentDir();
  // `a/b/a/..` is the symlink a/b; the hard link `a` would replace the directory a, and a/b with it
  await refusal([[{ name: 'a/b/a/..', type: '2', linkname: 'a' }, { name: 'a', type: '1', linkname: 'a/b' }]], { parent }, 'E_SOURCE', /inside the directory it replaces/);
  assert.deepEqual(readdirSync(parent), []);
});

test("directory modes are applied only through the root's own directories: a later symlink over an ancestor (to the host, or a loop) is not followed (found by the property below)", async () => {
  const parent = parentDir();
  const host = tmp('host');
  mkdirSync(path.join(host, 'a'), { recursive: true, mode: 0o700 });
  const { chmodSync: chmod, statSync } = await import('node:fs');
  chmod(path.join(host, 'a'), 0o700);
  const r = await extractLayers([layer([{ name: 'x/a/', type: '5', mode: 0o777 }, { name: 'x', type: '2', linkname: host }, { name: 'c/outside/a/', type: '5' }, { name: 'c/outside', type: '2', linkname: 'outside' }])], { parent });
  try {
    assert.equal(statSync(path.join(host, 'a')).mode & 0o777, 0o700, "the host directory's mode is untouched");
  } finally {
    await r.remove();
  }
});

test('device nodes, FIFOs and unknown kinds are skipped and counted, never created', async () => {
  const parent = parentDir();
  const r = await extractLayers(
    [
      layer([
        { name: 'dev/null', type: '3' },
        { name: 'dev/sda', type: '4' },
        { name: 'run/fifo', type: '6' },
        { name: 'weird', type: 'Z' },
        { name: 'ok', body: 'ok' },
      ]),
    ],
    { parent },
  );
  try {
    assert.equal(r.stats.skipped, 4);
    assert.equal(r.stats.oddities.length, 4);
    assert.match(r.stats.oddities.join('\n'), /layer 1: dev\/null: a device node, skipped/);
    for (const p of ['dev/null', 'dev/sda', 'run/fifo', 'weird']) assert.equal(existsSync(path.join(r.root, p)), false, p);
    assert.equal(readFileSync(path.join(r.root, 'ok'), 'utf8'), 'ok');
  } finally {
    await r.remove();
  }
});

test('symlink loops fail the extraction; a directory a higher layer implies replaces a lower file', async () => {
  const parent = parentDir();
  await refusal([[{ name: 'a', type: '2', linkname: 'b' }, { name: 'b', type: '2', linkname: 'a' }, { name: 'a/x', body: '' }]], { parent }, 'E_SOURCE', /more than 40 symlinks/);
  const r = await extractLayers([layer([{ name: 'f', body: 'file' }]), layer([{ name: 'f/x', body: 'x' }])], { parent });
  try {
    assert.equal(readFileSync(path.join(r.root, 'f/x'), 'utf8'), 'x');
  } finally {
    await r.remove();
  }
});

test('bounded: more bytes or entries than allowed is E_LIMIT, and the root is removed', async () => {
  const parent = parentDir();
  await refusal([[{ name: 'a', body: 'x'.repeat(600) }], [{ name: 'b', body: 'x'.repeat(600) }]], { parent, maxBytes: 1000 }, 'E_LIMIT', /more than 1000 bytes/);
  await refusal([[{ name: 'a' }, { name: 'b' }], [{ name: 'c' }, { name: 'd' }]], { parent, maxEntries: 3 }, 'E_LIMIT', /more than 3 entries/);
});

test('withExtractedRoot removes the root whatever the callback does; a broken layer stream removes it too', async () => {
  const parent = parentDir();
  await assert.rejects(
    withExtractedRoot([layer([{ name: 'x', body: 'x' }])], { parent }, async (r) => {
      assert.equal(existsSync(path.join(r.root, 'x')), true);
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(readdirSync(parent), []);
  const truncated = async () => Readable.from([makeTar([{ name: 'x', body: 'x'.repeat(2000) }]).subarray(0, 1024)]);
  await assert.rejects(extractLayers([truncated], { parent }), (e: unknown) => e instanceof AnyarchError && e.code === 'E_SOURCE');
  assert.deepEqual(readdirSync(parent), []);
});

test('an interrupted extraction (SIGINT, SIGTERM) leaves no temporary root behind', async () => {
  const child = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/support/extract-child.js');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const parent = parentDir();
    const proc = spawn(process.execPath, [child, parent], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      proc.on('exit', (code) => reject(new Error(`the child exited (${code}) before it was extracting`)));
    });
    assert.match(ready, /^extracting /);
    const [dir] = readdirSync(parent);
    assert.ok(dir !== undefined && existsSync(path.join(parent, dir, 'rootfs', 'first')), 'the child is mid-extraction');
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, sig) => resolve(sig)));
    proc.kill(signal);
    assert.equal(await exited, signal, 'the process ends by the signal, as it would have');
    assert.deepEqual(readdirSync(parent), [], `the temporary root is gone after ${signal}`);
  }
});

test('property: whatever the entries (climbing names, links anywhere, whiteouts, devices), nothing is written outside the root and failures are typed', async () => {
  const fc = await import('fast-check');
  const base = tmp('property');
  mkdirSync(base);
  const outside = path.join(base, 'outside');
  mkdirSync(outside);
  const sentinel = path.join(outside, 'sentinel');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(sentinel, 'untouched');
  const parent = path.join(base, 'parent');
  mkdirSync(parent);

  const component = fc.constantFrom('a', 'b', 'c', '..', '.', 'outside');
  const name = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
  const target = fc.oneof(name, fc.constantFrom('/', '/a', '..', '../..', '../../..', '../../../../outside', outside, `${outside}/sentinel`, base));
  const entry: import('fast-check').Arbitrary<RawEntry> = fc.oneof(
    name.map((n) => ({ name: n, body: 'x' })),
    name.map((n) => ({ name: `${n}/`, type: '5' })),
    fc.tuple(name, target).map(([n, t]) => ({ name: n, type: '2', linkname: t })),
    fc.tuple(name, name).map(([n, t]) => ({ name: n, type: '1', linkname: t })),
    name.map((n) => ({ name: `${n}/.wh.a` })),
    name.map((n) => ({ name: `${n}/.wh..wh..opq` })),
    name.map((n) => ({ name: n, type: '3' })),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(entry, { maxLength: 10 }), { minLength: 1, maxLength: 3 }), async (layers) => {
      let extracted;
      try {
        extracted = await extractLayers(layers.map(layer), { parent });
      } catch (e) {
        assert.ok(e instanceof AnyarchError, `an untyped failure: ${String(e)}`);
      }
      if (extracted) {
        assert.equal(readdirSync(parent).length, 1);
        assert.deepEqual(readdirSync(extracted.tempDir), ['rootfs']);
        await extracted.remove();
      }
      assert.deepEqual(readdirSync(base).sort(), ['outside', 'parent']);
      assert.deepEqual(readdirSync(outside), ['sentinel']);
      assert.equal(readFileSync(sentinel, 'utf8'), 'untouched');
      assert.deepEqual(readdirSync(parent), []);
    }),
    { numRuns: 400 },
  );
});

test("usr-merge: a lower layer's symlink where a layer implies a directory is hidden by it, as on overlayfs and in the verified tree; the layer's own symlink is followed", async () => {
  const stack: RawEntry[][] = [
    [
      { name: 'usr/lib/', type: '5', mode: 0o755 },
      { name: 'usr/lib/libc.so.6', body: 'libc' },
      { name: 'lib', type: '2', linkname: 'usr/lib' },
      { name: 'bin', type: '2', linkname: 'usr/bin' },
      { name: 'usr/bin/sh', body: 'sh', mode: 0o755 },
    ],
    [
      { name: 'lib/foo.so', body: 'foo' }, // through the lower symlink lib -> usr/lib: containerd applies it to the layer's own upper directory
      { name: 'bin/.wh.sh', body: '' }, // a whiteout's directory exists in its layer too
      { name: 'lib64', type: '2', linkname: 'usr/lib' },
      { name: 'lib64/ld.so', body: 'ld' }, // the same layer's symlink: followed
    ],
  ];
  const r = await extractLayers(stack.map(layer), { parent: parentDir() });
  try {
    const t = mergeLayers(
      await Promise.all(
        stack.map((entries) =>
          scanLayer(Readable.from([makeTar(entries)]), () => ({
            push: () => true,
            finish: () => undefined,
          })),
        ),
      ),
    );
    // (an entry under its own layer's symlink, lib64/ld.so, is left out: no builder writes one, and the tree puts it elsewhere)
    for (const p of ['lib', 'lib/foo.so', 'lib/libc.so.6', 'usr/lib/foo.so', 'usr/lib/libc.so.6', 'bin', 'bin/sh', 'usr/bin/sh']) {
      const inTree = t.resolve(p);
      const extracted = lookupInRoot(r.root, p);
      assert.equal(extracted !== undefined, inTree !== undefined, `${p}: extracted ${extracted !== undefined}, in the verified tree ${inTree !== undefined}`);
      if (inTree && extracted) assert.equal(extracted.stats.isDirectory(), inTree.entry.kind === 'dir', p);
    }
    assert.equal(lstatSync(path.join(r.root, 'lib')).isDirectory(), true, 'the lower symlink is gone');
    assert.deepEqual(readdirSync(path.join(r.root, 'lib')), ['foo.so']);
    assert.equal(readFileSync(path.join(r.root, 'usr/lib/libc.so.6'), 'utf8'), 'libc', 'what the link pointed at stays');
    assert.equal(readFileSync(path.join(r.root, 'usr/lib/ld.so'), 'utf8'), 'ld');
    assert.equal(readFileSync(path.join(r.root, 'usr/bin/sh'), 'utf8'), 'sh', 'a whiteout under a lower symlink hides nothing behind it');
  } finally {
    await r.remove();
  }
});
