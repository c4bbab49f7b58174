/**
 * PEP 508 environment markers evaluated for a Linux target, three-valued: `true`, `false`, or
 * `undefined` when the marker asks what the target does not say (an `extra`, a Python version
 * that is unknown, a full version beyond major.minor). `deps` counts a package unless its marker
 * is plainly false for the target, so `sys_platform == 'win32'` drops pywin32 on Linux and an
 * unknown stays counted. A marker that cannot be parsed is `undefined` too.
 */
import type { DepsTarget } from '../types.js';
import { wheelArch } from './tags.js';

type Tri = boolean | undefined;

const TOKEN = /\s*(\(|\)|===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b|and\b|or\b|'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_.]*)/y;

function tokenize(marker: string): string[] | undefined {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < marker.length) {
    if (/^\s*$/.test(marker.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(marker);
    if (!m) return undefined;
    out.push(m[1]!.replace(/\s+/g, ' '));
  }
  return out;
}

function versionCmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const VERSION_VARS = new Set(['python_version', 'python_full_version', 'implementation_version']);

function compare(op: string, left: string, right: string, version: boolean): Tri {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  if (version && /^\d+(\.\d+)*$/.test(left) && /^\d+(\.\d+)*$/.test(right)) {
    const c = versionCmp(left, right);
    switch (op) {
      case '==': case '===': return c === 0;
      case '!=': return c !== 0;
      case '<': return c < 0;
      case '<=': return c <= 0;
      case '>': return c > 0;
      case '>=': return c >= 0;
      default: return undefined;
    }
  }
  if (op === '==' || op === '===') return left === right;
  if (op === '!=') return left !== right;
  return undefined;
}

export function targetEnvironment(target: DepsTarget): ReadonlyMap<string, string | undefined> {
  return new Map<string, string | undefined>([
    ['sys_platform', 'linux'],
    ['platform_system', 'Linux'],
    ['os_name', 'posix'],
    ['platform_machine', wheelArch(target)],
    ['implementation_name', 'cpython'],
    ['platform_python_implementation', 'CPython'],
    ['python_version', target.python],
  ]);
}

/** Whether `marker` holds on the target: `undefined` when it cannot tell. */
export function evaluateMarker(marker: string, env: ReadonlyMap<string, string | undefined>): Tri {
  const tokens = tokenize(marker);
  if (!tokens) return undefined;
  let i = 0;
  const value = (): { v: string | undefined; name?: string } | undefined => {
    const t = tokens[i++];
    if (t === undefined) return undefined;
    if (t.startsWith("'") || t.startsWith('"')) return { v: t.slice(1, -1) };
    return { v: env.get(t), name: t };
  };
  const atom = (): Tri => {
    if (tokens[i] === '(') {
      i++;
      const r = or();
      i++; // ')'
      return r;
    }
    const left = value();
    const op = tokens[i++];
    const right = value();
    if (!left || !op || !right) return undefined;
    const varName = left.name ?? right.name ?? '';
    if (varName === 'python_full_version' && env.get('python_version') !== undefined && (op === '<' || op === '>=')) {
      // the full version is unknown but its major.minor is: exact for a bound of two parts
      const bound = left.name ? right.v : left.v;
      if (bound && bound.split('.').length <= 2) {
        const py = env.get('python_version')!;
        return left.name ? compare(op, py, bound, true) : compare(op, bound, py, true);
      }
    }
    if (left.v === undefined || right.v === undefined) return undefined;
    return compare(op, left.v, right.v, VERSION_VARS.has(varName));
  };
  const and = (): Tri => {
    let r: Tri = atom();
    while (tokens[i] === 'and') {
      i++;
      const n = atom();
      r = r === false || n === false ? false : r === undefined || n === undefined ? undefined : true;
    }
    return r;
  };
  const or = (): Tri => {
    let r: Tri = and();
    while (tokens[i] === 'or') {
      i++;
      const n = and();
      r = r === true || n === true ? true : r === undefined || n === undefined ? undefined : false;
    }
    return r;
  };
  try {
    const r = or();
    return i === tokens.length ? r : undefined;
  } catch {
    return undefined;
  }
}

/** `3.12`, `3.12t`, `3.8.10` -> [3, 12]. */
function majorMinor(python: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(python);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** One clause of a version specifier (`>=3.8`, `!=3.0.*`, `~=3.7`) for a Python whose patch release is unknown. */
function clauseAllows(clause: string, [major, minor]: [number, number]): Tri {
  const m = /^(~=|===|==|!=|<=|>=|<|>)\s*(\d+(?:\.\d+)*)(\.\*)?$/.exec(clause.trim());
  if (!m) return undefined;
  const [, op, v, wild] = m as unknown as [string, string, string, string | undefined];
  const parts = v.split('.').map(Number);
  if (wild || op === '~=') {
    // a prefix: `==3.8.*`, or `~=3.7` (>= 3.7 and == 3.*)
    const prefix = op === '~=' ? parts.slice(0, -1) : parts;
    if (prefix.length > 2 || (op === '~=' && parts.length < 2)) return undefined;
    const same = prefix.every((p, i) => p === [major, minor][i]);
    if (op === '!=') return !same;
    if (op === '==') return same;
    return same ? clauseAllows(`>=${v}`, [major, minor]) : false;
  }
  if ((op === '==' || op === '!=' || op === '===') && parts.length > 2 && parts[0] === major && parts[1] === minor) return undefined;
  // the patch release is unknown: the clause holds when it holds for the first and for any later one
  const low = compare(op, `${major}.${minor}.0`, v, true);
  const high = compare(op, `${major}.${minor}.9999`, v, true);
  return low === high ? low : undefined;
}

/**
 * Whether a `requires-python` specifier (PEP 440: `>=3.8`, `>=3.9,<4`, `!=3.0.*`, `~=3.10`)
 * admits Python `python` (`3.12`; its patch release unknown): `undefined` when it cannot tell
 * (a bound on a patch release of that very minor, a clause it does not read).
 */
export function requiresPythonAllows(spec: string, python: string | undefined): Tri {
  const v = python === undefined ? undefined : majorMinor(python);
  if (!v) return undefined;
  let r: Tri = true;
  for (const clause of spec.split(',').filter((c) => c.trim())) {
    const c = clauseAllows(clause, v);
    if (c === false) return false;
    if (c === undefined) r = undefined;
  }
  return r;
}

/** The lowest Python `spec` admits as `X.Y` (`>=3.10` -> 3.10, `~=3.9` -> 3.9), undefined without a lower bound. */
export function requiresPythonFloor(spec: string): string | undefined {
  const m = /(?:>=|~=)\s*(\d+)\.(\d+)/.exec(spec);
  return m ? `${m[1]}.${m[2]}` : undefined;
}
