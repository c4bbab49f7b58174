/**
 * AA210: a variant or part of one anyarch could not judge: a Windows variant without PE files
 * read, a platform anyarch has no ELF identity for, a layer that could not be read. Information:
 * silence would read as "verified".
 */
import { isKnownPlatform, normalizePlatform } from '../../platform/index.js';
import { defineVerdict } from './types.js';

const messages = {
  windows: 'the Windows variant {platform} was not verified: no PE file was read in it',
  unknownPlatform: '{platform} is not a platform anyarch knows the binaries of: its files were not judged',
  unreadable: '{what}: not verified ({reason})',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA210',
    name: 'not-verified',
    title: 'A variant or a layer could not be verified',
    severity: 'info',
    description:
      'anyarch says so when it could not judge a variant (a Windows variant whose layers hold no PE file it read, a platform whose binaries it does not know) or a layer (a media type it cannot read), rather than reporting nothing, which would read as "verified".',
    allowable: false,
  },
  messages,
  judge(ctx) {
    const p = normalizePlatform(ctx.platform);
    if (p.os === 'windows') {
      if (!ctx.view.kept.some((k) => k.facts.format === 'pe')) ctx.report({ messageId: 'windows', data: { platform: ctx.name } });
      return;
    }
    if (p.os === 'linux' && !isKnownPlatform(p)) {
      ctx.report({ messageId: 'unknownPlatform', data: { platform: ctx.name } });
    }
  },
});
