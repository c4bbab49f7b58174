import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnyarchError } from '../../errors.js';
import { readRequirements } from '../lockfiles/python/requirements.js';
import { readUvLock } from '../lockfiles/python/uv.js';
import type { DepsTarget, DistributionFile, PythonIndexSource, Toolchain } from '../types.js';
import { analyzePythonLockfile } from './coverage.js';

function target(spec: string, libc: 'glibc' | 'musl', libcVersion: string, extra: Partial<DepsTarget> = {}): DepsTarget {
  const [os, architecture, variant] = spec.split('/') as [string, string, string | undefined];
  return { platform: { os, architecture, variant: variant ?? '' }, libc, libcVersion, python: '3.12', ...extra };
}

const NO_TOOLS: Toolchain = { cc: false, cxx: false, make: false, python3: true, rust: false, headers: [], evidence: [] };
const C_ONLY: Toolchain = { ...NO_TOOLS, cc: true, make: true, headers: ['musl-dev', 'python3-dev'], evidence: ['build-base is installed in stage build (Dockerfile:3)'] };

const F = 'https://files.example/x';
const pkg = (name: string, version: string, files: string[], marker?: string) => `
[[package]]
name = "${name}"
version = "${version}"
source = { registry = "https://pypi.org/simple" }
${files.filter((f) => !f.endsWith('.whl')).map((f) => `sdist = { url = "${F}/${f}" }`).join('\n')}
wheels = [
${files.filter((f) => f.endsWith('.whl')).map((f) => `    { url = "${F}/${f}" },`).join('\n')}
]
${marker ? `# reached with ${marker}` : ''}`;

// Real gaps (shared/reference/native-deps-and-ci.md A2.5): cryptography has no armv7l wheels
// (pyca/cryptography#6286) and needs Rust to build; grpcio has no musllinux aarch64 wheel
// (grpc/grpc#34998); psutil had no aarch64 wheel (giampaolo/psutil#1782).
const UV = `version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "cryptography" }, { name = "grpcio" }, { name = "psutil" }, { name = "six" }, { name = "onlyx86" }, { name = "pywin32", marker = "sys_platform == 'win32'" }, { name = "oldpy" }]
${pkg('cryptography', '43.0.1', ['cryptography-43.0.1.tar.gz', 'cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl', 'cryptography-43.0.1-cp39-abi3-musllinux_1_2_aarch64.whl', 'cryptography-43.0.1-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'])}
${pkg('grpcio', '1.66.1', ['grpcio-1.66.1.tar.gz', 'grpcio-1.66.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', 'grpcio-1.66.1-cp312-cp312-musllinux_1_1_x86_64.whl'])}
${pkg('psutil', '5.9.0', ['psutil-5.9.0.tar.gz', 'psutil-5.9.0-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.whl'])}
${pkg('six', '1.16.0', ['six-1.16.0.tar.gz', 'six-1.16.0-py2.py3-none-any.whl'])}
${pkg('onlyx86', '1.0', ['onlyx86-1.0-cp312-cp312-manylinux_2_17_x86_64.whl'])}
${pkg('pywin32', '306', ['pywin32-306-cp312-cp312-win_amd64.whl'])}
${pkg('oldpy', '2.0', ['oldpy-2.0-cp311-cp311-manylinux_2_17_aarch64.whl'])}
`;

const ARM64 = target('linux/arm64', 'glibc', '2.36');
const AL2_ARM64 = target('linux/arm64', 'glibc', '2.26', { toolchain: NO_TOOLS });
const ALPINE_ARM64 = target('linux/arm64', 'musl', '1.2.5', { toolchain: C_ONLY, site: { file: 'Dockerfile', stage: 'build', line: 5, column: 1, command: 'pip install -r requirements.txt', base: 'python:3.12-alpine' } });
const ARMV7 = target('linux/arm/v7', 'glibc', '2.36');
const PPC = target('linux/ppc64le', 'glibc', '2.36');
const TARGETS = [ARM64, AL2_ARM64, ALPINE_ARM64, ARMV7, PPC];

