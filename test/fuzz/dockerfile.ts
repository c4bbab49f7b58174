/**
 * Fuzz targets for the Dockerfile: the bytes read (decoding), the parser, the model and every rule
 * (`checkSource`), and the fixer (`fixSource`). Inputs: random and token-built text, plausible
 * Dockerfiles built instruction by instruction, line-aware mutations of realistic Dockerfiles
 * written for these tests, and byte mutations of the repository's own Dockerfiles (the parser's
 * fixtures, the golden `--fix` inputs, the example).
 *
 * Properties (kept from the property tests these replace):
 * (a) reading the bytes gives text or `E_INPUT`; parseDockerfile returns, or throws `E_PARSE`
 *     with a location inside the source — nothing else;
 * (b) checkSource never throws: it returns findings, or an error and no findings;
 * (c) fixSource throws nothing but `E_FIX`, and what it returns parses (or is the untouched input,
 *     when the input does not parse);
 * (d) every finding's range (and every fix edit) lies inside the source, with start <= end and
 *     line/column agreeing with the offset.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AnyarchError } from '../../src/errors.js';
import { parseDockerfile } from '../../src/dockerfile/parser.js';
import { computeLineStarts } from '../../src/dockerfile/text.js';
import type { Position } from '../../src/dockerfile/ast.js';
import type { Finding } from '../../src/rules/types.js';
import { checkSource, fixSource, type FileResult } from '../../src/check/engine.js';
import { dockerfileText } from '../../src/check/input.js';
import { bytesCodec, mutatedBytes, onlyAnyarchErrors, repoFiles, repoRoot, seedBytes, text, utf8, type FuzzTarget } from '../support/fuzz.js';

// ---------------------------------------------------------------------------------------------
// Realistic seeds: written for this test in the idioms that real Dockerfiles use (copies of none)


/** The Zasper Dockerfile shipped as the example (the canonical bad case). */
const ZASPER = text(repoFiles('examples/zasper/Dockerfile')[0] as Uint8Array);

/** A dpkg case with one literal URL and checksum per branch, a signature check, a second stage. */
const DPKG_CASE_TWO_STAGE = `# Fetches a Go toolchain in one stage and keeps only the unpacked tree in the next.
FROM debian:bookworm AS toolchain

ENV PATH /usr/local/go/bin:$PATH
ENV GO_RELEASE 1.23.2

RUN set -eu; \\
	apt-get update; \\
	apt-get install -y --no-install-recommends ca-certificates curl gnupg; \\
	debArch="$(dpkg --print-architecture)"; \\
	tarball=; \\
	case "\${debArch##*-}" in \\
		amd64) tarball='https://go.dev/dl/go1.23.2.linux-amd64.tar.gz'; digest='deadbeef00000001' ;; \\
		arm64) tarball='https://go.dev/dl/go1.23.2.linux-arm64.tar.gz'; digest='deadbeef00000002' ;; \\
		armhf) tarball='https://go.dev/dl/go1.23.2.linux-armv6l.tar.gz'; digest='deadbeef00000003' ;; \\
		i386) tarball='https://go.dev/dl/go1.23.2.linux-386.tar.gz'; digest='deadbeef00000004' ;; \\
		s390x) tarball='https://go.dev/dl/go1.23.2.linux-s390x.tar.gz'; digest='deadbeef00000005' ;; \\
		*) echo "no Go release for \${debArch}" >&2; exit 1 ;; \\
	esac; \\
	\\
	curl -fsSL -o /tmp/go.tgz "$tarball"; \\
	curl -fsSL -o /tmp/go.tgz.asc "$tarball.asc"; \\
	echo "$digest  /tmp/go.tgz" | sha256sum -c -; \\
	\\
# the release key comes with the build context, not from a key server
	export GNUPGHOME="$(mktemp -d)"; \\
	gpg --batch --import /usr/share/keyrings/release-signing.asc; \\
	gpg --batch --verify /tmp/go.tgz.asc /tmp/go.tgz; \\
	rm -rf "$GNUPGHOME"; \\
	\\
	tar -C /usr/local -xzf /tmp/go.tgz; \\
	rm /tmp/go.tgz /tmp/go.tgz.asc; \\
	go version

FROM debian:bookworm-slim

RUN set -eu; \\
	apt-get update; \\
	apt-get install -y --no-install-recommends \\
		gcc \\
		libc6-dev \\
		make \\
	; \\
	rm -rf /var/lib/apt/lists/*

ENV GO_RELEASE 1.23.2
ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH
COPY --from=toolchain --link /usr/local/go/ /usr/local/go/
RUN mkdir -p /go/bin /go/src && chmod -R 1777 /go
WORKDIR $GOPATH
`;

