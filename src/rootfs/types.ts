/**
 * The shapes of the root file system of an image as `verify` reads it: a layer's tar streamed
 * once (nothing extracted to disk), each entry offered to an inspector that keeps only the bytes
 * a verdict needs, the layers merged top-down with OCI whiteout semantics into the final tree.
 *
 * Paths are cleaned the one way everywhere: relative to the root, no leading `/` or `./`, no
 * trailing `/`, `.` segments dropped, `..` resolved and clamped at the root (a name that climbs
 * out is recorded as `escapes`, never followed), the root itself is ''.
 */

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

/** One tar entry after PAX (`x`/`g`), GNU long names (`L`/`K`) and the ustar prefix are applied. */
export interface TarEntry {
  /** the cleaned path (see above) */
  readonly path: string;
  /** the name exactly as the tar gave it (after PAX/GNU long names), for messages */
  readonly rawPath: string;
  /** true when the raw name was absolute or climbed out of the root with `..` */
  readonly escapes: boolean;
  readonly kind: EntryKind;
  /** permission bits and set-id bits (the low 12 bits of the tar mode) */
  readonly mode: number;
  /** body bytes (0 for everything but regular files) */
  readonly size: number;
  /** symlink target as written, or the cleaned path of a hard link's target */
  readonly linkname?: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * What an inspector keeps of one regular file while its body streams past. `push` is called
 * with consecutive chunks (their offset in the file), and returns false when it needs no more
 * bytes (the rest of the body is skipped without copying). `finish` is called once, at the end
 * of the body or after the last `push` returned false, with the file's size; it returns the
 * facts to keep (small: headers, a string), or undefined to keep nothing.
 */
export interface Capture<F> {
  push(chunk: Uint8Array, offset: number): boolean;
  finish(size: number): F | undefined;
}

/** Decides per regular file whether, and how, to look at its bytes. */
export type Inspector<F> = (entry: TarEntry) => Capture<F> | undefined;

/** A non-directory entry of a layer, with what the inspector kept of it. */
export interface LayerFile<F> {
  readonly entry: TarEntry;
  /** facts kept by the inspector (regular files only; a hard link gets its target's, same layer) */
  readonly facts?: F;
}

/** One layer, read once. */
export interface LayerScan<F> {
  /** every entry but whiteouts, by cleaned path; a later duplicate in the same tar replaces an earlier one */
  readonly entries: ReadonlyMap<string, LayerFile<F>>;
  /** paths deleted from lower layers (`.wh.<name>`, the marker itself not listed in `entries`) */
  readonly whiteouts: ReadonlySet<string>;
  /** directories whose lower children are hidden (`.wh..wh..opq`) */
  readonly opaque: ReadonlySet<string>;
  /** entries read (all kinds, whiteouts and meta entries included) */
  readonly entryCount: number;
  /** uncompressed tar bytes read */
  readonly bytes: number;
  /** names the reader refused or could not use (escapes, hard links to missing targets...), for the report */
  readonly oddities: readonly string[];
}

/** A path of the final tree and the layer (0 = bottom) whose entry is visible there. */
export interface TreeFile<F> extends LayerFile<F> {
  readonly layer: number;
}

/** The final file system of an image: the layers merged top-down. */
export interface FileTree<F> {
  /** the visible entry at a path (no link followed); undefined when nothing is there */
  get(path: string): TreeFile<F> | undefined;
  /**
   * The entry a path names with every symlink followed inside the tree (as the kernel would in
   * a chroot: absolute targets from the root, `..` clamped at the root, intermediate directory
   * links followed too), at most {@link MAX_SYMLINK_HOPS} links; undefined when it leads nowhere
   * or loops. With `followLast: false` the last component is not followed.
   */
  resolve(path: string, opts?: { followLast?: boolean }): TreeFile<F> | undefined;
  /** every visible non-directory entry, in path order */
  files(): Iterable<readonly [string, TreeFile<F>]>;
  /** number of visible entries */
  readonly size: number;
  /** what the merge could not use, by the layer of the entry (hard links to nothing below...); bounded */
  readonly oddities?: readonly TreeOddity[];
}

/** A name of a layer the merge could not use, for the report. */
export interface TreeOddity {
  /** the layer (0 = bottom) of the entry */
  readonly layer: number;
  readonly message: string;
}

/** Linux's limit on symlinks followed in one lookup (`MAXSYMLINKS`). */
export const MAX_SYMLINK_HOPS = 40;
