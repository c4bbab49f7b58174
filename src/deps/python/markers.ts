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
