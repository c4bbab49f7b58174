/**
 * requirements.txt as pip reads it, for a resolved set (`pip-compile`, `uv export`, `pip freeze`):
 * pins `name[extras]==version ; marker --hash=sha256:...`, line continuations (`\`), comments
 * (`#` at a line's start or after whitespace), environment markers (kept per package: coverage
 * evaluates them per target), `-i`/`--index-url` and `--extra-index-url` (pip looks a package up
 * in every index; so does coverage).
 *
 * `-r`/`--requirement` and `-c`/`--constraint` files are followed, relative to the file that
 * names them, when the caller gives an `include` reader (which decides what may be read: the
 * build context, the directory `deps` runs in): at most `MAX_INCLUDED_FILES` files, a file
 * already read (a cycle) read once. A package an included file pins is placed at the `-r` line
 * that brought it in; a constraint pins the version of a requirement left unpinned (`requests`
 * with `-c constraints.txt` holding `requests==2.32.3`), as pip's constraints do.
 *
 * What it does not follow is a warning with its position, never silence: an include without a
 * reader or that cannot be read, `--find-links` and `--no-index` (pip then finds files anyarch
 * does not look at), editable and URL or path requirements (built from source), unpinned
 * requirements (the version is not known until resolved). It names no files, so coverage asks
 * the index.
 */
import type { AnyarchError } from '../../../errors.js';
import type { LockedPackage, Lockfile, RequirementsInclude, SourcePosition } from '../../types.js';
import { entryWarning, lockedPython, pythonLockfile } from './common.js';
import { normalizeName } from '../../python/tags.js';

/** The most files one requirements.txt brings in through `-r` and `-c`, itself included. */
export const MAX_INCLUDED_FILES = 32;

interface LogicalLine {
  readonly text: string;
  readonly position: SourcePosition;
}

/** Joins continuations and drops comments, keeping where each logical line starts. */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.split(/\r?\n/);
  let buf = '';
  let start: SourcePosition | undefined;
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i]!;
    const comment = /(^|\s)#/.exec(line);
    if (comment) line = line.slice(0, comment.index);
    const continued = /\\\s*$/.test(physical[i]!) && !comment;
    if (continued) line = line.replace(/\\\s*$/, '');
    if (!start && line.trim()) start = { line: i + 1, column: line.search(/\S/) + 1 };
    buf += (buf ? ' ' : '') + line.trim();
    if (continued) continue;
    if (buf.trim() && start) out.push({ text: buf.trim(), position: start });
    buf = '';
    start = undefined;
  }
  if (buf.trim() && start) out.push({ text: buf.trim(), position: start });
  return out;
}

/** Options that take a value: `-i URL`, `--index-url=URL`, `-rbase.txt`. */
function optionValue(words: readonly string[], i: number): string | undefined {
  const w = words[i]!;
  const eq = w.indexOf('=');
  if (w.startsWith('--') && eq > 0) return w.slice(eq + 1);
  if (/^-[a-zA-Z]./.test(w)) return w.slice(2).replace(/^=/, '');
  return words[i + 1];
}

const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s;,]+)\s*$/;
const NAME_ONLY = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?/;

/** The long and short spellings of the options read here. */
const OPTIONS: Readonly<Record<string, string>> = {
  '-i': '--index-url',
  '--index-url': '--index-url',
  '--extra-index-url': '--extra-index-url',
  '-r': '--requirement',
  '--requirement': '--requirement',
  '-c': '--constraint',
  '--constraint': '--constraint',
  '-e': '--editable',
  '--editable': '--editable',
  '-f': '--find-links',
  '--find-links': '--find-links',
  '--no-index': '--no-index',
};

/** The option a line starts with, in its long spelling (`-rbase.txt` -> `--requirement`), or its own word. */
function optionOf(word: string): string {
  const name = word.split('=')[0]!;
  if (OPTIONS[name]) return OPTIONS[name];
  const short = /^(-[a-zA-Z])./.exec(word);
  return (short && OPTIONS[short[1]!]) ?? name;
}

export interface ReadRequirementsOptions {
  /** reads the files `-r` and `-c` lines name; none: they are not followed (a warning says so) */
  readonly include?: RequirementsInclude;
}

/** A requirement left unpinned, resolved by a constraint once every file is read. */
interface Unpinned {
  readonly name: string;
  readonly marker: string | undefined;
  /** where the package is placed: the `-r` line of the top file that brought it in, else its own */
  readonly at: SourcePosition;
  /** the warning that it is skipped, dropped when a constraint pins it */
  readonly warning: AnyarchError;
}

interface State {
  readonly include: RequirementsInclude | undefined;
  readonly warnings: AnyarchError[];
  readonly packages: LockedPackage[];
  readonly keys: Set<string>;
  readonly unpinned: Unpinned[];
  /** normalised name -> version, from constraint files */
  readonly constraints: Map<string, string>;
  /** files read (the top one first), to read each once */
  readonly seen: Set<string>;
  indexUrl?: string;
  readonly extraIndexUrls: string[];
}

/** A package once, however many files pin it (with one marker). */
function addPackage(state: State, p: LockedPackage): void {
  const key = `${p.key};${p.marker ?? ''}`;
  if (state.keys.has(key)) return;
  state.keys.add(key);
  state.packages.push(p);
}

