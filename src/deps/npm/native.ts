/**
 * Whether an npm package has native code, and how it gets it: first from lockfile facts (its
 * dependencies on the native helpers, `hasInstallScript`, pnpm's `requiresBuild`), then, where the
 * lockfile cannot tell, from its manifest (`scripts`, `gypfile`, `binary`). Pure.
 */
import type { LockedPackage, Mechanism, NpmManifest } from '../types.js';

export interface NativeHint {
  readonly mechanism: Mechanism;
  /** false: a guess the manifest should confirm (an install script of unknown kind, or only `nan`/`bindings`) */
  readonly certain: boolean;
  /** the fact it was read from, as words (`depends on prebuild-install`) */
  readonly why: string;
}

/** Helpers whose presence says how the native code arrives, checked in this order. */
const HELPERS: readonly (readonly [string, Mechanism, boolean])[] = [
  ['prebuild-install', 'prebuild-install', true],
  ['@mapbox/node-pre-gyp', 'node-pre-gyp', true],
  ['node-pre-gyp', 'node-pre-gyp', true],
  ['@discordjs/node-pre-gyp', 'node-pre-gyp', true],
  ['node-gyp-build', 'prebuildify', true],
  ['node-gyp-build-optional-packages', 'prebuildify', true],
  ['cmake-js', 'node-gyp', true],
  ['node-addon-api', 'node-gyp', false],
  ['nan', 'node-gyp', false],
  ['bindings', 'node-gyp', false],
];

/**
 * Packages whose install script is known to run JavaScript only (downloads, banners, git hooks),
 * so `hasInstallScript` alone does not make them native.
 */
const JS_INSTALL_SCRIPTS: ReadonlySet<string> = new Set([
  'core-js',
  'core-js-pure',
  'husky',
  'es5-ext',
  'protobufjs',
  'nodemon',
  'postinstall-postinstall',
  'ejs',
  'styled-components',
  'yarn',
  'msw',
  'vue-demi',
]);

/** The native helpers themselves are tools, not native packages (node-gyp-build is plain JavaScript). */
const HELPER_NAMES: ReadonlySet<string> = new Set([...HELPERS.map(([n]) => n), 'node-gyp']);

/** The native helpers themselves and packages whose install script runs JavaScript only: never native, whatever a lock cannot say of them. */
export function isKnownNonNative(name: string): boolean {
  return HELPER_NAMES.has(name) || JS_INSTALL_SCRIPTS.has(name);
}

/** What the lockfile says: undefined when nothing suggests native code. */
export function nativeFromLock(pkg: LockedPackage): NativeHint | undefined {
  if (HELPER_NAMES.has(pkg.name)) return undefined;
  // (no Set of the two lists: this runs for every package of the lock, and most have no dependency at all)
  const deps = pkg.dependencies;
  const optional = pkg.optionalDependencies;
  if (deps !== undefined || optional !== undefined) {
    for (const [helper, mechanism, certain] of HELPERS) {
      if (deps?.includes(helper) || optional?.includes(helper)) return { mechanism, certain, why: `depends on ${helper}` };
    }
  }
  if (JS_INSTALL_SCRIPTS.has(pkg.name)) return undefined;
  if (pkg.hasInstallScript) return { mechanism: 'install-script', certain: false, why: 'has an install script (hasInstallScript)' };
  if (pkg.requiresBuild) return { mechanism: 'install-script', certain: false, why: 'requires a build (pnpm requiresBuild)' };
  return undefined;
}

/** The install-time scripts of a manifest, joined. */
export function installScripts(m: NpmManifest): string {
  const s = m.scripts ?? {};
  return [s['preinstall'], s['install'], s['postinstall']].filter((x): x is string => typeof x === 'string').join(' && ');
}

/** An install script as a reason quotes it: its first 60 characters, then `…` (re2's runs to 170). */
export function shortScript(script: string, max = 60): string {
  return script.length > max ? `${script.slice(0, max).trimEnd()}…` : script;
}

/**
 * What the manifest says: the mechanism of a native package, or `null` when the manifest shows
 * no native code (an install script that runs JavaScript only), undefined when it cannot tell.
 */
export function nativeFromManifest(m: NpmManifest): NativeHint | null {
  const scripts = installScripts(m);
  if (/\bprebuild-install\b/.test(scripts)) return { mechanism: 'prebuild-install', certain: true, why: `install script: ${shortScript(scripts)}` };
  if (/\bnode-pre-gyp\b/.test(scripts)) return { mechanism: 'node-pre-gyp', certain: true, why: `install script: ${shortScript(scripts)}` };
  if (/\bnode-gyp-build\b/.test(scripts)) return { mechanism: 'prebuildify', certain: true, why: `install script: ${shortScript(scripts)}` };
  if (/\bnode-gyp\b|\bcmake-js\b/.test(scripts)) return { mechanism: 'node-gyp', certain: true, why: `install script: ${shortScript(scripts)}` };
  const binary = m.binary;
  if (binary && typeof binary['host'] === 'string' && typeof binary['module_name'] === 'string') {
    return { mechanism: 'node-pre-gyp', certain: true, why: 'package.json has binary.host and binary.module_name' };
  }
  if (m.gypfile === true) {
    // node-sass 7: `install: node scripts/install.js` (a download) then `postinstall: node scripts/build.js` (node-gyp)
    return { mechanism: 'node-gyp', certain: true, why: scripts === '' ? 'binding.gyp with no install script: npm runs node-gyp rebuild' : `binding.gyp (gypfile) and install script: ${shortScript(scripts)}` };
  }
  const s = m.scripts ?? {};
  if (m.files?.some((f) => f === 'binding.gyp' || f === './binding.gyp') && s['install'] === undefined && s['preinstall'] === undefined) {
    // node-pty 1.0.0: binding.gyp in `files`, only a postinstall: npm runs node-gyp rebuild as the install step
    return { mechanism: 'node-gyp', certain: true, why: 'binding.gyp with no install or preinstall script: npm runs node-gyp rebuild' };
  }
  return null;
}

/** The install script's prebuild-install flags that change the asset name: `-r napi`, `--tag-prefix`. */
export function prebuildInstallFlags(m: NpmManifest): { runtime: string; tagPrefix: string } {
  const scripts = installScripts(m);
  const runtime = /(?:-r|--runtime)[ =](\w+)/.exec(scripts)?.[1] ?? 'node';
  const tagPrefix = /--tag-prefix[ =](\S+)/.exec(scripts)?.[1] ?? 'v';
  return { runtime, tagPrefix };
}

/** Whether the install script falls back to compiling (`prebuild-install || node-gyp rebuild`, `--fallback-to-build`, node-gyp-build). */
export function hasCompileFallback(m: NpmManifest | undefined, mechanism: Mechanism): boolean {
  if (!m) return mechanism !== 'platform-packages';
  const scripts = installScripts(m);
  if (mechanism === 'prebuildify') return /\bnode-gyp-build\b/.test(scripts);
  if (mechanism === 'node-pre-gyp') return /--fallback-to-build/.test(scripts) || /\bnode-gyp\b(?!-)/.test(scripts.replace(/node-pre-gyp/g, ''));
  if (mechanism === 'prebuild-install') return /\bnode-gyp\b/.test(scripts);
  return mechanism === 'node-gyp';
}
