// The npm packages the `deps` tests publish to verdaccio (test/support/verdaccio.ts) with `npm
// publish`, one of each way a package gets native code, in the shapes real packages have:
// - per-platform families: `@fx/napi` (napi-rs names `-linux-arm64-musl`, `-linux-arm-gnueabihf`,
//   as @swc/core and @napi-rs/canvas publish) and `@fx/sharpish` (sharp's `-linuxmusl-x64` names;
//   1.0.0 has no linuxmusl-arm64 member, 1.1.0 adds one, as sharp has no linuxmusl-ppc64 package)
// - `fx-prebuildify`: `prebuilds/<platform>-<arch>/` inside the tarball (node-gyp-build, as
//   bufferutil, utf-8-validate and classic-level ship): glibc/musl tagged x64, an armv8 arm64 build
//   with no libc tag, a binding.gyp to fall back to
// - `fx-pregyp`: @mapbox/node-pre-gyp with `binary.host` (as sqlite3 5 and bcrypt 5 publish), napi
// - `fx-prebuild`: prebuild-install with `binary.host` (better-sqlite3's asset names, node ABI)
// - `fx-gyp`: a binding.gyp and nothing prebuilt (npm adds `gypfile` and `install: node-gyp rebuild`)
// The prebuild-install and node-pre-gyp assets are served by a loopback static server
// (static-server.ts); which ones exist is part of the fixture (ASSETS).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { StaticServer } from './static-server.js';
import type { Verdaccio } from './verdaccio.js';

const execFileP = promisify(execFile);

export interface FixturePackage {
  readonly manifest: Readonly<Record<string, unknown>> & { readonly name: string; readonly version: string };
  /** files besides package.json, by path inside the package */
  readonly files: Readonly<Record<string, string>>;
}

export interface Member {
  readonly suffix: string;
  readonly os: string;
  readonly cpu: string;
  readonly libc?: 'glibc' | 'musl';
}

