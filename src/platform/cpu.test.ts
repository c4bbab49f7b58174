/** CPU knowledge: GOARCH words, Rust triples, -march/-mcpu families, the usual builders. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  USUAL_BUILDERS,
  builderPlatforms,
  classifyCpuFlag,
  formatPlatform,
  goarchArchitecture,
  parsePlatform,
  rustTripleBuilds,
} from './index.js';
import * as platformModule from './index.js';
import { rustArchTable } from './toolchain-targets.js';

describe('goarchArchitecture', () => {
  test('GOARCH words name OCI architectures', () => {
    assert.deepEqual(
      ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64'].map(goarchArchitecture),
      ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64'],
    );
  });
  test('words of other vocabularies are no GOARCH', () => {
    assert.deepEqual(['x86_64', 'aarch64', 'armhf', 'x64', ''].map(goarchArchitecture), [undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('Rust target triples', () => {
  const on = (triple: string, platform: string): boolean | undefined => rustTripleBuilds(triple, parsePlatform(platform));
  test('a triple builds for its own CPU only', () => {
    assert.equal(on('x86_64-unknown-linux-gnu', 'linux/amd64'), true);
    assert.equal(on('x86_64-unknown-linux-gnu', 'linux/arm64'), false);
    assert.equal(on('aarch64-unknown-linux-musl', 'linux/arm64'), true);
    assert.equal(on('aarch64-unknown-linux-musl', 'linux/amd64'), false);
  });
  test('32-bit ARM triples keep their variant apart', () => {
    assert.equal(on('armv7-unknown-linux-gnueabihf', 'linux/arm/v7'), true);
    assert.equal(on('armv7-unknown-linux-gnueabihf', 'linux/arm'), true, 'arm without a variant is arm/v7');
    assert.equal(on('armv7-unknown-linux-gnueabihf', 'linux/arm/v6'), false);
    assert.equal(on('arm-unknown-linux-gnueabihf', 'linux/arm/v6'), true);
  });
  test('the variant of another architecture is a feature level of the same CPU', () => {
    assert.equal(on('aarch64-unknown-linux-gnu', 'linux/arm64/v8'), true);
    assert.equal(on('x86_64-unknown-linux-musl', 'linux/amd64/v2'), true);
  });
  test('amd64 levels run amd64 triples; i586 builds for 386', () => {
    assert.equal(on('x86_64-unknown-linux-gnu', 'linux/amd64/v3'), true);
    assert.equal(on('i586-unknown-linux-gnu', 'linux/386'), true);
  });
  test('triples that are not Linux, or of an unknown CPU, say nothing', () => {
    assert.equal(on('x86_64-apple-darwin', 'linux/amd64'), undefined);
    assert.equal(on('x86_64-pc-windows-msvc', 'linux/amd64'), undefined);
    assert.equal(on('sparc64-unknown-linux-gnu', 'linux/amd64'), undefined);
  });
  test('the table is not part of the platform module\'s surface', () => {
    assert.equal('rustArchTable' in platformModule, false);
  });
  test('the table maps the first field of a triple to platform keys', () => {
    assert.deepEqual([...(rustArchTable().get('x86_64') ?? [])], ['amd64']);
    assert.deepEqual([...(rustArchTable().get('aarch64') ?? [])], ['arm64']);
    assert.ok(rustArchTable().get('riscv64gc')?.has('riscv64'));
  });
});

describe('classifyCpuFlag', () => {
  const family = (kind: Parameters<typeof classifyCpuFlag>[0], value: string): string | undefined => classifyCpuFlag(kind, value)?.family;
  test('-march families', () => {
    assert.equal(family('march', 'x86-64'), 'x86');
    assert.equal(family('march', 'haswell'), 'x86');
    assert.equal(family('march', 'znver4'), 'x86');
    assert.equal(family('march', 'armv8.2-a'), 'ARM');
    assert.equal(family('march', 'armv7-a'), '32-bit ARM');
    assert.equal(family('march', 'rv64gc'), 'RISC-V');
    assert.equal(family('march', 'z15'), 'IBM Z');
    assert.equal(family('march', 'power9'), 'POWER');
    assert.equal(family('march', 'loongarch64'), 'LoongArch');
    assert.equal(family('march', 'pdp11'), undefined);
  });
  test('amd64 micro-architecture levels', () => {
    assert.deepEqual(classifyCpuFlag('march', 'x86-64-v3'), { archs: ['amd64'], family: 'x86', native: false, level: 'v3' });
    assert.equal(classifyCpuFlag('march', 'x86-64')?.level, undefined);
  });
  test('-mcpu names ARM and POWER CPUs', () => {
    assert.equal(family('mcpu', 'cortex-a72'), 'ARM');
    assert.equal(family('mcpu', 'neoverse-n1'), 'ARM');
    assert.equal(family('mcpu', 'pwr10'), 'POWER');
    assert.equal(family('mcpu', 'haswell'), undefined);
  });
  test('native is the build machine, only where a CPU is named', () => {
    assert.equal(classifyCpuFlag('march', 'native')?.native, true);
    assert.equal(classifyCpuFlag('target-cpu', 'NATIVE')?.native, true);
    assert.equal(classifyCpuFlag('feature', 'native'), undefined);
  });
  test('feature flags and Rust target features', () => {
    assert.deepEqual(classifyCpuFlag('feature', 'avx2')?.archs, ['amd64', '386']);
    assert.deepEqual(classifyCpuFlag('mfpu', 'neon')?.archs, ['arm']);
    assert.equal(family('target-feature', '+avx2,+fma'), 'x86');
    assert.equal(family('target-feature', '+neon'), 'ARM');
    assert.equal(family('target-feature', '+crt-static'), undefined);
  });
  test('one list of x86 features, in the spellings of gcc/clang flags and of Rust target features', () => {
    for (const f of ['sse4.2', 'ssse3', 'avx512f', 'fma', 'fma4', 'bmi', 'bmi2', 'popcnt', 'aes', 'pclmul', 'f16c', 'lzcnt', 'movbe', 'sha', 'xop', 'vaes', 'vpclmulqdq', 'gfni']) {
      assert.equal(family('feature', f), 'x86', `-m${f}`);
    }
    for (const f of ['pclmulqdq', 'bmi1', 'vaes', 'gfni', 'vpclmulqdq', 'fma4']) assert.equal(family('target-feature', `+${f}`), 'x86', `+${f}`);
    for (const f of ['64', '32', 'thumb', 'arm', 'tune', 'no-sse', 'float-abi']) assert.equal(family('feature', f), undefined, `-m${f} is no x86 feature`);
  });
});

describe('builderPlatforms', () => {
  const names = (build: string): string[] => builderPlatforms(parsePlatform(build)).map(formatPlatform);
  test('on amd64 and arm64 builders: the usual builders, in one order', () => {
    assert.deepEqual(names('linux/amd64'), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(names('linux/arm64'), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(names('linux/aarch64'), ['linux/amd64', 'linux/arm64']);
    assert.equal(builderPlatforms(parsePlatform('linux/arm64')), USUAL_BUILDERS);
  });
  test('another builder CPU is added after them', () => {
    assert.deepEqual(names('linux/riscv64'), ['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    assert.deepEqual(names('linux/arm/v7'), ['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
  });
});

test('formatPlatform writes any platform-shaped object, with or without a variant', () => {
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
  assert.equal(formatPlatform({ os: 'windows', architecture: 'amd64', variant: undefined }), 'windows/amd64');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: '' }), 'linux/arm64');
});
