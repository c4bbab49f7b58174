/** Programs of this machine, found as a shell finds them. */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import * as path from 'node:path';

/** The first executable regular file named `name` in the directories of `searchPath` (PATH's syntax). */
export function programOnPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, fsConstants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  return undefined;
}
