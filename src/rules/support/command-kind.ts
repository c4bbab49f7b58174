/**
 * What a simple shell command does with the names in it: does it fetch or install something
 * (curl, wget, git clone, a package manager's install, `go install`, `dpkg -i`, `tar -x`), or does
 * it only name things (rm, ls, `test -f`, `[ -e ]`, echo/printf of a message, mkdir, chmod,
 * `sha256sum -c`, `grep NAME SHA256SUMS`)? An architecture word in a command that only names
 * things brings no file of that architecture into the image: the rules that report constant
 * architecture words (AA101, AA110) stay quiet there.
 */
import type { SimpleCommand } from '../../dockerfile/shell.js';
import { commandWords } from './shell-words.js';

/**
 * - `fetch`: downloads (curl, wget, aria2c, git clone, fetch, ...);
 * - `install`: installs packages or binaries (apt-get/apk/yum/dnf/zypper/pip/npm/gem/cargo/go
 *   install, dpkg -i, rpm -i, `install` the coreutil);
 * - `unpack`: extracts an archive (tar -x, unzip, gunzip, 7z x), which puts its files in place;
 * - `names`: only names files or prints text (rm, ls, test, echo, mkdir, checksum checks ...);
 * - `other`: anything else (cp, mv, ln, a script, a build tool): the rules judge as before.
 */
export type CommandKind = 'fetch' | 'install' | 'unpack' | 'names' | 'other';

const FETCHERS: ReadonlySet<string> = new Set(['curl', 'wget', 'aria2c', 'fetch', 'axel', 'http', 'https', 'xh', 'gsutil', 'aws', 'gh', 'oras', 'skopeo']);

/** Package managers whose `install`/`add` subcommand installs. */
const PACKAGE_MANAGERS: ReadonlySet<string> = new Set([
  'apt-get', 'apt', 'aptitude', 'apk', 'yum', 'dnf', 'microdnf', 'tdnf', 'zypper', 'pacman', 'emerge',
  'pip', 'pip3', 'pipx', 'uv', 'poetry', 'conda', 'mamba', 'micromamba',
  'npm', 'pnpm', 'yarn', 'bun', 'gem', 'bundle', 'cargo', 'go', 'composer', 'cpanm', 'luarocks', 'helm', 'krew', 'brew',
]);
const INSTALL_SUBCOMMANDS: ReadonlySet<string> = new Set(['install', 'add', 'get', 'i', 'localinstall', 'reinstall', 'upgrade', 'update', 'sync', '-S', '-U', 'fetch', 'download', 'binstall']);

/** Commands that only look at, print, create or remove names. */
const NAMERS: ReadonlySet<string> = new Set([
  'rm', 'rmdir', 'ls', 'test', '[', '[[', 'echo', 'printf', 'mkdir', 'chmod', 'chown', 'chgrp', 'touch', 'stat', 'file',
  'du', 'wc', 'true', 'false', ':', 'basename', 'dirname', 'realpath', 'readlink', 'sha1sum', 'sha256sum', 'sha512sum',
  'md5sum', 'shasum', 'b2sum', 'cksum', 'grep', 'egrep', 'fgrep', 'find', 'which', 'type', 'command', 'cat', 'head', 'tail',
]);

/** The kind of one simple command (wrappers such as `sudo`, `env A=1`, `exec` looked through). */
export function commandKind(cmd: SimpleCommand): CommandKind {
  const words = commandWords(cmd);
  const tool0 = words[0]?.value;
  if (tool0 === undefined) return 'other';
  const tool = tool0.slice(tool0.lastIndexOf('/') + 1);
  const args = words.slice(1).map((w) => w.value);
  if (FETCHERS.has(tool)) return 'fetch';
  if (tool === 'git') return args.some((a) => a === 'clone' || a === 'fetch' || a === 'pull' || a === 'submodule') ? 'fetch' : 'other';
  if (tool === 'dpkg' || tool === 'rpm') return args.some((a) => /^-(?:i|U|F|-install|-upgrade|[a-zA-Z]*[iU][a-zA-Z]*)$/.test(a)) ? 'install' : 'names';
  if (tool === 'install') return 'install';
  if (PACKAGE_MANAGERS.has(tool)) return args.some((a) => INSTALL_SUBCOMMANDS.has(a)) ? 'install' : 'other';
  if (tool === 'tar') return args.some((a, i) => a === '--extract' || a === '--get' || /^-[a-zA-Z]*x/.test(a) || (i === 0 && /^[a-zA-Z]*x[a-zA-Z]*$/.test(a))) ? 'unpack' : 'other';
  if (tool === 'unzip' || tool === 'gunzip' || tool === 'bunzip2' || tool === 'unxz' || tool === 'xz' || tool === 'zstd' || tool === '7z' || tool === '7za' || tool === 'bsdtar') return 'unpack';
  if (NAMERS.has(tool)) return writesFile(cmd) ? 'other' : 'names';
  return 'other';
}

/** Output into a file that is read later (a config file, a sources list); not a checksum list, not /dev/*. */
const WRITE_REDIRECT = /^\d*>>?\|?(.+)$/;
const HARMLESS_TARGET = /^(?:&\d|\/dev\/|.*(?:sums?|sha\d*|md5|checksums?)(?:\.txt)?$)/i;

function writesFile(cmd: SimpleCommand): boolean {
  for (const r of cmd.redirects) {
    const m = WRITE_REDIRECT.exec(r.value);
    if (m && !HARMLESS_TARGET.test(m[1] as string)) return true;
  }
  return false;
}

/**
 * True when the command only names things (rm, ls, test, echo ...) and nothing it runs fetches,
 * installs or unpacks: a command substitution inside it (`echo $(curl ...)`) is judged on its own
 * by the callers, which see every command of the script.
 */
export function onlyNames(cmd: SimpleCommand): boolean {
  return commandKind(cmd) === 'names';
}
