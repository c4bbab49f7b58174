import rule from './from-platform-constant.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    'FROM alpine:3.20',
    'FROM scratch\nCOPY app /app',
    // BuildKit's own pattern: build stage on the build machine, final stage per target
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /usr/bin/app',
    // tonistiigi/xx
    'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM golang:alpine AS build\nCOPY --from=xx / /\nFROM alpine',
    'FROM --platform=${TARGETPLATFORM} alpine',
    'FROM --platform="${BUILDPLATFORM:-linux/amd64}" golang AS build\nFROM alpine',
    'ARG PLATFORM=linux/amd64\nFROM --platform=$PLATFORM alpine',
    // BuildKit's stage-name exemption: the name contains the pinned architecture or OS
    'FROM --platform=linux/amd64 alpine AS fetch-amd64-tools\nFROM alpine',
    'FROM --platform=linux/arm64 alpine AS for-linux\nFROM alpine',
    'FROM --platform=linux/x86_64 debian AS build_x86_64\nFROM debian',
    'FROM --platform=linux debian AS linux_builder',
    // single-architecture on purpose (buildkit#6022, Cloud Run): the targets say so
    { code: 'FROM --platform=linux/amd64 node:20\nCMD ["node", "server.js"]', platforms: 'linux/amd64' },
    { code: 'FROM --platform=linux/x86_64 node:20', platforms: 'linux/amd64' },
    { code: 'FROM --platform=linux/arm64/v8 alpine', platforms: 'linux/arm64' },
    // another OS than every target: a deliberate SDK stage or a Windows file
    'FROM --platform=darwin/arm64 example/macos-sdk:14 AS sdk\nFROM alpine\nCOPY --from=sdk /sdk /opt/sdk',
    'FROM --platform=windows/amd64 mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo hi',
    // a stage reference
    'FROM --platform=$BUILDPLATFORM golang AS build\nFROM build AS test\nFROM alpine',
  ],
  invalid: [
    {
      code: 'FROM --platform=linux/amd64 alpine:3.20',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17, endColumn: 28, severity: 'warning' }],
      suggestions: ['FROM alpine:3.20'],
    },
    {
      name: 'a build stage gets the $BUILDPLATFORM suggestion too',
      code: 'FROM --platform=linux/amd64 golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17 }],
      suggestions: [
        'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app',
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app',
      ],
    },
    {
      name: 'the base of the final stage is part of the image: no $BUILDPLATFORM suggestion',
      code: 'FROM --platform=linux/amd64 debian:12 AS base\nRUN apt-get update\nFROM base\nCMD ["bash"]',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17 }],
      suggestions: ['FROM debian:12 AS base\nRUN apt-get update\nFROM base\nCMD ["bash"]'],
    },
    {
      code: 'FROM --platform="linux/amd64" node:20',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17, endColumn: 30 }],
      suggestions: ['FROM node:20'],
    },
    {
      name: 'an OS without architecture takes the build machine\'s',
      code: 'FROM --platform=linux ubuntu:24.04',
      output: null,
      errors: [{ messageId: 'osOnly', line: 1, column: 17 }],
      suggestions: ['FROM ubuntu:24.04'],
    },
    {
      code: 'FROM --platform=linux/amd65 alpine',
      output: null,
      errors: [{ messageId: 'badPlatform', line: 1, column: 17 }],
    },
    {
      name: 'the name names another architecture than the pin',
      code: 'FROM --platform=linux/arm64 alpine AS build_amd64\nFROM alpine',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17 }],
    },
    {
      name: 'a single target that differs from the pin',
      code: 'FROM --platform=linux/amd64 alpine',
      platforms: 'linux/arm64',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17 }],
    },
    {
      code: 'FROM --platform=linux/amd64 alpine',
      platforms: 'linux/amd64,linux/arm/v7',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17 }],
    },
    {
      name: 'continuation line',
      code: 'FROM --platform=linux/arm64 \\\n    alpine:3.20',
      output: null,
      errors: [{ messageId: 'pinned', line: 1, column: 17 }],
      suggestions: ['FROM \\\n    alpine:3.20'],
    },
    {
      code: 'FROM --platform=linux/amd64 golang AS a\nFROM --platform=linux/amd64 golang AS b\nFROM alpine\nCOPY --from=a /a /a\nCOPY --from=b /b /b',
      output: null,
      errors: [
        { messageId: 'pinned', line: 1, column: 17 },
        { messageId: 'pinned', line: 2, column: 17 },
      ],
    },
  ],
});
