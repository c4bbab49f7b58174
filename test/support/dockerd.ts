// Starts a real Docker engine (Debian's dockerd, package docker.io, 20.10) for tests: its own
// socket, data root, exec root, pid file, config file and trust key in a fresh temporary
// directory, no networking (--bridge=none --iptables=false --ip-masq=false
// --userland-proxy=false) and the vfs storage driver (no overlay mounts, works on any file
// system). Tests talk to it through the Engine API over its unix socket; no docker CLI is used.
// Images go in through the library's own client (`DockerEngine.imageLoad`, src/engine/api.ts).
// A missing dockerd is an error, never a skip: scripts/test-deps.sh installs it.
//
// dockerd bind-mounts its data root onto itself (to make it a shared mount) and undoes that on
// a clean shutdown; stop(), the exit hook and the watchdog detach whatever mount is left under
// the directory before removing it.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnDaemon } from './daemon.js';

export interface StartDockerdOptions {
  /** the dockerd binary (default: /usr/sbin/dockerd, Debian's, else `dockerd` on PATH) */
  binary?: string;
  /** storage driver (default vfs) */
  storageDriver?: string;
}

export interface DockerApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[] | null;
  Architecture: string;
  Os: string;
  Variant?: string;
}

export interface TestDockerd {
  /** the engine's unix socket */
  socket: string;
  /** `unix://<socket>`, for DOCKER_HOST */
  host: string;
  /** the temporary directory holding everything (socket, data root, exec root, logs) */
  dir: string;
  dataRoot: string;
  /** what GET /version says: engine version and API version */
  version: string;
  apiVersion: string;
  /** pid of dockerd */
  pid: number;
  /** A request to the Engine API (`path` as sent, e.g. `/_ping` or `/v1.41/images/json`). */
  api(method: string, path: string, opts?: { body?: string | Uint8Array | { file: string }; headers?: Record<string, string> }): Promise<DockerApiResponse>;
  /** GET /images/{name}/json */
  inspectImage(nameOrId: string): Promise<ImageInspect>;
  /** Stops dockerd and removes its files; idempotent. */
  stop(): Promise<void>;
  /** What dockerd wrote so far (log level warn). */
  logs(): string;
}

const DEBIAN_DOCKERD = '/usr/sbin/dockerd';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** sun_path is 108 bytes with its NUL; containerd's own sockets go deeper than ours. */
const MAX_SOCKET_PATH = 90;

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Detaches the mounts dockerd left under `dir` (lazily: nothing there is in use any more). */
function unmountUnder(dir: string): void {
  for (const p of mountsUnder(dir)) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
}

function removeDir(dir: string): void {
  unmountUnder(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function findBinary(explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (existsSync(explicit)) return explicit;
  } else {
    if (existsSync(DEBIAN_DOCKERD)) return DEBIAN_DOCKERD;
    for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
      if (d !== '' && existsSync(path.join(d, 'dockerd'))) return path.join(d, 'dockerd');
    }
  }
  throw new Error(`dockerd is not installed${explicit ? ` (no ${explicit})` : ''}: the docker-daemon tests need a real Docker engine (apt-get install docker.io, or run scripts/test-deps.sh)`);
}

