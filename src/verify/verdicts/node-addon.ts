/**
 * AA206: Node addons (`*.node`) and the binaries of per-platform npm packages built for another
 * platform. Packages that ship several platforms on purpose are information (AA212): prebuildify's
 * `prebuilds/<os>-<arch>/` (unless the one node-gyp-build would load here, src/binary's
 * `selectPrebuild`, is missing or wrong), napi-rs and esbuild-style optional packages for another
 * platform (unless this platform's package is missing: node_modules was installed on another
 * machine and copied in).
 */
import { parseNodeAddonPath, selectPrebuild } from '../../binary/index.js';
import { normalizePlatform } from '../../platform/index.js';
import { describeFacts, elfArchitecture, fitsPlatform, LOADED } from '../binary-kit.js';
import { nodeArch, platformPackage, type PlatformPackage } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  foreign: 'the Node addon {path} is {arch}, not {platform}: require() fails with "invalid ELF header"',
  selectedWrong: '{path} is the prebuild node-gyp-build loads on {platform}, but it is {arch}',
  noPrebuild: '{path} has no prebuild node-gyp-build would load on {platform} (it has {dirs}) and no build/Release addon: require() fails',
  otherPrebuild: '{path} is a prebuild for {dir} ({arch})',
  wrongPackage: '{path} is in the {platform} package {pkg} but it is {arch}',
  noPackage: '{pkg} is the package for {target}; none for {want} is installed: node_modules was installed on another machine and copied in',
  otherPackage: '{path} belongs to the optional package {pkg} for another platform; {mine} is the one loaded here',
} as const;

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
    // node-gyp-build's libc: musl where /etc/alpine-release exists; a package's: the image's loaders
    const gypLibc = ctx.view.tree.resolve('etc/alpine-release') ? 'musl' : 'glibc';
    const imageLibc = ctx.view.libcs.size === 1 ? [...ctx.view.libcs][0] : undefined;
    const kept = new Map(ctx.view.kept.map((k) => [k.path, k]));
    const full = (dir: string, rel: string): string => (dir ? `${dir}/${rel}` : rel);

    // addons of packages with prebuilds (and their build/ addons), by package directory
    const candidates = new Map<string, string[]>();
    const withPrebuilds = new Set<string>();
    const families = new Map<string, PlatformPackage[]>();
    for (const [path] of ctx.view.tree.files()) {
      const a = parseNodeAddonPath(path);
      if (a?.kind === 'prebuild' || a?.kind === 'build') {
        const list = candidates.get(a.packageDir) ?? [];
        list.push(a.relative);
        candidates.set(a.packageDir, list);
        if (a.kind === 'prebuild') withPrebuilds.add(a.packageDir);
      }
      const pkg = platformPackage(path);
      if (pkg && !(families.get(pkg.family) ?? []).some((x) => x.dir === pkg.dir)) families.set(pkg.family, [...(families.get(pkg.family) ?? []), pkg]);
    }
    const judged = new Set<string>();
    for (const dir of withPrebuilds) {
      const list = candidates.get(dir) ?? [];
      const prebuilds = list.filter((r) => r.startsWith('prebuilds/'));
      for (const r of prebuilds) judged.add(full(dir, r));
      const selected = selectPrebuild(list, { platform: p, libc: gypLibc });
      if (!selected) {
        const dirs = [...new Set(prebuilds.map((r) => r.split('/')[1] as string))].sort().join(', ');
        ctx.report({ messageId: 'noPrebuild', data: { path: shown(dir), platform: ctx.name, dirs }, path: full(dir, prebuilds[0] as string) });
      } else if (selected.startsWith('prebuilds/')) {
        const k = kept.get(full(dir, selected));
        if (k?.facts.format === 'elf' && fitsPlatform(k.facts, p, LOADED).fits === 'no') {
          ctx.report({ messageId: 'selectedWrong', data: { path: shown(k.path), platform: ctx.name, arch: elfArchitecture(k.facts).architecture ?? 'another machine' }, path: k.path, what: describeFacts(k.facts) });
        }
      }
      const loads = selected ? shown(full(dir, selected)) : 'none';
      for (const r of prebuilds) {
        const k = kept.get(full(dir, r));
        if (r === selected || k?.facts.format !== 'elf' || fitsPlatform(k.facts, p, LOADED).fits !== 'no') continue;
        ctx.report({
          messageId: 'otherPrebuild',
          data: { path: shown(k.path), dir: r.split('/')[1] as string, arch: elfArchitecture(k.facts).architecture ?? 'another machine' },
          path: k.path,
          what: describeFacts(k.facts),
          intended: `prebuildify ships prebuilds for several platforms; node-gyp-build loads ${loads} on ${ctx.name}`,
        });
      }
    }

    const isMine = (pkg: PlatformPackage): boolean =>
      pkg.target.os === 'linux' && pkg.target.nodeArchs.includes(arch) && !(pkg.target.libc !== undefined && imageLibc !== undefined && pkg.target.libc !== imageLibc);
    const reportedPackages = new Set<string>();
    for (const k of ctx.view.kept) {
      if (k.facts.format !== 'elf' || judged.has(k.path)) continue;
      const pkg = platformPackage(k.path);
      const fit = fitsPlatform(k.facts, p, LOADED);
      const karch = elfArchitecture(k.facts).architecture ?? 'another machine';
      if (pkg) {
        if (isMine(pkg)) {
          if (fit.fits === 'no') ctx.report({ messageId: 'wrongPackage', data: { path: shown(k.path), platform: ctx.name, pkg: shown(pkg.dir), arch: karch }, path: k.path, what: describeFacts(k.facts) });
          continue;
        }
        if (fit.fits !== 'no' || reportedPackages.has(pkg.dir)) continue;
        reportedPackages.add(pkg.dir);
        const mine = (families.get(pkg.family) ?? []).find(isMine);
        const target = `${pkg.target.nodePlatform}-${pkg.target.nodeArchs.join('+')}${pkg.target.libc ? ` (${pkg.target.libc})` : ''}`;
        if (mine) {
          ctx.report({ messageId: 'otherPackage', data: { path: shown(k.path), pkg: shown(pkg.dir), mine: shown(mine.dir) }, path: k.path, what: describeFacts(k.facts), intended: "an optional package for another platform, installed beside this platform's" });
        } else {
          ctx.report({ messageId: 'noPackage', data: { pkg: shown(pkg.dir), target, want: `linux-${arch}` }, path: k.path, what: describeFacts(k.facts) });
        }
        continue;
      }
      if (!k.path.endsWith('.node') || fit.fits !== 'no') continue;
      ctx.report({ messageId: 'foreign', data: { path: shown(k.path), arch: karch, platform: ctx.name }, path: k.path, what: describeFacts(k.facts) });
    }
  },
});