/** apk arch words, a Go environment exported inside some branches, a virtual package. */
const APK_CASE = `FROM alpine:3.20 AS build

ENV PATH /usr/local/go/bin:$PATH

RUN set -eu; \\
	apk add --no-cache --virtual .build-deps curl tar; \\
	apkArch="$(apk --print-arch)"; \\
	src=; \\
	case "$apkArch" in \\
		x86_64)  src='https://go.dev/dl/go1.23.2.linux-amd64.tar.gz' ;; \\
		aarch64) src='https://go.dev/dl/go1.23.2.linux-arm64.tar.gz'; export GOOS='linux' GOARCH='arm64' ;; \\
		armv7)   src='https://go.dev/dl/go1.23.2.linux-armv6l.tar.gz'; export GOARCH='arm' GOARM='7' ;; \\
		x86)     src='https://go.dev/dl/go1.23.2.linux-386.tar.gz' ;; \\
		*) echo "go: no release for \${apkArch}" >&2; exit 1 ;; \\
	esac; \\
	curl -fsSL -o go.tgz "$src"; \\
	tar -C /usr/local -xzf go.tgz; \\
	rm go.tgz; \\
	go env GOARCH; \\
	apk del --no-network .build-deps

FROM alpine:3.20
RUN apk add --no-cache ca-certificates
COPY --from=build /usr/local/go/ /usr/local/go/
`;

/** dpkg words mapped to two vendor variables per branch, a comment inside the && chain. */
const MAPPED_ARCH = `FROM debian:bookworm-slim

RUN groupadd --system --gid 990 svc \\
  && useradd --system --uid 990 --gid svc --shell /usr/sbin/nologin --create-home svc

ENV NODE_VERSION 22.9.0

RUN set -e \\
    && debArch="$(dpkg --print-architecture)" \\
    && case "\${debArch##*-}" in \\
      amd64)   nodeArch=x64 sslTarget=linux-x86_64;; \\
      arm64)   nodeArch=arm64 sslTarget=linux-aarch64;; \\
      armhf)   nodeArch=armv7l sslTarget=linux-armv4;; \\
      ppc64el) nodeArch=ppc64le sslTarget=linux-ppc64le;; \\
      s390x)   nodeArch=s390x sslTarget=linux64-s390x;; \\
      *) echo "node: no binaries for \${debArch}" >&2; exit 1 ;; \\
    esac \\
    # the fetch tools are purged again at the end of this step
    && apt-get update && apt-get install -y --no-install-recommends ca-certificates curl xz-utils \\
    && curl -fsSL "https://nodejs.org/dist/v\${NODE_VERSION}/node-v\${NODE_VERSION}-linux-\${nodeArch}.tar.xz" -o /tmp/node.txz \\
    && tar -xJf /tmp/node.txz -C /usr/local --strip-components=1 --no-same-owner \\
    && rm /tmp/node.txz \\
    && echo "openssl target: $sslTarget" \\
    && apt-get purge -y --auto-remove curl xz-utils \\
    && rm -rf /var/lib/apt/lists/* \\
    && node --version

ENV PNPM_VERSION 9.12.0

RUN set -e \\
  && curl -fsSL -o /tmp/pnpm.tgz "https://registry.npmjs.org/pnpm/-/pnpm-$PNPM_VERSION.tgz" \\
  && mkdir -p /opt/pnpm \\
  && tar -xzf /tmp/pnpm.tgz -C /opt/pnpm --strip-components=1 \\
  && rm /tmp/pnpm.tgz

COPY entrypoint.sh /usr/local/bin/
USER svc
ENTRYPOINT ["entrypoint.sh"]

CMD [ "node" ]
`;

