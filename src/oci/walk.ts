/**
 * The one walk of an image index that `platforms`, `verify` and `build` share: nested indexes
 * followed (to a depth limit, refusing cycles, each distinct index read once), every entry
 * listed once however often indexes repeat it, attestation entries kept apart and linked to the
 * image they describe, entries of unknown media types kept as ignored (the spec says a reader
 * must not fail on them), and the whole walk bounded by {@link MAX_INDEX_ENTRIES} so that a
 * small hostile index cannot make it quadratic. Entries without a `platform` take it from their
 * image's config, as containerd reads them.
 *
 * Entries are listed breadth first: the root's entries in order, then those of the indexes it
 * names, in the order it names them, and so on.
 */
import { AnyarchError, isAnyarchError } from '../errors.js';
import { bestMatch, formatPlatform, makePlatform, parsePlatform, type Platform } from '../platform/index.js';
import type { Digest } from './digest.js';
import type { Image, Index } from './image.js';
import { isAttestationEntry, REFERENCE_DIGEST, REFERENCE_TYPE, type Descriptor, type ImageIndex, type OciPlatform } from './manifest.js';
import { isIndexMediaType, isManifestMediaType } from './media.js';

/** Most entries read across an index and its nested indexes. */
export const MAX_INDEX_ENTRIES = 10_000;
/** Deepest index nesting followed by default. */
export const DEFAULT_MAX_DEPTH = 4;

/** An image manifest entry of the walked index (or of an index nested in it). */
export interface WalkedImage {
  /** the entry as listed */
  readonly descriptor: Descriptor;
  /** digests of the nested indexes the entry was found under (empty at the root) */
  readonly via: readonly Digest[];
  /**
   * The entry's platform: as listed, or, for an entry without one, as its image's config says
   * (`os`, `architecture`, `variant`, `os.version`). Undefined when that config could not be read.
   */
  readonly platform?: OciPlatform;
  /** where `platform` comes from */
  readonly platformFrom: 'index' | 'config';
  /** why an entry without a platform has none: its manifest or config could not be read */
  readonly error?: AnyarchError;
}

/** An attestation entry (BuildKit's `attestation-manifest`, or another reference type). */
export interface WalkedAttestation {
  readonly descriptor: Descriptor;
  readonly via: readonly Digest[];
  /** `vnd.docker.reference.type` */
  readonly referenceType?: string;
  /** `vnd.docker.reference.digest`: the image manifest it describes */
  readonly describes?: string;
  /** that image's entry, when the walk found it (the last one listed with that digest) */
  readonly subject?: WalkedImage;
}

/** A nested index the walk read (every distinct one once; the root is not listed). */
export interface WalkedIndex {
  /** the entry as first listed */
  readonly descriptor: Descriptor;
  /** digests of the indexes above it, the root's children first (empty: the root lists it) */
  readonly via: readonly Digest[];
}

export interface IndexWalk {
  readonly images: readonly WalkedImage[];
  /**
   * the nested indexes read, breadth first (what a push puts up before the indexes that list
   * them, and `build` before its root)
   */
  readonly indexes: readonly WalkedIndex[];
  readonly attestations: readonly WalkedAttestation[];
  /** entries of media types that are neither images nor indexes */
  readonly ignored: readonly Descriptor[];
}

export interface WalkOptions {
  /** deepest index nesting followed (default {@link DEFAULT_MAX_DEPTH}) */
  readonly maxDepth?: number;
  /** how messages name the image (default: the root's digest) */
  readonly name?: string;
  /**
   * read the config of an entry without a platform, to learn its platform (default true);
   * false reads nothing but indexes (such entries then have neither a platform nor an error)
   */
  readonly configs?: boolean;
}

interface Level {
  readonly manifest: ImageIndex;
  readonly via: readonly Digest[];
}

/** The platform an image's config names. */
async function configPlatform(image: Image): Promise<OciPlatform> {
  const c = await image.config();
  return {
    os: c.os,
    architecture: c.architecture,
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c['os.version'] ? { 'os.version': c['os.version'] } : {}),
  };
}

/** An entry's failure to keep: an AnyarchError as it is; anything else is a bug, thrown on. */
export function entryError(e: unknown): AnyarchError {
  if (isAnyarchError(e)) return e;
  throw e;
}

