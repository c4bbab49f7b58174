/**
 * New images in a {@link BlobStore}: a config and an OCI manifest written to the store over the
 * layers of a base image (borrowed from wherever the base lives, never copied) and new layers
 * ({@link writeLayer}). The config is the base's own JSON with what Docker's builder would change:
 * the platform, `created`, `rootfs.diff_ids` (the base's, then the new layers'), `history` (the
 * base's, then one step per new layer with its `created_by`), and the container config changes
 * (ENTRYPOINT, CMD, ENV, WORKDIR, USER, LABEL, EXPOSE, applied as Docker's dispatcher does).
 *
 * {@link compressImage} turns an image whose layers are uncompressed tars (`docker save`, an
 * engine's export) into one with gzip layers (same diff ids, the config's exact bytes) and OCI
 * media types, ready to push.
 *
 * Both return the image opened from the store (`openRoot(store.source(...))`), so everything that
 * reads it (verify, push, the archive writers) reads it through the project's own parsers and
 * digest checks.
 */
import * as posix from 'node:path/posix';
import { AnyarchError } from '../errors.js';
import { limiter, openRoot, type Image } from '../oci/image.js';
import { decodeJson, type Descriptor, type OciPlatform } from '../oci/manifest.js';
import { MediaType } from '../oci/media.js';
import type { Platform } from '../platform/index.js';
import type { BlobStore } from './blob-store.js';
import { gzipLayer, type WrittenLayer } from './layer.js';
import { entryPlatform } from './compose.js';

export interface ConfigChanges {
  /** ENTRYPOINT (exec form); without `cmd`, the base's CMD is cleared, as Docker does */
  readonly entrypoint?: readonly string[];
  /** CMD (exec form) */
  readonly cmd?: readonly string[];
  /** ENV: `KEY=VALUE` each, replacing the same KEY (case-insensitively on Windows) */
  readonly env?: readonly string[];
  /** WORKDIR; a relative one is taken from the current working directory, as Docker does */
  readonly workdir?: string;
  /** USER */
  readonly user?: string;
  /** LABEL: added to (or replacing) the base's labels */
  readonly labels?: Readonly<Record<string, string>>;
  /** EXPOSE: `8080`, `8080/tcp`, `53/udp`, `8000-8002/tcp` */
  readonly exposedPorts?: readonly string[];
}

export interface ImageSpec {
  readonly platform: Platform;
  /** absent: scratch */
  readonly base?: Image;
  readonly layers: readonly (WrittenLayer & { readonly createdBy: string })[];
  readonly config?: ConfigChanges;
  /** RFC 3339 (default 1970-01-01T00:00:00Z; the caller passes SOURCE_DATE_EPOCH's time: `createdFromEpoch`) */
  readonly created?: string;
  /** the manifest's annotations */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The OCI media type of a layer of the same bytes (Docker's types renamed; others kept). */
export function ociLayerMediaType(mediaType: string): string {
  switch (mediaType) {
    case MediaType.DOCKER_LAYER:
      return MediaType.OCI_LAYER_GZIP;
    case MediaType.DOCKER_LAYER_TAR:
      return MediaType.OCI_LAYER;
    case MediaType.DOCKER_FOREIGN_LAYER:
      return 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
    default:
      return mediaType;
  }
}

function ociLayer(d: Descriptor): Descriptor {
  const { mediaType, digest, size, urls, annotations } = d;
  return { mediaType: ociLayerMediaType(mediaType), digest, size, ...(urls ? { urls } : {}), ...(annotations ? { annotations } : {}) };
}

function sorted<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: readonly string[], what: string): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new AnyarchError('E_INPUT', `${what} is not a list of strings`);
  return [...v];
}

/** `8080` -> [`8080/tcp`]; `8000-8002/udp` -> three; `E_INPUT` for anything else. */
export function exposedPorts(spec: string): string[] {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(spec.trim());
  const from = Number(m?.[1]);
  const to = m?.[2] !== undefined ? Number(m[2]) : from;
  if (!m || from < 1 || to > 65535 || to < from) throw new AnyarchError('E_INPUT', `EXPOSE ${JSON.stringify(spec)} is not a port (1-65535), a range, or either with /tcp, /udp or /sctp`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = from; p <= to; p++) out.push(`${p}/${proto}`);
  return out;
}

