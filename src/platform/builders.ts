/**
 * The machines a Dockerfile is built on. A stage built `FROM --platform=$BUILDPLATFORM` runs on
 * whatever machine runs the build: this one today, a CI runner or a colleague's laptop tomorrow.
 * So a question about such a stage ("does this download exist for the builder?") is asked for
 * every usual builder, not only for the build platform at hand.
 */
import { makePlatform } from './make.js';
import { normalizePlatform } from './parse.js';
import type { Platform } from './types.js';

/** The CPUs builds run on in practice: x86-64 and 64-bit ARM (CI runners, laptops, servers). */
export const USUAL_BUILDERS: readonly Platform[] = Object.freeze([makePlatform('linux', 'amd64'), makePlatform('linux', 'arm64')]);

/**
 * The platforms a `--platform=$BUILDPLATFORM` stage must work on: the usual builders (linux/amd64,
 * linux/arm64, in that order), then `build` when it is another CPU (a riscv64 builder). The usual
 * builders keep their order whatever `build` is, so an answer (and a fix written from it) is the
 * same on every amd64 and arm64 machine.
 */
export function builderPlatforms(build: Platform): readonly Platform[] {
  const b = normalizePlatform(build);
  const usual = USUAL_BUILDERS.some((u) => u.os === b.os && u.architecture === b.architecture);
  return usual ? USUAL_BUILDERS : Object.freeze([...USUAL_BUILDERS, build]);
}