describe('analyzePythonLockfile from a uv.lock (no index)', async () => {
  const rows = await analyzePythonLockfile(readUvLock('uv.lock', UV), TARGETS, undefined);
  const row = (name: string) => rows.find((r) => r.name === name)!;

  test('native packages only, in lockfile order; pure and Windows-only packages left out', () => {
    assert.deepEqual(rows.map((r) => r.name), ['cryptography', 'grpcio', 'psutil', 'onlyx86', 'oldpy']);
    assert.deepEqual(row('cryptography').position, { line: 10, column: 1 });
    assert.equal(row('cryptography').mechanism, 'wheels');
  });

  test('cryptography: wheels where they exist, a Rust build elsewhere, glibc too old on AL2', () => {
    const [arm64, al2, alpine, armv7, ppc] = row('cryptography').cells;
    assert.deepEqual(arm64, { status: 'prebuilt', artifact: 'cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl', reason: 'wheel cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl' });
    assert.equal(al2!.status, 'missing');
    assert.equal(al2!.id, 'AA302');
    assert.match(al2!.reason, /^only manylinux_2_28 wheels for aarch64; the base has glibc 2.26; pip would build cryptography-43.0.1.tar.gz at install, but .* lacks /);
    assert.deepEqual(al2!.lacking, ['a C compiler', 'Python headers (python3-dev)', 'Rust', 'libssl-dev']);
    assert.equal(alpine!.status, 'prebuilt');
    assert.equal(alpine!.artifact, 'cryptography-43.0.1-cp39-abi3-musllinux_1_2_aarch64.whl');
    assert.equal(armv7!.status, 'compiles');
    assert.equal(armv7!.id, 'AA303');
    assert.match(armv7!.reason, /^no wheel for armv7l; pip builds cryptography-43.0.1.tar.gz at install \(no Dockerfile says what the installing stage has\)/);
    assert.ok(armv7!.needs?.includes('Rust'));
    assert.equal(ppc!.status, 'compiles');
    assert.match(row('cryptography').suggestion ?? '', /a base with glibc >= 2.28 \(Debian bookworm has 2.36\) for linux\/arm64/);
  });

  test('grpcio on Alpine arm64: no musllinux wheel; the stage has gcc but not g++', () => {
    const alpine = row('grpcio').cells[2]!;
    assert.equal(alpine.status, 'missing');
    assert.equal(alpine.id, 'AA302');
    assert.match(alpine.reason, /^no musllinux wheel for aarch64 \(manylinux wheels need glibc\)/);
    assert.deepEqual(alpine.lacking, ['a C++ compiler'], 'python:3.12-alpine ships Python headers; build-base gave gcc');
    assert.match(row('grpcio').suggestion ?? '', /a glibc base \(python:3.12-slim-bookworm\) instead of Alpine has a manylinux wheel for linux\/arm64 \(musl\)/);
  });

  test('no wheel and no sdist is AA301; a wheel for another CPython says so', () => {
    const ppc = row('onlyx86').cells[4]!;
    assert.deepEqual(ppc, { status: 'missing', reason: 'no wheel for ppc64le and no sdist', id: 'AA301' });
    const arm = row('oldpy').cells[0]!;
    assert.equal(arm.status, 'missing');
    assert.equal(arm.reason, 'no wheel for CPython 3.12 on aarch64 (the wheels are cp311) and no sdist');
  });

  test('an optional C extension (MarkupSafe 1.1.1, PyYAML 6.0.1 on armv7): no compiler still installs, as pure Python', async () => {
    const lock = readUvLock('uv.lock', `version = 1\nrequires-python = ">=3.12"\n${pkg('markupsafe', '1.1.1', ['MarkupSafe-1.1.1.tar.gz', 'MarkupSafe-1.1.1-cp38-cp38-manylinux1_x86_64.whl'])}\n${pkg('pyyaml', '6.0.1', ['PyYAML-6.0.1.tar.gz', 'PyYAML-6.0.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl'])}\n${pkg('regex', '2024.9.11', ['regex-2024.9.11.tar.gz'])}`);
    const noCompiler = target('linux/arm/v7', 'glibc', '2.36', { toolchain: NO_TOOLS });
    const got = await analyzePythonLockfile(lock, [noCompiler], undefined);
    assert.deepEqual(got.map((r) => [r.name, r.cells[0]!.status, r.cells[0]!.id]), [
      ['markupsafe', 'compiles', 'AA303'],
      ['pyyaml', 'compiles', 'AA303'],
      ['regex', 'missing', 'AA302'],
    ]);
    assert.match(got[1]!.cells[0]!.reason, /pip builds PyYAML-6\.0\.1\.tar\.gz, which installs as pure Python without its optional C extension/);
  });

  test('psutil: an x86_64-only wheel means a build on arm64 (giampaolo/psutil#1782)', () => {
    assert.equal(row('psutil').cells[0]!.status, 'compiles');
    assert.match(row('psutil').cells[0]!.reason, /^no wheel for aarch64; pip builds psutil-5.9.0.tar.gz/);
  });
});

