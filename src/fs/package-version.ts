/**
 * The version of the installed anyarch package, read once from the nearest `package.json` named
 * `anyarch` above this file (the CLI's `--version`, reports' `tool.version` and the verify
 * annotation `build` writes on a published index all read it here).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** `0.1.0`; `0.0.0` when no package.json of anyarch is found (a copied file). */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'anyarch' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here
    }
    const up = path.dirname(dir);
    if (up === dir) return (cached = '0.0.0');
    dir = up;
  }
}
