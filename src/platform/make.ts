import type { Platform, PlatformLike } from './types.js';

/** A frozen {@link Platform}. No normalisation or validation: see `parsePlatform` for that. */
export function makePlatform(os: string, architecture: string, variant = ''): Platform {
  return Object.freeze({ os, architecture, variant });
}

/**
 * `os/architecture[/variant]`, e.g. `linux/arm/v7`, `linux/amd64`: the one way anyarch writes a
 * platform. Takes any platform-shaped object (a {@link Platform}, an OCI index entry's or image
 * config's platform, whose variant may be absent) and writes it as given, without normalising.
 */
export function formatPlatform(p: PlatformLike): string {
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
