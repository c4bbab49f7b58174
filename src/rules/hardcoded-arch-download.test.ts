import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { checkSource, fixSource } from '../check/engine.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { buildArgs, parsePlatformList, toVocabulary, type Platform } from '../platform/index.js';
import rule from './hardcoded-arch-download.js';
import { ruleTester } from './tester.js';

/** One amd64 Go tarball, its file name repeated in tar and rm: right for amd64 only. */
const ONE_ARCH_GO = `FROM ubuntu:noble
RUN apt-get update && apt-get install -y curl
RUN curl -fsSLO https://go.dev/dl/go1.22.8.linux-amd64.tar.gz && tar -C /opt -xzf go1.22.8.linux-amd64.tar.gz && rm go1.22.8.linux-amd64.tar.gz
CMD ["/opt/go/bin/go", "version"]
`;

/** A dpkg case with one literal URL per branch (a checksum in one), then downloads of "$src". */
const DPKG_CASE = `FROM debian:bookworm
ENV GO_RELEASE 1.23.2
RUN set -eu; \\
	debArch="$(dpkg --print-architecture)"; \\
	src=; \\
	case "\${debArch##*-}" in \\
		amd64) \\
			src="https://go.dev/dl/go\${GO_RELEASE}.linux-amd64.tar.gz"; \\
			checksum='0000000000000000000000000000000000000000000000000000000000000001'; \\
			;; \\
		armhf) \\
			src="https://go.dev/dl/go\${GO_RELEASE}.linux-armv6l.tar.gz"; \\
			;; \\
		arm64) \\
			src="https://go.dev/dl/go\${GO_RELEASE}.linux-arm64.tar.gz"; \\
			;; \\
		*) echo "go: no build for \${debArch}" >&2; exit 1 ;; \\
	esac; \\
	curl -fsSL -o go.tgz.sig "\${src}.sig"; \\
	curl -fsSL -o go.tgz "$src"
`;

/** dpkg words mapped to Node.js words in a case, a comment line inside the && chain. */
const MAPPED_NODE = `FROM buildpack-deps:bookworm
ENV NODE_VERSION 22.9.0
RUN NODE_ARCH= && debArch="$(dpkg --print-architecture)" \\
  && case "\${debArch##*-}" in \\
    amd64) NODE_ARCH=x64 ;; \\
    arm64) NODE_ARCH=arm64 ;; \\
    armhf) NODE_ARCH=armv7l ;; \\
    ppc64el) NODE_ARCH=ppc64le ;; \\
    s390x) NODE_ARCH=s390x ;; \\
    *) echo "node: no build for \${debArch}" >&2; exit 1 ;; \\
  esac \\
  # checksum verification left out of this test
  && curl -fsSLO "https://nodejs.org/dist/v\${NODE_VERSION}/node-v\${NODE_VERSION}-linux-\${NODE_ARCH}.tar.gz" \\
  && tar -xzf "node-v\${NODE_VERSION}-linux-\${NODE_ARCH}.tar.gz" -C /usr/local --strip-components=1
`;

