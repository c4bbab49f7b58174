// A fake Docker engine on a unix socket, for behaviour a real one does not show on demand
// (breaking off an export, refusing a load, speaking another API version). Tests of the real
// engine use dockerd.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeEngine {
  socket: string;
  /** `METHOD /path` of every request, in order */
  requests: string[];
  close(): Promise<void>;
}

/** Listens on `socket` (a path) and answers every request with `handler`. */
export async function fakeEngine(socket: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeEngine> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
