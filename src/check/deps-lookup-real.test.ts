/**
 * `check` with `anyarch deps`'s real readers and analysers (no injected analyser), offline over an
 * empty cache: what the lockfile alone says. A sharp family locked without a musl build for
 * ppc64le (lovell/sharp publishes linuxmusl-x64 and linuxmusl-arm64 only) fails AA123 on Alpine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempTree } from '../../test/support/tree.js';
import { parsePlatform, parsePlatformList } from '../platform/index.js';
import { checkPaths } from './check-paths.js';

const member = (name: string, cpu: string, libc: string): string =>
  `"node_modules/@img/sharp-${name}": { "version": "0.33.5", "cpu": ["${cpu}"], "os": ["linux"], "libc": ["${libc}"], "optional": true }`;
const LOCK = `{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": { "name": "app", "version": "1.0.0", "dependencies": { "sharp": "0.33.5" } },
    "node_modules/sharp": { "version": "0.33.5", "hasInstallScript": true, "optionalDependencies": {
      "@img/sharp-linux-x64": "0.33.5", "@img/sharp-linux-arm64": "0.33.5", "@img/sharp-linux-ppc64": "0.33.5",
      "@img/sharp-linuxmusl-x64": "0.33.5", "@img/sharp-linuxmusl-arm64": "0.33.5" } },
    ${member('linux-x64', 'x64', 'glibc')},
    ${member('linux-arm64', 'arm64', 'glibc')},
    ${member('linux-ppc64', 'ppc64', 'glibc')},
    ${member('linuxmusl-x64', 'x64', 'musl')},
    ${member('linuxmusl-arm64', 'arm64', 'musl')}
  }
}`;

for (const [base, expected] of [['node:20-alpine', ['linux/ppc64le']], ['node:20-slim', []]] as const) {
  test(`check with the real deps analysers, offline: sharp on ${base} for amd64, arm64, ppc64le`, async () => {
    const dir = tempTree({ Dockerfile: `FROM ${base}\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n`, 'package.json': '{}', 'package-lock.json': LOCK, 'cache/': '' });
    const run = await checkPaths([], {
      cwd: dir,
      check: { platforms: parsePlatformList('linux/amd64,linux/arm64,linux/ppc64le'), buildPlatform: parsePlatform('linux/amd64'), only: ['AA123', 'AA124'] },
      baseImages: false,
      nativeDeps: { offline: true, cacheDir: `${dir}/cache` },
    });
    const findings = run.results.flatMap((r) => r.findings);
    assert.deepEqual(findings.flatMap((f) => f.platforms ?? []), [...expected]);
    if (expected.length) assert.match(findings[0]?.message ?? '', /fails on linux\/ppc64le \(musl\): sharp@0\.33\.5: no sharp platform package for linux\/ppc64le \(musl\)/);
  });
}
