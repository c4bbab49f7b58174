import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSource } from '../check/engine.js';
import { parsePlatformList } from '../platform/index.js';
import hardcodedArchDownload from './hardcoded-arch-download.js';
import rule from './arch-pinned-package.js';
import { ruleTester } from './tester.js';

const DOCKER_LIST = (arch: string): string =>
  `FROM debian:bookworm\nRUN echo "deb [arch=${arch} signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/debian bookworm stable" > /etc/apt/sources.list.d/docker.list\n`;

ruleTester(rule, {
  valid: [
    // apt: the architecture taken from dpkg, or a list naming every target
    DOCKER_LIST('$(dpkg --print-architecture)'),
    { name: 'every target listed', code: DOCKER_LIST('amd64,arm64') },
    { name: 'single-arch build', code: DOCKER_LIST('amd64'), platforms: 'linux/amd64' },
    { name: 'constant --platform stage', code: 'FROM --platform=linux/amd64 debian\nRUN echo "deb [arch=amd64] https://x.example/debian stable main" > /etc/apt/sources.list.d/x.list\n' },
    {
      name: 'deb822 source naming every target',
      code: 'FROM debian:trixie\nRUN cat <<EOF > /etc/apt/sources.list.d/x.sources\nTypes: deb\nURIs: https://x.example/debian\nSuites: trixie\nComponents: main\nArchitectures: amd64 arm64\nEOF\n',
    },
    // apt: foreign-architecture packages in a cross-compiling set-up
    {
      name: 'dpkg --add-architecture with crossbuild-essential',
      code: 'FROM debian:bookworm\nRUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y crossbuild-essential-arm64 libssl-dev:arm64\n',
    },
    {
      name: 'gcc-aarch64-linux-gnu cross toolchain',
      code: 'FROM debian:bookworm\nRUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y gcc-aarch64-linux-gnu libc6-dev:arm64\n',
    },
    { name: 'xx-apt', code: 'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM debian\nCOPY --from=xx / /\nARG TARGETPLATFORM\nRUN xx-apt-get install -y libc6-dev:amd64\n' },
    'FROM debian\nRUN apt-get install -y python3:any\n',
    {
      name: 'i386 multilib packages in an amd64-only build',
      code: 'FROM debian:bookworm\nRUN dpkg --add-architecture i386 && apt-get update && apt-get install -y libc6:i386\n',
      platforms: 'linux/amd64',
    },
    // a public test image (search corpus, "FROM debian:stable"): i386 and s390x packages beside their
    // cross compilers (gcc-i686-linux-gnu, g++-s390x-linux-gnu) to build and test other targets
    {
      name: 'foreign debug libraries with their cross compilers',
      code: 'FROM debian:stable\nRUN dpkg --add-architecture i386 && dpkg --add-architecture s390x && apt-get update\nRUN apt-get install -y gcc-i686-linux-gnu libc6-dbg:i386 g++-s390x-linux-gnu libstdc++6:s390x\n',
    },
    // Python: no platform pin, or a pin inside an architecture branch
    'FROM python:3.12\nRUN pip install --only-binary=:all: numpy\n',
    'FROM python:3.12\nRUN pip download --platform any --only-binary=:all: six\n',
    {
      name: 'per-arch branch',
      code: 'FROM python:3.12\nRUN case "$(uname -m)" in x86_64) pip install --platform manylinux2014_x86_64 --only-binary=:all: --target /opt/x numpy ;; aarch64) pip install --platform manylinux2014_aarch64 --only-binary=:all: --target /opt/x numpy ;; esac\n',
    },
    'FROM quay.io/pypa/manylinux2014_x86_64\nRUN auditwheel repair --plat manylinux2014_x86_64 dist/*.whl\n'.replace('FROM quay.io/pypa/manylinux2014_x86_64', 'FROM --platform=linux/amd64 quay.io/pypa/manylinux2014_x86_64'),
    // Node.js: no pin, a variable, or the build machine's own stage
    'FROM node:20\nRUN npm ci --omit=dev\n',
    'FROM node:20\nARG TARGETARCH\nRUN npm install --arch=$TARGETARCH sharp\n',
    'FROM --platform=$BUILDPLATFORM node:20 AS build\nRUN npm install --arch=x64 esbuild\n',
    'FROM node:20\nRUN npm install sharp @img/sharp-libvips-dev\n',
    // words that only look alike
    'FROM debian\nRUN echo "arch=amd64 is the default" > /tmp/readme\n',
    'FROM node:20\nRUN npm run build -- --target=es2020\n',
  ],
  invalid: [
    // ephpm/ephpm pull #84: the CI image's Docker apt source said arch=amd64; the arm64 image build
    // failed with docker-ce-cli:amd64 unmet dependencies until it used dpkg --print-architecture
    {
      name: 'docker apt source pinned to amd64 (ephpm/ephpm#84)',
      code: DOCKER_LIST('amd64'),
      errors: [{ messageId: 'aptArch', line: 2, column: 21 }],
      output: DOCKER_LIST('$(dpkg --print-architecture)'),
    },
    // johnnylarner/johnnypi infra/docker/install_1.sh: the same source pinned the other way, arm64
    {
      name: 'pinned to arm64 in an amd64+arm64 build',
      code: 'FROM debian:bullseye\nRUN echo deb [arch=arm64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bullseye stable | tee /etc/apt/sources.list.d/docker.list\n',
      errors: [{ messageId: 'aptArch', line: 2 }],
      output:
        'FROM debian:bullseye\nRUN echo deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bullseye stable | tee /etc/apt/sources.list.d/docker.list\n',
    },
    // a goreleaser builder image (search corpus, "FROM golang:1.11" Dockerfile): add-apt-repository "deb [arch=amd64] ..."
    {
      name: 'add-apt-repository with arch=amd64',
      code: 'FROM golang:1.11\nRUN add-apt-repository "deb [arch=amd64] https://download.docker.com/linux/debian $(lsb_release -cs) stable"\n',
      errors: [{ messageId: 'aptArch', line: 2 }],
      output: 'FROM golang:1.11\nRUN add-apt-repository "deb [arch=$(dpkg --print-architecture)] https://download.docker.com/linux/debian $(lsb_release -cs) stable"\n',
    },
    {
      name: 'a list missing one target',
      code: DOCKER_LIST('amd64,arm64'),
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      errors: [{ messageId: 'aptArch', line: 2 }],
      output: null,
    },
    {
      name: 'single quotes: no fix',
      code: "FROM debian\nRUN echo 'deb [arch=amd64] https://x.example/debian stable main' > /etc/apt/sources.list.d/x.list\n",
      errors: [{ messageId: 'aptArch', line: 2 }],
      output: null,
    },
    {
      name: 'a source file written by a heredoc',
      code: 'FROM debian:bookworm\nRUN cat <<EOF > /etc/apt/sources.list.d/x.list\ndeb [arch=amd64] https://x.example/debian bookworm main\nEOF\n',
      errors: [{ messageId: 'aptArch', line: 3, column: 11 }],
      output: 'FROM debian:bookworm\nRUN cat <<EOF > /etc/apt/sources.list.d/x.list\ndeb [arch=$(dpkg --print-architecture)] https://x.example/debian bookworm main\nEOF\n',
    },
    {
      name: 'a quoted-delimiter heredoc: no fix',
      code: "FROM debian:bookworm\nRUN cat <<'EOF' > /etc/apt/sources.list.d/x.list\ndeb [arch=amd64] https://x.example/debian bookworm main\nEOF\n",
      errors: [{ messageId: 'aptArch', line: 3 }],
      output: null,
    },
    {
      name: 'deb822 Architectures: amd64',
      code: 'FROM debian:trixie\nRUN cat <<EOF > /etc/apt/sources.list.d/x.sources\nTypes: deb\nURIs: https://x.example/debian\nSuites: trixie\nComponents: main\nArchitectures: amd64\nEOF\n',
      errors: [{ messageId: 'aptArch', line: 7, column: 16 }],
      output: 'FROM debian:trixie\nRUN cat <<EOF > /etc/apt/sources.list.d/x.sources\nTypes: deb\nURIs: https://x.example/debian\nSuites: trixie\nComponents: main\nArchitectures: $(dpkg --print-architecture)\nEOF\n',
    },
    {
      name: 'deb822 written by printf',
      code: "FROM debian:trixie\nRUN printf 'Types: deb\\nURIs: https://x.example/debian\\nSuites: trixie\\nComponents: main\\nArchitectures: amd64\\n' > /etc/apt/sources.list.d/x.sources\n",
      errors: [{ messageId: 'aptArch', line: 2 }],
      output: null,
    },
    // apt-get install pkg:amd64 with no cross toolchain: apt on arm64 asks for amd64 packages
    {
      name: 'pkg:amd64 outside a cross set-up',
      code: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y libssl-dev:amd64 curl\n',
      errors: [{ messageId: 'aptPackage', line: 2 }],
      output: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y libssl-dev curl\n',
    },
    // wine-style 32-bit libraries: only an amd64 (or i386) machine can run them
    {
      name: 'i386 libraries after --add-architecture without a cross toolchain',
      code: 'FROM debian:bookworm\nRUN dpkg --add-architecture i386 && apt-get update && apt-get install -y libc6:i386\n',
      errors: [{ messageId: 'aptPackage', line: 2 }],
      output: null,
    },
    // Python wheels for one CPU (AWS Lambda layer recipes copied into images)
    {
      name: 'pip install --platform manylinux2014_x86_64',
      code: 'FROM python:3.12-slim\nRUN pip install --platform manylinux2014_x86_64 --only-binary=:all: --target /opt/python cryptography\n',
      errors: [{ messageId: 'pythonPlatform', line: 2 }],
    },
    {
      name: 'pip download --platform= form, python -m pip',
      code: 'FROM python:3.12-slim\nRUN python3 -m pip download --platform=manylinux_2_17_x86_64 --only-binary=:all: -d /wheels numpy\n',
      errors: [{ messageId: 'pythonPlatform', line: 2 }],
    },
    {
      name: 'uv pip --platform aarch64 in an amd64+arm64 build',
      code: 'FROM python:3.12-slim\nRUN pip install --platform linux_aarch64 --only-binary=:all: --target /opt/p pydantic-core\n',
      errors: [{ messageId: 'pythonPlatform', line: 2 }],
    },
    // SethEBaldwin/fastpivot Dockerfile repairs an x86_64 wheel; with --plat on a multi-arch image
    {
      name: 'auditwheel repair --plat ..._x86_64',
      code: 'FROM python:3.12\nRUN pip wheel -w dist . && auditwheel repair --plat manylinux2014_x86_64 dist/*.whl\n',
      errors: [{ messageId: 'pythonPlatform', line: 2 }],
    },
    // ReputeBeeOrg/reputebeeorg Dockerfile: npm install --arch=x64 --platform=linuxmusl sharp on node:alpine
    {
      name: 'npm install --arch=x64 (ReputeBeeOrg/reputebeeorg)',
      code: 'FROM node:current-alpine\nRUN npm install && npm install --arch=x64 --platform=linuxmusl sharp\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:current-alpine\nRUN npm install && npm install --platform=linuxmusl sharp\n',
    },
    // georgemblack/gcs-image-convert Dockerfile: yarn add --arch=x64 --platform=linux sharp
    {
      name: 'yarn add --arch=x64 (georgemblack/gcs-image-convert)',
      code: 'FROM node:14-stretch AS build-env\nRUN yarn && yarn add --arch=x64 --platform=linux sharp\nFROM node:14-alpine\nCOPY --from=build-env /build /app\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:14-stretch AS build-env\nRUN yarn && yarn add --platform=linux sharp\nFROM node:14-alpine\nCOPY --from=build-env /build /app\n',
    },
    // engi-network/canifinetuneyet Dockerfile: npm install --platform=linux --arch=arm64v8 sharp
    {
      name: 'npm install --arch=arm64v8 (engi-network/canifinetuneyet)',
      code: 'FROM node:16.14.0\nRUN npm install --platform=linux --arch=arm64v8 sharp\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:16.14.0\nRUN npm install --platform=linux sharp\n',
    },
    // public Dockerfile (search corpus, "FROM node:23"): npm install --cpu=x64 --os=linux --libc=glibc sharp
    {
      name: 'npm install --cpu=x64',
      code: 'FROM node:23\nRUN npm install --cpu=x64 --os=linux --libc=glibc sharp\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:23\nRUN npm install --os=linux --libc=glibc sharp\n',
    },
    {
      name: 'npm rebuild --arch x64 (separate value)',
      code: 'FROM node:20\nRUN npm rebuild --arch x64 bcrypt\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:20\nRUN npm rebuild bcrypt\n',
    },
    {
      name: 'sudo npm install -g --arch=x64',
      code: 'FROM node:20\nRUN sudo -E npm install -g --arch=x64 sharp\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:20\nRUN sudo -E npm install -g sharp\n',
    },
    {
      name: 'node-gyp --target_arch=x64',
      code: 'FROM node:20\nRUN node-gyp rebuild --target_arch=x64\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
      output: 'FROM node:20\nRUN node-gyp rebuild\n',
    },
    {
      name: 'npm_config_arch as a command prefix',
      code: 'FROM node:20\nRUN npm_config_arch=x64 npm ci\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
    },
    {
      name: 'ENV npm_config_arch',
      code: 'FROM node:20\nENV npm_config_arch=x64\nRUN npm ci\n',
      errors: [{ messageId: 'nodeArch', line: 2 }],
    },
    // tuantransn2001/LoginForm-Backend Dockerfile: npm install --force @img/sharp-linux-x64
    {
      name: 'a per-platform npm package (tuantransn2001/LoginForm-Backend)',
      code: 'FROM node:18.5\nRUN npm install\nRUN npm install --force @img/sharp-linux-x64\n',
      errors: [{ messageId: 'nodePackage', line: 3 }],
    },
    {
      name: 'esbuild and swc platform packages',
      code: 'FROM node:20\nRUN npm install @esbuild/linux-x64 @swc/core-linux-x64-gnu\n',
      errors: [{ messageId: 'nodePackage', line: 2 }, { messageId: 'nodePackage', line: 2 }],
    },
  ],
});

describe('AA121 and AA101 share the work once', () => {
  test('a wheel URL is AA101\'s, not AA121\'s', () => {
    const code = 'FROM python:3.12\nRUN pip install https://example.com/wheels/pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl\n';
    const r = checkSource(code, 'Dockerfile', { rules: [rule, hardcodedArchDownload], platforms: parsePlatformList('linux/amd64,linux/arm64') });
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['AA101']);
  });
  test('an apt source is AA121\'s, not AA101\'s', () => {
    const r = checkSource(DOCKER_LIST('amd64'), 'Dockerfile', { rules: [rule, hardcodedArchDownload], platforms: parsePlatformList('linux/amd64,linux/arm64') });
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['AA121']);
  });
});
