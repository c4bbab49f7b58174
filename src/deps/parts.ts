/**
 * The real parts of `anyarch deps`, wired for `analyze.ts`, which loads this module only when it
 * runs: the lockfile readers (`lockfiles/`), the analysers per ecosystem (`npm/coverage.ts`,
 * `python/coverage.ts`), their metadata sources (`npm/registry.ts`, `python/index.ts`), and the
 * install sites of a Dockerfile (`dockerfile.ts`, over the parsed model).
 */
import { buildModel } from '../dockerfile/model.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import type { DepsParts } from './analyze.js';
import { installSites } from './dockerfile.js';
import { lockfileKind, readLockfile } from './lockfiles/index.js';
import { analyzeNpmLockfile } from './npm/coverage.js';
import { DEFAULT_NPM_REGISTRY, openNpmMetadata } from './npm/registry.js';
import { analyzePythonLockfile } from './python/coverage.js';
import { openPythonIndex } from './python/index.js';

export const DEPS_PARTS: DepsParts = {
  lockfileKind,
  readLockfile: (file, text, include) => readLockfile(file, text, undefined, include ? { include } : {}),
  analyzeNpmLockfile: (lock, targets, meta, onWarning) => analyzeNpmLockfile(lock, targets, meta, onWarning ? { onWarning } : {}),
  analyzePythonLockfile: (lock, targets, index, onWarning) => analyzePythonLockfile(lock, targets, index, onWarning ? { onWarning } : {}),
  openNpmMetadata: (o) =>
    openNpmMetadata({
      registry: o.registry ?? DEFAULT_NPM_REGISTRY,
      cacheDir: o.cacheDir,
      offline: o.offline,
      ...(o.pack !== undefined ? { pack: o.pack } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.onRequest ? { onRequest: o.onRequest } : {}),
      ...(o.token !== undefined ? { token: o.token } : {}),
      ...(o.scopes !== undefined ? { scopes: o.scopes } : {}),
    }),
  openPythonIndex: (o) =>
    openPythonIndex({
      ...(o.indexUrl !== undefined ? { indexUrl: o.indexUrl } : {}),
      cacheDir: o.cacheDir,
      offline: o.offline,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.onRequest ? { onRequest: o.onRequest } : {}),
    }),
  installSites: (text, file, platforms) => installSites(buildModel(parseDockerfile(text, file)), file, platforms),
};