/** The container config with `changes` applied, as Docker's dispatcher applies the instructions. */
export function applyConfigChanges(base: Record<string, unknown>, changes: ConfigChanges, platform: Platform): Record<string, unknown> {
  const c: Record<string, unknown> = { ...base };
  if (changes.env) {
    const folded = platform.os === 'windows';
    const key = (kv: string): string => {
      const k = kv.slice(0, kv.indexOf('='));
      return folded ? k.toUpperCase() : k;
    };
    const env = Array.isArray(c.Env) ? (c.Env as unknown[]).filter((e): e is string => typeof e === 'string') : [];
    for (const kv of stringList(changes.env, 'env')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new AnyarchError('E_INPUT', `ENV ${JSON.stringify(kv)} is not KEY=VALUE`);
      const at = env.findIndex((e) => e.includes('=') && key(e) === key(kv));
      if (at === -1) env.push(kv);
      else env[at] = kv;
    }
    c.Env = env;
  }
  if (changes.workdir !== undefined) {
    const w = changes.workdir;
    if (w === '' || w.includes('\0')) throw new AnyarchError('E_INPUT', `WORKDIR ${JSON.stringify(w)} is not a directory`);
    const current = typeof c.WorkingDir === 'string' && c.WorkingDir !== '' ? c.WorkingDir : '/';
    let dir = posix.normalize(w.startsWith('/') ? w : posix.join(current, w));
    if (dir.length > 1) dir = dir.replace(/\/+$/, '');
    c.WorkingDir = dir;
  }
  if (changes.user !== undefined) c.User = changes.user;
  if (changes.labels) {
    const labels: Record<string, string> = isObject(c.Labels) ? ({ ...c.Labels } as Record<string, string>) : {};
    for (const [k, v] of Object.entries(changes.labels)) {
      if (k === '' || typeof v !== 'string') throw new AnyarchError('E_INPUT', `LABEL ${JSON.stringify(k)} needs a name and a string value`);
      labels[k] = v;
    }
    c.Labels = sorted(labels);
  }
  if (changes.exposedPorts) {
    const ports: Record<string, unknown> = isObject(c.ExposedPorts) ? { ...c.ExposedPorts } : {};
    for (const spec of stringList(changes.exposedPorts, 'exposed ports')) for (const p of exposedPorts(spec)) ports[p] = {};
    c.ExposedPorts = sorted(ports);
  }
  if (changes.entrypoint) {
    c.Entrypoint = stringList(changes.entrypoint, 'entrypoint');
    // Docker: an ENTRYPOINT resets the CMD the base image set (not one set in the same build)
    if (!changes.cmd) delete c.Cmd;
  }
  if (changes.cmd) c.Cmd = stringList(changes.cmd, 'cmd');
  return c;
}

const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$/;

async function baseConfigJson(base: Image): Promise<Record<string, unknown>> {
  const r = decodeJson(await base.configBytes());
  if ('reason' in r || !isObject(r.value)) throw new AnyarchError('E_MANIFEST', `base image ${base.descriptor.digest}: its config is not a JSON object`);
  return r.value;
}

/** The image of `manifest` put into the store, opened from it. */
async function openStored(store: BlobStore, manifest: Record<string, unknown>, platform: OciPlatform | undefined): Promise<Image> {
  const d = await store.put(Buffer.from(JSON.stringify(manifest)), MediaType.OCI_MANIFEST);
  const root = await openRoot(store.source({ ...d, ...(platform ? { platform } : {}) }));
  if (root.kind !== 'image') throw new AnyarchError('E_INTERNAL', `blob store: ${d.digest} is not an image manifest`);
  return root;
}

/**
 * Writes a new image into `store`: the base's layers (borrowed) and `spec.layers` (already in the
 * store: {@link writeLayer}), a config as described above, and an OCI manifest. The image's
 * descriptor carries `spec.platform`. `E_INPUT` when the base is for another OS or architecture
 * than `spec.platform`, a new layer is not in the store, or a config change is malformed.
 */