/** Walks `index` and what it nests; reads the nested indexes and the configs of entries without a platform. */
export async function walkIndex(index: Index, opts: WalkOptions = {}): Promise<IndexWalk> {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const name = opts.name ?? index.descriptor.digest;
  const listed: { descriptor: Descriptor; via: readonly Digest[] }[] = [];
  const indexes: WalkedIndex[] = [];
  const attestations: { descriptor: Descriptor; via: readonly Digest[] }[] = [];
  const ignored: Descriptor[] = [];
  const seenIndexes = new Set<string>([index.descriptor.digest]);
  const seenEntries = new Set<string>();
  let entries = 0;

  let level: Level[] = [{ manifest: await index.manifest(), via: [] }];
  while (level.length > 0) {
    const nested: Promise<Level>[] = [];
    try {
      for (const { manifest, via } of level) {
        for (const entry of manifest.manifests) {
          if (++entries > MAX_INDEX_ENTRIES) throw new AnyarchError('E_LIMIT', `${name}: more than ${MAX_INDEX_ENTRIES} index entries; anyarch stops there`);
          const key = `${entry.digest} ${entry.mediaType} ${entry.platform ? formatPlatform(entry.platform) : ''}`;
          if (seenEntries.has(key)) continue;
          seenEntries.add(key);
          if (isAttestationEntry(entry)) {
            attestations.push({ descriptor: entry, via });
          } else if (isIndexMediaType(entry.mediaType)) {
            if (via.includes(entry.digest) || entry.digest === index.descriptor.digest) {
              throw new AnyarchError('E_MANIFEST', `${name}: the indexes form a cycle (at ${entry.digest})`);
            }
            // walked already (breadth first: by a path no longer than this one): once per digest
            if (seenIndexes.has(entry.digest)) continue;
            if (via.length + 1 > maxDepth) throw new AnyarchError('E_MANIFEST', `${name}: indexes nested deeper than ${maxDepth} levels (at ${entry.digest})`);
            seenIndexes.add(entry.digest);
            const below = [...via, entry.digest];
            indexes.push({ descriptor: entry, via });
            nested.push(index.index(entry).then(async (child) => ({ manifest: await child.manifest(), via: below })));
          } else if (isManifestMediaType(entry.mediaType)) {
            listed.push({ descriptor: entry, via });
          } else {
            ignored.push(entry);
          }
        }
      }
    } catch (e) {
      // nested reads already under way must not be left to fail unobserved
      await Promise.allSettled(nested);
      throw e;
    }
    level = await Promise.all(nested);
  }

  const images = await Promise.all(
    listed.map(async ({ descriptor, via }): Promise<WalkedImage> => {
      if (descriptor.platform) return { descriptor, via, platform: descriptor.platform, platformFrom: 'index' };
      if (opts.configs === false) return { descriptor, via, platformFrom: 'config' };
      try {
        return { descriptor, via, platform: await configPlatform(await index.image(descriptor)), platformFrom: 'config' };
      } catch (e) {
        return { descriptor, via, platformFrom: 'config', error: entryError(e) };
      }
    }),
  );
  const byDigest = new Map(images.map((i) => [i.descriptor.digest as string, i]));
  return {
    images,
    indexes,
    attestations: attestations.map(({ descriptor, via }): WalkedAttestation => {
      const describes = descriptor.annotations?.[REFERENCE_DIGEST];
      const referenceType = descriptor.annotations?.[REFERENCE_TYPE];
      const subject = describes ? byDigest.get(describes) : undefined;
      return { descriptor, via, ...(referenceType ? { referenceType } : {}), ...(describes ? { describes } : {}), ...(subject ? { subject } : {}) };
    }),
    ignored,
  };
}

function toPlatform(p: OciPlatform): Platform {
  return makePlatform(p.os, p.architecture, p.variant ?? '');
}

/**
 * The image of `index` for `wanted` (see {@link Index.imageFor}): containerd's order of
 * compatible platforms, the first listed entry of the best one. When the platform itself is not
 * there and an entry's platform could not be read (its manifest or config failed), that entry
 * may be the one wanted: its error is thrown (content that failed its digest first) rather than
 * a less preferred platform handed out, or `E_NOT_FOUND` said.
 */
export async function imageForPlatform(index: Index, wanted: Platform | string, name: string): Promise<Image> {
  const platform = typeof wanted === 'string' ? parsePlatform(wanted) : wanted;
  const walk = await walkIndex(index, { name });
  const candidates = walk.images.filter((i): i is WalkedImage & { platform: OciPlatform } => i.platform !== undefined);
  const published = candidates.map((c) => toPlatform(c.platform));
  const match = bestMatch(platform, published);
  if (!match?.exact) {
    const errors = walk.images.flatMap((i) => (i.error ? [i.error] : []));
    const first = errors.find((e) => e.code === 'E_DIGEST') ?? errors[0];
    if (first) throw first;
  }
  if (!match) {
    const there = [...new Set(published.map(formatPlatform))];
    throw new AnyarchError('E_NOT_FOUND', `${name} has no image for ${formatPlatform(platform)}${there.length ? ` (it has ${there.join(', ')})` : ' (it lists no platform)'}`);
  }
  const hit = candidates[published.indexOf(match.platform)] as WalkedImage;
  return index.image(hit.descriptor);
}
