/**
 * Real cases for build-context scripts and per-architecture Dockerfiles (issue 11), rewritten in
 * our own words from the repositories named above each, checked with every built-in rule. What
 * anyarch said before this change is noted per case (`before:`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScriptReader } from '../dockerfile/scripts.js';
import { parsePlatformList } from '../platform/index.js';
import { DEFAULT_PLATFORMS, checkSource } from './engine.js';
import { platformsForFile } from './file-platforms.js';

const OFFLINE = { buildPlatform: parsePlatformList('linux/amd64')[0]! };

function reader(files: Record<string, string>): ScriptReader {
  return (p) => (Object.hasOwn(files, p) ? { path: p, text: files[p] as string } : undefined);
}

/** `ruleId messageId file:line` of each finding, checking `file` with the platforms its name (and siblings) choose. */
function check(file: string, source: string, files: Record<string, string> = {}, siblings: readonly string[] = []): string[] {
  const chosen = platformsForFile(file, siblings, DEFAULT_PLATFORMS);
  const r = checkSource(source, file, { ...OFFLINE, ...(chosen ? { platforms: chosen.platforms } : {}) }, reader(files));
  assert.equal(r.error, undefined, r.error?.describe());
  return r.findings.map((f) => `${f.ruleId} ${f.messageId} ${f.file}:${f.range.start.line}`);
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('real cases: scripts the build runs', () => {
  // aws/aws-xray-daemon PR #102 (issue #100): the build-platform stage runs ./build-linux.sh, which chooses
  // GOARCH by $TARGETPLATFORM; the stage never declared ARG TARGETPLATFORM, so both images got the amd64 daemon.
  // before: nothing. now: AA102 on the RUN, with the fix.
  test('aws/aws-xray-daemon#102', () => {
    const df = lines(
      'FROM --platform=$BUILDPLATFORM golang:1.15-alpine AS build-env',
      'RUN apk update && apk add make',
      'COPY . /workspace',
      'WORKDIR /workspace',
      'RUN ./build-linux.sh',
      'FROM scratch',
      'COPY --from=build-env /workspace/build/xray-linux /xray',
    );
    const script = '#!/bin/sh\nif [ "$TARGETPLATFORM" = "linux/arm64" ]; then GOARCH=arm64; else GOARCH=amd64; fi\nGOOS=linux GOARCH=$GOARCH go build -o build/xray-linux ./cmd/tracing\n';
    assert.deepEqual(check('Dockerfile', df, { 'build-linux.sh': script }), ['AA102 scriptReads Dockerfile:5']);
    // after the fix (ARG TARGETPLATFORM in the stage): quiet
    assert.deepEqual(check('Dockerfile', df.replace('AS build-env\n', 'AS build-env\nARG TARGETPLATFORM\n'), { 'build-linux.sh': script }), []);
  });

  // docker/buildx PR #2830: xx-go --wrap, then the bind-mounted ./hack/build; the stage declares TARGETPLATFORM. quiet, before and now.
  test('docker/buildx#2830 (quiet)', () => {
    const df = lines(
      'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx',
      'FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build',
      'COPY --from=xx / /',
      'ARG TARGETPLATFORM',
      'WORKDIR /src',
      'RUN --mount=type=bind,target=. xx-go --wrap && DESTDIR=/usr/bin ./hack/build && xx-verify --static /usr/bin/docker-buildx',
      'FROM scratch',
      'COPY --from=build /usr/bin/docker-buildx /buildx',
    );
    assert.deepEqual(check('Dockerfile', df, { 'hack/build': '#!/usr/bin/env sh\nset -e\ngo build -trimpath -o "${DESTDIR}/docker-buildx" ./cmd/buildx\n' }), []);
  });

  // conforma/cli PR #3024: build.sh builds only $TARGETOS_$TARGETARCH when both are set, all platforms otherwise;
  // the stage declares them and runs on the target. quiet, before and now.
  test('conforma/cli#3024 (quiet)', () => {
    const df = lines('FROM golang:1.24 AS build', 'ARG TARGETOS', 'ARG TARGETARCH', 'WORKDIR /build', 'COPY . .', 'RUN ./build.sh', 'FROM registry.access.redhat.com/ubi9/ubi-minimal', 'COPY --from=build /build/dist /usr/local/bin');
    const script = '#!/bin/bash\nif [[ -n "${TARGETOS:-}" && -n "${TARGETARCH:-}" ]]; then B="${TARGETOS}_${TARGETARCH}"; else B="linux_amd64 linux_arm64"; fi\nfor b in $B; do GOOS=${b%%_*} GOARCH=${b#*_} go build -o dist/ec_${b}; done\n';
    assert.deepEqual(check('Dockerfile', df, { 'build.sh': script }), []);
  });

  // humbertodias/atari-dev-kit: install.sh builds cc65 with make in a normal stage (native for the target). quiet.
  test('humbertodias/atari-dev-kit (quiet)', () => {
    const df = lines('FROM alpine:3.8', 'RUN apk update', 'ADD install.sh /root', 'RUN /root/install.sh', 'WORKDIR "/root"');
    const script = 'apk add make gcc g++ musl-dev\ncd /root\nwget https://github.com/cc65/cc65/archive/master.zip\nunzip master.zip && cd cc65-master && make\n';
    assert.deepEqual(check('Dockerfile', df, { 'install.sh': script }), []);
  });

  // the shape of many install scripts: a context script downloading the x86-64 release unconditionally.
  // before: nothing (the script was not read). now: AA101 in the script, at its own line.
  test('an install script with a constant amd64 download', () => {
    const df = lines('FROM debian:bookworm-slim', 'COPY install.sh /tmp/', 'RUN bash /tmp/install.sh');
    const script = '#!/bin/bash\nset -e\ncurl -fsSLo /tmp/gh.tgz https://github.com/cli/cli/releases/download/v2.40.0/gh_2.40.0_linux_amd64.tar.gz\ntar -xzf /tmp/gh.tgz -C /usr/local --strip-components=1\n';
    assert.deepEqual(check('Dockerfile', df, { 'install.sh': script }), ['AA101 download install.sh:3']);
  });

  // a detector inside a script a build-platform stage runs, whose download the image copies.
  // before: nothing. now: AA105 in the script.
  test('uname -m in a script of a build-platform stage', () => {
    const df = lines('FROM --platform=$BUILDPLATFORM alpine AS fetch', 'COPY fetch.sh /fetch.sh', 'RUN sh /fetch.sh', 'FROM alpine', 'COPY --from=fetch /usr/local/bin/tool /usr/local/bin/tool');
    const script = 'ARCH=$(uname -m)\nwget -O /usr/local/bin/tool "https://example.com/tool-linux-$ARCH"\n';
    assert.deepEqual(check('Dockerfile', df, { 'fetch.sh': script }), ['AA105 builderArch fetch.sh:1']);
  });
});

describe('real cases: per-architecture Dockerfiles', () => {
  const thespad = (sonarr: string, radarr: string): string =>
    lines(
      'FROM ghcr.io/linuxserver/baseimage-alpine:3.15',
      'ARG SONARR_BRANCH="develop"',
      'RUN apk add --no-cache curl jq icu-libs && \\',
      '  mkdir -p /app/sonarr/bin /app/radarr/bin && \\',
      '  SONARR_VERSION=$(curl -sL "https://services.sonarr.tv/v1/update/${SONARR_BRANCH}/changes?version=4&os=linuxmusl" | jq -r \'.[0].version\') && \\',
      `  curl -L -o /tmp/sonarr.tar.gz "https://download.sonarr.tv/v4/\${SONARR_BRANCH}/\${SONARR_VERSION}/Sonarr.\${SONARR_BRANCH}.\${SONARR_VERSION}.linux-musl-${sonarr}.tar.gz" && \\`,
      '  tar xzf /tmp/sonarr.tar.gz -C /app/sonarr/bin --strip-components=1 && \\',
      `  curl -L -o /tmp/radarr.tar.gz "https://radarr.servarr.com/v1/update/nightly/updatefile?version=5.0&os=linuxmusl&runtime=netcore&arch=${radarr}" && \\`,
      '  tar xzf /tmp/radarr.tar.gz -C /app/radarr/bin --strip-components=1',
      'COPY root/ /',
    );
  const SIBLINGS = ['Dockerfile', 'Dockerfile.aarch64', 'Dockerfile.armhf'];

  // thespad/docker-arr-in-one: Dockerfile (x64 downloads) and Dockerfile.aarch64 (arm64 downloads), the
  // linuxserver.io convention. before: AA101 on both files (each was checked for amd64 and arm64). now: quiet.
  test('thespad/docker-arr-in-one (quiet)', () => {
    assert.deepEqual(check('Dockerfile', thespad('x64', 'x64'), {}, SIBLINGS), []);
    assert.deepEqual(check('Dockerfile.aarch64', thespad('arm64', 'arm64'), {}, SIBLINGS), []);
  });

  // thespad/docker-arr-in-one issue #15: the arm64 image held the x64 Sonarr (a copy/paste error in the
  // aarch64 file). before: AA101 there, and also on the correct Dockerfile. now: AA101 on the aarch64 file only.
  test('thespad/docker-arr-in-one#15', () => {
    assert.deepEqual(check('Dockerfile.aarch64', thespad('x64', 'arm64'), {}, SIBLINGS), ['AA101 downloadOther Dockerfile.aarch64:6']);
  });

  // 1activegeek/docker-airconnect: Dockerfile.arm64v8 FROM arm64v8/debian with the aarch64 s6-overlay, and
  // Dockerfile.amd64 FROM amd64/debian. before: AA113 on both (a one-architecture base for a two-platform build). now: quiet.
  test('1activegeek/docker-airconnect (quiet)', () => {
    const df = (ns: string, arch: string): string =>
      lines(`FROM ${ns}/debian:stable-slim`, 'ARG OVERLAY_VERSION="v1.22.1.0"', `ARG OVERLAY_ARCH="${arch}"`, 'RUN apt-get update && apt-get -y install curl', 'ADD https://github.com/just-containers/s6-overlay/releases/download/${OVERLAY_VERSION}/s6-overlay-${OVERLAY_ARCH}.tar.gz /tmp/s6.tar.gz', 'RUN tar xfz /tmp/s6.tar.gz -C /');
    assert.deepEqual(check('Dockerfile.arm64v8', df('arm64v8', 'aarch64')), []);
    assert.deepEqual(check('Dockerfile.amd64', df('amd64', 'amd64')), []);
  });

  // linuxserver.io's armhf files (docker-arr-in-one's Dockerfile.armhf): arm/v7, where an aarch64 download is wrong.
  test('an arm64 download in Dockerfile.armhf', () => {
    assert.deepEqual(check('Dockerfile.armhf', thespad('arm64', 'arm')), ['AA101 downloadOther Dockerfile.armhf:6']);
  });
});
