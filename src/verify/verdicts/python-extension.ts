/**
 * AA205: a Python extension module (or a library bundled with one) under site-packages or
 * dist-packages built for another platform, judged by its ELF content. The
 * `.cpython-3XY-<triplet>.so` suffix and the `*.dist-info/WHEEL` tags are reported (a warning)
 * when they disagree with the content or the platform: pip installed a wheel for another machine.
 */
import { normalizePlatform } from '../../platform/index.js';
import { tripletArchitecture } from '../allow.js';
import { describeFacts, elfArchitecture, fitsPlatform } from '../binary-kit.js';
import { isPythonBinary, pythonMachineArchitecture } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  foreign: 'the Python extension {path} is {arch}, not {platform}: importing it fails',
  suffix: 'the Python extension {path} is named for {suffixArch} ({triplet}) but holds {arch} code',
  wheel: '{path} says the wheel was built for {tags}, not {platform}: pip installed a wheel for another machine',
} as const;

const SUFFIX = /\.cpython-\d+[a-z]*-([a-z0-9_]+-linux-[a-z0-9_]+)\.so$/;

/** The architecture of a wheel platform tag (`manylinux_2_17_x86_64`, `musllinux_1_2_aarch64`, `linux_armv7l`), 'any', or undefined (not Linux). */
export function wheelTagArchitecture(tag: string): string | undefined {
  if (tag === 'any') return 'any';
  const m = /^(?:manylinux\d*|manylinux_\d+_\d+|musllinux_\d+_\d+|linux)_(.+)$/.exec(tag);
  if (!m) return undefined;
  return pythonMachineArchitecture(m[1] as string) ?? `(${m[1]})`;
}

export default defineVerdict({
  meta: {
    id: 'AA205',
    name: 'python-extension',
    title: 'A Python extension module is built for another platform',
    severity: 'error',
    description:
      'pip installs the wheel of the machine it runs on. A site-packages directory built on amd64 and copied into an arm64 image (or a wheel forced with --platform) holds x86-64 .so files: `import` fails with "cannot open shared object file" or "wrong ELF class".',
    allowable: true,
  },
  messages,
  judge(ctx) {
    const p = normalizePlatform(ctx.platform);
    if (p.os !== 'linux') return;
    for (const k of ctx.view.kept) {
      if (k.facts.format === 'text' && /(?:^|\/)(?:site|dist)-packages\/[^/]+\.dist-info\/WHEEL$/.test(k.path)) {
        const tags = [...k.facts.text.matchAll(/^Tag:\s*(\S+)\s*$/gm)].flatMap((m) => ((m[1] as string).split('-')[2] ?? '').split('.'));
        const archs = tags.map(wheelTagArchitecture);
        if (tags.length === 0 || archs.some((a) => a === undefined || a === 'any' || a === p.architecture)) continue;
        ctx.report({ messageId: 'wheel', data: { path: shown(k.path), tags: [...new Set(tags)].join(', '), platform: ctx.name }, path: k.path, severity: 'warning' });
        continue;
      }
      if (k.facts.format !== 'elf' || !isPythonBinary(k.path)) continue;
      const arch = elfArchitecture(k.facts).architecture;
      const fit = fitsPlatform(k.facts, ctx.platform);
      if (fit.fits === 'no' && arch) {
        ctx.report({ messageId: 'foreign', data: { path: shown(k.path), arch, platform: ctx.name }, path: k.path, what: describeFacts(k.facts) });
        continue;
      }
      const m = SUFFIX.exec(k.path);
      const suffixArch = m ? tripletArchitecture(m[1] as string) : undefined;
      if (m && suffixArch && arch && suffixArch !== arch) {
        ctx.report({ messageId: 'suffix', data: { path: shown(k.path), suffixArch, triplet: m[1] as string, arch }, path: k.path, what: describeFacts(k.facts), severity: 'warning' });
      }
    }
  },
});
