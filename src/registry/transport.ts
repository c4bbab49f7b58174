/**
 * How every request to a registry goes out: over HTTPS unless the registry is on loopback or the
 * user named it insecure; with the auth the registry asked for (anonymous, Basic, Bearer tokens
 * per scope, learnt from its 401 challenges); through a limit of requests in flight per host;
 * retried when {@link retryDecision} says so; and with the registry's refusals turned into
 * `RegistryError`s. Credentials go to the registry's own origin only, whatever URL it names, and
 * never appear in an error.
 *
 * reads.ts and uploads.ts describe each exchange (request, scopes, how to read the answer);
 * this module owns everything they share.
 */
import { AnyarchError, isAnyarchError } from '../errors.js';
import { abortable, abortableSleep, Deadline, formatSeconds } from '../net/deadline.js';
import { isTemporaryStatus, NetworkError, origin, send, toNetworkError, type HttpRequest, type HttpResponse } from '../net/http.js';
import { DEFAULT_RETRY, GIVE_UP, retrying, Semaphore, type RetryPolicy } from '../net/retry.js';
import { isLoopbackRegistry, registryApiHost } from '../oci/reference.js';
import { basicAuthorization, fetchToken, parseChallenges, type Challenge, type Token } from './auth.js';
import { redact, resolveCredential, type Credential } from './credentials.js';
import { LOGIN_HINT, readDiagnostics, readRegistryError, RegistryError, registryError, retryDecision, type RegistryDiagnostic } from './errors.js';

export interface RepositoryRef {
  readonly registry: string;
  readonly repository: string;
}

/** Something worth showing on a progress line or in a debug log (no credentials in it). */
export type ClientEvent =
  | { readonly type: 'retry'; readonly what: string; readonly attempt: number; readonly waitMs: number; readonly reason: string }
  | { readonly type: 'token'; readonly registry: string; readonly scopes: readonly string[] };

export interface RegistryClientOptions {
  /** registries (host or host:port) that may be spoken to over plain HTTP; loopback always may */
  readonly insecureRegistries?: readonly string[];
  /** where credentials come from (default: the Docker config, `DOCKER_CONFIG`, credential helpers) */
  readonly credentials?: (registry: string) => Promise<Credential | undefined>;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * how long one request may take, ms (default {@link DEFAULT_REQUEST_TIMEOUT_MS}): from when it
   * is sent to when its answer is read, every try, redirect and token fetch included. An upload
   * of a streamed blob is bounded by inactivity instead (nothing sent or received for that long).
   */
  readonly timeoutMs?: number;
  /** requests in flight per registry host (default 6) */
  readonly maxConcurrentPerHost?: number;
  readonly userAgent?: string;
  readonly onEvent?: (e: ClientEvent) => void;
}

/** A request body that can be sent again: bytes, or a function that opens a fresh stream for each try. */
export type RequestBody = Uint8Array | (() => Promise<AsyncIterable<Uint8Array>>);

export interface Exchange<T> {
  readonly registry: string;
  /** token scopes the request needs (empty for /v2/) */
  readonly scopes: readonly string[];
  readonly request: Omit<HttpRequest, 'body'> & { readonly body?: RequestBody };
  /** reads the response; throwing a transient NetworkError or E_DIGEST (on a read) retries the exchange */
  readonly handle: (res: HttpResponse) => Promise<T>;
  /** send once: the caller retries a larger operation ({@link RegistryTransport.retry}: upload chunks) */
  readonly noRetry?: boolean;
}

