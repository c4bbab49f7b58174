/**
 * Node lockfiles written by hand for the readers' and coverage's tests, modelled on the shapes of
 * real ones: package-lock.json v3 with sharp 0.33's `@img/sharp-*` family and npm >= 11.11's `libc`
 * (the sharp cross-platform install shapes in lovell/sharp's docs and the Alpine Dockerfile of
 * ReputeBeeOrg/reputebeeorg, which reinstalls sharp for linuxmusl), esbuild's `@esbuild/*`
 * family (its package.json's optionalDependencies), bcrypt 5 on @mapbox/node-pre-gyp, argon2 and
 * better-sqlite3; pnpm-lock.yaml v9 (`packages` + `snapshots`, the fixtures of nrwl/nx's
 * packages/nx/src/plugins/js/lock-file/__fixtures__) and v6; Yarn Berry (the `conditions:` and
 * `dependenciesMeta` shapes of oven-sh/bun's yarn-berry migration test). Names and versions are
 * real; integrity values are invented.
 */

const integrity = (n: number): string => `sha512-${String(n).padStart(4, '0')}${'A'.repeat(80)}==`;

const esbuildPlatforms = ['aix-ppc64', 'android-arm', 'android-arm64', 'android-x64', 'darwin-arm64', 'darwin-x64', 'freebsd-arm64', 'freebsd-x64', 'linux-arm', 'linux-arm64', 'linux-ia32', 'linux-loong64', 'linux-mips64el', 'linux-ppc64', 'linux-riscv64', 'linux-s390x', 'linux-x64', 'netbsd-x64', 'openbsd-x64', 'sunos-x64', 'win32-arm64', 'win32-ia32', 'win32-x64'];

const sharpPlatforms: readonly [string, string[], string[], string[] | undefined][] = [
  ['darwin-arm64', ['darwin'], ['arm64'], undefined],
  ['linux-arm', ['linux'], ['arm'], ['glibc']],
  ['linux-arm64', ['linux'], ['arm64'], ['glibc']],
  ['linux-s390x', ['linux'], ['s390x'], ['glibc']],
  ['linux-x64', ['linux'], ['x64'], ['glibc']],
  ['linuxmusl-arm64', ['linux'], ['arm64'], ['musl']],
  ['linuxmusl-x64', ['linux'], ['x64'], ['musl']],
];

