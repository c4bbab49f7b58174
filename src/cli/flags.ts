/**
 * Flag value parsers the command registrations share (commander's `argParser` and repeatable
 * options). main.ts and merge-command.ts still have their own copies of these: one place is meant
 * (the lead merges them here).
 */
import { InvalidArgumentError } from 'commander';

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
