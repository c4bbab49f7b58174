/**
 * buildah (Debian's 1.28) for tests, with storage of its own: a fresh temporary directory holds
 * its root (graphroot, the vfs driver: no overlay or fuse mounts, works on any file system), its
 * runroot, a storage.conf naming them and a registries.conf that lets it pull over plain HTTP
 * from the tests' registries on 127.0.0.1 (containers/image does not, unlike dockerd, treat
 * loopback as insecure). A process started with `env` (`CONTAINERS_STORAGE_CONF`,
 * `CONTAINERS_REGISTRIES_CONF`) uses that storage whatever flags it gives, so the anyarch CLI can
 * be run as it is; `flags` are the same settings as buildah's global options. RUN steps go
 * through `--isolation chroot` (no runtime); foreign platforms through QEMU's binfmt handlers
 * (binfmt.ts). `cleanup()` removes every container and image, detaches what is left mounted
 * under the directory and removes it; idempotent. A missing buildah is an error, never a skip:
 * scripts/test-deps.sh installs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mountsUnder } from './dockerd.js';

export const BUILDAH = '/usr/bin/buildah';

export interface TestBuildah {
  readonly program: string;
  readonly dir: string;
  readonly root: string;
  readonly runroot: string;
  readonly storageDriver: 'vfs';
  /** buildah's global options for this storage (`--root R --runroot RR --storage-driver vfs`) */
  readonly flags: readonly string[];
  /** the environment (the process's plus the two config files) a buildah run gets this storage from */
  readonly env: NodeJS.ProcessEnv;
  /** `buildah FLAGS ARGS...`: exit code and output */
  run(args: readonly string[], opts?: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** the names of the images in this storage (`buildah images`) */
  images(): Promise<string[]>;
  cleanup(): void;
}

/**
 * Storage for buildah in a new temporary directory. `insecureRegistries`: `host:port`s it may
 * reach over plain HTTP (the tests' registries).
 */
export function startBuildah(opts: { insecureRegistries?: readonly string[]; program?: string } = {}): TestBuildah {
  const program = opts.program ?? BUILDAH;
  const v = spawnSync(program, ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) throw new Error(`${program} is not installed or does not run (${v.error?.message ?? v.stderr}): the buildah tests need it (apt-get install buildah, or run scripts/test-deps.sh)`);
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'anyarch-buildah-')));
  const root = path.join(dir, 'root');
  const runroot = path.join(dir, 'run');
  mkdirSync(root);
  mkdirSync(runroot);
  const storageConf = path.join(dir, 'storage.conf');
  writeFileSync(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${root}"\nrunroot = "${runroot}"\n`);
  const registriesConf = path.join(dir, 'registries.conf');
  writeFileSync(
    registriesConf,
    ['unqualified-search-registries = []', 'short-name-mode = "enforcing"', ...(opts.insecureRegistries ?? []).flatMap((r) => ['', '[[registry]]', `location = "${r}"`, 'insecure = true'])].join('\n') + '\n',
  );
  const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_STORAGE_CONF: storageConf, CONTAINERS_REGISTRIES_CONF: registriesConf };
  const flags = ['--root', root, '--runroot', runroot, '--storage-driver', 'vfs'] as const;

  const run: TestBuildah['run'] = (args, o = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(program, [...flags, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const kill = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(kill);
        resolve({ code, stdout, stderr });
      });
    });

  let done = false;
  const cleanup = (): void => {
    if (done) return;
    done = true;
    process.removeListener('exit', cleanup);
    spawnSync(program, [...flags, 'rm', '--all'], { env, stdio: 'ignore', timeout: 60_000 });
    spawnSync(program, [...flags, 'rmi', '--all', '--force'], { env, stdio: 'ignore', timeout: 60_000 });
    for (const p of mountsUnder(dir)) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', cleanup);

  return {
    program,
    dir,
    root,
    runroot,
    storageDriver: 'vfs',
    flags,
    env,
    run,
    async images() {
      const r = await run(['images', '--format', '{{.Name}}:{{.Tag}}']);
      if (r.code !== 0) throw new Error(`buildah images: ${r.stderr}`);
      return r.stdout.split('\n').filter((l) => l !== '');
    },
    cleanup,
  };
}
