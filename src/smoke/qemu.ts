/**
 * Runs one command inside an extracted root (src/rootfs/extract.ts) under `qemu-<arch>-static`
 * named explicitly, or natively for this machine's platform.
 *
 * Why the emulator is named and never left to binfmt: where QEMU's binfmt handlers are
 * registered, the kernel runs a binary of any registered architecture, so a linux/arm64 variant
 * holding an x86-64 program "works" on an x86-64 machine (and under any handler, anywhere). Run
 * as `qemu-aarch64-static PROG`, QEMU loads PROG itself and refuses an ELF of another machine
 * ("Invalid ELF image for this architecture"), so the smoke run fails as it would on real arm64.
 *
 * The emulated CPU is the variant's oldest (src/platform/qemu.ts `qemuCpu`: arm/v6 -> arm1176,
 * arm/v7 -> cortex-a7, arm64 -> cortex-a53), so code for a newer CPU fails as on real hardware.
 *
 * Confinement, decided per run and said in the result (`confinement`):
 * - `chroot` (preferred; as root, or as anyone where unprivileged user namespaces are allowed):
 *   a sandbox ({@link SANDBOX_SCRIPT}). In new mount and network namespaces a tmpfs becomes the
 *   root (pivot_root, the old root detached), holding only this machine's /usr, /bin, /sbin and
 *   /lib* for the helpers and the image's root under a random name; as root a user namespace is
 *   then made whose ids 0..65535 are this machine's {@link SMOKE_ID_BASE}.. (the extracted files
 *   belong to them: src/rootfs/extract.ts `idShift`), so the program is root of its namespace
 *   and nobody here; unprivileged, the run is root of a user namespace mapped to this user. Then
 *   util-linux's `unshare --root=/<name> --wd=DIR` runs `/.anyarch-qemu -0 ARGV0 /path/to/prog
 *   ARGS` (the static emulator copied into the root). A chroot escape (chroot into a
 *   subdirectory, climb out) reaches the tmpfs, where none of this machine's data is; signals
 *   reach only the namespace's own ids; no device can be made. Every path the program opens is
 *   the image's, the tmpfs' or the helpers' (read-only to it: owned by ids it does not have).
 *   The first program is the one checked: a child it starts with execve goes to the kernel, so a
 *   foreign child runs only through a registered binfmt handler (with the `F` flag, whose
 *   interpreter the kernel opened at registration) and otherwise fails with ENOEXEC ("exec format
 *   error"); QEMU 7.2 does not intercept execve. A shell running a foreign binary is therefore
 *   not proof that binary is right; `verify`'s ELF verdicts are. Where the sandbox cannot be set
 *   up (the script exits 125 saying which step failed), `auto` falls back to `qemu-prefix`.
 * - `qemu-prefix` (the fallback): `qemu-<arch>-static -L ROOT -0 ARGV0 ROOT/path/to/prog ARGS`
 *   in `unshare --net`. No privilege needed, but QEMU only prefixes paths that exist in the
 *   root: anything else the program opens (`/proc`, `/dev`, a missing `/etc/passwd`) resolves on
 *   this machine, and the image's User cannot be taken. Weaker; said in the result's notes. A
 *   native run without chroot goes this way too (with this machine's own QEMU target).
 * - native (`via: 'native'`): the host's platform runs in the sandbox without QEMU. No emulator
 *   refuses a wrong binary there, and a registered handler would run an arm64 program in an
 *   amd64 variant, so the program's ELF header (class, byte order, e_machine; through a script's
 *   `#!` interpreter, one level) is checked against the platform first and a mismatch is refused
 *   as the kernel would refuse it (exit 126, "exec format error").
 *
 * The image is at fault when its program is missing (exit 127, as a shell and `docker run` give
 * it), of another architecture natively (126), or its WorkingDir or User cannot be had (126);
 * only what this machine lacks (no QEMU for the architecture, no namespaces) is `notRun`.
 *
 * Environment: this machine's helpers (sh, unshare, nsenter, mount, env) run with PATH alone,
 * never the image's environment; it is set by `env -i` for the last step only (unshare's chroot
 * and the program, or the static QEMU of `qemu -L`). In the sandbox that last unshare starts
 * where the image's files are out of reach (under a random name, as ids it does not have), so
 * an LD_PRELOAD or PATH of the image loads nothing of the image outside emulation; a loader
 * variable naming a library this machine lacks makes that unshare print ld.so's warning.
 *
 * Devices: in a chroot as root, the image gets Docker's few character devices where it has none
 * (`/dev/null`, `zero`, `full`, `random`, `urandom`, `tty`, made with mknod in the temporary
 * root before the run); no /proc or /sys is mounted (/proc would need a PID namespace; see
 * below), so a program that needs them fails its smoke run.
 *
 * Network: every run is in a new, empty network namespace (`unshare --net`: only a loopback that
 * is down), so a smoke run can never reach the network. Where no network namespace can be made
 * (no util-linux unshare, or a container without the privilege), the run is refused (`notRun`)
 * unless the caller allows the network (`allowNetwork`, `qemu -L` only), and the result then
 * says `network: 'host'`.
 *
 * Processes: the run is its own process group. When its first process exits, or at the timeout,
 * the group is killed (SIGKILL), and so is every process left in the root (a daemon that left
 * the group with setsid): in a chroot, those whose root is the extracted root; under `qemu -L`,
 * those whose working directory or command line is in it. A container's processes end with it. No
 * PID namespace: its first process would be PID 1, which ignores the signals it sends itself, so
 * a program that crashes under QEMU (which re-raises the crash signal) would hang instead of
 * ending.
 *
 * Bounds: a timeout ({@link DEFAULT_SMOKE_TIMEOUT_MS}; the whole process group is killed with
 * SIGKILL), output bounded by src/smoke/output.ts. The program's environment is the image's
 * (PATH defaulted as Docker does), never this process's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants as fsConstants, copyFileSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PATH } from '../binary/index.js';
import { programOnPath } from '../fs/programs.js';
import { temporaryDirs } from '../fs/temporary.js';
import { lookupInRoot, makeDirInRoot, type IdShift } from '../rootfs/extract.js';
import { PLATFORM_DATA } from '../platform/data.js';
import { formatPlatform } from '../platform/make.js';
import { hostPlatform } from '../platform/host.js';
import { QEMU_STATIC_DIR, qemuCpu, qemuStaticName } from '../platform/qemu.js';
import type { Platform } from '../platform/types.js';
import { BoundedOutput, DEFAULT_OUTPUT_LINES, MAX_OUTPUT_BYTES } from './output.js';
import type { CommandRunOptions, SmokeResult } from './types.js';

/** How long a smoke run may take by default: 30 s (then its process group is killed). */
export const DEFAULT_SMOKE_TIMEOUT_MS = 30_000;
/**
 * Run as root, a chroot run's user namespace maps its ids 0..{@link SMOKE_ID_COUNT}-1 to this
 * machine's ids from here on: ids no account uses (as Docker's userns-remap and rootless
 * runtimes map them), so the program is root of its namespace and nobody on this machine.
 * src/smoke/run.ts extracts the image's files owned by these ids.
 */
