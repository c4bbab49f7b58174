/**
 * prebuildify's `prebuilds/<platform>-<arch>[+<arch>]/<name>.<tags>.node` files, matched as
 * node-gyp-build matches them at load time: runtime `node` (or napi), `abi<N>` unless napi,
 * `armv<N>`, `glibc`/`musl`. A prebuild without a libc tag matches any libc, so an untagged
 * (glibc) build is picked on musl too and fails there at load. Pure.
 */
import type { Libc } from '../types.js';

export interface Prebuild {
  /** the path as the tarball lists it, without the leading `package/` */
  readonly path: string;
  readonly platform: string;
  readonly archs: readonly string[];
  readonly runtime?: string;
  readonly napi: boolean;
  readonly abi?: string;
  readonly uv?: string;
  readonly armv?: string;
  readonly libc?: Libc;
}

/** Node.js majors and their `process.versions.modules` (NODE_MODULE_VERSION). */
export const NODE_ABI: ReadonlyMap<string, string> = new Map([
  ['18', '108'],
  ['19', '111'],
  ['20', '115'],
  ['21', '120'],
  ['22', '127'],
  ['23', '131'],
  ['24', '137'],
]);

/** The Node major assumed where a target's is unknown (an ABI-specific prebuild or asset needs one). */
export const DEFAULT_NODE = '22';

/** The prebuilds of a tarball's file list (`package/prebuilds/linux-x64/node.napi.glibc.node`). */
export function parsePrebuilds(files: readonly string[]): Prebuild[] {
  const out: Prebuild[] = [];
  for (const f of files) {
    const path = f.startsWith('package/') ? f.slice('package/'.length) : f;
    if (!path.startsWith('prebuilds/') || !path.endsWith('.node')) continue;
    const parts = path.split('/');
    if (parts.length !== 3) continue;
    const dir = parts[1] ?? '';
    const dash = dir.indexOf('-');
    if (dash <= 0) continue;
    const platform = dir.slice(0, dash);
    const archs = dir.slice(dash + 1).split('+');
    const tags = (parts[2] ?? '').split('.');
    tags.pop(); // .node
    const p: { -readonly [K in keyof Prebuild]: Prebuild[K] } = { path, platform, archs, napi: false };
    for (const t of tags) {
      if (t === 'node' || t === 'electron' || t === 'node-webkit') p.runtime = t;
      else if (t === 'napi') p.napi = true;
      else if (/^abi\d+$/.test(t)) p.abi = t.slice(3);
      else if (/^uv\d+$/.test(t)) p.uv = t.slice(2);
      else if (/^armv\d+$/.test(t)) p.armv = t.slice(4);
      else if (t === 'glibc' || t === 'musl') p.libc = t;
    }
    out.push(p);
  }
  return out;
}

export interface PrebuildQuery {
  /** npm cpu word (`arm64`) */
  readonly arch: string;
  /** `7` for arm/v7, `6` for arm/v6, `8` for arm64, '' otherwise (node-gyp-build's armv) */
  readonly armv: string;
  readonly libc: Libc;
  /** the Node ABI (`115`); undefined: unknown */
  readonly abi?: string;
}

export interface PrebuildMatch {
  /** the prebuild node-gyp-build loads, if any */
  readonly match?: Prebuild;
  /** the match carries no libc tag and the target is musl: a glibc build loaded on musl */
  readonly untaggedOnMusl: boolean;
  /** prebuilds for this platform and arch that a tag ruled out (why nothing matched) */
  readonly ruledOut: readonly Prebuild[];
}

/** The prebuild node-gyp-build picks on Linux for the query, preferring the most specific (tagged) one. */
export function matchPrebuild(prebuilds: readonly Prebuild[], q: PrebuildQuery): PrebuildMatch {
  const here = prebuilds.filter((p) => p.platform === 'linux' && p.archs.includes(q.arch));
  const fits = here.filter((p) => {
    if (p.runtime && p.runtime !== 'node') return false; // electron builds, napi or not
    if (p.abi && !p.napi && p.abi !== q.abi) return false;
    if (p.armv && p.armv !== q.armv) return false;
    if (p.libc && p.libc !== q.libc) return false;
    return true;
  });
  const score = (p: Prebuild): number => (p.libc ? 4 : 0) + (p.armv ? 2 : 0) + (p.abi && !p.napi ? 1 : 0);
  fits.sort((a, b) => score(b) - score(a));
  const match = fits[0];
  return { ...(match ? { match } : {}), untaggedOnMusl: match !== undefined && !match.libc && q.libc === 'musl', ruledOut: here.filter((p) => !fits.includes(p)) };
}

/** Short words for what a prebuild is built for (`linux-arm64 napi musl`), for reasons. */
export function describePrebuild(p: Prebuild): string {
  return [`${p.platform}-${p.archs.join('+')}`, p.napi ? 'napi' : p.abi ? `abi${p.abi}` : '', p.armv ? `armv${p.armv}` : '', p.libc ?? ''].filter(Boolean).join(' ');
}
