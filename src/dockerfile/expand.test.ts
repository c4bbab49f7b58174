import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords, references, type Lookup } from './expand.js';
import { AnyarchError } from '../errors.js';

function lookupOf(env: Record<string, string>): Lookup {
  return (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined);
}

/** Marks a word whose expansion must fail with E_PARSE. */
const FAILS = Symbol('fails');

/**
 * One word and what expanding it gives, written by hand from the documented rules of Dockerfile
 * variable substitution (`$V`, `${V}`, `${V:-w}`, `${V:+w}`, `${V?w}`, `${V#p}`, `${V%p}` …),
 * quoting and escapes (see the header of expand.ts). The environment is fixed: DIR=/srv,
 * TOOL=make, GREEK=αβγ and BLANK set to the empty string; every other name is unset (names are
 * case-sensitive, so `dir` is unset too).
 */
const WORDS: ReadonlyArray<readonly [string, string | typeof FAILS]> = [
  // plain text and single quotes
  ['build', 'build'],
  ["ta'rg'et", 'target'],
  ["ta'rget", FAILS],
  ["it\\'s", "it's"],
  ["it\\\\'s", FAILS],
  // the escape character outside quotes, inside double quotes and inside single quotes
  ['path\\nname', 'pathnname'],
  ['"path\\nname"', 'path\\nname'],
  ['"path\\\\nname"', 'path\\nname'],
  ["'path\\nname'", 'path\\nname'],
  ['tail\\', 'tail'],
  ['tail\\\\', 'tail\\'],
  // unterminated and nested quotes
  ['"open', FAILS],
  ['"open\\"', FAILS],
  ['"don\'t"', "don't"],
  ["'open", FAILS],
  ["'open\\'", 'open\\'],
  ["'C:\\temp'", 'C:\\temp'],
  ["'C:\\\\temp'", 'C:\\\\temp'],
  ['"\'q\'"', "'q'"],
  // a dollar sign without a name is kept; digits are (unset) positional names
  ['$%', '$%'],
  ['v$2.0', 'v.0'],
  ['a$%b', 'a$%b'],
  ['x$dir.', 'x.'],
  ['at$DIR', 'at/srv'],
  ['at\\$DIR', 'at$DIR'],
  ['at\\\\$DIR', 'at\\/srv'],
  ['"at\\$DIR"', 'at$DIR'],
  ['"at\\\\$DIR"', 'at\\/srv'],
  // ${} is an error unless its dollar sign is escaped
  ['\\${}', '${}'],
  ['\\${}/bin', '${}/bin'],
  ['pre\\${}', 'pre${}'],
  ['pre\\${}post', 'pre${}post'],
  ['${}', FAILS],
  ['"${}"', FAILS],
  ['${}/bin', FAILS],
  ['pre${}', FAILS],
  ['pre${}post', FAILS],
  // braces
  ['v${MINOR}', 'v'],
  ['v${MINOR}.0', 'v.0'],
  ['at${DIR}', 'at/srv'],
  ['at${,}', FAILS],
  // defaults, nested defaults
  ['v${MAJOR:-1}.x', 'v1.x'],
  ['[${DIR:-/opt}]', '[/srv]'],
  ['[${ROOT:-$DIR}]', '[/srv]'],
  ['[${ROOT:-${DIR:-/opt}}]', '[/srv]'],
  ['[${ROOT:-${BASE:-/opt}}]', '[/opt]'],
  ['${ROOT:opt}', FAILS],
  // required values: `?` fails when unset, `:?` also when empty
  ['x${ROOT?}', FAILS],
  ['x${ROOT:?}', FAILS],
  ['x${DIR?}', 'x/srv'],
  ['x${DIR:?}', 'x/srv'],
  ['x${BLANK?}', 'x'],
  ['x${BLANK:?}', FAILS],
  // alternatives
  ['<${ROOT:+${DIR}}>', '<>'],
  ['<${DIR:+${ROOT}}>', '<>'],
  ['<${DIR:+${TOOL}}>', '<make>'],
  ['<${ROOT:+on}>', '<>'],
  ['<${DIR:+on}>', '<on>'],
  // quoting around references
  ["'at${DIR}'", 'at${DIR}'],
  ['"at ${DIR}"', 'at /srv'],
  ['"at \'$DIR\'"', "at '/srv'"],
  ['"$TOOL"', 'make'],
  ["'$TOOL'", '$TOOL'],
  ["'\\$TOOL'", '\\$TOOL'],
  ['\'"quoted"\'', '"quoted"'],
  ["'at\\$DIR'", 'at\\$DIR'],
  ['at${DIR', FAILS],
  ['${DIR:=/opt}', FAILS],
  ['${DIR:+${DIR}/}bin', '/srv/bin'],
  ['${ROOT:-\\$DIR/}bin', '$DIR/bin'],
  ['${ROOT:-\\${DIR}x}y', '${DIRx}y'],
  // non-ASCII text, and non-ASCII letters in names
  ['καλημέρα', 'καλημέρα'],
  ["κα'λη'μέρα", 'καλημέρα'],
  ["κα'λη", FAILS],
  ["καλη\\'μέρα", "καλη'μέρα"],
  ["κα\\\\'λημέρα", FAILS],
  ['καλη\\nμέρα', 'καληnμέρα'],
  ['"καλη\\nμέρα"', 'καλη\\nμέρα'],
  ["'καλη\\nμέρα", FAILS],
  ['καλημέρα\\', 'καλημέρα'],
  ['καλημέρα\\\\', 'καλημέρα\\'],
  ['"καλημέρα', FAILS],
  ['"καλημέρα\\"', FAILS],
  ['"καλη\'μέρα"', "καλη'μέρα"],
  ["'καλημέρα'", 'καλημέρα'],
  ["'καλημέρα\\'", 'καλημέρα\\'],
  ['$GREEK', 'αβγ'],
  ['καλη$GREEK', 'καληαβγ'],
  ['$GREEKμ', ''],
  // brace syntax errors, stray closing braces
  ['${{name}', FAILS],
  ['${zz}}', '}'],
  ['${zz', FAILS],
  ['${{zz', FAILS],
  ['${{zz}}', FAILS],
  ['${zz}}}', '}}'],
  ['${zz:-def}', 'def'],
  ['${zz:-${yy:-inner}}', 'inner'],
  ['${zz:-a ${yy}', FAILS],
  ['${zz:+alt}', ''],
  ['${TOOL:+alt}', 'alt'],
  // prefix and suffix removal
  ['${DIR##*/}', 'srv'],
  ['${DIR%/*}', ''],
  ['${DIR#/s}', 'rv'],
  // quotes inside the word of a modifier
  ["${TOOL:-'x}y'}", 'make'],
  ["${zz:-'x}y'}", 'x}y'],
  ['${zz:-"x y"}', 'x y'],
  // special parameters and unsupported forms
  ['$', '$'],
  ['cost$', 'cost$'],
  ['x$$y', 'xy'],
  ['x${#}y', 'xy'],
  ['${#DIR}', FAILS],
  ['${TOOL=x}', FAILS],
  ['${TOOL:#m}', 'ake'],
  ['${TOOL:-${zz:?required}}', FAILS],
];

