/**
 * AA117: a build argument of the Dockerfile's own whose default is one architecture's word and
 * that chooses per-architecture content. Real cases are rewritten in our own words; the
 * repository (or, where the code corpus did not name it, the excerpt's id) is named above each.
 */
import rule from './arch-arg-default.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'derived from TARGETARCH',
      code: 'FROM alpine\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      name: 'no default: the value comes from --build-arg',
      code: 'FROM alpine\nARG ARCH\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      // Francesco149/sharenix (Dockerfile): ARG ARCH=x86_64 only reaches CMD setarch at run time
      name: 'only used at run time (CMD), or only echoed',
      code: 'FROM golang:1.11\nARG ARCH=x86_64\nENV arch=${ARCH}\nRUN echo "building for $arch"\nCMD setarch ${arch} ./release.sh\n',
    },
    {
      name: 'a global ARG that no stage redeclares is not seen by RUN',
      code: 'ARG ARCH=amd64\nFROM alpine\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      // jordigilh/kubernaut#422: ARG GOARCH=amd64 in several service Dockerfiles; AA107 reports GOARCH
      name: 'ARG GOARCH=amd64 is AA107\'s',
      code: 'FROM golang:1.22\nARG GOARCH=amd64\nRUN CGO_ENABLED=0 GOARCH=${GOARCH} go build -o /app .\n',
    },
    {
      // arhat-dev/dockerfile (builder/rust/debian.dockerfile): ARG ARCH=amd64 picks the base image tag; AA113 reports it
      name: 'a FROM line is AA113\'s',
      code: 'ARG ARCH=amd64\nFROM arhatdev/base-rust:debian-${ARCH}\nWORKDIR /app\n',
    },
    {
      name: 'single-arch on purpose',
      code: 'FROM alpine\nARG ARCH=amd64\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
      platforms: 'linux/amd64',
    },
    {
      name: 'a default that is not an architecture word',
      code: 'FROM alpine\nARG FLAVOUR=musl\nRUN wget https://example.com/tool_linux_amd64_${FLAVOUR}.tar.gz\n',
    },
    {
      name: 'used only for a directory name',
      code: 'FROM alpine\nARG ARCH=amd64\nRUN mkdir -p /opt/${ARCH} && ls /opt/${ARCH}\n',
    },
  ],
  invalid: [
    {
      // kubebuilder installer in the code corpus (find_string "ARG ARCH=amd64", id 30616052992; repository
      // not named there): ARG ARCH=amd64, then curl …/kubebuilder_<v>_linux_${ARCH}.tar.gz
      name: 'ARG ARCH=amd64 picks the kubebuilder tarball',
      code:
        'FROM golang:1.12.7 AS builder\nARG KB_VER=1.0.8\nARG ARCH=amd64\n' +
        'RUN curl -sLO "https://github.com/kubernetes-sigs/kubebuilder/releases/download/v${KB_VER}/kubebuilder_${KB_VER}_linux_${ARCH}.tar.gz" && \\\n' +
        '    tar -zxvf kubebuilder_${KB_VER}_linux_${ARCH}.tar.gz\n',
      errors: [{ messageId: 'argDefault', line: 3, column: 10, endColumn: 15 }],
      output:
        'FROM golang:1.12.7 AS builder\nARG KB_VER=1.0.8\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\n' +
        'RUN curl -sLO "https://github.com/kubernetes-sigs/kubebuilder/releases/download/v${KB_VER}/kubebuilder_${KB_VER}_linux_${ARCH}.tar.gz" && \\\n' +
        '    tar -zxvf kubebuilder_${KB_VER}_linux_${ARCH}.tar.gz\n',
    },
    {
      // a Minecraft server image in the code corpus (find_string "ARG ARCH=amd64", id 5143873597; itzg's
      // restify and rcon-cli releases): ARG ARCH=amd64, then two ADDs of …_linux_${ARCH}.tar.gz
      name: 'ARG ARCH=amd64 in two ADD URLs: one report',
      code:
        'FROM openjdk:8-jre-alpine\nARG RESTIFY_VER=1.1.6\nARG RCON_CLI_VER=1.4.6\nARG ARCH=amd64\n' +
        'ADD https://github.com/itzg/restify/releases/download/${RESTIFY_VER}/restify_${RESTIFY_VER}_linux_${ARCH}.tar.gz /tmp/restify.tgz\n' +
        'ADD https://github.com/itzg/rcon-cli/releases/download/${RCON_CLI_VER}/rcon-cli_${RCON_CLI_VER}_linux_${ARCH}.tar.gz /tmp/rcon-cli.tgz\n',
      errors: [{ messageId: 'argDefault', line: 4 }],
      output:
        'FROM openjdk:8-jre-alpine\nARG RESTIFY_VER=1.1.6\nARG RCON_CLI_VER=1.4.6\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\n' +
        'ADD https://github.com/itzg/restify/releases/download/${RESTIFY_VER}/restify_${RESTIFY_VER}_linux_${ARCH}.tar.gz /tmp/restify.tgz\n' +
        'ADD https://github.com/itzg/rcon-cli/releases/download/${RCON_CLI_VER}/rcon-cli_${RCON_CLI_VER}_linux_${ARCH}.tar.gz /tmp/rcon-cli.tgz\n',
    },
    {
      // a 3x-ui image in the code corpus (find_string "ARG ARCH=amd64", id 71624060872): ARG ARCH=amd64,
      // curl …/x-ui-linux-${ARCH}.tar.gz
      name: 'ARG ARCH=amd64 in a quoted curl URL',
      code:
        'FROM alpine:3.19\nARG XUI_VERSION=v2.5.8\nARG ARCH=amd64\n' +
        'RUN curl -L "https://github.com/mhsanaei/3x-ui/releases/download/${XUI_VERSION}/x-ui-linux-${ARCH}.tar.gz" -o /tmp/x-ui.tar.gz\n',
      errors: [{ messageId: 'argDefault', line: 3 }],
      output:
        'FROM alpine:3.19\nARG XUI_VERSION=v2.5.8\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\n' +
        'RUN curl -L "https://github.com/mhsanaei/3x-ui/releases/download/${XUI_VERSION}/x-ui-linux-${ARCH}.tar.gz" -o /tmp/x-ui.tar.gz\n',
    },
    {
      // GoogleCloudPlatform/cloud-builders-community (protoc/Dockerfile): ARG PROTOC_TARGET=linux-x86_64,
      // then ARG ASSET_NAME=protoc-<v>-${PROTOC_TARGET}.zip and wget …/protoc-<v>-${PROTOC_TARGET}.zip;
      // protoc calls arm64 `aarch_64`, which TARGETARCH does not give: reported, not fixed
      name: 'ARG PROTOC_TARGET=linux-x86_64',
      code:
        'FROM ubuntu\nARG PROTOC_VERSION=3.6.1\nARG PROTOC_TARGET=linux-x86_64\nARG ASSET_NAME=protoc-${PROTOC_VERSION}-${PROTOC_TARGET}.zip\n' +
        'RUN wget https://github.com/google/protobuf/releases/download/v${PROTOC_VERSION}/protoc-${PROTOC_VERSION}-${PROTOC_TARGET}.zip && unzip ${ASSET_NAME} -d protoc\n',
      errors: [{ messageId: 'argDefault', line: 3, column: 25, endColumn: 31 }],
      output: null,
    },
    {
      // Sentry's relay/semaphore images in the code corpus (find_string "ARG BUILD_ARCH=x86_64", ids 2388277585,
      // 14986123877): ARG BUILD_ARCH=x86_64, ENV BUILD_TARGET=${BUILD_ARCH}-unknown-linux-gnu, cargo --target
      name: 'ARG BUILD_ARCH=x86_64 reaches cargo --target through ENV',
      code:
        'FROM rust:slim-buster AS relay-deps\nARG BUILD_ARCH=x86_64\nENV BUILD_ARCH=${BUILD_ARCH}\nENV BUILD_TARGET=${BUILD_ARCH}-unknown-linux-gnu\n' +
        'RUN cargo build --release --locked --target=${BUILD_TARGET}\n',
      errors: [{ messageId: 'argDefault', line: 2, column: 16 }],
      output: null,
    },
    {
      // a CUDA image in the code corpus (find_string "ARG BUILD_ARCH=x86_64", id 66915757801): the NVIDIA
      // repository path takes ${BUILD_ARCH} (x86_64 / sbsa), so no TARGETARCH replacement is offered
      name: 'ARG BUILD_ARCH=x86_64 in an NVIDIA repository URL',
      code:
        'FROM ubuntu:24.04\nARG BUILD_ARCH=x86_64\n' +
        'RUN wget -qO /tmp/cuda-keyring.deb https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/${BUILD_ARCH}/cuda-keyring_1.1-1_all.deb && dpkg -i /tmp/cuda-keyring.deb\n',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output: null,
    },
    {
      name: 'a global ARG redeclared in the stage',
      code: 'ARG ARCH=arm64\nFROM alpine\nARG ARCH\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
      errors: [{ messageId: 'argDefault', line: 1, column: 10 }],
      output: 'ARG ARCH=${TARGETARCH}\nFROM alpine\nARG ARCH\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      name: 'a global ARG also read by FROM: reported, not fixed',
      code: 'ARG ARCH=amd64\nFROM ${ARCH}/alpine\nARG ARCH\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
      errors: [{ messageId: 'argDefault', line: 1 }],
      output: null,
    },
    {
      name: 'a case that picks the download by the ARG',
      code:
        'FROM debian\nARG ARCH=amd64\nRUN case "$ARCH" in amd64) U=https://example.com/x64.tgz ;; arm64) U=https://example.com/a64.tgz ;; esac; curl -fsSLO "$U"\n',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output:
        'FROM debian\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\nRUN case "$ARCH" in amd64) U=https://example.com/x64.tgz ;; arm64) U=https://example.com/a64.tgz ;; esac; curl -fsSLO "$U"\n',
    },
    {
      name: 'an ARG of a stage, inherited by a stage built FROM it',
      code: 'FROM alpine AS base\nARG ARCH=arm64\nFROM base\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output: 'FROM alpine AS base\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\nFROM base\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      name: 'a file of the build context chosen by the ARG',
      code: 'FROM alpine\nARG TARGET_ARCH=amd64\nCOPY bin/linux_${TARGET_ARCH}/app /usr/local/bin/app\n',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output: 'FROM alpine\nARG TARGETARCH\nARG TARGET_ARCH=${TARGETARCH}\nCOPY bin/linux_${TARGET_ARCH}/app /usr/local/bin/app\n',
    },
    {
      name: 'a script told the architecture',
      code: 'FROM debian\nARG ARCH=amd64\nCOPY install.sh /\nRUN /install.sh --arch "$ARCH"\n',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output: 'FROM debian\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\nCOPY install.sh /\nRUN /install.sh --arch "$ARCH"\n',
    },
    {
      name: 'arm/v7 among the targets: TARGETARCH is not enough, reported without a fix',
      code: 'FROM alpine\nARG ARCH=amd64\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
      platforms: 'linux/amd64,linux/arm/v7',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output: null,
    },
    {
      name: 'in a build-platform stage: BUILDARCH',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS tools\nARG LINT_ARCH=amd64\nRUN curl -fsSLO https://example.com/lint/v1/lint-linux-${LINT_ARCH}.tar.gz\n',
      errors: [{ messageId: 'argDefault', line: 2 }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS tools\nARG BUILDARCH\nARG LINT_ARCH=${BUILDARCH}\nRUN curl -fsSLO https://example.com/lint/v1/lint-linux-${LINT_ARCH}.tar.gz\n',
    },
  ],
});
