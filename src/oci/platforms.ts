/**
 * Which platforms an image publishes: walk the root (an index, nested indexes, or one
 * manifest), fetch each platform's manifest and config, and tell platforms apart from
 * attestations and entries of unknown types. A config whose os/architecture disagrees with its
 * index entry is reported, because runtimes and `docker pull` disagree about which one wins.
 */
import type { AnyarchError } from '../errors.js';
import { formatPlatform, makePlatform, normalizePlatform, samePlatform, tryParsePlatform } from '../platform/index.js';
import type { Digest } from './digest.js';
import { openRoot, readLimitError, type Image, type Index, type OpenRootOptions } from './image.js';
import type { Descriptor, ImageConfig, OciPlatform } from './manifest.js';
import type { ImageSource } from './source.js';
import { DEFAULT_MAX_DEPTH, entryError, walkIndex, type IndexWalk, type WalkedImage, type WalkOptions } from './walk.js';

export { MAX_INDEX_ENTRIES } from './walk.js';

/**
 * The verify summary anyarch writes on an index it publishes (`build`, `assemble`, `merge`:
 * src/build/publish.ts) once every variant passed `verify`: the platforms verified, written as
 * `os/arch[/variant]` and separated by commas in the index's order, and the anyarch version that
 * verified them. Defined here, where `platforms` reads them back (src/build/types.ts re-exports
 * them): the oci room is below the build room.
 */
export const VERIFIED_PLATFORMS_ANNOTATION = 'dev.anyarch.verify.platforms';
export const VERIFIED_BY_ANNOTATION = 'dev.anyarch.verify.version';
/** Most platforms read from the annotation (an index lists far fewer). */
export const MAX_VERIFIED_PLATFORMS = 1024;

/** What an index's verify annotations say: the platforms verified and by which anyarch. */
export interface VerifiedAnnotation {
  /** as written in the annotation, in its order */
  readonly platforms: readonly string[];
  /** the anyarch version that verified them (absent when the annotation does not say) */
  readonly version?: string;
}

/** The value of {@link VERIFIED_PLATFORMS_ANNOTATION} for these platforms. */
export function verifiedPlatformsValue(platforms: readonly { readonly os: string; readonly architecture: string; readonly variant?: string | undefined }[]): string {
  return platforms.map((p) => formatPlatform(p)).join(',');
}

/** The verify annotations of an index, or undefined when it has none (or an empty one). */
export function readVerifiedAnnotation(annotations: Readonly<Record<string, string>> | undefined): VerifiedAnnotation | undefined {
  const value = annotations?.[VERIFIED_PLATFORMS_ANNOTATION];
  if (typeof value !== 'string') return undefined;
  const platforms = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, MAX_VERIFIED_PLATFORMS);
  if (platforms.length === 0) return undefined;
  const version = annotations?.[VERIFIED_BY_ANNOTATION];
  return { platforms, ...(typeof version === 'string' && version ? { version } : {}) };
}

/** Whether `platform` (`os/arch[/variant]`) is one the annotation lists (containerd's normalisation: `linux/arm64/v8` is `linux/arm64`). */
export function isVerifiedPlatform(verified: VerifiedAnnotation, platform: string): boolean {
  if (verified.platforms.includes(platform)) return true;
  const p = tryParsePlatform(platform);
  if (!p) return false;
  const norm = normalizePlatform(p);
  return verified.platforms.some((v) => {
    const q = tryParsePlatform(v);
    return q !== undefined && samePlatform(normalizePlatform(q), norm);
  });
}

export interface ConfigSummary {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly created?: string;
}

export interface PlatformVariant {
  /** `os/arch[/variant]` as published (index entry; the config's for a single manifest) */
  readonly platform: string;
  readonly osVersion?: string;
  /** the platform object as published */
  readonly declared: OciPlatform;
  /** the image manifest's descriptor */
  readonly manifest: Descriptor;
  /** config plus layers, compressed, as the manifest declares them */
  readonly imageSize?: number;
  readonly layers?: number;
  readonly config?: ConfigSummary;
  /** set when the config's os/architecture/variant disagree with the index entry */
  readonly mismatch?: string;
  /** digests of the nested indexes the entry was found under (empty at the root) */
  readonly via: readonly Digest[];
  /** the manifest or config could not be read: the variant is listed, its details are not */
  readonly error?: AnyarchError;
  /**
   * whether the index's verify annotation ({@link VERIFIED_PLATFORMS_ANNOTATION}) lists this
   * platform; absent when the index has no such annotation
   */
  readonly verified?: boolean;
}

export interface AttestationEntry {
  readonly manifest: Descriptor;
  /** `vnd.docker.reference.type` (BuildKit: `attestation-manifest`) */
  readonly referenceType?: string;
  /** the image manifest it describes (`vnd.docker.reference.digest`) */
  readonly describes?: string;
  /** the platform of the manifest it describes, when that is in the same index */
  readonly describesPlatform?: string;
}

export interface PlatformReport {
  readonly name: string;
  readonly root: Descriptor;
  readonly rootKind: 'index' | 'manifest';
  readonly platforms: readonly PlatformVariant[];
  readonly attestations: readonly AttestationEntry[];
  /** as the walk found them: neither images nor indexes, ignored as the spec says */
  readonly ignored: IndexWalk['ignored'];
  /** the root index's verify annotation (anyarch published it after verifying these platforms); absent when it has none */
  readonly verified?: VerifiedAnnotation;
}

