// A fault-injecting HTTP proxy for tests: it sits on 127.0.0.1 in front of a real upstream (the
// registry of registry.ts) and, for requests that match a rule, answers with an error status,
// resets the connection, truncates or corrupts the body, or delays the answer. Everything else
// is forwarded as is: method, path, headers (Host rewritten to the upstream, absolute URLs of the
// upstream in Location / Content-Location / Link / WWW-Authenticate realm rewritten to the
// proxy) and bodies streamed both ways.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, pipeline } from 'node:stream';

export type Fault =
  /** answer with this status (after reading the request body) without asking the upstream */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** reset the connection (TCP RST) before any response */
  | { kind: 'reset' }
  /** forward the upstream's headers (with its Content-Length) and only its first N body bytes, then close */
  | { kind: 'truncate'; afterBytes: number }
  /** flip the lowest bit of one byte of the upstream body (default: the middle byte, else byte 0) */
  | { kind: 'corrupt'; atByte?: number }
  /** wait this long, then forward */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  /** method compared case-insensitively; path tested against the path (without and with the query) */
  match: { method?: string; path?: RegExp };
  /** applied to successive matching requests; once used up, matching requests pass through */
  faults: Fault[];
}

export interface FaultLogEntry {
  method: string;
  /** the request target as received (path and query) */
  path: string;
  /** the fault applied, e.g. 'status 503', 'reset', 'truncate 100', 'corrupt@12', 'delay 50' */
  fault?: string;
  /** the status the client was sent (none for a reset or an upstream that failed before answering) */
  status?: number;
  /** Date.now() when the request arrived */
  at: number;
}

export interface FaultProxy {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** '127.0.0.1:PORT' */
  host: string;
  /** Replaces the rules (their fault lists are copied; the caller's arrays are not consumed). */
  setRules(rules: FaultRule[]): void;
  /** Every request, in arrival order. */
  log: FaultLogEntry[];
  /** Closes the listener and every connection (pending delays included); idempotent. */
  stop(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade'];

function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'status':
      return `status ${f.status}`;
    case 'reset':
      return 'reset';
    case 'truncate':
      return `truncate ${f.afterBytes}`;
    case 'corrupt':
      return f.atByte === undefined ? 'corrupt' : `corrupt@${f.atByte}`;
    case 'delay':
      return `delay ${f.ms}`;
  }
}

