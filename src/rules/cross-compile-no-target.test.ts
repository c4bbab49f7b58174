import rule from './cross-compile-no-target.js';
import { ruleTester } from './tester.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

ruleTester(rule, {
  valid: [
    {
      // a replayr Dockerfile (search id 20752503855): cargo-chef goes to /usr/local/cargo/bin and stays
      // in the builder; the image copies /usr/local/bin/replayr, which the xx-cargo build put there
      name: 'cargo install of a build tool: the image copies another bin directory',
      code: lines(
        'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx',
        'FROM --platform=$BUILDPLATFORM rust:1.93 AS base',
        'RUN cargo install cargo-chef',
        'COPY --from=xx / /',
        'FROM base AS builder',
        'ARG TARGETPLATFORM',
        'RUN xx-cargo build --release --bin replayr',
        'RUN cp ./target/$(xx-cargo --print-target-triple)/release/replayr /usr/local/bin/replayr',
        'FROM debian:bookworm-slim',
        'COPY --from=builder /usr/local/bin/replayr /usr/local/bin/',
      ),
    },
    {
      name: 'the canonical Go cross-compile',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'WORKDIR /src',
        'COPY . .',
        'ARG TARGETOS TARGETARCH',
        'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
        'FROM gcr.io/distroless/static',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'tonistiigi/xx',
      code: lines(
        'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx',
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'COPY --from=xx / /',
        'ARG TARGETPLATFORM',
        'RUN xx-apk add --no-cache gcc musl-dev',
        'RUN CGO_ENABLED=1 xx-go build -o /out/app . && xx-verify /out/app',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'xx-go --wrap makes plain go cross-compile',
      code: lines(
        'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx',
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'COPY --from=xx / /',
        'RUN xx-go --wrap && go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'a normal stage builds natively for the target',
      code: lines('FROM golang:1.22 AS build', 'RUN go build -o /out/app .', 'FROM alpine', 'COPY --from=build /out/app /app'),
    },
    {
      name: 'GOARCH from TARGETARCH through ENV',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETARCH',
        'ENV GOARCH=$TARGETARCH CGO_ENABLED=0',
        'RUN go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'GOARCH exported in case branches on TARGETARCH before the build',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETARCH',
        "RUN case \"$TARGETARCH\" in arm64) export GOARCH='arm64' ;; amd64) export GOARCH='amd64' GOAMD64='v1' ;; esac; \\",
        '    go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'a declared GOARCH build arg',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG GOARCH',
        'RUN go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'a code generator installed for the builder; only generated sources are copied',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS gen',
        'RUN go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.31.0',
        'RUN protoc --go_out=/gen api.proto',
        'FROM golang:1.22',
        'COPY --from=gen /gen /src/gen',
      ),
    },
    {
      name: 'a helper the stage runs itself is rightly built for the builder',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS gen',
        'RUN CGO_ENABLED=0 go build -o /usr/local/bin/gen ./cmd/gen && gen -out /gen ./api',
        'FROM golang:1.22',
        'COPY --from=gen /gen /src/gen',
      ),
    },
    {
      name: 'cargo with --target',
      code: lines(
        'FROM --platform=$BUILDPLATFORM rust:1 AS build',
        'ARG TARGETARCH',
        'RUN case "$TARGETARCH" in amd64) t=x86_64-unknown-linux-musl ;; arm64) t=aarch64-unknown-linux-musl ;; esac; \\',
        '    rustup target add "$t" && cargo build --release --target "$t" && cp target/"$t"/release/app /app',
        'FROM scratch',
        'COPY --from=build /app /app',
      ),
    },
    {
      name: 'a cross C compiler named for its target',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian AS build',
        'RUN apt-get update && apt-get install -y gcc-aarch64-linux-gnu && aarch64-linux-gnu-gcc -O2 -o /out/app main.c',
        'FROM debian',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'gcc --version compiles nothing',
      code: lines('FROM --platform=$BUILDPLATFORM debian AS build', 'RUN gcc --version > /out/cc.txt', 'FROM debian', 'COPY --from=build /out /out'),
    },
    {
      name: 'the target copies built assets, not the Go binary',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS assets',
        'WORKDIR /src',
        'RUN CGO_ENABLED=0 go build -o /tmp/lint ./tools/lint',
        'RUN npm ci && npm run build',
        'FROM nginx:alpine',
        'COPY --from=assets /src/dist /usr/share/nginx/html',
      ),
    },
    {
      name: 'a test stage nobody copies from',
      code: lines('FROM --platform=$BUILDPLATFORM golang:1.22 AS test', 'RUN go build ./... && go test ./...', 'FROM alpine', 'RUN echo done'),
    },
    // issue 11: native builds beyond go, cargo and cc
    {
      // shadowsocks/shadowsocks-rust's Dockerfile shape: the build-platform stage maps TARGETARCH to a Rust triple
      name: 'cargo with a target chosen from TARGETARCH',
      code: lines(
        'FROM --platform=$BUILDPLATFORM rust:alpine3.20 AS builder',
        'ARG TARGETARCH',
        'RUN apk add --no-cache build-base cmake',
        'RUN case "$TARGETARCH" in amd64) T=x86_64-unknown-linux-musl ;; arm64) T=aarch64-unknown-linux-musl ;; esac && cargo build --release --target "$T" && make -C doc',
        'FROM alpine',
        'COPY --from=builder /root/target /app',
      ),
    },
    {
      // privaxy's Dockerfile (code corpus): npm ci for the web frontend in a build-platform stage with build-essential;
      // only the cross-compiled Rust binary is copied, never node_modules
      name: 'npm ci with a C toolchain, node_modules not copied',
      code: lines(
        'FROM --platform=$BUILDPLATFORM rust:1-bookworm AS builder',
        'RUN apt-get update && apt-get install -qy pkg-config build-essential cmake clang nodejs',
        'WORKDIR /app/web_frontend',
        'RUN npm ci',
        'WORKDIR /app',
        'RUN cargo build --release --target mipsel-unknown-linux-musl --bin privaxy',
        'FROM alpine',
        'COPY --from=builder /app/target/mipsel-unknown-linux-musl/release/privaxy /app/privaxy',
      ),
    },
    {
      name: 'goreleaser build --single-target with GOARCH from TARGETARCH',
      code: lines('FROM --platform=$BUILDPLATFORM goreleaser/goreleaser:v2.3.2 AS build', 'ARG TARGETOS TARGETARCH', 'WORKDIR /src', 'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH goreleaser build --single-target -o /out/app', 'FROM alpine', 'COPY --from=build /out/app /app'),
    },
    {
      name: 'make of documentation or web assets',
      code: lines('FROM --platform=$BUILDPLATFORM node:20 AS web', 'WORKDIR /src', 'COPY . .', 'RUN make -C site docs assets', 'FROM nginx', 'COPY --from=web /src/site/public /usr/share/nginx/html'),
    },
    {
      name: 'make with a cross compiler',
      code: lines('FROM --platform=$BUILDPLATFORM debian AS b', 'RUN apt-get install -y gcc-aarch64-linux-gnu', 'WORKDIR /src', 'RUN make CC=aarch64-linux-gnu-gcc', 'FROM debian', 'COPY --from=b /src/app /app'),
    },
    {
      name: 'configure --host and cmake with a toolchain',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian AS b',
        'WORKDIR /src',
        'RUN ./configure --host=aarch64-linux-gnu && make',
        'RUN cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=/tc.cmake && cmake --build build',
        'FROM debian',
        'COPY --from=b /src /src',
      ),
    },
    {
      // the frontend idiom: npm ci in a build-platform stage, only the built assets are copied
      name: 'npm ci for static assets',
      code: lines('FROM --platform=$BUILDPLATFORM node:20-alpine AS ui', 'RUN apk add python3 make g++', 'WORKDIR /app', 'COPY . .', 'RUN npm ci && npm run build', 'FROM nginx:alpine', 'COPY --from=ui /app/dist /usr/share/nginx/html'),
    },
    {
      name: 'npm ci of pure JavaScript (no native toolchain in the stage)',
      code: lines('FROM --platform=$BUILDPLATFORM node:20-alpine AS deps', 'WORKDIR /app', 'COPY package*.json ./', 'RUN npm ci --omit=dev', 'FROM node:20-alpine', 'COPY --from=deps /app/node_modules /app/node_modules'),
    },
    {
      name: 'npm ci with npm_config_arch from TARGETARCH',
      code: lines('FROM --platform=$BUILDPLATFORM node:20 AS deps', 'ARG TARGETARCH', 'RUN apt-get install -y g++ make python3', 'WORKDIR /app', 'RUN npm_config_arch=$TARGETARCH npm ci', 'FROM node:20-slim', 'COPY --from=deps /app /app'),
    },
    {
      name: 'framework-dependent dotnet publish is portable',
      code: lines('FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build', 'WORKDIR /src', 'RUN dotnet publish -c Release -o /app', 'FROM mcr.microsoft.com/dotnet/aspnet:8.0', 'COPY --from=build /app /app'),
    },
    {
      // the dotnet-docker samples' idiom: -a $TARGETARCH
      name: 'dotnet publish -a $TARGETARCH',
      code: lines('FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build', 'ARG TARGETARCH', 'WORKDIR /src', 'RUN dotnet publish -a $TARGETARCH --self-contained -o /app', 'FROM mcr.microsoft.com/dotnet/runtime-deps:8.0', 'COPY --from=build /app /app'),
    },
    {
      name: 'mvn and gradle make platform-free jars',
      code: lines('FROM --platform=$BUILDPLATFORM maven:3-eclipse-temurin-21 AS build', 'WORKDIR /src', 'RUN mvn -B package && gradle build', 'FROM eclipse-temurin:21-jre', 'COPY --from=build /src/target/app.jar /app.jar'),
    },
    {
      name: 'pip wheel of pure-Python packages (no native toolchain)',
      code: lines('FROM --platform=$BUILDPLATFORM python:3.12 AS wheels', 'RUN pip wheel -w /wheels -r requirements.txt', 'FROM python:3.12-slim', 'COPY --from=wheels /wheels /wheels'),
    },
  ],
  invalid: [
    {
      name: 'cross stage without GOARCH (CGO off): fixed',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'WORKDIR /src',
        'COPY . .',
        'RUN CGO_ENABLED=0 go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
      errors: [{ messageId: 'go', line: 4, column: 19, endColumn: 27 }],
      output: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETOS',
        'ARG TARGETARCH',
        'WORKDIR /src',
        'COPY . .',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'a relative -o under WORKDIR',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'WORKDIR /src',
        'RUN CGO_ENABLED=0 go build -o app ./cmd/app',
        'FROM alpine',
        'COPY --from=build /src/app /usr/local/bin/app',
      ),
      errors: [{ messageId: 'go', line: 3, column: 19 }],
      output: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'ARG TARGETOS',
        'ARG TARGETARCH',
        'WORKDIR /src',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o app ./cmd/app',
        'FROM alpine',
        'COPY --from=build /src/app /usr/local/bin/app',
      ),
    },
    {
      name: 'cgo may be on: a suggestion, not a fix',
      code: lines('FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'RUN go build -o /out/app .', 'FROM alpine', 'COPY --from=build /out/app /app'),
      errors: [{ messageId: 'go', line: 2, column: 5, endColumn: 13 }],
      output: null,
      suggestions: [
        lines(
          'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
          'ARG TARGETOS',
          'ARG TARGETARCH',
          'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
          'FROM alpine',
          'COPY --from=build /out/app /app',
        ),
      ],
    },
    {
      name: '32-bit arm targets get GOARM from TARGETVARIANT',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'ENV CGO_ENABLED=0',
        'RUN go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
      errors: [{ messageId: 'go', line: 3, column: 5 }],
      output: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'ARG TARGETOS',
        'ARG TARGETARCH',
        'ARG TARGETVARIANT',
        'ENV CGO_ENABLED=0',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'GOOS already set: only GOARCH is added',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ENV GOOS=linux',
        'RUN CGO_ENABLED=0 go build -o /out/app .',
        'FROM scratch',
        'COPY --from=build /out/app /app',
      ),
      errors: [{ messageId: 'go', line: 3, column: 19 }],
      output: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETARCH',
        'ENV GOOS=linux',
        'RUN GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /out/app .',
        'FROM scratch',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'TARGETARCH named in the output path but not given to go',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETARCH',
        'RUN CGO_ENABLED=0 go build -o /out/app-$TARGETARCH .',
        'FROM scratch',
        'ARG TARGETARCH',
        'COPY --from=build /out/app-$TARGETARCH /app',
      ),
      errors: [{ messageId: 'go', line: 3, column: 19 }],
      output: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETARCH',
        'ARG TARGETOS',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /out/app-$TARGETARCH .',
        'FROM scratch',
        'ARG TARGETARCH',
        'COPY --from=build /out/app-$TARGETARCH /app',
      ),
    },
    {
      name: 'go install of a tool the target image copies: a suggestion',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'RUN CGO_ENABLED=0 go install github.com/foo/bar@v1.0.0',
        'FROM alpine',
        'COPY --from=build /go/bin/bar /usr/bin/bar',
      ),
      errors: [{ messageId: 'go', line: 2, column: 19, endColumn: 29 }],
      output: null,
    },
    {
      name: 'cargo build without --target',
      code: lines(
        'FROM --platform=$BUILDPLATFORM rust:1 AS build',
        'RUN cargo install cargo-chef',
        'RUN cargo build --release',
        'FROM debian:bookworm-slim',
        'COPY --from=build /app/target/release/app /usr/local/bin/app',
      ),
      errors: [{ messageId: 'cargo', line: 3, column: 5, endColumn: 16 }],
      output: null,
    },
    {
      name: 'cargo install of a tool the image copies from $CARGO_HOME/bin',
      code: lines(
        'FROM --platform=$BUILDPLATFORM rust:1 AS build',
        'RUN cargo install ripgrep',
        'FROM debian:bookworm-slim',
        'COPY --from=build /usr/local/cargo/bin/rg /usr/local/bin/rg',
      ),
      errors: [{ messageId: 'cargo', line: 2, column: 5, endColumn: 18 }],
      output: null,
    },
    {
      name: 'cargo install --root of a tool the image copies',
      code: lines(
        'FROM --platform=$BUILDPLATFORM rust:1 AS build',
        'RUN cargo install --root /out ripgrep',
        'FROM debian:bookworm-slim',
        'COPY --from=build /out/bin/rg /usr/local/bin/rg',
      ),
      errors: [{ messageId: 'cargo', line: 2, column: 5, endColumn: 18 }],
      output: null,
    },
    {
      name: 'a native C compiler',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian:bookworm AS build',
        'RUN apt-get update && apt-get install -y gcc && gcc -O2 -o /out/hello hello.c',
        'FROM debian:bookworm',
        'COPY --from=build /out/hello /usr/local/bin/hello',
      ),
      errors: [{ messageId: 'cc', line: 2, column: 49, endColumn: 52 }],
      output: null,
    },
    {
      // shedrachokonofua/lute PR #6: the arm image would not start (exec format error) because the Rust binary came from the amd64 builder
      name: 'make in a build-platform stage whose binary is copied',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian:bookworm AS build',
        'RUN apt-get update && apt-get install -y build-essential',
        'WORKDIR /src',
        'COPY . .',
        'RUN make -j4 && make install PREFIX=/out',
        'FROM debian:bookworm-slim',
        'COPY --from=build /out /usr/local',
      ),
      errors: [{ messageId: 'native', line: 5, column: 5, endColumn: 9 }],
      output: null,
    },
    {
      name: './configure without --host',
      code: lines('FROM --platform=$BUILDPLATFORM alpine AS build', 'RUN apk add build-base', 'WORKDIR /src/redis', 'RUN ./configure --prefix=/usr && make', 'FROM alpine', 'COPY --from=build /src/redis/src/redis-server /usr/bin/'),
      errors: [{ messageId: 'native', line: 4, column: 5, endColumn: 16 }],
      output: null,
    },
    {
      name: 'cmake without a toolchain',
      code: lines('FROM --platform=$BUILDPLATFORM ubuntu:24.04 AS build', 'WORKDIR /src', 'RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build', 'FROM ubuntu:24.04', 'COPY --from=build /src/build/app /usr/bin/app'),
      errors: [{ messageId: 'native', line: 3, column: 5, endColumn: 13 }],
      output: null,
    },
    {
      // architect/architect issue #1470: sharp installed on x86 and deployed to arm64; here in a build-platform stage whose node_modules the image copies
      name: 'npm ci with native addons, node_modules copied',
      code: lines('FROM --platform=$BUILDPLATFORM node:20-alpine AS deps', 'RUN apk add --no-cache python3 make g++', 'WORKDIR /app', 'COPY package*.json ./', 'RUN npm ci --omit=dev', 'FROM node:20-alpine', 'WORKDIR /app', 'COPY --from=deps /app/node_modules ./node_modules', 'COPY . .'),
      errors: [{ messageId: 'native', line: 5, column: 5, endColumn: 11 }],
      output: null,
    },
    {
      name: 'npm rebuild naming node-gyp',
      code: lines('FROM --platform=$BUILDPLATFORM node:20 AS deps', 'WORKDIR /app', 'COPY . .', 'RUN npm install -g node-gyp && npm rebuild', 'FROM node:20-slim', 'COPY --from=deps /app /app'),
      errors: [{ messageId: 'native', line: 4, column: 5 }],
      output: null,
    },
    {
      name: 'pip wheel with a C toolchain',
      code: lines('FROM --platform=$BUILDPLATFORM python:3.12 AS wheels', 'RUN apt-get install -y gcc libffi-dev', 'RUN pip wheel -w /wheels -r requirements.txt', 'FROM python:3.12-slim', 'COPY --from=wheels /wheels /wheels', 'RUN pip install /wheels/*.whl'),
      errors: [{ messageId: 'native', line: 3, column: 5, endColumn: 14 }],
      output: null,
    },
    {
      name: 'pip install --prefix with a C toolchain',
      code: lines('FROM --platform=$BUILDPLATFORM python:3.12-alpine AS build', 'RUN apk add build-base', 'RUN python -m pip install --prefix=/install -r requirements.txt', 'FROM python:3.12-alpine', 'COPY --from=build /install /usr/local'),
      errors: [{ messageId: 'native', line: 3, column: 5 }],
      output: null,
    },
    {
      // microsoft/dotnet issue #1450 and pjgpetecodes/dotnet6pi issue #3: a self-contained publish for the wrong RID cannot run
      name: 'self-contained dotnet publish without -r or -a',
      code: lines('FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build', 'WORKDIR /src', 'RUN dotnet publish -c Release --self-contained -p:PublishSingleFile=true -o /app', 'FROM mcr.microsoft.com/dotnet/runtime-deps:8.0', 'COPY --from=build /app /app'),
      errors: [{ messageId: 'native', line: 3, column: 5, endColumn: 19 }],
      output: null,
    },
    {
      name: 'a context script that runs make',
      code: lines('FROM --platform=$BUILDPLATFORM debian AS build', 'WORKDIR /src', 'COPY . .', 'RUN ./ci/build.sh', 'FROM debian', 'COPY --from=build /src/bin/app /app'),
      files: { 'ci/build.sh': '#!/bin/sh\nset -e\nmake all\n' },
      errors: [{ messageId: 'native', line: 3, column: 1, endColumn: 5, file: 'ci/build.sh' }],
      output: null,
    },
    {
      // goreleaser-style builds: --single-target takes GOOS/GOARCH from the environment, else the build machine's
      name: 'goreleaser build --single-target without GOARCH',
      code: lines('FROM --platform=$BUILDPLATFORM goreleaser/goreleaser:v2.3.2 AS build', 'WORKDIR /src', 'COPY . .', 'RUN goreleaser build --single-target --snapshot --clean -o /out/app', 'FROM alpine', 'COPY --from=build /out/app /app'),
      errors: [{ messageId: 'native', line: 4, column: 5, endColumn: 21 }],
      output: null,
    },
  ],
});
