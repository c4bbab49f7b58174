import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildElf } from '../../test/support/elf-bytes.js';
import { buildPe } from '../../test/support/pe-bytes.js';
import type { EntryKind, Inspector, TarEntry } from '../rootfs/types.js';
import { readElf } from './elf.js';
import { inspectFile, isTextFactsPath, MAX_PE_CLR_OFFSET, MAX_PE_SECTIONS, MAX_SHEBANG_BYTES, MAX_TEXT_BYTES, parseShebang } from './inspect.js';
import type { FileFacts } from './types.js';

const enc = new TextEncoder();

function entry(path: string, size: number, mode = 0o644, kind: EntryKind = 'file'): TarEntry {
  return { path, rawPath: path, escapes: false, kind, mode, size, uid: 0, gid: 0 };
}

/** Runs the inspector over `bytes` in chunks; also says how many bytes it was given before it said stop. */
function inspect(path: string, bytes: Uint8Array, mode = 0o755, chunk = 65536): { facts: FileFacts | undefined; read: number } | undefined {
  const c = inspectFile(entry(path, bytes.length, mode));
  if (!c) return undefined;
  let off = 0;
  while (off < bytes.length) {
    const more = c.push(bytes.subarray(off, off + chunk), off);
    off += chunk;
    if (!more) break;
  }
  return { facts: c.finish(bytes.length), read: Math.min(off, bytes.length) };
}

function pe(machine: number, lfanew = 0x80): Uint8Array {
  const b = new Uint8Array(lfanew + 512);
  b.set([0x4d, 0x5a]);
  new DataView(b.buffer).setUint32(0x3c, lfanew, true);
  b.set([0x50, 0x45, 0, 0], lfanew);
  new DataView(b.buffer).setUint16(lfanew + 4, machine, true);
  return b;
}