/** Drops hop-by-hop headers, including those the Connection header names. */
function stripHopByHop(headers: http.IncomingHttpHeaders, extra: readonly string[]): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  const named = String(headers['connection'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...extra, ...named]) delete out[h];
  return out;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const up = new URL(upstream);
  if (up.protocol !== 'http:') throw new Error(`fault proxy: upstream must be http://, got ${upstream}`);
  const upOrigin = up.origin.toLowerCase();
  const upHostname = up.hostname.replace(/^\[|\]$/g, '');
  const upPort = Number(up.port || 80);

  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const log: FaultLogEntry[] = [];
  let rules: FaultRule[] = [];
  let stopped = false;
  let proxyOrigin = '';

  /** an absolute URL of the upstream made to point at the proxy; anything else unchanged */
  const rewriteUrl = (value: string): string => {
    const lower = value.toLowerCase();
    if (!lower.startsWith(upOrigin)) return value;
    const rest = value.slice(upOrigin.length);
    if (rest !== '' && !/^[/?#]/.test(rest)) return value; // e.g. http://127.0.0.1:50001 vs :5000
    return proxyOrigin + rest;
  };

  const responseHeaders = (headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders => {
    const out = stripHopByHop(headers, ['transfer-encoding']);
    for (const name of ['location', 'content-location']) {
      const v = out[name];
      if (typeof v === 'string') out[name] = rewriteUrl(v);
    }
    const link = out['link'];
    if (typeof link === 'string') out['link'] = link.replace(/<([^>]*)>/g, (_m, u: string) => `<${rewriteUrl(u)}>`);
    const auth = out['www-authenticate'];
    if (auth !== undefined) {
      const fix = (v: string): string => v.replace(/(realm=")([^"]*)(")/gi, (_m, a: string, u: string, b: string) => a + rewriteUrl(u) + b);
      out['www-authenticate'] = Array.isArray(auth) ? auth.map(fix) : fix(String(auth));
    }
    return out;
  };

  const take = (method: string, target: string): Fault | undefined => {
    const pathname = target.split('?')[0] ?? target;
    for (const rule of rules) {
      if (rule.faults.length === 0) continue;
      if (rule.match.method && rule.match.method.toUpperCase() !== method.toUpperCase()) continue;
      const re = rule.match.path;
      if (re) {
        re.lastIndex = 0;
        const hit = re.test(pathname) || ((re.lastIndex = 0), re.test(target));
        re.lastIndex = 0;
        if (!hit) continue;
      }
      return rule.faults.shift();
    }
    return undefined;
  };

  const hardReset = (socket: Socket): void => {
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  };

  /** ends the connection after what is queued on it has been sent */
  const closeAfterFlush = (socket: Socket): void => {
    const kill = setTimeout(() => socket.destroy(), 1000);
    kill.unref();
    socket.once('finish', () => {
      clearTimeout(kill);
      socket.destroy();
    });
    socket.end();
  };

  const answerStatus = (req: http.IncomingMessage, res: http.ServerResponse, f: Extract<Fault, { kind: 'status' }>, entry: FaultLogEntry): void => {
    const send = (): void => {
      if (res.destroyed) return;
      const body = f.body ?? JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected fault: status ${f.status}` }] });
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
      for (const [k, v] of Object.entries(f.headers ?? {})) headers[k.toLowerCase()] = v;
      headers['content-length'] = Buffer.byteLength(body);
      entry.status = f.status;
      res.writeHead(f.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    // read the request body first, as a server would, so the client is not cut off mid-upload
    req.on('end', send);
    req.resume();
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, entry: FaultLogEntry, fault?: Fault): void => {
    const headers = stripHopByHop(req.headers, ['expect']);
    headers['host'] = up.host;
    const upReq = http.request({
      host: upHostname,
      port: upPort,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy();
    });
    upReq.on('error', () => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      entry.status = 502;
      const body = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'fault proxy: upstream unreachable' }] });
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    upReq.on('response', (upRes) => {
      const status = upRes.statusCode ?? 502;
      entry.status = status;
      const headers = responseHeaders(upRes.headers);
      res.writeHead(status, headers);

      if (fault?.kind === 'truncate') {
        let remaining = Math.max(0, fault.afterBytes);
        let cut = false;
        let written = 0;
        const finish = (): void => {
          if (cut) return;
          cut = true;
          upRes.destroy();
          // writeHead only stores the head; with no body byte written it must still go out
          if (written === 0) res.flushHeaders();
          closeAfterFlush(req.socket);
        };
        if (remaining === 0) {
          finish();
          return;
        }
        upRes.on('data', (chunk: Buffer) => {
          if (cut) return;
          const part = chunk.length <= remaining ? chunk : chunk.subarray(0, remaining);
          remaining -= part.length;
          written += part.length;
          const ok = res.write(part);
          if (remaining === 0) finish();
          else if (!ok) {
            upRes.pause();
            res.once('drain', () => upRes.resume());
          }
        });
        upRes.on('end', finish); // a body shorter than afterBytes: all of it, then the close anyway
        upRes.on('error', () => res.destroy());
        return;
      }

      if (fault?.kind === 'corrupt') {
        const length = Number(upRes.headers['content-length']);
        const at = fault.atByte ?? (Number.isFinite(length) && length > 0 ? Math.floor(length / 2) : 0);
        entry.fault = `corrupt@${at}`;
        let offset = 0;
        const flip = new Transform({
          transform(chunk: Buffer, _enc, done) {
            let out = chunk;
            if (at >= offset && at < offset + chunk.length) {
              out = Buffer.from(chunk);
              out[at - offset] = (out[at - offset] ?? 0) ^ 0x01;
            }
            offset += chunk.length;
            done(null, out);
          },
        });
        pipeline(upRes, flip, res, (err) => {
          if (err) res.destroy();
        });
        return;
      }

      pipeline(upRes, res, (err) => {
        if (err) res.destroy();
      });
    });
    pipeline(req, upReq, (err) => {
      if (err) upReq.destroy();
    });
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const entry: FaultLogEntry = { method, path: target, at: Date.now() };
    log.push(entry);
    const fault = take(method, target);
    if (fault) entry.fault = describeFault(fault);

    switch (fault?.kind) {
      case 'reset':
        hardReset(req.socket);
        return;
      case 'status':
        answerStatus(req, res, fault, entry);
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (stopped || res.destroyed || req.socket.destroyed) return;
          forward(req, res, entry);
        }, Math.max(0, fault.ms));
        timers.add(timer);
        return;
      }
      default:
        forward(req, res, entry, fault);
    }
  };

  const server = http.createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  proxyOrigin = `http://127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  return {
    url: proxyOrigin,
    host: `127.0.0.1:${port}`,
    log,
    setRules(next: FaultRule[]): void {
      rules = next.map((r) => ({ match: { ...r.match }, faults: [...r.faults] }));
    },
    stop(): Promise<void> {
      stopping ??= new Promise<void>((resolve) => {
        stopped = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        agent.destroy();
      });
      return stopping;
    },
  };
}
