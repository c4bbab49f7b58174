import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KNOWN_PLATFORMS,
  PLATFORM_DATA,
  VOCABULARIES,
  archToken,
  archTokens,
  elfIdentity,
  formatPlatform,
  goEnv,
  parsePlatform,
  platformData,
  platformsForToken,
  pythonTags,
  toVocabulary,
  type Platform,
  type Vocabulary,
} from './index.js';

const P = (spec: string): Platform => parsePlatform(spec);
const names = (ps: readonly Platform[]): string[] => ps.map(formatPlatform);

/**
 * Written by hand from platforms-and-vendors.md tables 1a, 1b and 1d (not from the data module),
 * so that this checks the data. Order: oci, targetarch, uname, dpkg, apk, rpm, go, node, gnu,
 * multiarch, rust-gnu, rust-musl, python, bashbrew. '-' = no word.
 */
const EXPECTED: Record<string, string> = {
  'linux/amd64':
    'amd64 amd64 x86_64 amd64 x86_64 x86_64 amd64 x64 x86_64-linux-gnu x86_64-linux-gnu x86_64-unknown-linux-gnu x86_64-unknown-linux-musl x86_64 amd64',
  'linux/arm64':
    'arm64 arm64 aarch64 arm64 aarch64 aarch64 arm64 arm64 aarch64-linux-gnu aarch64-linux-gnu aarch64-unknown-linux-gnu aarch64-unknown-linux-musl aarch64 arm64v8',
  'linux/arm/v7':
    'arm arm armv7l armhf armv7 arm arm arm arm-linux-gnueabihf arm-linux-gnueabihf armv7-unknown-linux-gnueabihf armv7-unknown-linux-musleabihf armv7l arm32v7',
  'linux/arm/v6':
    'arm arm armv6l armel armhf arm arm arm arm-linux-gnueabi arm-linux-gnueabi arm-unknown-linux-gnueabihf arm-unknown-linux-musleabihf armv6l arm32v6',
  'linux/386':
    '386 386 i686 i386 x86 i386 386 ia32 i686-linux-gnu i386-linux-gnu i686-unknown-linux-gnu i686-unknown-linux-musl i686 i386',
  'linux/ppc64le':
    'ppc64le ppc64le ppc64le ppc64el ppc64le ppc64le ppc64le ppc64 powerpc64le-linux-gnu powerpc64le-linux-gnu powerpc64le-unknown-linux-gnu powerpc64le-unknown-linux-musl ppc64le ppc64le',
  'linux/s390x':
    's390x s390x s390x s390x s390x s390x s390x s390x s390x-linux-gnu s390x-linux-gnu s390x-unknown-linux-gnu s390x-unknown-linux-musl s390x s390x',
  'linux/riscv64':
    'riscv64 riscv64 riscv64 riscv64 riscv64 riscv64 riscv64 riscv64 riscv64-linux-gnu riscv64-linux-gnu riscv64gc-unknown-linux-gnu riscv64gc-unknown-linux-musl riscv64 riscv64',
  'linux/mips64le':
    'mips64le mips64le mips64 mips64el - mips64el mips64le mips64el mips64el-linux-gnuabi64 mips64el-linux-gnuabi64 mips64el-unknown-linux-gnuabi64 mips64el-unknown-linux-muslabi64 mips64 mips64le',
  'linux/loong64':
    'loong64 loong64 loongarch64 loong64 loongarch64 loongarch64 loong64 loong64 loongarch64-linux-gnu loongarch64-linux-gnu loongarch64-unknown-linux-gnu loongarch64-unknown-linux-musl loongarch64 -',
};

describe('toVocabulary: the full table', () => {
  for (const k of KNOWN_PLATFORMS) {
    const row = EXPECTED[formatPlatform(k)]?.split(' ') ?? [];
    test(formatPlatform(k), () => {
      assert.equal(row.length, VOCABULARIES.length);
      VOCABULARIES.forEach((v, i) => {
        const want = row[i] === '-' ? undefined : row[i];
        assert.equal(toVocabulary(k, v), want, `${formatPlatform(k)} ${v}`);
      });
    });
  }
});

