/**
 * Correct multi-architecture idioms that the rules reporting constant architecture words must
 * leave alone (issue 11, "Stay quiet where it is right"), next to the bugs of the same shape
 * that they must still report. Cases derived from public Dockerfiles name their repository (or
 * the search index's file id when the index gave no name); the code is rewritten, not copied.
 */
import archPinnedBaseImage from './arch-pinned-base-image.js';
import archSpecificPath from './arch-specific-path.js';
import fromPlatformConstant from './from-platform-constant.js';
import hardcodedArchDownload from './hardcoded-arch-download.js';
import hardcodedCompilerTarget from './hardcoded-compiler-target.js';
import { ruleTester } from './tester.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

// --- one stage per architecture, chosen by FROM name-${TARGETARCH} ------------------------------

ruleTester(hardcodedArchDownload, {
  valid: [
    {
      name: 'per-arch stages chosen by FROM build-${TARGETARCH}, each downloading its own build',
      code: lines(
        'FROM alpine:3.20 AS base',
        'FROM base AS build-amd64',
        'RUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl',
        'FROM base AS build-arm64',
        'RUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/arm64/kubectl',
        'FROM build-${TARGETARCH} AS final',
        'RUN chmod +x /usr/local/bin/kubectl',
      ),
    },
    {
      name: 'the stage name comes from a global ARG built from TARGETARCH',
      code: lines(
        'ARG FLAVOUR=fetch-${TARGETARCH}',
        'FROM debian:12 AS fetch-amd64',
        'RUN curl -fsSLO https://go.dev/dl/go1.22.0.linux-amd64.tar.gz',
        'FROM debian:12 AS fetch-arm64',
        'RUN curl -fsSLO https://go.dev/dl/go1.22.0.linux-arm64.tar.gz',
        'FROM ${FLAVOUR}',
        'RUN tar -C /usr/local -xzf go1.22.0.linux-*.tar.gz',
      ),
    },
    {
      name: 'a stage for an architecture that is not a target is never built',
      code: lines(
        'FROM alpine:3.20 AS build-amd64',
        'RUN wget -O /tini https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64',
        'FROM alpine:3.20 AS build-arm64',
        'RUN wget -O /tini https://github.com/krallin/tini/releases/download/v0.19.0/tini-arm64',
        'FROM alpine:3.20 AS build-s390x',
        'RUN wget -O /tini https://github.com/krallin/tini/releases/download/v0.19.0/tini-s390x',
        'FROM build-${TARGETARCH}',
      ),
    },
    {
      name: 'a release stage fetching every architecture in separate RUNs (fan-out)',
      code: lines(
        'FROM alpine:3.20 AS release',
        'RUN curl -fsSLO https://github.com/acme/tool/releases/download/v1/tool-linux-amd64.tar.gz',
        'RUN curl -fsSLO https://github.com/acme/tool/releases/download/v1/tool-linux-arm64.tar.gz',
        'FROM alpine:3.20',
        'ARG TARGETARCH',
        'COPY --from=release /tool-linux-${TARGETARCH}.tar.gz /tmp/',
      ),
    },
    {
      // derived from an index file (id 12793405918): the .deb files are fetched and installed in
      // other instructions (reported there); the rm that cleans them up names them only
      name: 'rm of downloaded packages after their installation',
      code: lines('FROM debian:12', 'RUN rm /tmp/stratum-bmv2_0.0.1_amd64.deb /tmp/stratum-tools_0.0.1_amd64.deb'),
    },
    {
      name: 'arch words in commands that neither fetch nor install: rm, ls, test, [ ], printf, a checksum line',
      code: lines(
        'FROM debian:12',
        'ARG TARGETARCH',
        'RUN curl -fsSLO https://example.com/tool-linux-${TARGETARCH}.tar.gz',
        'RUN rm -f /tmp/go1.22.linux-amd64.tar.gz',
        'RUN ls -la /opt/node-v20.1.0-linux-x64.tar.xz || true',
        'RUN test -f /downloads/tool_linux_amd64.zip && echo present',
        'RUN [ -e /downloads/tool_linux_amd64.zip ] || echo absent',
        'RUN printf "%s\\n" "fetch https://example.com/tool-linux-amd64.tar.gz by hand"',
        'RUN echo "0123abcd  go1.22.linux-amd64.tar.gz" > SHA256SUMS',
        'RUN echo "0123abcd  go1.22.linux-amd64.tar.gz" | sha256sum -c -',
      ),
    },
  ],
  invalid: [
    {
      // derived from an index file (id 55074264240): a Hugo extended build fetched for amd64 only
      name: 'the single-stage download next to a frontend stage stays an error',
      code: lines(
        'FROM node:22-slim AS web',
        'RUN npm ci && npm run build',
        'FROM python:3.11-slim',
        'ARG HUGO_VERSION=0.140.0',
        'RUN curl -L "https://github.com/gohugoio/hugo/releases/download/v${HUGO_VERSION}/hugo_extended_${HUGO_VERSION}_linux-amd64.tar.gz" -o hugo.tar.gz && tar -xzf hugo.tar.gz -C /usr/local/bin',
      ),
      errors: [{ messageId: 'download', line: 5 }],
      output: lines(
        'FROM node:22-slim AS web',
        'RUN npm ci && npm run build',
        'FROM python:3.11-slim',
        'ARG HUGO_VERSION=0.140.0',
        'ARG TARGETARCH',
        'RUN curl -L "https://github.com/gohugoio/hugo/releases/download/v${HUGO_VERSION}/hugo_extended_${HUGO_VERSION}_linux-${TARGETARCH}.tar.gz" -o hugo.tar.gz && tar -xzf hugo.tar.gz -C /usr/local/bin',
      ),
    },
    {
      name: 'the default of an ARG that names a stage is built for every target',
      code: lines(
        'ARG FLAVOUR=fetch-x86',
        'FROM debian:12 AS fetch-x86',
        'RUN curl -fsSLO https://go.dev/dl/go1.22.0.linux-amd64.tar.gz',
        'FROM ${FLAVOUR} AS build',
        'FROM debian:12',
        'COPY --from=build /go1.22.0.linux-amd64.tar.gz /tmp/',
      ),
      errors: [{ messageId: 'download', line: 3 }],
      output: lines(
        'ARG FLAVOUR=fetch-x86',
        'FROM debian:12 AS fetch-x86',
        'ARG TARGETARCH',
        'RUN curl -fsSLO https://go.dev/dl/go1.22.0.linux-${TARGETARCH}.tar.gz',
        'FROM ${FLAVOUR} AS build',
        'FROM debian:12',
        'COPY --from=build /go1.22.0.linux-amd64.tar.gz /tmp/',
      ),
    },
    {
      name: 'tar -x and dpkg -i of a one-architecture file still report',
      code: lines('FROM debian:12', 'RUN tar -xzf /tmp/tool-linux-amd64.tar.gz -C /usr/local', 'RUN dpkg -i /tmp/foo_1.0_amd64.deb'),
      errors: [
        { messageId: 'download', line: 2 },
        { messageId: 'download', line: 3 },
      ],
      output: lines('FROM debian:12', 'ARG TARGETARCH', 'RUN tar -xzf /tmp/tool-linux-${TARGETARCH}.tar.gz -C /usr/local', 'RUN dpkg -i /tmp/foo_1.0_${TARGETARCH}.deb'),
    },
  ],
});

