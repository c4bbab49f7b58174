/**
 * `anyarch deps` as a library: the shared shapes, `analyzeDeps` (the whole command, printing
 * nothing), `analyzeLockfileReport` and `summarizeDeps` (for callers with their own lockfiles and
 * targets, such as `check`'s lookup), and the verdicts AA301..AA305. The readers, the analysers
 * per ecosystem, their registry clients and the Dockerfile's install sites are exported beside
 * these (the parts `analyzeDeps` is made of).
 */
export type * from './types.js';
export {
  DEFAULT_DEPS_PLATFORMS,
  MAX_DOCKERFILE_BYTES,
  MAX_LOCKFILE_BYTES,
  analyzeDeps,
  analyzeLockfileReport,
  cellMessage,
  depsFindings,
  findLockfiles,
  flagTargets,
  lockfileAnalyser,
  parseLibc,
  summarizeDeps,
  targetLabel,
  targetLabels,
} from './analyze.js';
export type { DepsFinding, DepsInstallSite, LockfileInput, DepsOptions, DepsParts, DepsProgress, DepsRun, DepsSources, MetadataOptions } from './analyze.js';
export { COMPILES_AT_INSTALL, COMPILE_WITHOUT_TOOLCHAIN, DEPS_VERDICTS, LOCKFILE_INCOMPLETE, NO_BINARY, UNKNOWN_COVERAGE, cellVerdict, depsVerdict, withVerdict } from './verdicts.js';
export type { DepsSeverity, DepsVerdictMeta } from './verdicts.js';

// the parts `analyzeDeps` is made of, for callers that assemble their own
export { LOCKFILE_NAMES, lockfileKind, readLockfile } from './lockfiles/index.js';
export { analyzeNpmLockfile } from './npm/coverage.js';
export type { NpmCoverageOptions } from './npm/coverage.js';
export { DEFAULT_NPM_REGISTRY, openNpmMetadata } from './npm/registry.js';
export type { NpmMetadataOptions } from './npm/registry.js';
export { analyzePythonLockfile } from './python/coverage.js';
export { DEFAULT_INDEX_URL, openPythonIndex } from './python/index.js';
export type { PythonIndexOptions } from './python/index.js';
export { parseWheelName, wheelFits } from './python/tags.js';
export type { WheelFit, WheelName, WheelTag } from './python/tags.js';
export { installSites } from './dockerfile.js';
export type { InstallManager, InstallSiteFacts } from './dockerfile.js';
export { readNpmConfig, type NpmConfig } from './npm/npmrc.js';
