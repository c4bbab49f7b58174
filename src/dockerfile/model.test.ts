import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlatform } from '../platform/index.js';
import { buildModel } from './model.js';
import { parseDockerfile } from './parser.js';

const amd64 = parsePlatform('linux/amd64');
const arm64 = parsePlatform('linux/arm64');
const armv7 = parsePlatform('linux/arm/v7');

function model(src: string) {
  return buildModel(parseDockerfile(src));
}

describe('stages', () => {
  const m = model(`ARG GO=1.22
FROM --platform=$BUILDPLATFORM golang:\${GO} AS Build
RUN go build
FROM alpine AS unused
FROM scratch
COPY --from=build /app /app
`);
  test('names are lower-cased, indexes kept, platform flag read', () => {
    assert.deepEqual(m.stages.map((s) => [s.index, s.name]), [[0, 'build'], [1, 'unused'], [2, null]]);
    assert.equal(m.stages[0]?.platform?.value, '$BUILDPLATFORM');
    assert.equal(m.stages[0]?.onBuildPlatform, true);
    assert.equal(m.stageByName('BUILD'), m.stages[0]);
  });
  test('final stage and reachability through COPY --from', () => {
    assert.deepEqual(m.stages.map((s) => [s.final, s.reachable]), [[false, true], [false, false], [true, true]]);
  });
  test('base image expanded with global ARGs per platform', () => {
    assert.equal(m.view(m.stages[0]!, amd64).image, 'golang:1.22');
    assert.equal(m.stages[0]?.image.value, 'golang:${GO}');
    assert.equal(m.stages[0]?.image.range.start.column, 32);
  });
  test('stage name range', () => {
    assert.deepEqual([m.stages[0]?.nameRange?.start.line, m.stages[0]?.nameRange?.start.column], [2, 48]);
  });
});

describe('ARG and ENV scope (BuildKit semantics)', () => {
  const m = model(`ARG VERSION=3.20
ARG TARGETARCH
FROM alpine:\${VERSION}-\${TARGETARCH} AS base
RUN echo 1
ARG VERSION
ARG TARGETARCH
ENV A=$TARGETARCH B="\${VERSION}-x"
ARG PINNED=fixed TARGETVARIANT
RUN echo 2
FROM base AS child
RUN echo 3
`);
  const base = m.stages[0]!;
  const child = m.stages[1]!;
  test('global ARGs are visible in FROM only', () => {
    assert.equal(m.view(base, arm64).image, 'alpine:3.20-arm64');
    assert.equal(m.view(base, amd64).scopes[0]?.get('VERSION'), undefined);
    assert.equal(m.view(base, amd64).scopes[0]?.get('TARGETARCH'), undefined);
  });
  test('redeclared ARGs take the global value, platform ARGs the automatic one', () => {
    const s = m.view(base, arm64).scopes[4]!;
    assert.equal(s.get('VERSION')?.value, '3.20');
    assert.equal(s.get('TARGETARCH')?.value, 'arm64');
    assert.equal(s.get('TARGETARCH')?.automatic, true);
    assert.equal(s.get('A')?.value, 'arm64');
    assert.equal(s.get('B')?.value, '3.20-x');
    assert.equal(s.get('B')?.kind, 'env');
  });
  test('TARGETVARIANT per platform', () => {
    assert.equal(m.view(base, armv7).end.get('TARGETVARIANT')?.value, 'v7');
    assert.equal(m.view(base, arm64).end.get('TARGETVARIANT')?.value, '');
  });
  test('a stage FROM another stage inherits its ARGs and ENV', () => {
    const s = m.view(child, arm64).scopes[0]!;
    assert.equal(s.get('TARGETARCH')?.value, 'arm64');
    assert.equal(s.get('A')?.value, 'arm64');
    assert.equal(s.get('PINNED')?.value, 'fixed');
    assert.equal(child.parent, base);
  });
  test('a default on a platform ARG wins over the automatic value', () => {
    const m2 = model('FROM alpine\nARG TARGETARCH=amd64\nRUN x\n');
    const b = m2.view(m2.stages[0]!, arm64).scopes[1]?.get('TARGETARCH');
    assert.equal(b?.value, 'amd64');
    assert.equal(b?.automatic, false);
  });
  test('the build platform is its own', () => {
    const m2 = model('FROM alpine\nARG BUILDARCH TARGETARCH\nRUN x\n');
    const s = m2.view(m2.stages[0]!, arm64, amd64).scopes[1]!;
    assert.deepEqual([s.get('BUILDARCH')?.value, s.get('TARGETARCH')?.value], ['amd64', 'arm64']);
  });
});

describe('windows stages and shell reading', () => {
  test('windows detection', () => {
    const m = model('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nFROM alpine\nSHELL ["powershell", "-Command"]\nFROM --platform=windows/amd64 x\n');
    assert.deepEqual(m.stages.map((s) => s.windows), [true, true, true]);
  });
  test('RUN shell form and script heredocs are read as shell', () => {
    const m = model('FROM alpine\nRUN a && b\nRUN <<EOF\nc; d\nEOF\nRUN ["e", "f"]\nCOPY <<EOF /x\ng\nEOF\n');
    const ins = m.stages[0]!.instructions;
    assert.deepEqual(m.shell(ins[0]!).map((s) => s.script.commands.map((c) => c.words[0]?.value)), [['a', 'b']]);
    assert.deepEqual(
      m.shell(ins[1]!).map((s) => [s.heredoc, s.script.commands.filter((c) => c.words.length).map((c) => c.words[0]?.value)]),
      [[false, []], [true, ['c', 'd']]],
    );
    assert.deepEqual(m.shell(ins[2]!), []);
    assert.deepEqual(m.shell(ins[3]!), []);
  });
});

describe('deep inputs', () => {
  test('a chain of 20,000 stages built FROM each other: the last stage\'s scope asked first, without recursion', () => {
    let src = 'FROM alpine AS s0\nENV FIRST=1\n';
    for (let i = 1; i <= 20_000; i++) src += `FROM s${i - 1} AS s${i}\n${i % 1000 === 0 ? `ENV AT${i}=${i}\n` : ''}`;
    const m = buildModel(parseDockerfile(src));
    const last = m.stages[m.stages.length - 1]!;
    const end = m.view(last, amd64).end;
    assert.equal(end.get('FIRST')?.value, '1');
    assert.equal(end.get('AT20000')?.value, '20000');
    assert.equal(m.view(m.stages[5000]!, amd64).end.get('AT5000')?.value, '5000');
    assert.equal(m.view(m.stages[5000]!, amd64).end.get('AT6000'), undefined);
  });

  test('scope look-ups across thousands of bindings see the innermost binding of a name, through blocks', () => {
    let src = 'FROM alpine\n';
    for (let i = 0; i < 3000; i++) src += `ENV V${i % 700}=${i}\n`;
    const m = buildModel(parseDockerfile(src));
    const end = m.view(m.stages[0]!, amd64).end;
    for (const k of [0, 299, 699]) assert.equal(end.get(`V${k}`)?.value, String(2800 + k > 2999 ? 2100 + k : 2800 + k));
    assert.equal(end.get('V700'), undefined);
    assert.equal(m.view(m.stages[0]!, amd64).scopes[700]?.get('V0')?.value, '0');
  });
});
