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
import { isAnyarchError } from './errors.js';
import { imageResult, summarizeImages, type ImageResult, type ImagesSummary } from './oci/image-results.js';
import { inspectPlatforms } from './oci/platforms.js';
import { formatSourceSpec, parseSourceSpec } from './oci/source-spec.js';
import type { ImageSource } from './oci/source.js';
import type { Platform } from './platform/index.js';
import type { RegistryClient } from './registry/client.js';
import { credentialedClient, type CredentialedClientOptions } from './registry/credentialed.js';
import { openSource } from './sources.js';

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
  let done = 0;
  const one = async (image: string): Promise<ImageResult> => {
    let spec;
    try {
      spec = parseSourceSpec(image, opts.cwd !== undefined ? { cwd: opts.cwd } : {});
    } catch (e) {
      if (isAnyarchError(e)) return imageResult(image, e);
      throw e;
    }
    const name = formatSourceSpec(spec);
    let source: ImageSource | undefined;
    try {
      source = await openSource(spec, { client, env, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
      return imageResult(name, await inspectPlatforms(source, { details: !opts.indexOnly, ...(opts.maxImageBytes !== undefined ? { maxBytes: opts.maxImageBytes } : {}) }), opts.required);
    } catch (e) {
      if (isAnyarchError(e)) return imageResult(name, e);
      throw e;
    } finally {
      await source?.close();
    }
  };
  const results = await Promise.all(
    images.map(async (image) => {
      try {
        return await one(image);
      } finally {
        opts.onProgress?.({ done: ++done, total: images.length, image });
      }
    }),
  );
  return { results, summary: summarizeImages(results) };
}
