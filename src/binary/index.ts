/**
 * What `verify` learns from a file's bytes without running it: ELF, PE and script readers as
 * streaming captures, ELF machines in the platform vocabulary, the loader table, whether a file
 * fits a platform, one-line descriptions, Python extension and wheel names, Node addon paths and
 * node-gyp-build's choice, paths that name an architecture. Pure functions, no I/O; imports
 * only src/errors.ts and src/platform/ (rootfs's Capture and TarEntry are restated in types.ts).
 *
 * Files: inspect.ts (the inspector: sniff, PE, script, text captures), elf.ts (the ELF capture),
 * ranges.ts (the range keeper every capture is built on), machines.ts, loaders.ts, fit.ts,
 * describe.ts, python.ts, node.ts, paths.ts.
 *
 * Bounds (hostile bytes cost at most these; each is an exported constant):
 * | constant | default | at the bound |
 * | --- | --- | --- |
 * | MAX_PROGRAM_HEADER_BYTES | 64 KiB (the kernel's) | no program header read; `problem` |
 * | MAX_INTERPRETER_BYTES | 4 KiB (PATH_MAX) | the loader path cut there; `problem` |
 * | MAX_NOTE_BYTES × MAX_NOTE_SEGMENTS | 4 KiB × 4 | larger notes not read (Go's build info not looked for) |
 * | MAX_GO_BUILDINFO_BYTES | 64 KiB | Go's module info read as far as it goes |
 * | MAX_DYNAMIC_BYTES | 16 KiB | DT_FLAGS_1 looked for in the first 16 KiB (static-pie vs shared object) |
 * | MAX_SECTION_HEADERS / MAX_SECTION_TABLE_BYTES | 4096 / 160 KiB (32-bit ARM only) | the table not read; attributes from the search alone |
 * | MAX_ARM_ATTRIBUTES_BYTES | 4 KiB per `aeabi` subsection kept | attributes past it not read |
 * | MAX_ARM_ATTRIBUTE_CANDIDATES | 4 `aeabi` hits kept | the search stops |
 * | MAX_ARM_ATTRIBUTE_TAGS | 1024 per subsection | the rest not read |
 * | MAX_ELF_CAPTURE_BYTES | the sum, ≈ 344 KiB | what one ELF file can make a capture copy |
 * | MAX_SHEBANG_BYTES | 256 (BINPRM_BUF_SIZE) | the `#!` line cut there |
 * | MAX_TEXT_BYTES | 64 KiB | a larger WHEEL is not read |
 * | MAX_PE_HEADER_OFFSET | 64 KiB | a larger e_lfanew: not taken for a PE |
 * | MAX_PE_OPTIONAL_HEADER_BYTES / MAX_PE_SECTIONS | 4 KiB / 96 (the Windows loader's) | the CLR header not looked for: Machine alone judges |
 * | MAX_PE_CLR_OFFSET | 1 MiB | a .NET assembly whose CLR flags are not read: `unknown` |
 * | MAX_WHEEL_TAGS | 256 | later `Tag:` lines dropped |
 */
export type * from './types.js';
export { inspectFile, isTextFactsPath, parseShebang, MAX_PE_CLR_OFFSET, MAX_PE_HEADER_OFFSET, MAX_PE_OPTIONAL_HEADER_BYTES, MAX_PE_SECTIONS, MAX_SHEBANG_BYTES, MAX_TEXT_BYTES } from './inspect.js';
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
export { elfArchitecture, elfMachineWord, knowsArchitecture, peArchitecture, OTHER_ELF_ARCHITECTURES } from './machines.js';
export { describeFacts, armCpuArchName, armFloatWords, elfLinkage } from './describe.js';
export { LOADERS, libcOfElf, libcOfLoader, loaderFacts } from './loaders.js';
export { ARM_VARIANT_CPU_ARCH, fitsPlatform } from './fit.js';
export type { FitOptions, TargetPlatform } from './fit.js';
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
export { DEFAULT_PATH, isQemuUserEmulator, pathArchitecture } from './paths.js';
