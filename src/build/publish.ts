/**
 * Verify before tag: how every multi-platform image anyarch makes (`build`, `assemble`, `merge`)
 * reaches a registry. The index and every variant are pushed by digest first, with no tag (only
 * the blobs the registry lacks are sent: HEAD, then a cross-repository mount when one is known,
 * then an upload); every variant is then verified (`verifyImage`); only when every variant
 * passes at `failOn` is the index put again, now carrying the verify annotations (the platforms
 * verified and the anyarch version), and every tag written to that annotated index. A variant
 * that fails leaves no tag at all: the result says `passed: false`, `tagged: []`, and carries the
 * verdicts.
 *
 * The annotation changes the index's digest: the index that is tagged (and that `PublishResult.index`
 * names when it passed) is the annotated one; the one pushed before verifying stays in the
 * registry by digest, untagged. Both list the same per-platform manifests, and those are what was
 * verified.
 *
 * What is verified is the content pushed, read from where it was pushed from (the `root` given,
 * whose blobs the store or source serves), not read back from the registry: the registry took
 * every blob and manifest by digest and checked each (distribution refuses an upload whose bytes do
 * not hash to the digest it is committed under), so the bytes behind each digest are the same, and
 * reading them back would download every layer again for nothing. Every read of the source is
 * digest-checked too, so an altered local blob fails verify rather than passing it.
 */
import { DEFAULT_FAIL_ON, type FailOn } from '../check/outcome.js';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { packageVersion } from '../fs/package-version.js';
import { digestOf, isDigest, type Digest } from '../oci/digest.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import type { Descriptor } from '../oci/manifest.js';
import { MediaType } from '../oci/media.js';
import { VERIFIED_BY_ANNOTATION, VERIFIED_PLATFORMS_ANNOTATION, verifiedPlatformsValue } from '../oci/platforms.js';
import { formatReference, type ImageReference } from '../oci/reference.js';
import { parseSourceSpec } from '../oci/source-spec.js';
import type { ImageSource } from '../oci/source.js';
import { walkIndex } from '../oci/walk.js';
import { formatPlatform, makePlatform, normalizePlatform, samePlatform, type Platform } from '../platform/index.js';
import type { RegistryClient, RepositoryRef } from '../registry/client.js';
import { RegistryError } from '../registry/errors.js';
import { pushImage, type PushStats } from '../registry/push.js';
import { registrySource } from '../registry/source.js';
import { openSource } from '../sources.js';
import type { DockerfileInput } from '../verify/dockerfile-map.js';
import type { VerifyReport } from '../verify/types.js';
import { closeAll, summarizeVerify, verifyImage, verifyOutcome, type VerifyOptions, type VerifyOutcome } from '../verify/verify.js';
import type { BlobStore } from './blob-store.js';
import { composeIndex, type ComposeEntry } from './compose.js';
import type { PublishedVariant, PublishResult } from './types.js';

/** How far publishing has got (a progress line on a terminal; nothing in CI). */
export type PublishEvent =
  /** a blob is in the registry (there already, mounted or uploaded): `done` of `total` */
  | { readonly phase: 'push'; readonly done: number; readonly total: number; readonly bytesUploaded: number }
  /** layers read by verify so far */
  | { readonly phase: 'verify'; readonly layersDone: number; readonly layersTotal: number; readonly bytes: number }
  /** a tag was written */
  | { readonly phase: 'tag'; readonly reference: string };

export interface PublishOptions {
  readonly client: RegistryClient;
  /**
   * the references to tag, all of one repository (`registry/repository`), which is where
   * everything is pushed; a reference without a tag names the repository only (push by digest,
   * nothing tagged for it)
   */
  readonly tags: readonly ImageReference[];
  /** false: push and tag without verifying (`--no-verify`: no verdicts, no verify annotation) */
  readonly verify: boolean;
  /** the least severe verdict that refuses a variant (default `warning`, as `verify`) */
  readonly failOn?: FailOn;
  /** how variants are verified (`verify.allow`, `--base`, limits...; `platforms` is ignored: every variant is verified); its client defaults to `client` */
  readonly verifyOptions?: VerifyOptions;
  /** the Dockerfile the variants were built from: verdicts point at its lines */
  readonly dockerfile?: DockerfileInput;
  readonly onProgress?: (event: PublishEvent) => void;
}

