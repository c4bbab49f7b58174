// A small token service for tests, following distribution's token authentication spec
// (docs/spec/auth/token.md and jwt.md): the registry answers 401 with
// `WWW-Authenticate: Bearer realm=...,service=...,scope=...`, the client asks this server's realm for
// a token, and the registry verifies the JWT against the certificate named by its
// `auth.token.rootcertbundle`.
//
// What distribution 2.8.2 checks (found by trying it; registry.test.ts keeps the essentials proven):
//  - header: `alg` matching the key (ES256 for the P-256 key made here, RS256 for RSA; a mismatch is
//    refused) and a way to find the key. `x5c` (standard base64 DER, leaf first, verified against
//    rootcertbundle; a self-signed cert that is itself in the bundle is fine) is enough, no `kid`.
//    Alternatively `kid` alone works when it is the libtrust fingerprint of a bundle cert's key
//    (base32 of the first 240 bits of sha256(SPKI DER), in colon-separated groups of 4); not used here.
//    `typ` is not checked.
//  - claims: `iss` equal to auth.token.issuer; `aud` a STRING equal to auth.token.service (an array
//    is refused by 2.8.2); `exp` and `nbf` with 60 s of leeway each way (a token expired for less
//    than a minute is still accepted; a missing nbf counts as 0); `iat`, `jti`, `sub` are not checked
//    (sub shows up as auth.user.name in the registry log); `access` entries
//    `{type:'repository', name, actions}` must cover the request, else 401 with
//    `error="insufficient_scope"` in the challenge.
//  - ES256 signatures are JOSE's raw r||s (64 bytes); DER-encoded ones are refused.
import { execFile } from 'node:child_process';
import { randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Which of `actions` `user` (undefined = anonymous) may have on resource `name` (a repository unless `type` says otherwise). */
export type TokenAcl = (user: string | undefined, name: string, actions: string[], type: string) => string[];

export interface TokenServerOptions {
  /** user -> password, checked against the Basic credentials of a token request. */
  users: Record<string, string>;
  /** Default: authenticated users get every action they ask for, anonymous users get nothing. */
  acl?: TokenAcl;
  issuer?: string;
  /** Must equal the registry's auth.token.service; requests naming another service get 400. */
  service?: string;
  /** Lifetime of issued tokens (`expires_in`, `exp - iat`). Default 300. */
  ttlSeconds?: number;
  /** Signing algorithm (and so key type). Default ES256 (EC P-256). */
  alg?: 'ES256' | 'RS256';
}

export interface TokenRequestRecord {
  method: 'GET' | 'POST';
  /** Every requested scope, as sent (`repository:name:pull,push`, ...). */
  scope: string[];
  /** The authenticated user; undefined for anonymous requests and for refused ones. */
  user?: string;
  /** The user name that was claimed (Basic auth or the POST form), whether or not it authenticated. */
  claimedUser?: string;
  service?: string;
  account?: string;
  offlineToken?: boolean;
  grantType?: string;
  status: number;
  /** What the issued token grants (empty when refused). */
  granted: ResourceAccess[];
}

export interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

export interface MintOptions {
  access: ResourceAccess[];
  sub?: string;
  /** Seconds from issuedAt to exp; may be negative. Default: the server's ttlSeconds. */
  ttlSeconds?: number;
  /** Unix seconds; default now. */
  issuedAt?: number;
  audience?: string;
  issuer?: string;
}

export interface TokenServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The token endpoint (url + '/token'): the registry's auth.token.realm. */
  realm: string;
  issuer: string;
  service: string;
  alg: 'ES256' | 'RS256';
  ttlSeconds: number;
  /** PEM certificate of the signing key: the registry's auth.token.rootcertbundle. */
  certFile: string;
  /** Temp dir holding the key and certificate (removed by stop()). */
  dir: string;
  /** Every token request received, in order (for asserting how many tokens a client fetched). */
  requests: TokenRequestRecord[];
  /** Signs a token directly, bypassing the ACL (for expired, foreign-audience, ... tokens). */
  mint(opts: MintOptions): string;
  /** Parses (does not verify) a token this server issued. */
  decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> };
  stop(): Promise<void>;
}

