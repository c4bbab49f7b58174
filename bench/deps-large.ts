/**
 * Large lockfiles for `anyarch deps`, as real monorepos have them (10-40 MB, 10,000-60,000
 * entries): one generated npm project written as package-lock.json (v3), pnpm-lock.yaml (v9)
 * and a Yarn Berry yarn.lock, and a generated uv.lock of the same order of size. Deterministic
 * (a seeded generator), so two runs measure the same bytes.
 *
 * The npm project: most entries pure JavaScript (each with 0-6 dependencies, a license, engines,
 * some `dev`, `bin`, `funding`), a quarter of them other versions nested under another package
 * (`node_modules/a/node_modules/b`, some two levels deep); a few hundred with native code:
 *   esbuild-like families (a parent with 23 os/cpu members, one copy top-level and one of another
 *       version nested under a package, members nested with it),
 *   napi-rs-like families (8 members with os/cpu/libc, gnu and musl),
 *   prebuildify (node-gyp-build), prebuild-install and node-pre-gyp (their assets on the loopback
 *   registry, `binary.host`), node-gyp (nan / node-addon-api and an install script),
 *   and packages whose install script runs JavaScript only.
 * Only the native packages get a real tarball (the analysis never asks for a pure one's).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { NAPI_MEMBERS, type Member } from '../test/support/npm-fixtures.js';
import { Rng } from './corpus.js';
import { type DepsBenchOptions, type GenPackage, measured, median, startRegistry, tgz, writeProject } from './deps.js';

const ESBUILD_MEMBERS = [
  'aix-ppc64', 'android-arm', 'android-arm64', 'android-x64', 'darwin-arm64', 'darwin-x64', 'freebsd-arm64', 'freebsd-x64',
  'linux-arm', 'linux-arm64', 'linux-ia32', 'linux-loong64', 'linux-mips64el', 'linux-ppc64', 'linux-riscv64', 'linux-s390x',
  'linux-x64', 'netbsd-x64', 'openbsd-x64', 'sunos-x64', 'win32-arm64', 'win32-ia32', 'win32-x64',
] as const;

/** napi-rs's members (as @swc/core's), with the other systems' that a lock holds too */
const NAPI: readonly Member[] = [...NAPI_MEMBERS, { suffix: 'darwin-x64', os: 'darwin', cpu: 'x64' }, { suffix: 'win32-x64-msvc', os: 'win32', cpu: 'x64' }];

