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
import { elfArchitecture, isQemuUserEmulator, pathArchitecture, peArchitecture, type PathConvention } from '../binary/index.js';
import type { FileFacts } from '../binary/types.js';
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

// `**` any characters; `**` then a slash: nothing or whole segments; `*` characters within a segment; `?` one
type GlobToken = { readonly kind: 'any' | 'segments' | 'star' | 'one' } | { readonly kind: 'char'; readonly c: string };

/** A compiled `verify.allow` glob (see the header of this file). */
export interface AllowGlob {
  /** true when the glob matches `path` (cleaned, no leading `/`) or a directory above it */
  test(path: string): boolean;
}

/**
 * Compiles a glob. Matching is one pass of a table over pattern and path (no backtracking, so no
 * pattern can make it slow); a pattern naming a directory matches what is below it. Throws
 * E_CONFIG for a pattern it cannot read.
 */
export function allowPattern(glob: string): AllowGlob {
  if (glob.length > MAX_ALLOW_PATTERN) throw new AnyarchError('E_CONFIG', `a verify.allow path longer than ${MAX_ALLOW_PATTERN} characters`);
  const g = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  if (g === '') throw new AnyarchError('E_CONFIG', 'a verify.allow path must name something below the root', 'write e.g. usr/aarch64-linux-gnu/**');
  const tokens: GlobToken[] = [];
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*' && g[i + 1] === '*') {
      i++;
      if (g[i + 1] === '/') {
        i++;
        tokens.push({ kind: 'segments' });
      } else tokens.push({ kind: 'any' });
    } else if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', c });
  }
  return { test: (path) => globMatches(tokens, path) };
}

/** Whether `tokens` match all of `path` or all of a directory above it (dynamic programming, O(tokens × path)). */
function globMatches(tokens: readonly GlobToken[], path: string): boolean {
  const n = path.length;
  // row[j] = 1: the tokens so far match path[0, j)
  let row = new Uint8Array(n + 1);
  row[0] = 1;
  for (const tok of tokens) {
    const next = new Uint8Array(n + 1);
    switch (tok.kind) {
      case 'char':
        for (let j = 0; j < n; j++) if (row[j] && path[j] === tok.c) next[j + 1] = 1;
        break;
      case 'one':
        for (let j = 0; j < n; j++) if (row[j] && path[j] !== '/') next[j + 1] = 1;
        break;
      case 'star': {
        let on = false;
        for (let j = 0; j <= n; j++) {
          if (row[j]) on = true;
          if (on) next[j] = 1;
          if (path[j] === '/') on = false;
        }
        break;
      }
      case 'any': {
        let on = false;
        for (let j = 0; j <= n; j++) {
          if (row[j]) on = true;
          if (on) next[j] = 1;
        }
        break;
      }
      case 'segments': {
        let on = false;
        for (let j = 0; j <= n; j++) {
          if (row[j]) next[j] = 1; // nothing
          if (on && j > 0 && path[j - 1] === '/') next[j] = 1; // whole segments, up to a slash
          if (row[j]) on = true;
        }
        break;
      }
    }
    row = next;
  }
  for (let j = 0; j <= n; j++) if (row[j] && (j === n || path[j] === '/')) return true;
  return false;
}

/** Compiled allow entries: the first whose pattern matches a path gives its reason. */
export class AllowList {
  private readonly compiled: readonly { readonly glob: AllowGlob; readonly entry: AllowEntry }[];

  constructor(entries: readonly AllowEntry[]) {
    this.compiled = entries.map((entry) => ({ glob: allowPattern(entry.path), entry }));
  }

  /** The entry that allows `path` (cleaned, no leading `/`), if any. */
  match(path: string): AllowEntry | undefined {
    const p = path.replace(/^\/+/, '');
    return this.compiled.find((c) => c.glob.test(p))?.entry;
  }
}

/** The conventions of src/binary's pathArchitecture that make a file intended here; Go's and Node's are judged by AA201's and AA206's own cases. */
const INTENDED_CONVENTIONS: ReadonlySet<PathConvention> = new Set(['cross-toolchain', 'multiarch']);

/** The architecture a file's bytes name (ELF or PE), undefined for scripts and text. */
function bytesArchitecture(facts: FileFacts | undefined): string | undefined {
  if (facts?.format === 'elf') return elfArchitecture(facts).architecture;
  if (facts?.format === 'pe') return peArchitecture(facts).architecture;
  return undefined;
}

/**
 * Why a foreign file at `path` (cleaned) in a variant of `platform` is intended without being
 * declared, or undefined. A path that names an architecture by convention (src/binary's
 * pathArchitecture: a cross toolchain's sysroot, Rust's per-target library, a foreign multiarch
 * directory) excuses files of the architecture it names, other than the platform's: an x86-64
 * file under `/usr/aarch64-linux-gnu/` is not excused. Also: test data (`testdata/`
 * directories, Go's convention, which every golang image's source tree has), debug symbols,
 * firmware, QEMU's user-mode emulators.
 */
export function knownIntended(path: string, platform: Platform, facts?: FileFacts): string | undefined {
  const arch = normalizePlatform(platform).architecture;
  const named = pathArchitecture(path);
  if (named && !named.os && INTENDED_CONVENTIONS.has(named.convention) && !named.architectures.includes(arch)) {
    const own = bytesArchitecture(facts);
    if (own === undefined || named.architectures.includes(own)) {
      return named.convention === 'multiarch'
        ? `multiarch libraries of another architecture (/${named.where}/)`
        : `a cross toolchain's files for ${named.where.slice(named.where.lastIndexOf('/') + 1)} (/${named.where}/)`;
    }
  }
  if (/(?:^|\/)testdata\//.test(path)) return "test data (a testdata/ directory, Go's convention for test fixtures)";
  if (path.startsWith('usr/lib/debug/')) return 'debug symbols (/usr/lib/debug/)';
  if (path.startsWith('lib/firmware/') || path.startsWith('usr/lib/firmware/')) return 'firmware for devices, not for this CPU';
  if (isQemuUserEmulator(path)) return 'qemu user-mode emulation itself';
  return undefined;
}
