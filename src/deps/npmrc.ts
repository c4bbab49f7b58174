/**
 * The npm registry npm itself would use, and its token: `npm_config_registry` in the environment,
 * else `registry=` of the project's `.npmrc` (in `cwd`), else of the user's (`~/.npmrc`,
 * `NPM_CONFIG_USERCONFIG`), else https://registry.npmjs.org/. The token is the `_authToken` of
 * that registry's `//host/path/:_authToken=` line, `${VAR}` expanded from the environment; it is
 * never printed. Reads two small files; never runs npm (which costs 200 ms).
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';
const MAX_NPMRC_BYTES = 256 * 1024;

function readIni(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    const b = readFileSync(file);
    if (b.length > MAX_NPMRC_BYTES) return out;
    text = b.toString('utf8');
  } catch {
    return out;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

function expand(v: string, env: Readonly<Record<string, string | undefined>>): string {
  return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');
}

/** The registry (with a trailing slash) and its token, as npm would pick them. */
export function npmRegistryConfig(cwd: string, env: Readonly<Record<string, string | undefined>>): { readonly registry: string; readonly token?: string } {
  const project = readIni(path.join(cwd, '.npmrc'));
  const user = readIni(env.NPM_CONFIG_USERCONFIG || env.npm_config_userconfig || path.join(env.HOME || os.homedir(), '.npmrc'));
  const get = (key: string): string | undefined => {
    const v = project.get(key) ?? user.get(key);
    return v === undefined ? undefined : expand(v, env);
  };
  let registry = env.npm_config_registry || env.NPM_CONFIG_REGISTRY || get('registry') || DEFAULT_NPM_REGISTRY;
  if (!registry.endsWith('/')) registry += '/';
  let token: string | undefined;
  try {
    const u = new URL(registry);
    // npm matches the longest `//host/path/:_authToken` prefix of the registry URL
    let p = u.pathname;
    for (;;) {
      token = get(`//${u.host}${p}:_authToken`);
      if (token || p === '/') break;
      p = p.replace(/[^/]*\/$/, '');
    }
  } catch {
    // an unparsable registry is the registry client's error to report
  }
  return token ? { registry, token } : { registry };
}
