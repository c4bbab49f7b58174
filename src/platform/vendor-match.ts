/**
 * Matching download URLs to vendors, and vendors' tokens for platforms.
 */
import { KNOWN_PLATFORMS, platformData } from './known.js';
import { normalizePlatform, platformKey } from './parse.js';
import type { Platform } from './types.js';
import type { Vendor } from './vendors.js';
import { VENDORS } from './vendors.js';

/** What {@link matchVendorUrl} found. */
export interface VendorUrlMatch {
  readonly vendor: Vendor;
  /** the URL pattern that matched */
  readonly pattern: string;
  /** the text that stood for `{arch}`; undefined when the pattern has no `{arch}` (arch-independent) */
  readonly token: string | undefined;
  /** offsets of `token` in the URL: [start, end); -1 when there is no token */
  readonly tokenStart: number;
  readonly tokenEnd: number;
  /**
   * platform keys (`amd64`, `arm/v7`) whose token is `token`, in `KNOWN_PLATFORMS` order;
   * every key of the vendor when the pattern has no `{arch}`; empty for a variable
   */
  readonly platformKeys: readonly string[];
  /** the label of the vendor variant (`musl`, `deb`, `legacy`) when the token is one of its */
  readonly variant?: string;
  /** true when `{arch}` was a shell or build variable (`${TARGETARCH}`, `$(uname -m)`) */
  readonly isVariable: boolean;
}

/** Options of {@link matchVendorUrl}. */
export interface MatchOptions {
  /** let `{arch}` also match `$VAR`, `${VAR...}` and `$(...)` (a URL template in a Dockerfile) */
  readonly allowVariables?: boolean;
}

/** a path segment that holds a variable somewhere */
const ANY_WITH_VARIABLE = String.raw`[^/?#]*\$[^/?#]*`;
const VARIABLE_RE = String.raw`\$\{[A-Za-z_][A-Za-z0-9_]*(?:[^}/]*)\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([^)/]*\)`;
/** checksum and signature files that sit beside an artifact and share its name */
const SIDECAR_RE = String.raw`(?:\.(?:sha256|sha256sum|sha512|sha512sum|sha1|md5|asc|sig|minisig|pem))?`;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every token a vendor uses (main tokens first, then variants), without null and '*'. */
function vendorTokens(v: Vendor): string[] {
  const all = [v.tokens, ...v.variants.map((x) => x.tokens)].flatMap((t) => Object.values(t));
  return [...new Set(all.filter((t): t is string => t !== null && t !== '*'))];
}

/**
 * Converts a pattern fragment: `{arch}` -> the arch group, other `{name}` -> non-slash text.
 * With `allowVariables`, a path segment holding a version placeholder may also be any text with a
 * `$` in it (`download/${TINI_VERSION}/` for `download/v{version}/`).
 */
function fragmentToRe(fragment: string, arch: string, allowVariables = false): string {
  const piecesToRe = (segment: string): string =>
    segment
      .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
      .map((piece) => {
        if (piece === '{arch}') return arch;
        if (/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(piece)) return '[^/?#]+?';
        return escapeRe(piece);
      })
      .join('');
  if (!allowVariables) return piecesToRe(fragment);
  return fragment
    .split('/')
    .map((segment) => {
      const re = piecesToRe(segment);
      const versionOnly = /\{[A-Za-z_][A-Za-z0-9_]*\}/.test(segment) && !segment.includes('{arch}');
      return versionOnly ? `(?:${re}|${ANY_WITH_VARIABLE})` : re;
    })
    .join('/');
}

/**
 * The RegExp for one URL pattern. The scheme may be http or https; GitHub's
 * `/releases/download/{tag}/` also matches `/releases/latest/download/`; a checksum or signature
 * suffix (`.sha256`, `.asc`) and a query or fragment are allowed; case is ignored.
 */
