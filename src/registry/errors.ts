/**
 * What a registry said when it refused: `RegistryError` keeps the HTTP status and every entry of
 * the distribution spec's `errors[]` body (its own words: `MANIFEST_BLOB_UNKNOWN`, `DENIED`...),
 * so a caller can tell a missing child from a refused push, and says whether the answer was
 * temporary. {@link retryDecision} is the one place that decides whether a failed exchange is
 * worth another try (go-containerregistry's `transport.Error` and `Temporary()` play this part).
 *
 * `AnyarchError.code` stays by status (404 `E_NOT_FOUND`, 401/403 `E_AUTH`, others
 * `E_REGISTRY`), so exit codes and messages do not depend on which registry answered.
 */
import { AnyarchError, isAnyarchError, type ErrorCode } from '../errors.js';
import { discard, isTemporaryStatus, NetworkError, readBody, type HttpResponse } from '../net/http.js';
import { backoffMs, GIVE_UP, retryAfterMs, type RetryChoice, type RetryPolicy } from '../net/retry.js';
import { decodeJson } from '../oci/manifest.js';

/** The error codes of the OCI distribution spec (`errors[].code`). */
export const SPEC_ERROR_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
] as const;

/** A code of the spec, or any other a registry sends (`UNKNOWN`, `UNAVAILABLE`, vendors' own). */
export type RegistryCode = (typeof SPEC_ERROR_CODES)[number] | (string & {});

/** One entry of a registry's `errors[]`. */
export interface RegistryDiagnostic {
  readonly code: RegistryCode;
  readonly message: string;
  /** whatever JSON the registry put there (distribution: the access it lacked, the digest...) */
  readonly detail?: unknown;
}

export interface RegistryErrorInit {
  readonly status: number;
  readonly diagnostics?: readonly RegistryDiagnostic[];
  readonly hint?: string;
  /** what `Retry-After` asked for, ms */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** A registry's refusal, in its own words. */
export class RegistryError extends AnyarchError {
  /** the HTTP status of the answer */
  readonly status: number;
  /** every entry of the answer's `errors[]`, in order (empty when it sent none) */
  readonly diagnostics: readonly RegistryDiagnostic[];
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, init: RegistryErrorInit) {
    super(code, message, init.hint, undefined, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.diagnostics = init.diagnostics ?? [];
    this.retryAfterMs = init.retryAfterMs;
  }

  /** A retry-able answer: 408, 429, 500, 502, 503 or 504 ({@link isTemporaryStatus}), or a registry that says `TOOMANYREQUESTS`. */
  get temporary(): boolean {
    return isTemporaryStatus(this.status) || this.has('TOOMANYREQUESTS');
  }

  /** Whether the registry said `code`. */
  has(code: RegistryCode): boolean {
    return this.diagnostics.some((d) => d.code === code);
  }
}

/** Largest error body read for its diagnostics. */
const MAX_ERROR_BODY = 64 * 1024;
/** Most characters of a registry's message quoted in ours. */
const MAX_QUOTED_MESSAGE = 200;

/**
 * The `errors[]` of an error body; nothing when it is not one (never throws). Read by
 * `decodeJson`, so a `detail` nested deeper than `MAX_JSON_DEPTH` (which redaction would walk)
 * gives none.
 */
export function parseDiagnostics(bytes: Uint8Array): RegistryDiagnostic[] {
  const r = decodeJson(bytes);
  if ('reason' in r) return [];
  const json = r.value;
  const errors = (json as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryDiagnostic[] = [];
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code !== 'string') continue;
    out.push({ code, message: typeof message === 'string' ? message : '', ...(detail !== undefined && detail !== null ? { detail } : {}) });
  }
  return out;
}

/** Reads an error answer's diagnostics (at most 64 KiB of body; an unreadable body gives none). */
export async function readDiagnostics(res: HttpResponse, what: string): Promise<RegistryDiagnostic[]> {
  try {
    return parseDiagnostics(await readBody(res, MAX_ERROR_BODY, what));
  } catch {
    await discard(res);
    return [];
  }
}

/** The next step for a registry that wants a login. */
export const LOGIN_HINT = 'log in (docker login), or point DOCKER_CONFIG at a config with credentials for it';

/**
 * The error for an answer with a status that is not the one wanted: the code by status, a
 * sentence naming the request and the registry's first code, everything it said kept.
 * `attempts` is how many tries a rate limit lasted through (for the sentence).
 */
export function registryError(status: number, diagnostics: readonly RegistryDiagnostic[], what: string, attempts: number, retryAfterMs?: number): RegistryError {
  const first = diagnostics[0];
  const said = `HTTP ${status}${first?.code ? ` ${first.code}` : ''}`;
  const init = (hint?: string): RegistryErrorInit => ({ status, diagnostics, ...(hint !== undefined ? { hint } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  switch (status) {
    case 404:
      return new RegistryError('E_NOT_FOUND', `${what}: not found (${said})`, init());
    case 401:
      return new RegistryError('E_AUTH', `${what}: authentication required (${said})`, init(LOGIN_HINT));
    case 403:
      return new RegistryError('E_AUTH', `${what}: access denied (${said})`, init());
    case 429:
      return new RegistryError('E_REGISTRY', `${what}: rate limited by the registry (${said}) after ${attempts} tries`, init('try again later'));
    default: {
      const message = first?.message.slice(0, MAX_QUOTED_MESSAGE) ?? '';
      return new RegistryError('E_REGISTRY', `${what}: ${said}${message ? `: ${message}` : ''}`, init());
    }
  }
}

/** Reads an answer with an unwanted status into its {@link registryError}. */
export async function readRegistryError(res: HttpResponse, what: string, attempts: number): Promise<RegistryError> {
  const diagnostics = await readDiagnostics(res, what);
  return registryError(res.status, diagnostics, what, attempts, retryAfterMs(res.headers.get('retry-after')));
}

/**
 * Whether an exchange that failed with `err` is worth another try, and after how long:
 *  - a temporary registry answer (408, 429, 500, 502, 503, 504, `TOOMANYREQUESTS`), after what `Retry-After`
 *    asks (up to the policy's ceiling: beyond it, give up and say when to come back) or a
 *    backoff;
 *  - a transient network failure (reset, refused, timed out, a body cut short);
 *  - content that failed its digest on a read (GET, HEAD: the bytes may have been altered on
 *    the way); never on a write, where it means the registry stored something else.
 * Nothing else: a refusal (`DENIED`, `MANIFEST_BLOB_UNKNOWN`, 404...) is final.
 */
export function retryDecision(err: unknown, request: { readonly method: string; readonly what: string }, attempt: number, policy: RetryPolicy): RetryChoice {
  if (err instanceof RegistryError) {
    if (!err.temporary) return GIVE_UP;
    const after = err.retryAfterMs;
    if (after !== undefined && after > policy.maxRetryAfterMs) {
      return {
        retry: false,
        error: new RegistryError('E_REGISTRY', `${request.what}: HTTP ${err.status}; the registry asks to wait ${Math.ceil(after / 1000)} s before trying again`, {
          status: err.status,
          diagnostics: err.diagnostics,
          retryAfterMs: after,
          hint: 'try again later',
        }),
      };
    }
    return { retry: true, waitMs: after ?? backoffMs(policy, attempt), reason: `HTTP ${err.status}` };
  }
  const reading = request.method === 'GET' || request.method === 'HEAD';
  if ((err instanceof NetworkError && err.transient) || (isAnyarchError(err) && err.code === 'E_DIGEST' && reading)) {
    return { retry: true, waitMs: backoffMs(policy, attempt), reason: err.message };
  }
  return GIVE_UP;
}
