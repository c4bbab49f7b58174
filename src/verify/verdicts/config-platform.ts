/**
 * AA209: the image config's os/architecture/variant against the index entry that lists it,
 * normalised as containerd does (aarch64 = arm64, arm64/v8 = arm64, arm = arm/v7, x86_64 = amd64).
 */
import { formatPlatform, makePlatform, normalizePlatform, samePlatform } from '../../platform/index.js';
import { defineVerdict } from './types.js';

const messages = {
  mismatch: 'the index lists this image as {declared} but its config says {config}: runtimes and docker pull disagree about which one it is',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA209',
    name: 'config-platform',
    title: "An image config's platform disagrees with its index entry",
    severity: 'error',
    description:
      'An index entry says which platform its image is for, and so does the image\'s config. When they disagree (a manifest list assembled by hand, a build for the wrong --platform retagged), pulls select by the index and runtimes check the config: the image is probably built for the other one.',
    allowable: false,
  },
  messages,
  judge(ctx) {
    const d = ctx.declared;
    const c = ctx.configPlatform;
    if (!d || !c) return;
    const a = normalizePlatform(makePlatform(d.os, d.architecture, d.variant ?? ''));
    const b = normalizePlatform(makePlatform(c.os, c.architecture, c.variant ?? ''));
    if (samePlatform(a, b)) return;
    ctx.report({ messageId: 'mismatch', data: { declared: formatPlatform(d), config: formatPlatform(c) } });
  },
});
