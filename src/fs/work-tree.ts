/**
 * Where a git work tree begins, for the searches that stop there (`.anyarch.yaml`, `.gitignore`).
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * `dir` and each parent up to the root of the enclosing git work tree (the nearest directory
 * holding `.git`, file or directory), nearest first; `undefined` outside a work tree.
 */
export async function dirsToWorkTreeRoot(dir: string): Promise<string[] | undefined> {
  const dirs: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    dirs.push(d);
    if (await exists(path.join(d, '.git'))) return dirs;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
