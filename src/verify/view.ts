/**
 * What every verdict reads of a variant, worked out once: the files with facts, the C libraries
 * whose loaders are present, PATH from the config's Env and a lookup in it.
 */
import type { FileFacts } from '../binary/types.js';
import type { ContainerConfig } from '../oci/manifest.js';
import { PLATFORM_DATA } from '../platform/index.js';
import type { FileTree } from '../rootfs/types.js';
import type { KeptFile, VariantView } from './verdicts/types.js';

/** Docker's PATH when the config's Env has none (what `docker run` sets for Linux containers). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Most PATH entries searched (a hostile config could list millions). */
export const MAX_PATH_ENTRIES = 64;

/** Every loader path of the table and its C library. */
const LOADERS: readonly (readonly [string, 'glibc' | 'musl'])[] = [
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

/** Cleans an absolute or relative path against `dir` (both as the image shows them) into a tree path. */
export function cleanPath(p: string, dir = ''): string {
  const out: string[] = [];
  const full = p.startsWith('/') ? p : `${dir}/${p}`;
  for (const seg of full.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

export function variantView(tree: FileTree<FileFacts>, config: ContainerConfig | undefined): VariantView {
  const kept: KeptFile[] = [];
  for (const [path, file] of tree.files()) if (file.facts !== undefined) kept.push({ path, file, facts: file.facts });
  const libcs = new Set<'glibc' | 'musl'>();
  for (const [path, libc] of LOADERS) if (tree.resolve(path)) libcs.add(libc);
  const path = (envValue(config?.Env, 'PATH') ?? DEFAULT_PATH)
    .split(':')
    .filter((d) => d !== '')
    .slice(0, MAX_PATH_ENTRIES)
    .map((d) => cleanPath(d));
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
