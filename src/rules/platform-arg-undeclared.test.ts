import rule from './platform-arg-undeclared.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    'FROM alpine\nARG TARGETARCH\nRUN wget https://example.com/tool-linux-$TARGETARCH\n',
    'FROM --platform=$TARGETPLATFORM alpine\nRUN true\n',
    'ARG TARGETARCH\nFROM alpine:3.20-${TARGETARCH}\nRUN true\n',
    { name: 'inherited from the parent stage', code: 'FROM alpine AS base\nARG TARGETARCH\nFROM base\nRUN echo $TARGETARCH\n' },
    { name: 'ENV of the same name', code: 'FROM alpine\nENV TARGETARCH=amd64\nRUN echo $TARGETARCH\n' },
    { name: 'set by the script itself', code: 'FROM alpine\nRUN TARGETARCH=$(uname -m) && echo $TARGETARCH\n' },
    { name: 'a for loop variable', code: 'FROM alpine\nRUN for TARGETARCH in amd64 arm64; do echo $TARGETARCH; done\n' },
    { name: 'single quotes: the shell never expands', code: "FROM alpine\nRUN echo '$TARGETARCH'\n" },
    { name: 'escaped dollar', code: 'FROM alpine\nRUN echo \\$TARGETARCH\n' },
    'FROM alpine\nARG TARGETOS TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build\n',
    'FROM alpine\nRUN echo $ARCH $MYTARGETARCH ${TARGETARCHIVE}\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nRUN wget https://example.com/tool-linux-$TARGETARCH\n',
      errors: [{ messageId: 'undeclared', line: 2, column: 41, endColumn: 52 }],
      output: 'FROM alpine\nARG TARGETARCH\nRUN wget https://example.com/tool-linux-$TARGETARCH\n',
    },
    {
      name: 'global ARG is not visible in the stage',
      code: 'ARG TARGETARCH\nFROM alpine\nRUN echo ${TARGETARCH}\n',
      errors: [{ messageId: 'undeclared', line: 3, column: 10 }],
      output: 'ARG TARGETARCH\nFROM alpine\nARG TARGETARCH\nRUN echo ${TARGETARCH}\n',
    },
    {
      name: 'COPY source',
      code: 'FROM alpine\nCOPY --from=build /out/app-${TARGETOS}-${TARGETARCH} /app\n',
      errors: [
        { messageId: 'undeclared', line: 2, column: 28 },
        { messageId: 'undeclared', line: 2, column: 40 },
      ],
      output: 'FROM alpine\nARG TARGETOS\nARG TARGETARCH\nCOPY --from=build /out/app-${TARGETOS}-${TARGETARCH} /app\n',
    },
    {
      name: 'RUN --mount flag',
      code: 'FROM golang\nRUN --mount=type=cache,id=go-$TARGETPLATFORM,target=/root/.cache go build\n',
      errors: [{ messageId: 'undeclared', line: 2, column: 30 }],
      output: 'FROM golang\nARG TARGETPLATFORM\nRUN --mount=type=cache,id=go-$TARGETPLATFORM,target=/root/.cache go build\n',
    },
    {
      name: 'ENV',
      code: 'FROM alpine\nENV GOARCH=$TARGETARCH\n',
      errors: [{ messageId: 'undeclared', line: 2, column: 12 }],
      output: 'FROM alpine\nARG TARGETARCH\nENV GOARCH=$TARGETARCH\n',
    },
    {
      name: 'heredoc',
      code: 'FROM alpine\nRUN <<EOF\necho "${TARGETVARIANT}"\nEOF\n',
      errors: [{ messageId: 'undeclared', line: 3, column: 7 }],
      output: 'FROM alpine\nARG TARGETVARIANT\nRUN <<EOF\necho "${TARGETVARIANT}"\nEOF\n',
    },
    {
      name: 'declared too late',
      code: 'FROM alpine\nRUN echo $BUILDARCH\nARG BUILDARCH\n',
      errors: [{ messageId: 'undeclared', line: 2, column: 10 }],
      output: 'FROM alpine\nARG BUILDARCH\nRUN echo $BUILDARCH\nARG BUILDARCH\n',
    },
    {
      name: 'a default does not help',
      code: 'FROM alpine\nRUN echo ${TARGETARCH:-amd64}\n',
      errors: [{ messageId: 'undeclared', line: 2, column: 10 }],
      output: 'FROM alpine\nARG TARGETARCH\nRUN echo ${TARGETARCH:-amd64}\n',
    },
  ],
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSource } from '../check/engine.js';

test('AA102 positions inside a <<- heredoc with tabs are exact', () => {
  const src = 'FROM alpine\nRUN <<-EOF\n\t\techo one\n\t\techo "$TARGETARCH"\n\tEOF\n';
  const f = checkSource(src, 'Dockerfile', { rules: [rule] }).findings;
  assert.equal(f.length, 1);
  assert.deepEqual([f[0]?.range.start.line, f[0]?.range.start.column], [4, 9]);
  assert.equal(src.slice(f[0]!.range.start.offset, f[0]!.range.end.offset), '$TARGETARCH');
});
