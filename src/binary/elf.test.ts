import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { armAttributesSection, buildElf, type ElfSpec } from '../../test/support/elf-bytes.js';
import { ElfCapture, MAX_ELF_CAPTURE_BYTES, MAX_PROGRAM_HEADER_BYTES, parseArmAttributes, readElf } from './elf.js';
import type { ElfFacts } from './types.js';

/** Streams `bytes` in chunks of the given sizes (cycled), as the layer scan does, stopping when the capture asks. */
function streamed(bytes: Uint8Array, sizes: readonly number[]): { facts: ElfFacts; stoppedAt: number } {
  const c = new ElfCapture(bytes.length);
  let off = 0;
  for (let i = 0; off < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    const more = c.push(bytes.subarray(off, off + n), off);
    off += n;
    if (!more) break;
  }
  return { facts: c.finish(bytes.length), stoppedAt: Math.min(off, bytes.length) };
}

const ARMV7_HF: ElfSpec['armAttributes'] = [
  [5, '7-A'],
  [6, 10],
  [7, 0x41],
  [8, 1],
  [9, 2],
  [10, 3],
  [28, 1],
];

describe('ELF reader: identity and program headers', () => {
  const cases: [string, ElfSpec, Partial<ElfFacts>][] = [
    ['x86-64 dynamic', { interpreter: '/lib64/ld-linux-x86-64.so.2', type: 3, dynamic: {} }, { class: 64, endian: 'le', machine: 62, type: 'dyn', dynamic: true, interpreter: '/lib64/ld-linux-x86-64.so.2' }],
    ['aarch64 static', { machine: 183 }, { class: 64, machine: 183, type: 'exec', dynamic: false }],
    ['s390x big-endian', { machine: 22, endian: 'be', flags: 1 }, { class: 64, endian: 'be', machine: 22, flags: 1 }],
    ['i386 32-bit', { machine: 3, class: 32, interpreter: '/lib/ld-linux.so.2' }, { class: 32, machine: 3, interpreter: '/lib/ld-linux.so.2' }],
    ['ppc64 big-endian', { machine: 21, endian: 'be' }, { endian: 'be', machine: 21 }],
    ['mips 32-bit big-endian', { machine: 8, class: 32, endian: 'be', flags: 0x70001007 }, { class: 32, endian: 'be', machine: 8, flags: 0x70001007 }],
    ['static-pie', { type: 3, dynamic: { flags1: 0x08000001 } }, { type: 'dyn', dynamic: true, pie: true }],
    ['shared object', { type: 3, dynamic: { flags1: 0 } }, { type: 'dyn', dynamic: true, pie: false }],
    ['osabi GNU', { osabi: 3 }, { osabi: 3 }],
  ];
  for (const [name, spec, want] of cases) {
    test(name, () => {
      const bytes = buildElf(spec);
      const facts = readElf(bytes);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(facts[k as keyof ElfFacts], v, k);
      assert.equal(facts.problem, undefined);
      assert.deepEqual(streamed(bytes, [1]).facts, facts, 'one byte at a time gives the same facts');
    });
  }

  test('a dynamic file with a loader stops asking for bytes once the loader path has passed', () => {
    const bytes = buildElf({ interpreter: '/lib/ld-musl-x86_64.so.1', text: 100_000, tail: 100_000 });
    const { facts, stoppedAt } = streamed(bytes, [512]);
    assert.equal(facts.interpreter, '/lib/ld-musl-x86_64.so.1');
    assert.ok(stoppedAt < 1024, `stopped at ${stoppedAt}`);
  });

  test("Go's build info is read from the start of the writable segment when the Go note says so", () => {
    const bytes = buildElf({ machine: 40, class: 32, flags: 0x5000002, go: { version: 'go1.22.1', settings: { GOARCH: 'arm', GOOS: 'linux', GOARM: '6', '-ldflags': '-s' } } });
    const facts = readElf(bytes);
    assert.deepEqual(facts.goBuild, { go: 'go1.22.1', GOARCH: 'arm', GOOS: 'linux', GOARM: '6' });
    assert.deepEqual(streamed(bytes, [1]).facts, facts);
    assert.deepEqual(streamed(bytes, [3, 7, 64]).facts, facts);
  });

  test('without a Go note the build info is not looked for', () => {
    const bytes = buildElf({ text: 50_000 });
    const { stoppedAt } = streamed(bytes, [256]);
    assert.ok(stoppedAt < 1024, `stopped at ${stoppedAt}`);
  });
});

