/**
 * Per-platform package families (napi-rs, esbuild, @swc/core, rollup, sharp's `@img/sharp-*`,
 * @parcel/watcher): a parent whose optional dependencies are sibling packages named for a platform
 * (`-linux-arm64-gnu`, `-linuxmusl-x64`, `-linux-arm-gnueabihf`, `/linux-arm64`), each with its
 * `os`/`cpu`/`libc`. Pure: names and lockfile entries in, families and warnings out.
 */
import type { AnyarchError } from '../../errors.js';
import { lockfileWarning } from '../lockfiles/positions.js';
import type { Libc, LockedPackage } from '../types.js';

/** The platform a package's name says. `libc` undefined: the name says none (any libc). */
export interface NamedPlatform {
  readonly os: string;
  readonly cpu: string;
  readonly libc?: Libc;
  /** the name's platform part as written (`linux-arm-gnueabihf`, `linuxmusl-x64`) */
  readonly suffix: string;
}

const OS_WORDS: ReadonlyMap<string, { os: string; libc?: Libc }> = new Map([
  ['linux', { os: 'linux' }],
  ['linuxmusl', { os: 'linux', libc: 'musl' }],
  ['darwin', { os: 'darwin' }],
  ['macos', { os: 'darwin' }],
  ['win32', { os: 'win32' }],
  ['windows', { os: 'win32' }],
  ['freebsd', { os: 'freebsd' }],
  ['openbsd', { os: 'openbsd' }],
  ['netbsd', { os: 'netbsd' }],
  ['android', { os: 'android' }],
  ['sunos', { os: 'sunos' }],
  ['aix', { os: 'aix' }],
  ['openharmony', { os: 'openharmony' }],
]);

/** npm `cpu` words, and the other spellings names use for them. */
const CPU_WORDS: ReadonlyMap<string, string> = new Map([
  ['x64', 'x64'],
  ['x86_64', 'x64'],
  ['amd64', 'x64'],
  ['64', 'x64'], // turbo-linux-64
  ['arm64', 'arm64'],
  ['aarch64', 'arm64'],
  ['arm', 'arm'],
  ['armv7', 'arm'],
  ['armv7l', 'arm'],
  ['armhf', 'arm'],
  ['armv6', 'arm'],
  ['armv6l', 'arm'],
  ['armel', 'arm'],
  ['ia32', 'ia32'],
  ['i686', 'ia32'],
  ['x86', 'ia32'],
  ['i386', 'ia32'],
  ['x32', 'x32'], // the x86-64 ILP32 ABI: no Node target anyarch knows
  ['ppc64', 'ppc64'],
  ['ppc64le', 'ppc64'],
  ['ppc64el', 'ppc64'],
  ['powerpc64le', 'ppc64'], // @rollup/rollup-linux-powerpc64le-gnu
  ['powerpc64', 'ppc64'],
  ['s390x', 's390x'],
  ['riscv64', 'riscv64'],
  ['riscv64gc', 'riscv64'],
  ['riscv', 'riscv64'],
  ['loong64', 'loong64'],
  ['loongarch64', 'loong64'],
  ['mips64el', 'mips64el'],
]);

const ABI_WORDS: ReadonlyMap<string, Libc | undefined> = new Map<string, Libc | undefined>([
  ['gnu', 'glibc'],
  ['glibc', 'glibc'],
  ['gnueabihf', 'glibc'],
  ['gnueabi', 'glibc'],
  ['gnux32', 'glibc'],
  ['musl', 'musl'],
  ['musleabihf', 'musl'],
  ['musleabi', 'musl'],
  ['muslx32', 'musl'],
  ['msvc', undefined],
  ['eabi', undefined],
  ['androideabi', undefined],
]);

/**
 * The platform a package name says: `@img/sharp-linuxmusl-arm64` -> linux/arm64/musl,
 * `@rollup/rollup-linux-arm-gnueabihf` -> linux/arm/glibc, `@esbuild/linux-arm64` -> linux/arm64.
 * The last `<os>-<cpu>` pair of the unscoped name's dash-separated words counts.
 */
