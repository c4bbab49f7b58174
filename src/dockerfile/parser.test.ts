/**
 * The parser's behaviour with exact positions: lines and columns are 1-based, columns in UTF-16
 * units, offsets 0-based into `Dockerfile.source`. The cases that check the parse tree against
 * BuildKit's documented parser behaviour (dump fixtures, heredocs, directives) are in
 * parser-buildkit.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnyarchError } from '../errors.js';
import type { Dockerfile, Instruction, Range } from './ast.js';
import { dumpBuildkit, goQuote, toJSON } from './dump.js';
import { INSTRUCTIONS, MAX_DOCKERFILE_BYTES, parseDockerfile, parseWords } from './parser.js';
import { positionAt, sliceSourceText, toSourceOffset, toSourceRange } from './text.js';

function parse(src: string): Dockerfile {
  return parseDockerfile(src, 'Dockerfile');
}

function ins(df: Dockerfile, i: number): Instruction {
  const x = df.instructions[i];
  assert.ok(x, `no instruction ${i}`);
  return x;
}

/** [startLine, startColumn, endLine, endColumn] */
function lc(r: Range | null | undefined): [number, number, number, number] {
  assert.ok(r, 'no range');
  return [r.start.line, r.start.column, r.end.line, r.end.column];
}

/** Asserts an E_PARSE error at line:column and returns it. */
function parseError(src: string, line: number, column: number, message?: RegExp): AnyarchError {
  try {
    parse(src);
  } catch (e) {
    assert.ok(e instanceof AnyarchError, `expected an AnyarchError, got ${String(e)}`);
    assert.equal(e.code, 'E_PARSE');
    assert.deepEqual(e.location, { file: 'Dockerfile', line, column }, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail('expected a parse error');
}

test('exports', () => {
  assert.equal(INSTRUCTIONS.size, 18);
  assert.ok(INSTRUCTIONS.has('healthcheck'));
  assert.equal(MAX_DOCKERFILE_BYTES, 4 * 1024 * 1024);
});

describe('parser directives', () => {
  test('syntax, escape and check, with their ranges', () => {
    const df = parse('# syntax=docker/dockerfile:1\n#escape = `\n#  check=skip=all  \n\nFROM x\n');
    assert.deepEqual(
      df.directives.map((d) => [d.name, d.value, ...lc(d.range)]),
      [
        ['syntax', 'docker/dockerfile:1', 1, 1, 1, 29],
        ['escape', '`', 2, 1, 2, 12],
        ['check', 'skip=all', 3, 1, 3, 20],
      ],
    );
    assert.equal(df.escape, '`');
    // directive lines are comments of the file, never comments of an instruction
    assert.equal(df.comments.length, 3);
    assert.deepEqual(ins(df, 0).comments, []);
  });

  test('an indented directive counts (BuildKit strips leading whitespace first)', () => {
    const df = parse('  # escape=`\n\nFROM x\nENV foo `\n  bar\n');
    assert.equal(df.escape, '`');
    assert.deepEqual(lc(df.directives[0]?.range), [1, 3, 1, 13]);
    // the legacy form splits at the first run of whitespace
    assert.deepEqual(ins(df, 1).args, ['foo', 'bar', '']);
  });

  test('keys are case-insensitive', () => {
    assert.equal(parse('# ESCAPE=`\nFROM x').escape, '`');
  });

  test('an unknown key ends the directives', () => {
    const df = parse('# foo=bar\n# escape=`\nFROM x\n');
    assert.deepEqual(df.directives, []);
    assert.equal(df.escape, '\\');
    assert.deepEqual(
      df.comments.map((c) => c.text),
      ['foo=bar', 'escape=`'],
    );
    assert.deepEqual(
      ins(df, 0).comments.map((c) => c.text),
      ['foo=bar', 'escape=`'],
    );
  });

  test('a comment that is no directive ends them', () => {
    assert.deepEqual(parse('# hello\n# escape=`\nFROM x\n').directives, []);
    assert.deepEqual(parse('#\n# escape=`\nFROM x\n').directives, []);
  });

  test('a blank line ends them', () => {
    const df = parse('# syntax=x\n\n# escape=`\nFROM x\n');
    assert.deepEqual(
      df.directives.map((d) => d.name),
      ['syntax'],
    );
    assert.equal(df.escape, '\\');
  });

  test('after an instruction, a directive is a comment', () => {
    const df = parse('FROM x\n# escape=`\nRUN a \\\n b\n');
    assert.deepEqual(df.directives, []);
    assert.deepEqual(ins(df, 1).args, ['a  b']);
  });

  test('a repeated directive is an error at its key', () => {
    parseError('# escape=`\n#  escape=\\\nFROM x', 2, 4, /^only one escape parser directive can be used$/);
    parseError('# syntax=a\n# SYNTAX=b\nFROM x', 2, 3, /only one syntax parser directive/);
  });

  test('a bad escape value is an error at the value', () => {
    const e = parseError('# escape=x\nFROM a', 1, 10, /^invalid escape token 'x' does not match ` or \\$/);
    assert.ok(e.hint);
    parseError('#escape = ab\nFROM a', 1, 11, /invalid escape token 'ab'/);
    parseError('\n\n', 1, 1, /no instructions/);
  });
});

describe('escape token', () => {
  test('backtick files: ` continues lines, \\ is an ordinary character', () => {
    const df = parse('# escape=`\n\nFROM windows\nRUN dir C:\\ `\n    && echo done\nCOPY a\\b C:\\dest\\\nRUN a``\nRUN b\n');
    assert.deepEqual(
      df.instructions.map((i) => i.args),
      [['windows'], ['dir C:\\     && echo done'], ['a\\b', 'C:\\dest\\'], ['a``'], ['b']],
    );
    assert.deepEqual(lc(ins(df, 1).range), [4, 1, 5, 17]);
  });

  test('ARG words keep the escape token', () => {
    assert.deepEqual(parseWords('a`b "c `"d"', '`'), ['a`b', '"c `"d"']);
    assert.deepEqual(parse('# escape=`\nARG A=`"x`"').instructions[0]?.args, ['A=`"x`"']);
  });
});

describe('line continuations', () => {
  test('whitespace after the escape still continues the line', () => {
    const df = parse('FROM x\nRUN a \\  \t\n  b \\ \n c\n');
    assert.deepEqual(ins(df, 1).args, ['a   b  c']);
    assert.deepEqual(lc(ins(df, 1).range), [2, 1, 4, 3]);
  });

  test('an escaped escape does not continue the line', () => {
    const df = parse('FROM x\nENV DRIVE c:\\\\\nENV NEXT 1\n');
    assert.deepEqual(
      df.instructions.map((i) => i.args),
      [['x'], ['DRIVE', 'c:\\\\', ''], ['NEXT', '1', '']],
    );
  });

  test('a lone escape on a continuation line joins nothing', () => {
    assert.deepEqual(parse('FROM x\nENV W up\\\n\\\nstream').instructions[1]?.args, ['W', 'upstream', '']);
  });

  test('comment lines inside a continuation are dropped, indented ones too', () => {
    const src = 'FROM x\nRUN a \\\n# c1\n    # c2 \\\n  b\n';
    const df = parse(src);
    assert.deepEqual(ins(df, 1).args, ['a   b']);
    assert.deepEqual(lc(ins(df, 1).range), [2, 1, 5, 4]);
    assert.deepEqual(
      df.comments.map((c) => [c.text, ...lc(c.range)]),
      [
        ['c1', 3, 1, 3, 5],
        ['c2 \\', 4, 5, 4, 11],
      ],
    );
    assert.deepEqual(df.warnings, []);
  });

  test('empty continuation lines: skipped, one warning per instruction at the first one', () => {
    const df = parse('FROM x\nRUN a \\\n\n  \t\n b \\\n\n c\nRUN d \\\n\n e\n');
    assert.deepEqual(
      df.instructions.map((i) => i.args),
      [['x'], ['a  b  c'], ['d  e']],
    );
    assert.deepEqual(
      df.warnings.map((w) => [w.code, ...lc(w.range)]),
      [
        ['empty-continuation', 3, 1, 3, 1],
        ['empty-continuation', 9, 1, 9, 1],
      ],
    );
    assert.deepEqual(lc(ins(df, 1).range), [2, 1, 7, 3]);
  });

  test('a continuation at the end of the file', () => {
    const df = parse('FROM x\nRUN make \\\n');
    assert.deepEqual(ins(df, 1).args, ['make']);
    assert.deepEqual(lc(ins(df, 1).range), [2, 1, 2, 11]);
    assert.deepEqual(df.warnings, []);
  });

  test('a lone continuation with nothing after it is an error', () => {
    parseError('FROM x\n\\\n', 2, 1, /empty instruction/);
  });

  test('the keyword itself may be split', () => {
    const df = parse('FROM x\nRU\\\nN echo');
    assert.equal(ins(df, 1).keyword, 'run');
    assert.deepEqual(lc(ins(df, 1).keywordRange), [2, 1, 3, 2]);
    assert.deepEqual(ins(df, 1).args, ['echo']);
  });
});

describe('comments', () => {
  test('comment lines right above an instruction are attached to it', () => {
    const df = parse('# a\n  #  b  \nFROM x\n# c\n\n# d\nRUN y\n');
    assert.deepEqual(
      ins(df, 0).comments.map((c) => [c.text, ...lc(c.range)]),
      [
        ['a', 1, 1, 1, 4],
        ['b', 2, 3, 2, 9],
      ],
    );
    assert.deepEqual(
      ins(df, 1).comments.map((c) => c.text),
      ['d'],
    );
    assert.equal(df.comments.length, 4);
  });

  test('a comment ending with the escape does not continue', () => {
    const df = parse('FROM x\n# install step \\\nRUN y\n');
    assert.deepEqual(
      df.instructions.map((i) => i.keyword),
      ['from', 'run'],
    );
  });
});

describe('heredocs', () => {
  test('<<EOF: content, positions, range', () => {
    const src = 'FROM x\nRUN <<EOF\necho amd64\n  two\nEOF\nRUN after\n';
    const df = parse(src);
    const run = ins(df, 1);
    assert.deepEqual(run.args, ['<<EOF']);
    assert.equal(run.heredocs.length, 1);
    const h = run.heredocs[0];
    assert.ok(h);
    assert.deepEqual(
      [h.name, h.chomp, h.expand, h.fileDescriptor, h.content],
      ['EOF', false, true, null, 'echo amd64\n  two\n'],
    );
    assert.equal(h.contentOffset, src.indexOf('echo amd64'));
    // content is a source slice: an offset in it is contentOffset + index
    assert.equal(src.slice(h.contentOffset, h.contentOffset + h.content.length), h.content);
    assert.deepEqual(lc(h.range), [3, 1, 5, 4]);
    assert.deepEqual(lc(run.range), [2, 1, 5, 4]);
    assert.deepEqual(lc(run.bodyRange), [2, 5, 2, 10]);
    assert.deepEqual(ins(df, 2).args, ['after']);
  });

  test('<<-EOF strips leading tabs from the content and the terminator', () => {
    const src = 'FROM x\nRUN <<-EOF\n\t\techo a\n\t  b\n\tEOF\n';
    const df = parse(src);
    const h = ins(df, 1).heredocs[0];
    assert.deepEqual([h?.chomp, h?.content], [true, 'echo a\n  b\n']);
    assert.equal(h?.contentOffset, src.indexOf('echo a'));
    assert.deepEqual(lc(h?.range), [3, 1, 5, 5]);
    // the terminator must match exactly (a trailing space makes it content)
    assert.throws(() => parse('FROM x\nRUN <<EOF\na\nEOF \n'), /unterminated heredoc/);
    // without '-', a tab-indented terminator is content
    assert.throws(() => parse('FROM x\nRUN <<EOF\na\n\tEOF\n'), /unterminated heredoc/);
  });

  test("quoted delimiters 'EOF', \"EOF\" and E\"O\"F turn expansion off", () => {
    for (const w of ["'EOF'", '"EOF"', 'E"O"F', "-'EOF'"]) {
      const h = parse(`FROM x\nRUN <<${w}\n$A\nEOF\n`).instructions[1]?.heredocs[0];
      assert.deepEqual([h?.name, h?.expand, h?.content], ['EOF', false, '$A\n'], w);
    }
    assert.equal(parse('FROM x\nRUN <<EOF\n$A\nEOF\n').instructions[1]?.heredocs[0]?.expand, true);
  });

  test('several heredocs on one line are read in order', () => {
    const src = 'FROM x\nCOPY <<a.sh <<b.sh /dst/\none\na.sh\ntwo\nb.sh\nRUN z\n';
    const df = parse(src);
    const copy = ins(df, 1);
    assert.deepEqual(copy.args, ['<<a.sh', '<<b.sh', '/dst/']);
    assert.deepEqual(
      copy.heredocs.map((h) => [h.name, h.content, h.contentOffset, ...lc(h.range)]),
      [
        ['a.sh', 'one\n', src.indexOf('one'), 3, 1, 4, 5],
        ['b.sh', 'two\n', src.indexOf('two'), 5, 1, 6, 5],
      ],
    );
    assert.deepEqual(lc(copy.range), [2, 1, 6, 5]);
  });

  test('a file descriptor prefix: 3<<EOF', () => {
    const h = parse('FROM x\nRUN 3<<EOF cat /dev/fd/3\nhi\nEOF').instructions[1]?.heredocs[0];
    assert.deepEqual([h?.name, h?.fileDescriptor, h?.content], ['EOF', 3, 'hi\n']);
  });

  test('heredocs on ADD, with flags, and after a continuation', () => {
    const df = parse('FROM x\nADD --chmod=755 <<EOF \\\n  /usr/bin/run\n#!/bin/sh\nEOF\n');
    const add = ins(df, 1);
    assert.deepEqual(add.args, ['<<EOF', '/usr/bin/run']);
    assert.deepEqual(add.heredocs[0]?.content, '#!/bin/sh\n');
    assert.deepEqual(lc(add.range), [2, 1, 5, 4]);
  });

  test('an unterminated heredoc is an error at its <<', () => {
    const e = parseError('FROM x\nRUN  cat <<EOF\necho\n', 2, 10, /^unterminated heredoc/);
    assert.match(e.hint ?? '', /EOF/);
    parseError('FROM x\nCOPY <<A <<B /d\na\nA\n', 2, 10, /"B"/);
  });

  test('the JSON form never has heredocs', () => {
    const df = parse('FROM x\nRUN ["cat", "<<EOF"]\nRUN y\n');
    assert.deepEqual(ins(df, 1).heredocs, []);
    assert.deepEqual(ins(df, 2).args, ['y']);
  });

  test('only RUN, COPY and ADD have heredocs', () => {
    parseError('FROM x\nCMD <<EOF\nEOF\n', 3, 1, /^unknown instruction: EOF$/);
  });

  test('what is not a heredoc (BuildKit matches whole words against ^\\d*<<-?[^<]*$)', () => {
    for (const line of ['RUN cat<<EOF', 'RUN cat << EOF', "RUN '<<EOF'", 'RUN echo <<EOF it\'s', 'RUN x <<<EOF']) {
      const df = parse(`FROM x\n${line}\n`);
      assert.deepEqual(ins(df, 1).heredocs, [], line);
      assert.equal(df.instructions.length, 2, line);
    }
  });

  test('ONBUILD RUN <<EOF', () => {
    const df = parse('FROM x\nONBUILD RUN <<EOF\necho hi\nEOF\n');
    const ob = ins(df, 1);
    assert.deepEqual(ob.heredocs, []);
    assert.equal(ob.trigger?.keyword, 'run');
    assert.deepEqual(
      ob.trigger?.heredocs.map((h) => [h.name, h.content]),
      [['EOF', 'echo hi\n']],
    );
    assert.deepEqual(lc(ob.range), [2, 1, 4, 4]);
    assert.deepEqual(lc(ob.trigger?.range), [2, 9, 4, 4]);
    assert.equal(dumpBuildkit(df), '(from "x")\n(onbuild (run "<<EOF"))\n');
  });

  test('CRLF: the content keeps its line endings, as BuildKit does', () => {
    const src = 'FROM x\r\nRUN <<EOF\r\necho a\r\nEOF\r\nRUN b\r\n';
    const df = parse(src);
    const h = ins(df, 1).heredocs[0];
    assert.equal(h?.content, 'echo a\r\n');
    assert.equal(src.slice(h?.contentOffset, (h?.contentOffset ?? 0) + (h?.content.length ?? 0)), h?.content);
    assert.deepEqual(lc(h?.range), [3, 1, 4, 4]);
    assert.deepEqual(ins(df, 2).args, ['b']);
  });
});

describe('JSON (exec) and shell form', () => {
  const cases: [string, string[], boolean][] = [
    ['CMD ["a", "b c"]', ['a', 'b c'], true],
    ['CMD [ "a" ]  ', ['a'], true],
    ['CMD []', [], true],
    ['ENTRYPOINT ["/bin/sh", "-c"]', ['/bin/sh', '-c'], true],
    ["CMD ['sh','-c','true']", ["['sh','-c','true']"], false],
    ['CMD ["sh", "-c"', ['["sh", "-c"'], false],
    ['CMD ["sh", "-c]', ['["sh", "-c]'], false],
    ['CMD \'["sh", "-c"]\'', ['\'["sh", "-c"]\''], false],
    ['CMD "[\\"echo\\"]"', ['"[\\"echo\\"]"'], false],
    // Go's json.Unmarshal reads the whole text: trailing words make it shell form
    ['CMD ["a"] b', ['["a"] b'], false],
    ['RUN [ -f /x ] && echo y', ['[ -f /x ] && echo y'], false],
    ['COPY ["a b", "/c"]', ['a b', '/c'], true],
    ['COPY [a, b] /c', ['[a,', 'b]', '/c'], false],
    ['VOLUME ["/a", "/b"]', ['/a', '/b'], true],
    ['SHELL ["pwsh", "-c"]', ['pwsh', '-c'], true],
    ['HEALTHCHECK CMD ["curl", "x"]', ['CMD', 'curl', 'x'], true],
    ['HEALTHCHECK --interval=5s CMD curl x', ['CMD', 'curl x'], false],
  ];
  for (const [line, args, json] of cases) {
    test(line, () => {
      const i = ins(parse(`FROM x\n${line}`), 1);
      assert.deepEqual([i.args, i.json], [args, json]);
    });
  }

  test('a JSON array that is not all strings is an error at the arguments', () => {
    parseError('FROM x\nRUN  [ "sh", [ "-c" ] ]', 2, 6, /arrays must be comprised of strings only/);
    parseError('FROM x\nRUN [1]', 2, 5, /strings only/);
    // ... but only when it is JSON at all
    assert.deepEqual(ins(parse('FROM x\nCMD [1] x'), 1).args, ['[1] x']);
  });
});

describe('flags', () => {
  test('FROM --platform with ranges', () => {
    const src = 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n';
    const from = ins(parse(src), 0);
    assert.deepEqual(from.args, ['golang:1.22', 'AS', 'build']);
    const f = from.flags[0];
    assert.ok(f);
    assert.deepEqual(
      [f.name, f.value, f.raw, ...lc(f.range), ...lc(f.valueRange)],
      ['platform', '$BUILDPLATFORM', '--platform=$BUILDPLATFORM', 1, 6, 1, 31, 1, 17, 1, 31],
    );
    assert.deepEqual(lc(from.bodyRange), [1, 32, 1, 52]);
  });

  test('COPY --from --chmod --link (boolean)', () => {
    const df = parse('FROM x\nCOPY --from=build --chmod=755 --link /a /b\n');
    assert.deepEqual(
      ins(df, 1).flags.map((f) => [f.name, f.value, ...lc(f.range)]),
      [
        ['from', 'build', 2, 6, 2, 18],
        ['chmod', '755', 2, 19, 2, 30],
        ['link', null, 2, 31, 2, 37],
      ],
    );
    assert.equal(ins(df, 1).flags[2]?.valueRange, null);
    assert.deepEqual(ins(df, 1).args, ['/a', '/b']);
    assert.equal(dumpBuildkit(df).split('\n')[1], '(copy ["--from=build" "--chmod=755" "--link"] "/a" "/b")');
  });

  test('RUN --mount, --network, and `--link=false`', () => {
    const run = ins(parse('FROM x\nRUN --mount=type=cache,target=/root/.cache --network=none go build\n'), 1);
    assert.deepEqual(
      run.flags.map((f) => [f.name, f.value]),
      [
        ['mount', 'type=cache,target=/root/.cache'],
        ['network', 'none'],
      ],
    );
    assert.deepEqual(run.args, ['go build']);
    assert.deepEqual(lc(run.flags[0]?.valueRange), [2, 13, 2, 43]);
    assert.deepEqual(ins(parse('FROM x\nCOPY --link=false a b'), 1).flags[0]?.value, 'false');
  });

  test('quoted flag values: quotes removed from the value, kept in raw and valueRange', () => {
    const df = parse('FROM x\nCOPY --chown="app user" --chmod=\'7 5\' a b\n');
    const [chown, chmod] = ins(df, 1).flags;
    assert.deepEqual(
      [chown?.name, chown?.value, chown?.raw, ...lc(chown?.valueRange)],
      ['chown', 'app user', '--chown="app user"', 2, 14, 2, 24],
    );
    assert.deepEqual([chmod?.value, chmod?.raw], ['7 5', "--chmod='7 5'"]);
    assert.equal(dumpBuildkit(df).split('\n')[1], '(copy ["--chown=app user" "--chmod=7 5"] "a" "b")');
  });

  test('`--` ends the flags; a word not starting with -- too', () => {
    const df = parse('FROM x\nCOPY --a=1 -- --b=2 c\nRUN -x --y\nCMD --dry -- [ ]\n');
    assert.deepEqual(
      [ins(df, 1).flags.map((f) => f.name), ins(df, 1).args],
      [['a'], ['--b=2', 'c']],
    );
    assert.deepEqual([ins(df, 2).flags, ins(df, 2).args], [[], ['-x --y']]);
    assert.deepEqual([ins(df, 3).flags.map((f) => f.name), ins(df, 3).args, ins(df, 3).json], [['dry'], [], true]);
  });

  test('a flag on a continuation line keeps its own position', () => {
    const df = parse('FROM x\nRUN --network=none \\\n    --mount=type=secret,id=a \\\n    make\n');
    const m = ins(df, 1).flags[1];
    assert.deepEqual([m?.name, ...lc(m?.range), ...lc(m?.valueRange)], ['mount', 3, 5, 3, 29, 3, 13, 3, 29]);
    assert.deepEqual(ins(df, 1).args, ['make']);
  });
});

describe('ONBUILD', () => {
  test('the trigger is an instruction of its own, with flags and positions', () => {
    const df = parse('FROM x\nONBUILD  COPY --from=b a /c\nonbuild run echo hi\n');
    const t = ins(df, 1).trigger;
    assert.ok(t);
    assert.deepEqual([t.keyword, t.args, t.flags.map((f) => f.name)], ['copy', ['a', '/c'], ['from']]);
    assert.deepEqual(lc(t.keywordRange), [2, 10, 2, 14]);
    assert.deepEqual(lc(t.flags[0]?.range), [2, 15, 2, 23]);
    assert.deepEqual(ins(df, 1).args, []);
    assert.equal(ins(df, 2).trigger?.args[0], 'echo hi');
    assert.equal(dumpBuildkit(df), '(from "x")\n(onbuild (copy ["--from=b"] "a" "/c"))\n(onbuild (run "echo hi"))\n');
  });

  test('ONBUILD errors', () => {
    parseError('FROM x\nONBUILD', 2, 1, /ONBUILD requires at least one argument/);
    parseError('FROM x\nONBUILD ONBUILD RUN x', 2, 9, /^Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed$/);
    parseError('FROM x\nONBUILD FROM y', 2, 9, /FROM isn't allowed/);
    parseError('FROM x\nONBUILD  NOPE y', 2, 10, /^unknown instruction: NOPE$/);
  });
});

describe('keywords', () => {
  test('case-insensitive, ranges as written', () => {
    const df = parse('from alpine\n  Run echo\ncOpY a b\n');
    assert.deepEqual(
      df.instructions.map((i) => [i.keyword, ...lc(i.keywordRange)]),
      [
        ['from', 1, 1, 1, 5],
        ['run', 2, 3, 2, 6],
        ['copy', 3, 1, 3, 5],
      ],
    );
    assert.equal(dumpBuildkit(df), '(from "alpine")\n(run "echo")\n(copy "a" "b")\n');
  });

  test('an unknown instruction is an error at its keyword', () => {
    const e = parseError('FROM a\n\n  FOO bar', 3, 3, /^unknown instruction: FOO$/);
    assert.equal(e.describe(), 'Dockerfile:3:3: unknown instruction: FOO');
  });

  test('the keyword ends at ASCII whitespace only', () => {
    parseError('FROM a\nRUN\u00a0echo', 2, 1, /unknown instruction/);
  });

  test('argument checks of BuildKit\'s instruction layer', () => {
    parseError('FROM a b', 1, 1, /FROM requires either one or three arguments/);
    parseError('FROM a\nCOPY a', 2, 1, /COPY requires at least two arguments/);
    parseError('FROM a\nCOPY <<EOF\nx\nEOF\n', 2, 1, /COPY requires at least two arguments/);
    parseError('FROM a\nADD x <<EOF\nx\nEOF\n', 2, 1, /^ADD cannot accept a heredoc as a destination$/);
    parseError('FROM a\nARG', 2, 1, /ARG requires at least one argument/);
    parseError('FROM a\nARG =1', 2, 1, /ARG names can not be blank/);
    parseError('FROM a\nENV =1', 2, 1, /ENV names can not be blank/);
    parseError('FROM a\n  WORKDIR', 2, 3, /^WORKDIR requires exactly one argument$/);
    parseError('FROM a\nVOLUME []', 2, 1, /VOLUME requires at least one argument/);
    parseError('FROM a\nVOLUME ["/a", " "]', 2, 1, /VOLUME specified can not be an empty string/);
    parseError('FROM a\nSHELL []', 2, 1, /SHELL requires at least one argument/);
    parseError('FROM a\nSHELL /bin/bash -c', 2, 1, /SHELL requires the arguments to be in JSON form/);
    // accepted by BuildKit: empty RUN, CMD, ENTRYPOINT; HEALTHCHECK is left to later checks
    const df = parse('FROM a\nRUN\nCMD\nENTRYPOINT\nENTRYPOINT []\nHEALTHCHECK\nHEALTHCHECK CMD');
    assert.deepEqual(
      df.instructions.map((i) => [i.keyword, i.args, i.json]),
      [
        ['from', ['a'], false],
        ['run', [], false],
        ['cmd', [], false],
        ['entrypoint', [], false],
        ['entrypoint', [], true],
        ['healthcheck', [], false],
        ['healthcheck', ['CMD'], false],
      ],
    );
  });
});

describe('empty files', () => {
  for (const [name, src] of [
    ['empty', ''],
    ['blank lines', '\n  \n\t\n'],
    ['only comments', '# a\n# b\n'],
    ['only directives', '# syntax=x\n'],
  ] as const) {
    test(name, () => {
      parseError(src, 1, 1, /^the Dockerfile has no instructions$/);
    });
  }
});

describe('line endings and BOM', () => {
  test('CRLF: positions exclude \\r, continuations work', () => {
    const src = 'FROM a\r\nRUN echo \\\r\n  hi\r\nENV A=1\r\n';
    const df = parse(src);
    assert.equal(df.source, src);
    assert.deepEqual(ins(df, 1).args, ['echo   hi']);
    assert.deepEqual(lc(ins(df, 1).range), [2, 1, 3, 5]);
    assert.deepEqual(lc(ins(df, 1).bodyRange), [2, 5, 3, 5]);
    assert.deepEqual(ins(df, 2).args, ['A', '1', '=']);
    assert.deepEqual(lc(ins(df, 2).range), [4, 1, 4, 8]);
    const body = ins(df, 1).body;
    const at = toSourceOffset(body, body.text.indexOf('hi'));
    assert.equal(at, src.indexOf('hi'));
    assert.deepEqual(positionAt(df.lineStarts, at), { line: 3, column: 3, offset: at });
  });

  test('CR-only line breaks are not line breaks (as in BuildKit)', () => {
    // ... but '\r' is whitespace, as in BuildKit's `[\t\v\f\r ]+`
    assert.deepEqual(parse('FROM a\rAS b').instructions[0]?.args, ['a', 'AS', 'b']);
  });

  test('a UTF-8 BOM is dropped; positions refer to the text after it', () => {
    const df = parse('\ufeff# escape=`\nFROM a `\n  AS b\n');
    assert.equal(df.source, '# escape=`\nFROM a `\n  AS b\n');
    assert.equal(df.escape, '`');
    assert.deepEqual(lc(df.directives[0]?.range), [1, 1, 1, 11]);
    assert.deepEqual(ins(df, 0).args, ['a', 'AS', 'b']);
    assert.deepEqual(lc(ins(parse('\ufeffFROM a'), 0).keywordRange), [1, 1, 1, 5]);
  });

  test('columns count UTF-16 units', () => {
    const src = 'FROM a\nRUN echo "😀é" amd64\n';
    const df = parse(src);
    const body = ins(df, 1).body;
    const at = toSourceOffset(body, body.text.indexOf('amd64'));
    assert.deepEqual(positionAt(df.lineStarts, at), { line: 2, column: 16, offset: src.indexOf('amd64') });
  });
});

describe('ENV, LABEL and ARG', () => {
  const cases: [string, string[]][] = [
    ['ENV A 1 2', ['A', '1 2', '']],
    ['ENV A\t  x  y', ['A', 'x  y', '']],
    ['ENV A=1 B="x y" C=', ['A', '1', '=', 'B', '"x y"', '=', 'C', '', '=']],
    ['ENV A=x\\ y', ['A', 'x\\ y', '=']],
    ['LABEL org.opencontainers.image.title="a b" version=1', ['org.opencontainers.image.title', '"a b"', '=', 'version', '1', '=']],
    ['LABEL maintainer Me <me@x>', ['maintainer', 'Me <me@x>', '']],
    ['ARG A', ['A']],
    ['ARG TARGETARCH B=2 C="x y"', ['TARGETARCH', 'B=2', 'C="x y"']],
  ];
  for (const [line, args] of cases) {
    test(line, () => {
      assert.deepEqual(ins(parse(`FROM x\n${line}`), 1).args, args);
    });
  }

  test('errors', () => {
    parseError('FROM x\nENV  A=1 B', 2, 6, /can't find = in "B"/);
    parseError('FROM x\nLABEL a', 2, 7, /^LABEL must have two arguments$/);
    parseError('FROM x\nENV', 2, 4, /ENV requires at least one argument/);
  });
});

describe('body SourceText', () => {
  test('a RUN across 3 continuation lines maps back to the source', () => {
    const src = 'FROM debian\nRUN curl -fsSL \\\n      https://example.com/tool \\\n      -o tool-linux-amd64.tar.gz\n';
    const df = parse(src);
    const run = ins(df, 1);
    assert.equal(run.body.text, 'curl -fsSL       https://example.com/tool       -o tool-linux-amd64.tar.gz');
    assert.deepEqual(run.args, [run.body.text]);
    const at = toSourceOffset(run.body, run.body.text.indexOf('amd64'));
    assert.equal(at, src.indexOf('amd64'));
    assert.deepEqual(positionAt(df.lineStarts, at), { line: 4, column: 21, offset: at });
    assert.deepEqual(lc(run.bodyRange), [2, 5, 4, 33]);
    assert.deepEqual(lc(run.range), [2, 1, 4, 33]);
    // a range across the join
    const from = run.body.text.indexOf('fsSL');
    const [s, e] = toSourceRange(run.body, from, run.body.text.indexOf('https') + 5);
    assert.deepEqual([positionAt(df.lineStarts, s).line, positionAt(df.lineStarts, e).line], [2, 3]);
    assert.equal(src.slice(s, e), 'fsSL \\\n      https');
    // a slice keeps its own map
    const word = sliceSourceText(run.body, run.body.text.indexOf('tool-'), run.body.text.length);
    assert.equal(word.text, 'tool-linux-amd64.tar.gz');
    assert.equal(toSourceOffset(word, 0), src.indexOf('tool-'));
  });

  test('dropped comment and empty lines are skipped by the map', () => {
    const src = 'FROM x\nRUN a \\\n# note\n\n  arm64\n';
    const run = ins(parse(src), 1);
    assert.equal(run.body.text, 'a   arm64');
    assert.equal(toSourceOffset(run.body, run.body.text.indexOf('arm64')), src.indexOf('arm64'));
  });

  test('flag value positions across a join', () => {
    const src = 'FROM x\nCOPY --from=build \\\n  --platform=linux/amd64 a b\n';
    const f = ins(parse(src), 1).flags[1];
    assert.equal(f?.valueRange?.start.offset, src.indexOf('linux/amd64'));
    assert.deepEqual(lc(f?.valueRange), [3, 14, 3, 25]);
  });
});

describe('dump', () => {
  test("Go's strconv.Quote", () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\x07\b\f\n\r\t\v\x00\x7f'), '"\\a\\b\\f\\n\\r\\t\\v\\x00\\x7f"');
    assert.equal(goQuote('♥ é 😀'), '"♥ é 😀"');
    assert.equal(goQuote('\u00a0\u0085\u200b'), '"\\u00a0\\u0085\\u200b"');
    assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  });

  test('toJSON', () => {
    const j = toJSON(parse('# syntax=x\nFROM --platform=$P a\nRUN <<EOF\nhi\nEOF\nRUN a \\\n\n b\n'));
    assert.deepEqual(j.directives, [{ name: 'syntax', value: 'x', line: 1 }]);
    assert.deepEqual(j.instructions[0]?.flags, ['--platform=$P']);
    assert.deepEqual([j.instructions[1]?.startLine, j.instructions[1]?.endLine], [3, 5]);
    assert.deepEqual(j.instructions[1]?.heredocs, [
      { name: 'EOF', chomp: false, expand: true, fileDescriptor: null, content: 'hi\n' },
    ]);
    assert.deepEqual(
      j.warnings.map((w) => [w.code, w.line]),
      [['empty-continuation', 7]],
    );
  });
});

test('linear time on a large file', () => {
  const block = 'RUN apt-get update && \\\n    apt-get install -y curl && \\\n    curl -o x https://e.com/amd64 # c\n';
  const src = `FROM x\n${block.repeat(20000)}`;
  const t0 = performance.now();
  const df = parse(src);
  const ms = performance.now() - t0;
  assert.equal(df.instructions.length, 20001);
  assert.ok(ms < 3000, `took ${ms} ms`);
});
