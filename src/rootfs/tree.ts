/**
 * The final file system of an image: its layers' scans merged top-down.
 *
 *   mergeLayers(scans /* bottom first *\/) -> FileTree<F>
 *
 * The merge is go-containerregistry's (`mutate.Extract`) walked from the top layer down, first
 * occurrence winning, with what Docker's and containerd's appliers do where it is silent:
 *  - a path whited out (`.wh.<name>`) by a higher layer is hidden in every lower layer, with
 *    everything under it; the whiteout does not hide its own layer's entry at that path;
 *  - an opaque directory (`.wh..wh..opq`) of a higher layer hides everything under it in lower
 *    layers, wherever the marker stands in its tar;
 *  - a non-directory of a higher layer hides a lower layer's directory at its path and all its
 *    children (a directory replaced by a file or a symlink), whether or not the non-directory is
 *    itself visible; a directory over a lower file simply wins.
 * A layer's hiding applies only to the layers below it, so the order of entries in a tar does not
 * matter.
 *
 * Directories named by no entry but above an entry or a whiteout of some layer (implicit parents)
 * exist, as a runtime creates them, unless a higher layer hides them like an entry of that layer;
 * like a directory entry, such a directory hides a lower layer's non-directory at its path (as
 * containerd's overlay snapshotter gives it: the upper directory is created, the lower file hidden);
 * `get`/`resolve` return a synthetic directory entry for them (mode 0755, owned by root, the
 * highest layer that implies them). A directory emptied by whiteouts stays.
 *
 * `resolve` follows symlinks inside the tree, as the kernel would in a chroot: absolute targets
 * from the root, relative ones from the link's directory, `..` clamped at the root, links in
 * intermediate directories followed too, at most MAX_SYMLINK_HOPS links (more, a loop included:
 * undefined).
 */
import { AnyarchError } from '../errors.js';
import { MAX_TAR_PATH_BYTES } from './tar.js';
import type { FileTree, LayerFile, LayerScan, TarEntry, TreeFile, TreeOddity } from './types.js';
import { MAX_SYMLINK_HOPS } from './types.js';

/**
 * Most path components one tree's `resolve` calls walk in all, symlink targets included (10^7,
 * about a second): past it `resolve` fails with `E_LIMIT`. One lookup walks at most 41 paths of
 * PATH_MAX (about 84,000 components); real ones walk a few dozen, and each path's answer is kept.
 */
export const MAX_RESOLVE_STEPS = 10_000_000;
/** Most answers a tree keeps for `resolve` (a directory's child, a path's result), so that memory stays bounded too. */
export const MAX_RESOLVE_CACHE = 1_000_000;

export interface MergeOptions {
  /** default {@link MAX_RESOLVE_STEPS} */
  readonly maxResolveSteps?: number;
}

/** Most lookups spent following hard links into lower layers per merge (one lookup: a path or one of its parents in one layer). */
export const MAX_LOWER_LINK_LOOKUPS = 4_000_000;
/** Most hard links followed from one link down the layers (a link to a link of a lower layer...). */
export const MAX_LOWER_LINK_HOPS = 16;
/** Most oddities a merge lists; more are counted in one last line. */
export const MAX_TREE_ODDITIES = 1000;

const BLOCKS = 1; // lower entries at this path and under it are hidden
const OPAQUE = 2; // lower entries under this path are hidden

type Visible<F> = TreeFile<F>;

/** Merges layer scans (bottom first) into the final tree; see the header of this file. */
export function mergeLayers<F>(scans: readonly LayerScan<F>[], options: MergeOptions = {}): FileTree<F> {
  const visible = new Map<string, Visible<F>>();
  const implicit = new Map<string, TreeFile<F>>();
  const marks = new Map<string, number>();
  /** visible hard links whose target is no other entry of their own layer: a lower layer's file, or nothing */
  const lowerLinks: string[] = [];
  for (let layer = scans.length - 1; layer >= 0; layer--) {
    const scan = scans[layer] as LayerScan<F>;
    const checkMarks = marks.size > 0;
    /** the directories above `path` exist in this layer, unless a higher layer hides them */
    const parents = (path: string): void => {
      let i = path.lastIndexOf('/');
      while (i > 0) {
        const dir = path.slice(0, i);
        if (visible.has(dir) || implicit.has(dir)) return;
        if (!checkMarks || !hiddenBy(marks, dir)) implicit.set(dir, { entry: dirEntry(dir), layer });
        i = path.lastIndexOf('/', i - 1);
      }
    };
    for (const [path, file] of scan.entries) {
      if (visible.has(path)) continue;
      // a directory a higher layer implies hides a non-directory here, as an overlay's upper directory does
      if ((checkMarks && hiddenBy(marks, path)) || (file.entry.kind !== 'dir' && (implicit.get(path)?.layer ?? -1) > layer)) {
        parents(path);
        continue;
      }
      visible.set(path, { entry: file.entry, facts: file.facts, layer });
      if (file.entry.kind === 'hardlink' && file.facts === undefined) {
        const target = file.entry.linkname ?? '';
        if (target === path || !scan.entries.has(target)) lowerLinks.push(path);
      }
      implicit.delete(path);
      parents(path);
    }
    for (const path of scan.whiteouts) parents(path);
    for (const path of scan.opaque) parents(`${path}/.`);
    // this layer's hiding, for the layers below only (none below the bottom one)
    if (layer === 0) break;
    for (const [path, file] of scan.entries) {
      if (file.entry.kind !== 'dir') marks.set(path, (marks.get(path) ?? 0) | BLOCKS);
    }
    for (const path of scan.whiteouts) marks.set(path, (marks.get(path) ?? 0) | BLOCKS);
    for (const path of scan.opaque) marks.set(path, (marks.get(path) ?? 0) | OPAQUE);
  }
  if (!visible.has('')) implicit.set('', { entry: dirEntry(''), layer: 0 });
  const oddities = lowerLinks.length > 0 ? linkLowerFiles(scans, visible, lowerLinks) : [];
  return new Tree(visible, implicit, oddities, options.maxResolveSteps ?? MAX_RESOLVE_STEPS);
}

