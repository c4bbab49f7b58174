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
  ],
  invalid: [
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
