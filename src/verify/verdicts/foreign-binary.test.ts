import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { parsePlatform } from '../../platform/index.js';
import { judgeVariant } from '../judge.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './foreign-binary.js';
import { buildElf, type ElfSpec } from '../../../test/support/elf-bytes.js';
import { judgeLayers } from '../../../test/support/layer-verdicts.js';
import { buildPe } from '../../../test/support/pe-bytes.js';

test('AA201: an x86-64 go in linux/arm64 is an error naming path, architecture and what it is', () => {
  const tree = handTree({
    'usr/local/go/bin/go': { facts: elf('amd64'), layer: 1 },
    'bin/busybox': { facts: elf('arm64') },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), ['AA201 error /usr/local/go/bin/go']);
  assert.match(vs[0]!.message, /\/usr\/local\/go\/bin\/go is amd64, not linux\/arm64/);
  assert.match(vs[0]!.what!, /^ELF 64-bit LSB x86-64, static/);
});

test('AA201: the right binaries, arm64 v8 as arm64, scripts and unknown machines say nothing of architecture', () => {
  const tree = handTree({ 'bin/a': { facts: elf('arm64') }, 'bin/s': { facts: { format: 'script', interpreter: '/bin/sh', args: [] } } });
  assert.deepEqual(judge(rule, tree, 'linux/arm64/v8'), []);
  assert.deepEqual(judge(rule, tree, 'linux/amd64').length, 1);
});

test('AA201: byte order and class count: s390x is not ppc64le, 386 is not arm64', () => {
  assert.equal(judge(rule, handTree({ 'bin/x': { facts: elf('s390x') } }), 'linux/ppc64le').length, 1);
  assert.deepEqual(brief(judge(rule, handTree({ 'bin/x': { facts: elf('386') } }), 'linux/arm64')), ['AA201 error /bin/x']);
});

test('AA201: Python extensions and Node addons are left to AA205 and AA206', () => {
  const tree = handTree({
    'usr/lib/python3/dist-packages/x.cpython-311-x86_64-linux-gnu.so': { facts: elf('amd64') },
    'app/node_modules/x/build/Release/x.node': { facts: elf('amd64') },
  });
  assert.deepEqual(judge(rule, tree, 'linux/arm64'), []);
});

test('AA201: well-known intended files become AA212 information: cross sysroot, multiarch, qemu, firmware, debug', () => {
  const tree = handTree({
    'usr/aarch64-linux-gnu/lib/libc.so.6': { facts: elf('arm64') },
    'usr/lib/aarch64-linux-gnu/libz.so.1': { facts: elf('arm64') },
    'usr/bin/qemu-aarch64-static': { facts: elf('arm64') },
    'lib/firmware/x.bin': { facts: elf('arm') },
    'usr/lib/debug/.build-id/ab/cd.debug': { facts: elf('arm64') },
  });
  const vs = judge(rule, tree, 'linux/amd64');
  assert.deepEqual(vs.map((v) => `${v.id} ${v.severity} ${v.allowed?.by}`), Array(5).fill('AA212 info known'));
  assert.match(vs.find((v) => v.path === '/usr/aarch64-linux-gnu/lib/libc.so.6')!.message, /cross toolchain/);
});

test('AA201: a verify.allow entry turns the verdict into AA212 with its reason', () => {
  const tree = handTree({ 'opt/testdata/arm.bin': { facts: elf('arm') }, 'opt/other/arm.bin': { facts: elf('arm') } });
  const vs = judge(rule, tree, 'linux/amd64', { allow: [{ path: '/opt/testdata/**', reason: 'test fixtures' }] });
  assert.deepEqual(brief(vs), ['AA201 error /opt/other/arm.bin', 'AA212 info /opt/testdata/arm.bin']);
  const allowed = vs.find((v) => v.path === '/opt/testdata/arm.bin')!;
  assert.equal(allowed.id, 'AA212');
  assert.deepEqual(allowed.allowed, { reason: 'test fixtures', by: 'config' });
  assert.equal(vs.find((v) => v.path === '/opt/other/arm.bin')!.id, 'AA201');
});

