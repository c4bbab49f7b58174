/**
 * What the verdicts ask of a file's facts, answered by src/binary: its architecture, whether it
 * fits a platform (and whether the misfit is the arm variant's, AA202, rather than another
 * machine's, AA201), what a loader path says, and a description for messages.
 */
import { describeFacts, elfArchitecture, fitsPlatform as binaryFits, loaderFacts, peArchitecture as binaryPe } from '../binary/index.js';
import type { FileFacts, Fit, FitOptions, PeFacts } from '../binary/index.js';
import { normalizePlatform, type Platform } from '../platform/index.js';

export { describeFacts, elfArchitecture, loaderFacts };

/** The OCI architecture of a PE file's machine. */
export function peArchitecture(facts: PeFacts): string | undefined {
  return binaryPe(facts).architecture;
}

/** For a file a process of the platform loads (a Python extension, a Node addon): no 32-bit compatibility mode helps it. */
export const LOADED: FitOptions = Object.freeze({ loaded: true });

/**
 * Whether a file fits `platform` (src/binary's `fitsPlatform`; `loaded` for a file a process of
 * the platform loads, a Python extension or a Node addon); `armVariant` when it is a 32-bit
 * ARM file that the platform's arm variant cannot run (AA202's), rather than another machine's.
 */
export function fitsPlatform(facts: FileFacts, platform: Platform, options: FitOptions = {}): Fit & { readonly armVariant?: boolean } {
  const p = normalizePlatform(platform);
  const fit = binaryFits(facts, { architecture: p.architecture, variant: p.variant }, options);
  if (fit.fits === 'no' && p.architecture === 'arm' && facts.format === 'elf' && elfArchitecture(facts).architecture === 'arm') return { ...fit, armVariant: true };
  return fit;
}
