/**
 * `anyarch assemble`: a multi-platform image without an engine (crane/ko-style). A base (an index
 * or image from any source; none: scratch) + per-platform files + config changes -> a new index in
 * a {@link BlobStore}, ready for `publish` (push by digest, verify, tag) or the layout and archive
 * writers.
 *
 * Layers: each platform's image is the base's layers (borrowed, never copied), then one layer of
 * every platform-less addition (the same bytes, so the same digest, for every platform: stored
 * and pushed once), then one layer of that platform's own additions. Layers are deterministic
 * (src/build/layer.ts: sorted entries, mtime = `epoch`, uid/gid 0, fixed gzip), image paths only
 * (no host path reaches a layer, a config or a history step), so the same inputs give the same
 * digests on any host, in any directory, under any umask.
 *
 * Before anything is written, every added ELF or PE file is judged against the platform it is
 * added for (src/binary): a binary that does not run there is `E_INPUT` naming the file, what it
 * is and the platform.
 */
import { AnyarchError } from '../errors.js';
import type { Image, Index } from '../oci/image.js';
import { formatPlatform, normalizePlatform, platformKey, samePlatform, type Platform } from '../platform/index.js';
import { findArchitectureMismatches, listAdditions, mismatchError, type AddedFile, type FileAddition } from './additions.js';
import { baseAnnotations, standardAnnotations } from './annotations.js';
import type { BlobStore } from './blob-store.js';
import { composeIndex, type ComposeEntry } from './compose.js';
import { writeImage, type ConfigChanges } from './image-writer.js';
import { createdFromEpoch, writeLayer, type LayerEntry, type WrittenLayer } from './layer.js';
import type { ImageAnnotations } from './types.js';
import { walkIndex } from '../oci/walk.js';

export type { FileAddition } from './additions.js';
export { parseAddition } from './additions.js';

export interface AssembleOptions {
  /** the base: an index or one image (absent: scratch) */
  readonly base?: Index | Image;
  /** the base's name as the user gave it (the `org.opencontainers.image.base.name` annotation) */
  readonly baseName?: string;
  /** one image per platform, in this order (see {@link assemblyPlatforms} for the default) */
  readonly platforms: readonly Platform[];
  readonly additions: readonly FileAddition[];
  readonly config?: ConfigChanges;
  /** seconds: every entry's mtime and the configs' `created` (default 0; the CLI passes SOURCE_DATE_EPOCH) */
  readonly epoch?: number;
  /** the index's standard annotations (base name and digest are added from `base`/`baseName`) */
  readonly annotations?: ImageAnnotations;
  readonly store: BlobStore;
  /** where relative addition paths are read from (default the process's working directory) */
  readonly cwd?: string;
  /** gzip level of the new layers (default layer.ts's, 6) */
  readonly level?: number;
}

/** The platforms of an image or index (attestations and entries without a platform left out), in its order. */
export async function basePlatforms(base: Index | Image): Promise<Platform[]> {
  if (base.kind === 'image') {
    const c = await base.config();
    return [normalizePlatform({ os: c.os, architecture: c.architecture, variant: c.variant ?? '' })];
  }
  const walk = await walkIndex(base, { name: base.descriptor.digest });
  const out: Platform[] = [];
  for (const w of walk.images) {
    if (!w.platform) continue;
    const p = normalizePlatform({ os: w.platform.os, architecture: w.platform.architecture, variant: w.platform.variant ?? '' });
    if (!out.some((q) => samePlatform(p, q))) out.push(p);
  }
  return out;
}

/**
 * The platforms to assemble when `--platform` is not given: those the per-platform additions
 * name (in the order first named); with none, the base's; with no base either, `E_USAGE`.
 * A named platform the base lacks is refused later, by {@link assemble}.
 */
export async function assemblyPlatforms(additions: readonly FileAddition[], base?: Index | Image): Promise<Platform[]> {
  const out: Platform[] = [];
  for (const a of additions) if (a.platform && !out.some((p) => samePlatform(p, a.platform as Platform))) out.push(normalizePlatform(a.platform));
  if (out.length) return out;
  if (base) return basePlatforms(base);
  throw new AnyarchError('E_USAGE', 'no platform to assemble: name them with --platform, or add files per platform (--add PLATFORM=SRC:DEST)', 'e.g. --platform linux/amd64,linux/arm64');
}

/** The base's image for `platform` itself (not a compatible one containerd would fall back to). */
async function baseImageFor(base: Index | Image, platform: Platform, name: string): Promise<Image> {
  const image = base.kind === 'index' ? await base.imageFor(platform) : base;
  const c = await image.config();
  const got = normalizePlatform({ os: c.os, architecture: c.architecture, variant: c.variant ?? '' });
  if (!samePlatform(got, platform)) {
    const have = (await basePlatforms(base)).map(formatPlatform).join(', ');
    throw new AnyarchError('E_NOT_FOUND', `the base ${name} has no ${formatPlatform(platform)} image (it has ${have})`, 'assemble only the platforms the base publishes (--platform)');
  }
  return image;
}

/** What goes in a history step of an added layer: image paths only (host paths would make digests depend on the directory). */
function createdBy(additions: readonly FileAddition[]): string {
  const text = `anyarch assemble: ${additions.map((a) => a.to).join(' ')}`;
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}

