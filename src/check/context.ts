/**
 * Reading the build context's files for the check: bounded reads (src/fs/bounded-read.ts) of
 * the files a RUN executes or installs from, relative to the context directory, never outside
 * it: neither by `..` nor by a symbolic link (of the file or of a directory on its way) whose
 * target lies outside (BuildKit copies such a link as a link, which the build cannot follow to
 * the host's file; and reading it could print a line of any file of the user's into a report).
 *
 * `readContextFile` says what it found: the text, nothing there, or why the file cannot be read
 * (a directory, a FIFO, a device, a link out of the context, too large, not UTF-8), without ever
 * opening a special file. `contextReader` reads scripts with it: a missing, special, binary, too
 * large or non-UTF-8 file is no script and is skipped silently. The native-dependency lookup
 * reports what cannot be read instead (an install would fail on it too).
 */
import { lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { ScriptFile, ScriptReader } from '../dockerfile/scripts.js';
import { isInside } from '../fs/atomic.js';
import { readTextSync } from '../fs/bounded-read.js';
import { errnoReason } from '../fs/errno.js';

/** The largest script read; a build script is rarely above a few KiB. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** At most this many scripts are read for one Dockerfile. */
export const MAX_SCRIPTS = 32;

/** What reading one file of the context found: its text, nothing at that path, or why it cannot be read (a phrase). */
export type ContextRead = { readonly text: string } | { readonly absent: true } | { readonly unreadable: string };

const ABSENT: ContextRead = { absent: true };

/** A context path that stays in the context by its words: relative, without `..`. */
function staysInside(contextPath: string): boolean {
  return contextPath !== '' && !contextPath.startsWith('/') && !contextPath.split('/').includes('..');
}

/**
 * The file `contextPath` of the context `dir` (`root`: `dir` with its links resolved, when the
 * caller knows it), at most `maxBytes`, decoded as UTF-8 (a byte order mark dropped). A path
 * that leaves the context by `..` or is absolute, and one that names nothing, is absent.
 */
export function readContextFile(dir: string, contextPath: string, maxBytes: number, root?: string): ContextRead {
  if (!staysInside(contextPath)) return ABSENT;
  const at = path.join(dir, contextPath);
  try {
    lstatSync(at);
  } catch {
    return ABSENT;
  }
  let real: string;
  let base: string;
  try {
    base = root ?? realpathSync(dir);
    real = realpathSync(at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { unreadable: 'a symbolic link to nothing (its target does not exist)' } : { unreadable: errnoReason(e) };
  }
  // links resolved, the file must still be inside the context (resolved too)
  if (!isInside(real, base)) {
    return { unreadable: 'a symbolic link to a file outside the build context (the build copies the link, not the file), so it is not read' };
  }
  return readTextSync(real, maxBytes);
}

/**
 * The files of the context `dir` as `made` turns each read into a value, each path read once
 * (`--fix` checks a file again after each pass, and must see the same files) and at most
 * `maxFiles` of them, each at most `maxBytes`: a path past the count, or that leaves the context
 * by its words, is not read and has no value.
 */
export function contextFiles<T>(dir: string, limits: { readonly maxBytes: number; readonly maxFiles: number }, made: (contextPath: string, got: ContextRead) => T | undefined): (contextPath: string) => T | undefined {
  const read = new Map<string, T | undefined>();
  let root: string | undefined;
  return (contextPath) => {
    if (!staysInside(contextPath)) return undefined;
    if (read.has(contextPath)) return read.get(contextPath);
    if (read.size >= limits.maxFiles) return undefined;
    try {
      root ??= realpathSync(dir);
    } catch {
      // no context directory: nothing is read
    }
    const value = made(contextPath, root === undefined ? ABSENT : readContextFile(dir, contextPath, limits.maxBytes, root));
    read.set(contextPath, value);
    return value;
  };
}

/**
 * A reader of context files under `dir`; `name` gives the path findings in a script are
 * reported under (default: `dir` joined with the context path). `limits`: the largest file and
 * how many files (default those of scripts). A missing, special, too large or non-UTF-8 file is
 * no script.
 */
export function contextReader(
  dir: string,
  name: (contextPath: string) => string = (p) => path.join(dir, p),
  limits: { readonly maxBytes?: number; readonly maxFiles?: number } = {},
): ScriptReader {
  return contextFiles(dir, { maxBytes: limits.maxBytes ?? MAX_SCRIPT_BYTES, maxFiles: limits.maxFiles ?? MAX_SCRIPTS }, (contextPath, got): ScriptFile | undefined =>
    'text' in got ? { path: name(contextPath), text: got.text } : undefined,
  );
}
