/**
 * What `anyarch platforms` does, without printing: parse each image's source specifier, open it,
 * read its platforms (with details, or the index only), close it, and decide each image's
 * problems and what they add up to. Every image is read even when another fails; an image that
 * cannot be named, opened or read is a result with its error, never an exception.
 *
 * ```ts
 * const run = await inspectImages(['ghcr.io/acme/api:1', 'oci:./layout:latest'], { required: parsePlatformList('linux/amd64,linux/arm64') });
 * if (imagesOutcome(run.summary) !== 'clean') for (const r of run.results) for (const p of r.problems) console.log(p.message);
 * ```
 */
import { imageResult, summarizeImages, type ImageResult, type ImagesSummary } from './oci/image-results.js';
import { inspectPlatforms } from './oci/platforms.js';
import type { Platform } from './platform/index.js';
import type { RegistryClient } from './registry/client.js';
import { credentialedClient, type CredentialedClientOptions } from './registry/credentialed.js';
import { eachSource } from './sources.js';

/** How far reading images has got, for a progress line. */
export interface ImagesProgress {
  /** images finished (read or not) */
  readonly done: number;
  readonly total: number;
  /** the image just finished, as the user named it */
  readonly image: string;
}

export interface InspectImagesOptions extends CredentialedClientOptions {
  /** the directory relative paths in specifiers are read from (default: the process's) */
  readonly cwd?: string;
  /** platforms every image must publish (`--require`): each one missing is a problem */
  readonly required?: readonly Platform[];
  /** read the index only: no per-platform manifest or config (default false) */
  readonly indexOnly?: boolean;
  /**
   * most bytes of manifests, indexes and configs read per image (default
   * `DEFAULT_MAX_IMAGE_BYTES`, 256 MiB); an image that needs more is `E_LIMIT`
   */
  readonly maxImageBytes?: number;
  /** the registry client (default: `credentialedClient` of `env`, `insecureRegistries` and `timeoutMs`) */
  readonly client?: RegistryClient;
  /** called once per image as it is finished */
  readonly onProgress?: (progress: ImagesProgress) => void;
}

export interface ImagesRun {
  /** one result per image, in the order given */
  readonly results: readonly ImageResult[];
  /** what they add up to (`imagesOutcome(summary)` is the command's outcome) */
  readonly summary: ImagesSummary;
}

export async function inspectImages(images: readonly string[], opts: InspectImagesOptions = {}): Promise<ImagesRun> {
  const client = opts.client ?? credentialedClient(opts);
  const env = (opts.env ?? process.env) as NodeJS.ProcessEnv;
  const results = await eachSource(
    images,
    { client, env, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), onDone: (done, image) => opts.onProgress?.({ done, total: images.length, image }) },
    async (source, name) => imageResult(name, await inspectPlatforms(source, { details: !opts.indexOnly, ...(opts.maxImageBytes !== undefined ? { maxBytes: opts.maxImageBytes } : {}) }), opts.required),
    (name, e) => imageResult(name, e),
  );
  return { results, summary: summarizeImages(results) };
}
