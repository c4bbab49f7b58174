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
