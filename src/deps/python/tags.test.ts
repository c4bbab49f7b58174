import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DepsTarget } from '../types.js';
import { evaluateMarker, requiresPythonAllows, requiresPythonFloor, targetEnvironment } from './markers.js';
import { fitRank, isPlatformWheel, isSdist, normalizeName, parsePlatformTag, parseWheelName, pipPlatformTags, sdistVersion, wheelFits } from './tags.js';

function target(spec: string, libc: 'glibc' | 'musl', libcVersion: string | undefined, python: string | undefined = '3.12'): DepsTarget {
  const [os, architecture, variant] = spec.split('/') as [string, string, string | undefined];
  return { platform: { os, architecture, variant: variant ?? '' }, libc, ...(libcVersion ? { libcVersion } : {}), ...(python ? { python } : {}) };
}

const bookworm = (arch: string) => target(arch, 'glibc', '2.36');
const amazonLinux2 = (arch: string) => target(arch, 'glibc', '2.26');
const alpine = (arch: string) => target(arch, 'musl', '1.2.5');

function fits(filename: string, t: DepsTarget): boolean {
  const w = parseWheelName(filename);
  assert.ok(w, filename);
  return wheelFits(w, t).fits;
}

describe('wheel names (PEP 427)', () => {
  test('a compressed tag set expands to every tag', () => {
    const w = parseWheelName('numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl')!;
    assert.equal(w.name, 'numpy');
    assert.equal(w.version, '2.1.0');
    assert.deepEqual(w.platforms, ['manylinux_2_17_aarch64', 'manylinux2014_aarch64']);
    assert.equal(w.tags.length, 2);
    const six = parseWheelName('six-1.16.0-py2.py3-none-any.whl')!;
    assert.deepEqual(six.tags.map((t) => t.python), ['py2', 'py3']);
    assert.equal(isPlatformWheel(six), false);
    assert.equal(isPlatformWheel(w), true);
  });
  test('a build tag, a normalised name, and names that are not wheels', () => {
    const w = parseWheelName('Pydantic_Core-2.23.4-1-cp312-cp312-manylinux_2_17_s390x.whl')!;
    assert.equal(w.name, 'pydantic-core');
    assert.equal(w.build, '1');
    assert.equal(parseWheelName('numpy-2.1.0.tar.gz'), undefined);
    assert.equal(parseWheelName('numpy-cp312.whl'), undefined);
  });
  test('sdists and their versions', () => {
    assert.ok(isSdist('PyYAML-6.0.1.tar.gz'));
    assert.ok(isSdist('pywin32-ctypes-0.2.0.zip'));
    assert.equal(isSdist('six-1.16.0-py2.py3-none-any.whl'), false);
    assert.equal(sdistVersion('PyYAML-6.0.1.tar.gz', 'pyyaml'), '6.0.1');
    assert.equal(sdistVersion('pydantic_core-2.23.4.tar.gz', 'pydantic-core'), '2.23.4');
    assert.equal(sdistVersion('grpcio-tools-1.66.1.tar.gz', 'grpcio-tools'), '1.66.1');
    assert.equal(sdistVersion('grpcio-tools-1.66.1.tar.gz', 'grpcio'), undefined);
    assert.equal(normalizeName('Foo.Bar__baz'), 'foo-bar-baz');
  });
  test('platform tags: PEP 600, legacy aliases, PEP 656, linux_*', () => {
    assert.deepEqual(parsePlatformTag('manylinux2014_aarch64'), { kind: 'manylinux', major: 2, minor: 17, arch: 'aarch64' });
    assert.deepEqual(parsePlatformTag('manylinux2010_x86_64'), { kind: 'manylinux', major: 2, minor: 12, arch: 'x86_64' });
    assert.deepEqual(parsePlatformTag('manylinux1_i686'), { kind: 'manylinux', major: 2, minor: 5, arch: 'i686' });
    assert.deepEqual(parsePlatformTag('manylinux_2_28_ppc64le'), { kind: 'manylinux', major: 2, minor: 28, arch: 'ppc64le' });
    assert.deepEqual(parsePlatformTag('musllinux_1_2_armv7l'), { kind: 'musllinux', major: 1, minor: 2, arch: 'armv7l' });
    assert.deepEqual(parsePlatformTag('linux_armv7l'), { kind: 'linux', arch: 'armv7l' });
    assert.deepEqual(parsePlatformTag('macosx_11_0_arm64'), { kind: 'other', os: 'macosx' });
    assert.deepEqual(parsePlatformTag('any'), { kind: 'any' });
  });
});

