/**
 * AA202: a 32-bit ARM binary the platform's arm variant cannot run: a CPU architecture
 * (`Tag_CPU_arch` of `.ARM.attributes`) outside the set the variant runs, or a float ABI (from
 * `e_flags`) other than the image's C library's. Binaries that do not say (Go's carry no float
 * ABI flag) are unknown, never wrong.
 */
import { normalizePlatform } from '../../platform/index.js';
import { armFloat, describeFacts, fitsPlatform, loaderFacts } from '../binary-kit.js';
import { isNodeBinary, isPythonBinary } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  cpu: '{path} is {reason}: it stops with "illegal instruction" on {platform} machines',
  float: '{path} is a {float}-float binary but the image\'s C library is {libcFloat}-float: it cannot load it',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA202',
    name: 'arm-variant',
    title: 'A 32-bit ARM binary needs a newer CPU or another float ABI than the arm variant',
    severity: 'error',
    description:
      'linux/arm/v6, v7 and v8 run different ARM instruction sets, and hard- and soft-float binaries cannot be mixed with one C library. A v7 binary in an arm/v6 image (a Raspberry Pi Zero) dies with "illegal instruction"; its ELF header says so in the Tag_CPU_arch of .ARM.attributes.',
    allowable: true,
  },
  messages,
  judge(ctx) {
    const p = normalizePlatform(ctx.platform);
    if (p.os !== 'linux' || p.architecture !== 'arm') return;
    // the image's float ABI: the float of the arm loaders it has, when they agree
    const floats = new Set<string>();
    for (const path of ['lib/ld-linux-armhf.so.3', 'lib/ld-linux.so.3', 'lib/ld-musl-armhf.so.1', 'lib/ld-musl-arm.so.1']) {
      const f = ctx.view.tree.resolve(path) ? loaderFacts(path)?.float : undefined;
      if (f) floats.add(f);
    }
    const libcFloat = floats.size === 1 ? [...floats][0] : undefined;
    for (const k of ctx.view.kept) {
      if (k.facts.format !== 'elf' || k.facts.machine !== 40) continue;
      const owned = isPythonBinary(k.path) || isNodeBinary(k.path);
      const fit = fitsPlatform(k.facts, ctx.platform);
      if (fit.fits === 'no' && fit.armVariant) {
        ctx.report({ messageId: 'cpu', data: { path: shown(k.path), reason: fit.reason ?? 'built for another ARM CPU', platform: ctx.name }, path: k.path, what: describeFacts(k.facts) });
        continue;
      }
      const float = armFloat(k.facts);
      if (!owned && k.facts.interpreter && float && libcFloat && float !== libcFloat) {
        ctx.report({ messageId: 'float', data: { path: shown(k.path), float, libcFloat }, path: k.path, what: describeFacts(k.facts) });
      }
    }
  },
});
