/**
 * One HTTP exchange, done carefully: a deadline (the caller's `AbortSignal`) that ends the request,
 * its redirects and its body read alike, redirects followed by hand so `Authorization` never goes
 * to another host (and only to http(s) URLs without user-info), request bodies streamed in bounded memory,
 * response bodies read with a size limit, and transport failures turned into `E_NETWORK` errors
 * that say which request failed and how. Retries live beside it (retry.ts); what a server's
 * answers mean (auth, status codes) belongs to its client (src/registry for registries).
 *
 * Requests go through node:http(s) with keep-alive pools (see {@link send} for why not
 * `fetch`); response bodies are Node streams. Nothing here knows which kind of server it talks to.
 */
import type * as Http from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import { Readable, type Transform, type Writable } from 'node:stream';
import type * as Zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { AnyarchError } from '../errors.js';
import { timerMs } from './deadline.js';
import { HTTP_SCHEMES, redactUserInfo } from './url.js';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * bytes, or a stream read as the request goes out, never buffered whole (give a
   * `content-length` header when the length is known; without one it goes out chunked)
   */
  readonly body?: Uint8Array | Readable | AsyncIterable<Uint8Array>;
  /** what the request is about, for messages: `manifest docker.io/library/alpine:3` */
  readonly what: string;
}

/** An answer's headers by name, case-insensitive; a repeated header's values joined with `, `, as fetch's `Headers.get`. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

/**
 * {@link ResponseHeaders} from node:http's raw header list. Not the global `Headers`: that class
 * loads undici's bundle on first use, 40-45 ms of every short run on the benchmark machine.
 */
class AnswerHeaders implements ResponseHeaders {
  private readonly values = new Map<string, string>();

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const before = this.values.get(key);
    this.values.set(key, before === undefined ? value : `${before}, ${value}`);
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** the URL that answered (after redirects) */
  readonly url: string;
  /** null for HEAD */
  readonly body: Readable | null;
  /** how long a body read may wait for its next chunk, ms (the request's timeout) */
  readonly idleMs: number;
  /** the exchange's deadline, which ends the body too (its reason is the error to report) */
  readonly signal?: AbortSignal;
}

/**
 * Statuses worth another try: a request timeout (408), a rate limit (429), and the server-side
 * trouble that passes (500, 502 Bad Gateway, 503 Unavailable, 504 Gateway Timeout). Other 5xx
 * (501 Not Implemented, 505, 507 Insufficient Storage...) give the same answer next time.
 */
const TEMPORARY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Whether a status is one of the temporary ones (408, 429, 500, 502, 503, 504). */
export function isTemporaryStatus(status: number): boolean {
  return TEMPORARY_STATUSES.has(status);
}

const MAX_REDIRECTS = 5;

