/**
 * What `anyarch assemble` adds to an image, before anything is written: the `--add` /
 * `--add-dir` grammar (pure, no I/O) and the architecture check of every added ELF or PE file
 * against the platform it is added for (src/binary's `inspectFile` + `fitsPlatform`).
 *
 * Grammar of one value: `[PLATFORM=]SRC:DEST`
 * - `PLATFORM=` is taken only when the text before the first `=` has a platform's shape
 *   (`os/arch[/variant]`) and its os is one anyarch knows (`linux`, `windows`, ...): then it must
 *   parse as a platform (`linux/amd46=` is a usage error, not a file name). Any other text before
 *   an `=` is part of SRC (`dist/a=b:/app`, `./linux/arm64=x:/app` for a file really named so).
 * - DEST is an absolute path in the image: the text after the LAST `:/`. SRC is everything
 *   before it, so SRC may hold `:` and `=` (`C:\dist\app.exe:/app`, `C:/dist/app:/usr/local/bin/app`,
 *   `out/a:b:/opt/a`). A DEST ending in `/` is a directory the file goes into under its own name
 *   (as Dockerfile COPY does).
 * - There is no escaping (a backslash is a Windows path separator). For a DEST that itself holds
 *   `:/`, or anything else the short form cannot say, the value may be JSON:
 *   `{"platform":"linux/arm64","from":"dist/app","to":"/usr/local/bin/app"}`.
 */
import { createReadStream } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { errnoReason } from '../fs/errno.js';
import { describeFacts, fitsPlatform, inspectFile, type FileFacts } from '../binary/index.js';
import { formatPlatform, KNOWN_OSES, parsePlatform, type Platform } from '../platform/index.js';
import { entriesFromDirectory } from './layer.js';

/** One file or directory added to the image: for one platform, or (no platform) for every platform, in one shared layer. */
export interface FileAddition {
  /** absent: every platform (one shared layer) */
  readonly platform?: Platform;
  /** the host file or directory */
  readonly from: string;
  /** the absolute path in the image (a directory's contents go under it) */
  readonly to: string;
  readonly dir: boolean;
}

/** Most characters of one `--add` value. */
export const MAX_ADDITION_CHARS = 8192;

const PLATFORM_SHAPE = /^([A-Za-z0-9_]+)\/[A-Za-z0-9_]+(\/[A-Za-z0-9_.]+)?$/;

function usage(flag: string, value: string, message: string, hint?: string): AnyarchError {
  return new AnyarchError('E_USAGE', `${flag} ${JSON.stringify(value)}: ${message}`, hint ?? `e.g. ${flag} linux/arm64=dist/arm64/app:/usr/local/bin/app`);
}

function checkDest(flag: string, value: string, to: string): string {
  if (!to.startsWith('/')) throw usage(flag, value, 'the destination must be an absolute path in the image (starting with /)');
  if (to.includes('\0')) throw usage(flag, value, 'a NUL character in the destination');
  const parts = to.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw usage(flag, value, 'the destination may not contain ..');
  return to;
}

/**
 * Parses one `--add` (dir false) or `--add-dir` (dir true) value (see the module comment for
 * the grammar). A DEST ending in `/` of a file gets the file's name. `E_USAGE` for what does not parse.
 */
