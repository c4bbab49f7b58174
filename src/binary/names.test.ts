import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  architectureToNodeArch,
  nodeArchToArchitecture,
  nodePackageOf,
  parseNodeAddonPath,
  parseNodePlatformName,
  parsePrebuildTags,
  selectPrebuild,
} from './node.js';
import { isQemuUserEmulator, pathArchitecture } from './paths.js';
import { isPythonExtensionPath, parseExtensionName, parseWheelFile, tripletFacts, wheelTagArchitectures } from './python.js';

describe('Python extension names', () => {
  test('cpython suffixes with the platform_triplet.c triplets', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['_ssl.cpython-311-x86_64-linux-gnu.so', { module: '_ssl', python: 'cpython-311', triplet: 'x86_64-linux-gnu', architecture: 'amd64', os: 'linux', libc: 'glibc' }],
      ['_multiarray_umath.cpython-312-aarch64-linux-gnu.so', { architecture: 'arm64', libc: 'glibc' }],
      ['x.cpython-311-arm-linux-gnueabihf.so', { architecture: 'arm', libc: 'glibc', float: 'hard' }],
      ['x.cpython-311-arm-linux-gnueabi.so', { architecture: 'arm', libc: 'glibc', float: 'soft' }],
      ['x.cpython-311-i386-linux-gnu.so', { architecture: '386' }],
      ['x.cpython-311-powerpc64le-linux-gnu.so', { architecture: 'ppc64le' }],
      ['x.cpython-311-powerpc64-linux-gnu.so', { architecture: 'ppc64' }],
      ['x.cpython-311-s390x-linux-gnu.so', { architecture: 's390x' }],
      ['x.cpython-311-riscv64-linux-gnu.so', { architecture: 'riscv64' }],
      ['x.cpython-311-loongarch64-linux-gnu.so', { architecture: 'loong64' }],
      ['x.cpython-311-mips64el-linux-gnuabi64.so', { architecture: 'mips64le' }],
      ['x.cpython-311-x86_64-linux-gnux32.so', { architecture: 'amd64p32' }],
      ['x.cpython-312-x86_64-linux-musl.so', { architecture: 'amd64', libc: 'musl' }],
      ['x.cpython-312-aarch64-linux-musl.so', { architecture: 'arm64', libc: 'musl' }],
      ['x.cpython-312-arm-linux-musleabihf.so', { architecture: 'arm', libc: 'musl', float: 'hard' }],
      ['x.cpython-36m-x86_64-linux-gnu.so', { python: 'cpython-36m', architecture: 'amd64' }],
      ['x.cpython-313t-aarch64-linux-gnu.so', { python: 'cpython-313t', architecture: 'arm64' }],
      ['x.pypy39-pp73-aarch64-linux-gnu.so', { python: 'pypy39-pp73', architecture: 'arm64' }],
      ['x.abi3-aarch64-linux-gnu.so', { python: 'abi3', architecture: 'arm64' }],
      ['x.cpython-311-darwin.so', { os: 'darwin', triplet: 'darwin' }],
      ['x.cp311-win_amd64.pyd', { os: 'windows', architecture: 'amd64', python: 'cp311' }],
    ];
    for (const [name, want] of cases) {
      const got = parseExtensionName(name) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, `${name}: ${k}`);
    }
  });
  test('abi3 and bare .so carry no platform; not an extension', () => {
    assert.deepEqual(parseExtensionName('_cffi_backend.abi3.so'), { module: '_cffi_backend', python: 'abi3' });
    assert.deepEqual(parseExtensionName('usr/lib/python3/dist-packages/_foo.so'), { module: '_foo' });
    assert.deepEqual(parseExtensionName('x.weird-tag.so'), { module: 'x' });
    assert.equal(parseExtensionName('README.md'), undefined);
    assert.equal(parseExtensionName('.so'), undefined);
    assert.equal(parseExtensionName('x.cpython-311-sparc-sun-solaris.so')?.architecture, undefined);
  });
  test('every known platform\'s multiarch triplet reads back', () => {
    assert.equal(tripletFacts('aarch64-linux-gnu')?.architecture, 'arm64');
    assert.equal(tripletFacts('nonsense'), undefined);
  });
  test('isPythonExtensionPath', () => {
    assert.ok(isPythonExtensionPath('usr/local/lib/python3.12/site-packages/numpy/core/_x.cpython-312-x86_64-linux-gnu.so'));
    assert.ok(isPythonExtensionPath('usr/lib/python3/dist-packages/_cffi_backend.cpython-311-x86_64-linux-gnu.so'));
    assert.ok(isPythonExtensionPath('usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so'));
    assert.ok(!isPythonExtensionPath('usr/lib/x86_64-linux-gnu/libssl.so'));
    assert.ok(!isPythonExtensionPath('usr/lib/python3/dist-packages/x.py'));
  });
});