/**
 * Gives each visible hard link to a lower layer's file that file's facts: the runtime made it the
 * same inode when it applied the link's layer, whatever later layers did to the target's name.
 * The target is the entry visible at its path in the layers below the link's, followed down
 * through links to links; a link to nothing there (the runtime fails to apply the layer) is an
 * oddity. Bounded by {@link MAX_LOWER_LINK_LOOKUPS} per merge and {@link MAX_LOWER_LINK_HOPS} per link.
 */
function linkLowerFiles<F>(scans: readonly LayerScan<F>[], visible: Map<string, Visible<F>>, links: readonly string[]): TreeOddity[] {
  const oddities: TreeOddity[] = [];
  let more = 0;
  let lastLayer = 0;
  const odd = (layer: number, message: string): void => {
    lastLayer = Math.max(lastLayer, layer);
    if (oddities.length < MAX_TREE_ODDITIES) oddities.push({ layer, message });
    else more++;
  };
  const budget = { left: MAX_LOWER_LINK_LOOKUPS };
  for (const path of links) {
    const link = visible.get(path) as Visible<F>;
    let target = link.entry.linkname ?? '';
    if (target === path) {
      odd(link.layer, `${path}: a hard link to itself`);
      continue;
    }
    let layer = link.layer;
    for (let hop = 0; ; hop++) {
      const found = hop < MAX_LOWER_LINK_HOPS ? lowerEntry(scans, layer, target, budget) : 'budget';
      if (found === 'budget') {
        odd(link.layer, `${path}: a hard link to ${link.entry.linkname ?? ''}, not followed (more hard links into lower layers than anyarch follows)`);
        break;
      }
      const kind = found?.file.entry.kind;
      if (!found || (kind !== 'file' && kind !== 'hardlink')) {
        odd(link.layer, `${path}: a hard link to ${link.entry.linkname ?? ''}, which no layer below holds`);
        break;
      }
      const below = found.file;
      const next = below.entry.linkname ?? '';
      // a file, or a link below that is settled in its own layer (its target there, facts or none)
      if (below.facts !== undefined || kind === 'file' || (next !== target && scans[found.layer]?.entries.has(next))) {
        if (below.facts !== undefined) visible.set(path, { entry: link.entry, facts: below.facts, layer: link.layer });
        break;
      }
      layer = found.layer;
      target = next;
    }
  }
  if (more > 0) oddities.push({ layer: lastLayer, message: `and ${more} more` });
  return oddities.sort((a, b) => a.layer - b.layer);
}

/** The entry visible at `path` in the layers below `above`, as the runtime saw them when it applied layer `above`. */
function lowerEntry<F>(scans: readonly LayerScan<F>[], above: number, path: string, budget: { left: number }): { file: LayerFile<F>; layer: number } | undefined | 'budget' {
  const parents: string[] = [''];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) parents.push(path.slice(0, i));
  for (let k = above - 1; k >= 0; k--) {
    budget.left -= 1 + parents.length;
    if (budget.left < 0) return 'budget';
    const scan = scans[k] as LayerScan<F>;
    const file = scan.entries.get(path);
    if (file) return { file, layer: k };
    if (scan.whiteouts.has(path)) return undefined;
    for (const dir of parents) {
      // deleted, made opaque, or replaced by a non-directory in this layer: nothing further down is seen
      if (scan.opaque.has(dir) || scan.whiteouts.has(dir)) return undefined;
      const d = dir === '' ? undefined : scan.entries.get(dir);
      if (d && d.entry.kind !== 'dir') return undefined;
    }
  }
  return undefined;
}

/** True when a mark of a higher layer hides `path`: the path or an ancestor blocked, or an ancestor opaque. */
function hiddenBy(marks: ReadonlyMap<string, number>, path: string): boolean {
  const self = marks.get(path);
  if (self !== undefined && self & BLOCKS) return true;
  if (path === '') return false;
  let i = path.lastIndexOf('/');
  while (i > 0) {
    const m = marks.get(path.slice(0, i));
    if (m !== undefined) return true; // BLOCKS or OPAQUE: both hide what is under
    i = path.lastIndexOf('/', i - 1);
  }
  return (marks.get('') ?? 0) !== 0; // the root opaque (or whited out: not possible by name)
}