export function parseAddition(value: string, dir: boolean): FileAddition {
  const flag = dir ? '--add-dir' : '--add';
  if (value.length > MAX_ADDITION_CHARS) throw new AnyarchError('E_USAGE', `${flag}: a value longer than ${MAX_ADDITION_CHARS} characters`);
  if (value.trimStart().startsWith('{')) return parseJsonAddition(flag, value, dir);
  let platform: Platform | undefined;
  let rest = value;
  const eq = value.indexOf('=');
  if (eq > 0) {
    const head = value.slice(0, eq);
    const m = PLATFORM_SHAPE.exec(head);
    if (m && KNOWN_OSES.includes((m[1] as string).toLowerCase())) {
      try {
        platform = parsePlatform(head);
      } catch (e) {
        if (isAnyarchError(e)) throw usage(flag, value, e.message, e.hint);
        throw e;
      }
      rest = value.slice(eq + 1);
    }
  }
  const colon = rest.lastIndexOf(':/');
  if (colon < 0) throw usage(flag, value, 'expected SRC:DEST with an absolute DEST');
  const from = rest.slice(0, colon);
  let to = checkDest(flag, value, rest.slice(colon + 1));
  if (from === '') throw usage(flag, value, 'the source path is empty');
  if (!dir && to.endsWith('/')) to += path.basename(from.replace(/\\/g, '/'));
  return { ...(platform ? { platform } : {}), from, to: normalizeDest(to), dir };
}

function parseJsonAddition(flag: string, value: string, dir: boolean): FileAddition {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw usage(flag, value, 'not valid JSON', `e.g. ${flag} '{"platform":"linux/arm64","from":"dist/app","to":"/usr/local/bin/app"}'`);
  }
  const o = v as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || typeof o['from'] !== 'string' || typeof o['to'] !== 'string' || (o['platform'] !== undefined && typeof o['platform'] !== 'string')) {
    throw usage(flag, value, 'the JSON form is {"platform"?: string, "from": string, "to": string}');
  }
  const extra = Object.keys(o).filter((k) => !['platform', 'from', 'to'].includes(k));
  if (extra.length) throw usage(flag, value, `unknown field ${extra[0]}`);
  let platform: Platform | undefined;
  if (o['platform'] !== undefined) {
    try {
      platform = parsePlatform(o['platform'] as string);
    } catch (e) {
      if (isAnyarchError(e)) throw usage(flag, value, e.message, e.hint);
      throw e;
    }
  }
  const from = o['from'] as string;
  if (from === '') throw usage(flag, value, 'the source path is empty');
  let to = checkDest(flag, value, o['to'] as string);
  if (!dir && to.endsWith('/')) to += path.basename(from.replace(/\\/g, '/'));
  return { ...(platform ? { platform } : {}), from, to: normalizeDest(to), dir };
}

/** `/usr//local/./bin/` -> `/usr/local/bin` */
function normalizeDest(to: string): string {
  const parts = to.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

/** A host file that will be added, found under an addition (a directory's files each). */
export interface AddedFile {
  readonly addition: FileAddition;
  /** the host path */
  readonly file: string;
  /** the path in the image, absolute */
  readonly to: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
  /** permission bits of the host file */
  readonly mode: number;
  /** a symlink's target */
  readonly target?: string;
}

function readError(file: string, e: unknown): AnyarchError {
  const code = (e as NodeJS.ErrnoException).code;
  return new AnyarchError(code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_INPUT', `${file}: ${errnoReason(e)}`);
}

/**
 * Every host entry of the additions, resolved against `cwd`: a file addition is one regular file
 * (a symlink is followed), a directory addition its tree (layer.ts's `entriesFromDirectory`, its
 * limit included), in path order, symlinks kept as links. `E_NOT_FOUND` / `E_INPUT` naming the path when it is missing, of the wrong kind,
 * or unreadable.
 */
export async function listAdditions(additions: readonly FileAddition[], cwd: string): Promise<AddedFile[]> {
  const out: AddedFile[] = [];
  for (const a of additions) {
    const file = path.resolve(cwd, a.from);
    let st;
    try {
      st = await stat(file);
    } catch (e) {
      throw readError(a.from, e);
    }
    if (!a.dir) {
      if (!st.isFile()) throw new AnyarchError('E_INPUT', `${a.from}: not a regular file`, st.isDirectory() ? `use --add-dir for a directory` : undefined);
      out.push({ addition: a, file, to: a.to, kind: 'file', size: st.size, mode: st.mode & 0o7777 });
      continue;
    }
    if (!st.isDirectory()) throw new AnyarchError('E_INPUT', `${a.from}: not a directory`, 'use --add for a single file');
    // the tree as layer.ts reads it (--add-dir's one walk), in path order; files stat'd for the architecture check
    const entries = (await entriesFromDirectory(file, a.to)).sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    for (const e of entries) {
      const to = `/${e.path}`;
      if (to === a.to) continue; // the destination itself: writeLayer implies it
      if (e.kind !== 'file') {
        out.push({ addition: a, file: e.from ?? path.join(file, path.relative(a.to, to)), to, kind: e.kind, size: 0, mode: e.kind === 'dir' ? 0o755 : 0o777, ...(e.target !== undefined ? { target: e.target } : {}) });
        continue;
      }
      const host = e.from as string;
      let l;
      try {
        l = await lstat(host);
      } catch (err) {
        throw readError(host, err);
      }
      out.push({ addition: a, file: host, to, kind: 'file', size: l.size, mode: l.mode & 0o7777 });
    }
  }
  return out;
}

/** What a host file is, read from its first bytes (ELF, PE, script), or undefined. Reads only as far as the inspector asks. */
export async function inspectHostFile(file: string, size: number, mode: number): Promise<FileFacts | undefined> {
  const capture = inspectFile({ path: file.replace(/^\/+/, ''), kind: 'file', mode, size });
  if (!capture) return undefined;
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  let offset = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const more = capture.push(chunk, offset);
      offset += chunk.length;
      if (!more) break;
    }
  } catch (e) {
    throw readError(file, e);
  } finally {
    stream.destroy();
  }
  return capture.finish(size);
}

