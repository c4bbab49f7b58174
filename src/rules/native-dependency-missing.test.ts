import rule from './native-dependency-missing.js';
import { ruleTester } from './tester.js';

// lovell/sharp: no @img/sharp-linuxmusl-ppc64 package (musl builds exist for x64 and arm64 only)
const SHARP_MUSL_PPC = {
  'package-lock.json': [
    { name: 'sharp', version: '0.33.5', cells: { 'linux/ppc64le': { status: 'missing', reason: 'no @img/sharp-linuxmusl-ppc64 package', id: 'AA301' } } },
  ],
} as const;
const NODE_ALPINE = 'FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "server.js"]';

ruleTester(rule, {
  valid: [
    // offline: nothing was looked up, nothing is said
    NODE_ALPINE,
    { code: NODE_ALPINE, nativeDeps: SHARP_MUSL_PPC, name: 'ppc64le is not a target' },
    {
      code: NODE_ALPINE,
      platforms: 'linux/amd64,linux/arm64,linux/ppc64le',
      nativeDeps: { 'package-lock.json': [{ name: 'bcrypt', version: '5.1.1', cells: { 'linux/ppc64le': { status: 'compiles', needs: ['a C compiler'], reason: 'no prebuild: node-gyp builds it' } } }] },
      name: 'a compile the stage can do is no failure',
    },
    {
      code: NODE_ALPINE,
      platforms: 'linux/amd64,linux/ppc64le',
      nativeDeps: { 'package-lock.json': [{ name: 'bcrypt', version: '5.1.1', cells: { 'linux/ppc64le': { status: 'missing', needs: ['a C compiler'], lacking: ['a C compiler'], reason: 'node-gyp needs a C compiler' } } }] },
      name: 'a compile without a toolchain is AA124',
    },
    {
      code: 'FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci',
      platforms: 'linux/amd64,linux/ppc64le',
      nativeDeps: { 'other/package-lock.json': SHARP_MUSL_PPC['package-lock.json'] },
      name: 'another lockfile',
    },
    {
      code: 'FROM node:20-alpine\nRUN npm install -g pm2',
      platforms: 'linux/amd64,linux/ppc64le',
      nativeDeps: SHARP_MUSL_PPC,
      name: 'installing a named package reads no lockfile',
    },
    {
      // ssh2 1.16.0 -> cpu-features (optional: true): npm ci goes on when its build fails
      code: NODE_ALPINE,
      platforms: 'linux/amd64,linux/ppc64le',
      nativeDeps: { 'package-lock.json': [{ name: 'cpu-features', version: '0.0.10', optional: true, cells: { 'linux/ppc64le': { status: 'missing', reason: 'no binary and no compile', id: 'AA301' } } }] },
      name: 'an optional package is no failure',
    },
  ],
  invalid: [
    {
      code: NODE_ALPINE,
      platforms: 'linux/amd64,linux/arm64,linux/ppc64le',
      nativeDeps: SHARP_MUSL_PPC,
      errors: [{ messageId: 'missing', line: 4, column: 5, endColumn: 22, severity: 'error' }],
    },
    {
      name: 'uv sync through bind mounts: grpcio has no wheel for s390x musl and no way to build (grpc/grpc#26620)',
      code: 'FROM python:3.12-alpine\nWORKDIR /app\nRUN --mount=type=bind,source=uv.lock,target=uv.lock \\\n    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n    uv sync --frozen --no-install-project',
      platforms: 'linux/amd64,linux/s390x',
      nativeDeps: { 'uv.lock': [{ name: 'grpcio', version: '1.62.0', cells: { 'linux/s390x': { status: 'missing', reason: 'no musllinux wheel for s390x and no sdist in the lock' } } }] },
      errors: [{ messageId: 'missing', line: 5, column: 5 }],
    },
    {
      name: 'one finding per install: several packages and platforms',
      code: 'FROM node:20-slim AS deps\nWORKDIR /srv\nCOPY . .\nRUN cd web && pnpm install --frozen-lockfile',
      platforms: 'linux/amd64,linux/riscv64,linux/s390x',
      nativeDeps: {
        'web/pnpm-lock.yaml': [
          { name: '@swc/core', version: '1.7.0', cells: { 'linux/riscv64': { status: 'missing', reason: 'no @swc/core-linux-riscv64-gnu package' } } },
          { name: '@parcel/watcher', version: '2.4.1', cells: { 'linux/s390x': { status: 'missing', reason: 'no @parcel/watcher-linux-s390x-glibc package' } } },
        ],
      },
      errors: [{ messageId: 'missing', line: 4, column: 15 }],
    },
  ],
});