export function patternToRegExp(pattern: string, tokens: readonly string[], allowVariables = false): RegExp {
  const sorted = [...tokens].sort((a, b) => b.length - a.length);
  const alternatives = sorted.map(escapeRe);
  if (allowVariables) alternatives.push(VARIABLE_RE);
  const arch = alternatives.length > 0 ? `(?<arch>${alternatives.join('|')})` : '(?<arch>(?!))';
  const body = pattern.replace(/^https?:\/\//i, '');
  const gh = /^(.*\/releases\/)download\/([^/]*\{[^/]*)\/(.*)$/.exec(body);
  const v = allowVariables;
  const re = gh
    ? `${fragmentToRe(gh[1] ?? '', arch, v)}(?:download/${fragmentToRe(gh[2] ?? '', arch, v)}|latest/download)/${fragmentToRe(gh[3] ?? '', arch, v)}`
    : fragmentToRe(body, arch, v);
  return new RegExp(`^https?://${re}${SIDECAR_RE}(?:[?#].*)?$`, 'id');
}

/**
 * One vendor URL pattern. Its two RegExps are built the first time a URL of its host is matched:
 * a run meets a few hosts, and building every vendor's at start-up cost a single-file check
 * several milliseconds.
 */
class Compiled {
  #strict: RegExp | undefined;
  #loose: RegExp | undefined;
  /** lower-case literal start of every URL the pattern matches (host and leading directories, no scheme) */
  readonly prefix: string;

  constructor(
    readonly vendor: Vendor,
    readonly pattern: string,
    private readonly tokens: readonly string[],
  ) {
    this.prefix = literalPrefix(pattern);
  }

  /** the pattern with `{arch}` one of the vendor's tokens */
  get strict(): RegExp {
    return (this.#strict ??= patternToRegExp(this.pattern, this.tokens));
  }

  /** the same, `{arch}` also a variable (a URL template in a Dockerfile) */
  get loose(): RegExp {
    return (this.#loose ??= patternToRegExp(this.pattern, this.tokens, true));
  }
}

/**
 * The literal start every match shares, cut at a directory boundary before the first `{`
 * (and, for GitHub release URLs, before `releases/`, which also matches `releases/latest/`).
 */
function literalPrefix(pattern: string): string {
  const body = pattern.replace(/^https?:\/\//i, '').toLowerCase();
  let end = body.indexOf('{');
  if (end === -1) end = body.length;
  const rel = body.indexOf('/releases/');
  if (rel !== -1 && rel < end) end = rel + 1;
  return body.slice(0, body.lastIndexOf('/', end - 1) + 1);
}

let byHost: Map<string, Compiled[]> | undefined;

/** Patterns by host (the first segment of their literal prefix), in vendor order. */
function patternsForHost(host: string): readonly Compiled[] {
  if (!byHost) {
    byHost = new Map();
    for (const vendor of VENDORS) {
      const tokens = vendorTokens(vendor);
      for (const pattern of vendor.urlPatterns) {
        const c = new Compiled(vendor, pattern, tokens);
        const h = c.prefix.slice(0, c.prefix.indexOf('/') === -1 ? undefined : c.prefix.indexOf('/'));
        const list = byHost.get(h) ?? [];
        list.push(c);
        byHost.set(h, list);
      }
    }
  }
  return byHost.get(host) ?? [];
}

const KEY_ORDER = new Map(KNOWN_PLATFORMS.map((p, i) => [platformKey(p), i]));

/** Platform keys in the order of `KNOWN_PLATFORMS`, others after them alphabetically. */
function sortKeys(keys: string[]): string[] {
  return keys.sort((a, b) => (KEY_ORDER.get(a) ?? 99) - (KEY_ORDER.get(b) ?? 99) || a.localeCompare(b));
}

/** Keys of `table` whose token is `token` (exact first, then ignoring case). */
function keysFor(table: Readonly<Record<string, string | null>>, token: string): string[] {
  const entries = Object.entries(table);
  const exact = entries.filter(([, t]) => t === token).map(([k]) => k);
  if (exact.length > 0) return sortKeys(exact);
  const lower = token.toLowerCase();
  return sortKeys(entries.filter(([, t]) => t !== null && t.toLowerCase() === lower).map(([k]) => k));
}

function resolveToken(vendor: Vendor, token: string): { keys: string[]; variant?: string } {
  const main = keysFor(vendor.tokens, token);
  if (main.length > 0) return { keys: main };
  for (const v of vendor.variants) {
    const keys = keysFor(v.tokens, token);
    if (keys.length > 0) return { keys, variant: v.label };
  }
  return { keys: [] };
}

/**
 * Matches a concrete download URL against every vendor's URL patterns and says which token
 * stood for the architecture, where, and which platforms it means.
 * `https://go.dev/dl/go1.23.4.linux-armv6l.tar.gz` -> go, token `armv6l`, keys arm/v7 and arm/v6.
 */
export function matchVendorUrl(url: string, options: MatchOptions = {}): VendorUrlMatch | undefined {
  const key = `${options.allowVariables ? 'v' : 's'}${url}`;
  if (matchCache.has(key)) return matchCache.get(key);
  const found = matchUncached(url, options);
  if (matchCache.size >= MATCH_CACHE_SIZE) matchCache.clear();
  matchCache.set(key, found);
  return found;
}

/** Rules ask about the same URLs again and again; answers depend on the URL alone. */
const matchCache = new Map<string, VendorUrlMatch | undefined>();
const MATCH_CACHE_SIZE = 4096;


function matchUncached(url: string, options: MatchOptions): VendorUrlMatch | undefined {
  const text = url.trim();
  const offset = url.indexOf(text);
  const bare = text.replace(/^https?:\/\//i, '').toLowerCase();
  const slash = bare.indexOf('/');
  for (const c of patternsForHost(slash === -1 ? bare : bare.slice(0, slash))) {
    // a pattern's literal start (host, owner/repo, directories) must match before its regex runs
    if (!bare.startsWith(c.prefix)) continue;
    const m = (options.allowVariables ? c.loose : c.strict).exec(text);
    if (!m) continue;
    const token = m.groups?.['arch'];
    const span = m.indices?.groups?.['arch'];
    const start = span ? span[0] + offset : -1;
    const end = span ? span[1] + offset : -1;
    if (token === undefined) {
      const keys = sortKeys(Object.keys(c.vendor.tokens));
      return { vendor: c.vendor, pattern: c.pattern, token, tokenStart: start, tokenEnd: end, platformKeys: keys, isVariable: false };
    }
    if (token.startsWith('$')) {
      return { vendor: c.vendor, pattern: c.pattern, token, tokenStart: start, tokenEnd: end, platformKeys: [], isVariable: true };
    }
    const { keys, variant } = resolveToken(c.vendor, token);
    return {
      vendor: c.vendor,
      pattern: c.pattern,
      token,
      tokenStart: start,
      tokenEnd: end,
      platformKeys: keys,
      ...(variant !== undefined ? { variant } : {}),
      isVariable: false,
    };
  }
  return undefined;
}

/**
 * The vendor whose download URL this is, e.g.
 * `https://dl.google.com/go/go1.23.4.linux-amd64.tar.gz` -> go,
 * `https://github.com/mikefarah/yq/releases/download/v4.2/yq_linux_amd64` -> yq.
 * The architecture part must be one of the vendor's own tokens; see {@link matchVendorUrl}
 * for URL templates with variables.
 */
export function findVendor(url: string): Vendor | undefined {
  return matchVendorUrl(url)?.vendor;
}

/**
 * The vendor's token for `p`: a string, `null` when the vendor publishes nothing for `p`, or
 * `undefined` when unknown. amd64 v2..v4 and arm64 v8.x/v9 use the plain platform's token;
 * only Linux platforms have tokens.
 */
export function vendorToken(v: Vendor, p: Platform): string | null | undefined {
  const n = normalizePlatform(p);
  if (n.os !== 'linux') return undefined;
  const own = (key: string): string | null | undefined =>
    Object.prototype.hasOwnProperty.call(v.tokens, key) ? v.tokens[key] : undefined;
  const direct = own(platformKey(n));
  if (direct !== undefined) return direct;
  const base = platformData(n);
  return base ? own(base.key) : undefined;
}

/** What {@link matchUnsuffixedUrl} found: a vendor's asset that names no architecture but is one platform's build. */
export interface UnsuffixedMatch {
  readonly vendor: Vendor;
  /** the platform key the asset is built for (`amd64`) */
  readonly platformKey: string;
}

let unsuffixed: { vendor: Vendor; re: RegExp; prefix: string }[] | undefined;

/**
 * The vendor whose architecture-less asset this URL is, e.g. k3s's
 * `https://github.com/k3s-io/k3s/releases/download/v1.30.0+k3s1/k3s` (the x86-64 binary beside
 * `k3s-arm64`). Undefined for every other URL.
 */
export function matchUnsuffixedUrl(url: string): UnsuffixedMatch | undefined {
  unsuffixed ??= VENDORS.flatMap((vendor) =>
    (vendor.unsuffixed?.urlPatterns ?? []).map((pattern) => ({ vendor, re: patternToRegExp(pattern, []), prefix: literalPrefix(pattern) })),
  );
  const text = url.trim();
  const bare = text.replace(/^https?:\/\//i, '').toLowerCase();
  for (const u of unsuffixed) {
    if (!bare.startsWith(u.prefix) || !u.re.test(text)) continue;
    return { vendor: u.vendor, platformKey: u.vendor.unsuffixed?.platform ?? 'amd64' };
  }
  return undefined;
}