/** How long one request to a registry may take by default (all its tries, its body included), ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

type AuthState = { readonly kind: 'none' } | { readonly kind: 'basic' } | { readonly kind: 'bearer'; readonly realm: string; readonly service?: string };

export class RegistryTransport {
  readonly policy: RetryPolicy;
  /** how long one request may take, ms; also how long a streamed blob may stay silent */
  readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly insecure: ReadonlySet<string>;
  private readonly credentialSource: (registry: string) => Promise<Credential | undefined>;
  private readonly auth = new Map<string, AuthState>();
  private readonly tokens = new Map<string, Token>();
  private readonly credentials = new Map<string, Promise<Credential | undefined>>();
  /** the credentials whose lookup has finished (what an error may have to be scrubbed of) */
  private readonly knownCredentials = new Map<string, Credential | undefined>();
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.userAgent = opts.userAgent ?? 'anyarch';
    this.insecure = new Set((opts.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    this.credentialSource = opts.credentials ?? ((r) => resolveCredential(r));
  }

  /** `http://` or `https://` plus the API host of a registry (`docker.io` is served by `registry-1.docker.io`). */
  baseUrl(registry: string): string {
    const host = registryApiHost(registry);
    return `${this.allowsHttp(registry) ? 'http' : 'https'}://${host}`;
  }

  /** Whether plain HTTP to `host` is allowed (loopback, or named insecure). */
  allowsHttp(host: string): boolean {
    return isLoopbackRegistry(host) || this.insecure.has(host.toLowerCase());
  }

  /** The error for an answer whose status is not the one wanted, in the registry's words. */
  statusError(res: HttpResponse, what: string): Promise<RegistryError> {
    return readRegistryError(res, what, this.policy.attempts);
  }

  /**
   * Runs `attempt` (1, 2, ...) until it succeeds or {@link retryDecision} says stop, waiting what
   * it says between tries and reporting each retry: the one retry loop of this client, for single
   * exchanges and for operations of several (an upload in chunks).
   */
  retry<T>(registry: string, request: { readonly method: string; readonly what: string }, attempt: (n: number) => Promise<T>, deadline?: Deadline): Promise<T> {
    const decide = (err: unknown, n: number): ReturnType<typeof retryDecision> => {
      if (deadline?.signal.aborted) return GIVE_UP;
      const choice = retryDecision(err, request, n, this.policy);
      // a wait that would outlast the deadline is not waited: the last answer is the error
      return choice.retry && deadline && choice.waitMs >= deadline.remaining() ? GIVE_UP : choice;
    };
    return retrying(this.policy, attempt, decide, {
      onRetry: (n, c) => this.opts.onEvent?.({ type: 'retry', what: request.what, attempt: n, waitMs: c.waitMs, reason: this.redactKnown(c.reason, registry) }),
      ...(deadline ? { sleep: (ms: number) => abortableSleep(ms, deadline.signal) } : {}),
    });
  }

  /**
   * One request with auth, retries and the per-host limit; `handle` reads the answer. The whole
   * of it, every try and the answer's body included, must end within the timeout (counted from
   * when it is first sent, not while it waits for its turn); a request streaming its body is
   * bounded by inactivity instead.
   */
  async exchange<T>(x: Exchange<T>): Promise<T> {
    const deadline = typeof x.request.body === 'function' ? undefined : this.deadline(x.request);
    try {
      return await (x.noRetry ? this.attempt(x, false, deadline) : this.retry(x.registry, x.request, () => this.attempt(x, true, deadline), deadline));
    } catch (e) {
      // whatever is still open (a body, a token fetch) is released
      deadline?.abort(e);
      if (!isAnyarchError(e)) throw e;
      throw await this.scrub(e, x.registry);
    } finally {
      deadline?.done();
    }
  }

  /** The deadline of one request, whose error names the request and the host that did not answer. */
  private deadline(request: { readonly url: string; readonly what: string }): Deadline {
    const ms = this.timeoutMs;
    return new Deadline(
      ms,
      () =>
        new NetworkError(`${request.what}: no complete answer from ${origin(request.url)} within ${formatSeconds(ms)}`, false, {
          hint: 'the registry is not answering, or too slowly; raise the timeout (--timeout SECONDS) if it is only slow',
        }),
    );
  }

  /** One try: send (learning auth from a 401 when the body can be sent again), then read the answer. */
  private async attempt<T>(x: Exchange<T>, resendable: boolean, deadline: Deadline | undefined): Promise<T> {
    const signal = deadline?.signal;
    const opened: AsyncIterable<Uint8Array>[] = [];
    const body = async (): Promise<HttpRequest['body']> => {
      const b = x.request.body;
      if (typeof b !== 'function') return b;
      const stream = await b();
      opened.push(stream);
      return stream;
    };
    try {
      const res = await this.semaphore(x.registry).run(() => {
        deadline?.start();
        return abortable(this.sendAuthorized(x, resendable, body, signal), signal);
      });
      if (isTemporaryStatus(res.status)) throw await abortable(this.statusError(res, x.request.what), signal);
      return await abortable(x.handle(res), signal);
    } catch (e) {
      throw toNetworkError(e, x.request.what, x.request.url);
    } finally {
      // a body the server answered before reading to its end is released
      for (const s of opened) await release(s).catch(() => undefined);
    }
  }

  private async sendAuthorized(x: Exchange<unknown>, resendable: boolean, body: () => Promise<HttpRequest['body']>, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const first = await this.sendWithAuth(x, await body(), signal);
    if (first.status !== 401 || !resendable) return first;
    const what = x.request.what;
    const challenges = parseChallenges(first.headers.get('www-authenticate') ?? '');
    const before = this.auth.get(x.registry)?.kind ?? 'unknown';
    const said = await readDiagnostics(first, what);
    let learned: boolean;
    try {
      learned = await this.learn(x.registry, challenges, x.scopes, signal);
    } catch (e) {
      throw inRegistryWords(e, 401, said);
    }
    if (!learned) {
      // no challenge anyarch can answer: the registry's 401 as it is
      const e = registryError(401, [], what, this.policy.attempts);
      throw new RegistryError(e.code, e.message, { status: 401, diagnostics: said, hint: e.hint });
    }
    const again = await this.sendWithAuth(x, await body(), signal);
    if (again.status !== 401) return again;
    const refused = await readDiagnostics(again, what);
    const cred = await this.credential(x.registry);
    throw new RegistryError('E_AUTH', `${what}: the registry refused ${cred ? 'the credentials' : 'anonymous access'} (HTTP 401${before === 'unknown' ? '' : ` with ${before} auth`})`, {
      status: 401,
      diagnostics: refused,
      hint: cred ? 'check the credentials for this registry (docker login)' : LOGIN_HINT,
    });
  }

  private async sendWithAuth(x: Exchange<unknown>, body: HttpRequest['body'], signal: AbortSignal | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...x.request.headers };
    // credentials go to the registry's own origin only, whatever URL it told us to use
    if (new URL(x.request.url).origin === new URL(this.baseUrl(x.registry)).origin) {
      const authorization = await this.authorization(x.registry, x.scopes, signal);
      if (authorization && !/^[\x21-\x7e][\x20-\x7e]*$/.test(authorization)) {
        // a header fetch would refuse, quoting it: say so without the secret
        throw new AnyarchError('E_AUTH', `${x.registry}: the credential for this registry contains characters an HTTP header cannot carry`, 'check the registry token in your Docker config');
      }
      if (authorization) headers.authorization = authorization;
    }
    const { body: _opener, ...request } = x.request;
    return send({ ...request, headers, ...(body !== undefined ? { body } : {}) }, { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) });
  }

  private semaphore(registry: string): Semaphore {
    let s = this.semaphores.get(registry);
    if (!s) {
      s = new Semaphore(this.opts.maxConcurrentPerHost ?? 6);
      this.semaphores.set(registry, s);
    }
    return s;
  }

  private credential(registry: string): Promise<Credential | undefined> {
    let c = this.credentials.get(registry);
    if (!c) {
      c = this.credentialSource(registry);
      this.credentials.set(registry, c);
      c.then(
        (cred) => this.knownCredentials.set(registry, cred),
        () => undefined,
      );
    }
    return c;
  }

  /** The Authorization header for a request, from what the registry asked for before. */
  private async authorization(registry: string, scopes: readonly string[], signal: AbortSignal | undefined): Promise<string | undefined> {
    const state = this.auth.get(registry);
    if (!state || state.kind === 'none') return undefined;
    const cred = await this.credential(registry);
    if (state.kind === 'basic') return basicAuthorization(cred);
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`;
    const token = await this.token(registry, state, scopes, false, signal);
    return `Bearer ${token.value}`;
  }

  private async token(registry: string, state: Extract<AuthState, { kind: 'bearer' }>, scopes: readonly string[], fresh: boolean, signal: AbortSignal | undefined): Promise<Token> {
    const key = `${registry}|${scopes.join(' ')}`;
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expiresAt > Date.now()) return cached;
    const credential = await this.credential(registry);
    this.opts.onEvent?.({ type: 'token', registry, scopes });
    const token = await fetchToken({
      realm: state.realm,
      ...(state.service !== undefined ? { service: state.service } : {}),
      scopes,
      ...(credential ? { credential } : {}),
      allowHttp: (host) => this.allowsHttp(host),
      timeoutMs: this.timeoutMs,
      ...(signal ? { signal } : {}),
      userAgent: this.userAgent,
      registry,
    });
    this.tokens.set(key, token);
    return token;
  }

  /** Learns the auth scheme from a 401's challenge; false when nothing can be done about it. */
  private async learn(registry: string, challenges: Challenge[], scopes: readonly string[], signal: AbortSignal | undefined): Promise<boolean> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      const state = { kind: 'bearer' as const, realm: bearer.params.realm, ...(bearer.params.service !== undefined ? { service: bearer.params.service } : {}) };
      this.auth.set(registry, state);
      const cred = await this.credential(registry);
      if (!cred?.registryToken) await this.token(registry, state, scopes, true, signal);
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const cred = await this.credential(registry);
      if (!basicAuthorization(cred)) {
        throw new AnyarchError('E_AUTH', `${registry}: the registry requires a login and no credentials were found`, LOGIN_HINT);
      }
      this.auth.set(registry, { kind: 'basic' });
      return true;
    }
    return false;
  }

  /**
   * Makes sure no secret of this registry's credential is in an error's text (or in what the
   * registry said). Only a registry's own words can hold a credential that was never sent (one
   * it knows and echoes): for those the credential is looked up if it was not; anyarch's own
   * sentences (a deadline that passed) wait for no credential helper.
   */
  private async scrub(err: AnyarchError, registry: string): Promise<AnyarchError> {
    const cred = this.knownCredentials.has(registry) || !(err instanceof RegistryError) ? this.knownCredentials.get(registry) : await this.credential(registry).catch(() => undefined);
    const clean = (t: string): string => this.redactKnown(cred ? redact(t, cred) : t, registry);
    const message = clean(err.message);
    const hint = err.hint === undefined ? undefined : clean(err.hint);
    if (err instanceof RegistryError) {
      const diagnostics = cleanStrings(err.diagnostics, clean);
      if (message === err.message && hint === err.hint && diagnostics === err.diagnostics) return err;
      return new RegistryError(err.code, message, {
        status: err.status,
        diagnostics,
        ...(hint !== undefined ? { hint } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      });
    }
    if (message === err.message && hint === err.hint) return err;
    if (err instanceof NetworkError) return new NetworkError(message, err.transient, hint !== undefined ? { hint } : {});
    return new AnyarchError(err.code, message, hint, err.location);
  }

  /** Replaces the tokens this client holds for a registry (they are secrets too) with `***`. */
  private redactKnown(text: string, registry: string): string {
    let out = text;
    for (const [key, token] of this.tokens) {
      if (key.startsWith(`${registry}|`) && token.value.length >= 8) out = out.split(token.value).join('***');
    }
    return out;
  }
}

/** `value` with `clean` applied to every string in it; the same object when nothing changed. */
function cleanStrings<T>(value: T, clean: (s: string) => string): T {
  if (typeof value === 'string') return clean(value) as T;
  if (Array.isArray(value)) {
    const out = value.map((v: unknown) => cleanStrings(v, clean));
    return (out.some((v, i) => v !== value[i]) ? out : value) as T;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, cleanStrings(v, clean)] as const);
    return (entries.some(([k, v]) => v !== (value as Record<string, unknown>)[k]) ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}

/** An auth failure met while answering a registry's 401, carrying what the registry said. */
function inRegistryWords(e: unknown, status: number, diagnostics: readonly RegistryDiagnostic[]): unknown {
  if (!isAnyarchError(e) || e instanceof RegistryError || e.code !== 'E_AUTH') return e;
  return new RegistryError(e.code, e.message, { status, diagnostics, ...(e.hint !== undefined ? { hint: e.hint } : {}), cause: e });
}

/** Ends a request body stream (a Readable is destroyed, a generator returned); done with it either way. */
async function release(body: AsyncIterable<Uint8Array>): Promise<void> {
  const destroy = (body as { destroy?: unknown }).destroy;
  if (typeof destroy === 'function') (body as unknown as { destroy: () => void }).destroy();
  else await body[Symbol.asyncIterator]().return?.();
}
