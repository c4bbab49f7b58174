import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel } from '../dockerfile/model.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { formatPlatform, parsePlatform, parsePlatformList } from '../platform/index.js';
import { installSites, toolchainAdvice, type InstallSiteFacts } from './dockerfile.js';

function sites(text: string, platforms = 'linux/amd64,linux/arm64', build = 'linux/amd64'): readonly InstallSiteFacts[] {
  return installSites(buildModel(parseDockerfile(text, 'Dockerfile')), 'Dockerfile', parsePlatformList(platforms), { buildPlatform: parsePlatform(build) });
}

function one(text: string, platforms?: string): InstallSiteFacts {
  const s = sites(text, platforms);
  assert.equal(s.length, 1, `one site, got ${s.map((x) => x.command).join(' | ')}`);
  return s[0] as InstallSiteFacts;
}

test('installSites: nothing without a package manager, and nothing for installs that read no lockfile', () => {
  assert.deepEqual(sites('FROM alpine:3.20\nRUN apk add --no-cache curl'), []);
  assert.deepEqual(sites('FROM node:20\nRUN npm install -g pnpm@9 && npm i left-pad'), []);
  assert.deepEqual(sites('FROM python:3.12\nRUN pip install --no-cache-dir gunicorn==22.0.0 && pip install .'), []);
  assert.deepEqual(sites('FROM node:20\nRUN npm run build && pnpm exec tsc && yarn build'), []);
  assert.deepEqual(sites('FROM node:20\nRUN yarn --version && npm --version && pip --version'), []);
});

test('installSites: npm ci after COPY of the manifests into WORKDIR (glob), musl and the Node version from node:20-alpine', () => {
  const s = one('FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev');
  assert.equal(s.manager, 'npm');
  assert.equal(s.ecosystem, 'npm');
  assert.equal(s.command, 'npm ci --omit=dev');
  assert.deepEqual(s.lockfiles, ['npm-shrinkwrap.json', 'package-lock.json']);
  assert.deepEqual(s.kinds, ['npm-shrinkwrap', 'package-lock']);
  assert.deepEqual([s.range.start.line, s.range.start.column, s.range.end.column], [4, 5, 22]);
  assert.deepEqual(s.targets.map((t) => [formatPlatform(t.platform), t.libc, t.libcVersion, t.node]), [
    ['linux/amd64', 'musl', '1.2', '20'],
    ['linux/arm64', 'musl', '1.2', '20'],
  ]);
  const tc = s.targets[0]?.toolchain;
  assert.ok(tc);
  assert.deepEqual([tc.cc, tc.cxx, tc.make, tc.python3], [false, false, false, false]);
  assert.equal(s.targets[0]?.site?.base, 'node:20-alpine');
});

