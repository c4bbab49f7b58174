/**
 * An in-memory `NpmMetadataSource` for unit tests: manifests, version lists, tarball file lists,
 * install facts (abbreviated packuments) and URLs that exist, given as plain data; names in `failing` answer a `MetadataFailure`. It
 * counts the questions asked, so a test can say what the analysis asked for.
 */
import { AnyarchError } from '../../src/errors.js';
import type { InstallFacts, MetadataFailure, NpmManifest, NpmMetadataSource } from '../../src/deps/types.js';

export interface MemoryNpm {
  /** `name@version` -> manifest (name and version filled in when left out) */
  readonly manifests?: Readonly<Record<string, Partial<NpmManifest>>>;
  /** name -> versions, oldest first */
  readonly versions?: Readonly<Record<string, readonly string[]>>;
  /** `name@version` -> tarball paths (`package/...`) */
  readonly files?: Readonly<Record<string, readonly string[]>>;
  /** URLs that answer 2xx to HEAD */
  readonly urls?: readonly string[];
  /** package names (or URLs) whose every question fails */
  readonly failing?: readonly string[];
  /**
   * `name@version` -> what the abbreviated packument says (`hasInstallScript`, `os`): given, the
   * source answers `installFacts` (from these, else from `manifests`); absent, it has no such method
   */
  readonly install?: Readonly<Record<string, InstallFacts>>;
}

export interface CountingSource extends NpmMetadataSource {
  readonly asked: string[];
}

export function memoryNpm(data: MemoryNpm): CountingSource {
  const asked: string[] = [];
  const fail = (what: string): MetadataFailure => ({ error: new AnyarchError('E_REGISTRY', `${what}: 503 Service Unavailable`) });
  const failing = new Set(data.failing ?? []);
  const urls = new Set(data.urls ?? []);
  return {
    asked,
    async manifest(name, version) {
      asked.push(`manifest ${name}@${version}`);
      if (failing.has(name)) return fail(name);
      const m = data.manifests?.[`${name}@${version}`];
      return m ? { name, version, ...m } : undefined;
    },
    async versions(name) {
      asked.push(`versions ${name}`);
      if (failing.has(name)) return fail(name);
      return data.versions?.[name] ?? [];
    },
    async files(name, version) {
      asked.push(`files ${name}@${version}`);
      if (failing.has(name)) return fail(name);
      return data.files?.[`${name}@${version}`] ?? ['package/package.json', 'package/index.js'];
    },
    ...(data.install
      ? {
          async installFacts(name: string, version: string): Promise<InstallFacts | undefined | MetadataFailure> {
            asked.push(`install ${name}@${version}`);
            if (failing.has(name)) return fail(name);
            const facts = data.install?.[`${name}@${version}`];
            if (facts) return facts;
            const m = data.manifests?.[`${name}@${version}`];
            if (!m) return undefined;
            const s = m.scripts ?? {};
            return { hasInstallScript: ['preinstall', 'install', 'postinstall'].some((k) => s[k] !== undefined), ...(m.os ? { os: m.os } : {}) };
          },
        }
      : {}),
    async exists(url) {
      asked.push(`exists ${url}`);
      if (failing.has(url)) return fail(url);
      return urls.has(url);
    },
  };
}
