/**
 * Architecture words: every word a vocabulary or a vendor uses, and which platforms each names.
 */
import { PLATFORM_DATA } from './data.js';
import { toVocabulary, KNOWN_PLATFORMS } from './known.js';
import { platformFromKey } from './make.js';
import { platformKey, setArchSuggester } from './parse.js';
import type { Platform, PlatformData, Vocabulary } from './types.js';
import { VOCABULARIES } from './types.js';
import { VENDORS } from './vendors.js';

/** One architecture word and what it names. */
export interface ArchToken {
  /** the word exactly as written by its users (case matters: trivy's `ARM64` is its own entry) */
  readonly token: string;
  /**
   * The platforms the word names. For a vocabulary word: the union over its vocabularies
   * (`armhf`: arm/v7 for dpkg, arm/v6 for apk). For a vendor-only word: the union over vendors.
   */
  readonly platforms: readonly Platform[];
  /** the vocabularies that use the word (empty for vendor-only words) */
  readonly vocabularies: readonly Vocabulary[];
  /** true when only vendors' download names use the word (`64bit`, `aarch_64`, `linux64`) */
  readonly vendorOnly: boolean;
  /** names of the vendors whose download names use the word */
  readonly vendors: readonly string[];
}

interface Entry {
  readonly token: string;
  /** platform key (`amd64`, `arm/v7`, `arm/v5`) */
  readonly key: string;
  /** undefined for a vendor's word */
  readonly vocabulary?: Vocabulary;
  readonly vendor?: string;
}

/** Words a vocabulary uses besides its main word for a platform (keys are platform keys). */
const EXTRA_WORDS: readonly { vocabulary: Vocabulary; token: string; key: string }[] = [
  // an arm64 kernel running a 32-bit process with the PER_LINUX32 personality
  { vocabulary: 'uname', token: 'armv8l', key: 'arm/v7' },
  // bashbrew's arm32v5 (docker-library) has no known-platform entry
  { vocabulary: 'bashbrew', token: 'arm32v5', key: 'arm/v5' },
];

/**
 * x86-64 micro-architecture levels glued to the architecture word (`amd64v3`, `x86_64v2`): the
 * level's build, which runs only on CPUs of that level or newer. Separated forms (`amd64-v3`,
 * `x86_64_v3`) are found through their `amd64`/`x86_64` part.
 */
const LEVEL_WORDS: readonly string[] = ['amd64v2', 'amd64v3', 'amd64v4', 'x86_64v2', 'x86_64v3', 'x86_64v4'];

const TRIPLE_VOCABULARIES: ReadonlySet<Vocabulary> = new Set<Vocabulary>(['gnu', 'multiarch', 'rust-gnu', 'rust-musl']);

function vocabularyWords(d: PlatformData, v: Vocabulary): string[] {
  const main = toVocabulary(d.platform, v);
  const words = main === undefined ? [] : [main];
  if (v === 'oci') {
    for (const alias of d.specifierAliases) {
      const parts = alias.split('/');
      if (parts.length === 2 && parts[1] !== undefined) words.push(parts[1]);
    }
  }
  if (v === 'rpm' && d.rpmPackage !== d.rpm) words.push(d.rpmPackage);
  if (v === 'gnu' && d.gnuAlpine !== undefined) words.push(d.gnuAlpine);
  if (TRIPLE_VOCABULARIES.has(v)) {
    for (const triple of [...words]) {
      const cpu = triple.split('-')[0];
      if (cpu !== undefined && cpu !== triple) words.push(cpu);
    }
  }
  return words;
}

function buildEntries(): Entry[] {
  const entries: Entry[] = [];
  for (const d of PLATFORM_DATA) {
    for (const v of VOCABULARIES) {
      for (const token of vocabularyWords(d, v)) entries.push({ token, key: d.key, vocabulary: v });
    }
  }
  for (const e of EXTRA_WORDS) entries.push({ token: e.token, key: e.key, vocabulary: e.vocabulary });
  for (const token of LEVEL_WORDS) entries.push({ token, key: 'amd64' });
  for (const vendor of VENDORS) {
    const tables = [vendor.tokens, ...vendor.variants.map((x) => x.tokens)];
    for (const table of tables) {
      for (const [key, token] of Object.entries(table)) {
        if (token !== null && token !== '*') entries.push({ token, key, vendor: vendor.name });
      }
    }
  }
  return entries;
}

interface Table {
  /** the entries of each vocabulary, in the order they were listed */
  readonly byVocabulary: ReadonlyMap<Vocabulary, readonly Entry[]>;
  readonly tokens: readonly ArchToken[];
}

let cache: Table | undefined;

const KNOWN_ORDER = new Map(KNOWN_PLATFORMS.map((p, i) => [platformKey(p), i]));

