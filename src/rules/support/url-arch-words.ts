/**
 * Finding architecture words inside download URLs and file names, without the false positives
 * listed in the reference (words inside other words, digits in versions and digests, other-OS
 * assets, arch-independent files, URL host names).
 */
import {
  archTokens,
  formatPlatform,
  isArchIndependentUrl,
  matchUnsuffixedUrl,
  parsePlatform,
  type Platform,
  type Vocabulary,
} from '../../platform/index.js';

export interface TokenHit {
  /** offsets in the scanned string */
  readonly start: number;
  readonly end: number;
  /** the word as written */
  readonly text: string;
  /** the platforms the word may name */
  readonly platforms: readonly Platform[];
  readonly vocabularies: readonly Vocabulary[];
  /**
   * true when the name has no architecture word and the vendor's knowledge says which build it
   * is (k3s's plain `k3s` is x86-64): `start`..`end` then span the file name, not a word
   */
  readonly implicit?: boolean;
}

interface TokenInfo {
  readonly platforms: readonly Platform[];
  readonly vocabularies: readonly Vocabulary[];
  readonly digits: boolean;
}

let table: Map<string, TokenInfo> | undefined;
let tokenRe: RegExp | undefined;

/** Words too generic to be an architecture without more context. */
const CONTEXT_ONLY = new Set(['64bit', '32bit', '64-bit', '32-bit', 'x86', 'x64', '64', '32', 'arm', 'x32']);

/** A query parameter that names the architecture (`?arch=x64`, `&cpu=arm`, `&platform=linux-x64`). */
const QUERY_ARCH = /[?&;](?:arch|architecture|cpu|machine|os_arch|osarch|target_arch)=$/i;

function init(): { table: Map<string, TokenInfo>; re: RegExp } {
  if (table && tokenRe) return { table, re: tokenRe };
  table = new Map();
  for (const t of archTokens()) {
    const key = t.token.toLowerCase();
    const prev = table.get(key);
    const platforms = prev ? [...prev.platforms] : [];
    for (const p of t.platforms) if (!platforms.some((q) => formatPlatform(q) === formatPlatform(p))) platforms.push(p);
    const vocabularies = [...new Set([...(prev?.vocabularies ?? []), ...t.vocabularies])];
    table.set(key, { platforms, vocabularies, digits: /^\d+$/.test(key) });
  }
  // A vendor token that carries the OS (micromamba's `linux-aarch64`) is the OS word plus an
  // architecture word the table already has: keep the word alone, with its vocabularies, so the
  // hit and its fix stay on the word.
  for (const key of [...table.keys()]) {
    const m = /^linux[-_.](.+)$/.exec(key);
    if (m && table.has(m[1] as string) && (table.get(key)?.vocabularies.length ?? 0) === 0) table.delete(key);
  }
  const words = [...table.keys()].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  tokenRe = new RegExp(`(?<![A-Za-z0-9])(?:${words.join('|')})(?![A-Za-z0-9])`, 'gi');
  return { table, re: tokenRe };
}

const OTHER_OS = /(?<![A-Za-z0-9])(darwin|macos|mac|osx|apple|windows|win|win32|win64|freebsd|openbsd|netbsd|illumos|solaris|android|ios|aix)(?![A-Za-z])/i;
const LINUX = /linux/i;

/** True when the string names a non-Linux asset (darwin-arm64, windows-amd64, macOS-64bit, win-x64). */
function isOtherOs(s: string): boolean {
  const t = withoutForgeRepo(s);
  return OTHER_OS.test(t) && !LINUX.test(t.replace(OTHER_OS, ''));
}

/**
 * A forge URL without its owner/repository segments: the project's name says nothing about the
 * asset's OS (github.com/apple/foundationdb/releases/.../foundationdb-clients_7.3.79-1_amd64.deb).
 */
function withoutForgeRepo(s: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org|raw\.githubusercontent\.com))\/[^/?#]+\/[^/?#]+(?=[/?#]|$)/i.exec(s);
  return m ? `${m[1]}${s.slice(m[0].length)}` : s;
}