/** dpkg words straight into a URL (through awk), apt-mark bookkeeping, a case with alternatives. */
const DPKG_IN_URL = `FROM debian:bookworm-slim

ENV TINI_VERSION v0.19.0
RUN set -eu; \\
	keep="$(apt-mark showmanual)"; \\
	apt-get update; \\
	apt-get install -y --no-install-recommends ca-certificates curl; \\
	rm -rf /var/lib/apt/lists/*; \\
	debArch="$(dpkg --print-architecture | awk -F '-' '{print $NF}')"; \\
	curl -fsSL -o /usr/local/bin/tini "https://github.com/krallin/tini/releases/download/\${TINI_VERSION}/tini-\${debArch}"; \\
	curl -fsSL -o /tmp/tini.sha256sum "https://github.com/krallin/tini/releases/download/\${TINI_VERSION}/tini-\${debArch}.sha256sum"; \\
	apt-mark auto '.*' > /dev/null; \\
	if [ -n "$keep" ]; then apt-mark manual $keep > /dev/null; fi; \\
	apt-get purge -y --auto-remove; \\
	chmod 0755 /usr/local/bin/tini; \\
	tini --version

RUN set -eu; \\
	debArch="$(dpkg --print-architecture)"; \\
	case "$debArch" in \\
		amd64 | arm64 | s390x) \\
			echo "deb [ signed-by=/usr/share/keyrings/vendor.asc ] https://packages.example.org/debian bookworm main" > /etc/apt/sources.list.d/vendor.list; \\
			apt-get update; \\
			;; \\
		*) \\
			echo "deb-src https://packages.example.org/debian bookworm main" > /etc/apt/sources.list.d/vendor.list; \\
			;; \\
	esac

STOPSIGNAL SIGTERM
EXPOSE 8080
ENTRYPOINT ["tini", "--"]
CMD ["server"]
`;

/** A source build: a host triplet from dpkg-architecture, compiler flags chosen per architecture. */
const CONFIGURE_PER_ARCH = `FROM buildpack-deps:bookworm

ENV LANG C.UTF-8
ENV LUA_VERSION 5.4.7

RUN set -eu; \\
	\\
	curl -fsSL -o lua.tar.gz "https://www.lua.org/ftp/lua-\${LUA_VERSION}.tar.gz"; \\
	mkdir -p /usr/src/lua; \\
	tar -xzf lua.tar.gz -C /usr/src/lua --strip-components=1; \\
	rm lua.tar.gz; \\
	\\
	cd /usr/src/lua; \\
	hostTriplet="$(dpkg-architecture --query DEB_HOST_GNU_TYPE)"; \\
	debArch="$(dpkg --print-architecture)"; \\
# control-flow protection has a different switch on each of the two
	case "\${debArch##*-}" in \\
		amd64) \\
			# CET on x86-64
			MYCFLAGS="\${MYCFLAGS:-} -fcf-protection=full"; \\
			;; \\
		arm64) \\
			MYCFLAGS="\${MYCFLAGS:-} -mbranch-protection=standard"; \\
			;; \\
		i386) \\
			;; \\
		*) \\
			MYCFLAGS="\${MYCFLAGS:-} -fno-omit-frame-pointer"; \\
			;; \\
	esac; \\
	make -j "$(nproc)" linux \\
		CC="\${hostTriplet}-gcc" \\
		"MYCFLAGS=\${MYCFLAGS:-}" \\
		$(test "\${hostTriplet%%-*}" = 'x86_64' && echo 'MYLDFLAGS=-Wl,-O1') \\
	; \\
	make install INSTALL_TOP=/usr/local; \\
	lua -v

CMD ["lua"]
`;

const GO_CROSS = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.23
FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION}-alpine AS build
WORKDIR /src
ARG TARGETOS TARGETARCH
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \\
    --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER nonroot:nonroot
ENTRYPOINT ["/app"]
`;

const UNDECLARED = `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL -o /usr/local/bin/kubectl "https://dl.k8s.io/release/v1.31.2/bin/linux/\${TARGETARCH}/kubectl" \\
    && chmod +x /usr/local/bin/kubectl
RUN curl -fsSL https://get.helm.sh/helm-v3.16.3-linux-$TARGETARCH.tar.gz | tar -xz -C /usr/local/bin --strip-components=1 linux-$TARGETARCH/helm
HEALTHCHECK --interval=30s CMD kubectl version --client || exit 1
CMD ["kubectl", "version", "--client"]
`;

const ARG_DEFAULT = `ARG ALPINE_VERSION=3.20
FROM alpine:\${ALPINE_VERSION}
ARG TARGETARCH=amd64
ARG YQ_VERSION=4.44.3
RUN wget -qO /usr/local/bin/yq https://github.com/mikefarah/yq/releases/download/v\${YQ_VERSION}/yq_linux_\${TARGETARCH} \\
 && chmod +x /usr/local/bin/yq
ENTRYPOINT ["yq"]
`;

const WINDOWS = `# escape=\`

FROM mcr.microsoft.com/windows/servercore:ltsc2022

SHELL ["powershell", "-NoLogo", "-NoProfile", "-Command", "Set-StrictMode -Version 3; $ErrorActionPreference = 'Stop';"]

ENV NODE_VERSION 20.17.0

