/**
 * What `anyarch verify` does, without printing: for each platform variant of an image, stream its
 * layers once (a layer shared by variants, or by images of one call, is read once), keep only the
 * bytes the verdicts need, merge the layers into the final file tree, and judge it (src/verify/
 * verdicts). The result is a typed report per image; the CLI only formats it.
 *
 * ```ts
 * const run = await verifyImages(['ghcr.io/acme/api:1'], { platforms: parsePlatformList('linux/arm64') });
 * for (const r of run.reports) for (const p of r.platforms) for (const v of p.verdicts) console.log(v.id, v.path, v.message);
 * ```
 *
 * Content that fails its digest (`E_DIGEST`) is the variant's error: never a success. A variant
 * with a layer that could not be read is not judged at all (a partial tree would judge files a
 * later layer deletes), and says so with AA210.
 */
import type { Readable } from 'node:stream';
import type { FileFacts } from '../binary/types.js';
import { failsOn, type FailOn } from '../check/outcome.js';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { isDigest, type Digest } from '../oci/digest.js';
import { limiter, openRoot, readLimitError, type HistoryStep, type Image, type Index } from '../oci/image.js';
import type { Layer } from '../oci/layer.js';
import type { OciPlatform } from '../oci/manifest.js';
import { formatSourceSpec, parseSourceSpec } from '../oci/source-spec.js';
import type { ImageSource } from '../oci/source.js';
import { walkIndex } from '../oci/walk.js';
import { formatPlatform, makePlatform, normalizePlatform, samePlatform, type Platform } from '../platform/index.js';
import type { RegistryClient } from '../registry/client.js';
import { credentialedClient, type CredentialedClientOptions } from '../registry/credentialed.js';
import type { EntryBudget } from '../rootfs/layer-scan.js';
import type { FileTree, Inspector, LayerScan } from '../rootfs/types.js';
import type { SmokeCommand, SmokeResult } from '../smoke/types.js';
import { eachSource, openSource } from '../sources.js';
import { AllowList, type AllowEntry } from './allow.js';
import { elfArchitecture, loaderFacts } from './binary-kit.js';
import { dockerfileSources, type DockerfileInput } from './dockerfile-map.js';
import { fillMessage, judgeVariant } from './judge.js';
import type { LayerScanCache, LayerScanKey } from './layer-cache.js';
import type { PlatformSummary, PlatformVerification, Verdict, VerdictLayer, VerdictSeverity, VerifyReport, VerifySummary } from './types.js';
import { notVerified } from './verdicts/index.js';
import { isPythonBinary } from './verdicts/support.js';

/** Layers read at once by default (node:zlib runs in libuv's pool: two gunzips use two cores). */
export const DEFAULT_LAYERS_IN_FLIGHT = 3;
/** Most layers in flight a caller may ask for. */
export const MAX_LAYERS_IN_FLIGHT = 16;
/**
 * Smoke runs (`--run`) at once per call, across variants and images: 1. Each extracts its variant
 * (up to src/smoke's bound on disk) and runs it under emulation; it is made before the variant
 * takes any layer scan, so that waiting for a turn holds no memory.
 */
export const SMOKE_RUNS_IN_FLIGHT = 1;
/**
 * Most entries read in the layers of one image, all its variants together: 4,000,000 (a large
 * image holds a few hundred thousand; src/rootfs keeps about 260 bytes of heap per entry read and
 * merged, so about 1 GB at the bound). More is `E_LIMIT` for the variant reading past it.
 */
export const MAX_IMAGE_ENTRIES = 4_000_000;
/** The annotations that name an image's base (image-spec annotations.md). */
export const BASE_NAME_ANNOTATION = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_ANNOTATION = 'org.opencontainers.image.base.digest';

/** How layers become a file tree: src/rootfs's scan and merge, src/binary's inspector. */
export interface LayerReaders {
  readonly inspector: Inspector<FileFacts>;
  /** `what` names the layer in errors (`layer 2 (sha256:…) of IMAGE`) */
  scanLayer(tar: Readable, inspector: Inspector<FileFacts>, what: string, limits?: ScanLimits): Promise<LayerScan<FileFacts>>;
  mergeLayers(scans: readonly LayerScan<FileFacts>[]): FileTree<FileFacts>;
}

