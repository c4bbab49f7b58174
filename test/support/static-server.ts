// A static file server on 127.0.0.1 for release assets (what prebuild-install and node-pre-gyp
// download): GET and HEAD of the paths it was given, 404 for everything else, and the list of
// requests it saw (`HEAD /v1.0.0/x.tar.gz`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly requests: string[];
  /** adds or replaces a file (path without the leading slash) */
  put(file: string, body: Uint8Array | string): void;
  stop(): Promise<void>;
}

export async function startStaticServer(files: Readonly<Record<string, Uint8Array | string>> = {}): Promise<StaticServer> {
  const tree = new Map<string, Buffer>(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const p = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, '');
    requests.push(`${req.method} /${p}`);
    const body = tree.get(p);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || body === undefined) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-length': '0' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    requests,
    put(file, body) {
      tree.set(file.replace(/^\/+/, ''), Buffer.from(body));
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
}
