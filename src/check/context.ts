/**
 * Reading the build context's scripts for the check: bounded reads (src/fs/bounded-read.ts) of
 * the files a RUN executes, relative to the context directory, never outside it: neither by `..`
 * nor by a symbolic link (of the file or of a directory on its way) whose target lies outside
 * (BuildKit copies such a link as a link, which the build cannot follow to the host's file; and
 * reading it could print a line of any file of the user's into a report). A missing, special,
 * binary, too large or non-UTF-8 file is no script: it is skipped silently.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { ScriptFile, ScriptReader } from '../dockerfile/scripts.js';
import { readRegularFileSync } from '../fs/bounded-read.js';

/** The largest script read; a build script is rarely above a few KiB. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** At most this many scripts are read for one Dockerfile. */
export const MAX_SCRIPTS = 32;

/**
 * A reader of context files under `dir`; `name` gives the path findings in a script are
 * reported under (default: `dir` joined with the context path). `limits`: the largest file and
 * how many files (default those of scripts; the native-dependency lookup reads lockfiles with its own).
 */
export function contextReader(
  dir: string,
  name: (contextPath: string) => string = (p) => path.join(dir, p),
  limits: { readonly maxBytes?: number; readonly maxFiles?: number } = {},
): ScriptReader {
  const maxBytes = limits.maxBytes ?? MAX_SCRIPT_BYTES;
  const maxFiles = limits.maxFiles ?? MAX_SCRIPTS;
  // each path is read once (--fix checks the file again after each pass, and must see the same scripts)
  const read = new Map<string, ScriptFile | undefined>();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let root: string | undefined;
  return (contextPath: string): ScriptFile | undefined => {
    if (!contextPath || contextPath.startsWith('/') || contextPath.split('/').includes('..')) return undefined;
    if (read.has(contextPath)) return read.get(contextPath);
    if (read.size >= maxFiles) return undefined;
    let file: ScriptFile | undefined;
    try {
      // links resolved, the file must still be inside the context (resolved too)
      root ??= realpathSync(dir);
      const real = realpathSync(path.join(dir, contextPath));
      if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) throw new Error('outside the build context');
      const bytes = readRegularFileSync(real, maxBytes);
      if (bytes.length <= maxBytes) file = { path: name(contextPath), text: decoder.decode(bytes) };
    } catch {
      // missing, special, too large or not UTF-8: no script
    }
    read.set(contextPath, file);
    return file;
  };
}