test("AA201: Go's pkg/tool/linux_<arch> beside a go of that arch is intended; the go itself is not (Zasper)", () => {
  const tree = handTree({
    'usr/local/go/bin/go': { facts: elf('amd64') },
    'usr/local/go/pkg/tool/linux_amd64/compile': { facts: elf('amd64') },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(
    vs.map((v) => `${v.id} ${v.path}`),
    ['AA201 /usr/local/go/bin/go', 'AA212 /usr/local/go/pkg/tool/linux_amd64/compile'],
  );
  // without the go of that architecture the tool is not excused
  const alone = judge(rule, handTree({ 'usr/local/go/pkg/tool/linux_amd64/compile': { facts: elf('amd64') } }), 'linux/arm64');
  assert.deepEqual(brief(alone), ['AA201 error /usr/local/go/pkg/tool/linux_amd64/compile']);
});

test('AA201: the layer of the file and the step that made it are named', () => {
  const tree = handTree({ 'bin/x': { facts: elf('amd64'), layer: 1 } });
  const layers = [
    { index: 0, digest: 'sha256:aa' as const },
    { index: 1, digest: 'sha256:bb' as const, createdBy: 'COPY x /bin/x # buildkit' },
  ];
  const vs = judgeVariant({ platform: parsePlatform('linux/arm64'), name: 'linux/arm64', tree, layers, verdicts: [rule] });
  assert.deepEqual(vs[0]!.layer, layers[1]);
});

const dir = (name: string) => ({ name, type: '5', mode: 0o755 });
const exe = (name: string, spec: ElfSpec, mode = 0o755) => ({ name, body: buildElf(spec), mode });
const AMD64 = { machine: 62 } as const;
const ARM64 = { machine: 183 } as const;

test('AA201 judges programs and shared objects only: a golang image for arm64 (Go race .syso, debug/elf testdata)', async () => {
  const vs = await judgeLayers(rule, [
    [
      exe('lib/ld-linux-aarch64.so.1', { ...ARM64, type: 3 }),
      exe('usr/local/go/bin/go', ARM64),
      exe('usr/local/go/pkg/tool/linux_arm64/compile', ARM64),
      // ET_REL objects of every GOARCH, as Go ships them
      exe('usr/local/go/src/runtime/race/internal/amd64v1/race_linux.syso', { ...AMD64, type: 1 }, 0o644),
      exe('usr/local/go/src/runtime/race/race_linux_s390x.syso', { machine: 22, endian: 'be', type: 1 }, 0o644),
      exe('usr/local/go/src/debug/elf/testdata/go-relocation-test-gcc620-sparc64.obj', { machine: 43, endian: 'be', type: 1 }, 0o644),
      // executables of other machines as test data
      exe('usr/local/go/src/debug/elf/testdata/gcc-amd64-linux-exec', { ...AMD64, interpreter: '/lib64/ld-linux-x86-64.so.2' }),
      exe('usr/local/go/src/debug/elf/testdata/gcc-386-freebsd-exec', { machine: 3, class: 32, interpreter: '/libexec/ld-elf.so.1' }),
    ],
  ], 'linux/arm64');
  assert.deepEqual(brief(vs), ['AA212 info /usr/local/go/src/debug/elf/testdata/gcc-386-freebsd-exec', 'AA212 info /usr/local/go/src/debug/elf/testdata/gcc-amd64-linux-exec']);
  assert.match(vs[0]!.message, /testdata/);
});

test('AA201: cross toolchains need no declaration: gcc-aarch64-linux-gnu, musl-cross-make, Rust targets, the Android NDK sysroot (linux/amd64)', async () => {
  const vs = await judgeLayers(rule, [
    [
      exe('usr/bin/aarch64-linux-gnu-gcc-12', AMD64),
      exe('usr/libexec/gcc-cross/aarch64-linux-gnu/12/cc1', AMD64),
      exe('usr/lib/gcc-cross/aarch64-linux-gnu/12/crtbegin.o', { ...ARM64, type: 1 }, 0o644),
      exe('usr/aarch64-linux-gnu/lib/libc.so.6', { ...ARM64, type: 3 }),
      exe('usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1', { ...ARM64, type: 3 }),
      exe('usr/local/aarch64-linux-musl/lib/libc.so', { ...ARM64, type: 3 }),
      exe('usr/local/aarch64-linux-musl/bin/aarch64-linux-musl-gcc', AMD64),
      exe('usr/local/rustup/toolchains/1.75.0-x86_64-unknown-linux-gnu/lib/rustlib/aarch64-unknown-linux-gnu/lib/libstd-8a1f2b3c.so', { ...ARM64, type: 3 }, 0o644),
      exe('opt/android-sdk/ndk/26.1.10909125/toolchains/llvm/prebuilt/linux-x86_64/sysroot/usr/lib/aarch64-linux-android/24/libc.so', { ...ARM64, type: 3 }, 0o644),
      // a path naming arm64 does not excuse a file of a third architecture
      exe('usr/aarch64-linux-gnu/lib/libwrong.so', { machine: 243, type: 3 }),
    ],
  ], 'linux/amd64');
  assert.deepEqual(brief(vs), [
    'AA212 info /opt/android-sdk/ndk/26.1.10909125/toolchains/llvm/prebuilt/linux-x86_64/sysroot/usr/lib/aarch64-linux-android/24/libc.so',
    'AA212 info /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1',
    'AA212 info /usr/aarch64-linux-gnu/lib/libc.so.6',
    'AA201 error /usr/aarch64-linux-gnu/lib/libwrong.so',
    'AA212 info /usr/local/aarch64-linux-musl/lib/libc.so',
    'AA212 info /usr/local/rustup/toolchains/1.75.0-x86_64-unknown-linux-gnu/lib/rustlib/aarch64-unknown-linux-gnu/lib/libstd-8a1f2b3c.so',
  ]);
  assert.match(vs[4]!.message, /cross toolchain's files for aarch64-linux-musl/);
});

test('AA201: eBPF objects (Tetragon, Cilium) and GPU code objects (ROCm, CUDA) are no CPU code: silent', async () => {
  const vs = await judgeLayers(rule, [
    [
      exe('var/lib/tetragon/bpf_generic_kprobe_v61.o', { machine: 247, type: 1 }, 0o644),
      exe('var/lib/cilium/bpf/bpf_lxc.o', { machine: 247, type: 1 }, 0o644),
      exe('opt/rocm-6.0.0/lib/rocblas/library/TensileLibrary_gfx90a.co', { machine: 224, type: 3 }, 0o644),
      exe('usr/local/cuda/lib64/kernels.cubin', { machine: 190, type: 2 }, 0o644),
    ],
  ], 'linux/arm64');
  assert.deepEqual(vs, []);
});

test('AA201: i386 on amd64 is one information (IA32 compatibility), 32-bit ARM on arm64 a warning (AArch32), never "exec format error"', async () => {
  const i386 = { machine: 3, class: 32, interpreter: '/lib/ld-linux.so.2' } as const;
  const vs = await judgeLayers(rule, [[exe('usr/games/steamcmd/linux32/steamcmd', i386), exe('usr/games/steamcmd/linux32/steamerrorreporter', i386), exe('usr/bin/app', AMD64)]], 'linux/amd64');
  assert.deepEqual(brief(vs), ['AA201 info']);
  assert.match(vs[0]!.message, /^2 386 files \(the first \/usr\/games\/steamcmd\/linux32\/steamcmd\) run on linux\/amd64 only through the kernel's 32-bit compatibility mode/);
  const arm = await judgeLayers(rule, [[exe('usr/local/bin/legacy-agent', { machine: 40, class: 32, flags: 0x5000400, armAttributes: [[6, 10]] })]], 'linux/arm64');
  assert.deepEqual(brief(arm), ['AA201 warning /usr/local/bin/legacy-agent']);
  assert.match(arm[0]!.message, /runs on some linux\/arm64 machines only: .*AArch32/);
  assert.doesNotMatch(arm[0]!.message, /exec format error/);
});

test("AA201: an x32 program in amd64 (Debian's perf-read-vdsox32) is a compatibility information, not an error", async () => {
  const vs = await judgeLayers(rule, [[exe('usr/lib/perf-core/perf-read-vdsox32', { machine: 62, class: 32, interpreter: '/libx32/ld-linux-x32.so.2' }), exe('usr/bin/app', AMD64)]], 'linux/amd64');
  assert.deepEqual(brief(vs), ['AA201 info']);
  assert.match(vs[0]!.message, /^\/usr\/lib\/perf-core\/perf-read-vdsox32 \(amd64p32\) runs? on linux\/amd64 only through the kernel's/);
  // in an arm64 image it is as foreign as any x86-64 file
  assert.deepEqual(brief(await judgeLayers(rule, [[exe('usr/lib/perf-core/perf-read-vdsox32', { machine: 62, class: 32 })]], 'linux/arm64')), ['AA201 error /usr/lib/perf-core/perf-read-vdsox32']);
});

test('AA201: a Go binary built with GOAMD64=v3 is a warning that names the CPU level, not "exec format error"', async () => {
  const vs = await judgeLayers(rule, [[exe('usr/local/bin/server', { ...AMD64, go: { version: 'go1.22.1', settings: { GOARCH: 'amd64', GOAMD64: 'v3' } } })]], 'linux/amd64');
  assert.deepEqual(brief(vs), ['AA201 warning /usr/local/bin/server']);
  assert.match(vs[0]!.message, /GOAMD64=v3: it exits at start on amd64 CPUs without x86-64-v3/);
  assert.doesNotMatch(vs[0]!.message, /exec format error|is amd64, not/);
  assert.deepEqual(await judgeLayers(rule, [[exe('usr/local/bin/server', { ...AMD64, go: { version: 'go1.22.1', settings: { GOAMD64: 'v3' } } })]], 'linux/amd64/v3'), []);
});

test('AA201 in Windows variants: SysWOW64 and AnyCPU .NET assemblies are not foreign (servercore, .NET Framework)', async () => {
  const pe = (name: string, spec: Parameters<typeof buildPe>[0]) => ({ name, body: buildPe(spec), mode: 0o644 });
  const layers = [
    [
      dir('Files/'),
      pe('Files/Windows/System32/kernel32.dll', { machine: 0x8664, dll: true }),
      pe('Files/Windows/SysWOW64/kernel32.dll', { machine: 0x14c, dll: true }),
      pe('Files/Windows/SysWOW64/ntdll.dll', { machine: 0x14c, dll: true }),
      pe('Files/Windows/Microsoft.NET/assembly/GAC_MSIL/System.Xml/v4.0_4.0.0.0__b77a5c561934e089/System.Xml.dll', { machine: 0x14c, clrFlags: 0x9, dll: true }),
      pe('Files/app/MyApp.dll', { machine: 0x14c, clrFlags: 0x1, dll: true }),
      pe('Files/app/x86only.dll', { machine: 0x14c, clrFlags: 0x3, dll: true }),
      pe('Files/app/arm64tool.exe', { machine: 0xaa64 }),
    ],
  ];
  const vs = await judgeLayers(rule, layers, 'windows/amd64');
  assert.deepEqual(brief(vs), ['AA201 error /Files/app/arm64tool.exe', 'AA201 info']);
  assert.match(vs[1]!.message, /^3 386 files \(the first \/Files\/Windows\/SysWOW64\/kernel32.dll\)|^3 386 files \(the first \/Files\/app\/x86only.dll\)/);
  // on windows/arm64 the AnyCPU assemblies still fit; x86-only ones do not
  const arm = await judgeLayers(rule, [[pe('Files/app/MyApp.dll', { machine: 0x14c, clrFlags: 0x1, dll: true }), pe('Files/app/x86only.dll', { machine: 0x14c, clrFlags: 0x3, dll: true })]], 'windows/arm64');
  assert.deepEqual(brief(arm), ['AA201 error /Files/app/x86only.dll']);
});
