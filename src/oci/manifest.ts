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

/**
 * The parts of an image config every reader needs (the platform, `created`, `rootfs.diff_ids`),
 * checked by {@link parseConfig}; every other field of the JSON is kept as it is, unchecked.
 * `config` and `history` are read through {@link parseConfigDetails} (`Image.containerConfig()`,
 * `Image.history()`), which checks them as Docker decodes them.
 */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly created?: string;
  readonly rootfs?: { readonly type: string; readonly diff_ids: readonly string[] };
  /** the container config as the JSON has it (unchecked: see {@link parseConfigDetails}) */
  readonly config?: unknown;
  /** the history as the JSON has it (unchecked: see {@link parseConfigDetails}) */
  readonly history?: unknown;
}

/** The container config and history of an image config, checked ({@link parseConfigDetails}). */
export interface ConfigDetails {
  /** undefined when the config has none (or null) */
  readonly container: ContainerConfig | undefined;
  /** oldest first; empty when the config has none */
  readonly history: readonly HistoryEntry[];
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
 * Deepest nesting of arrays and objects in the JSON anyarch reads (manifests, indexes, configs,
 * layout and archive files, registry answers). Real content nests a handful of levels; deeper
 * JSON is refused before it is parsed, so no later step (a walk, a key, a reporter's
 * `JSON.stringify`) can run out of stack on it.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * How deep arrays and objects nest in `text`, counted without recursion and stopping as soon as
 * `limit` is passed (brackets inside strings do not count). Meant for text that is then parsed:
 * malformed JSON is left for the parser to refuse.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * JSON from UTF-8 bytes. A failure gives a reason that never quotes the content (the parser's own
 * message does, and the content may be anything a symbolic link led to). JSON nested deeper than
 * {@link MAX_JSON_DEPTH} levels is refused, with a reason that says so.
 */
export function decodeJson(bytes: Uint8Array): { value: unknown } | { reason: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { reason: 'not valid UTF-8' };
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels (anyarch reads no deeper)` };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { reason: 'not valid JSON' };
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

/**
 * Parses an image config; `os` and `architecture` are required (image-spec config.md), and
 * `variant`, `os.version`, `created` and `rootfs.diff_ids` are checked for their types: what
 * listing platforms needs, and nothing more, so an odd field elsewhere never hides a platform.
 * Unknown fields are kept and never fatal; `config` and `history` are checked where they are
 * read ({@link parseConfigDetails}).
 */
export function parseConfig(bytes: Uint8Array, what: string): ImageConfig {
  const v = parseJson(bytes, what, MAX_CONFIG_BYTES);
  if (typeof v.architecture !== 'string' || typeof v.os !== 'string') fail(what, 'an image config needs string "os" and "architecture"');
  for (const k of ['variant', 'os.version', 'created'] as const) {
    if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') fail(what, `"${k}" is not a string`);
  }
  if (v.rootfs !== undefined) {
    const r = v.rootfs;
    if (!isObject(r) || !Array.isArray(r.diff_ids) || r.diff_ids.some((d) => typeof d !== 'string')) fail(what, '"rootfs.diff_ids" is not a list of digests');
  }
  return v as unknown as ImageConfig;
}

/*
 * Go's encoding/json, which Docker and containerd decode configs with: null leaves a field as
 * it was (absent), so a null list is no list, a null element of a list of strings or a null
 * value of a map of strings is "", a null history entry is an empty one; a value of another type
 * (a string for a boolean, a number for a string, a list for an object) fails the whole config.
 */

/** A string field: the string, undefined for absent or null. */
function goString(v: unknown, what: string, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(what, `"${field}" is not a string`);
  return v;
}

/** A list of strings: null elements are "". */
function goStringList(v: unknown[], what: string, field: string): string[] {
  return v.map((x) => {
    if (x === null) return '';
    if (typeof x !== 'string') fail(what, `"${field}" is not a list of strings`);
    return x;
  });
}

/** Keys of `v` whose values are set (not null), with the value `f` makes of each. */
function setFields(v: Record<string, unknown>, f: (key: string, value: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const y = f(k, x);
    if (y !== undefined) out[k] = y;
  }
  return out;
}

function containerConfig(v: unknown, what: string): ContainerConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(what, '"config" is not an object');
  return setFields(v, (k, x) => {
    switch (k) {
      case 'Entrypoint':
      case 'Cmd':
        // Docker's strslice: a list of strings, or one string read as a list of one
        if (x === null || typeof x === 'string') return x === null ? null : [x];
        if (!Array.isArray(x)) fail(what, `"config.${k}" is not a list of strings`);
        return goStringList(x, what, `config.${k}`);
      case 'Env':
        if (x === null) return null;
        if (!Array.isArray(x)) fail(what, '"config.Env" is not a list of strings');
        return goStringList(x, what, 'config.Env');
      case 'WorkingDir':
      case 'User':
        return goString(x, what, `config.${k}`);
      case 'Labels':
        if (x === null) return null;
        if (!isObject(x)) fail(what, '"config.Labels" is not a map of strings');
        return setFields(x, (label, value) => (value === null ? '' : (goString(value, what, `config.Labels.${label}`) as string)));
      default:
        return x;
    }
  }) as ContainerConfig;
}

function historyEntries(v: unknown, what: string): HistoryEntry[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(what, '"history" is not a list');
  return v.map((h: unknown, i): HistoryEntry => {
    if (h === null) return {};
    if (!isObject(h)) fail(what, `"history[${i}]" is not an object`);
    return setFields(h, (k, x) => {
      switch (k) {
        case 'created':
        case 'created_by':
        case 'comment':
        case 'author':
          return goString(x, what, `history[${i}].${k}`);
        case 'empty_layer':
          if (x === null) return undefined;
          if (typeof x !== 'boolean') fail(what, `"history[${i}].empty_layer" is not true or false`);
          return x;
        default:
          return x;
      }
    });
  });
}

/**
 * The container config (`config`) and `history` of a parsed image config, checked as Docker
 * decodes them (Go's encoding/json): `Entrypoint` and `Cmd` lists of strings (or one string,
 * read as a list of one), `Env` a list of strings, `WorkingDir` and `User` strings, `Labels` a
 * map of strings, `history` a list of steps with string fields and a boolean `empty_layer`;
 * null stands for absent, a null list element or map value for "". Anything else is `E_MANIFEST`
 * (Docker refuses such a config whole). Unknown fields are kept.
 */
export function parseConfigDetails(config: ImageConfig, what: string): ConfigDetails {
  return { container: containerConfig(config.config, what), history: historyEntries(config.history, what) };
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