/** The bounds of one layer's scan: its uncompressed bytes, and the entries its image may still read. */
export interface ScanLimits {
  readonly maxBytes?: number;
  readonly entryBudget?: EntryBudget;
}

/** Runs a smoke command in one variant (src/smoke). */
export type SmokeRunner = (
  image: Image,
  platform: Platform,
  command: SmokeCommand,
  options: { readonly timeoutMs?: number; readonly name: string; readonly env?: Readonly<Record<string, string | undefined>> },
) => Promise<SmokeResult>;

/** How far verifying has got, for a progress line. */
export interface VerifyProgress {
  /** distinct layers read so far, and known of (both grow as variants are listed) */
  readonly layersDone: number;
  readonly layersTotal: number;
  /** uncompressed bytes read */
  readonly bytes: number;
}

/**
 * Layer scans of one call, by layer digest and diff id ({@link layerKey}): a layer shared by
 * variants or images is read once; a config that gives the same blob another diff id reads it
 * again, so that each variant's layers are checked against its own `rootfs.diff_ids`.
 * A scan is kept while a variant that asked for it is still being judged, and let go when the
 * last one is done (a variant that asks later reads it again), so that memory follows the
 * variants in flight, not every layer of a long command line.
 */
export type LayerMemo = Map<string, { readonly scan: Promise<LayerScan<FileFacts>>; users: number }>;

