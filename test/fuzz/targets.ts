/**
 * Every fuzz target, in the order `npm run fuzz` runs them. A new parser of untrusted bytes gets a
 * target here (see docs/security.md, "Fuzzing").
 */
import type { AnyTarget } from '../support/fuzz.js';
import { binaryTarget } from './binary.js';
import { dockerfileFixTarget, dockerfileTarget } from './dockerfile.js';
import { engineTarget } from './engine.js';
import { archiveTarget, imageConfigTarget, indexWalkTarget, manifestTarget, tarTarget } from './images.js';
import { cacheTarget, configTarget, referenceTarget, sourceSpecTarget } from './inputs.js';
import { credentialsTarget, registryAnswersTarget, registryClientTarget } from './registry.js';

export const TARGETS: readonly AnyTarget[] = [
  dockerfileTarget,
  dockerfileFixTarget,
  configTarget,
  referenceTarget,
  sourceSpecTarget,
  manifestTarget,
  imageConfigTarget,
  indexWalkTarget,
  tarTarget,
  archiveTarget,
  registryClientTarget,
  registryAnswersTarget,
  credentialsTarget,
  engineTarget,
  cacheTarget,
  binaryTarget,
];