// --- fan-out compiler stages --------------------------------------------------------------------

ruleTester(hardcodedCompilerTarget, {
  valid: [
    {
      name: 'GOARCH for every architecture in separate RUNs of one stage, chosen later by TARGETARCH',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'COPY . /src',
        'RUN cd /src && GOOS=linux GOARCH=amd64 go build -o /out/linux-amd64/app .',
        'RUN cd /src && GOOS=linux GOARCH=arm64 go build -o /out/linux-arm64/app .',
        'FROM alpine:3.20',
        'ARG TARGETARCH',
        'COPY --from=build /out/linux-${TARGETARCH}/app /usr/local/bin/app',
      ),
    },
    {
      name: 'GOARCH in per-arch stages chosen by FROM build-${TARGETARCH}',
      code: lines(
        'FROM golang:1.22 AS src',
        'COPY . /src',
        'FROM src AS build-amd64',
        'RUN cd /src && GOARCH=amd64 go build -o /app .',
        'FROM src AS build-arm64',
        'RUN cd /src && GOARCH=arm64 go build -o /app .',
        'FROM build-${TARGETARCH}',
      ),
    },
    {
      // derived from an index file (id 3687561393): a Rust cross-build environment image for arm64
      name: 'rustup target add of the foreign target in a cross toolchain set-up',
      code: lines(
        'FROM debian:bookworm',
        'RUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y crossbuild-essential-arm64',
        'RUN curl https://sh.rustup.rs -sSf | sh -s -- -y',
        'RUN rustup target add aarch64-unknown-linux-gnu',
      ),
    },
    {
      // derived from an index file (id 44400462439): GOARCH chosen in an if on a build arg
      name: 'GOARCH inside if branches on an architecture ARG',
      code: lines(
        'FROM golang:1.24-alpine AS builder',
        'ARG BUILD_ARCH',
        'RUN if [ "${BUILD_ARCH}" = "aarch64" ]; then GOARCH=arm64 go build; elif [ "${BUILD_ARCH}" = "amd64" ]; then GOARCH=amd64 go build; fi',
      ),
    },
  ],
  invalid: [
    {
      // derived from an index file (id 34432354623): a notifier service built with GOARCH=amd64
      name: 'one GOARCH in a stage whose binary goes into the image',
      code: lines(
        'FROM golang:1.22-alpine AS build',
        'COPY . /w',
        'RUN cd /w && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o notifier .',
        'FROM alpine:3.19',
        'COPY --from=build /w/notifier /notifier',
      ),
      errors: [{ messageId: 'goarch', line: 3 }],
      output: lines(
        'FROM golang:1.22-alpine AS build',
        'ARG TARGETARCH',
        'COPY . /w',
        'RUN cd /w && CGO_ENABLED=0 GOOS=linux GOARCH=${TARGETARCH} go build -o notifier .',
        'FROM alpine:3.19',
        'COPY --from=build /w/notifier /notifier',
      ),
    },
  ],
});

