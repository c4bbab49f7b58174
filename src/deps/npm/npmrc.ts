/**
 * Which npm registry npm itself would ask, and with which token, read from npm's configuration
 * without running npm (a `npm config get registry` costs a Node start): the environment
 * (`npm_config_registry`, any case), the project's `.npmrc`, then the user's (`$NPM_CONFIG_USERCONFIG`
 * or `~/.npmrc`); the first that names `registry` wins, else https://registry.npmjs.org/. The token
 * is the `//host/path/:_authToken` whose path is the longest prefix of the registry's, as npm
 * matches it, `${VAR}` references expanded from the environment as npm does. Scoped registries
 * (`@scope:registry`) come with their own tokens, in the shape openNpmMetadata's `scopes` takes;
 * a token is never put in a message.
 */
import * as path from 'node:path';
import { readRegularFile } from '../../fs/bounded-read.js';
import { DEFAULT_NPM_REGISTRY } from './registry.js';

/** A larger .npmrc is not read (real ones are a few lines). */
const MAX_NPMRC_BYTES = 256 * 1024;

export interface NpmConfig {
  /** the registry URL, with a trailing slash */
  readonly registry: string;
  /** where it was found: `npm_config_registry`, a .npmrc's path, or `default` */
  readonly source: string;
  /** the bearer token for the registry, when a .npmrc gives one (never print it) */
  readonly token?: string;
  /** `@scope` -> its registry URL (from `@scope:registry` lines) and that registry's token: openNpmMetadata's `scopes` */
  readonly scopes: Readonly<Record<string, { readonly registry: string; readonly token?: string }>>;
}

export interface NpmConfigOptions {
  /** the project directory (its `.npmrc`) */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the user's home directory (`~/.npmrc`) */
  readonly home: string;
}

/** `key=value` lines of an .npmrc, `${VAR}` expanded; comments (`;`, `#`) and blank lines skipped. */
export function parseNpmrc(text: string, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1);
    value = value.replace(/(\\*)\$\{([^}]+)\}/g, (whole, escapes: string, name: string) => (escapes.length % 2 === 1 ? whole.slice(1) : escapes + (env[name] ?? '')));
    out.set(key, value);
  }
  return out;
}

/** The value of `npm_config_<key>` in any case (npm reads `NPM_CONFIG_REGISTRY` too). */
function envConfig(env: Readonly<Record<string, string | undefined>>, key: string): string | undefined {
  const want = `npm_config_${key}`;
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === want && v) return v;
  return undefined;
}

async function readNpmrc(file: string, env: Readonly<Record<string, string | undefined>>): Promise<Map<string, string> | undefined> {
  try {
    return parseNpmrc((await readRegularFile(file, MAX_NPMRC_BYTES)).toString('utf8'), env);
  } catch {
    return undefined; // a missing or unreadable .npmrc is no configuration, as for npm
  }
}

/** The token of the longest `//host/path/:_authToken` key that prefixes the registry's `//host/path/`. */
export function tokenFor(registry: string, config: ReadonlyMap<string, string>): string | undefined {
  let url: URL;
  try {
    url = new URL(registry);
  } catch {
    return undefined;
  }
  const nerf = `//${url.host}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
  let best: { length: number; token: string } | undefined;
  for (const [key, value] of config) {
    if (!key.endsWith(':_authToken') || value === '') continue;
    const prefix = key.slice(0, -':_authToken'.length);
    const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
    if (nerf.startsWith(p) && (!best || p.length > best.length)) best = { length: p.length, token: value };
  }
  return best?.token;
}

export async function readNpmConfig(opts: NpmConfigOptions): Promise<NpmConfig> {
  const userFile = envConfig(opts.env, 'userconfig') ?? path.join(opts.home, '.npmrc');
  const projectFile = path.join(opts.cwd, '.npmrc');
  const files = [projectFile, ...(path.resolve(userFile) === path.resolve(projectFile) ? [] : [userFile])];
  const configs = await Promise.all(files.map((f) => readNpmrc(f, opts.env)));
  // project settings win over the user's, key by key
  const merged = new Map<string, string>();
  for (let i = configs.length - 1; i >= 0; i--) for (const [k, v] of configs[i] ?? []) merged.set(k, v);
  const fromEnv = envConfig(opts.env, 'registry');
  const at = configs.findIndex((c) => c?.has('registry'));
  const registry = fromEnv ?? merged.get('registry') ?? DEFAULT_NPM_REGISTRY;
  const source = fromEnv ? 'npm_config_registry' : at >= 0 ? files[at]! : 'default';
  const scopes: Record<string, { registry: string; token?: string }> = {};
  for (const [k, v] of merged) {
    if (!/^@[^:]+:registry$/.test(k)) continue;
    const scoped = v.endsWith('/') ? v : `${v}/`;
    const scopeToken = tokenFor(scoped, merged);
    scopes[k.slice(0, k.indexOf(':'))] = { registry: scoped, ...(scopeToken ? { token: scopeToken } : {}) };
  }
  const token = tokenFor(registry, merged);
  return { registry: registry.endsWith('/') ? registry : `${registry}/`, source, scopes, ...(token ? { token } : {}) };
}
