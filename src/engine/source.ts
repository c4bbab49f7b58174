/**
 * `docker-daemon:IMAGE`: an image in the local Docker engine's store, read through the Engine
 * API over its unix socket (no docker CLI needed), the way go-containerregistry's `daemon`
 * package and skopeo's docker-daemon transport do it:
 *
 *  1. where: `opts.host`, else `DOCKER_HOST` (`unix:///path`, or `tcp://` to a loopback host
 *     in plain HTTP), else `/var/run/docker.sock`;
 *  2. `GET /_ping`, then `GET /version` to agree on an API version (the engine's, capped at
 *     {@link MAX_API_VERSION}; never below the engine's minimum);
 *  3. `GET /images/{name}/json` (is it there?), then `GET /images/{name}/get`: the `docker save`
 *     tarball, streamed to a file (mode 0600) in a fresh temporary directory;
 *  4. the tarball is read as `docker-archive:` (src/oci/sources/archive.ts). Docker's image
 *     store holds one platform per image, and before Docker 25 no registry manifest at all, so
 *     the root is usually a manifest synthesised from the tarball (see archive.ts).
 *
 * `close()` removes the temporary directory (so does a failure to open, and process exit).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AnyarchError } from '../../errors.js';
import type { Digest } from '../digest.js';
import type { Descriptor } from '../manifest.js';
import { familiarReference, isLoopbackRegistry, type ImageReference } from '../reference.js';
import type { FetchedManifest, ImageSource } from '../source.js';
import { openDockerArchive } from './archive.js';

/** Where Docker's engine listens when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** The newest Engine API version anyarch asks for (Docker 20.10's; `GET /images/{name}/get` is older still). */
export const MAX_API_VERSION = '1.41';
/** What the Docker CLI assumes of an engine that does not say (API versions before 1.24 are gone). */
const FALLBACK_API_VERSION = '1.24';
const DEFAULT_TCP_PORT = 2375;
/** Time to connect and for each answer to start; the export may pause this long between chunks. */
const REQUEST_TIMEOUT_MS = 30_000;
const EXPORT_IDLE_TIMEOUT_MS = 300_000;
/** Most bytes of a JSON answer (image inspect, version, error) read. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;

export interface DockerDaemonOptions {
  /** the engine's address, as DOCKER_HOST would give it (default: `env.DOCKER_HOST`, else the default socket) */
  readonly host?: string;
  /** the environment DOCKER_HOST and DOCKER_TLS_VERIFY are read from (default `process.env`) */
  readonly env?: NodeJS.ProcessEnv;
  /** where the temporary directory for the exported image is made (default `os.tmpdir()`) */
  readonly tmpDir?: string;
}

/** How to reach the engine. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly display: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly display: string };

function sourceError(problem: string, hint?: string, cause?: unknown): AnyarchError {
  return new AnyarchError('E_SOURCE', problem, hint, undefined, cause === undefined ? undefined : { cause });
}

/**
 * The engine's address from `host` (a DOCKER_HOST value; empty or absent: the default socket).
 * `unix://PATH`, or `tcp://HOST[:PORT]` with HOST on this machine (`localhost`, 127.0.0.0/8,
 * `[::1]`) in plain HTTP; anything else (`ssh://`, `npipe://`, a remote or TLS `tcp://`) is an
 * `E_SOURCE` error naming what is not supported.
 */
export function dockerEndpoint(host: string | undefined, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  if (host === undefined || host.trim() === '') return { kind: 'unix', socketPath: DEFAULT_DOCKER_SOCKET, display: DEFAULT_DOCKER_SOCKET };
  const value = host.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  const hint = `point DOCKER_HOST at the engine's socket (DOCKER_HOST=unix://${DEFAULT_DOCKER_SOCKET}) or unset it`;
  if (scheme === 'unix') {
    const socketPath = value.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET;
    return { kind: 'unix', socketPath, display: socketPath };
  }
  if (scheme === 'tcp') {
    let url: URL;
    try {
      url = new URL(`http://${value.slice('tcp://'.length)}`);
    } catch (e) {
      throw sourceError(`DOCKER_HOST "${value}" is not a valid tcp:// address`, hint, e);
    }
    const hostPort = url.port ? `${url.hostname}:${url.port}` : url.hostname;
    if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      throw sourceError(`DOCKER_HOST tcp://${hostPort}: only tcp://HOST[:PORT] is supported (no user, path or query)`, hint);
    }
    if (!isLoopbackRegistry(url.hostname)) {
      throw sourceError(`DOCKER_HOST tcp://${hostPort} is not on this machine: anyarch reaches the Docker engine only through a unix socket or a loopback tcp:// address`, hint);
    }
    const tls = env.DOCKER_TLS_VERIFY;
    if (tls !== undefined && tls !== '') {
      throw sourceError(`DOCKER_HOST tcp://${hostPort} with DOCKER_TLS_VERIFY: anyarch does not talk TLS to the Docker engine`, `unset DOCKER_TLS_VERIFY for a plain-HTTP engine on this machine, or use its unix socket (${hint})`);
    }
    const port = url.port ? Number(url.port) : DEFAULT_TCP_PORT;
    const bare = url.hostname.replace(/^\[|\]$/g, '');
    return { kind: 'tcp', host: bare, port, display: `tcp://${url.hostname}:${port}` };
  }
  const what = scheme ? `${scheme}://` : `"${value}"`;
  throw sourceError(`DOCKER_HOST ${what} is not supported: anyarch reaches the Docker engine through unix:///path/to/docker.sock, or tcp:// on this machine`, hint);
}

