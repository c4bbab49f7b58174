/**
 * The content model of images: descriptors, platforms, image indexes (OCI index and Docker
 * manifest list), image manifests (OCI and Docker v2.2) and image configs. Parsing validates the
 * shape anyarch relies on and keeps the bytes' own JSON for everything else; unknown fields and
 * unknown entry media types are kept, never fatal.
 */
import { AnyarchError } from '../errors.js';
import { isDigest, type Digest } from './digest.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from './media.js';

/** Largest manifest or index anyarch reads (the distribution spec's 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Largest image config anyarch reads. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** The platform object of an index entry or config (`os.version` etc. as in the spec). */
export interface OciPlatform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly features?: readonly string[];
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: OciPlatform;
  readonly artifactType?: string;
  readonly data?: string;
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly subject?: Descriptor;
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly subject?: Descriptor;
}

export type Manifest = ImageIndex | ImageManifest;

/** One step of an image's history (image-spec config.md `history`), oldest first. */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly comment?: string;
  readonly author?: string;
  /** true when the step made no layer (ENV, CMD, LABEL...): it has no entry in `rootfs.diff_ids` */
  readonly empty_layer?: boolean;
}

/** What the image runs with (image-spec config.md `config`; Docker's container config). */
export interface ContainerConfig {
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Env?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

/** The parts of an image config anyarch reads; every other field of the JSON is kept as it is. */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly created?: string;
  readonly author?: string;
  readonly config?: ContainerConfig;
  readonly rootfs?: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: readonly HistoryEntry[];
}

function fail(what: string, why: string): never {
  throw new AnyarchError('E_MANIFEST', `${what}: ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, what: string, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) fail(what, `"${field}" is not a map of strings`);
  return v as Record<string, string>;
}

function parsePlatform(v: unknown, what: string): OciPlatform | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(what, '"platform" is not an object');
  if (typeof v.architecture !== 'string' || typeof v.os !== 'string') fail(what, '"platform" needs string "os" and "architecture"');
  for (const k of ['variant', 'os.version'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') fail(what, `"platform.${k}" is not a string`);
  }
  return v as unknown as OciPlatform;
}

/** Validates one descriptor (as found in `manifests`, `layers`, `config` or `subject`). */
export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) fail(what, 'a descriptor is not an object');
  if (typeof v.mediaType !== 'string' || v.mediaType === '') fail(what, 'a descriptor has no "mediaType"');
  if (typeof v.digest !== 'string' || !isDigest(v.digest)) fail(what, `a descriptor has an invalid digest ${JSON.stringify(v.digest)}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) fail(what, `descriptor ${v.digest} has an invalid size ${JSON.stringify(v.size)}`);
  stringMap(v.annotations, what, 'annotations');
  parsePlatform(v.platform, `${what} (entry ${v.digest})`);
  return v as unknown as Descriptor;
}

/**
 * JSON from UTF-8 bytes. A failure gives a reason that never quotes the content (the parser's own
 * message does, and the content may be anything a symbolic link led to).
 */
export function decodeJson(bytes: Uint8Array): { value: unknown } | { reason: string } {
  try {
    return { value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (e) {
    return { reason: e instanceof SyntaxError ? 'not valid JSON' : 'not valid UTF-8' };
  }
}

function parseJson(bytes: Uint8Array, what: string, limit: number): Record<string, unknown> {
  if (bytes.length > limit) throw new AnyarchError('E_LIMIT', `${what}: ${bytes.length} bytes is more than the ${limit} bytes anyarch reads`);
  const r = decodeJson(bytes);
  if ('reason' in r) fail(what, r.reason);
  if (!isObject(r.value)) fail(what, 'not a JSON object');
  return r.value;
}

/**
 * Parses manifest or index bytes. `contentType` is what the source said (HTTP `Content-Type`,
 * descriptor `mediaType`); the JSON's own `mediaType` wins when present, and when neither says,
 * the shape decides (`manifests` array: index; `config` + `layers`: manifest), as OCI allows.
 */
export function parseManifest(bytes: Uint8Array, what: string, contentType?: string): Manifest {
  const v = parseJson(bytes, what, MAX_MANIFEST_BYTES);
  if (v.schemaVersion !== 2) {
    fail(what, v.schemaVersion === 1 ? 'Docker schema 1 manifests are not supported (deprecated since 2017; push the image again with a current client)' : `unsupported schemaVersion ${JSON.stringify(v.schemaVersion)}`);
  }
  const declared = typeof v.mediaType === 'string' ? v.mediaType : undefined;
  const ct = contentType?.split(';')[0]?.trim();
  let mediaType = declared ?? (ct && (isIndexMediaType(ct) || isManifestMediaType(ct)) ? ct : undefined);
  if (!mediaType) mediaType = Array.isArray(v.manifests) ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
  if (declared && ct && (isIndexMediaType(ct) || isManifestMediaType(ct)) && ct !== declared) {
    fail(what, `served as ${ct} but its mediaType is ${declared}`);
  }
  const annotations = stringMap(v.annotations, what, 'annotations');
  const subject = v.subject === undefined ? undefined : parseDescriptor(v.subject, `${what} subject`);
  const artifactType = typeof v.artifactType === 'string' ? v.artifactType : undefined;
  const common = {
    schemaVersion: 2 as const,
    mediaType,
    ...(annotations ? { annotations } : {}),
    ...(subject ? { subject } : {}),
    ...(artifactType ? { artifactType } : {}),
  };
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(v.manifests)) fail(what, 'an index without a "manifests" array');
    return { kind: 'index', ...common, manifests: v.manifests.map((d) => parseDescriptor(d, what)) };
  }
  if (isManifestMediaType(mediaType)) {
    if (!Array.isArray(v.layers)) fail(what, 'a manifest without a "layers" array');
    return {
      kind: 'manifest',
      ...common,
      config: parseDescriptor(v.config, `${what} config`),
      layers: v.layers.map((d) => parseDescriptor(d, what)),
    };
  }
  fail(what, `unsupported media type ${mediaType}`);
}

