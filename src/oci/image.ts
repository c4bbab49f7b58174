/**
 * The image layer above {@link ImageSource}, in the spirit of go-containerregistry's `v1.Image`,
 * `v1.ImageIndex` and `partial`: open a root once ({@link openRoot}) and ask it for things: an
 * index's children by descriptor or by platform, an image's manifest, config and layers.
 *
 * Everything is read lazily and at most once per opened root: manifests and configs are
 * memoised promises keyed by digest (with the size and media type the descriptor claims, which
 * the source checks too), shared by every object the root hands out, so an index whose entries
 * repeat one manifest or config reads it once, and asking twice reads once. A failed read is
 * remembered as well (asking again gives the same error, reading nothing). Layers are streams
 * and are read each time they are asked for. Constructors do no I/O, every method returns a
 * promise, and nothing here mutates what it was given.
 *
 * The work of one root is bounded by what it fetched: the bytes of manifests, indexes and
 * configs it reads add up against a limit ({@link DEFAULT_MAX_IMAGE_BYTES}, `maxBytes` of
 * {@link openRoot}), counted before each read at the size its descriptor declares (a source
 * refuses content of another size), so nothing is read past it; and at most
 * {@link MAX_CONCURRENT_READS} of those reads are in flight at once, however many entries ask.
 */
import type { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import type { Platform } from '../platform/index.js';
import { isDigest, type Digest } from './digest.js';
import { openLayer, type Layer } from './layer.js';
import { MAX_CONFIG_BYTES, parseConfig, parseConfigDetails, type ConfigDetails, type ContainerConfig, type Descriptor, type HistoryEntry, type ImageConfig, type ImageIndex, type ImageManifest } from './manifest.js';
import { MediaType } from './media.js';
import type { FetchedManifest, ImageSource } from './source.js';
import { imageForPlatform } from './walk.js';

export type { Layer, LayerCompression } from './layer.js';

/**
 * Most bytes of manifests, indexes and configs read for one opened root, by default (256 MiB:
 * a 64-platform image with 4 MiB manifests and 16 MiB configs would stay under a quarter of
 * it). Layers are streamed, not held, and do not count.
 */
export const DEFAULT_MAX_IMAGE_BYTES = 256 * 1024 * 1024;
/** Manifest and config reads of one opened root in flight at once. */
export const MAX_CONCURRENT_READS = 8;

export interface OpenRootOptions {
  /**
   * most bytes of manifests, indexes and configs read for this root, the root's own included
   * (default {@link DEFAULT_MAX_IMAGE_BYTES}); a read that would pass it is `E_LIMIT` naming the
   * image, and so is every read after it
   */
  readonly maxBytes?: number;
}

/** An image index (OCI index or Docker manifest list) of an opened root. */
export interface Index {
  readonly kind: 'index';
  /** the index's descriptor (for the root: as the source served it) */
  readonly descriptor: Descriptor;
  /** the parsed index */
  manifest(): Promise<ImageIndex>;
  /** the index's exact bytes (its digest is computed over them) */
  manifestBytes(): Promise<Uint8Array>;
  /**
   * The image an entry names: an entry of this index or of an index nested in it (children of
   * one root share one store). `E_MANIFEST` when the content is an index, not an image.
   */
  image(child: Descriptor): Promise<Image>;
  /** The nested index an entry names. `E_MANIFEST` when the content is an image manifest. */
  index(child: Descriptor): Promise<Index>;
  /**
   * The image for `platform`, as containerd matches it (BuildKit picks base images this way):
   * the platform itself (`linux/arm64/v8` = `linux/arm64`), else the most preferred compatible
   * one (arm/v6 for arm/v7, 386 for amd64...). Nested indexes are searched, attestations never.
   * `E_NOT_FOUND`, naming the platforms there are, when none fits. When the platform itself is
   * not there and an entry without a platform could not be read, that entry's error (`E_DIGEST`
   * first) instead of a fallback: the unreadable entry may be the platform asked for.
   */
  imageFor(platform: Platform | string): Promise<Image>;
  /**
   * An entry that is neither an image nor an index (an artifact's blob), as the source's stream,
   * verified at its end. `E_NOT_FOUND` for a descriptor this index does not list.
   */
  blob(entry: Descriptor): Promise<Readable>;
}

/** One platform's image: a manifest, its config and its layers. */
export interface Image {
  readonly kind: 'image';
  /** the manifest's descriptor (for the root: as the source served it) */
  readonly descriptor: Descriptor;
  /** the parsed manifest */
  manifest(): Promise<ImageManifest>;
  /** the manifest's exact bytes */
  manifestBytes(): Promise<Uint8Array>;
  /**
   * the parsed config: the platform, `created`, `rootfs.diff_ids` checked; every other field as
   * the JSON has it (the container config and history are read with {@link containerConfig}
   * and {@link history}, which check them)
   */
  config(): Promise<ImageConfig>;
  /**
   * What the image runs with (Entrypoint, Cmd, Env, WorkingDir, User, Labels), checked as Docker
   * decodes it (null values as Docker reads them; `E_MANIFEST` for what it refuses, a wrong
   * `history` included: Docker decodes the config whole). Undefined when the config has none, or
   * is not an image config (an artifact's).
   */
  containerConfig(): Promise<ContainerConfig | undefined>;
  /** the config's exact bytes (verified against the manifest's config descriptor) */
  configBytes(): Promise<Uint8Array>;
  /**
   * The layers, in order, each with its diff id and the history step that made it (when the
   * config says; `E_MANIFEST` when its `rootfs.diff_ids` are not one per layer). Reads the
   * manifest and, for an image config media type, the config, whose history is checked as
   * {@link containerConfig} says.
   */
  layers(): Promise<readonly Layer[]>;
  /**
   * The config's history, oldest first, each step with the layer it made (steps marked
   * `empty_layer` made none). Layers are paired only when the steps that made layers are as
   * many as the layers; otherwise no step has one.
   */
  history(): Promise<readonly HistoryStep[]>;
  /**
   * The config or a layer as stored, by its descriptor, as the source's stream verified at its
   * end (what a push uploads: nothing is parsed or held whole). `E_NOT_FOUND` for a descriptor
   * the manifest does not name.
   */
  blob(d: Descriptor): Promise<Readable>;
}

/** One step of an image's history and, when it made one, its layer. */
export interface HistoryStep {
  readonly entry: HistoryEntry;
  readonly layer?: Layer;
}

type Key = string;

function configWhat(d: Descriptor, source: ImageSource): string {
  return `config ${d.digest} of ${source.name}`;
}

function manifestKey(d: Descriptor): Key {
  return `${d.digest} ${d.size} ${d.mediaType}`;
}

function blobKey(d: Descriptor): Key {
  return `${d.digest} ${d.size}`;
}

/** A child object per descriptor as asked for (the same manifest listed under two platforms is two entries). */
function entryKey(d: Descriptor): Key {
  return JSON.stringify(d);
}

function memo<T>(map: Map<Key, Promise<T>>, key: Key, read: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = read();
    map.set(key, p);
  }
  return p;
}