function platformsOf(keys: Iterable<string>): readonly Platform[] {
  const unique = [...new Set(keys)];
  unique.sort((a, b) => (KNOWN_ORDER.get(a) ?? 99) - (KNOWN_ORDER.get(b) ?? 99) || a.localeCompare(b));
  return Object.freeze(unique.map((k) => KNOWN_PLATFORMS[KNOWN_ORDER.get(k) ?? -1] ?? platformFromKey(k)));
}

function table(): Table {
  if (cache) return cache;
  const entries = buildEntries();
  const byVocabulary = new Map<Vocabulary, Entry[]>();
  for (const e of entries) {
    if (e.vocabulary === undefined) continue;
    const list = byVocabulary.get(e.vocabulary);
    if (list) list.push(e);
    else byVocabulary.set(e.vocabulary, [e]);
  }
  const byToken = new Map<string, Entry[]>();
  for (const e of entries) {
    const list = byToken.get(e.token);
    if (list) list.push(e);
    else byToken.set(e.token, [e]);
  }
  const tokens: ArchToken[] = [];
  for (const [token, list] of byToken) {
    const vocab = list.filter((e) => e.vocabulary !== undefined);
    const vendorOnly = vocab.length === 0;
    const source = vendorOnly ? list : vocab;
    const vocabularies = VOCABULARIES.filter((v) => vocab.some((e) => e.vocabulary === v));
    const vendors = [...new Set(list.flatMap((e) => (e.vendor === undefined ? [] : [e.vendor])))];
    tokens.push(
      Object.freeze({
        token,
        platforms: platformsOf(source.map((e) => e.key)),
        vocabularies: Object.freeze(vocabularies),
        vendorOnly,
        vendors: Object.freeze(vendors),
      }),
    );
  }
  tokens.sort((a, b) => b.token.length - a.token.length || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  cache = { byVocabulary, tokens: Object.freeze(tokens) };
  return cache;
}

/**
 * Every word any vocabulary or vendor uses for an architecture (amd64, x86_64, x86-64, x64,
 * aarch64, armv7l, armhf, armel, i686, ppc64el, riscv64gc, aarch_64, 64bit, linux64, ...).
 * Sorted longest first (then by code point), so a regex alternation built from it prefers the
 * longest word. Full triples (`x86_64-linux-gnu`) and their CPU field (`x86_64`) are both listed.
 */
export function archTokens(): readonly ArchToken[] {
  return table().tokens;
}

/**
 * The platforms a word names. With a vocabulary: only that vocabulary's meaning
 * (`platformsForToken('armhf', 'dpkg')` is arm/v7, `('armhf', 'apk')` is arm/v6).
 * Without: the union over all vocabularies (`armhf` -> arm/v7 and arm/v6), or for a vendor-only
 * word the vendors' meaning (`64bit` -> amd64). An exact match wins; otherwise case is ignored.
 * Platforms are returned in the order of `KNOWN_PLATFORMS`; an empty array for unknown words.
 */
export function platformsForToken(token: string, v?: Vocabulary): Platform[] {
  const memoKey = `${v ?? ''}\0${token}`;
  let found = forTokenMemo.get(memoKey);
  if (found === undefined) {
    found = platformsForTokenUncached(token, v);
    forTokenMemo.set(memoKey, found);
  }
  return [...found];
}

/** Answers of {@link platformsForToken}: rules ask about the same few words for every file. */
const forTokenMemo = new Map<string, readonly Platform[]>();

function platformsForTokenUncached(token: string, v: Vocabulary | undefined): readonly Platform[] {
  const { byVocabulary, tokens } = table();
  if (v !== undefined) {
    const own = byVocabulary.get(v) ?? [];
    const pick = (match: (t: string) => boolean): string[] => own.filter((e) => match(e.token)).map((e) => e.key);
    let keys = pick((t) => t === token);
    if (keys.length === 0) {
      const lower = token.toLowerCase();
      keys = pick((t) => t.toLowerCase() === lower);
    }
    return platformsOf(keys);
  }
  const exact = archToken(token);
  if (exact) return exact.platforms;
  const lower = token.toLowerCase();
  const loose = tokens.filter((t) => t.token.toLowerCase() === lower);
  const vocab = loose.filter((t) => !t.vendorOnly);
  const chosen = vocab.length > 0 ? vocab : loose;
  return platformsOf(chosen.flatMap((t) => t.platforms.map(platformKey)));
}

let byToken: Map<string, ArchToken> | undefined;

/** The {@link ArchToken} for a word (exact case), if any vocabulary or vendor uses it. */
export function archToken(token: string): ArchToken | undefined {
  byToken ??= new Map(table().tokens.map((t) => [t.token, t]));
  return byToken.get(token);
}

setArchSuggester((word) => platformsForToken(word));
