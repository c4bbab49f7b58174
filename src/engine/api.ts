/**
 * A client of the Docker Engine API over its unix socket or a loopback tcp:// address (no docker
 * CLI needed), the way go-containerregistry's `daemon` package and skopeo's docker-daemon
 * transport talk to it:
 *
 *  1. where: `host`, else `DOCKER_HOST` (`unix:///path`, or `tcp://` to a loopback host in plain
 *     HTTP), else `/var/run/docker.sock`;
 *  2. `GET /_ping`, then `GET /version` to agree on an API version (the engine's, capped at
 *     {@link MAX_API_VERSION}; never below the engine's minimum);
 *  3. then images: inspect (`GET /images/{name}/json`, or only whether the image is there),
 *     export (`GET /images/{name}/get`, the `docker save` tarball as a stream) and load
 *     (`POST /images/load`, a `docker save` or OCI tarball streamed in);
 *  4. containers, for a smoke run: create (with a platform), start, wait, kill, logs (bounded, the
 *     multiplexed stream split), a path's stat in a created container, remove.
 *
 * Every failure is an `AnyarchError` whose sentence starts with the subject the caller named (the
 * image a source reads, say) and says which engine answered what.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { AnyarchError } from '../errors.js';
import { timerMs } from '../net/deadline.js';
import { streamRequestBody } from '../net/http.js';
import { isLoopbackRegistry } from '../oci/reference.js';

/** Where Docker's engine listens when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** The newest Engine API version anyarch asks for (Docker 20.10's; `GET /images/{name}/get` is older still). */
export const MAX_API_VERSION = '1.41';
/** What the Docker CLI assumes of an engine that does not say (API versions before 1.24 are gone). */
const FALLBACK_API_VERSION = '1.24';
const DEFAULT_TCP_PORT = 2375;
/**
 * How long one exchange with the engine may take by default, ms: connecting, the answer's
 * headers and its whole body (an export or a load is bounded by inactivity instead).
 */
export const ENGINE_REQUEST_TIMEOUT_MS = 30_000;
/** An export or a load may pause this long between chunks (the engine reads or writes layers). */
const TRANSFER_IDLE_TIMEOUT_MS = 300_000;
/** Most bytes of a JSON answer (image inspect, version, error, load messages) read. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** How to reach the engine. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly display: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly display: string };

export interface DockerEngineOptions {
  /** the engine's address, as DOCKER_HOST would give it (default: `env.DOCKER_HOST`, else the default socket) */
  readonly host?: string;
  /** the environment DOCKER_HOST and DOCKER_TLS_VERIFY are read from (default `process.env`) */
  readonly env?: NodeJS.ProcessEnv;
  /** what the messages are about, first in every error sentence (default `Docker engine`) */
  readonly subject?: string;
  /** how long one exchange (ping, version, inspect) may take, body included, ms (default {@link ENGINE_REQUEST_TIMEOUT_MS}) */
  readonly timeoutMs?: number;
}