export const SMOKE_ID_BASE = 1_600_000_000;
/** How many ids the user namespace maps: 65,536 (a file of a higher id is owned by nobody inside). */
export const SMOKE_ID_COUNT = 65_536;
/** The owners an extraction for a chroot run as root writes (src/rootfs/extract.ts `idShift`). */
export const SMOKE_IDS: IdShift = Object.freeze({ base: SMOKE_ID_BASE, count: SMOKE_ID_COUNT });
/** PATH of the helpers this machine runs for a smoke run (sh, unshare, env, mount): this machine's, never the image's. */
const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
/** The whole environment of those helpers: nothing of the image's and nothing of anyarch's reaches them. */
const HOST_ENV: Readonly<Record<string, string>> = Object.freeze({ PATH: HOST_PATH });
/** Most 5 ms waits for the user namespace of a run to appear (5 s). */
const USERNS_WAITS = 1000;
/** What the sandbox script prints before it exits 125 when it cannot be set up. */
const SANDBOX_FAILED = 'anyarch-sandbox: ';

/**
 * The sandbox of a chroot run, a POSIX sh script run as root in a new mount and network
 * namespace, or (unprivileged) as root of a new user namespace with them. Arguments: the
 * random name of the image's root in the new root, the staging directory, the extracted root,
 * the first id of the user namespace to make (empty when already in one), then `--`, the
 * image's environment and the command. It mounts a tmpfs on the staging directory holding only
 * this machine's /usr, /bin, /sbin and /lib* (for the helpers) and the image's root under its
 * random name, makes it the mount namespace's root with pivot_root and detaches the old one; as
 * root it then makes a user namespace whose ids it maps to {@link SMOKE_ID_BASE}.. and joins it.
 * Only then does the image's environment appear (`env -i`), for util-linux unshare's chroot
 * into the image and the program. A step that fails prints {@link SANDBOX_FAILED} and exits 125.
 */
