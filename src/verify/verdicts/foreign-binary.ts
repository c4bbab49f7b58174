/**
 * AA201: an ELF program or shared object (or, in a Windows variant, a PE file) built for another
 * CPU than its platform: class, byte order and machine (an error). Files that run on some of the
 * platform's machines only (src/binary's `fits: 'some'`): a Go binary built for a higher GOAMD64
 * level, 32-bit ARM on arm64 (a warning each); i386 files on amd64, which every amd64 CPU runs
 * in the kernel's 32-bit compatibility mode, are counted in one information per variant.
 * Relocatable objects, eBPF and GPU code are not judged (src/binary). Python extensions and Node
 * addons are AA205's and AA206's.
 */
import { pathArchitecture } from '../../binary/index.js';
import { normalizePlatform } from '../../platform/index.js';
import { describeFacts, elfArchitecture, fitsPlatform, peArchitecture } from '../binary-kit.js';
import { isNodeBinary, isPythonBinary } from './support.js';
import { defineVerdict, shown, type VariantView } from './types.js';

const messages = {
  foreign: '{path} is {arch}, not {platform}: it fails with "exec format error" there',
  someCpus: '{path} runs on some {platform} machines only: {reason}',
  compat: '{files} {run} on {platform} only through the kernel\'s 32-bit compatibility mode (a kernel without it refuses {them})',
} as const;

/** Go's tools of another GOARCH beside a go of that architecture are how Go cross-installs its toolchain. */
function goToolIntended(path: string, arch: string, view: VariantView): string | undefined {
  const named = pathArchitecture(path);
  if (named?.convention !== 'go-target' || named.os || !named.architectures.includes(arch)) return undefined;
  const tools = named.where.lastIndexOf('pkg/tool/');
  if (tools < 0 || path.slice(named.where.length + 1).includes('/')) return undefined;
  const root = named.where.slice(0, Math.max(0, tools - 1));
  const dir = named.where.slice(tools + 'pkg/tool/'.length);
  const prefix = root === '' ? '' : `${root}/`;
  for (const go of [`${prefix}bin/${dir}/go`, `${prefix}bin/go`]) {
    const f = view.tree.resolve(go);
    if (f?.facts?.format === 'elf' && elfArchitecture(f.facts).architecture === arch) return `Go's tools for linux/${dir.slice('linux_'.length)} beside a go of that architecture (GOROOT /${root})`;
  }
  return undefined;
}

export default defineVerdict({
  meta: {
    id: 'AA201',
    name: 'foreign-binary',
    title: 'A binary in the image is built for another architecture than its platform',
    severity: 'error',
    description:
      'An ELF program or shared object whose class, byte order or machine is another CPU than the platform variant it ships in (a PE file in a Windows variant): the image says linux/arm64 but the program is x86-64, and it fails with "exec format error" on the machines that pull that variant. Files only some of the platform\'s machines run are a warning (32-bit ARM on arm64, a Go binary for a higher GOAMD64 level); i386 files on amd64, run in the kernel\'s 32-bit compatibility mode, are one information.',
    allowable: true,
  },
  messages,
  judge(ctx) {
    const windows = normalizePlatform(ctx.platform).os === 'windows';
    const compat = new Map<string, { first: string; count: number }>();
    for (const k of ctx.view.kept) {
      if (k.facts.format !== (windows ? 'pe' : 'elf')) continue;
      if (isPythonBinary(k.path) || isNodeBinary(k.path)) continue;
      const fit = fitsPlatform(k.facts, ctx.platform);
      const arch = k.facts.format === 'elf' ? elfArchitecture(k.facts).architecture : peArchitecture(k.facts);
      if (arch === undefined) continue; // fitsPlatform says `unknown` for machines no CPU platform has
      const what = describeFacts(k.facts);
      if (fit.fits === 'some' && fit.limit === 'compat') {
        const seen = compat.get(arch);
        if (seen) seen.count++;
        else compat.set(arch, { first: k.path, count: 1 });
      } else if (fit.fits === 'some') {
        ctx.report({ messageId: 'someCpus', data: { path: shown(k.path), platform: ctx.name, reason: fit.reason ?? `built for ${arch}` }, path: k.path, what, severity: 'warning' });
      } else if (fit.fits === 'no' && !fit.armVariant) {
        const intended = goToolIntended(k.path, arch, ctx.view);
        ctx.report({ messageId: 'foreign', data: { path: shown(k.path), arch, platform: ctx.name }, path: k.path, what, ...(intended ? { intended } : {}) });
      }
    }
    for (const [arch, { first, count }] of compat) {
      const files = count === 1 ? `${shown(first)} (${arch})` : `${count} ${arch} files (the first ${shown(first)})`;
      ctx.report({ messageId: 'compat', data: { files, platform: ctx.name, run: count === 1 ? 'runs' : 'run', them: count === 1 ? 'it' : 'them' }, severity: 'info' });
    }
  },
});
