/**
 * The older Node lockfiles: Yarn 1 yarn.lock, package-lock.json lockfileVersion 1 and
 * pnpm-lock.yaml lockfileVersion 5.x, read with a position per entry, what they cannot say kept
 * apart from what they say (`Lockfile.unrecorded`, one warning per lockfile), and malformed or
 * truncated input refused with one E_LOCKFILE at its line and column.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, test } from 'node:test';
import { throwsWith } from '../../../test/support/assert.js';
import { AnyarchError } from '../../errors.js';
import type { LockedPackage, Lockfile } from '../types.js';
import { readLockfile, yarnDescriptor } from './index.js';
import { ESBUILD_019_PLATFORMS, PNPM_V5, YARN_CLASSIC, packageLockV1 } from './legacy-fixtures.test-data.js';
import { pnpmV5KeyNameVersion } from './pnpm-v5.js';

/** The E_LOCKFILE `fn` throws, its message one line. */
function lockError(fn: () => unknown): AnyarchError {
  const e = throwsWith(fn, 'E_LOCKFILE');
  assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
  return e;
}

function byKey(lock: Lockfile, key: string): LockedPackage {
  const p = lock.packages.find((x) => x.key === key);
  assert.ok(p, `${key} in ${lock.packages.map((x) => x.key).join(', ')}`);
  return p;
}

/** 1-based line and column of the first `needle` in `text` at or after `from`. */
function at(text: string, needle: string, from = 0): { line: number; column: number } {
  const i = text.indexOf(needle, from);
  assert.ok(i >= 0, needle);
  return { line: text.slice(0, i).split('\n').length, column: i - text.lastIndexOf('\n', i - 1) };
}

/** Every entry carries no fact the format does not record. */
function assertNoPlatformFacts(lock: Lockfile): void {
  for (const p of lock.packages) assert.deepEqual([p.os, p.cpu, p.libc, p.hasInstallScript, p.requiresBuild], [undefined, undefined, undefined, undefined, undefined], p.key);
}

