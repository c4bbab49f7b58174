/**
 * The download URLs prebuild-install and @mapbox/node-pre-gyp would fetch for a target, expanded
 * from their templates as they expand them. prebuild-install:
 * `{name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz` under the GitHub release of
 * the repository (or `binary.host` + `remote_path` + `package_name`), libc empty for glibc (so musl
 * is `linuxmusl`); node-pre-gyp: `binary.host` + `remote_path` + `package_name` (default
 * `{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz`) with `{node_abi}`,
 * `{napi_build_version}`, `{node_napi_label}`, `{libc}`... Pure.
 */
import type { Libc, NpmManifest } from '../types.js';

export interface TemplateTarget {
  /** npm cpu word */
  readonly arch: string;
  readonly libc: Libc;
  /** Node.js ABI (`115`) */
  readonly abi: string;
}

/** `{key}` replaced by its value; unknown keys left as written (prebuild-install's expand-template does likewise). */
export function expandTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** `https://github.com/owner/repo` from a package.json `repository` (`git+https://...git`, `github:owner/repo`, `owner/repo`). */
export function githubRepository(repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  const short = /^(?:github:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(repository);
  if (short) return `https://github.com/${short[1]}/${short[2]}`;
  const full = /github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:[#/].*)?$/.exec(repository);
  return full ? `https://github.com/${full[1]}/${full[2]}` : undefined;
}

function versionParts(version: string): Record<string, string> {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([^+]+))?(?:\+(.+))?$/.exec(version);
  return { major: m?.[1] ?? '', minor: m?.[2] ?? '', patch: m?.[3] ?? '', prerelease: m?.[4] ?? '', build: m?.[5] ?? '' };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const trimSlashes = (s: string): string => s.replace(/^\/+|\/+$/g, '');

/**
 * The asset URL prebuild-install downloads for the target; undefined when it cannot be named (no
 * GitHub repository and no `binary.host`). `runtime` `napi` uses the newest `binary.napi_versions`.
 */
export function prebuildInstallUrl(m: NpmManifest, t: TemplateTarget, flags: { runtime: string; tagPrefix: string }): string | undefined {
  const name = m.name.replace(/^@[^/]+\//, '');
  const napiVersions = napiVersionsOf(m);
  const abi = flags.runtime === 'napi' ? String(napiVersions.at(-1) ?? 3) : t.abi;
  const packageName = '{name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz';
  const binary = m.binary ?? {};
  let template: string;
  const host = str(binary['host']);
  if (host) {
    template = [host, str(binary['remote_path']) ?? '', str(binary['package_name']) ?? packageName].map(trimSlashes).filter(Boolean).join('/');
  } else {
    const repo = githubRepository(m.repository);
    if (!repo) return undefined;
    template = `${repo}/releases/download/{tag_prefix}{version}/${packageName}`;
  }
  return expandTemplate(template, {
    name,
    package_name: name,
    version: m.version,
    ...versionParts(m.version),
    abi,
    node_abi: t.abi,
    runtime: flags.runtime,
    platform: 'linux',
    arch: t.arch,
    libc: t.libc === 'musl' ? 'musl' : '',
    configuration: 'Release',
    module_name: str(binary['module_name']),
    tag_prefix: flags.tagPrefix,
  });
}

export function napiVersionsOf(m: NpmManifest): number[] {
  const v = m.binary?.['napi_versions'];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b) : [];
}

/** node-pre-gyp's `fix_slashes`: a trailing slash added, `./` dropped. */
function fixSlashes(s: string): string {
  const t = s.startsWith('./') ? s.slice(2) : s;
  return t.endsWith('/') ? t : `${t}/`;
}

/**
 * The tarball URL @mapbox/node-pre-gyp downloads for the target; undefined without `binary.host`
 * or `binary.module_name`. napi packages use the newest of `binary.napi_versions`.
 */
export function nodePreGypUrl(m: NpmManifest, t: TemplateTarget): string | undefined {
  const binary = m.binary ?? {};
  const hostTemplate = str(binary['host']);
  const moduleName = str(binary['module_name']);
  if (!hostTemplate || !moduleName) return undefined;
  const napi = napiVersionsOf(m).at(-1);
  const nodeAbi = `node-v${t.abi}`;
  const values: Record<string, string | undefined> = {
    name: m.name,
    configuration: 'Release',
    module_name: moduleName,
    version: m.version,
    ...versionParts(m.version),
    runtime: 'node',
    node_abi: nodeAbi,
    node_abi_napi: napi !== undefined ? 'napi' : nodeAbi,
    napi_version: napi !== undefined ? String(napi) : undefined,
    napi_build_version: napi !== undefined ? String(napi) : '',
    node_napi_label: napi !== undefined ? `napi-v${napi}` : nodeAbi,
    platform: 'linux',
    target_platform: 'linux',
    arch: t.arch,
    target_arch: t.arch,
    libc: t.libc,
    toolset: '',
  };
  const host = fixSlashes(expandTemplate(hostTemplate, values));
  const remote = str(binary['remote_path']);
  const remotePath = remote ? fixSlashes(expandTemplate(remote, values)).replace(/\/\/+/g, '/') : '';
  const packageName = expandTemplate(str(binary['package_name']) ?? '{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz', values);
  try {
    return new URL(packageName, new URL(remotePath, host)).href;
  } catch {
    return undefined;
  }
}
