/**
 * yarn.lock of Yarn 1 (classic): not YAML but Yarn's own format, which its lexer defines
 * (yarnpkg/yarn src/lockfile/parse.js): a `# yarn lockfile v1` comment, then one entry per
 * resolved package, keyed by every descriptor it satisfies, with fields indented by two spaces and
 * dependency maps by four:
 *
 *     "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
 *       version "7.12.13"
 *       resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc82..."
 *       integrity sha512-HV1Cm0Q3...
 *       dependencies:
 *         "@babel/highlight" "^7.12.13"
 *
 * A token is a double-quoted string (JSON escapes), `true`/`false`, a number, or a bare word (a
 * letter, `/`, `.` or `-`, then anything up to a space, `:` or `,`). Descriptors name npm aliases
 * (`string-width-cjs@npm:string-width@^4.2.0`: the package is string-width), git, GitHub and
 * tarball URLs (kept), `file:` and `link:` folders (the project's own code: left out).
 *
 * What Yarn 1 does not record: install scripts (no `hasInstallScript`), and platforms (no
 * `os`/`cpu`/`libc`: it locks every optional dependency whatever its platform and decides at
 * install, by each manifest's os and cpu). Both are in `Lockfile.unrecorded`, and said once, as
 * a warning, per lockfile. Optional packages are those reached only through `optionalDependencies`.
 */
import type { AnyarchError } from '../../errors.js';
import { lockFamilyWarnings } from '../npm/families.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../types.js';
import { lockfileError, lockfileWarning } from './positions.js';

type Scalar = string | number | boolean;

interface RawEntry {
  readonly specifiers: readonly string[];
  readonly position: SourcePosition;
  readonly fields: Map<string, Scalar>;
  readonly maps: Map<string, Map<string, string>>;
}