/** An added binary that does not run on the platform it is added for. */
export interface ArchitectureMismatch {
  readonly file: string;
  readonly platform: Platform;
  /** what the file is (`ELF 64-bit LSB x86-64, static`) */
  readonly what: string;
  readonly reason: string;
}

/**
 * Judges every added regular file that is an ELF or PE binary against each platform it is added
 * for (a platform-less addition: against every platform in `platforms`). Returns the mismatches
 * (`fitsPlatform` says `no`); `some` (a 32-bit binary on a 64-bit platform, a GOAMD64 level) and
 * `unknown` pass. Reads only the headers.
 */
export async function findArchitectureMismatches(files: readonly AddedFile[], platforms: readonly Platform[], cwd: string): Promise<ArchitectureMismatch[]> {
  const out: ArchitectureMismatch[] = [];
  for (const f of files) {
    if (f.kind !== 'file') continue;
    const facts = await inspectHostFile(f.file, f.size, f.mode);
    if (!facts || (facts.format !== 'elf' && facts.format !== 'pe')) continue;
    for (const p of f.addition.platform ? [f.addition.platform] : platforms) {
      const fit = fitsPlatform(facts, p);
      if (fit.fits === 'no') out.push({ file: displayPath(cwd, f.file), platform: p, what: describeFacts(facts), reason: fit.reason ?? '' });
    }
  }
  return out;
}

function displayPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** The `E_INPUT` error for mismatches (the first named in the sentence, the count when more). */
export function mismatchError(mismatches: readonly ArchitectureMismatch[]): AnyarchError {
  const m = mismatches[0] as ArchitectureMismatch;
  const more = mismatches.length > 1 ? ` (and ${mismatches.length - 1} more: ${mismatches.slice(1, 4).map((x) => `${x.file} for ${formatPlatform(x.platform)}`).join(', ')}${mismatches.length > 4 ? ', ...' : ''})` : '';
  return new AnyarchError(
    'E_INPUT',
    `${m.file} is ${m.what}, which does not run on ${formatPlatform(m.platform)}${more}; nothing was written or pushed`,
    `add the ${formatPlatform(m.platform)} build of it (--add ${formatPlatform(m.platform)}=PATH:DEST)`,
  );
}