export function sourceError(problem: string, hint?: string, cause?: unknown): AnyarchError {
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
export function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The error for an image the engine does not hold. */
export function imageNotFound(image: string, endpoint: DockerEndpoint): AnyarchError {
  return new AnyarchError('E_NOT_FOUND', `no image ${image} in the Docker engine at ${endpoint.display}`, '`docker images` lists what it holds; pull or load the image first');
}

/**
 * Connects to the engine: finds its endpoint, pings it and agrees on an API version.
 *
 * @throws AnyarchError `E_SOURCE` when DOCKER_HOST names what anyarch cannot reach, when nothing
 *   listens there, or when what answers is not a Docker engine.
 */
export async function connectDockerEngine(opts: DockerEngineOptions = {}): Promise<DockerEngine> {
  const env = opts.env ?? process.env;
  const subject = opts.subject ?? 'Docker engine';
  let endpoint: DockerEndpoint;
  try {
    endpoint = dockerEndpoint(opts.host ?? env.DOCKER_HOST, env);
  } catch (e) {
    if (e instanceof AnyarchError) throw new AnyarchError(e.code, `${subject}: ${e.message}`, e.hint, undefined, { cause: e });
    throw e;
  }
  const http = new EngineHttp(endpoint, subject, opts.timeoutMs ?? ENGINE_REQUEST_TIMEOUT_MS);

  // Is there an engine?
  const ping = await http.request('GET', '/_ping');
  const pingBody = (await http.body(ping, 'GET /_ping', 64 * 1024)).toString('utf8');
  if (ping.statusCode !== 200) {
    throw sourceError(`${subject}: ${endpoint.display} answered GET /_ping with HTTP ${ping.statusCode}${pingBody.trim() ? ` (${oneLine(pingBody)})` : ''}, not as a Docker engine does`, 'is DOCKER_HOST pointing at the Docker engine?');
  }

  // Which API version?
  const versionRes = await http.request('GET', '/version');
  let apiVersion: string;
  if (versionRes.statusCode === 200) {
    const v = (await http.json(versionRes, 'GET /version')) as { ApiVersion?: unknown; MinAPIVersion?: unknown } | null;
    apiVersion = negotiateApiVersion(v?.ApiVersion ?? ping.headers['api-version'], v?.MinAPIVersion);
  } else {
    versionRes.resume();
    apiVersion = negotiateApiVersion(ping.headers['api-version']);
  }
  return new DockerEngine(http, apiVersion);
}

/** An engine anyarch has pinged and agreed an API version with. */
export class DockerEngine {
  /** @internal made by {@link connectDockerEngine} */
  constructor(
    private readonly http: EngineHttp,
    readonly apiVersion: string,
  ) {}

  get endpoint(): DockerEndpoint {
    return this.http.endpoint;
  }

  private path(rest: string): string {
    return `/v${this.apiVersion}${rest}`;
  }

  /**
   * What the engine knows of an image (`docker image inspect`): by name, as Docker names it
   * (`alpine:latest`, `localhost:5000/x:1`), or by id. Undefined when it has no such image.
   */
  async imageInspect(image: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.http.request('GET', this.path(`/images/${encodeURIComponent(image)}/json`));
    if (res.statusCode === 404) {
      res.resume();
      return undefined;
    }
    if (res.statusCode !== 200) throw await this.http.statusError(res, `GET /images/${image}/json`);
    const json = await this.http.json(res, `GET /images/${image}/json`);
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  }

  /**
   * Whether the engine holds an image (by name, as Docker names it, or by id): asks as
   * {@link imageInspect} does, but reads nothing of the answer (an inspect can be megabytes).
   */
  async imageExists(image: string): Promise<boolean> {
    const what = `GET /images/${image}/json`;
    const res = await this.http.request('GET', this.path(`/images/${encodeURIComponent(image)}/json`));
    if (res.statusCode === 404 || res.statusCode === 200) {
      res.destroy(); // one request per connection: nothing more to read from it
      return res.statusCode === 200;
    }
    throw await this.http.statusError(res, what);
  }

  /**
   * The image as a `docker save` tarball, streamed as the engine writes it (`E_NOT_FOUND` when it
   * has no such image). The stream may pause while the engine reads layers; it ends with an
   * error when the engine stops answering for minutes.
   */
  async imageExport(image: string): Promise<Readable> {
    const res = await this.http.request('GET', this.path(`/images/${encodeURIComponent(image)}/get`), { idleTimeoutMs: TRANSFER_IDLE_TIMEOUT_MS });
    if (res.statusCode === 404) {
      res.resume();
      throw imageNotFound(image, this.endpoint);
    }
    if (res.statusCode !== 200) throw await this.http.statusError(res, `GET /images/${image}/get`);
    return res;
  }

  /**
   * Loads a `docker save` tarball (or an OCI image layout tarball, where the engine reads those)
   * into the engine's image store, streaming it from `tar`. Returns what the engine says it
   * loaded: `name:tag` for each tagged image, `sha256:…` for an image loaded by id.
   *
   * @throws AnyarchError `E_SOURCE` with the engine's own message when it refuses the tarball;
   *   when reading `tar` fails, its own error (an AnyarchError such as `E_DIGEST` as it is,
   *   anything else as `E_SOURCE` saying the body could not be read), never the engine's.
   */
  async imageLoad(tar: Readable): Promise<string[]> {
    const what = 'POST /images/load';
    const res = await this.http.request('POST', this.path('/images/load?quiet=1'), { body: tar, headers: { 'content-type': 'application/x-tar' }, idleTimeoutMs: TRANSFER_IDLE_TIMEOUT_MS });
    if (res.statusCode !== 200) throw await this.http.statusError(res, what);
    // a stream of JSON messages; a refusal comes as {"error": ...} with status 200
    const text = (await this.http.body(res, what)).toString('utf8');
    const loaded: string[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let message: { stream?: unknown; error?: unknown } | null;
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        message = null;
      }
      // each line is a JSON object (`null`, a number or a list is no message)
      if (typeof message !== 'object' || message === null) throw sourceError(`${this.http.subject}: the Docker engine at ${this.endpoint.display} answered ${what} with something that is not JSON messages`);
      if (typeof message.error === 'string') throw sourceError(`${this.http.subject}: the Docker engine at ${this.endpoint.display} could not load the image: ${oneLine(message.error)}`);
      const m = /^Loaded image(?: ID)?: (.+)$/.exec(typeof message.stream === 'string' ? message.stream.trim() : '');
      if (m) loaded.push(m[1] as string);
    }
    return loaded;
  }

  /** The engine's own platform and version (`GET /version`). */
  async engineVersion(): Promise<EngineVersion> {
    const what = 'GET /version';
    const res = await this.http.request('GET', this.path('/version'));
    if (res.statusCode !== 200) throw await this.http.statusError(res, what);
    const v = (await this.http.json(res, what)) as { Os?: unknown; Arch?: unknown; Version?: unknown } | null;
    const str = (x: unknown): string => (typeof x === 'string' ? x : '');
    return { os: str(v?.Os), architecture: str(v?.Arch), version: str(v?.Version) };
  }

  /**
   * Creates a container (`POST /containers/create`, `body` as the Engine API takes it) of the
   * image for `platform` (API 1.41); its id. `E_NOT_FOUND` when the engine has no such image (for
   * that platform).
   */
  async containerCreate(body: Record<string, unknown>, opts: { platform?: string } = {}): Promise<string> {
    const what = 'POST /containers/create';
    const query = opts.platform ? `?platform=${encodeURIComponent(opts.platform)}` : '';
    const json = Buffer.from(JSON.stringify(body));
    const res = await this.http.request('POST', this.path(`/containers/create${query}`), { body: Readable.from([json]), headers: { 'content-type': 'application/json', 'content-length': String(json.length) } });
    if (res.statusCode === 404) {
      const err = await this.http.statusError(res, what);
      throw new AnyarchError('E_NOT_FOUND', err.message, '`docker images` lists what the engine holds; pull or load the image first');
    }
    if (res.statusCode !== 201) throw await this.http.statusError(res, what);
    const id = ((await this.http.json(res, what)) as { Id?: unknown } | null)?.Id;
    if (typeof id !== 'string' || !/^[0-9a-f]{12,64}$/.test(id)) throw sourceError(`${this.http.subject}: the Docker engine at ${this.endpoint.display} answered ${what} without a container id`);
    return id;
  }

  async containerStart(id: string): Promise<void> {
    const what = `POST /containers/${id}/start`;
    const res = await this.http.request('POST', this.path(`/containers/${encodeURIComponent(id)}/start`));
    if (res.statusCode !== 204 && res.statusCode !== 304) throw await this.http.statusError(res, what);
    res.resume();
  }

  /** Waits for the container to stop (`POST /containers/{id}/wait`), at most `timeoutMs`; undefined when it did not. */
  async containerWait(id: string, timeoutMs: number): Promise<ContainerExit | undefined> {
    const what = `POST /containers/${id}/wait`;
    let res: IncomingMessage;
    try {
      res = await this.http.request('POST', this.path(`/containers/${encodeURIComponent(id)}/wait`), { idleTimeoutMs: timeoutMs });
    } catch (e) {
      if (e instanceof AnyarchError && /did not answer/.test(e.message)) return undefined;
      throw e;
    }
    if (res.statusCode !== 200) throw await this.http.statusError(res, what);
    let body: { StatusCode?: unknown; Error?: { Message?: unknown } | null } | null;
    try {
      body = (await this.http.json(res, what)) as typeof body;
    } catch (e) {
      if (e instanceof AnyarchError && /did not answer|broke off/.test(e.message)) return undefined;
      throw e;
    }
    const code = body?.StatusCode;
    const message = body?.Error?.Message;
    return { statusCode: typeof code === 'number' ? code : -1, ...(typeof message === 'string' && message !== '' ? { error: message } : {}) };
  }

  async containerKill(id: string, signal = 'KILL'): Promise<void> {
    const res = await this.http.request('POST', this.path(`/containers/${encodeURIComponent(id)}/kill?signal=${encodeURIComponent(signal)}`));
    res.resume(); // 409: not running any more, which is what was wanted
  }

  /** Removes the container and its anonymous volumes, running or not; a container already gone is fine. */
  async containerRemove(id: string): Promise<void> {
    const what = `DELETE /containers/${id}`;
    const res = await this.http.request('DELETE', this.path(`/containers/${encodeURIComponent(id)}?force=1&v=1`));
    if (res.statusCode !== 204 && res.statusCode !== 404) throw await this.http.statusError(res, what);
    res.resume();
  }

  /** Removes an image name (`DELETE /images/{name}`); the image goes with it when nothing else names it. A name already gone is fine. */
  async imageRemove(image: string): Promise<void> {
    const res = await this.http.request('DELETE', this.path(`/images/${encodeURIComponent(image)}`));
    if (res.statusCode !== 200 && res.statusCode !== 404) throw await this.http.statusError(res, `DELETE /images/${image}`);
    res.resume();
  }

  /** A path's stat in a (created) container, from `HEAD /containers/{id}/archive`; undefined when it is not there. */
  async containerPathStat(id: string, p: string): Promise<ContainerPathStat | undefined> {
    const res = await this.http.request('HEAD', this.path(`/containers/${encodeURIComponent(id)}/archive?path=${encodeURIComponent(p)}`));
    res.resume();
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw await this.http.statusError(res, `HEAD /containers/${id}/archive`);
    const header = res.headers['x-docker-container-path-stat'];
    if (typeof header !== 'string') return undefined;
    try {
      const st = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { name?: unknown; size?: unknown; mode?: unknown; linkTarget?: unknown };
      return { name: String(st.name ?? ''), size: Number(st.size ?? 0), mode: Number(st.mode ?? 0), linkTarget: String(st.linkTarget ?? '') };
    } catch {
      return undefined;
    }
  }

  /**
   * The container's standard output and error (`GET /containers/{id}/logs`, the multiplexed
   * stream of a container without a TTY split into its frames, interleaved as written), at most
   * `limit` bytes of it: the rest is not read. Returns the bytes kept and whether more followed.
   */
  async containerLogs(id: string, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
    const what = `GET /containers/${id}/logs`;
    const res = await this.http.request('GET', this.path(`/containers/${encodeURIComponent(id)}/logs?stdout=1&stderr=1`));
    if (res.statusCode !== 200) throw await this.http.statusError(res, what);
    const out: Buffer[] = [];
    let kept = 0;
    let pending: Buffer = Buffer.alloc(0);
    let truncated = false;
    try {
      for await (const c of res as AsyncIterable<Buffer>) {
        pending = pending.length === 0 ? c : Buffer.concat([pending, c]);
        while (pending.length >= 8) {
          const size = pending.readUInt32BE(4);
          if (pending.length < 8 + size) break;
          const frame = pending.subarray(8, 8 + size);
          pending = pending.subarray(8 + size);
          const take = Math.min(frame.length, limit - kept);
          if (take > 0) out.push(Buffer.from(frame.subarray(0, take)));
          kept += take;
          if (take < frame.length) truncated = true;
        }
        if (truncated || pending.length > limit + 8) {
          truncated = true;
          res.destroy();
          break;
        }
      }
    } catch (e) {
      throw sourceError(`${this.http.subject}: the Docker engine's answer to ${what} broke off (${oneLine((e as Error).message)})`, undefined, e);
    }
    return { bytes: Buffer.concat(out), truncated };
  }
}

