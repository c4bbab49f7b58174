/** The version of the installed anyarch package: the library's one reader of it (src/fs/package-version.ts). */
export { packageVersion } from '../fs/package-version.js';