/** Runs at most `limit` tasks at a time, the others in the order they were asked for (verify bounds its layer reads with one too). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((go) => waiting.push(go));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** What one opened root has read, shared by every object it hands out. */
class Store {
  private readonly limit = limiter(MAX_CONCURRENT_READS);
  /** bytes of manifests, indexes and configs read (or being read) */
  private bytesRead = 0;
  /** the first read refused by the limit; every later read is refused with it */
  exceeded: AnyarchError | undefined;
  private readonly manifests = new Map<Key, Promise<FetchedManifest>>();
  private readonly configBytes = new Map<Key, Promise<Uint8Array>>();
  private readonly configs = new Map<Key, Promise<ImageConfig>>();
  private readonly details = new Map<Key, Promise<ConfigDetails>>();
  private readonly images = new Map<Key, Promise<StoredImage>>();
  private readonly indexes = new Map<Key, Promise<StoredIndex>>();

  constructor(
    readonly source: ImageSource,
    readonly maxBytes: number,
  ) {}

  /** Remembers the root the source gave, so asking for it by descriptor reads nothing. */
  seed(root: FetchedManifest): void {
    this.count(root.bytes.length, `its root ${root.descriptor.digest}`);
    this.manifests.set(manifestKey(root.descriptor), Promise.resolve(root));
  }

