/**
 * One OCI index over per-platform images from anywhere (an engine's export, a buildah layout, a
 * registry, images assembled here): the index is written into a {@link BlobStore}, and the
 * children's manifests, configs and layers are borrowed, not copied, so the store serves the
 * whole image (to a push, to verify, to a layout or archive writer) while each blob stays where it
 * was. What goes in is checked first: no two entries of one platform, every child an image
 * manifest.
 */
import { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import type { Descriptor, OciPlatform } from '../oci/manifest.js';
import { isManifestMediaType, MediaType } from '../oci/media.js';
import { formatPlatform, normalizePlatform, samePlatform, type Platform } from '../platform/index.js';
import type { BlobStore } from './blob-store.js';

export interface ComposeEntry {
  readonly platform: Platform;
  readonly image: Image;
}

/** Most entries an index composed here may have (an index with more is no multi-platform image). */
export const MAX_COMPOSE_ENTRIES = 256;

/** The `platform` of an index entry (variant only when there is one). */
export function entryPlatform(p: Platform): OciPlatform {
  return { architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) };
}

/**
 * An OCI index listing `entries` in the order given, each with its platform, written into
 * `store` with `annotations` (none when empty), its children's blobs borrowed from where they
 * live. `E_INPUT` for no entries, two entries of one platform (as containerd matches platforms:
 * `linux/arm64/v8` is `linux/arm64`) or a child that is not an image manifest.
 */
export async function composeIndex(store: BlobStore, entries: readonly ComposeEntry[], opts: { annotations?: Readonly<Record<string, string>> } = {}): Promise<Index> {
  if (entries.length === 0) throw new AnyarchError('E_INPUT', 'an index needs at least one image');
  if (entries.length > MAX_COMPOSE_ENTRIES) throw new AnyarchError('E_LIMIT', `${entries.length} images for one index: at most ${MAX_COMPOSE_ENTRIES}`);
  entries.forEach((e, i) => {
    const twin = entries.findIndex((o) => samePlatform(normalizePlatform(o.platform), normalizePlatform(e.platform)));
    if (twin !== i) {
      throw new AnyarchError(
        'E_INPUT',
        `two images for ${formatPlatform(e.platform)}: ${(entries[twin] as ComposeEntry).image.descriptor.digest} and ${e.image.descriptor.digest}`,
        'an index has one image per platform; leave one of them out',
      );
    }
    if (!isManifestMediaType(e.image.descriptor.mediaType)) {
      throw new AnyarchError('E_INPUT', `${e.image.descriptor.digest} (${formatPlatform(e.platform)}) is a ${e.image.descriptor.mediaType}, not an image manifest`);
    }
  });

  const manifests: Descriptor[] = [];
  for (const { platform, image } of entries) {
    const d = image.descriptor;
    manifests.push({ mediaType: d.mediaType, digest: d.digest, size: d.size, platform: entryPlatform(platform) });
    await borrowImage(store, image);
  }
  const annotations = opts.annotations && Object.keys(opts.annotations).length > 0 ? { ...opts.annotations } : undefined;
  const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests, ...(annotations ? { annotations } : {}) };
  const descriptor = await store.put(new TextEncoder().encode(JSON.stringify(index)), MediaType.OCI_INDEX);
  const root = await openRoot(store.source(descriptor));
  if (root.kind !== 'index') throw new AnyarchError('E_INTERNAL', `the composed index ${descriptor.digest} opened as an image`);
  return root;
}

/** The image's manifest, config and layers (foreign layers, which live at their URLs, left out) borrowed by the store. */
async function borrowImage(store: BlobStore, image: Image): Promise<void> {
  const m = await image.manifest();
  store.borrow(image.descriptor, async () => Readable.from([await image.manifestBytes()]));
  for (const d of [m.config, ...m.layers.filter((l) => !l.urls?.length)]) store.borrow(d, () => image.blob(d));
}