ruleTester(rule, {
  valid: [
    { name: 'a dpkg case with one literal URL per branch', code: DPKG_CASE },
    { name: 'dpkg words mapped to vendor words in a case', code: MAPPED_NODE },
    'FROM alpine\nARG TARGETARCH\nRUN wget https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl\n',
    'FROM maven:3\nRUN curl -fsSLO https://archive.apache.org/dist/maven/maven-3/3.9.6/binaries/apache-maven-3.9.6-bin.tar.gz\n',
    'FROM debian\nRUN curl -LO https://example.com/pool/tool_1.0_all.deb && dpkg -i tool_1.0_all.deb\n',
    'FROM fedora\nRUN dnf install -y https://example.com/x/tool-1.0-1.noarch.rpm\n',
    'FROM python:3.12\nRUN pip install https://example.com/wheels/pkg-1.0-py3-none-any.whl\n',
    'FROM alpine\nRUN wget https://github.com/just-containers/s6-overlay/releases/download/v3.1.6.2/s6-overlay-noarch.tar.xz\n',
    { name: 'other OS asset', code: 'FROM alpine\nRUN curl -LO https://example.com/tool-darwin-arm64.tar.gz\n' },
    {
      name: 'windows stage',
      code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl.exe -LO https://dl.google.com/go/go1.22.5.windows-amd64.zip\n',
    },
    { name: 'single-arch on purpose', code: ONE_ARCH_GO, platforms: 'linux/amd64' },
    {
      name: 'several architectures fetched on purpose',
      code: 'FROM alpine\nRUN curl -LO https://example.com/tool-linux-amd64 && curl -LO https://example.com/tool-linux-arm64\n',
    },
    'FROM debian\nRUN dpkg --add-architecture i386 && apt-get update && apt-get install -y libc6:i386 gcc-aarch64-linux-gnu crossbuild-essential-arm64\n',
    'FROM debian\nRUN echo "3863864a2f2e9ccb386 tool.tar.gz" | sha256sum -c -\n',
    { name: 'words inside words', code: 'FROM alpine\nRUN wget https://example.com/farm/charm-1.0.tar.gz https://example.com/alarm/armor.tgz\n' },
    { name: 'arch word in the host name', code: 'FROM alpine\nRUN wget https://developer.arm.com/downloads/gcc-13.tar.xz\n' },
    {
      name: 'if on TARGETARCH',
      code: 'FROM alpine\nARG TARGETARCH\nRUN if [ "$TARGETARCH" = "amd64" ]; then wget https://example.com/tool-linux-amd64; fi\n',
    },
    { name: 'test && download', code: 'FROM alpine\nRUN [ "$(uname -m)" = x86_64 ] && wget https://example.com/tool-x86_64.tar.gz || true\n' },
    { name: 'version digits', code: 'FROM alpine\nRUN wget https://example.com/v1.386.0/tool-1.386.0.tar.gz\n' },
    {
      name: 'deliberate cross toolchain (host and target in one name)',
      code: 'FROM debian\nRUN curl -LO https://example.com/gcc-arm-10.3-2021.07-x86_64-aarch64-none-linux-gnu.tar.xz\n',
    },
    { name: 'tini takes TARGETARCH for amd64 and arm64', code: 'FROM debian\nARG TARGETARCH\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-${TARGETARCH} /tini\n' },
    {
      name: 'kubectl names arm/v7 arm, as TARGETARCH does',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      code: 'FROM debian\nARG TARGETARCH\nRUN curl -LO https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl\n',
    },
    { name: 'comment lines are not code', code: 'FROM alpine\n# RUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\nRUN true\n' },
  ],
  invalid: [
    {
      name: 'an amd64 Go tarball, its name repeated in tar and rm',
      code: ONE_ARCH_GO,
      errors: [{ messageId: 'download', line: 3, column: 50, endColumn: 55, severity: 'error' }],
      output: ONE_ARCH_GO.replace('FROM ubuntu:noble\n', 'FROM ubuntu:noble\nARG TARGETARCH\n').replaceAll('linux-amd64', 'linux-${TARGETARCH}'),
    },
    {
      name: 'Node.js names amd64 x64',
      code: 'FROM debian:bookworm\nRUN curl -fsSLO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz\n',
      errors: [{ messageId: 'download', line: 2, column: 68 }],
      output:
        'FROM debian:bookworm\nARG TARGETARCH\nRUN case "${TARGETARCH}" in amd64) node_arch=\'x64\' ;; arm64) node_arch=\'arm64\' ;; *) echo "node: no build for ${TARGETARCH}" >&2; exit 1 ;; esac; \\\n    curl -fsSLO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-${node_arch}.tar.xz\n',
    },
    {
      name: 'Node.js, detect style',
      fixStyle: 'detect',
      code: 'FROM debian:bookworm\nRUN curl -fsSLO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz\n',
      errors: [{ messageId: 'download', line: 2, column: 68 }],
      output:
        'FROM debian:bookworm\nRUN case "$(dpkg --print-architecture)" in amd64) node_arch=\'x64\' ;; arm64) node_arch=\'arm64\' ;; *) echo "node: unsupported architecture" >&2; exit 1 ;; esac; \\\n    curl -fsSLO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-${node_arch}.tar.xz\n',
    },
    {
      name: 'ADD a URL',
      code: 'FROM alpine\nADD https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl /usr/local/bin/kubectl\n',
      errors: [{ messageId: 'download', line: 2, column: 49 }],
      output: 'FROM alpine\nARG TARGETARCH\nADD https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl /usr/local/bin/kubectl\n',
    },
    {
      name: 'ADD cannot map words',
      code: 'FROM alpine\nADD https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz /tmp/\n',
      errors: [{ messageId: 'download', line: 2 }],
      output: null,
    },
    {
      name: 'a .deb and its install',
      code: 'FROM debian\nRUN curl -LO https://example.com/dl/tool_1.0_amd64.deb && dpkg -i tool_1.0_amd64.deb\n',
      errors: [{ messageId: 'download', line: 2, column: 46 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN curl -LO https://example.com/dl/tool_1.0_${TARGETARCH}.deb && dpkg -i tool_1.0_${TARGETARCH}.deb\n',
    },
    {
      name: 'AWS CLI uses x86_64/aarch64',
      code: 'FROM debian\nRUN curl "https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip" -o awscliv2.zip\n',
      errors: [{ messageId: 'download', line: 2, column: 57 }],
      output:
        'FROM debian\nARG TARGETARCH\nRUN case "${TARGETARCH}" in amd64) aws_arch=\'x86_64\' ;; arm64) aws_arch=\'aarch64\' ;; *) echo "aws-cli: no build for ${TARGETARCH}" >&2; exit 1 ;; esac; \\\n    curl "https://awscli.amazonaws.com/awscli-exe-linux-${aws_arch}.zip" -o awscliv2.zip\n',
    },
    {
      name: 'single quotes block expansion',
      code: "FROM alpine\nRUN wget 'https://example.com/tool-linux-amd64.tar.gz'\n",
      errors: [{ messageId: 'download', line: 2 }],
      output: null,
    },
    {
      name: 'wrong file in an arch branch',
      code: 'FROM debian\nRUN case "$(dpkg --print-architecture)" in arm64) curl -LO https://example.com/tool-linux-amd64.tar.gz ;; esac\n',
      errors: [{ messageId: 'branchMismatch', line: 2 }],
      output: null,
    },
    {
      name: 'a build tool for the builder',
      code: 'FROM --platform=$BUILDPLATFORM debian AS tools\nRUN curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-x86_64.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
      errors: [{ messageId: 'builder', line: 2, severity: 'warning' }],
      output:
        'FROM --platform=$BUILDPLATFORM debian AS tools\nARG BUILDARCH\nRUN case "${BUILDARCH}" in amd64) protoc_arch=\'x86_64\' ;; arm64) protoc_arch=\'aarch_64\' ;; *) echo "protoc: no build for ${BUILDARCH}" >&2; exit 1 ;; esac; \\\n    curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-${protoc_arch}.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
    },
    {
      name: 'a build tool for the builder, built on arm64: the same usual builders, the same fix',
      buildPlatform: 'linux/arm64',
      code: 'FROM --platform=$BUILDPLATFORM debian AS tools\nRUN curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-x86_64.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
      errors: [{ messageId: 'builder', line: 2, severity: 'warning' }],
      output:
        'FROM --platform=$BUILDPLATFORM debian AS tools\nARG BUILDARCH\nRUN case "${BUILDARCH}" in amd64) protoc_arch=\'x86_64\' ;; arm64) protoc_arch=\'aarch_64\' ;; *) echo "protoc: no build for ${BUILDARCH}" >&2; exit 1 ;; esac; \\\n    curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-${protoc_arch}.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
    },
    {
      name: 'a build tool for the builder, built on s390x: the builder\'s CPU joins the mapping',
      buildPlatform: 'linux/s390x',
      code: 'FROM --platform=$BUILDPLATFORM debian AS tools\nRUN curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-x86_64.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
      errors: [{ messageId: 'builder', line: 2, severity: 'warning' }],
      output:
        'FROM --platform=$BUILDPLATFORM debian AS tools\nARG BUILDARCH\nRUN case "${BUILDARCH}" in amd64) protoc_arch=\'x86_64\' ;; arm64) protoc_arch=\'aarch_64\' ;; s390x) protoc_arch=\'s390_64\' ;; *) echo "protoc: no build for ${BUILDARCH}" >&2; exit 1 ;; esac; \\\n    curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-${protoc_arch}.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
    },
    {
      name: 'a build tool for the builder, built on riscv64, for which protoc publishes nothing: no fix',
      buildPlatform: 'linux/riscv64',
      code: 'FROM --platform=$BUILDPLATFORM debian AS tools\nRUN curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v27.0/protoc-27.0-linux-x86_64.zip\nFROM debian\nCOPY --from=tools /usr/local/bin/protoc /usr/local/bin/\n',
      errors: [{ messageId: 'builder', line: 2, severity: 'warning' }],
      output: null,
    },
    {
      name: 'ENV with a URL',
      code: 'FROM alpine\nENV TOOL_URL=https://example.com/releases/tool-linux-arm64.tar.gz\n',
      errors: [{ messageId: 'download', line: 2 }],
      output: 'FROM alpine\nARG TARGETARCH\nENV TOOL_URL=https://example.com/releases/tool-linux-${TARGETARCH}.tar.gz\n',
    },
    {
      name: 'a vendor with no build for a target',
      platforms: 'linux/amd64,linux/ppc64le',
      code: 'FROM debian\nRUN curl -o a.zip https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip\n',
      errors: [{ messageId: 'download', line: 2 }],
      output: null,
    },
    {
      name: 'uname words of an unknown vendor',
      code: 'FROM debian\nRUN wget https://example.com/releases/tool-x86_64.tar.gz\n',
      errors: [{ messageId: 'download', line: 2 }],
      output:
        'FROM debian\nARG TARGETARCH\nRUN case "${TARGETARCH}" in amd64) dl_arch=\'x86_64\' ;; arm64) dl_arch=\'aarch64\' ;; *) echo "download: no build for ${TARGETARCH}" >&2; exit 1 ;; esac; \\\n    wget https://example.com/releases/tool-${dl_arch}.tar.gz\n',
    },
    {
      name: 'an assignment on the left of && is no guard',
      code: 'FROM debian\nRUN ARCH=$(dpkg --print-architecture) && curl -LO https://example.com/tool-linux-amd64.tar.gz\n',
      errors: [{ messageId: 'download', line: 2, column: 82 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN ARCH=$(dpkg --print-architecture) && curl -LO https://example.com/tool-linux-${TARGETARCH}.tar.gz\n',
    },
    {
      name: 'detect style on an rpm-based image asks rpm',
      fixStyle: 'detect',
      code: 'FROM fedora:40\nRUN curl -LO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz\n',
      errors: [{ messageId: 'download', line: 2 }],
      output:
        'FROM fedora:40\nRUN case "$(rpm --eval \'%{_arch}\')" in x86_64) node_arch=\'x64\' ;; aarch64) node_arch=\'arm64\' ;; *) echo "node: unsupported architecture" >&2; exit 1 ;; esac; \\\n    curl -LO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-${node_arch}.tar.xz\n',
    },
    {
      name: 'a URL split by a line continuation',
      code: 'FROM alpine\nRUN wget https://example.com/releases/tool-linux-\\\n  amd64.tar.gz\n',
      errors: [{ messageId: 'download', line: 3, column: 3, endColumn: 8 }],
      output: 'FROM alpine\nARG TARGETARCH\nRUN wget https://example.com/releases/tool-linux-\\\n  ${TARGETARCH}.tar.gz\n',
    },
    {
      name: 'TARGETARCH is not the word AWS uses',
      code: 'FROM debian\nARG TARGETARCH\nRUN curl -o a.zip "https://awscli.amazonaws.com/awscli-exe-linux-${TARGETARCH}.zip"\n',
      errors: [{ messageId: 'templateWord', line: 3, column: 66, endColumn: 79 }],
      output:
        'FROM debian\nARG TARGETARCH\nRUN case "${TARGETARCH}" in amd64) aws_arch=\'x86_64\' ;; arm64) aws_arch=\'aarch64\' ;; *) echo "aws-cli: no build for ${TARGETARCH}" >&2; exit 1 ;; esac; \\\n    curl -o a.zip "https://awscli.amazonaws.com/awscli-exe-linux-${aws_arch}.zip"\n',
    },
    {
      name: 'tini calls arm/v7 armhf',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      code: 'FROM debian\nARG TARGETARCH\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-${TARGETARCH} /tini\n',
      errors: [{ messageId: 'templateWord', line: 3, column: 68 }],
      output: null,
    },
    {
      name: 'a vendor with no build for a target, through TARGETARCH',
      platforms: 'linux/amd64,linux/arm64,linux/ppc64le',
      code: 'FROM debian\nARG TARGETARCH\nRUN curl -o bun.zip https://github.com/oven-sh/bun/releases/download/bun-v1.1.0/bun-linux-$TARGETARCH.zip\n',
      errors: [{ messageId: 'templateMissing', line: 3 }],
      output: null,
    },
    {
      name: 'heredoc script',
      code: 'FROM alpine\nRUN <<EOF\nset -e\nwget https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl\nEOF\n',
      errors: [{ messageId: 'download', line: 4, column: 50 }],
      output: 'FROM alpine\nARG TARGETARCH\nRUN <<EOF\nset -e\nwget https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl\nEOF\n',
    },
  ],
});

/**
 * Both fix styles must download the same file on every platform: run the fixed RUN under sh with
 * BuildKit's platform args (targetarch style) or a stub dpkg (detect style), curl/wget stubbed.
 */
describe('AA101 fix styles produce the same download per platform', () => {
  const platforms = parsePlatformList('linux/amd64,linux/arm64,linux/arm/v7,linux/ppc64le,linux/s390x');
  const cases: { name: string; code: string; expect: (p: Platform) => string }[] = [
    {
      name: 'node',
      code: 'FROM debian:bookworm\nRUN curl -fsSLO https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz && tar -xJf node-v20.1.0-linux-x64.tar.xz\n',
      expect: (p) =>
        `https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-${{ amd64: 'x64', arm64: 'arm64', arm: 'armv7l', ppc64le: 'ppc64le', s390x: 's390x' }[p.architecture]}.tar.xz`,
    },
    {
      name: 'go',
      code: 'FROM debian:bookworm\nRUN wget https://go.dev/dl/go1.23.4.linux-amd64.tar.gz\n',
      expect: (p) => `https://go.dev/dl/go1.23.4.linux-${p.architecture === 'arm' ? 'armv6l' : p.architecture}.tar.gz`,
    },
  ];
  const stubs = 'curl() { for a; do case "$a" in *://*) echo "$a";; esac; done; }; wget() { curl "$@"; }; tar() { :; }; dpkg() { echo "$DPKG"; }; apk() { echo "$APK"; };';
  for (const c of cases) {
    test(c.name, () => {
      const results: Record<string, string[]> = {};
      for (const style of ['targetarch', 'detect'] as const) {
        const fixed = fixSource(c.code, 'Dockerfile', { platforms, fixStyle: style, rules: [rule] });
        assert.ok(fixed.fixed.length > 0, `no fix in ${style} style`);
        const run = parseDockerfile(fixed.output).instructions.find((i) => i.keyword === 'run');
        assert.ok(run);
        results[style] = platforms.map((p) =>
          execFileSync('sh', ['-c', `${stubs} ${run.body.text}`], {
            env: { PATH: process.env.PATH ?? '', ...buildArgs(p, 'TARGET'), DPKG: toVocabulary(p, 'dpkg') ?? '', APK: toVocabulary(p, 'apk') ?? '' },
            encoding: 'utf8',
          }).trim(),
        );
      }
      assert.deepEqual(results.targetarch, platforms.map(c.expect));
      assert.deepEqual(results.detect, results.targetarch);
    });
  }
});

test('AA101 reports the Zasper example shipped in the repo', () => {
  const zasper = readFileSync(new URL('../../../examples/zasper/Dockerfile', import.meta.url), 'utf8');
  const r = checkSource(zasper, 'examples/zasper/Dockerfile', { rules: [rule] });
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0]?.platforms, ['linux/arm64']);
});
