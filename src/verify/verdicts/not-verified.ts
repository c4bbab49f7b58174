/**
 * AA210: a variant or part of one anyarch could not judge: a Windows variant without PE files
 * read, a platform whose ELF identity anyarch does not know (its files are then not judged by
 * AA201, so the two agree), an arm variant outside v5..v8 (its 32-bit ARM files are not judged),
 * a layer that could not be read. Information: silence would read as "verified".
 */
import { ARM_VARIANT_CPU_ARCH, knowsArchitecture } from '../../binary/index.js';
import { normalizePlatform } from '../../platform/index.js';
import { defineVerdict } from './types.js';

const messages = {
  windows: 'the Windows variant {platform} was not verified: no PE file was read in it',
  unknownPlatform: '{platform} is not a platform anyarch knows the binaries of: its files were not judged',
  unknownArmVariant: '32-bit ARM files were not judged against {platform}: anyarch judges arm/v5 to arm/v8',
  unreadable: '{what}: not verified ({reason})',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA210',
    name: 'not-verified',
    title: 'A variant or a layer could not be verified',
    severity: 'info',
    description:
      'anyarch says so when it could not judge a variant (a Windows variant whose layers hold no PE file it read, a platform whose ELF machine it does not know, an arm variant outside v5 to v8) or a layer (a media type it cannot read), rather than reporting nothing, which would read as "verified".',
    allowable: false,
  },
  messages,
  judge(ctx) {
    const p = normalizePlatform(ctx.platform);
    if (p.os === 'windows') {
      if (!ctx.view.kept.some((k) => k.facts.format === 'pe')) ctx.report({ messageId: 'windows', data: { platform: ctx.name } });
      return;
    }
    if (p.os !== 'linux') return;
    if (!knowsArchitecture(p.architecture)) ctx.report({ messageId: 'unknownPlatform', data: { platform: ctx.name } });
    else if (p.architecture === 'arm' && !ARM_VARIANT_CPU_ARCH[p.variant]) ctx.report({ messageId: 'unknownArmVariant', data: { platform: ctx.name } });
  },
});