const CPU_OF: Readonly<Record<string, string>> = { ppc64: 'ppc64', arm: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', mips64el: 'mips64el', riscv64: 'riscv64', s390x: 's390x' };

/** A large npm project: `total` entries (about 430 bytes each in package-lock.json: 48,000 make ~20 MB). */
export function generateLargeProject(registry: string, total = 48_000, seed = 1): { packages: GenPackage[]; direct: string[] } {
  const rng = new Rng(seed);
  const rnd = (): number => rng.next();
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
  const out: GenPackage[] = [];
  const direct: string[] = [];
  const topVersion = new Map<string, string>();
  const add = (name: string, version: string, at: string, manifest: Record<string, unknown>, files: Record<string, string> | undefined, lock: Record<string, unknown> = {}): GenPackage => {
    const p: GenPackage = { name, version, at, manifest: { name, version, ...manifest }, files: files ? { 'package.json': JSON.stringify({ name, version, ...manifest }), 'index.js': 'module.exports = 1;\n', ...files } : {}, lock };
    out.push(p);
    if (!at.includes('/node_modules/')) topVersion.set(name, version);
    return p;
  };
  const deps = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, `^${topVersion.get(n) ?? '1.0.0'}`]));

  // the helpers, plain JavaScript
  for (const [name, version] of [['node-gyp-build', '4.8.4'], ['nan', '2.22.0'], ['node-addon-api', '8.3.0'], ['prebuild-install', '7.1.2'], ['bindings', '1.5.0'], ['@mapbox/node-pre-gyp', '1.0.11']] as const) {
    add(name, version, `node_modules/${name}`, {}, {}, {});
  }
  // the pure pool's names (some scoped), decided first so native packages can depend on them
  const pureCount = Math.max(0, total - 2000);
  const names: string[] = [];
  const distinct = Math.ceil(pureCount * 0.75);
  for (let i = 0; i < distinct; i++) names.push(i % 7 === 0 ? `@scope-${i % 97}/lib-${i}` : `lib-${i}`);
  for (const n of names) topVersion.set(n, `${1 + (n.length % 5)}.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 10)}`);
  const someDeps = (max: number): string[] => {
    const k = Math.floor(rnd() * (max + 1));
    const s = new Set<string>();
    for (let i = 0; i < k; i++) s.add(pick(names));
    return [...s];
  };

  // esbuild-like families: a parent with 23 members; a second version nested under a pure package
  for (let i = 0; i < 12; i++) {
    const parent = `esb-${i}`;
    for (const [version, base] of [['0.21.5', 'node_modules/'], ['0.18.20', `node_modules/${names[i] ?? 'lib-0'}/node_modules/`]] as const) {
      const optional = Object.fromEntries(ESBUILD_MEMBERS.map((m) => [`@esb-${i}/${m}`, version]));
      add(parent, version, `${base}${parent}`, { optionalDependencies: optional, bin: { [parent]: 'bin/esbuild' } }, {}, { hasInstallScript: true, optionalDependencies: optional, bin: { [parent]: 'bin/esbuild' }, engines: { node: '>=12' } });
      for (const m of ESBUILD_MEMBERS) {
        const [os, cpu] = m.split('-') as [string, string];
        add(`@esb-${i}/${m}`, version, `${base}@esb-${i}/${m}`, { os: [os], cpu: [CPU_OF[cpu] ?? cpu] }, { bin: 'ELF' }, { cpu: [CPU_OF[cpu] ?? cpu], optional: true, os: [os], engines: { node: '>=12' } });
      }
      if (base === 'node_modules/') direct.push(parent);
    }
  }
  // napi-rs-like families: 8 members with libc; 1 in 8 without linux-arm64-musl
  for (let i = 0; i < 40; i++) {
    const parent = `@napi-${i}/core`;
    const members = NAPI.filter((m) => !(i % 8 === 0 && m.suffix === 'linux-arm64-musl'));
    const optional = Object.fromEntries(members.map((m) => [`@napi-${i}/core-${m.suffix}`, '1.4.0']));
    add(parent, '1.4.0', `node_modules/${parent}`, { optionalDependencies: optional }, {}, { dependencies: deps(someDeps(2)), optionalDependencies: optional, engines: { node: '>=10' } });
    for (const m of members) {
      const fields = { cpu: [m.cpu], ...('libc' in m ? { libc: [m.libc] } : {}), os: [m.os] };
      add(`@napi-${i}/core-${m.suffix}`, '1.4.0', `node_modules/@napi-${i}/core-${m.suffix}`, fields, { 'core.node': 'ELF' }, { ...fields, optional: true, engines: { node: '>=10' } });
    }
    direct.push(parent);
  }
  // prebuildify: linux-x64 and linux-arm64 prebuilds, 1 in 5 x64 only; 1 in 4 nested
  for (let i = 0; i < 100; i++) {
    const name = `pbfy-${i}`;
    const prebuilds: Record<string, string> = { 'prebuilds/linux-x64/node.napi.glibc.node': 'ELF', 'prebuilds/linux-x64/node.napi.musl.node': 'ELF' };
    if (i % 5 !== 0) prebuilds['prebuilds/linux-arm64/node.napi.armv8.node'] = 'ELF';
    const d = { 'node-gyp-build': '^4.8.0', ...deps(someDeps(2)) };
    const at = i % 4 === 0 ? `node_modules/${names[100 + i] ?? 'lib-1'}/node_modules/${name}` : `node_modules/${name}`;
    add(name, '2.0.0', at, { dependencies: d, scripts: { install: 'node-gyp-build' } }, prebuilds, { dependencies: d, hasInstallScript: true, license: 'MIT' });
    if (at === `node_modules/${name}`) direct.push(name);
  }
  // prebuild-install: assets on the loopback registry (binary.host), some targets absent
  for (let i = 0; i < 60; i++) {
    const name = `pbi-${i}`;
    const d = { 'prebuild-install': '^7.1.1', 'node-addon-api': '^8.0.0' };
    const binary = { host: `${registry}assets`, remote_path: name, napi_versions: [3] };
    add(name, '5.1.0', `node_modules/${name}`, { dependencies: d, binary, scripts: { install: i % 3 === 0 ? 'prebuild-install -r napi' : 'prebuild-install -r napi || node-gyp rebuild' } }, { 'binding.gyp': '{}\n' }, { dependencies: d, hasInstallScript: true });
    direct.push(name);
  }
  // node-pre-gyp
  for (let i = 0; i < 20; i++) {
    const name = `npg-${i}`;
    const d = { '@mapbox/node-pre-gyp': '^1.0.11' };
    const binary = { module_name: name.replace(/-/g, '_'), module_path: './lib/binding/', host: `${registry}assets/`, remote_path: `${name}/v{version}/` };
    add(name, '3.0.0', `node_modules/${name}`, { dependencies: d, binary, scripts: { install: 'node-pre-gyp install --fallback-to-build' } }, {}, { dependencies: d, hasInstallScript: true });
    direct.push(name);
  }
  // node-gyp: nan or node-addon-api and an install script
  for (let i = 0; i < 100; i++) {
    const name = `gyp-${i}`;
    const d = { [i % 2 ? 'nan' : 'node-addon-api']: '^2.22.0', ...deps(someDeps(1)) };
    add(name, '3.0.0', i % 5 === 0 ? `node_modules/${names[300 + i] ?? 'lib-2'}/node_modules/${name}` : `node_modules/${name}`, { dependencies: d, gypfile: true, scripts: { install: 'node-gyp rebuild' } }, { 'binding.gyp': "{ 'targets': [{ 'target_name': 'x', 'sources': ['x.cc'] }] }\n", 'x.cc': '// x\n' }, { dependencies: d, hasInstallScript: true });
    if (i % 5 !== 0) direct.push(name);
  }
  // install scripts that run JavaScript only
  for (let i = 0; i < 30; i++) {
    const name = `post-${i}`;
    add(name, '1.2.0', `node_modules/${name}`, { scripts: { postinstall: 'node ./postinstall.js' } }, { 'postinstall.js': 'console.log(1)\n' }, { hasInstallScript: true, dev: i % 2 === 0 ? true : undefined });
  }

  // the pure pool: each name top-level once, then other versions nested under a top-level package (some two deep)
  const licenses = ['MIT', 'MIT', 'MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause'];
  const pureLock = (name: string, version: string): Record<string, unknown> => {
    const lock: Record<string, unknown> = {};
    if (rnd() < 0.45) lock['dev'] = true;
    lock['license'] = pick(licenses);
    const d = someDeps(6).filter((n) => n !== name);
    if (d.length > 0) lock['dependencies'] = deps(d);
    if (rnd() < 0.08) lock['bin'] = { [name.replace(/^@[^/]+\//, '')]: 'bin/cli.js' };
    if (rnd() < 0.5) lock['engines'] = { node: pick(['>=6', '>=8', '>=10', '>=12', '>=14.17', '^12.20.0 || ^14.13.1 || >=16.0.0']) };
    if (rnd() < 0.15) lock['funding'] = { url: `https://github.com/sponsors/${name.replace(/[@/]/g, '')}` };
    if (rnd() < 0.05) lock['peerDependencies'] = deps([pick(names)]);
    return lock;
  };
  for (const n of names) {
    if (out.length >= total) break;
    add(n, topVersion.get(n) as string, `node_modules/${n}`, {}, undefined, pureLock(n, topVersion.get(n) as string));
    if (rnd() < 0.3) direct.push(n);
  }
  for (let i = 0; out.length < total; i++) {
    const n = pick(names);
    const owner = pick(names);
    if (owner === n) continue;
    const deeper = rnd() < 0.3 ? `/node_modules/${pick(names)}` : '';
    const version = `0.${i % 50}.${Math.floor(rnd() * 10)}`;
    add(n, version, `node_modules/${owner}${deeper}/node_modules/${n}`, {}, undefined, pureLock(n, version));
  }

  for (const p of out) {
    const base = p.name.replace(/^@[^/]+\//, '');
    const tarball = `${registry}${p.name}/-/${base}-${p.version}.tgz`;
    let integrity: string;
    if (Object.keys(p.files).length > 0) {
      const bytes = tgz(p.files);
      integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
      (p as { tgz?: Buffer }).tgz = bytes;
    } else {
      // a pure package: never fetched by the analysis, so no tarball; an integrity of its name
      integrity = `sha512-${createHash('sha512').update(`${p.name}@${p.version}`).digest('base64')}`;
    }
    // the fields in npm's order: version, resolved, integrity, then the rest as written
    const rest = { ...p.lock };
    for (const k of Object.keys(p.lock)) delete p.lock[k];
    Object.assign(p.lock, { version: p.version, resolved: tarball, integrity }, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    (p as { tarballUrl?: string }).tarballUrl = tarball;
  }
  return { packages: out, direct };
}

/** The native packages' release assets (prebuild-install, node-pre-gyp): URL path -> bytes; linux arm64 musl absent. */
export function largeProjectAssets(project: { packages: readonly GenPackage[] }): Map<string, Buffer> {
  const assets = new Map<string, Buffer>();
  const body = Buffer.from('asset');
  for (const p of project.packages) {
    if (p.name.startsWith('pbi-')) {
      for (const [arch, libc] of [['x64', ''], ['arm64', ''], ['x64', 'musl']]) assets.set(`/assets/${p.name}/${p.name}-v${p.version}-napi-v3-linux${libc}-${arch}.tar.gz`, body);
    } else if (p.name.startsWith('npg-')) {
      const mod = p.name.replace(/-/g, '_');
      for (const abi of ['108', '115', '127', '131', '137']) for (const arch of ['x64', 'arm64']) assets.set(`/assets/${p.name}/v${p.version}/${mod}-v${p.version}-node-v${abi}-linux-${arch}.tar.gz`, body);
    }
  }
  return assets;
}

const yamlKey = (k: string): string => (/^[A-Za-z0-9._-][A-Za-z0-9._/@-]*$/.test(k) && !/^(true|false|null|~)$/.test(k) ? k : `'${k}'`);
const yamlList = (xs: readonly string[]): string => `[${xs.join(', ')}]`;

/** One entry per name and version (pnpm and Yarn keep one per version, npm one per folder), first seen wins. */
function uniqueVersions(packages: readonly GenPackage[]): GenPackage[] {
  const seen = new Set<string>();
  const out: GenPackage[] = [];
  for (const p of packages) {
    const id = `${p.name}@${p.version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(p);
  }
  return out;
}

/** The version a dependency range of the lock resolves to (`^1.2.3` -> 1.2.3; the generator writes no other). */
const resolvedOf = (range: unknown): string => String(range).replace(/^\^/, '');

/** The project as pnpm 9/10 writes its pnpm-lock.yaml (lockfileVersion 9.0). */
export function pnpmLockText(project: { packages: readonly GenPackage[]; direct: readonly string[] }): string {
  const unique = uniqueVersions(project.packages);
  const top = new Map(project.packages.filter((p) => !p.at.includes('/node_modules/')).map((p) => [p.name, p.version]));
  const lines: string[] = ["lockfileVersion: '9.0'", '', 'settings:', '  autoInstallPeers: true', '  excludeLinksFromLockfile: false', '', 'importers:', '', '  .:', '    dependencies:'];
  for (const d of project.direct) lines.push(`      ${yamlKey(d)}:`, `        specifier: ^${top.get(d) ?? '1.0.0'}`, `        version: ${top.get(d) ?? '1.0.0'}`);
  lines.push('', 'packages:', '');
  for (const p of unique) {
    const l = p.lock;
    const fields: string[] = [`    resolution: {integrity: ${String(l['integrity'])}}`];
    const engines = l['engines'] as Record<string, string> | undefined;
    if (engines?.['node']) fields.push(`    engines: {node: '${engines['node']}'}`);
    if (Array.isArray(l['cpu'])) fields.push(`    cpu: ${yamlList(l['cpu'] as string[])}`);
    if (Array.isArray(l['os'])) fields.push(`    os: ${yamlList(l['os'] as string[])}`);
    if (Array.isArray(l['libc'])) fields.push(`    libc: ${yamlList(l['libc'] as string[])}`);
    if (l['bin']) fields.push('    hasBin: true');
    lines.push(`  ${yamlKey(`${p.name}@${p.version}`)}:`, ...fields, '');
  }
  lines.push('snapshots:', '');
  for (const p of unique) {
    const l = p.lock;
    const d = (l['dependencies'] ?? {}) as Record<string, string>;
    const o = (l['optionalDependencies'] ?? {}) as Record<string, string>;
    const key = `  ${yamlKey(`${p.name}@${p.version}`)}:`;
    if (Object.keys(d).length === 0 && Object.keys(o).length === 0 && l['optional'] !== true) {
      lines.push(`${key} {}`, '');
      continue;
    }
    lines.push(key);
    if (Object.keys(d).length > 0) lines.push('    dependencies:', ...Object.entries(d).map(([n, v]) => `      ${yamlKey(n)}: ${resolvedOf(v)}`));
    if (Object.keys(o).length > 0) lines.push('    optionalDependencies:', ...Object.entries(o).map(([n, v]) => `      ${yamlKey(n)}: ${resolvedOf(v)}`));
    if (l['optional'] === true) lines.push('    optional: true');
    lines.push('');
  }
  return lines.join('\n');
}

/** The project as Yarn 4 writes its yarn.lock (`__metadata` version 8). */
export function yarnLockText(project: { packages: readonly GenPackage[] }): string {
  const unique = uniqueVersions(project.packages);
  const q = (s: string): string => `"${s}"`;
  const lines: string[] = ['# This file is generated by running "yarn install" inside your project.', '# Manual changes might be lost - proceed with caution!', '', '__metadata:', '  version: 8', '  cacheKey: 10c0', ''];
  for (const p of unique) {
    const l = p.lock;
    const d = (l['dependencies'] ?? {}) as Record<string, string>;
    const o = (l['optionalDependencies'] ?? {}) as Record<string, string>;
    lines.push(`${q(`${p.name}@npm:^${p.version}`)}:`, `  version: ${p.version}`, `  resolution: ${q(`${p.name}@npm:${p.version}`)}`);
    const all = { ...d, ...o };
    if (Object.keys(all).length > 0) lines.push('  dependencies:', ...Object.entries(all).map(([n, v]) => `    ${n.startsWith('@') ? q(n) : n}: ${q(`npm:${v}`)}`));
    if (Object.keys(o).length > 0) lines.push('  dependenciesMeta:', ...Object.keys(o).flatMap((n) => [`    ${n.startsWith('@') ? q(n) : n}:`, '      optional: true']));
    if (l['bin']) lines.push('  bin:', ...Object.entries(l['bin'] as Record<string, string>).map(([n, f]) => `    ${n}: ${f}`));
    const cond = [Array.isArray(l['os']) ? `os=${(l['os'] as string[])[0]}` : '', Array.isArray(l['cpu']) ? `cpu=${(l['cpu'] as string[])[0]}` : '', Array.isArray(l['libc']) ? `libc=${(l['libc'] as string[])[0]}` : ''].filter(Boolean);
    if (cond.length > 0) lines.push(`  conditions: ${cond.join(' & ')}`);
    lines.push(`  checksum: 10c0/${createHash('sha512').update(`${p.name}@${p.version}`).digest('hex')}`, '  languageName: node', '  linkType: hard', '');
  }
  return lines.join('\n');
}

const WHEEL_TAGS = [
  'cp310-cp310-macosx_10_9_x86_64', 'cp310-cp310-macosx_11_0_arm64', 'cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64', 'cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp310-cp310-musllinux_1_2_x86_64', 'cp310-cp310-win_amd64',
  'cp311-cp311-macosx_10_9_x86_64', 'cp311-cp311-macosx_11_0_arm64', 'cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64', 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp311-cp311-musllinux_1_2_x86_64', 'cp311-cp311-win_amd64',
  'cp312-cp312-macosx_10_13_x86_64', 'cp312-cp312-macosx_11_0_arm64', 'cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp312-cp312-musllinux_1_2_aarch64', 'cp312-cp312-musllinux_1_2_x86_64', 'cp312-cp312-win32', 'cp312-cp312-win_amd64',
  'cp313-cp313-macosx_10_13_x86_64', 'cp313-cp313-macosx_11_0_arm64', 'cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64', 'cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp313-cp313-musllinux_1_2_x86_64', 'cp313-cp313-win_amd64',
];

/**
 * A uv.lock as uv writes it, of `total` packages: 1 in 6 native (a wheel per CPython and
 * platform, some without aarch64 or musl builds, 1 in 20 sdist only), the rest pure
 * (`py3-none-any`), each with 0-5 dependencies, some behind markers. ~4,500 bytes a package.
 */
export function uvLockText(total = 4500, seed = 2): string {
  const rng = new Rng(seed);
  const rnd = (): number => rng.next();
  const names = Array.from({ length: total }, (_, i) => `pkg-${i}`);
  const hash = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
  const lines: string[] = ['version = 1', 'revision = 2', 'requires-python = ">=3.10"', 'resolution-markers = [', '    "python_full_version >= \'3.12\'",', '    "python_full_version < \'3.12\'",', ']', ''];
  lines.push('[[package]]', 'name = "app"', 'version = "0.1.0"', 'source = { virtual = "." }', 'dependencies = [');
  for (let i = 0; i < total; i += 7) lines.push(`    { name = "${names[i]}" },`);
  lines.push(']', '');
  for (let i = 0; i < total; i++) {
    const name = names[i] as string;
    const version = `${1 + (i % 4)}.${i % 13}.${i % 7}`;
    const file = name.replace(/-/g, '_');
    const url = `https://files.example.org/packages/${(i * 7919).toString(16).padStart(4, '0').slice(0, 2)}/${(i * 104729).toString(16).slice(0, 2)}/${i.toString(36)}`;
    lines.push('[[package]]', `name = "${name}"`, `version = "${version}"`, 'source = { registry = "https://pypi.org/simple" }');
    const deps = new Set<number>();
    const k = Math.floor(rnd() * 6);
    for (let j = 0; j < k; j++) deps.add(Math.floor(rnd() * total));
    deps.delete(i);
    if (deps.size > 0) {
      lines.push('dependencies = [');
      for (const d of deps) lines.push(rnd() < 0.1 ? `    { name = "${names[d]}", marker = "sys_platform == 'win32'" },` : `    { name = "${names[d]}" },`);
      lines.push(']');
    }
    const size = 10_000 + Math.floor(rnd() * 10_000_000);
    const native = i % 6 === 0;
    const sdist = `sdist = { url = "${url}/${file}-${version}.tar.gz", hash = "${hash(`${name}${version}sd`)}", size = ${size}, upload-time = "2024-06-01T12:00:00.000Z" }`;
    if (native && i % 20 === 0) {
      lines.push(sdist, '');
      continue;
    }
    lines.push(sdist, 'wheels = [');
    const tags = native ? WHEEL_TAGS.filter((t) => !(i % 5 === 0 && t.includes('aarch64')) && !(i % 3 === 0 && t.includes('musllinux'))) : ['py3-none-any'];
    for (const t of tags) lines.push(`    { url = "${url}/${file}-${version}-${t}.whl", hash = "${hash(`${name}${version}${t}`)}", size = ${size + t.length}, upload-time = "2024-06-01T12:00:00.000Z" },`);
    lines.push(']', '');
  }
  return lines.join('\n');
}

export interface DepsLargeBenchOptions extends Omit<DepsBenchOptions, 'packages'> {
  /** the size of each lockfile, in MB (default 20) */
  readonly megabytes?: number;
}

/** Bytes one entry takes in each generated format (measured on the generator's output), to size a lockfile by MB. */
const BYTES_PER_ENTRY = { npm: 481, pnpm: 295, yarn: 371, uv: 1430 } as const;

/** A pnpm-lock.yaml with one entry outside the block subset (a folded `deprecated:` message, as pnpm writes a long one). */
function withFoldedScalar(pnpm: string): string {
  const at = pnpm.indexOf('\n  nan@2.22.0:\n');
  const end = pnpm.indexOf('\n\n', at + 1);
  if (at === -1 || end === -1) throw new Error('the generated pnpm-lock.yaml has no nan entry');
  return `${pnpm.slice(0, end)}\n    deprecated: >-\n      This version is no longer supported,\n      upgrade to the latest one.${pnpm.slice(end)}`;
}

/**
 * `anyarch deps` on lockfiles of real monorepos' size (`megabytes` each, 20 by default): a
 * package-lock.json (offline: every cell needing the registry unknown, so the reading and the
 * analysis are measured; then from a warm cache filled by one run against the loopback
 * registry), a pnpm-lock.yaml (and the same with one folded scalar, an entry the yaml library
 * reads), a yarn.lock and a uv.lock. Each beside a floor of the same file: `JSON.parse` of the
 * package-lock in a bare Node process, and, for the other formats, reading the file and
 * splitting it into lines. Wall (median), CPU and peak RSS (GNU time) per run, interleaved.
 */
export async function runDepsLargeBenchmark(opts: DepsLargeBenchOptions): Promise<{ lines: string[]; summary: Record<string, unknown> }> {
  const mb = opts.megabytes ?? 20;
  const entries = (kind: keyof typeof BYTES_PER_ENTRY): number => Math.round((mb * 1e6) / BYTES_PER_ENTRY[kind]);
  const root = path.join(opts.work, 'deps-large');
  rmSync(root, { recursive: true, force: true });
  const holder = { url: '' };
  const t0 = Date.now();
  const { registry, project } = await startRegistry(() => generateLargeProject(holder.url, entries('npm')), holder, largeProjectAssets);
  try {
    const dirs = { npm: path.join(root, 'npm'), pnpm: path.join(root, 'pnpm'), pnpmFolded: path.join(root, 'pnpm-folded'), yarn: path.join(root, 'yarn'), uv: path.join(root, 'uv') };
    writeProject(dirs.npm, project);
    const pnpm = pnpmLockText(generateLargeProject('https://registry.npmjs.org/', entries('pnpm')));
    const files: Record<keyof typeof dirs, string> = {
      npm: path.join(dirs.npm, 'package-lock.json'),
      pnpm: path.join(dirs.pnpm, 'pnpm-lock.yaml'),
      pnpmFolded: path.join(dirs.pnpmFolded, 'pnpm-lock.yaml'),
      yarn: path.join(dirs.yarn, 'yarn.lock'),
      uv: path.join(dirs.uv, 'uv.lock'),
    };
    const texts: Partial<Record<keyof typeof dirs, string>> = { pnpm, pnpmFolded: withFoldedScalar(pnpm), yarn: yarnLockText(generateLargeProject('https://registry.npmjs.org/', entries('yarn'))), uv: uvLockText(entries('uv')) };
    for (const [k, text] of Object.entries(texts) as [keyof typeof dirs, string][]) {
      mkdirSync(dirs[k], { recursive: true });
      writeFileSync(files[k], text);
    }
    const size = (k: keyof typeof dirs): number => statSync(files[k]).size;
    opts.log(`deps-large benchmark: lockfiles of ~${mb} MB generated in ${((Date.now() - t0) / 1000).toFixed(1)} s (package-lock.json ${project.packages.length} entries), registry ${registry.url}`);

    const env = { ...process.env, CI: '1', NO_COLOR: '1', ANYARCH_OFFLINE: '' } as NodeJS.ProcessEnv;
    const deps = (...extra: string[]): string[] => ['--no-warnings', opts.layout.cli, 'deps', '--platform', 'linux/amd64,linux/arm64', '--format', 'json', ...extra];
    const parse = (file: string): string[] => ['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`];
    const split = (file: string): string[] => ['-e', `require('fs').readFileSync(${JSON.stringify(file)}, 'utf8').split('\\n').length`];
    const emptyCache = path.join(root, 'cache-empty');
    const warmCache = path.join(root, 'cache-warm');
    // the warm cache: one run against the loopback registry (measured once: the cold row)
    const cold = await measured(process.execPath, deps('--registry', registry.url), dirs.npm, { ...env, ANYARCH_CACHE_DIR: warmCache });
    if (cold.code !== 0 && cold.code !== 1) throw new Error(`anyarch deps (cold) exited ${cold.code}: ${cold.stderr.slice(0, 2000)}`);
    const coldRequests = registry.requests;

    interface Row {
      readonly key: string;
      readonly label: string;
      readonly file: keyof typeof dirs;
      readonly args: readonly string[];
      readonly cache?: string;
      /** the floor row this one is compared with */
      readonly floor?: string;
    }
    const rows: Row[] = [
      { key: 'npm', label: 'anyarch deps --offline, package-lock.json v3', file: 'npm', args: deps('--offline'), cache: emptyCache, floor: 'npmParse' },
      { key: 'npmWarm', label: 'anyarch deps, package-lock.json, warm cache', file: 'npm', args: deps('--registry', registry.url), cache: warmCache, floor: 'npmParse' },
      { key: 'pnpm', label: 'anyarch deps --offline, pnpm-lock.yaml v9', file: 'pnpm', args: deps('--offline'), cache: emptyCache, floor: 'pnpmSplit' },
      { key: 'pnpmFolded', label: 'the same with one folded scalar (one entry read by the yaml library)', file: 'pnpmFolded', args: deps('--offline'), cache: emptyCache, floor: 'pnpmSplit' },
      { key: 'yarn', label: 'anyarch deps --offline, yarn.lock (Berry)', file: 'yarn', args: deps('--offline'), cache: emptyCache, floor: 'yarnSplit' },
      { key: 'uv', label: 'anyarch deps --offline, uv.lock', file: 'uv', args: deps('--offline'), cache: emptyCache, floor: 'uvSplit' },
      { key: 'npmParse', label: 'floor: node, JSON.parse of the package-lock.json', file: 'npm', args: parse(files.npm) },
      { key: 'pnpmSplit', label: 'floor: node, the pnpm-lock.yaml read and split into lines', file: 'pnpm', args: split(files.pnpm) },
      { key: 'yarnSplit', label: 'floor: node, the yarn.lock read and split into lines', file: 'yarn', args: split(files.yarn) },
      { key: 'uvSplit', label: 'floor: node, the uv.lock read and split into lines', file: 'uv', args: split(files.uv) },
      { key: 'node', label: 'node -e 0', file: 'npm', args: ['-e', '0'] },
    ];
    const wall = new Map<string, number[]>(rows.map((r) => [r.key, []]));
    const cpu = new Map<string, number[]>(rows.map((r) => [r.key, []]));
    const rss = new Map<string, number[]>(rows.map((r) => [r.key, []]));
    const reportRows = new Map<string, number>();
    for (let run = 0; run < opts.runs; run++) {
      for (const row of rows) {
        const before = registry.requests;
        const r = await measured(process.execPath, row.args, dirs[row.file], row.cache ? { ...env, ANYARCH_CACHE_DIR: row.cache } : env);
        const isDeps = row.cache !== undefined;
        if (isDeps ? r.code !== 0 && r.code !== 1 : r.code !== 0) throw new Error(`${row.label} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
        if (registry.requests !== before) throw new Error(`${row.label} sent ${registry.requests - before} requests`);
        wall.get(row.key)?.push(r.seconds);
        if (r.cpu !== undefined) cpu.get(row.key)?.push(r.cpu);
        if (r.rssKiB !== undefined) rss.get(row.key)?.push(r.rssKiB / 1024);
        if (isDeps && !reportRows.has(row.key)) {
          const doc = JSON.parse(r.stdout) as { lockfiles: { packages?: unknown[]; total: number }[] };
          reportRows.set(row.key, doc.lockfiles[0]?.packages?.length ?? 0);
        }
      }
      rmSync(emptyCache, { recursive: true, force: true });
    }
    const med = (m: Map<string, number[]>, k: string): number => median(m.get(k) ?? [NaN]);
    const fmt = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : '?');
    const MB = (k: keyof typeof dirs): string => (size(k) / 1e6).toFixed(1);
    const lines = [
      '## anyarch deps on large lockfiles',
      '',
      `Lockfiles of ~${mb} MB each (package-lock.json ${MB('npm')} MB, ${project.packages.length} entries, ${reportRows.get('npm') ?? '?'} native rows; pnpm-lock.yaml ${MB('pnpm')} MB; yarn.lock ${MB('yarn')} MB; uv.lock ${MB('uv')} MB), ${opts.runs} runs, interleaved. The warm cache was filled by one run against the loopback registry: ${fmt(cold.seconds)} s, ${coldRequests} requests, ${fmt((cold.rssKiB ?? NaN) / 1024, 0)} MiB peak.`,
      '',
      '| run | MB | median s | min s | CPU s | peak RSS MiB | vs its floor (median) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.label} | ${r.key === 'node' ? '' : MB(r.file)} | ${fmt(med(wall, r.key))} | ${fmt(Math.min(...(wall.get(r.key) ?? [NaN])))} | ${fmt(med(cpu, r.key))} | ${fmt(med(rss, r.key), 0)} | ${r.floor ? `${fmt(med(wall, r.key) / med(wall, r.floor))}x` : ''} |`),
    ];
    const depsRows = rows.filter((r) => r.cache !== undefined);
    const worstWall = Math.max(...depsRows.map((r) => med(wall, r.key)));
    const worstRss = Math.max(...depsRows.map((r) => med(rss, r.key)));
    const pass = worstWall <= 5 && worstRss <= 500;
    lines.push('', `${pass ? 'PASS' : 'FAIL'}: the slowest lockfile took ${fmt(worstWall)} s (target <= 5 s for the whole process) and the largest peak RSS was ${fmt(worstRss, 0)} MiB (target <= 500 MiB).`);
    return {
      lines,
      summary: {
        bench: 'anyarch-deps-large',
        node: process.version,
        megabytes: Object.fromEntries((Object.keys(dirs) as (keyof typeof dirs)[]).map((k) => [k, +MB(k)])),
        entries: project.packages.length,
        nativeRows: Object.fromEntries(reportRows),
        cold: { seconds: +fmt(cold.seconds, 3), requests: coldRequests, rssMiB: Math.round((cold.rssKiB ?? NaN) / 1024) },
        median: Object.fromEntries(rows.map((r) => [r.key, +fmt(med(wall, r.key), 3)])),
        cpuMedian: Object.fromEntries(rows.map((r) => [r.key, +fmt(med(cpu, r.key), 3)])),
        rssMiB: Object.fromEntries(rows.map((r) => [r.key, Math.round(med(rss, r.key))])),
        ratios: Object.fromEntries(rows.filter((r) => r.floor).map((r) => [r.key, +fmt(med(wall, r.key) / med(wall, r.floor ?? ''))])),
        pass,
      },
    };
  } finally {
    await registry.close();
  }
}
