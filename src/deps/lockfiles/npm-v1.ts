/**
 * package-lock.json and npm-shrinkwrap.json of lockfileVersion 1 (npm 5 and 6): no `packages`
 * map, but a `dependencies` tree keyed by package name, each entry with `version`, `resolved`,
 * `integrity`, `requires` (name -> range), `dependencies` (the packages nested in its own
 * node_modules), `optional`, `dev`, `bundled`. Each entry becomes the `LockedPackage` of its
 * folder, keyed `node_modules/a/node_modules/b` as lockfileVersion 2 keys it, with the line and
 * column of its key. Versions name npm aliases (`npm:real@1.2.3`: the package is `real`), git
 * and tarball URLs (kept, as written), `file:` folders (the project's own code: left out).
 *
 * What lockfileVersion 1 does not record: install scripts (no `hasInstallScript`) and platforms
 * (no `os`/`cpu`/`libc`; npm 6 locks every optional dependency whatever its platform). Both are
 * in `Lockfile.unrecorded`, said once per lockfile as a warning. `requires` does not tell regular
 * from optional dependencies: a required package whose entry is `optional` (and whose requirer is
 * not, or whose name names a platform) is counted an optional dependency.
 */
import type { AnyarchError } from '../../errors.js';
import { lockFamilyWarnings, platformOfName } from '../npm/families.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../types.js';
import { LineIndex, isRecord, jsonKey, jsonStringEnd, lockfileWarning } from './positions.js';

/** One folder of the tree: its entry, key, and the maps a `requires` name is looked up in (its own first, then its ancestors'). */
interface Folder {
  readonly key: string;
  readonly folderName: string;
  readonly entry: Record<string, unknown>;
  readonly scopes: readonly Record<string, unknown>[];
}

/**
 * Reads the `dependencies` tree of a lockfileVersion 1 lock, already parsed as `doc` from `body`.
 * Never throws: an entry that is no object, or has no version, is a warning and skipped.
 */
export function readPackageLockV1(file: string, body: string, doc: Record<string, unknown>, kind: 'package-lock' | 'npm-shrinkwrap'): Lockfile {
  const what = kind === 'npm-shrinkwrap' ? 'npm-shrinkwrap.json' : 'package-lock.json';
  const { top, entries } = v1KeyPositions(body, new LineIndex(body));
  const warnings: AnyarchError[] = [
    lockfileWarning(
      file,
      `${what} lockfileVersion 1 (npm 5 and 6) records no install scripts and no os, cpu or libc: whether a package runs an install script is asked of the registry, and platform packages are read from their names`,
      top.get('lockfileVersion') ?? { line: 1, column: 1 },
      'npm 7 and later rewrite the lock as lockfileVersion 3, which records both: run npm install with npm >= 7',
    ),
  ];
  const packages: LockedPackage[] = [];
  const root = isRecord(doc['dependencies']) ? doc['dependencies'] : {};
  // depth first, in the order of the text: each folder, then the folders nested in it
  const pending: Folder[] = childFolders(root, '', [root]).reverse();
  while (pending.length > 0) {
    const folder = pending.pop() as Folder;
    const { key, folderName, entry, scopes } = folder;
    const position = entries.get(key);
    const nested = isRecord(entry['dependencies']) ? entry['dependencies'] : undefined;
    const own = nested ? [nested, ...scopes] : scopes;
    if (nested) pending.push(...childFolders(nested, key, own).reverse());
    const raw = entry['version'];
    if (typeof raw !== 'string' || raw === '') {
      warnings.push(lockfileWarning(file, `dependencies["${key}"] has no version; skipped`, position));
      continue;
    }
    if (raw.startsWith('file:') || raw.startsWith('link:')) continue; // the project's own folders
    // an npm alias: `"alias": {"version": "npm:real@1.2.3"}` installs real 1.2.3
    const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(raw);
    const name = alias ? (alias[1] as string) : folderName;
    const version = alias ? (alias[2] as string) : raw;
    const { dependencies, optionalDependencies } = splitRequires(entry, own);
    const resolved = entry['resolved'];
    const integrity = entry['integrity'];
    packages.push({
      ecosystem: 'npm',
      name,
      version,
      key,
      position,
      dev: entry['dev'] === true ? true : undefined,
      optional: entry['optional'] === true ? true : undefined,
      dependencies,
      optionalDependencies,
      resolved: typeof resolved === 'string' ? resolved : undefined,
      integrity: typeof integrity === 'string' ? integrity : undefined,
    });
  }
  warnings.push(...lockFamilyWarnings(file, packages, 'npm'));
  return { file, kind, ecosystem: 'npm', formatVersion: '1', packages, unrecorded: ['install-scripts', 'platforms'], warnings };

  function childFolders(map: Record<string, unknown>, parentKey: string, scopes: readonly Record<string, unknown>[]): Folder[] {
    const out: Folder[] = [];
    for (const [name, entry] of Object.entries(map)) {
      const key = `${parentKey === '' ? '' : `${parentKey}/`}node_modules/${name}`;
      if (isRecord(entry)) out.push({ key, folderName: name, entry, scopes });
      else warnings.push(lockfileWarning(file, `dependencies["${key}"] is not an object; skipped`, entries.get(key)));
    }
    return out;
  }
}

