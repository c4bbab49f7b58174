/**
 * How a cell names the stage a compile would run in and why it has, or lacks, the tools: one
 * wording for npm's and Python's cells (`fails: no C/C++ compiler in stage deps (node:20-alpine):
 * the base node:20-alpine carries no compiler`, `compiles in stage build (node:20-slim):
 * build-essential is installed in stage build (Dockerfile:2)`).
 */
import type { DepsTarget } from './types.js';

/** `stage build (node:20-slim)`; `the installing stage` when no Dockerfile gave the target. */
export function stageWords(target: DepsTarget): string {
  const site = target.site;
  if (!site) return 'the installing stage';
  return `stage ${site.stage}${site.base ? ` (${site.base})` : ''}`;
}

/** The toolchain's evidence as one clause (`the base … carries …; gcc is installed in stage …`), or '' when there is none. */
export function toolchainEvidence(target: DepsTarget): string {
  return target.toolchain?.evidence.join('; ') ?? '';
}

/** `${why}; compiles at install in <stage>: <evidence>` / `…, but <stage> lacks <lacking>: <evidence>`. */
export function compileReason(target: DepsTarget, why: string, how: string, lacking: readonly string[]): string {
  if (!target.toolchain) return `${why}; ${how} at install (no Dockerfile says what the installing stage has)`;
  const evidence = toolchainEvidence(target);
  const because = evidence ? `: ${evidence}` : '';
  if (lacking.length === 0) return `${why}; ${how} at install in ${stageWords(target)}${because}`;
  return `${why}; ${how} at install, but ${stageWords(target)} lacks ${lacking.join(', ')}${because}`;
}