const SANDBOX_SCRIPT = `R=$1; S=$2; ROOT=$3; U=$4; shift 4
fail() { echo "${SANDBOX_FAILED}$1"; exit 125; }
if [ -n "$U" ]; then unshare --user -- sleep 3600 & h=$!; fi
mount -t tmpfs -o mode=0755 anyarch "$S" || fail "cannot mount a tmpfs"
for d in usr bin sbin lib lib32 lib64 libx32; do
  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$S/$d" || fail "cannot link /$d"
  elif [ -d "/$d" ]; then { mkdir "$S/$d" && mount --rbind "/$d" "$S/$d"; } || fail "cannot bind /$d"; fi
done
mkdir "$S/$R" "$S/.old" "$S/proc" || fail "cannot make the new root"
mount --rbind "$ROOT" "$S/$R" || fail "cannot bind the image's root"
mount --rbind /proc "$S/proc" || fail "cannot bind /proc"
{ cd "$S" && pivot_root . .old && cd / && umount -l /.old && rmdir /.old; } || fail "cannot pivot_root"
if [ -n "$U" ]; then
  n=0
  while [ "$(readlink /proc/$h/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do n=$((n+1)); [ $n -lt ${USERNS_WAITS} ] || fail "no user namespace"; sleep 0.005; done
  { echo "0 $U ${SMOKE_ID_COUNT}" > /proc/$h/uid_map && echo "0 $U ${SMOKE_ID_COUNT}" > /proc/$h/gid_map; } || fail "cannot map the user namespace's ids"
  { touch /.userns && mount --bind /proc/$h/ns/user /.userns; } || fail "cannot hold the user namespace"
  { umount -l /proc && rmdir /proc; } || fail "cannot detach /proc"
  exec nsenter --user=/.userns -- env -i "$@"
fi
{ umount -l /proc && rmdir /proc; } || fail "cannot detach /proc"
exec env -i "$@"
`;
/** Where the emulator is copied inside a chroot. */
export const QEMU_IN_ROOT = '/.anyarch-qemu';
/** Most bytes of /etc/passwd or /etc/group read to resolve the image's User: 1 MiB. */
const MAX_ACCOUNT_FILE_BYTES = 1024 * 1024;

