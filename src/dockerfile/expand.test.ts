import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords, references, type Lookup } from './expand.js';
import { AnyarchError } from '../errors.js';

function lookupOf(env: Record<string, string>): Lookup {
  return (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined);
}

/**
 * Cases in the format of BuildKit's `frontend/dockerfile/shell/envVarTest` (platform | input |
 * expected, `error` for a failure), Linux lines only ('A' all platforms, 'U' Unix), with the
 * environment that BuildKit's TestShellParser4EnvVars uses.
 */
const ENV_VAR_TEST: ReadonlyArray<readonly [string, string, string]> = [
  ['A', 'hello', 'hello'],
  ['A', "he'll'o", 'hello'],
  ['A', "he'llo", 'error'],
  ['A', "he\\'llo", "he'llo"],
  ['A', "he\\\\'llo", 'error'],
  ['A', 'abc\\tdef', 'abctdef'],
  ['A', '"abc\\tdef"', 'abc\\tdef'],
  ['A', '"abc\\\\tdef"', 'abc\\tdef'],
  ['A', "'abc\\tdef'", 'abc\\tdef'],
  ['A', 'hello\\', 'hello'],
  ['A', 'hello\\\\', 'hello\\'],
  ['A', '"hello', 'error'],
  ['A', '"hello\\"', 'error'],
  ['A', '"hel\'lo"', "hel'lo"],
  ['A', "'hello", 'error'],
  ['A', "'hello\\'", 'hello\\'],
  ['A', "'hello\\there'", 'hello\\there'],
  ['A', "'hello\\\\there'", 'hello\\\\there'],
  ['A', '"\'\'"', "''"],
  ['A', '$.', '$.'],
  ['A', 'he$1x', 'hex'],
  ['A', 'he$.x', 'he$.x'],
  ['U', 'he$pwd.', 'he.'],
  ['A', 'he$PWD', 'he/home'],
  ['A', 'he\\$PWD', 'he$PWD'],
  ['A', 'he\\\\$PWD', 'he\\/home'],
  ['A', '"he\\$PWD"', 'he$PWD'],
  ['A', '"he\\\\$PWD"', 'he\\/home'],
  ['A', '\\${}', '${}'],
  ['A', '\\${}aaa', '${}aaa'],
  ['A', 'he\\${}', 'he${}'],
  ['A', 'he\\${}xx', 'he${}xx'],
  ['A', '${}', 'error'],
  ['A', '${}aaa', 'error'],
  ['A', 'he${}', 'error'],
  ['A', 'he${}xx', 'error'],
  ['A', 'he${hi}', 'he'],
  ['A', 'he${hi}xx', 'hexx'],
  ['A', 'he${PWD}', 'he/home'],
  ['A', 'he${.}', 'error'],
  ['A', 'he${XXX:-000}xx', 'he000xx'],
  ['A', 'he${PWD:-000}xx', 'he/homexx'],
  ['A', 'he${XXX:-$PWD}xx', 'he/homexx'],
  ['A', 'he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['A', 'he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['A', 'he${XXX:YYY}', 'error'],
  ['A', 'he${XXX?}', 'error'],
  ['A', 'he${XXX:?}', 'error'],
  ['A', 'he${PWD?}', 'he/home'],
  ['A', 'he${PWD:?}', 'he/home'],
  ['A', 'he${NULL?}', 'he'],
  ['A', 'he${NULL:?}', 'error'],
  ['A', 'he${XXX:+${PWD}}xx', 'hexx'],
  ['A', 'he${PWD:+${XXX}}xx', 'hexx'],
  ['A', 'he${PWD:+${SHELL}}xx', 'hebashxx'],
  ['A', 'he${XXX:+000}xx', 'hexx'],
  ['A', 'he${PWD:+000}xx', 'he000xx'],
  ['A', "'he${XX}'", 'he${XX}'],
  ['A', '"he${PWD}"', 'he/home'],
  ['A', '"he\'$PWD\'"', "he'/home'"],
  ['A', '"$PWD"', '/home'],
  ['A', "'$PWD'", '$PWD'],
  ['A', "'\\$PWD'", '\\$PWD'],
  ['A', '\'"hello"\'', '"hello"'],
  ['A', "'he\\$PWD'", 'he\\$PWD'],
  ['A', 'he${PWD', 'error'],
  ['A', 'he${PWD:=000}xx', 'error'],
  ['A', 'he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['A', 'he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['A', 'he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ['A', '안녕하세요', '안녕하세요'],
  ['A', "안'녕'하세요", '안녕하세요'],
  ['A', "안'녕", 'error'],
  ['A', "안녕\\'하세요", "안녕'하세요"],
  ['A', "안\\\\'녕하세요", 'error'],
  ['A', '안녕\\t하세요', '안녕t하세요'],
  ['A', '"안녕\\t하세요"', '안녕\\t하세요'],
  ['A', "'안녕\\t하세요", 'error'],
  ['A', '안녕하세요\\', '안녕하세요'],
  ['A', '안녕하세요\\\\', '안녕하세요\\'],
  ['A', '"안녕하세요', 'error'],
  ['A', '"안녕하세요\\"', 'error'],
  ['A', '"안녕\'하세요"', "안녕'하세요"],
  ['A', "'안녕하세요'", '안녕하세요'],
  ['A', "'안녕하세요\\'", '안녕하세요\\'],
  ['A', '$KOREAN', '한국어'],
  ['A', '안녕$KOREAN', '안녕한국어'],
  ['A', '${{aaa}', 'error'],
  ['A', '${aaa}}', '}'],
  ['A', '${aaa', 'error'],
  ['A', '${{aaa', 'error'],
  ['A', '${{aaa}}', 'error'],
  ['A', '${aaa}}}', '}}'],
  ['A', '${aaa:-bbb}', 'bbb'],
  ['A', '${aaa:-${bbb:-ccc}}', 'ccc'],
  ['A', '${aaa:-bbb ${foo}', 'error'],
  ['A', '${aaa:+bbb}', ''],
  ['A', '${PWD:+bbb}', 'bbb'],
  ['A', '${PWD##*/}', 'home'],
  ['A', '${PWD%/*}', ''],
  ['A', '${PWD#/ho}', 'me'],
  ['A', "${PWD:-'a}b'}", '/home'],
  ['A', "${XXX:-'a}b'}", 'a}b'],
  ['A', '${XXX:-"a b"}', 'a b'],
  ['A', '$', '$'],
  ['A', 'a$', 'a$'],
  ['A', '$$', ''],
  ['A', '${#}', ''],
  ['A', '${#PWD}', 'error'],
  ['A', '${PWD=x}', 'error'],
  ['A', '${PWD:#/}', 'home'],
  ['A', '${PWD:-${X:?boom}}', 'error'],
];

describe('expandWord: BuildKit envVarTest (Linux lines)', () => {
  const lookup = lookupOf({ PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' });
  for (const [platform, source, expected] of ENV_VAR_TEST) {
    if (platform !== 'A' && platform !== 'U') continue;
    test(`${source} → ${expected}`, () => {
      if (expected === 'error') {
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

/** BuildKit's TestProcessWithMatches table (matched = set names, unmatched = unset names). */
const MATCH_CASES: MatchCase[] = [
  { input: 'x', env: { DUMMY: 'dummy' }, expected: 'x', used: [], unset: [] },
  { input: 'x ${UNUSED}', env: { DUMMY: 'dummy' }, expected: 'x ', used: ['UNUSED'], unset: ['UNUSED'] },
  { input: 'x ${FOO}', env: { FOO: 'y' }, expected: 'x y', used: ['FOO'], unset: [] },
  { input: '${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', env: { FOO: 'xxx', BAR: '' }, expected: 'xxx  ccc', unset: ['BAZ'] },
  { input: '${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', env: { FOO: 'xxx', BAR: '' }, expected: 'xxx bbb ccc', unset: ['BAZ'] },
  { input: '${FOO:-}', env: { FOO: 'xxx', BAR: '' }, expected: 'xxx', used: ['FOO'], unset: [] },
  { input: '${FOO:-}', env: {}, expected: '', unset: ['FOO'] },
  { input: '${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', env: { FOO: 'xxx', BAR: '' }, expected: 'aaa bbb ', unset: ['BAZ'] },
  { input: '${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', env: { FOO: 'xxx', BAR: '' }, expected: 'aaa  ', unset: ['BAZ'] },
  { input: '${FOO?aaa}', env: { FOO: 'xxx', BAR: '' }, expected: 'xxx' },
  { input: '${BAR?bbb}', env: { FOO: 'xxx', BAR: '' }, expected: '' },
  { input: '${BAZ?ccc}', env: { FOO: 'xxx', BAR: '' }, error: true },
  { input: '${FOO:?aaa}', env: { FOO: 'xxx', BAR: '' }, expected: 'xxx' },
  { input: '${BAR:?bbb}', env: { FOO: 'xxx', BAR: '' }, error: true },
  { input: '${BAZ:?ccc}', env: { FOO: 'xxx', BAR: '' }, error: true },
  { input: '${BAZ:?}', env: { FOO: 'xxx', BAR: '' }, error: true },
  { input: '${FOO=aaa}', env: { FOO: 'xxx', BAR: '' }, error: true },
  { input: '${FOO=:aaa}', env: { FOO: 'xxx', BAR: '' }, error: true },
  { input: '${FOO=}', env: {}, error: true },
  { input: '${FOO#()[]{\\}^$.\\*\\?|\\\\}', env: { FOO: '()[]{}^$.*?|\\x' }, expected: 'x', used: ['FOO'] },
  { input: '${FOO%%\\**}', env: { FOO: 'xx**' }, expected: 'xx' },
  { input: '${FOO#*x*y}', env: { FOO: 'xxyy' }, expected: 'y' },
  { input: '${FOO#*}', env: { FOO: 'xxyy' }, expected: 'xxyy' },
  { input: '${FOO#$BAR}', env: { FOO: 'xxyy', BAR: 'x' }, expected: 'xyy', used: ['BAR', 'FOO'] },
  { input: '${FOO#$BAR}', env: { FOO: 'xxyy', BAR: '' }, expected: 'xxyy' },
  { input: '${FOO#}', env: { FOO: 'xxyy' }, expected: 'xxyy' },
  { input: '${FOO##*x}', env: { FOO: 'xxyy' }, expected: 'yy' },
  { input: '${FOO##}', env: { FOO: 'xxyy' }, expected: 'xxyy' },
  { input: '${FOO#?\\?}', env: { FOO: '???y' }, expected: '?y' },
  { input: '${ABC:-.}${FOO%x}${ABC:-.}', env: { FOO: 'xxyy' }, expected: '.xxyy.', used: ['ABC', 'FOO'], unset: ['ABC'] },
  { input: '${FOO%%\\**\\*}', env: { FOO: 'a***yy*' }, expected: 'a' },
  { input: '${FOO%}', env: { FOO: 'xxyy' }, expected: 'xxyy' },
  { input: '${FOO%%$BAR}', env: { FOO: 'xxyy', BAR: '' }, expected: 'xxyy' },
  { input: '${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', env: { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, expected: '/foo.*/*.txt - /foo..*.txt' },
  { input: '${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', env: { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, expected: '/tmp/bar.txt - /bar.txt' },
  {
    input: '${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}',
    env: { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' },
    expected: '/foo/b/c.txt - /foo/c.txt',
  },
  { input: '${FOO/$NEEDLE/$REPLACEMENT}', env: { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, expected: 'https://google.de' },
  { input: '${FOO//\\//\\/}', env: { FOO: '/tmp/foo.txt' }, expected: '\\/tmp\\/foo.txt' },
  { input: '${FOO/$BAR/ww}', env: { FOO: 'xxyy', BAR: '' }, expected: 'wwxxyy' },
  { input: '${FOO//ww}', env: { FOO: 'xxyy' }, error: true },
  { input: '${FOO//}', env: { FOO: 'xxyy' }, error: true },
  { input: '${FOO///}', env: { FOO: 'xxyy' }, expected: 'xxyy', used: ['FOO'], unset: [] },
  { input: '${FOO///}', env: {}, expected: '', unset: ['FOO'] },
];

describe('expandWord: BuildKit TestProcessWithMatches', () => {
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
  test('release file name with optional variant (TestProcessWithMatchesPlatform)', () => {
    const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    const base = { VERSION: 'v1.2.3', TARGETOS: 'linux' };
    assert.equal(
      expandWord(release, lookupOf({ ...base, TARGETARCH: 'arm', TARGETVARIANT: 'v7' })).value,
      'something-v1.2.3.linux-arm-v7.tar.gz',
    );
    assert.equal(
      expandWord(release, lookupOf({ ...base, TARGETARCH: 'arm64', TARGETVARIANT: '' })).value,
      'something-v1.2.3.linux-arm64.tar.gz',
    );
    const r = expandWord(release, lookupOf({ ...base, TARGETARCH: 'arm64' }));
    assert.equal(r.value, 'something-v1.2.3.linux-arm64.tar.gz');
    assert.deepEqual(r.used, ['VERSION', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT']);
    assert.deepEqual(r.unset, ['TARGETVARIANT']);
    assert.equal(r.substituted, true);
  });

  test('mandatory variables (TestShellParserMandatoryEnvVars)', () => {
    const set = lookupOf({ VAR: 'plain', ARG: 'x' });
    const empty = lookupOf({ VAR: '', ARG: 'x' });
    const unset = lookupOf({ ARG: 'x' });
    const noEmpty = '${VAR:?message here$ARG}';
    const noUnset = '${VAR?message here$ARG}';
    assert.equal(expandWord(noEmpty, set).value, 'plain');
    assert.throws(() => expandWord(noEmpty, empty), /message herex/);
    assert.throws(() => expandWord(noEmpty, unset), /message herex/);
    assert.equal(expandWord(noUnset, set).value, 'plain');
    assert.equal(expandWord(noUnset, empty).value, '');
    assert.throws(() => expandWord(noUnset, unset), /message herex/);
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
    const lookup = lookupOf({ PWD: '/home' });
    const o = { escape: '`' as const };
    assert.equal(expandWord('he`$PWD', lookup, o).value, 'he$PWD');
    assert.equal(expandWord('C:\\dir\\$PWD', lookup, o).value, 'C:\\dir\\/home');
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

describe('expandWords: BuildKit wordsTest (ProcessWords)', () => {
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['hello', {}, ['hello']],
    ['hello${hi}bye', {}, ['hellobye']],
    ['hello${hi}bye', { hi: 'hi' }, ['hellohibye']],
    ['hello${space}bye', { space: 'abc  def' }, ['helloabc', 'defbye']],
    ['hello"${space}"bye', { space: 'abc  def' }, ['helloabc  defbye']],
    ['hello "${space}"bye', { space: 'abc  def' }, ['hello', 'abc  defbye']],
    ['hello${leading}def', { leading: '  ab c' }, ['hello', 'ab', 'cdef']],
    ['hello"${leading}" def', { leading: '  ab c' }, ['hello  ab c', 'def']],
    ['hello"${leading}"', { leading: '  ab c' }, ['hello  ab c']],
    ['hello${leading}', { leading: '  ab c' }, ['hello', 'ab', 'c']],
    ['hello${trailing}', { trailing: 'ab c   ' }, ['helloab', 'c']],
    ['hello${trailing}d', { trailing: 'ab c   ' }, ['helloab', 'c', 'd']],
    ['hello"${trailing}"d', { trailing: 'ab c   ' }, ['helloab c   d']],
    ['hello${x}d', { x: '[\t]' }, ['hello[', ']d']],
    ['hello\\ world  x', {}, ['hello world', 'x']],
    ["'a b'  c", {}, ['a b', 'c']],
    ['a "" b', {}, ['a', 'b']],
    ['  a=1   b=2  ', {}, ['a=1', 'b=2']],
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
