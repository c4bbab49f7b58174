/**
 * BuildKit's own parser tests (moby/buildkit frontend/dockerfile/parser), run against our parser:
 * the testfiles/<case>/{Dockerfile,result} dumps, the negative cases, the line numbers of
 * testfile-line, and the cases of parser_test.go, parser_heredoc_test.go, directives_test.go and
 * line_parsers_test.go, rewritten for node:test. Fixtures live in src/dockerfile/fixtures (tsc
 * does not copy them to dist/); see fixtures/README.md for where each one comes from.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnyarchError } from '../errors.js';
import type { Heredoc } from './ast.js';
import { dumpBuildkit } from './dump.js';
import { parseDockerfile, parseWords } from './parser.js';

const here = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
/** fixtures next to the source, whether the test runs from src/ or from dist/src/ */
const FIXTURES = [resolve(here, 'fixtures'), resolve(here, '../../../src/dockerfile/fixtures')].find((p) =>
  existsSync(join(p, 'buildkit')),
) as string;

function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function parseError(fn: () => unknown): AnyarchError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AnyarchError, `expected an AnyarchError, got ${String(e)}`);
    assert.equal(e.code, 'E_PARSE');
    return e;
  }
  assert.fail('expected a parse error');
}

describe('BuildKit testfiles (TestParseCases)', () => {
  assert.ok(FIXTURES, 'fixtures directory not found');
  const root = join(FIXTURES, 'buildkit');
  const cases = subdirs(root);

  test('all cases are present', () => {
    assert.equal(cases.length, 32);
  });

  for (const name of cases) {
    test(name, () => {
      const source = readFileSync(join(root, name, 'Dockerfile'), 'utf8');
      const expected = readFileSync(join(root, name, 'result'), 'utf8');
      assert.equal(dumpBuildkit(parseDockerfile(source, name)), expected);
    });
  }
});

describe('BuildKit testfiles-negative (TestParseErrorCases)', () => {
  const root = join(FIXTURES, 'buildkit-negative');
  const expected: Record<string, [string, number, number]> = {
    env_no_value: ['ENV must have two arguments', 3, 5],
    'shykes-nested-json': ['when using JSON array syntax, arrays must be comprised of strings only', 1, 5],
    only_comments: ['the Dockerfile has no instructions', 1, 1],
  };
  for (const name of subdirs(root)) {
    test(name, () => {
      const source = readFileSync(join(root, name, 'Dockerfile'), 'utf8');
      const e = parseError(() => parseDockerfile(source, 'Dockerfile'));
      const want = expected[name];
      assert.ok(want, `no expectation for ${name}`);
      assert.match(e.message, new RegExp(want[0]));
      assert.deepEqual(e.location, { file: 'Dockerfile', line: want[1], column: want[2] });
    });
  }
});

test('TestParseIncludesLineNumbers', () => {
  const df = parseDockerfile(readFileSync(join(FIXTURES, 'buildkit-line', 'Dockerfile'), 'utf8'));
  assert.deepEqual(
    df.instructions.map((i) => [i.range.start.line, i.range.end.line]),
    [
      [5, 5],
      [11, 12],
      [17, 31],
    ],
  );
  // the first line, `# ESCAPE=\`, is a directive
  assert.deepEqual(
    df.directives.map((d) => [d.name, d.value]),
    [['escape', '\\']],
  );
  // BuildKit's 2 empty continuation lines in the RUN give one warning, as in BuildKit
  assert.equal(df.warnings.length, 1);
});

test('TestParseWarnsOnEmptyContinutationLine: one warning per instruction', () => {
  const df = parseDockerfile(`
FROM alpine:3.6

RUN valid \\
    continuation

RUN something \\

    following \\

    more

RUN another \\

    thing

RUN non-indented \\
# this is a comment
   after-comment

RUN indented \\
    # this is an indented comment
    comment
	`);
  // BuildKit: 2 warnings, for "RUN something     following     more" and "RUN another     thing"
  assert.equal(df.warnings.length, 2);
  assert.deepEqual(
    df.warnings.map((w) => [w.code, w.range.start.line, w.range.start.column]),
    [
      ['empty-continuation', 8, 1],
      ['empty-continuation', 14, 1],
    ],
  );
  assert.deepEqual(
    df.instructions.map((i) => i.args),
    [
      ['alpine:3.6'],
      ['valid     continuation'],
      ['something     following     more'],
      ['another     thing'],
      ['non-indented    after-comment'],
      ['indented     comment'],
    ],
  );
});

test('TestParseReturnsScannerErrors: a line over 65535 bytes', () => {
  const label = 'a'.repeat(65536);
  const e = parseError(() => parseDockerfile(`\n\t\tFROM image\n\t\tLABEL test=${label}\n`));
  assert.equal(e.message, 'dockerfile line greater than max allowed size of 65535');
  assert.deepEqual([e.location?.line, e.location?.column], [3, 1]);
  // exactly 65535 bytes is fine; multi-byte characters count as their UTF-8 bytes
  const ok = `LABEL a=${'é'.repeat(32763)}a`;
  assert.equal(Buffer.byteLength(ok), 65535);
  assert.equal(parseDockerfile(`FROM x\n${ok}\n`).instructions.length, 2);
  assert.throws(() => parseDockerfile(`FROM x\n${ok}a\n`), /greater than max allowed size/);
});