/** package-lock.json v3: esbuild (whole family), sharp (family with libc), bcrypt (node-pre-gyp), argon2 (node-gyp-build), a JS-only install script (husky), fsevents. */
export function packageLockV3(opts: { pruneTo?: string; withLibc?: boolean } = {}): string {
  const withLibc = opts.withLibc !== false;
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { esbuild: '^0.21.5', sharp: '^0.33.5', bcrypt: '^5.1.1', argon2: '^0.40.3' }, devDependencies: { husky: '^9.0.0' } },
  };
  packages['node_modules/@mapbox/node-pre-gyp'] = { version: '1.0.11', resolved: 'https://registry.npmjs.org/@mapbox/node-pre-gyp/-/node-pre-gyp-1.0.11.tgz', integrity: integrity(1), bin: { 'node-pre-gyp': 'bin/node-pre-gyp' } };
  for (const p of esbuildPlatforms) {
    if (opts.pruneTo && p !== opts.pruneTo) continue;
    const [os, cpu] = p.split('-') as [string, string];
    packages[`node_modules/@esbuild/${p}`] = { version: '0.21.5', resolved: `https://registry.npmjs.org/@esbuild/${p}/-/${p}-0.21.5.tgz`, integrity: integrity(2), cpu: [cpu], optional: true, os: [os], engines: { node: '>=12' } };
  }
  for (const [suffix, os, cpu, libc] of sharpPlatforms) {
    if (opts.pruneTo && suffix !== opts.pruneTo) continue;
    const e: Record<string, unknown> = { version: '0.33.5', resolved: `https://registry.npmjs.org/@img/sharp-${suffix}/-/sharp-${suffix}-0.33.5.tgz`, integrity: integrity(3), cpu, license: 'Apache-2.0', optional: true, os };
    if (libc && withLibc) e['libc'] = libc;
    packages[`node_modules/@img/sharp-${suffix}`] = e;
  }
  packages['node_modules/argon2'] = { version: '0.40.3', resolved: 'https://registry.npmjs.org/argon2/-/argon2-0.40.3.tgz', integrity: integrity(4), hasInstallScript: true, dependencies: { '@phc/format': '^1.0.0', 'node-addon-api': '^8.0.0', 'node-gyp-build': '^4.8.0' }, engines: { node: '>=16.17.0' } };
  packages['node_modules/bcrypt'] = { version: '5.1.1', resolved: 'https://registry.npmjs.org/bcrypt/-/bcrypt-5.1.1.tgz', integrity: integrity(5), hasInstallScript: true, license: 'MIT', dependencies: { '@mapbox/node-pre-gyp': '^1.0.11', 'node-addon-api': '^5.0.0' } };
  packages['node_modules/esbuild'] = {
    version: '0.21.5',
    resolved: 'https://registry.npmjs.org/esbuild/-/esbuild-0.21.5.tgz',
    integrity: integrity(6),
    hasInstallScript: true,
    bin: { esbuild: 'bin/esbuild' },
    optionalDependencies: Object.fromEntries(esbuildPlatforms.map((p) => [`@esbuild/${p}`, '0.21.5'])),
  };
  packages['node_modules/fsevents'] = { version: '2.3.3', resolved: 'https://registry.npmjs.org/fsevents/-/fsevents-2.3.3.tgz', integrity: integrity(7), hasInstallScript: true, optional: true, os: ['darwin'] };
  packages['node_modules/husky'] = { version: '9.0.11', dev: true, hasInstallScript: true, bin: { husky: 'bin.mjs' } };
  packages['node_modules/node-addon-api'] = { version: '8.0.0' };
  packages['node_modules/bcrypt/node_modules/node-addon-api'] = { version: '5.1.0' };
  packages['node_modules/node-gyp-build'] = { version: '4.8.1', bin: { 'node-gyp-build': 'bin.js' } };
  packages['node_modules/sharp'] = {
    version: '0.33.5',
    hasInstallScript: true,
    dependencies: { color: '^4.2.3', 'detect-libc': '^2.0.3', semver: '^7.6.3' },
    optionalDependencies: Object.fromEntries(sharpPlatforms.map(([s]) => [`@img/sharp-${s}`, '0.33.5'])),
  };
  return `${JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

/** pnpm-lock.yaml v9 with sharp (libc from pnpm 10), esbuild's linux members, bcrypt, better-sqlite3. */
export const PNPM_V9 = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      better-sqlite3:
        specifier: ^11.1.2
        version: 11.1.2
      sharp:
        specifier: ^0.33.5
        version: 0.33.5

packages:

  '@img/sharp-linux-arm64@0.33.5':
    resolution: {integrity: sha512-AAAA}
    engines: {node: ^18.17.0 || ^20.3.0 || >=21.0.0}
    cpu: [arm64]
    os: [linux]
    libc: [glibc]

  '@img/sharp-linux-x64@0.33.5':
    resolution: {integrity: sha512-BBBB}
    cpu: [x64]
    os: [linux]
    libc: [glibc]

  '@img/sharp-linuxmusl-x64@0.33.5':
    resolution: {integrity: sha512-CCCC}
    cpu: [x64]
    os: [linux]
    libc: [musl]

  better-sqlite3@11.1.2:
    resolution: {integrity: sha512-DDDD}

  bindings@1.5.0:
    resolution: {integrity: sha512-EEEE}

  prebuild-install@7.1.2:
    resolution: {integrity: sha512-FFFF}
    engines: {node: '>=10'}
    hasBin: true

  sharp@0.33.5:
    resolution: {integrity: sha512-GGGG}
    engines: {node: ^18.17.0 || ^20.3.0 || >=21.0.0}

snapshots:

  '@img/sharp-linux-arm64@0.33.5':
    optional: true

  '@img/sharp-linux-x64@0.33.5':
    optional: true

  '@img/sharp-linuxmusl-x64@0.33.5':
    optional: true

  better-sqlite3@11.1.2:
    dependencies:
      bindings: 1.5.0
      prebuild-install: 7.1.2

  bindings@1.5.0: {}

  prebuild-install@7.1.2: {}

  sharp@0.33.5:
    dependencies:
      color: 4.2.3
    optionalDependencies:
      '@img/sharp-linux-arm64': 0.33.5
      '@img/sharp-linux-x64': 0.33.5
      '@img/sharp-linuxmusl-x64': 0.33.5
`;