describe('ELF reader: .ARM.attributes in one streaming pass', () => {
  const base: ElfSpec = { machine: 40, class: 32, flags: 0x5000400, interpreter: '/lib/ld-linux-armhf.so.3', armAttributes: ARMV7_HF };
  const want = { cpuArch: 10, cpuProfile: 0x41, thumbIsa: 2, fpArch: 3, vfpArgs: 1 };

  for (const sectionTable of ['end', 'start', 'none'] as const) {
    for (const tail of [0, 5000, 300_000]) {
      test(`section table ${sectionTable}, ${tail} bytes between the loaded part and the attributes`, () => {
        const bytes = buildElf({ ...base, sectionTable, tail });
        const facts = readElf(bytes);
        assert.deepEqual(facts.arm, want);
        assert.equal(facts.interpreter, '/lib/ld-linux-armhf.so.3');
        assert.deepEqual(streamed(bytes, [1]).facts, facts);
        assert.deepEqual(streamed(bytes, [4093]).facts, facts);
      });
    }
  }

  test('a decoy "aeabi" string before the real section is not taken when the section table says otherwise', () => {
    const decoy = armAttributesSection([[6, 14]]);
    const bytes = buildElf({ ...base, tail: 4000, tailBytes: decoy, sectionTable: 'end' });
    const facts = readElf(bytes);
    assert.deepEqual(facts.arm, want, 'the table names the second hit');
    assert.deepEqual(streamed(bytes, [1]).facts, facts);
    const atStart = readElf(buildElf({ ...base, tail: 4000, tailBytes: decoy, sectionTable: 'start' }));
    assert.deepEqual(atStart.arm, want, 'with the table first, the section is read where it says');
  });

  test('a separate debug file: PT_LOAD and PT_INTERP without file bytes cover nothing and name nothing', () => {
    for (const sectionTable of ['end', 'none'] as const) {
      const bytes = buildElf({ ...base, type: 3, debugFile: true, sectionTable });
      const facts = readElf(bytes);
      assert.deepEqual(facts.arm, want, sectionTable);
      assert.equal(facts.interpreter, undefined);
      assert.deepEqual(streamed(bytes, [1]).facts, facts);
    }
  });

  test('string-valued tags are skipped per the ARM ABI (4, 5, 67, odd above 32; 32 is a number then a string)', () => {
    const attrs: ElfSpec['armAttributes'] = [
      [4, 'cortex-a7'],
      [5, 'Cortex-A7'],
      [32, [1, 'gnu']],
      [65, 'x'],
      [67, '2.09'],
      [64, 0],
      [6, 9],
      [66, 1],
      [7, 0x41],
      [10, 2],
      [28, 0],
    ];
    const facts = readElf(buildElf({ ...base, armAttributes: attrs }));
    assert.deepEqual(facts.arm, { cpuArch: 9, cpuProfile: 0x41, fpArch: 2, vfpArgs: 0 });
  });

  test('big-endian ARM attributes read in the file byte order', () => {
    const facts = readElf(buildElf({ ...base, endian: 'be', armAttributes: [[6, 6]] }));
    assert.deepEqual(facts.arm, { cpuArch: 6 });
  });

  test('attribute lengths that lie are bounded by the bytes', () => {
    const sec = armAttributesSection([[6, 10]]);
    const bad = sec.slice(11);
    bad[1] = 0xff;
    bad[2] = 0xff;
    bad[3] = 0xff;
    bad[4] = 0x7f; // Tag_File size 2 GiB
    assert.deepEqual(parseArmAttributes(bad, true), { cpuArch: 10 });
    assert.equal(parseArmAttributes(new Uint8Array([1, 2, 0, 0, 0]), true), undefined, 'a size below 5 reads as nothing');
  });
});

