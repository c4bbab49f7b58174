/**
 * Intended foreign files: what `.anyarch.yaml` declares (`verify: { allow: [{ path, reason }] }`)
 * and the well-known cases that need no declaration (cross toolchain sysroots, foreign multiarch
 * library directories, debug symbols, firmware, qemu itself). A verdict on such a file becomes
 * AA212 information, never an error.
 *
 * Paths are globs over the image's paths, written with or without a leading `/`: `*` matches
 * within one path segment, `**` across segments, `?` one character; a pattern naming a directory
 * matches everything below it.
 */
import { AnyarchError } from '../errors.js';
import { tripletFacts } from '../binary/index.js';
import { normalizePlatform, type Platform } from '../platform/index.js';

/** One `verify.allow` entry of `.anyarch.yaml`. */
export interface AllowEntry {
  /** a glob over paths in the image (`usr/aarch64-linux-gnu/**`) */
  readonly path: string;
  /** why the foreign files are there: shown with each file it allows */
  readonly reason: string;
}

/** The longest `verify.allow` pattern read. */
export const MAX_ALLOW_PATTERN = 1024;

/** A glob as a regular expression over cleaned paths (no leading `/`). Throws E_CONFIG for a pattern it cannot read. */
export function allowPattern(glob: string): RegExp {
  if (glob.length > MAX_ALLOW_PATTERN) throw new AnyarchError('E_CONFIG', `a verify.allow path longer than ${MAX_ALLOW_PATTERN} characters`);
  const g = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  if (g === '') throw new AnyarchError('E_CONFIG', 'a verify.allow path must name something below the root', 'write e.g. usr/aarch64-linux-gnu/**');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*') {
      if (g[i + 1] === '*') {
        i++;
        if (g[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`, 's');
}

/** Compiled allow entries: the first whose pattern matches a path gives its reason. */
export class AllowList {
  private readonly compiled: readonly { readonly re: RegExp; readonly entry: AllowEntry }[];

  constructor(entries: readonly AllowEntry[]) {
    this.compiled = entries.map((entry) => ({ re: allowPattern(entry.path), entry }));
  }

  /** The entry that allows `path` (cleaned, no leading `/`), if any. */
  match(path: string): AllowEntry | undefined {
    const p = path.replace(/^\/+/, '');
    return this.compiled.find((c) => c.re.test(p))?.entry;
  }
}

/** The architecture a GNU triplet or Debian multiarch name names (`aarch64-linux-gnu` → arm64), by src/binary's triplet reader. */
export function tripletArchitecture(triplet: string): string | undefined {
  return tripletFacts(triplet)?.architecture;
}

/**
 * Why a foreign file at `path` (cleaned) in a variant of `platform` is intended without being
 * declared, or undefined.
 */
export function knownIntended(path: string, platform: Platform): string | undefined {
  const arch = normalizePlatform(platform).architecture;
  const segs = path.split('/');
  // a cross toolchain's sysroot: /usr/<triplet>/ (gcc-aarch64-linux-gnu installs /usr/aarch64-linux-gnu/)
  if (segs[0] === 'usr' && segs.length > 2) {
    const t = tripletArchitecture(segs[1] as string);
    if (t && t !== arch) return `a cross toolchain's files for ${segs[1]} (/usr/${segs[1]}/)`;
  }
  // Debian multiarch: a foreign architecture's libraries under /usr/lib/<triplet>/ or /lib/<triplet>/
  const libAt = segs[0] === 'usr' ? 2 : 1;
  if ((segs[0] === 'usr' ? segs[1] === 'lib' : segs[0] === 'lib') && segs.length > libAt + 1) {
    const t = tripletArchitecture(segs[libAt] as string);
    if (t && t !== arch) return `multiarch libraries of another architecture (${segs.slice(0, libAt + 1).join('/')}/)`;
  }
  if (path.startsWith('usr/lib/debug/')) return 'debug symbols (/usr/lib/debug/)';
  if (path.startsWith('lib/firmware/') || path.startsWith('usr/lib/firmware/')) return 'firmware for devices, not for this CPU';
  const base = segs[segs.length - 1] ?? '';
  if (/^qemu-[a-z0-9_]+(-static)?$/.test(base)) return 'qemu user-mode emulation itself';
  return undefined;
}
