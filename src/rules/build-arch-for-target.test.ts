import rule from './build-arch-for-target.js';
import { ruleTester } from './tester.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

ruleTester(rule, {
  valid: [
    {
      name: 'ARG GOARCH=$BUILDARCH for a tool the build stage runs; the image copies only its output',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS tools',
        'ARG GOARCH=$BUILDARCH',
        'RUN go build -o /usr/local/bin/gen ./cmd/gen',
        'RUN gen > /out.txt',
        'FROM alpine',
        'COPY --from=tools /out.txt /gen.txt',
      ),
    },
    {
      name: 'ARG GOARCH=$BUILDARCH, but the build sets GOARCH itself',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder',
        'ARG GOARCH=$BUILDARCH',
        'ARG TARGETARCH',
        'RUN GOARCH=$TARGETARCH go build -o /out/app .',
        'FROM scratch',
        'COPY --from=builder /out/app /app',
      ),
    },
    {
      // the docker docs' cross-compilation guide: protoc fetched for the builder, the Go binary built for the target
      name: 'a build tool fetched for the builder, only the cross-compiled binary copied',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG BUILDARCH TARGETOS TARGETARCH',
        'RUN curl -fsSLo /tmp/protoc.zip "https://github.com/protocolbuffers/protobuf/releases/download/v25.1/protoc-25.1-linux-${BUILDARCH}.zip" && unzip /tmp/protoc.zip -d /usr/local',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'BUILDPLATFORM only printed',
      code: lines('FROM alpine', 'ARG BUILDPLATFORM TARGETPLATFORM', 'RUN echo "building on $BUILDPLATFORM for $TARGETPLATFORM"'),
    },
    {
      name: 'undeclared: empty, AA102 says so',
      code: lines('FROM alpine', 'RUN wget https://example.com/tool-linux-${BUILDARCH}'),
    },
    {
      name: 'autotools --build names the builder on purpose',
      code: lines('FROM --platform=$BUILDPLATFORM debian AS b', 'ARG BUILDARCH TARGETARCH', 'RUN ./configure --build=${BUILDARCH}-linux-gnu --host=${TARGETARCH}-linux-gnu', 'FROM debian', 'COPY --from=b /usr/local /usr/local'),
    },
    {
      name: 'an unreachable stage',
      code: lines('FROM alpine AS old', 'ARG BUILDARCH', 'RUN wget https://example.com/tool-${BUILDARCH}', 'FROM alpine', 'RUN true'),
    },
    {
      // a valitydev service Dockerfile (code corpus): a builder stage (target platform) fetches the thrift compiler
      // for BUILDARCH to generate code; the image copies only the release. The tool runs, the image never holds it.
      name: 'a build tool for the build machine in a target-platform builder stage',
      code: lines(
        'ARG OTP_VERSION=27',
        'FROM erlang:${OTP_VERSION} AS builder',
        'ARG THRIFT_VERSION=0.14.2.3',
        'ARG BUILDARCH',
        'RUN wget -q -O- "https://github.com/valitydev/thrift/releases/download/${THRIFT_VERSION}/thrift-${THRIFT_VERSION}-linux-${BUILDARCH}.tar.gz" | tar -xvz -C /usr/local/bin/',
        'COPY . /build/',
        'WORKDIR /build',
        'RUN rebar3 as prod release',
        'FROM erlang:${OTP_VERSION}-slim',
        'COPY --from=builder /build/_build/prod/rel/app /opt/app',
      ),
    },
    {
      // a Go-toolchain Dockerfile (code corpus): a build-platform stage installs Go for the builder through a shell
      // variable derived from BUILDPLATFORM; only a binary cross-compiled with TARGETARCH in another stage is copied
      name: 'a toolchain for the builder handed to another build-platform stage',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS go-installer',
        'ARG GO_VERSION=1.22.0',
        'ARG BUILDPLATFORM',
        'RUN BUILDARCH=$(echo ${BUILDPLATFORM} | cut -d / -f2) && wget -q "https://go.dev/dl/go${GO_VERSION}.linux-${BUILDARCH}.tar.gz" && tar -C /usr/local -xzf "go${GO_VERSION}.linux-${BUILDARCH}.tar.gz"',
        'FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS builder',
        'COPY --from=go-installer /usr/local/go /usr/local/go',
        'ARG TARGETOS TARGETARCH',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH /usr/local/go/bin/go build -o /out/app .',
        'FROM gcr.io/distroless/static',
        'COPY --from=builder /out/app /app',
      ),
    },
    {
      name: 'a single-quoted word is not expanded',
      code: lines('FROM alpine', 'ARG BUILDARCH', "RUN echo 'curl https://example.com/tool-$BUILDARCH'"),
    },
  ],
  invalid: [
    {
      // an auth0-cas-server-go Dockerfile (search id 15090541619): the stage ARG sets GOARCH from
      // BUILDARCH, so the binary in the scratch image is the build machine's
      name: 'ARG GOARCH=$BUILDARCH before a go build the image copies',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.16-alpine AS builder',
        'ARG GOARCH=$BUILDARCH',
        'ENV CGO_ENABLED=0 GOOS=linux',
        'RUN go build -o /go/bin/app .',
        'FROM scratch',
        'COPY --from=builder /go/bin/app /app',
      ),
      errors: [{ messageId: 'buildStage', line: 2, column: 12, endColumn: 22 }],
      output: null,
    },
    {
      name: 'ENV GOARCH=${BUILDARCH} in a target-platform stage',
      code: lines(
        'FROM golang:1.22',
        'ARG BUILDARCH',
        'ENV GOARCH=${BUILDARCH}',
        'RUN go build -o /usr/local/bin/app .',
      ),
      errors: [{ messageId: 'targetStage', line: 3, column: 12, endColumn: 24 }],
      output: null,
    },
    {
      // gravitational/teleport's build.assets buildbox (code corpus): etcd and Go fetched for BUILDARCH into the image itself
      name: 'downloads for BUILDARCH in the image stage itself',
      code: lines(
        'FROM ubuntu:22.04',
        'ARG BUILDARCH',
        'RUN curl -L https://github.com/coreos/etcd/releases/download/v3.3.9/etcd-v3.3.9-linux-${BUILDARCH}.tar.gz | tar -xz && cp etcd-v3.3.9-linux-${BUILDARCH}/etcd* /bin/',
      ),
      errors: [{ messageId: 'targetStage', line: 3, column: 87 }],
      output: lines(
        'FROM ubuntu:22.04',
        'ARG BUILDARCH',
        'ARG TARGETARCH',
        'RUN curl -L https://github.com/coreos/etcd/releases/download/v3.3.9/etcd-v3.3.9-linux-${TARGETARCH}.tar.gz | tar -xz && cp etcd-v3.3.9-linux-${TARGETARCH}/etcd* /bin/',
      ),
    },
    {
      // a test-tools image (code corpus): helm and kubectl fetched for BUILDARCH into the image
      name: 'helm and kubectl for BUILDARCH in the image',
      code: lines(
        'FROM debian:bookworm',
        'ARG BUILDARCH',
        'RUN curl -sSfLO https://get.helm.sh/helm-v3.18.6-linux-${BUILDARCH}.tar.gz && tar -zxvf helm-v3*${BUILDARCH}.tar.gz && mv linux-${BUILDARCH}/helm /usr/bin',
      ),
      errors: [{ messageId: 'targetStage', line: 3, column: 56 }],
      output: lines(
        'FROM debian:bookworm',
        'ARG BUILDARCH',
        'ARG TARGETARCH',
        'RUN curl -sSfLO https://get.helm.sh/helm-v3.18.6-linux-${TARGETARCH}.tar.gz && tar -zxvf helm-v3*${TARGETARCH}.tar.gz && mv linux-${TARGETARCH}/helm /usr/bin',
      ),
    },
    {
      // argoproj/argo-cd PR #24048: the image stage put on $BUILDPLATFORM shipped amd64 files in the arm64 image; here the
      // same mistake through BUILDARCH in a target-platform stage
      name: 'a download chosen by BUILDARCH in the image stage',
      code: lines('FROM alpine:3.20', 'ARG BUILDARCH', 'RUN curl -fsSL -o /usr/local/bin/kubectl "https://dl.k8s.io/release/v1.30.0/bin/linux/${BUILDARCH}/kubectl"'),
      errors: [{ messageId: 'targetStage', line: 3, column: 87, endColumn: 99, severity: 'error' }],
      output: lines('FROM alpine:3.20', 'ARG BUILDARCH', 'ARG TARGETARCH', 'RUN curl -fsSL -o /usr/local/bin/kubectl "https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl"'),
    },
    {
      name: 'a build-platform stage fetches what the image copies',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'ARG BUILDARCH',
        'RUN wget -O /out/helm.tgz "https://get.helm.sh/helm-v3.14.0-linux-$BUILDARCH.tar.gz" && tar -xzf /out/helm.tgz -C /out',
        'FROM alpine',
        'COPY --from=fetch /out/linux-amd64/helm /usr/local/bin/helm',
      ),
      errors: [{ messageId: 'buildStage', line: 3, column: 67, endColumn: 77, severity: 'error' }],
      output: null,
      suggestions: [
        lines(
          'FROM --platform=$BUILDPLATFORM alpine AS fetch',
          'ARG BUILDARCH',
          'ARG TARGETARCH',
          'RUN wget -O /out/helm.tgz "https://get.helm.sh/helm-v3.14.0-linux-$TARGETARCH.tar.gz" && tar -xzf /out/helm.tgz -C /out',
          'FROM alpine',
          'COPY --from=fetch /out/linux-amd64/helm /usr/local/bin/helm',
        ),
      ],
    },
    {
      name: 'an architecture variable derived from BUILDPLATFORM feeds the URL',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian AS tools',
        'ARG BUILDPLATFORM',
        'RUN ARCH=$(echo "$BUILDPLATFORM" | cut -d/ -f2) && curl -fsSLo /usr/local/bin/yq "https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_${ARCH}"',
        'FROM debian',
        'COPY --from=tools /usr/local/bin/yq /usr/local/bin/yq',
      ),
      errors: [{ messageId: 'buildStage', line: 3, column: 18, endColumn: 32 }],
      output: null,
      suggestions: [
        lines(
          'FROM --platform=$BUILDPLATFORM debian AS tools',
          'ARG BUILDPLATFORM',
          'ARG TARGETPLATFORM',
          'RUN ARCH=$(echo "$TARGETPLATFORM" | cut -d/ -f2) && curl -fsSLo /usr/local/bin/yq "https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_${ARCH}"',
          'FROM debian',
          'COPY --from=tools /usr/local/bin/yq /usr/local/bin/yq',
        ),
      ],
    },
    {
      // the compile target from BUILDARCH silences a check for GOARCH, but builds for the builder
      name: 'GOARCH=$BUILDARCH for a binary the image copies',
      code: lines('FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'ARG BUILDARCH', 'RUN GOARCH=$BUILDARCH go build -o /out/app .', 'FROM gcr.io/distroless/static', 'COPY --from=build /out/app /app'),
      errors: [{ messageId: 'buildStage', line: 3, column: 12, endColumn: 22 }],
      output: null,
      suggestions: [lines('FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'ARG BUILDARCH', 'ARG TARGETARCH', 'RUN GOARCH=$TARGETARCH go build -o /out/app .', 'FROM gcr.io/distroless/static', 'COPY --from=build /out/app /app')],
    },
    {
      name: 'a package named by BUILDARCH in the image stage',
      code: lines('FROM debian:bookworm', 'ARG BUILDARCH', 'RUN apt-get update && apt-get install -y libfoo-$BUILDARCH'),
      errors: [{ messageId: 'targetStage', line: 3, column: 49, endColumn: 59 }],
      output: lines('FROM debian:bookworm', 'ARG BUILDARCH', 'ARG TARGETARCH', 'RUN apt-get update && apt-get install -y libfoo-$TARGETARCH'),
    },
    {
      name: 'ADD of a URL chosen by BUILDOS/BUILDARCH in the image stage',
      code: lines('FROM alpine', 'ARG BUILDOS BUILDARCH', 'ADD https://example.com/tool-${BUILDOS}-${BUILDARCH} /usr/local/bin/tool'),
      errors: [
        { messageId: 'targetStage', line: 3, column: 30 },
        { messageId: 'targetStage', line: 3, column: 41 },
      ],
      output: lines('FROM alpine', 'ARG BUILDOS BUILDARCH', 'ARG TARGETOS', 'ARG TARGETARCH', 'ADD https://example.com/tool-${TARGETOS}-${TARGETARCH} /usr/local/bin/tool'),
    },
    {
      name: 'in a build-context script the image stage runs',
      code: lines('FROM alpine', 'ARG BUILDARCH', 'COPY install.sh /tmp/', 'RUN /tmp/install.sh'),
      files: { 'install.sh': '#!/bin/sh\nwget -O /usr/bin/tool "https://example.com/tool-linux-${BUILDARCH}"\n' },
      errors: [{ messageId: 'targetStage', line: 2, column: 55, file: 'install.sh' }],
      output: null,
    },
  ],
});
