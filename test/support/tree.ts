/**
 * A temporary directory holding files, for tests that run anyarch on a project. Test code only.
 */
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A new directory under the system's temporary one (its real path, links resolved) holding
 * `files`: path (with `/`) -> content; a path ending in `/` is an empty directory.
 */
export function tempTree(files: Readonly<Record<string, string | Uint8Array>>, prefix = 'anyarch-'): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  for (const [p, content] of Object.entries(files)) {
    const abs = path.join(root, ...p.split('/'));
    if (p.endsWith('/')) {
      mkdirSync(abs, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return root;
}