RUN $zip = 'https://nodejs.org/dist/v20.17.0/node-v20.17.0-win-x64.zip'; \`
    Write-Output ('fetching ' + $zip); \`
    Invoke-WebRequest -UseBasicParsing -Uri $zip -OutFile node.zip; \`
    Expand-Archive node.zip -DestinationPath C:\\; \`
    Rename-Item C:\\node-v20.17.0-win-x64 C:\\nodejs; \`
    Remove-Item node.zip -Force

WORKDIR C:\\nodejs
CMD ["node.exe", "--version"]
`;

const HEREDOC_TOOLS = `# syntax=docker/dockerfile:1.7
FROM ubuntu:24.04 AS tools
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl ca-certificates unzip
curl -fsSLO https://releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_linux_amd64.zip
unzip terraform_1.9.8_linux_amd64.zip -d /usr/local/bin
rm terraform_1.9.8_linux_amd64.zip
EOF
COPY <<EOF /etc/tools.conf
arch=amd64
EOF
RUN curl -fsSL -o /usr/local/bin/yq https://github.com/mikefarah/yq/releases/download/v4.44.3/yq_linux_amd64 \\
# make it executable
    && chmod +x /usr/local/bin/yq

FROM ubuntu:24.04
COPY --from=tools /usr/local/bin/ /usr/local/bin/
ONBUILD COPY . /src
ONBUILD RUN curl -fsSLO https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux-amd64
HEALTHCHECK NONE
ENTRYPOINT ["terraform"]
CMD ["version"]
`;

const APT_SOURCES = `FROM --platform=linux/amd64 debian:bookworm
RUN echo "deb [arch=amd64 signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/debian bookworm stable" > /etc/apt/sources.list.d/docker.list \\
 && apt-get update && apt-get install -y docker-ce-cli
RUN curl -fsSL https://github.com/docker/compose/releases/download/v2.30.3/docker-compose-linux-x86_64 -o /usr/local/lib/docker/cli-plugins/docker-compose
RUN ARCH="$(uname -m)" && curl -fsSL "https://github.com/Kitware/CMake/releases/download/v3.30.5/cmake-3.30.5-linux-\${ARCH}.tar.gz" | tar -xz -C /opt
`;

const RUST_CROSS = `FROM --platform=$BUILDPLATFORM rust:1.83 AS build
ARG TARGETARCH
RUN case "$TARGETARCH" in \\
      amd64) echo x86_64-unknown-linux-gnu > /rust_target ;; \\
      arm64) echo aarch64-unknown-linux-gnu > /rust_target ;; \\
      *) exit 1 ;; \\
    esac
RUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross
RUN rustup target add "$(cat /rust_target)"
COPY . .
RUN cargo build --release --target "$(cat /rust_target)" && cp target/"$(cat /rust_target)"/release/app /app
RUN curl -fsSL https://static.rust-lang.org/rustup/archive/1.27.1/x86_64-unknown-linux-gnu/rustup-init -o /rustup-init

FROM debian:bookworm-slim
COPY --from=build /app /usr/local/bin/app
CMD ["app"]
`;

const SEEDS: readonly string[] = [
  ZASPER,
  DPKG_CASE_TWO_STAGE,
  APK_CASE,
  MAPPED_ARCH,
  DPKG_IN_URL,
  CONFIGURE_PER_ARCH,
  GO_CROSS,
  UNDECLARED,
  ARG_DEFAULT,
  WINDOWS,
  HEREDOC_TOOLS,
  APT_SOURCES,
  RUST_CROSS,
  ZASPER.replace(/\n/g, '\r\n'),
  '\ufeff' + UNDECLARED,
];

// ---------------------------------------------------------------------------------------------
// Generators