describe('expandWord: quoting, escapes and substitutions', () => {
  const lookup = lookupOf({ DIR: '/srv', TOOL: 'make', GREEK: 'αβγ', BLANK: '' });
  for (const [source, expected] of WORDS) {
    test(`${source} → ${expected === FAILS ? 'error' : expected}`, () => {
      if (expected === FAILS) {
        assert.throws(
          () => expandWord(source, lookup),
          (e: unknown) => e instanceof AnyarchError && e.code === 'E_PARSE',
        );
      } else {
        assert.equal(expandWord(source, lookup).value, expected);
      }
    });
  }
});

interface MatchCase {
  input: string;
  env: Record<string, string>;
  expected?: string;
  error?: true;
  used?: string[];
  unset?: string[];
}

/**
 * Words with their environment, the expected value and the names looked up (`used`) and found
 * unset (`unset`); hand-derived from the same rules. `${V-w}` / `${V+w}` / `${V?w}` only ask
 * whether V is set, the `:` forms also treat an empty V as unset; `#`/`##` cut the shortest /
 * longest matching prefix, `%`/`%%` the suffix; `/` replaces the first match, `//` every match.
 */
const MATCH_CASES: MatchCase[] = [
  { input: 'static', env: { UNRELATED: 'u' }, expected: 'static', used: [], unset: [] },
  { input: 'tag-${SUFFIX}', env: { OTHER: '1' }, expected: 'tag-', used: ['SUFFIX'], unset: ['SUFFIX'] },
  { input: 'img:${TAG}', env: { TAG: '1.4' }, expected: 'img:1.4', used: ['TAG'], unset: [] },
  // set, set but empty, unset: with and without the colon
  {
    input: '${OS-linux}/${ARCH-amd64}/${VARIANT-v7}',
    env: { OS: 'windows', ARCH: '' },
    expected: 'windows//v7',
    used: ['ARCH', 'OS', 'VARIANT'],
    unset: ['VARIANT'],
  },
  { input: '${OS:-linux}/${ARCH:-amd64}/${VARIANT:-v7}', env: { OS: 'windows', ARCH: '' }, expected: 'windows/amd64/v7', unset: ['VARIANT'] },
  { input: '${MODE:-}', env: { MODE: 'release', DEBUG: '' }, expected: 'release', used: ['MODE'], unset: [] },
  { input: '${MODE:-}', env: {}, expected: '', unset: ['MODE'] },
  { input: '${OS+os}|${ARCH+arch}|${VARIANT+variant}', env: { OS: 'windows', ARCH: '' }, expected: 'os|arch|', unset: ['VARIANT'] },
  { input: '${OS:+os}|${ARCH:+arch}|${VARIANT:+variant}', env: { OS: 'windows', ARCH: '' }, expected: 'os||', unset: ['VARIANT'] },
  { input: '${OS?os needed}', env: { OS: 'windows', ARCH: '' }, expected: 'windows' },
  { input: '${ARCH?arch needed}', env: { OS: 'windows', ARCH: '' }, expected: '' },
  { input: '${VARIANT?variant needed}', env: { OS: 'windows', ARCH: '' }, error: true },
  { input: '${OS:?os needed}', env: { OS: 'windows', ARCH: '' }, expected: 'windows' },
  { input: '${ARCH:?arch needed}', env: { OS: 'windows', ARCH: '' }, error: true },
  { input: '${VARIANT:?variant needed}', env: { OS: 'windows', ARCH: '' }, error: true },
  { input: '${VARIANT:?}', env: { OS: 'windows', ARCH: '' }, error: true },
  // assignment forms are not supported
  { input: '${OS=linux}', env: { OS: 'windows', ARCH: '' }, error: true },
  { input: '${OS=:linux}', env: { OS: 'windows', ARCH: '' }, error: true },
  { input: '${OS=}', env: {}, error: true },
  // regular-expression characters are literal in patterns; \* \? \} \\ are escapes
  { input: '${SPEC#+.^|[$](\\*\\?\\}{\\\\}', env: { SPEC: '+.^|[$](*?}{\\rest' }, expected: 'rest', used: ['SPEC'] },
  { input: '${GLOB%%\\**}', env: { GLOB: 'ab*c*d' }, expected: 'ab' },
  { input: '${PAIR#*a*b}', env: { PAIR: 'caab-b' }, expected: '-b' },
  { input: '${PAIR#*}', env: { PAIR: 'caab-b' }, expected: 'caab-b' },
  { input: '${FILE#$PREFIX}', env: { FILE: 'lib/libz.so', PREFIX: 'lib/' }, expected: 'libz.so', used: ['FILE', 'PREFIX'] },
  { input: '${FILE#$PREFIX}', env: { FILE: 'lib/libz.so', PREFIX: '' }, expected: 'lib/libz.so' },
  { input: '${FILE#}', env: { FILE: 'lib/libz.so' }, expected: 'lib/libz.so' },
  { input: '${REL##*/}', env: { REL: 'usr/lib/libz.so' }, expected: 'libz.so' },
  { input: '${REL##}', env: { REL: 'usr/lib/libz.so' }, expected: 'usr/lib/libz.so' },
  { input: '${Q#?\\?}', env: { Q: 'a?b?c' }, expected: 'b?c' },
  { input: '${SEP:--}${NAME%z}${SEP:--}', env: { NAME: 'zebra' }, expected: '-zebra-', used: ['NAME', 'SEP'], unset: ['SEP'] },
  { input: '${STARS%%\\**\\*}', env: { STARS: 'x*y**z*' }, expected: 'x' },
  { input: '${NAME%}', env: { NAME: 'zebra' }, expected: 'zebra' },
  { input: '${NAME%%$CUT}', env: { NAME: 'zebra', CUT: '' }, expected: 'zebra' },
  // replacement: patterns and replacements from variables, slashes in them
  { input: '${P/$SEL/_} + ${P//$SEL/_}', env: { P: 'a?/b?/c?/d', SEL: '\\?/' }, expected: 'a_b?/c?/d + a_b_c_d' },
  { input: '${U/$DROP/} ${U//$DROP/}', env: { U: '/v1/v1/api', DROP: '/v1' }, expected: '/v1/api /api' },
  { input: '${S/$PAT/$REP} | ${S//$PAT/$REP}', env: { S: '-x-yy-z-w', PAT: '-?-', REP: '+' }, expected: '+yy-z-w | +yy+w' },
  { input: '${REPO/$OLD/$NEW}', env: { REPO: 'git://example.org/x.git', OLD: 'git://', NEW: 'https://' }, expected: 'https://example.org/x.git' },
  { input: '${PATHS//\\//\\/}', env: { PATHS: 'usr/local/bin' }, expected: 'usr\\/local\\/bin' },
  { input: '${PATHS/\\//:}', env: { PATHS: 'usr/local/bin' }, expected: 'usr:local/bin' },
  // empty and incomplete replacements
  { input: '${WORD/$NONE/>}', env: { WORD: 'abc', NONE: '' }, expected: '>abc' },
  { input: '${WORD//bc}', env: { WORD: 'abc' }, error: true },
  { input: '${WORD//}', env: { WORD: 'abc' }, error: true },
  { input: '${WORD///}', env: { WORD: 'abc' }, expected: 'abc', used: ['WORD'], unset: [] },
  { input: '${WORD///}', env: {}, expected: '', unset: ['WORD'] },
];