/** What to read: `maxDepth` as the walk takes it, `maxBytes` as {@link openRoot} does. */
export interface InspectOptions extends Pick<WalkOptions, 'maxDepth'>, OpenRootOptions {
  /** fetch each platform's manifest and config (default true); false lists the index only */
  readonly details?: boolean;
}

function summarize(c: ImageConfig): ConfigSummary {
  return {
    os: c.os,
    architecture: c.architecture,
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c['os.version'] ? { osVersion: c['os.version'] } : {}),
    ...(c.created ? { created: c.created } : {}),
  };
}

/** A sentence when the config names another platform than the index entry, else undefined. */
export function platformMismatch(declared: OciPlatform, config: ConfigSummary): string | undefined {
  const a = makePlatform(declared.os, declared.architecture, declared.variant ?? '');
  const b = makePlatform(config.os, config.architecture, config.variant ?? '');
  if (samePlatform(a, b)) return undefined;
  return `the index entry says ${formatPlatform(declared)} but the image config says ${formatPlatform(config)}`;
}

async function details(image: Image): Promise<{ config: ConfigSummary; imageSize: number; layers: number }> {
  const manifest = await image.manifest();
  const config = summarize(await image.config());
  const imageSize = manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
  return { config, imageSize, layers: manifest.layers.length };
}

/** os, architecture and variant of a config or a platform, as a declared platform. */
function declaredBy(p: { readonly os: string; readonly architecture: string; readonly variant?: string | undefined }): OciPlatform {
  return { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) };
}

/**
 * Lists the platforms (and attestations) of the image `source` names. `E_LIMIT` when reading it
 * would pass its byte limit (`maxBytes`): a report missing what was not read would look whole.
 */
export async function inspectPlatforms(source: ImageSource, opts: InspectOptions = {}): Promise<PlatformReport> {
  const root = await openRoot(source, opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {});
  const report = await reportOf(source, root, opts);
  const over = readLimitError(root);
  if (over) throw over;
  return report;
}

async function reportOf(source: ImageSource, root: Index | Image, opts: InspectOptions): Promise<PlatformReport> {
  const withDetails = opts.details ?? true;
  if (root.kind === 'image') {
    const d = await details(root);
    const declared = declaredBy(d.config);
    return {
      name: source.name,
      root: root.descriptor,
      rootKind: 'manifest',
      platforms: [
        {
          platform: formatPlatform(declared),
          ...(d.config.osVersion ? { osVersion: d.config.osVersion } : {}),
          declared,
          manifest: root.descriptor,
          imageSize: d.imageSize,
          layers: d.layers,
          config: d.config,
          via: [],
        },
      ],
      attestations: [],
      ignored: [],
    };
  }

  const walk = await walkIndex(root, { maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH, name: source.name });
  const verified = readVerifiedAnnotation((await root.manifest()).annotations);
  const variants = new Map<WalkedImage, PlatformVariant>();
  await Promise.all(
    walk.images.map(async (entry) => {
      const v = await variant(entry, () => root.image(entry.descriptor), withDetails);
      variants.set(entry, verified ? { ...v, verified: isVerifiedPlatform(verified, v.platform) } : v);
    }),
  );
  return {
    ...(verified ? { verified } : {}),
    name: source.name,
    root: root.descriptor,
    rootKind: 'index',
    platforms: walk.images.map((entry) => variants.get(entry) as PlatformVariant),
    attestations: walk.attestations.map((a): AttestationEntry => {
      const describesPlatform = a.subject ? variants.get(a.subject)?.platform : undefined;
      return {
        manifest: a.descriptor,
        ...(a.referenceType ? { referenceType: a.referenceType } : {}),
        ...(a.describes ? { describes: a.describes } : {}),
        ...(describesPlatform ? { describesPlatform } : {}),
      };
    }),
    ignored: walk.ignored,
  };
}

async function variant(entry: WalkedImage, image: () => Promise<Image>, withDetails: boolean): Promise<PlatformVariant> {
  // `platform` is optional in an index entry: then the image config says (as containerd reads it)
  const listed = entry.descriptor.platform;
  const declared: OciPlatform = listed ?? { os: 'unknown', architecture: 'unknown' };
  const base = {
    platform: formatPlatform(declared),
    ...(declared['os.version'] ? { osVersion: declared['os.version'] } : {}),
    declared,
    manifest: entry.descriptor,
    via: entry.via as Digest[],
  };
  if (!withDetails && listed) return base;
  try {
    const d = await details(await image());
    if (!listed) {
      // the walk took it from the same config (it has it, or details failed as the walk did)
      const fromWalk = entry.platform as OciPlatform;
      const fromConfig = declaredBy(fromWalk);
      return {
        ...base,
        platform: formatPlatform(fromConfig),
        ...(fromWalk['os.version'] ? { osVersion: fromWalk['os.version'] } : {}),
        declared: fromConfig,
        imageSize: d.imageSize,
        layers: d.layers,
        config: d.config,
      };
    }
    const mismatch = platformMismatch(declared, d.config);
    return { ...base, imageSize: d.imageSize, layers: d.layers, config: d.config, ...(mismatch ? { mismatch } : {}) };
  } catch (e) {
    return { ...base, error: entryError(e) };
  }
}
