import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnyarchError } from '../errors.js';
import {
  KNOWN_PLATFORMS,
  PLATFORM_DATA,
  buildArgs,
  formatPlatform,
  isKnownPlatform,
  makePlatform,
  normalizePlatform,
  parsePlatform,
  parsePlatformList,
  platformKey,
  samePlatform,
  tryParsePlatform,
  type Platform,
} from './index.js';

const p = (os: string, architecture: string, variant = ''): Platform => ({ os, architecture, variant });

function assertSpecError(fn: () => unknown, spec: string, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AnyarchError, 'an AnyarchError');
    assert.equal(e.code, 'E_PLATFORM_SPEC');
    assert.ok(e.message.includes(`"${spec}"`), `message names "${spec}": ${e.message}`);
    if (detail) assert.match(e.message, detail);
    return true;
  });
}

describe('parsePlatform', () => {
  const cases: [string, string][] = [
    // canonical
    ['linux/amd64', 'linux/amd64'],
    ['linux/arm64', 'linux/arm64'],
    ['linux/arm/v7', 'linux/arm/v7'],
    ['linux/arm/v6', 'linux/arm/v6'],
    ['linux/386', 'linux/386'],
    ['linux/ppc64le', 'linux/ppc64le'],
    ['linux/s390x', 'linux/s390x'],
    ['linux/riscv64', 'linux/riscv64'],
    ['linux/mips64le', 'linux/mips64le'],
    ['linux/loong64', 'linux/loong64'],
    // aliases from the reference table (1a)
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/aarch64/v8', 'linux/arm64'],
    ['linux/arm64/8', 'linux/arm64'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/arm/5', 'linux/arm/v5'],
    ['linux/arm/v8', 'linux/arm/v8'],
    ['linux/i386', 'linux/386'],
    // levels
    ['linux/amd64/v2', 'linux/amd64/v2'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/x86_64/v4', 'linux/amd64/v4'],
    ['linux/arm64/v9', 'linux/arm64/v9'],
    ['linux/arm64/v8.2', 'linux/arm64/v8.2'],
    // no OS: linux
    ['arm64', 'linux/arm64'],
    ['amd64', 'linux/amd64'],
    ['x86_64', 'linux/amd64'],
    ['aarch64', 'linux/arm64'],
    ['arm', 'linux/arm/v7'],
    ['armhf', 'linux/arm/v7'],
    ['armel', 'linux/arm/v6'],
    ['i386', 'linux/386'],
    ['s390x', 'linux/s390x'],
    // case and OS normalisation
    ['Linux/AMD64', 'linux/amd64'],
    ['LINUX/ARM/V7', 'linux/arm/v7'],
    ['linux/AArch64', 'linux/arm64'],
    ['macos/arm64', 'darwin/arm64'],
    ['darwin/amd64', 'darwin/amd64'],
    ['windows/amd64', 'windows/amd64'],
    ['windows/arm64', 'windows/arm64'],
    ['freebsd/amd64', 'freebsd/amd64'],
    ['linux/ppc64', 'linux/ppc64'],
    // surrounding whitespace
    ['  linux/amd64\n', 'linux/amd64'],
  ];
  for (const [spec, want] of cases) {
    test(`${JSON.stringify(spec)} -> ${want}`, () => {
      assert.equal(formatPlatform(parsePlatform(spec)), want);
    });
  }

  test('every specifier alias of the ten platforms parses to its platform', () => {
    let n = 0;
    for (const d of PLATFORM_DATA) {
      for (const alias of d.specifierAliases) {
        assert.deepEqual(parsePlatform(alias), d.platform, alias);
        n++;
      }
      assert.deepEqual(parsePlatform(formatPlatform(d.platform)), d.platform);
    }
    assert.equal(n, 11);
  });

  test('variants are empty strings, never undefined', () => {
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64', variant: '' });
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: '' });
  });

  test('linux/arm64/v8 equals linux/arm64', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), parsePlatform('linux/arm64'));
  });

  test('results are frozen', () => {
    assert.ok(Object.isFrozen(parsePlatform('linux/amd64')));
  });
});