/** napi-rs's member names, as @swc/core's */
export const NAPI_MEMBERS: readonly Member[] = [
  { suffix: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  { suffix: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  { suffix: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { suffix: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  { suffix: 'linux-arm-gnueabihf', os: 'linux', cpu: 'arm', libc: 'glibc' },
  { suffix: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
];

/** sharp's member names (`linuxmusl`), without a musl arm64 member before 1.1.0 */
export function sharpishMembers(version: string): Member[] {
  const members: Member[] = [
    { suffix: 'linux-x64', os: 'linux', cpu: 'x64', libc: 'glibc' },
    { suffix: 'linuxmusl-x64', os: 'linux', cpu: 'x64', libc: 'musl' },
    { suffix: 'linux-arm64', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  ];
  if (version !== '1.0.0') members.push({ suffix: 'linuxmusl-arm64', os: 'linux', cpu: 'arm64', libc: 'musl' });
  return members;
}

function family(parent: string, version: string, members: readonly Member[]): FixturePackage[] {
  const out: FixturePackage[] = members.map((m) => ({
    manifest: { name: `${parent}-${m.suffix}`, version, main: `fx.${m.suffix}.node`, os: [m.os], cpu: [m.cpu], ...(m.libc ? { libc: [m.libc] } : {}) },
    files: { [`fx.${m.suffix}.node`]: `not really ELF: ${m.suffix}\n` },
  }));
  out.push({
    manifest: { name: parent, version, main: 'index.js', optionalDependencies: Object.fromEntries(members.map((m) => [`${parent}-${m.suffix}`, version])) },
    files: { 'index.js': `module.exports = require(\`${parent}-\${process.platform}-\${process.arch}\`);\n` },
  });
  return out;
}

const BINDING_GYP = JSON.stringify({ targets: [{ target_name: 'fx', sources: ['src/fx.c'] }] });
const FX_C = '#include <node_api.h>\nNAPI_MODULE_INIT() { return exports; }\n';

/** The release assets the static server holds (path under its root); the musl arm64 ones are absent. */
export const ASSETS: readonly string[] = [
  'pregyp/v1.0.0/fx_pregyp-v1.0.0-napi-v3-linux-glibc-x64.tar.gz',
  'pregyp/v1.0.0/fx_pregyp-v1.0.0-napi-v3-linux-glibc-arm64.tar.gz',
  'pregyp/v1.0.0/fx_pregyp-v1.0.0-napi-v3-linux-musl-x64.tar.gz',
  ...['node-v108', 'node-v115', 'node-v127'].flatMap((abi) => [
    `prebuild/v1.0.0/fx-prebuild-v1.0.0-${abi}-linux-x64.tar.gz`,
    `prebuild/v1.0.0/fx-prebuild-v1.0.0-${abi}-linux-arm64.tar.gz`,
    `prebuild/v1.0.0/fx-prebuild-v1.0.0-${abi}-linuxmusl-x64.tar.gz`,
  ]),
];

/**
 * Stand-ins for the helpers the fixtures depend on, under their real names (native detection reads
 * dependency names), so that npm can resolve a project of the fixtures from verdaccio alone. Each is
 * an empty module: the tests install with --ignore-scripts.
 */
export const STUBS: readonly FixturePackage[] = [
  ['node-gyp-build', '4.8.4'],
  ['@mapbox/node-pre-gyp', '1.0.11'],
  ['prebuild-install', '7.1.3'],
  ['bindings', '1.5.0'],
].map(([name, version]) => ({ manifest: { name: name!, version: version!, main: 'index.js' }, files: { 'index.js': 'module.exports = {};\n' } }));

/** Every fixture package, `assetHost` being the static server's URL (`http://127.0.0.1:PORT/`). */
export function fixturePackages(assetHost: string): FixturePackage[] {
  return [
    ...STUBS,
    ...family('@fx/napi', '1.0.0', NAPI_MEMBERS),
    ...family('@fx/sharpish', '1.0.0', sharpishMembers('1.0.0')),
    ...family('@fx/sharpish', '1.1.0', sharpishMembers('1.1.0')),
    {
      manifest: { name: 'fx-prebuildify', version: '1.0.0', main: 'index.js', gypfile: true, dependencies: { 'node-gyp-build': '^4.8.0' }, scripts: { install: 'node-gyp-build' } },
      files: {
        'index.js': "module.exports = require('node-gyp-build')(__dirname);\n",
        'binding.gyp': BINDING_GYP,
        'src/fx.c': FX_C,
        'prebuilds/linux-x64/node.napi.glibc.node': 'x64 glibc\n',
        'prebuilds/linux-x64/node.napi.musl.node': 'x64 musl\n',
        'prebuilds/linux-arm64/node.napi.armv8.node': 'arm64, no libc tag\n',
        'prebuilds/darwin-x64+arm64/node.napi.node': 'darwin universal\n',
      },
    },
    {
      manifest: {
        name: 'fx-pregyp',
        version: '1.0.0',
        main: 'index.js',
        dependencies: { '@mapbox/node-pre-gyp': '^1.0.11' },
        scripts: { install: 'node-pre-gyp install --fallback-to-build' },
        binary: {
          module_name: 'fx_pregyp',
          module_path: './lib/binding/napi-v{napi_build_version}',
          host: assetHost,
          remote_path: 'pregyp/v{version}',
          package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{libc}-{arch}.tar.gz',
          napi_versions: [3],
        },
      },
      files: { 'index.js': 'module.exports = {};\n', 'binding.gyp': BINDING_GYP, 'src/fx.c': FX_C },
    },
    {
      manifest: {
        name: 'fx-prebuild',
        version: '1.0.0',
        main: 'index.js',
        repository: { type: 'git', url: 'git+https://github.com/fx-fixtures/fx-prebuild.git' },
        dependencies: { 'prebuild-install': '^7.1.1', bindings: '^1.5.0' },
        scripts: { install: 'prebuild-install || node-gyp rebuild --release' },
        binary: { host: assetHost.replace(/\/$/, ''), remote_path: 'prebuild/v{version}' },
      },
      files: { 'index.js': "module.exports = require('bindings')('fx');\n", 'binding.gyp': BINDING_GYP, 'src/fx.c': FX_C },
    },
    {
      manifest: { name: 'fx-gyp', version: '1.0.0', main: 'index.js', dependencies: { bindings: '^1.5.0' } },
      files: { 'index.js': "module.exports = require('bindings')('fx');\n", 'binding.gyp': BINDING_GYP, 'src/fx.c': FX_C },
    },
  ];
}

/** npm, with its cache and config kept inside the registry's scratch dir (never the user's). */
export function npm(reg: Verdaccio, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return execFileP('npm', [...args, '--registry', reg.registry, '--userconfig', reg.npmrc, '--cache', path.join(reg.dir, 'npm-cache'), '--no-audit', '--no-fund', '--no-update-notifier'], {
    cwd,
    env: { ...process.env, npm_config_registry: reg.registry, NO_UPDATE_NOTIFIER: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * Writes every fixture package and publishes them with `npm publish --workspaces`: one npm process
 * per wave (the 1.0.0 versions, then the later ones, so `latest` is the newest), since one npm
 * process per package costs about a second each. Puts the release assets on `assets`.
 */
export async function publishFixtures(reg: Verdaccio, assets: StaticServer): Promise<FixturePackage[]> {
  for (const a of ASSETS) assets.put(a, `asset ${a}\n`);
  const packages = fixturePackages(assets.url);
  const waves = [packages.filter((p) => p.manifest.version === '1.0.0'), packages.filter((p) => p.manifest.version !== '1.0.0')];
  for (const [i, wave] of waves.entries()) {
    const root = path.join(reg.dir, `wave-${i}`);
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: `fx-wave-${i}`, version: '0.0.0', private: true, workspaces: ['packages/*'] }));
    for (const p of wave) {
      const dir = path.join(root, 'packages', p.manifest.name.replace('/', '+'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ license: 'MIT', description: 'an anyarch test fixture', ...p.manifest }, null, 2));
      for (const [file, body] of Object.entries(p.files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), body);
      }
    }
    try {
      await npm(reg, ['publish', '--workspaces', '--ignore-scripts'], root);
    } catch (e) {
      throw new Error(`npm publish --workspaces (${wave.map((p) => `${p.manifest.name}@${p.manifest.version}`).join(', ')}) failed: ${(e as { stderr?: string }).stderr ?? String(e)}\nverdaccio:\n${reg.logs()}`);
    }
  }
  return packages;
}
