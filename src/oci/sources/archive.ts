/**
 * Archive sources, read in place through a tar index (src/oci/tar.ts): nothing is extracted,
 * small JSON entries are read whole and layers are streamed from their offset.
 *
 *  - `oci-archive:FILE[:TAG]`: a tar of an OCI image layout (what `skopeo copy … oci-archive:`
 *    and `docker buildx build --output type=oci` write); read exactly like `oci:DIR`.
 *  - `docker-archive:FILE[:NAME:TAG | :@N]`: `docker save` output. `manifest.json` lists the
 *    images (`Config`, `RepoTags`, `Layers`). Two styles exist:
 *      - Docker 25+ (and containerd) also write an OCI layout into the tar; when its index.json
 *        leads to the image manifest whose config and layers are the ones manifest.json lists,
 *        that manifest is the root, with its real digest.
 *      - classic `docker save` (and skopeo's docker-archive) has no registry manifest at all:
 *        the root is then a Docker v2.2 manifest synthesised from manifest.json. Its config
 *        descriptor is the config file's digest and size; each layer is the layer file as stored
 *        (`…rootfs.diff.tar`, or `…rootfs.diff.tar.gzip` when the file starts with the gzip
 *        magic bytes). **Its digest is synthetic**: computed over anyarch's own serialisation,
 *        it is not the digest the image had in any registry and cannot be pulled by. The root
 *        descriptor says so with the {@link SYNTHETIC_MANIFEST_ANNOTATION} annotation.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import { digestOf, isDigest, verifyBytes, type Digest } from '../digest.js';
import { decodeJson, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, parseConfig, parseManifest, type Descriptor, type ImageConfig } from '../manifest.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../media.js';
import { formatReference, tryParseReference } from '../reference.js';
import type { ImageSource } from '../source.js';
import { entryStream, findEntry, indexTar, readEntry, readEntryHead, type TarIndex } from '../tar.js';
import { blobPath, CONTAINERD_NAME_ANNOTATION, readLayoutIndex, selectIndexEntry, StoredImageSource, type LayoutFiles } from './layout.js';

/**
 * Annotation on the root descriptor of a docker-archive image whose manifest anyarch
 * synthesised (value: `docker-archive`). Its digest is anyarch's, not a registry's.
 */
export const SYNTHETIC_MANIFEST_ANNOTATION = 'dev.anyarch.synthetic-manifest';

/** Most manifests and indexes looked at when searching a Docker 25+ archive's layout. */
const MAX_LAYOUT_VISITS = 256;

/** A tar archive's entries as layout files. */
class TarFiles implements LayoutFiles {
  constructor(private readonly index: TarIndex) {}
  async size(p: string): Promise<number | undefined> {
    return findEntry(this.index, p)?.size;
  }
  read(p: string, limit: number): Promise<Uint8Array> {
    return readEntry(this.index, p, limit);
  }
  stream(p: string): Readable {
    return entryStream(this.index, p);
  }
}

/**
 * Opens a tar of an OCI image layout; `tag` selects the index.json entry as for
 * {@link import('./layout.js').openOciLayout} (tag, full reference or digest; none: the only image).
 */
export async function openOciArchive(file: string, tag?: string): Promise<ImageSource> {
  const display = `oci-archive:${file}`;
  const index = await indexTar(file, { display });
  const files = new TarFiles(index);
  const hint = findEntry(index, 'manifest.json') ? `this looks like \`docker save\` output: use docker-archive:${file}` : undefined;
  const { index: layoutIndex } = await readLayoutIndex(files, display, hint);
  const root = selectIndexEntry(layoutIndex.manifests, tag, display, `oci-archive:${file}:TAG`);
  return new StoredImageSource('oci-archive', `${display}${tag ? `:${tag}` : ''}`, files, root, { storeName: 'the archive' });
}

/** One image of `docker save`'s manifest.json. */
interface DockerSaveEntry {
  readonly Config: string;
  readonly RepoTags: readonly string[];
  readonly Layers: readonly string[];
}