/** `1.41` -> [1, 41]; undefined when it is not MAJOR.MINOR. */
function apiParts(v: unknown): [number, number] | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9]{1,4})\.([0-9]{1,4})$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function apiLess(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * The API version to use with an engine that says it speaks up to `server` (from at least
 * `serverMin`): the lower of `server` and {@link MAX_API_VERSION}, raised to `serverMin` when that
 * is higher; {@link FALLBACK_API_VERSION} for an engine that does not say.
 */
export function negotiateApiVersion(server: unknown, serverMin?: unknown): string {
  const max = apiParts(MAX_API_VERSION) as [number, number];
  const s = apiParts(server);
  let v: [number, number] = s === undefined ? (apiParts(FALLBACK_API_VERSION) as [number, number]) : apiLess(s, max) ? s : max;
  const min = apiParts(serverMin);
  if (min !== undefined && apiLess(v, min)) v = min;
  return `${v[0]}.${v[1]}`;
}

/** One line, at most 300 characters, of what an engine said. */
function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

class Engine {
  constructor(
    private readonly endpoint: DockerEndpoint,
    private readonly name: string,
  ) {}

  /** Sends a request; resolves with the response once its headers arrived. */
  request(method: string, urlPath: string, idleTimeoutMs = REQUEST_TIMEOUT_MS): Promise<IncomingMessage> {
    const ep = this.endpoint;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          ...(ep.kind === 'unix' ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
          method,
          path: urlPath,
          agent: false,
          headers: { host: ep.kind === 'unix' ? 'docker' : `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`, 'user-agent': 'anyarch' },
        },
        resolve,
      );
      req.setTimeout(idleTimeoutMs, () => {
        req.destroy(sourceError(`${this.name}: the Docker engine at ${ep.display} did not answer ${method} ${urlPath} within ${Math.round(idleTimeoutMs / 1000)} s`));
      });
      req.on('error', (e) => reject(this.connectError(e)));
      req.end();
    });
  }

  private connectError(e: Error): AnyarchError {
    if (e instanceof AnyarchError) return e;
    const ep = this.endpoint;
    const code = (e as NodeJS.ErrnoException).code;
    const start = ep.kind === 'unix' ? `start the Docker engine, or point DOCKER_HOST at its socket (DOCKER_HOST=unix:///path/to/docker.sock)` : 'start the Docker engine, or point DOCKER_HOST at where it listens';
    switch (code) {
      case 'ENOENT':
        return sourceError(`${this.name}: no Docker engine at ${ep.display} (no such socket)`, start, e);
      case 'ECONNREFUSED':
        return sourceError(`${this.name}: no Docker engine at ${ep.display} (connection refused)`, start, e);
      case 'ENOTSOCK':
        return sourceError(`${this.name}: no Docker engine at ${ep.display} (not a socket)`, start, e);
      case 'EACCES':
      case 'EPERM':
        return sourceError(`${this.name}: no access to the Docker engine at ${ep.display} (permission denied)`, 'run as a member of the docker group, or as a user who may open the socket', e);
      default:
        return sourceError(`${this.name}: cannot talk to the Docker engine at ${ep.display} (${oneLine(code ?? e.message)})`, start, e);
    }
  }

  /** The whole body (at most `limit` bytes). */
  async body(res: IncomingMessage, what: string, limit = MAX_JSON_BYTES): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let n = 0;
    try {
      for await (const c of res as AsyncIterable<Buffer>) {
        n += c.length;
        if (n > limit) {
          res.destroy();
          throw new AnyarchError('E_LIMIT', `${this.name}: the Docker engine's answer to ${what} is larger than ${limit} bytes`);
        }
        chunks.push(c);
      }
    } catch (e) {
      if (e instanceof AnyarchError) throw e;
      throw sourceError(`${this.name}: the Docker engine's answer to ${what} broke off (${oneLine((e as Error).message)})`, undefined, e);
    }
    return Buffer.concat(chunks);
  }

  async json(res: IncomingMessage, what: string): Promise<unknown> {
    const bytes = await this.body(res, what);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      throw sourceError(`${this.name}: the Docker engine at ${this.endpoint.display} answered ${what} with something that is not JSON`);
    }
  }

  /** The message of an error answer (Docker sends `{"message": "..."}`). */
  async errorText(res: IncomingMessage, what: string): Promise<string> {
    let text: string;
    try {
      text = (await this.body(res, what, 64 * 1024)).toString('utf8');
    } catch {
      return `HTTP ${res.statusCode}`;
    }
    try {
      const m = (JSON.parse(text) as { message?: unknown }).message;
      if (typeof m === 'string' && m !== '') text = m;
    } catch {
      // not JSON: the text itself
    }
    return `HTTP ${res.statusCode}${text.trim() ? `: ${oneLine(text)}` : ''}`;
  }

  async statusError(res: IncomingMessage, what: string): Promise<AnyarchError> {
    return sourceError(`${this.name}: the Docker engine at ${this.endpoint.display} answered ${what} with ${await this.errorText(res, what)}`);
  }
}

