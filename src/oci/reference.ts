/**
 * Image references, parsed and normalised the way Docker does (distribution/reference
 * `ParseNormalizedNamed`): `alpine` is `docker.io/library/alpine:latest`, `user/app` is
 * `docker.io/user/app:latest`, `index.docker.io/...` is `docker.io/...`.
 *
 * Grammar (distribution/reference):
 *
 *     reference  := name [ ":" tag ] [ "@" digest ]
 *     name       := [ domain "/" ] path
 *     domain     := host [ ":" port ]      host: DNS name, IPv4, or [IPv6]; port: digits naming 1 to 65535
 *     path       := component ( "/" component )*
 *     component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *     tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *
 * distribution's grammar takes any digits as a port; a port outside 1 to 65535 can name no
 * registry, so it is refused here (`127.0.0.1:99999/x`, `host:0/x`) rather than at the first
 * request.
 *
 * The parser is hand-written rather than one big regular expression so that each failure gets a
 * sentence saying what is wrong, where distribution only says "invalid reference format".
 */
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import { AnyarchError } from '../errors.js';
import { isDigest, type Digest } from './digest.js';

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** registry host as written (`docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`) */
  readonly registry: string;
  /** repository path, lower-case (`library/alpine`, `user/app`) */
  readonly repository: string;
  /** tag; `latest` when the reference had neither a tag nor a digest */
  readonly tag?: string;
  /** digest; when present it, not the tag, selects the manifest */
  readonly digest?: Digest;
}

/** Docker Hub's canonical name in references. */
export const DOCKER_HUB = 'docker.io';
/** Docker Hub's legacy name, normalised to {@link DOCKER_HUB}. */
const LEGACY_DOCKER_HUB = 'index.docker.io';
/** Where Docker Hub's registry API actually answers. */
const DOCKER_HUB_API = 'registry-1.docker.io';
/** Namespace of official images on Docker Hub (`alpine` is `library/alpine`). */
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
/** The highest TCP port; a registry port is 1 to this. */
export const MAX_PORT = 65_535;
/** distribution's `NameTotalLengthMax`: the length of `registry/repository`. */
const NAME_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** An image id without its algorithm; distribution refuses these as names. */
const HEX_ID_RE = /^[a-f0-9]{64}$/;
const DIGEST_SHAPE_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:/;

function refError(input: string, problem: string, hint?: string): AnyarchError {
  return new AnyarchError('E_REFERENCE', `invalid image reference "${input}": ${problem}`, hint);
}

/**
 * distribution's `splitDockerDomain`: the first `/`-separated component is a registry host when
 * it contains `.` or `:`, is exactly `localhost`, or has upper-case letters (repository paths
 * cannot, so `Example/app` means the host `Example`). A name without `/` is always on Docker Hub,
 * so `localhost:5000` alone is `docker.io/library/localhost:5000` (the tag `5000`), as in Docker.
 */
function splitDomain(name: string): [domain: string, rest: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [DOCKER_HUB, name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) return [first, rest];
  return [DOCKER_HUB, name];
}

function checkDigest(input: string, digest: string): Digest {
  if (digest === '') throw refError(input, "'@' is not followed by a digest", 'write name@sha256:<64 hex digits>');
  if (isDigest(digest)) return digest;
  const m = DIGEST_SHAPE_RE.exec(digest);
  if (!m) throw refError(input, `"${digest}" is not a digest (expected algorithm:hex, e.g. sha256:…)`);
  const algorithm = digest.slice(0, m[0].length - 1);
  const hex = digest.slice(m[0].length);
  const length = algorithm === 'sha256' ? 64 : algorithm === 'sha512' ? 128 : undefined;
  if (length === undefined) {
    throw refError(input, `digest algorithm "${algorithm}" is not supported (sha256 and sha512 are)`);
  }
  throw refError(input, `digest "${digest}" is malformed: ${algorithm} needs ${length} lower-case hex digits, got "${hex}"`);
}

function checkTag(input: string, tag: string): void {
  if (tag === '') throw refError(input, "':' is not followed by a tag");
  if (tag.includes('/')) {
    throw refError(input, `"${tag}" is not a valid tag (a tag cannot contain '/')`, 'a registry port goes before the first \'/\' (host:port/repo)');
  }
  if (tag.length > 128) throw refError(input, `the tag is ${tag.length} characters long (at most 128 are allowed)`);
  if (!TAG_RE.test(tag)) {
    throw refError(input, `"${tag}" is not a valid tag (letters, digits, '_', '.' and '-', not starting with '.' or '-')`);
  }
}