function memoryIndex(projects: Record<string, readonly DistributionFile[] | 'fail'>): PythonIndexSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async files(name) {
      asked.push(name);
      const p = projects[name];
      if (p === 'fail') return { error: new AnyarchError('E_REGISTRY', `https://idx.example/simple/ answered HTTP 503 for ${name}`) };
      return p;
    },
  };
}

const files = (...names: string[]): DistributionFile[] => names.map((filename) => ({ filename }));

describe('analyzePythonLockfile from requirements.txt (files from the index)', () => {
  const REQS = 'numpy==1.26.0\nrequests==2.32.3\nbroken==1.0\nuvloop==0.19.0\nghost==1.0\n';
  const index = memoryIndex({
    numpy: files(
      'numpy-1.26.0-cp312-cp312-manylinux_2_17_x86_64.whl',
      'numpy-1.26.0.tar.gz',
      'numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.whl',
      'numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl',
      'numpy-2.2.0rc1-cp312-cp312-manylinux_2_17_aarch64.whl',
    ),
    requests: files('requests-2.32.3-py3-none-any.whl', 'requests-2.32.3.tar.gz'),
    broken: 'fail',
  });

  test('the locked version only; a newer version with the wheel is suggested; failures are unknown cells, the rest analysed', async () => {
    const rows = await analyzePythonLockfile(readRequirements('requirements.txt', REQS), [ARM64], index);
    assert.deepEqual(rows.map((r) => [r.name, r.cells[0]!.status]), [['numpy', 'compiles'], ['broken', 'unknown'], ['uvloop', 'unknown'], ['ghost', 'unknown']]);
    assert.match(rows[0]!.suggestion ?? '', /^numpy 2.1.0 has wheels for linux\/arm64/);
    assert.equal(rows[1]!.cells[0]!.reason, 'broken 1.0: https://idx.example/simple/ answered HTTP 503 for broken');
    assert.equal(rows[1]!.cells[0]!.id, 'AA304');
    assert.equal(rows[2]!.cells[0]!.reason, 'uvloop 0.19.0: the index has no project uvloop');
  });

  test('without an index: known native packages are unknown, the others cannot be told and are left out', async () => {
    const rows = await analyzePythonLockfile(readRequirements('requirements.txt', REQS), [ARM64], undefined);
    assert.deepEqual(rows.map((r) => r.name), ['numpy', 'uvloop']);
    assert.match(rows[0]!.cells[0]!.reason, /the lockfile names no files and no index was asked/);
  });

  test("the lock's own marker decides before any index: a Windows-only pin is no row, a Linux-x86-only one is installed on amd64 alone", async () => {
    const reqs = 'pywin32==306 ; sys_platform == "win32"\nnumpy==1.26.4 ; platform_machine == "x86_64"\n';
    const amd64 = target('linux/amd64', 'glibc', '2.36');
    const rows = await analyzePythonLockfile(readRequirements('requirements.txt', reqs), [amd64, ARM64], undefined);
    assert.deepEqual(rows.map((r) => [r.name, r.cells.map((c) => c.status)]), [['numpy', ['unknown', 'prebuilt']]]);
    assert.match(rows[0]!.cells[1]!.reason, /^not installed on linux\/arm64.* \(marker platform_machine == "x86_64"\)$/);
  });
});

