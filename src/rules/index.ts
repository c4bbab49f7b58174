/** The built-in rules, in id order. */
import archArgDefault from './arch-arg-default.js';
import archDetectOnBuildPlatform from './arch-detect-on-build-platform.js';
import archDetectVocabulary from './arch-detect-vocabulary.js';
import archMappingIncomplete from './arch-mapping-incomplete.js';
import archPinnedPackage from './arch-pinned-package.js';
import archPinnedBaseImage from './arch-pinned-base-image.js';
import archSpecificPath from './arch-specific-path.js';
import baseImagePlatform from './base-image-platform.js';
import baseImageUnresolved from './base-image-unresolved.js';
import buildArchForTarget from './build-arch-for-target.js';
import crossCompileNoTarget from './cross-compile-no-target.js';
import finalStageBuildPlatform from './final-stage-build-platform.js';
import fromPlatformConstant from './from-platform-constant.js';
import hardcodedArchDownload from './hardcoded-arch-download.js';
import hardcodedCompilerTarget from './hardcoded-compiler-target.js';
import libcMismatch from './libc-mismatch.js';
import nativeDependencyMissing from './native-dependency-missing.js';
import nativeDependencyToolchain from './native-dependency-toolchain.js';
import officialImageAvailable from './official-image-available.js';
import platformArgDefault from './platform-arg-default.js';
import platformArgUndeclared from './platform-arg-undeclared.js';
import tooDeepToCheck from './too-deep-to-check.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  hardcodedArchDownload, // AA101
  platformArgUndeclared, // AA102
  platformArgDefault, // AA103
  archDetectVocabulary, // AA104
  archDetectOnBuildPlatform, // AA105
  crossCompileNoTarget, // AA106
  hardcodedCompilerTarget, // AA107
  fromPlatformConstant, // AA108
  finalStageBuildPlatform, // AA109
  archSpecificPath, // AA110
  libcMismatch, // AA111
  officialImageAvailable, // AA112
  archPinnedBaseImage, // AA113
  baseImagePlatform, // AA114
  baseImageUnresolved, // AA115
  tooDeepToCheck, // AA116
  archArgDefault, // AA117
  archMappingIncomplete, // AA118
  buildArchForTarget, // AA119
  archPinnedPackage, // AA121
  nativeDependencyMissing, // AA123
  nativeDependencyToolchain, // AA124
];
