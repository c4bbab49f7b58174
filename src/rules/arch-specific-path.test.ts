import rule from './arch-specific-path.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    'FROM debian:12\nENV LD_LIBRARY_PATH=/usr/local/lib',
    // the triplet comes from dpkg-architecture
    'FROM debian:12\nRUN triplet="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"; ./configure --build="$triplet" --prefix=/opt/lua',
    'FROM debian:12\nRUN ln -s "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libjemalloc.so.2" /usr/lib/libjemalloc.so',
    'FROM debian:12\nRUN ln -s /usr/lib/$(gcc -print-multiarch)/libz.so /usr/local/lib/libz.so',
    'FROM debian:12\nRUN multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH)" && cp "/usr/lib/$multiarch/libssl.so.3" /out/',
    // chosen per architecture
    'FROM debian:12\nRUN case "$(dpkg --print-architecture)" in \\\n  amd64) ln -s /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/libjemalloc.so ;; \\\n  arm64) ln -s /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib/libjemalloc.so ;; \\\n esac',
    'FROM debian:12\nRUN if [ "$(uname -m)" = "x86_64" ]; then cp /lib64/ld-linux-x86-64.so.2 /out/; fi',
    'FROM debian:12\nRUN if [ -d /usr/lib/x86_64-linux-gnu ]; then echo found; fi',
    'FROM debian:12\nRUN test -e /lib64/ld-linux-x86-64.so.2 || echo "not amd64"',
    // every target has the path: single-architecture on purpose
    { code: 'FROM debian:12\nENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu', platforms: 'linux/amd64' },
    { code: 'FROM debian:12\nENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu', platforms: 'linux/amd64/v3' },
    // a stage pinned to amd64 (AA108's business) has amd64 paths
    'FROM --platform=linux/amd64 debian:12 AS tool_amd64\nENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu\nFROM tool_amd64 AS more\nRUN ln -s /usr/lib/x86_64-linux-gnu/libz.so /opt/libz.so\nFROM debian:12',
    // paths of both architectures: written for both on purpose
    'FROM debian:12\nENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu:/usr/lib/aarch64-linux-gnu',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY lib/x86_64-linux-gnu/ C:/tools/lib/',
    // URLs are downloads (AA101), not paths in the image
    'FROM debian:12\nADD https://example.com/mirror/usr/lib/x86_64-linux-gnu/libfoo.so /opt/',
    // cross-compiling on purpose: foreign packages, cross toolchains, xx
    'FROM --platform=$BUILDPLATFORM debian:12 AS build\nRUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y libssl-dev:arm64\nENV PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig\nFROM debian:12',
    'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc-aarch64-linux-gnu\nENV LIBRARY_PATH=/usr/lib/aarch64-linux-gnu\nFROM debian:12',
    'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM debian:12 AS build\nCOPY --from=xx / /\nRUN xx-apt-get install -y libssl-dev\nENV PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig\nFROM debian:12',
    // the cross compiler itself is not a multiarch directory
    'FROM debian:12\nENV CC=/usr/bin/aarch64-linux-gnu-gcc',
    'FROM eclipse-temurin:21\nENV JAVA_HOME=/usr/lib/jvm/default-java',
    "FROM debian:12\nCOPY --chmod=755 <<'EOF' /entrypoint.sh\n#!/bin/sh\nif [ \"$(uname -m)\" = x86_64 ]; then\n  export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\nfi\nexec \"$@\"\nEOF",
    // COPY/ADD sources named for one architecture: quiet idioms
    'FROM alpine\nARG TARGETOS TARGETARCH\nCOPY bin/${TARGETOS}_${TARGETARCH}/app /usr/local/bin/\n',
    'FROM alpine\nARG TARGETPLATFORM\nCOPY dist/$TARGETPLATFORM/app /usr/local/bin/\n',
    // a real image that runs i386 tools under emulation copies its wrapper script, named for i386 but the
    // same text on every CPU (a triaged false positive from the search tool's code corpus, file id 71262059708)
    'FROM debian:12\nCOPY wrap-i386.sh /usr/local/sbin/wrap-i386.sh\nCOPY conf/linux-amd64/settings.yaml /etc/app/\n',
    { name: 'built for amd64 only', code: 'FROM alpine\nCOPY bin/linux_amd64/app /usr/local/bin/\n', platforms: 'linux/amd64' },
    { name: 'a constant --platform stage', code: 'FROM --platform=linux/amd64 alpine\nCOPY bin/linux_amd64/app /usr/local/bin/\n' },
    // a fan-out on purpose (after bomdrift's Dockerfile in the search corpus, file id 62212649367):
    // every architecture copied on the build platform, then picked by TARGETARCH
    'FROM --platform=$BUILDPLATFORM busybox AS pick\nARG TARGETARCH\nCOPY dist/linux-amd64/tool /bins/linux-amd64/tool\nCOPY dist/linux-arm64/tool /bins/linux-arm64/tool\nRUN cp "/bins/linux-${TARGETARCH}/tool" /tool\nFROM debian\nCOPY --from=pick /tool /usr/local/bin/\n',
    'FROM alpine\nCOPY dist/linux-amd64/tool /opt/amd64/\nCOPY dist/linux-arm64/tool /opt/arm64/\n',
    { name: 'other OS and the destination', code: 'FROM alpine\nCOPY dist/darwin_amd64/README.md /opt/x86_64/\n' },
    'FROM alpine\nADD https://example.com/app-linux-amd64.tar.gz /tmp/\n',
    'FROM alpine\nCOPY docs/x64dbg-notes.md /docs/\n',
    // crossbario/autobahn-js issue #476: qemu-aarch64-static is named after the CPU it emulates
    'FROM debian\nCOPY .qemu/qemu-aarch64-static /usr/bin/qemu-aarch64-static\n',
  ],
  invalid: [
    // public Dockerfiles (search corpus file ids 19211474145, 46238969669, 3469514596, 36822781232,
    // 58847312320): a Go binary cross-built on the host into bin/linux_amd64 and copied in
    {
      name: 'COPY bin/linux_amd64/<binary>',
      code: 'FROM alpine:3.21\nCOPY bin/linux_amd64/stackdome-server /app/\nENTRYPOINT ["/app/stackdome-server"]\n',
      errors: [{ messageId: 'copySource', line: 2, column: 16, endColumn: 21 }],
      output: null,
    },
    {
      name: 'a directory glob',
      code: 'FROM debian:stable-slim\nCOPY bin/linux_amd64/* /usr/local/bin/\n',
      errors: [{ messageId: 'copySource', line: 2 }],
      output: null,
    },
    // public Dockerfiles (search corpus file ids 45464601575, 22519541349, 18688766007): dist/linux-amd64
    {
      name: 'COPY dist/linux-amd64/<binary>',
      code: 'FROM alpine:3.8\nCOPY dist/linux-amd64/presto-proxy /presto-proxy\n',
      errors: [{ messageId: 'copySource', line: 2 }],
      output: null,
    },
    // public Dockerfiles (search corpus file ids 45119795399, 29560406399, 10333962314, 36221650919):
    // a Rust musl target directory copied from the build stage
    {
      name: 'COPY --from=build target/x86_64-unknown-linux-musl/release/<binary>',
      code: 'FROM rust:1.86-alpine AS build\nRUN cargo build --release --target x86_64-unknown-linux-musl\nFROM scratch\nCOPY --from=build /src/target/x86_64-unknown-linux-musl/release/ironcrew /ironcrew\n',
      errors: [{ messageId: 'copySource', line: 4 }],
      output: null,
    },
    {
      name: 'exec form, arm64 directory in an amd64+arm64 build',
      code: 'FROM alpine\nCOPY ["release/linux-arm64/app", "/usr/bin/app"]\n',
      errors: [{ messageId: 'copySource', line: 2 }],
      output: null,
    },
    {
      name: 'goreleaser dist directory with a level',
      code: 'FROM alpine\nCOPY dist/app_linux_amd64_v1/app /usr/bin/app\n',
      errors: [{ messageId: 'copySource', line: 2 }],
      output: null,
    },
    {
      code: 'FROM debian:12\nENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu:/usr/local/lib',
      output: null,
      errors: [{ messageId: 'path', line: 2, column: 30, endColumn: 46, severity: 'warning' }],
    },
    {
      name: 'COPY from a build stage: one finding for the instruction',
      code: 'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y libssl3\nFROM gcr.io/distroless/cc\nCOPY --from=build /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/',
      output: null,
      errors: [{ messageId: 'path', line: 4, column: 28 }],
    },
    {
      name: 'the glibc-on-Alpine loader hack',
      code: 'FROM alpine:3.20\nRUN mkdir /lib64 && ln -s /lib/libc.musl-x86_64.so.1 /lib64/ld-linux-x86-64.so.2',
      output: null,
      errors: [
        { messageId: 'path', line: 2, column: 32 },
        { messageId: 'path', line: 2, column: 61 },
      ],
    },
    {
      code: 'FROM ubuntu:24.04\nWORKDIR /usr/lib/aarch64-linux-gnu',
      output: null,
      errors: [{ messageId: 'path', line: 2, column: 18 }],
    },
    {
      code: 'FROM debian:12\nRUN apt-get update && apt-get install -y openjdk-17-jdk-headless\nENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64',
      output: null,
      errors: [{ messageId: 'path', line: 3, column: 28, endColumn: 49 }],
    },
    {
      code: 'FROM --platform=$BUILDPLATFORM rust:1.80 AS build\nENV PKG_CONFIG_PATH=/usr/lib/x86_64-linux-gnu/pkgconfig\nFROM debian:12',
      output: null,
      errors: [{ messageId: 'builderPath', line: 2, column: 30 }],
    },
    {
      name: 'a config file written by COPY <<EOF',
      code: 'FROM debian:12\nCOPY <<EOF /etc/ld.so.conf.d/app.conf\n/usr/lib/x86_64-linux-gnu/app\nEOF',
      output: null,
      errors: [{ messageId: 'path', line: 3, column: 10 }],
    },
    {
      code: 'FROM debian:12\nRUN echo /usr/lib/x86_64-linux-gnu/app > /etc/ld.so.conf.d/app.conf && ldconfig',
      output: null,
      errors: [{ messageId: 'path', line: 2, column: 19 }],
    },
    {
      code: 'FROM debian:12\nRUN patchelf --set-interpreter /lib64/ld-linux-x86-64.so.2 /app/bin',
      output: null,
      errors: [{ messageId: 'path', line: 2, column: 39 }],
    },
    {
      code: 'FROM debian:12\nRUN <<EOF\nset -e\nln -sf /usr/lib/aarch64-linux-gnu/libz.so /usr/local/lib/libz.so\nEOF',
      output: null,
      errors: [{ messageId: 'path', line: 4, column: 17 }],
    },
    {
      name: 'a stage built FROM a build-machine stage runs there too',
      code: 'FROM --platform=$BUILDPLATFORM rust:1.80 AS base\nFROM base AS build\nENV PKG_CONFIG_PATH=/usr/lib/x86_64-linux-gnu/pkgconfig\nFROM debian:12',
      output: null,
      errors: [{ messageId: 'builderPath', line: 3, column: 30 }],
    },
    {
      name: 'an entrypoint script written by COPY <<EOF is read as shell',
      code: "FROM debian:12\nCOPY --chmod=755 <<'EOF' /entrypoint.sh\n#!/bin/sh\nexport LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\nexec \"$@\"\nEOF",
      output: null,
      errors: [{ messageId: 'path', line: 4, column: 28 }],
    },
    {
      code: 'FROM debian:12\nENV LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu',
      platforms: 'linux/arm64,linux/arm/v7',
      output: null,
      errors: [{ messageId: 'path', line: 2, column: 30 }],
    },
    {
      code: 'FROM alpine:3.20\nRUN cp /lib/ld-musl-aarch64.so.1 /out/',
      output: null,
      errors: [{ messageId: 'path', line: 2, column: 13 }],
    },
  ],
});
