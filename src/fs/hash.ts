/**
 * Hashes with `node:crypto` loaded on first use. Loading it costs every process a few
 * milliseconds of its start (docs/benchmarks.md, "Start-up"), and most runs of `check` and a warm
 * `deps` never hash: the modules on their path hash through here.
 *
 * `nameHash` is not cryptographic: it names files whose content says which name they hold (a
 * cache pack checks its `pack` field), where a collision only costs a miss.
 */
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let loaded: typeof Crypto | undefined;

/** `node:crypto`, loaded on the first call. */
export function nodeCrypto(): typeof Crypto {
  return (loaded ??= require('node:crypto') as typeof Crypto);
}

/** `crypto.createHash`, loading the module on first use. */
export function createHash(algorithm: string): Crypto.Hash {
  return nodeCrypto().createHash(algorithm);
}

/** The SHA-256 of a string (UTF-8) or bytes, in lower-case hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `n` random bytes in hex (temporary file names). */
export function randomHex(n: number): string {
  return nodeCrypto().randomBytes(n).toString('hex');
}

/**
 * A 128-bit FNV-1a of the string's UTF-16 code units, in 32 hex digits: four 32-bit lanes, each
 * seeded differently and mixed at the end. For file names only, never for integrity.
 */
export function nameHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  let c = 0x85ebca6b;
  let d = 0xc2b2ae35;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    a = Math.imul(a ^ u, 0x01000193);
    b = Math.imul(b ^ u, 0x01000193);
    c = Math.imul(c ^ u, 0x01000193) ^ (a >>> 15);
    d = Math.imul(d ^ u, 0x01000193) ^ (b >>> 13);
  }
  const mix = (h: number, k: number): number => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b ^ k);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return [mix(a, 1), mix(b, 2), mix(c, 3), mix(d, 4)].map((h) => h.toString(16).padStart(8, '0')).join('');
}
