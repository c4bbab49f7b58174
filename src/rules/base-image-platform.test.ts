import rule from './base-image-platform.js';
import { ruleTester } from './tester.js';

const ALPINE = 'docker.io/library/alpine:3.20';
const GOLANG = 'docker.io/library/golang:1.22';
const both = { [ALPINE]: ['linux/amd64', 'linux/arm64/v8'], [GOLANG]: ['linux/amd64', 'linux/arm64'] };
const amd64Only = { [ALPINE]: ['linux/amd64'], [GOLANG]: ['linux/amd64'] };

ruleTester(rule, {
  valid: [
    // offline: nothing was looked up, nothing is said
    'FROM alpine:3.20',
    { code: 'FROM alpine:3.20', baseImages: both, name: 'arm64/v8 in the index is arm64' },
    { code: 'FROM scratch\nCOPY app /app', baseImages: amd64Only },
    { code: 'FROM golang:1.22 AS build\nFROM build\nRUN true', baseImages: both, name: 'a stage built from a stage' },
    {
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build -o /app\nFROM alpine:3.20\nCOPY --from=build /app /app',
      baseImages: { [GOLANG]: ['linux/amd64'], [ALPINE]: ['linux/amd64', 'linux/arm64', 'linux/riscv64'] },
      platforms: 'linux/amd64,linux/arm64,linux/riscv64',
      name: 'the build stage only needs the builder platform',
    },
    { code: 'FROM --platform=linux/amd64 alpine:3.20', baseImages: amd64Only, name: 'a constant --platform needs that platform only' },
    { code: 'FROM alpine:3.20 AS unused\nFROM golang:1.22', baseImages: { [ALPINE]: [], [GOLANG]: ['linux/amd64', 'linux/arm64'] }, name: 'an unreachable stage is not built' },
    { code: 'ARG BASE=alpine\nFROM ${BASE}:3.20', baseImages: both },
    { code: 'FROM alpine:3.20', baseImages: { [ALPINE]: { error: 'HTTP 500' } }, name: 'registry errors are AA115\'s' },
    { code: 'FROM alpine:3.20', baseImages: amd64Only, platforms: 'linux/amd64' },
    { code: 'FROM $UNSET_BASE', baseImages: amd64Only, name: 'an image word that does not expand is not guessed' },
  ],
  invalid: [
    {
      code: 'FROM alpine:3.20\nRUN true',
      baseImages: amd64Only,
      output: null,
      errors: [{ messageId: 'missing', line: 1, column: 6, endColumn: 17, severity: 'error' }],
    },
    {
      name: 'one finding lists every missing platform',
      code: 'FROM alpine:3.20',
      baseImages: { [ALPINE]: ['linux/amd64'] },
      platforms: 'linux/amd64,linux/arm64,linux/ppc64le,linux/s390x',
      errors: [{ messageId: 'missing', line: 1, column: 6 }],
    },
    {
      name: 'arm/v7 from an arm/v6 image builds (containerd falls back): advice, not an error',
      code: 'FROM alpine:3.20',
      baseImages: { [ALPINE]: ['linux/amd64', 'linux/arm/v6'] },
      platforms: 'linux/amd64,linux/arm/v7',
      errors: [{ messageId: 'fallback', line: 1, column: 6, severity: 'info' }],
    },
    {
      name: 'amd64/v3 takes an amd64/v2 image',
      code: 'FROM alpine:3.20',
      baseImages: { [ALPINE]: ['linux/amd64/v2', 'linux/amd64'] },
      platforms: 'linux/amd64/v3',
      errors: [{ messageId: 'fallback', line: 1, column: 6, severity: 'info' }],
    },
    {
      name: 'both a missing and a fallback platform: an error and advice',
      code: 'FROM alpine:3.20',
      baseImages: { [ALPINE]: ['linux/amd64', 'linux/arm/v6'] },
      platforms: 'linux/amd64,linux/arm/v7,linux/s390x',
      errors: [
        { messageId: 'fallback', line: 1, column: 6, severity: 'info' },
        { messageId: 'missing', line: 1, column: 6, severity: 'error' },
      ],
    },
    {
      name: 'arm64 from a 32-bit ARM image, amd64 from a 386 image',
      code: 'FROM golang:1.22',
      baseImages: { [GOLANG]: ['linux/386', 'linux/arm/v7'] },
      errors: [{ messageId: 'fallback', line: 1, column: 6, severity: 'info' }],
    },
    {
      name: 'a $BUILDPLATFORM stage on an arm64 builder',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build -o /app\nFROM alpine:3.20\nCOPY --from=build /app /app',
      baseImages: { [GOLANG]: ['linux/amd64'], [ALPINE]: ['linux/amd64', 'linux/arm64'] },
      buildPlatform: 'linux/arm64',
      errors: [{ messageId: 'missingBuilder', line: 1, column: 32 }],
    },
    {
      name: 'per-architecture base images chosen by TARGETARCH',
      code: 'FROM ghcr.io/acme/base-${TARGETARCH}:1\nRUN true',
      baseImages: { 'ghcr.io/acme/base-amd64:1': ['linux/amd64'], 'ghcr.io/acme/base-arm64:1': ['linux/amd64'] },
      errors: [{ messageId: 'missing', line: 1, column: 6 }],
    },
    {
      name: 'a constant --platform the image lacks',
      code: 'FROM --platform=linux/s390x alpine:3.20',
      baseImages: both,
      errors: [{ messageId: 'missing', line: 1, column: 29 }],
    },
    {
      name: 'an image with no platform at all for the target (single manifest of another CPU)',
      code: 'FROM golang:1.22 AS build\nFROM alpine:3.20\nCOPY --from=build /go/bin /bin',
      baseImages: { [GOLANG]: ['linux/arm64'], [ALPINE]: ['linux/amd64', 'linux/arm64'] },
      errors: [{ messageId: 'missing', line: 1, column: 6 }],
    },
  ],
});
