/**
 * Registry authentication: the `WWW-Authenticate` challenge (RFC 7235 syntax), Basic, and the
 * Bearer token flow of distribution's token spec (`docs/spec/auth/token.md`): ask the realm for
 * a token for a scope, with Basic credentials or an identity (refresh) token, reuse it for that
 * scope until shortly before it expires.
 */
import { AnyarchError } from '../errors.js';
import { decodeJson } from '../oci/manifest.js';
import type { Credential } from './credentials.js';
import { discard, isTemporaryStatus, NetworkError, readBody, redactUserInfo, send } from '../net/http.js';

export interface Challenge {
  /** lower-case scheme: `basic`, `bearer`, ... */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a `WWW-Authenticate` value into its challenges. Parameters are `key=token` or
 * `key="quoted, string"`; commas separate parameters and challenges alike, so a new challenge
 * starts where a bare token is not followed by `=`.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skip = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
  };
  const token = (): string => {
    const s = i;
    while (i < n && !' \t,="'.includes(header[i] as string)) i++;
    return header.slice(s, i);
  };
  while (i < n) {
    skip();
    const word = token();
    if (!word) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && (header[j] === ' ' || header[j] === '\t')) j++;
    const current = out[out.length - 1];
    if (header[j] === '=' && current) {
      i = j + 1;
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else value = token();
      current.params[word.toLowerCase()] = value;
    } else {
      out.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return out;
}

/** `Basic base64(user:pass)` for a credential with a username and password. */
export function basicAuthorization(cred: Credential | undefined): string | undefined {
  if (!cred?.username || cred.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
}

/** A scope string of the token spec: `repository:<name>:<actions>`. */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

export interface Token {
  readonly value: string;
  /** epoch ms after which the token is not used again */
  readonly expiresAt: number;
}

/** Largest token response read (tokens are small; a huge answer is a broken or hostile server). */
const MAX_TOKEN_BYTES = 1024 * 1024;
/** Longest a token is reused, whatever `expires_in` says (a day; a later 401 asks for a new one anyway). */
export const MAX_TOKEN_LIFETIME_S = 24 * 60 * 60;

export interface TokenRequest {
  readonly realm: string;
  readonly service?: string;
  readonly scopes: readonly string[];
  readonly credential?: Credential;
  /** whether a plain-HTTP realm may receive credentials (only for loopback or named insecure hosts) */
  readonly allowHttp: (host: string) => boolean;
  /** without a signal: how long to wait for the answer's headers; always: how long its body may stay silent, ms */
  readonly timeoutMs: number;
  /** the deadline of the operation that needs the token: it ends the token fetch too */
  readonly signal?: AbortSignal;
  readonly userAgent: string;
  /** for messages: the registry */
  readonly registry: string;
  readonly now?: () => number;
}

/**
 * Fetches a token from the realm. With an identity token it uses the OAuth2 refresh-token grant
 * (POST), otherwise GET with Basic credentials when there are any (anonymous otherwise). The
 * answer's `token` or `access_token` is used; `expires_in` defaults to 60 s as the spec says.
 */
export async function fetchToken(req: TokenRequest): Promise<Token> {
  const now = req.now ?? Date.now;
  let realm: URL;
  try {
    realm = new URL(req.realm);
  } catch {
    throw new AnyarchError('E_REGISTRY', `${req.registry}: the registry names an invalid token realm "${redactUserInfo(req.realm.slice(0, 200))}"`);
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    throw new AnyarchError('E_REGISTRY', `${req.registry}: the registry names a token realm that is a ${realm.protocol} URL; anyarch asks only http and https realms`);
  }
  if (realm.username !== '' || realm.password !== '') {
    throw new AnyarchError('E_REGISTRY', `${req.registry}: the registry names a token realm with user-info (credentials in the URL, ${realm.protocol}//***@${realm.host}); anyarch does not use it`);
  }
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && req.allowHttp(realm.host))) {
    throw new AnyarchError(
      'E_AUTH',
      `${req.registry}: the token realm ${realm.protocol}//${realm.host} is not HTTPS; anyarch does not send credentials there`,
      'use --insecure-registry for a registry you trust on a private network',
    );
  }
  const headers: Record<string, string> = { 'user-agent': req.userAgent, accept: 'application/json' };
  let method: 'GET' | 'POST' = 'GET';
  let body: Uint8Array | undefined;
  const cred = req.credential;
  if (cred?.identityToken) {
    method = 'POST';
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.identityToken, client_id: 'anyarch' });
    if (req.service) form.set('service', req.service);
    if (req.scopes.length) form.set('scope', req.scopes.join(' '));
    body = Buffer.from(form.toString());
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (req.service) realm.searchParams.set('service', req.service);
    for (const s of req.scopes) realm.searchParams.append('scope', s);
    const basic = basicAuthorization(cred);
    if (basic) headers.authorization = basic;
  }
  const what = `token for ${req.registry}`;
  const issued = now();
  const res = await send({ method, url: realm.toString(), headers, what, ...(body ? { body } : {}) }, { timeoutMs: req.timeoutMs, ...(req.signal ? { signal: req.signal } : {}) });
  if (res.status !== 200) {
    await discard(res);
    if (res.status === 401 || res.status === 403) {
      throw new AnyarchError(
        'E_AUTH',
        `${req.registry}: the token service refused ${cred ? 'the credentials' : 'anonymous access'} (HTTP ${res.status})`,
        cred ? 'check the credentials in your Docker config (docker login)' : 'log in first (docker login), or set DOCKER_CONFIG',
      );
    }
    if (isTemporaryStatus(res.status)) throw new NetworkError(`${what}: HTTP ${res.status} from the token service ${realm.host}`, true);
    throw new AnyarchError('E_REGISTRY', `${what}: HTTP ${res.status} from the token service ${realm.host}`);
  }
  const bytes = await readBody(res, MAX_TOKEN_BYTES, what);
  const parsed = decodeJson(bytes);
  if ('reason' in parsed || typeof parsed.value !== 'object' || parsed.value === null) {
    throw new AnyarchError('E_REGISTRY', `${what}: the token service answered with something that is not a JSON object`);
  }
  const json = parsed.value as Record<string, unknown>;
  const value = typeof json.token === 'string' && json.token ? json.token : typeof json.access_token === 'string' ? json.access_token : '';
  if (!value) throw new AnyarchError('E_REGISTRY', `${what}: the token service answered without a token`);
  // a token goes into a header: one with control characters or spaces would be echoed by the
  // HTTP library's error, so it is refused here without showing it
  if (!/^[\x21-\x7e]+$/.test(value)) throw new AnyarchError('E_REGISTRY', `${what}: the token service answered with a malformed token`);
  const ttl = typeof json.expires_in === 'number' && json.expires_in > 0 ? Math.min(json.expires_in, MAX_TOKEN_LIFETIME_S) : 60;
  const issuedAt = typeof json.issued_at === 'string' && !Number.isNaN(Date.parse(json.issued_at)) ? Math.min(Date.parse(json.issued_at), issued) : issued;
  // stop using a token a little before it expires: requests take time to arrive
  const margin = Math.min(5000, ttl * 250);
  return { value, expiresAt: issuedAt + ttl * 1000 - margin };
}
