/**
 * AA201: an ELF (or, in a Windows variant, a PE) file built for another CPU than its platform:
 * class, byte order and machine. Python extensions and Node addons are AA205's and AA206's.
 */
import { goarchArchitecture, normalizePlatform } from '../../platform/index.js';
import { describeFacts, elfArchitecture, fitsPlatform, peArchitecture } from '../binary-kit.js';
import { isNodeBinary, isPythonBinary } from './support.js';
import { defineVerdict, shown, type VariantView } from './types.js';

const messages = {
  foreign: '{path} is {arch}, not {platform}: it fails with "exec format error" there',
  unknownMachine: '{path} is {what}, a machine no {platform} CPU runs',
} as const;

/** Go's tools of another GOARCH beside a go of that architecture are how Go cross-installs its toolchain. */
function goToolIntended(path: string, arch: string, view: VariantView): string | undefined {
  const m = /^(.*?)\/?pkg\/tool\/linux_([a-z0-9]+)\/[^/]+$/.exec(path);
  if (!m || goarchArchitecture(m[2] as string) !== arch) return undefined;
  const root = m[1] as string;
  const prefix = root === '' ? '' : `${root}/`;
  for (const go of [`${prefix}bin/linux_${m[2]}/go`, `${prefix}bin/go`]) {
    const f = view.tree.resolve(go);
    if (f?.facts?.format === 'elf' && elfArchitecture(f.facts).architecture === arch) return `Go's tools for linux/${m[2]} beside a go of that architecture (GOROOT /${root})`;
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
      'An ELF file whose class, byte order or machine is another CPU than the platform variant it ships in (a PE file in a Windows variant): the image says linux/arm64 but the program is x86-64, and it fails with "exec format error" on the machines that pull that variant.',
    allowable: true,
  },
  messages,
  judge(ctx) {
    const windows = normalizePlatform(ctx.platform).os === 'windows';
    for (const k of ctx.view.kept) {
      if (k.facts.format !== (windows ? 'pe' : 'elf')) continue;
      if (isPythonBinary(k.path) || isNodeBinary(k.path)) continue;
      const fit = fitsPlatform(k.facts, ctx.platform);
      if (fit.fits !== 'no' || fit.armVariant) continue;
      const arch = k.facts.format === 'elf' ? elfArchitecture(k.facts).architecture : peArchitecture(k.facts);
      const what = describeFacts(k.facts);
      const intended = arch ? goToolIntended(k.path, arch, ctx.view) : undefined;
      if (arch) ctx.report({ messageId: 'foreign', data: { path: shown(k.path), arch, platform: ctx.name }, path: k.path, what, ...(intended ? { intended } : {}) });
      else ctx.report({ messageId: 'unknownMachine', data: { path: shown(k.path), what, platform: ctx.name }, path: k.path, what });
    }
  },
});