export async function writeImage(store: BlobStore, spec: ImageSpec): Promise<Image> {
  const created = spec.created ?? '1970-01-01T00:00:00Z';
  if (!RFC3339.test(created) || Number.isNaN(Date.parse(created))) throw new AnyarchError('E_INPUT', `created ${JSON.stringify(created)} is not an RFC 3339 time`);
  const platform = spec.platform;
  let config: Record<string, unknown> = {};
  let layers: Descriptor[] = [];
  let diffIds: string[] = [];
  let history: unknown[] = [];
  if (spec.base) {
    const base = spec.base;
    const [m, parsed, json] = await Promise.all([base.manifest(), base.config(), baseConfigJson(base)]);
    if (parsed.os !== platform.os || parsed.architecture !== platform.architecture) {
      throw new AnyarchError('E_INPUT', `the base image ${base.descriptor.digest} is for ${parsed.os}/${parsed.architecture}${parsed.variant ? `/${parsed.variant}` : ''}, not ${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`);
    }
    const ids = parsed.rootfs?.diff_ids ?? [];
    if (ids.length !== m.layers.length) throw new AnyarchError('E_MANIFEST', `base image ${base.descriptor.digest}: its config lists ${ids.length} diff ids for ${m.layers.length} layers`);
    for (const d of m.layers) store.borrow(d, () => base.blob(d));
    config = json;
    layers = m.layers.map(ociLayer);
    diffIds = [...ids];
    history = Array.isArray(json.history) ? [...(json.history as unknown[])] : [];
  }
  for (const l of spec.layers) {
    if (!store.has(l.descriptor.digest)) throw new AnyarchError('E_INPUT', `layer ${l.descriptor.digest} is not in the blob store the image is written to`);
    layers.push(ociLayer(l.descriptor));
    diffIds.push(l.diffId);
    history.push({ created, created_by: l.createdBy });
  }
  const container = applyConfigChanges(isObject(config.config) ? config.config : {}, spec.config ?? {}, platform);
  const next: Record<string, unknown> = {
    ...config,
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: container,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history,
  };
  if (!platform.variant) delete next.variant;
  const configDescriptor = await store.put(Buffer.from(JSON.stringify(next)), MediaType.OCI_CONFIG);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: configDescriptor,
    layers,
    ...(spec.annotations && Object.keys(spec.annotations).length > 0 ? { annotations: sorted(spec.annotations) } : {}),
  };
  return openStored(store, manifest, entryPlatform(platform));
}

/** Layers gzipped at once by {@link compressImage}. */
const PARALLEL_GZIP = 2;

/**
 * The same image with every uncompressed layer gzipped ({@link gzipLayer}) into `store` and every
 * other blob borrowed: the config's exact bytes (so diff ids and the image ID stay), an OCI
 * manifest with OCI media types. What the docker engine's export (`docker save` layers are tars)
 * becomes before it is pushed.
 */
export async function compressImage(store: BlobStore, image: Image): Promise<Image> {
  const [m, layers, configBytes, parsed] = await Promise.all([image.manifest(), image.layers(), image.configBytes(), image.config()]);
  const limit = limiter(PARALLEL_GZIP);
  const out = await Promise.all(
    layers.map((layer) =>
      limit(async (): Promise<Descriptor> => {
        if (layer.compression === 'none') return (await gzipLayer(layer, store)).descriptor;
        store.borrow(layer.descriptor, () => image.blob(layer.descriptor));
        return ociLayer(layer.descriptor);
      }),
    ),
  );
  const configType = m.config.mediaType === MediaType.DOCKER_CONFIG ? MediaType.OCI_CONFIG : m.config.mediaType;
  const configDescriptor = await store.put(configBytes, configType);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: configDescriptor,
    layers: out,
    ...(m.annotations && Object.keys(m.annotations).length > 0 ? { annotations: m.annotations } : {}),
  };
  const platform: OciPlatform = entryPlatform({ os: parsed.os, architecture: parsed.architecture, variant: parsed.variant ?? '' });
  return openStored(store, manifest, platform);
}

