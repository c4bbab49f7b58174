import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from './model.js';
import { parseDockerfile } from './parser.js';
import { isShellScript, normalizePath, scriptRuns } from './scripts.js';

const runs = (src: string): [number, string[]][] => {
  const m = buildModel(parseDockerfile(src, 'Dockerfile'));
  return scriptRuns(m.stages, src).map((r) => [r.index, [...r.candidates]]);
};

describe('scriptRuns', () => {
  it('a file copied into a directory, run by path or by a shell', () => {
    assert.deepEqual(runs('FROM alpine\nCOPY install.sh /tmp/\nRUN /tmp/install.sh\nRUN sh -eux /tmp/install.sh\nRUN bash -c /tmp/install.sh\n').map(([i, c]) => [i, c[0]]), [
      [1, 'install.sh'],
      [2, 'install.sh'],
      [3, 'install.sh'],
    ]);
  });

  it('a file copied to a new name, `.`/`source`, exec form', () => {
    assert.deepEqual(runs('FROM alpine\nCOPY scripts/setup.sh /usr/local/bin/setup\nRUN . /usr/local/bin/setup\nRUN ["/usr/local/bin/setup"]\n'), [
      [1, ['scripts/setup.sh']],
      [2, ['scripts/setup.sh']],
    ]);
  });

  it('the whole context copied to WORKDIR, relative paths against WORKDIR', () => {
    assert.deepEqual(runs('FROM alpine\nWORKDIR /app\nCOPY . .\nWORKDIR /app/ci\nRUN ./build.sh && ../tools/x.sh\n'), [
      [3, ['ci/build.sh']],
      [3, ['tools/x.sh']],
    ]);
  });

  it('a directory copied and a glob', () => {
    assert.deepEqual(runs('FROM alpine\nCOPY scripts/ /opt/s/\nCOPY hooks/*.sh /hooks/\nRUN /opt/s/a.sh && sh /hooks/b.sh\n'), [
      [2, ['scripts/a.sh']],
      [2, ['hooks/b.sh']],
    ]);
  });

  it('a bind mount of the context', () => {
    assert.deepEqual(runs('FROM alpine\nRUN --mount=type=bind,source=build.sh,target=/b.sh sh /b.sh\nWORKDIR /src\nRUN --mount=type=bind,target=. ./hack/build\n'), [
      [0, ['build.sh']],
      [2, ['hack/build']],
    ]);
  });

  it('inherits placements from the parent stage', () => {
    assert.deepEqual(runs('FROM alpine AS base\nCOPY x.sh /x.sh\nFROM base\nRUN /x.sh\n'), [[0, ['x.sh']]]);
  });

  it('nothing from other stages, URLs, variables, programs on PATH, or without COPY', () => {
    assert.deepEqual(runs('FROM alpine\nCOPY --from=build /out/x.sh /x.sh\nADD https://example.com/i.sh /i.sh\nRUN /x.sh && /i.sh && $SCRIPT && apk add curl\n'), []);
    assert.deepEqual(runs('FROM alpine\nRUN ./build.sh\n'), []);
  });

  it('never leaves the context', () => {
    assert.deepEqual(runs('FROM alpine\nCOPY ../x.sh /x.sh\nRUN /x.sh\n'), []);
  });
});

describe('normalizePath and isShellScript', () => {
  it('normalizes', () => {
    assert.equal(normalizePath('/a/./b/../c/'), '/a/c');
    assert.equal(normalizePath('a/../..'), undefined);
    assert.equal(normalizePath('/..'), '/');
  });
  it('tells shell scripts from other interpreters and binaries', () => {
    assert.ok(isShellScript('#!/bin/sh\necho\n'));
    assert.ok(isShellScript('echo no shebang\n'));
    assert.ok(!isShellScript('#!/usr/bin/env python3\nprint()\n'));
    assert.ok(!isShellScript('\u007fELF\u0000\u0000'));
  });
});