describe('parsePlatform errors', () => {
  const bad: [string, RegExp][] = [
    ['linux/foo', /architecture "foo" is not one of amd64, arm64, arm, 386, ppc64le/],
    ['linux/x64', /architecture "x64"/],
    ['linux/armv7l', /architecture "armv7l"/],
    ['foo/amd64', /operating system "foo" is not one of linux, windows, darwin/],
    ['foo', /neither an operating system nor an architecture/],
    ['linux', /no architecture/],
    ['linux/amd64/v9', /variant "v9" is not valid for amd64 \(expected one of v1, v2, v3, v4\)/],
    ['linux/arm/v9', /variant "v9" is not valid for arm/],
    ['linux/arm64/v7', /variant "v7" is not valid for arm64/],
    ['linux/s390x/v1', /"s390x" takes no variant/],
    ['linux/386/v7', /"386" takes no variant/],
    ['linux/armhf/v6', /contradicts "armhf"/],
    ['linux/armel/v7', /contradicts "armel"/],
    ['linux/arm/v7/extra', /4 parts/],
    ['a/b/c/d/e', /5 parts/],
    ['linux//amd64', /architecture is empty/],
    ['/amd64', /OS is empty/],
    ['linux/amd64/', /variant is empty/],
    ['linux/$TARGETARCH', /may contain only/],
    ['$TARGETPLATFORM', /may contain only/],
    ['linux/*', /wildcards/],
    ['linux/amd 64', /may contain only/],
    ['windows(10.0.17763)/amd64', /not supported/],
    ['amd64/linux', /operating system "amd64"/],
  ];
  for (const [spec, detail] of bad) {
    test(`${JSON.stringify(spec)} is E_PLATFORM_SPEC`, () => {
      assertSpecError(() => parsePlatform(spec), spec, detail);
      assert.equal(tryParsePlatform(spec), undefined);
    });
  }

  test('the empty specifier', () => {
    assertSpecError(() => parsePlatform(''), '', /empty/);
    assertSpecError(() => parsePlatform('   '), '   ', /empty/);
  });

  test('a known word of another vocabulary gets a "did you mean" hint', () => {
    const hintOf = (spec: string): string | undefined => {
      try {
        parsePlatform(spec);
      } catch (e) {
        if (e instanceof AnyarchError) return e.hint;
      }
      return 'no error';
    };
    assert.equal(hintOf('linux/x64'), 'did you mean "linux/amd64"?');
    assert.equal(hintOf('linux/armv7l'), 'did you mean "linux/arm/v7"?');
    assert.equal(hintOf('linux/ppc64el'), 'did you mean "linux/ppc64le"?');
    assert.equal(hintOf('linux/foo'), undefined);
    assert.match(hintOf('linux/$TARGETARCH') ?? '', /expanded/);
  });
});

describe('parsePlatformList', () => {
  test('comma separated', () => {
    assert.deepEqual(parsePlatformList('linux/amd64,linux/arm64').map(formatPlatform), ['linux/amd64', 'linux/arm64']);
  });

  test('whitespace tolerant, with aliases', () => {
    assert.deepEqual(parsePlatformList(' linux/amd64 , linux/arm/v7,\n linux/aarch64 ').map(formatPlatform), [
      'linux/amd64',
      'linux/arm/v7',
      'linux/arm64',
    ]);
    assert.deepEqual(parsePlatformList('linux/amd64 linux/s390x').map(formatPlatform), ['linux/amd64', 'linux/s390x']);
  });

  test('empty items are skipped and duplicates dropped', () => {
    assert.deepEqual(parsePlatformList('linux/amd64,,linux/arm64/v8,linux/arm64,').map(formatPlatform), [
      'linux/amd64',
      'linux/arm64',
    ]);
    assert.deepEqual(parsePlatformList('linux/arm,linux/arm/v7,linux/armhf').map(formatPlatform), ['linux/arm/v7']);
  });

  test('throws on the first bad item, naming it', () => {
    assertSpecError(() => parsePlatformList('linux/amd64,linux/foo,linux/bar'), 'linux/foo');
    assertSpecError(() => parsePlatformList('linux/amd64, linux/amd64/v9'), 'linux/amd64/v9');
  });

  test('a list naming no platform is an error', () => {
    assertSpecError(() => parsePlatformList(''), '', /no platform/);
    assertSpecError(() => parsePlatformList(' , '), ' , ', /no platform/);
  });
});

