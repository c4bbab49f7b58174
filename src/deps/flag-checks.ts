/**
 * What `--node` and `--python` (and the library's `node`/`python` options) may be: a Node.js
 * major and a CPython 3 minor version that exist or may soon. Pure, so that the command line's
 * flag parsers check them without loading the analysis.
 */

/**
 * Node.js majors taken: 4 (the first after io.js merged back) to 40. A major comes twice a year
 * (April and October; 25 in October 2025): raise the ceiling long before Node reaches it.
 */
export const NODE_MAJORS = { min: 4, max: 40 } as const;

/** CPython 3 minors taken: 3.0 to 3.20. One comes a year (3.14 in October 2025): raise the ceiling before Python reaches it. */
export const PYTHON_MINORS = { min: 0, max: 20 } as const;

/** Why `v` is no Node.js major (`20`), undefined when it is one. */
export function nodeMajorProblem(v: string): string | undefined {
  if (!/^\d{1,3}$/.test(v)) return 'expected a Node.js major version, a whole number such as 20';
  const n = Number(v);
  if (n < NODE_MAJORS.min || n > NODE_MAJORS.max) return `there is no Node.js ${n}: majors from ${NODE_MAJORS.min} to ${NODE_MAJORS.max} are taken (e.g. 20)`;
  return undefined;
}

/** Why `v` is no CPython 3 version (`3.12`), undefined when it is one. */
export function pythonVersionProblem(v: string): string | undefined {
  const m = /^3\.(0|[1-9]\d?)$/.exec(v);
  if (!m) return 'expected a Python 3 version, 3.<minor> such as 3.12';
  const minor = Number(m[1]);
  if (minor < PYTHON_MINORS.min || minor > PYTHON_MINORS.max) return `there is no Python ${v}: 3.${PYTHON_MINORS.min} to 3.${PYTHON_MINORS.max} are taken (e.g. 3.12)`;
  return undefined;
}
