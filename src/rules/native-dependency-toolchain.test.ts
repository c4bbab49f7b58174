import rule from './native-dependency-toolchain.js';
import { ruleTester } from './tester.js';

// WiseLibs/better-sqlite3: no prebuild for linux/arm/v7 on some releases, so node-gyp compiles it, and node:20-slim has no compiler
const LACKS = ['a C compiler', 'a C++ compiler', 'make', 'python3'];
const SQLITE_ARM = {
  'package-lock.json': [
    { name: 'better-sqlite3', version: '11.1.2', cells: { 'linux/arm/v7': { status: 'missing', needs: LACKS, lacking: LACKS, reason: 'no prebuild for linux-arm; node-gyp compiles it', id: 'AA302' } } },
  ],
} as const;
const SLIM = 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci';

ruleTester(rule, {
  valid: [
    SLIM,
    { code: SLIM, platforms: 'linux/amd64,linux/arm64', nativeDeps: SQLITE_ARM, name: 'arm/v7 is not a target' },
    {
      code: SLIM,
      platforms: 'linux/amd64,linux/arm/v7',
      nativeDeps: { 'package-lock.json': [{ name: 'better-sqlite3', version: '11.1.2', cells: { 'linux/arm/v7': { status: 'missing', reason: 'no prebuild and no source' } } }] },
      name: 'nothing to compile is AA123',
    },
    {
      // ssh2 1.16.0's cpu-features is optional: npm skips its failed node-gyp build, ssh2 falls back to JavaScript
      code: SLIM,
      platforms: 'linux/amd64',
      nativeDeps: { 'package-lock.json': [{ name: 'cpu-features', version: '0.0.10', optional: true, cells: { 'linux/amd64': { status: 'missing', needs: LACKS, lacking: LACKS, reason: 'node-gyp would compile it', id: 'AA302' } } }] },
      name: 'an optional package whose compile lacks tools is no finding',
    },
  ],
  invalid: [
    {
      code: SLIM,
      platforms: 'linux/amd64,linux/arm/v7',
      nativeDeps: SQLITE_ARM,
      errors: [{ messageId: 'toolchain', line: 4, column: 5, endColumn: 11, severity: 'error' }],
      suggestions: ['FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential python3\nRUN npm ci'],
    },
    {
      name: 'Alpine: build-base (cryptography needs Rust too when no wheel fits)',
      code: 'FROM python:3.12-alpine3.20\nCOPY requirements.txt /tmp/\nRUN pip install --no-cache-dir -r /tmp/requirements.txt',
      platforms: 'linux/amd64,linux/arm/v7',
      nativeDeps: {
        'requirements.txt': [
          { name: 'cryptography', version: '42.0.5', cells: { 'linux/arm/v7': { status: 'missing', needs: ['a C compiler', 'Rust'], lacking: ['a C compiler', 'Rust'], reason: 'no musllinux armv7l wheel; the sdist needs Rust' } } },
        ],
      },
      errors: [{ messageId: 'toolchain', line: 3, column: 5 }],
      suggestions: ['FROM python:3.12-alpine3.20\nCOPY requirements.txt /tmp/\nRUN apk add --no-cache build-base rust cargo\nRUN pip install --no-cache-dir -r /tmp/requirements.txt'],
    },
  ],
});
