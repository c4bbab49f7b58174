import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotBlockYaml, readBlockYaml } from './block-yaml.js';
import { PNPM_V6, PNPM_V9, YARN_BERRY } from './fixtures.test-data.js';
import { readWithYamlLibrary } from './yaml-lock.js';

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
});
