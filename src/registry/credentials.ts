/**
 * Registry credentials, found the way the Docker CLI finds them: the Docker config file
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), where `credHelpers[host]` beats
 * `credsStore`, which beats the inline `auths` entries. A configured helper's answer is final (as
 * in docker): when it has nothing for the host, the `auths` entries are not consulted.
 *
 * Secrets never leave this module except in the returned `Credential`: no error, hint or cause
 * built here carries the config file's content, a helper's answer or a secret. `redact` lets the
 * client scrub any text before it is shown.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnyarchError } from '../errors.js';
import { NotRegularFileError, TooLargeError, readRegularFile } from '../fs/bounded-read.js';

export interface Credential {
  readonly username?: string;
  readonly password?: string;
  /** a refresh token for the Bearer flow (`grant_type=refresh_token`) */
  readonly identityToken?: string;
  /** a bearer token sent as is */
  readonly registryToken?: string;
}

export interface ResolveCredentialOptions {
  /** the config file to read (default: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) */
  readonly configPath?: string;
  /** the environment for `DOCKER_CONFIG`, `HOME` and the helpers' `PATH` (default: `process.env`) */
  readonly env?: NodeJS.ProcessEnv;
  /** how long a credential helper may take (default 10 s) */
  readonly helperTimeoutMs?: number;
}

/** The key docker files Docker Hub credentials under (in `auths`, helpers and `credHelpers`). */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HUB_HOSTS: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

const DEFAULT_HELPER_TIMEOUT_MS = 10_000;
const MAX_HELPER_OUTPUT = 1 << 20;

/**
 * The host (and port) of a registry name or a config key, normalised like docker's
 * `ConvertToHostname`: the scheme and any path are dropped (`https://host:5000/v1/` → `host:5000`),
 * and the result is lower-cased.
 */
export function registryHostname(nameOrKey: string): string {
  let s = nameOrKey.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  return s.toLowerCase();
}

/** Whether a registry name (or config key) means Docker Hub. */
export function isDockerHub(nameOrKey: string): boolean {
  return HUB_HOSTS.has(registryHostname(nameOrKey));
}

/** The config file docker would read in this environment. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['DOCKER_CONFIG'];
  if (dir) return resolve(dir, 'config.json');
  const home = env['HOME'] || env['USERPROFILE'] || homedir();
  return join(home, '.docker', 'config.json');
}

/**
 * The credential for `registry` (a host such as `ghcr.io`, `localhost:5000` or `docker.io`; a
 * scheme or path is ignored), or `undefined` when none is configured.
 * Throws `E_CONFIG` for a config file that cannot be read or parsed, `E_AUTH` when a credential
 * helper is missing, fails or times out.
 */
export async function resolveCredential(
  registry: string,
  opts: ResolveCredentialOptions = {},
): Promise<Credential | undefined> {
  const env = opts.env ?? process.env;
  const file = opts.configPath !== undefined ? resolve(opts.configPath) : dockerConfigPath(env);
  const config = await readConfig(file);
  if (!config) return undefined;

  const host = registryHostname(registry);
  const hub = HUB_HOSTS.has(host);
  // what docker calls the server address: the index URL for Docker Hub, the host otherwise
  const serverAddress = hub ? DOCKER_HUB_KEY : host;

  const helpers = objectField(config, 'credHelpers', file);
  const helperEntry = helpers ? lookup(helpers, host, hub) : undefined;
  if (helperEntry) {
    const name = helperEntry[1];
    if (typeof name !== 'string') {
      throw configError(file, `has a "credHelpers" entry for ${helperEntry[0]} that is not a string`);
    }
    if (name !== '') {
      return runHelper(checkHelperName(name, file), serverAddress, host, env, opts.helperTimeoutMs);
    }
  }

  const store = config['credsStore'];
  if (store !== undefined && typeof store !== 'string') throw configError(file, 'has a "credsStore" field that is not a string');
  if (store) return runHelper(checkHelperName(store, file), serverAddress, host, env, opts.helperTimeoutMs);

  const auths = objectField(config, 'auths', file);
  const entry = auths ? lookup(auths, host, hub) : undefined;
  if (!entry) return undefined;
  return fromAuthEntry(entry[0], entry[1], file);
}

