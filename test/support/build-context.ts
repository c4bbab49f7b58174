// A build context for the engine and build tests: a fresh directory (from the test file's
// temporary paths) holding the files given, a Dockerfile among them.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Writes `files` (name -> content) into `dir`, made first; returns `dir`. */
export function buildContext(dir: string, files: Record<string, string | Uint8Array>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  return dir;
}
