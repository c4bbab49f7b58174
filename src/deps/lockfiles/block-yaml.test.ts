import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotBlockYaml, readBlockYaml } from './block-yaml.js';
import { PNPM_V6, PNPM_V9, YARN_BERRY } from './fixtures.test-data.js';
import { readWithYamlLibrary, readYamlLock } from './yaml-lock.js';

/** Numbers as the strings they were written as (the block reader keeps versions' digits; yaml makes `8` a number). */
function numbersAsStrings(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(numbersAsStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbersAsStrings(x)]));
  return v;
}

describe('readBlockYaml', () => {
  test('reads what the yaml library reads from pnpm and Yarn lockfiles, key positions included', () => {
    for (const [text, under] of [[PNPM_V9, ['packages', 'snapshots']], [PNPM_V6, ['packages']], [YARN_BERRY, []]] as const) {
      const fast = readBlockYaml(text, under);
      const slow = readWithYamlLibrary('f', text, 'f', under);
      assert.deepEqual(fast.data, numbersAsStrings(slow.data));
      assert.deepEqual(fast.keys, slow.keys);
    }
  });

  test('scalars: quoted keys and values, escapes, comments, flow collections, empty values, sequences', () => {
    const text = [
      '# a comment',
      "'it''s': \"a\\tb\" # trailing",
      'plain: 1.10',
      'flags: {a: true, b: null, c: [x, \'y z\'], d: {}}',
      'empty:',
      'list:',
      '  - one',
      '  - [two]',
      'url: {tarball: https://codeload.github.com/a/b/tar.gz/abc}',
      'range: {node: ^18.17.0 || >=21.0.0}',
    ].join('\n');
    assert.deepEqual(readBlockYaml(text, []).data, {
      "it's": 'a\tb',
      plain: '1.10',
      flags: { a: true, b: null, c: ['x', 'y z'], d: {} },
      empty: null,
      list: ['one', ['two']],
      url: { tarball: 'https://codeload.github.com/a/b/tar.gz/abc' },
      range: { node: '^18.17.0 || >=21.0.0' },
    });
  });

  test('what is outside the subset is handed to the yaml library: anchors, tags, block scalars, multi-line scalars, tabs, open quotes', () => {
    const outside = ['a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: |\n  text\n', 'a: one\n  two\n', 'a:\n\tb: 1\n', "a: 'open\n", 'a: {b: 1\n', '- a\n', '---\na: 1\n', 'a: b: c\n'];
    for (const text of outside) assert.throws(() => readBlockYaml(text, []), NotBlockYaml, JSON.stringify(text));
  });

  test('an entry outside the subset is read alone by the chunk reader, and the whole reads as the yaml library reads it', () => {
    const cases: [string, string[]][] = [
      // a block scalar in a package of `packages` (the package is read alone)
      ["lockfileVersion: '9.0'\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-A}\n    deprecated: |\n      gone\n      # not a comment\n\n  b@2.0.0:\n    cpu: [arm64]\n", ['packages', 'snapshots']],
      // a folded scalar in a Yarn entry (its key and the lines under it are read alone), CRLF
      ['__metadata:\r\n  version: 8\r\n\r\n"a@npm:^1.0.0":\r\n  version: 1.10\r\n  description: >\r\n    folded\r\n    text\r\n  linkType: hard\r\n\r\n"b@npm:^2.0.0":\r\n  version: 2.0.0\r\n', []],
      // a multi-line plain scalar, a comment at column 0 inside the entry, a tagged key, the last entry without a final newline
      ['packages:\n  a@1.0.0:\n    deprecated: one\n      two\n# a comment\n    os: [linux]\n  !!str b@1.0.0: {}\n  c@1.0.0:\n    note: |-\n      last', ['packages']],
      // a top-level key with a multi-line scalar; a top-level map whose own line is outside the subset
      ['note: one\n  two\npackages: !!map\n  a@1.0.0: {}\n  b@1.0.0:\n    cpu: [x64]\n', ['packages']],
      // an anchor in one entry and its alias in another: only the whole text can be read
      ["packages:\n  a@1.0.0:\n    resolution: &r {integrity: sha512-A}\n  b@2.0.0:\n    resolution: *r\n", ['packages']],
    ];
    for (const [text, under] of cases) {
      const got = readYamlLock('f', text, 'f', under);
      const want = readWithYamlLibrary('f', text, 'f', under);
      assert.deepEqual(got.data, want.data, JSON.stringify(text));
      assert.deepEqual(got.keys, want.keys, JSON.stringify(text));
    }
  });

  test('the chunk reader gets the one entry that leaves the subset, not the file', () => {
    const entries = Array.from({ length: 500 }, (_, i) => `  p${i}@1.0.0:\n    resolution: {integrity: sha512-${i}}\n${i === 250 ? '    deprecated: >-\n      a long\n      message\n' : ''}`);
    const text = `lockfileVersion: '9.0'\npackages:\n${entries.join('')}`;
    const pieces: string[] = [];
    const read = readBlockYaml(text, ['packages'], (piece, under) => {
      pieces.push(piece);
      return readWithYamlLibrary('f', piece, 'f', under);
    });
    assert.deepEqual(pieces, ['p250@1.0.0:\n  resolution: {integrity: sha512-250}\n  deprecated: >-\n    a long\n    message\n']);
    assert.deepEqual((read.data['packages'] as Record<string, unknown>)['p250@1.0.0'], { resolution: { integrity: 'sha512-250' }, deprecated: 'a long message' });
    assert.equal(Object.keys(read.data['packages'] as object).length, 500);
    assert.deepEqual(read.keys.get('packages')?.get('p250@1.0.0'), { line: 503, column: 3 });
    assert.deepEqual(read.keys.get('packages')?.get('p251@1.0.0'), { line: 508, column: 3 });
  });

  test('what cannot be read a piece at a time is still NotBlockYaml: documents, a broken indentation, invalid YAML', () => {
    const library = (piece: string, under: readonly string[]): ReturnType<typeof readWithYamlLibrary> => readWithYamlLibrary('f', piece, 'f', under);
    for (const text of ['---\na: 1\n', 'a:\n    b: 1\n  c: 2\n', "packages:\n  a@1.0.0:\n    resolution: {integrity: x\n  b@1.0.0: {}\n", 'a:\n  b: *nowhere\n']) {
      assert.throws(() => readBlockYaml(text, ['packages'], library), NotBlockYaml, JSON.stringify(text));
    }
  });
});
