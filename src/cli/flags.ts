/**
 * Flag value parsers every command registration shares (commander's `argParser` and repeatable
 * options): main.ts and the `*-command.ts` files take them from here.
 */
import { nodeMajorProblem, pythonVersionProblem } from '../deps/flag-checks.js';
import { httpUrlProblem } from '../net/url.js';
import { InvalidArgumentError } from './packages.js';

/** A repeatable option, never split on commas (paths, env values and labels may hold them). */
export function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A repeatable option whose values are also comma-separated lists: `--tag a,b -t c` -> ['a', 'b', 'c']. */
export function repeatList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** `10`, `2.5`, `2s`: a positive number of seconds. */
export function seconds(value: string): number {
  const n = Number(value.trim().replace(/s$/i, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds (e.g. 10 or 2.5s)');
  return n;
}

/** A positive number of MiB that rounds to at least one byte (a budget of 0 would refuse every image). */
export function positiveMib(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || Math.round(n * 1024 * 1024) < 1 || n * 1024 * 1024 > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError('expected a positive number of MiB');
  return n;
}

/** A parser that refuses what `problem` finds wrong, in its words. */
function checked(problem: (value: string) => string | undefined): (value: string) => string {
  return (value) => {
    const why = problem(value);
    if (why !== undefined) throw new InvalidArgumentError(why);
    return value;
  };
}

/** An http(s) URL (`--registry`, `--index-url`); main prints the refusal without the URL's user-info. */
export const httpUrl = checked((v) => {
  const why = httpUrlProblem(v);
  return why && `expected an http(s) URL (this is ${why})`;
});

/** A Node.js major that exists (`20`). */
export const nodeMajor = checked(nodeMajorProblem);

/** A CPython 3 version that exists (`3.12`). */
export const pythonVersion = checked(pythonVersionProblem);
