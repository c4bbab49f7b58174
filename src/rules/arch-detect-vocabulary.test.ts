import rule from './arch-detect-vocabulary.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'dpkg arch chooses a literal URL per case branch',
      code: [
        'FROM debian:bookworm-slim',
        'RUN set -eu; \\',
        '\tdebArch="$(dpkg --print-architecture)"; \\',
        '\tcase "$debArch" in \\',
        "\t\tamd64) src='https://go.dev/dl/go1.23.2.linux-amd64.tar.gz' ;; \\",
        "\t\tarm64) src='https://go.dev/dl/go1.23.2.linux-arm64.tar.gz' ;; \\",
        '\t\t*) echo "go: no release for $debArch" >&2; exit 1 ;; \\',
        '\tesac; \\',
        '\tcurl -fsSL -o go.tgz.sha256 "$src.sha256"; \\',
        '\tcurl -fsSL -o go.tgz "$src"',
        '',
      ].join('\n'),
    },
    {
      name: 'apk --print-arch in a case',
      code: [
        'FROM alpine:3.20',
        'RUN set -eu; \\',
        '    apkArch="$(apk --print-arch)"; \\',
        '    case "$apkArch" in \\',
        "      x86_64) src='https://go.dev/dl/go1.23.2.linux-amd64.tar.gz' ;; \\",
        "      aarch64) src='https://go.dev/dl/go1.23.2.linux-arm64.tar.gz' ;; \\",
        '      *) echo "go: no release for $apkArch" >&2; exit 1 ;; \\',
        '    esac; \\',
        '    wget -q -O go.tgz "$src"',
        '',
      ].join('\n'),
    },
    {
      name: 'the detector is mapped to another variable in a case',
      code: [
        'FROM debian:bookworm',
        'ENV NODE_VERSION=22.9.0',
        'RUN NARCH= && debArch="$(dpkg --print-architecture)" \\',
        '  && case "${debArch##*-}" in amd64) NARCH=x64;; arm64) NARCH=arm64;; *) echo "node: $debArch unsupported" >&2; exit 1;; esac \\',
        '  && wget -q "https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-${NARCH}.tar.gz"',
        '',
      ].join('\n'),
    },
    {
      name: "dpkg words through awk -F '-' '{print $NF}' are what gosu publishes",
      code: [
        'FROM debian:bookworm-slim',
        'ARG GOSU_VERSION=1.16',
        "RUN debArch=\"$(dpkg --print-architecture | awk -F '-' '{print $NF}')\"; \\",
        '    curl -fsSLo /usr/local/bin/gosu "https://github.com/tianon/gosu/releases/download/${GOSU_VERSION}/gosu-${debArch}"',
        '',
      ].join('\n'),
    },
    {
      name: 'uname words are what the AWS CLI publishes',
      code: 'FROM debian:bookworm\nRUN curl "https://awscli.amazonaws.com/awscli-exe-linux-$(uname -m).zip" -o awscliv2.zip\n',
    },
    {
      name: 'uname words are what Docker static binaries use',
      code: 'FROM alpine\nRUN wget -O- https://download.docker.com/linux/static/stable/$(uname -m)/docker-24.0.7.tgz | tar -xz\n',
    },
    {
      name: 'unknown vendor: cannot tell which words it uses',
      code: 'FROM debian\nRUN curl -fsSLO https://example.com/downloads/tool-linux-$(uname -m).tar.gz\n',
    },
    {
      name: 'the variable goes through a case that reassigns it',
      code: [
        'FROM debian',
        'RUN arch="$(uname -m)"; \\',
        '    case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac; \\',
        '    curl -fsSLO "https://go.dev/dl/go1.22.0.linux-$arch.tar.gz"',
        '',
      ].join('\n'),
    },
    {
      name: 'a complete sed mapping',
      code: 'FROM debian\nRUN GO_ARCH=$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/) && wget https://dl.google.com/go/go1.22.0.linux-${GO_ARCH}.tar.gz\n',
    },
    {
      name: 'a sed with a regular expression: cannot tell',
      code: "FROM debian\nRUN GO_ARCH=$(uname -m | sed 's/x86_64/amd64/; s/aarch.*/arm64/') && wget https://dl.google.com/go/go1.22.0.linux-${GO_ARCH}.tar.gz\n",
    },
    {
      name: 'the download sits in a branch for one architecture',
      code: 'FROM debian\nRUN if [ "$(uname -m)" = "x86_64" ]; then curl -LO https://go.dev/dl/go1.22.0.linux-$(uname -m).tar.gz; fi\n',
    },
    {
      name: 'every target agrees (s390x is s390x everywhere)',
      code: 'FROM debian\nRUN curl -LO https://go.dev/dl/go1.22.0.linux-$(uname -m).tar.gz\n',
      platforms: 'linux/s390x,linux/ppc64le',
    },
    {
      name: 'Windows stage',
      code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl -LO https://go.dev/dl/go1.22.0.linux-$(uname -m).tar.gz\n',
    },
    {
      name: 'TARGETARCH is already the vendor word',
      code: 'FROM debian\nARG TARGETARCH\nRUN curl -LO https://go.dev/dl/go1.22.0.linux-${TARGETARCH}.tar.gz\n',
    },
  ],
  invalid: [
    {
      name: 'uname inline in a Go URL, file name repeated in tar',
      code: 'FROM debian:bookworm\nRUN curl -LO https://go.dev/dl/go1.22.0.linux-$(uname -m).tar.gz && tar -C /usr/local -xzf go1.22.0.linux-$(uname -m).tar.gz\n',
      errors: [{ messageId: 'mismatch', line: 2, column: 47, endColumn: 58 }],
      output:
        'FROM debian:bookworm\nRUN case "$(uname -m)" in x86_64) go_arch=\'amd64\' ;; aarch64) go_arch=\'arm64\' ;; *) echo "go: unsupported architecture" >&2; exit 1 ;; esac && curl -LO https://go.dev/dl/go1.22.0.linux-${go_arch}.tar.gz && tar -C /usr/local -xzf go1.22.0.linux-${go_arch}.tar.gz\n',
    },
    {
      name: 'an incomplete sed mapping leaves aarch64 (exported, used three times)',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      code: [
        'FROM ubuntu:22.04',
        'ENV GOVER=1.21.3',
        'RUN export DLARCH=$(uname -m | sed -e s/armv7l/armv6l/ -e s/x86_64/amd64/) && \\',
        '    curl -fsSLO https://go.dev/dl/go${GOVER}.linux-${DLARCH}.tar.gz && \\',
        '    tar -xzf go${GOVER}.linux-${DLARCH}.tar.gz -C /usr/local && \\',
        '    rm -f go${GOVER}.linux-${DLARCH}.tar.gz',
        '',
      ].join('\n'),
      errors: [{ messageId: 'mismatch', line: 4, column: 52, endColumn: 61 }],
      output: [
        'FROM ubuntu:22.04',
        'ENV GOVER=1.21.3',
        'RUN export DLARCH=$(uname -m | sed -e s/armv7l/armv6l/ -e s/x86_64/amd64/) && \\',
        '    case "${DLARCH}" in amd64) go_arch=\'amd64\' ;; aarch64) go_arch=\'arm64\' ;; armv6l) go_arch=\'armv6l\' ;; *) echo "go: unsupported architecture" >&2; exit 1 ;; esac && curl -fsSLO https://go.dev/dl/go${GOVER}.linux-${go_arch}.tar.gz && \\',
        '    tar -xzf go${GOVER}.linux-${go_arch}.tar.gz -C /usr/local && \\',
        '    rm -f go${GOVER}.linux-${go_arch}.tar.gz',
        '',
      ].join('\n'),
    },
    {
      name: 'a variable assigned from uname, then used in the URL',
      code: 'FROM debian:bookworm\nRUN ARCH=$(uname -m) && \\\n    curl -fsSL "https://dl.google.com/go/go${GO_VERSION}.linux-${ARCH}.tar.gz" -o go.tgz\n',
      errors: [{ messageId: 'mismatch', line: 3, column: 64, endColumn: 71 }],
      output:
        'FROM debian:bookworm\nRUN ARCH=$(uname -m) && \\\n    case "${ARCH}" in x86_64) go_arch=\'amd64\' ;; aarch64) go_arch=\'arm64\' ;; *) echo "go: unsupported architecture" >&2; exit 1 ;; esac && curl -fsSL "https://dl.google.com/go/go${GO_VERSION}.linux-${go_arch}.tar.gz" -o go.tgz\n',
    },
    {
      name: 'apk words in a tini URL',
      code: 'FROM alpine:3.19\nRUN apkArch="$(apk --print-arch)"; \\\n    wget -O /sbin/tini "https://github.com/krallin/tini/releases/download/v0.19.0/tini-static-$apkArch"\n',
      errors: [{ messageId: 'mismatch', line: 3, column: 95 }],
      output:
        'FROM alpine:3.19\nRUN apkArch="$(apk --print-arch)"; \\\n    case "$apkArch" in x86_64) tini_arch=\'amd64\' ;; aarch64) tini_arch=\'arm64\' ;; *) echo "tini: unsupported architecture" >&2; exit 1 ;; esac && wget -O /sbin/tini "https://github.com/krallin/tini/releases/download/v0.19.0/tini-static-${tini_arch}"\n',
    },
    {
      name: 'dpkg words in a Node.js URL',
      code: 'FROM debian\nRUN curl -fsSLO https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-$(dpkg --print-architecture).tar.xz\n',
      errors: [{ messageId: 'mismatch', line: 2, column: 70, endColumn: 98 }],
      output:
        'FROM debian\nRUN case "$(dpkg --print-architecture)" in amd64) node_arch=\'x64\' ;; arm64) node_arch=\'arm64\' ;; *) echo "node: unsupported architecture" >&2; exit 1 ;; esac && curl -fsSLO https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-${node_arch}.tar.xz\n',
    },
    {
      name: 'backquoted arch in a builder stage: checked against the build machines',
      code: 'FROM --platform=$BUILDPLATFORM alpine AS tools\nRUN wget https://dl.k8s.io/release/v1.29.0/bin/linux/`arch`/kubectl\n',
      errors: [{ messageId: 'mismatch', line: 2, column: 54, endColumn: 60 }],
      output:
        'FROM --platform=$BUILDPLATFORM alpine AS tools\nRUN case "`arch`" in x86_64) kubectl_arch=\'amd64\' ;; aarch64) kubectl_arch=\'arm64\' ;; *) echo "kubectl: unsupported architecture" >&2; exit 1 ;; esac && wget https://dl.k8s.io/release/v1.29.0/bin/linux/${kubectl_arch}/kubectl\n',
    },
    {
      name: 'no fix when the vendor publishes nothing for a target',
      platforms: 'linux/amd64,linux/riscv64',
      code: 'FROM debian\nRUN curl -fsSLO https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-$(dpkg --print-architecture).tar.xz\n',
      errors: [{ messageId: 'mismatch', line: 2, column: 70 }],
      output: null,
    },
    {
      name: 'in a heredoc script',
      code: 'FROM debian\nRUN <<EOF\nset -e\ncurl -LO https://go.dev/dl/go1.22.0.linux-$(uname -m).tar.gz\nEOF\n',
      errors: [{ messageId: 'mismatch', line: 4, column: 43 }],
      output:
        'FROM debian\nRUN <<EOF\nset -e\ncase "$(uname -m)" in x86_64) go_arch=\'amd64\' ;; aarch64) go_arch=\'arm64\' ;; *) echo "go: unsupported architecture" >&2; exit 1 ;; esac && curl -LO https://go.dev/dl/go1.22.0.linux-${go_arch}.tar.gz\nEOF\n',
    },
  ],
});