describe('analyzePythonLockfile: a glibc base is suggested only where a manylinux wheel would fit it', () => {
  const ALPINE_PPC = target('linux/ppc64le', 'musl', '1.2.5');
  const ALPINE_X86 = target('linux/amd64', 'musl', '1.2.5');
  const lock = `version = 1
requires-python = ">=3.12"
${pkg('fastlib', '1.0', ['fastlib-1.0-cp312-cp312-manylinux_2_17_aarch64.whl', 'fastlib-1.0-cp312-cp312-manylinux_2_39_x86_64.whl'])}
`;

  test('no manylinux wheel for the CPU: no glibc base; one above bookworm\'s glibc: a base with that glibc, not bookworm', async () => {
    const [row] = await analyzePythonLockfile(readUvLock('uv.lock', lock), [target('linux/arm64', 'musl', '1.2.5'), ALPINE_PPC, ALPINE_X86], undefined);
    assert.deepEqual(row!.cells.map((c) => c.status), ['missing', 'missing', 'missing']);
    assert.equal(
      row!.suggestion,
      'a glibc base (python:3.12-slim-bookworm) instead of Alpine has a manylinux wheel for linux/arm64 (musl); a base with glibc >= 2.39 instead of Alpine has a manylinux wheel for linux/amd64 (musl).',
    );
    const [ppc] = await analyzePythonLockfile(readUvLock('uv.lock', lock), [ALPINE_PPC], undefined);
    assert.equal(ppc!.suggestion, undefined, 'no ppc64le wheel of any libc: a glibc base would not help');
  });
});

describe('analyzePythonLockfile: requires-python (the index\'s per file, the lock\'s for the project)', () => {
  const withPy = (filename: string, requiresPython?: string): DistributionFile => ({ filename, ...(requiresPython ? { requiresPython } : {}) });
  const index = memoryIndex({
    newpkg: [
      withPy('newpkg-2.0-py3-none-manylinux_2_17_aarch64.whl', '>=3.10'),
      withPy('newpkg-2.0-py3-none-manylinux_2_17_x86_64.whl', '>=3.10'),
      withPy('newpkg-2.0.tar.gz', '>=3.10'),
      withPy('newpkg-2.1-py3-none-manylinux_2_17_aarch64.whl', '>=3.11'),
    ],
    buildonly: [withPy('buildonly-1.0-cp38-cp38-manylinux_2_17_x86_64.whl'), withPy('buildonly-1.0.tar.gz', '>=3.9')],
  });
  const PY38 = target('linux/arm64', 'glibc', '2.36', { python: '3.8' });
  const PY312 = target('linux/arm64', 'glibc', '2.36', { python: '3.12' });

  test('wheels whose tags fit but whose requires-python refuses the base\'s Python: missing, saying so; a base with the Python they need is suggested, no newer version that needs more', async () => {
    const rows = await analyzePythonLockfile(readRequirements('requirements.txt', 'newpkg==2.0\nbuildonly==1.0\n'), [PY38, PY312], index);
    const newpkg = rows.find((r) => r.name === 'newpkg')!;
    assert.deepEqual(newpkg.cells.map((c) => c.status), ['missing', 'prebuilt']);
    assert.equal(newpkg.cells[0]!.id, 'AA301');
    assert.equal(newpkg.cells[0]!.reason, 'newpkg-2.0-py3-none-manylinux_2_17_aarch64.whl fits aarch64 but requires Python >=3.10, and newpkg-2.0.tar.gz requires Python >=3.10; the base has Python 3.8');
    assert.equal(newpkg.suggestion, 'a base with Python 3.10 (python:3.10-slim) has a wheel for linux/arm64.');
    const buildonly = rows.find((r) => r.name === 'buildonly')!;
    assert.deepEqual(buildonly.cells.map((c) => c.status), ['missing', 'compiles']);
    assert.match(buildonly.cells[0]!.reason, /^no wheel for aarch64; buildonly-1\.0\.tar\.gz requires Python >=3\.9, and the base has Python 3\.8$/);
  });

  test('a uv.lock whose requires-python excludes a target\'s Python: a warning naming the targets', async () => {
    const warnings: string[] = [];
    await analyzePythonLockfile(readUvLock('uv.lock', UV), [PY38, target('linux/amd64', 'glibc', '2.36', { python: '3.8' }), PY312], undefined, { onWarning: (w) => warnings.push(w.message) });
    assert.deepEqual(warnings, ['uv.lock: the project requires Python >=3.12, and linux/arm64, linux/amd64 have Python 3.8: uv sync refuses to install there']);
  });
});
