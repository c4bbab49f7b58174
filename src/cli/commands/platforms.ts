/**
 * `anyarch platforms IMAGE...`: which platforms each image publishes, read from a registry, an
 * OCI layout or an archive. `--require` turns it into a gate (exit 1 listing what is missing).
 * Every image is read even when one fails; a failed image is reported on its own line, and so
 * is content that failed its digest (exit 2 whatever else was read). Glue: flags to the library's
 * `inspectImages`, its results to a reporter, its summary to an outcome.
 */
import { AnyarchError } from '../../errors.js';
import { inspectImages } from '../../images.js';
import { imageError, imagesOutcome } from '../../oci/image-results.js';
import { formatPlatform, parsePlatformList } from '../../platform/index.js';
import { showProgress, type Io, type Outcome } from '../io.js';
import { loadReporter } from '../reporters/index.js';
import { sanitize, type Format } from '../reporters/types.js';
import { packageVersion } from '../version.js';

export interface PlatformsCommandOptions {
  readonly images: readonly string[];
  readonly format: Format;
  /** comma-separated platforms every image must publish */
  readonly require?: string;
  readonly insecureRegistries: readonly string[];
  /** list the index only: no per-platform manifest or config requests */
  readonly indexOnly: boolean;
  /** full digests in text output */
  readonly noTrunc: boolean;
  /** seconds one registry request (or one exchange with the Docker engine) may take, its whole answer included */
  readonly timeout?: number;
  /** most bytes of manifests, indexes and configs read per image */
  readonly maxImageBytes?: number;
}

function printError(io: Io, message: string, hint: string | undefined): void {
  io.stderr.write(`anyarch: ${sanitize(message)}\n`);
  if (hint) io.stderr.write(`  hint: ${sanitize(hint)}\n`);
}

export async function platforms(opts: PlatformsCommandOptions, io: Io): Promise<Outcome> {
  const required = opts.require ? parsePlatformList(opts.require) : undefined;
  if (opts.images.length === 0) throw new AnyarchError('E_USAGE', 'name at least one image', "e.g. anyarch platforms docker.io/library/alpine:3.20 or oci:./layout:latest");

  // progress on a terminal only (never in CI logs or pipes): one line, rewritten, then erased
  const progress = opts.images.length > 1 && showProgress(io.stderr, io.env);
  const { results, summary } = await inspectImages(opts.images, {
    cwd: io.cwd,
    env: io.env,
    insecureRegistries: opts.insecureRegistries,
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
    ...(required ? { required } : {}),
    indexOnly: opts.indexOnly,
    ...(opts.maxImageBytes !== undefined ? { maxImageBytes: opts.maxImageBytes } : {}),
    onProgress: (p) => {
      if (progress) io.stderr.write(`\ranyarch: ${p.done}/${p.total} images read\u001b[K`);
    },
  });
  if (progress) io.stderr.write('\r\u001b[K');

  const reporter = await loadReporter(opts.format);
  io.stdout.write(
    reporter.platforms(results, {
      summary,
      ...(required ? { required: required.map(formatPlatform) } : {}),
      fullDigests: opts.noTrunc,
      cwd: io.cwd,
      toolVersion: packageVersion(),
    }),
  );
  // what could not be read, and content that failed its digest, on standard error too
  for (const r of results) {
    const error = imageError(r);
    if (error) printError(io, error.describe(), error.hint);
    for (const p of r.problems) {
      if (p.kind === 'unreadable' && p.platform !== undefined && p.severity === 'error') printError(io, p.message, p.error.hint);
    }
  }
  return imagesOutcome(summary);
}