const TOKENS: readonly string[] = [
  'FROM ', 'FROM alpine:3.20\n', 'FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n', ' AS ', 'from ',
  'RUN ', 'ARG ', 'ENV ', 'COPY ', 'ADD ', 'ONBUILD ', 'HEALTHCHECK ', 'CMD ', 'ENTRYPOINT ', 'SHELL ',
  'LABEL ', 'EXPOSE ', 'USER ', 'WORKDIR ', 'VOLUME ', 'STOPSIGNAL ', 'MAINTAINER ', 'NONE', 'run ',
  'ARG TARGETARCH\n', 'ARG TARGETARCH=amd64\n', 'ARG TARGETOS TARGETARCH', '$TARGETARCH', '${TARGETARCH}',
  '${TARGETARCH:-amd64}', '${TARGETPLATFORM#linux/}', '$BUILDPLATFORM', '${', '}', '$', '$(', ')', '(',
  '\\\n', '\\', '\\\r\n', '\n', '\r\n', '\r', '\t', ' ', '  ', '\v', '\f',
  '<<EOF', '<<-EOF', "<<'EOF'", '<<"EOF"', '3<<EOF', 'EOF', '\nEOF\n', '\tEOF',
  '"', "'", '`', '[', ']', '["a", "b"]', '["sh", "-c", "echo $TARGETARCH"]', '[1, 2]', '{', '=', ',',
  '#', '# ', '# escape=`\n', '# escape=\\\n', '# syntax=docker/dockerfile:1\n', '# check=skip=all\n',
  '# anyarch ignore=AA101\n', '# hadolint ignore=DL3008\n', '\ufeff',
  '--mount=type=cache,target=/root/.cache', '--from=build', '--platform=linux/amd64', '--chown=1:1', '--',
  'https://go.dev/dl/go1.23.4.linux-amd64.tar.gz', 'https://dl.k8s.io/release/v1.31.2/bin/linux/amd64/kubectl',
  'https://github.com/mikefarah/yq/releases/download/v4/yq_linux_arm64', 'http://', '://', 'curl -LO ', 'wget -O- ',
  'amd64', 'arm64', 'x86_64', 'aarch64', 'armhf', 'armv7', 'ppc64el', 's390x', '386', 'x64', 'linux-',
  'case "$arch" in ', "'amd64') ", ';;', ' esac', 'if [ "$arch" = arm64 ]; then ', 'fi', '&&', '||', '|', ';', '&',
  '$(uname -m)', '$(dpkg --print-architecture)', '$(apk --print-arch)', '`uname -m`', 'dpkgArch', '${arch##*-}',
  'apt-get install -y ', 'apk add --no-cache ', 'deb [arch=amd64] ', 'GOARCH=amd64 ', 'tar -xzf ',
  'alpine', 'golang:1.23', 'mcr.microsoft.com/windows/servercore:ltsc2022', 'powershell', 'C:\\go',
  '\\\\', '\u0000', '\u2028', '\u00a0', '\ud800', '😀', 'é',
];

/** Dockerfile-ish text: tokens mixed with arbitrary characters. */
const dockerfileish: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...TOKENS) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

/** A plausible small Dockerfile: lines of instructions with tokens. */
const dockerfileLines: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom('FROM', 'RUN', 'ARG', 'ENV', 'COPY', 'ADD', 'CMD', 'ENTRYPOINT', 'ONBUILD RUN', 'HEALTHCHECK CMD', 'SHELL', 'LABEL', 'WORKDIR', 'USER', 'EXPOSE', 'VOLUME', '#', ''),
      fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }),
    ),
    { minLength: 1, maxLength: 14 },
  )
  .map((lines) => lines.map(([kw, rest]) => `${kw} ${rest.join('')}`).join('\n'));

/** Shell words for RUN lines: downloads, arch detection, platform args, quoting, operators. */
const SHELL_WORDS: readonly string[] = [
  'curl -fsSLO', 'curl -LO', 'wget -qO-', 'tar -C /usr/local -xzf', 'chmod +x', 'install -m 0755', '&&', ';', '|', '||',
  'https://go.dev/dl/go1.23.4.linux-amd64.tar.gz', 'https://go.dev/dl/go1.23.4.linux-${TARGETARCH}.tar.gz',
  'https://dl.k8s.io/release/v1.31.2/bin/linux/amd64/kubectl', 'https://dl.k8s.io/release/v1.31.2/bin/linux/$TARGETARCH/kubectl',
  'https://get.helm.sh/helm-v3.16.3-linux-arm64.tar.gz', 'https://github.com/mikefarah/yq/releases/download/v4.44.3/yq_linux_amd64',
  'https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip', 'https://github.com/krallin/tini/releases/download/v0.19.0/tini-$dpkgArch',
  '"https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-${nodeArch}.tar.gz"', 'go1.23.4.linux-amd64.tar.gz',
  'https://repo1.maven.org/maven2/x/y/1.0/y-1.0.jar', 'https://github.com/x/y/releases/download/v1/y-darwin-arm64.tar.gz',
  '$TARGETARCH', '${TARGETARCH}', '${TARGETARCH:-amd64}', '$BUILDARCH', '${TARGETVARIANT}', 'GOARCH=amd64', 'GOARCH=$TARGETARCH',
  'dpkgArch="$(dpkg --print-architecture)"', 'arch="$(apk --print-arch)"', 'ARCH=$(uname -m)', '"${arch##*-}"',
  'case "$dpkgArch" in', "'amd64') url=https://x/linux-amd64.tgz ;;", 'arm64) url=https://x/linux-arm64.tgz ;;', 'x86_64) A=amd64 ;;',
  '*) exit 1 ;;', 'esac', 'if [ "$arch" = arm64 ]; then', 'fi', 'apt-get install -y', 'gcc-aarch64-linux-gnu', 'libc6-dev-i386',
  'echo "deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable"', 'apk add --no-cache', 'export',
  '"', "'", '$(', ')', '\`', '{', '}', '${', '>', '2>&1', '#', '=', 'x86_64-unknown-linux-gnu', 'aarch64', 'armhf', 'ppc64el',
];