/** The name and range of a descriptor: `@scope/name@^1.0.0` -> `@scope/name`, `^1.0.0`. */
export function yarnDescriptor(spec: string): { name: string; range: string } {
  const at = spec.indexOf('@', 1);
  return at === -1 ? { name: spec, range: '' } : { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

/** Ranges of the project's own folders: not packages of a registry. */
const LOCAL = /^(?:file|link|portal|workspace):/;

/**
 * Reads a Yarn 1 yarn.lock.
 * @throws AnyarchError `E_LOCKFILE` at the line and column where the text stops being the format
 *   (an unterminated string, a bad indent, a merge conflict), or where a truncated file ends.
 */
export function readYarnClassicLock(file: string, body: string): Lockfile {
  const raw = parseYarnClassic(file, body);
  const warnings: AnyarchError[] = [];
  const packages: { -readonly [K in keyof LockedPackage]: LockedPackage[K] }[] = [];
  const bySpecifier = new Map<string, number>();
  const entryDeps: { deps: Map<string, string>; opt: Map<string, string> }[] = [];
  for (const e of raw) {
    const first = e.specifiers[0] ?? '';
    const { name: specName, range } = yarnDescriptor(first);
    if (LOCAL.test(range)) continue;
    const version = e.fields.get('version');
    if (version === undefined || version === '') {
      warnings.push(lockfileWarning(file, `entry "${e.specifiers.join(', ')}" has no version; skipped`, e.position));
      continue;
    }
    // an npm alias (`alias@npm:real@^1`) installs `real`
    const name = range.startsWith('npm:') ? yarnDescriptor(range.slice(4)).name : specName;
    const resolved = e.fields.get('resolved');
    const integrity = e.fields.get('integrity');
    const deps = e.maps.get('dependencies') ?? new Map<string, string>();
    const opt = e.maps.get('optionalDependencies') ?? new Map<string, string>();
    const index = packages.length;
    for (const s of e.specifiers) bySpecifier.set(s, index);
    entryDeps.push({ deps, opt });
    packages.push({
      ecosystem: 'npm',
      name,
      version: String(version),
      key: first,
      position: e.position,
      optional: undefined,
      dependencies: deps.size > 0 ? [...deps.keys()] : undefined,
      optionalDependencies: opt.size > 0 ? [...opt.keys()] : undefined,
      resolved: typeof resolved === 'string' ? resolved : undefined,
      integrity: typeof integrity === 'string' ? integrity : undefined,
    });
  }
  // which entry each dependency resolves to: the entry keyed by its descriptor
  const edges: LockEdge[] = [];
  entryDeps.forEach(({ deps, opt }, from) => {
    for (const [map, optional] of [[deps, false], [opt, true]] as const) {
      for (const [dep, range] of map) {
        const to = bySpecifier.get(`${dep}@${range}`);
        if (to !== undefined) edges.push({ from, to, optional });
      }
    }
  });
  for (const i of markOptional(packages.length, edges)) {
    const p = packages[i];
    if (p) p.optional = true;
  }
  const header = /^# yarn lockfile v1[ \t]*\r?$/m.exec(body);
  const at = header ? { line: body.slice(0, header.index).split('\n').length, column: 1 } : { line: 1, column: 1 };
  warnings.unshift(
    lockfileWarning(
      file,
      'a Yarn 1 lockfile records no install scripts and no os, cpu or libc: whether a package runs an install script is asked of the registry, and platform packages are read from their names (Yarn 1 installs each whose os and cpu fit, whatever its libc)',
      at,
    ),
  );
  warnings.push(...lockFamilyWarnings(file, packages, 'yarn'));
  return { file, kind: 'yarn-classic', ecosystem: 'npm', formatVersion: '1', packages, unrecorded: ['install-scripts', 'platforms'], warnings };
}

/**
 * The entries of a Yarn 1 lockfile, as Yarn's own parser reads them, with their positions. Only
 * the shapes Yarn writes: entries at column 1, fields at 2 spaces, dependency maps at 4.
 */
export function parseYarnClassic(file: string, text: string): RawEntry[] {
  const entries: RawEntry[] = [];
  let entry: RawEntry | undefined;
  let map: Map<string, string> | undefined;
  let lineNo = 0;
  const fail = (message: string, column: number): never => {
    throw lockfileError(file, `yarn.lock (Yarn 1) ${message}`, { line: lineNo, column });
  };
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length || line[indent] === '#') continue;
    if (line[indent] === '\t') fail('is indented with a tab; Yarn indents with spaces', indent + 1);
    if (indent === 0 && /^(?:<{7}|={7}|>{7})/.test(line)) fail('has an unresolved merge conflict', 1);
    const tokens = lex(line, indent, fail);
    if (indent === 0) {
      // an entry: `desc, desc:` (every descriptor it satisfies)
      const specifiers: string[] = [];
      let i = 0;
      for (;;) {
        const t = tokens[i];
        if (!t || t.kind !== 'string') fail('expected a package descriptor', t?.column ?? line.length + 1);
        specifiers.push(String(t?.value));
        const sep = tokens[i + 1];
        if (sep?.kind === ',') {
          i += 2;
          continue;
        }
        if (sep?.kind === ':' && i + 2 === tokens.length) break;
        fail(`expected "," or a final ":" after ${JSON.stringify(String(t?.value))}`, sep?.column ?? line.length + 1);
      }
      entry = { specifiers, position: { line: lineNo, column: 1 }, fields: new Map(), maps: new Map() };
      entries.push(entry);
      map = undefined;
      continue;
    }
    const [key, value, extra] = tokens;
    if (!key || key.kind !== 'string') {
      fail('expected a field name', key?.column ?? indent + 1);
      continue;
    }
    if (indent === 2) {
      if (!entry) fail('has a field outside any entry', indent + 1);
      else if (value?.kind === ':' && !extra) {
        // a map of dependencies, its pairs indented by four
        map = new Map();
        entry.maps.set(String(key.value), map);
      } else if (value && (value.kind === 'string' || value.kind === 'scalar') && !extra) {
        entry.fields.set(String(key.value), value.value as Scalar);
        map = undefined;
      } else fail(`expected a value after ${String(key.value)}`, (value ?? extra)?.column ?? line.length + 1);
      continue;
    }
    if (indent === 4 && map) {
      if (!value || (value.kind !== 'string' && value.kind !== 'scalar') || extra) fail(`expected a version range after ${String(key.value)}`, (extra ?? value)?.column ?? line.length + 1);
      map.set(String(key.value), String(value?.value));
      continue;
    }
    fail(`has an unexpected indent of ${indent} spaces`, indent + 1);
  }
  const last = entries[entries.length - 1];
  if (last && last.fields.size === 0 && last.maps.size === 0) {
    throw lockfileError(file, `yarn.lock (Yarn 1) ends inside the entry "${last.specifiers.join(', ')}": it is truncated`, last.position);
  }
  return entries;
}

