/**
 * Flag value parsers every command registration shares (commander's `argParser` and repeatable
 * options): main.ts and the `*-command.ts` files take them from here.
 */
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
