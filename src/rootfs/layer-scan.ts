/**
 * One layer read once: every entry of its tar by cleaned path, what an inspector kept of each
 * regular file, and the layer's OCI whiteouts.
 *
 *   scanLayer(stream, inspect, options?) -> Promise<LayerScan<F>>
 *
 * Whiteouts (OCI image spec, "Whiteouts"): `<dir>/.wh..wh..opq` marks `<dir>` opaque (matched
 * before the generic prefix); any other `.wh..wh.*` is an AUFS meta entry and skipped;
 * `<dir>/.wh.<name>` deletes `<dir>/<name>` from the layers below. Whiteout entries are never
 * listed as files. A hard link gets the facts of its target when that is an earlier entry of the
 * same layer (a target in a lower layer is `mergeLayers`'s to find; one that is no file is an
 * oddity, not an error); a later entry of a path replaces an earlier one.
 *
 * The scan path is synchronous: the inspector's `Capture.push` sees each body chunk as a view
 * into the stream's chunk (never copied by the reader), and a body nobody captures is skipped.
 * Kept per entry: the {@link TarEntry} (path, mode, size, link target, ids) and the facts; no
 * body bytes. An entry without facts is stored as the reader's own object (one object and one map
 * slot per entry): measured 182 bytes of heap per entry for 10^6 entries with 40-character paths
 * (test/support/rootfs-scan-child.ts), and `mergeLayers` adds 79 per visible entry.
 *
 * Bounds: the tar reader's (src/rootfs/tar.ts: entries, PAX size, path length), plus
 * {@link MAX_LAYER_UNCOMPRESSED_BYTES} read of the stream, {@link MAX_LAYER_NAME_CHARS} for all
 * names kept of one layer, an optional {@link EntryBudget} shared by the layers of an image (each
 * `E_LIMIT`), and {@link MAX_LAYER_ODDITIES} oddities listed (the rest counted in one last line).
 */
