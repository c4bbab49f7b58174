/**
 * The pure pieces of reading an npm registry (src/deps/npm/registry.ts does the asking): a full
 * packument reduced to what `deps` reads of each version (`NpmManifest`, every field's type
 * checked), semver order for "newest last", the packument path of a name (scoped names
 * `@scope%2fname`), the tarball URL npm registries use, and `dist.integrity` read npm's way.
 */
import { AnyarchError } from '../../errors.js';
import type { InstallFacts, NpmManifest } from '../types.js';

// ---------------------------------------------------------------------------------------------
// What is kept of a packument

/** What one packument is reduced to: its versions (newest last) and their manifests. */
export interface Packument {
  readonly versions: readonly string[];
  readonly manifests: ReadonlyMap<string, NpmManifest>;
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return undefined;
  const out = v.filter((x): x is string => typeof x === 'string');
  return out.length > 0 ? out : undefined;
}

/** The string values of an object (only those of `keys` when given), or undefined when there are none. */
function stringMap(v: unknown, keys?: readonly string[]): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const k of keys ?? Object.keys(v)) {
    const x = v[k];
    if (typeof x === 'string') {
      out[k] = x;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** The fields of a manifest `deps` reads, each checked; a field of the wrong type is dropped, never trusted. */
export function compactManifest(name: string, version: string, raw: Record<string, unknown>): NpmManifest {
  const dist = isRecord(raw.dist) ? raw.dist : {};
  const repository = isRecord(raw.repository) ? raw.repository.url : raw.repository;
  const fields: { readonly [K in keyof NpmManifest]: NpmManifest[K] | undefined } = {
    name,
    version,
    os: stringList(raw.os),
    cpu: stringList(raw.cpu),
    libc: stringList(raw.libc),
    scripts: stringMap(raw.scripts, INSTALL_SCRIPTS),
    gypfile: typeof raw.gypfile === 'boolean' ? raw.gypfile : undefined,
    binary: isRecord(raw.binary) ? raw.binary : undefined,
    dependencies: stringMap(raw.dependencies),
    optionalDependencies: stringMap(raw.optionalDependencies),
    files: stringList(raw.files),
    config: isRecord(raw.config) ? raw.config : undefined,
    repository: typeof repository === 'string' && repository !== '' ? repository : undefined,
    tarball: typeof dist.tarball === 'string' ? dist.tarball : undefined,
    integrity: typeof dist.integrity === 'string' ? dist.integrity : undefined,
  };
  // only the fields present: small cache entries, and answers equal whether cached or not
  const m: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) m[k] = v;
  return m as unknown as NpmManifest;
}

/** Reads a stored manifest back (the cache's `read`): its shape checked, since a cache file is input too. */
export function storedManifest(v: unknown): NpmManifest | undefined {
  if (!isRecord(v) || typeof v.name !== 'string' || typeof v.version !== 'string') return undefined;
  return compactManifest(v.name, v.version, { ...v, dist: { tarball: v.tarball, integrity: v.integrity } });
}

export const storedStrings = (v: unknown): readonly string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/** Semver precedence (major.minor.patch, a prerelease before its release); an unreadable version sorts first. */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  const ra = pa[4];
  const rb = pb[4];
  if (ra === undefined || rb === undefined) return ra === undefined ? (rb === undefined ? 0 : 1) : -1;
  const xa = ra.split('.');
  const xb = rb.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const x = xa[i];
    const y = xb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** A packument as JSON, checked and reduced; an error naming the package when it is not one. */
export function readPackument(name: string, text: string, what: string, status: number): Packument {
  const manifests = new Map<string, NpmManifest>();
  for (const [version, raw] of Object.entries(packumentVersions(name, text, what, status))) {
    if (isRecord(raw)) manifests.set(version, compactManifest(name, version, raw));
  }
  const versions = [...manifests.keys()].sort(compareVersions);
  return { versions, manifests };
}

/**
 * An abbreviated packument (`application/vnd.npm.install-v1+json`: `hasInstallScript` per
 * version), or a full one from a registry that ignores that Accept header (its `scripts`), as
 * each version's install facts; an error naming the package when it is no packument.
 */
export function readInstallFacts(name: string, text: string, what: string, status: number): Map<string, InstallFacts> {
  const out = new Map<string, InstallFacts>();
  for (const [version, raw] of Object.entries(packumentVersions(name, text, what, status))) {
    if (!isRecord(raw)) continue;
    const scripts = isRecord(raw.scripts) ? raw.scripts : {};
    const os = stringList(raw.os);
    out.set(version, { hasInstallScript: raw.hasInstallScript === true || INSTALL_SCRIPTS.some((k) => typeof scripts[k] === 'string'), ...(os ? { os } : {}) });
  }
  return out;
}

/** Reads stored install facts back (the cache's `read`), their shape checked. */
export function storedInstallFacts(v: unknown): InstallFacts | undefined {
  if (!isRecord(v) || typeof v.hasInstallScript !== 'boolean') return undefined;
  const os = stringList(v.os);
  return { hasInstallScript: v.hasInstallScript, ...(os ? { os } : {}) };
}

/** A packument's `versions` object; an error naming the package when the text is no packument of it. */
function packumentVersions(name: string, text: string, what: string, status: number): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const kind = text.trim() === '' ? 'an empty body' : 'something that is not JSON';
    throw new AnyarchError('E_REGISTRY', `${what}: the registry answered ${status} with ${kind}`);
  }
  if (!isRecord(doc) || !isRecord(doc.versions)) {
    throw new AnyarchError('E_REGISTRY', `${what}: the registry answered ${status} with JSON that is not a packument (no "versions" object)`);
  }
  if (typeof doc.name === 'string' && doc.name !== name) {
    throw new AnyarchError('E_REGISTRY', `${what}: the registry answered with the packument of ${JSON.stringify(doc.name.slice(0, 100))}`);
  }
  return doc.versions;
}

// ---------------------------------------------------------------------------------------------
// Names and URLs

const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-][a-z0-9._~-]*$/i;

/** The packument's path: `esbuild`, `@img%2fsharp-linux-arm64`; undefined for a name npm would not publish. */
export function packumentPath(name: string): string | undefined {
  if (name.length > 214 || !NAME.test(name) || name.startsWith('.') || name.includes('..')) return undefined;
  return name.startsWith('@') ? name.replace('/', '%2f') : name;
}

/** The tarball URL npm registries use when a manifest names none: `<registry>/<name>/-/<base>-<version>.tgz`. */
export function conventionalTarball(registry: string, name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return new URL(`${name}/-/${base}-${version}.tgz`, registry).toString();
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `sha512-<base64>` as an algorithm and a digest npm's way (the strongest of several, space-separated). */
export function parseIntegrity(integrity: string | undefined): { algorithm: string; digest: string } | undefined {
  if (!integrity) return undefined;
  const order = ['sha512', 'sha384', 'sha256', 'sha1'];
  let best: { algorithm: string; digest: string } | undefined;
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)(?:\?.*)?$/.exec(part);
    if (m && (!best || order.indexOf(m[1]!) < order.indexOf(best.algorithm))) best = { algorithm: m[1]!, digest: m[2]! };
  }
  return best;
}
