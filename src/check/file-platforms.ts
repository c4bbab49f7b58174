/**
 * Per-architecture Dockerfiles: the platform a file name says a Dockerfile is built for
 * (`Dockerfile.aarch64`, `Dockerfile.arm64`, `Dockerfile.armhf`, `Dockerfile-amd64`,
 * `arm64.Dockerfile`, `app.arm64.Dockerfile`: the linuxserver.io convention and its relatives),
 * and the platforms of a plain `Dockerfile` beside such siblings: the target list less the
 * siblings' platforms (linuxserver.io: `Dockerfile` is amd64, `Dockerfile.aarch64` arm64).
 *
 * Only names, no file system: `checkPaths` lists a directory's Dockerfiles and asks here.
 */
import { formatPlatform, parsePlatform, type Platform } from '../platform/index.js';

/** Architecture words in per-architecture Dockerfile names, and the platform each means (linuxserver.io's armhf is arm/v7). */
const NAME_WORDS: Readonly<Record<string, string>> = {
  aarch64: 'linux/arm64',
  arm64: 'linux/arm64',
  arm64v8: 'linux/arm64',
  armv8: 'linux/arm64',
  amd64: 'linux/amd64',
  x86_64: 'linux/amd64',
  'x86-64': 'linux/amd64',
  x64: 'linux/amd64',
  armhf: 'linux/arm/v7',
  armv7: 'linux/arm/v7',
  armv7l: 'linux/arm/v7',
  arm32v7: 'linux/arm/v7',
  armv6: 'linux/arm/v6',
  armel: 'linux/arm/v6',
  arm32v6: 'linux/arm/v6',
  i386: 'linux/386',
  i686: 'linux/386',
  x86: 'linux/386',
  '386': 'linux/386',
  ppc64le: 'linux/ppc64le',
  ppc64el: 'linux/ppc64le',
  s390x: 'linux/s390x',
  riscv64: 'linux/riscv64',
  loong64: 'linux/loong64',
  mips64le: 'linux/mips64le',
};

/** `Dockerfile.<arch>`, `Dockerfile-<arch>`, `Dockerfile_<arch>`, `Containerfile.<arch>` */
const SUFFIXED = /^(?:docker|container)file[._-](.+)$/i;
/** `<arch>.Dockerfile`, `<name>.<arch>.Dockerfile`, `<name>-<arch>.Dockerfile` */
const PREFIXED = /^(.+)\.(?:docker|container)file$/i;
const PLAIN = /^(?:docker|container)file$/i;
/** The words, longest first: `app_x86_64` ends in `x86_64`, not in `64`. */
const WORDS = Object.keys(NAME_WORDS).sort((a, b) => b.length - a.length);

const parsed = new Map<string, Platform>();
function platformOf(spec: string): Platform {
  let p = parsed.get(spec);
  if (!p) parsed.set(spec, (p = parsePlatform(spec)));
  return p;
}

/** The architecture word a name's stem is or ends in (after `.`, `-` or `_`). */
function wordAtEnd(stem: string, whole: boolean): string | undefined {
  const s = stem.toLowerCase();
  for (const w of WORDS) {
    if (s === w) return w;
    if (!whole && s.endsWith(w) && /[._-]/.test(s[s.length - w.length - 1] ?? '')) return w;
  }
  return undefined;
}

/** The one platform a Dockerfile's name says it is built for (`Dockerfile.aarch64`: linux/arm64), or undefined. */
export function platformOfFileName(file: string): Platform | undefined {
  const base = file.replace(/^.*[\\/]/, '');
  const suffixed = SUFFIXED.exec(base);
  const prefixed = suffixed ? null : PREFIXED.exec(base);
  const word = suffixed ? wordAtEnd(suffixed[1] as string, true) : prefixed ? wordAtEnd(prefixed[1] as string, false) : undefined;
  const spec = word === undefined ? undefined : NAME_WORDS[word];
  return spec === undefined ? undefined : platformOf(spec);
}

/** Is this the plain name (`Dockerfile`, `Containerfile`) that per-architecture siblings leave the other platforms to? */
export function isPlainDockerfileName(file: string): boolean {
  return PLAIN.test(file.replace(/^.*[\\/]/, ''));
}

/** How the platforms a file was checked for were chosen. */
export type PlatformsFrom = 'file-name' | 'siblings';

export interface FilePlatforms {
  readonly platforms: readonly Platform[];
  /** `file-name`: the file's own name (`Dockerfile.aarch64`); `siblings`: a plain Dockerfile beside per-architecture ones */
  readonly from: PlatformsFrom;
}

/**
 * The platforms to check `file` for, when its name (or its siblings' names) says: its own
 * platform for a per-architecture name; for a plain `Dockerfile` whose directory holds
 * per-architecture siblings, `targets` less the siblings' platforms (undefined when that leaves
 * none); undefined otherwise (check for `targets`). `siblings` are the other Dockerfile names of
 * the same directory (base names or paths).
 */
export function platformsForFile(file: string, siblings: readonly string[], targets: readonly Platform[]): FilePlatforms | undefined {
  const own = platformOfFileName(file);
  if (own) return { platforms: [own], from: 'file-name' };
  if (!isPlainDockerfileName(file)) return undefined;
  const taken = new Set<string>();
  for (const s of siblings) {
    const p = platformOfFileName(s);
    if (p) taken.add(formatPlatform(p));
  }
  if (taken.size === 0) return undefined;
  const left = targets.filter((t) => !taken.has(formatPlatform(t)));
  return left.length && left.length < targets.length ? { platforms: left, from: 'siblings' } : undefined;
}