describe('toVocabulary: hand-written spot checks', () => {
  const spots: [string, Vocabulary, string | undefined][] = [
    ['linux/arm/v7', 'dpkg', 'armhf'],
    ['linux/arm/v7', 'apk', 'armv7'],
    ['linux/arm/v7', 'uname', 'armv7l'],
    ['linux/arm/v7', 'rust-gnu', 'armv7-unknown-linux-gnueabihf'],
    ['linux/arm/v7', 'node', 'arm'],
    ['linux/arm/v6', 'apk', 'armhf'],
    ['linux/arm/v6', 'dpkg', 'armel'],
    ['linux/ppc64le', 'node', 'ppc64'],
    ['linux/ppc64le', 'dpkg', 'ppc64el'],
    ['linux/mips64le', 'uname', 'mips64'],
    ['linux/mips64le', 'apk', undefined],
    ['linux/386', 'apk', 'x86'],
    ['linux/386', 'node', 'ia32'],
    ['linux/386', 'multiarch', 'i386-linux-gnu'],
    ['linux/386', 'gnu', 'i686-linux-gnu'],
    ['linux/amd64', 'node', 'x64'],
    ['linux/arm64', 'bashbrew', 'arm64v8'],
    ['linux/loong64', 'bashbrew', undefined],
    ['linux/riscv64', 'rust-musl', 'riscv64gc-unknown-linux-musl'],
    ['linux/arm/v7', 'targetarch', 'arm'],
  ];
  for (const [spec, v, want] of spots) {
    test(`${spec} ${v} -> ${String(want)}`, () => assert.equal(toVocabulary(P(spec), v), want));
  }

  test('accepts unnormalised platforms', () => {
    assert.equal(toVocabulary({ os: 'linux', architecture: 'aarch64', variant: 'v8' }, 'dpkg'), 'arm64');
    assert.equal(toVocabulary({ os: 'linux', architecture: 'arm', variant: '' }, 'apk'), 'armv7');
  });

  test('amd64 levels and arm64 v9 use the base platform; arm/v5 is unknown', () => {
    assert.equal(toVocabulary(P('linux/amd64/v3'), 'uname'), 'x86_64');
    assert.equal(toVocabulary(P('linux/arm64/v9'), 'dpkg'), 'arm64');
    assert.equal(toVocabulary(P('linux/arm/v5'), 'dpkg'), undefined);
    assert.equal(toVocabulary(P('linux/ppc64'), 'go'), undefined);
  });

  test('other OSes answer only the OS-independent vocabularies', () => {
    assert.equal(toVocabulary(P('windows/amd64'), 'node'), 'x64');
    assert.equal(toVocabulary(P('darwin/arm64'), 'go'), 'arm64');
    assert.equal(toVocabulary(P('windows/amd64'), 'targetarch'), 'amd64');
    assert.equal(toVocabulary(P('darwin/arm64'), 'uname'), undefined);
    assert.equal(toVocabulary(P('windows/amd64'), 'dpkg'), undefined);
  });
});