describe('expandWord: values, names looked up and names unset', () => {
  for (const c of MATCH_CASES) {
    test(`${c.input} with ${JSON.stringify(c.env)}`, () => {
      const lookup = lookupOf(c.env);
      if (c.error) {
        assert.throws(() => expandWord(c.input, lookup), AnyarchError);
        return;
      }
      const r = expandWord(c.input, lookup);
      assert.equal(r.value, c.expected);
      if (c.used) assert.deepEqual([...r.used].sort(), [...c.used].sort());
      if (c.unset) assert.deepEqual([...r.unset].sort(), [...c.unset].sort());
    });
  }
});

describe('expandWord: details', () => {
  test('a release file name with an optional variant suffix', () => {
    const file = 'dist/agent_${REL}_${TARGETOS}_${TARGETARCH}${TARGETVARIANT:+_${TARGETVARIANT}}.zip';
    const base = { REL: '2.0.1', TARGETOS: 'linux' };
    assert.equal(
      expandWord(file, lookupOf({ ...base, TARGETARCH: 'arm', TARGETVARIANT: 'v6' })).value,
      'dist/agent_2.0.1_linux_arm_v6.zip',
    );
    assert.equal(
      expandWord(file, lookupOf({ ...base, TARGETARCH: 'riscv64', TARGETVARIANT: '' })).value,
      'dist/agent_2.0.1_linux_riscv64.zip',
    );
    const r = expandWord(file, lookupOf({ ...base, TARGETARCH: 'riscv64' }));
    assert.equal(r.value, 'dist/agent_2.0.1_linux_riscv64.zip');
    assert.deepEqual(r.used, ['REL', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT']);
    assert.deepEqual(r.unset, ['TARGETVARIANT']);
    assert.equal(r.substituted, true);
  });

  test('required variables: the message is expanded, ? allows empty, :? does not', () => {
    const set = lookupOf({ TOKEN: 'abc', STAGE: 'ci' });
    const empty = lookupOf({ TOKEN: '', STAGE: 'ci' });
    const unset = lookupOf({ STAGE: 'ci' });
    const notEmpty = '${TOKEN:?set a token for $STAGE}';
    const notUnset = '${TOKEN?set a token for $STAGE}';
    assert.equal(expandWord(notEmpty, set).value, 'abc');
    assert.throws(() => expandWord(notEmpty, empty), /set a token for ci/);
    assert.throws(() => expandWord(notEmpty, unset), /set a token for ci/);
    assert.equal(expandWord(notUnset, set).value, 'abc');
    assert.equal(expandWord(notUnset, empty).value, '');
    assert.throws(() => expandWord(notUnset, unset), /set a token for ci/);
    try {
      expandWord('${TARGETARCH:?}', unset);
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof AnyarchError);
      assert.equal(e.code, 'E_PARSE');
      assert.match(e.message, /TARGETARCH: is not allowed to be unset/);
      assert.match(e.message, /\.$/);
    }
  });

  test('substituted is false without references', () => {
    const r = expandWord(`'$x' "a" \\$y`, () => 'v');
    assert.equal(r.value, '$x a $y');
    assert.equal(r.substituted, false);
    assert.deepEqual(r.used, []);
  });

  test('backtick escape token', () => {
    const lookup = lookupOf({ DIR: '/srv' });
    const o = { escape: '`' as const };
    assert.equal(expandWord('at`$DIR', lookup, o).value, 'at$DIR');
    assert.equal(expandWord('C:\\dir\\$DIR', lookup, o).value, 'C:\\dir\\/srv');
    assert.equal(expandWord('"a``b`"c"', lookup, o).value, 'a`b"c');
    assert.equal(expandWord('"a`xb"', lookup, o).value, 'a`xb');
  });

  test('dpkg architecture prefix stripping', () => {
    const lookup = lookupOf({ dpkgArch: 'musl-linux-arm64', gnuArch: 'riscv64-linux-gnu' });
    assert.equal(expandWord('${dpkgArch##*-}', lookup).value, 'arm64');
    assert.equal(expandWord('${dpkgArch#*-}', lookup).value, 'linux-arm64');
    assert.equal(expandWord('${gnuArch%%-*}', lookup).value, 'riscv64');
    assert.equal(expandWord('${gnuArch%-*}', lookup).value, 'riscv64-linux');
    assert.equal(expandWord('${gnuArch/linux/LINUX}', lookup).value, 'riscv64-LINUX-gnu');
    assert.equal(expandWord('${gnuArch//-/_}', lookup).value, 'riscv64_linux_gnu');
    assert.equal(expandWord('${gnuArch%-?nu}', lookup).value, 'riscv64-linux');
  });

  test('replace-all with an empty pattern follows Go regexp semantics', () => {
    assert.equal(expandWord('${V//$E/-}', lookupOf({ V: 'ab', E: '' })).value, '-a-b-');
  });

  test('surrogate pairs in values and patterns', () => {
    const lookup = lookupOf({ V: 'a😀b😀c' });
    assert.equal(expandWord('${V#*😀}', lookup).value, 'b😀c');
    assert.equal(expandWord('${V%?c}', lookup).value, 'a😀b');
    assert.equal(expandWord('${V##a?}', lookup).value, 'b😀c');
  });

  test('errors are AnyarchErrors naming the word', () => {
    assert.throws(
      () => expandWord('pre${X', () => undefined),
      (e: unknown) => e instanceof AnyarchError && e.code === 'E_PARSE' && e.message.includes('"pre${X"'),
    );
    assert.throws(() => expandWord('${V#\\x}', () => 'v'), /invalid escape/);
  });
});

describe('expandWords: splitting after expansion', () => {
  // hand-derived: unquoted expansions split on white space (leading and trailing white space of
  // the value ends or starts a word), quoted parts never split, empty words are dropped
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['single', {}, ['single']],
    ['pre${none}post', {}, ['prepost']],
    ['pre${mid}post', { mid: '-' }, ['pre-post']],
    ['x${two}y', { two: '1  2' }, ['x1', '2y']],
    ['x"${two}"y', { two: '1  2' }, ['x1  2y']],
    ['x "${two}"y', { two: '1  2' }, ['x', '1  2y']],
    ['a${lead}b', { lead: '  p q' }, ['a', 'p', 'qb']],
    ['a"${lead}" b', { lead: '  p q' }, ['a  p q', 'b']],
    ['a"${lead}"', { lead: '  p q' }, ['a  p q']],
    ['a${lead}', { lead: '  p q' }, ['a', 'p', 'q']],
    ['a${trail}', { trail: 'p q   ' }, ['ap', 'q']],
    ['a${trail}b', { trail: 'p q   ' }, ['ap', 'q', 'b']],
    ['a"${trail}"b', { trail: 'p q   ' }, ['ap q   b']],
    ['a${tab}b', { tab: '<\t>' }, ['a<', '>b']],
    ['first\\ word  second', {}, ['first word', 'second']],
    ["'p q'  r", {}, ['p q', 'r']],
    ['p "" q', {}, ['p', 'q']],
    ['  k=1   v=2  ', {}, ['k=1', 'v=2']],
    ['PATH=/x:$PATH  TZ="Europe/Paris"', { PATH: '/usr/bin' }, ['PATH=/x:/usr/bin', 'TZ=Europe/Paris']],
  ];
  for (const [input, env, expected] of cases) {
    test(`${input} with ${JSON.stringify(env)}`, () => {
      assert.deepEqual(expandWords(input, lookupOf(env)), expected);
    });
  }
  test('errors throw', () => {
    assert.throws(() => expandWords('a "b', () => undefined), AnyarchError);
  });
});

