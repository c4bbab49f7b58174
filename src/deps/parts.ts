/**
 * The real parts of `anyarch deps` (readers, analysers, registry clients, install sites), wired
 * for `analyze.ts`, which loads this module only when it runs.
 *
 * PLACEHOLDER on branch h12-cli until the room's other modules land (src/deps/lockfiles,
 * npm/coverage.ts, npm/registry.ts, python/coverage.ts, python/index.ts, dockerfile.ts): each part
 * throws E_INTERNAL naming what is not wired yet.
 */
import { AnyarchError } from '../errors.js';
import type { DepsParts } from './analyze.js';

function notWired(what: string): never {
  throw new AnyarchError('E_INTERNAL', `anyarch deps: ${what} is not wired in this build`);
}

export const DEPS_PARTS: DepsParts = {
  lockfileKind: () => notWired('lockfileKind'),
  readLockfile: () => notWired('readLockfile'),
  analyzeNpmLockfile: () => notWired('analyzeNpmLockfile'),
  analyzePythonLockfile: () => notWired('analyzePythonLockfile'),
  openNpmMetadata: () => notWired('openNpmMetadata'),
  openPythonIndex: () => notWired('openPythonIndex'),
  installSites: () => notWired('installSites'),
};
