/**
 * Real files from Debian packages of any architecture, for verify's tests: `apt-get download
 * PKG:ARCH` (apt's configured mirror, the only network these tests use) into a cache shared by
 * every test process of the machine, then the package's file system extracted with `dpkg-deb -x`
 * (nothing is installed). Foreign architectures must be known to dpkg (`dpkg --add-architecture
 * arm64`, then `apt-get update`): scripts/test-deps.sh does it. A missing tool or package is an
 * error, never a skip.
 *
 * Concurrent test processes may ask for the same package: each downloads and extracts into its
 * own temporary directory and renames the result into place, so a reader sees a whole package
 * or none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Where downloaded packages and their extracted trees are kept (`ANYARCH_DEB_CACHE` overrides). */
export const DEB_CACHE = process.env.ANYARCH_DEB_CACHE ?? path.join(tmpdir(), 'anyarch-debs');

/** How long one `apt-get download` may take before the test fails. */
const DOWNLOAD_TIMEOUT_MS = 180_000;

/** A file of a package as its tar holds it: bytes and mode, or a symlink and its target as written. */
export type DebEntry = { kind: 'file'; bytes: Uint8Array; mode: number } | { kind: 'symlink'; target: string };

function run(cmd: string, args: string[], cwd: string, timeout = DOWNLOAD_TIMEOUT_MS): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${cmd} is not installed (run scripts/test-deps.sh)`);
  }
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function checkName(pkg: string, arch: string): void {
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg) || !/^[a-z0-9]+$/.test(arch)) throw new Error(`not a Debian package/architecture: ${pkg}:${arch}`);
}

/** The path of `pkg`'s .deb for `arch` in the cache, downloaded first when missing. */
export function debianPackage(pkg: string, arch: string): string {
  checkName(pkg, arch);
  const target = path.join(DEB_CACHE, `${pkg}_${arch}.deb`);
  if (existsSync(target)) return target;
  mkdirSync(DEB_CACHE, { recursive: true });
  const work = mkdtempSync(path.join(DEB_CACHE, '.download-'));
  try {
    // APT::Sandbox::User=root: the temporary directory is not readable by apt's `_apt` user.
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
    try {
      run('apt-get', ['download', '-qq', ...sandbox, `${pkg}:${arch}`], work);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\nDoes dpkg know the architecture (dpkg --print-foreign-architectures; scripts/test-deps.sh adds arm64 and armhf) and did apt-get update run since?`,
      );
    }
    const debs = readdirSync(work).filter((f) => f.endsWith('.deb'));
    if (debs.length !== 1) throw new Error(`apt-get download ${pkg}:${arch} left ${debs.length} .deb files`);
    renameSync(path.join(work, debs[0]!), target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The directory holding `pkg`'s file system for `arch` (extracted once with `dpkg-deb -x`). */
export function debianTree(pkg: string, arch: string): string {
  const deb = debianPackage(pkg, arch);
  const target = path.join(DEB_CACHE, `${pkg}_${arch}.tree`);
  if (existsSync(target)) return target;
  const work = mkdtempSync(path.join(DEB_CACHE, '.extract-'));
  try {
    run('dpkg-deb', ['-x', deb, path.join(work, 'root')], work);
    try {
      renameSync(path.join(work, 'root'), target);
    } catch (e) {
      // another process won the race: its tree is as good as ours
      if (!existsSync(target)) throw e;
    }
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The paths (absolute in the package, `/usr/bin/x`) of every non-directory entry of `pkg`. */
export function debianPaths(pkg: string, arch: string): string[] {
  const root = debianTree(pkg, arch);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (lstatSync(p).isDirectory()) walk(p);
      else out.push(`/${path.relative(root, p)}`);
    }
  };
  walk(root);
  return out;
}

/** One entry of `pkg` (a file's bytes and mode, or a symlink's target), by its absolute path. */
export function debianEntry(pkg: string, arch: string, file: string): DebEntry {
  const root = debianTree(pkg, arch);
  const p = path.join(root, path.normalize(`/${file}`));
  let st;
  try {
    st = lstatSync(p);
  } catch {
    throw new Error(`${pkg}:${arch} has no ${file}`);
  }
  if (st.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(p) };
  if (!st.isFile()) throw new Error(`${pkg}:${arch}: ${file} is not a file or symlink`);
  return { kind: 'file', bytes: new Uint8Array(readFileSync(p)), mode: st.mode & 0o7777 };
}

/** The bytes of a regular file of `pkg` (throws on a symlink: name the file it points to). */
export function debianFile(pkg: string, arch: string, file: string): Uint8Array {
  const e = debianEntry(pkg, arch, file);
  if (e.kind !== 'file') throw new Error(`${pkg}:${arch}: ${file} is a symlink to ${e.target}`);
  return e.bytes;
}