describe('inspectFile', () => {
  test("is rootfs's Inspector<FileFacts> (binary restates the shapes, being below rootfs)", () => {
    const inspector: Inspector<FileFacts> = inspectFile;
    assert.equal(typeof inspector, 'function');
  });

  test('ELF files, executable or not (shared libraries are 0644)', () => {
    const bytes = buildElf({ machine: 183, interpreter: '/lib/ld-linux-aarch64.so.1' });
    for (const mode of [0o755, 0o644]) {
      for (const chunk of [1, 2, 3, 5, 64, 65536]) {
        assert.deepEqual(inspect('usr/lib/libx.so', bytes, mode, chunk)?.facts, readElf(bytes), `mode ${mode.toString(8)}, chunks of ${chunk}`);
      }
    }
  });

  test('PE files: machine at e_lfanew; MZ without PE is nothing', () => {
    for (const chunk of [1, 7, 4096]) {
      assert.deepEqual(inspect('app.exe', pe(0xaa64), 0o644, chunk)?.facts, { format: 'pe', machine: 0xaa64 });
    }
    const dos = pe(0x14c);
    dos[0x80] = 0;
    assert.equal(inspect('old.exe', dos)?.facts, undefined);
    assert.equal(inspect('far.exe', pe(0x8664, 100_000))?.facts, undefined, 'e_lfanew beyond the bound');
  });

  test('PE files: the CLR header of .NET assemblies, read through the section table', () => {
    for (const chunk of [1, 7, 100, 4096]) {
      assert.deepEqual(inspect('Windows/Microsoft.NET/assembly/GAC_MSIL/System.Xml/System.Xml.dll', buildPe({ machine: 0x14c, clrFlags: 0x9, dll: true }), 0o644, chunk)?.facts, { format: 'pe', machine: 0x14c, clr: true, clrFlags: 0x9 });
    }
    assert.deepEqual(inspect('app/app.dll', buildPe({ machine: 0x8664, clrFlags: 0x1 }))?.facts, { format: 'pe', machine: 0x8664, clr: true, clrFlags: 0x1 }, 'PE32+');
    assert.deepEqual(inspect('Windows/SysWOW64/kernel32.dll', buildPe({ machine: 0x14c, dll: true }))?.facts, { format: 'pe', machine: 0x14c }, 'native: no CLR header');
    const r = inspect('app/app.exe', buildPe({ machine: 0x14c, clrFlags: 0x1 }));
    assert.ok(r!.read <= 0x400);
    // a CLR header beyond the bound: an assembly whose flags are not read
    const far = buildPe({ machine: 0x14c, clrFlags: 0x1 });
    new DataView(far.buffer).setUint32(0x98 + 224 + 20, MAX_PE_CLR_OFFSET + 1, true);
    assert.deepEqual(inspect('far.dll', far)?.facts, { format: 'pe', machine: 0x14c, clr: true });
    // hostile counts: more sections than the Windows loader takes, a huge optional header
    const many = buildPe({ machine: 0x14c, clrFlags: 0x1 });
    new DataView(many.buffer).setUint16(0x86, MAX_PE_SECTIONS + 1, true);
    assert.deepEqual(inspect('many.dll', many)?.facts, { format: 'pe', machine: 0x14c });
    const big = buildPe({ machine: 0x14c, clrFlags: 0x1 });
    new DataView(big.buffer).setUint16(0x94, 0xffff, true);
    assert.deepEqual(inspect('big.dll', big)?.facts, { format: 'pe', machine: 0x14c });
    // truncated before the CLR header: an assembly whose flags are not read
    assert.deepEqual(inspect('cut.dll', buildPe({ machine: 0x14c, clrFlags: 0x1 }).subarray(0, 0x1a0))?.facts, { format: 'pe', machine: 0x14c, clr: true });
  });

  test('scripts: the #! line of executable files only, bounded', () => {
    const script = enc.encode('#!/usr/bin/env  python3 -u\nprint("hi")\n' + 'x'.repeat(100_000));
    const r = inspect('usr/local/bin/tool', script, 0o755, 16);
    assert.deepEqual(r?.facts, { format: 'script', interpreter: '/usr/bin/env', args: ['python3', '-u'] });
    assert.ok(r.read <= 32, `read ${r.read} bytes`);
    assert.equal(inspect('usr/share/doc/x.py', script, 0o644)?.facts, undefined, 'not executable');
    const long = enc.encode('#!/bin/' + 'a'.repeat(1000) + '\n');
    const facts = inspect('bin/x', long)?.facts;
    assert.equal(facts?.format, 'script');
    assert.equal(facts?.format === 'script' ? facts.interpreter.length : 0, MAX_SHEBANG_BYTES - 2);
    assert.deepEqual(parseShebang(enc.encode('#!/bin/sh\r\n')), { format: 'script', interpreter: '/bin/sh\r', args: [] }, 'a CR is kept, as the kernel keeps it');
    assert.equal(parseShebang(enc.encode('#!   \n')), undefined);
  });

  test('small text files verify reads whole: only what a verdict reads (a WHEEL), never package.json', () => {
    assert.ok(isTextFactsPath('usr/lib/python3/dist-packages/numpy-1.26.4.dist-info/WHEEL'));
    // no verdict reads a package.json: a node_modules tree of 10^5 packages keeps nothing of them
    for (const p of ['app/node_modules/esbuild/package.json', 'app/node_modules/@esbuild/linux-arm64/package.json', 'node_modules/a/node_modules/b/package.json']) {
      assert.ok(!isTextFactsPath(p), p);
      assert.equal(inspect(p, enc.encode('{"name":"esbuild","version":"0.20.2","optionalDependencies":{}}'), 0o644)?.facts, undefined, p);
    }
    const wheel = enc.encode('Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_aarch64\n');
    for (const chunk of [1, 9, 65536]) {
      assert.deepEqual(inspect('x/a-1.dist-info/WHEEL', wheel, 0o644, chunk)?.facts, { format: 'text', text: new TextDecoder().decode(wheel) });
    }
    assert.equal(inspectFile(entry('x/a-1.dist-info/WHEEL', MAX_TEXT_BYTES + 1)), undefined, 'too large: skipped');
  });

  test('everything else is skipped from the first chunk, and non-files are not offered', () => {
    const text = enc.encode('hello world, this is not a binary'.repeat(1000));
    const r = inspect('etc/motd', text, 0o755, 4096);
    assert.equal(r?.facts, undefined);
    assert.equal(r?.read, 4096);
    assert.equal(inspectFile(entry('bin/sh', 0, 0o777, 'symlink')), undefined);
    assert.equal(inspectFile(entry('empty', 0)), undefined);
    assert.equal(inspectFile(entry('tiny', 3)), undefined);
  });

  test('any bytes, any chunking: the same facts as one chunk, never a throw (fast-check)', () => {
    const starts = fc.constantFrom([0x7f, 0x45, 0x4c, 0x46], [0x4d, 0x5a], [0x23, 0x21], []);
    fc.assert(
      fc.property(starts, fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (head, rest, chunk) => {
        const bytes = new Uint8Array([...head, ...rest]);
        if (bytes.length === 0) return;
        const one = inspect('bin/x', bytes, 0o755, bytes.length)?.facts;
        assert.deepEqual(inspect('bin/x', bytes, 0o755, chunk)?.facts, one);
        assert.deepEqual(inspect('bin/x', bytes, 0o755, 1)?.facts, one);
      }),
      { numRuns: 500, seed: 31 },
    );
  });
});