// --- constant --platform stages that only provide architecture-independent files ---------------

ruleTester(fromPlatformConstant, {
  valid: [
    {
      name: 'a certs/zoneinfo/passwd stage pinned to amd64',
      code: lines(
        'FROM --platform=linux/amd64 alpine:3.20 AS certs',
        'RUN apk add --no-cache ca-certificates tzdata',
        'FROM scratch',
        'COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/',
        'COPY --from=certs /usr/share/zoneinfo /usr/share/zoneinfo',
        'COPY --from=certs /etc/passwd /etc/group /etc/',
      ),
    },
    {
      // derived from an index file (id 43358824334): a React build pinned to amd64, served by nginx
      name: 'a node build stage pinned to amd64 whose build/ is copied into nginx',
      code: lines(
        'FROM --platform=linux/amd64 node:16 AS build',
        'WORKDIR /app',
        'COPY . .',
        'RUN npm install && npm run build',
        'FROM nginx:alpine',
        'COPY --from=build /app/build /usr/share/nginx/html',
      ),
    },
    {
      // derived from an index file (id 52534728134): a UBI stage pinned to amd64 hands the RHEL CA
      // bundle, zoneinfo and passwd to a scratch image whose binary was cross-built outside
      name: 'a UBI certs stage pinned to amd64 (/etc/pki/ca-trust bundle, zoneinfo, passwd)',
      code: lines(
        'FROM --platform=linux/amd64 registry.access.redhat.com/ubi10/ubi-minimal:latest AS certs',
        'RUN microdnf install -y ca-certificates tzdata',
        'FROM scratch',
        'COPY --from=certs /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/ssl/certs/ca-certificates.crt',
        'COPY --from=certs /usr/share/zoneinfo /usr/share/zoneinfo',
        'COPY --from=certs /etc/passwd /etc/passwd',
      ),
    },
    {
      name: 'a node stage pinned to amd64 whose dist/ is copied',
      code: lines(
        'FROM --platform=linux/amd64 node:20 AS web',
        'WORKDIR /app',
        'COPY . .',
        'RUN npm ci && npm run build',
        'FROM nginx:1.27',
        'COPY --from=web /app/dist /usr/share/nginx/html',
      ),
    },
    {
      name: 'a stage pinned to amd64 providing scripts and a jar',
      code: lines(
        'FROM --platform=linux/amd64 maven:3 AS tools',
        'RUN mvn -q package',
        'FROM eclipse-temurin:21-jre',
        'COPY --from=tools /work/target/app.jar /app/app.jar',
        'COPY --from=tools /work/bin/entrypoint.sh /entrypoint.sh',
      ),
    },
  ],
  invalid: [
    {
      // derived from an index file (id 25742421619): certs from a pinned stage are fine, the pinned
      // Go builder and the pinned final stage are not
      name: 'the certs stage is quiet, the pinned builder and final stage are not',
      code: lines(
        'FROM --platform=linux/amd64 alpine AS certs',
        'RUN apk add ca-certificates',
        'FROM --platform=linux/amd64 golang AS builder',
        'RUN go build -o /exporter',
        'FROM --platform=linux/amd64 busybox:glibc',
        'COPY --from=builder /exporter /',
        'COPY --from=certs /etc/ssl/certs /etc/ssl/certs',
      ),
      // the image's own pin (line 5) is the finding; the builder pinned alike follows it
      errors: [{ messageId: 'pinned', line: 5 }],
    },
    {
      // derived from an index file (id 55772552647): a cgo scanner tool, amd64 by design, with the
      // builder and the final stage both pinned: one finding, at the image's pin
      name: 'builder and image pinned to the same platform: reported once, at the image',
      code: lines(
        'FROM --platform=linux/amd64 golang:1.24-alpine AS builder',
        'RUN CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build -o /out/tool .',
        'FROM --platform=linux/amd64 alpine:3.20',
        'COPY --from=builder /out/tool /usr/local/bin/tool',
      ),
      errors: [{ messageId: 'pinned', line: 3 }],
    },
    {
      // derived from an index file (id 19439316976): a builder pinned to amd64 that compiles with
      // GOARCH=${TARGETARCH}: right bytes for every target, only emulated on other build machines
      name: 'a pinned build stage cross-compiling for TARGETARCH is information',
      code: lines(
        'FROM --platform=linux/amd64 golang:1.20 AS builder',
        'COPY . /app',
        'ARG TARGETARCH',
        'RUN cd /app && CGO_ENABLED=0 GOOS=linux GOARCH=${TARGETARCH} go build -o main .',
        'FROM alpine:3.20',
        'COPY --from=builder /app/main /main',
      ),
      errors: [{ messageId: 'pinnedBuilder', line: 1, severity: 'info' }],
    },
    {
      name: 'a pinned non-JavaScript stage whose build/ directory is copied (binaries)',
      code: lines(
        'FROM --platform=linux/amd64 golang:1.22 AS gobuild',
        'RUN go build -o /src/build/server .',
        'FROM alpine:3.20',
        'COPY --from=gobuild /src/build /usr/local/bin',
      ),
      errors: [{ messageId: 'pinned', line: 1 }],
    },
  ],
});

