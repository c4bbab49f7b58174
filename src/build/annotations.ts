/**
 * The standard annotations of a published index (image-spec `annotations.md`): where the image's
 * source lives, the revision it was built from, when it was made, and its base image, as
 * `org.opencontainers.image.*` keys. `annotationsFromEnvironment` reads what the environment
 * says: `created` from `SOURCE_DATE_EPOCH` when it is set (reproducible builds), else now;
 * `revision` and `source` from git (the `git` program on PATH) when the directory is in a work
 * tree, and nothing otherwise. A remote URL's user name and password are never written.
 */
import { execFile } from 'node:child_process';
import { AnyarchError } from '../errors.js';
import { programOnPath } from '../fs/programs.js';
import { isDigest } from '../oci/digest.js';
import { BASE_DIGEST_ANNOTATION, BASE_NAME_ANNOTATION } from '../verify/verify.js';
import type { ImageAnnotations } from './types.js';

export const SOURCE_ANNOTATION = 'org.opencontainers.image.source';
export const REVISION_ANNOTATION = 'org.opencontainers.image.revision';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
export { BASE_DIGEST_ANNOTATION, BASE_NAME_ANNOTATION };

/** How long one `git` question may take (a work tree on a slow disk answers in far less). */
export const GIT_TIMEOUT_MS = 10_000;
/** The latest SOURCE_DATE_EPOCH taken: 9999-12-31T23:59:59Z (RFC 3339 has four-digit years). */
export const MAX_SOURCE_DATE_EPOCH = 253_402_300_799;

/** `org.opencontainers.image.*` for each field of `a` that is set. */
export function standardAnnotations(a: ImageAnnotations): Record<string, string> {
  const out: Record<string, string> = {};
  if (a.source) out[SOURCE_ANNOTATION] = a.source;
  if (a.revision) out[REVISION_ANNOTATION] = a.revision;
  if (a.created) out[CREATED_ANNOTATION] = a.created;
  if (a.baseName) out[BASE_NAME_ANNOTATION] = a.baseName;
  if (a.baseDigest) out[BASE_DIGEST_ANNOTATION] = a.baseDigest;
  return out;
}

/**
 * `created` as RFC 3339 (seconds, `Z`) from `SOURCE_DATE_EPOCH` (a whole number of seconds since
 * 1970), or `now` when the variable is unset or empty. Anything else is `E_USAGE`: a build that
 * asked to be reproducible must not quietly take the clock.
 */
export function createdFromEnvironment(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const raw = env['SOURCE_DATE_EPOCH'];
  if (raw === undefined || raw.trim() === '') return rfc3339(now);
  const value = raw.trim();
  if (!/^\d{1,12}$/.test(value) || Number(value) > MAX_SOURCE_DATE_EPOCH) {
    throw new AnyarchError(
      'E_USAGE',
      `SOURCE_DATE_EPOCH=${JSON.stringify(raw.slice(0, 40))} is not a whole number of seconds since 1970-01-01`,
      'set it to e.g. $(git log -1 --format=%ct), or unset it to use the current time',
    );
  }
  return rfc3339(new Date(Number(value) * 1000));
}

/** `2026-01-02T03:04:05Z` (no fraction: the same second gives the same bytes). */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The annotations the environment gives an image built from `dir`: `created` (see
 * {@link createdFromEnvironment}; `E_USAGE` for a malformed SOURCE_DATE_EPOCH), and, when `dir` is
 * in a git work tree and `git` is on PATH, `revision` (the commit checked out) and `source` (the
 * URL of the `origin` remote, else the first remote, without user name or password; an
 * `scp`-like `git@host:path` becomes `https://host/path`). Base fields are the caller's.
 */
export async function annotationsFromEnvironment(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<ImageAnnotations> {
  const created = createdFromEnvironment(env);
  const git = programOnPath('git', env['PATH']);
  if (!git) return { created };
  const run = (args: readonly string[]): Promise<string | undefined> => gitAnswer(git, dir, args, env);
  const revision = await run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!revision || !/^[0-9a-f]{40,64}$/.test(revision)) return { created };
  const remotes = ((await run(['remote'])) ?? '').split('\n').filter(Boolean);
  const remote = remotes.includes('origin') ? 'origin' : remotes[0];
  const url = remote ? await run(['remote', 'get-url', '--', remote]) : undefined;
  const source = url ? sourceUrl(url) : undefined;
  return { created, revision, ...(source ? { source } : {}) };
}

/** git's answer, trimmed; undefined when it fails (not a work tree, no such remote) or takes too long. */
function gitAnswer(git: string, dir: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      git,
      ['-C', dir, ...args],
      { env: { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : String(stdout).trim() || undefined),
    );
  });
}

/**
 * A remote's URL as a public source link: user name and password removed, `.git` kept as the
 * remote has it. `git@github.com:acme/api.git` is `https://github.com/acme/api.git`; a local path
 * or a `file:` URL is no link for anyone else, and gives none.
 */
export function sourceUrl(remote: string): string | undefined {
  const r = remote.trim();
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/.exec(r);
  if (scp && !/^[A-Za-z]:[\\/]/.test(r)) return `https://${scp[1]}/${(scp[2] as string).replace(/^\/+/, '')}`;
  let u: URL;
  try {
    u = new URL(r);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) return undefined;
  const scheme = u.protocol === 'http:' ? 'http:' : 'https:';
  // ssh://git@host:22/path: the ssh port says nothing of the web's
  const host = u.protocol === 'ssh:' || u.protocol === 'git:' ? u.hostname : u.host;
  return `${scheme}//${host}${u.pathname}`;
}

/** A base image's annotations: its name as given, its digest when it is one. */
export function baseAnnotations(name: string | undefined, digest: string | undefined): Pick<ImageAnnotations, 'baseName' | 'baseDigest'> {
  return { ...(name ? { baseName: name } : {}), ...(digest && isDigest(digest) ? { baseDigest: digest } : {}) };
}