/** What publishing a root adds beyond {@link PublishOptions}: mounts, for `merge`. */
interface PushPlan {
  /** the repository of the same registry a blob can be mounted from */
  readonly mountFromFor?: (digest: Digest) => string | undefined;
}

/**
 * The one repository `tags` name (`E_USAGE` when they name none or several), as a reference
 * without tag or digest.
 */
export function publishRepository(tags: readonly ImageReference[]): ImageReference {
  const [first] = tags;
  if (!first) throw new AnyarchError('E_USAGE', 'nothing to publish to: name the image with a tag (-t REGISTRY/REPOSITORY:TAG)');
  for (const t of tags) {
    if (t.registry !== first.registry || t.repository !== first.repository) {
      throw new AnyarchError(
        'E_USAGE',
        `the tags name two repositories: ${first.registry}/${first.repository} and ${t.registry}/${t.repository}`,
        'an index is pushed to one repository; tag it in one, then copy it (e.g. skopeo copy --all) to the others',
      );
    }
  }
  return { registry: first.registry, repository: first.repository };
}

/**
 * Push by digest while every variant is verified (from the local content, whose bytes the
 * registry checks against their digests as it stores them), then, only when the push ended and
 * every variant passed, put the index again with the verify annotations and write the tags. Registry and network failures are thrown (`E_REGISTRY`,
 * `E_NETWORK`, `E_AUTH`...) naming the image and, for a registry's answer, its HTTP status;
 * nothing is tagged before every push has succeeded. Verdicts are never thrown: they are in
 * `report`, and `passed` says whether they refuse the image.
 */
export function publish(root: Index, opts: PublishOptions): Promise<PublishResult> {
  return publishPlanned(root, opts, {});
}

/** {@link publish}, with a plan for mounts (merge). */
export async function publishPlanned(root: Index, opts: PublishOptions, plan: PushPlan): Promise<PublishResult> {
  const repository = publishRepository(opts.tags);
  const repo: RepositoryRef = { registry: repository.registry, repository: repository.repository };
  const name = formatReference({ ...repository, digest: root.descriptor.digest });
  const variants = await variantsOf(root, name);

  // 1. everything by digest, no tag, and 2. every variant verified: at once (verify reads the
  // local content, the same bytes the registry checks against their digests as it stores them)
  const onProgress = opts.onProgress;
  const verifying = opts.verify
    ? (() => {
        // every variant: a `platforms` choice of the caller's is not one publishing may make
        const { platforms: _every, ...verifyOptions } = opts.verifyOptions ?? {};
        return verifyImage(
          root,
          {
            ...verifyOptions,
            client: opts.verifyOptions?.client ?? opts.client,
            ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}),
            ...(onProgress ? { onProgress: (p) => onProgress({ phase: 'verify', ...p }) } : {}),
          },
          name,
        );
      })()
    : undefined;
  // settled as a value, so that a verify failing while the push runs is never an unhandled rejection
  const verified = verifying?.then(
    (report) => ({ report }),
    (error: unknown) => ({ error }),
  );
  let pushed: PushStats;
  try {
    pushed = await pushByDigest(repo, root, name, opts, plan);
  } catch (e) {
    // the push's failure is the error; nothing of this publish runs on after it is thrown
    await verified;
    throw e;
  }
  const stats: Mutable<PublishResult['stats']> = {
    exists: pushed.blobs.exists,
    mounted: pushed.blobs.mounted,
    uploaded: pushed.blobs.uploaded,
    manifests: pushed.manifests,
    bytesUploaded: pushed.bytesUploaded,
  };
  const outcome = await verified;
  if (outcome && 'error' in outcome) throw outcome.error;
  const report: VerifyReport | undefined = outcome?.report;
  let passed = report ? reportOutcome(report, opts.failOn ?? DEFAULT_FAIL_ON) === 'clean' : true;
  const published = variants.map((v): PublishedVariant => {
    const verification = report?.platforms.find((p) => p.digest === v.descriptor.digest);
    return { platform: v.platform, descriptor: v.descriptor, size: v.size, ...(verification ? { verification } : {}) };
  });
  // a variant verify did not judge is not a variant that passed
  if (report && published.some((v) => !v.verification || v.verification.error)) passed = false;
  if (!passed) return { repository, index: root.descriptor, variants: published, ...(report ? { report } : {}), passed, tagged: [], stats };

  // 3. the index that is tagged: with the verify annotations when verified
  let index: { readonly descriptor: Descriptor; readonly bytes: Uint8Array } = { descriptor: root.descriptor, bytes: await root.manifestBytes() };
  const put = async (reference: string): Promise<void> => {
    await guarded(name, () => opts.client.putManifest(repo, reference, index.bytes, index.descriptor.mediaType));
    stats.manifests++;
    stats.bytesUploaded += index.bytes.length;
  };
  if (opts.verify) {
    index = verifiedIndex(index.bytes, index.descriptor.mediaType, variants.map((v) => v.platform));
    await put(index.descriptor.digest);
  }
  const tagged: string[] = [];
  for (const t of opts.tags) {
    if (!t.tag) continue;
    const reference = formatReference({ registry: repo.registry, repository: repo.repository, tag: t.tag });
    if (tagged.includes(reference)) continue;
    await put(t.tag);
    tagged.push(reference);
    opts.onProgress?.({ phase: 'tag', reference });
  }
  return { repository, index: index.descriptor, variants: published, ...(report ? { report } : {}), passed, tagged, stats };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What `verify` would exit with for this report (`input-error` for unreadable or altered content, then verdicts at `failOn`). */
