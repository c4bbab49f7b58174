/**
 * What the Python lockfile readers share: positions in the text, the error for a whole file that
 * cannot be read (`E_LOCKFILE`) and the warning for one entry that is skipped, TOML parsing
 * with the parser's position kept, and the file name a URL ends in.
 */
import { parse, TomlError } from 'smol-toml';
import { AnyarchError } from '../../../errors.js';
import type { DistributionFile, LockedPackage, Lockfile, SourcePosition } from '../../types.js';
import { httpUrlProblem, redactUserInfo } from '../../../net/url.js';
import { normalizeName } from '../../python/tags.js';
import { LineIndex as BaseLineIndex } from '../positions.js';

/** Offsets of line starts (offset -> 1-based line and column in O(log n)), with the text, for finding TOML headers. */
export class LineIndex extends BaseLineIndex {
  constructor(readonly text: string) {
    super(text);
  }

  /** where each line that is exactly `header` (after trimming) starts, in order: `[[package]]` */
  headers(header: string): SourcePosition[] {
    const out: SourcePosition[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      const end = i + 1 < this.starts.length ? this.starts[i + 1]! - 1 : this.text.length;
      const line = this.text.slice(start, end);
      if (line.trim() === header) out.push({ line: i + 1, column: line.indexOf('[') + 1 });
    }
    return out;
  }
}

export function lockfileError(file: string, message: string, pos?: SourcePosition, hint?: string): AnyarchError {
  return new AnyarchError('E_LOCKFILE', message, hint, { file, ...(pos ? { line: pos.line, column: pos.column } : {}) });
}

/** A skipped entry: the same code, as a warning the lockfile carries. */
export const entryWarning = lockfileError;

export type TomlTable = Record<string, unknown>;