function checkPath(input: string, path: string): void {
  if (path === '') throw refError(input, 'the repository name is empty');
  if (path.toLowerCase() !== path) throw refError(input, `repository name must be lowercase (got "${path}")`);
  const parts = path.split('/');
  parts.forEach((part, i) => {
    if (part !== '') {
      if (!PATH_COMPONENT_RE.test(part)) {
        throw refError(
          input,
          `repository component "${part}" is not valid (lower-case letters and digits, separated by '.', '_', '__' or '-')`,
        );
      }
      return;
    }
    if (i === parts.length - 1) throw refError(input, "the repository name ends with '/'");
    if (i === 0) throw refError(input, "the repository name starts with '/'");
    throw refError(input, "the repository name contains an empty component ('//')");
  });
}

/**
 * Parses an image reference with Docker's normalisation:
 *
 * - `alpine` -> `docker.io/library/alpine:latest`; `user/app` -> `docker.io/user/app:latest`;
 *   `index.docker.io/x` -> `docker.io/x` (compared exactly, as distribution does);
 * - the registry is kept as written: hosts are case-insensitive but distribution neither folds
 *   nor rejects upper case there, while the repository path must be lower-case;
 * - `name:tag@digest` keeps both (the digest selects, the tag is for display); a reference with
 *   neither gets the tag `latest`;
 * - `registry/repository` may be at most 255 characters (the normalised name, so `docker.io/`
 *   counts), tags at most 128; digests must be sha256 or sha512.
 *
 * Stricter than distribution: anything starting `sha256:` or `sha512:` (which Docker would read
 * as the image `library/sha256` with a tag) is refused as a digest or image id, like a bare
 * 64-hex id (which distribution refuses too).
 *
 * @throws AnyarchError `E_REFERENCE`; the message quotes the input and says what is wrong.
 */