describe('yarn.lock of Yarn 1', () => {
  const lock = readLockfile('yarn.lock', YARN_CLASSIC);

  test('read as its own kind, saying once what it cannot tell', () => {
    assert.equal(lock.kind, 'yarn-classic');
    assert.equal(lock.ecosystem, 'npm');
    assert.equal(lock.formatVersion, '1');
    assert.deepEqual(lock.unrecorded, ['install-scripts', 'platforms']);
    assert.equal(lock.warnings.length, 1);
    const [w] = lock.warnings;
    assert.match(w?.message ?? '', /^a Yarn 1 lockfile records no install scripts and no os, cpu or libc/);
    assert.deepEqual([w?.location?.line, w?.location?.column], [2, 1]);
    assertNoPlatformFacts(lock);
  });

  test('one package per entry, keyed by its first descriptor, at the line of its key; folders left out', () => {
    // 23 @esbuild/* and 17 others; local-utils (file:) is the project's own code
    assert.equal(lock.packages.length, ESBUILD_019_PLATFORMS.length + 17);
    assert.equal(lock.packages.some((p) => p.name === 'local-utils'), false);
    const frame = byKey(lock, '@babel/code-frame@^7.0.0');
    assert.deepEqual([frame.name, frame.version, frame.dependencies], ['@babel/code-frame', '7.12.13', ['@babel/highlight']]);
    assert.deepEqual(frame.position, at(YARN_CLASSIC, '"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":'));
    const sqlite = byKey(lock, 'better-sqlite3@^9.4.0');
    assert.deepEqual(sqlite.position, { line: at(YARN_CLASSIC, '\nbetter-sqlite3@^9.4.0:').line + 1, column: 1 });
    assert.deepEqual(sqlite.dependencies, ['bindings', 'prebuild-install']);
    assert.match(sqlite.resolved ?? '', /^https:\/\/registry\.yarnpkg\.com\/better-sqlite3\/-\/better-sqlite3-9\.4\.3\.tgz#a+3$/);
    assert.match(sqlite.integrity ?? '', /^sha512-0003Q+==$/);
  });

  test('an npm alias is the package it installs; git and GitHub tarball entries are kept with where they came from', () => {
    const alias = byKey(lock, 'string-width-cjs@npm:string-width@^4.2.0');
    assert.deepEqual([alias.name, alias.version], ['string-width', '4.2.3']);
    assert.equal(byKey(lock, 'string-width@^1.0.2 || 2 || 3 || 4').name, 'string-width');
    assert.match(byKey(lock, 'left-pad@git+https://github.com/stevemao/left-pad.git#v1.3.0').resolved ?? '', /^git\+https:/);
    assert.match(byKey(lock, 'my-lib@github:acme/my-lib#main').resolved ?? '', /^https:\/\/codeload\.github\.com\//);
  });

  test('optional: what only optionalDependencies reach (every @esbuild/* member, chokidar\'s fsevents), not their parents', () => {
    const esbuild = byKey(lock, 'esbuild@^0.19.0');
    assert.deepEqual(esbuild.optionalDependencies, ESBUILD_019_PLATFORMS.map((p) => `@esbuild/${p}`));
    assert.equal(esbuild.dependencies, undefined);
    assert.equal(esbuild.optional, undefined);
    const optional = lock.packages.filter((p) => p.optional).map((p) => p.name);
    assert.deepEqual(optional, [...ESBUILD_019_PLATFORMS.map((p) => `@esbuild/${p}`), 'fsevents']);
    assert.deepEqual(byKey(lock, 'chokidar@^3.5.3').optionalDependencies, ['fsevents']);
  });

  test('optional is transitive, and a package also reached through a regular dependency is not optional', () => {
    const text = `# yarn lockfile v1

app-dep@^1.0.0:
  version "1.0.0"
  dependencies:
    shared "^1.0.0"
  optionalDependencies:
    opt-native "^2.0.0"

opt-native@^2.0.0:
  version "2.0.0"
  dependencies:
    nan "^2.17.0"
    shared "^1.0.0"

nan@^2.17.0:
  version "2.18.0"

shared@^1.0.0:
  version "1.0.0"
`;
    const l = readLockfile('yarn.lock', text);
    assert.deepEqual(
      l.packages.map((p) => [p.name, p.optional === true]),
      [['app-dep', false], ['opt-native', true], ['nan', true], ['shared', false]],
    );
  });

  test("Yarn's lexer: bare keys joined by commas, CRLF, comments, escapes, booleans and numbers, an empty lock", () => {
    const text = '# yarn lockfile v1\r\n\r\n# a comment\r\ndebug@2.6.9, debug@^2.2.0:\r\n  version "2.6.9"\r\n  resolved "https://registry.yarnpkg.com/debug/-/debug-2.6.9.tgz"\r\n  dependencies:\r\n    ms 2.0.0\r\n\r\n"we\\"ird@^1.0.0":\r\n  version "1.0.0"\r\n  uid ""\r\n  bundled true\r\n  priority 3\r\n';
    const l = readLockfile('yarn.lock', text);
    assert.deepEqual(l.packages.map((p) => [p.key, p.name, p.version, p.position?.line]), [['debug@2.6.9', 'debug', '2.6.9', 4], ['we"ird@^1.0.0', 'we"ird', '1.0.0', 10]]);
    assert.deepEqual(l.packages[0]?.dependencies, ['ms']);
    const empty = readLockfile('yarn.lock', '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n');
    assert.deepEqual([empty.kind, empty.packages.length, empty.warnings.length], ['yarn-classic', 0, 1]);
  });

  test('descriptors: scoped, aliases, ranges with @', () => {
    assert.deepEqual(yarnDescriptor('@babel/core@^7.0.0'), { name: '@babel/core', range: '^7.0.0' });
    assert.deepEqual(yarnDescriptor('alias@npm:@scope/real@^1'), { name: 'alias', range: 'npm:@scope/real@^1' });
    assert.deepEqual(yarnDescriptor('left-pad'), { name: 'left-pad', range: '' });
  });

  test('an entry without a version is a warning at its line, and skipped', () => {
    const l = readLockfile('yarn.lock', '# yarn lockfile v1\n\nbroken@^1.0.0:\n  resolved "https://registry.yarnpkg.com/broken/-/broken-1.0.0.tgz"\n\nok@^1.0.0:\n  version "1.0.0"\n');
    assert.deepEqual(l.packages.map((p) => p.name), ['ok']);
    assert.deepEqual(l.warnings.slice(1).map((w) => [w.location?.line, w.message]), [[3, 'entry "broken@^1.0.0" has no version; skipped']]);
  });

  test('malformed and truncated text: one E_LOCKFILE at the line and column where it stops being the format', () => {
    const cases: [string, string, RegExp, number, number][] = [
      ['truncated inside a string', `${YARN_CLASSIC.slice(0, YARN_CLASSIC.indexOf('bufferutil-4.0.8.tgz'))}`, /unterminated string \(a truncated file\?\)/, at(YARN_CLASSIC, 'resolved "https://registry.yarnpkg.com/bufferutil').line, 12],
      ['truncated after a key', '# yarn lockfile v1\n\na@^1.0.0:\n  version "1.0.0"\n\nb@^2.0.0:\n', /ends inside the entry "b@\^2\.0\.0": it is truncated/, 6, 1],
      ['an odd indent', '# yarn lockfile v1\n\na@^1.0.0:\n   version "1.0.0"\n', /unexpected indent of 3 spaces/, 4, 4],
      ['a tab', '# yarn lockfile v1\n\na@^1.0.0:\n\tversion "1.0.0"\n', /indented with a tab/, 4, 1],
      ['no colon after a key', '# yarn lockfile v1\n\na@^1.0.0\n  version "1.0.0"\n', /expected "," or a final ":" after "a@\^1\.0\.0"/, 3, 9],
      ['a field with no value', '# yarn lockfile v1\n\na@^1.0.0:\n  version\n', /expected a value after version/, 4, 10],
      ['a field before any entry', '# yarn lockfile v1\n\n  version "1.0.0"\n', /a field outside any entry/, 3, 3],
      ['a merge conflict', '# yarn lockfile v1\n\n<<<<<<< HEAD\na@^1.0.0:\n  version "1.0.0"\n', /unresolved merge conflict/, 3, 1],
      ['a character no token starts with', '# yarn lockfile v1\n\na@^1.0.0:\n  version "1.0.0"\n  dependencies:\n    b ^1.0.0\n', /unexpected "\^"/, 6, 7],
    ];
    for (const [what, text, message, line, column] of cases) {
      const e = lockError(() => readLockfile('yarn.lock', text));
      assert.match(e.message, message, what);
      assert.deepEqual([e.location?.file, e.location?.line, e.location?.column], ['yarn.lock', line, column], what);
    }
  });

  test('a Berry lockfile is still read as Berry', () => {
    assert.equal(readLockfile('yarn.lock', '__metadata:\n  version: 8\n\n"a@npm:1.0.0":\n  version: 1.0.0\n  resolution: "a@npm:1.0.0"\n').kind, 'yarn-berry');
  });
});

describe('package-lock.json lockfileVersion 1', () => {
  const text = packageLockV1();
  const lock = readLockfile('package-lock.json', text);

  test('read as a package-lock of version 1, saying once (at lockfileVersion) what it cannot tell', () => {
    assert.equal(lock.kind, 'package-lock');
    assert.equal(lock.formatVersion, '1');
    assert.deepEqual(lock.unrecorded, ['install-scripts', 'platforms']);
    assert.equal(lock.warnings.length, 1);
    assert.match(lock.warnings[0]?.message ?? '', /^package-lock\.json lockfileVersion 1 \(npm 5 and 6\) records no install scripts and no os, cpu or libc/);
    assert.deepEqual(lock.warnings[0]?.location, { file: 'package-lock.json', ...at(text, '"lockfileVersion"') });
    assertNoPlatformFacts(lock);
  });

  test('the dependencies tree as node_modules paths, each at the line and column of its key, nested and bundled copies included', () => {
    assert.equal(lock.packages.length, ESBUILD_019_PLATFORMS.length + 17);
    const nested = byKey(lock, 'node_modules/prebuild-install/node_modules/detect-libc');
    assert.deepEqual([nested.name, nested.version], ['detect-libc', '2.0.3']);
    assert.deepEqual(nested.position, at(text, '"detect-libc": {', text.indexOf('"prebuild-install": {')));
    assert.equal(byKey(lock, 'node_modules/detect-libc').version, '1.0.3');
    assert.deepEqual(byKey(lock, 'node_modules/detect-libc').position, at(text, '"detect-libc": {'));
    assert.deepEqual(byKey(lock, 'node_modules/node-pre-gyp/node_modules/nopt').dependencies, ['abbrev']);
    // every entry where the text has it
    for (const p of lock.packages) {
      const name = p.key.slice(p.key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      const pos = p.position;
      assert.ok(pos, p.key);
      assert.equal(text.split('\n')[pos.line - 1]?.slice(pos.column - 1).startsWith(`${JSON.stringify(name)}: {`), true, p.key);
    }
  });

  test('requires split into regular and optional dependencies by the optional flag of what each resolves to', () => {
    const esbuild = byKey(lock, 'node_modules/esbuild');
    assert.deepEqual([esbuild.dev, esbuild.optional, esbuild.dependencies], [true, undefined, undefined]);
    assert.deepEqual(esbuild.optionalDependencies, ESBUILD_019_PLATFORMS.map((p) => `@esbuild/${p}`));
    const member = byKey(lock, 'node_modules/@esbuild/linux-arm64');
    assert.deepEqual([member.dev, member.optional], [true, true]);
    const chokidar = byKey(lock, 'node_modules/chokidar');
    assert.deepEqual([chokidar.dependencies, chokidar.optionalDependencies], [['glob-parent'], ['fsevents']]);
    assert.deepEqual(byKey(lock, 'node_modules/better-sqlite3').dependencies, ['bindings', 'prebuild-install']);
  });

  test('an npm alias is the package it installs; a git dependency keeps its version as written; file: folders are left out', () => {
    const alias = byKey(lock, 'node_modules/string-width-cjs');
    assert.deepEqual([alias.name, alias.version], ['string-width', '4.2.3']);
    assert.equal(byKey(lock, 'node_modules/left-pad').version, 'github:stevemao/left-pad#5b1e9f0e1c5f4d4c1b7a6d7e8f9a0b1c2d3e4f50');
    assert.equal(lock.packages.some((p) => p.key === 'node_modules/local-utils'), false);
  });

  test('npm-shrinkwrap.json of version 1 is its own kind; a minified lock is placed by column', () => {
    const shrink = readLockfile('npm-shrinkwrap.json', text);
    assert.equal(shrink.kind, 'npm-shrinkwrap');
    assert.match(shrink.warnings[0]?.message ?? '', /^npm-shrinkwrap\.json lockfileVersion 1/);
    const min = JSON.stringify(JSON.parse(text));
    const l = readLockfile('package-lock.json', min);
    assert.deepEqual(byKey(l, 'node_modules/iconv').position, at(min, '"iconv":{'));
  });

  test('bad entries are warnings at their position and skipped; malformed and truncated JSON is one E_LOCKFILE with its position', () => {
    const t = '{\n  "lockfileVersion": 1,\n  "dependencies": {\n    "a": 3,\n    "b": {"requires": {}},\n    "c": {"version": "1.0.0"}\n  }\n}\n';
    const l = readLockfile('package-lock.json', t);
    assert.deepEqual(l.packages.map((p) => p.name), ['c']);
    assert.deepEqual(l.warnings.slice(1).map((w) => [w.location?.line, w.location?.column, w.message]), [
      [4, 5, 'dependencies["node_modules/a"] is not an object; skipped'],
      [5, 5, 'dependencies["node_modules/b"] has no version; skipped'],
    ]);
    const truncated = text.slice(0, text.indexOf('"bufferutil"') + 30);
    const e = lockError(() => readLockfile('package-lock.json', truncated));
    assert.match(e.message, /truncated/);
    assert.equal(e.location?.line, truncated.split('\n').length);
    const bad = lockError(() => readLockfile('package-lock.json', text.replace('"dev": true,', '"dev": true,,')));
    assert.match(bad.message, /not valid JSON/);
    assert.deepEqual([bad.location?.line, bad.location?.column], [at(text, '"dev": true,').line, 19]);
  });
});

describe('pnpm-lock.yaml lockfileVersion 5.x', () => {
  const lock = readLockfile('pnpm-lock.yaml', PNPM_V5);

  test('keys /name/version with peer suffixes and registry hosts; the facts of 6.x; local folders left out', () => {
    assert.equal(lock.kind, 'pnpm-lock');
    assert.equal(lock.formatVersion, '5.4');
    assert.equal(lock.unrecorded, undefined, 'pnpm 5.x records requiresBuild, os and cpu');
    assert.deepEqual(lock.warnings, []);
    assert.deepEqual(
      lock.packages.map((p) => `${p.name}@${p.version}`),
      ['@esbuild/linux-arm64@0.19.12', '@esbuild/linux-x64@0.19.12', 'better-sqlite3@9.4.3', 'bindings@1.5.0', 'esbuild@0.19.12', 'prebuild-install@7.1.2', 'react-dom@18.2.0', '@corp/native-thing@2.0.1'],
    );
    const member = byKey(lock, '/@esbuild/linux-arm64/0.19.12');
    assert.deepEqual([member.os, member.cpu, member.requiresBuild, member.dev, member.optional], [['linux'], ['arm64'], true, true, true]);
    assert.deepEqual(member.position, at(PNPM_V5, '/@esbuild/linux-arm64/0.19.12:'));
    const esbuild = byKey(lock, '/esbuild/0.19.12');
    assert.deepEqual(esbuild.optionalDependencies, ['@esbuild/linux-arm64', '@esbuild/linux-x64']);
    const corp = byKey(lock, 'registry.example.com/@corp/native-thing/2.0.1');
    assert.deepEqual([corp.requiresBuild, corp.resolved], [true, 'https://registry.example.com/@corp/native-thing/-/native-thing-2.0.1.tgz']);
    assert.deepEqual(byKey(lock, '/react-dom/18.2.0_react@18.2.0').dependencies, ['loose-envify', 'react', 'scheduler']);
  });

  test('5.x keys', () => {
    const table: [string, { name: string; version: string } | undefined][] = [
      ['/lodash/4.17.21', { name: 'lodash', version: '4.17.21' }],
      ['/@babel/core/7.20.2', { name: '@babel/core', version: '7.20.2' }],
      ['/@emotion/react/11.10.5_@babel+core@7.20.2+react@18.2.0', { name: '@emotion/react', version: '11.10.5' }],
      ['/react-dom/17.0.2_3qwe5k7xq4aqjbgsnayw2h2pce', { name: 'react-dom', version: '17.0.2' }],
      ['/typescript/5.0.0-beta', { name: 'typescript', version: '5.0.0-beta' }],
      ['registry.npmjs.org/lodash.merge/4.6.2', { name: 'lodash.merge', version: '4.6.2' }],
      ['github.com/acme/thing/0f1e2d3c', undefined],
      ['/@scope', undefined],
    ];
    for (const [key, want] of table) assert.deepEqual(pnpmV5KeyNameVersion(key), want, key);
  });

  test('5.3 as a YAML number; older versions refused at lockfileVersion with what to do; bad YAML at its position', () => {
    assert.equal(readLockfile('pnpm-lock.yaml', 'lockfileVersion: 5.3\n\npackages:\n\n  /a/1.0.0:\n    resolution: {integrity: sha512-AAAA}\n    dev: false\n').packages[0]?.name, 'a');
    const old = lockError(() => readLockfile('pnpm-lock.yaml', 'lockfileVersion: 4.0\n'));
    assert.match(old.message, /unknown pnpm lockfileVersion "4\.0".*5\.x/);
    assert.match(old.hint ?? '', /newer pnpm/);
    const bad = lockError(() => readLockfile('pnpm-lock.yaml', 'lockfileVersion: 5.4\npackages:\n  /a/1.0.0:\n    resolution: {integrity: x\n  /b/1.0.0: {}\n'));
    assert.match(bad.message, /not valid YAML/);
    assert.ok((bad.location?.line ?? 0) >= 4, String(bad.location?.line));
  });
});

test('any edit of a legacy lock (a cut, a character put in, a run taken out) is read or refused with one E_LOCKFILE at a line; never another error', () => {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('cut', 'insert', 'delete'), fc.constantFrom('"', ':', ',', ' ', '\n', '\t', '\\', '#', '@', '{', '}', '[', '_', '/', '\r', '<', 'a', '1'), fc.integer({ min: 1, max: 20 }));
  const lockfiles: [string, string][] = [['yarn.lock', YARN_CLASSIC], ['package-lock.json', packageLockV1()], ['pnpm-lock.yaml', PNPM_V5]];
  fc.assert(
    fc.property(fc.constantFrom(...lockfiles), fc.array(edit, { minLength: 1, maxLength: 4 }), ([file, original], edits) => {
      let text = original;
      for (const [n, kind, c, len] of edits) {
        const i = n % (text.length + 1);
        text = kind === 'cut' ? text.slice(0, i) : kind === 'insert' ? text.slice(0, i) + c + text.slice(i) : text.slice(0, i) + text.slice(i + len);
      }
      try {
        readLockfile(file, text);
      } catch (e) {
        assert.ok(e instanceof AnyarchError && e.code === 'E_LOCKFILE', String(e));
        assert.ok((e.location?.line ?? 0) >= 1 && !e.message.includes('\n'), e.message);
      }
    }),
    { numRuns: 300 },
  );
});