const shellWord: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...SHELL_WORDS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).map((w) => w.replace(/[\r\n]/g, ' ')) },
);

/** Words joined by spaces, sometimes split over continuation lines (with comment lines inside). */
const shellCommand: fc.Arbitrary<string> = fc
  .array(fc.tuple(shellWord, fc.constantFrom(' ', ' ', ' ', ' \\\n    ', ' \\\n# comment\n    ', ' \\\r\n\t')), { minLength: 1, maxLength: 12 })
  .map((ws) => ws.map(([w, sep], i) => (i === ws.length - 1 ? w : w + sep)).join(''));

const IMAGES = ['alpine:3.20', 'debian:bookworm-slim', 'golang:1.23', '${BASE}', 'ubuntu:noble', 'scratch', 'mcr.microsoft.com/windows/servercore:ltsc2022', 'amd64/alpine', 'build'];
const ARG_NAMES = ['TARGETARCH', 'TARGETOS', 'TARGETPLATFORM', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDARCH', 'VERSION', 'BASE', 'ARCH'];

const instruction: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom('', '--platform=$BUILDPLATFORM ', '--platform=linux/amd64 ', '--platform=$TARGETPLATFORM '), fc.constantFrom(...IMAGES), fc.constantFrom('', ' AS build', ' AS final'))
    .map(([f, i, a]) => `FROM ${f}${i}${a}`),
  { weight: 4, arbitrary: shellCommand.map((c) => `RUN ${c}`) },
  fc.tuple(fc.constantFrom('--mount=type=cache,target=/root/.cache ', '--network=none ', ''), shellCommand).map(([f, c]) => `RUN ${f}${c}`),
  fc
    .tuple(fc.constantFrom('RUN <<EOF', 'RUN <<-EOF', "RUN bash <<'EOF'", 'RUN sh <<EOF', 'COPY <<EOF /etc/x.conf', 'RUN python3 <<EOF'), fc.array(shellCommand, { maxLength: 4 }), fc.constantFrom('EOF', '\tEOF', 'EOF'))
    .map(([h, body, end]) => [h, ...body.map((b) => b.replace(/\\\r?\n[ \t]*/g, '')), end].join('\n')),
  fc.tuple(fc.constantFrom(...ARG_NAMES), fc.constantFrom('', '=amd64', '=arm64', '=1.0', '=${TARGETARCH}')).map(([n, v]) => `ARG ${n}${v}`),
  fc.tuple(fc.constantFrom(...ARG_NAMES, 'PATH', 'GOARCH'), fc.constantFrom('amd64', '$TARGETARCH', '/usr/local/go/bin:$PATH', '"a b"')).map(([n, v]) => `ENV ${n}=${v}`),
  fc.constantFrom('COPY --from=build /out/app /app', 'COPY . /src', 'ADD https://go.dev/dl/go1.23.4.linux-amd64.tar.gz /tmp/', 'COPY --link --chmod=755 a b'),
  fc.constantFrom('CMD ["app"]', 'CMD app --serve', 'ENTRYPOINT ["/bin/sh", "-c", "exec app-$TARGETARCH"]', 'HEALTHCHECK CMD curl -f http://localhost/ || exit 1', 'HEALTHCHECK NONE'),
  fc.constantFrom('SHELL ["powershell", "-Command"]', 'WORKDIR /src', 'USER 1000', 'EXPOSE 8080', 'LABEL a=b', 'STOPSIGNAL SIGTERM', 'VOLUME /data'),
  shellCommand.map((c) => `ONBUILD RUN ${c}`),
  fc.constantFrom('# a comment', '# anyarch ignore=AA101', '# hadolint ignore=DL3008', '# check=skip=UndefinedVar', ''),
);

