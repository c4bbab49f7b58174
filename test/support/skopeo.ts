// Helpers around the real skopeo, used as the reference client against test registries.
// skopeo never sees the user's configuration: HOME, XDG_RUNTIME_DIR, DOCKER_CONFIG point into a
// private temp dir, --authfile is an empty file there, the registries.conf is an empty file there
// (CONTAINERS_REGISTRIES_CONF) and the signature policy is an insecureAcceptAnything policy.json
// there (--policy), so /etc/containers need not exist.
// Its blob info cache is private too. As root, containers/image keeps it in
// /var/lib/containers/cache, shared by every run on the machine: a blob it once pushed to another
// repository of a registry that happened to get the same port makes a later push try a
// cross-repository mount, asking the token server for a scope on that other repository.
// containers/image reads the effective uid from _CONTAINERS_ROOTLESS_UID when set (what
// podman's user namespace sets), and a non-root uid puts the cache under XDG_DATA_HOME.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TestRegistry } from './registry.js';

/** `user:password`, or the two parts. */
export type SkopeoCreds = string | { username: string; password: string };

let sandbox: { dir: string; authfile: string; policy: string; env: NodeJS.ProcessEnv } | undefined;

function skopeoSandbox(): NonNullable<typeof sandbox> {
  if (sandbox) return sandbox;
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-skopeo-'));
  const home = path.join(dir, 'home');
  const runtime = path.join(dir, 'run');
  const tmp = path.join(dir, 'tmp');
  for (const d of [home, runtime, tmp]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const authfile = path.join(dir, 'auth.json');
  writeFileSync(authfile, '{}\n');
  const policy = path.join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }) + '\n');
  const registriesConf = path.join(dir, 'registries.conf');
  writeFileSync(registriesConf, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    _CONTAINERS_ROOTLESS_UID: '65534',
    DOCKER_CONFIG: path.join(home, '.docker'),
    REGISTRY_AUTH_FILE: authfile,
    CONTAINERS_REGISTRIES_CONF: registriesConf,
    TMPDIR: tmp,
  };
  sandbox = { dir, authfile, policy, env };
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return sandbox;
}

/** Where skopeo keeps its blob info cache in the sandbox (containers/image's rootless path). */
export function skopeoBlobInfoCacheDir(): string {
  return path.join(skopeoSandbox().env.XDG_DATA_HOME!, 'containers', 'cache');
}

export interface SkopeoResult {
  stdout: Buffer;
  stderr: string;
}

/** Runs skopeo with the sandbox's policy; rejects with its stderr (and the command) on failure. */
export function runSkopeo(args: string[], opts: { timeoutMs?: number } = {}): Promise<SkopeoResult> {
  const sb = skopeoSandbox();
  const full = ['--policy', sb.policy, ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      full,
      { env: sb.env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8');
        if (err) {
          const e = err as NodeJS.ErrnoException;
          if (e.code === 'ENOENT') {
            reject(new Error('skopeo is not installed (apt-get install skopeo, or run scripts/test-deps.sh)'));
          } else {
            reject(new Error(`skopeo ${full.join(' ')} failed (${err.message.split('\n')[0]}):\n${errText}`));
          }
          return;
        }
        resolve({ stdout, stderr: errText });
      },
    );
  });
}

function credArgs(flag: string, creds: SkopeoCreds | undefined, sb: { authfile: string }, authfileFlag: string): string[] {
  const args = [authfileFlag, sb.authfile];
  if (creds !== undefined) args.push(flag, typeof creds === 'string' ? creds : `${creds.username}:${creds.password}`);
  return args;
}

/** `docker://127.0.0.1:PORT/<repoAndRef>`; repoAndRef is `repo:tag` or `repo@sha256:...`. */
export function dockerRef(registry: TestRegistry, repoAndRef: string): string {
  return `docker://${registry.host}/${repoAndRef}`;
}

/**
 * `skopeo copy --all --preserve-digests` (every platform, the index and manifests byte for byte:
 * --preserve-digests makes skopeo fail rather than rewrite them) between the OCI layout
 * `layoutDir` (under `tag`) and `registry` (as `repoAndRef`), in the direction `to`.
 */
async function skopeoCopy(to: 'registry' | 'layout', layoutDir: string, tag: string, registry: TestRegistry, repoAndRef: string, creds: SkopeoCreds | undefined): Promise<void> {
  const side = to === 'registry' ? 'dest' : 'src';
  const layout = `oci:${layoutDir}:${tag}`;
  const remote = dockerRef(registry, repoAndRef);
  await runSkopeo([
    'copy',
    '--all',
    '--preserve-digests',
    '--quiet',
    `--${side}-tls-verify=false`,
    ...credArgs(`--${side}-creds`, creds, skopeoSandbox(), `--${side}-authfile`),
    ...(to === 'registry' ? [layout, remote] : [remote, layout]),
  ]);
}

/** Pushes the image tagged `tag` in the OCI layout `layoutDir` to `registry` as `repoAndTag`, byte for byte. */
export function skopeoCopyToRegistry(layoutDir: string, tag: string, registry: TestRegistry, repoAndTag: string, creds?: SkopeoCreds): Promise<void> {
  return skopeoCopy('registry', layoutDir, tag, registry, repoAndTag, creds);
}

/** Copies an image out of `registry` into the OCI layout `layoutDir` under `tag`, byte for byte. */
export function skopeoCopyFromRegistry(registry: TestRegistry, repoAndRef: string, layoutDir: string, tag: string, creds?: SkopeoCreds): Promise<void> {
  return skopeoCopy('layout', layoutDir, tag, registry, repoAndRef, creds);
}

/** The manifest or index bytes exactly as the registry serves them (`skopeo inspect --raw`). */
export async function skopeoInspectRaw(repoAndRef: string, registry: TestRegistry, creds?: SkopeoCreds): Promise<Buffer> {
  const sb = skopeoSandbox();
  const { stdout } = await runSkopeo(['inspect', '--raw', '--tls-verify=false', ...credArgs('--creds', creds, sb, '--authfile'), dockerRef(registry, repoAndRef)]);
  return stdout;
}

/**
 * The image config (`skopeo inspect --config --raw`), parsed. For an index, skopeo picks the
 * manifest for `platform` (default: its own host's platform); pass `os/arch[/variant]`.
 */
export async function skopeoInspectConfig(repoAndRef: string, registry: TestRegistry, creds?: SkopeoCreds, platform?: string): Promise<Record<string, unknown>> {
  const sb = skopeoSandbox();
  const platformArgs: string[] = [];
  if (platform) {
    const [os, arch, variant] = platform.split('/');
    if (os) platformArgs.push('--override-os', os);
    if (arch) platformArgs.push('--override-arch', arch);
    if (variant) platformArgs.push('--override-variant', variant);
  }
  const { stdout } = await runSkopeo([
    ...platformArgs,
    'inspect',
    '--config',
    '--raw',
    '--tls-verify=false',
    ...credArgs('--creds', creds, sb, '--authfile'),
    dockerRef(registry, repoAndRef),
  ]);
  return JSON.parse(stdout.toString('utf8')) as Record<string, unknown>;
}