export interface RootRunOptions extends CommandRunOptions {
  /** the image's User (`name`, `uid`, `name:group`, `uid:gid`) */
  readonly user?: string;
  /** run even where no network namespace can be made (default false: refused) */
  readonly allowNetwork?: boolean;
  /** `auto` (default): chroot when it can be had, else `qemu-prefix` */
  readonly confinement?: 'auto' | 'chroot' | 'qemu-prefix';
  /** the machine's platform (default {@link hostPlatform}) */
  readonly host?: Platform;
  /** util-linux `unshare` (default: found on PATH); without it there is no chroot and no network namespace */
  readonly unsharePath?: string;
  /** how the owners of the files in the root were moved (src/rootfs/extract.ts): a WorkingDir made here gets the same */
  readonly idShift?: IdShift;
}

/** A run in an extracted root: a {@link SmokeResult} but for what the caller knows (the platform, ok). */
export type RootRunResult = Omit<SmokeResult, 'platform' | 'ok' | 'via' | 'confinement' | 'notes'> & {
  readonly via: 'qemu' | 'native';
  readonly confinement?: 'chroot' | 'qemu-prefix';
  readonly notes: readonly string[];
};

/** What this machine allows, probed once per process (per unshare binary). */
interface Abilities {
  unshare: string | undefined;
  /** `unshare --net` works as we are (root) */
  netns: boolean;
  /** `unshare --user --map-root-user --net` works (unprivileged user namespaces) */
  userns: boolean;
  /** the sandbox of a chroot run can be had: as root a mount and network namespace; otherwise the same inside a user namespace */
  sandbox: boolean;
  /** why the sandbox failed to set up once (later runs go to `qemu -L` at once) */
  broken?: string;
}
const abilities = new Map<string, Abilities>();

/** A host program, from the system directories first, then anyarch's own PATH. */
function findOnPath(name: string): string | undefined {
  return programOnPath(name, `${HOST_PATH}${path.delimiter}${process.env.PATH ?? ''}`);
}

function probe(unsharePath: string | undefined): Abilities {
  const key = unsharePath ?? '';
  const known = abilities.get(key);
  if (known) return known;
  const unshare = unsharePath === undefined ? findOnPath('unshare') : existsSync(unsharePath) ? unsharePath : undefined;
  const works = (args: string[]): boolean => unshare !== undefined && spawnSync(unshare, [...args, '--', '/bin/true'], { stdio: 'ignore', timeout: 5000, env: HOST_ENV }).status === 0;
  const root = process.getuid?.() === 0;
  const userns = works(['--user', '--map-root-user', '--net']);
  const found: Abilities = {
    unshare,
    netns: root && works(['--net']),
    userns,
    sandbox: root ? works(['--mount', '--net']) && works(['--user']) : userns && works(['--user', '--map-root-user', '--mount', '--net']),
  };
  abilities.set(key, found);
  return found;
}

function envMap(env: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env) {
    const i = kv.indexOf('=');
    if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
    else if (i < 0 && kv !== '') m.set(kv, ''); // Docker keeps a bare name as an empty value when unset
  }
  if (!m.has('PATH')) m.set('PATH', DEFAULT_PATH);
  return m;
}

/** argv[0] as a path inside the root: as written when it has a `/`, else the first match in PATH. */
export function findProgram(root: string, argv0: string, pathVar: string, workingDir: string): string | undefined {
  const executable = (p: string): boolean => {
    const hit = lookupInRoot(root, p);
    return hit !== undefined && hit.stats.isFile() && (hit.stats.mode & 0o111) !== 0;
  };
  if (argv0.includes('/')) {
    const p = argv0.startsWith('/') ? argv0 : path.posix.join(workingDir, argv0);
    return executable(p) ? p : undefined;
  }
  for (const dir of pathVar.split(':')) {
    if (dir === '') continue;
    const p = path.posix.join(dir.startsWith('/') ? dir : path.posix.join(workingDir, dir), argv0);
    if (executable(p)) return p;
  }
  return undefined;
}