// --- per-arch stages in the other constant-word rules ------------------------------------------

ruleTester(archSpecificPath, {
  valid: [
    {
      // derived from an index file (id 29733079944): each per-arch stage copies its own loader
      name: 'per-arch scratch stages copying their own dynamic loader',
      code: lines(
        'FROM example.com/nitro-cli:latest AS cli',
        'FROM scratch AS build-amd64',
        'COPY --from=cli /lib64/ld-linux-x86-64.so.2 /lib64/',
        'FROM scratch AS build-arm64',
        'COPY --from=cli /lib/ld-linux-aarch64.so.1 /lib/',
        'FROM build-${TARGETARCH} AS build',
        'COPY --from=cli /usr/bin/nitro-cli /bin/nitro-cli',
      ),
    },
    {
      // derived from index files (ids 15991320780, 30393939656, 40190756099): the NVIDIA container
      // toolkit workaround that deletes the driver stubs a CUDA image ships, a no-op elsewhere
      name: 'rm -rf of x86_64-linux-gnu driver stubs (NVIDIA workaround)',
      code: lines(
        'FROM nvidia/cuda:12.1.0-base-ubuntu22.04',
        'RUN rm -rf /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.1',
      ),
    },
    {
      name: 'a path in rm and ls only names it',
      code: lines('FROM debian:12', 'RUN rm -rf /usr/lib/x86_64-linux-gnu/libfoo.a && ls /usr/lib/x86_64-linux-gnu || true'),
    },
  ],
  invalid: [
    {
      // derived from an index file (id 14606733720): dqlite libraries copied from x86_64-linux-gnu
      name: 'a multiarch library path copied into the final image',
      code: lines(
        'FROM ubuntu AS build',
        'RUN apt-get update && apt-get install -y libuv1-dev',
        'FROM ubuntu',
        'COPY --from=build /usr/lib/x86_64-linux-gnu/libuv.so.1 /usr/lib/',
      ),
      errors: [{ messageId: 'path', line: 4 }],
    },
    {
      // derived from index files (ids 37976664519, 68725542609): JAVA_HOME set to the amd64 JDK path
      name: 'JAVA_HOME pointing at the amd64 JDK directory',
      code: lines('FROM apache/airflow:3.3.1', 'RUN apt-get update && apt-get install -y openjdk-17-jdk-headless', 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64'),
      errors: [{ messageId: 'path', line: 3 }],
    },
    {
      name: 'echo of a path into a config file writes it',
      code: lines('FROM debian:12', 'RUN echo /usr/lib/x86_64-linux-gnu/odbc > /etc/ld.so.conf.d/odbc.conf && ldconfig'),
      errors: [{ messageId: 'path', line: 2 }],
    },
  ],
});

ruleTester(archPinnedBaseImage, {
  valid: [
    {
      // derived from an index file (id 23592138468): alpine for amd64, arm64v8/alpine for arm64
      name: 'per-architecture base images chosen by FROM base-${TARGETARCH}',
      code: lines('FROM amd64/alpine:3.20 AS base-amd64', 'FROM arm64v8/alpine:3.20 AS base-arm64', 'FROM base-${TARGETARCH}', 'RUN apk add curl'),
    },
  ],
  invalid: [
    {
      name: 'a per-architecture base image used for every target',
      code: lines('FROM amd64/alpine:3.20', 'RUN apk add curl'),
      errors: [{ messageId: 'namespace', line: 1 }],
    },
  ],
});
