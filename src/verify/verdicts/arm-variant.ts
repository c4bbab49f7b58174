/**
 * AA202: a 32-bit ARM binary the platform's arm variant cannot run: a CPU architecture
 * (`Tag_CPU_arch` of `.ARM.attributes`) outside the set the variant runs, or a float ABI (from
 * `e_flags`) other than the variant's (src/binary's fitsPlatform). Binaries that do not say (Go's carry no float
 * ABI flag) are unknown, never wrong.
 */
import { normalizePlatform } from '../../platform/index.js';
import { describeFacts, fitsPlatform } from '../binary-kit.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  variant: '{path} cannot run on {platform}: {reason}',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA202',
    name: 'arm-variant',
    title: 'A 32-bit ARM binary needs a newer CPU or another float ABI than the arm variant',
    severity: 'error',
    description:
      'linux/arm/v6, v7 and v8 run different ARM instruction sets, and hard- and soft-float binaries cannot be mixed with one C library. A v7 binary in an arm/v6 image (a Raspberry Pi Zero) dies with "illegal instruction"; its ELF header says so in the Tag_CPU_arch of .ARM.attributes (or Go\'s GOARM).',
    allowable: true,
  },
  messages,
  judge(ctx) {
    const p = normalizePlatform(ctx.platform);
    if (p.os !== 'linux' || p.architecture !== 'arm') return;
    for (const k of ctx.view.kept) {
      if (k.facts.format !== 'elf' || k.facts.machine !== 40) continue;
      const fit = fitsPlatform(k.facts, ctx.platform);
      if (fit.fits === 'no' && fit.armVariant) {
        ctx.report({ messageId: 'variant', data: { path: shown(k.path), reason: fit.reason ?? 'built for another ARM CPU', platform: ctx.name }, path: k.path, what: describeFacts(k.facts) });
      }
    }
  },
});
