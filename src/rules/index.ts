/** The built-in rules, in id order. */
import hardcodedArchDownload from './hardcoded-arch-download.js';
import platformArgDefault from './platform-arg-default.js';
import platformArgUndeclared from './platform-arg-undeclared.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [hardcodedArchDownload, platformArgUndeclared, platformArgDefault] as readonly Rule[];