/** What `GET /version` says of the engine's own platform. */
export interface EngineVersion {
  readonly os: string;
  readonly architecture: string;
  readonly version: string;
}

/** A container's end, as `POST /containers/{id}/wait` reports it. */
export interface ContainerExit {
  readonly statusCode: number;
  readonly error?: string;
}

/** What `HEAD /containers/{id}/archive` says of a path in a container. */
export interface ContainerPathStat {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly linkTarget: string;
}

/** HTTP to the engine: one request per connection, the subject in every error. */
class EngineHttp {
  /** each answer's deadline, whose reason is the error a body read that it ended reports */
  private readonly deadlines = new WeakMap<IncomingMessage, AbortSignal>();

  constructor(
    readonly endpoint: DockerEndpoint,
    readonly subject: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Sends a request (streaming `body` when given); resolves with the response once its headers
   * arrived. The exchange, the answer's body included, must end within the timeout; with
   * `idleTimeoutMs` (an export, a load) it may take as long as it needs but not stay silent that long.
   */
  request(method: string, urlPath: string, opts: { body?: Readable; headers?: Record<string, string>; idleTimeoutMs?: number } = {}): Promise<IncomingMessage> {
    const ep = this.endpoint;
    const idleTimeoutMs = opts.idleTimeoutMs ?? this.timeoutMs;
    const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
    // one deadline for the whole exchange, unless it is a transfer (an unref'd timer: a finished exchange keeps nothing alive)
    const ctrl = opts.idleTimeoutMs === undefined ? new AbortController() : undefined;
    if (ctrl) {
      setTimeout(() => ctrl.abort(sourceError(`${this.subject}: the Docker engine at ${ep.display} did not answer ${method} ${urlPath} within ${seconds(this.timeoutMs)}`)), timerMs(this.timeoutMs)).unref();
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          ...(ep.kind === 'unix' ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
          method,
          path: urlPath,
          agent: false,
          headers: { host: ep.kind === 'unix' ? 'docker' : `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`, 'user-agent': 'anyarch', ...opts.headers },
          ...(ctrl ? { signal: ctrl.signal } : {}),
        },
        (res) => {
          if (ctrl) this.deadlines.set(res, ctrl.signal);
          resolve(res);
        },
      );
      req.setTimeout(timerMs(idleTimeoutMs), () => {
        req.destroy(sourceError(`${this.subject}: the Docker engine at ${ep.display} did not answer ${method} ${urlPath} within ${seconds(idleTimeoutMs)}`));
      });
      // a tarball that fails on the way ends the request with its own error, not the engine's
      const bodyFailure = opts.body ? streamRequestBody(opts.body, req, `${this.subject}: ${method} ${urlPath.split('?')[0]}`) : () => undefined;
      req.on('error', (e) => reject(bodyFailure() ?? (ctrl?.signal.aborted ? (ctrl.signal.reason as AnyarchError) : this.connectError(e))));
      if (!opts.body) req.end();
    });
  }

  private connectError(e: Error): AnyarchError {
    if (e instanceof AnyarchError) return e;
    const ep = this.endpoint;
    const code = (e as NodeJS.ErrnoException).code;
    const start = ep.kind === 'unix' ? `start the Docker engine, or point DOCKER_HOST at its socket (DOCKER_HOST=unix:///path/to/docker.sock)` : 'start the Docker engine, or point DOCKER_HOST at where it listens';
    switch (code) {
      case 'ENOENT':
        return sourceError(`${this.subject}: no Docker engine at ${ep.display} (no such socket)`, start, e);
      case 'ECONNREFUSED':
        return sourceError(`${this.subject}: no Docker engine at ${ep.display} (connection refused)`, start, e);
      case 'ENOTSOCK':
        return sourceError(`${this.subject}: no Docker engine at ${ep.display} (not a socket)`, start, e);
      case 'EACCES':
      case 'EPERM':
        return sourceError(`${this.subject}: no access to the Docker engine at ${ep.display} (permission denied)`, 'run as a member of the docker group, or as a user who may open the socket', e);
      default:
        return sourceError(`${this.subject}: cannot talk to the Docker engine at ${ep.display} (${oneLine(code ?? e.message)})`, start, e);
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
          throw new AnyarchError('E_LIMIT', `${this.subject}: the Docker engine's answer to ${what} is larger than ${limit} bytes`);
        }
        chunks.push(c);
      }
    } catch (e) {
      if (e instanceof AnyarchError) throw e;
      const deadline = this.deadlines.get(res);
      if (deadline?.aborted) throw deadline.reason as AnyarchError;
      throw sourceError(`${this.subject}: the Docker engine's answer to ${what} broke off (${oneLine((e as Error).message)})`, undefined, e);
    }
    return Buffer.concat(chunks);
  }

  async json(res: IncomingMessage, what: string): Promise<unknown> {
    const bytes = await this.body(res, what);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      throw sourceError(`${this.subject}: the Docker engine at ${this.endpoint.display} answered ${what} with something that is not JSON`);
    }
  }

  /** The message of an error answer (Docker sends `{"message": "..."}`). */
  private async errorText(res: IncomingMessage, what: string): Promise<string> {
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
    return sourceError(`${this.subject}: the Docker engine at ${this.endpoint.display} answered ${what} with ${await this.errorText(res, what)}`);
  }
}
