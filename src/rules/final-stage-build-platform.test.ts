import rule from './final-stage-build-platform.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    'FROM alpine:3.20',
    'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]',
    // BuildKit's own Dockerfile shape: build on the builder, final stage per target
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\nFROM alpine\nCOPY --from=build /out/app /usr/bin/app',
    // tonistiigi/xx
    'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM golang:alpine AS build\nCOPY --from=xx / /\nARG TARGETPLATFORM\nRUN xx-go build -o /app .\nFROM alpine\nCOPY --from=build /app /app',
    'FROM --platform=$TARGETPLATFORM alpine',
    'FROM --platform=linux/amd64 alpine',
    // an export-only stage for `docker buildx build --output type=local`
    'FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build -o /out/app .\nFROM --platform=$BUILDPLATFORM scratch AS artifacts\nCOPY --from=build /out /',
    // the final stage is built FROM another stage, which is not on the builder
    'FROM --platform=$BUILDPLATFORM node:20 AS assets\nRUN npm run build\nFROM nginx:1.27 AS base\nFROM base\nCOPY --from=assets /src/dist /usr/share/nginx/html',
    // a test stage built FROM the build stage is not the image
    'FROM --platform=$BUILDPLATFORM golang AS build\nFROM build AS test\nRUN go test ./...\nFROM alpine\nCOPY --from=build /app /app',
    // a check-only Dockerfile, run with --output type=cacheonly: its last stage is no image
    'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS tooling\nFROM tooling AS tidy\nRUN go mod tidy\nFROM tidy AS check\nRUN git diff --exit-code go.mod go.sum',
    'FROM --platform=$BUILDPLATFORM node:20 AS dev\nWORKDIR /src\nCMD ["npm", "run", "dev"]',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command Invoke-WebRequest https://example.com/tool-windows-amd64.zip',
  ],
  invalid: [
    {
      code: 'FROM --platform=$BUILDPLATFORM node:20\nCOPY . .\nCMD ["node", "index.js"]',
      output: null,
      errors: [{ messageId: 'final', line: 1, column: 17, endColumn: 31, severity: 'warning' }],
      suggestions: ['FROM node:20\nCOPY . .\nCMD ["node", "index.js"]'],
    },
    {
      name: 'the builder stage is fine, the runtime stage on ${BUILDPLATFORM} is not',
      code:
        'FROM --platform=${BUILDPLATFORM} python:3.12-slim AS deps\nRUN pip wheel --wheel-dir /wheels -r requirements.txt\n' +
        'FROM --platform=${BUILDPLATFORM} python:3.12-slim AS runtime\nCOPY --from=deps /wheels /wheels\nCMD ["python", "-m", "app"]',
      output: null,
      errors: [{ messageId: 'final', line: 3, column: 17 }],
      suggestions: [
        'FROM --platform=${BUILDPLATFORM} python:3.12-slim AS deps\nRUN pip wheel --wheel-dir /wheels -r requirements.txt\n' +
          'FROM python:3.12-slim AS runtime\nCOPY --from=deps /wheels /wheels\nCMD ["python", "-m", "app"]',
      ],
    },
    {
      name: 'the final stage is built FROM a stage on the builder',
      code: 'FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build -o /app\nFROM build AS final\nCMD ["/app"]',
      output: null,
      errors: [{ messageId: 'base', line: 1, column: 17 }],
      suggestions: ['FROM golang AS build\nRUN go build -o /app\nFROM build AS final\nCMD ["/app"]'],
    },
    {
      code: 'FROM --platform=$BUILDPLATFORM debian:12 AS a\nFROM a AS b\nRUN apt-get update\nFROM b\nCMD ["bash"]',
      output: null,
      errors: [{ messageId: 'base', line: 1, column: 17 }],
    },
    {
      code: 'FROM --platform=$BUILDOS/$BUILDARCH alpine',
      output: null,
      errors: [{ messageId: 'final', line: 1, column: 17 }],
      suggestions: ['FROM alpine'],
    },
    {
      name: 'scratch with an entrypoint is an image, not an export',
      code: 'FROM --platform=$BUILDPLATFORM golang AS build\nFROM --platform=$BUILDPLATFORM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]',
      output: null,
      errors: [{ messageId: 'final', line: 2, column: 17 }],
    },
    {
      name: 'a single target does not help: the builder may be another CPU',
      code: 'FROM --platform=$BUILDPLATFORM python:3.12-slim\nCMD ["python"]',
      platforms: 'linux/amd64',
      output: null,
      errors: [{ messageId: 'final', line: 1, column: 17 }],
    },
    {
      code: 'FROM --platform="$BUILDPLATFORM" \\\n  ubuntu:24.04\nCMD ["bash"]',
      output: null,
      errors: [{ messageId: 'final', line: 1, column: 17 }],
      suggestions: ['FROM \\\n  ubuntu:24.04\nCMD ["bash"]'],
    },
  ],
});