describe('formatPlatform', () => {
  test('writes os/arch[/variant]', () => {
    assert.equal(formatPlatform(p('linux', 'arm', 'v7')), 'linux/arm/v7');
    assert.equal(formatPlatform(p('linux', 'amd64')), 'linux/amd64');
    assert.equal(formatPlatform(p('windows', 'amd64')), 'windows/amd64');
  });

  test('round-trips every known platform', () => {
    for (const k of KNOWN_PLATFORMS) assert.deepEqual(parsePlatform(formatPlatform(k)), k);
  });
});

describe('samePlatform', () => {
  const equal: [Platform, Platform][] = [
    [p('linux', 'arm64', ''), p('linux', 'arm64', 'v8')],
    [p('linux', 'arm64', 'v8.0'), p('linux', 'arm64', '')],
    [p('linux', 'arm', ''), p('linux', 'arm', 'v7')],
    [p('linux', 'amd64', ''), p('linux', 'amd64', 'v1')],
    [p('linux', 'aarch64', ''), p('linux', 'arm64', '')],
    [p('linux', 'x86_64', ''), p('linux', 'amd64', '')],
    [p('linux', 'armhf', ''), p('linux', 'arm', 'v7')],
    [p('linux', 'armel', ''), p('linux', 'arm', 'v6')],
    [p('linux', 'i386', ''), p('linux', '386', '')],
    [p('Linux', 'AMD64', ''), p('linux', 'amd64', '')],
    [p('macos', 'arm64', ''), p('darwin', 'arm64', '')],
  ];
  for (const [a, b] of equal) {
    test(`${formatPlatform(a)} == ${formatPlatform(b)}`, () => {
      assert.equal(samePlatform(a, b), true);
      assert.equal(samePlatform(b, a), true);
    });
  }
  const different: [Platform, Platform][] = [
    [p('linux', 'arm', 'v6'), p('linux', 'arm', 'v7')],
    [p('linux', 'arm', ''), p('linux', 'arm', 'v6')],
    [p('linux', 'amd64', 'v2'), p('linux', 'amd64', '')],
    [p('linux', 'arm64', 'v9'), p('linux', 'arm64', '')],
    [p('linux', 'amd64', ''), p('windows', 'amd64', '')],
    [p('linux', 'arm64', ''), p('linux', 'arm', 'v8')],
    [p('linux', 'ppc64le', ''), p('linux', 'ppc64', '')],
  ];
  for (const [a, b] of different) {
    test(`${formatPlatform(a)} != ${formatPlatform(b)}`, () => {
      assert.equal(samePlatform(a, b), false);
    });
  }
});

describe('normalizePlatform and platformKey', () => {
  test('normalizes aliases without validating', () => {
    assert.deepEqual(normalizePlatform(p('linux', 'aarch64', 'v8')), p('linux', 'arm64'));
    assert.deepEqual(normalizePlatform(p('linux', 'arm', '')), p('linux', 'arm', 'v7'));
    assert.deepEqual(normalizePlatform(p('linux', 'foo', 'bar')), p('linux', 'foo', 'bar'));
  });

  test('keys', () => {
    assert.deepEqual(KNOWN_PLATFORMS.map(platformKey), [
      'amd64',
      'arm64',
      'arm/v7',
      'arm/v6',
      '386',
      'ppc64le',
      's390x',
      'riscv64',
      'mips64le',
      'loong64',
    ]);
    assert.equal(platformKey(p('linux', 'arm', '')), 'arm/v7');
    assert.equal(platformKey(p('windows', 'amd64')), 'windows/amd64');
  });
});

