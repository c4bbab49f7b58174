/**
 * The report of `anyarch verify`: per platform variant of an image, what was read and the
 * verdicts on it. The CLI only formats this; a library user gets it from `verifyImage`.
 *
 * Verdict ids share one namespace with check's rules (AA1xx are Dockerfile rules, AA2xx are
 * verdicts on image bytes); each has docs/rules/<ID>.md.
 */
import type { Digest } from '../oci/digest.js';
import type { OciPlatform } from '../oci/manifest.js';
import type { SmokeResult } from '../smoke/types.js';

export type VerdictSeverity = 'error' | 'warning' | 'info';

/** The layer a verdict's file came from, and the step that made it. */
export interface VerdictLayer {
  /** position in the manifest's layers, from 0 (bottom) */
  readonly index: number;
  readonly digest: Digest;
  /** the config history's `created_by` of the step that made the layer (empty layers skipped) */
  readonly createdBy?: string;
  /** true when the layer is one of the base image's (the image is the base's bug), undefined when unknown */
  readonly fromBase?: boolean;
}

/** The Dockerfile line that made the layer (with `--dockerfile`), and check's findings on it. */
export interface VerdictSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** the instruction keyword (`RUN`, `COPY`...) */
  readonly instruction: string;
  /** check's findings on that instruction: id and message */
  readonly findings: readonly { readonly id: string; readonly message: string }[];
}

export interface Verdict {
  /** AA2xx */
  readonly id: string;
  /** the verdict's name (`foreign-binary`) */
  readonly name: string;
  readonly severity: VerdictSeverity;
  /** one sentence */
  readonly message: string;
  /** the platform variant, written (`linux/arm64`) */
  readonly platform: string;
  /** absolute path in the image, when the verdict is about a file */
  readonly path?: string;
  /** what the file is (`ELF 64-bit LSB x86-64, dynamic, interpreter /lib64/ld-linux-x86-64.so.2`) */
  readonly what?: string;
  readonly layer?: VerdictLayer;
  readonly source?: VerdictSource;
  /** when a declared or well-known intended foreign file turned an error into information */
  readonly allowed?: { readonly reason: string; readonly by: 'config' | 'known' };
}

export interface PlatformSummary {
  /** files visible in the final file system (regular files, links, devices: every entry but directories) */
  readonly files: number;
  /** uncompressed layer bytes read */
  readonly bytes: number;
  readonly layers: number;
  /** ELF files by `architecture/libc` (`arm64/glibc`, `amd64/static`, `arm64/musl`...) */
  readonly elf: Readonly<Record<string, number>>;
  readonly pythonExtensions: number;
  readonly nodeAddons: number;
  readonly verdicts: Readonly<Record<VerdictSeverity, number>>;
}

export interface PlatformVerification {
  /** the platform the index entry declares (or the config, for a single image) */
  readonly platform: OciPlatform;
  /** the platform as written */
  readonly name: string;
  readonly digest: Digest;
  readonly summary: PlatformSummary;
  readonly verdicts: readonly Verdict[];
  readonly smoke?: SmokeResult;
  /** why this variant could not be verified (unreadable layer, digest mismatch...): code and sentence */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface VerifyReport {
  /** the image as the user named it */
  readonly image: string;
  /** the root's digest */
  readonly digest?: Digest;
  readonly platforms: readonly PlatformVerification[];
  /** index entries not verified and why (attestations, platforms not asked for) */
  readonly skipped: readonly { readonly platform: string; readonly reason: string }[];
  /** why the image could not be read at all */
  readonly error?: { readonly code: string; readonly message: string };
  /**
   * the base image whose layers were compared (the `org.opencontainers.image.base.name`
   * annotation or `--base`), and why it could not be read when it could not
   */
  readonly base?: { readonly name: string; readonly from: 'annotation' | 'option'; readonly error?: string };
}

/** What the reports of one call add up to (the outcome is decided from it with `--fail-on`). */
export interface VerifySummary {
  readonly images: number;
  /** images that could not be read at all */
  readonly unreadableImages: number;
  /** variants verified (read whole and judged) */
  readonly variants: number;
  /** variants that could not be read whole */
  readonly unreadableVariants: number;
  /** images and variants whose content failed its digest: never a success */
  readonly integrityFailures: number;
  readonly verdicts: Readonly<Record<VerdictSeverity, number>>;
}
