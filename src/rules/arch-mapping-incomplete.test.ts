import rule from './arch-mapping-incomplete.js';
import { ruleTester, type InvalidCase, type ValidCase } from './tester.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** The cases, exported for counting what `check` caught before and after (see docs/rules/AA118.md). */
export const cases: { readonly valid: readonly ValidCase[]; readonly invalid: readonly InvalidCase<keyof typeof rule.messages>[] } = {
  valid: [
    // --- complete mappings, as real Dockerfiles write them
    {
      // an oci-actions-runner Dockerfile (search id 54612057010): `ARG TARGETARCH=amd64` gives arm64
      // the amd64 word before the mapping runs; AA103 reports the default, the mapping is complete
      name: 'a complete TARGETARCH case under a shadowing ARG default is AA103\'s',
      code: lines(
        'FROM debian:13-slim',
        'ARG TARGETARCH=amd64',
        'RUN case "${TARGETARCH}" in amd64) RUNNER_ARCH=x64;; arm64) RUNNER_ARCH=arm64;; *) exit 1;; esac; \\',
        '    curl -fsSL -o runner.tar.gz "https://github.com/actions/runner/releases/download/v2.328.0/actions-runner-linux-${RUNNER_ARCH}-2.328.0.tar.gz"',
      ),
    },
    {
      // docker-library/golang (dpkgArch case with an explicit failure for the rest)
      name: 'dpkg case with a branch for every target and exit for the rest',
      code: lines(
        'FROM debian:bookworm-slim',
        'RUN set -eux; \\',
        '    case "$(dpkg --print-architecture)" in \\',
        "      amd64) url='https://go.dev/dl/go1.22.5.linux-amd64.tar.gz' ;; \\",
        "      arm64) url='https://go.dev/dl/go1.22.5.linux-arm64.tar.gz' ;; \\",
        '      *) echo >&2 "unsupported architecture"; exit 1 ;; \\',
        '    esac; \\',
        '    curl -fsSLo go.tgz "$url"',
      ),
      platforms: 'linux/amd64,linux/arm64',
    },
    {
      // dart-lang/dart-docker#53: the inline case after the fix (x64, arm, arm64)
      name: 'inline $(case … esac) with echo for each platform',
      code: lines(
        'FROM debian:bookworm-slim',
        'RUN SDKARCH=$(case "$(uname -m)" in x86_64) echo "x64";; armv7l) echo "arm";; aarch64) echo "arm64";; esac); \\',
        '    curl -fLO "https://storage.googleapis.com/dart-archive/channels/stable/release/3.4.0/sdk/dartsdk-linux-$SDKARCH-release.zip"',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
    },
    {
      // docker/buildx#1931 (the Dockerfile it proposed to replace): TARGETPLATFORM case with echo
      name: 'TARGETPLATFORM case inside $( ) choosing Docker static words',
      code: lines(
        'FROM alpine:3.20',
        'ARG TARGETPLATFORM',
        'RUN DOCKER_ARCH=$(case ${TARGETPLATFORM:-linux/amd64} in \\',
        '      "linux/amd64") echo "x86_64" ;; \\',
        '      "linux/arm64") echo "aarch64" ;; \\',
        '      *) echo "" ;; esac) && \\',
        '    wget -qO- "https://download.docker.com/linux/static/stable/${DOCKER_ARCH}/docker-27.1.1.tgz" | tar -xz',
      ),
    },
    {
      // a Dockerfile fetching dsadsadsss/plutonodes releases (code corpus 392204286): if/elif with `||`
      name: 'if / elif [ a ] || [ b ] / else exit',
      code: lines(
        'FROM python:3.12-slim',
        'RUN if [ "$(uname -m)" = "x86_64" ]; then \\',
        '      curl -sL -o /app/agent https://example.com/releases/linux-amd64-agent; \\',
        '    elif [ "$(uname -m)" = "aarch64" ] || [ "$(uname -m)" = "arm64" ]; then \\',
        '      curl -sL -o /app/agent https://example.com/releases/linux-arm64-agent; \\',
        '    else echo "Unsupported architecture"; exit 1; fi',
      ),
    },
    {
      // a RKNN toolkit Dockerfile (code corpus 27487284377): aarch64 never printed by dpkg, but arm64 is tested too
      name: 'a never-printed alternative next to the printed one',
      code: lines(
        'FROM python:3.11-slim',
        'RUN if [ "$(dpkg --print-architecture)" = "arm64" ] || [ "$(dpkg --print-architecture)" = "aarch64" ]; then \\',
        '      pip install ./package/toolkit-aarch64.whl; \\',
        '    else echo "not installed here"; fi',
      ),
    },
    {
      // typst release in a Fedora-based Dockerfile (code corpus 67184326007); arm64 is there for macOS hosts
      name: 'uname case with arm64|aarch64 alternatives',
      code: lines(
        'FROM fedora:40',
        'RUN case "$(uname -m)" in \\',
        '      x86_64) TYPST_ARCH=x86_64 ;; \\',
        '      aarch64|arm64) TYPST_ARCH=aarch64 ;; \\',
        '      *) echo "unsupported: $(uname -m)" >&2; exit 1 ;; \\',
        '    esac \\',
        '    && curl -fsSL "https://github.com/typst/typst/releases/download/v0.11.1/typst-${TYPST_ARCH}-unknown-linux-musl.tar.xz" -o /tmp/typst.tar.xz',
      ),
    },
    {
      // monero CLI (code corpus 18458508796): globs per family
      name: 'glob patterns aarch64* | arm64 | armv8*, armv7*',
      code: lines(
        'FROM debian:12-slim',
        'RUN case "$(uname -m)" in \\',
        '      x86_64) ARCH="x64" ;; \\',
        '      aarch64* | arm64 | armv8*) ARCH="armv8" ;; \\',
        '      armv7*) ARCH="armv7" ;; \\',
        '      *) echo "Unexpected architecture: $(uname -m)" && exit 1;; \\',
        '    esac \\',
        '    && wget https://downloads.getmonero.org/cli/monero-linux-${ARCH}-v0.18.3.4.tar.bz2',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
    },
    {
      // bitcoin core (code corpus 36738587210): TARGETPLATFORM to GNU triples, exit for the rest
      name: 'TARGETPLATFORM case with a triple per platform',
      code: lines(
        'FROM debian:bookworm-slim',
        'ARG TARGETPLATFORM',
        'ARG BITCOIN_VERSION=27.1',
        'RUN case "${TARGETPLATFORM}" in \\',
        '    "linux/amd64") BITCOIN_ARCH="x86_64-linux-gnu" ;; \\',
        '    "linux/arm64") BITCOIN_ARCH="aarch64-linux-gnu" ;; \\',
        '    "linux/arm/v7") BITCOIN_ARCH="arm-linux-gnueabihf" ;; \\',
        '    *) echo "Unsupported platform: ${TARGETPLATFORM}" && exit 1 ;; \\',
        '    esac && \\',
        '    wget https://bitcoincore.org/bin/bitcoin-core-${BITCOIN_VERSION}/bitcoin-${BITCOIN_VERSION}-${BITCOIN_ARCH}.tar.gz',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
    },
    {
      // an aquasecurity/trivy install script (code corpus 60339901387): the vendor's own words 64bit / ARM64
      name: 'dpkg case to trivy words',
      code: lines(
        'FROM ubuntu:24.04',
        'RUN case "$(dpkg --print-architecture)" in \\',
        '      amd64) TRIVY_ARCH="64bit" ;; \\',
        '      arm64) TRIVY_ARCH="ARM64" ;; \\',
        '      *) echo "unsupported" >&2; exit 1 ;; \\',
        '    esac; \\',
        '    curl -fsSL "https://github.com/aquasecurity/trivy/releases/download/v0.53.0/trivy_0.53.0_Linux-${TRIVY_ARCH}.tar.gz" -o /tmp/trivy.tgz',
      ),
    },
    {
      // zsh build Dockerfile (code corpus 6804290542): default x86_64, arm64 rewritten; not a download
      name: 'a default before the case, used in a configure flag (no download)',
      code: lines(
        'FROM debian:bookworm',
        'RUN build_platform=x86_64; \\',
        '    case "$(dpkg --print-architecture)" in arm64) build_platform="aarch64" ;; esac; \\',
        '    ./configure --build=${build_platform}-unknown-linux-gnu',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
    },
    {
      name: 'inline selection that is complete for the targets',
      code: lines(
        'FROM debian:bookworm',
        'RUN curl -fsSLO "https://github.com/protocolbuffers/protobuf/releases/download/v27.2/protoc-27.2-linux-$([ "$(uname -m)" = aarch64 ] && echo aarch || echo x86)_64.zip"',
      ),
    },
    {
      name: '${TARGETPLATFORM#linux/} and cut -d/ -f2 give Go words',
      code: lines(
        'FROM debian:bookworm',
        'ARG TARGETPLATFORM',
        'RUN A=${TARGETPLATFORM#linux/} && B=$(echo $TARGETPLATFORM | cut -d/ -f2) && \\',
        '    curl -fsSLO "https://go.dev/dl/go1.22.5.linux-${B}.tar.gz" && curl -fsSLO "https://dl.k8s.io/release/v1.30.0/bin/linux/${A}/kubectl"',
      ),
    },
    {
      name: 'sed with a regular expression and tr',
      code: lines(
        'FROM debian:bookworm',
        "RUN A=$(uname -m | sed -E 's/x86_64/amd64/; s/aarch64|armv8l/arm64/') && U=$(echo ${A} | tr a-z a-z) && \\",
        '    curl -fsSLO "https://go.dev/dl/go1.22.5.linux-${U}.tar.gz"',
      ),
    },
    {
      name: 'bash ${A/x86_64/amd64} and ${A/aarch64/arm64}',
      code: lines(
        'FROM debian:bookworm',
        'SHELL ["/bin/bash", "-c"]',
        'RUN A=$(uname -m); A=${A/x86_64/amd64}; A=${A/aarch64/arm64}; curl -fsSLO "https://go.dev/dl/go1.22.5.linux-${A}.tar.gz"',
      ),
    },
    {
      name: '[ ] && A=x || A=y, complete for the targets',
      code: lines(
        'FROM debian:bookworm',
        'RUN [ "$(dpkg --print-architecture)" = arm64 ] && A=arm64 || A=x64; \\',
        '    curl -fsSLO "https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-${A}.tar.xz"',
      ),
    },
    {
      // AA102's job: TARGETPLATFORM is not declared in the stage, the RUN sees it empty
      name: 'undeclared TARGETPLATFORM: silent here',
      code: lines(
        'FROM debian:bookworm',
        'RUN ARCH=$(echo $TARGETPLATFORM | cut -d/ -f2) && curl -fsSLO "https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-${ARCH}.tar.xz"',
      ),
    },
    {
      // the mosdns build stage (code corpus 1274346691): uname on the build machine is AA105's
      name: 'a detector in a --platform=$BUILDPLATFORM stage is AA105’s',
      code: lines(
        'FROM --platform=$BUILDPLATFORM ubuntu:22.04 AS builder',
        'RUN case "$(uname -m)" in x86_64) BUILD_ARCH="amd64" ;; esac && \\',
        '    curl -fsSL "https://go.dev/dl/go1.22.5.linux-${BUILD_ARCH}.tar.gz" -o /tmp/go.tgz',
      ),
    },
    {
      name: 'raw uname -m in a Go URL is AA104’s',
      code: lines('FROM debian', 'RUN curl -LO https://go.dev/dl/go1.22.0.linux-$(uname -m).tar.gz'),
    },
    {
      name: 'a one-platform extra step is not a mapping (no download)',
      code: lines('FROM debian', 'RUN case "$(uname -m)" in armv7l) apt-get install -y libatomic1 ;; esac'),
    },
    {
      name: 'a loop variable is unknown',
      code: lines('FROM debian', 'RUN for A in amd64 arm64; do case "$A" in amd64) X=x64;; esac; curl -fsSLO "https://example.com/tool-$X"; done'),
    },
    {
      name: 'uname -p on an RPM distribution prints the machine',
      code: lines(
        'FROM amazonlinux:2023',
        'RUN case "$(uname -p)" in x86_64) rpm=corretto-x64.rpm ;; aarch64) rpm=corretto-aarch64.rpm ;; *) exit 1 ;; esac; curl -O https://corretto.aws/downloads/resources/21.0.4.7.1/$rpm',
      ),
    },
    {
      // explodingcamera/liwan#34: `${TARGETARCH:+amd64/}` is amd64/ on every platform; the word is written
      // in the URL, so AA101 reports it (once), not this rule
      name: '${TARGETARCH:+amd64/} is AA101’s (the word is in the URL)',
      code: lines(
        'FROM alpine:3.20',
        'ARG TARGETARCH',
        'RUN curl -fsSLo /liwan "https://example.com/liwan/releases/v1.4.0/${TARGETARCH:+amd64/}liwan"',
      ),
    },
  ],
  invalid: [
    // --- (a) a target platform left unmapped: no assignment, or `exit`
    {
      // dart-lang/dart-docker, the official image's Dockerfile for 2.13.3 (before #53): only amd64 mapped
      name: 'inline case maps only amd64: arm64 asks for dartsdk-linux--release.zip',
      code: lines(
        'FROM debian:buster-slim',
        'RUN set -eux; \\',
        '    ARCH=$(case "$(dpkg --print-architecture)" in amd64) echo "x64";; esac;); \\',
        '    SDK="dartsdk-linux-$ARCH-release.zip"; \\',
        '    BASEURL="https://storage.googleapis.com/dart-archive/channels"; \\',
        '    URL="$BASEURL/stable/release/2.13.3/sdk/$SDK"; \\',
        '    curl -fLO "$URL"',
      ),
      errors: [{ messageId: 'unmapped', line: 7 }],
    },
    {
      // a whisparr image (code corpus 53953653470): TARGETPLATFORM case for amd64/arm64 only, no default
      name: 'TARGETPLATFORM case without arm/v7: the query asks for arch=',
      code: lines(
        'FROM alpine:3.20',
        'ARG TARGETPLATFORM',
        'RUN case "${TARGETPLATFORM}" in \\',
        "      'linux/amd64') export ARCH='x64' ;; \\",
        "      'linux/arm64') export ARCH='arm64' ;; \\",
        '    esac \\',
        '    && curl -fsSL "https://whisparr.servarr.com/v1/update/develop/updatefile?os=linuxmusl&runtime=netcore&arch=${ARCH}" | tar xzf - -C /app',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'unmapped', line: 7 }],
    },
    {
      // chihchun/snapcraft-docker#6 ("Handle armv7l as armhf"): the uname case had no armv7l branch
      name: 'uname case without armv7l',
      code: lines(
        'FROM ubuntu:18.04',
        'RUN case "$(uname -m)" in x86_64) SNAP_ARCH=amd64 ;; aarch64) SNAP_ARCH=arm64 ;; esac; \\',
        '    curl -fsSL "https://example.com/snaps/core_${SNAP_ARCH}.snap" -o core.snap',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'unmapped', line: 3 }],
    },
    {
      // 1activegeek/docker-airconnect#34 (cases added for amd64 -> x86-64): amd64 had no branch
      name: 'a case with arm branches only: amd64 unmapped',
      code: lines(
        'FROM debian:bookworm-slim',
        'RUN case "$(uname -m)" in aarch64) AC_ARCH=aarch64 ;; armv7l) AC_ARCH=arm ;; esac && \\',
        '    curl -fsSL -o /bin/airupnp "https://example.com/airconnect/bin/airupnp-linux-${AC_ARCH}-static"',
      ),
      errors: [{ messageId: 'unmapped', line: 3 }],
    },
    {
      // fkmatsuda's Zulu JDK image (code corpus 2923859795): the whole URL is chosen per platform and
      // an ENV default `invalid` is left for the rest
      name: 'a URL chosen per platform, left at its ENV default for arm/v7',
      code: lines(
        'FROM debian:bullseye-slim',
        'ARG TARGETPLATFORM',
        'ENV DOWNLOAD_URL=invalid',
        'RUN case "${TARGETPLATFORM}" in \\',
        '      "linux/amd64") DOWNLOAD_URL=https://cdn.azul.com/zulu/bin/zulu11.54.23-ca-jdk11.0.14-linux_x64.tar.gz ;; \\',
        '      "linux/arm64") DOWNLOAD_URL=https://cdn.azul.com/zulu-embedded/bin/zulu11.54.23-ca-jdk11.0.14-linux_aarch64.tar.gz ;; \\',
        '    esac && \\',
        '    wget ${DOWNLOAD_URL}',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'unmapped', line: 8 }],
    },
    {
      // bitcoin core-style TARGETPLATFORM case (code corpus 36738587210) built for a platform it lacks
      name: 'falls through to exit for riscv64',
      code: lines(
        'FROM debian:bookworm-slim',
        'ARG TARGETPLATFORM',
        'RUN case "${TARGETPLATFORM}" in \\',
        '    "linux/amd64") BITCOIN_ARCH="x86_64-linux-gnu" ;; \\',
        '    "linux/arm64") BITCOIN_ARCH="aarch64-linux-gnu" ;; \\',
        '    *) echo "Unsupported platform: ${TARGETPLATFORM}" && exit 1 ;; \\',
        '    esac && \\',
        '    wget https://bitcoincore.org/bin/bitcoin-core-27.1/bitcoin-27.1-${BITCOIN_ARCH}.tar.gz',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/riscv64',
      errors: [{ messageId: 'exits', line: 6 }],
    },
    {
      // docker-library/golang-style dpkg case built for arm/v7 without an armhf branch
      name: 'dpkg case falls through to exit for armhf',
      code: lines(
        'FROM debian:bookworm',
        'RUN case "$(dpkg --print-architecture)" in amd64) A=x64;; arm64) A=arm64;; *) echo unsupported >&2; exit 1;; esac; \\',
        '    curl -fsSLO "https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-$A.tar.xz"',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'exits', line: 2 }],
    },

    // --- (b) a platform mapped to a word the vendor does not use, or to another platform's word
    {
      // the kb plugin installer shape (code corpus 52477067381) with only x86_64 rewritten: arm64 keeps aarch64
      name: 'case rewrites x86_64 only; Go needs arm64',
      code: lines(
        'FROM debian:bookworm',
        'RUN ARCH=$(uname -m); case "$ARCH" in x86_64) ARCH=amd64 ;; esac; \\',
        '    curl -fsSLO "https://go.dev/dl/go1.22.5.linux-${ARCH}.tar.gz"',
      ),
      errors: [{ messageId: 'vendorWord', line: 3 }],
    },
    {
      // the same shape with a vendor anyarch does not know: the other branch speaks Go/TARGETARCH words
      name: 'case rewrites x86_64 only; an unknown vendor: aarch64 kept among Go words',
      code: lines(
        'FROM debian:bookworm',
        'RUN ARCH=$(uname -m); case "$ARCH" in x86_64) ARCH=amd64 ;; esac; \\',
        '    curl -fsSLO "https://example.com/releases/tool-linux-${ARCH}.tar.gz"',
      ),
      errors: [{ messageId: 'kept', line: 3 }],
    },
    {
      // apache/datafusion-ballista#240: `[ $CPU_ARCH=="aarch64" ]` is one word, always true
      name: 'a test without spaces is always true: amd64 asks for aarch_64',
      code: lines(
        'FROM rust:1.79',
        'RUN CPU_ARCH=`uname -m` && if [ $CPU_ARCH=="aarch64" ]; then CPU_ARCH="aarch_64"; fi && \\',
        '    curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v21.4/protoc-21.4-linux-$CPU_ARCH.zip',
      ),
      errors: [{ messageId: 'vendorWord', line: 3 }],
    },
    {
      // 1activegeek/docker-airconnect#36: the arm device got the x86-64 default
      name: 'default branch hands arm/v7 the x86-64 build',
      code: lines(
        'FROM debian:bookworm-slim',
        'RUN case "$(uname -m)" in aarch64) AC_ARCH=aarch64 ;; *) AC_ARCH=x86-64 ;; esac && \\',
        '    curl -fsSL -o /bin/airupnp "https://example.com/airconnect/bin/airupnp-linux-${AC_ARCH}-static"',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'otherPlatform', line: 3 }],
    },
    {
      // tutor#591 (overhangio/tutor): a one-branch if with an amd64 default, built for arm/v7 as well
      name: 'if with an amd64 default: arm/v7 asks for amd64',
      code: lines(
        'FROM debian:bookworm',
        'RUN ARCH=amd64; if [ "$(uname -m)" = aarch64 ]; then ARCH=arm64; fi; \\',
        '    curl -fsSLO https://example.com/dockerize/dockerize-linux-$ARCH.tar.gz',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'otherPlatform', line: 3 }],
    },
    {
      name: 'inline selection that sends arm/v7 to x86_64',
      code: lines(
        'FROM debian:bookworm',
        'RUN curl -fsSLO "https://github.com/protocolbuffers/protobuf/releases/download/v27.2/protoc-27.2-linux-$([ "$(uname -m)" = aarch64 ] && echo aarch || echo x86)_64.zip"',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'otherPlatform', line: 2 }],
    },
    {
      name: 'TARGETARCH case maps arm64 to aarch64 for Node.js',
      code: lines(
        'FROM debian:bookworm',
        'ARG TARGETARCH',
        'RUN case "$TARGETARCH" in amd64) N=x64 ;; arm64) N=aarch64 ;; esac && \\',
        '    curl -fsSLO "https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-${N}.tar.xz"',
      ),
      errors: [{ messageId: 'vendorWord', line: 4 }],
    },

    // --- (c) a test of a value the detector never prints
    {
      // the dpkg/uname mix-up of chef/mixlib-install#309 and Neo-Oli/termux-ubuntu#47
      name: 'dpkg never prints aarch64',
      code: lines(
        'FROM debian:bookworm',
        'RUN case "$(dpkg --print-architecture)" in amd64) A=x64;; aarch64) A=arm64;; esac; \\',
        '    curl -fsSLO "https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-$A.tar.xz"',
      ),
      errors: [{ messageId: 'neverPrinted', line: 2 }],
    },
    {
      // hyperledger-archives/fabric#1455, lablup/backend.ai#505, ONLYOFFICE/server#29, hostinger/fireactions#222
      name: 'uname -p prints unknown on Debian',
      code: lines(
        'FROM debian:bookworm',
        'RUN set -eux; case "$(uname -p)" in x86_64) A=amd64 ;; aarch64) A=arm64 ;; *) echo "Unsupported" >&2; exit 1 ;; esac; \\',
        '    curl -fsSLO https://dl.k8s.io/release/v1.30.0/bin/linux/$A/kubectl',
      ),
      errors: [{ messageId: 'wrongSource', line: 2 }],
    },
    {
      // docker-library/official-images#8409 (liquibase): `apk --print-architecture` is no apk option
      name: 'apk --print-architecture prints nothing',
      code: lines(
        'FROM alpine:3.19',
        'RUN arch="$(apk --print-architecture)"; case "$arch" in amd64) A="" ;; arm64) A="-arm64" ;; esac; \\',
        '    wget https://example.com/lpm/lpm-0.2.4-linux${A}.zip',
      ),
      errors: [{ messageId: 'wrongSource', line: 2 }],
    },
    {
      // macOS habits in a Linux image (the arm64-only install scripts of the code corpus, e.g. 54600509016)
      name: 'uname -m never prints arm64 on Linux',
      code: lines(
        'FROM debian:bookworm',
        'RUN if [ "$(uname -m)" = "arm64" ]; then A=arm64; else A=amd64; fi; \\',
        '    curl -fsSLO "https://go.dev/dl/go1.22.5.linux-${A}.tar.gz"',
      ),
      errors: [{ messageId: 'neverPrinted', line: 2 }],
    },
    {
      // hypriot/image-builder-odroid-c1#32: uname -m says armv7l, not armhf / armv7
      name: 'uname -m prints armv7l, never armv7',
      code: lines(
        'FROM debian:bookworm',
        'RUN case "$(uname -m)" in x86_64) A=amd64 ;; aarch64) A=arm64 ;; armv7) A=armv7 ;; *) exit 1 ;; esac; \\',
        '    curl -fsSLO "https://example.com/tool-linux-${A}.tar.gz"',
      ),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'neverPrinted', line: 2 }],
    },
    {
      name: 'a typo: x86-64 for uname -m',
      code: lines(
        'FROM debian:bookworm',
        'RUN case "$(uname -m)" in x86-64) A=amd64 ;; aarch64) A=arm64 ;; esac; \\',
        '    curl -fsSLO "https://example.com/tool-linux-${A}.tar.gz"',
      ),
      errors: [{ messageId: 'neverPrinted', line: 2 }],
    },
    {
      name: 'uname -a compared with an exact word',
      code: lines(
        'FROM debian:bookworm',
        'RUN if [ "$(uname -a)" = "x86_64" ]; then A=amd64; else A=arm64; fi; curl -fsSLO "https://go.dev/dl/go1.22.5.linux-${A}.tar.gz"',
      ),
      errors: [{ messageId: 'wrongSource', line: 2 }],
    },
    {
      name: 'TARGETARCH never says aarch64',
      code: lines(
        'FROM debian:bookworm',
        'ARG TARGETARCH',
        'RUN case "$TARGETARCH" in amd64) N=x64 ;; aarch64) N=arm64 ;; esac && curl -fsSLO "https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-${N}.tar.xz"',
      ),
      errors: [{ messageId: 'neverPrinted', line: 3 }],
    },

    // --- (d) every branch is for other platforms than the targets
    {
      // kiwix/kiwix-tools#405-style: an armhf-only mapping, built for amd64 and arm64
      name: 'a case for arm/v7 and 386 only',
      code: lines(
        'FROM debian:bookworm',
        'RUN case "$(uname -m)" in armv7l) A=armhf;; i686) A=i386;; esac; curl -fsSLO https://example.com/tool-linux-$A.tar.gz',
      ),
      errors: [{ messageId: 'noTargetBranch', line: 2 }],
    },
    {
      name: 'a TARGETPLATFORM case for arm variants only, exit for the rest',
      code: lines(
        'FROM debian:bookworm',
        'ARG TARGETPLATFORM',
        'RUN case "$TARGETPLATFORM" in linux/arm/v7) A=armv7 ;; linux/arm/v6) A=armv6 ;; *) echo "no build" >&2; exit 1 ;; esac; \\',
        '    curl -fsSLO "https://example.com/tool-linux-${A}.tar.gz"',
      ),
      errors: [{ messageId: 'noTargetBranch', line: 3 }],
    },
  ],
};

ruleTester(rule, cases);
