/**
 * One HTTP exchange, done carefully: a deadline (the caller's `AbortSignal`) that ends the request,
 * its redirects and its body read alike, redirects followed by hand so `Authorization` never goes
 * to another host (and only to http(s) URLs without user-info), request bodies streamed in bounded memory,
 * response bodies read with a size limit, and transport failures turned into `E_NETWORK` errors
 * that say which request failed and how. Retries live beside it (retry.ts); what a server's
 * answers mean (auth, status codes) belongs to its client (src/registry for registries).
 *
 * Requests without a body, or with bytes, go through Node's own `fetch` (undici): keep-alive
 * connection pools per origin, streamed response bodies, no extra dependency. A request whose
 * body is a stream goes through node:http(s) instead, because undici's fetch holds a request
 * stream's content in memory (see {@link send}). Nothing here knows which kind of server it
 * talks to.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AnyarchError } from '../errors.js';
import { timerMs } from './deadline.js';

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

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** the URL that answered (after redirects) */
  readonly url: string;
  readonly body: ReadableStream<Uint8Array> | null;
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

/** Node's fetch failure causes that mean "the connection broke", which a retry may cure. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
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

/** `e` and the errors it was caused by, nearest first (a few levels: fetch wraps once or twice). */
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
 * Turns what fetch or a body read threw into a NetworkError; AnyarchErrors pass through, also
 * when fetch wrapped one (a request body stream that failed its own check ends the request with
 * that error as the cause). Anything else is not the network's fault — a bug in anyarch — and is
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
    (code !== undefined && (/^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR') || code.startsWith('HPE_'))) || msg === 'fetch failed' || /terminated|other side closed|socket/i.test(msg);
  if (!fromNetwork) throw e;
  const transient = code === undefined ? true : TRANSIENT_CODES.has(code);
  const detail = code ?? (msg === 'fetch failed' ? 'connection failed' : redactUserInfo(msg));
  return new NetworkError(`${what}: ${detail} talking to ${origin(url)}`, transient, { cause: e });
}

/** What a URL a server sent may be: http or https, without user-info. */
const FOLLOWED_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/** `value` with the user-info of anything that looks like a URL in it replaced by `***`. */
export function redactUserInfo(value: string): string {
  // up to the last @ before the path: a password may hold @ itself (`//u:p@ss@host`)
  return value.replace(/(\/\/)[^/?#\s]*@/g, '$1***@');
}

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
  if (!FOLLOWED_SCHEMES.has(url.protocol)) {
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
 * Sends one request; follows up to five redirects itself, dropping `Authorization` when a
 * redirect leaves the original origin (blob downloads redirect to storage hosts). The caller's
 * signal bounds the whole exchange, body included; without one only the wait for the headers is.
 *
 * A streamed body goes out through node:http(s) instead of fetch, read only as fast as the
 * socket takes it (undici's fetch keeps a request stream's content in memory, nodejs/undici
 * #4058: a gigabyte layer would cost a gigabyte). It is sent once: a redirect is returned as
 * the answer, and the timeout is one of inactivity (nothing sent or received for that long),
 * besides the signal.
 */
export async function send(req: HttpRequest, opts: SendOptions): Promise<HttpResponse> {
  const { signal, timeoutMs } = opts;
  if (req.body !== undefined && !(req.body instanceof Uint8Array)) return sendStreamed(req, req.body, opts);
  let url = req.url;
  // undici would ask for gzip and inflate it behind our back: lengths and blob digests are of
  // the bytes on the wire, so ask for those
  let headers: Record<string, string> = { 'accept-encoding': 'identity', ...req.headers };
  const start = new URL(url).origin;
  for (let hop = 0; ; hop++) {
    // with the caller's deadline, the deadline is all; without one, each hop's headers get `timeoutMs`
    const ctrl = signal ? undefined : new AbortController();
    const timer = ctrl && setTimeout(() => ctrl.abort(new DOMException('timeout', 'TimeoutError')), timerMs(timeoutMs));
    const hopSignal = signal ?? (ctrl as AbortController).signal;
    let res: Response;
    try {
      const body = hop === 0 ? (req.body as Uint8Array | undefined) : undefined;
      res = await fetch(url, { method: req.method, headers, redirect: 'manual', signal: hopSignal, ...(body !== undefined ? { body } : {}) });
    } catch (e) {
      throw toNetworkError(hopSignal.aborted ? hopSignal.reason : e, req.what, url);
    } finally {
      clearTimeout(timer);
    }
    const location = res.headers.get('location');
    const redirect = [301, 302, 303, 307, 308].includes(res.status) && location && req.method !== 'PUT' && req.method !== 'PATCH' && req.method !== 'POST';
    if (!redirect) return { status: res.status, headers: res.headers, url, body: res.body, idleMs: timeoutMs, ...(signal ? { signal } : {}) };
    await res.body?.cancel().catch(() => undefined);
    if (hop >= MAX_REDIRECTS) throw new AnyarchError('E_REGISTRY', `${req.what}: more than ${MAX_REDIRECTS} redirects`);
    const next = serverUrl(location, url, req.what, 'Location');
    if (next.origin !== start) {
      const { authorization: _drop, Authorization: _drop2, ...rest } = headers;
      headers = rest;
    }
    url = next.toString();
  }
}

/** A request whose body is a stream, through node:http(s), with backpressure from the socket. */
function sendStreamed(req: HttpRequest, body: AsyncIterable<Uint8Array>, { signal, timeoutMs }: SendOptions): Promise<HttpResponse> {
  const url = new URL(req.url);
  const headers = { 'accept-encoding': 'identity', ...req.headers };
  const open = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!open) return Promise.reject(new AnyarchError('E_USAGE', `${req.what}: ${url.protocol} is not HTTP`));
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const out = open(url, { method: req.method, headers, ...(signal ? { signal } : {}) }, (res) => {
      out.setTimeout(0); // from here the body reader's idle timer applies
      const answer = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, v);
      }
      resolve({ status: res.statusCode ?? 0, headers: answer, url: req.url, body: Readable.toWeb(res) as ReadableStream<Uint8Array>, idleMs: timeoutMs, ...(signal ? { signal } : {}) });
    });
    out.setTimeout(timerMs(timeoutMs), () => out.destroy(new DOMException('timeout', 'TimeoutError')));
    const bodyFailure = streamRequestBody(body, out, req.what);
    out.on('error', (e) => {
      const own = bodyFailure();
      if (own) return reject(own);
      if (signal?.aborted) return reject(signal.reason);
      try {
        reject(toNetworkError(e, req.what, req.url));
      } catch (bug) {
        reject(bug); // not the network's: thrown on as it is, never lost in an event handler
      }
    });
  });
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
 * while reading when the length is not announced).
 */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new AnyarchError('E_LIMIT', `${what}: ${declared} bytes is more than the ${limit} bytes anyarch reads`);
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await withIdleTimeout(reader.read(), res.idleMs, what, res.url);
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw new AnyarchError('E_LIMIT', `${what}: more than the ${limit} bytes anyarch reads`);
      }
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    // a body ended by the deadline reports the deadline, whatever the stream says of it
    throw toNetworkError(res.signal?.aborted ? res.signal.reason : e, what, res.url);
  }
  const out = Buffer.concat(chunks, total);
  // a body the server encoded (despite `identity`) was decoded by fetch: its length differs
  const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  if (declared !== null && !encoded && Number(declared) !== total) {
    throw new NetworkError(`${what}: the body ended after ${total} of ${declared} bytes`, true);
  }
  return out;
}

/** `p`, or a transient NetworkError when nothing arrives for `ms`. */
function withIdleTimeout<T>(p: Promise<T>, ms: number, what: string, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetworkError(`${what}: ${origin(url)} sent nothing for ${Math.round(ms / 1000)} s`, true)), timerMs(ms));
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Discards a body so the connection can be reused. */
export async function discard(res: HttpResponse): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}
