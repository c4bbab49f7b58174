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
    // build-context scripts and tonistiigi/xx helpers (issue 11)
    {
      // aws/aws-xray-daemon PR #102 (after the fix): the build script reads TARGETPLATFORM, which the stage declares
      name: 'a context script reading a declared ARG',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.15-alpine AS build\nARG TARGETPLATFORM\nCOPY . /src\nWORKDIR /src\nRUN ./build-linux.sh\nFROM alpine\nCOPY --from=build /src/out/xray /usr/bin/xray\n',
      files: { 'build-linux.sh': '#!/bin/sh\ncase "$TARGETPLATFORM" in\n  linux/arm64) GOARCH=arm64 ;;\n  *) GOARCH=amd64 ;;\nesac\nGOARCH=$GOARCH go build -o out/xray ./cmd\n' },
    },
    {
      // conforma/cli PR #3024: build.sh falls back on its own when TARGETOS/TARGETARCH are unset; the stage runs on the target
      name: 'a script with its own fallback in a target-platform stage',
      code: 'FROM golang:1.24\nCOPY build.sh /usr/local/bin/\nRUN build.sh\nRUN /usr/local/bin/build.sh\n',
      files: { 'build.sh': '#!/bin/bash\nif [[ -n "${TARGETOS:-}" && -n "${TARGETARCH:-}" ]]; then echo one; else echo all; fi\n' },
    },
    {
      name: 'a missing script is silent',
      code: 'FROM alpine\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n',
    },
    {
      name: 'a python script is not read as shell',
      code: 'FROM alpine\nCOPY gen.py /tmp/\nRUN /tmp/gen.py\n',
      files: { 'gen.py': '#!/usr/bin/env python3\nimport os\nprint(os.environ["TARGETARCH"])\n' },
    },
    {
      // docker/buildx PR #2830: xx-go in a build-platform stage that declares ARG TARGETPLATFORM, the build script bind-mounted
      name: 'xx-go with ARG TARGETPLATFORM',
      code: 'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build\nCOPY --from=xx / /\nARG TARGETPLATFORM\nRUN --mount=type=bind,target=. xx-go --wrap && ./hack/build && xx-verify /usr/bin/docker-buildx\nFROM scratch\nCOPY --from=build /usr/bin/docker-buildx /\n',
      files: { 'hack/build': '#!/usr/bin/env sh\ngo build -o "${DESTDIR}/docker-buildx" ./cmd/buildx\n' },
    },
    {
      name: 'xx helpers in a target-platform stage find the target themselves',
      code: 'FROM alpine\nCOPY --from=tonistiigi/xx / /\nRUN xx-apk add gcc musl-dev\n',
    },
    {
      name: 'xx-go with only ARG TARGETARCH',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nCOPY --from=tonistiigi/xx / /\nARG TARGETARCH\nRUN xx-go build -o /out/app .\nFROM alpine\nCOPY --from=build /out/app /app\n',
    },
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
    {
      // aws/aws-xray-daemon PR #102 (before the fix, issue #100): the build script reads TARGETPLATFORM from the environment,
      // the build-platform stage never declared it, so every image got the builder's binary
      name: 'a context script reads an undeclared TARGETPLATFORM',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.15-alpine AS build\nCOPY . /src\nWORKDIR /src\nRUN ./build-linux.sh\nFROM alpine\nCOPY --from=build /src/out/xray /usr/bin/xray\n',
      files: { 'build-linux.sh': '#!/bin/sh\ncase "$TARGETPLATFORM" in\n  linux/arm64) GOARCH=arm64 ;;\n  *) GOARCH=amd64 ;;\nesac\nGOARCH=$GOARCH go build -o out/xray ./cmd\n' },
      errors: [{ messageId: 'scriptReads', line: 4, column: 5, endColumn: 21 }],
      output: 'FROM --platform=$BUILDPLATFORM golang:1.15-alpine AS build\nARG TARGETPLATFORM\nCOPY . /src\nWORKDIR /src\nRUN ./build-linux.sh\nFROM alpine\nCOPY --from=build /src/out/xray /usr/bin/xray\n',
    },
    {
      // jkunczik/home-assistant-omada PR #7: install.sh chooses the package by an architecture variable; here it reads TARGETARCH, undeclared
      name: 'sh /tmp/install.sh reading TARGETARCH',
      code: 'FROM ubuntu:22.04\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n',
      files: { 'install.sh': '#!/bin/sh\nif [ "$TARGETARCH" = arm64 ]; then echo arm; fi\n' },
      errors: [{ messageId: 'scriptReads', line: 3, column: 8 }],
      output: 'FROM ubuntu:22.04\nARG TARGETARCH\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n',
    },
    {
      name: 'a bind-mounted script, exec form',
      code: 'FROM debian\nRUN --mount=type=bind,source=build.sh,target=/b.sh ["sh", "/b.sh"]\n',
      files: { 'build.sh': 'echo "${TARGETVARIANT}"\n' },
      errors: [{ messageId: 'scriptReads', line: 2 }],
      output: 'FROM debian\nARG TARGETVARIANT\nRUN --mount=type=bind,source=build.sh,target=/b.sh ["sh", "/b.sh"]\n',
    },
    {
      name: 'a script with a fallback in a build-platform stage still builds for the builder',
      code: 'FROM --platform=$BUILDPLATFORM golang AS b\nCOPY scripts/ /opt/scripts/\nRUN bash -c /opt/scripts/build.sh\nFROM alpine\nCOPY --from=b /out /out\n',
      files: { 'scripts/build.sh': 'GOARCH=${TARGETARCH:-$(go env GOARCH)} go build -o /out/app\n' },
      errors: [{ messageId: 'scriptReads', line: 3, column: 13 }],
      output: 'FROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETARCH\nCOPY scripts/ /opt/scripts/\nRUN bash -c /opt/scripts/build.sh\nFROM alpine\nCOPY --from=b /out /out\n',
    },
    {
      // the tonistiigi/xx README's shape with the ARG left out: xx-go then targets the build machine
      name: 'xx-go in a build-platform stage without ARG TARGETPLATFORM',
      code: 'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nCOPY --from=xx / /\nRUN xx-go build -o /out/app . && xx-verify /out/app\nFROM alpine\nCOPY --from=build /out/app /app\n',
      errors: [
        { messageId: 'xx', line: 4, column: 5, endColumn: 10 },
        { messageId: 'xx', line: 4, column: 34 },
      ],
      output: 'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nARG TARGETPLATFORM\nCOPY --from=xx / /\nRUN xx-go build -o /out/app . && xx-verify /out/app\nFROM alpine\nCOPY --from=build /out/app /app\n',
    },
    {
      name: 'xx-apk and xx-clang in a build-platform stage',
      code: 'FROM --platform=$BUILDPLATFORM alpine AS build\nCOPY --from=tonistiigi/xx / /\nRUN xx-apk add musl-dev gcc\nRUN xx-clang -o /out/hello hello.c\nFROM scratch\nCOPY --from=build /out/hello /\n',
      errors: [
        { messageId: 'xx', line: 3, column: 5 },
        { messageId: 'xx', line: 4, column: 5 },
      ],
      output: 'FROM --platform=$BUILDPLATFORM alpine AS build\nARG TARGETPLATFORM\nCOPY --from=tonistiigi/xx / /\nRUN xx-apk add musl-dev gcc\nRUN xx-clang -o /out/hello hello.c\nFROM scratch\nCOPY --from=build /out/hello /\n',
    },
    {
      name: 'a context script that runs xx-cargo',
      code: 'FROM --platform=$BUILDPLATFORM rust:1-alpine AS build\nCOPY --from=tonistiigi/xx / /\nCOPY . /src\nWORKDIR /src\nRUN sh ./ci/build.sh\nFROM alpine\nCOPY --from=build /src/target/app /app\n',
      files: { 'ci/build.sh': 'set -e\nxx-cargo build --release\n' },
      errors: [{ messageId: 'scriptReads', line: 5, column: 8 }],
      output: 'FROM --platform=$BUILDPLATFORM rust:1-alpine AS build\nARG TARGETPLATFORM\nCOPY --from=tonistiigi/xx / /\nCOPY . /src\nWORKDIR /src\nRUN sh ./ci/build.sh\nFROM alpine\nCOPY --from=build /src/target/app /app\n',
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
