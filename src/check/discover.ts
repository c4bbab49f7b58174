/**
 * Finding the Dockerfiles to check: explicit files, directories searched for Dockerfile names
 * (honouring .gitignore files, skipping node_modules and .git), and glob patterns.
 *
 * Paths are returned relative to `cwd` (absolute when outside it), sorted and without
 * duplicates, so that output is the same on every run.
 */
import { readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';
// `require`, not `import`: an ESM import of a CommonJS package runs Node's export lexer over it,
// which costs start-up time (see src/cli/packages.ts); the CLI's bundle (scripts/bundle.mjs)
// bundles these `require` calls
const require = createRequire(import.meta.url);
const ignore = require('ignore') as typeof import('ignore');
import { AnyarchError } from '../errors.js';
import { readRegularFile, readRegularFileSync } from '../fs/bounded-read.js';
import { dirsToWorkTreeRoot } from '../fs/work-tree.js';

export interface DiscoverOptions {
  /** directory that relative inputs (and the default `.`) are resolved against */
  readonly cwd: string;
  /**
   * gitignore-style patterns of paths to skip (the `ignore:` list of .anyarch.yaml). They apply
   * to every file, including ones named explicitly, and prune directories during the search.
   */
  readonly ignore?: readonly string[];
  /** directory the `ignore` patterns are relative to (the config file's); default `cwd` */
  readonly ignoreBase?: string;
}

export interface Discovery {
  /** files to check, relative to cwd (absolute when outside it), sorted */
  readonly files: string[];
  /**
   * one E_INPUT error per input that names nothing: a missing path, or a directory or glob in
   * which no Dockerfile is found (both say `NO_DOCKERFILES_FOUND`)
   */
  readonly errors: AnyarchError[];
}

/** Characters that make an input a glob pattern (tinyglobby's isDynamicPattern, without loading it). */
const GLOB_CHARS = /[*?[\]{}()!]/;

/**
 * The largest `.gitignore` read; one above it (or one that is not a regular file) is skipped as an
 * unreadable one is, and the files it would ignore are checked.
 */
export const MAX_GITIGNORE_BYTES = 4 * 1024 * 1024;

/**
 * What a directory without Dockerfiles and a glob matching nothing both say: they are alike (as
 * ESLint's "No files matching the pattern"), an E_INPUT error for that input (exit 2), so a
 * mistyped path in CI is never a silent pass.
 */
export const NO_DOCKERFILES_FOUND = 'no Dockerfiles found';
const NO_DOCKERFILES_HINT =
  'Directories are searched for Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile… (except what .gitignore and `ignore:` exclude); quote a glob so the shell does not expand it.';

function noDockerfiles(input: string): AnyarchError {
  return new AnyarchError('E_INPUT', NO_DOCKERFILES_FOUND, NO_DOCKERFILES_HINT, { file: input });
}

/** Directories never searched. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['node_modules', '.git']);

const DOCKERFILE_NAME = /^(?:(?:docker|container)file(?:\..+)?|.+\.(?:docker|container)file)$/i;
/** Files that look like Dockerfiles by name but are not (BuildKit's per-Dockerfile ignore files, backups). */
const NOT_DOCKERFILE = /(?:\.(?:dockerignore|containerignore|orig|rej|bak|swp|swo|md)|~)$/i;

/**
 * True for the names searched in directories: `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`,
 * `Containerfile`, `*.Containerfile` and `Containerfile.*` (any case), but not
 * `Dockerfile.dockerignore` or editor backups.
 */
export function isDockerfileName(name: string): boolean {
  return DOCKERFILE_NAME.test(name) && !NOT_DOCKERFILE.test(name);
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** A gitignore rule set and the directory its patterns are relative to. */
interface Matcher {
  readonly dir: string;
  readonly ig: Ignore;
}

/** Whether `abs` (a directory when `isDir`) is ignored by the matchers (shallowest first). */
function ignoredBy(matchers: readonly Matcher[], abs: string, isDir: boolean): boolean {
  let ignored = false;
  for (const m of matchers) {
    const rel = path.relative(m.dir, abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const r = m.ig.test(toPosix(rel) + (isDir ? '/' : ''));
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

async function loadGitignore(dir: string): Promise<Matcher | undefined> {
  let text: string;
  try {
    text = (await readRegularFile(path.join(dir, '.gitignore'), MAX_GITIGNORE_BYTES)).toString('utf8');
  } catch {
    return undefined;
  }
  return { dir, ig: ignore().add(text) };
}

/** .gitignore files of the directories above `dir`, up to the enclosing git work tree's root. */
async function ancestorGitignores(dir: string): Promise<Matcher[]> {
  // without a work tree no ancestor applies; `dir`'s own .gitignore is the walk's
  const dirs = await dirsToWorkTreeRoot(dir);
  const out: Matcher[] = [];
  for (const a of (dirs ?? []).slice(1).reverse()) {
    const m = await loadGitignore(a);
    if (m) out.push(m);
  }
  return out;
}

/**
 * Searches a directory tree. Synchronous on purpose: thousands of small readdir calls are far
 * cheaper without a promise each, and the walk is the first thing `check` does anyway.
 */
function walk(root: string, matchers: Matcher[], configIgnored: (abs: string, isDir: boolean) => boolean, out: Set<string>): void {
  // a stack of open directories, not recursion: a tree as deep as a path may be is walked too;
  // the order is recursion's (each directory's entries by name, a subdirectory before its next sibling)
  const stack: { dir: string; here: Matcher[]; entries: Dirent[]; next: number }[] = [];
  const enter = (dir: string, above: Matcher[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable directory inside the tree: nothing to find there
    }
    // read .gitignore only where there is one
    const own = entries.some((e) => e.name === '.gitignore' && !e.isDirectory()) ? loadGitignoreSync(dir) : undefined;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    stack.push({ dir, here: own ? [...above, own] : above, entries, next: 0 });
  };
  enter(root, matchers);
  for (let top = stack.at(-1); top; top = stack.at(-1)) {
    const e = top.entries[top.next++];
    if (!e) {
      stack.pop();
      continue;
    }
    const isDir = e.isDirectory();
    if (!isDir && !isDockerfileName(e.name)) continue;
    const abs = path.join(top.dir, e.name);
    if (e.isSymbolicLink()) {
      // follow links to files; never links to directories (no cycles, no leaving the tree);
      // a dangling link names nothing
      try {
        if (statSync(abs).isDirectory()) continue;
      } catch {
        continue;
      }
    }
    if (isDir) {
      if (SKIPPED_DIRECTORIES.has(e.name)) continue;
      if (ignoredBy(top.here, abs, true) || configIgnored(abs, true)) continue;
      enter(abs, top.here);
    } else {
      // a FIFO, device or socket with a Dockerfile's name (or a link to one) is kept: the reader
      // refuses it, without opening it, with a line saying what it is
      if (ignoredBy(top.here, abs, false) || configIgnored(abs, false)) continue;
      out.add(abs);
    }
  }
}

function loadGitignoreSync(dir: string): Matcher | undefined {
  try {
    return { dir, ig: ignore().add(readRegularFileSync(path.join(dir, '.gitignore'), MAX_GITIGNORE_BYTES).toString('utf8')) };
  } catch {
    return undefined;
  }
}

function errnoMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  return (e as Error).message;
}

/**
 * Expands inputs (files, directories, glob patterns; none means `.`) into the Dockerfiles to
 * check. An input that names nothing gives an E_INPUT error; the other inputs are still expanded.
 */
export async function discoverDockerfiles(inputs: readonly string[], opts: DiscoverOptions): Promise<Discovery> {
  const cwd = path.resolve(opts.cwd);
  const ignoreBase = path.resolve(cwd, opts.ignoreBase ?? cwd);
  const configMatcher: Matcher | undefined = opts.ignore?.length ? { dir: ignoreBase, ig: ignore().add([...opts.ignore]) } : undefined;
  const configIgnored = (abs: string, isDir: boolean): boolean => (configMatcher ? ignoredBy([configMatcher], abs, isDir) : false);

  const found = new Set<string>();
  const errors: AnyarchError[] = [];
  const list = inputs.length ? inputs : ['.'];
  for (const input of list) {
    const abs = path.resolve(cwd, input);
    let kind: 'file' | 'dir' | 'missing';
    try {
      kind = (await stat(abs)).isDirectory() ? 'dir' : 'file';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') {
        errors.push(new AnyarchError('E_INPUT', `cannot read: ${errnoMessage(e)}`, undefined, { file: input }));
        continue;
      }
      kind = 'missing';
    }
    if (kind === 'file') {
      if (!configIgnored(abs, false)) found.add(abs);
    } else if (kind === 'dir') {
      const here = new Set<string>();
      walk(abs, await ancestorGitignores(abs), configIgnored, here);
      if (here.size === 0) errors.push(noDockerfiles(input));
      for (const f of here) found.add(f);
    } else if (GLOB_CHARS.test(input)) {
      const { glob } = await import('tinyglobby');
      const matches = await glob(toPosix(input), {
        cwd,
        absolute: true,
        dot: true,
        onlyFiles: true,
        expandDirectories: false,
        ignore: ['**/node_modules/**', '**/.git/**'],
      });
      const kept = matches.map((m) => path.resolve(m)).filter((m) => !configIgnored(m, false));
      if (kept.length === 0) errors.push(noDockerfiles(input));
      for (const m of kept) found.add(m);
    } else {
      errors.push(new AnyarchError('E_INPUT', 'no such file or directory', undefined, { file: input }));
    }
  }
  const files = [...found].map((f) => {
    const rel = path.relative(cwd, f);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? f : rel;
  });
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, errors };
}