/** Follows `-r`/`-c` `ref` named at `position` of `file`; `via` places its packages (a line of the top file). */
function follow(state: State, file: string, line: string, ref: string | undefined, position: SourcePosition, via: SourcePosition | undefined, constraint: boolean): void {
  if (!ref) {
    state.warnings.push(entryWarning(file, `${line}: names no file; skipped`, position));
    return;
  }
  if (!state.include) {
    state.warnings.push(entryWarning(file, `${line}: included files are not followed here; run deps on ${ref} as well`, position));
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    state.warnings.push(entryWarning(file, `${line}: a URL; anyarch does not fetch included files, so what it pins is not checked`, position));
    return;
  }
  if (state.seen.size >= MAX_INCLUDED_FILES) {
    state.warnings.push(entryWarning(file, `${line}: more than ${MAX_INCLUDED_FILES} files are included; not followed`, position));
    return;
  }
  const got = state.include(ref, file);
  if ('error' in got) {
    state.warnings.push(entryWarning(file, `${line}: ${got.error}; what it pins is not checked`, position));
    return;
  }
  if (state.seen.has(got.file)) return; // read already (a cycle, or two files including one)
  state.seen.add(got.file);
  readInto(state, got.file, got.text, via ?? position, constraint);
}

/** Reads one file's lines into `state`; `via`: where its packages are placed (undefined for the top file), `constraints`: a `-c` file. */
function readInto(state: State, file: string, text: string, via: SourcePosition | undefined, constraints: boolean): void {
  for (const { text: line, position } of logicalLines(text)) {
    if (line.startsWith('-')) {
      const words = line.split(/\s+/);
      const opt = optionOf(words[0]!);
      const value = optionValue(words, 0);
      if (opt === '--index-url') {
        // pip keeps the last one it reads; the top file's wins over an included one's
        if (via === undefined || state.indexUrl === undefined) state.indexUrl = value;
      } else if (opt === '--extra-index-url') {
        if (value && !state.extraIndexUrls.includes(value)) state.extraIndexUrls.push(value);
      } else if (opt === '--requirement' || opt === '--constraint') {
        follow(state, file, line, value, position, via, constraints || opt === '--constraint');
      } else if (opt === '--editable') {
        if (!constraints) state.warnings.push(entryWarning(file, `${line}: an editable requirement is built from source; not checked`, position));
      } else if (opt === '--find-links') {
        state.warnings.push(entryWarning(file, `${line}: pip also takes files from ${value ?? 'there'}; anyarch does not look there, so a wheel found only there is not counted`, position));
      } else if (opt === '--no-index') {
        state.warnings.push(entryWarning(file, `${line}: pip asks no index, only --find-links locations; anyarch asks the index for what exists, which may differ`, position));
      }
      // --trusted-host, --only-binary, --pre...: nothing deps reads
      continue;
    }
    // the requirement and its per-requirement options (--hash=..., --config-settings ...)
    const optAt = line.search(/\s--?[a-zA-Z]/);
    const req = (optAt >= 0 ? line.slice(0, optAt) : line).trim();
    const semi = req.indexOf(';');
    const spec = (semi >= 0 ? req.slice(0, semi) : req).trim();
    const marker = semi >= 0 ? req.slice(semi + 1).trim() : undefined;
    if (/^(\.|\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(spec) || /\s@\s|^\S+@\s/.test(spec) || spec.includes(' @')) {
      if (!constraints) state.warnings.push(entryWarning(file, `${spec}: a URL or path requirement is built from what it names; not checked`, position));
      continue;
    }
    const pin = PIN.exec(spec);
    if (pin && !pin[3]!.includes('*')) {
      if (constraints) state.constraints.set(normalizeName(pin[1]!), pin[3]!);
      else addPackage(state, lockedPython({ name: pin[1]!, version: pin[3]!, position: via ?? position, marker }));
      continue;
    }
    if (constraints) continue; // a constraint that pins nothing constrains nothing anyarch reads
    if (pin) {
      state.warnings.push(entryWarning(file, `${spec}: a wildcard pin is not one version; skipped`, position));
      continue;
    }
    const name = NAME_ONLY.exec(spec);
    if (!name) {
      state.warnings.push(entryWarning(file, `${spec}: not a requirement anyarch reads; skipped`, position));
      continue;
    }
    const warning = entryWarning(file, `${spec}: not pinned with ==; skipped (lock it first: pip-compile, uv export)`, position);
    state.warnings.push(warning);
    state.unpinned.push({ name: name[0].replace(/\[.*$/, '').trim(), marker, at: via ?? position, warning });
  }
}

/**
 * Reads a requirements file, and with `opts.include` the files its `-r` and `-c` lines name.
 * @throws never: what cannot be read is a warning
 */
export function readRequirements(file: string, text: string, opts: ReadRequirementsOptions = {}): Lockfile {
  const state: State = { include: opts.include, warnings: [], packages: [], keys: new Set(), unpinned: [], constraints: new Map(), seen: new Set([file]), extraIndexUrls: [] };
  readInto(state, file, text, undefined, false);
  const pinned = new Set<AnyarchError>();
  for (const u of state.unpinned) {
    const version = state.constraints.get(normalizeName(u.name));
    if (version === undefined) continue;
    addPackage(state, lockedPython({ name: u.name, version, position: u.at, marker: u.marker }));
    pinned.add(u.warning);
  }
  const warnings = pinned.size ? state.warnings.filter((w) => !pinned.has(w)) : state.warnings;
  return pythonLockfile(file, 'requirements', state.packages, warnings, { indexUrl: state.indexUrl, extraIndexUrls: state.extraIndexUrls });
}