function socketRequest(socket: string, method: string, urlPath: string, opts: { body?: string | Uint8Array | { file: string }; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<DockerApiResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: socket, method, path: urlPath, headers: { host: 'docker', ...(opts.headers ?? {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(new Error(`${method} ${urlPath}: no answer from ${socket} within ${opts.timeoutMs ?? 60_000} ms`)));
    const body = opts.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else {
      const file = createReadStream(body.file);
      file.on('error', (e) => req.destroy(e));
      file.pipe(req);
    }
  });
}

/** GET /_ping until it answers OK, the process exits, or the timeout passes. */
async function waitReady(socket: string, exited: () => boolean, logs: () => string): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited()) return 'exited';
    if (existsSync(socket)) {
      try {
        const res = await socketRequest(socket, 'GET', '/_ping', { timeoutMs: 1000 });
        if (res.status === 200 && res.body.toString() === 'OK') return 'ready';
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) throw new Error(`dockerd did not answer GET /_ping on ${socket} within ${START_TIMEOUT_MS} ms; its output:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The environment dockerd runs with: a PATH that finds containerd and runc, nothing DOCKER_*. */
function dockerdEnv(): NodeJS.ProcessEnv {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (!dirs.includes(d)) dirs.push(d);
  return { PATH: dirs.join(path.delimiter), ...(process.env.LANG ? { LANG: process.env.LANG } : {}) };
}

export async function startDockerd(opts: StartDockerdOptions = {}): Promise<TestDockerd> {
  const binary = findBinary(opts.binary);

  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'anyarch-dockerd-')));
  const socket = path.join(dir, 'docker.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`dockerd test harness: the socket path ${socket} is too long for a unix socket; set TMPDIR to a shorter directory`);
  }
  const dataRoot = path.join(dir, 'data');
  const execRoot = path.join(dir, 'exec');
  const configFile = path.join(dir, 'daemon.json');
  // The trust key would otherwise go to /etc/docker/key.json (20.10 has no flag for it, only this key).
  writeFileSync(configFile, JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') }) + '\n');
  const args = [
    `--host=unix://${socket}`,
    `--data-root=${dataRoot}`,
    `--exec-root=${execRoot}`,
    `--pidfile=${path.join(dir, 'docker.pid')}`,
    `--config-file=${configFile}`,
    `--storage-driver=${opts.storageDriver ?? 'vfs'}`,
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--userland-proxy=false',
    '--log-level=warn',
  ];

  const daemon = spawnDaemon({
    name: 'dockerd',
    binary,
    args,
    env: dockerdEnv(),
    cwd: dir,
    dirs: [dir],
    removeDir,
    // containerd follows dockerd (it is started with a parent-death signal); the mounts left
    // under the directory are detached before it is removed.
    watchdogBeforeRemove:
      'for d in "$@"; do while read -r _a _b _c _d mp _rest; do case "$mp" in "$d"|"$d"/*) umount -l "$mp" 2>/dev/null;; esac; done </proc/self/mountinfo; done',
  });
  const { child, output } = daemon;
  const discard = async (): Promise<void> => {
    await daemon.discard();
    removeDir(dir);
  };

  let state: 'ready' | 'exited';
  try {
    state = await waitReady(socket, () => daemon.exited() !== undefined, output);
  } catch (e) {
    await discard();
    throw e;
  }
  if (state === 'exited') {
    await discard();
    throw new Error(`dockerd (${binary}) exited (${daemon.exited()}) before answering on ${socket}; its output:\n${output()}`);
  }

  const versionRes = await socketRequest(socket, 'GET', '/version');
  const version = JSON.parse(versionRes.body.toString('utf8')) as { Version?: string; ApiVersion?: string };
  const apiVersion = version.ApiVersion ?? '1.41';
  const v = `/v${apiVersion}`;

  const api: TestDockerd['api'] = (method, p, o = {}) => socketRequest(socket, method, p, o);
  let stopping: Promise<void> | undefined;
  const dockerd: TestDockerd = {
    socket,
    host: `unix://${socket}`,
    dir,
    dataRoot,
    version: version.Version ?? '',
    apiVersion,
    pid: child.pid!,
    api,
    async inspectImage(nameOrId) {
      const res = await api('GET', `${v}/images/${encodeURIComponent(nameOrId)}/json`);
      if (res.status !== 200) throw new Error(`GET /images/${nameOrId}/json: ${res.status} ${res.body.toString('utf8')}`);
      return JSON.parse(res.body.toString('utf8')) as ImageInspect;
    },
    logs: output,
    stop() {
      stopping ??= (async () => {
        await daemon.terminate(STOP_TIMEOUT_MS);
        removeDir(dir);
      })();
      return stopping;
    },
  };
  return dockerd;
}
