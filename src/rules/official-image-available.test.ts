import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkSource } from '../check/engine.js';
import { parsePlatformList } from '../platform/index.js';
import rule from './official-image-available.js';
import { ruleTester } from './tester.js';

const ZASPER = readFileSync(new URL('../../../examples/zasper/Dockerfile', import.meta.url), 'utf8');
const GO = 'https://go.dev/dl/go1.23.4.linux-amd64.tar.gz';

ruleTester(rule, {
  valid: [
    'FROM golang:1.23\nRUN go build -o /app .',
    // one Go URL per architecture, chosen by dpkg
    'FROM debian:bookworm AS build\nRUN cpu="$(dpkg --print-architecture)"; src=; \\\n case "$cpu" in \\\n  amd64) src=https://go.dev/dl/go1.23.2.linux-amd64.tar.gz ;; \\\n  arm64) src=https://go.dev/dl/go1.23.2.linux-arm64.tar.gz ;; \\\n  *) echo "go: $cpu unsupported" >&2; exit 1 ;; \\\n esac; \\\n curl -fsSL -o go.tgz "$src"',
    // the Docker static binaries, one per architecture, chosen by apk
    'FROM alpine:3.20\nRUN cpu="$(apk --print-arch)"; case "$cpu" in \\\n x86_64) src=https://download.docker.com/linux/static/stable/x86_64/docker-26.1.4.tgz ;; \\\n aarch64) src=https://download.docker.com/linux/static/stable/aarch64/docker-26.1.4.tgz ;; \\\n esac; curl -fsSL -o docker.tgz "$src"',
    // portable URL templates
    'FROM debian:12\nARG TARGETARCH\nRUN curl -fsSL "https://go.dev/dl/go1.23.4.linux-${TARGETARCH}.tar.gz" | tar -C /usr/local -xz',
    'FROM debian:12\nENV NODE_VERSION=20.11.0\nRUN curl -fsSLO "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz"',
    // single-architecture on purpose
    { code: `FROM ubuntu:noble\nRUN curl -LO ${GO} && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz`, platforms: 'linux/amd64' },
    // arch-independent downloads and tools without an official image
    'FROM eclipse-temurin:21\nRUN curl -fsSLO https://archive.apache.org/dist/maven/maven-3/3.9.9/binaries/apache-maven-3.9.9-bin.tar.gz',
    'FROM debian:12\nRUN curl -fsSLO https://dl.k8s.io/release/v1.31.0/bin/linux/amd64/kubectl',
    'FROM debian:12\nRUN curl -fsSLO https://go.dev/dl/go1.23.4.src.tar.gz',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command Invoke-WebRequest -Uri https://go.dev/dl/go1.23.4.windows-amd64.zip -OutFile go.zip',
    // a stage pinned to amd64, and a tool for the build machine (AA101's business)
    `FROM --platform=linux/amd64 ubuntu:noble AS legacy\nRUN curl -LO ${GO}\nFROM alpine`,
    `FROM --platform=$BUILDPLATFORM debian:12 AS build\nRUN curl -LO ${GO}\nFROM alpine`,
    // already the official image
    `FROM docker.io/library/golang:1.23\nRUN curl -LO ${GO}`,
  ],
  invalid: [
    {
      name: 'examples/zasper/Dockerfile',
      code: ZASPER,
      output: null,
      errors: [{ messageId: 'useOfficial', line: 16, column: 14, severity: 'info' }],
    },
    {
      code: 'FROM debian:12\nRUN curl -fsSLO https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz && tar -xJf node-v20.11.0-linux-x64.tar.xz -C /usr/local --strip-components=1',
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 17 }],
    },
    {
      code: 'FROM ubuntu:24.04\nADD https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.4%2B7/OpenJDK21U-jdk_x64_linux_hotspot_21.0.4_7.tar.gz /opt/',
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 5 }],
    },
    {
      code: 'FROM debian:12\nRUN curl -fsSLo rustup-init https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init && chmod +x rustup-init && ./rustup-init -y',
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 29 }],
    },
    {
      code: 'FROM alpine:3.20\nRUN curl -fsSL https://download.docker.com/linux/static/stable/x86_64/docker-27.3.1.tgz | tar -xz -C /usr/local/bin --strip-components=1',
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 16 }],
    },
    {
      name: 'once per RUN',
      code: `FROM debian:12\nRUN curl -fsSLO ${GO} && curl -fsSLO ${GO}.sha256 && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz`,
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 17 }],
    },
    {
      code: 'FROM debian:12\nRUN wget -q https://dl.google.com/go/go1.22.5.linux-arm64.tar.gz',
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 13 }],
    },
    {
      code: `FROM debian:12\nRUN curl -LO ${GO}`,
      platforms: 'linux/arm64',
      output: null,
      errors: [{ messageId: 'useOfficial', line: 2, column: 14 }],
    },
  ],
});

test('AA112 names the official image with the version of the download', () => {
  const messages = (code: string): string[] =>
    checkSource(code, 'Dockerfile', { rules: [rule], platforms: parsePlatformList('linux/amd64,linux/arm64') }).findings.map(
      (f) => f.message,
    );
  assert.match(messages(ZASPER)[0] ?? '', /FROM golang:1\.23\.4 /);
  assert.match(messages('FROM debian\nRUN curl -LO https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz')[0] ?? '', /node:20\.11\.0/);
  assert.match(
    messages('FROM debian\nADD https://github.com/adoptium/temurin17-binaries/releases/download/jdk-17.0.12%2B7/OpenJDK17U-jre_x64_linux_hotspot_17.0.12_7.tar.gz /opt/')[0] ?? '',
    /eclipse-temurin:17-jre/,
  );
  assert.match(messages('FROM debian\nRUN curl -fsSLO https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init')[0] ?? '', /FROM rust /);
  assert.match(
    messages('FROM alpine\nRUN curl -fsSLO https://unofficial-builds.nodejs.org/download/release/v20.11.0/node-v20.11.0-linux-x64-musl.tar.xz')[0] ?? '',
    /FROM node:20\.11\.0-alpine /,
  );
  assert.match(
    messages('FROM alpine\nADD https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.4%2B7/OpenJDK21U-jdk_aarch64_alpine-linux_hotspot_21.0.4_7.tar.gz /opt/')[0] ?? '',
    /eclipse-temurin:21-jdk-alpine /,
  );
});