/** Error codes of a connection that broke, which a retry may cure. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** A network-level failure (`E_NETWORK`), marked transient when a retry may help. */
export class NetworkError extends AnyarchError {
  constructor(
    message: string,
    readonly transient: boolean,
    options?: ErrorOptions & { readonly hint?: string },
  ) {
    super('E_NETWORK', message, options?.hint, undefined, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** `e` and the errors it was caused by, nearest first (a few levels). */
function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = e, i = 0; i < 4 && c; i++, c = (c as { cause?: unknown }).cause) out.push(c);
  return out;
}

function causeCode(e: unknown): string | undefined {
  for (const c of causes(e)) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Turns what a request or a body read threw into a NetworkError; AnyarchErrors pass through, also
 * when wrapped as a cause (a request body stream that failed its own check ends the request with
 * that error). Anything else is not the network's fault — a bug in anyarch — and is
 * thrown on unchanged, so it is reported as one instead of hiding behind "connection failed".
 */
export function toNetworkError(e: unknown, what: string, url: string): AnyarchError {
  const own = causes(e).find((c): c is AnyarchError => c instanceof AnyarchError);
  if (own) return own;
  const code = causeCode(e);
  const name = (e as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new NetworkError(`${what}: no answer from ${origin(url)} in time`, true, { cause: e });
  }
  const msg = (e as Error).message ?? String(e);
  const fromNetwork =
    (code !== undefined && (/^E[A-Z]+$/.test(code) || code.startsWith('HPE_'))) || /terminated|other side closed|socket|aborted/i.test(msg);
  if (!fromNetwork) throw e;
  const transient = code === undefined ? true : TRANSIENT_CODES.has(code);
  const detail = code ?? redactUserInfo(msg);
  return new NetworkError(`${what}: ${detail} talking to ${origin(url)}`, transient, { cause: e });
}

export { redactUserInfo } from './url.js';

/**
 * A URL a server sent (Location, Link), resolved against the request's; an error (`E_REGISTRY`,
 * the code for a server that broke its protocol) when it is not one, when its scheme is not
 * http or https (`file:`, `ftp:`, `data:`...), or when it carries user-info
 * (`http://user:pass@host/`): anyarch follows neither, and never prints the user-info.
 */
export function serverUrl(value: string, base: string, what: string, header: string): URL {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw new AnyarchError('E_REGISTRY', `${what}: the server sent an invalid ${header} (${JSON.stringify(redactUserInfo(value.slice(0, 100)))})`);
  }
  if (!HTTP_SCHEMES.has(url.protocol)) {
    throw new AnyarchError('E_REGISTRY', `${what}: the server's ${header} points to a ${url.protocol} URL; anyarch follows only http and https`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new AnyarchError('E_REGISTRY', `${what}: the server's ${header} points to a URL with user-info (credentials in the URL, ${url.protocol}//***@${url.host}); anyarch does not follow it`);
  }
  return url;
}

export function origin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** How {@link send} bounds an exchange. */
export interface SendOptions {
  /**
   * the operation's deadline: when it is aborted the request, a redirect and the response body
   * (also after `send` returned) end with its reason. Without one, the wait for the headers is
   * bounded by `timeoutMs` and a body read by `timeoutMs` of silence.
   */
  readonly signal?: AbortSignal;
  /** without a signal: how long to wait for each response's headers; always: how long a body may stay silent, ms */
  readonly timeoutMs: number;
}

/**
 * Keep-alive connection pools, one per scheme, set as Node's own global agent is (lifo, idle
 * sockets closed after 5 s); pooled sockets do not keep the process alive.
 */
let agents: { readonly 'http:': Http.Agent; readonly 'https:': Https.Agent } | undefined;

// node:http, node:https (with TLS) and node:zlib load on the first request, not with this module:
// `anyarch deps` answered from its cache sends none, and loading them took ~10 ms of its start
const require = createRequire(import.meta.url);
let httpModule: typeof Http | undefined;
let httpsModule: typeof Https | undefined;
const http = (): typeof Http => (httpModule ??= require('node:http') as typeof Http);
const https = (): typeof Https => (httpsModule ??= require('node:https') as typeof Https);
const zlib = (): typeof Zlib => require('node:zlib') as typeof Zlib;

function pooledAgents(): { readonly 'http:': Http.Agent; readonly 'https:': Https.Agent } {
  agents ??= {
    'http:': new (http().Agent)({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }),
    'https:': new (https().Agent)({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }),
  };
  return agents;
}

/** Closes every idle pooled connection, so the next requests open their own (a long-lived process between passes of a benchmark). */
export function closeIdleConnections(): void {
  if (!agents) return;
  for (const agent of Object.values(agents)) {
    for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }
}

/**
 * Sends one request; follows up to five redirects itself, dropping `Authorization` when a
 * redirect leaves the original origin (blob downloads redirect to storage hosts). The caller's
 * signal bounds the whole exchange, body included; without one only the wait for the headers is.
 *
 * Everything goes through node:http(s). Node's `fetch` (undici) was the first choice and cost
 * too much where anyarch spends its time: reading a layer through it took 1.5-2x the CPU of
 * node:http on the main thread (its web-stream body loop), which the layer's hashing and tar
 * walk need, and its HTTP parser is WebAssembly that V8 recompiles in the background, delaying
 * every short run's exit by 150 ms on the benchmark machine. It also keeps a request stream's
 * content in memory (nodejs/undici#4058).
 *
 * A streamed body is read only as fast as the socket takes it and sent once: a redirect is
 * returned as the answer, and the timeout is one of inactivity (nothing sent or received for
 * that long), besides the signal. A response the server encoded despite `accept-encoding:
 * identity` (gzip, deflate, br) is decoded, as fetch did.
 */
export async function send(req: HttpRequest, opts: SendOptions): Promise<HttpResponse> {
  const streamed = req.body !== undefined && !(req.body instanceof Uint8Array);
  let url = req.url;
  // lengths and blob digests are of the bytes on the wire: ask for those
  let headers: Record<string, string> = { 'accept-encoding': 'identity', ...req.headers };
  const start = new URL(url).origin;
  for (let hop = 0; ; hop++) {
    const res = await exchange(url, req, headers, hop === 0 ? req.body : undefined, opts);
    const location = res.headers.get('location');
    const redirect = !streamed && [301, 302, 303, 307, 308].includes(res.status) && location && req.method !== 'PUT' && req.method !== 'PATCH' && req.method !== 'POST';
    if (!redirect) return res;
    await discard(res);
    if (hop >= MAX_REDIRECTS) throw new AnyarchError('E_REGISTRY', `${req.what}: more than ${MAX_REDIRECTS} redirects`);
    const next = serverUrl(location, url, req.what, 'Location');
    if (next.origin !== start) {
      const { authorization: _drop, Authorization: _drop2, ...rest } = headers;
      headers = rest;
    }
    url = next.toString();
  }
}

/**
 * One request and its answer's headers. Without the caller's signal, the headers must come in
 * `timeoutMs` (a streamed body: nothing sent or received for that long); with it, the signal
 * ends the request and, later, the answer's body with its reason.
 */
function exchange(target: string, req: HttpRequest, headers: Record<string, string>, body: HttpRequest['body'], { signal, timeoutMs }: SendOptions): Promise<HttpResponse> {
  const url = new URL(target);
  const open = url.protocol === 'https:' ? https().request : url.protocol === 'http:' ? http().request : undefined;
  if (!open) return Promise.reject(new AnyarchError('E_USAGE', `${req.what}: ${url.protocol} is not HTTP`));
  const agent = pooledAgents()[url.protocol as 'http:' | 'https:'];
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) return reject(toNetworkError(signal.reason, req.what, target));
    let settled = false;
    let headerTimer: NodeJS.Timeout | undefined;
    const out: ClientRequest = open(url, { method: req.method, headers, agent });
    let bodyFailure: () => AnyarchError | undefined = () => undefined;
    const onAbort = (): void => {
      out.destroy(abortError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      settled = true;
      clearTimeout(headerTimer);
    };
    out.on('response', (res: IncomingMessage) => {
      done();
      out.setTimeout(0); // from here the body reader's idle timer applies
      const answer = new AnswerHeaders();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      // the deadline ends the body as it ends the request: with its reason
      if (signal) {
        signal.removeEventListener('abort', onAbort);
        const endBody = (): void => {
          res.destroy(abortError(signal.reason));
        };
        signal.addEventListener('abort', endBody, { once: true });
        res.once('close', () => signal.removeEventListener('abort', endBody));
      }
      const bodyStream = req.method === 'HEAD' ? null : decoded(res, answer);
      if (bodyStream === null) res.resume();
      resolve({ status: res.statusCode ?? 0, headers: answer, url: target, body: bodyStream, idleMs: timeoutMs, ...(signal ? { signal } : {}) });
    });
    out.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      done();
      const own = bodyFailure();
      if (own) return reject(own);
      try {
        reject(toNetworkError(signal?.aborted ? signal.reason : e, req.what, target));
      } catch (bug) {
        reject(bug); // not the network's: thrown on as it is, never lost in an event handler
      }
    });
    const timeout = (): void => {
      out.destroy(new DOMException('timeout', 'TimeoutError'));
    };
    if (body !== undefined && !(body instanceof Uint8Array)) {
      out.setTimeout(timerMs(timeoutMs), timeout);
      bodyFailure = streamRequestBody(body, out, req.what);
      return;
    }
    if (!signal) headerTimer = setTimeout(timeout, timerMs(timeoutMs));
    out.end(body);
  });
}