describe('wheels', () => {
  test('parseWheelFile', () => {
    const w = parseWheelFile('Wheel-Version: 1.0\nGenerator: bdist_wheel (0.42.0)\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_aarch64\nTag: cp312-cp312-manylinux2014_aarch64\n\n');
    assert.deepEqual(w, { tags: ['cp312-cp312-manylinux_2_17_aarch64', 'cp312-cp312-manylinux2014_aarch64'], rootIsPurelib: false, wheelVersion: '1.0', generator: 'bdist_wheel (0.42.0)' });
    assert.deepEqual(parseWheelFile('Root-Is-Purelib: true\r\nTag: py3-none-any\r\n'), { tags: ['py3-none-any'], rootIsPurelib: true });
    assert.equal(parseWheelFile('Tag: x\n'.repeat(10_000)).tags.length, 256);
  });
  test('wheelTagArchitectures', () => {
    assert.deepEqual(wheelTagArchitectures('cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64'), {
      any: false,
      platforms: [
        { tag: 'manylinux_2_17_aarch64', os: 'linux', architecture: 'arm64', libc: 'glibc' },
        { tag: 'manylinux2014_aarch64', os: 'linux', architecture: 'arm64', libc: 'glibc' },
      ],
    });
    assert.deepEqual(wheelTagArchitectures('manylinux2014_x86_64').platforms[0], { tag: 'manylinux2014_x86_64', os: 'linux', architecture: 'amd64', libc: 'glibc' });
    assert.deepEqual(wheelTagArchitectures('musllinux_1_1_x86_64').platforms[0], { tag: 'musllinux_1_1_x86_64', os: 'linux', architecture: 'amd64', libc: 'musl' });
    assert.deepEqual(wheelTagArchitectures('linux_armv7l').platforms[0], { tag: 'linux_armv7l', os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(wheelTagArchitectures('cp311-cp311-linux_armv6l').platforms[0], { tag: 'linux_armv6l', os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(wheelTagArchitectures('manylinux1_i686').platforms[0]?.architecture, '386');
    assert.deepEqual(wheelTagArchitectures('manylinux_2_17_ppc64le').platforms[0]?.architecture, 'ppc64le');
    assert.deepEqual(wheelTagArchitectures('manylinux_2_17_s390x').platforms[0]?.architecture, 's390x');
    assert.deepEqual(wheelTagArchitectures('manylinux_2_39_riscv64').platforms[0]?.architecture, 'riscv64');
    assert.deepEqual(wheelTagArchitectures('py3-none-any'), { any: true, platforms: [] });
    assert.deepEqual(wheelTagArchitectures('cp312-cp312-win_amd64').platforms[0], { tag: 'win_amd64', os: 'windows', architecture: 'amd64' });
    assert.deepEqual(wheelTagArchitectures('cp312-cp312-macosx_11_0_arm64').platforms[0], { tag: 'macosx_11_0_arm64', os: 'darwin', architecture: 'arm64' });
    assert.deepEqual(wheelTagArchitectures('cp312-cp312-macosx_10_9_universal2').platforms[0], { tag: 'macosx_10_9_universal2', os: 'darwin' });
    assert.deepEqual(wheelTagArchitectures('what-ever-this_is').platforms, []);
  });
});

describe('Node arch words', () => {
  test('both ways', () => {
    const pairs: [string, string][] = [
      ['x64', 'amd64'],
      ['arm64', 'arm64'],
      ['arm', 'arm'],
      ['ia32', '386'],
      ['ppc64', 'ppc64le'],
      ['s390x', 's390x'],
      ['riscv64', 'riscv64'],
      ['loong64', 'loong64'],
    ];
    for (const [node, oci] of pairs) {
      assert.equal(nodeArchToArchitecture(node), oci);
      assert.equal(architectureToNodeArch(oci), node);
    }
    assert.equal(architectureToNodeArch('x86_64'), 'x64');
    assert.equal(nodeArchToArchitecture('amd64'), undefined);
  });
});

describe('Node addon paths', () => {
  test('prebuildify prebuilds', () => {
    const p = parseNodeAddonPath('app/node_modules/bufferutil/prebuilds/linux-arm/node.napi.armv7.glibc.node');
    assert.equal(p?.kind, 'prebuild');
    if (p?.kind !== 'prebuild') return;
    assert.equal(p.packageDir, 'app/node_modules/bufferutil');
    assert.equal(p.relative, 'prebuilds/linux-arm/node.napi.armv7.glibc.node');
    assert.deepEqual(p.target, { nodePlatform: 'linux', os: 'linux', nodeArchs: ['arm'], architectures: ['arm'], libc: 'glibc' });
    assert.deepEqual(p.tags, { file: 'node.napi.armv7.glibc.node', runtime: 'node', napi: true, armv: '7', libc: 'glibc', specificity: 4 });
    const mac = parseNodeAddonPath('node_modules/fsevents/prebuilds/darwin-x64+arm64/fsevents.node');
    assert.equal(mac?.kind === 'prebuild' && mac.target.os, 'darwin');
    assert.deepEqual(mac?.kind === 'prebuild' && mac.target.architectures, ['amd64', 'arm64']);
    assert.deepEqual(parsePrebuildTags('electron.abi98.uv1.musl.node'), { file: 'electron.abi98.uv1.musl.node', runtime: 'electron', abi: '98', uv: '1', libc: 'musl', specificity: 4 });
    assert.equal(parsePrebuildTags('x.so'), undefined);
  });
  test('napi-rs and esbuild-style per-platform packages', () => {
    const p = parseNodeAddonPath('app/node_modules/@swc/core-linux-arm64-gnu/swc.linux-arm64-gnu.node');
    assert.equal(p?.kind, 'platform-package');
    if (p?.kind !== 'platform-package') return;
    assert.equal(p.packageName, '@swc/core-linux-arm64-gnu');
    assert.equal(p.packageDir, 'app/node_modules/@swc/core-linux-arm64-gnu');
    assert.deepEqual(p.target, { nodePlatform: 'linux', os: 'linux', nodeArchs: ['arm64'], architectures: ['arm64'], libc: 'glibc' });
    assert.deepEqual(parseNodePlatformName('@napi-rs/canvas-linux-arm-gnueabihf'), { nodePlatform: 'linux', os: 'linux', nodeArchs: ['arm'], architectures: ['arm'], libc: 'glibc', float: 'hard' });
    assert.deepEqual(parseNodePlatformName('lightningcss-linux-x64-musl')?.libc, 'musl');
    assert.deepEqual(parseNodePlatformName('@esbuild/linux-arm64')?.architectures, ['arm64']);
    assert.deepEqual(parseNodePlatformName('@img/sharp-linuxmusl-x64'), { nodePlatform: 'linux', os: 'linux', nodeArchs: ['x64'], architectures: ['amd64'], libc: 'musl' });
    assert.deepEqual(parseNodePlatformName('@rollup/rollup-win32-x64-msvc')?.os, 'windows');
    assert.deepEqual(parseNodePlatformName('x.darwin-universal')?.architectures, ['amd64', 'arm64']);
    assert.equal(parseNodePlatformName('left-pad'), undefined);
    assert.equal(parseNodePlatformName('my-linux-tool'), undefined, 'the arch word must be a Node arch word');
    const local = parseNodeAddonPath('app/node_modules/@node-rs/argon2/argon2.linux-x64-musl.node');
    assert.equal(local?.kind, 'platform-package');
  });
  test('build/Release and others', () => {
    assert.deepEqual(parseNodeAddonPath('app/node_modules/bcrypt/build/Release/bcrypt_lib.node'), { kind: 'build', packageDir: 'app/node_modules/bcrypt', relative: 'build/Release/bcrypt_lib.node' });
    assert.deepEqual(parseNodeAddonPath('app/node_modules/x/lib/binding/napi-v3/x.node'), { kind: 'other', packageDir: 'app/node_modules/x' });
    assert.equal(parseNodeAddonPath('app/x.js'), undefined);
    assert.deepEqual(nodePackageOf('a/node_modules/b/node_modules/@s/c/index.js'), { dir: 'a/node_modules/b/node_modules/@s/c', name: '@s/c' });
  });
});

describe("selectPrebuild: node-gyp-build's choice", () => {
  const linux = (architecture: string, variant?: string) => ({ os: 'linux', architecture, ...(variant ? { variant } : {}) });
  const pkg = [
    'prebuilds/darwin-x64+arm64/node.napi.node',
    'prebuilds/linux-x64/node.napi.glibc.node',
    'prebuilds/linux-x64/node.napi.musl.node',
    'prebuilds/linux-arm64/node.napi.armv8.node',
    'prebuilds/linux-arm/node.napi.armv6.node',
    'prebuilds/linux-arm/node.napi.armv7.node',
    'prebuilds/win32-x64/node.napi.node',
  ];
  test('platform, arch, libc and armv pick one file', () => {
    assert.equal(selectPrebuild(pkg, { platform: linux('amd64'), libc: 'glibc' }), 'prebuilds/linux-x64/node.napi.glibc.node');
    assert.equal(selectPrebuild(pkg, { platform: linux('amd64'), libc: 'musl' }), 'prebuilds/linux-x64/node.napi.musl.node');
    assert.equal(selectPrebuild(pkg, { platform: linux('arm64'), libc: 'glibc' }), 'prebuilds/linux-arm64/node.napi.armv8.node');
    assert.equal(selectPrebuild(pkg, { platform: linux('arm', 'v7'), libc: 'glibc' }), 'prebuilds/linux-arm/node.napi.armv7.node');
    assert.equal(selectPrebuild(pkg, { platform: linux('arm', 'v6'), libc: 'glibc' }), 'prebuilds/linux-arm/node.napi.armv6.node');
    assert.equal(selectPrebuild(pkg, { platform: linux('s390x'), libc: 'glibc' }), undefined, 'none for s390x: cannot load');
    assert.equal(selectPrebuild(pkg, { platform: { os: 'windows', architecture: 'amd64' }, libc: 'glibc' }), 'prebuilds/win32-x64/node.napi.node');
    assert.equal(selectPrebuild(pkg, { platform: { os: 'darwin', architecture: 'arm64' }, libc: 'glibc' }), 'prebuilds/darwin-x64+arm64/node.napi.node');
  });
  test('single-arch directories before multi-arch; abi over napi; runtime; specificity', () => {
    const c = ['prebuilds/darwin-x64+arm64/node.napi.node', 'prebuilds/darwin-arm64/node.napi.node'];
    assert.equal(selectPrebuild(c, { platform: { os: 'darwin', architecture: 'arm64' }, libc: 'glibc' }), 'prebuilds/darwin-arm64/node.napi.node');
    const abi = ['prebuilds/linux-x64/node.napi.node', 'prebuilds/linux-x64/node.abi115.node', 'prebuilds/linux-x64/node.abi108.node'];
    assert.equal(selectPrebuild(abi, { platform: linux('amd64'), libc: 'glibc', abi: '115' }), 'prebuilds/linux-x64/node.abi115.node');
    assert.equal(selectPrebuild(abi, { platform: linux('amd64'), libc: 'glibc', abi: '120' }), 'prebuilds/linux-x64/node.napi.node');
    const rt = ['prebuilds/linux-x64/electron.abi98.node', 'prebuilds/linux-x64/node.napi.node'];
    assert.equal(selectPrebuild(rt, { platform: linux('amd64'), libc: 'glibc', abi: '98' }), 'prebuilds/linux-x64/node.napi.node');
    assert.equal(selectPrebuild(rt, { platform: linux('amd64'), libc: 'glibc', abi: '98', runtime: 'electron' }), 'prebuilds/linux-x64/electron.abi98.node');
    const spec = ['prebuilds/linux-x64/addon.node', 'prebuilds/linux-x64/addon.napi.glibc.node'];
    assert.equal(selectPrebuild(spec, { platform: linux('amd64'), libc: 'glibc' }), 'prebuilds/linux-x64/addon.napi.glibc.node');
    assert.equal(selectPrebuild(['prebuilds/linux-x64/node.uv2.node'], { platform: linux('amd64'), libc: 'glibc' }), undefined);
  });
  test('build/Release first, unless PREBUILDS_ONLY', () => {
    const c = [...pkg, 'build/Release/addon.node', 'build/Release/obj.target/x.o', 'build/Debug/addon.node'];
    assert.equal(selectPrebuild(c, { platform: linux('arm64'), libc: 'glibc' }), 'build/Release/addon.node');
    assert.equal(selectPrebuild(c, { platform: linux('arm64'), libc: 'glibc', prebuildsOnly: true }), 'prebuilds/linux-arm64/node.napi.armv8.node');
    assert.equal(selectPrebuild(['build/Debug/addon.node'], { platform: linux('arm64'), libc: 'glibc' }), 'build/Debug/addon.node');
  });
});

describe('paths that name an architecture (intended foreign files)', () => {
  const cases: [string, ReturnType<typeof pathArchitecture>][] = [
    ['usr/aarch64-linux-gnu/lib/libc.so.6', { architectures: ['arm64'], convention: 'cross-toolchain', where: 'usr/aarch64-linux-gnu' }],
    ['usr/lib/gcc-cross/arm-linux-gnueabihf/12/libgcc.a', { architectures: ['arm'], convention: 'cross-toolchain', where: 'usr/lib/gcc-cross/arm-linux-gnueabihf' }],
    ['usr/lib/aarch64-linux-gnu/libz.so.1', { architectures: ['arm64'], convention: 'multiarch', where: 'usr/lib/aarch64-linux-gnu' }],
    ['lib/x86_64-linux-gnu/libc.so.6', { architectures: ['amd64'], convention: 'multiarch', where: 'lib/x86_64-linux-gnu' }],
    ['usr/lib/s390x-linux-gnu/libz.so.1', { architectures: ['s390x'], convention: 'multiarch', where: 'usr/lib/s390x-linux-gnu' }],
    ['usr/local/go/pkg/tool/linux_arm64/compile', { architectures: ['arm64'], convention: 'go-target', where: 'usr/local/go/pkg/tool/linux_arm64' }],
    ['root/go/pkg/linux_amd64_race/runtime.a', { architectures: ['amd64'], convention: 'go-target', where: 'root/go/pkg/linux_amd64_race' }],
    ['usr/local/go/pkg/tool/darwin_arm64/vet', { architectures: ['arm64'], os: 'darwin', convention: 'go-target', where: 'usr/local/go/pkg/tool/darwin_arm64' }],
    ['app/node_modules/bufferutil/prebuilds/linux-arm64/node.napi.node', { architectures: ['arm64'], convention: 'node-prebuild', where: 'app/node_modules/bufferutil/prebuilds/linux-arm64' }],
    ['app/node_modules/fsevents/prebuilds/darwin-x64+arm64/fsevents.node', { architectures: ['amd64', 'arm64'], os: 'darwin', convention: 'node-prebuild', where: 'app/node_modules/fsevents/prebuilds/darwin-x64+arm64' }],
    ['app/node_modules/@esbuild/linux-arm64/bin/esbuild', { architectures: ['arm64'], convention: 'node-platform-package', where: 'app/node_modules/@esbuild/linux-arm64' }],
    ['app/node_modules/@swc/core-linux-x64-musl/swc.linux-x64-musl.node', { architectures: ['amd64'], convention: 'node-platform-package', where: 'app/node_modules/@swc/core-linux-x64-musl' }],
    ['app/index.linux-arm64-gnu.node', { architectures: ['arm64'], convention: 'node-platform-package', where: 'app/index.linux-arm64-gnu.node' }],
    // musl-cross-make, crosstool-NG, Rust's per-target standard library
    ['usr/local/aarch64-linux-musl/lib/libc.so', { architectures: ['arm64'], convention: 'cross-toolchain', where: 'usr/local/aarch64-linux-musl' }],
    ['opt/x-tools/aarch64-unknown-linux-gnu/aarch64-unknown-linux-gnu/sysroot/lib/libc.so.6', { architectures: ['arm64'], convention: 'cross-toolchain', where: 'opt/x-tools/aarch64-unknown-linux-gnu' }],
    [
      'usr/local/rustup/toolchains/1.75.0-x86_64-unknown-linux-gnu/lib/rustlib/aarch64-unknown-linux-gnu/lib/libstd-8a1f2b3c.so',
      { architectures: ['arm64'], convention: 'cross-toolchain', where: 'usr/local/rustup/toolchains/1.75.0-x86_64-unknown-linux-gnu/lib/rustlib/aarch64-unknown-linux-gnu' },
    ],
    ['root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/armv7-unknown-linux-gnueabihf/lib/libstd.so', { architectures: ['arm'], convention: 'cross-toolchain', where: 'root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/armv7-unknown-linux-gnueabihf' }],
    [
      'opt/android-sdk/ndk/26.1.10909125/toolchains/llvm/prebuilt/linux-x86_64/sysroot/usr/lib/aarch64-linux-android/24/libc.so',
      { architectures: ['arm64'], convention: 'cross-toolchain', where: 'opt/android-sdk/ndk/26.1.10909125/toolchains/llvm/prebuilt/linux-x86_64/sysroot/usr/lib/aarch64-linux-android' },
    ],
    ['usr/local/aarch64-linux-musl/bin/aarch64-linux-musl-gcc', undefined],
    ['usr/bin/aarch64-linux-gnu-gcc-12', undefined],
    ['usr/libexec/gcc-cross/aarch64-linux-gnu/12/cc1', undefined],
    ['usr/local/go/bin/go', undefined],
    ['usr/bin/qemu-aarch64-static', undefined],
    ['app/node_modules/left-pad/index.js', undefined],
  ];
  for (const [path, want] of cases) test(path, () => assert.deepEqual(pathArchitecture(path), want));
  test('QEMU user-mode emulators', () => {
    assert.ok(isQemuUserEmulator('usr/bin/qemu-aarch64-static'));
    assert.ok(isQemuUserEmulator('usr/libexec/qemu-binfmt/aarch64-binfmt-P'));
    assert.ok(!isQemuUserEmulator('usr/bin/qemu-img-wrapper.sh/x'));
    assert.ok(isQemuUserEmulator('usr/local/bin/qemu-arm-static'), 'wherever a Dockerfile copied it');
    assert.ok(isQemuUserEmulator('qemu-x86_64'));
    for (const tool of ['usr/bin/qemu-img', 'usr/bin/qemu-system-x86_64', 'usr/bin/qemu-nbd', 'usr/bin/qemu-io']) assert.ok(!isQemuUserEmulator(tool), tool);
  });
});