describe('ELF reader: truncated and corrupt bytes give problems, never exceptions', () => {
  test('every prefix of a real-looking file', () => {
    const full = buildElf({ machine: 40, class: 32, flags: 0x5000400, interpreter: '/lib/ld-linux-armhf.so.3', armAttributes: ARMV7_HF, go: { version: 'go1.21.0', settings: { GOARM: '7' } } });
    for (let n = 4; n <= full.length; n += n < 200 ? 1 : 97) {
      const facts = readElf(full.subarray(0, n));
      assert.equal(facts.format, 'elf');
      if (n < 52) assert.ok(facts.problem, `prefix ${n} names its problem`);
    }
  });

  test('a body that ends before the size its entry said', () => {
    const b = buildElf({ interpreter: '/lib64/ld-linux-x86-64.so.2' });
    const c = new ElfCapture(b.length);
    c.push(b.subarray(0, 70), 0);
    const facts = c.finish(b.length);
    assert.equal(facts.machine, 62);
    assert.match(facts.problem ?? '', /the body ends at byte 70, before the headers it names/);
  });

  test('huge counts are refused by their bounds', () => {
    const b = buildElf({});
    const v = new DataView(b.buffer);
    v.setUint16(56, 0xffff, true); // e_phnum
    const facts = readElf(b);
    assert.match(facts.problem ?? '', new RegExp(`${MAX_PROGRAM_HEADER_BYTES}-byte bound`));
    assert.equal(facts.machine, 62);
  });

  test('an unknown class or byte order leaves the machine unread (0)', () => {
    const b = buildElf({});
    b[4] = 7;
    const facts = readElf(b);
    assert.equal(facts.machine, 0);
    assert.match(facts.problem ?? '', /unknown ELF class 7/);
  });

  test('a loader path wholly past the end names no loader', () => {
    const b = buildElf({ interpreter: '/lib/ld-linux-aarch64.so.1', machine: 183 });
    new DataView(b.buffer).setBigUint64(64 + 8, 1n << 40n, true); // PT_INTERP p_offset
    const facts = readElf(b);
    assert.equal(facts.interpreter, undefined);
    assert.match(facts.problem ?? '', /PT_INTERP reaches past the end/);
  });

  test('a loader path past the end of the file', () => {
    const b = buildElf({ interpreter: '/lib/ld-linux-aarch64.so.1', machine: 183 });
    const facts = readElf(b.subarray(0, 64 + 56 * 3 + 5));
    assert.match(facts.problem ?? '', /PT_INTERP reaches past the end|ends at byte/);
  });
});