describe('wheelFits: a table of real wheel names', () => {
  // names as PyPI lists them for numpy, cryptography, grpcio, psutil, pydantic-core, orjson
  const cases: [string, DepsTarget, boolean][] = [
    ['numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', bookworm('linux/arm64'), true],
    ['numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', bookworm('linux/amd64'), false],
    ['numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', alpine('linux/arm64'), false],
    ['numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', target('linux/arm64', 'glibc', '2.36', '3.11'), false],
    ['numpy-2.1.0-cp312-cp312-musllinux_1_2_x86_64.whl', alpine('linux/amd64'), true],
    ['numpy-2.1.0-cp312-cp312-musllinux_1_2_x86_64.whl', target('linux/amd64', 'musl', '1.1.24'), false],
    ['numpy-2.1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', target('linux/amd64', 'glibc', '2.36', '3.13'), false],
    ['numpy-2.1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', target('linux/amd64', 'glibc', '2.36', '3.13t'), true],
    ['numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', target('linux/amd64', 'glibc', '2.36', '3.13t'), false],
    ['cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl', target('linux/arm64', 'glibc', '2.36', '3.13t'), false],
    ['numpy-1.26.4-cp312-cp312-macosx_11_0_arm64.whl', bookworm('linux/arm64'), false],
    ['numpy-1.26.4-cp312-cp312-win_amd64.whl', bookworm('linux/amd64'), false],
    // abi3: cp39 and later
    ['cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl', bookworm('linux/arm64'), true],
    ['cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl', amazonLinux2('linux/arm64'), false],
    ['cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl', target('linux/arm64', 'glibc', '2.36', '3.8'), false],
    ['cryptography-43.0.1-cp39-abi3-musllinux_1_2_aarch64.whl', alpine('linux/arm64'), true],
    ['cryptography-43.0.1-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', target('linux/amd64', 'glibc', '2.17', '3.13'), true],
    // grpcio: no musllinux aarch64 (grpc/grpc#34998); piwheels' linux_armv7l is taken by pip on a glibc armv7l, not on musl
    ['grpcio-1.66.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', alpine('linux/arm64'), false],
    ['grpcio-1.66.1-cp312-cp312-linux_armv7l.whl', bookworm('linux/arm/v7'), true],
    ['grpcio-1.66.1-cp312-cp312-linux_armv7l.whl', alpine('linux/arm/v7'), false],
    // PyTorch's CPU index publishes linux_x86_64 wheels (uv.lock records them, uv sync installs them)
    ['torch-2.5.1+cpu-cp312-cp312-linux_x86_64.whl', bookworm('linux/amd64'), true],
    ['torch-2.5.1+cpu-cp312-cp312-linux_x86_64.whl', bookworm('linux/arm64'), false],
    // psutil: manylinux2010 = glibc 2.12, i686
    ['psutil-5.9.8-cp36-abi3-manylinux_2_12_i686.manylinux2010_i686.manylinux_2_17_i686.manylinux2014_i686.whl', bookworm('linux/386'), true],
    ['psutil-5.9.8-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl', bookworm('linux/arm64'), false],
    // pydantic-core: armv7l (arm/v7), s390x; not arm/v6
    ['pydantic_core-2.23.4-cp312-cp312-manylinux_2_17_armv7l.manylinux2014_armv7l.whl', bookworm('linux/arm/v7'), true],
    ['pydantic_core-2.23.4-cp312-cp312-manylinux_2_17_armv7l.manylinux2014_armv7l.whl', bookworm('linux/arm/v6'), false],
    ['pydantic_core-2.23.4-cp312-cp312-manylinux_2_17_s390x.manylinux2014_s390x.whl', bookworm('linux/s390x'), true],
    ['orjson-3.10.7-cp312-cp312-manylinux_2_17_ppc64le.manylinux2014_ppc64le.whl', bookworm('linux/ppc64le'), true],
    ['orjson-3.10.7-cp312-cp312-musllinux_1_2_aarch64.whl', bookworm('linux/arm64'), false],
    ['numpy-2.3.0-cp312-cp312-manylinux_2_39_riscv64.whl', target('linux/riscv64', 'glibc', '2.39'), true],
    // pure
    ['six-1.16.0-py2.py3-none-any.whl', alpine('linux/s390x'), true],
    ['typing_extensions-4.12.2-py3-none-any.whl', target('linux/arm64', 'glibc', undefined, undefined), true],
    ['futures-3.4.0-py2-none-any.whl', bookworm('linux/amd64'), false],
  ];
  for (const [name, t, want] of cases) {
    test(`${name} on ${t.platform.architecture}${t.platform.variant ? `/${t.platform.variant}` : ''} ${t.libc} ${t.libcVersion ?? '?'} py${t.python ?? '?'}: ${want ? 'fits' : 'does not'}`, () => {
      assert.equal(fits(name, t), want);
      const full = wheelFits(parseWheelName(name)!, t);
      assert.equal(fitRank(parseWheelName(name)!, t), full.fits ? full.rank : undefined, 'the fast path ranks as wheelFits does');
    });
  }
  test('an unknown glibc version fits, and says the floor was not checked', () => {
    const f = wheelFits(parseWheelName('cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl')!, target('linux/arm64', 'glibc', undefined));
    assert.deepEqual(f, { fits: true, rank: f.fits ? f.rank : 0, uncheckedFloor: '2.28' });
  });
  test("pip's preference: cp312-cp312 before abi3 before py3-none-any", () => {
    const t = bookworm('linux/arm64');
    const rank = (n: string) => {
      const f = wheelFits(parseWheelName(n)!, t);
      return f.fits ? f.rank : Infinity;
    };
    assert.ok(rank('x-1-cp312-cp312-manylinux_2_17_aarch64.whl') < rank('x-1-cp39-abi3-manylinux_2_17_aarch64.whl'));
    assert.ok(rank('x-1-cp39-abi3-manylinux_2_17_aarch64.whl') < rank('x-1-py3-none-any.whl'));
    assert.ok(rank('x-1-cp312-cp312-manylinux_2_28_aarch64.whl') < rank('x-1-cp312-cp312-manylinux_2_17_aarch64.whl'));
  });
  test('misses say why', () => {
    const f = wheelFits(parseWheelName('cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl')!, amazonLinux2('linux/arm64'));
    assert.deepEqual(f, { fits: false, misses: [{ kind: 'libc-version', tag: 'manylinux_2_28_aarch64', needs: '2.28' }] });
  });
});

