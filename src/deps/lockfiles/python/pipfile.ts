/**
 * Pipfile.lock (pipenv, `_meta.pipfile-spec` 6): JSON with `default` and `develop` maps of
 * name → `{ version: "==1.2.3", hashes, markers, index }` and `_meta.sources` (`[{ name, url }]`).
 * It names hashes but no files, so coverage asks the index (`files` is left undefined).
 * Entries without a `==` version (editable paths, VCS checkouts) are warnings and skipped.
 */
import type { AnyarchError } from '../../../errors.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../../types.js';
import { jsonKeyPositions } from '../positions.js';
import { entryWarning, isTable, LineIndex, lockedPython, lockfileError, pythonLockfile, str } from './common.js';

const SUPPORTED_SPEC = 6;

/** The maps of packages, in the order they are read. */
const SECTIONS: ReadonlySet<'default' | 'develop'> = new Set(['default', 'develop']);

/** Where a JSON.parse error points, from V8's message (`... at position 123` or `... (line 3 column 5)`). */
function jsonErrorPosition(message: string, lines: LineIndex): SourcePosition {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /position (\d+)/.exec(message);
  return lines.position(at ? Number(at[1]) : lines.text.length);
}

export function readPipfileLock(file: string, text: string): Lockfile {
  const lines = new LineIndex(text);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    throw lockfileError(file, `Pipfile.lock is not valid JSON: ${message}`, jsonErrorPosition(message, lines));
  }
  if (!isTable(doc)) throw lockfileError(file, 'Pipfile.lock is not a JSON object', { line: 1, column: 1 });
  const meta = isTable(doc['_meta']) ? doc['_meta'] : undefined;
  if (!meta) throw lockfileError(file, 'Pipfile.lock has no `_meta`: is it a pipenv lockfile?', { line: 1, column: 1 });
  const spec = meta['pipfile-spec'];
  if (typeof spec === 'number' && spec > SUPPORTED_SPEC) {
    throw lockfileError(file, `Pipfile.lock pipfile-spec ${spec} is not one anyarch reads (up to ${SUPPORTED_SPEC})`, lines.position(Math.max(0, text.indexOf('"pipfile-spec"'))));
  }
  const sources = new Map<string, string>();
  if (Array.isArray(meta['sources'])) for (const s of meta['sources']) {
    if (isTable(s) && str(s['name']) && str(s['url'])) sources.set(str(s['name'])!, str(s['url'])!);
  }
  const warnings: AnyarchError[] = [];
  const packages: LockedPackage[] = [];
  // every entry's key placed in one pass over the text
  const keys = jsonKeyPositions(text, lines, SECTIONS);
  for (const section of SECTIONS) {
    const entries = doc[section];
    if (entries === undefined) continue;
    if (!isTable(entries)) {
      warnings.push(entryWarning(file, `\`${section}\` is not an object; skipped`, keys.top.get(section)));
      continue;
    }
    for (const [name, entry] of Object.entries(entries)) {
      const position = keys.nested.get(`${section}\0${name}`);
      const version = isTable(entry) ? str(entry['version']) : undefined;
      const pinned = version ? /^===?\s*(\S+)$/.exec(version) : null;
      if (!isTable(entry) || !pinned) {
        const why = isTable(entry) && (entry['editable'] || entry['path'] || entry['git']) ? 'a local path or VCS checkout, built from source' : 'no `==` version';
        warnings.push(entryWarning(file, `${name} in ${section}: ${why}; skipped`, position));
        continue;
      }
      const index = str(entry['index']);
      packages.push(lockedPython({ name, version: pinned[1]!, position, dev: section === 'develop' ? true : undefined, marker: str(entry['markers']), index: index ? sources.get(index) : undefined }));
    }
  }
  const requires = isTable(meta['requires']) ? meta['requires'] : undefined;
  const full = requires ? str(requires['python_full_version']) : undefined;
  const minor = requires ? str(requires['python_version']) : undefined;
  const python = full ? `==${full}` : minor ? `==${minor}.*` : undefined;
  const first = sources.values().next();
  return pythonLockfile(file, 'pipfile-lock', packages, warnings, { formatVersion: typeof spec === 'number' ? String(spec) : undefined, requiresPython: python, indexUrl: first.done ? undefined : first.value });
}
