import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildElf, type ElfSpec } from '../../test/support/elf-bytes.js';
import { PLATFORM_DATA } from '../platform/data.js';
import { describeFacts } from './describe.js';
import { readElf } from './elf.js';
import { fitsPlatform } from './fit.js';
import { libcOfElf, libcOfLoader, loaderFacts } from './loaders.js';
import { elfArchitecture, peArchitecture } from './machines.js';
import type { ElfFacts } from './types.js';

const elf = (spec: ElfSpec): ElfFacts => readElf(buildElf(spec));
const ARM_HF = 0x5000400;
const ARM_SF = 0x5000200;
const ARM_GO = 0x5000002;

describe('elfArchitecture', () => {
  const cases: [number, 32 | 64, 'le' | 'be', string | undefined, string][] = [
    [62, 64, 'le', 'amd64', 'ELF 64-bit LSB x86-64'],
    [3, 32, 'le', '386', 'ELF 32-bit LSB Intel 80386'],
    [183, 64, 'le', 'arm64', 'ELF 64-bit LSB aarch64'],
    [40, 32, 'le', 'arm', 'ELF 32-bit LSB ARM'],
    [21, 64, 'le', 'ppc64le', 'ELF 64-bit LSB PowerPC64'],
    [21, 64, 'be', 'ppc64', 'ELF 64-bit MSB PowerPC64'],
    [22, 64, 'be', 's390x', 'ELF 64-bit MSB IBM S/390'],
    [22, 32, 'be', 's390', 'ELF 32-bit MSB IBM S/390'],
    [243, 64, 'le', 'riscv64', 'ELF 64-bit LSB RISC-V'],
    [258, 64, 'le', 'loong64', 'ELF 64-bit LSB LoongArch'],
    [8, 64, 'le', 'mips64le', 'ELF 64-bit LSB MIPS'],
    [8, 64, 'be', 'mips64', 'ELF 64-bit MSB MIPS'],
    [8, 32, 'le', 'mipsle', 'ELF 32-bit LSB MIPS'],
    [8, 32, 'be', 'mips', 'ELF 32-bit MSB MIPS'],
    [62, 32, 'le', 'amd64p32', 'ELF 32-bit LSB x86-64'],
    [0x9026, 64, 'le', 'alpha', 'ELF 64-bit LSB Alpha'],
    [247, 64, 'le', undefined, 'ELF 64-bit LSB eBPF'],
    [224, 64, 'le', undefined, 'ELF 64-bit LSB AMD GPU'],
    [9999, 64, 'le', undefined, 'ELF 64-bit LSB machine 9999'],
  ];
  for (const [machine, cls, endian, arch, words] of cases) {
    test(`${words} → ${arch}`, () => {
      const a = elfArchitecture({ machine, class: cls, endian, flags: 0 });
      assert.equal(a.architecture, arch);
      assert.equal(a.machineName, words);
    });
  }
  test('every known platform maps from its own ELF identity (the platform table is the source)', () => {
    for (const d of PLATFORM_DATA) {
      const a = elfArchitecture({ machine: d.elf.machine, class: d.elf.elfClass === 2 ? 64 : 32, endian: d.elf.elfData === 1 ? 'le' : 'be', flags: 0 });
      assert.equal(a.architecture, d.platform.architecture, d.key);
    }
  });
  test('MIPS n32 (EF_MIPS_ABI2) is a 64-bit CPU ABI', () => {
    assert.equal(elfArchitecture({ machine: 8, class: 32, endian: 'le', flags: 0x20 }).architecture, 'mips64p32le');
  });
  test('PE machines', () => {
    assert.deepEqual(peArchitecture({ machine: 0x8664 }), { architecture: 'amd64', machineName: 'PE32+ x86-64' });
    assert.deepEqual(peArchitecture({ machine: 0x14c }), { architecture: '386', machineName: 'PE32 Intel 80386' });
    assert.equal(peArchitecture({ machine: 0x1234 }).architecture, undefined);
  });
});

