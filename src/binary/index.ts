/**
 * What `verify` learns from a file's bytes without running it: ELF, PE and script readers as
 * streaming captures, ELF machines in the platform vocabulary, the loader table, whether a file
 * fits a platform, one-line descriptions, Python extension and wheel names, Node addon paths.
 * Pure functions, no I/O.
 */
export type * from './types.js';
export { inspectFile, isTextFactsPath, parseShebang, MAX_PE_HEADER_OFFSET, MAX_SHEBANG_BYTES, MAX_TEXT_BYTES } from './inspect.js';
export {
  ElfCapture,
  readElf,
  parseArmAttributes,
  parseGoBuildInfo,
  ELF_HEADER_BYTES,
  MAX_ARM_ATTRIBUTE_CANDIDATES,
  MAX_ARM_ATTRIBUTE_TAGS,
  MAX_ARM_ATTRIBUTES_BYTES,
  MAX_DYNAMIC_BYTES,
  MAX_GO_BUILDINFO_BYTES,
  MAX_INTERPRETER_BYTES,
  MAX_NOTE_BYTES,
  MAX_NOTE_SEGMENTS,
  MAX_PROGRAM_HEADER_BYTES,
  MAX_SECTION_HEADERS,
} from './elf.js';
export { elfArchitecture, elfMachineWord, peArchitecture, OTHER_ELF_ARCHITECTURES } from './machines.js';
export { describeFacts, armCpuArchName, armFloatWords, elfLinkage } from './describe.js';
export { LOADERS, libcOfElf, libcOfLoader, loaderFacts } from './loaders.js';
export { ARM_VARIANT_CPU_ARCH, fitsPlatform } from './fit.js';
export type { TargetPlatform } from './fit.js';
export type { ExtensionName, WheelFile, WheelPlatform } from './python.js';
export { isPythonExtensionPath, parseExtensionName, parseWheelFile, tripletFacts, wheelTagArchitectures, MAX_WHEEL_TAGS } from './python.js';
export type { NodeAddonPath, NodeTarget, PrebuildTags, PrebuildTarget } from './node.js';
export {
  architectureToNodeArch,
  nodeArchToArchitecture,
  nodePackageOf,
  nodePlatformToOs,
  parseNodeAddonPath,
  parseNodePlatformName,
  parsePrebuildTags,
  parsePrebuildTuple,
  selectPrebuild,
} from './node.js';
export type { PathArchitecture, PathConvention } from './paths.js';
export { isQemuUserEmulator, pathArchitecture } from './paths.js';