/** The TOML document, or `E_LOCKFILE` at the parser's line and column. */
export function parseTomlLock(file: string, text: string, what: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0] ?? 'not TOML';
      throw lockfileError(file, `${what} is not valid TOML: ${first}`, { line: e.line, column: e.column });
    }
    throw lockfileError(file, `${what} is not valid TOML: ${(e as Error).message}`);
  }
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The last path segment of a URL or path, percent-decoded (`.../numpy-2.1.0-cp312-....whl`). */
export function fileNameOf(urlOrPath: string): string {
  const noQuery = urlOrPath.split(/[?#]/)[0] ?? urlOrPath;
  const last = noQuery.slice(noQuery.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export interface PackageTable {
  readonly pkg: TomlTable;
  readonly name: string;
  readonly version: string | undefined;
  readonly position: SourcePosition | undefined;
}

/**
 * The `[[package]]` (or `[[packages]]`) tables of a TOML lock with their names, versions and
 * header positions; a table without a name is a warning and left out.
 */
export function packageTables(file: string, doc: TomlTable, key: 'package' | 'packages', lines: LineIndex, what: string): { tables: TomlTable[]; entries: PackageTable[]; warnings: AnyarchError[] } {
  const raw = doc[key];
  if (raw !== undefined && !Array.isArray(raw)) throw lockfileError(file, `${what}: \`${key}\` is not an array of tables`, { line: 1, column: 1 });
  const list = (raw ?? []) as unknown[];
  const headers = lines.headers(`[[${key}]]`);
  const entries: PackageTable[] = [];
  const warnings: AnyarchError[] = [];
  list.forEach((pkg, i) => {
    const name = isTable(pkg) ? str(pkg['name']) : undefined;
    if (!isTable(pkg) || !name) warnings.push(entryWarning(file, `[[${key}]] #${i + 1} has no name; skipped`, headers[i]));
    else entries.push({ pkg, name, version: str(pkg['version']), position: headers[i] });
  });
  return { tables: list.filter(isTable), entries, warnings };
}

/** Records that an edge with `marker` (null: none) reaches `name`; an unconditional edge wins. */
export function addEdgeMarker(into: Map<string, string[] | null>, name: string, marker: string | null): void {
  const seen = into.get(name);
  if (seen === null) return;
  if (marker === null) into.set(name, null);
  else if (seen === undefined) into.set(name, [marker]);
  else if (!seen.includes(marker)) seen.push(marker);
}

/** The `or` of the markers of every edge into a package; undefined when one edge has none. */
export function joinedMarker(markers: readonly string[] | null | undefined): string | undefined {
  if (!markers || markers.length === 0) return undefined;
  return markers.length === 1 ? markers[0] : markers.map((m) => `(${m})`).join(' or ');
}

export interface PythonEntry {
  readonly name: string;
  readonly version: string;
  readonly position?: SourcePosition | undefined;
  readonly files?: readonly DistributionFile[] | undefined;
  readonly marker?: string | undefined;
  readonly index?: string | undefined;
  readonly dev?: boolean | undefined;
  readonly optional?: boolean | undefined;
}

/** A locked Python package: the name normalised, the key `name==version`, absent fields left out. */
export function lockedPython(e: PythonEntry): LockedPackage {
  const name = normalizeName(e.name);
  return {
    ecosystem: 'python',
    name,
    version: e.version,
    key: `${name}==${e.version}`,
    ...(e.position ? { position: e.position } : {}),
    ...(e.dev !== undefined ? { dev: e.dev } : {}),
    ...(e.optional ? { optional: true } : {}),
    ...(e.files ? { files: e.files } : {}),
    ...(e.marker ? { marker: e.marker } : {}),
    ...(e.index ? { index: e.index } : {}),
  };
}

/** The files of a package table with `sdist = {...}` and `wheels = [...]` (uv.lock, pylock.toml), sdist first. */
export function sdistAndWheels(pkg: TomlTable, read: (entry: unknown) => DistributionFile | undefined): DistributionFile[] {
  const files: DistributionFile[] = [];
  const sdist = read(pkg['sdist']);
  if (sdist) files.push(sdist);
  if (Array.isArray(pkg['wheels'])) for (const w of pkg['wheels']) {
    const f = read(w);
    if (f) files.push(f);
  }
  return files;
}

/**
 * The Lockfile of a Python reader, absent fields left out. An index the lock names that is no
 * http(s) URL (`--index-url file:///wheels`) is not asked: a warning says so (without the URL's
 * user-info), and the default index answers; so is an `--extra-index-url` that is none.
 */
export function pythonLockfile(
  file: string,
  kind: Lockfile['kind'],
  packages: readonly LockedPackage[],
  warnings: readonly AnyarchError[],
  extra: { readonly formatVersion?: string | undefined; readonly requiresPython?: string | undefined; readonly indexUrl?: string | undefined; readonly extraIndexUrls?: readonly string[] },
): Lockfile {
  const refused: AnyarchError[] = [];
  const usable = (url: string, instead: string): boolean => {
    const why = httpUrlProblem(url);
    if (why !== undefined) refused.push(entryWarning(file, `the index it names (${redactUserInfo(url).slice(0, 200)}) is not an http(s) URL (${why}); ${instead}`));
    return why === undefined;
  };
  const indexUrl = extra.indexUrl && usable(extra.indexUrl, 'the default index is asked instead') ? extra.indexUrl : undefined;
  const extraIndexUrls = (extra.extraIndexUrls ?? []).filter((u) => usable(u, 'it is not asked'));
  return {
    file,
    kind,
    ecosystem: 'python',
    ...(extra.formatVersion ? { formatVersion: extra.formatVersion } : {}),
    packages,
    ...(extra.requiresPython ? { requiresPython: extra.requiresPython } : {}),
    ...(indexUrl ? { indexUrl } : {}),
    ...(extraIndexUrls.length ? { extraIndexUrls } : {}),
    warnings: refused.length ? [...warnings, ...refused] : warnings,
  };
}