/** pnpm-lock.yaml v6 with @swc/core's family (peer suffix) and sqlite3 (requiresBuild). */
export const PNPM_V6 = `lockfileVersion: '6.0'

dependencies:
  '@swc/core':
    specifier: ^1.3.100
    version: 1.3.100
  sqlite3:
    specifier: ^5.1.6
    version: 5.1.6

packages:

  /@swc/core-linux-arm-gnueabihf@1.3.100:
    resolution: {integrity: sha512-AAAA}
    engines: {node: '>=10'}
    cpu: [arm]
    os: [linux]
    requiresBuild: true
    dev: false
    optional: true

  /@swc/core-linux-arm64-gnu@1.3.100:
    resolution: {integrity: sha512-BBBB}
    cpu: [arm64]
    os: [linux]
    requiresBuild: true
    dev: false
    optional: true

  /@swc/core-linux-arm64-musl@1.3.100:
    resolution: {integrity: sha512-CCCC}
    cpu: [arm64]
    os: [linux]
    requiresBuild: true
    dev: false
    optional: true

  /@swc/core-linux-x64-gnu@1.3.100:
    resolution: {integrity: sha512-DDDD}
    cpu: [x64]
    os: [linux]
    requiresBuild: true
    dev: false
    optional: true

  /@swc/core@1.3.100(@swc/helpers@0.5.2):
    resolution: {integrity: sha512-EEEE}
    engines: {node: '>=10'}
    requiresBuild: true
    peerDependencies:
      '@swc/helpers': ^0.5.0
    dependencies:
      '@swc/counter': 0.1.2
    optionalDependencies:
      '@swc/core-linux-arm-gnueabihf': 1.3.100
      '@swc/core-linux-arm64-gnu': 1.3.100
      '@swc/core-linux-arm64-musl': 1.3.100
      '@swc/core-linux-x64-gnu': 1.3.100
    dev: false

  /sqlite3@5.1.6:
    resolution: {integrity: sha512-FFFF}
    requiresBuild: true
    dependencies:
      '@mapbox/node-pre-gyp': 1.0.11
      node-addon-api: 4.3.0
      tar: 6.2.0
    dev: false
`;

/** Yarn 4 yarn.lock: rollup's family with conditions (libc), canvas (node-pre-gyp via nan), a workspace. */
export const YARN_BERRY = `# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@rollup/rollup-linux-arm64-gnu@npm:4.18.0":
  version: 4.18.0
  resolution: "@rollup/rollup-linux-arm64-gnu@npm:4.18.0"
  conditions: os=linux & cpu=arm64 & libc=glibc
  languageName: node
  linkType: hard

"@rollup/rollup-linux-arm64-musl@npm:4.18.0":
  version: 4.18.0
  resolution: "@rollup/rollup-linux-arm64-musl@npm:4.18.0"
  conditions: os=linux & cpu=arm64 & libc=musl
  languageName: node
  linkType: hard

"@rollup/rollup-linux-s390x-gnu@npm:4.18.0":
  version: 4.18.0
  resolution: "@rollup/rollup-linux-s390x-gnu@npm:4.18.0"
  conditions: os=linux & cpu=s390x & libc=glibc
  languageName: node
  linkType: hard

"@rollup/rollup-linux-x64-gnu@npm:4.18.0":
  version: 4.18.0
  resolution: "@rollup/rollup-linux-x64-gnu@npm:4.18.0"
  conditions: os=linux & cpu=x64 & libc=glibc
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    canvas: "npm:^2.11.2"
    rollup: "npm:^4.18.0"
  languageName: unknown
  linkType: soft

"canvas@npm:^2.11.2":
  version: 2.11.2
  resolution: "canvas@npm:2.11.2"
  dependencies:
    "@mapbox/node-pre-gyp": "npm:^1.0.0"
    nan: "npm:^2.17.0"
    simple-get: "npm:^3.0.3"
  checksum: 10c0/aaaa
  languageName: node
  linkType: hard

"rollup@npm:^4.18.0":
  version: 4.18.0
  resolution: "rollup@npm:4.18.0"
  dependencies:
    "@rollup/rollup-linux-arm64-gnu": "npm:4.18.0"
    "@rollup/rollup-linux-arm64-musl": "npm:4.18.0"
    "@rollup/rollup-linux-s390x-gnu": "npm:4.18.0"
    "@rollup/rollup-linux-x64-gnu": "npm:4.18.0"
    "@types/estree": "npm:1.0.5"
    fsevents: "npm:~2.3.2"
  dependenciesMeta:
    "@rollup/rollup-linux-arm64-gnu":
      optional: true
    "@rollup/rollup-linux-arm64-musl":
      optional: true
    "@rollup/rollup-linux-s390x-gnu":
      optional: true
    "@rollup/rollup-linux-x64-gnu":
      optional: true
    fsevents:
      optional: true
  bin:
    rollup: dist/bin/rollup
  checksum: 10c0/bbbb
  languageName: node
  linkType: hard
`;

export const YARN_V1 = `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


esbuild@^0.21.5:
  version "0.21.5"
  resolved "https://registry.yarnpkg.com/esbuild/-/esbuild-0.21.5.tgz#aaaa"
`;
