/**
 * The fuzz target of src/binary: a file's bytes through `inspectFile` (ELF, PE, `#!` and text
 * captures), streamed in chunks of every size, and the judgements over what it kept.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeFacts } from '../../src/binary/describe.js';
import { ElfCapture, MAX_ELF_CAPTURE_BYTES } from '../../src/binary/elf.js';
import { fitsPlatform } from '../../src/binary/fit.js';
import { inspectFile } from '../../src/binary/inspect.js';
import { libcOfElf, loaderFacts } from '../../src/binary/loaders.js';
import { elfArchitecture } from '../../src/binary/machines.js';
import type { FileFacts } from '../../src/binary/types.js';
import { buildElf } from '../support/elf-bytes.js';
import { buildPe } from '../support/pe-bytes.js';
import { bytesCodec, mutatedBytes, utf8, type FuzzTarget } from '../support/fuzz.js';

let seeds: Uint8Array[] | undefined;

/** ELF files of every shape the builder makes, a PE header, a .NET assembly (CLR header) and a script. */
function binarySeeds(): readonly Uint8Array[] {
  seeds ??= [
    buildElf({ type: 3, interpreter: '/lib64/ld-linux-x86-64.so.2', dynamic: {} }),
    buildElf({ machine: 183, type: 3, dynamic: { flags1: 0x08000000 } }),
    buildElf({ machine: 22, endian: 'be', go: { version: 'go1.22.0', settings: { GOARCH: 's390x' } } }),
    buildElf({ machine: 40, class: 32, flags: 0x5000400, interpreter: '/lib/ld-linux-armhf.so.3', armAttributes: [[5, '7-A'], [6, 10], [7, 0x41], [10, 3], [28, 1]], tail: 300 }),
    buildElf({ machine: 40, class: 32, flags: 0x5000400, armAttributes: [[32, [1, 'gnu']], [6, 6], [65, 'x']], sectionTable: 'none', tail: 64 }),
    buildElf({ machine: 40, class: 32, flags: 0x5000002, go: { version: 'go1.21.0', settings: { GOARM: '6' } }, sectionTable: 'start' }),
    buildElf({ machine: 3, class: 32, type: 1 }),
    (() => {
      const pe = new Uint8Array(0x100);
      pe.set([0x4d, 0x5a]);
      pe[0x3c] = 0x80;
      pe.set([0x50, 0x45, 0, 0, 0x64, 0x86], 0x80);
      return pe;
    })(),
    buildPe({ machine: 0x14c, clrFlags: 0x1, dll: true }),
    utf8('#!/usr/bin/env python3 -u\nprint(1)\n'),
  ];
  return seeds;
}

const PLATFORMS = [
  { architecture: 'amd64' },
  { architecture: 'arm64' },
  { architecture: 'arm', variant: 'v6' },
  { architecture: 'arm', variant: 'v7' },
  { architecture: 's390x' },
] as const;

function inspect(bytes: Uint8Array, chunk: number): FileFacts | undefined {
  const c = inspectFile({ path: 'usr/bin/x', kind: 'file', mode: 0o755, size: bytes.length });
  if (!c) return undefined;
  for (let off = 0; off < bytes.length; off += chunk) if (!c.push(bytes.subarray(off, off + chunk), off)) break;
  return c.finish(bytes.length);
}

export const binaryTarget: FuzzTarget<Uint8Array> = {
  name: 'binary',
  reads: "a file's bytes in an image layer: ELF, PE, #! and text captures (inspectFile), streamed in chunks, then described and judged",
  input: fc.oneof({ weight: 4, arbitrary: mutatedBytes(binarySeeds) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => new Uint8Array([0x7f, 0x45, 0x4c, 0x46, ...b])) }),
  ...bytesCodec,
  ciRuns: 400,
  check(bytes) {
    const whole = inspect(bytes, Math.max(1, bytes.length));
    // the chunk size comes from the bytes, so a failure replays from the file alone
    const chunk = 1 + ((bytes[bytes.length - 1] ?? 0) % 61);
    assert.deepEqual(inspect(bytes, chunk), whole, `chunks of ${chunk}`);
    assert.deepEqual(inspect(bytes, 1), whole, 'one byte at a time');
    if (!whole) return;
    assert.equal(typeof describeFacts(whole), 'string');
    for (const p of PLATFORMS) assert.ok(['yes', 'some', 'no', 'unknown'].includes(fitsPlatform(whole, p).fits));
    if (whole.format === 'elf') {
      assert.ok(whole.class === 32 || whole.class === 64);
      assert.ok(Number.isInteger(whole.machine) && whole.machine >= 0 && whole.machine <= 0xffff);
      assert.equal(typeof elfArchitecture(whole).machineName, 'string');
      if (whole.interpreter !== undefined) {
        loaderFacts(whole.interpreter, whole);
        libcOfElf(whole);
      }
      const c = new ElfCapture(bytes.length);
      c.push(bytes, 0);
      c.finish(bytes.length);
      assert.ok(c.bytesKept <= MAX_ELF_CAPTURE_BYTES);
    }
  },
};