import type { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import { readTar, type TarOptions, type TarSink } from './tar.js';
import type { Capture, Inspector, LayerFile, LayerScan, TarEntry } from './types.js';

/** Most characters of names (paths and link targets) one layer's scan keeps: 128 Mi (10^6 entries of 128 characters). */
export const MAX_LAYER_NAME_CHARS = 128 * 1024 * 1024;
/** Most oddities listed per layer; more are counted in one last line. */
export const MAX_LAYER_ODDITIES = 1000;
/**
 * Most uncompressed bytes read of one layer, trailing bytes after the tar's end included: 32 GiB
 * (the largest real layers, model weights baked into an image, hold tens of GiB; a gzip bomb
 * inflates about 1000-fold, so 32 MiB stored reach it). At the bound, `E_LIMIT`; reaching it costs
 * the time to inflate and hash 32 GiB (measured 2.5 s per GiB on the shared test machine).
 */
export const MAX_LAYER_UNCOMPRESSED_BYTES = 32 * 1024 ** 3;

/** Entries several scans may read in all (the layers of one image): each entry read takes one; none left is `E_LIMIT`. */
export interface EntryBudget {
  left: number;
  /** the budget's size, for the message */
  readonly limit: number;
}

export interface ScanOptions extends TarOptions {
  /** default {@link MAX_LAYER_NAME_CHARS} */
  readonly maxNameChars?: number;
  /** shared with the scans of the other layers of an image (see src/verify's MAX_IMAGE_ENTRIES) */
  readonly entryBudget?: EntryBudget;
}

const OPAQUE = '.wh..wh..opq';
const META_PREFIX = '.wh..wh.';
const WHITEOUT_PREFIX = '.wh.';

/** A file of the layer; `facts` is set when its body ends. */
class ScanFile<F> implements LayerFile<F> {
  constructor(
    readonly entry: TarEntry,
    public facts: F | undefined,
  ) {}
}

/** Streams a capture's chunks in and keeps its facts on the file. */
class CaptureSink<F> implements TarSink {
  constructor(
    private readonly capture: Capture<F>,
    private readonly file: ScanFile<F>,
  ) {}
  write(chunk: Uint8Array, offset: number): boolean {
    return this.capture.push(chunk, offset);
  }
  end(size: number): void {
    this.file.facts = this.capture.finish(size);
  }
}

/** Reads a layer's tar to its end; see the header of this file. */
export async function scanLayer<F>(stream: Readable, inspect: Inspector<F>, options: ScanOptions = {}): Promise<LayerScan<F>> {
  const entries = new Map<string, LayerFile<F>>();
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  const oddities: string[] = [];
  let moreOddities = 0;
  let entryCount = 0;
  let nameChars = 0;
  const maxNameChars = options.maxNameChars ?? MAX_LAYER_NAME_CHARS;
  const budget = options.entryBudget;
  const what = options.what ?? 'tar';
  const odd = (s: string): void => {
    if (oddities.length < MAX_LAYER_ODDITIES) oddities.push(s);
    else moreOddities++;
  };

  const stats = await readTar(
    stream,
    (entry) => {
      entryCount++;
      if (budget && --budget.left < 0) {
        throw new AnyarchError('E_LIMIT', `${what}: the layers of this image hold more than ${budget.limit} entries`, 'an image with this many files is damaged or hostile');
      }
      const path = entry.path;
      nameChars += path.length + (entry.rawPath === path ? 0 : entry.rawPath.length) + (entry.linkname?.length ?? 0);
      if (nameChars > maxNameChars) {
        throw new AnyarchError('E_LIMIT', `${what}: its names add up to more than ${maxNameChars} characters`, 'a layer with this many or this long names is damaged or hostile');
      }
      const slash = path.lastIndexOf('/');
      // whiteouts: `.wh.` at the start of the last segment
      if (path.charCodeAt(slash + 1) === 0x2e && path.startsWith(WHITEOUT_PREFIX, slash + 1)) {
        const dir = slash === -1 ? '' : path.slice(0, slash);
        if (path.length - slash - 1 === OPAQUE.length && path.endsWith(OPAQUE)) {
          opaque.add(dir);
        } else if (path.startsWith(META_PREFIX, slash + 1)) {
          // AUFS meta entries (.wh..wh.plnk, .wh..wh.aufs): not part of the file system
        } else {
          const name = path.slice(slash + 1 + WHITEOUT_PREFIX.length);
          if (name === '' || name === '.' || name === '..') odd(`${entry.rawPath}: a whiteout naming no file, ignored`);
          else whiteouts.add(slash === -1 ? name : `${dir}/${name}`);
        }
        return undefined;
      }
      if (entry.escapes) odd(`${entry.rawPath}: a name outside the root, read as /${path}`);
      if (entry.kind === 'hardlink') {
        // a target no earlier entry of this layer names is a lower layer's file, or nothing: mergeLayers tells
        const target = entries.get(entry.linkname ?? '');
        if (target && target.entry.kind !== 'file' && target.entry.kind !== 'hardlink') {
          odd(`${path}: a hard link to ${entry.linkname ?? ''}, which is no file`);
        } else if (target?.facts !== undefined) {
          entries.set(path, new ScanFile<F>(entry, target.facts));
          return undefined;
        }
      }
      if (entry.kind === 'file') {
        const capture = inspect(entry);
        if (capture) {
          const file = new ScanFile<F>(entry, undefined);
          entries.set(path, file);
          return new CaptureSink(capture, file);
        }
      }
      // nothing kept but the entry: the reader's entry object is its own LayerFile (see tar.ts)
      entries.set(path, entry);
      return undefined;
    },
    { ...options, maxBytes: options.maxBytes ?? MAX_LAYER_UNCOMPRESSED_BYTES },
  );
  if (moreOddities > 0) oddities.push(`and ${moreOddities} more`);
  return { entries, whiteouts, opaque, entryCount, bytes: stats.streamBytes, oddities };
}
