import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildModel, type Stage } from '../../dockerfile/model.js';
import { parseDockerfile } from '../../dockerfile/parser.js';
import { parsePlatform } from '../../platform/index.js';
import { UNKNOWN, archWordValue, downloadUses, originOf, traceRunWord } from './value-flow.js';

const AMD64 = parsePlatform('linux/amd64');

/** Traces the word `word` of the last RUN of the last stage. */
function trace(src: string, word: string) {
  const model = buildModel(parseDockerfile(src));
  const stage = model.stages[model.stages.length - 1] as Stage;
  const index = stage.instructions.map((i) => i.keyword).lastIndexOf('run');
  const source = model.shell(stage.instructions[index]!)[0]!;
  for (const cmd of source.script.commands) {
    for (const w of cmd.words) {
      const raw = source.text.text.slice(w.start, w.end);
      if (raw === word) return { model, traced: traceRunWord(model, stage, index, source, cmd, raw, w.start, AMD64) };
    }
  }
  throw new Error(`no word ${word}`);
}

describe('value flow', () => {
  test('ENV through ENV to a RUN word, with the origin of each character', () => {
    const src = 'FROM alpine\nENV ARCH=linux-amd64\nENV URL=https://x.example/t-${ARCH}.tgz\nRUN curl $URL\n';
    const { model, traced } = trace(src, '$URL');
    assert.equal(traced.text, 'https://x.example/t-linux-amd64.tgz');
    const at = traced.text.indexOf('amd64');
    const o = originOf(traced, at, at + 5);
    assert.equal(o?.origin.kind, 'env');
    assert.equal(o?.origin.name, 'ARCH');
    assert.equal(model.file.source.slice(o?.offset, (o?.offset ?? 0) + 5), 'amd64');
    // the URL's own characters come from ENV URL
    assert.equal(originOf(traced, 0, 5)?.origin.name, 'URL');
  });

  test('shell assignments: the last one before the use wins; a later one does not count', () => {
    const { traced } = trace('FROM alpine\nRUN A=one; A=two; echo $A; A=three\n', '$A');
    assert.equal(traced.text, 'two');
  });

  test('a shell variable shadows ENV; ${A:-d} falls back to the default when unset', () => {
    assert.equal(trace('FROM alpine\nENV A=env\nRUN A=sh; echo $A\n', '$A').traced.text, 'sh');
    assert.equal(trace('FROM alpine\nRUN echo ${NOPE:-fallback}\n', '${NOPE:-fallback}').traced.text, 'fallback');
  });

  test('what cannot be known is marked: platform ARGs, command substitutions, mappings, read', () => {
    assert.equal(trace('FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n', '$TARGETARCH').traced.text, UNKNOWN);
    assert.equal(trace('FROM alpine\nRUN A=$(uname -m); echo $A\n', '$A').traced.text, UNKNOWN);
    assert.equal(trace('FROM alpine\nRUN case "$(uname -m)" in x86_64) A=amd64 ;; esac; echo $A\n', '$A').traced.text, UNKNOWN);
    assert.equal(trace('FROM alpine\nRUN A=x; read A </f; echo $A\n', '$A').traced.text, UNKNOWN);
    assert.equal(trace('FROM alpine\nRUN for A in a b; do echo $A; done\n', '$A').traced.text, UNKNOWN);
  });

  test('a global ARG reaches a stage only when redeclared', () => {
    assert.equal(trace('ARG V=1\nFROM alpine\nARG V\nRUN echo $V\n', '$V').traced.text, '1');
    assert.equal(trace('ARG V=1\nFROM alpine\nRUN echo $V\n', '$V').traced.text, '');
  });

  test('ENV is inherited by a stage built FROM another', () => {
    assert.equal(trace('FROM alpine AS a\nENV V=from-a\nFROM a\nRUN echo $V\n', '$V').traced.text, 'from-a');
  });

  test('downloadUses: URLs and archive names of fetching commands, not echo/rm', () => {
    const model = buildModel(
      parseDockerfile('FROM alpine\nENV F=t-linux-amd64.tgz\nRUN echo $F; wget https://x.example/$F && tar -xzf $F && rm $F\n'),
    );
    const uses = downloadUses(model, model.stages[0]!, AMD64);
    assert.deepEqual(
      uses.map((u) => [u.use, u.traced.text.slice(u.start, u.end)]),
      [
        ['wget', 'https://x.example/t-linux-amd64.tgz'],
        ['tar', 't-linux-amd64.tgz'],
      ],
    );
  });

  test('archWordValue: a whole value that names one architecture', () => {
    for (const v of ['amd64', 'x86_64', '"aarch64"', 'linux-amd64', 'Linux_x86_64', 'arm64v8']) assert.ok(archWordValue(v), v);
    for (const v of ['go1.22.linux-amd64.tar.gz', 'musl', '${TARGETARCH}', 'linux', '']) assert.equal(archWordValue(v), undefined, v);
  });
});
