/**
 * The process around a command: where it runs, what it may print to, and when to use colour and
 * progress lines. Commands take an `Io` instead of touching `process`, so tests run them in-process.
 */

export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** reads standard input to its end (for the `-` path) */
  readStdin(): Promise<Uint8Array>;
}

/** What a command ended with; only main.ts turns it into an exit code. */
export type Outcome =
  /** nothing at or above --fail-on */
  | 'clean'
  /** findings at or above --fail-on */
  | 'findings'
  /** some input could not be read or parsed (the others were still checked) */
  | 'input-error'
  /** anyarch misbehaved (e.g. a fix broke the syntax); already reported */
  | 'bug';

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
      return Buffer.concat(chunks);
    },
  };
}

/**
 * Whether to colour output written to `stream`: never with --no-color; FORCE_COLOR (other than
 * `0`/`false`) forces it; otherwise only on a terminal, and not when NO_COLOR is set or TERM=dumb.
 */
export function useColor(stream: OutStream, env: Io['env'], allowed = true): boolean {
  if (!allowed) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** An environment flag is set unless absent, empty, `0` or `false` (any case). */
export function envFlag(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Whether to show progress on `stream`: on a terminal only, never in CI logs, never with --quiet. */
export function showProgress(stream: OutStream, env: Io['env'], quiet = false): boolean {
  return stream.isTTY === true && !quiet && !envFlag(env.CI);
}