export interface VerifyOptions {
  /** the platforms to verify (default: every platform the image publishes) */
  readonly platforms?: readonly Platform[];
  /** the base image (`--base`), as a source specifier: overrides the base.name annotation */
  readonly base?: string;
  /** the Dockerfile that made the image (`--dockerfile`): verdicts point at its lines */
  readonly dockerfile?: DockerfileInput;
  /** `verify.allow` of `.anyarch.yaml` */
  readonly allow?: readonly AllowEntry[];
  /** run this command in each variant (`--run`, `--run-entrypoint`) */
  readonly smoke?: { readonly command: SmokeCommand; readonly timeoutMs?: number };
  /** most bytes of manifests, indexes and configs read per image (default the image layer's) */
  readonly maxImageBytes?: number;
  /** layers read at once (default {@link DEFAULT_LAYERS_IN_FLIGHT}) */
  readonly layersInFlight?: number;
  /** most uncompressed bytes of one layer (default src/rootfs's MAX_LAYER_UNCOMPRESSED_BYTES, 32 GiB) */
  readonly maxLayerBytes?: number;
  /** most entries in the layers of one image (default {@link MAX_IMAGE_ENTRIES}) */
  readonly maxImageEntries?: number;
  /** how layers are read (default: src/rootfs and src/binary) */
  readonly readers?: LayerReaders;
  /**
   * Layer scans kept across calls (`layerScanCache()`, src/verify/layer-cache.ts): a layer whose
   * scan is there is not read at all, and the report is the one a read gives. Default none (false
   * the same): a library call writes nothing to disk unless it is given a cache. Used with the
   * default `readers` only (a cache holds their scans).
   */
  readonly layerCache?: LayerScanCache | false;
  /** how a smoke run is made (default: src/smoke) */
  readonly smokeRunner?: SmokeRunner;
  readonly onProgress?: (progress: VerifyProgress) => void;
  /** the client and environment base images are opened with (`--base`, annotations) */
  readonly client?: RegistryClient;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** What a call shares between its images: the layer memo, the limit on layers in flight, progress. */
interface Shared {
  readonly memo: LayerMemo;
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** smoke runs wait their turn here ({@link SMOKE_RUNS_IN_FLIGHT}) */
  readonly smokeLimit: <T>(task: () => Promise<T>) => Promise<T>;
  readonly readers: LayerReaders;
  /** the layer scan cache, when one was given and the readers are the default ones */
  readonly cache: LayerScanCache | undefined;
  /** scans being stored in the cache: the call ends when they are written */
  readonly writes: Promise<void>[];
  readonly allow: AllowList;
  readonly progress: { done: number; total: number; bytes: number };
  readonly bases: Map<string, Promise<BaseImage>>;
}

interface BaseImage {
  readonly name: string;
  readonly root?: Index | Image;
  readonly error?: string;
  readonly close: () => Promise<void>;
}

let defaultReaders: Promise<LayerReaders> | undefined;
/** src/rootfs's scan and merge with src/binary's inspector, loaded on first use. */
async function loadReaders(): Promise<LayerReaders> {
  defaultReaders ??= import('./readers.js').then((m) => m.layerReaders());
  return defaultReaders;
}

async function sharedFor(opts: VerifyOptions): Promise<Shared> {
  const inFlight = Math.min(Math.max(1, Math.floor(opts.layersInFlight ?? DEFAULT_LAYERS_IN_FLIGHT)), MAX_LAYERS_IN_FLIGHT);
  return {
    memo: new Map(),
    limit: limiter(inFlight),
    smokeLimit: limiter(SMOKE_RUNS_IN_FLIGHT),
    readers: opts.readers ?? (await loadReaders()),
    cache: opts.layerCache && !opts.readers ? opts.layerCache : undefined,
    writes: [],
    allow: new AllowList(opts.allow ?? []),
    progress: { done: 0, total: 0, bytes: 0 },
    bases: new Map(),
  };
}

function errorField(e: AnyarchError): { code: string; message: string } {
  return { code: e.code, message: e.message };
}

function isSource(x: ImageSource | Index | Image): x is ImageSource {
  return x.kind !== 'index' && x.kind !== 'image';
}

/**
 * Verifies one image: an open source (read from its root; the caller closes it) or a root opened
 * with `openRoot`. Never throws for content: what could not be read is in the report.
 */
export async function verifyImage(input: ImageSource | Index | Image, opts: VerifyOptions = {}, name?: string): Promise<VerifyReport> {
  const shared = await sharedFor(opts);
  return withShared(shared, () => verifyOne(input, opts, shared, name));
}

/**
 * Calls every closer, whatever the others do. A typed failure to close (`AnyarchError`: a file
 * handle, a temporary directory) is not the caller's result and is dropped; anything else is a
 * bug, thrown once all have been called.
 */
export async function closeAll(closers: Iterable<() => Promise<void>>): Promise<void> {
  const closed = await Promise.allSettled([...closers].map(async (close) => close()));
  for (const r of closed) if (r.status === 'rejected' && !isAnyarchError(r.reason)) throw r.reason;
}

/**
 * Runs `work`, then closes the base images it opened (all of them, never hiding work's own error)
 * and waits for the scans it stores in the layer cache (which never fail).
 */
async function withShared<T>(shared: Shared, work: () => Promise<T>): Promise<T> {
  const closeBases = async (): Promise<void> => {
    await Promise.all(shared.writes);
    await closeAll([...shared.bases.values()].map((b) => async () => (await b).close()));
  };
  let out: T;
  try {
    out = await work();
  } catch (e) {
    await closeBases().catch(() => undefined); // the first error is the one reported
    throw e;
  }
  await closeBases();
  return out;
}

async function verifyOne(input: ImageSource | Index | Image, opts: VerifyOptions, shared: Shared, name?: string): Promise<VerifyReport> {
  const shownName = name ?? (isSource(input) ? input.name : input.descriptor.digest);
  let root: Index | Image;
  try {
    root = isSource(input) ? await openRoot(input, opts.maxImageBytes !== undefined ? { maxBytes: opts.maxImageBytes } : {}) : input;
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    return { image: shownName, platforms: [], skipped: [], error: errorField(e) };
  }
  try {
    return await verifyRoot(root, shownName, opts, shared);
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    return { image: shownName, digest: root.descriptor.digest, platforms: [], skipped: [], error: errorField(readLimitError(root) ?? e) };
  }
}

interface Variant {
  readonly image: Image;
  readonly declared?: OciPlatform;
  readonly platform: Platform;
}

async function verifyRoot(root: Index | Image, name: string, opts: VerifyOptions, shared: Shared): Promise<VerifyReport> {
  const skipped: { platform: string; reason: string }[] = [];
  const variants: Variant[] = [];
  const failed: PlatformVerification[] = [];
  let rootAnnotations: Readonly<Record<string, string>> | undefined;
  const wanted = (p: Platform): boolean => !opts.platforms || opts.platforms.some((w) => samePlatform(normalizePlatform(w), normalizePlatform(p)));
  if (root.kind === 'index') {
    rootAnnotations = (await root.manifest()).annotations;
    const walk = await walkIndex(root, { name });
    for (const a of walk.attestations) {
      skipped.push({ platform: a.subject?.platform ? formatPlatform(a.subject.platform) : 'unknown/unknown', reason: `attestation ${a.referenceType ?? 'manifest'} ${a.descriptor.digest}${a.describes ? ` of ${a.describes}` : ''}` });
    }
    for (const d of walk.ignored) skipped.push({ platform: d.platform ? formatPlatform(d.platform) : 'unknown', reason: `not an image (${d.mediaType})` });
    for (const w of walk.images) {
      if (!w.platform) {
        const error = w.error ?? new AnyarchError('E_MANIFEST', `${name}: entry ${w.descriptor.digest} has no platform`);
        failed.push(unreadVariant({ os: 'unknown', architecture: 'unknown' }, w.descriptor.digest, error));
        continue;
      }
      const platform = makePlatform(w.platform.os, w.platform.architecture, w.platform.variant ?? '');
      if (!wanted(platform)) {
        skipped.push({ platform: formatPlatform(w.platform), reason: 'not asked for (--platform)' });
        continue;
      }
      try {
        variants.push({ image: await root.image(w.descriptor), platform, ...(w.platformFrom === 'index' ? { declared: w.platform } : {}) });
      } catch (e) {
        if (!isAnyarchError(e)) throw e;
        failed.push(unreadVariant(w.platform, w.descriptor.digest, e));
      }
    }
  } else {
    const c = await root.config();
    const platform = makePlatform(c.os, c.architecture, c.variant ?? '');
    if (wanted(platform)) variants.push({ image: root, platform });
    else skipped.push({ platform: formatPlatform(platform), reason: 'not asked for (--platform)' });
  }

  const baseName = opts.base ?? withBaseDigest(rootAnnotations);
  let base: VerifyReport['base'] = baseName ? { name: baseName, from: opts.base ? 'option' : 'annotation' } : undefined;
  const maxEntries = opts.maxImageEntries ?? MAX_IMAGE_ENTRIES;
  const limits: ScanLimits = { entryBudget: { left: maxEntries, limit: maxEntries }, ...(opts.maxLayerBytes !== undefined ? { maxBytes: opts.maxLayerBytes } : {}) };
  const platforms = await Promise.all(
    variants.map(async (v) => {
      try {
        const annotations = (await v.image.manifest()).annotations;
        const variantBase = opts.base ?? withBaseDigest(annotations) ?? baseName;
        const r = await verifyVariant(v, variantBase, opts, shared, limits);
        if (!base && variantBase) base = { name: variantBase, from: 'annotation' };
        if (r.baseError && base && !base.error) base = { ...base, error: r.baseError };
        return r.report;
      } catch (e) {
        if (!isAnyarchError(e)) throw e;
        return unreadVariant(v.declared ?? v.platform, v.image.descriptor.digest, e);
      }
    }),
  );
  return { image: name, digest: root.descriptor.digest, platforms: [...platforms, ...failed], skipped, ...(base ? { base } : {}) };
}

/** The base an image's annotations name: `name@digest` when the digest annotation pins it, else the name. */
function withBaseDigest(annotations: Readonly<Record<string, string>> | undefined): string | undefined {
  const name = annotations?.[BASE_NAME_ANNOTATION];
  if (!name) return undefined;
  const digest = annotations?.[BASE_DIGEST_ANNOTATION];
  if (!digest || name.includes('@') || !isDigest(digest)) return name;
  try {
    parseSourceSpec(`${name}@${digest}`);
    return `${name}@${digest}`;
  } catch {
    return name;
  }
}

const NO_VERDICTS: Readonly<Record<VerdictSeverity, number>> = { error: 0, warning: 0, info: 0 };

function emptySummary(layers = 0): PlatformSummary {
  return { files: 0, bytes: 0, layers, elf: {}, pythonExtensions: 0, nodeAddons: 0, verdicts: NO_VERDICTS };
}

function unreadVariant(p: OciPlatform, digest: Digest, e: AnyarchError): PlatformVerification {
  const name = formatPlatform(p);
  return {
    platform: p,
    name,
    digest,
    summary: emptySummary(),
    verdicts: [notVerifiedVerdict(name, 'the variant', e.message)],
    error: errorField(e),
  };
}

function notVerifiedVerdict(platform: string, what: string, reason: string, layer?: VerdictLayer): Verdict {
  return {
    id: notVerified.meta.id,
    name: notVerified.meta.name,
    severity: 'info',
    platform,
    message: fillMessage(notVerified.messages.unreadable, { what, reason }),
    ...(layer ? { layer } : {}),
  };
}

/** A layer registries need not serve (Windows base layers): Docker's foreign and OCI's non-distributable media types. */
function isForeignLayer(layer: Layer): boolean {
  return /foreign|nondistributable/.test(layer.mediaType);
}

/**
 * The memo's key of a layer: its digest and the diff id its config expects. The uncompressed
 * stream is verified against the diff id of the layer that opened it, so a scan checked against
 * one config's diff id says nothing of another's (one of them is wrong: both are read, and the
 * wrong one fails with E_DIGEST).
 */
function layerKey(layer: Layer): string {
  return `${layer.descriptor.digest} ${layer.diffId ?? ''}`;
}

/**
 * The layer cache's key of a layer: its digest and diff id, when its tar is checked against a diff
 * id as it is read (a gzip or zstd layer with one in the config; an uncompressed layer's diff id is
 * its digest, which its blob is checked against). A layer without one is never cached.
 */
function cacheKey(layer: Layer): LayerScanKey | undefined {
  return layer.diffId && layer.compression !== undefined ? { digest: layer.descriptor.digest, diffId: layer.diffId } : undefined;
}

/**
 * A layer's scan from the cache, or undefined. A scan this call's bounds would refuse (more bytes
 * than `maxBytes`, more entries than the image has left) is read instead, so that the bound fails
 * as it would without the cache; a hit takes its entries from the image's budget as a read does.
 */
async function cachedScan(key: LayerScanKey | undefined, shared: Shared, limits: ScanLimits): Promise<LayerScan<FileFacts> | undefined> {
  if (!key || !shared.cache) return undefined;
  const scan = await shared.cache.get(key);
  if (!scan) return undefined;
  if (limits.maxBytes !== undefined && scan.bytes > limits.maxBytes) return undefined;
  const budget = limits.entryBudget;
  if (budget) {
    if (budget.left < scan.entryCount) return undefined;
    budget.left -= scan.entryCount;
  }
  return scan;
}

/** The layer read and scanned; a complete, checked read is stored in the cache (when there is one and the layer has a key). */
async function readScan(layer: Layer, key: LayerScanKey | undefined, shared: Shared, limits: ScanLimits): Promise<LayerScan<FileFacts>> {
  // scanLayer resolves only once the stream ended without error: the blob's digest and the tar's diff id checked
  const scan = await shared.readers.scanLayer(await layer.uncompressed(), shared.readers.inspector, `layer ${layer.index + 1} (${layer.descriptor.digest})`, limits);
  if (key && shared.cache) shared.writes.push(shared.cache.set(key, scan).catch(() => undefined));
  return scan;
}

/** One layer read through the memo (and the layer cache): scanned once per digest and diff id in a call, within the limit. */
function scanOnce(layer: Layer, shared: Shared, onProgress: VerifyOptions['onProgress'], limits: ScanLimits): Promise<LayerScan<FileFacts>> {
  const key = layerKey(layer);
  const held = shared.memo.get(key);
  if (held) {
    held.users++;
    return held.scan;
  }
  {
    shared.progress.total++;
    const p = shared.limit(async () => {
      const key = cacheKey(layer);
      const scan = (await cachedScan(key, shared, limits)) ?? (await readScan(layer, key, shared, limits));
      shared.progress.done++;
      shared.progress.bytes += scan.bytes;
      onProgress?.({ layersDone: shared.progress.done, layersTotal: shared.progress.total, bytes: shared.progress.bytes });
      return scan;
    });
    p.catch(() => undefined); // observed by every variant that awaits it
    shared.memo.set(key, { scan: p, users: 1 });
    return p;
  }
}

/** A variant is done with its layers' scans: each is let go when no other variant holds it. */
function releaseScans(layers: readonly Layer[], shared: Shared): void {
  for (const l of layers) {
    const key = layerKey(l);
    const held = shared.memo.get(key);
    if (held && --held.users <= 0) shared.memo.delete(key);
  }
}

/** The number of bottom layers this image shares with its base (by diff id, else by digest). */
async function baseLayers(baseName: string | undefined, variant: Variant, layers: readonly Layer[], opts: VerifyOptions, shared: Shared): Promise<{ count?: number; error?: string }> {
  if (!baseName) return {};
  let b = shared.bases.get(baseName);
  if (!b) {
    b = openBase(baseName, opts);
    shared.bases.set(baseName, b);
  }
  const base = await b;
  if (!base.root) return { error: base.error ?? 'not read' };
  try {
    const image = base.root.kind === 'index' ? await base.root.imageFor(variant.platform) : base.root;
    const theirs = await image.layers();
    let n = 0;
    while (n < theirs.length && n < layers.length) {
      const a = theirs[n] as Layer;
      const o = layers[n] as Layer;
      const same = a.diffId && o.diffId ? a.diffId === o.diffId : a.descriptor.digest === o.descriptor.digest;
      if (!same) break;
      n++;
    }
    // a base whose layers are not all at the bottom of this image is not its base
    return n === theirs.length ? { count: n } : { count: 0, error: `its layers are not the bottom layers of ${formatPlatform(variant.platform)}` };
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    return { error: e.message };
  }
}

async function openBase(name: string, opts: VerifyOptions): Promise<BaseImage> {
  let source: ImageSource | undefined;
  try {
    const spec = parseSourceSpec(name, opts.cwd !== undefined ? { cwd: opts.cwd } : {});
    const env = (opts.env ?? process.env) as NodeJS.ProcessEnv;
    const client = opts.client ?? credentialedClient({ env, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) } satisfies CredentialedClientOptions);
    source = await openSource(spec, { client, env, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
    const root = await openRoot(source, opts.maxImageBytes !== undefined ? { maxBytes: opts.maxImageBytes } : {});
    const s = source;
    return { name: formatSourceSpec(spec), root, close: () => s.close() };
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    const s = source;
    return { name, error: e.message, close: async () => s?.close() };
  }
}

async function verifyVariant(v: Variant, baseName: string | undefined, opts: VerifyOptions, shared: Shared, limits: ScanLimits): Promise<{ report: PlatformVerification; baseError?: string }> {
  const layers = await v.image.layers();
  // the smoke run first, in its turn: the variant holds no scan while it waits or runs
  const smoke = opts.smoke ? await shared.smokeLimit(() => runSmoke(v, opts)) : undefined;
  const scans = await Promise.allSettled(layers.map((l) => scanOnce(l, shared, opts.onProgress, limits)));
  try {
    return await judgeScans(v, layers, scans, baseName, opts, shared, smoke);
  } finally {
    releaseScans(layers, shared);
  }
}

async function judgeScans(
  v: Variant,
  layers: readonly Layer[],
  scans: readonly PromiseSettledResult<LayerScan<FileFacts>>[],
  baseName: string | undefined,
  opts: VerifyOptions,
  shared: Shared,
  smoke: SmokeResult | undefined,
): Promise<{ report: PlatformVerification; baseError?: string }> {
  const shownPlatform = shownPlatformOf(v);
  const name = formatPlatform(shownPlatform);
  const [config, imageConfig, history, baseInfo] = await Promise.all([
    v.image.containerConfig(),
    v.image.config(),
    v.image.history(),
    baseLayers(baseName, v, layers, opts, shared),
  ]);
  const sources = opts.dockerfile ? dockerfileSources(opts.dockerfile, history, [v.platform]) : undefined;
  const verdictLayers: VerdictLayer[] = layers.map((l) => ({
    index: l.index,
    digest: l.descriptor.digest,
    ...(l.history?.created_by !== undefined ? { createdBy: l.history.created_by } : {}),
    ...(baseInfo.count !== undefined ? { fromBase: l.index < baseInfo.count } : {}),
  }));
  const failures = scans.flatMap((s, i) => (s.status === 'rejected' ? [{ index: i, error: s.reason as unknown }] : []));
  if (failures.length > 0) {
    for (const f of failures) if (!isAnyarchError(f.error)) throw f.error;
    const errors = failures.map((f) => f.error as AnyarchError);
    const first = errors.find((e) => e.code === 'E_DIGEST') ?? (errors[0] as AnyarchError);
    // a foreign (non-distributable) layer a registry does not serve, as Windows base layers: the
    // variant is not verified, which is information; any other unreadable layer is an input error
    const onlyForeign = failures.every((f) => f.error instanceof AnyarchError && f.error.code !== 'E_DIGEST' && isForeignLayer(layers[f.index] as Layer));
    return {
      report: {
        platform: shownPlatform,
        name,
        digest: v.image.descriptor.digest,
        summary: emptySummary(layers.length),
        verdicts: failures.map((f) =>
          notVerifiedVerdict(name, `layer ${f.index + 1}${isForeignLayer(layers[f.index] as Layer) ? ' (a foreign, non-distributable layer)' : ''}`, (f.error as AnyarchError).message, verdictLayers[f.index]),
        ),
        ...(onlyForeign ? {} : { error: errorField(first) }),
      },
    };
  }
  const layerScans = scans.map((s) => (s as PromiseFulfilledResult<LayerScan<FileFacts>>).value);
  const tree = shared.readers.mergeLayers(layerScans);
  const configPlatform = v.declared ? { os: imageConfig.os, architecture: imageConfig.architecture, ...(imageConfig.variant ? { variant: imageConfig.variant } : {}) } : undefined;
  const verdicts = judgeVariant({
    platform: v.platform,
    name,
    tree,
    ...(config ? { config } : {}),
    ...(v.declared ? { declared: v.declared } : {}),
    ...(configPlatform ? { configPlatform } : {}),
    ...(smoke ? { smoke } : {}),
    allow: shared.allow,
    layers: verdictLayers,
  })
    .concat(oddityVerdicts(name, layerScans, tree, verdictLayers))
    .map((verdict) => withSource(verdict, sources, baseName));
  return {
    report: {
      platform: shownPlatform,
      name,
      digest: v.image.descriptor.digest,
      summary: summarizeVariant(tree, layerScans, verdicts),
      verdicts,
      ...(smoke ? { smoke } : {}),
    },
    ...(baseInfo.error ? { baseError: baseInfo.error } : {}),
  };
}

/** Most oddities a layer's AA210 names; the rest are counted. */
export const MAX_ODDITIES_SHOWN = 3;

/**
 * One AA210 per layer with entries the scan or the merge could not use (names outside the root,
 * hard links to nothing, whiteouts naming nothing): how many, the first few named.
 */
function oddityVerdicts(platform: string, scans: readonly LayerScan<FileFacts>[], tree: FileTree<FileFacts>, layers: readonly VerdictLayer[]): Verdict[] {
  const byLayer = scans.map((s) => [...s.oddities]);
  for (const o of tree.oddities ?? []) byLayer[o.layer]?.push(o.message);
  const out: Verdict[] = [];
  byLayer.forEach((list, i) => {
    if (list.length === 0) return;
    const named = list.filter((o) => !/^and \d+ more$/.test(o));
    // the lists are bounded: what they leave out is counted in an `and N more` line
    const count = list.reduce((n, o) => n + Number(/^and (\d+) more$/.exec(o)?.[1] ?? 1), 0);
    const shown = named.slice(0, MAX_ODDITIES_SHOWN).join('; ') + (count > MAX_ODDITIES_SHOWN ? `; and ${count - Math.min(named.length, MAX_ODDITIES_SHOWN)} more` : '');
    out.push(notVerifiedVerdict(platform, `${count} ${count === 1 ? 'entry' : 'entries'} of layer ${i + 1}`, shown, layers[i]));
  });
  return out;
}

/** The Dockerfile line of the verdict's layer, and the base-image note. */
function withSource(v: Verdict, sources: ReadonlyMap<number, NonNullable<Verdict['source']>> | undefined, baseName: string | undefined): Verdict {
  let out = v;
  const source = v.layer ? sources?.get(v.layer.index) : undefined;
  if (source) out = { ...out, source };
  if (v.layer?.fromBase && baseName && v.severity !== 'info') out = { ...out, message: `${out.message} (inherited from the base image ${baseName}: the base's bug)` };
  return out;
}

/** The platform a variant is shown as: its index entry's, else its config's. */
function shownPlatformOf(v: Variant): OciPlatform {
  return v.declared ?? { os: v.platform.os, architecture: v.platform.architecture, ...(v.platform.variant ? { variant: v.platform.variant } : {}) };
}

function variantName(v: Variant): string {
  return formatPlatform(shownPlatformOf(v));
}

async function runSmoke(v: Variant, opts: VerifyOptions): Promise<SmokeResult | undefined> {
  const smoke = opts.smoke;
  if (!smoke) return undefined;
  const run = opts.smokeRunner ?? (await import('./smoke-runner.js')).smokeRunner;
  return run(v.image, v.platform, smoke.command, { name: variantName(v), ...(smoke.timeoutMs !== undefined ? { timeoutMs: smoke.timeoutMs } : {}), ...(opts.env ? { env: opts.env } : {}) });
}

/** Files, bytes, ELF files by `architecture/libc`, Python extensions, Node addons, verdicts. */
export function summarizeVariant(tree: FileTree<FileFacts>, scans: readonly LayerScan<FileFacts>[], verdicts: readonly Verdict[]): PlatformSummary {
  const elf: Record<string, number> = {};
  let pythonExtensions = 0;
  let nodeAddons = 0;
  let files = 0;
  for (const [path, f] of tree.files()) {
    files++;
    const facts = f.facts;
    if (facts?.format !== 'elf') continue;
    const arch = elfArchitecture(facts).architecture ?? 'unknown';
    const libc = facts.interpreter ? (loaderFacts(facts.interpreter)?.libc ?? 'dynamic') : 'static';
    const key = `${arch}/${libc}`;
    elf[key] = (elf[key] ?? 0) + 1;
    if (isPythonBinary(path)) pythonExtensions++;
    if (path.endsWith('.node')) nodeAddons++;
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const v of verdicts) counts[v.severity]++;
  return { files, bytes: scans.reduce((n, s) => n + s.bytes, 0), layers: scans.length, elf, pythonExtensions, nodeAddons, verdicts: counts };
}

export interface VerifyImagesOptions extends VerifyOptions, CredentialedClientOptions {
  /** called once per image as it is finished */
  readonly onImage?: (done: { readonly done: number; readonly total: number; readonly image: string }) => void;
}

export interface VerifyRun {
  /** one report per image, in the order given */
  readonly reports: readonly VerifyReport[];
  readonly summary: VerifySummary;
}

/**
 * Verifies several images named by source specifiers (as `anyarch platforms` reads them): each
 * parsed, opened, verified and closed; layers shared between them are read once. Every image is
 * verified even when another fails.
 */
export async function verifyImages(images: readonly string[], opts: VerifyImagesOptions = {}): Promise<VerifyRun> {
  const client = opts.client ?? credentialedClient(opts);
  const env = (opts.env ?? process.env) as NodeJS.ProcessEnv;
  const shared = await sharedFor(opts);
  const withClient: VerifyOptions = { ...opts, client, env };
  return withShared(shared, async () => {
    const reports = await eachSource(
      images,
      { client, env, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), onDone: (done, image) => opts.onImage?.({ done, total: images.length, image }) },
      (source, name) => verifyOne(source, withClient, shared, name),
      (name, e): VerifyReport => ({ image: name, platforms: [], skipped: [], error: errorField(e) }),
    );
    return { reports, summary: summarizeVerify(reports) };
  });
}

/** What reports add up to. */
export function summarizeVerify(reports: readonly VerifyReport[]): VerifySummary {
  const verdicts = { error: 0, warning: 0, info: 0 };
  let unreadableImages = 0;
  let variants = 0;
  let unreadableVariants = 0;
  let integrityFailures = 0;
  for (const r of reports) {
    if (r.error) {
      unreadableImages++;
      if (r.error.code === 'E_DIGEST') integrityFailures++;
    }
    for (const p of r.platforms) {
      if (p.error) {
        unreadableVariants++;
        if (p.error.code === 'E_DIGEST') integrityFailures++;
      } else variants++;
      for (const v of p.verdicts) verdicts[v.severity]++;
    }
  }
  return { images: reports.length, unreadableImages, variants, unreadableVariants, integrityFailures, verdicts };
}

/** What verifying ended with (the CLI turns it into an exit code). */
export type VerifyOutcome = 'clean' | 'findings' | 'input-error';

/** An unreadable image or variant (integrity failures included) beats verdicts at or above `failOn`. */
export function verifyOutcome(summary: VerifySummary, failOn: FailOn = 'warning'): VerifyOutcome {
  if (summary.unreadableImages > 0 || summary.unreadableVariants > 0 || summary.integrityFailures > 0) return 'input-error';
  for (const s of ['error', 'warning', 'info'] as const) if (summary.verdicts[s] > 0 && failsOn(s, failOn)) return 'findings';
  return 'clean';
}

export type { HistoryStep };
