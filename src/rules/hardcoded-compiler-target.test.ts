import rule from './hardcoded-compiler-target.js';
import { ruleTester } from './tester.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

ruleTester(rule, {
  valid: [
    {
      name: 'GOARCH and GOAMD64 exported inside case branches on the dpkg architecture',
      code: lines(
        'FROM debian:bookworm',
        'RUN set -eu; \\',
        '    debArch="$(dpkg --print-architecture)"; \\',
        '    case "$debArch" in \\',
        "      'arm64') export GOOS='linux' GOARCH='arm64' ;; \\",
        "      'amd64') export GOOS='linux' GOARCH='amd64' GOAMD64='v1' ;; \\",
        "      'armhf') export GOOS='linux' GOARCH='arm' GOARM='6' ;; \\",
        '      *) echo "no Go port for $debArch" >&2; exit 1 ;; \\',
        '    esac; \\',
        '    ( cd /src && go build -o /usr/local/bin/app ./cmd/app )',
      ),
    },
    {
      name: 'an if on the architecture',
      code: lines(
        'FROM debian:bookworm',
        'RUN dpkgArch="$(dpkg --print-architecture)"; \\',
        "    if [ \"$dpkgArch\" = 'amd64' ]; then export CFLAGS='-O2 -mavx2'; fi; \\",
        '    make',
      ),
    },
    {
      name: 'a case on TARGETARCH sets a CPU per platform',
      code: lines(
        'FROM rust:1',
        'ARG TARGETARCH',
        'RUN case "$TARGETARCH" in amd64) export RUSTFLAGS="-C target-cpu=x86-64-v2" ;; arm64) export RUSTFLAGS="-C target-cpu=neoverse-n1" ;; esac; cargo build --release',
      ),
    },
    {
      name: 'single-arch on purpose: every target is amd64',
      code: lines('FROM golang:1.22', 'RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /app .'),
      platforms: 'linux/amd64',
    },
    {
      name: 'GOARCH from TARGETARCH',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETOS TARGETARCH',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
      ),
    },
    {
      name: 'a Windows stage is amd64 only',
      code: lines('FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'ENV GOARCH=amd64', 'RUN go build -o app.exe .'),
    },
    {
      name: 'several architectures built on purpose in one RUN',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'RUN GOARCH=amd64 go build -o /out/app-amd64 . && GOARCH=arm64 go build -o /out/app-arm64 .',
      ),
    },
    {
      name: 'a binary for another OS (release artifacts)',
      code: lines('FROM golang:1.22', 'RUN GOOS=windows GOARCH=amd64 go build -o /dist/app.exe . && GOOS=darwin GOARCH=arm64 go build -o /dist/app-mac .'),
    },
    {
      name: 'GOARCH=wasm is no CPU',
      code: lines('FROM golang:1.22', 'RUN GOOS=js GOARCH=wasm go build -o /www/main.wasm ./wasm'),
    },
    {
      name: 'rustup target add of several targets',
      code: lines('FROM rust:1', 'RUN rustup target add x86_64-unknown-linux-musl aarch64-unknown-linux-musl'),
    },
    {
      name: 'an ARM flag when every target is ARM',
      code: lines('FROM debian', 'ENV CFLAGS="-O2 -march=armv8-a"'),
      platforms: 'linux/arm64,linux/arm/v7',
    },
    {
      name: 'a cross compiler named for x86-64 may take x86 flags',
      code: lines('FROM debian', 'RUN x86_64-linux-gnu-gcc -O2 -mavx2 -o /out/app-amd64 main.c'),
    },
    {
      name: 'clang --target says which CPU the flags are for',
      code: lines('FROM debian', 'RUN clang --target=x86_64-linux-gnu -msse4.2 -c simd.c'),
    },
    {
      name: 'sed removing -march=native from a Makefile',
      code: lines('FROM debian', "RUN sed -i 's/-march=native//g' Makefile && make"),
    },
    {
      name: 'portable flags',
      code: lines('FROM debian', 'ENV CFLAGS="-O2 -fPIC -mtune=generic -fstack-protector-strong"', 'RUN make CFLAGS="$CFLAGS -m64"'),
    },
    {
      name: 'GOAMD64 only matters on amd64, which asks for v3',
      code: lines('FROM golang:1.22', 'ENV GOAMD64=v3'),
      platforms: 'linux/amd64/v3,linux/arm64',
    },
  ],
  invalid: [
    {
      name: 'hadolint#1071: GOARCH=amd64 in a multi-arch build',
      code: lines('FROM golang:1.22 AS build', 'RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /app .'),
      errors: [{ messageId: 'goarch', line: 2, column: 37, endColumn: 42 }],
      output: lines('FROM golang:1.22 AS build', 'ARG TARGETARCH', 'RUN CGO_ENABLED=0 GOOS=linux GOARCH=${TARGETARCH} go build -o /app .'),
    },
    {
      name: 'ENV GOARCH',
      code: lines('FROM golang:1.22', 'ENV CGO_ENABLED=0 GOARCH="amd64"', 'RUN go build -o /app .'),
      errors: [{ messageId: 'goarch', line: 2, column: 26, endColumn: 33 }],
      output: lines('FROM golang:1.22', 'ARG TARGETARCH', 'ENV CGO_ENABLED=0 GOARCH=${TARGETARCH}', 'RUN go build -o /app .'),
    },
    {
      name: 'an ARG default',
      code: lines('FROM golang:1.22 AS build', 'ARG GOARCH=amd64', 'RUN go build -o /app .'),
      errors: [{ messageId: 'goarch', line: 2, column: 12 }],
      output: lines('FROM golang:1.22 AS build', 'ARG TARGETARCH', 'ARG GOARCH=${TARGETARCH}', 'RUN go build -o /app .'),
    },
    {
      name: 'export after an assignment is no guard',
      code: lines('FROM golang:1.22', "RUN dpkgArch=\"$(dpkg --print-architecture)\" && export GOARCH='arm64' && go build -o /app ."),
      errors: [{ messageId: 'goarch', line: 2, column: 62, endColumn: 69 }],
      output: lines('FROM golang:1.22', 'ARG TARGETARCH', 'RUN dpkgArch="$(dpkg --print-architecture)" && export GOARCH=${TARGETARCH} && go build -o /app .'),
    },
    {
      name: 'a build-platform stage may cross-compile on purpose: a suggestion',
      code: lines('FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'ENV GOARCH=amd64', 'RUN go build -o /out/app .'),
      errors: [{ messageId: 'goarch', line: 2, column: 12 }],
      output: null,
      suggestions: [lines('FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'ARG TARGETARCH', 'ENV GOARCH=${TARGETARCH}', 'RUN go build -o /out/app .')],
    },
    {
      name: 'a global ARG: reported, not fixed',
      code: lines('ARG GOARCH=arm64', 'FROM golang:1.22', 'ARG GOARCH', 'RUN go build -o /app .'),
      errors: [{ messageId: 'goarch', line: 1, column: 12 }],
      output: null,
    },
    {
      name: 'cargo --target and rustup target add of one triple',
      code: lines('FROM rust:1', 'RUN rustup target add x86_64-unknown-linux-musl && cargo build --release --target=x86_64-unknown-linux-musl'),
      errors: [
        { messageId: 'rustTarget', line: 2, column: 23, endColumn: 48 },
        { messageId: 'rustTarget', line: 2, column: 83 },
      ],
      output: null,
    },
    {
      name: 'CARGO_BUILD_TARGET',
      code: lines('FROM rust:1', 'ENV CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu'),
      errors: [{ messageId: 'rustTarget', line: 2, column: 24 }],
      output: null,
    },
    {
      name: 'x86 flags in CFLAGS',
      code: lines('FROM debian:bookworm', 'ENV CFLAGS="-O2 -mavx2 -march=x86-64-v3"'),
      errors: [
        { messageId: 'cpuFlag', line: 2, column: 17, endColumn: 23 },
        { messageId: 'cpuFlag', line: 2, column: 24, endColumn: 40 },
      ],
      output: null,
    },
    {
      name: 'x86 features as Rust spells them, and as gcc does (one list of x86 features)',
      code: lines('FROM rust:1', 'RUN RUSTFLAGS="-C target-feature=+vaes,+gfni" cargo build --release && gcc -O2 -mpclmul -m64 -c x.c'),
      errors: [
        { messageId: 'cpuFlag', line: 2, column: 16 },
        { messageId: 'cpuFlag', line: 2, column: 80, endColumn: 88 },
      ],
      output: null,
    },
    {
      name: 'neon on an amd64 target',
      code: lines('FROM debian', 'RUN gcc -O2 -mfpu=neon -c simd.c'),
      errors: [{ messageId: 'cpuFlag', line: 2, column: 13 }],
      output: null,
    },
    {
      name: '-march=native and target-cpu=native: information',
      code: lines('FROM rust:1', 'RUN RUSTFLAGS="-C target-cpu=native" cargo build --release && gcc -march=native -c x.c'),
      errors: [
        { messageId: 'native', line: 2, column: 16, severity: 'info' },
        { messageId: 'native', line: 2, column: 67, severity: 'info' },
      ],
      output: null,
    },
    {
      name: 'an x86-64 level above the targets: information',
      code: lines('FROM debian', 'RUN gcc -O2 -march=x86-64-v3 -o /app main.c'),
      platforms: 'linux/amd64',
      errors: [{ messageId: 'cpuLevel', line: 2, column: 13, severity: 'info' }],
      output: null,
    },
  ],
});
