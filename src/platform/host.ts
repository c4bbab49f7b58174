/**
 * The platform of the machine anyarch runs on, as a build on it would see `$BUILDPLATFORM`:
 * Linux on this CPU (Docker Desktop on macOS and Windows builds in a Linux VM of the host's CPU).
 * The one default for the build platform, shared by the library and the CLI.
 */
import * as os from 'node:os';
import { parsePlatform, tryParsePlatform } from './parse.js';
import type { Platform } from './types.js';

/** Node's `process.arch` words where Go (and OCI) say another: `x64`, `ia32`, `ppc64` (little-endian: `ppc64le`). */
export function hostPlatform(arch: string = process.arch, endianness: 'BE' | 'LE' = os.endianness()): Platform {
  const goArch: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: endianness === 'LE' ? 'ppc64le' : 'ppc64' };
  return tryParsePlatform(`linux/${goArch[arch] ?? arch}`) ?? parsePlatform('linux/amd64');
}