test('TestParseWords', () => {
  const cases: [string, string[]][] = [
    ['foo', ['foo']],
    ['foo bar', ['foo', 'bar']],
    ['foo\\ bar', ['foo\\ bar']],
    ['foo=bar', ['foo=bar']],
    ["foo bar 'abc xyz'", ['foo', 'bar', "'abc xyz'"]],
    ['foo bar "abc xyz"', ['foo', 'bar', '"abc xyz"']],
    ['àöû', ['àöû']],
    ['föo bàr "âbc xÿz"', ['föo', 'bàr', '"âbc xÿz"']],
  ];
  for (const [input, expect] of cases) assert.deepEqual(parseWords(input, '\\'), expect, input);
});

describe('line_parsers_test.go', () => {
  test('TestParseNameValOldFormat', () => {
    assert.deepEqual(parseDockerfile('LABEL foo bar').instructions[0]?.args, ['foo', 'bar', '']);
  });
  test('TestParseNameValNewFormat', () => {
    assert.deepEqual(parseDockerfile('LABEL foo=bar thing=star').instructions[0]?.args, [
      'foo', 'bar', '=', 'thing', 'star', '=',
    ]);
  });
  test('TestParseNameValWithoutVal', () => {
    const e = parseError(() => parseDockerfile('FROM x\nENV foo'));
    assert.equal(e.message, 'ENV must have two arguments');
  });
});

describe('directives_test.go', () => {
  test('TestDirectives', () => {
    let df = parseDockerfile('#escape=\\\n# key = FOO bar\n\n# smth\nFROM x\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value]),
      [['escape', '\\']],
    );
    // "for some reason Moby implementation in case insensitive for escape"
    df = parseDockerfile('# EScape=\\\n# KEY = FOO bar\n\n# smth\nFROM x\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value]),
      [['escape', '\\']],
    );
  });
  test('TestDetectSyntax (the parser part): the whole value is kept', () => {
    const df = parseDockerfile('# syntax = dockerfile:experimental // opts\nFROM busybox\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value, d.range.start.line]),
      [['syntax', 'dockerfile:experimental // opts', 1]],
    );
  });
});

/** BuildKit's ChompHeredocContent: leading tabs off every line. */
function chomp(s: string): string {
  return s.replace(/^\t+/gm, '');
}