describe('platformsForToken', () => {
  test('round trip: each platform is among the platforms its own word names', () => {
    let n = 0;
    for (const k of KNOWN_PLATFORMS) {
      for (const v of VOCABULARIES) {
        const word = toVocabulary(k, v);
        if (word === undefined) continue;
        const found = platformsForToken(word, v);
        assert.ok(found.some((f) => formatPlatform(f) === formatPlatform(k)), `${word} (${v}) names ${formatPlatform(k)}`);
        assert.ok(platformsForToken(word).some((f) => formatPlatform(f) === formatPlatform(k)));
        n++;
      }
    }
    assert.equal(n, 138);
  });

  const cases: [string, Vocabulary | undefined, string[]][] = [
    ['x86_64', undefined, ['linux/amd64']],
    ['x86-64', undefined, ['linux/amd64']],
    ['amd64', undefined, ['linux/amd64']],
    ['x64', undefined, ['linux/amd64']],
    ['aarch64', undefined, ['linux/arm64']],
    ['arm64', undefined, ['linux/arm64']],
    ['armhf', undefined, ['linux/arm/v7', 'linux/arm/v6']],
    ['armhf', 'dpkg', ['linux/arm/v7']],
    ['armhf', 'apk', ['linux/arm/v6']],
    ['armhf', 'oci', ['linux/arm/v7']],
    ['armel', undefined, ['linux/arm/v6']],
    ['armv7l', undefined, ['linux/arm/v7']],
    ['armv7', undefined, ['linux/arm/v7']],
    ['armv6l', undefined, ['linux/arm/v6']],
    ['armv6', undefined, ['linux/arm/v6']],
    ['armv8l', 'uname', ['linux/arm/v7']],
    ['arm', undefined, ['linux/arm/v7', 'linux/arm/v6']],
    ['arm', 'rust-gnu', ['linux/arm/v6']],
    ['armv7hl', 'rpm', ['linux/arm/v7']],
    ['i386', undefined, ['linux/386']],
    ['i686', undefined, ['linux/386']],
    ['386', undefined, ['linux/386']],
    ['x86', undefined, ['linux/386']],
    ['ia32', 'node', ['linux/386']],
    ['ppc64le', undefined, ['linux/ppc64le']],
    ['ppc64el', undefined, ['linux/ppc64le']],
    ['ppc64', 'node', ['linux/ppc64le']],
    ['powerpc64le', undefined, ['linux/ppc64le']],
    ['s390x', undefined, ['linux/s390x']],
    ['riscv64', undefined, ['linux/riscv64']],
    ['riscv64gc', undefined, ['linux/riscv64']],
    ['mips64le', undefined, ['linux/mips64le']],
    ['mips64el', undefined, ['linux/mips64le']],
    ['mips64', 'uname', ['linux/mips64le']],
    ['loong64', undefined, ['linux/loong64']],
    ['loongarch64', undefined, ['linux/loong64']],
    ['arm32v7', 'bashbrew', ['linux/arm/v7']],
    ['arm64v8', undefined, ['linux/arm64']],
    ['x86_64-linux-gnu', 'multiarch', ['linux/amd64']],
    ['armv7-unknown-linux-gnueabihf', undefined, ['linux/arm/v7']],
    // vendor oddities
    ['aarch_64', undefined, ['linux/arm64']],
    ['x86_32', undefined, ['linux/386']],
    ['ppcle_64', undefined, ['linux/ppc64le']],
    ['64bit', undefined, ['linux/amd64']],
    ['32bit', undefined, ['linux/386']],
    ['ARM64', undefined, ['linux/arm64']],
    ['linux64', undefined, ['linux/amd64']],
    ['arm-v7', undefined, ['linux/arm/v7']],
    // case is ignored when nothing matches exactly
    ['X86_64', undefined, ['linux/amd64']],
    ['AARCH64', 'uname', ['linux/arm64']],
    // not architecture words
    ['alarm', undefined, []],
    ['linux', undefined, []],
    ['', undefined, []],
    ['x64', 'dpkg', []],
    ['aarch_64', 'uname', []],
  ];
  for (const [token, v, want] of cases) {
    test(`${JSON.stringify(token)}${v ? ` (${v})` : ''} -> ${want.join(', ') || 'nothing'}`, () => {
      assert.deepEqual(names(platformsForToken(token, v)), want);
    });
  }
});

