/**
 * A YAML lockfile (pnpm-lock.yaml, Yarn Berry's yarn.lock) read once: its data as plain values,
 * and the position of every key of the maps under chosen top-level keys (`packages`,
 * `snapshots`; for yarn.lock the top level itself). The block-YAML reader first (block-yaml.ts),
 * the `yaml` library for the rest; a YAML error is `E_LOCKFILE` at its position.
 */
import { createRequire } from 'node:module';
import type { Pair } from 'yaml';
import type { SourcePosition } from '../types.js';
import { NotBlockYaml, readBlockYaml } from './block-yaml.js';
import { lockfileError } from './positions.js';

type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
const require = createRequire(import.meta.url);
/** yaml is loaded when a YAML lockfile is read (see src/config.ts: the CLI's bundle bundles the call). */
function yaml(): YamlLib {
  return (yamlLib ??= require('yaml') as YamlLib);
}

export interface YamlLock {
  readonly data: Record<string, unknown>;
  /** positions of the keys of the top-level map (under '') and of the maps under the asked keys */
  readonly keys: ReadonlyMap<string, ReadonlyMap<string, SourcePosition>>;
}

/**
 * Reads a YAML lockfile: with the block-YAML reader when the text keeps to what pnpm and Yarn
 * write (milliseconds for thousands of packages), else with the `yaml` library.
 */
export function readYamlLock(file: string, text: string, what: string, mapsUnder: readonly string[]): YamlLock {
  try {
    // an entry outside the subset is read alone by the library, the rest by the block reader
    return readBlockYaml(text, mapsUnder, (piece, under) => readWithYamlLibrary(file, piece, what, under));
  } catch (e) {
    if (!(e instanceof NotBlockYaml)) throw e;
  }
  return readWithYamlLibrary(file, text, what, mapsUnder);
}

/**
 * The `yaml` library's core schema without its number tags: plain scalars that look like numbers
 * stay strings, as the block reader keeps them (`version: 1.10` is 1.10, not 1.1), so that an
 * entry read by either reader reads the same.
 */
const noNumbers = (tags: import('yaml').Tags): import('yaml').Tags => tags.filter((t) => typeof t === 'string' || !/:(?:int|float)$/.test(t.tag));

/** The `yaml` library's reading (positions from its nodes; its errors as `E_LOCKFILE`). */
export function readWithYamlLibrary(file: string, text: string, what: string, mapsUnder: readonly string[]): YamlLock {
  const { LineCounter, isMap, isScalar, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false, customTags: noNumbers });
  const at = (offset: number | undefined): SourcePosition | undefined => {
    if (offset === undefined) return undefined;
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const error = doc.errors[0];
  if (error) {
    const message = error.message.split('\n')[0] ?? '';
    const truncated = error.pos[0] >= text.trimEnd().length - 1;
    throw lockfileError(file, `${what} is not valid YAML${truncated ? ' (truncated?)' : ''}: ${message}`, at(error.pos[0]));
  }
  const root = doc.contents;
  if (!isMap(root)) throw lockfileError(file, `${what} is not a YAML mapping`, at(root?.range?.[0]) ?? { line: 1, column: 1 });
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw lockfileError(file, `${what} cannot be read: ${e instanceof Error ? e.message : String(e)}`, { line: 1, column: 1 });
  }
  const keys = new Map<string, Map<string, SourcePosition>>();
  const positionsOf = (items: readonly Pair[]): Map<string, SourcePosition> => {
    const m = new Map<string, SourcePosition>();
    for (const pair of items) {
      const k = pair.key;
      if (isScalar(k) && k.range) {
        const pos = at(k.range[0]);
        if (pos) m.set(String(k.value), pos);
      }
    }
    return m;
  };
  keys.set('', positionsOf(root.items as Pair[]));
  for (const pair of root.items as Pair[]) {
    const k = pair.key;
    const name = isScalar(k) ? String(k.value) : undefined;
    if (name !== undefined && mapsUnder.includes(name) && isMap(pair.value)) keys.set(name, positionsOf(pair.value.items as Pair[]));
  }
  return { data: data as Record<string, unknown>, keys };
}
