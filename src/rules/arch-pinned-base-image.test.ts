import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSource } from '../check/engine.js';
import { parsePlatformList } from '../platform/index.js';
import rule from './arch-pinned-base-image.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    'FROM alpine:3.20',
    'FROM golang:1.22-alpine3.20 AS build\nFROM node:20-bookworm-slim',
    'FROM python:3.12-slim-bookworm',
    'FROM scratch\nCOPY app /app',
    // single-architecture on purpose, by targets or by a matching --platform (AA108's business)
    { code: 'FROM amd64/alpine:3.20', platforms: 'linux/amd64' },
    { code: 'FROM example/app:1.2-arm64', platforms: 'linux/arm64' },
    // armv6 code runs on armv7 CPUs
    { code: 'FROM arm32v6/alpine:3.20', platforms: 'linux/arm/v6,linux/arm/v7' },
    'FROM --platform=linux/amd64 amd64/ubuntu:24.04',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022-amd64\nRUN echo hi',
    // a stage named like an architecture is a stage reference
    'FROM alpine:3.20 AS x86_64\nFROM x86_64',
    // per-target tags
    'FROM example/app:1.0-${TARGETARCH}',
    'ARG TAG=1.0\nFROM example/app:${TAG}-${TARGETARCH}${TARGETVARIANT}',
    // cross toolchains name the target of the compiler
    'FROM --platform=$BUILDPLATFORM messense/rust-musl-cross:aarch64-musl AS build\nFROM alpine',
    'FROM messense/rust-musl-cross:x86_64-musl AS build\nFROM alpine',
    'FROM ghcr.io/cross-rs/aarch64-unknown-linux-gnu:main AS build\nFROM alpine',
    'FROM multiarch/qemu-user-static:x86_64-aarch64 AS qemu\nFROM alpine\nCOPY --from=qemu /usr/bin/qemu-aarch64-static /usr/bin/',
    'FROM example/tools:amd64-arm64 AS tools\nFROM alpine',
    // not Docker Hub's arch namespaces
    'FROM ghcr.io/amd64/tool:1',
    'FROM example/app:v1.2-x86',
    'FROM example/app:arm64ec',
  ],
  invalid: [
    {
      code: 'FROM amd64/alpine:3.20',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 6, endColumn: 23, severity: 'warning' }],
      suggestions: ['FROM alpine:3.20'],
    },
    {
      code: 'FROM docker.io/arm64v8/debian:12 AS base\nRUN apt-get update',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 6 }],
      suggestions: ['FROM docker.io/debian:12 AS base\nRUN apt-get update'],
    },
    {
      code: 'FROM index.docker.io/i386/ubuntu',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 6 }],
      suggestions: ['FROM index.docker.io/ubuntu'],
    },
    {
      name: 'after expanding ARGs (no suggestion: the prefix is not written)',
      code: 'ARG ARCH=amd64\nFROM ${ARCH}/alpine:3.20',
      output: null,
      errors: [{ messageId: 'namespace', line: 2, column: 6 }],
      suggestions: [],
    },
    {
      name: 'a digest pins the amd64 manifest: no suggestion',
      code: 'FROM amd64/alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 6 }],
      suggestions: [],
    },
    {
      code: 'FROM example/app:1.2-amd64',
      output: null,
      errors: [{ messageId: 'tag', line: 1, column: 6 }],
    },
    {
      code: 'FROM mcr.microsoft.com/dotnet/runtime:8.0-bookworm-slim-arm64v8',
      output: null,
      errors: [{ messageId: 'tag', line: 1, column: 6 }],
    },
    {
      code: 'ARG VARIANT=latest-x86_64\nFROM example/app:${VARIANT}\nCMD ["app"]',
      output: null,
      errors: [{ messageId: 'tag', line: 2, column: 6 }],
    },
    {
      code: 'FROM --platform=$BUILDPLATFORM amd64/golang:1.22 AS build\nFROM alpine\nCOPY --from=build /go/bin/app /app',
      output: null,
      errors: [{ messageId: 'builder', line: 1, column: 32 }],
      suggestions: ['FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine\nCOPY --from=build /go/bin/app /app'],
    },
    {
      name: 'a --platform that contradicts the namespace',
      code: 'FROM --platform=linux/arm64 amd64/alpine',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 29 }],
    },
    {
      code: 'FROM arm32v7/alpine:3.20',
      platforms: 'linux/arm/v6,linux/arm/v7',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 6 }],
    },
    {
      name: 'stage references are not checked, their base is',
      code: 'FROM amd64/node:20 AS base\nFROM base\nCMD ["node"]',
      output: null,
      errors: [{ messageId: 'namespace', line: 1, column: 6 }],
    },
  ],
});

describe('AA113 reads every architecture word as docker-library and containerd do', () => {
  // every namespace and tag word AA113 knows, with the platform it pins (the rule derives these
  // from src/platform: the bashbrew vocabulary, and what the other words name)
  const NAMESPACES: Record<string, string> = {
    amd64: 'linux/amd64',
    arm64v8: 'linux/arm64',
    arm32v7: 'linux/arm/v7',
    arm32v6: 'linux/arm/v6',
    arm32v5: 'linux/arm/v5',
    i386: 'linux/386',
    ppc64le: 'linux/ppc64le',
    s390x: 'linux/s390x',
    riscv64: 'linux/riscv64',
    mips64le: 'linux/mips64le',
  };
  const TAG_WORDS: Record<string, string> = {
    ...NAMESPACES,
    x86_64: 'linux/amd64',
    'x86-64': 'linux/amd64',
    aarch64: 'linux/arm64',
    arm64: 'linux/arm64',
    armv7: 'linux/arm/v7',
    armv7l: 'linux/arm/v7',
    armhf: 'linux/arm/v7',
    armv6: 'linux/arm/v6',
    armv6l: 'linux/arm/v6',
    armel: 'linux/arm/v6',
    i686: 'linux/386',
    ppc64el: 'linux/ppc64le',
  };
  // a target no word names, so every word is reported
  const platforms = parsePlatformList('linux/loong64');
  const pinned = (image: string): string | undefined => {
    const [f] = checkSource(`FROM ${image}\n`, 'Dockerfile', { rules: [rule], platforms }).findings;
    return f ? /only (\S+) images|\(\S+, (\S+)\)/.exec(f.message)?.slice(1).find(Boolean) : undefined;
  };
  test('namespaces', () => {
    const found = Object.fromEntries(Object.keys(NAMESPACES).map((w) => [w, pinned(`${w}/alpine:3.20`)]));
    assert.deepEqual(found, NAMESPACES);
  });
  test('tag words, in any case', () => {
    const found = Object.fromEntries(Object.keys(TAG_WORDS).map((w) => [w, pinned(`example/app:1.2-${w}`)]));
    assert.deepEqual(found, TAG_WORDS);
    assert.equal(pinned('example/app:1.2-ARMHF'), 'linux/arm/v7');
  });
  test('words that are no namespace or tag word', () => {
    assert.deepEqual(['x86/alpine', 'arm/alpine', 'loong64/alpine', 'example/app:1-x86', 'example/app:1-386', 'example/app:1-arm'].map(pinned), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