describe('archTokens', () => {
  const all = archTokens();
  const byName = new Map(all.map((t) => [t.token, t]));

  test('holds the words of the brief', () => {
    const words = [
      'amd64', 'x86_64', 'x86-64', 'x64', 'aarch64', 'arm64', 'armv7l', 'armv7', 'armhf', 'armel', 'armv6l',
      'armv6', 'arm', 'i386', 'i686', '386', 'x86', 'ppc64le', 'ppc64el', 's390x', 'riscv64', 'riscv64gc',
      'mips64le', 'mips64el', 'loong64', 'loongarch64', 'aarch_64', 'x86_32', '64bit', 'ARM64', 'linux64',
      'ia32', 'ppc64', 'mips64', 'arm32v7', 'arm64v8', 'armv7hl',
    ];
    for (const w of words) assert.ok(byName.has(w), w);
  });

  test('includes every word of every vocabulary for the ten platforms', () => {
    for (const k of KNOWN_PLATFORMS) {
      for (const v of VOCABULARIES) {
        const w = toVocabulary(k, v);
        if (w === undefined) continue;
        assert.ok(byName.get(w)?.vocabularies.includes(v), `${w} in ${v}`);
      }
    }
  });

  test('vendor oddities are flagged vendor-only, vocabulary words are not', () => {
    for (const w of ['64bit', '32bit', 'ARM64', 'ARM', 'PPC64LE', 'aarch_64', 'x86_32', 'ppcle_64', 's390_64', 'linux64', 'linux32', 'arm-v7', 'muslc-amd64']) {
      const t = byName.get(w);
      assert.ok(t, w);
      assert.equal(t.vendorOnly, true, w);
      assert.deepEqual(t.vocabularies, [], w);
      assert.ok(t.vendors.length > 0, w);
    }
    for (const w of ['amd64', 'x86_64', 'armhf', 'ppc64el', 'x64']) assert.equal(byName.get(w)?.vendorOnly, false, w);
    assert.deepEqual(byName.get('aarch_64')?.vendors, ['protoc']);
    assert.deepEqual(byName.get('64bit')?.vendors, ['trivy', 'ffmpeg-static', 'hugo']);
    assert.deepEqual(byName.get('64-bit')?.vendors, ['vale']);
    assert.deepEqual(byName.get('amd64v3')?.platforms.map((p) => p.architecture), ['amd64']);
  });

  test('armhf: dpkg v7 and apk v6', () => {
    const t = archToken('armhf');
    assert.deepEqual(names(t?.platforms ?? []), ['linux/arm/v7', 'linux/arm/v6']);
    assert.ok(t?.vocabularies.includes('dpkg'));
    assert.ok(t?.vocabularies.includes('apk'));
  });

  test('sorted longest first and unique', () => {
    for (let i = 1; i < all.length; i++) {
      assert.ok((all[i - 1]?.token.length ?? 0) >= (all[i]?.token.length ?? 0));
    }
    assert.equal(new Set(all.map((t) => t.token)).size, all.length);
  });

  test('every token names at least one platform', () => {
    for (const t of all) assert.ok(t.platforms.length > 0, t.token);
  });
});

