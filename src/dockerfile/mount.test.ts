/** RUN --mount values read as BuildKit reads them: Go's encoding/csv, then key=value fields. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mountPaths, mountSource, parseMount, readCsvRecord } from './mount.js';
import { parseDockerfile } from './parser.js';

describe('readCsvRecord (encoding/csv, default options)', () => {
  test('fields separated by commas, empty fields kept', () => {
    assert.deepEqual(readCsvRecord('a,b,c'), ['a', 'b', 'c']);
    assert.deepEqual(readCsvRecord('a,,b,'), ['a', '', 'b', '']);
    assert.deepEqual(readCsvRecord(' a , b'), [' a ', ' b'], 'no trimming');
  });
  test('a quoted field holds commas and doubled quotes', () => {
    assert.deepEqual(readCsvRecord('"a,b",c'), ['a,b', 'c']);
    assert.deepEqual(readCsvRecord('"say ""hi""",x'), ['say "hi"', 'x']);
    assert.deepEqual(readCsvRecord('""'), ['']);
  });
  test('only the first record; leading empty lines skipped', () => {
    assert.deepEqual(readCsvRecord('a,b\nc,d'), ['a', 'b']);
    assert.deepEqual(readCsvRecord('\n\r\na,b\r\n'), ['a', 'b']);
    assert.deepEqual(readCsvRecord('"a\nb",c'), ['a\nb', 'c'], 'a quoted field spans lines');
  });
  test('what Go refuses', () => {
    assert.equal(readCsvRecord(''), undefined, 'no record');
    assert.equal(readCsvRecord('a"b'), undefined, 'bare quote in an unquoted field');
    assert.equal(readCsvRecord('from="x"'), undefined, 'a quote after the field started');
    assert.equal(readCsvRecord('"a'), undefined, 'quoted field not closed');
    assert.equal(readCsvRecord('"a"b'), undefined, 'text after the closing quote');
  });
});

describe('parseMount', () => {
  test('bind is the default type; from, source, target and their other names', () => {
    assert.deepEqual(parseMount('from=build,source=/out,target=/in'), {
      type: 'bind',
      from: 'build',
      source: '/out',
      target: '/in',
      options: [
        { key: 'from', value: 'build' },
        { key: 'source', value: '/out' },
        { key: 'target', value: '/in' },
      ],
    });
    const m = parseMount('type=cache,src=/a,dst=/b');
    assert.deepEqual([m?.type, m?.source, m?.target], ['cache', '/a', '/b']);
    assert.equal(parseMount('destination=/c')?.target, '/c');
  });
  test('keys are case-insensitive, values are kept as written, the type is lower-cased', () => {
    const m = parseMount('Type=Cache,FROM=Builder,Target=/X');
    assert.deepEqual([m?.type, m?.from, m?.target], ['cache', 'Builder', '/X']);
  });
  test('a quoted field is one field: its commas do not split it', () => {
    const m = parseMount('type=bind,"from=builder",target=/x');
    assert.equal(m?.from, 'builder');
    const c = parseMount('type=cache,from=x,"target=/a,b"');
    assert.deepEqual([c?.from, c?.target], ['x', '/a,b']);
    const inside = parseMount('type=cache,"target=/cache,from=builder"');
    assert.deepEqual([inside?.from, inside?.target], [null, '/cache,from=builder']);
  });
  test('the value splits at the first =', () => {
    assert.equal(parseMount('type=secret,id=a=b')?.options[1]?.value, 'a=b');
  });
  test('a later field wins', () => {
    assert.equal(parseMount('from=a,from=b')?.from, 'b');
  });
  test('bare words: only the ones BuildKit accepts', () => {
    assert.deepEqual(parseMount('type=bind,from=x,target=/x,ro')?.options.at(-1), { key: 'ro', value: null });
    assert.ok(parseMount('type=secret,id=x,required'));
    assert.equal(parseMount('type=bind,from=x,target=/a,b'), undefined);
    assert.equal(parseMount('type=bind,'), undefined, 'an empty field');
  });
  test('unknown keys are kept (newer BuildKit adds some)', () => {
    assert.deepEqual(parseMount('type=secret,id=tok,env=TOKEN')?.options.at(-1), { key: 'env', value: 'TOKEN' });
  });
  test('unreadable CSV', () => {
    assert.equal(parseMount('type=bind,from="x"'), undefined);
  });
  test('the stage or image a mount reads', () => {
    const src = (v: string): string | null => mountSource(parseMount(v) ?? assert.fail(v));
    assert.equal(src('type=bind,from=build,target=/x'), 'build');
    assert.equal(src('type=cache,from=build,target=/x'), 'build');
    assert.equal(src('type=cache,target=/x'), null);
    assert.equal(src('type=tmpfs,from=build,target=/x'), 'build', 'BuildKit depends on from= of every mount type');
  });
  test('the paths a mount reads from its from=', () => {
    const paths = (v: string): readonly string[] => mountPaths(parseMount(v) ?? assert.fail(v));
    assert.deepEqual(paths('type=bind,from=build,target=/x'), ['/']);
    assert.deepEqual(paths('type=cache,from=build,source=/out,target=/x'), ['/out']);
    assert.deepEqual(paths('type=tmpfs,from=build,source=/out,target=/x'), [], 'a tmpfs starts empty');
  });
});

describe('mount flags in a Dockerfile: two layers of quoting', () => {
  const flagValue = (line: string): string | null => {
    const df = parseDockerfile(`FROM a AS builder\n${line}\n`);
    return df.instructions[1]?.flags[0]?.value ?? null;
  };
  test('the parser removes quotes from the flag word, as BuildKit does', () => {
    const v = flagValue('RUN --mount=type=bind,"from=builder",target=/x true');
    assert.equal(v, 'type=bind,from=builder,target=/x');
    assert.equal(parseMount(v as string)?.from, 'builder');
  });
  test('so a quoted target in the flag word reaches the CSV unquoted, and BuildKit refuses it', () => {
    const v = flagValue('RUN --mount=type=cache,from=x,target="/a,b" true');
    assert.equal(v, 'type=cache,from=x,target=/a,b');
    assert.equal(parseMount(v as string), undefined);
  });
  test('quotes that reach the CSV: inside single quotes, or escaped', () => {
    const single = flagValue(`RUN --mount='type=cache,from=x,"target=/a,b"' true`);
    assert.deepEqual([parseMount(single as string)?.from, parseMount(single as string)?.target], ['x', '/a,b']);
    const escaped = flagValue('RUN --mount=type=bind,\\"from=builder\\",target=/x true');
    assert.equal(escaped, 'type=bind,"from=builder",target=/x');
    assert.equal(parseMount(escaped as string)?.from, 'builder');
  });
});
