// Registers Debian's qemu-user-static binfmt handlers (the `/usr/lib/binfmt.d/qemu-<target>.conf`
// lines qemu-user-static ships) so that tests run where a foreign binary would run anyway: the
// condition a smoke run must not be fooled by. Idempotent: binfmt_misc is mounted when it is
// not, a handler already registered is left as it is, a disabled one is enabled; nothing is
// unregistered afterwards (other test processes may rely on the same handlers). Needs root.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const CONF_DIR = '/usr/lib/binfmt.d';

/** Makes sure `qemu-<target>` handlers are registered and enabled (targets: `aarch64`, `arm`...). */
export function registerQemuBinfmt(targets: readonly string[]): void {
  if (!existsSync(`${BINFMT}/register`)) {
    const r = spawnSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot mount binfmt_misc at ${BINFMT} (as root?): ${r.stderr || r.error?.message}`);
  }
  for (const t of targets) {
    const entry = `${BINFMT}/qemu-${t}`;
    if (existsSync(entry)) {
      if (!readFileSync(entry, 'utf8').startsWith('enabled')) writeFileSync(entry, '1');
      continue;
    }
    const conf = `${CONF_DIR}/qemu-${t}.conf`;
    if (!existsSync(conf)) throw new Error(`${conf} is missing: install qemu-user-static (scripts/test-deps.sh)`);
    const line = readFileSync(conf, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(':'));
    if (line === undefined) throw new Error(`${conf} holds no binfmt registration line`);
    try {
      writeFileSync(`${BINFMT}/register`, line);
    } catch (e) {
      if (!existsSync(entry)) throw e; // another process registered it first: fine
    }
  }
}