  /** Counts `size` bytes about to be read against the limit; `E_LIMIT` when they would pass it. */
  private count(size: number, what: string): void {
    if (this.exceeded) throw this.exceeded;
    if (this.bytesRead + size > this.maxBytes) {
      this.exceeded = new AnyarchError(
        'E_LIMIT',
        `${this.source.name}: reading ${what} would take the manifests and configs read for this image past ${this.maxBytes} bytes (${this.bytesRead} read so far); anyarch stops there`,
        'if the image is meant to be this large, raise the limit: --max-image-mib (maxImageBytes in the library)',
      );
      throw this.exceeded;
    }
    this.bytesRead += size;
  }

  /** A whole read of `d`, counted and limited (the count is taken when the read starts). */
  private fetch<T>(d: Descriptor, what: string, read: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      this.count(d.size, what);
      return read();
    });
  }

  manifest(d: Descriptor): Promise<FetchedManifest> {
    return memo(this.manifests, manifestKey(d), () => this.fetch(d, `manifest ${d.digest}`, () => this.source.manifest(d)));
  }

  configBlob(d: Descriptor): Promise<Uint8Array> {
    return memo(this.configBytes, blobKey(d), () => this.fetch(d, `config ${d.digest}`, () => this.source.blob(d, MAX_CONFIG_BYTES)));
  }

  config(d: Descriptor): Promise<ImageConfig> {
    return memo(this.configs, blobKey(d), async () => parseConfig(await this.configBlob(d), configWhat(d, this.source)));
  }

  /** The config's container config and history, checked once. */
  configDetails(d: Descriptor): Promise<ConfigDetails> {
    return memo(this.details, blobKey(d), async () => parseConfigDetails(await this.config(d), configWhat(d, this.source)));
  }

  image(d: Descriptor): Promise<StoredImage> {
    return memo(this.images, entryKey(d), async () => {
      const m = await this.manifest(d);
      if (m.manifest.kind !== 'manifest') {
        throw new AnyarchError('E_MANIFEST', `${this.source.name}: entry ${d.digest} is declared as ${d.mediaType} but is an index`);
      }
      return new StoredImage(this, d);
    });
  }

  index(d: Descriptor): Promise<StoredIndex> {
    return memo(this.indexes, entryKey(d), async () => {
      const m = await this.manifest(d);
      if (m.manifest.kind !== 'index') {
        throw new AnyarchError('E_MANIFEST', `${this.source.name}: entry ${d.digest} is declared as ${d.mediaType} but is an image manifest`);
      }
      return new StoredIndex(this, d);
    });
  }

  blobStream(d: Descriptor): Promise<Readable> {
    return this.source.blobStream(d);
  }
}

class StoredIndex implements Index {
  readonly kind = 'index' as const;

  constructor(
    private readonly store: Store,
    readonly descriptor: Descriptor,
  ) {}

  async manifest(): Promise<ImageIndex> {
    const m = (await this.store.manifest(this.descriptor)).manifest;
    // the store checked the kind when it handed this index out
    return m as ImageIndex;
  }

  async manifestBytes(): Promise<Uint8Array> {
    return (await this.store.manifest(this.descriptor)).bytes;
  }

  image(child: Descriptor): Promise<Image> {
    return this.store.image(child);
  }

  index(child: Descriptor): Promise<Index> {
    return this.store.index(child);
  }

  imageFor(platform: Platform | string): Promise<Image> {
    return imageForPlatform(this, platform, this.store.source.name);
  }

  async blob(entry: Descriptor): Promise<Readable> {
    const m = await this.manifest();
    if (!m.manifests.some((d) => d.digest === entry.digest && d.size === entry.size)) throw notNamed(entry, this.descriptor, this.store.source.name);
    return this.store.blobStream(entry);
  }
}

function notNamed(d: Descriptor, by: Descriptor, name: string): AnyarchError {
  return new AnyarchError('E_NOT_FOUND', `${name}: ${by.digest} names no blob ${d.digest} of ${d.size} bytes`);
}

/**
 * The config's diff ids as digests, one per layer; undefined for a config without `rootfs` (or no
 * image config). Another count than the layers' is `E_MANIFEST`, as Docker and containerd refuse
 * such an image: no layer could be checked against its own.
 */
function diffIdsFor(config: ImageConfig | undefined, layers: number, what: string): readonly Digest[] | undefined {
  const ids = config?.rootfs?.diff_ids;
  if (!ids) return undefined;
  if (ids.length !== layers) throw new AnyarchError('E_MANIFEST', `${what}: "rootfs.diff_ids" lists ${ids.length} diff ids for ${layers} layers`);
  ids.forEach((id, i) => {
    if (!isDigest(id)) throw new AnyarchError('E_MANIFEST', `${what}: "rootfs.diff_ids[${i}]" is not a digest`);
  });
  return ids as readonly Digest[];
}