function layerEntries(files: readonly AddedFile[]): LayerEntry[] {
  const seen = new Map<string, AddedFile>();
  const out: LayerEntry[] = [];
  for (const f of files) {
    const had = seen.get(f.to);
    if (had && !(had.kind === 'dir' && f.kind === 'dir')) {
      throw new AnyarchError('E_USAGE', `${f.to} is added twice for ${f.addition.platform ? formatPlatform(f.addition.platform) : 'every platform'} (from ${had.addition.from} and ${f.addition.from})`, 'each path in the image comes from one --add');
    }
    if (had) continue;
    seen.set(f.to, f);
    if (f.kind === 'file') out.push({ path: f.to, kind: 'file', from: f.file });
    else if (f.kind === 'dir') out.push({ path: f.to, kind: 'dir' });
    else out.push({ path: f.to, kind: 'symlink', target: f.target as string });
  }
  return out;
}

/**
 * Assembles the index (see the module comment). Order of work: platforms and additions checked,
 * base images found, every added binary judged, and only then layers, configs, manifests and the
 * index written to the store. Errors: `E_USAGE` (no platforms, a platform twice, an addition for a
 * platform not assembled, a path added twice, a platform other than Linux), `E_NOT_FOUND` (a file, or a platform the base
 * lacks), `E_INPUT` (a binary of the wrong architecture, an unreadable file).
 */
export async function assemble(opts: AssembleOptions): Promise<Index> {
  const cwd = opts.cwd ?? process.cwd();
  const platforms = opts.platforms.map(normalizePlatform);
  if (platforms.length === 0) throw new AnyarchError('E_USAGE', 'no platform to assemble');
  const keys = new Set<string>();
  for (const p of platforms) {
    // a Windows layer keeps its files under Files/ with registry hives beside them: not what writeLayer makes
    if (p.os !== 'linux') throw new AnyarchError('E_USAGE', `${formatPlatform(p)}: assemble makes Linux images only`, 'build Windows images with an engine (anyarch build) on a Windows builder');
    if (keys.has(platformKey(p) + p.os)) throw new AnyarchError('E_USAGE', `${formatPlatform(p)} is named twice`);
    keys.add(platformKey(p) + p.os);
  }
  for (const a of opts.additions) {
    if (a.platform && !platforms.some((p) => samePlatform(p, a.platform as Platform))) {
      throw new AnyarchError('E_USAGE', `${a.from} is added for ${formatPlatform(a.platform)}, which is not assembled (${platforms.map(formatPlatform).join(', ')})`, 'add the platform to --platform, or leave the addition out');
    }
  }
  const baseName = opts.baseName ?? opts.base?.descriptor.digest ?? 'scratch';
  const bases = opts.base ? await Promise.all(platforms.map((p) => baseImageFor(opts.base as Index | Image, p, baseName))) : undefined;

  const files = await listAdditions(opts.additions, cwd);
  const mismatches = await findArchitectureMismatches(files, platforms, cwd);
  if (mismatches.length) throw mismatchError(mismatches);

  const sharedAdditions = opts.additions.filter((a) => !a.platform);
  const sharedFiles = files.filter((f) => !f.addition.platform);
  const ownFiles = (p: Platform): AddedFile[] => files.filter((f) => f.addition.platform && samePlatform(f.addition.platform, p));
  const layerOpts = { epoch: opts.epoch ?? 0, ...(opts.level !== undefined ? { level: opts.level } : {}) };
  // entries are checked before any layer is written: a path twice is refused with nothing stored
  const sharedEntries = layerEntries(sharedFiles);
  const ownEntries = platforms.map((p) => layerEntries(ownFiles(p)));

  // the layers at once (gzip runs on libuv's threads: every core), then the images in order
  const sharedLayer = sharedEntries.length ? writeLayer(sharedEntries, opts.store, layerOpts) : undefined;
  const ownLayers = platforms.map((p, i) => ((ownEntries[i] as LayerEntry[]).length ? writeLayer(ownEntries[i] as LayerEntry[], opts.store, layerOpts) : undefined));
  const sharedWritten = await sharedLayer;
  const shared: (WrittenLayer & { createdBy: string }) | undefined = sharedWritten ? { ...sharedWritten, createdBy: createdBy(sharedAdditions) } : undefined;
  const created = createdFromEpoch(opts.epoch ?? 0);
  const images = await Promise.all(
    platforms.map(async (platform, i) => {
      const layers: (WrittenLayer & { createdBy: string })[] = shared ? [shared] : [];
      const own = await ownLayers[i];
      if (own) layers.push({ ...own, createdBy: createdBy(opts.additions.filter((a) => a.platform && samePlatform(a.platform, platform))) });
      const base = bases?.[i];
      return writeImage(opts.store, { platform, ...(base ? { base } : {}), layers, ...(opts.config ? { config: opts.config } : {}), created });
    }),
  );
  const entries: ComposeEntry[] = platforms.map((platform, i) => ({ platform, image: images[i] as Image }));
  const annotations = standardAnnotations({ ...opts.annotations, ...(opts.base ? baseAnnotations(opts.baseName, opts.base.descriptor.digest) : {}) });
  return composeIndex(opts.store, entries, { annotations });
}