function dirEntry(path: string): TarEntry {
  return { path, rawPath: path, escapes: false, kind: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0 };
}

/** A directory reached by `resolve`: its children looked up once each (a walk costs a lookup per name, not per path). */
class Dir<F> {
  readonly children = new Map<string, Dir<F> | TreeFile<F> | null>();
  constructor(
    readonly path: string,
    readonly file: TreeFile<F>,
    readonly parent: Dir<F> | undefined,
  ) {}
}

class Tree<F> implements FileTree<F> {
  private sorted: (readonly [string, TreeFile<F>])[] | undefined;
  private root: Dir<F> | undefined;
  private readonly resolved = new Map<string, TreeFile<F> | undefined>();
  private readonly resolvedNoFollow = new Map<string, TreeFile<F> | undefined>();
  /** answers kept (children of directories, results of paths), up to MAX_RESOLVE_CACHE */
  private kept = 0;
  /** path components walked by every resolve so far */
  private steps = 0;

  constructor(
    private readonly visible: ReadonlyMap<string, Visible<F>>,
    private readonly implicit: ReadonlyMap<string, TreeFile<F>>,
    readonly oddities: readonly TreeOddity[],
    private readonly maxSteps: number,
  ) {}

  get size(): number {
    return this.visible.size;
  }

  get(path: string): TreeFile<F> | undefined {
    return this.visible.get(path) ?? this.implicit.get(path);
  }

  files(): Iterable<readonly [string, TreeFile<F>]> {
    if (!this.sorted) {
      const out: (readonly [string, TreeFile<F>])[] = [];
      for (const [p, f] of this.visible) if (f.entry.kind !== 'dir') out.push([p, f]);
      out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.sorted = out;
    }
    return this.sorted;
  }

  /** See FileTree.resolve. Each path's answer is kept; the walk costs one lookup per component (see {@link MAX_RESOLVE_STEPS}). */
  resolve(path: string, opts: { followLast?: boolean } = {}): TreeFile<F> | undefined {
    const followLast = opts.followLast ?? true;
    const memo = followLast ? this.resolved : this.resolvedNoFollow;
    const known = memo.get(path);
    if (known !== undefined || memo.has(path)) return known;
    // a longer path is ENAMETOOLONG for the kernel, and for this tree (no name in it is longer)
    const found = path.length > MAX_TAR_PATH_BYTES ? undefined : this.walk(path, followLast);
    if (this.kept < MAX_RESOLVE_CACHE) {
      memo.set(path, found);
      this.kept++;
    }
    return found;
  }

  private walk(path: string, followLast: boolean): TreeFile<F> | undefined {
    const root = (this.root ??= new Dir('', this.get('') as TreeFile<F>, undefined));
    // components still to walk, last one first
    const rest = path.split('/').reverse();
    let dir = root;
    let found: TreeFile<F> | undefined;
    let hops = 0;
    while (rest.length > 0) {
      const name = rest.pop() as string;
      if (name === '' || name === '.') continue;
      if (++this.steps > this.maxSteps) {
        throw new AnyarchError('E_LIMIT', `resolving paths through this file system's symbolic links took more than ${this.maxSteps} steps`, 'its symbolic links are damaged or hostile (chains through very deep directories)');
      }
      if (name === '..') {
        dir = dir.parent ?? root;
        found = undefined;
        continue;
      }
      const child = this.child(dir, name);
      if (child === null) return undefined;
      while (rest.length > 0 && (rest[rest.length - 1] === '' || rest[rest.length - 1] === '.')) rest.pop();
      const last = rest.length === 0;
      if (child instanceof Dir) {
        dir = child;
        found = child.file;
        continue;
      }
      if (child.entry.kind === 'symlink' && (!last || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = child.entry.linkname ?? '';
        if (target === '') return undefined; // ENOENT, as Linux
        if (target.charCodeAt(0) === 0x2f) dir = root;
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) rest.push(parts[i] as string);
        found = undefined;
        continue;
      }
      if (!last) return undefined; // ENOTDIR
      found = child;
    }
    return found ?? dir.file;
  }

  /** The entry `name` in `dir`: a directory to walk on, another entry, or null when there is none. */
  private child(dir: Dir<F>, name: string): Dir<F> | TreeFile<F> | null {
    const known = dir.children.get(name);
    if (known !== undefined) return known;
    const path = dir.path === '' ? name : `${dir.path}/${name}`;
    const f = path.length > MAX_TAR_PATH_BYTES ? undefined : this.get(path);
    const child = f === undefined ? null : f.entry.kind === 'dir' ? new Dir(path, f, dir) : f;
    if (this.kept < MAX_RESOLVE_CACHE) {
      dir.children.set(name, child);
      this.kept++;
    }
    return child;
  }
}