export function reportOutcome(report: VerifyReport, failOn: FailOn = DEFAULT_FAIL_ON): VerifyOutcome {
  return verifyOutcome(summarizeVerify([report]), failOn);
}

/** What a publish ended with: `clean` (tagged, or pushed by digest), `findings` (refused by verify), `input-error` (a variant that could not be read). */
export function publishOutcome(result: PublishResult, failOn: FailOn = DEFAULT_FAIL_ON): VerifyOutcome {
  if (result.passed || !result.report) return 'clean';
  const outcome = reportOutcome(result.report, failOn);
  // passed false always fails: a report that is clean at this failOn was refused at another
  return outcome === 'clean' ? 'findings' : outcome;
}

interface RootVariant {
  readonly platform: Platform;
  readonly descriptor: Descriptor;
  readonly image: Image;
  readonly size: number;
}

/** The root's images (attestations and other entries left out), each with its platform and size. */
async function variantsOf(root: Index, name: string): Promise<RootVariant[]> {
  const walk = await walkIndex(root, { name });
  return Promise.all(
    walk.images.map(async (w) => {
      if (!w.platform) throw w.error ?? new AnyarchError('E_INPUT', `${name}: entry ${w.descriptor.digest} has no platform`);
      const image = await root.image(w.descriptor);
      const m = await image.manifest();
      const size = w.descriptor.size + m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
      return { platform: makePlatform(w.platform.os, w.platform.architecture, w.platform.variant ?? ''), descriptor: w.descriptor, image, size };
    }),
  );
}

/** Pushes the root and everything under it by digest; registry and network errors name the image. */
async function pushByDigest(repo: RepositoryRef, root: Index, name: string, opts: PublishOptions, plan: PushPlan): Promise<PushStats> {
  let bytes = 0;
  const onProgress = opts.onProgress;
  const { stats } = await guarded(name, () =>
    pushImage(opts.client, repo, root, {
      ...(plan.mountFromFor ? { mountFromFor: plan.mountFromFor } : {}),
      ...(onProgress
        ? {
            onBlob: (e) => {
              if (e.how === 'uploaded') bytes += e.descriptor.size;
              onProgress({ phase: 'push', done: e.done, total: e.total, bytesUploaded: bytes });
            },
          }
        : {}),
    }),
  );
  return stats;
}

/**
 * Runs a registry operation of publishing `name`; a failure is the same error (code, status,
 * hint) with a message that names the image first, so that "connection reset" says which push.
 */