test('installSites: the toolchain an earlier command of the same RUN installs (apk --virtual, removed after the install)', () => {
  // the shape of many Node-on-Alpine images: python3 make g++ for node-gyp, deleted afterwards
  const s = one('FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN apk add --no-cache --virtual .gyp python3 make g++ && npm ci && apk del .gyp');
  const tc = s.targets[0]?.toolchain;
  assert.ok(tc);
  assert.deepEqual([tc.cc, tc.cxx, tc.make, tc.python3], [true, true, true, true]);
  assert.ok(tc.evidence.some((e) => /^g\+\+ is installed in stage #0 \(Dockerfile:4, before the install\)$/.test(e)), tc.evidence.join(' | '));
  assert.deepEqual(s.lockfiles, ['package-lock.json']);
});

test('installSites: a package removed before the install is gone; one installed after it does not count', () => {
  const s = one('FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\nRUN apt-get purge -y gcc\nCOPY . /w\nWORKDIR /w\nRUN npm ci\nRUN apt-get install -y g++');
  const tc = s.targets[0]?.toolchain;
  assert.deepEqual([tc?.cc, tc?.cxx, tc?.make], [false, false, true]);
  assert.equal(s.targets[0]?.libcVersion, '2.36');
});

test('installSites: karakeep (karakeep-app/karakeep): pnpm in a named stage, make g++ python3 from apt in an earlier RUN', () => {
  const text = [
    'FROM node:24.18.1-slim AS base',
    'WORKDIR /app',
    'RUN npm install -g corepack@latest && corepack enable pnpm',
    'RUN apt-get update && apt-get install --no-install-recommends -y make g++ python3 python3-pip && rm -rf /var/lib/apt/lists/*',
    'COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./',
    'COPY apps/web/package.json ./apps/web/',
    'RUN pnpm install --frozen-lockfile',
    'COPY . .',
    'RUN cd packages/db && pnpm exec ncc build migrate.ts',
  ].join('\n');
  const s = one(text);
  assert.equal(s.manager, 'pnpm');
  assert.deepEqual(s.lockfiles, ['pnpm-lock.yaml']);
  const t = s.targets[0];
  assert.equal(t?.node, '24');
  assert.equal(t?.libcVersion, '2.41');
  assert.deepEqual([t?.toolchain?.cc, t?.toolchain?.cxx, t?.toolchain?.make, t?.toolchain?.python3], [true, true, true, true]);
  assert.ok(t?.toolchain?.evidence.includes('g++ is installed in stage base (Dockerfile:4)'));
});

test('installSites: a `cd` before the install, and --prefix / -C / --cwd', () => {
  // a Go image building its web UI (the shape of several real Go services): COPY web/... then `cd web && npm ci`
  const s = one('FROM golang:1.25-alpine AS builder\nWORKDIR /src\nRUN apk add --no-cache nodejs npm\nCOPY go.mod go.sum ./\nCOPY web/package.json web/package-lock.json ./web/\nRUN cd web && npm ci');
  assert.deepEqual(s.lockfiles, ['web/package-lock.json']);
  assert.equal(s.containerPath, '/src/web/package-lock.json');
  assert.deepEqual(one('FROM node:20\nCOPY . /repo\nRUN npm ci --prefix /repo/ui').lockfiles, ['ui/npm-shrinkwrap.json', 'ui/package-lock.json']);
  assert.deepEqual(one('FROM node:20\nCOPY . /repo\nWORKDIR /repo\nRUN pnpm -C frontend install').lockfiles, ['frontend/pnpm-lock.yaml']);
  assert.deepEqual(one('FROM node:20\nCOPY . /repo\nRUN yarn --cwd /repo/site install --immutable').lockfiles, ['site/yarn.lock']);
  assert.deepEqual(one('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn').lockfiles, ['yarn.lock']);
});

test('installSites: uv sync through bind mounts (the astral-sh/uv-docker-example shape)', () => {
  const text = [
    'FROM python:3.12-slim-bookworm',
    'WORKDIR /app',
    'RUN --mount=type=cache,target=/root/.cache/uv \\',
    '    --mount=type=bind,source=uv.lock,target=uv.lock \\',
    '    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\',
    '    uv sync --locked --no-install-project --no-dev',
  ].join('\n');
  const s = one(text);
  assert.equal(s.manager, 'uv');
  assert.equal(s.ecosystem, 'python');
  assert.deepEqual(s.lockfiles, ['uv.lock']);
  assert.deepEqual(s.kinds, ['uv-lock']);
  assert.equal(s.range.start.line, 6);
  const t = s.targets[0];
  assert.deepEqual([t?.libc, t?.libcVersion, t?.python], ['glibc', '2.36', '3.12']);
  assert.deepEqual([t?.toolchain?.cc, t?.toolchain?.python3], [false, true]);
  assert.ok(t?.toolchain?.headers.includes('python3-dev'));
});

test('installSites: pip install -r (python -m pip, --requirement=, -r in /tmp), poetry, pipenv, uv pip', () => {
  assert.deepEqual(one('FROM python:3.11\nCOPY requirements.txt /tmp/\nRUN python -m pip install --no-cache-dir -r /tmp/requirements.txt').lockfiles, ['requirements.txt']);
  assert.deepEqual(one('FROM python:3.11\nCOPY reqs/ /reqs/\nRUN pip3 install --requirement=/reqs/prod.txt').lockfiles, ['reqs/prod.txt']);
  const poetry = one('FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN pip install poetry==1.8.3 && poetry install --no-root --only main');
  assert.equal(poetry.manager, 'poetry');
  assert.deepEqual(poetry.lockfiles, ['poetry.lock']);
  assert.deepEqual(one('FROM python:3.11\nWORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pip install pipenv && pipenv install --system --deploy').lockfiles, ['Pipfile.lock']);
  assert.deepEqual(one('FROM python:3.12-alpine\nCOPY requirements.lock /app/\nRUN uv pip install --system -r /app/requirements.lock').lockfiles, ['requirements.lock']);
});

test('installSites: pip install -r of a file an earlier `poetry export` / `uv export` wrote reads that lockfile', () => {
  const p = one('FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry export -f requirements.txt -o requirements.txt && pip install -r requirements.txt');
  assert.equal(p.manager, 'pip');
  assert.deepEqual(p.lockfiles, ['poetry.lock']);
  assert.deepEqual(p.kinds, ['poetry-lock']);
  const u = one('FROM python:3.12-slim\nWORKDIR /app\nCOPY uv.lock pyproject.toml ./\nRUN uv export --frozen --no-dev > /tmp/req.txt && pip install -r /tmp/req.txt');
  assert.deepEqual(u.lockfiles, ['uv.lock']);
  assert.deepEqual(u.kinds, ['uv-lock']);
});

test('installSites: a heredoc RUN, COPY in JSON form with --chown, a bind mount of the whole context', () => {
  const h = one('FROM node:20-slim\nWORKDIR /app\nCOPY --chown=node:node ["package.json", "yarn.lock", "./"]\nRUN <<EOF\nset -e\nyarn install --immutable\nEOF');
  assert.deepEqual(h.lockfiles, ['yarn.lock']);
  assert.deepEqual([h.range.start.line, h.range.start.column, h.command], [6, 1, 'yarn install --immutable']);
  const b = one('FROM node:20-slim\nWORKDIR /app\nRUN --mount=type=bind,target=. --mount=type=cache,target=/root/.npm npm ci');
  assert.deepEqual(b.lockfiles, ['npm-shrinkwrap.json', 'package-lock.json']);
});

test('installSites: a lockfile not in the context gives a site with no lockfile (nothing to read)', () => {
  // 007trains/docker-cronicle: `yarn` in a tree downloaded by the RUN itself
  const s = one('FROM node:18-bullseye AS Builder\nWORKDIR /opt/cronicle\nRUN curl -L -o /tmp/c.tgz https://example.invalid/c.tgz && tar zxf /tmp/c.tgz -C . && yarn');
  assert.deepEqual(s.lockfiles, []);
  assert.deepEqual([s.targets[0]?.libcVersion, s.targets[0]?.toolchain?.cc], ['2.31', true]);
});

test('installSites: per-platform bases (ARG), a stage FROM a stage (the parent\'s base and toolchain), $BUILDPLATFORM and constant platforms', () => {
  // a parent chosen per platform: glibc for amd64, musl for arm64
  const perArch = one('FROM node:20-bookworm-slim AS base-amd64\nFROM node:20-alpine3.19 AS base-arm64\nRUN apk add --no-cache build-base python3\nFROM base-${TARGETARCH} AS final\nWORKDIR /app\nCOPY . .\nRUN npm ci', 'linux/amd64,linux/arm64');
  assert.equal(perArch.stage.name, 'final');
  assert.deepEqual(perArch.targets.map((t) => [t.libc, t.libcVersion, t.site?.base, t.toolchain?.cc]), [
    ['glibc', '2.36', 'node:20-bookworm-slim', false],
    ['musl', '1.2.4', 'node:20-alpine3.19', true],
  ]);
  // an image expanded per target from a platform ARG
  const expanded = one('FROM ${TARGETARCH}/python:3.11-slim-bullseye\nCOPY requirements.txt .\nRUN pip install -r requirements.txt');
  assert.deepEqual(expanded.targets.map((t) => [t.site?.base, t.python, t.libcVersion]), [['amd64/python:3.11-slim-bullseye', '3.11', '2.31'], ['arm64/python:3.11-slim-bullseye', '3.11', '2.31']]);
  const chained = one('FROM python:3.12-alpine AS base\nRUN apk add --no-cache build-base\nFROM base AS deps\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt');
  const t = chained.targets[0];
  assert.deepEqual([t?.libc, t?.python, t?.toolchain?.cc, t?.site?.base], ['musl', '3.12', true, 'python:3.12-alpine']);
  assert.ok(t?.toolchain?.headers.includes('musl-dev'));
  assert.ok(t?.toolchain?.evidence.includes('build-base is installed in stage base (Dockerfile:2)'));
  const builder = one('FROM --platform=$BUILDPLATFORM node:20 AS deps\nWORKDIR /app\nCOPY . .\nRUN npm ci\nFROM node:20-slim\nCOPY --from=deps /app /app', 'linux/amd64,linux/arm64,linux/riscv64');
  assert.equal(builder.builder, true);
  assert.deepEqual(builder.targets.map((x) => formatPlatform(x.platform)), ['linux/amd64']);
  const pinned = one('FROM --platform=linux/arm64 python\nWORKDIR /usr/src/app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt');
  assert.deepEqual(pinned.targets.map((x) => formatPlatform(x.platform)), ['linux/arm64']);
});

test('installSites: a base the tables do not know has an unknown toolchain (never "no compiler")', () => {
  const s = one('FROM ghcr.io/acme/node-builder:20\nWORKDIR /app\nCOPY . .\nRUN npm ci');
  assert.equal(s.targets[0]?.toolchain, undefined);
  assert.equal(s.targets[0]?.libc, 'glibc');
  const apk = one('FROM ghcr.io/acme/base:1\nRUN apk add --no-cache nodejs npm\nCOPY . /a\nWORKDIR /a\nRUN npm ci');
  assert.equal(apk.targets[0]?.libc, 'musl');
});

test('installSites: keys are stable when lines are inserted before the RUN (fixes add ARG lines)', () => {
  const a = sites('FROM node:20\nCOPY . /a\nWORKDIR /a\nRUN npm ci\nRUN cd docs && npm ci');
  const b = sites('FROM node:20\nARG TARGETARCH\nCOPY . /a\nWORKDIR /a\nRUN npm ci\nRUN cd docs && npm ci');
  assert.deepEqual(a.map((s) => s.key), ['0:0', '0:1']);
  assert.deepEqual(b.map((s) => s.key), a.map((s) => s.key));
});

test('installSites: 2,000 install RUNs read in linear time', () => {
  const lines = ['FROM node:20-alpine AS base', 'WORKDIR /app', 'COPY . .', 'RUN apk add --no-cache python3 make g++'];
  for (let i = 0; i < 2000; i++) lines.push(`RUN cd pkg${i} && npm ci`);
  const text = lines.join('\n');
  const found = sites(text);
  assert.equal(found.length, 2000);
  assert.equal(found[1999]?.lockfiles[1], 'pkg1999/package-lock.json');
  assert.equal(found[1999]?.targets[0]?.toolchain?.cc, true);
});

test('toolchainAdvice: the packages per distribution', () => {
  assert.equal(toolchainAdvice('node:20-alpine', ['a C compiler', 'make', 'python3']), 'RUN apk add --no-cache build-base python3');
  assert.equal(toolchainAdvice('node:20-slim', ['a C++ compiler', 'python3']), 'RUN apt-get update && apt-get install -y --no-install-recommends build-essential python3');
  assert.equal(toolchainAdvice('registry.access.redhat.com/ubi9/ubi', ['a C compiler', 'a C++ compiler', 'make']), 'RUN dnf install -y gcc gcc-c++ make');
  assert.match(toolchainAdvice('ghcr.io/acme/x:1', ['a C compiler']), /^install a C compiler/);
});

test('installSites: real install lines: corepack and npx before the manager, flags with a value after pnpm install, pnpm deploy, yarn workspaces focus', () => {
  const cmd = (text: string): string[] => sites(`FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN ${text}`).map((s) => `${s.manager}:${s.lockfiles.join(',')}`);
  assert.deepEqual(cmd('corepack pnpm install --frozen-lockfile'), ['pnpm:pnpm-lock.yaml']);
  assert.deepEqual(cmd('corepack yarn@4.1.0 install --immutable'), ['yarn:yarn.lock']);
  assert.deepEqual(cmd('npx -y pnpm@9 install --frozen-lockfile'), ['pnpm:pnpm-lock.yaml']);
  assert.deepEqual(cmd('pnpm install --frozen-lockfile --store-dir /pnpm/store'), ['pnpm:pnpm-lock.yaml']);
  assert.deepEqual(cmd('pnpm install --frozen-lockfile --reporter append-only'), ['pnpm:pnpm-lock.yaml']);
  assert.deepEqual(cmd('pnpm deploy --filter=api --prod /prod/api'), ['pnpm:pnpm-lock.yaml']);
  assert.deepEqual(cmd('yarn workspaces focus --all --production'), ['yarn:yarn.lock']);
  assert.deepEqual(cmd('npm ci --fetch-retries 5 --fetch-timeout 600000'), ['npm:npm-shrinkwrap.json,package-lock.json']);
  // what changes the lockfile or runs a package is not an install from it
  assert.deepEqual(cmd('pnpm add left-pad && yarn add left-pad && npx prisma generate && corepack enable'), []);
});

test('installSites: pip3.12, `pip install -qr`, and `pip wheel -r` (a builder stage compiling the wheels)', () => {
  const files = (text: string): string[] => sites(`FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN ${text}`).map((s) => `${s.manager}:${s.lockfiles.join(',')}`);
  assert.deepEqual(files('pip3.12 install -r requirements.txt'), ['pip:requirements.txt']);
  assert.deepEqual(files('pip install -qr requirements.txt'), ['pip:requirements.txt']);
  assert.deepEqual(files('pip wheel --no-cache-dir --no-deps --wheel-dir /app/wheels -r requirements.txt'), ['pip:requirements.txt']);
  assert.deepEqual(files('pip download -r requirements.txt'), []);
});

test('installSites: a requirements file exported in one RUN and installed in a later one, or in a stage that copies it --from the exporting stage', () => {
  // FastAPI's documented Dockerfile for Poetry projects: `./poetry.lock*` (a glob in the context's root)
  const fastapi = one(
    'FROM python:3.9 as requirements-stage\nWORKDIR /tmp\nRUN pip install poetry\nCOPY ./pyproject.toml ./poetry.lock* /tmp/\nRUN poetry export -f requirements.txt --output requirements.txt --without-hashes\n' +
      'FROM python:3.9\nWORKDIR /code\nCOPY --from=requirements-stage /tmp/requirements.txt /code/requirements.txt\nRUN pip install --no-cache-dir --upgrade -r /code/requirements.txt\nCOPY ./app /code/app',
  );
  assert.deepEqual([fastapi.lockfiles, fastapi.kinds, fastapi.range.start.line], [['poetry.lock'], ['poetry-lock'], 9]);
  const twoRuns = one('FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry export -f requirements.txt --output requirements.txt\nRUN pip install -r requirements.txt');
  assert.deepEqual([twoRuns.lockfiles, twoRuns.kinds], [['poetry.lock'], ['poetry-lock']]);
  const dir = one('FROM python:3.12 AS req\nWORKDIR /src\nCOPY . .\nRUN uv export --frozen -o /out/req.txt\nFROM python:3.12-slim\nCOPY --from=req /out /deps\nRUN pip install -r /deps/req.txt');
  assert.deepEqual([dir.lockfiles, dir.kinds], [['uv.lock'], ['uv-lock']]);
  const pipenv = one('FROM python:3.11-slim\nWORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pipenv requirements > requirements.txt\nRUN pip install -r requirements.txt');
  assert.deepEqual([pipenv.lockfiles, pipenv.kinds], [['Pipfile.lock'], ['pipfile-lock']]);
  const old = one('FROM python:3.11-slim\nWORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pipenv lock -r > requirements.txt && pip install -r requirements.txt');
  assert.deepEqual(old.lockfiles, ['Pipfile.lock']);
  // a stage that copies nothing exported installs its own file
  const own = one('FROM python:3.12 AS req\nWORKDIR /src\nCOPY . .\nRUN uv export -o /out/req.txt\nFROM python:3.12-slim\nCOPY requirements.txt /deps/req.txt\nRUN pip install -r /deps/req.txt');
  assert.deepEqual([own.lockfiles, own.kinds], [['requirements.txt'], ['requirements']]);
});