/** Mostly well-formed Dockerfiles, so the rules (not only the parser) see the input. */
const structured: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '# syntax=docker/dockerfile:1\n', '# escape=`\n', 'ARG BASE=alpine:3.20\n', 'ARG TARGETARCH\n', '\ufeff'),
    instruction.filter((i) => i.startsWith('FROM')),
    fc.array(instruction, { maxLength: 14 }),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([head, from, rest, eol]) => (head + [from, ...rest].join('\n') + '\n').replace(/\r?\n/g, eol));

const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 200 }) },
  { weight: 2, arbitrary: dockerfileish },
  { weight: 2, arbitrary: dockerfileLines },
  { weight: 6, arbitrary: structured },
);

type Mutation =
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'dupChars'; at: number; len: number }
  | { kind: 'deleteLine'; line: number }
  | { kind: 'dupLine'; line: number }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'insertLine'; line: number; text: string };

const INSERTS: readonly string[] = ['\n', '\\', '\\\n', '"', "'", '$', '${', '}', '<<EOF', '#', ' ', '\t', '\r', '[', ']', '`', '=', ';', '&&', 'amd64', 'arm64', '$TARGETARCH', 'x86_64', '-', '/'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...INSERTS), fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 3 })) }),
  fc.record({ kind: fc.constant('dupChars' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('deleteLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('dupLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('insertLine' as const), line: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), dockerfileLines) }),
);

function mutate(source: string, muts: readonly Mutation[]): string {
  let s = source;
  for (const m of muts) {
    const n = s.length + 1;
    switch (m.kind) {
      case 'delete': {
        const at = m.at % n;
        s = s.slice(0, at) + s.slice(at + m.len);
        break;
      }
      case 'insert': {
        const at = m.at % n;
        s = s.slice(0, at) + m.text + s.slice(at);
        break;
      }
      case 'dupChars': {
        const at = m.at % n;
        s = s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len);
        break;
      }
      default: {
        const lines = s.split('\n');
        const L = lines.length;
        if (m.kind === 'deleteLine') lines.splice(m.line % L, 1);
        else if (m.kind === 'dupLine') lines.splice(m.line % L, 0, lines[m.line % L] as string);
        else if (m.kind === 'insertLine') lines.splice(m.line % (L + 1), 0, m.text);
        else {
          const a = m.a % L;
          const b = m.b % L;
          const t = lines[a] as string;
          lines[a] = lines[b] as string;
          lines[b] = t;
        }
        s = lines.join('\n');
      }
    }
  }
  return s;
}

const mutatedSeed: fc.Arbitrary<string> = fc
  .tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([i, muts]) => mutate(SEEDS[i] as string, muts));

// ---------------------------------------------------------------------------------------------
// Assertions

function assertParseError(e: unknown, source: string): void {
  assert.ok(e instanceof AnyarchError, `threw a non-AnyarchError: ${String((e as Error)?.stack ?? e)}`);
  assert.equal(e.code, 'E_PARSE', `threw ${e.code}: ${e.message}`);
  const loc = e.location;
  assert.ok(loc, `E_PARSE without a location: ${e.message}`);
  assert.ok(Number.isInteger(loc.line) && (loc.line as number) >= 1, `bad line ${loc.line}`);
  assert.ok(Number.isInteger(loc.column) && (loc.column as number) >= 1, `bad column ${loc.column}`);
  const lines = computeLineStarts(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source).length;
  assert.ok((loc.line as number) <= lines, `line ${loc.line} beyond the ${lines} lines of the source`);
}

/** The text positions refer to: the source without a byte order mark. */
function positioned(source: string): string {
  return source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
}

function assertPosition(p: Position, text: string, lineStarts: readonly number[], what: string): void {
  assert.ok(Number.isInteger(p.offset) && p.offset >= 0 && p.offset <= text.length, `${what}: offset ${p.offset} outside 0..${text.length}`);
  assert.ok(p.line >= 1 && p.line <= lineStarts.length, `${what}: line ${p.line} outside 1..${lineStarts.length}`);
  assert.equal((lineStarts[p.line - 1] as number) + p.column - 1, p.offset, `${what}: line ${p.line} column ${p.column} is not offset ${p.offset}`);
}

function assertFindingsInside(result: FileResult, source: string): void {
  const text = positioned(source);
  const lineStarts = computeLineStarts(text);
  for (const f of result.findings as Finding[]) {
    const what = `${f.ruleId} ${f.messageId}`;
    assertPosition(f.range.start, text, lineStarts, `${what} start`);
    assertPosition(f.range.end, text, lineStarts, `${what} end`);
    assert.ok(f.range.start.offset <= f.range.end.offset, `${what}: start ${f.range.start.offset} > end ${f.range.end.offset}`);
    const edits = [...(f.fix ?? []), ...(f.suggestions ?? []).flatMap((s) => s.edits)];
    for (const e of edits) {
      assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, `${what}: edit [${e.start}, ${e.end}) outside 0..${text.length}`);
    }
  }
}

