// Starts the real registry (distribution's `docker-registry`, Debian package docker-registry) for
// tests, listening on 127.0.0.1 only, with no auth, htpasswd auth or token auth (token-server.ts).
// Missing binaries are an error, never a skip: scripts/test-deps.sh installs them.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { spawnDaemon } from './daemon.js';
import { startTokenServer, type TokenAcl, type TokenServer } from './token-server.js';

const execFileP = promisify(execFile);

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; users: Record<string, string> }
  | {
      kind: 'token';
      users: Record<string, string>;
      /** Default: authenticated users get every action they ask for, anonymous users nothing. */
      acl?: TokenAcl;
      tokenTtlSeconds?: number;
      alg?: 'ES256' | 'RS256';
    };

export interface TestRegistry {
  /** '127.0.0.1:PORT' */
  host: string;
  /** 'http://127.0.0.1:PORT' */
  url: string;
  auth: RegistryAuth;
  /** The token service, for auth kind 'token'. */
  tokenServer?: TokenServer;
  /** The registry's storage root (filesystem driver). */
  dataDir: string;
  /** The config file the registry was started with. */
  configFile: string;
  /** Stops the registry (and its token server) and removes its files; idempotent. */
  stop(): Promise<void>;
  /** What the registry wrote to stdout/stderr so far (log level warn). */
  logs(): string;
}

const BINARY = 'docker-registry';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3000;
const NONCE_HEADER = 'X-Anyarch-Test-Registry';

/** A port on 127.0.0.1 free a moment ago (the caller retries when it is taken by then). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function checkBinary(): Promise<void> {
  try {
    await execFileP(BINARY, ['--version']);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${BINARY} is not installed: the registry tests need the real registry (apt-get install docker-registry, or run scripts/test-deps.sh)`);
    }
    throw e;
  }
}

async function makeHtpasswd(users: Record<string, string>, file: string): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    try {
      // -C 4: the cheapest bcrypt cost, so logins stay fast in tests.
      const { stdout } = await execFileP('htpasswd', ['-Bbn', '-C', '4', user, password]);
      lines.push(stdout.trim());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('htpasswd is not installed (apt-get install apache2-utils, or run scripts/test-deps.sh)');
      throw e;
    }
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

/** GET /v2/ until this registry (its nonce header) answers 200 or 401, the process dies, or the timeout passes. */
async function waitReady(url: string, nonce: string, exited: () => boolean, logs: () => string): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited()) return 'exited';
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if ((res.status === 200 || res.status === 401) && res.headers.get(NONCE_HEADER) === nonce) return 'ready';
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`registry did not answer GET ${url}/v2/ within ${START_TIMEOUT_MS} ms; its output:\n${logs()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startRegistry(opts: { auth?: RegistryAuth } = {}): Promise<TestRegistry> {
  const auth: RegistryAuth = opts.auth ?? { kind: 'none' };
  await checkBinary();

  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-registry-'));
  const dataDir = path.join(dir, 'data');
  const nonce = randomBytes(8).toString('hex');
  const configFile = path.join(dir, 'config.yml');
  let tokenServer: TokenServer | undefined;

  try {
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'warn', formatter: 'text', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      // The nonce header tells this registry's answers apart from anything else that might answer
      // on a port that was free a moment ago.
      http: { addr: '', secret: randomBytes(16).toString('hex'), headers: { 'X-Content-Type-Options': ['nosniff'], [NONCE_HEADER]: [nonce] } },
    };
    if (auth.kind === 'htpasswd') {
      const file = path.join(dir, 'htpasswd');
      await makeHtpasswd(auth.users, file);
      config.auth = { htpasswd: { realm: 'anyarch-test-registry', path: file } };
    } else if (auth.kind === 'token') {
      tokenServer = await startTokenServer({
        users: auth.users,
        ...(auth.acl ? { acl: auth.acl } : {}),
        ...(auth.tokenTtlSeconds !== undefined ? { ttlSeconds: auth.tokenTtlSeconds } : {}),
        ...(auth.alg ? { alg: auth.alg } : {}),
      });
      config.auth = {
        token: {
          realm: tokenServer.realm,
          service: tokenServer.service,
          issuer: tokenServer.issuer,
          rootcertbundle: tokenServer.certFile,
        },
      };
    }

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      const url = `http://${host}`;
      (config.http as Record<string, unknown>).addr = host;
      // JSON is YAML: no quoting questions for paths.
      writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');

      const daemon = spawnDaemon({ name: 'registry', binary: BINARY, args: ['serve', configFile], dirs: tokenServer ? [dir, tokenServer.dir] : [dir] });
      const { output } = daemon;
      let state: 'ready' | 'exited';
      try {
        state = await waitReady(url, nonce, () => daemon.exited() !== undefined, output);
      } catch (e) {
        await daemon.discard();
        throw e;
      }
      if (state === 'exited') {
        await daemon.discard();
        if (/address already in use/i.test(output()) && attempt < 5) continue;
        throw new Error(`${BINARY} exited (${daemon.exited()}) before answering on ${url}; its output:\n${output()}`);
      }

      let stopping: Promise<void> | undefined;
      const registry: TestRegistry = {
        host,
        url,
        auth,
        dataDir,
        configFile,
        logs: output,
        stop() {
          stopping ??= (async () => {
            await daemon.terminate(STOP_TIMEOUT_MS);
            await tokenServer?.stop();
            rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
          })();
          return stopping;
        },
      };
      if (tokenServer) registry.tokenServer = tokenServer;
      return registry;
    }
  } catch (e) {
    await tokenServer?.stop();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    throw e;
  }
}
