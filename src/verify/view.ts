/**
 * What every verdict reads of a variant, worked out once: the files with facts, the C libraries
 * whose loaders are present, PATH from the config's Env and a lookup in it.
 */
import { DEFAULT_PATH } from '../binary/index.js';
import type { FileFacts } from '../binary/types.js';
import type { ContainerConfig } from '../oci/manifest.js';
import { PLATFORM_DATA } from '../platform/index.js';
import { cleanPath } from '../rootfs/tar.js';
import type { FileTree } from '../rootfs/types.js';
import type { KeptFile, VariantView } from './verdicts/types.js';

/** Most PATH entries searched (a hostile config could list millions). */
export const MAX_PATH_ENTRIES = 64;

/**
 * Where the loaders of the platform table (and the armhf/armel ones) are, as tree paths, with
 * their C library: a variant has a C library when one of them is in its tree. (src/binary's
 * `LOADERS` is the other question: what a PT_INTERP's basename says.)
 */
const LOADER_PATHS: readonly (readonly [string, 'glibc' | 'musl'])[] = [
  ...PLATFORM_DATA.flatMap((d) => [
    [d.elf.glibcLoader.slice(1), 'glibc'] as const,
    [d.elf.muslLoader.slice(1), 'musl'] as const,
  ]),
  ['lib/ld-musl-arm.so.1', 'musl'],
  ['lib/ld-linux-armhf.so.3', 'glibc'],
];

/** The value of `name` in a config Env list (`KEY=value`), the last one winning as Docker reads it. */
export function envValue(env: readonly string[] | null | undefined, name: string): string | undefined {
  let value: string | undefined;
  for (const e of env ?? []) if (e.startsWith(`${name}=`)) value = e.slice(name.length + 1);
  return value;
}

/** An absolute path, or one relative to `dir` (both as the image shows them), as a tree path (src/rootfs's one cleaning: `..` clamped at the root). */
export function treePath(p: string, dir = ''): string {
  return cleanPath(p.startsWith('/') ? p : `${dir}/${p}`).path;
}

export function variantView(tree: FileTree<FileFacts>, config: ContainerConfig | undefined): VariantView {
  const kept: KeptFile[] = [];
  for (const [path, file] of tree.files()) if (file.facts !== undefined) kept.push({ path, file, facts: file.facts });
  const libcs = new Set<'glibc' | 'musl'>();
  for (const [path, libc] of LOADER_PATHS) if (tree.resolve(path)) libcs.add(libc);
  const path = (envValue(config?.Env, 'PATH') ?? DEFAULT_PATH)
    .split(':')
    .filter((d) => d !== '')
    .slice(0, MAX_PATH_ENTRIES)
    .map((d) => treePath(d));
  return {
    tree,
    kept,
    libcs,
    path,
    which(name: string): string | undefined {
      if (name === '' || name.includes('/')) return undefined;
      for (const dir of path) {
        const p = dir === '' ? name : `${dir}/${name}`;
        const f = tree.resolve(p);
        if (f && f.entry.kind !== 'dir') return p;
      }
      return undefined;
    },
  };
}