export function parseReference(s: string): ImageReference {
  if (s === '') throw new AnyarchError('E_REFERENCE', 'invalid image reference "": the reference is empty');
  if (/\s/.test(s)) throw refError(s, 'it contains whitespace');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(s);
  if (scheme) {
    if (scheme[1] === 'docker') {
      throw refError(
        s,
        '"docker://" is a source specifier transport, not part of an image reference',
        'drop the prefix, or give it where a source is expected (parseSourceSpec, `anyarch platforms docker://…`)',
      );
    }
    throw refError(s, `"${scheme[0]}" is not part of an image reference`, 'an image reference is host/repository[:tag][@digest], without a URL scheme');
  }
  if (HEX_ID_RE.test(s)) {
    throw refError(s, 'a 64-hex-digit image id is not a reference', 'name the image by repository[:tag], or use repository@sha256:<digest>');
  }
  if (/^sha(?:256|512):/.test(s)) {
    // distribution would read `sha256:abc` as the image `library/sha256` with tag `abc`
    const problem = isDigest(s) ? 'a digest alone is not a reference (it names no repository)' : 'it looks like a digest or image id, not a reference';
    throw refError(s, problem, 'write repository@sha256:<64 hex digits>');
  }

  let name = s;
  let digest: Digest | undefined;
  const at = s.indexOf('@');
  if (at !== -1) {
    name = s.slice(0, at);
    const rest = s.slice(at + 1);
    if (rest.includes('@')) throw refError(s, "it contains more than one '@'");
    digest = checkDigest(s, rest);
    if (name === '') throw refError(s, "there is no repository name before '@'");
  }

  let [domain, remainder] = splitDomain(name);
  if (!HOST_RE.test(domain)) {
    throw refError(s, `"${domain}" is not a valid registry host (host[:port], e.g. registry.example:5000 or [::1]:5000)`);
  }
  const port = /:([0-9]+)$/.exec(domain)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= MAX_PORT)) {
    throw refError(s, `the registry port ${port.length > 12 ? `${port.slice(0, 12)}…` : port} is not a TCP port (1 to ${MAX_PORT})`);
  }
  let tag: string | undefined;
  const colon = remainder.indexOf(':');
  if (colon !== -1) {
    tag = remainder.slice(colon + 1);
    remainder = remainder.slice(0, colon);
  }
  checkPath(s, remainder);
  if (tag !== undefined) checkTag(s, tag);

  if (domain === LEGACY_DOCKER_HUB) domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  const full = `${domain}/${remainder}`;
  if (full.length > NAME_MAX) {
    throw refError(s, `the repository name "${full}" is ${full.length} characters long (at most ${NAME_MAX} are allowed)`);
  }
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;

  return {
    registry: domain,
    repository: remainder,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Like {@link parseReference} but returns `undefined` instead of throwing. */
export function tryParseReference(s: string): ImageReference | undefined {
  try {
    return parseReference(s);
  } catch (e) {
    if (e instanceof AnyarchError) return undefined;
    throw e;
  }
}

function withTagAndDigest(name: string, r: ImageReference): string {
  return `${name}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** The full form: `docker.io/library/alpine:latest`, `host/repo@sha256:…`, `host/repo:tag@sha256:…`. */
export function formatReference(r: ImageReference): string {
  return withTagAndDigest(`${r.registry}/${r.repository}`, r);
}

/**
 * The short form Docker prints (distribution's `FamiliarString`): `docker.io/` is dropped, and
 * `library/` too when nothing follows it but one component: `alpine:latest`, `user/app:1`,
 * `ghcr.io/o/app@sha256:…`. Parsing it gives back the same reference.
 */
export function familiarReference(r: ImageReference): string {
  let name = `${r.registry}/${r.repository}`;
  if (r.registry === DOCKER_HUB) {
    name = r.repository;
    const short = name.slice(OFFICIAL_PREFIX.length);
    // `library/sha256:1` stays: `sha256:1` alone reads as a digest, which parseReference refuses
    if (name.startsWith(OFFICIAL_PREFIX) && !short.includes('/') && !/^sha(?:256|512)$/.test(short)) name = short;
    // a first component that reads as a host (`docker.io/ncker.io/x`, `docker.io/docker.io/x`) keeps the registry
    const [domain, rest] = splitDomain(name);
    if (domain !== DOCKER_HUB || rest !== name) name = `${r.registry}/${r.repository}`;
  }
  return withTagAndDigest(name, r);
}

/**
 * What goes in `/v2/<name>/manifests/<target>`: the digest when there is one (it pins the
 * content; the tag is only for display), otherwise the tag (`latest` if a hand-built value has
 * neither).
 */
export function referenceTarget(r: ImageReference): string {
  return r.digest ?? r.tag ?? DEFAULT_TAG;
}

/** The host that serves the registry API: `docker.io` -> `registry-1.docker.io`, others unchanged. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

// node:net loads on the first loopback question (a command that parses references asks none;
// loading it costs a few ms of every start)
const require = createRequire(import.meta.url);
let loopback: { net: typeof Net; list: Net.BlockList } | undefined;
function loopbackList(): { net: typeof Net; list: Net.BlockList } {
  if (loopback) return loopback;
  const net = require('node:net') as typeof Net;
  const list = new net.BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  list.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
  return (loopback = { net, list });
}

/** `host[:port]` -> host, with IPv6 brackets removed; `undefined` when the port is not digits. */
function hostOf(registry: string): string | undefined {
  if (registry.startsWith('[')) {
    const end = registry.indexOf(']');
    if (end === -1) return undefined;
    const rest = registry.slice(end + 1);
    if (rest !== '' && !/^:[0-9]+$/.test(rest)) return undefined;
    return registry.slice(1, end);
  }
  const colons = registry.split(':').length - 1;
  if (colons > 1) return registry; // bare IPv6 address, which cannot carry a port
  if (colons === 0) return registry;
  const [host = '', port = ''] = registry.split(':');
  return /^[0-9]+$/.test(port) ? host : undefined;
}

/**
 * True for registries on this machine: `localhost`, 127.0.0.0/8 and `::1` (also IPv4-mapped,
 * `::ffff:127.0.0.1`), with or without a port, host case ignored. Docker talks plain HTTP to
 * these without `insecure-registries`; so do we. Names are not resolved: `foo.localhost` or a
 * host that merely resolves to 127.0.0.1 is not loopback here.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostOf(registry)?.toLowerCase();
  if (host === undefined || host === '') return false;
  if (host === 'localhost') return true;
  const { net, list } = loopbackList();
  if (net.isIPv4(host)) return list.check(host, 'ipv4');
  if (net.isIPv6(host)) return list.check(host, 'ipv6');
  return false;
}