export const defaultAcl: TokenAcl = (user, _name, actions) => (user === undefined ? [] : actions);

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `repository:name:pull,push` -> parts; the name may itself contain ':' (host:port/...). */
export function parseScope(scope: string): ResourceAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (name === '') return undefined;
  return { type, name, actions };
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const issuer = opts.issuer ?? 'anyarch-test-token-issuer';
  const service = opts.service ?? 'anyarch-test-registry';
  const ttlSeconds = opts.ttlSeconds ?? 300;
  const alg = opts.alg ?? 'ES256';
  const acl = opts.acl ?? defaultAcl;
  const users = { ...opts.users };

  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-token-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const keyArgs = alg === 'ES256' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
  try {
    await execFileP('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-sha256', '-days', '2', '-subj', '/CN=anyarch test token issuer', '-keyout', keyFile, '-out', certFile]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('token server: openssl is not installed (run scripts/test-deps.sh)');
    throw new Error(`token server: openssl could not make a key and certificate: ${err.stderr ?? err.message}`);
  }
  const keyPem = readFileSync(keyFile, 'utf8');
  const certDerB64 = new X509Certificate(readFileSync(certFile)).raw.toString('base64');

  const mint = (m: MintOptions): string => {
    const iat = m.issuedAt ?? Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg, x5c: [certDerB64] };
    const claims = {
      iss: m.issuer ?? issuer,
      sub: m.sub ?? '',
      aud: m.audience ?? service,
      exp: iat + (m.ttlSeconds ?? ttlSeconds),
      nbf: iat,
      iat,
      jti: randomUUID(),
      access: m.access.map((a) => ({ type: a.type, name: a.name, actions: [...a.actions] })),
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature =
      alg === 'ES256'
        ? sign('sha256', Buffer.from(signingInput), { key: keyPem, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', Buffer.from(signingInput), keyPem);
    return `${signingInput}.${b64url(signature)}`;
  };

  const requests: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token -> user

  const grant = (user: string | undefined, scopes: string[]): ResourceAccess[] => {
    const out: ResourceAccess[] = [];
    for (const s of scopes) {
      const parsed = parseScope(s);
      if (!parsed) continue;
      const allowed = new Set(acl(user, parsed.name, [...parsed.actions], parsed.type));
      const actions = parsed.actions.filter((a) => allowed.has(a));
      if (actions.length === 0) continue;
      const existing = out.find((a) => a.type === parsed.type && a.name === parsed.name);
      if (existing) existing.actions = [...new Set([...existing.actions, ...actions])];
      else out.push({ type: parsed.type, name: parsed.name, actions });
    }
    return out;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname !== '/token') return send(res, 404, { details: 'not found' });
    if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, { details: 'method not allowed' }, { allow: 'GET, POST' });

    const splitScopes = (values: string[]): string[] => values.flatMap((v) => v.split(' ')).filter((s) => s !== '');
    const record: TokenRequestRecord = { method: req.method, scope: [], status: 0, granted: [] };
    requests.push(record);
    const finish = (status: number, body: unknown, headers?: Record<string, string>): void => {
      record.status = status;
      send(res, status, body, headers);
    };
    const unauthorized = (): void =>
      finish(401, { details: 'authentication failed' }, { 'www-authenticate': `Basic realm="${issuer}"` });

    let user: string | undefined;
    let params: URLSearchParams;
    if (req.method === 'GET') {
      params = u.searchParams;
      const authz = req.headers.authorization;
      if (authz !== undefined) {
        const m = /^Basic\s+(\S+)$/i.exec(authz);
        if (!m) return unauthorized();
        const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const name = colon < 0 ? decoded : decoded.slice(0, colon);
        const password = colon < 0 ? '' : decoded.slice(colon + 1);
        record.claimedUser = name;
        if (!Object.hasOwn(users, name) || users[name] !== password) return unauthorized();
        user = name;
      }
    } else {
      // The OAuth2 flavour (docs/spec/auth/oauth.md): a form with grant_type password or refresh_token.
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const grantType = params.get('grant_type') ?? '';
      record.grantType = grantType;
      if (grantType === 'password') {
        const name = params.get('username') ?? '';
        record.claimedUser = name;
        if (!Object.hasOwn(users, name) || users[name] !== (params.get('password') ?? '')) return unauthorized();
        user = name;
      } else if (grantType === 'refresh_token') {
        const owner = refreshTokens.get(params.get('refresh_token') ?? '');
        if (owner === undefined) return unauthorized();
        record.claimedUser = owner;
        user = owner;
      } else {
        return finish(400, { details: `unsupported grant_type ${JSON.stringify(grantType)}` });
      }
    }
    record.user = user;
    record.scope = splitScopes(params.getAll('scope'));
    const svc = params.get('service') ?? undefined;
    if (svc !== undefined) record.service = svc;
    const account = params.get('account') ?? params.get('username') ?? undefined;
    if (account !== undefined) record.account = account;
    const offline = params.get('offline_token') === 'true' || (req.method === 'POST' && params.get('access_type') === 'offline');
    if (offline) record.offlineToken = true;
    if (svc !== undefined && svc !== service) return finish(400, { details: `unknown service ${JSON.stringify(svc)}` });

    const granted = grant(user, record.scope);
    record.granted = granted;
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = mint({ access: granted, sub: user ?? '', issuedAt });
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: ttlSeconds,
      issued_at: new Date(issuedAt * 1000).toISOString(),
    };
    if ((offline || req.method === 'POST') && user !== undefined) {
      const refresh = randomUUID();
      refreshTokens.set(refresh, user);
      body.refresh_token = refresh;
    }
    finish(200, body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { details: String(e) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A forgotten stop() must not keep the test process alive; the exit hook removes the files.
  server.unref();
  server.on('connection', (socket) => socket.unref());
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url,
    realm: `${url}/token`,
    issuer,
    service,
    alg,
    ttlSeconds,
    certFile,
    dir,
    requests,
    mint,
    decode(token) {
      const [h, c] = token.split('.');
      return {
        header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
        claims: JSON.parse(Buffer.from(c ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
      };
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => {
        process.off('exit', removeDir);
        removeDir();
      });
      return stopped;
    },
  };
}