/** The part of a URL after its host (architecture words in host names are not about the CPU). */
function pathPart(s: string): { text: string; offset: number } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(s);
  if (!m) return { text: s, offset: 0 };
  return { text: s.slice(m[0].length), offset: m[0].length };
}

/**
 * Architecture words in a URL or file name. Returns [] for other-OS and arch-independent
 * assets. Digit-only and generic words (386, x64, arm, 64bit) count only next to an OS word
 * or as a whole path segment.
 */
export function findArchTokens(s: string): readonly TokenHit[] {
  const cached = tokenCache.get(s);
  if (cached) return cached;
  const hits = scan(s);
  if (tokenCache.size >= TOKEN_CACHE_SIZE) tokenCache.clear();
  tokenCache.set(s, hits);
  return hits;
}

/** The same words (URLs, case patterns) come back across rules and files. */
const tokenCache = new Map<string, readonly TokenHit[]>();
const TOKEN_CACHE_SIZE = 8192;
const NONE: readonly TokenHit[] = Object.freeze([]);

function scan(s: string): readonly TokenHit[] {
  if (isOtherOs(s) || isArchIndependentUrl(s)) return NONE;
  const { table: t, re } = init();
  const { text, offset } = pathPart(s);
  const hits: TokenHit[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const word = m[0];
    const info = t.get(word.toLowerCase());
    if (!info) continue;
    const before = text.slice(Math.max(0, m.index - 6), m.index);
    const after = text.slice(m.index + word.length, m.index + word.length + 1);
    if (info.digits || CONTEXT_ONLY.has(word.toLowerCase())) {
      const osBefore = /linux[-_./]?$/i.test(before);
      const segment = before.endsWith('/') && (after === '/' || after === '');
      const query = QUERY_ARCH.test(text.slice(Math.max(0, m.index - 14), m.index)) && !/^[A-Za-z0-9]/.test(after);
      if (!osBefore && !segment && !query) continue;
    }
    // '-' or '_' directly after a word that is a version-like number is not an arch (e.g. 1.386)
    if (info.digits && /\d[.]$/.test(before)) continue;
    hits.push({
      start: offset + m.index,
      end: offset + m.index + word.length,
      text: word,
      platforms: info.platforms,
      vocabularies: info.vocabularies,
    });
  }
  if (hits.length === 0 && offset > 0) return implicitHit(s) ?? NONE;
  return hits;
}

/** A vendor's asset named with no architecture word that is one platform's build (k3s, old sops, azcopy). */
function implicitHit(s: string): readonly TokenHit[] | undefined {
  const found = matchUnsuffixedUrl(s);
  if (!found) return undefined;
  const end = s.search(/[?#]|$/);
  const start = s.lastIndexOf('/', end - 1) + 1;
  if (start >= end) return undefined;
  const platform = parsePlatform(`linux/${found.platformKey}`);
  return Object.freeze([{ start, end, text: s.slice(start, end), platforms: [platform], vocabularies: [], implicit: true }]);
}

/** Architecture families (by OCI architecture) named by the hits. */
export function families(hits: readonly TokenHit[]): Set<string> {
  const out = new Set<string>();
  for (const h of hits) {
    const archs = new Set(h.platforms.map((p) => p.architecture));
    out.add([...archs].sort().join('|'));
  }
  return out;
}

/** Whether a token can name the platform (variant-insensitive for arm64/amd64). */
export function tokenNames(hit: TokenHit, p: Platform): boolean {
  return hit.platforms.some(
    (q) => q.architecture === p.architecture && (q.architecture !== 'arm' || !p.variant || !q.variant || q.variant === p.variant),
  );
}

/** A word of a command that looks like a download or a package file. */
export const ARCHIVE_SUFFIX = /\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar\.zst|tzst|tar|zip|deb|rpm|apk|whl|run|bin|appimage|gz|xz|bz2|zst|7z|msi|pkg|exe|jar|sh)$/i;
/** A URL in a word or a value: up to a blank, a quote or a shell operator (a single `&` of a query string stays). */
export const URL_RE = /[a-z][a-z0-9+.-]*:\/\/(?:[^\s'"`<>|;&()]|&(?!&))+/gi;
