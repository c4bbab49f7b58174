import type { Platform } from './types.js';

/** A frozen {@link Platform}. No normalisation or validation: see `parsePlatform` for that. */
export function makePlatform(os: string, architecture: string, variant = ''): Platform {
  return Object.freeze({ os, architecture, variant });
}

/** `os/architecture[/variant]`, e.g. `linux/arm/v7`, `linux/amd64`. The platform is written as given. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/**
 * The platform a vendor-token key names: `arm/v7` -> linux/arm/v7, `amd64` -> linux/amd64.
 * Keys are written canonically (see `platformKey`), so no normalisation happens here.
 */
export function platformFromKey(key: string): Platform {
  const [architecture = '', variant = ''] = key.split('/');
  return makePlatform('linux', architecture, variant);
}