/**
 * `requires` as regular and optional dependency names: a name is optional when the entry it
 * resolves to (npm's lookup: the requirer's own nested folders, then its ancestors') is optional,
 * and the requirer is not (then all it requires is optional) or the name names a platform.
 */
function splitRequires(entry: Record<string, unknown>, scopes: readonly Record<string, unknown>[]): { dependencies?: string[]; optionalDependencies?: string[] } {
  const requires = entry['requires'];
  if (!isRecord(requires)) return {};
  const regular: string[] = [];
  const optional: string[] = [];
  const requirerOptional = entry['optional'] === true;
  for (const name of Object.keys(requires)) {
    const target = scopes.find((s) => isRecord(s[name]))?.[name];
    const isOptional = isRecord(target) && target['optional'] === true && (!requirerOptional || platformOfName(name) !== undefined);
    (isOptional ? optional : regular).push(name);
  }
  return { ...(regular.length > 0 ? { dependencies: regular } : {}), ...(optional.length > 0 ? { optionalDependencies: optional } : {}) };
}

type FrameKind = 'entry' | 'deps' | 'other';

interface Frame {
  readonly isObject: boolean;
  readonly kind: FrameKind;
  /** an entry's key (`node_modules/a`; '' for the root), or the key of the entry a `dependencies` map belongs to */
  readonly path: string;
  expectKey: boolean;
  lastKey: string | undefined;
}

/**
 * The positions of the top-level keys (`top`) and of every entry of the `dependencies` tree, by
 * its `node_modules/a/node_modules/b` key (`entries`), in one pass over a text JSON.parse read.
 */
export function v1KeyPositions(text: string, lines: LineIndex): { top: Map<string, SourcePosition>; entries: Map<string, SourcePosition> } {
  const top = new Map<string, SourcePosition>();
  const entries = new Map<string, SourcePosition>();
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const frame = stack[stack.length - 1];
    if (c === 0x22 /* " */) {
      const j = jsonStringEnd(text, i);
      if (frame?.isObject && frame.expectKey) {
        const key = jsonKey(text, i, j);
        if (stack.length === 1) top.set(key, lines.position(i));
        else if (frame.kind === 'deps') entries.set(`${frame.path === '' ? '' : `${frame.path}/`}node_modules/${key}`, lines.position(i));
        frame.lastKey = key;
        frame.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const isObject = c === 0x7b;
      let kind: FrameKind = 'other';
      let path = '';
      if (!frame) kind = isObject ? 'entry' : 'other';
      else if (isObject && frame.kind === 'entry' && frame.lastKey === 'dependencies') {
        kind = 'deps';
        path = frame.path;
      } else if (isObject && frame.kind === 'deps' && frame.lastKey !== undefined) {
        kind = 'entry';
        path = `${frame.path === '' ? '' : `${frame.path}/`}node_modules/${frame.lastKey}`;
      }
      stack.push({ isObject, kind, path, expectKey: isObject, lastKey: undefined });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */ && frame?.isObject) {
      frame.expectKey = true;
    }
  }
  return { top, entries };
}