/**
 * Temporary directories not yet removed: removed at process exit at the latest, and on SIGINT,
 * SIGTERM and SIGHUP too (a signal's default action skips 'exit' handlers, and an exported image
 * can be gigabytes). The signal handlers exist only while a directory is pending; when they run
 * they remove the directories and raise the signal again, so the process ends as it would have.
 */
const pendingDirs = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooksInstalled = false;

function removePendingSync(): void {
  for (const d of pendingDirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  pendingDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removePendingSync();
  uninstallHooks();
  // nobody else listens: end the way the default action would
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', removePendingSync);
  for (const s of SIGNALS) process.once(s, onSignal);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', removePendingSync);
  for (const s of SIGNALS) process.off(s, onSignal);
}

function track(dir: string): void {
  pendingDirs.add(dir);
  installHooks();
}

async function removeDir(dir: string): Promise<void> {
  pendingDirs.delete(dir);
  if (pendingDirs.size === 0) uninstallHooks();
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Messages of the archive reader name the temporary file; this names the image instead. */
function renamer(from: readonly string[], to: string): (e: unknown) => void {
  const swap = (s: string): string => from.reduce((acc, f) => acc.split(f).join(to), s);
  return (e) => {
    if (!(e instanceof Error)) return;
    e.message = swap(e.message);
    if (e instanceof AnyarchError && e.hint !== undefined) (e as { hint?: string }).hint = swap(e.hint);
  };
}

/** The exported image read as a docker-archive, under the daemon's name, owning the temporary directory. */
class DaemonImageSource implements ImageSource {
  readonly kind = 'docker-daemon' as const;
  private closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly inner: ImageSource,
    private readonly dir: string,
    private readonly rename: (e: unknown) => void,
  ) {}

  private async wrap<T>(read: () => Promise<T>): Promise<T> {
    if (this.closing) throw new AnyarchError('E_SOURCE', `${this.name}: the source is closed`);
    try {
      return await read();
    } catch (e) {
      this.rename(e);
      throw e;
    }
  }

  root(): Promise<FetchedManifest> {
    return this.wrap(() => this.inner.root());
  }
  manifest(descriptor: Descriptor): Promise<FetchedManifest> {
    return this.wrap(() => this.inner.manifest(descriptor));
  }
  blob(descriptor: Descriptor, limit: number): Promise<Uint8Array> {
    return this.wrap(() => this.inner.blob(descriptor, limit));
  }
  async blobStream(descriptor: Descriptor): Promise<Readable> {
    const stream = await this.wrap(() => this.inner.blobStream(descriptor));
    stream.prependListener('error', this.rename);
    return stream;
  }
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.inner.close();
      } finally {
        await removeDir(this.dir);
      }
    })();
    return this.closing;
  }
}

/**
 * Opens an image of the local Docker engine, by name (`alpine:latest`, `localhost:5000/x:1`,
 * normalised the way Docker names it) or by id (`{ id: 'sha256:…' }`, the config digest).
 *
 * @throws AnyarchError `E_SOURCE` when there is no engine where DOCKER_HOST (or the default)
 *   says, or it fails; `E_NOT_FOUND` when it has no such image.
 */
