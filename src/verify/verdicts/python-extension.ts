/**
 * AA205: a Python extension module (or a library bundled with one) under site-packages or
 * dist-packages built for another platform, judged by its ELF content. The
 * `.cpython-3XY-<triplet>.so` suffix and the `*.dist-info/WHEEL` tags are reported (a warning)
 * when they disagree with the content or the platform: pip installed a wheel for another machine.
 */
import { parseExtensionName, parseWheelFile, wheelTagArchitectures } from '../../binary/index.js';
import { normalizePlatform } from '../../platform/index.js';
import { describeFacts, elfArchitecture, fitsPlatform, LOADED } from '../binary-kit.js';
import { isPythonBinary } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  foreign: 'the Python extension {path} is {arch}, not {platform}: importing it fails',
  suffix: 'the Python extension {path} is named for {suffixArch} ({triplet}) but holds {arch} code',
  wheel: '{path} says the wheel was built for {tags}, not {platform}: pip installed a wheel for another machine',
} as const;

const WHEEL = /(?:^|\/)(?:site|dist)-packages\/[^/]+\.dist-info\/WHEEL$/;

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
      if (k.facts.format === 'text' && WHEEL.test(k.path)) {
        // silent unless every tag names a Linux platform anyarch reads, and none is this one
        const tags = parseWheelFile(k.facts.text).tags;
        const read = tags.map(wheelTagArchitectures);
        const linux = read.flatMap((r) => r.platforms);
        if (tags.length === 0 || read.some((r) => r.any || r.platforms.length === 0)) continue;
        if (linux.some((w) => w.os !== 'linux' || w.architecture === undefined || w.architecture === p.architecture)) continue;
        ctx.report({ messageId: 'wheel', data: { path: shown(k.path), tags: [...new Set(linux.map((w) => w.tag))].join(', '), platform: ctx.name }, path: k.path, severity: 'warning' });
        continue;
      }
      if (k.facts.format !== 'elf' || !isPythonBinary(k.path)) continue;
      const arch = elfArchitecture(k.facts).architecture;
      const fit = fitsPlatform(k.facts, ctx.platform, LOADED);
      if (fit.fits === 'no' && arch) {
        ctx.report({ messageId: 'foreign', data: { path: shown(k.path), arch, platform: ctx.name }, path: k.path, what: describeFacts(k.facts) });
        continue;
      }
      const name = parseExtensionName(k.path.slice(k.path.lastIndexOf('/') + 1));
      if (name?.triplet && name.architecture && arch && name.architecture !== arch) {
        ctx.report({ messageId: 'suffix', data: { path: shown(k.path), suffixArch: name.architecture, triplet: name.triplet, arch }, path: k.path, what: describeFacts(k.facts), severity: 'warning' });
      }
    }
  },
});
