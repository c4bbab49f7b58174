/**
 * `anyarch deps` as a library: the shared shapes, `analyzeDeps` (the whole command, printing
 * nothing), `analyzeLockfileReport` and `summarizeDeps` (for callers with their own lockfiles and
 * targets, such as `check`'s lookup), and the verdicts AA301..AA305. The readers, the analysers
 * per ecosystem, their registry clients and the Dockerfile's install sites are exported beside
 * these by their own modules.
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
} from './analyze.js';
export type { DepsFinding, DepsInstallSite, LockfileInput, DepsOptions, DepsParts, DepsProgress, DepsRun, DepsSources, MetadataOptions } from './analyze.js';
export { COMPILES_AT_INSTALL, COMPILE_WITHOUT_TOOLCHAIN, DEPS_VERDICTS, LOCKFILE_INCOMPLETE, NO_BINARY, UNKNOWN_COVERAGE, cellVerdict, depsVerdict, withVerdict } from './verdicts.js';
export type { DepsSeverity, DepsVerdictMeta } from './verdicts.js';
export { npmRegistryConfig } from './npmrc.js';