// ---------------------------------------------------------------------------------------------
// config file

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The largest Docker config file read (real ones are a few KiB); a larger one, or one that is not
 * a regular file (a FIFO would block), is an E_CONFIG error, read no further than this.
 */
export const MAX_DOCKER_CONFIG_BYTES = 4 * 1024 * 1024;

function configError(file: string, what: string, hint?: string): AnyarchError {
  return new AnyarchError('E_CONFIG', `The Docker config file ${file} ${what}.`, hint);
}

async function readConfig(file: string): Promise<JsonObject | undefined> {
  let text: string;
  try {
    text = (await readRegularFile(file, MAX_DOCKER_CONFIG_BYTES)).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    const why = e instanceof NotRegularFileError || e instanceof TooLargeError ? e.message : (code ?? 'unknown error');
    throw configError(file, `cannot be read (${why})`, 'Check the file and its permissions, or point DOCKER_CONFIG at another directory.');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined; // docker reads an empty file as an empty config
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // The parser's message quotes the content, so only its position is kept (and no `cause`).
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    let where = '';
    if (m) {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    }
    throw configError(file, `is not valid JSON${where}`, 'Fix or remove the file; anyarch reads registry credentials from it as docker does.');
  }
  if (!isObject(parsed)) throw configError(file, 'is not a JSON object');
  return parsed;
}

function objectField(config: JsonObject, field: string, file: string): JsonObject | undefined {
  const v = config[field];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw configError(file, `has a "${field}" field that is not an object`);
  return v;
}

/**
 * The entry of `map` for `host`: the exact key first (`https://index.docker.io/v1/` for Docker Hub),
 * then the first key that normalises to the same host (any of the Docker Hub names for the Hub).
 */
function lookup(map: JsonObject, host: string, hub: boolean): [string, unknown] | undefined {
  const exact = hub ? DOCKER_HUB_KEY : host;
  if (Object.hasOwn(map, exact)) return [exact, map[exact]];
  for (const key of Object.keys(map)) {
    const h = registryHostname(key);
    if (hub ? HUB_HOSTS.has(h) : h === host) return [key, map[key]];
  }
  return undefined;
}

function fromAuthEntry(key: string, entry: unknown, file: string): Credential | undefined {
  if (entry === null || entry === undefined) return undefined;
  if (!isObject(entry)) throw configError(file, `has an "auths" entry for ${key} that is not an object`);
  const str = (field: string): string | undefined => {
    const v = entry[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw configError(file, `has an "auths" entry for ${key} whose "${field}" is not a string`);
    return v === '' ? undefined : v;
  };
  let username = str('username');
  let password = str('password');
  const identityToken = str('identitytoken');
  const registryToken = str('registrytoken');
  const auth = str('auth');
  if (auth !== undefined) {
    const decoded = decodeAuth(auth);
    if (!decoded) {
      throw configError(
        file,
        `has an "auths" entry for ${key} whose "auth" field is not base64 of "user:password"`,
        `Log in again (docker login ${registryHostname(key)}) or fix the entry.`,
      );
    }
    [username, password] = decoded;
  }
  const cred: { -readonly [K in keyof Credential]: Credential[K] } = {};
  if (username !== undefined) cred.username = username;
  if (password !== undefined) cred.password = password;
  if (identityToken !== undefined) cred.identityToken = identityToken;
  if (registryToken !== undefined) cred.registryToken = registryToken;
  return Object.keys(cred).length > 0 ? cred : undefined;
}

/** `user:password` from base64 (the password may hold `:`), or undefined when malformed. */
function decodeAuth(auth: string): [string, string] | undefined {
  const b64 = auth.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined; // docker refuses a missing colon and an empty user name
  return [text.slice(0, colon), text.slice(colon + 1)];
}

// ---------------------------------------------------------------------------------------------
// credential helpers

function checkHelperName(name: string, file: string): string {
  // the name becomes part of a program name looked up on PATH: no paths, no shell characters
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw configError(file, `names a credential helper "${name.slice(0, 40)}" that is not a plain program suffix`);
  }
  return name;
}

