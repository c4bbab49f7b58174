/**
 * `--require` for images: which of the platforms an image must publish it does not. A platform
 * counts when an entry publishes it and its manifest and config could be read (what cannot be
 * read cannot be pulled); platforms compare as containerd normalises them (`arm64/v8` is
 * `arm64`, `arm` is `arm/v7`).
 */
import { formatPlatform, makePlatform, samePlatform, type Platform } from '../platform/index.js';
import type { PlatformReport } from './platforms.js';

/** The platforms of `required` the image of `report` does not publish, as `os/arch[/variant]`, in `required`'s order. */
export function missingPlatforms(report: PlatformReport, required: readonly Platform[]): string[] {
  const have = report.platforms.filter((p) => !p.error).map((p) => makePlatform(p.declared.os, p.declared.architecture, p.declared.variant ?? ''));
  return required.filter((r) => !have.some((h) => samePlatform(h, r))).map(formatPlatform);
}
