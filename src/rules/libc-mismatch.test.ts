import rule from './libc-mismatch.js';
import { ruleTester } from './tester.js';

const NODE = 'https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz';
const NODE_MUSL = 'https://unofficial-builds.nodejs.org/download/release/v20.11.0/node-v20.11.0-linux-x64-musl.tar.xz';
const AWS = 'https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip';

ruleTester(rule, {
  valid: [
    // a variable after -linux- may carry -musl: cannot tell, silent
    'FROM alpine:3.20\nRUN wget -q "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$NODE_ARCH.tar.xz"',
    // Node.js on Alpine: the musl build on musl
    'FROM alpine:3.20\nRUN NODE_ARCH=x64 && wget -q "https://unofficial-builds.nodejs.org/download/release/v22.9.0/node-v22.9.0-linux-${NODE_ARCH}-musl.tar.gz"',
    // Node.js on Debian: the glibc build on glibc, the word chosen in a case
    'FROM debian:bookworm-slim\nRUN debArch="$(dpkg --print-architecture)" && case "$debArch" in amd64) NODE_ARCH=x64 ;; arm64) NODE_ARCH=arm64 ;; esac \\\n && wget -q "https://nodejs.org/dist/v22.9.0/node-v22.9.0-linux-${NODE_ARCH}.tar.gz"',
    // a static musl binary runs on glibc
    'FROM debian:12\nRUN curl -fsSLO https://github.com/BurntSushi/ripgrep/releases/download/14.1.0/ripgrep-14.1.0-x86_64-unknown-linux-musl.tar.gz',
    // the stage installs a glibc compatibility layer
    `FROM alpine:3.20\nRUN apk add --no-cache gcompat curl\nRUN curl -fsSL ${AWS} -o /tmp/awscli.zip`,
    `FROM alpine:3.20\nRUN apk add --no-cache libc6-compat\nRUN curl -fsSLO ${NODE}`,
    // the C library of node:20 is not told by its name: silent
    'FROM node:20\nRUN pip install https://example.org/wheels/numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl -fsSLO https://example.org/tool-x86_64-unknown-linux-gnu.zip',
    // chosen by the C library
    `FROM alpine:3.20\nRUN if [ -f /etc/alpine-release ]; then url=${NODE_MUSL}; else url=${NODE}; fi && curl -fsSLO "$url"`,
    // a fetch stage whose files go to a glibc image
    `FROM alpine:3.20 AS fetch\nRUN wget -q ${AWS} && unzip awscli-exe-linux-x86_64.zip -d /opt\nFROM debian:12\nCOPY --from=fetch /opt/aws /opt/aws\nRUN /opt/aws/install`,
    // Go tarballs are static: fine on Alpine
    'FROM alpine:3.20\nRUN wget -q https://go.dev/dl/go1.23.4.linux-amd64.tar.gz && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz',
    'FROM python:3.12-alpine\nRUN pip install https://example.org/wheels/foo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl',
    'FROM rust:1.80-alpine\nRUN wget https://static.rust-lang.org/rustup/archive/1.27.1/x86_64-unknown-linux-musl/rustup-init',
    'FROM ubuntu:24.04\nRUN curl -fsSLO https://github.com/astral-sh/uv/releases/download/0.4.0/uv-x86_64-unknown-linux-gnu.tar.gz',
    {
      name: 'a mapping to the musl builds is not the glibc build',
      code: 'FROM alpine:3.20\nARG TARGETARCH\nRUN case "${TARGETARCH}" in amd64) node_arch=\'x64-musl\' ;; arm64) node_arch=\'arm64-musl\' ;; esac; \\\n    wget -q https://unofficial-builds.nodejs.org/download/release/v20.11.0/node-v20.11.0-linux-${node_arch}.tar.xz',
    },
  ],
  invalid: [
    {
      name: 'the glibc build behind a TARGETARCH mapping (what AA101\'s fix writes) is still the glibc build',
      code: 'FROM alpine:3.20\nARG TARGETARCH\nRUN case "${TARGETARCH}" in amd64) node_arch=\'x64\' ;; arm64) node_arch=\'arm64\' ;; *) exit 1 ;; esac; \\\n    wget -q https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-${node_arch}.tar.xz',
      errors: [{ messageId: 'glibcOnMusl', line: 4, column: 13 }],
      output: null,
    },
    {
      name: 'the Node.js glibc build with its version in a variable',
      code: 'FROM alpine:3.20\nENV NODE_VERSION=22.9.0\nRUN wget -q "https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz"',
      errors: [{ messageId: 'glibcOnMusl', line: 3, column: 14 }],
      output: null,
    },
    {
      code: `FROM alpine:3.20\nRUN curl -fsSLO ${NODE} && tar -xJf node-v20.11.0-linux-x64.tar.xz -C /usr/local --strip-components=1`,
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 2, column: 17, endColumn: 17 + NODE.length, severity: 'warning' }],
    },
    {
      code: 'FROM python:3.12-alpine\nRUN pip install https://files.pythonhosted.org/packages/00/aa/numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 2, column: 17 }],
    },
    {
      name: 'AWS CLI v2 (glibc only)',
      code: `FROM alpine:3.20\nRUN curl "${AWS}" -o awscliv2.zip && unzip awscliv2.zip && ./aws/install`,
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 2, column: 11 }],
    },
    {
      code: 'FROM alpine\nRUN wget -q https://github.com/astral-sh/uv/releases/download/0.4.0/uv-x86_64-unknown-linux-gnu.tar.gz',
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 2, column: 13 }],
    },
    {
      code: `FROM debian:12-slim\nRUN curl -fsSLO ${NODE_MUSL}`,
      output: null,
      errors: [{ messageId: 'muslOnGlibc', line: 2, column: 17 }],
    },
    {
      code: 'FROM ubuntu:24.04\nRUN pip install /tmp/foo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl',
      output: null,
      errors: [{ messageId: 'muslOnGlibc', line: 2, column: 17 }],
    },
    {
      name: 'a URL template is still the glibc build',
      code: 'FROM alpine:3.20\nARG TARGETARCH\nRUN curl -fsSLO "https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-${TARGETARCH}.tar.xz"',
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 3, column: 18 }],
    },
    {
      code: 'FROM alpine:3.20\nADD https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.4%2B7/OpenJDK21U-jdk_x64_linux_hotspot_21.0.4_7.tar.gz /opt/',
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 2, column: 5 }],
    },
    {
      name: 'musl told by apk, not by the image name',
      code: `FROM mycorp/base:1\nRUN apk add --no-cache curl\nRUN curl -fsSL ${AWS} -o /tmp/aws.zip`,
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 3, column: 16 }],
    },
    {
      name: 'a fetch stage whose files go to another Alpine stage',
      code: `FROM alpine:3.20 AS fetch\nRUN wget -q ${AWS}\nFROM alpine:3.20\nCOPY --from=fetch /aws /aws`,
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 2, column: 13 }],
    },
    {
      code: 'ARG BASE=alpine:3.20\nFROM $BASE\nRUN wget -q https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-x86_64.sh',
      output: null,
      errors: [{ messageId: 'glibcOnMusl', line: 3, column: 13 }],
    },
  ],
});