async function guarded<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    const message = `publishing ${name}: ${e.message}`;
    if (e instanceof RegistryError) throw new RegistryError(e.code, message, { status: e.status, diagnostics: e.diagnostics, ...(e.hint ? { hint: e.hint } : {}), ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}), cause: e });
    throw new AnyarchError(e.code, message, e.hint ?? (e.code === 'E_NETWORK' ? 'nothing was tagged; run the same command again: what reached the registry is not sent twice' : undefined), undefined, { cause: e });
  }
}

/** The index's bytes carrying the verify annotations (`dev.anyarch.verify.*`) for `platforms`: what is tagged or written once every variant passed. */
export function verifiedIndex(bytes: Uint8Array, mediaType: string, platforms: readonly Platform[]): { descriptor: Descriptor; bytes: Uint8Array } {
  return annotatedIndex(bytes, mediaType, {
    [VERIFIED_PLATFORMS_ANNOTATION]: verifiedPlatformsValue(platforms),
    [VERIFIED_BY_ANNOTATION]: packageVersion(),
  });
}

/** {@link verifiedIndex} of `root`, put in `store` and opened from it (for an image written to a layout or archive). */
export async function withVerifyAnnotations(store: BlobStore, root: Index, platforms: readonly Platform[], name?: string): Promise<Index> {
  const annotated = verifiedIndex(await root.manifestBytes(), root.descriptor.mediaType, platforms);
  const descriptor = await store.put(annotated.bytes, annotated.descriptor.mediaType);
  const opened = await openRoot(store.source(descriptor, name));
  if (opened.kind !== 'index') throw new AnyarchError('E_INTERNAL', 'the annotated index opened as an image');
  return opened;
}

/** The index's bytes with `annotations` added (kept: every other field, as it was). */
export function annotatedIndex(bytes: Uint8Array, mediaType: string, annotations: Readonly<Record<string, string>>): { descriptor: Descriptor; bytes: Uint8Array } {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  const before = (json['annotations'] ?? {}) as Record<string, string>;
  json['annotations'] = { ...before, ...annotations };
  const out = new TextEncoder().encode(JSON.stringify(json));
  return { descriptor: { mediaType, digest: digestOf(out), size: out.length }, bytes: out };
}

/** What `merge` takes beyond {@link PublishOptions}. */
export interface MergeOptions extends PublishOptions {
  /** where the index is composed (the images' blobs are borrowed, not copied) */
  readonly store: BlobStore;
  /** annotations of the index (`--annotation`, the standard ones) */
  readonly annotations?: Readonly<Record<string, string>>;
  /** where relative `oci:` and archive paths are read from (default the process's) */
  readonly cwd?: string;
  /** for `docker-daemon:` sources (DOCKER_HOST; default the process's) */
  readonly env?: NodeJS.ProcessEnv;
}

/** Most images one `merge` takes. */
export const MAX_MERGE_IMAGES = 64;

/**
 * `anyarch merge REF DIGEST...`: the images (a bare digest is in REF's repository; a full
 * reference or any source specifier is read from where it names) composed into one index, each
 * with the platform its config says (an index given is taken apart: each of its images, attestations
 * left out), then published as {@link publish} does: pushed by digest into REF's repository
 * (blobs in another repository of the same registry are mounted, not sent), verified, and tagged
 * only when every variant passes. `E_INPUT` for an image whose config names no platform and for
 * two images of one platform, before anything is pushed. `opts.tags` default to `[target]`.
 */
