/**
 * AA206: Node addons (`*.node`) and the binaries of per-platform npm packages built for another
 * platform. Packages that ship several platforms on purpose are information (AA212): prebuildify's
 * `prebuilds/<os>-<arch>/` (unless the one node-gyp-build would load here is missing or wrong),
 * napi-rs and esbuild-style optional packages for another platform (unless this platform's
 * package is missing: node_modules was installed on another machine and copied in).
 */
import { normalizePlatform } from '../../platform/index.js';
import { describeFacts, elfArchitecture, fitsPlatform } from '../binary-kit.js';
import { nodeArch, platformPackage, type PlatformPackage } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  foreign: 'the Node addon {path} is {arch}, not {platform}: require() fails with "invalid ELF header"',
  selectedWrong: '{path} is the prebuild node-gyp-build loads on {platform}, but it is {arch}',
  noPrebuild: '{path} has no prebuild node-gyp-build would load on {platform} (it has {dirs}) and no build/Release addon: require() fails',
  otherPrebuild: '{path} is a prebuild for {dir} ({arch})',
  wrongPackage: '{path} is in the {platform} package {pkg} but it is {arch}',
  noPackage: '{pkg} is the package for {os}-{parch}; none for {want} is installed: node_modules was installed on another machine and copied in',
  otherPackage: '{path} belongs to the optional package {pkg} for another platform; {mine} is the one loaded here',
} as const;

const PREBUILD = /^(.*)\/prebuilds\/([^/]+)\/([^/]+\.node)$/;

interface Prebuild {
  readonly path: string;
  readonly dir: string;
  readonly file: string;
}

