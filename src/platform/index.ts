/**
 * The one place in anyarch that knows CPU architectures: platform specifiers and their one written
 * form, the words every vocabulary (dpkg, apk, uname, Go, Node, Rust, ...) uses for them, vendors'
 * download names, the CPU knowledge compilers need (GOARCH words, Rust triples, -march/-mcpu
 * families), and which machines build images (this one, the usual builders).
 */
export type { ElfIdentity, Platform, PlatformData, PlatformLike, PythonTags, Vocabulary } from './types.js';
export { VOCABULARIES } from './types.js';
export { formatPlatform, makePlatform } from './make.js';
export {
  KNOWN_ARCHITECTURES,
  KNOWN_OSES,
  normalizeArch,
  normalizeOS,
  normalizePlatform,
  parsePlatform,
  parsePlatformList,
  platformKey,
  samePlatform,
  tryParsePlatform,
} from './parse.js';
export { PLATFORM_DATA } from './data.js';
export { bestMatch, compatiblePlatforms } from './compat.js';
export { hostPlatform } from './host.js';
export { USUAL_BUILDERS, builderPlatforms } from './builders.js';
export type { CpuFlag, CpuFlagKind } from './cpu-flags.js';
export { classifyCpuFlag } from './cpu-flags.js';
export { goarchArchitecture, rustTripleBuilds } from './toolchain-targets.js';
export {
  KNOWN_PLATFORMS,
  buildArgs,
  elfIdentity,
  goEnv,
  isKnownPlatform,
  platformData,
  pythonTags,
  toVocabulary,
} from './known.js';
export type { ArchToken } from './arch-words.js';
export { archToken, archTokens, platformsForToken } from './arch-words.js';
export type { Vendor, VendorSpec, VendorVariant } from './vendors.js';
export { VENDORS, vendorByName } from './vendors.js';
export type { MatchOptions, UnsuffixedMatch, VendorUrlMatch } from './vendor-match.js';
export { findVendor, matchUnsuffixedUrl, matchVendorUrl, patternToRegExp, vendorToken } from './vendor-match.js';
export { archIndependentReason, isArchIndependentPath, isArchIndependentUrl, isWebOutputPath } from './arch-independent.js';