function readAccountFile(root: string, name: string): string[][] {
  const hit = lookupInRoot(root, name);
  if (!hit?.stats.isFile() || hit.stats.size > MAX_ACCOUNT_FILE_BYTES) return [];
  return readFileSync(path.join(root, hit.rel), 'utf8')
    .split('\n')
    .map((l) => l.split(':'));
}

/** The image's User as numbers, from the root's /etc/passwd and /etc/group, as Docker resolves it. */
export function resolveUser(root: string, user: string): { uid: number; gid: number; home?: string } | { error: string } {
  const [u = '', g] = user.split(':', 2);
  const passwd = readAccountFile(root, 'etc/passwd');
  const numeric = /^[0-9]+$/;
  let uid: number;
  let gid = 0;
  let home: string | undefined;
  const entry = passwd.find((f) => f[0] === u) ?? (numeric.test(u) ? passwd.find((f) => f[2] === u) : undefined);
  if (entry) {
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    home = entry[5];
  } else if (numeric.test(u)) {
    uid = Number(u);
  } else {
    return { error: `unable to find user ${u}: no matching entries in the image's /etc/passwd` };
  }
  if (g !== undefined && g !== '') {
    if (numeric.test(g)) gid = Number(g);
    else {
      const group = readAccountFile(root, 'etc/group').find((f) => f[0] === g);
      if (!group) return { error: `unable to find group ${g}: no matching entries in the image's /etc/group` };
      gid = Number(group[2]);
    }
  }
  if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid)) return { error: `the user ${user} does not resolve to numbers` };
  return home !== undefined && home !== '' ? { uid, gid, home } : { uid, gid };
}

/** The character devices Docker gives every container (name, major, minor). */
const STANDARD_DEVICES: readonly (readonly [string, number, number])[] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

/** Makes Docker's standard devices in the root's /dev where the image has none; false when mknod failed. */
function makeDevices(root: string): boolean {
  if (!makeDirInRoot(root, 'dev')) return false;
  const dev = lookupInRoot(root, 'dev');
  if (!dev?.stats.isDirectory()) return false;
  // one shell for all of them (Node has no mknod)
  const args: string[] = [];
  let script = '';
  for (const [name, major, minor] of STANDARD_DEVICES) {
    if (lookupInRoot(root, `dev/${name}`) !== undefined) continue;
    args.push(path.join(root, dev.rel, name));
    script += `mknod -m 666 "$${args.length}" c ${major} ${minor} && `;
  }
  if (args.length === 0) return true;
  return spawnSync('/bin/sh', ['-c', `${script}true`, 'sh', ...args], { stdio: 'ignore' }).status === 0;
}

/** Bytes read of a program to judge it before a native run (an ELF header, a `#!` line). */
const PROGRAM_HEAD_BYTES = 256;

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(PROGRAM_HEAD_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the program at `prog` (a path inside the root) cannot run natively on `platform`: an ELF
 * whose class, byte order or machine is another platform's (a `#!` script's interpreter judged
 * the same way, one level); undefined when it may run (right ELF, or not an ELF: the kernel decides).
 */
export function nativeMismatch(root: string, prog: string, platform: Platform, depth = 0): string | undefined {
  const elf = PLATFORM_DATA.find((d) => d.platform.architecture === platform.architecture)?.elf;
  const hit = lookupInRoot(root, prog);
  if (!elf || !hit?.stats.isFile()) return undefined;
  let head: Buffer;
  try {
    head = readHead(path.join(root, hit.rel));
  } catch {
    return undefined;
  }
  if (head.length >= 20 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') {
    const cls = head[4];
    const data = head[5];
    const machine = data === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    if (cls !== elf.elfClass || data !== elf.elfData || machine !== elf.machine) {
      return `${prog}: an ELF ${cls === 2 ? '64' : '32'}-bit ${data === 2 ? 'MSB' : 'LSB'} file for machine ${machine}, not ${formatPlatform(platform)} (${elf.machineName}): it cannot run there (refused before running, as QEMU would refuse it)`;
    }
    return undefined;
  }
  if (depth === 0 && head[0] === 0x23 && head[1] === 0x21) {
    const line = head.toString('latin1', 2).split('\n')[0] ?? '';
    const interpreter = line.trim().split(/[ \t]+/)[0];
    if (interpreter?.startsWith('/')) return nativeMismatch(root, interpreter, platform, 1);
  }
  return undefined;
}

