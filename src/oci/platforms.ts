/**
 * Which platforms an image publishes: walk the root (an index, nested indexes, or one
 * manifest), fetch each platform's manifest and config, and tell platforms apart from
 * attestations and entries of unknown types. A config whose os/architecture disagrees with its
 * index entry is reported, because runtimes and `docker pull` disagree about which one wins.
 */
import { AnyarchError, isAnyarchError } from '../errors.js';
import { makePlatform, samePlatform } from '../platform/index.js';
import type { Digest } from './digest.js';
import {
  isAttestationEntry,
  MAX_CONFIG_BYTES,
  parseConfig,
  platformString,
  REFERENCE_DIGEST,
  REFERENCE_TYPE,
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
  type OciPlatform,
} from './manifest.js';
import { isIndexMediaType, isManifestMediaType } from './media.js';
import type { FetchedManifest, ImageSource } from './source.js';

/** Most entries read across an index and its nested indexes. */
export const MAX_INDEX_ENTRIES = 10_000;

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
  /** entries of media types that are neither images nor indexes (ignored, as the spec says) */
  readonly ignored: readonly Descriptor[];
}

export interface InspectOptions {
  /** fetch each platform's manifest and config (default true); false lists the index only */
  readonly details?: boolean;
  /** deepest index nesting followed (default 4) */
  readonly maxDepth?: number;
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
  return `the index entry says ${platformString(declared)} but the image config says ${platformString(config)}`;
}

async function details(source: ImageSource, manifest: ImageManifest): Promise<{ config: ConfigSummary; imageSize: number; layers: number }> {
  const bytes = await source.blob(manifest.config, MAX_CONFIG_BYTES);
  const config = summarize(parseConfig(bytes, `config ${manifest.config.digest} of ${source.name}`));
  const imageSize = manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
  return { config, imageSize, layers: manifest.layers.length };
}

function asError(e: unknown): AnyarchError {
  if (isAnyarchError(e)) return e;
  throw e;
}

/** Lists the platforms (and attestations) of the image `source` names. */
export async function inspectPlatforms(source: ImageSource, opts: InspectOptions = {}): Promise<PlatformReport> {
  const withDetails = opts.details ?? true;
  const maxDepth = opts.maxDepth ?? 4;
  const root = await source.root();
  if (root.manifest.kind === 'manifest') {
    const d = await details(source, root.manifest);
    const declared: OciPlatform = { os: d.config.os, architecture: d.config.architecture, ...(d.config.variant ? { variant: d.config.variant } : {}) };
    return {
      name: source.name,
      root: root.descriptor,
      rootKind: 'manifest',
      platforms: [
        {
          platform: platformString(declared),
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

  const platforms: Promise<PlatformVariant>[] = [];
  const attestations: AttestationEntry[] = [];
  const ignored: Descriptor[] = [];
  // each nested index is read once and each entry listed once, however often indexes repeat
  // them, and the whole walk is bounded: a small hostile index cannot make it quadratic
  const seenIndexes = new Set<string>([root.descriptor.digest]);
  const seenEntries = new Set<string>();
  let entries = 0;
  const visit = async (index: FetchedManifest, via: Digest[]): Promise<void> => {
    if (index.manifest.kind !== 'index') return;
    const nested: Promise<void>[] = [];
    try {
      walk(nested, via, index.manifest.manifests);
    } catch (e) {
      // nested reads already under way must not be left to fail unobserved
      await Promise.allSettled(nested);
      throw e;
    }
    await Promise.all(nested);
  };
  const walk = (nested: Promise<void>[], via: Digest[], manifests: readonly Descriptor[]): void => {
    for (const entry of manifests) {
      if (++entries > MAX_INDEX_ENTRIES) throw new AnyarchError('E_LIMIT', `${source.name}: more than ${MAX_INDEX_ENTRIES} index entries; anyarch stops there`);
      const key = `${entry.digest} ${entry.mediaType} ${entry.platform ? platformString(entry.platform) : ''}`;
      if (seenEntries.has(key)) continue;
      seenEntries.add(key);
      if (isAttestationEntry(entry)) {
        const describes = entry.annotations?.[REFERENCE_DIGEST];
        const referenceType = entry.annotations?.[REFERENCE_TYPE];
        attestations.push({ manifest: entry, ...(referenceType ? { referenceType } : {}), ...(describes ? { describes } : {}) });
      } else if (isIndexMediaType(entry.mediaType)) {
        if (via.includes(entry.digest) || entry.digest === root.descriptor.digest) {
          throw new AnyarchError('E_MANIFEST', `${source.name}: the indexes form a cycle (at ${entry.digest})`);
        }
        if (via.length + 1 > maxDepth) throw new AnyarchError('E_MANIFEST', `${source.name}: indexes nested deeper than ${maxDepth} levels (at ${entry.digest})`);
        if (seenIndexes.has(entry.digest)) continue;
        seenIndexes.add(entry.digest);
        nested.push(source.manifest(entry).then((child) => visit(child, [...via, entry.digest])));
      } else if (isManifestMediaType(entry.mediaType)) {
        platforms.push(variant(source, entry, via, withDetails));
      } else {
        ignored.push(entry);
      }
    }
  };
  await visit(root, []);
  const list = await Promise.all(platforms);
  const byDigest = new Map(list.map((p) => [p.manifest.digest as string, p.platform]));
  return {
    name: source.name,
    root: root.descriptor,
    rootKind: 'index',
    platforms: list,
    attestations: attestations.map((a) => {
      const p = a.describes ? byDigest.get(a.describes) : undefined;
      return p ? { ...a, describesPlatform: p } : a;
    }),
    ignored,
  };
}

async function variant(source: ImageSource, entry: Descriptor, via: Digest[], withDetails: boolean): Promise<PlatformVariant> {
  // `platform` is optional in an index entry: then the image config says (as containerd reads it)
  const declared: OciPlatform = entry.platform ?? { os: 'unknown', architecture: 'unknown' };
  const base = {
    platform: platformString(declared),
    ...(declared['os.version'] ? { osVersion: declared['os.version'] } : {}),
    declared,
    manifest: entry,
    via,
  };
  if (!withDetails && entry.platform) return base;
  try {
    const m = await source.manifest(entry);
    if (m.manifest.kind !== 'manifest') {
      throw new AnyarchError('E_MANIFEST', `${source.name}: entry ${entry.digest} is declared as ${entry.mediaType} but is an index`);
    }
    const d = await details(source, m.manifest);
    if (!entry.platform) {
      const fromConfig: OciPlatform = { os: d.config.os, architecture: d.config.architecture, ...(d.config.variant ? { variant: d.config.variant } : {}) };
      return {
        ...base,
        platform: platformString(fromConfig),
        ...(d.config.osVersion ? { osVersion: d.config.osVersion } : {}),
        declared: fromConfig,
        imageSize: d.imageSize,
        layers: d.layers,
        config: d.config,
      };
    }
    const mismatch = platformMismatch(declared, d.config);
    return { ...base, imageSize: d.imageSize, layers: d.layers, config: d.config, ...(mismatch ? { mismatch } : {}) };
  } catch (e) {
    return { ...base, error: asError(e) };
  }
}