describe('parser_heredoc_test.go', () => {
  test('TestParseExtractsHeredoc', () => {
    // BuildKit's test, without its `USER <<INVALID` / `INVALID` pair: our parser rejects the
    // unknown instruction INVALID at once (tested below).
    const df = parseDockerfile(`
FROM alpine:3.6

ENV NAME=me

RUN ls

RUN <<EMPTY
EMPTY

RUN 3<<EMPTY2
EMPTY2

RUN "<<NOHEREDOC"

RUN <<INDENT
	foo
	bar
INDENT

RUN <<-UNINDENT
	baz
	quux
UNINDENT

RUN <<-UNINDENT2
	baz
	quux
	UNINDENT2

RUN <<-EXPAND
	expand $NAME
EXPAND

RUN <<-'NOEXPAND'
	don't expand $NAME
NOEXPAND

RUN <<COPY
echo hello world
echo foo bar
COPY

RUN <<COMMENT
# internal comment
echo hello world
echo foo bar # trailing comment
COMMENT

RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT

COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2

COPY <<EOF /quotes
"foo"
'bar'
EOF

COPY <<X <<Y /dest
Y
X
X
Y

RUN <<COMPLEX python3
print('hello world')
COMPLEX

COPY <<file.txt /dest
hello world
file.txt

RUN <<eo'f'
echo foo
eof

RUN <<eo\\'f
echo foo
eo'f

RUN <<'e'o\\'f
echo foo
eo'f

RUN <<'one two'
echo bar
one two

RUN <<$EOF
$EOF
	`);
    type Expected = { Name: string; Content: string; Expand: boolean; Chomp?: boolean; FileDescriptor?: number };
    // BuildKit's expectations; its parser keeps the tabs of <<- content and chomps later
    const tests: (Expected[] | null)[] = [
      null, // ENV NAME=me
      null, // RUN ls
      [{ Name: 'EMPTY', Content: '', Expand: true }],
      [{ Name: 'EMPTY2', Content: '', Expand: true, FileDescriptor: 3 }],
      null, // RUN "<<NOHEREDOC"
      [{ Name: 'INDENT', Content: '\tfoo\n\tbar\n', Expand: true }],
      [{ Name: 'UNINDENT', Content: '\tbaz\n\tquux\n', Expand: true, Chomp: true }],
      [{ Name: 'UNINDENT2', Content: '\tbaz\n\tquux\n', Expand: true, Chomp: true }],
      [{ Name: 'EXPAND', Content: '\texpand $NAME\n', Expand: true, Chomp: true }],
      [{ Name: 'NOEXPAND', Content: "\tdon't expand $NAME\n", Expand: false, Chomp: true }],
      [{ Name: 'COPY', Content: 'echo hello world\necho foo bar\n', Expand: true }],
      [{ Name: 'COMMENT', Content: '# internal comment\necho hello world\necho foo bar # trailing comment\n', Expand: true }],
      [{ Name: 'MOUNT', Content: 'echo hello\n', Expand: true }],
      [
        { Name: 'FILE1', Content: 'content 1\n', Expand: true },
        { Name: 'FILE2', Content: 'content 2\n', Expand: true },
      ],
      [{ Name: 'EOF', Content: '"foo"\n\'bar\'\n', Expand: true }],
      [
        { Name: 'X', Content: 'Y\n', Expand: true },
        { Name: 'Y', Content: 'X\n', Expand: true },
      ],
      [{ Name: 'COMPLEX', Content: "print('hello world')\n", Expand: true }],
      [{ Name: 'file.txt', Content: 'hello world\n', Expand: true }],
      [{ Name: 'eof', Content: 'echo foo\n', Expand: false }],
      [{ Name: "eo'f", Content: 'echo foo\n', Expand: true }],
      [{ Name: "eo'f", Content: 'echo foo\n', Expand: false }],
      [{ Name: 'one two', Content: 'echo bar\n', Expand: false }],
      [{ Name: '$EOF', Content: '', Expand: true }],
    ];
    assert.equal(df.instructions.length, tests.length + 1);
    tests.forEach((want, i) => {
      const ins = df.instructions[i + 1];
      assert.ok(ins);
      const got = ins.heredocs.map((h: Heredoc) => ({
        Name: h.name,
        Content: h.content,
        Expand: h.expand,
        Chomp: h.chomp,
        FileDescriptor: h.fileDescriptor ?? 0,
      }));
      const exp = (want ?? []).map((h) => ({
        Name: h.Name,
        // our content is what BuildKit's instruction layer uses: chomped for <<-
        Content: h.Chomp ? chomp(h.Content) : h.Content,
        Expand: h.Expand,
        Chomp: h.Chomp ?? false,
        FileDescriptor: h.FileDescriptor ?? 0,
      }));
      assert.deepEqual(got, exp, `instruction ${i + 2}: ${ins.body.text}`);
    });
  });

  test('USER <<INVALID is no heredoc: the next line is an instruction', () => {
    const e = parseError(() => parseDockerfile('FROM alpine\nUSER <<INVALID\nINVALID\n'));
    assert.equal(e.message, 'unknown instruction: INVALID');
    assert.deepEqual([e.location?.line, e.location?.column], [3, 1]);
  });

  test('TestParseJSONHeredoc', () => {
    const df = parseDockerfile(`
FROM alpine:3.6

RUN ["whoami"]
RUN ["<<EOF"]
RUN ["<<'EOF'"]
	`);
    for (const i of [1, 2, 3]) {
      assert.equal(df.instructions[i]?.json, true);
      assert.deepEqual(df.instructions[i]?.heredocs, []);
    }
  });

  test('TestHeredocChomp', () => {
    const df = parseDockerfile('FROM x\nRUN <<-EOF\n\thello\n\tworld\n\tEOF\n');
    assert.equal(df.instructions[1]?.heredocs[0]?.content, chomp('\thello\n\tworld\n'));
    assert.equal(df.instructions[1]?.heredocs[0]?.content, 'hello\nworld\n');
  });

  test('TestHeredocsFromLine', () => {
    const cases: [string, string[]][] = [
      ['RUN <<EOF', ['EOF']],
      ['RUN <<-EOF', ['EOF']],
      ["RUN <<'EOF'", ['EOF']],
      ['RUN 4<<EOF', ['EOF']],
      ['RUN <<EOF <<EOF2', ['EOF', 'EOF2']],
      ["RUN '<<EOF'", []],
      ['RUN "<<EOF"', []],
    ];
    for (const [line, names] of cases) {
      const body = names.map((n) => `${n}\n`).join('');
      const df = parseDockerfile(`FROM x\n${line}\n${body}`);
      assert.deepEqual(
        df.instructions[1]?.heredocs.map((h) => h.name),
        names,
        line,
      );
    }
  });

  test('TestParseHeredocHelpers: which words are heredocs', () => {
    const valid = ['<<EOF', "<<'EOF'", '<<"EOF"', '<<-EOF', "<<-'EOF'", '<<-"EOF"', '<<EO"F"'];
    for (const w of valid) {
      const df = parseDockerfile(`FROM x\nRUN cat ${w}\nEOF\n`);
      assert.equal(df.instructions[1]?.heredocs[0]?.name, 'EOF', w);
    }
    // "<<EOF sh" is one word only when quoted; "<<", "<<-", "<EOF", "<<<EOF" are no heredocs
    for (const w of ['<<', '<<-', '<EOF', '<<<EOF', 'EOF', '"<<EOF sh"']) {
      const df = parseDockerfile(`FROM x\nRUN cat ${w}\n`);
      assert.deepEqual(df.instructions[1]?.heredocs, [], w);
    }
  });
});