interface HelperRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runHelper(
  name: string,
  serverAddress: string,
  host: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = DEFAULT_HELPER_TIMEOUT_MS,
): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  const run = await execHelper(program, serverAddress, host, env, timeoutMs);

  if (run.code === 0) {
    let answer: unknown;
    try {
      answer = JSON.parse(run.stdout);
    } catch {
      throw helperError(program, host, 'printed an answer that is not valid JSON');
    }
    if (!isObject(answer)) throw helperError(program, host, 'printed an answer that is not a JSON object');
    const user = answer['Username'];
    const secret = answer['Secret'];
    if ((user !== undefined && typeof user !== 'string') || (secret !== undefined && typeof secret !== 'string')) {
      throw helperError(program, host, 'printed an answer whose Username or Secret is not a string');
    }
    if (!secret) return undefined;
    if (user === '<token>') return { identityToken: secret };
    return user ? { username: user, password: secret } : { password: secret };
  }

  if (/credentials not found/i.test(run.stdout) || /credentials not found/i.test(run.stderr)) return undefined;

  // What a failing helper printed is not quoted: it may hold a secret (an answer printed before
  // failing, a token in a diagnostic) in a form no scrubbing can know. Its name and exit status
  // say which program to look at; running it by hand shows what it says.
  const status = run.code !== null ? `exit status ${run.code}` : `signal ${run.signal ?? 'unknown'}`;
  throw helperError(
    program,
    host,
    `failed (${status})`,
    `Run "echo ${serverAddress} | ${program} get" to see what it says (its output is not shown here: it may hold a secret), or log in again with "docker login ${host}".`,
  );
}

function helperError(program: string, host: string, what: string, hint?: string): AnyarchError {
  return new AnyarchError(
    'E_AUTH',
    `The credential helper ${program} ${what} when asked for ${host}.`,
    hint ?? `Check that ${program} works, for example by logging in again with "docker login ${host}".`,
  );
}

function execHelper(
  program: string,
  serverAddress: string,
  host: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<HelperRun> {
  return new Promise<HelperRun>((resolvePromise, reject) => {
    const group = process.platform !== 'win32';
    // With `env` given, spawn looks the program up on env.PATH.
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: group, windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let done = false;

    const kill = (): void => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const fail = (e: AnyarchError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      kill();
      reject(e);
    };

    const timer = setTimeout(() => {
      fail(helperError(program, host, `did not answer within ${formatMs(timeoutMs)}`));
    }, timeoutMs);

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HELPER_OUTPUT) {
        fail(helperError(program, host, `printed more than ${MAX_HELPER_OUTPUT} bytes`));
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));

    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        fail(
          helperError(
            program,
            host,
            'is not installed (no such program on PATH)',
            `Install ${program}, or remove the "credsStore"/"credHelpers" setting that names it from the Docker config file.`,
          ),
        );
      } else if (e.code === 'EACCES') {
        fail(helperError(program, host, 'cannot be run (permission denied)', `Make ${program} executable.`));
      } else {
        fail(helperError(program, host, `could not be started (${e.code ?? 'unknown error'})`));
      }
    });
    child.on('close', (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });

    // A helper that exits without reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverAddress);
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

// ---------------------------------------------------------------------------------------------
// redaction

/**
 * `text` with every secret of `cred` replaced by `***`: the password and tokens as written,
 * in base64 (standard and URL-safe, with or without padding), URL-encoded and JSON-escaped, and
 * the base64 of `user:password` (a Basic `Authorization` value or a config `auth` field).
 * The user name alone is not a secret and is kept.
 */
export function redact(text: string, cred: Credential): string {
  const secrets: string[] = [];
  for (const s of [cred.password, cred.identityToken, cred.registryToken]) if (s) secrets.push(s);
  if (cred.password) secrets.push(`${cred.username ?? ''}:${cred.password}`);
  if (secrets.length === 0) return text;

  const forms = new Set<string>();
  for (const s of secrets) {
    const std = Buffer.from(s, 'utf8').toString('base64');
    const url = Buffer.from(s, 'utf8').toString('base64url');
    forms.add(s);
    forms.add(std);
    forms.add(std.replace(/=+$/, ''));
    forms.add(url);
    forms.add(encodeURIComponent(s));
    forms.add(new URLSearchParams({ s }).toString().slice(2));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  // longest first, so a form is never cut in half by a shorter one it contains
  const ordered = [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of ordered) out = out.split(f).join('***');
  return out;
}