describe('ELF reader properties (fast-check)', () => {
  const chunking = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });

  test('any bytes after the ELF magic, any chunking: the same facts as one chunk, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), chunking, (tail, sizes) => {
        const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, ...tail]);
        const one = readElf(bytes);
        assert.deepEqual(streamed(bytes, sizes).facts, one);
        assert.deepEqual(streamed(bytes, [1]).facts, one);
      }),
      { numRuns: 400, seed: 9009 },
    );
  });

  test('a valid identification (any class, order, ARM or not) over any bytes, any chunking: the same facts', () => {
    const header = fc.tuple(fc.constantFrom(1, 2), fc.constantFrom(1, 2), fc.constantFrom(40, 62, 8));
    fc.assert(
      fc.property(header, fc.uint8Array({ minLength: 0, maxLength: 3000 }), chunking, ([cls, data, machine], rest, sizes) => {
        const bytes = new Uint8Array(Math.max(64, rest.length));
        bytes.set(rest);
        bytes.set([0x7f, 0x45, 0x4c, 0x46, cls, data, 1, 0]);
        bytes[16] = 2;
        bytes[data === 1 ? 18 : 19] = machine;
        bytes[data === 1 ? 19 : 18] = 0;
        const one = readElf(bytes);
        assert.equal(one.machine, machine);
        assert.deepEqual(streamed(bytes, sizes).facts, one);
        assert.deepEqual(streamed(bytes, [1]).facts, one);
      }),
      { numRuns: 400, seed: 77 },
    );
  });

  test('bounded work: whatever the headers claim, a capture copies at most MAX_ELF_CAPTURE_BYTES', () => {
    const word = fc.oneof(fc.nat(), fc.constantFrom(0, 52, 64, 0xffff, 0xffffffff));
    const half = fc.oneof(fc.nat(0xffff), fc.constantFrom(0, 1, 40, 0xffff));
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.constantFrom(40, 62), word, half, half, word, half, half, fc.array(fc.nat(), { maxLength: 20 }), (cls, machine, phoff, phentsize, phnum, shoff, shentsize, shnum, vendors) => {
        const size = 1 << 20;
        const bytes = new Uint8Array(size);
        const v = new DataView(bytes.buffer);
        bytes.set([0x7f, 0x45, 0x4c, 0x46, cls, 1, 1, 0]);
        v.setUint16(18, machine, true);
        const is64 = cls === 2;
        if (is64) {
          v.setBigUint64(32, BigInt(phoff), true);
          v.setBigUint64(40, BigInt(shoff), true);
        } else {
          v.setUint32(28, phoff, true);
          v.setUint32(32, shoff, true);
        }
        v.setUint16(is64 ? 54 : 42, phentsize, true);
        v.setUint16(is64 ? 56 : 44, phnum, true);
        v.setUint16(is64 ? 58 : 46, shentsize, true);
        v.setUint16(is64 ? 60 : 48, shnum, true);
        // program headers everywhere claim huge segments; aeabi strings sprinkled
        for (let at = 64; at + 32 < 65536; at += 32) {
          v.setUint32(at, (at / 32) % 5, true);
          v.setUint32(at + 4, (at * 7919) % size, true);
          v.setUint32(at + 16, 0xffffffff, true);
        }
        for (const n of vendors) bytes.set([0x61, 0x65, 0x61, 0x62, 0x69, 0, 1, 0xff, 0xff, 0, 0], n % (size - 11));
        const c = new ElfCapture(size);
        for (let off = 0; off < size; off += 65536) if (!c.push(bytes.subarray(off, off + 65536), off)) break;
        c.finish(size);
        assert.ok(c.bytesKept <= MAX_ELF_CAPTURE_BYTES, `kept ${c.bytesKept}`);
      }),
      { numRuns: 200, seed: 5150 },
    );
  });

  const spec: fc.Arbitrary<ElfSpec> = fc.record(
    {
      class: fc.constantFrom(32 as const, 64 as const),
      endian: fc.constantFrom('le' as const, 'be' as const),
      machine: fc.constantFrom(3, 8, 21, 22, 40, 62, 183, 243, 258),
      type: fc.constantFrom(2, 3),
      flags: fc.constantFrom(0, 0x5000400, 0x5000200, 0x5000002),
      interpreter: fc.string({ maxLength: 40 }),
      dynamic: fc.record({ flags1: fc.constantFrom(0, 0x08000000) }),
      text: fc.integer({ min: 0, max: 3000 }),
      go: fc.record({ version: fc.constant('go1.21.5'), settings: fc.dictionary(fc.constantFrom('GOARCH', 'GOARM', 'GOAMD64', 'X'), fc.string({ maxLength: 5 })) }),
      armAttributes: fc.array(fc.tuple(fc.integer({ min: 4, max: 70 }), fc.oneof(fc.nat(300), fc.string({ maxLength: 6 }))), { maxLength: 8 }) as fc.Arbitrary<ElfSpec['armAttributes']>,
      tail: fc.integer({ min: 0, max: 3000 }),
      sectionTable: fc.constantFrom('end' as const, 'start' as const, 'none' as const),
    },
    { requiredKeys: [] },
  );

  test('built files, whole and with bytes flipped, any chunking: the same facts; a clean build reads back what was built', () => {
    fc.assert(
      fc.property(spec, chunking, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), (s, sizes, flips) => {
        const bytes = buildElf(s);
        const clean = readElf(bytes);
        assert.equal(clean.machine, s.machine ?? 62);
        assert.equal(clean.class, s.class ?? 64);
        if (s.interpreter !== undefined && !s.interpreter.includes('\0')) assert.equal(clean.interpreter, s.interpreter);
        assert.deepEqual(streamed(bytes, sizes).facts, clean);
        const mutated = bytes.slice();
        for (const [at, v] of flips) mutated[at % mutated.length] = v;
        const one = readElf(mutated);
        assert.deepEqual(streamed(mutated, sizes).facts, one);
        assert.deepEqual(streamed(mutated, [1]).facts, one);
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
