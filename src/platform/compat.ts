/**
 * Which published platforms can stand in for a wanted one, in order of preference, the way
 * containerd's `platforms.Only` orders them (BuildKit uses it to pick a base image's manifest):
 * an amd64 of a lower microarchitecture level and then 386 for amd64; lower ARM versions for
 * arm; and for arm64 the 32-bit ARM versions from v8 down. The wanted platform itself is first.
 */
import { makePlatform } from './make.js';
import { normalizePlatform, samePlatform } from './parse.js';
import type { Platform } from './types.js';

function version(variant: string): number | undefined {
  const m = /^v(\d+)$/.exec(variant);
  return m ? Number(m[1]) : undefined;
}

export function compatiblePlatforms(wanted: Platform): Platform[] {
  const p = normalizePlatform(wanted);
  const out: Platform[] = [p];
  switch (p.architecture) {
    case 'amd64': {
      const v = version(p.variant);
      if (v !== undefined) for (let n = v - 1; n >= 1; n--) out.push(makePlatform(p.os, 'amd64', n === 1 ? '' : `v${n}`));
      out.push(makePlatform(p.os, '386'));
      break;
    }
    case 'arm': {
      const v = version(p.variant);
      if (v !== undefined) for (let n = v - 1; n >= 5; n--) out.push(makePlatform(p.os, 'arm', `v${n}`));
      break;
    }
    case 'arm64': {
      const v = version(p.variant || 'v8') ?? 8;
      for (let n = Math.min(v, 8); n >= 5; n--) out.push(makePlatform(p.os, 'arm', `v${n}`));
      break;
    }
    default:
      break;
  }
  return out;
}

/**
 * The platform of `published` BuildKit would use for `wanted`: the wanted one itself, else the
 * most preferred compatible one, else undefined.
 */
export function bestMatch(wanted: Platform, published: readonly Platform[]): { platform: Platform; exact: boolean } | undefined {
  const order = compatiblePlatforms(wanted);
  for (let i = 0; i < order.length; i++) {
    const hit = published.find((q) => samePlatform(q, order[i] as Platform));
    if (hit) return { platform: hit, exact: i === 0 };
  }
  return undefined;
}
