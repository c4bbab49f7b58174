/** The verdicts of `anyarch verify`, in id order. */
import armVariant from './arm-variant.js';
import configPlatform from './config-platform.js';
import entrypoint from './entrypoint.js';
import foreignBinary from './foreign-binary.js';
import intendedForeign from './intended-foreign.js';
import libcMismatch from './libc-mismatch.js';
import missingInterpreter from './missing-interpreter.js';
import missingLoader from './missing-loader.js';
import nodeAddon from './node-addon.js';
import notVerified from './not-verified.js';
import pythonExtension from './python-extension.js';
import smokeRun from './smoke-run.js';
import type { VerdictRule } from './types.js';

export const VERDICTS: readonly VerdictRule[] = [
  foreignBinary, // AA201
  armVariant, // AA202
  missingLoader, // AA203
  libcMismatch, // AA204
  pythonExtension, // AA205
  nodeAddon, // AA206
  missingInterpreter, // AA207
  entrypoint, // AA208
  configPlatform, // AA209
  notVerified, // AA210
  smokeRun, // AA211
  intendedForeign, // AA212
] as VerdictRule[];

export { intendedForeign, notVerified };