describe('KNOWN_PLATFORMS', () => {
  test('the ten platforms, in the reference order', () => {
    assert.deepEqual(KNOWN_PLATFORMS.map(formatPlatform), [
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/386',
      'linux/ppc64le',
      'linux/s390x',
      'linux/riscv64',
      'linux/mips64le',
      'linux/loong64',
    ]);
    assert.ok(Object.isFrozen(KNOWN_PLATFORMS));
  });

  test('isKnownPlatform', () => {
    assert.equal(isKnownPlatform(p('linux', 'arm64', 'v8')), true);
    assert.equal(isKnownPlatform(p('linux', 'arm', '')), true);
    assert.equal(isKnownPlatform(p('linux', 'amd64', 'v3')), false);
    assert.equal(isKnownPlatform(p('windows', 'amd64')), false);
    assert.equal(isKnownPlatform(makePlatform('linux', 'arm', 'v5')), false);
  });
});

describe('buildArgs', () => {
  test('TARGET args for linux/arm/v7', () => {
    assert.deepEqual(buildArgs(parsePlatform('linux/arm/v7'), 'TARGET'), {
      TARGETPLATFORM: 'linux/arm/v7',
      TARGETOS: 'linux',
      TARGETARCH: 'arm',
      TARGETVARIANT: 'v7',
    });
  });

  test('arm64/v8 has an empty TARGETVARIANT (BuildKit normalises v8 away)', () => {
    assert.deepEqual(buildArgs(p('linux', 'arm64', 'v8'), 'TARGET'), {
      TARGETPLATFORM: 'linux/arm64',
      TARGETOS: 'linux',
      TARGETARCH: 'arm64',
      TARGETVARIANT: '',
    });
  });

  test('linux/arm without a variant gets v7', () => {
    assert.equal(buildArgs(p('linux', 'arm'), 'TARGET')['TARGETVARIANT'], 'v7');
  });

  test('BUILD args for linux/amd64', () => {
    assert.deepEqual(buildArgs(parsePlatform('linux/amd64'), 'BUILD'), {
      BUILDPLATFORM: 'linux/amd64',
      BUILDOS: 'linux',
      BUILDARCH: 'amd64',
      BUILDVARIANT: '',
    });
  });

  test('the table of the reference (1a) for all ten', () => {
    const want: Record<string, [string, string]> = {
      'linux/amd64': ['amd64', ''],
      'linux/arm64': ['arm64', ''],
      'linux/arm/v7': ['arm', 'v7'],
      'linux/arm/v6': ['arm', 'v6'],
      'linux/386': ['386', ''],
      'linux/ppc64le': ['ppc64le', ''],
      'linux/s390x': ['s390x', ''],
      'linux/riscv64': ['riscv64', ''],
      'linux/mips64le': ['mips64le', ''],
      'linux/loong64': ['loong64', ''],
    };
    for (const k of KNOWN_PLATFORMS) {
      const args = buildArgs(k, 'TARGET');
      const [arch, variant] = want[formatPlatform(k)] ?? ['?', '?'];
      assert.equal(args['TARGETPLATFORM'], formatPlatform(k));
      assert.equal(args['TARGETOS'], 'linux');
      assert.equal(args['TARGETARCH'], arch);
      assert.equal(args['TARGETVARIANT'], variant);
    }
  });

  test('amd64 levels keep their variant', () => {
    assert.equal(buildArgs(parsePlatform('linux/amd64/v3'), 'TARGET')['TARGETVARIANT'], 'v3');
  });
});

test('hostPlatform: Linux on this CPU, in Go and OCI words', async () => {
  const { hostPlatform } = await import('./host.js');
  assert.equal(formatPlatform(hostPlatform('x64')), 'linux/amd64');
  assert.equal(formatPlatform(hostPlatform('arm64')), 'linux/arm64');
  assert.equal(formatPlatform(hostPlatform('ia32')), 'linux/386');
  assert.equal(formatPlatform(hostPlatform('ppc64', 'LE')), 'linux/ppc64le');
  assert.equal(formatPlatform(hostPlatform('s390x', 'BE')), 'linux/s390x');
  assert.equal(formatPlatform(hostPlatform('arm')), 'linux/arm/v7');
  assert.equal(formatPlatform(hostPlatform('some-future-cpu')), 'linux/amd64');
});
