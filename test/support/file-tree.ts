/**
 * A FileTree built by hand for verdict tests: paths to files (with facts), symlinks and
 * directories, each in a layer; `resolve` follows symlinks as the kernel would in a chroot
 * (absolute targets from the root, `..` clamped, intermediate links followed, at most
 * MAX_SYMLINK_HOPS). What src/rootfs's mergeLayers gives from real layers, without tar.
 */
import type { ElfFacts, FileFacts, ScriptFacts } from '../../src/binary/types.js';
import { MAX_SYMLINK_HOPS, type EntryKind, type FileTree, type TreeFile } from '../../src/rootfs/types.js';

export interface HandEntry {
  readonly kind?: EntryKind;
  readonly facts?: FileFacts;
  /** symlink target as written */
  readonly target?: string;
  readonly mode?: number;
  readonly layer?: number;
}

function clean(p: string): string[] {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

export function handTree(entries: Record<string, HandEntry>): FileTree<FileFacts> {
  const map = new Map<string, TreeFile<FileFacts>>();
  const add = (path: string, e: HandEntry): void => {
    const kind = e.kind ?? (e.target !== undefined ? 'symlink' : 'file');
    map.set(path, {
      layer: e.layer ?? 0,
      entry: { path, rawPath: path, escapes: false, kind, mode: e.mode ?? (kind === 'dir' ? 0o755 : 0o755), size: 0, uid: 0, gid: 0, ...(e.target !== undefined ? { linkname: e.target } : {}) },
      ...(e.facts ? { facts: e.facts } : {}),
    });
  };
  for (const [raw, e] of Object.entries(entries)) {
    const path = clean(raw).join('/');
    const segs = path.split('/');
    for (let i = 1; i < segs.length; i++) {
      const d = segs.slice(0, i).join('/');
      if (!map.has(d)) add(d, { kind: 'dir' });
    }
    add(path, e);
  }
  const resolve = (path: string, opts: { followLast?: boolean } = {}): TreeFile<FileFacts> | undefined => {
    let hops = 0;
    let todo = clean(path);
    const done: string[] = [];
    while (todo.length > 0) {
      const seg = todo.shift() as string;
      const here = [...done, seg].join('/');
      const f = map.get(here);
      if (!f) return undefined;
      const last = todo.length === 0;
      if (f.entry.kind === 'symlink' && (!last || opts.followLast !== false)) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = f.entry.linkname ?? '';
        const base = target.startsWith('/') ? [] : done;
        const next = clean([...base, target].join('/'));
        done.length = 0;
        todo = [...next, ...todo];
        continue;
      }
      if (!last && f.entry.kind !== 'dir') return undefined;
      done.push(seg);
    }
    return done.length === 0 ? undefined : map.get(done.join('/'));
  };
  return {
    get: (p) => map.get(clean(p).join('/')),
    resolve,
    *files() {
      for (const k of [...map.keys()].sort()) {
        const f = map.get(k) as TreeFile<FileFacts>;
        if (f.entry.kind !== 'dir') yield [k, f] as const;
      }
    },
    get size() {
      return map.size;
    },
  };
}

const MACHINES: Record<string, { machine: number; class: 32 | 64; endian: 'le' | 'be' }> = {
  amd64: { machine: 62, class: 64, endian: 'le' },
  arm64: { machine: 183, class: 64, endian: 'le' },
  arm: { machine: 40, class: 32, endian: 'le' },
  '386': { machine: 3, class: 32, endian: 'le' },
  ppc64le: { machine: 21, class: 64, endian: 'le' },
  s390x: { machine: 22, class: 64, endian: 'be' },
  riscv64: { machine: 243, class: 64, endian: 'le' },
};

/** ELF facts of a binary for `arch`: static unless `interpreter` is given. */
export function elf(arch: string, more: Partial<ElfFacts> = {}): ElfFacts {
  const m = MACHINES[arch] ?? { machine: 0, class: 64, endian: 'le' };
  return { format: 'elf', class: m.class, endian: m.endian, machine: m.machine, osabi: 0, type: 'exec', flags: 0, dynamic: more.interpreter !== undefined, ...more };
}

export function script(interpreter: string, ...args: string[]): ScriptFacts {
  return { format: 'script', interpreter, args };
}

/** Loaders of a glibc (Debian) image of `arch`, as symlinks to their files as Debian lays them out. */
export const GLIBC_LOADER: Record<string, string> = {
  amd64: 'lib64/ld-linux-x86-64.so.2',
  arm64: 'lib/ld-linux-aarch64.so.1',
  arm: 'lib/ld-linux-armhf.so.3',
};
export const MUSL_LOADER: Record<string, string> = {
  amd64: 'lib/ld-musl-x86_64.so.1',
  arm64: 'lib/ld-musl-aarch64.so.1',
  arm: 'lib/ld-musl-armhf.so.1',
};
