/**
 * The verdicts of `anyarch deps` (AA301..AA305): what a cell that is not plainly prebuilt means,
 * and what a lockfile that cannot tell everything means. Defined like verify's verdicts (id, name,
 * title, severity, description); each has docs/rules/<ID>.md, generated header included. Data only.
 */
import type { Cell, CellStatus } from './types.js';

export type DepsSeverity = 'error' | 'warning' | 'info';

export interface DepsVerdictMeta {
  /** AA3xx */
  readonly id: string;
  /** kebab-case */
  readonly name: string;
  readonly title: string;
  readonly severity: DepsSeverity;
  /** one paragraph on what and why */
  readonly description: string;
}

export const NO_BINARY: DepsVerdictMeta = {
  id: 'AA301',
  name: 'no-binary-for-platform',
  title: 'A native dependency has no binary for a target platform and cannot be compiled there',
  severity: 'error',
  description:
    'No prebuilt binary (per-platform package, prebuild, release asset or wheel) fits the target platform, its C library or its interpreter, and no source build can make one: the install, or the first import, fails on that platform.',
};

export const COMPILE_WITHOUT_TOOLCHAIN: DepsVerdictMeta = {
  id: 'AA302',
  name: 'compile-without-toolchain',
  title: 'A native dependency compiles at install but the installing stage lacks the tools',
  severity: 'error',
  description:
    'Nothing prebuilt fits the target platform, so the package manager falls back to compiling (node-gyp, an sdist), and the stage that installs has no C compiler, make, python3, Rust or headers that compile needs: the install fails on that platform.',
};

export const COMPILES_AT_INSTALL: DepsVerdictMeta = {
  id: 'AA303',
  name: 'compiles-at-install',
  title: 'A native dependency compiles from source at install on a target platform',
  severity: 'warning',
  description:
    'Nothing prebuilt fits the target platform; the package compiles at install. That works when the stage has the toolchain, but under QEMU emulation a compile takes many times longer, and the toolchain stays in the image unless a build-deps stage keeps it out.',
};

export const UNKNOWN_COVERAGE: DepsVerdictMeta = {
  id: 'AA304',
  name: 'unknown-coverage',
  title: 'Whether a native dependency has a binary for a target platform could not be told',
  severity: 'info',
  description:
    'anyarch could not tell whether a binary exists for the target: the registry or index did not answer (or `--offline` found nothing in the cache), or the package installs through a script whose kind it does not know. Silence would read as "fine", so the cell says unknown and why.',
};

export const LOCKFILE_INCOMPLETE: DepsVerdictMeta = {
  id: 'AA305',
  name: 'lockfile-incomplete',
  title: 'The lockfile does not record everything another platform needs',
  severity: 'warning',
  description:
    'The lockfile was written for one platform only (npm pruned the per-platform optional packages of other platforms), records no libc of its per-platform packages, or has entries that could not be read: anyarch asked the registry where it could, and the lock itself may install differently on another platform.',
};

/** Every verdict of `anyarch deps`, in id order. */
export const DEPS_VERDICTS: readonly DepsVerdictMeta[] = [NO_BINARY, COMPILE_WITHOUT_TOOLCHAIN, COMPILES_AT_INSTALL, UNKNOWN_COVERAGE, LOCKFILE_INCOMPLETE];

const BY_ID: ReadonlyMap<string, DepsVerdictMeta> = new Map(DEPS_VERDICTS.map((v) => [v.id, v]));

export function depsVerdict(id: string): DepsVerdictMeta | undefined {
  return BY_ID.get(id);
}

/**
 * The verdict of a cell: the one the analyser set, else the one its status implies (a missing
 * cell with `lacking` tools is AA302, without AA301); a prebuilt cell has none.
 */
export function cellVerdict(cell: Cell): DepsVerdictMeta | undefined {
  if (cell.id !== undefined) {
    const v = BY_ID.get(cell.id);
    if (v) return v;
  }
  return STATUS_VERDICT[cell.status](cell);
}

const STATUS_VERDICT: Readonly<Record<CellStatus, (c: Cell) => DepsVerdictMeta | undefined>> = {
  prebuilt: () => undefined,
  compiles: () => COMPILES_AT_INSTALL,
  missing: (c) => (c.lacking && c.lacking.length > 0 ? COMPILE_WITHOUT_TOOLCHAIN : NO_BINARY),
  unknown: () => UNKNOWN_COVERAGE,
};

/** A cell with its verdict id set (the same object when it already has the right one, or none is due). */
export function withVerdict(cell: Cell): Cell {
  const v = cellVerdict(cell);
  if (!v || cell.id === v.id) return cell;
  return { ...cell, id: v.id };
}