/** What a request destroyed by its deadline fails with: the deadline's reason when it is an error. */
function abortError(reason: unknown): Error {
  return reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
}

/** Content codings a response may carry despite `identity`, with their decoders. */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => zlib().createGunzip(),
  'x-gzip': () => zlib().createGunzip(),
  deflate: () => zlib().createInflate(),
  br: () => zlib().createBrotliDecompress(),
};

/** The answer's body, decoded when the server encoded it (as fetch would have). */
function decoded(res: IncomingMessage, headers: ResponseHeaders): Readable {
  const coding = (headers.get('content-encoding') ?? '').trim().toLowerCase();
  const decoder = DECODERS[coding];
  if (!decoder) return res;
  const d = decoder();
  res.on('error', (e) => d.destroy(e));
  d.on('close', () => res.destroy());
  return res.pipe(d);
}

/**
 * Streams `body` into a node:http(s) request, read only as fast as the socket takes it, and
 * returns what the body failed with, if it did. A body that fails ends the request (the
 * pipeline aborts it, and the request then reports a reset or an abort of its own, later): the
 * body's error is the one that counts, and the request's error handler asks for it. An
 * AnyarchError of the body (content that failed its digest...) is kept as it is; anything else
 * (a file that cannot be read...) becomes `E_SOURCE` naming `what`: it is not the connection's
 * fault, nor the server's.
 */