export async function merge(target: ImageReference, images: readonly string[], opts: MergeOptions): Promise<PublishResult> {
  if (images.length === 0) throw new AnyarchError('E_USAGE', 'name the images to merge', 'e.g. anyarch merge registry.example.com/app:1 sha256:… sha256:…');
  if (images.length > MAX_MERGE_IMAGES) throw new AnyarchError('E_USAGE', `${images.length} images to merge: at most ${MAX_MERGE_IMAGES}`);
  const tags = opts.tags.length > 0 ? opts.tags : [target];
  const repository = publishRepository(tags);
  if (repository.registry !== target.registry || repository.repository !== target.repository) {
    throw new AnyarchError('E_USAGE', `the tags are in ${repository.registry}/${repository.repository}, not in ${target.registry}/${target.repository}`);
  }
  const sources: ImageSource[] = [];
  try {
    const entries: (ComposeEntry & { readonly name: string })[] = [];
    const mounts = new Map<string, string>();
    for (const given of images) {
      const { source, mountFrom } = await mergeSource(given, target, opts);
      sources.push(source);
      for (const e of await mergeEntries(source)) {
        const twin = entries.find((o) => samePlatform(normalizePlatform(o.platform), normalizePlatform(e.platform)));
        if (twin) {
          throw new AnyarchError('E_INPUT', `two images for ${formatPlatform(e.platform)}: ${twin.name} and ${e.name}`, 'an index has one image per platform; leave one of them out');
        }
        entries.push(e);
        if (mountFrom) for (const d of await blobsOf(e.image)) mounts.set(d, mountFrom);
      }
    }
    const root = await composeIndex(opts.store, entries, opts.annotations ? { annotations: opts.annotations } : {});
    return await publishPlanned(root, { ...opts, tags }, mounts.size > 0 ? { mountFromFor: (d) => mounts.get(d) } : {});
  } finally {
    await closeAll(sources.map((s) => () => s.close()));
  }
}

/** One image named to merge, opened; `mountFrom` when it is in another repository of the target's registry. */
async function mergeSource(given: string, target: ImageReference, opts: MergeOptions): Promise<{ source: ImageSource; mountFrom?: string }> {
  if (isDigest(given)) return { source: registrySource(opts.client, { registry: target.registry, repository: target.repository, digest: given }) };
  const spec = parseSourceSpec(given, opts.cwd !== undefined ? { cwd: opts.cwd } : {});
  const source = await openSource(spec, { client: opts.client, ...(opts.env ? { env: opts.env } : {}) });
  if (spec.kind === 'registry' && spec.reference.registry === target.registry && spec.reference.repository !== target.repository) {
    return { source, mountFrom: spec.reference.repository };
  }
  return { source };
}

/** The images a merged source gives: itself (its platform from its config), or each image of an index it is. */
async function mergeEntries(source: ImageSource): Promise<(ComposeEntry & { readonly name: string })[]> {
  const root = await openRoot(source);
  if (root.kind === 'image') return [{ name: source.name, image: root, platform: await configPlatform(root, source.name) }];
  const walk = await walkIndex(root, { name: source.name });
  if (walk.images.length === 0) throw new AnyarchError('E_INPUT', `${source.name} is an index with no image in it`);
  return Promise.all(
    walk.images.map(async (w) => {
      const image = await root.image(w.descriptor);
      const name = `${source.name} (${w.descriptor.digest})`;
      return { name, image, platform: await configPlatform(image, name) };
    }),
  );
}

/** The platform an image's config names; `E_INPUT` when it names none (an artifact, or an empty os or architecture). */
async function configPlatform(image: Image, name: string): Promise<Platform> {
  const m = await image.manifest();
  const noPlatform = (why: string): AnyarchError =>
    new AnyarchError('E_INPUT', `${name} has no platform: ${why}`, 'merge takes container images, each built for one platform (its config says os and architecture)');
  if (m.config.mediaType !== MediaType.OCI_CONFIG && m.config.mediaType !== MediaType.DOCKER_CONFIG) throw noPlatform(`its config is a ${m.config.mediaType}, not an image config`);
  let c: Awaited<ReturnType<Image['config']>>;
  try {
    c = await image.config();
  } catch (e) {
    if (isAnyarchError(e) && e.code === 'E_MANIFEST') throw noPlatform(e.message);
    throw e;
  }
  if (!c.os || !c.architecture) throw noPlatform('its config has no os or architecture');
  return makePlatform(c.os, c.architecture, c.variant ?? '');
}

/** The digests of an image's config and layers. */
async function blobsOf(image: Image): Promise<string[]> {
  const m = await image.manifest();
  return [m.config.digest, ...m.layers.map((l) => l.digest)];
}
