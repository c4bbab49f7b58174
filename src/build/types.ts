/**
 * The shapes `anyarch build`, `anyarch assemble` and `anyarch merge` share. Every way of making
 * a multi-platform image ends the same way: per-platform images (from an engine's export, a
 * buildah OCI layout, a registry, or assembled here) are composed into one index, pushed by
 * digest, verified, and only then tagged (`publish.ts`). The engines differ only in how they make
 * the per-platform images.
 */
import type { Digest } from '../oci/digest.js';
import type { Image, Index } from '../oci/image.js';
import type { Descriptor } from '../oci/manifest.js';
import type { ImageReference } from '../oci/reference.js';
import type { Platform } from '../platform/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { PlatformVerification, VerifyReport } from '../verify/types.js';

/** The engines `anyarch build` can drive, and `assemble` (no engine). */
export type EngineName = 'buildx' | 'docker' | 'buildah' | 'assemble';

/** Every engine name `--engine` accepts, in the order detection tries them. */
export const ENGINE_NAMES: readonly EngineName[] = ['buildx', 'docker', 'buildah', 'assemble'];

/** What `docker build` is asked (its flags, in the library's words). */
export interface BuildRequest {
  /** the build context directory */
  readonly context: string;
  /** the Dockerfile (default `<context>/Dockerfile`) */
  readonly dockerfile: string;
  /** one variant per platform, in this order */
  readonly platforms: readonly Platform[];
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly noCache: boolean;
  /** RUN steps' network (`none` in tests; default the engine's) */
  readonly network?: string;
  /** `--go ./cmd/app`: no Dockerfile; cross-compiled per platform and assembled onto `base` (default scratch) */
  readonly go?: {
    readonly package: string;
    /** CGO_ENABLED=1 (default 0) */
    readonly cgo?: boolean;
    /** the base image (a reference or source specifier); absent: scratch */
    readonly base?: string;
    /** add the host's CA certificates bundle at /etc/ssl/certs/ca-certificates.crt */
    readonly caCertificates?: boolean;
  };
}

/** One platform's image as an engine made it, opened (its blobs readable from wherever it lives). */
export interface BuiltVariant {
  readonly platform: Platform;
  readonly image: Image;
}

/**
 * What an engine made. Either the per-platform images, each readable (docker: the engine's
 * export; buildah: an OCI layout), or an index the engine already pushed by digest (buildx with
 * `push-by-digest`): then `index` is that index, opened from the registry.
 */
export interface EngineResult {
  readonly variants: readonly BuiltVariant[];
  /** set when the engine already pushed an index (buildx): publish tags it after verifying, pushes nothing else */
  readonly pushed?: { readonly repository: ImageReference; readonly index: Index };
  /** releases exports, temporary layouts, engine-side names; safe twice */
  close(): Promise<void>;
}

/** One engine, found on this machine (or named by `--engine`). */
export interface Engine {
  readonly name: EngineName;
  /** the client program run (full path), when there is one */
  readonly program?: string;
  /** the engine's version, as it says it */
  readonly version: string;
  /** one sentence: why this engine was chosen ("docker 20.10.24 at /usr/bin/docker: BuildKit built in, no buildx") */
  readonly why: string;
  build(request: BuildRequest, opts: EngineBuildOptions): Promise<EngineResult>;
}

export interface EngineBuildOptions {
  /** where buildx pushes by digest (the repository of the first tag); absent: buildx writes an OCI archive instead */
  readonly repository?: ImageReference;
  /** the client buildx's pushed index is read back with (default: a plain client) */
  readonly client?: RegistryClient;
  /** a line of the engine's own output, per platform when known (progress on a TTY, nothing in CI) */
  readonly onOutput?: (line: string, platform?: Platform) => void;
  readonly signal?: AbortSignal;
  /** where temporary exports and layouts go (default os.tmpdir()) */
  readonly tmpDir?: string;
}

/** The standard annotations an index gets (image-spec annotations.md). */
export interface ImageAnnotations {
  /** org.opencontainers.image.source */
  readonly source?: string;
  /** org.opencontainers.image.revision */
  readonly revision?: string;
  /** org.opencontainers.image.created (RFC 3339; from SOURCE_DATE_EPOCH when set) */
  readonly created?: string;
  /** org.opencontainers.image.base.name */
  readonly baseName?: string;
  /** org.opencontainers.image.base.digest */
  readonly baseDigest?: Digest;
}

/**
 * Annotation keys of the verify summary on a published index (read back by `anyarch platforms`):
 * defined in src/oci/platforms.ts, which reads them and cannot import this room.
 */
export { VERIFIED_BY_ANNOTATION, VERIFIED_PLATFORMS_ANNOTATION } from '../oci/platforms.js';

/** One published platform, as the summary lists it. */
export interface PublishedVariant {
  readonly platform: Platform;
  readonly descriptor: Descriptor;
  /** bytes of the manifest, config and layers */
  readonly size: number;
  /** absent with `--no-verify` */
  readonly verification?: PlatformVerification;
}

/** What publishing did: the index, its variants, the tags written (none when a variant failed). */
export interface PublishResult {
  readonly repository: ImageReference;
  readonly index: Descriptor;
  readonly variants: readonly PublishedVariant[];
  /** the verify report of the index (absent with `--no-verify`) */
  readonly report?: VerifyReport;
  /** true when every variant passed at the fail-on level (always true with `--no-verify`) */
  readonly passed: boolean;
  /** the tags written, full references; empty when `passed` is false or none were asked */
  readonly tagged: readonly string[];
  /** blobs already there, mounted, uploaded; manifests put; bytes uploaded */
  readonly stats: { readonly exists: number; readonly mounted: number; readonly uploaded: number; readonly manifests: number; readonly bytesUploaded: number };
}