describe('describeFacts', () => {
  test('the issue\'s examples', () => {
    assert.equal(
      describeFacts(elf({ type: 3, interpreter: '/lib64/ld-linux-x86-64.so.2', dynamic: {} })),
      'ELF 64-bit LSB x86-64, dynamic, interpreter /lib64/ld-linux-x86-64.so.2',
    );
    assert.equal(describeFacts(elf({ machine: 183 })), 'ELF 64-bit LSB aarch64, static');
    assert.equal(
      describeFacts(elf({ machine: 40, class: 32, flags: ARM_HF, interpreter: '/lib/ld-linux-armhf.so.3', armAttributes: [[6, 10]] })),
      'ELF 32-bit LSB ARM, EABI5 hard-float, ARMv7, dynamic, interpreter /lib/ld-linux-armhf.so.3',
    );
    assert.equal(describeFacts({ format: 'pe', machine: 0x8664 }), 'PE32+ x86-64');
    assert.equal(describeFacts({ format: 'script', interpreter: '/usr/bin/python3', args: [] }), 'script, interpreter /usr/bin/python3');
    assert.equal(describeFacts({ format: 'script', interpreter: '/usr/bin/env', args: ['python3'] }), 'script, interpreter /usr/bin/env python3');
  });
  test('static-pie, shared object, relocatable; Go ARM; problems', () => {
    assert.equal(describeFacts(elf({ type: 3, dynamic: { flags1: 0x08000000 } })), 'ELF 64-bit LSB x86-64, static-pie');
    assert.equal(describeFacts(elf({ type: 3, dynamic: { flags1: 0 } })), 'ELF 64-bit LSB x86-64, shared object');
    assert.equal(describeFacts(elf({ type: 3 })), 'ELF 64-bit LSB x86-64, static-pie', 'ET_DYN without a loader and nothing read: static-pie');
    assert.equal(describeFacts(elf({ type: 1 })), 'ELF 64-bit LSB x86-64, relocatable');
    assert.equal(
      describeFacts(elf({ machine: 40, class: 32, flags: ARM_GO, go: { version: 'go1.22', settings: { GOARM: '7' } } })),
      'ELF 32-bit LSB ARM, EABI5, GOARM=7, static',
    );
    const truncated = readElf(buildElf({ machine: 183 }).subarray(0, 40));
    assert.match(describeFacts(truncated), /^ELF 64-bit LSB aarch64, static \(the ELF header is truncated/);
  });
});

describe('loaderFacts and libc', () => {
  const cases: [string, ReturnType<typeof loaderFacts>][] = [
    ['/lib64/ld-linux-x86-64.so.2', { architecture: 'amd64', libc: 'glibc' }],
    ['/lib/ld-linux-aarch64.so.1', { architecture: 'arm64', libc: 'glibc' }],
    ['/lib/ld-linux-armhf.so.3', { architecture: 'arm', libc: 'glibc', float: 'hard' }],
    ['/lib/ld-linux.so.3', { architecture: 'arm', libc: 'glibc', float: 'soft' }],
    ['/lib/ld-linux.so.2', { architecture: '386', libc: 'glibc' }],
    ['/lib64/ld64.so.2', { architecture: 'ppc64le', libc: 'glibc' }],
    ['/lib/ld-linux-riscv64-lp64d.so.1', { architecture: 'riscv64', libc: 'glibc' }],
    ['/lib64/ld-linux-loongarch-lp64d.so.1', { architecture: 'loong64', libc: 'glibc' }],
    ['/lib/ld-musl-x86_64.so.1', { architecture: 'amd64', libc: 'musl' }],
    ['/lib/ld-musl-aarch64.so.1', { architecture: 'arm64', libc: 'musl' }],
    ['/lib/ld-musl-armhf.so.1', { architecture: 'arm', libc: 'musl', float: 'hard' }],
    ['/lib/ld-musl-arm.so.1', { architecture: 'arm', libc: 'musl', float: 'soft' }],
    ['/lib/ld-musl-i386.so.1', { architecture: '386', libc: 'musl' }],
    ['/lib/ld-musl-powerpc64le.so.1', { architecture: 'ppc64le', libc: 'musl' }],
    ['/lib/ld-musl-s390x.so.1', { architecture: 's390x', libc: 'musl' }],
    ['/lib/ld-musl-riscv64.so.1', { architecture: 'riscv64', libc: 'musl' }],
    ['/usr/lib/libfoo.so', undefined],
  ];
  for (const [path, want] of cases) {
    test(path, () => assert.deepEqual(loaderFacts(path), want));
  }
  test('ld64.so.1 and ld.so.1 are decided by the ELF that asks for them', () => {
    assert.equal(loaderFacts('/lib/ld64.so.1'), undefined);
    assert.deepEqual(loaderFacts('/lib/ld64.so.1', { machine: 22, class: 64, endian: 'be', flags: 0 }), { architecture: 's390x', libc: 'glibc' });
    assert.deepEqual(loaderFacts('/lib64/ld64.so.1', { machine: 21, class: 64, endian: 'be', flags: 0 }), { architecture: 'ppc64', libc: 'glibc' });
    assert.equal(loaderFacts('/lib64/ld64.so.1', { machine: 62, class: 64, endian: 'le', flags: 0 }), undefined, 'an x86-64 file asking for ld64.so.1: not a loader of its own');
    assert.deepEqual(loaderFacts('/lib64/ld.so.1', { machine: 8, class: 64, endian: 'le', flags: 0 }), { architecture: 'mips64le', libc: 'glibc' });
    assert.equal(libcOfLoader('/lib/ld64.so.1'), 'glibc');
  });
  test('libcOfElf', () => {
    assert.equal(libcOfElf(elf({ interpreter: '/lib/ld-musl-x86_64.so.1' })), 'musl');
    assert.equal(libcOfElf(elf({ interpreter: '/lib64/ld-linux-x86-64.so.2' })), 'glibc');
    assert.equal(libcOfElf(elf({})), undefined, 'static');
    assert.equal(libcOfElf(elf({ interpreter: '/opt/weird/ld.so' })), undefined);
  });
  test('every known platform\'s loaders map back to it', () => {
    for (const d of PLATFORM_DATA) {
      const own = { machine: d.elf.machine, class: d.elf.elfClass === 2 ? (64 as const) : (32 as const), endian: d.elf.elfData === 1 ? ('le' as const) : ('be' as const), flags: 0 };
      assert.equal(loaderFacts(d.elf.glibcLoader, own)?.architecture, d.platform.architecture, d.elf.glibcLoader);
      assert.equal(loaderFacts(d.elf.glibcLoader, own)?.libc, 'glibc');
      assert.equal(loaderFacts(d.elf.muslLoader, own)?.architecture, d.platform.architecture, d.elf.muslLoader);
      assert.equal(loaderFacts(d.elf.muslLoader, own)?.libc, 'musl');
    }
  });
});

describe('fitsPlatform', () => {
  const amd64 = elf({ type: 3, interpreter: '/lib64/ld-linux-x86-64.so.2' });
  test('machine, class and byte order against the platform', () => {
    assert.equal(fitsPlatform(amd64, { architecture: 'amd64' }).fits, 'yes');
    const no = fitsPlatform(amd64, { architecture: 'arm64' });
    assert.equal(no.fits, 'no');
    assert.equal(no.reason, 'ELF 64-bit LSB x86-64 is amd64, not arm64');
    assert.equal(fitsPlatform(elf({ machine: 21, endian: 'be' }), { architecture: 'ppc64le' }).fits, 'no', 'big-endian ppc64 on ppc64le');
    assert.equal(fitsPlatform(elf({ machine: 21 }), { architecture: 'ppc64le' }).fits, 'yes');
    assert.equal(fitsPlatform(elf({ machine: 22, class: 32, endian: 'be' }), { architecture: 's390x' }).fits, 'no', '31-bit s390');
    assert.equal(fitsPlatform(elf({ machine: 3, class: 32 }), { architecture: 'arm64' }).fits, 'no', 'i386 on arm64');
    assert.equal(fitsPlatform(elf({ machine: 40, class: 32, flags: ARM_HF }), { architecture: 'amd64' }).fits, 'no', 'arm on amd64');
    
    assert.equal(fitsPlatform(elf({ machine: 183 }), { architecture: 'aarch64' }).fits, 'yes', 'platform words are normalised');
    assert.equal(fitsPlatform(elf({ machine: 183 }), { architecture: 'arm64', variant: 'v9' }).fits, 'yes');
  });
  test('unreadable headers: unknown', () => {
    const b = buildElf({});
    b[4] = 9;
    assert.equal(fitsPlatform(readElf(b), { architecture: 'amd64' }).fits, 'unknown');
  });
  test('the 32-bit architecture a platform runs in compatibility mode (containerd: amd64 runs 386, arm64 may run arm)', () => {
    // Debian's i386 busybox (ET_EXEC) and a 32-bit glibc loader in an amd64 image
    const i386 = fitsPlatform(elf({ machine: 3, class: 32, interpreter: '/lib/ld-linux.so.2' }), { architecture: 'amd64' });
    assert.deepEqual([i386.fits, i386.limit], ['some', 'compat']);
    assert.match(i386.reason!, /386, which amd64 kernels run through their 32-bit compatibility mode/);
    assert.equal(fitsPlatform(elf({ machine: 3, class: 32 }), { architecture: 'amd64', variant: 'v3' }).fits, 'some');
    // armhf on arm64: only CPUs with AArch32 (Graviton 2 yes, Graviton 3 no)
    const armv7 = elf({ machine: 40, class: 32, flags: ARM_HF, armAttributes: [[6, 10]] });
    const onArm64 = fitsPlatform(armv7, { architecture: 'arm64', variant: 'v8' });
    assert.deepEqual([onArm64.fits, onArm64.limit], ['some', 'cpu']);
    assert.match(onArm64.reason!, /AArch32/);
    assert.equal(fitsPlatform(elf({ machine: 40, class: 32, flags: ARM_GO }), { architecture: 'arm64' }).fits, 'some', 'Go arm: no attributes, still AArch32');
    assert.equal(fitsPlatform(elf({ machine: 40, class: 32, flags: ARM_HF, armAttributes: [[6, 13], [7, 0x4d]] }), { architecture: 'arm64' }).fits, 'no', 'M profile: no arm64 CPU');
    // loaded into a process of the platform (a Python extension): the process is 64-bit, no compat
    assert.equal(fitsPlatform(elf({ machine: 3, class: 32, type: 3 }), { architecture: 'amd64' }, { loaded: true }).fits, 'no');
    // the other way round is no platform's compat: amd64 on 386, arm64 on arm
    assert.equal(fitsPlatform(amd64, { architecture: '386' }).fits, 'no');
    assert.equal(fitsPlatform(elf({ machine: 183 }), { architecture: 'arm', variant: 'v8' }).fits, 'no');
  });
  test('only programs and shared objects are judged: relocatable objects, cores', () => {
    // Go's race detector objects (src/runtime/race/internal/amd64v1/race_linux.syso), gcc's crtbegin.o
    assert.equal(fitsPlatform(elf({ type: 1 }), { architecture: 'arm64' }).fits, 'unknown');
    assert.equal(fitsPlatform(elf({ machine: 183, type: 1 }), { architecture: 'amd64' }).fits, 'unknown');
    assert.equal(fitsPlatform(elf({ type: 4 }), { architecture: 'arm64' }).fits, 'unknown');
    assert.equal(fitsPlatform(elf({ type: 3 }), { architecture: 'arm64' }).fits, 'no', 'a shared object is');
  });
  test('machines that are no CPU a container runs programs on: eBPF, GPU code objects, DSP', () => {
    // Tetragon/Falco/cilium eBPF objects (EM_BPF 247, ET_REL and ET_EXEC alike), ROCm code objects
    // (EM_AMDGPU 224, ET_DYN), CUDA cubins (EM_CUDA 190, ET_EXEC), Hexagon DSP (164)
    for (const [machine, type] of [[247, 1], [247, 2], [224, 3], [190, 2], [164, 2], [205, 3]] as const) {
      const f = fitsPlatform(elf({ machine, type }), { architecture: 'amd64' });
      assert.equal(f.fits, 'unknown', `machine ${machine}`);
      if (type !== 1) assert.match(f.reason!, /no CPU a container's programs run on/);
    }
    assert.equal(fitsPlatform(elf({ machine: 0x9026 }), { architecture: 'amd64' }).fits, 'no', 'Alpha is a CPU Linux runs programs on');
    assert.equal(fitsPlatform(elf({ machine: 4, class: 32, endian: 'be' }), { architecture: 'amd64' }).fits, 'no', 'm68k too');
    assert.equal(fitsPlatform(amd64, { architecture: 'wasm' }).fits, 'unknown', 'a platform no ELF identity names');
  });
  test('x86-64 levels: silence, except a Go GOAMD64 above the platform (runs on newer CPUs only)', () => {
    assert.equal(fitsPlatform(amd64, { architecture: 'amd64', variant: 'v3' }).fits, 'yes');
    const v3 = elf({ go: { version: 'go1.22', settings: { GOAMD64: 'v3' } } });
    const f = fitsPlatform(v3, { architecture: 'amd64' });
    assert.deepEqual([f.fits, f.limit], ['some', 'cpu']);
    assert.doesNotMatch(f.reason!, /exec format/);
    assert.match(f.reason!, /GOAMD64=v3: it exits at start on amd64 CPUs without x86-64-v3/);
    assert.equal(fitsPlatform(v3, { architecture: 'amd64', variant: 'v2' }).fits, 'some');
    assert.equal(fitsPlatform(v3, { architecture: 'amd64', variant: 'v3' }).fits, 'yes');
    assert.equal(fitsPlatform(v3, { architecture: 'amd64', variant: 'v4' }).fits, 'yes');
  });

  const arm = (cpuArch: number | undefined, more: Partial<ElfSpec> = {}): ElfFacts =>
    elf({ machine: 40, class: 32, flags: ARM_HF, interpreter: '/lib/ld-linux-armhf.so.3', armAttributes: cpuArch === undefined ? undefined : [[6, cpuArch]], ...more });
  const fit = (f: ElfFacts, variant: string) => fitsPlatform(f, { architecture: 'arm', variant }).fits;

  test('Tag_CPU_arch as sets per variant, not a ladder', () => {
    const table: [number, string, string, string, string][] = [
      // cpuArch, v5, v6, v7, v8
      [4, 'yes', 'yes', 'yes', 'yes'], // v5TE
      [6, 'no', 'yes', 'yes', 'yes'], // v6
      [7, 'no', 'yes', 'yes', 'yes'], // v6KZ
      [8, 'no', 'no', 'yes', 'yes'], // v6T2: Thumb-2, not on ARM1176
      [9, 'no', 'yes', 'yes', 'yes'], // v6K
      [10, 'no', 'no', 'yes', 'yes'], // v7
      [11, 'no', 'no', 'no', 'no'], // v6-M, above v7 in number
      [13, 'no', 'no', 'no', 'no'], // v7E-M
      [14, 'no', 'no', 'no', 'yes'], // v8-A
      [16, 'no', 'no', 'no', 'no'], // v8-M baseline
      [22, 'no', 'no', 'no', 'yes'], // v9-A
    ];
    for (const [cpu, ...want] of table) {
      const noFloatFlag = arm(cpu, { flags: 0x5000000 });
      ['v5', 'v6', 'v7', 'v8'].forEach((v, i) => assert.equal(fit(noFloatFlag, v), want[i], `Tag_CPU_arch ${cpu} on arm/${v}`));
    }
    assert.equal(fit(arm(10), ''), 'yes', 'arm without a variant is arm/v7');
    assert.equal(fitsPlatform(arm(10), { architecture: 'arm', variant: 'v6' }).reason, 'built for ARMv7 (Tag_CPU_arch 10), which arm/v6 CPUs do not run');
  });
  test('M profile, Thumb-2 and VFPv3 on v6', () => {
    assert.equal(fit(arm(10, { armAttributes: [[6, 10], [7, 0x4d]] }), 'v7'), 'no');
    assert.equal(fit(arm(6, { armAttributes: [[6, 6], [9, 2]] }), 'v6'), 'no');
    assert.equal(fit(arm(6, { armAttributes: [[6, 6], [10, 3]] }), 'v6'), 'no');
    assert.equal(fit(arm(6, { armAttributes: [[6, 6], [10, 2], [9, 1]] }), 'v6'), 'yes');
  });
  test('Go ARM binaries: no float-ABI flag is unknown, GOARM judged', () => {
    const go = (goarm: string) => elf({ machine: 40, class: 32, flags: ARM_GO, go: { version: 'go1.21', settings: { GOARCH: 'arm', GOARM: goarm } } });
    assert.equal(fit(go('7'), 'v7'), 'yes');
    assert.equal(fit(go('7'), 'v6'), 'no');
    assert.equal(fit(go('6'), 'v7'), 'yes');
    assert.equal(fit(go('5'), 'v5'), 'yes');
    assert.equal(fit(go('6'), 'v5'), 'no');
    assert.equal(fit(elf({ machine: 40, class: 32, flags: ARM_GO }), 'v7'), 'unknown', 'nothing tells the CPU');
  });
  test('float ABI: soft-float dynamic files on hard-float variants; hard-float on arm/v5 unknown', () => {
    const soft = arm(7, { flags: ARM_SF, interpreter: '/lib/ld-linux.so.3' });
    assert.equal(fit(soft, 'v7'), 'no');
    assert.equal(fit(soft, 'v6'), 'no');
    assert.equal(fit(arm(5, { flags: ARM_SF, interpreter: '/lib/ld-linux.so.3' }), 'v5'), 'yes');
    assert.equal(fit(arm(5, { flags: ARM_HF }), 'v5'), 'unknown', 'a hard-float file on arm/v5: unknown');
    assert.equal(fit(arm(6, { flags: ARM_HF }), 'v5'), 'no', 'the CPU set still says no');
    assert.equal(fit(arm(7, { flags: ARM_SF, interpreter: undefined }), 'v7'), 'yes', 'a static soft-float file runs');
    assert.equal(fit(arm(undefined), 'v7'), 'unknown');
    assert.equal(fit(arm(10), 'v9'), 'unknown', 'a variant anyarch does not judge');
  });
  test('PE against the platform; scripts and text are not binaries', () => {
    assert.equal(fitsPlatform({ format: 'pe', machine: 0x8664 }, { architecture: 'amd64' }).fits, 'yes');
    assert.equal(fitsPlatform({ format: 'pe', machine: 0x8664 }, { architecture: 'arm64' }).fits, 'no');
    assert.equal(fitsPlatform({ format: 'pe', machine: 0x1234 }, { architecture: 'arm64' }).fits, 'unknown');
    // Windows/SysWOW64/*.dll in windows/amd64 (servercore): WoW64 runs them
    const wow = fitsPlatform({ format: 'pe', machine: 0x14c }, { architecture: 'amd64' });
    assert.deepEqual([wow.fits, wow.limit], ['some', 'compat']);
    assert.match(wow.reason!, /WoW64/);
    assert.equal(fitsPlatform({ format: 'pe', machine: 0x14c }, { architecture: 'arm64' }).fits, 'no');
  });
  test('.NET assemblies: IL-only AnyCPU runs anywhere; platform-targeted and mixed-mode by machine', () => {
    const pe = (machine: number, clrFlags?: number) => ({ format: 'pe', machine, clr: true, ...(clrFlags !== undefined ? { clrFlags } : {}) }) as const;
    for (const arch of ['amd64', 'arm64']) {
      assert.equal(fitsPlatform(pe(0x14c, 0x1), { architecture: arch }).fits, 'yes', `AnyCPU on ${arch}`);
      assert.equal(fitsPlatform(pe(0x14c, 0x9), { architecture: arch }).fits, 'yes', `AnyCPU strong-named on ${arch}`);
      assert.equal(fitsPlatform(pe(0x14c, 0x20001), { architecture: arch }).fits, 'yes', `AnyCPU prefer-32-bit on ${arch}`);
    }
    assert.equal(fitsPlatform(pe(0x14c, 0x3), { architecture: 'arm64' }).fits, 'no', 'x86 only (32BITREQUIRED)');
    assert.equal(fitsPlatform(pe(0x8664, 0x1), { architecture: 'arm64' }).fits, 'no', 'PlatformTarget x64');
    assert.equal(fitsPlatform(pe(0x14c, 0x10), { architecture: 'arm64' }).fits, 'no', 'mixed mode (not IL only)');
    assert.equal(fitsPlatform(pe(0x14c), { architecture: 'arm64' }).fits, 'unknown', 'flags not read');
    assert.equal(fitsPlatform({ format: 'script', interpreter: '/bin/sh', args: [] }, { architecture: 'arm64' }).fits, 'unknown');
  });
});