describe('pipPlatformTags', () => {
  test('every floor and alias, since pip does not expand them (pypa/pip#10760)', () => {
    const tags = pipPlatformTags(target('linux/arm64', 'glibc', '2.28'))!;
    assert.equal(tags[0], 'manylinux_2_28_aarch64');
    assert.ok(tags.includes('manylinux2014_aarch64'));
    assert.ok(tags.includes('manylinux_2_17_aarch64'));
    assert.ok(tags.includes('manylinux1_aarch64'));
    assert.deepEqual(pipPlatformTags(alpine('linux/arm/v7')), ['musllinux_1_2_armv7l', 'musllinux_1_1_armv7l']);
    assert.equal(pipPlatformTags(target('linux/arm64', 'glibc', undefined)), undefined);
  });
});

describe('markers for a Linux target', () => {
  const env = targetEnvironment(bookworm('linux/arm64'));
  const cases: [string, boolean | undefined][] = [
    ["sys_platform == 'win32'", false],
    ['sys_platform == "linux"', true],
    ["platform_system == 'Windows' or sys_platform == 'darwin'", false],
    ["platform_machine == 'x86_64' and sys_platform == 'linux'", false],
    ["platform_machine == 'aarch64'", true],
    ["python_version < '3.11'", false],
    ["python_full_version >= '3.12'", true],
    ["python_full_version < '3.12.4'", undefined],
    ["(sys_platform == 'win32' and python_version >= '3.8') or extra == 'dev'", undefined],
    ["implementation_name == 'pypy'", false],
    ["platform_python_implementation != 'PyPy' and sys_platform != 'win32'", true],
    ['this is not a marker ((', undefined],
  ];
  for (const [m, want] of cases) test(`${m} → ${String(want)}`, () => assert.equal(evaluateMarker(m, env), want));
});

describe('requires-python for a Python whose patch release is unknown', () => {
  const cases: [string, string | undefined, boolean | undefined][] = [
    ['>=3.8', '3.12', true],
    ['>=3.10', '3.8', false],
    ['>=3.9,<4', '3.12', true],
    ['>=3.6, !=3.0.*, !=3.1.*, !=3.2.*', '3.8', true],
    ['!=3.8.*', '3.8', false],
    ['==3.8.*', '3.9', false],
    ['~=3.7', '3.12', true],
    ['~=3.7', '3.6', false],
    ['~=3.10.2', '3.11', false],
    ['<3.12', '3.12', false],
    ['<3.12', '3.11', true],
    ['>=3.8.1', '3.8', undefined],
    ['>=3.8.1', '3.9', true],
    ['!=3.8.5', '3.8', undefined],
    ['>=3.8', '3.13t', true],
    ['>=3.8', undefined, undefined],
    ['^3.12', '3.12', undefined],
    ['', '3.12', true],
  ];
  for (const [spec, python, want] of cases) test(`${JSON.stringify(spec)} admits ${python}: ${String(want)}`, () => assert.equal(requiresPythonAllows(spec, python), want));
  test('the lowest Python a specifier admits', () => {
    assert.equal(requiresPythonFloor('>=3.10,<4'), '3.10');
    assert.equal(requiresPythonFloor('~=3.9'), '3.9');
    assert.equal(requiresPythonFloor('<4'), undefined);
  });
});