export function streamRequestBody(body: AsyncIterable<Uint8Array>, request: Writable, what: string): () => AnyarchError | undefined {
  let failed: AnyarchError | undefined;
  async function* watched(): AsyncGenerator<Uint8Array> {
    try {
      yield* body;
    } catch (e) {
      failed =
        e instanceof AnyarchError ? e : new AnyarchError('E_SOURCE', `${what}: reading the request body failed (${(e as Error).message ?? String(e)})`, undefined, undefined, { cause: e });
      throw e;
    }
  }
  pipeline(Readable.from(watched(), { objectMode: false }), request).catch(() => undefined);
  return () => failed;
}

/**
 * Reads a whole body, refusing more than `limit` bytes (by Content-Length before reading, and
 * while reading when the length is not announced); `idleMs` of silence ends it.
 */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    res.body?.destroy();
    throw new AnyarchError('E_LIMIT', `${what}: ${declared} bytes is more than the ${limit} bytes anyarch reads`);
  }
  const body = res.body;
  if (!body) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const fail = (e: unknown): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      body.destroy();
      reject(e);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new NetworkError(`${what}: ${origin(res.url)} sent nothing for ${Math.round(res.idleMs / 1000)} s`, true)), timerMs(res.idleMs));
    };
    body.on('data', (c: Buffer) => {
      total += c.length;
      if (total > limit) return fail(new AnyarchError('E_LIMIT', `${what}: more than the ${limit} bytes anyarch reads`));
      chunks.push(c);
      arm();
    });
    body.on('end', () => {
      over = true;
      clearTimeout(timer);
      resolve();
    });
    body.on('error', (e) => {
      // a body ended by the deadline reports the deadline, whatever the stream says of it
      try {
        fail(toNetworkError(res.signal?.aborted ? res.signal.reason : e, what, res.url));
      } catch (bug) {
        fail(bug);
      }
    });
    arm();
  });
  const out = Buffer.concat(chunks, total);
  // a body the server encoded (despite `identity`) was decoded: its length differs
  const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  if (declared !== null && !encoded && Number(declared) !== total) {
    throw new NetworkError(`${what}: the body ended after ${total} of ${declared} bytes`, true);
  }
  return out;
}

/** Largest body {@link discard} reads to its end so the connection is kept; a longer one is dropped with it. */
const DRAINED_BODY_BYTES = 64 * 1024;

/** Discards a body: a short one is read to its end so the connection can be reused. */
export async function discard(res: HttpResponse): Promise<void> {
  const body = res.body;
  if (!body || body.destroyed) return;
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length <= DRAINED_BODY_BYTES) {
    body.on('error', () => undefined);
    body.resume();
  } else body.destroy();
}