/** Runs `opts.argv` inside `root`; see the header of this file. Never throws for a failing run. */
export async function runInRoot(root: string, opts: RootRunOptions): Promise<RootRunResult> {
  const started = Date.now();
  const host = opts.host ?? hostPlatform();
  const native = opts.platform.os === host.os && opts.platform.architecture === host.architecture;
  const notes: string[] = [];
  const base = { via: native ? ('native' as const) : ('qemu' as const), argv: opts.argv, timedOut: false, output: '', notes };
  /** no run could be made here; the image is not at fault */
  const notRun = (why: string, extra: Partial<RootRunResult> = {}): RootRunResult => ({ ...base, ...extra, durationMs: Date.now() - started, error: why, notRun: why });
  /** the image is at fault: the refusal a container runtime would give, with the shell's exit code */
  const refused = (code: 126 | 127, why: string, extra: Partial<RootRunResult> = {}): RootRunResult => ({ ...base, ...extra, exitCode: code, output: `${why}\n`, durationMs: Date.now() - started, error: why });

  if (opts.argv.length === 0) return notRun('nothing to run (an empty command)');
  const env = envMap(opts.env ?? []);
  for (const k of [...env.keys()]) if (k.startsWith('QEMU_')) env.delete(k); // QEMU reads these itself
  const workingDir = opts.workingDir && opts.workingDir !== '' ? path.posix.resolve('/', opts.workingDir) : '/';
  if (!lookupInRoot(root, workingDir)?.stats.isDirectory() && !makeDirInRoot(root, workingDir, opts.idShift)) return refused(126, `the WorkingDir ${workingDir} cannot be made in the image`);
  const argv0 = opts.argv[0] as string;
  const prog = findProgram(root, argv0, env.get('PATH') ?? DEFAULT_PATH, workingDir);
  if (prog === undefined) return refused(127, `${argv0}: no such executable file in the image${argv0.includes('/') ? '' : ` (PATH ${env.get('PATH')})`}`);

  if (native) {
    const mismatch = nativeMismatch(root, prog, opts.platform);
    if (mismatch !== undefined) return refused(126, `exec format error: ${mismatch}`);
  }

  const ab = probe(opts.unsharePath);
  const mode = opts.confinement ?? 'auto';
  const asRoot = process.getuid?.() === 0;
  const nsenter = findOnPath('nsenter');
  const sandbox = ab.unshare !== undefined && ab.sandbox && (!asRoot || nsenter !== undefined);
  let confinement: 'chroot' | 'qemu-prefix';
  if (mode === 'qemu-prefix') confinement = 'qemu-prefix';
  else if (sandbox && ab.broken === undefined) confinement = 'chroot';
  else if (mode === 'chroot') return notRun(ab.broken ?? 'cannot chroot: no mount and network namespaces (util-linux unshare and nsenter as root, or unprivileged user namespaces)');
  else confinement = 'qemu-prefix';

  // the emulator: this platform's, or (native, without chroot) this machine's own
  let qemu: string | undefined;
  if (!native || confinement === 'qemu-prefix') {
    const name = qemuStaticName(native ? host : opts.platform);
    if (name === undefined) return notRun(`QEMU has no user-mode emulator for ${formatPlatform(opts.platform)}`);
    qemu = path.join(opts.qemuDir ?? QEMU_STATIC_DIR, name);
    if (!existsSync(qemu)) return notRun(`${qemu} is not installed (Debian: apt-get install qemu-user-static)`);
  }

  // qemu -L: a network namespace as root directly, otherwise inside a user namespace where this process is root
  const netns = confinement === 'chroot' || (asRoot ? ab.netns : ab.userns);
  if (!netns && !opts.allowNetwork) {
    return notRun('cannot make a network namespace for the run (util-linux unshare as root, or unprivileged user namespaces); a smoke run never reaches the network unless allowed', { confinement });
  }

  let uidGid: { uid: number; gid: number } | undefined;
  if (opts.user && opts.user !== '') {
    const u = resolveUser(root, opts.user);
    if ('error' in u) return refused(126, u.error, { confinement });
    if (confinement === 'chroot' && asRoot && u.uid < SMOKE_ID_COUNT && u.gid < SMOKE_ID_COUNT) uidGid = u;
    else if (u.uid !== 0) notes.push(`the image's User ${opts.user} is not taken ${asRoot ? `(ids from ${SMOKE_ID_COUNT} up are not mapped)` : 'without root'}: the run was as ${confinement === 'chroot' || !asRoot ? 'root of a user namespace' : "this process's user"}`);
    if (!env.has('HOME')) env.set('HOME', u.home ?? '/');
  } else if (!env.has('HOME')) env.set('HOME', '/root');
  // the image's environment reaches only the last step (see SANDBOX_SCRIPT); `--` ends env's options
  const imageEnv = ['--', ...[...env].map(([k, v]) => `${k}=${v}`)];

  // the variant's oldest CPU (an armv7 program in an arm/v6 variant must fail)
  const cpuModel = qemu ? qemuCpu(native ? host : opts.platform) : undefined;
  const cpu = cpuModel ? ['-cpu', cpuModel] : [];
  const unshare = ab.unshare as string;
  if (confinement === 'chroot') {
    if (!asRoot || !makeDevices(root)) notes.push('no /dev/null and the other standard devices: they could not be made');
    if (qemu) {
      // whatever the image has at that name goes (a symlink there must not be written through)
      const dest = path.join(root, QEMU_IN_ROOT);
      rmSync(dest, { recursive: true, force: true });
      copyFileSync(qemu, dest, fsConstants.COPYFILE_EXCL);
      chmodSync(dest, 0o755);
    }
    const inner = qemu ? [QEMU_IN_ROOT, ...cpu, '-0', argv0, prog, ...opts.argv.slice(1)] : [prog, ...opts.argv.slice(1)];
    const ids = uidGid ? ['--setgid', String(uidGid.gid), '--setuid', String(uidGid.uid)] : [];
    const name = `.anyarch-root-${randomBytes(8).toString('hex')}`;
    const stage = await temporaryDirs.make(path.dirname(root), 'anyarch-stage-');
    try {
      const namespaces = asRoot ? [unshare, '--mount', '--propagation', 'private', '--net'] : [unshare, '--user', '--map-root-user', '--mount', '--propagation', 'private', '--net'];
      const command = [...namespaces, '--', '/bin/sh', '-c', SANDBOX_SCRIPT, 'sh', name, stage, root, asRoot ? String(SMOKE_ID_BASE) : '', ...imageEnv, unshare, `--root=/${name}`, `--wd=${workingDir}`, ...ids, '--', ...inner];
      const r = await spawnBounded(command, '/', opts, { ...base, via: qemu ? 'qemu' : 'native', confinement, network: 'none' }, started, { root: `/${name}`, chroot: true });
      const setup = r.exitCode === 125 ? r.output.split('\n').find((l) => l.startsWith(SANDBOX_FAILED)) : undefined;
      if (setup === undefined) return r;
      ab.broken = `the sandbox of a chroot run cannot be set up here: ${setup.slice(SANDBOX_FAILED.length)}`;
      if (mode === 'chroot') return notRun(ab.broken, { confinement });
    } finally {
      await temporaryDirs.remove(stage);
    }
    notes.push(`${ab.broken}: run with qemu -L instead`);
    return runInRoot(root, { ...opts, confinement: 'qemu-prefix' }).then((r) => ({ ...r, notes: [...notes, ...r.notes] }));
  }
  const cwdHit = lookupInRoot(root, workingDir);
  const cwd = cwdHit?.stats.isDirectory() ? path.join(root, cwdHit.rel) : root;
  notes.push('qemu -L: paths the program opens that the image lacks resolve on this machine');
  const envProgram = findOnPath('env') ?? '/usr/bin/env';
  const inner = [envProgram, '-i', ...imageEnv, qemu as string, ...cpu, '-L', root, '-0', argv0, path.join(root, prog), ...opts.argv.slice(1)];
  const userns = !asRoot && ab.userns;
  const command = netns && (asRoot ? ab.netns : ab.userns) ? [unshare, ...(userns ? ['--user', '--map-root-user'] : []), '--net', '--', ...inner] : inner;
  return spawnBounded(command, cwd, opts, { ...base, via: 'qemu', confinement, network: command[0] === unshare ? 'none' : 'host' }, started, { root, chroot: false });
}