function parseDockerManifestJson(bytes: Uint8Array, display: string): DockerSaveEntry[] {
  const what = `${display}: manifest.json`;
  const r = decodeJson(bytes);
  if ('reason' in r) throw new AnyarchError('E_MANIFEST', `${what}: ${r.reason}`);
  const v = r.value;
  if (!Array.isArray(v)) throw new AnyarchError('E_MANIFEST', `${what}: not a JSON array of images`);
  return v.map((item: unknown, i): DockerSaveEntry => {
    const e = item as Record<string, unknown> | null;
    const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new AnyarchError('E_MANIFEST', `${what}: image #${i} is not an object`);
    if (typeof e.Config !== 'string' || e.Config === '') throw new AnyarchError('E_MANIFEST', `${what}: image #${i} has no "Config"`);
    if (!strings(e.Layers)) throw new AnyarchError('E_MANIFEST', `${what}: image #${i} has no "Layers" list`);
    if (e.RepoTags !== undefined && e.RepoTags !== null && !strings(e.RepoTags)) throw new AnyarchError('E_MANIFEST', `${what}: image #${i} has an invalid "RepoTags"`);
    return { Config: e.Config, Layers: e.Layers, RepoTags: (e.RepoTags as string[] | null | undefined) ?? [] };
  });
}

function listImages(entries: readonly DockerSaveEntry[]): string {
  return entries.map((e, i) => (e.RepoTags.length ? e.RepoTags.map((t) => JSON.stringify(t)).join(', ') : `@${i} (untagged)`)).join('; ');
}

function normalized(s: string): string | undefined {
  const r = tryParseReference(s);
  return r ? formatReference(r) : undefined;
}

/** The manifest.json entry `ref` names: `@N`, or a RepoTag compared as Docker does (`alpine` = `docker.io/library/alpine:latest`). */
function selectDockerImage(entries: readonly DockerSaveEntry[], ref: string | undefined, display: string, file: string): { entry: DockerSaveEntry; index: number } {
  if (entries.length === 0) throw new AnyarchError('E_NOT_FOUND', `${display}: holds no image (manifest.json is empty)`);
  if (ref === undefined || ref === '') {
    if (entries.length === 1) return { entry: entries[0] as DockerSaveEntry, index: 0 };
    throw new AnyarchError('E_SOURCE', `${display}: holds ${entries.length} images, name one: ${listImages(entries)}`, `write docker-archive:${file}:NAME:TAG or docker-archive:${file}:@N (N from 0)`);
  }
  const at = /^@([0-9]+)$/.exec(ref);
  if (at) {
    const n = Number(at[1]);
    const entry = entries[n];
    if (!entry) throw new AnyarchError('E_NOT_FOUND', `${display}: has no image @${n} (it holds ${entries.length}: @0 to @${entries.length - 1})`);
    return { entry, index: n };
  }
  const wanted = normalized(ref);
  const index = entries.findIndex((e) => e.RepoTags.some((t) => t === ref || (wanted !== undefined && normalized(t) === wanted)));
  if (index === -1) throw new AnyarchError('E_NOT_FOUND', `${display}: no image tagged "${ref}"; it holds ${listImages(entries)}`);
  return { entry: entries[index] as DockerSaveEntry, index };
}

/** The digest a path names: `blobs/<alg>/<hex>`, `<hex>.json`, `<hex>.tar` (undefined otherwise). */
function digestFromPath(p: string): Digest | undefined {
  const blob = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(p.replace(/^(\.\/)+/, ''));
  if (blob) {
    const d = `${blob[1]}:${blob[2]}`;
    return isDigest(d) ? d : undefined;
  }
  const named = /^([0-9a-f]{64})\.(?:json|tar)$/.exec(p);
  return named ? (`sha256:${named[1]}` as Digest) : undefined;
}

function compressionOf(head: Uint8Array): 'gzip' | 'zstd' | 'none' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

const LAYER_MEDIA_TYPE = { gzip: MediaType.DOCKER_LAYER, zstd: MediaType.OCI_LAYER_ZSTD, none: MediaType.DOCKER_LAYER_TAR } as const;