function checkOk(source: string): FileResult {
  let r: FileResult;
  try {
    r = checkSource(source, 'Dockerfile');
  } catch (e) {
    assert.fail(`checkSource threw: ${String((e as Error)?.stack ?? e)}`);
  }
  assert.ok(Array.isArray(r.findings));
  if (r.error) {
    assert.ok(r.error instanceof AnyarchError);
    assert.equal(r.findings.length, 0);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Targets

/** The repository's own Dockerfiles: the parser's fixtures, the golden --fix inputs, the example. */
function repoDockerfiles(): Uint8Array[] {
  const root = repoRoot();
  const found: string[] = ['examples/zasper/Dockerfile'];
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      const rel = path.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (/Dockerfile|input/.test(name)) found.push(rel);
    }
  };
  walk('src/dockerfile/fixtures');
  walk('src/check/fixtures');
  return repoFiles(...found);
}

/** Dockerfile bytes: generated text, mutated realistic Dockerfiles, byte-mutated repository files. */
const dockerfileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: anyText.map(utf8) },
  { weight: 3, arbitrary: mutatedSeed.map(utf8) },
  { weight: 2, arbitrary: mutatedBytes(repoDockerfiles) },
  { weight: 1, arbitrary: seedBytes(repoDockerfiles) },
);

/** The text the engine sees: decoded as `anyarch check` decodes a file, else (E_INPUT) lossily, to reach the parser anyway. */
function sourceOf(bytes: Uint8Array): string {
  return onlyAnyarchErrors(() => dockerfileText(bytes, 'Dockerfile'), ['E_INPUT'])?.source ?? text(bytes);
}

export const dockerfileTarget: FuzzTarget<Uint8Array> = {
  name: 'dockerfile',
  reads: 'Dockerfile bytes: decoding, parser, model and every rule (checkSource)',
  input: dockerfileBytes,
  ...bytesCodec,
  ciRuns: 1500,
  check(bytes) {
    const s = sourceOf(bytes);
    try {
      parseDockerfile(s, 'Dockerfile');
    } catch (e) {
      assertParseError(e, s);
    }
    assertFindingsInside(checkOk(s), s);
  },
};

export const dockerfileFixTarget: FuzzTarget<Uint8Array> = {
  name: 'dockerfile-fix',
  reads: 'Dockerfile bytes through --fix (fixSource): only E_FIX, and the output parses',
  input: fc.oneof({ weight: 3, arbitrary: mutatedSeed.map(utf8) }, { weight: 1, arbitrary: mutatedBytes(repoDockerfiles) }, { weight: 1, arbitrary: anyText.map(utf8) }),
  ...bytesCodec,
  ciRuns: 300,
  check(bytes) {
    const s = positioned(sourceOf(bytes));
    let out;
    try {
      out = fixSource(s, 'Dockerfile');
    } catch (e) {
      assert.ok(e instanceof AnyarchError, `fixSource threw a non-AnyarchError: ${String((e as Error)?.stack ?? e)}`);
      assert.equal(e.code, 'E_FIX', `fixSource threw ${e.code}: ${e.message}`);
      return;
    }
    if (out.result.error) {
      // the input did not parse: nothing is fixed
      assert.equal(out.output, s);
      assert.equal(out.fixed.length, 0);
      return;
    }
    try {
      parseDockerfile(out.output, 'Dockerfile');
    } catch (e) {
      assert.fail(`fixed output does not parse: ${(e as Error).message}`);
    }
    assertFindingsInside(out.result, out.output);
  },
};

/**
 * The realistic seeds are clean input (they parse, and the fixer has work on several of them),
 * so the mutations start from Dockerfiles the rules have something to say about. Returns the
 * number of seeds the fixer changes.
 */
export function checkDockerfileSeeds(): number {
  let fixedSeeds = 0;
  for (const s of SEEDS) {
    const r = checkOk(s);
    assert.equal(r.error, undefined, `seed does not parse: ${r.error?.message}\n${s.slice(0, 80)}`);
    assertFindingsInside(r, s);
    const fixed = fixSource(positioned(s), 'Dockerfile');
    parseDockerfile(fixed.output);
    if (fixed.fixed.length) fixedSeeds++;
  }
  return fixedSeeds;
}
