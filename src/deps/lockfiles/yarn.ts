/**
 * yarn.lock of Yarn 2 and later (Berry: `__metadata.version` 4 to 8), a YAML map keyed by the
 * descriptors an entry satisfies (`"esbuild@npm:^0.21.3, esbuild@npm:^0.21.5"`), each with
 * `version`, `resolution` (`esbuild@npm:0.21.5`), `dependencies`, `dependenciesMeta` (optional
 * ones: Yarn lists optional dependencies among `dependencies`) and, for platform packages,
 * `conditions: os=linux & cpu=arm64 & libc=musl` (libc since Yarn 3.2, yarnpkg/berry#3981).
 * A Yarn 1 (classic) lockfile is read by yarn-classic.ts.
 */
import type { AnyarchError } from '../../errors.js';
import { lockFamilyWarnings } from '../npm/families.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../types.js';
import { isRecord, lockfileError, lockfileWarning, stripBom } from './positions.js';
import { readYarnClassicLock } from './yarn-classic.js';
import { readYamlLock } from './yaml-lock.js';


/** `os=linux & cpu=arm64 & libc=musl` (also with `|` and parentheses) as lists per key. */
export function parseYarnConditions(text: string): { os?: string[]; cpu?: string[]; libc?: string[] } {
  const out: { os?: string[]; cpu?: string[]; libc?: string[] } = {};
  for (const term of text.split(/[&|()]/)) {
    const eq = term.indexOf('=');
    if (eq === -1) continue;
    const k = term.slice(0, eq).trim();
    const v = term.slice(eq + 1).trim();
    if (v === '' || (k !== 'os' && k !== 'cpu' && k !== 'libc')) continue;
    (out[k] ??= []).push(v);
  }
  return out;
}

/** The package name of a Berry resolution (`@scope/name@npm:1.2.3`, `name@patch:name@npm%3A1.0.0#...`). */
export function yarnResolutionName(resolution: string): string | undefined {
  const at = resolution.indexOf('@', resolution.startsWith('@') ? 1 : 0);
  return at > 0 ? resolution.slice(0, at) : undefined;
}

const LOCAL_PROTOCOLS = ['@workspace:', '@link:', '@portal:', '@file:'];

/** The dependencies an entry marks optional: `dependenciesMeta.<name>.optional` (Yarn keeps them among `dependencies`) and `optionalDependencies`. */
function optionalOf(value: Record<string, unknown>): Set<string> {
  const optional = new Set<string>();
  if (isRecord(value['dependenciesMeta'])) {
    for (const [dep, m] of Object.entries(value['dependenciesMeta'])) if (isRecord(m) && m['optional'] === true) optional.add(dep);
  }
  if (isRecord(value['optionalDependencies'])) for (const d of Object.keys(value['optionalDependencies'])) optional.add(d);
  return optional;
}

/**
 * Reads a Yarn Berry yarn.lock.
 * @throws AnyarchError `E_LOCKFILE`: not YAML, no `__metadata` (a Yarn 1 lockfile goes to `readYarnClassicLock`).
 */
export function readYarnLock(file: string, text: string): Lockfile {
  const body = stripBom(text);
  // Yarn 1 writes its own format, with no __metadata (yarn-classic.ts)
  if (/^# yarn lockfile v1\s*$/m.test(body) || !/^"?__metadata"?:/m.test(body)) return readYarnClassicLock(file, body);
  const { data, keys } = readYamlLock(file, body, 'yarn.lock', []);
  const positions = keys.get('') ?? new Map<string, SourcePosition>();
  const meta = data['__metadata'];
  if (!isRecord(meta)) throw lockfileError(file, 'yarn.lock: __metadata is not a mapping', positions.get('__metadata'));
  const formatVersion = meta['version'] === undefined ? undefined : String(meta['version']);
  const warnings: AnyarchError[] = [];
  const packages: { -readonly [K in keyof LockedPackage]: LockedPackage[K] }[] = [];
  // names some parent marks optional in dependenciesMeta (Yarn keeps them among dependencies)
  const optionalNames = new Set<string>();
  for (const [key, value] of Object.entries(data)) {
    if (key === '__metadata') continue;
    const position = positions.get(key);
    if (!isRecord(value)) {
      warnings.push(lockfileWarning(file, `entry "${key}" is not a mapping; skipped`, position));
      continue;
    }
    const resolution = typeof value['resolution'] === 'string' ? value['resolution'] : undefined;
    const optional = optionalOf(value);
    for (const d of optional) optionalNames.add(d);
    // the project's own workspaces (whose optionalDependencies are optional all the same)
    if (resolution && LOCAL_PROTOCOLS.some((p) => resolution.includes(p))) continue;
    const name = resolution ? yarnResolutionName(resolution) : yarnResolutionName(key.split(',')[0]?.trim() ?? '');
    const version = value['version'] === undefined ? undefined : String(value['version']);
    if (!name || !version) {
      warnings.push(lockfileWarning(file, `entry "${key}" has no resolution or version; skipped`, position));
      continue;
    }
    const c = typeof value['conditions'] === 'string' ? parseYarnConditions(value['conditions']) : {};
    const deps = isRecord(value['dependencies']) ? Object.keys(value['dependencies']) : [];
    const regular = optional.size > 0 ? deps.filter((d) => !optional.has(d)) : deps;
    // one shape for every entry (absent facts undefined), as package-lock's reader builds them
    const pkg: { -readonly [K in keyof LockedPackage]: LockedPackage[K] } = {
      ecosystem: 'npm',
      name,
      version,
      key: resolution ?? key,
      position,
      optional: undefined,
      os: c.os,
      cpu: c.cpu,
      libc: c.libc,
      dependencies: regular.length > 0 ? regular : undefined,
      optionalDependencies: optional.size > 0 ? [...optional] : undefined,
      integrity: typeof value['checksum'] === 'string' ? value['checksum'] : undefined,
    };
    packages.push(pkg);
  }
  for (const p of packages) if (optionalNames.has(p.name)) p.optional = true;
  warnings.push(...lockFamilyWarnings(file, packages, 'yarn'));
  return { file, kind: 'yarn-berry', ecosystem: 'npm', ...(formatVersion ? { formatVersion } : {}), packages, warnings };
}
