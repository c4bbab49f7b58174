/**
 * The parser against BuildKit's documented parser behaviour (moby/buildkit,
 * frontend/dockerfile/parser): our own Dockerfiles with hand-written expected `Node.Dump()`
 * output (fixtures/cases), files that must not parse (fixtures/negative), the start and end lines
 * of instructions (fixtures/line-numbers), and the behaviour of BuildKit's helpers (word
 * splitting, ENV/LABEL forms, directives, heredocs) as our own cases. Fixtures live in
 * src/dockerfile/fixtures (tsc does not copy them to dist/); see fixtures/README.md for which
 * behaviour each case covers.
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
  existsSync(join(p, 'cases')),
) as string;

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';

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

describe('fixtures/cases: the dump matches the hand-written result', () => {
  assert.ok(FIXTURES, 'fixtures directory not found');
  const root = join(FIXTURES, 'cases');
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

describe('fixtures/negative: files that must not parse', () => {
  const root = join(FIXTURES, 'negative');
  const expected: Record<string, [string, number, number]> = {
    'empty-file': ['^the Dockerfile has no instructions$', 1, 1],
    'only-comments': ['^the Dockerfile has no instructions$', 1, 1],
    'env-without-value': ['^ENV must have two arguments$', 3, 7],
    'json-nested-array': [`^${NOT_STRINGS}$`, 2, 5],
    'json-number-in-array': [`^${NOT_STRINGS}$`, 2, 8],
  };
  const cases = subdirs(root);

  test('all cases are present', () => {
    assert.deepEqual(cases, Object.keys(expected).sort());
  });

  for (const name of cases) {
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

test('fixtures/line-numbers: start and end line of each instruction', () => {
  const df = parseDockerfile(readFileSync(join(FIXTURES, 'line-numbers', 'Dockerfile'), 'utf8'));
  assert.deepEqual(
    df.instructions.map((i) => [i.keyword, i.range.start.line, i.range.end.line]),
    [
      ['from', 4, 4],
      ['arg', 6, 7], // a continuation
      ['run', 10, 17], // blank and comment lines inside the continuation
      ['copy', 18, 20], // a heredoc: up to its terminator
      ['cmd', 22, 22],
    ],
  );
  // the first line, `# Escape = \`, is a directive (its key is case-insensitive)
  assert.deepEqual(
    df.directives.map((d) => [d.name, d.value, d.range.start.line]),
    [['escape', '\\', 1]],
  );
  // three blank lines inside the RUN: one warning for the instruction
  assert.deepEqual(
    df.warnings.map((w) => [w.code, w.range.start.line]),
    [['empty-continuation', 11]],
  );
});

test('empty continuation lines: skipped, one warning per instruction; comment lines give none', () => {
  const df = parseDockerfile(`
FROM debian:bookworm

RUN set -e \\
    && true

RUN apt-get update \\

    && apt-get install -y jq \\

    && jq --version

RUN echo ok \\

    done

RUN printf one \\
# a comment line, not a blank one
   two

RUN printf three \\
    # an indented comment line
    four
`);
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
      ['debian:bookworm'],
      ['set -e     && true'],
      ['apt-get update     && apt-get install -y jq     && jq --version'],
      ['echo ok     done'],
      ['printf one    two'],
      ['printf three     four'],
    ],
  );
});

test('a line of more than 65535 bytes is an error (BuildKit reads lines with bufio.Scanner)', () => {
  const e = parseError(() => parseDockerfile(`FROM alpine\n  RUN echo ${'x'.repeat(70000)}\nRUN true\n`));
  assert.equal(e.message, 'dockerfile line greater than max allowed size of 65535');
  assert.deepEqual([e.location?.line, e.location?.column], [2, 1]);
  // 65535 bytes is fine; a non-ASCII character counts as its UTF-8 bytes
  const longest = `ENV K=${'ß'.repeat(32764)}z`;
  assert.equal(Buffer.byteLength(longest), 65535);
  assert.equal(parseDockerfile(`FROM alpine\n${longest}\n`).instructions.length, 2);
  assert.throws(() => parseDockerfile(`FROM alpine\n${longest}z\n`), /greater than max allowed size/);
});

test('word splitting of ENV, LABEL and ARG keeps quotes and escapes', () => {
  const cases: [string, string[]][] = [
    ['a', ['a']],
    ['  x   y ', ['x', 'y']],
    ['one\\ two three', ['one\\ two', 'three']],
    ['k=v', ['k=v']],
    ["say 'two words' end", ['say', "'two words'", 'end']],
    ['say "two words"', ['say', '"two words"']],
    ['"a\\"b" c', ['"a\\"b"', 'c']],
    ["'a\\'", ["'a\\'"]],
    ['"" x', ['""', 'x']],
    ['tail\\', ['tail']],
    ['ünï cödé "ĝ ĥ"', ['ünï', 'cödé', '"ĝ ĥ"']],
  ];
  for (const [input, expect] of cases) assert.deepEqual(parseWords(input, '\\'), expect, input);
});

describe('ENV and LABEL: the legacy and the key=value form', () => {
  test('`LABEL key value`: key, the rest of the line, and an empty separator', () => {
    assert.deepEqual(parseDockerfile('LABEL tier backend api').instructions[0]?.args, ['tier', 'backend api', '']);
  });
  test('`LABEL k=v k2=v2`: a triplet per pair, with "=" as separator', () => {
    assert.deepEqual(parseDockerfile('LABEL tier=backend zone=eu-west').instructions[0]?.args, [
      'tier', 'backend', '=', 'zone', 'eu-west', '=',
    ]);
  });
  test('the legacy form needs a value', () => {
    const e = parseError(() => parseDockerfile('FROM alpine\nENV LONELY'));
    assert.equal(e.message, 'ENV must have two arguments');
  });
});

describe('parser directives', () => {
  test('an unknown directive ends the directives', () => {
    const df = parseDockerfile('#escape=`\n# unknown = thing\n# syntax=x\n\n# a note\nFROM x\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value]),
      [['escape', '`']],
    );
  });
  test('directive keys are case-insensitive', () => {
    const df = parseDockerfile('# ESCAPE=\\\n# Syntax = example.com/frontend:2\nFROM x\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value]),
      [
        ['escape', '\\'],
        ['syntax', 'example.com/frontend:2'],
      ],
    );
  });
  test('the syntax value is kept whole, trailing words included', () => {
    const df = parseDockerfile('#syntax=registry.example.com/frontends/df:2 -- extra words\nFROM busybox\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value, d.range.start.line]),
      [['syntax', 'registry.example.com/frontends/df:2 -- extra words', 1]],
    );
  });
});

describe('heredocs', () => {
  test('names, content, expansion, <<- and file descriptors', () => {
    const df = parseDockerfile(`
FROM python:3.12-slim

ENV OWNER=ci

RUN true

RUN <<NOTHING
NOTHING

RUN 5<<FD5
FD5

RUN "<<NOT_A_HEREDOC"

RUN <<KEEP
  two spaces
	one tab
KEEP

RUN <<-STRIP
		tabbed
	also tabbed
STRIP

RUN <<-STRIP_END
	x
	STRIP_END

RUN <<-VARS
	owner is $OWNER
VARS

RUN <<-'LITERAL'
	owner stays $OWNER
LITERAL

RUN <<SCRIPT
set -eu
pip install --no-cache-dir requests
SCRIPT

RUN <<NOTES
# not a Dockerfile comment
echo done # trailing
NOTES

RUN --mount=type=cache,target=/root/.cache/pip <<PIP
pip install wheel
PIP

COPY <<A.txt <<B.txt /srv/
alpha
A.txt
beta
B.txt

COPY <<DATA /srv/quotes.txt
"double"
'single'
DATA

COPY <<P <<Q /srv/
Q
P
P
Q

RUN <<PY python3
print(40 + 2)
PY

COPY <<config.ini /etc/
[main]
config.ini

RUN <<en"d"
echo quoted tail
end

RUN <<en\\"d
echo escaped quote
en"d

RUN <<"e"n\\"d
echo mixed
en"d

RUN <<'two words'
echo spaced
two words

RUN <<$END
$END
`);
    /** [name, content (tabs removed for <<-), expand, chomp, fd] per heredoc */
    type H = [string, string, boolean, boolean, number | null];
    const want: [string, H[]][] = [
      ['ENV OWNER=ci', []],
      ['RUN true', []],
      ['RUN <<NOTHING', [['NOTHING', '', true, false, null]]],
      ['RUN 5<<FD5', [['FD5', '', true, false, 5]]],
      ['RUN "<<NOT_A_HEREDOC"', []],
      ['RUN <<KEEP', [['KEEP', '  two spaces\n\tone tab\n', true, false, null]]],
      ['RUN <<-STRIP', [['STRIP', 'tabbed\nalso tabbed\n', true, true, null]]],
      ['RUN <<-STRIP_END', [['STRIP_END', 'x\n', true, true, null]]],
      ['RUN <<-VARS', [['VARS', 'owner is $OWNER\n', true, true, null]]],
      ["RUN <<-'LITERAL'", [['LITERAL', 'owner stays $OWNER\n', false, true, null]]],
      ['RUN <<SCRIPT', [['SCRIPT', 'set -eu\npip install --no-cache-dir requests\n', true, false, null]]],
      ['RUN <<NOTES', [['NOTES', '# not a Dockerfile comment\necho done # trailing\n', true, false, null]]],
      ['RUN --mount', [['PIP', 'pip install wheel\n', true, false, null]]],
      [
        'COPY <<A.txt <<B.txt',
        [
          ['A.txt', 'alpha\n', true, false, null],
          ['B.txt', 'beta\n', true, false, null],
        ],
      ],
      ['COPY <<DATA', [['DATA', '"double"\n\'single\'\n', true, false, null]]],
      [
        'COPY <<P <<Q',
        [
          ['P', 'Q\n', true, false, null],
          ['Q', 'P\n', true, false, null],
        ],
      ],
      ['RUN <<PY python3', [['PY', 'print(40 + 2)\n', true, false, null]]],
      ['COPY <<config.ini', [['config.ini', '[main]\n', true, false, null]]],
      ['RUN <<en"d"', [['end', 'echo quoted tail\n', false, false, null]]],
      // an escaped quote is no quoting: the content is expanded
      ['RUN <<en\\"d', [['en"d', 'echo escaped quote\n', true, false, null]]],
      ['RUN <<"e"n\\"d', [['en"d', 'echo mixed\n', false, false, null]]],
      ["RUN <<'two words'", [['two words', 'echo spaced\n', false, false, null]]],
      // an unset variable in the name stays as written
      ['RUN <<$END', [['$END', '', true, false, null]]],
    ];
    assert.equal(df.instructions.length, want.length + 1);
    want.forEach(([line, docs], i) => {
      const ins = df.instructions[i + 1];
      assert.ok(ins);
      const src = df.source.slice(ins.range.start.offset);
      assert.ok(src.startsWith(line), `instruction ${i + 2} is not ${line}: ${src.slice(0, 30)}`);
      assert.deepEqual(
        ins.heredocs.map((h: Heredoc): H => [h.name, h.content, h.expand, h.chomp, h.fileDescriptor]),
        docs,
        line,
      );
    });
    assert.deepEqual(df.instructions.find((i) => i.heredocs[0]?.name === 'PY')?.args, ['<<PY python3']);
  });

  test('only RUN, COPY and ADD take heredocs: `WORKDIR <<DIR` is followed by an instruction', () => {
    const e = parseError(() => parseDockerfile('FROM alpine\nWORKDIR <<DIR\nDIR\n'));
    assert.equal(e.message, 'unknown instruction: DIR');
    assert.deepEqual([e.location?.line, e.location?.column], [3, 1]);
  });

  test('the JSON form has no heredocs', () => {
    const df = parseDockerfile(`FROM alpine
RUN ["id", "-u"]
RUN ["cat", "<<DOC"]
COPY ["<<'DOC'", "/etc/doc"]
`);
    for (const i of [1, 2, 3]) {
      assert.equal(df.instructions[i]?.json, true);
      assert.deepEqual(df.instructions[i]?.heredocs, []);
    }
    assert.equal(df.instructions.length, 4);
  });

  test('<<- removes the leading tabs of the content and of the terminator', () => {
    const df = parseDockerfile('FROM alpine\nRUN <<-END\n\t\tfirst\n\tsecond\n\t\tEND\n');
    assert.equal(df.instructions[1]?.heredocs[0]?.content, 'first\nsecond\n');
    assert.equal(df.instructions.length, 2);
  });

  test('heredocs found on an instruction line', () => {
    const cases: [string, string[]][] = [
      ['RUN cat <<DOC', ['DOC']],
      ['RUN cat <<-DOC', ['DOC']],
      ['RUN cat <<"DOC"', ['DOC']],
      ['RUN 7<<DOC cat /dev/fd/7', ['DOC']],
      ['COPY <<ONE <<TWO /tmp/', ['ONE', 'TWO']],
      ["RUN echo '<<DOC'", []],
      ['RUN echo "<<DOC"', []],
      ['RUN echo \\<<DOC', []],
    ];
    for (const [line, names] of cases) {
      const body = names.map((n) => `${n}\n`).join('');
      const df = parseDockerfile(`FROM alpine\n${line}\n${body}`);
      assert.deepEqual(
        df.instructions[1]?.heredocs.map((h) => h.name),
        names,
        line,
      );
      assert.equal(df.instructions.length, 2, line);
    }
  });

  test('which words start a heredoc', () => {
    for (const w of ['<<END', "<<'END'", '<<"END"', '<<-END', "<<-'END'", '<<-"END"', "<<E'N'D"]) {
      const df = parseDockerfile(`FROM alpine\nRUN sh ${w}\nEND\n`);
      assert.equal(df.instructions[1]?.heredocs[0]?.name, 'END', w);
    }
    // a quoted `<<END sh` is one word that is no heredoc; so are `<<`, `<<-`, `<END`, `<<<END`
    for (const w of ['<<', '<<-', '<END', '<<<END', 'END', '"<<END sh"']) {
      const df = parseDockerfile(`FROM alpine\nRUN sh ${w}\n`);
      assert.deepEqual(df.instructions[1]?.heredocs, [], w);
    }
  });
});
