/**
 * The results of reading the platforms of several images (`anyarch platforms`), and what they
 * add up to: each image's problems (a required platform missing, a config that disagrees with
 * its index entry, content that could not be read), a summary and an outcome. Decided here
 * once, so that every output format and every program reports the same problems the same way.
 *
 * Content that fails its digest (`E_DIGEST`) is an integrity failure: never a success, whatever
 * else was read, as skopeo refuses such an image. Other unreadable variants are warnings: the
 * image is listed without their details.
 */
import { isAnyarchError, type AnyarchError } from '../errors.js';
import type { Platform } from '../platform/index.js';
import type { PlatformReport } from './platforms.js';
import { missingPlatforms } from './required-platforms.js';

interface Problem {
  /** errors: an unreadable image, content that failed its digest, a missing platform; the rest are warnings */
  readonly severity: 'error' | 'warning';
  /** the variant (or required platform) concerned, as `os/arch[/variant]` */
  readonly platform?: string;
  /** what is wrong with the variant, not naming the image (for a line under the image) */
  readonly detail: string;
  /** the whole sentence, naming the image (for a line of its own) */
  readonly message: string;
}

/** One problem of an image, in the order an image is read: the image, then each variant, then `--require`. */
export type ImageProblem =
  /** the image (no `platform`) or a variant's manifest or config could not be read */
  | (Problem & { readonly kind: 'unreadable'; readonly error: AnyarchError })
  /** `mismatch`: a variant's config names another platform than its index entry; `missing`: a platform `--require` names that the image does not publish */
  | (Problem & { readonly kind: 'mismatch' | 'missing'; readonly platform: string });

export interface ImageResult {
  /** the image as the user named it (a source specifier, normalised when it could be parsed) */
  readonly image: string;
  /** what was read; absent when the image could not be read at all (its one problem says why: `imageError`) */
  readonly report?: PlatformReport;
  /** everything wrong with the image, in reading order; the one record of it (see `imageError`, `missingRequired`) */
  readonly problems: readonly ImageProblem[];
}

/** Why the image could not be read at all, or undefined when it was read. */
export function imageError(result: ImageResult): AnyarchError | undefined {
  for (const p of result.problems) if (p.kind === 'unreadable' && p.platform === undefined) return p.error;
  return undefined;
}

/** The required platforms the image does not publish, as `os/arch[/variant]`, in the required order. */
export function missingRequired(result: ImageResult): string[] {
  return result.problems.flatMap((p) => (p.kind === 'missing' ? [p.platform] : []));
}

/** True for content that failed its digest or declared size: never used, never a success. */
export function isIntegrityFailure(e: AnyarchError): boolean {
  return e.code === 'E_DIGEST';
}

/** The result of one image: its report (or why it could not be read), checked against `required`. */
export function imageResult(image: string, read: PlatformReport | AnyarchError, required?: readonly Platform[]): ImageResult {
  if (isAnyarchError(read)) {
    return { image, problems: [{ kind: 'unreadable', severity: 'error', detail: read.message, message: read.message, error: read }] };
  }
  const problems: ImageProblem[] = [];
  for (const p of read.platforms) {
    if (p.mismatch) problems.push({ kind: 'mismatch', severity: 'warning', platform: p.platform, detail: p.mismatch, message: `${image}: ${p.platform}: ${p.mismatch}` });
    if (p.error) {
      const severity = isIntegrityFailure(p.error) ? 'error' : 'warning';
      // a source's error names the image (and the blob) itself
      problems.push({ kind: 'unreadable', severity, platform: p.platform, detail: p.error.message, message: `${p.platform}: ${p.error.message}`, error: p.error });
    }
  }
  for (const platform of required ? missingPlatforms(read, required) : []) {
    problems.push({ kind: 'missing', severity: 'error', platform, detail: 'required, but not published', message: `${image} does not publish ${platform}` });
  }
  return { image, report: read, problems };
}

/** What the images add up to: the counts the outcome is decided by. */
export interface ImagesSummary {
  /** images that could not be read at all */
  readonly unreadableImages: number;
  /** images and variants whose content failed its digest */
  readonly integrityFailures: number;
  /** required platforms missing, over every image */
  readonly missing: number;
}

export function summarizeImages(results: readonly ImageResult[]): ImagesSummary {
  let unreadableImages = 0;
  let integrityFailures = 0;
  let missing = 0;
  for (const r of results) {
    for (const p of r.problems) {
      if (p.kind === 'unreadable') {
        if (p.platform === undefined) unreadableImages++;
        if (isIntegrityFailure(p.error)) integrityFailures++;
      } else if (p.kind === 'missing') missing++;
    }
  }
  return { unreadableImages, integrityFailures, missing };
}

/** What reading images ended with (the CLI turns it into an exit code). */
export type ImagesOutcome =
  /** every image read, every required platform published */
  | 'clean'
  /** a required platform is missing */
  | 'findings'
  /** an image could not be read, or content failed its digest */
  | 'input-error';

export function imagesOutcome(summary: ImagesSummary): ImagesOutcome {
  if (summary.unreadableImages > 0 || summary.integrityFailures > 0) return 'input-error';
  if (summary.missing > 0) return 'findings';
  return 'clean';
}