/** How long the output pipe may stay open after the run's first process ended (a straggler holding it). */
const PIPE_DRAIN_MS = 2000;

/**
 * SIGKILL to every process left of a run in `root`: its root directory is `root` (a chroot), or
 * (under `qemu -L`, where nothing else marks them) its working directory is inside `root` or its
 * command line names a file inside it (QEMU's `-L ROOT`, a program binfmt runs from the root).
 */
function killProcessesIn(root: string, chroot: boolean): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return;
  }
  const inside = (p: string): boolean => p === root || p.startsWith(`${root}/`);
  for (const pid of pids) {
    try {
      const hit = chroot
        ? readlinkSync(`/proc/${pid}/root`) === root
        : inside(readlinkSync(`/proc/${pid}/cwd`)) || readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').some(inside);
      if (hit) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours to see
    }
  }
}

/**
 * Spawns `command` in its own process group, stdout and stderr merged; the group and every
 * process left in the root killed when the first process ends or at the timeout.
 */
function spawnBounded(
  command: readonly string[],
  cwd: string,
  opts: RootRunOptions,
  base: Omit<RootRunResult, 'durationMs' | 'exitCode' | 'signal'>,
  started: number,
  sweep: { readonly root: string; readonly chroot: boolean },
): Promise<RootRunResult> {
  const output = new BoundedOutput(opts.outputBytes ?? MAX_OUTPUT_BYTES, opts.outputLines ?? DEFAULT_OUTPUT_LINES);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  return new Promise<RootRunResult>((resolve) => {
    // one pipe for both streams, so the output interleaves as the program wrote it
    const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', ...command], {
      cwd,
      env: HOST_ENV,
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    let timedOut = false;
    const killAll = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      killProcessesIn(sweep.root, sweep.chroot);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killAll();
    }, timeoutMs);
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      clearTimeout(timer);
      killAll();
      setTimeout(() => child.stdout.destroy(), PIPE_DRAIN_MS).unref();
    });
    child.stdout.on('data', (c: Buffer) => output.push(c));
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (closeCode, closeSignal) => {
      clearTimeout(timer);
      const code = exited ? exited.code : closeCode;
      const signal = exited ? exited.signal : closeSignal;
      const durationMs = Date.now() - started;
      const text = output.text();
      if (spawnError) {
        resolve({ ...base, output: text, durationMs, error: `cannot start the run: ${spawnError.message}` });
        return;
      }
      resolve({
        ...base,
        timedOut,
        output: text,
        durationMs,
        ...(code !== null ? { exitCode: code } : {}),
        ...(signal !== null ? { signal } : {}),
        ...(timedOut ? { error: `still running after ${timeoutMs} ms: killed` } : {}),
      });
    });
  });
}