export function platformOfName(name: string): NamedPlatform | undefined {
  if (nameMemo.has(name)) return nameMemo.get(name);
  if (nameMemo.size > 50_000) nameMemo.clear();
  const p = platformOfNameUncached(name);
  nameMemo.set(name, p);
  return p;
}

const nameMemo = new Map<string, NamedPlatform | undefined>();

function platformOfNameUncached(name: string): NamedPlatform | undefined {
  const slash = name.indexOf('/');
  const words = (name.startsWith('@') && slash !== -1 ? name.slice(slash + 1) : name).split('-');
  for (let i = words.length - 2; i >= 0; i--) {
    const os = OS_WORDS.get(words[i] ?? '');
    const cpu = CPU_WORDS.get(words[i + 1] ?? '');
    if (!os || !cpu) continue;
    const next = words[i + 2];
    let libc = os.libc;
    let end = i + 2;
    if (next !== undefined && ABI_WORDS.has(next)) {
      libc = ABI_WORDS.get(next) ?? libc;
      end = i + 3;
    }
    return { os: os.os, cpu, ...(libc ? { libc } : {}), suffix: words.slice(i, end).join('-') };
  }
  return undefined;
}

/**
 * The platform a locked package's own `os`/`cpu`/`libc` fields say (npm's own check), for a member
 * whose name says none or says it in words anyarch does not know; undefined without a `cpu` or `os`.
 * The fields win over the name: `FamilyMember.named` is only the name's reading.
 */
export function platformOfEntry(p: LockedPackage): NamedPlatform | undefined {
  const cpu = p.cpu?.find((c) => !c.startsWith('!'));
  const os = p.os?.find((o) => !o.startsWith('!'));
  if (!cpu && !os) return undefined;
  const byName = platformOfName(p.name);
  const libc = p.libc?.find((l): l is Libc => l === 'glibc' || l === 'musl');
  const slash = p.name.indexOf('/');
  return {
    os: os ?? byName?.os ?? 'linux',
    cpu: cpu ?? byName?.cpu ?? '',
    ...(libc ? { libc } : byName?.libc ? { libc: byName.libc } : {}),
    suffix: byName?.suffix ?? (p.name.startsWith('@') && slash !== -1 ? p.name.slice(slash + 1) : p.name),
  };
}

/** One platform package of a family, in the lock or only named by the parent. */
export interface FamilyMember {
  readonly name: string;
  /** the lock's entry, when the lock has it */
  readonly locked?: LockedPackage;
  readonly named: NamedPlatform;
}

export interface Family {
  readonly parent: LockedPackage;
  /** members in the lock and members only the parent names (a pruned lock), in the parent's order */
  readonly members: readonly FamilyMember[];
  /** names the parent's optionalDependencies give that the lock lacks */
  readonly absent: readonly string[];
}

/** Whether an entry looks like a platform package: a `cpu` field and a platform in its name. */
function isPlatformEntry(p: LockedPackage): boolean {
  return (p.os !== undefined || p.cpu !== undefined) && platformOfName(p.name) !== undefined;
}

/** An optional dependency's platform: its name's, else (a name in words anyarch does not know) its lock entry's `cpu`/`os`. */
function memberPlatform(name: string, locked: LockedPackage | undefined): NamedPlatform | undefined {
  return platformOfName(name) ?? (locked?.cpu?.length ? platformOfEntry(locked) : undefined);
}

/**
 * Families in a lock: parents whose optional dependencies include platform-named packages, with
 * their members. A platform package that itself has platform-named optional dependencies
 * (`@img/sharp-linux-arm64` -> `@img/sharp-libvips-linux-arm64`) is a member, not a parent.
 * `members` is the set of every member name (their rows belong to the parent).
 */
export function findFamilies(packages: readonly LockedPackage[]): { families: Family[]; members: ReadonlySet<string> } {
  // a lock's families are asked for twice (its reader's warnings, then the analysis): found once per list
  let found = familiesMemo.get(packages);
  if (!found) familiesMemo.set(packages, (found = findFamiliesOnce(packages)));
  return { families: [...found.families], members: found.members };
}

const familiesMemo = new WeakMap<readonly LockedPackage[], { families: Family[]; members: ReadonlySet<string> }>();