/** node-gyp-build's choice among a package's prebuilds for linux/<arch> with this libc and arm version. */
export function selectPrebuild(prebuilds: readonly Prebuild[], arch: string, libc: 'glibc' | 'musl' | undefined, armv: string | undefined): Prebuild | undefined {
  const candidates = prebuilds.filter((p) => {
    const [os, archs] = splitOnce(p.dir, '-');
    if (os !== 'linux' || !archs.split('+').includes(arch)) return false;
    const tags = p.file.split('.').slice(0, -1);
    if (tags.includes('electron')) return false;
    if (libc && tags.some((t) => (t === 'glibc' || t === 'musl') && t !== libc)) return false;
    if (tags.some((t) => /^armv\d+$/.test(t) && t !== `armv${armv ?? ''}`)) return false;
    return true;
  });
  // more specific files first: a libc or armv tag beats none
  const score = (p: Prebuild): number => p.file.split('.').filter((t) => t === libc || t === `armv${armv}`).length;
  return candidates.sort((a, b) => score(b) - score(a))[0];
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

export default defineVerdict({
  meta: {
    id: 'AA206',
    name: 'node-addon',
    title: 'A Node addon or a per-platform npm package is built for another platform',
    severity: 'error',
    description:
      'npm installs native addons and optional per-platform packages (esbuild, swc, napi-rs) for the machine it runs on. A node_modules installed on amd64 and copied into an arm64 image holds x86-64 addons, or only the linux-x64 package: require() fails at runtime.',
    allowable: true,
  },
  messages,
  judge(ctx) {
    const p = normalizePlatform(ctx.platform);
    const arch = nodeArch(p);
    if (p.os !== 'linux' || !arch) return;
    const libc = ctx.view.libcs.size === 1 ? [...ctx.view.libcs][0] : undefined;
    const armv = p.architecture === 'arm' ? p.variant.replace(/^v/, '') : undefined;
    const kept = new Map(ctx.view.kept.map((k) => [k.path, k]));

    // prebuildify packages, by package root
    const packages = new Map<string, Prebuild[]>();
    const packageDirs = new Map<string, Set<string>>();
    const hasRelease = new Set<string>();
    for (const [path] of ctx.view.tree.files()) {
      const m = PREBUILD.exec(path);
      if (m) {
        const list = packages.get(m[1] as string) ?? [];
        list.push({ path, dir: m[2] as string, file: m[3] as string });
        packages.set(m[1] as string, list);
      }
      const r = /^(.*)\/build\/Release\/[^/]+\.node$/.exec(path);
      if (r) hasRelease.add(r[1] as string);
      const pkg = platformPackage(path);
      if (pkg) {
        const dirs = packageDirs.get(pkg.family) ?? new Set<string>();
        dirs.add(pkg.dir);
        packageDirs.set(pkg.family, dirs);
      }
    }
    const judged = new Set<string>();
    for (const [root, prebuilds] of packages) {
      for (const pb of prebuilds) judged.add(pb.path);
      if (hasRelease.has(root)) continue; // node-gyp-build loads build/Release first
      const selected = selectPrebuild(prebuilds, arch, libc, armv);
      if (!selected) {
        const dirs = [...new Set(prebuilds.map((x) => x.dir))].sort().join(', ');
        ctx.report({ messageId: 'noPrebuild', data: { path: shown(root), platform: ctx.name, dirs }, path: (prebuilds[0] as Prebuild).path });
      } else {
        const k = kept.get(selected.path);
        if (k?.facts.format === 'elf' && fitsPlatform(k.facts, p).fits === 'no') {
          ctx.report({ messageId: 'selectedWrong', data: { path: shown(k.path), platform: ctx.name, arch: elfArchitecture(k.facts).architecture ?? 'another machine' }, path: k.path, what: describeFacts(k.facts) });
        }
      }
      for (const pb of prebuilds) {
        const k = kept.get(pb.path);
        if (pb === selected || k?.facts.format !== 'elf' || fitsPlatform(k.facts, p).fits !== 'no') continue;
        const why = `prebuildify ships prebuilds for several platforms; node-gyp-build loads ${selected ? shown(selected.path) : 'none'} on ${ctx.name}`;
        ctx.report({ messageId: 'otherPrebuild', data: { path: shown(k.path), dir: pb.dir, arch: elfArchitecture(k.facts).architecture ?? 'another machine' }, path: k.path, what: describeFacts(k.facts), intended: why });
      }
    }

    const isMine = (pkg: PlatformPackage): boolean =>
      pkg.os === 'linux' && pkg.arch === arch && !(pkg.abi?.startsWith('musl') && libc === 'glibc') && !(pkg.abi?.startsWith('gnu') && libc === 'musl');
    const reportedPackages = new Set<string>();
    for (const k of ctx.view.kept) {
      if (k.facts.format !== 'elf' || judged.has(k.path)) continue;
      const pkg = platformPackage(k.path);
      const fit = fitsPlatform(k.facts, p);
      const karch = elfArchitecture(k.facts).architecture ?? 'another machine';
      if (pkg) {
        if (isMine(pkg)) {
          if (fit.fits === 'no') ctx.report({ messageId: 'wrongPackage', data: { path: shown(k.path), platform: ctx.name, pkg: shown(pkg.dir), arch: karch }, path: k.path, what: describeFacts(k.facts) });
          continue;
        }
        if (fit.fits !== 'no' || reportedPackages.has(pkg.dir)) continue;
        reportedPackages.add(pkg.dir);
        const mine = [...(packageDirs.get(pkg.family) ?? [])].map((d) => platformPackage(`${d}/x`)).find((x) => x !== undefined && isMine(x));
        if (mine) {
          ctx.report({ messageId: 'otherPackage', data: { path: shown(k.path), pkg: shown(pkg.dir), mine: shown(mine.dir) }, path: k.path, what: describeFacts(k.facts), intended: 'an optional package for another platform, installed beside this platform\'s' });
        } else {
          ctx.report({ messageId: 'noPackage', data: { pkg: shown(pkg.dir), os: pkg.os, parch: pkg.arch, want: `linux-${arch}` }, path: k.path, what: describeFacts(k.facts) });
        }
        continue;
      }
      if (!k.path.endsWith('.node') || fit.fits !== 'no') continue;
      ctx.report({ messageId: 'foreign', data: { path: shown(k.path), arch: karch, platform: ctx.name }, path: k.path, what: describeFacts(k.facts) });
    }
  },
});

