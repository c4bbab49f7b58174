// The machinery the test harnesses (dockerd.ts, registry.ts) share for a long-running daemon:
// its output kept in memory (the last MAX_LOG_CHARS characters), its exit tracked, neither the
// process nor its pipes keeping the test process alive, a watchdog that stops it and removes its
// files if the test process dies without running its exit hooks, and an exit hook that does the
// same for a daemon a test forgot to stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const MAX_LOG_CHARS = 1_000_000;

export interface DaemonSpec {
  /** short name, for the watchdog's process name (`anyarch-<name>-watchdog`) */
  name: string;
  binary: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** What the watchdog and the exit hook remove once the daemon is dead. */
  dirs: string[];
  /** How the exit hook removes one of `dirs` (default: rm -rf). */
  removeDir?: (dir: string) => void;
  /** Shell commands the watchdog runs once the daemon is dead, before `rm -rf "$@"` ("$@" is `dirs`). */
  watchdogBeforeRemove?: string;
}

export interface Daemon {
  child: ChildProcess;
  /** What the daemon wrote to stdout and stderr so far (the last MAX_LOG_CHARS characters). */
  output(): string;
  /** How it ended (`exit code 1`, `signal SIGTERM`, `spawn error: ...`), or undefined while it runs. */
  exited(): string | undefined;
  /** Resolves when the process has exited (or failed to spawn). */
  exitPromise: Promise<void>;
  /** Kills the daemon and its watchdog at once and forgets them; resolves when it has exited. Removes no files. */
  discard(): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. Removes no files. */
  terminate(graceMs: number): Promise<void>;
}

interface Live {
  child: ChildProcess;
  watchdog: ChildProcess | undefined;
  dirs: string[];
  removeDir: (dir: string) => void;
}
const live = new Set<Live>();
let exitHookInstalled = false;

function rmDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Backstop for a test that forgot its after() hook: the daemons are unref'd, so the process can
  // exit, and then they are killed here. (The watchdog covers a killed test process.)
  process.on('exit', () => {
    for (const l of live) {
      l.child.kill('SIGKILL');
      l.watchdog?.kill('SIGKILL');
      for (const dir of l.dirs) {
        try {
          l.removeDir(dir);
        } catch {
          // best effort
        }
      }
    }
    live.clear();
  });
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

/**
 * If the test process dies without running its exit hooks (SIGKILL, SIGTERM from a test timeout),
 * the watchdog's stdin reaches EOF: it stops the daemon (TERM, KILL after 5 s), runs
 * `beforeRemove` and removes `dirs`.
 */
function startWatchdog(name: string, pid: number, dirs: string[], beforeRemove: string | undefined): ChildProcess {
  const script = [
    'read _ignored',
    'kill -TERM "$1" 2>/dev/null',
    'n=0; while kill -0 "$1" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done',
    'kill -KILL "$1" 2>/dev/null; sleep 0.2',
    'shift',
    ...(beforeRemove !== undefined ? [beforeRemove] : []),
    'rm -rf "$@"',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, `anyarch-${name}-watchdog`, String(pid), ...dirs], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {});
  watchdog.unref();
  unrefStream(watchdog.stdin);
  return watchdog;
}

export function spawnDaemon(spec: DaemonSpec): Daemon {
  installExitHook();
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
  };
  const child = spawn(spec.binary, spec.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(spec.env ? { env: spec.env } : {}),
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
  });
  let exitInfo: string | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (e) => {
      exitInfo = `spawn error: ${e.message}`;
      resolve();
    });
  });
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  // Neither the process nor its pipes keep the test process alive (see installExitHook).
  child.unref();
  unrefStream(child.stdout);
  unrefStream(child.stderr);

  const watchdog = child.pid !== undefined ? startWatchdog(spec.name, child.pid, spec.dirs, spec.watchdogBeforeRemove) : undefined;
  const entry: Live = { child, watchdog, dirs: spec.dirs, removeDir: spec.removeDir ?? rmDir };
  live.add(entry);

  return {
    child,
    output: () => output,
    exited: () => exitInfo,
    exitPromise,
    async discard() {
      live.delete(entry);
      watchdog?.kill('SIGKILL');
      child.kill('SIGKILL');
      await exitPromise;
    },
    async terminate(graceMs) {
      watchdog?.kill('SIGKILL');
      if (exitInfo === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exitPromise;
        clearTimeout(timer);
      }
      live.delete(entry);
    },
  };
}
