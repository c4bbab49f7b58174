// Starts verdaccio, a real npm registry, for the npm `deps` tests: on 127.0.0.1 only, with its
// own config and storage in a temp dir, NO uplinks (a package it was not given is a 404: it never
// reaches the internet), open publish, and a user made the way `npm adduser` makes one (PUT
// /-/user/org.couchdb.user:<name>), whose token a private npmrc carries for `npm publish`.
// verdaccio 6.8.0 is installed by scripts/test-deps.sh into .cache/test-tools/verdaccio (not a
// dependency of the project); its absence is an error naming that script, never a skip.
// Start it once per test file: it takes about a second.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnDaemon } from './daemon.js';
import { freePort } from './registry.js';

export const VERDACCIO_VERSION = '6.8.0';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3000;

export interface Verdaccio {
  /** `http://127.0.0.1:PORT/` */
  readonly registry: string;
  /** the publishing user's token (for `//127.0.0.1:PORT/:_authToken`) */
  readonly token: string;
  /** an npmrc with the registry and the token, for `npm --userconfig` */
  readonly npmrc: string;
  /** a scratch directory removed with the registry (npm caches, package dirs) */
  readonly dir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** The repository's root, from dist/test/support. */
export function repoRoot(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
}

export function verdaccioScript(): string {
  const script = path.join(repoRoot(), '.cache', 'test-tools', 'verdaccio', 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (!existsSync(script)) {
    throw new Error(`verdaccio ${VERDACCIO_VERSION} is not installed at ${script}: run scripts/test-deps.sh (npm test runs it first)`);
  }
  return script;
}

/** The config, as JSON (which is YAML): storage and htpasswd in `dir`, no uplinks, no web UI. */
function config(dir: string, port: number): string {
  const access = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  return JSON.stringify(
    {
      storage: path.join(dir, 'storage'),
      auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: 10 } },
      uplinks: {},
      packages: { '@*/*': access, '**': access },
      web: { enable: false },
      max_body_size: '20mb',
      log: { type: 'stdout', format: 'json', level: 'warn' },
      listen: `127.0.0.1:${port}`,
    },
    null,
    2,
  );
}

async function ping(registry: string): Promise<boolean> {
  try {
    const res = await fetch(`${registry}-/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startVerdaccio(): Promise<Verdaccio> {
  const script = verdaccioScript();
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-verdaccio-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const registry = `http://127.0.0.1:${port}/`;
      const configFile = path.join(dir, 'config.yaml');
      writeFileSync(configFile, config(dir, port));
      const daemon = spawnDaemon({ name: 'verdaccio', binary: process.execPath, args: [script, '--config', configFile], dirs: [dir] });
      const deadline = Date.now() + START_TIMEOUT_MS;
      let ready = false;
      while (!ready && daemon.exited() === undefined && Date.now() < deadline) {
        ready = await ping(registry);
        if (!ready) await new Promise((r) => setTimeout(r, 50));
      }
      if (!ready) {
        const out = daemon.output();
        const why = daemon.exited();
        await daemon.discard();
        if (/EADDRINUSE/.test(out) && attempt < 5) continue;
        throw new Error(`verdaccio did not answer ${registry}-/ping (${why ?? `within ${START_TIMEOUT_MS} ms`}); its output:\n${out}`);
      }
      const res = await fetch(`${registry}-/user/org.couchdb.user:fx`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _id: 'org.couchdb.user:fx', name: 'fx', password: 'fx-fixtures-password', type: 'user', roles: [] }),
      });
      const body = (await res.json()) as { token?: string };
      if (res.status !== 201 || !body.token) {
        await daemon.discard();
        throw new Error(`verdaccio refused the fixture user (${res.status}: ${JSON.stringify(body)})`);
      }
      const npmrc = path.join(dir, 'npmrc');
      writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${body.token}\n`);
      let stopping: Promise<void> | undefined;
      return {
        registry,
        token: body.token,
        npmrc,
        dir,
        logs: daemon.output,
        stop() {
          stopping ??= (async () => {
            await daemon.terminate(STOP_TIMEOUT_MS);
            rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
          })();
          return stopping;
        },
      };
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    throw e;
  }
}