async function hashEntry(index: TarIndex, name: string): Promise<Digest> {
  const h = createHash('sha256');
  for await (const chunk of entryStream(index, name)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/**
 * Docker 25+: the image manifest in the archive's OCI layout whose config is `configDigest` and
 * whose layers are the files manifest.json lists. Undefined when there is no layout or no such
 * manifest (one that is missing or does not parse is passed over). The entries index.json names
 * with one of the image's `repoTags` (`io.containerd.image.name`, as Docker writes it) are looked
 * at first, and a manifest or index under them whose bytes do not match its digest or declared
 * size is `E_DIGEST`: the image's own manifest, altered, is never passed over in silence for a
 * synthesised one. Altered content of the archive's other images is passed over.
 */
async function findLayoutManifest(
  index: TarIndex,
  files: TarFiles,
  display: string,
  wanted: { readonly configDigest: Digest; readonly layers: readonly string[]; readonly repoTags: readonly string[] },
): Promise<Descriptor | undefined> {
  const { configDigest, layers } = wanted;
  if (!findEntry(index, 'oci-layout') || !findEntry(index, 'index.json')) return undefined;
  let queue: { d: Descriptor; ours: boolean }[];
  try {
    const names = new Set(wanted.repoTags.map((t) => normalized(t) ?? t));
    const named = (d: Descriptor): boolean => {
      const n = d.annotations?.[CONTAINERD_NAME_ANNOTATION];
      return n !== undefined && names.has(normalized(n) ?? n);
    };
    const entries = (await readLayoutIndex(files, display)).index.manifests.map((d) => ({ d, ours: named(d) }));
    queue = [...entries.filter((e) => e.ours), ...entries.filter((e) => !e.ours)];
  } catch (e) {
    if (e instanceof AnyarchError) return undefined; // manifest.json is what a docker-archive is read from
    throw e;
  }
  const wantedLayers = layers.map((l) => findEntry(index, l)?.name);
  // each manifest or index read once, however many entries name it (the image's own first), and
  // no more queued than can be visited: an index listing a 4 MiB index 300 times cost 2 GB
  const seen = new Set<string>();
  for (let visits = 0; queue.length > 0 && visits < MAX_LAYOUT_VISITS; visits++) {
    const { d, ours } = queue.shift() as { d: Descriptor; ours: boolean };
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    if (!isIndexMediaType(d.mediaType) && !isManifestMediaType(d.mediaType)) continue;
    if (d.size > MAX_MANIFEST_BYTES) continue;
    let p: string;
    try {
      p = blobPath(d.digest);
    } catch {
      continue;
    }
    const stored = findEntry(index, p);
    if (!stored) continue;
    const what = `${display}: manifest ${d.digest}`;
    let m;
    try {
      if (stored.size !== d.size) throw new AnyarchError('E_DIGEST', `${what}: ${stored.size} bytes, but its descriptor declares ${d.size}`, 'the content was altered in storage; nothing was used');
      const bytes = await readEntry(index, p, MAX_MANIFEST_BYTES);
      verifyBytes(bytes, d.digest, what);
      m = parseManifest(bytes, what, d.mediaType);
    } catch (e) {
      if (ours && isAnyarchError(e) && e.code === 'E_DIGEST') throw e;
      if (e instanceof AnyarchError) continue; // not usable: the manifest is synthesised, and config and layers verified on their own
      throw e;
    }
    if (m.kind === 'index') {
      for (const child of m.manifests) {
        if (queue.length >= MAX_LAYOUT_VISITS) break;
        if (!seen.has(child.digest)) queue.push({ d: child, ours });
      }
      continue;
    }
    if (m.config.digest !== configDigest || m.layers.length !== layers.length) continue;
    if (m.layers.every((l, i) => wantedLayers[i] !== undefined && findEntry(index, blobPath(l.digest))?.name === wantedLayers[i])) return d;
  }
  return undefined;
}

/**
 * Opens `docker save` output. `ref` selects the image: a RepoTag (`name:tag`, normalised like
 * Docker: `alpine` matches `alpine:latest` and `docker.io/library/alpine:latest`) or `@N`, the
 * N-th image (from 0); without it the archive must hold one image. The root is the image's
 * manifest (the real one from a Docker 25+ archive's layout, else a synthesised Docker v2.2
 * manifest with a synthetic digest: see the module comment).
 */
export async function openDockerArchive(file: string, ref?: string): Promise<ImageSource> {
  const display = `docker-archive:${file}`;
  const name = `${display}${ref ? `:${ref}` : ''}`;
  const index = await indexTar(file, { display });
  const files = new TarFiles(index);
  if (!findEntry(index, 'manifest.json')) {
    const isOci = findEntry(index, 'oci-layout') !== undefined;
    throw new AnyarchError(
      'E_SOURCE',
      `${display}: not a \`docker save\` archive (it has no manifest.json)`,
      isOci ? `it is a tar of an OCI layout: use oci-archive:${file}` : 'write one with `docker save -o FILE IMAGE` or `skopeo copy … docker-archive:FILE:NAME:TAG`',
    );
  }
  const entries = parseDockerManifestJson(await readEntry(index, 'manifest.json', MAX_MANIFEST_BYTES), display);
  const { entry, index: n } = selectDockerImage(entries, ref, display, file);
  const image = entry.RepoTags[0] ?? `@${n}`;

  // The config: its digest is what its bytes hash to (and what its file name says, when it says).
  const configEntry = findEntry(index, entry.Config);
  if (!configEntry) throw new AnyarchError('E_NOT_FOUND', `${display}: the config of ${image} (${entry.Config}) is not in the archive`);
  const configBytes = await readEntry(index, entry.Config, MAX_CONFIG_BYTES);
  const named = digestFromPath(configEntry.name);
  if (named) verifyBytes(configBytes, named, `${display}: config ${entry.Config}`);
  const configDigest = digestOf(configBytes, named?.startsWith('sha512:') ? 'sha512' : 'sha256');
  const config: ImageConfig = parseConfig(configBytes, `${display}: config ${entry.Config}`);

  const real = await findLayoutManifest(index, files, display, { configDigest, layers: entry.Layers, repoTags: entry.RepoTags });
  if (real) return new StoredImageSource('docker-archive', name, files, real, { storeName: 'the archive' });

  // Classic: synthesise the manifest from the files.
  const where = new Map<string, string>([[configDigest, configEntry.name]]);
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layers: Descriptor[] = [];
  // one descriptor per layer file, however often manifest.json lists it: each file is hashed once
  const described = new Map<string, Descriptor>();
  for (const [i, layerPath] of entry.Layers.entries()) {
    const layer = findEntry(index, layerPath);
    if (!layer) throw new AnyarchError('E_NOT_FOUND', `${display}: layer ${i + 1} of ${image} (${layerPath}) is not in the archive`, 'the archive is incomplete (foreign layers are not saved by docker); save the image again');
    const known = described.get(layer.name);
    if (known) {
      layers.push(known);
      continue;
    }
    const compression = compressionOf(await readEntryHead(index, layerPath, 4));
    const diffId = diffIds[i];
    // The digest of the file as stored: named by its path, the diff id for an uncompressed tar
    // with as many diff ids as layers (blobStream checks it when read), else hashed once here.
    let digest = digestFromPath(layer.name);
    if (!digest && compression === 'none' && diffIds.length === entry.Layers.length && diffId !== undefined && isDigest(diffId)) digest = diffId;
    digest ??= await hashEntry(index, layerPath);
    where.set(digest, layer.name);
    const d: Descriptor = { mediaType: LAYER_MEDIA_TYPE[compression], size: layer.size, digest };
    described.set(layer.name, d);
    layers.push(d);
  }
  const manifestBytes = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.DOCKER_MANIFEST,
      config: { mediaType: MediaType.DOCKER_CONFIG, size: configBytes.length, digest: configDigest },
      layers,
    }),
  );
  const digest = digestOf(manifestBytes);
  const platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  const root: Descriptor = {
    mediaType: MediaType.DOCKER_MANIFEST,
    digest,
    size: manifestBytes.length,
    annotations: { [SYNTHETIC_MANIFEST_ANNOTATION]: 'docker-archive' },
    platform,
  };
  return new StoredImageSource('docker-archive', name, files, root, {
    storeName: 'the archive',
    memory: new Map([[digest, manifestBytes]]),
    locate: (d) => where.get(d),
  });
}
