/**
 * How compilers name the CPU they build for: Go's GOARCH words and Rust's target triples, read
 * back to OCI architectures and platforms. Derived from the platform vocabularies (`go`,
 * `rust-gnu`, `rust-musl`), so a platform added there is known here too.
 */
import { KNOWN_PLATFORMS, toVocabulary } from './known.js';
import { platformKey } from './parse.js';
import type { Platform } from './types.js';

let goWords: Map<string, string> | undefined;

/** The OCI architecture a GOARCH value names (amd64, arm, 386 ...), or undefined. */
export function goarchArchitecture(value: string): string | undefined {
  if (!goWords) {
    goWords = new Map();
    for (const p of KNOWN_PLATFORMS) {
      const w = toVocabulary(p, 'go');
      if (w) goWords.set(w, p.architecture);
    }
  }
  return goWords.get(value);
}

let rustArchs: Map<string, Set<string>> | undefined;

/**
 * The first field of a Linux Rust triple (`x86_64`, `armv7`, `riscv64gc`, `i586`) -> the platforms
 * it builds for, as platform keys (`amd64`, `arm/v7`, `riscv64`). Not part of the module's
 * surface: {@link rustTripleBuilds} is the question it answers.
 */
export function rustArchTable(): ReadonlyMap<string, ReadonlySet<string>> {
  if (rustArchs) return rustArchs;
  rustArchs = new Map();
  for (const p of KNOWN_PLATFORMS) {
    for (const v of ['rust-gnu', 'rust-musl'] as const) {
      const t = toVocabulary(p, v);
      if (!t) continue;
      const a = t.split('-')[0] as string;
      const set = rustArchs.get(a) ?? new Set<string>();
      set.add(platformKey(p));
      rustArchs.set(a, set);
    }
  }
  // i586 is the older 32-bit x86 baseline: the same platform as i686
  rustArchs.set('i586', rustArchs.get('i686') as Set<string>);
  return rustArchs;
}

/**
 * Does a Linux Rust triple (`x86_64-unknown-linux-musl`) build for platform `p`? undefined: not a
 * known Linux triple. A triple names a baseline CPU, so it builds for that CPU's feature levels
 * too (amd64/v3, arm64/v8); a 32-bit arm triple names one version of the instruction set (armv7
 * code does not run on arm/v6), so there the variant counts (none is v7).
 */
export function rustTripleBuilds(triple: string, p: Platform): boolean | undefined {
  const m = /^([a-z0-9_]+)-[a-z0-9_]+-linux-(gnu|musl)[a-z0-9_]*$/.exec(triple);
  if (!m) return undefined;
  const keys = rustArchTable().get(m[1] as string);
  if (!keys) return undefined;
  return keys.has(platformKey({ os: 'linux', architecture: p.architecture, variant: p.architecture === 'arm' ? p.variant : '' }));
}