/** The history steps that made layers, when they are as many as the layers. */
function layerSteps(history: readonly HistoryEntry[], layers: number): readonly HistoryEntry[] | undefined {
  const made = history.filter((h) => h.empty_layer !== true);
  return made.length === layers && layers > 0 ? made : undefined;
}

function isImageConfig(mediaType: string): boolean {
  return mediaType === MediaType.OCI_CONFIG || mediaType === MediaType.DOCKER_CONFIG;
}

class StoredImage implements Image {
  readonly kind = 'image' as const;
  private layerList: Promise<readonly Layer[]> | undefined;

  constructor(
    private readonly store: Store,
    readonly descriptor: Descriptor,
  ) {}

  async manifest(): Promise<ImageManifest> {
    // the store checked the kind when it handed this image out
    return (await this.store.manifest(this.descriptor)).manifest as ImageManifest;
  }

  async manifestBytes(): Promise<Uint8Array> {
    return (await this.store.manifest(this.descriptor)).bytes;
  }

  async config(): Promise<ImageConfig> {
    return this.store.config((await this.manifest()).config);
  }

  async configBytes(): Promise<Uint8Array> {
    return this.store.configBlob((await this.manifest()).config);
  }

  async containerConfig(): Promise<ContainerConfig | undefined> {
    const m = await this.manifest();
    if (!isImageConfig(m.config.mediaType)) return undefined;
    return (await this.store.configDetails(m.config)).container;
  }

  layers(): Promise<readonly Layer[]> {
    this.layerList ??= (async () => {
      const m = await this.manifest();
      // an artifact's config (the empty descriptor, an SBOM...) says nothing about layers
      const image = isImageConfig(m.config.mediaType);
      const config = image ? await this.config() : undefined;
      const diffIds = diffIdsFor(config, m.layers.length, configWhat(m.config, this.store.source));
      const steps = image ? layerSteps((await this.store.configDetails(m.config)).history, m.layers.length) : undefined;
      return m.layers.map((d, i) =>
        openLayer(d, {
          index: i,
          diffId: diffIds?.[i],
          history: steps?.[i],
          read: () => this.store.blobStream(d),
          what: `layer ${i + 1} (${d.digest}) of ${this.store.source.name}`,
        }),
      );
    })();
    return this.layerList;
  }

  async history(): Promise<readonly HistoryStep[]> {
    const m = await this.manifest();
    if (!isImageConfig(m.config.mediaType)) return [];
    const [{ history }, layers] = await Promise.all([this.store.configDetails(m.config), this.layers()]);
    const paired = layerSteps(history, layers.length) !== undefined;
    let next = 0;
    return history.map((entry) => {
      if (!paired || entry.empty_layer === true) return { entry };
      return { entry, layer: layers[next++] as Layer };
    });
  }

  async blob(d: Descriptor): Promise<Readable> {
    const m = await this.manifest();
    const named = [m.config, ...m.layers].some((x) => x.digest === d.digest && x.size === d.size);
    if (!named) throw notNamed(d, this.descriptor, this.store.source.name);
    return this.store.blobStream(d);
  }
}

/**
 * Opens the root of `source` (what its reference names): reads the root manifest or index, and
 * nothing else. The source stays the caller's to close.
 */
export async function openRoot(source: ImageSource, opts: OpenRootOptions = {}): Promise<Index | Image> {
  const root = await source.root();
  const store = new Store(source, opts.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES);
  store.seed(root);
  const opened = root.manifest.kind === 'index' ? new StoredIndex(store, root.descriptor) : new StoredImage(store, root.descriptor);
  stores.set(opened, store);
  return opened;
}

const stores = new WeakMap<Index | Image, Store>();

/**
 * The `E_LIMIT` error of a root ({@link openRoot}) whose reads passed its byte limit, or
 * undefined. Once passed, every further read of the root fails with it, so a report of the root
 * is incomplete: the image as a whole could not be read within the limit.
 */
export function readLimitError(root: Index | Image): AnyarchError | undefined {
  return stores.get(root)?.exceeded;
}