function findFamiliesOnce(packages: readonly LockedPackage[]): { families: Family[]; members: ReadonlySet<string> } {
  const byName = new Map<string, LockedPackage[]>();
  for (const p of packages) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  const families: Family[] = [];
  const memberNames = new Set<string>();
  const seenParent = new Set<string>();
  for (const p of packages) {
    const opt = p.optionalDependencies;
    if (!opt || opt.length === 0) continue;
    if (isPlatformEntry(p) || platformOfName(p.name)) continue;
    const named = opt
      .map((name) => ({ name, named: memberPlatform(name, pickMember(byName.get(name), p)) }))
      .filter((m): m is { name: string; named: NamedPlatform } => m.named !== undefined);
    if (named.length === 0) continue;
    const id = `${p.name}@${p.version}`;
    if (seenParent.has(id)) continue;
    seenParent.add(id);
    const members: FamilyMember[] = [];
    const absent: string[] = [];
    for (const m of named) {
      const locked = pickMember(byName.get(m.name), p);
      members.push(locked ? { name: m.name, locked, named: m.named } : { name: m.name, named: m.named });
      if (!locked) absent.push(m.name);
      memberNames.add(m.name);
      // a member's own platform-named optional dependencies (sharp's libvips packages) are members too
      for (const sub of locked?.optionalDependencies ?? []) if (platformOfName(sub)) memberNames.add(sub);
    }
    families.push({ parent: p, members, absent });
  }
  return { families, members: memberNames };
}

/** The lock entry of a member: the one of the parent's version, else the one nested under the parent (npm), else the first. */
function pickMember(candidates: readonly LockedPackage[] | undefined, parent: LockedPackage): LockedPackage | undefined {
  if (!candidates || candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0];
  return (
    candidates.find((c) => c.version === parent.version) ??
    candidates.find((c) => c.key.startsWith(`${parent.key}/node_modules/`)) ??
    candidates[0]
  );
}

/**
 * What a lock's families say about the lock itself: a family whose parent names more platform
 * packages than the lock holds (npm >= 10.3 prunes other platforms' optional packages when
 * node_modules exists: npm/cli#7961, #8320), and an npm lock whose platform packages carry no
 * `libc` (npm < 11.11, npm/cli#8514: `npm ci` then installs glibc and musl packages both).
 */
export function lockFamilyWarnings(file: string, packages: readonly LockedPackage[], manager: 'npm' | 'pnpm' | 'yarn'): AnyarchError[] {
  const { families } = findFamilies(packages);
  const out: AnyarchError[] = [];
  for (const f of families) {
    const linuxAbsent = f.absent.filter((n) => platformOfName(n)?.os === 'linux');
    if (linuxAbsent.length === 0) continue;
    const shown = linuxAbsent.slice(0, 3).join(', ') + (linuxAbsent.length > 3 ? ` and ${linuxAbsent.length - 3} more` : '');
    out.push(
      lockfileWarning(
        file,
        `${f.parent.name}@${f.parent.version}: the lock holds ${f.members.length - f.absent.length} of the ${f.members.length} platform packages it names (missing ${shown}); a lock pruned to one platform${manager === 'npm' ? ' (npm/cli#7961)' : ''}: coverage is read from the names (and the registry when asked)`,
        f.parent.position,
        manager === 'npm' ? 'regenerate it without node_modules present: rm -rf node_modules package-lock.json && npm install' : undefined,
      ),
    );
  }
  if (manager === 'npm') {
    let platformEntries = 0;
    let muslNamed = 0;
    let withLibc = 0;
    for (const p of packages) {
      if (p.cpu === undefined) continue;
      platformEntries++;
      if (p.libc) withLibc++;
      if (platformOfName(p.name)?.libc === 'musl') muslNamed++;
    }
    if (platformEntries > 0 && muslNamed > 0 && withLibc === 0) {
      out.push(
        lockfileWarning(
          file,
          'the lock records no libc for its platform packages (written by npm < 11.11, npm/cli#8514): npm ci installs both the glibc and the musl packages; libc is read from the packages\' names',
          { line: 1, column: 1 },
          'regenerate the lock with npm >= 11.11',
        ),
      );
    }
  }
  return out;
}