describe('elfIdentity', () => {
  const table: [string, 1 | 2, 1 | 2, number, string, string][] = [
    ['linux/amd64', 2, 1, 62, '/lib64/ld-linux-x86-64.so.2', '/lib/ld-musl-x86_64.so.1'],
    ['linux/arm64', 2, 1, 183, '/lib/ld-linux-aarch64.so.1', '/lib/ld-musl-aarch64.so.1'],
    ['linux/arm/v7', 1, 1, 40, '/lib/ld-linux-armhf.so.3', '/lib/ld-musl-armhf.so.1'],
    ['linux/arm/v6', 1, 1, 40, '/lib/ld-linux.so.3', '/lib/ld-musl-armhf.so.1'],
    ['linux/386', 1, 1, 3, '/lib/ld-linux.so.2', '/lib/ld-musl-i386.so.1'],
    ['linux/ppc64le', 2, 1, 21, '/lib64/ld64.so.2', '/lib/ld-musl-powerpc64le.so.1'],
    ['linux/s390x', 2, 2, 22, '/lib/ld64.so.1', '/lib/ld-musl-s390x.so.1'],
    ['linux/riscv64', 2, 1, 243, '/lib/ld-linux-riscv64-lp64d.so.1', '/lib/ld-musl-riscv64.so.1'],
    ['linux/mips64le', 2, 1, 8, '/lib64/ld.so.1', '/lib/ld-musl-mips64el.so.1'],
    ['linux/loong64', 2, 1, 258, '/lib64/ld-linux-loongarch-lp64d.so.1', '/lib/ld-musl-loongarch64.so.1'],
  ];
  for (const [spec, elfClass, elfData, machine, glibcLoader, muslLoader] of table) {
    test(spec, () => {
      const e = elfIdentity(P(spec));
      assert.ok(e);
      assert.deepEqual(
        { elfClass: e.elfClass, elfData: e.elfData, machine: e.machine, glibcLoader: e.glibcLoader, muslLoader: e.muslLoader },
        { elfClass, elfData, machine, glibcLoader, muslLoader },
      );
    });
  }

  test('unknown platforms have none', () => {
    assert.equal(elfIdentity(P('windows/amd64')), undefined);
    assert.equal(elfIdentity(P('linux/sparc64')), undefined);
    assert.equal(elfIdentity(P('linux/amd64/v3'))?.machine, 62);
  });
});

describe('pythonTags', () => {
  test('amd64', () => {
    assert.deepEqual(pythonTags(P('linux/amd64')), {
      manylinux: ['manylinux1_x86_64', 'manylinux2010_x86_64', 'manylinux2014_x86_64', 'manylinux_2_17_x86_64', 'manylinux_2_28_x86_64'],
      musllinux: ['musllinux_1_1_x86_64', 'musllinux_1_2_x86_64'],
      machine: 'x86_64',
    });
  });

  test('arm/v6 has no manylinux tags; riscv64 needs glibc 2.39', () => {
    assert.deepEqual(pythonTags(P('linux/arm/v6')), { manylinux: [], musllinux: [], machine: 'armv6l' });
    assert.deepEqual(pythonTags(P('linux/riscv64'))?.manylinux, ['manylinux_2_39_riscv64']);
  });

  test('tags end with the machine for every platform', () => {
    for (const k of KNOWN_PLATFORMS) {
      const t = pythonTags(k);
      assert.ok(t);
      for (const tag of [...t.manylinux, ...t.musllinux]) assert.ok(tag.endsWith(`_${t.machine}`), tag);
    }
  });

  test('returns copies', () => {
    const t = pythonTags(P('linux/amd64'));
    t?.manylinux.push('x');
    assert.equal(pythonTags(P('linux/amd64'))?.manylinux.includes('x'), false);
  });
});

describe('goEnv and platformData', () => {
  test('GOARM from the arm variant, GOAMD64 from the amd64 level', () => {
    assert.deepEqual(goEnv(P('linux/arm/v7')), { GOOS: 'linux', GOARCH: 'arm', GOARM: '7' });
    assert.deepEqual(goEnv(P('linux/arm/v6')), { GOOS: 'linux', GOARCH: 'arm', GOARM: '6' });
    assert.deepEqual(goEnv(P('linux/amd64/v3')), { GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v3' });
    assert.deepEqual(goEnv(P('windows/arm64')), { GOOS: 'windows', GOARCH: 'arm64' });
  });

  test('platform data is frozen and keyed', () => {
    assert.equal(PLATFORM_DATA.length, 10);
    for (const d of PLATFORM_DATA) {
      assert.ok(Object.isFrozen(d));
      assert.ok(Object.isFrozen(d.elf));
      assert.equal(platformData(d.platform), d);
    }
    assert.equal(platformData(P('linux/arm64/v8'))?.key, 'arm64');
  });
});