function optionalString(v: Record<string, unknown>, k: string, what: string, field = k): void {
  if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') fail(what, `"${field}" is not a string`);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * The container config of an image config, checked as Docker decodes it: `Entrypoint` and `Cmd`
 * are lists of strings (Docker also takes one string, read here as a list of one), `Env` a list,
 * `WorkingDir` and `User` strings, `Labels` a map of strings; null stands for absent.
 */
function parseContainerConfig(v: unknown, what: string): ContainerConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(what, '"config" is not an object');
  let out: Record<string, unknown> = v;
  for (const k of ['Entrypoint', 'Cmd'] as const) {
    const x = v[k];
    if (x === undefined || x === null || isStringList(x)) continue;
    if (typeof x !== 'string') fail(what, `"config.${k}" is not a list of strings`);
    out = { ...out, [k]: [x] };
  }
  if (v.Env !== undefined && v.Env !== null && !isStringList(v.Env)) fail(what, '"config.Env" is not a list of strings');
  optionalString(v, 'WorkingDir', what, 'config.WorkingDir');
  optionalString(v, 'User', what, 'config.User');
  stringMap(v.Labels, what, 'config.Labels');
  return out as ContainerConfig;
}

function parseHistory(v: unknown, what: string): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) fail(what, '"history" is not a list');
  v.forEach((h: unknown, i) => {
    if (!isObject(h)) fail(what, `"history[${i}]" is not an object`);
    for (const k of ['created', 'created_by', 'comment', 'author'] as const) optionalString(h, k, what, `history[${i}].${k}`);
    if (h.empty_layer !== undefined && h.empty_layer !== null && typeof h.empty_layer !== 'boolean') fail(what, `"history[${i}].empty_layer" is not true or false`);
  });
}

/**
 * Parses an image config; `os` and `architecture` are required (image-spec config.md). The
 * fields anyarch reads ({@link ImageConfig}) are checked for their types; unknown fields are
 * kept and never fatal.
 */
export function parseConfig(bytes: Uint8Array, what: string): ImageConfig {
  const v = parseJson(bytes, what, MAX_CONFIG_BYTES);
  if (typeof v.architecture !== 'string' || typeof v.os !== 'string') fail(what, 'an image config needs string "os" and "architecture"');
  for (const k of ['variant', 'os.version', 'created', 'author'] as const) optionalString(v, k, what);
  if (v.rootfs !== undefined) {
    const r = v.rootfs;
    if (!isObject(r) || !Array.isArray(r.diff_ids) || r.diff_ids.some((d) => typeof d !== 'string')) fail(what, '"rootfs.diff_ids" is not a list of digests');
  }
  parseHistory(v.history, what);
  const config = parseContainerConfig(v.config, what);
  return (config === undefined || config === v.config ? v : { ...v, config }) as unknown as ImageConfig;
}

/** Annotation keys BuildKit uses to attach attestation manifests to the image they describe. */
export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

/**
 * An index entry that is an attestation rather than a platform: BuildKit's
 * `vnd.docker.reference.type=attestation-manifest` (platform `unknown/unknown`), or any entry
 * with an artifact type of Docker's attestation manifest.
 */
export function isAttestationEntry(d: Descriptor): boolean {
  const t = d.annotations?.[REFERENCE_TYPE];
  if (t !== undefined) return true; // attestation-manifest, or another reference type: not a platform either way
  if (d.artifactType === MediaType.DOCKER_ATTESTATION) return true;
  return d.platform?.os === 'unknown' && d.platform.architecture === 'unknown';
}