/** A dependency of entry `from` that resolves to entry `to`, through `optionalDependencies` or not. */
interface LockEdge {
  readonly from: number;
  readonly to: number;
  readonly optional: boolean;
}

/**
 * The entries npm and Yarn call optional: reached only through some optional dependency. The
 * required ones are the roots (entries no other entry depends on: the project's own dependencies)
 * and what they reach through regular dependencies; the optional ones are the rest of what an
 * optional dependency reaches. An entry only a cycle reaches stays required.
 */
function markOptional(count: number, edges: readonly LockEdge[]): number[] {
  const incoming = new Array<boolean>(count).fill(false);
  const out: LockEdge[][] = Array.from({ length: count }, () => []);
  for (const e of edges) {
    if (e.from !== e.to) incoming[e.to] = true;
    out[e.from]?.push(e);
  }
  const walk = (starts: number[], follow: (e: LockEdge) => boolean, seen: boolean[]): void => {
    const stack = starts.filter((i) => !seen[i]);
    for (const i of stack) seen[i] = true;
    while (stack.length > 0) {
      for (const e of out[stack.pop() as number] ?? []) {
        if (follow(e) && !seen[e.to]) {
          seen[e.to] = true;
          stack.push(e.to);
        }
      }
    }
  };
  const required = new Array<boolean>(count).fill(false);
  walk([...incoming.keys()].filter((i) => !incoming[i]), (e) => !e.optional, required);
  const optional = [...required];
  walk(edges.filter((e) => e.optional && !required[e.to]).map((e) => e.to), () => true, optional);
  return [...optional.keys()].filter((i) => optional[i] && !required[i]);
}

interface Token {
  /** `string`: a quoted string or a bare word; `scalar`: true, false or a number */
  readonly kind: 'string' | 'scalar' | ':' | ',';
  readonly value?: Scalar;
  /** 1-based */
  readonly column: number;
}

/** The tokens of one line from `from`, as Yarn's lexer reads them; a comment ends the line. */
function lex(line: string, from: number, fail: (message: string, column: number) => never): Token[] {
  const out: Token[] = [];
  let i = from;
  const n = line.length;
  while (i < n) {
    const c = line[i] as string;
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === ':' || c === ',') {
      out.push({ kind: c, column: i + 1 });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < n; j++) {
        const d = line[j];
        if (d === '\\') j++;
        else if (d === '"') break;
      }
      if (j >= n) fail('has an unterminated string (a truncated file?)', i + 1);
      let value: string;
      try {
        value = JSON.parse(line.slice(i, j + 1)) as string;
      } catch {
        return fail('has a string with an invalid escape', i + 1);
      }
      out.push({ kind: 'string', value, column: i + 1 });
      i = j + 1;
      continue;
    }
    // a bare word, a boolean or a number: up to a space, ':' or ','
    let j = i;
    while (j < n && line[j] !== ' ' && line[j] !== ':' && line[j] !== ',') j++;
    const word = line.slice(i, j);
    if (word === 'true' || word === 'false') out.push({ kind: 'scalar', value: word === 'true', column: i + 1 });
    else if (/^[0-9]/.test(word)) out.push({ kind: 'scalar', value: /^\d+(?:\.\d+)?$/.test(word) ? Number(word) : word, column: i + 1 });
    else if (/^[a-zA-Z/.-]/.test(word)) out.push({ kind: 'string', value: word, column: i + 1 });
    else fail(`has an unexpected ${JSON.stringify(c)}`, i + 1);
    i = j;
  }
  return out;
}
