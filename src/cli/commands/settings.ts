/**
 * What every command reads the same way before it starts: `.anyarch.yaml` (a flag's file, else
 * the search up to the git root, none with `--no-config`), flag values whose parse errors become
 * usage errors naming the flag, and paths shown relative to where the user is.
 */
import * as path from 'node:path';
import { findConfig, loadConfig, type Config } from '../../config.js';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import type { Rule } from '../../rules/types.js';
import { layerScanCache, type LayerScanCache } from '../../verify/layer-cache.js';
import { envFlag, type Io } from '../io.js';

/** `abs` relative to `cwd` when it lies under it, else as it is. */
export function relativeForDisplay(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** The config a command runs with: `config` a file, false for `--no-config`, undefined to search. */
export async function loadSettings(config: string | false | undefined, io: Io, rules?: readonly Rule[]): Promise<Config | undefined> {
  if (config === false) return undefined;
  const file = config ? path.resolve(io.cwd, config) : await findConfig(io.cwd);
  if (!file) return undefined;
  return loadConfig(file, { ...(rules ? { rules } : {}), displayPath: relativeForDisplay(io.cwd, file) });
}

/** A flag's value parsed, its errors turned into usage errors naming the flag. */
export function parseFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `${flag}: ${e.message}`, e.hint);
    throw e;
  }
}

/**
 * The layer scan cache verify reads through (verify, build, assemble, merge): the anyarch cache
 * directory's `layer-scans`, or none with `--no-scan-cache` (`flag` false) or `ANYARCH_NO_SCAN_CACHE=1`.
 */
export function scanCacheSetting(flag: boolean | undefined, env: Io['env']): LayerScanCache | false {
  return flag === false || envFlag(env.ANYARCH_NO_SCAN_CACHE) ? false : layerScanCache({ env });
}
