// A hostile HTTP server for tests, on 127.0.0.1: for each request it reads the request head and
// then, by the request's path, misbehaves the way a broken or malicious registry can: says
// nothing at all, resets the connection, sends its headers and then stalls the body forever,
// trickles its answer one byte at a time (headers included), or redirects where a client must
// not go. It speaks raw TCP (node:net) so that nothing in Node's HTTP server tidies up after it.
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export type Misbehaviour =
  /** accept the connection, read the request, answer nothing, never close */
  | { readonly kind: 'silent' }
  /** reset the connection (TCP RST) once the request has arrived */
  | { readonly kind: 'reset' }
  /** send a 200's headers announcing `length` bytes, then nothing, never close */
  | { readonly kind: 'stall-body'; readonly length?: number }
  /** send a 200 announcing `length` bytes one byte every `everyMs`, from the first header byte (`head`) or from the body on */
  | { readonly kind: 'trickle'; readonly everyMs: number; readonly from: 'head' | 'body'; readonly length?: number }
  /** answer `status` with `location` */
  | { readonly kind: 'redirect'; readonly location: string; readonly status?: number }
  /** a plain answer */
  | { readonly kind: 'answer'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string | Uint8Array };

export interface HostileServer {
  /** '127.0.0.1:PORT' */
  readonly host: string;
  /** the path of every request received, in order */
  readonly requests: string[];
  stop(): Promise<void>;
}

const MANIFEST_TYPE = 'application/vnd.oci.image.index.v1+json';

/** Starts the server; `behave(path)` says what to do with each request (by its path). */
export async function startHostileServer(behave: (path: string) => Misbehaviour): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: string[] = [];

  const trickle = (socket: net.Socket, bytes: Buffer, everyMs: number): void => {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= bytes.length) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      socket.write(bytes.subarray(i, i + 1));
      i++;
    }, everyMs);
    timers.add(timer);
  };

  const act = (socket: net.Socket, path: string): void => {
    const m = behave(path);
    const head = (status: number, headers: Record<string, string>): string =>
      `HTTP/1.1 ${status} X\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`;
    switch (m.kind) {
      case 'silent':
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'stall-body':
        socket.write(head(200, { 'content-type': MANIFEST_TYPE, 'content-length': String(m.length ?? 1000) }));
        return;
      case 'trickle': {
        const length = m.length ?? 100_000;
        const h = Buffer.from(head(200, { 'content-type': MANIFEST_TYPE, 'content-length': String(length) }));
        const body = Buffer.alloc(length, 0x20);
        if (m.from === 'body') {
          socket.write(h);
          trickle(socket, body, m.everyMs);
        } else trickle(socket, Buffer.concat([h, body]), m.everyMs);
        return;
      }
      case 'redirect':
        socket.end(head(m.status ?? 307, { location: m.location, 'content-length': '0' }));
        return;
      case 'answer': {
        const body = typeof m.body === 'string' || m.body === undefined ? Buffer.from(m.body ?? '') : Buffer.from(m.body);
        socket.end(Buffer.concat([Buffer.from(head(m.status, { ...m.headers, 'content-length': String(body.length), connection: 'close' })), body]));
        return;
      }
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const path = buffered.slice(0, end).split(' ')[1] ?? '/';
      requests.push(path);
      act(socket, path);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    stop(): Promise<void> {
      stopping ??= new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return stopping;
    },
  };
}