describe('references', () => {
  test('every reference with offsets, nested ones included', () => {
    const text = 'a $A ${B:-$C} "${D##*-}" \'$E\' \\$F ${G}';
    const refs = references(text);
    assert.deepEqual(
      refs.map((r) => [r.name, text.slice(r.start, r.end)]),
      [
        ['A', '$A'],
        ['B', '${B:-$C}'],
        ['C', '$C'],
        ['D', '${D##*-}'],
        ['G', '${G}'],
      ],
    );
  });

  test('never expands, never fails on semantics', () => {
    const text = '${X:?must be set} ${Y=z} ${Z/a/b}';
    assert.deepEqual(
      references(text).map((r) => [r.name, text.slice(r.start, r.end)]),
      [
        ['X', '${X:?must be set}'],
        ['Y', '${Y=z}'],
        ['Z', '${Z/a/b}'],
      ],
    );
  });

  test('an unterminated reference ends at the end of the text', () => {
    const text = 'x ${TARGETARCH:-$BUILDARCH';
    const refs = references(text);
    assert.deepEqual(
      refs.map((r) => [r.name, r.start, r.end]),
      [
        ['TARGETARCH', 2, text.length],
        ['BUILDARCH', 16, text.length],
      ],
    );
  });

  test('bad substitutions are skipped, later references still found', () => {
    const text = '${} $TARGETOS';
    assert.deepEqual(
      references(text).map((r) => r.name),
      ['TARGETOS'],
    );
  });

  test('backtick escape', () => {
    assert.deepEqual(
      references('`$A $B', { escape: '`' }).map((r) => r.name),
      ['B'],
    );
  });
});