export async function openDockerDaemon(ref: ImageReference | { readonly id: Digest }, opts: DockerDaemonOptions = {}): Promise<ImageSource> {
  const env = opts.env ?? process.env;
  const image = 'id' in ref ? ref.id : familiarReference(ref);
  const name = `docker-daemon:${image}`;
  let endpoint: DockerEndpoint;
  try {
    endpoint = dockerEndpoint(opts.host ?? env.DOCKER_HOST, env);
  } catch (e) {
    if (e instanceof AnyarchError) throw new AnyarchError(e.code, `${name}: ${e.message}`, e.hint, undefined, { cause: e });
    throw e;
  }
  const engine = new Engine(endpoint, name);

  // Is there an engine?
  const ping = await engine.request('GET', '/_ping');
  const pingBody = (await engine.body(ping, 'GET /_ping', 64 * 1024)).toString('utf8');
  if (ping.statusCode !== 200) {
    throw sourceError(`${name}: ${endpoint.display} answered GET /_ping with HTTP ${ping.statusCode}${pingBody.trim() ? ` (${oneLine(pingBody)})` : ''}, not as a Docker engine does`, 'is DOCKER_HOST pointing at the Docker engine?');
  }

  // Which API version?
  const versionRes = await engine.request('GET', '/version');
  let apiVersion: string;
  if (versionRes.statusCode === 200) {
    const v = (await engine.json(versionRes, 'GET /version')) as { ApiVersion?: unknown; MinAPIVersion?: unknown } | null;
    apiVersion = negotiateApiVersion(v?.ApiVersion ?? ping.headers['api-version'], v?.MinAPIVersion);
  } else {
    versionRes.resume();
    apiVersion = negotiateApiVersion(ping.headers['api-version']);
  }
  const base = `/v${apiVersion}`;
  const encoded = encodeURIComponent(image);

  // Is the image there? (Saving a missing id fails with a 500 in Docker 20.10; inspecting says 404.)
  const inspectWhat = `GET /images/${image}/json`;
  const inspect = await engine.request('GET', `${base}/images/${encoded}/json`);
  if (inspect.statusCode === 404) {
    inspect.resume();
    throw new AnyarchError('E_NOT_FOUND', `no image ${image} in the Docker engine at ${endpoint.display}`, `\`docker images\` lists what it holds; pull or load the image first`);
  }
  if (inspect.statusCode !== 200) throw await engine.statusError(inspect, inspectWhat);
  inspect.resume();

  // Export it.
  const parent = opts.tmpDir ?? tmpdir();
  let dir: string;
  try {
    dir = await mkdtemp(path.join(parent, 'anyarch-docker-daemon-'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw sourceError(`${name}: cannot make a temporary directory in ${parent} for the exported image (${oneLine(code)})`, 'set TMPDIR to a writable directory with room for the image', e);
  }
  track(dir);
  const file = path.join(dir, 'image.tar');
  // The archive names an image by the name it was exported by (RepoTags); by id or digest, it has only that one.
  const archiveRef = 'id' in ref || ref.digest !== undefined ? undefined : image;
  const rename = renamer(archiveRef !== undefined ? [`docker-archive:${file}:${archiveRef}`, `docker-archive:${file}`] : [`docker-archive:${file}`], name);
  try {
    const getWhat = `GET /images/${image}/get`;
    const res = await engine.request('GET', `${base}/images/${encoded}/get`, EXPORT_IDLE_TIMEOUT_MS);
    if (res.statusCode === 404) {
      res.resume();
      throw new AnyarchError('E_NOT_FOUND', `no image ${image} in the Docker engine at ${endpoint.display}`, `\`docker images\` lists what it holds; pull or load the image first`);
    }
    if (res.statusCode !== 200) throw await engine.statusError(res, getWhat);
    try {
      await pipeline(res, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      if (e instanceof AnyarchError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const fsCode = code !== undefined && /^E(?:NOSPC|DQUOT|ACCES|PERM|ROFS|EXIST|NOENT|IO)$/.test(code);
      throw sourceError(
        fsCode ? `${name}: cannot write the exported image to ${file} (${code})` : `${name}: the Docker engine's export of the image broke off (${oneLine((e as Error).message)})`,
        fsCode ? 'free some space in the temporary directory, or set TMPDIR to one with room' : undefined,
        e,
      );
    }
    let inner: ImageSource;
    try {
      inner = await openDockerArchive(file, archiveRef);
    } catch (e) {
      rename(e);
      throw e;
    }
    return new DaemonImageSource(name, inner, dir, rename);
  } catch (e) {
    await removeDir(dir);
    throw e;
  }
}
