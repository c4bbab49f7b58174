/**
 * Source specifiers: where `anyarch platforms` reads an image from, in the syntax skopeo
 * (containers/image transports) and regclient use, so that commands can be copied between the
 * tools:
 *
 *     alpine:3.20, docker://ghcr.io/o/app:1      a registry
 *     oci:DIR[:REF], ocidir://DIR[:TAG]           an OCI image layout directory
 *     oci-archive:FILE[:REF]                      a tar of an OCI image layout
 *     docker-archive:FILE[:NAME:TAG | :@N]        a `docker save` tar
 *     docker-daemon:IMAGE                         the local Docker engine (by name or sha256 id)
 *
 * Parsing is pure: nothing is read from disk, paths are only resolved against `cwd`.
 */
import { isAbsolute, resolve } from 'node:path';
import { AnyarchError } from '../errors.js';
import { isDigest, type Digest } from './digest.js';
import { familiarReference, parseReference, type ImageReference } from './reference.js';

export interface RegistrySourceSpec {
  readonly kind: 'registry';
  readonly reference: ImageReference;
}

export interface OciLayoutSourceSpec {
  readonly kind: 'oci-layout';
  /** absolute path of the layout directory */
  readonly dir: string;
  /** the `org.opencontainers.image.ref.name` to pick from index.json; absent: the only image */
  readonly tag?: string;
}

export interface OciArchiveSourceSpec {
  readonly kind: 'oci-archive';
  /** absolute path of the tar file */
  readonly file: string;
  /** the `org.opencontainers.image.ref.name` to pick; absent: the only image */
  readonly tag?: string;
}

export interface DockerArchiveSourceSpec {
  readonly kind: 'docker-archive';
  /** absolute path of the tar file */
  readonly file: string;
  /**
   * Which image of the archive: a name in the familiar form `docker save` writes to
   * manifest.json's RepoTags (`alpine:latest`, `ghcr.io/o/app:1`), or `@N`, the N-th (from 0)
   * entry of manifest.json. Absent: the only image.
   */
  readonly reference?: string;
}

export interface DockerDaemonSourceSpec {
  readonly kind: 'docker-daemon';
  /** an image name, or an image id (`sha256:…`, the config digest) */
  readonly reference: ImageReference | { readonly id: Digest };
}

export type SourceSpec =
  | RegistrySourceSpec
  | OciLayoutSourceSpec
  | OciArchiveSourceSpec
  | DockerArchiveSourceSpec
  | DockerDaemonSourceSpec;

export interface SourceSpecOptions {
  /** directory relative paths are resolved against (default: `process.cwd()`) */
  readonly cwd?: string;
}

/** The transports anyarch reads, as written in messages. */
export const SOURCE_TRANSPORTS: readonly string[] = Object.freeze([
  'docker://',
  'oci:',
  'ocidir://',
  'oci-archive:',
  'docker-archive:',
  'docker-daemon:',
]);

/** Transports skopeo knows that anyarch does not read; named so the error can say so. */
const UNSUPPORTED_TRANSPORTS: readonly string[] = ['dir', 'containers-storage', 'ostree', 'sif', 'tarball'];

/** Prefixes that select a transport without `//` (skopeo's `transport:reference`). */
const COLON_TRANSPORTS = ['oci', 'oci-archive', 'docker-archive', 'docker-daemon'] as const;
type ColonTransport = (typeof COLON_TRANSPORTS)[number];

const DOCKER_TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** image-spec annotations.md, `org.opencontainers.image.ref.name`. */
const REF_NAME_COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
const REF_NAME_RE = new RegExp(`^${REF_NAME_COMPONENT}(?:/${REF_NAME_COMPONENT})*$`);
const HEX_ID_RE = /^[a-f0-9]{64}$/;
/** A Windows drive letter (`C:\`, `C:/`); its `:` never splits PATH:REF on Windows. */
const DRIVE_RE = /^[A-Za-z]:[\\/]/;
const WINDOWS = process.platform === 'win32';

/** Where to start looking for the `:` that ends a path: after a drive letter on Windows. */
function pathStart(rest: string): number {
  return WINDOWS && DRIVE_RE.test(rest) ? 2 : 0;
}

function transportList(): string {
  return SOURCE_TRANSPORTS.join(', ');
}

function specError(spec: string, problem: string, hint?: string, cause?: unknown): AnyarchError {
  return new AnyarchError('E_REFERENCE', `invalid image source "${spec}": ${problem}`, hint, undefined, cause === undefined ? undefined : { cause });
}

/** parseReference, with the failure re-worded to name the whole specifier. */
function referenceIn(spec: string, ref: string): ImageReference {
  try {
    return parseReference(ref);
  } catch (e) {
    if (!(e instanceof AnyarchError)) throw e;
    throw specError(spec, e.message, e.hint, e);
  }
}

/**
 * skopeo's split of `PATH[:REF]`: at the first `:`, except, on Windows, the one of a drive letter
 * (`C:\x`, `C:/x`). A path containing `:` therefore cannot be named this way (as in skopeo).
 */
function splitAtFirstColon(rest: string): [path: string, ref: string | undefined] {
  const i = rest.indexOf(':', pathStart(rest));
  return i === -1 ? [rest, undefined] : [rest.slice(0, i), rest.slice(i + 1)];
}

function absolute(spec: string, path: string, what: string, opts: SourceSpecOptions | undefined): string {
  if (path === '') throw specError(spec, `the ${what} is missing`);
  if (isAbsolute(path)) return resolve(path);
  return resolve(opts?.cwd ?? process.cwd(), path);
}

function refName(spec: string, ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  if (ref === '') throw specError(spec, "':' is not followed by a reference name", 'leave out the \':\' to read the only image');
  if (!REF_NAME_RE.test(ref)) {
    throw specError(
      spec,
      `"${ref}" is not a valid OCI reference name (letters and digits separated by '-', '.', '_', ':', '@', '+' or '--', components joined by '/')`,
    );
  }
  return ref;
}

function parseColonTransport(spec: string, transport: ColonTransport, rest: string, opts: SourceSpecOptions | undefined): SourceSpec {
  if (rest.startsWith('//')) {
    throw specError(spec, `"${transport}:" takes a path directly, not "//"`, `write ${transport}:DIR or ${transport}:/absolute/dir`);
  }
  switch (transport) {
    case 'oci': {
      const [path, ref] = splitAtFirstColon(rest);
      const tag = refName(spec, ref);
      return { kind: 'oci-layout', dir: absolute(spec, path, 'directory', opts), ...(tag !== undefined ? { tag } : {}) };
    }
    case 'oci-archive': {
      const [path, ref] = splitAtFirstColon(rest);
      const tag = refName(spec, ref);
      return { kind: 'oci-archive', file: absolute(spec, path, 'archive file', opts), ...(tag !== undefined ? { tag } : {}) };
    }
    case 'docker-archive': {
      const [path, ref] = splitAtFirstColon(rest);
      const file = absolute(spec, path, 'archive file', opts);
      if (ref === undefined) return { kind: 'docker-archive', file };
      if (ref === '') throw specError(spec, "':' is not followed by an image name or @index", "leave out the ':' to read the only image");
      if (ref.startsWith('@')) {
        if (!/^@(?:0|[1-9][0-9]{0,8})$/.test(ref)) {
          throw specError(spec, `"${ref}" is not an image index (expected @N, counting from @0)`);
        }
        return { kind: 'docker-archive', file, reference: ref };
      }
      const parsed = referenceIn(spec, ref);
      if (parsed.digest !== undefined) {
        throw specError(spec, `"${ref}" has a digest, but images in a docker archive are named by tag only`, 'use name:tag or @N');
      }
      return { kind: 'docker-archive', file, reference: familiarReference(parsed) };
    }
    case 'docker-daemon': {
      if (rest === '') throw specError(spec, 'the image name or id is missing');
      if (isDigest(rest)) return { kind: 'docker-daemon', reference: { id: rest } };
      if (HEX_ID_RE.test(rest)) return { kind: 'docker-daemon', reference: { id: `sha256:${rest}` } };
      if (/^sha(?:256|512):/.test(rest)) {
        throw specError(spec, `"${rest}" is not a full image id (sha256: and 64 lower-case hex digits)`, 'short ids are not accepted; use the full id or the image name');
      }
      return { kind: 'docker-daemon', reference: referenceIn(spec, rest) };
    }
  }
}

/** regclient's `ocidir://DIR[:TAG]`: the last `:` splits only when a valid tag follows it. */
function parseOcidir(spec: string, rest: string, opts: SourceSpecOptions | undefined): OciLayoutSourceSpec {
  if (/@[A-Za-z0-9+._-]+:[A-Za-z0-9=_-]+$/.test(rest)) {
    throw specError(spec, 'selecting an image of an OCI layout by digest is not supported', 'name it by tag: ocidir://DIR:TAG');
  }
  const from = pathStart(rest);
  const i = rest.lastIndexOf(':');
  if (i >= from && DOCKER_TAG_RE.test(rest.slice(i + 1))) {
    return { kind: 'oci-layout', dir: absolute(spec, rest.slice(0, i), 'directory', opts), tag: rest.slice(i + 1) };
  }
  if (rest.endsWith(':') && rest.length - 1 >= from) {
    throw specError(spec, "':' is not followed by a tag", "leave out the ':' to read the only image");
  }
  return { kind: 'oci-layout', dir: absolute(spec, rest, 'directory', opts) };
}

/** The colon transport `s` starts with (`oci:`…), if any. */
function colonTransportOf(s: string): ColonTransport | undefined {
  const colon = s.indexOf(':');
  if (colon === -1) return undefined;
  const word = s.slice(0, colon);
  return COLON_TRANSPORTS.find((t) => t === word);
}

/**
 * Parses a source specifier (skopeo / regclient syntax).
 *
 * - `docker://REF` or a bare reference: a registry ({@link parseReference} rules). A bare
 *   `docker:TAG` is the Docker Hub image `docker` (`docker:dind`), not the transport, which skopeo
 *   only writes with `//`; likewise `localhost:5000/app` is a reference.
 * - `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`: split at the first `:` after the transport (a
 *   Windows drive letter excepted), as skopeo does, so REF may itself contain `:`
 *   (`oci:dir:example.com/app:1`) but DIR may not; REF follows the OCI `ref.name` grammar.
 * - `ocidir://DIR[:TAG]`: split at the last `:` only when a valid Docker tag follows, so DIR
 *   may contain `:` (`ocidir:///mnt/a:b/layout`); selecting by `@digest` is refused.
 * - `docker-archive:FILE[:NAME[:TAG]]` or `docker-archive:FILE:@N`: NAME is normalised to the
 *   familiar form `docker save` writes (`alpine` -> `alpine:latest`); digests are refused.
 * - `docker-daemon:IMAGE`: a name (tag defaults to `latest`; skopeo insists on one) or an image
 *   id, `sha256:<hex>` or bare 64 hex (made `sha256:<hex>`). Short ids are names, as in
 *   distribution.
 * - Skopeo transports anyarch does not read (`dir:`, `containers-storage:`, ...) are refused
 *   even when the rest would be a valid reference: `dir:x` surely does not mean the image
 *   `docker.io/library/dir:x`; write `docker://dir:x` for that.
 *
 * Relative paths are resolved against `opts.cwd` (default `process.cwd()`); nothing is read.
 *
 * @throws AnyarchError `E_REFERENCE`; the message quotes the specifier.
 */
export function parseSourceSpec(spec: string, opts?: SourceSpecOptions): SourceSpec {
  if (spec === '') throw specError(spec, 'the source is empty', `expected an image reference or one of ${transportList()}`);
  if (spec.startsWith('docker://')) {
    return { kind: 'registry', reference: referenceIn(spec, spec.slice('docker://'.length)) };
  }
  if (spec.startsWith('ocidir://')) return parseOcidir(spec, spec.slice('ocidir://'.length), opts);
  const transport = colonTransportOf(spec);
  if (transport !== undefined) return parseColonTransport(spec, transport, spec.slice(transport.length + 1), opts);

  const prefix = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(spec);
  const word = prefix?.[1];
  if (word !== undefined && UNSUPPORTED_TRANSPORTS.includes(word)) {
    throw specError(spec, `the "${word}:" transport is not supported (anyarch reads ${transportList()})`, `to mean a registry image, write docker://${spec}`);
  }
  if (word !== undefined && spec.startsWith(`${word}://`)) {
    const web = /^https?$/i.test(word);
    throw specError(
      spec,
      `"${word}://" is not a known transport (known: ${transportList()})`,
      web ? 'name the image as host/repository[:tag], without http:// or https://' : undefined,
    );
  }

  try {
    return { kind: 'registry', reference: parseReference(spec) };
  } catch (e) {
    if (!(e instanceof AnyarchError)) throw e;
    if (word !== undefined && looksLikeTransport(word, spec.slice(word.length + 1))) {
      const known = [...COLON_TRANSPORTS, ...UNSUPPORTED_TRANSPORTS].find((t) => t === word.toLowerCase());
      throw specError(
        spec,
        `it is not an image reference, and "${word}:" is not a known transport (known: ${transportList()})`,
        known !== undefined ? `transport names are lower-case: ${known}:` : e.message,
        e,
      );
    }
    throw e;
  }
}

/**
 * For a string that is not a reference: is `word:` more likely a mistyped transport than a
 * broken tag? Yes when a path follows (`foo:/x`, `foo:./x`, `foo:dir/x`, but not a port,
 * `host:5000/x`) or when the word is a transport in the wrong case (`OCI:dir`). No for hosts
 * (`localhost`, anything with a '.'), whose reference error says more.
 */
function looksLikeTransport(word: string, after: string): boolean {
  if (word === 'localhost' || word.includes('.')) return false;
  if ([...COLON_TRANSPORTS, ...UNSUPPORTED_TRANSPORTS].includes(word.toLowerCase())) return true;
  if (/^[0-9]+(?:\/|$)/.test(after)) return false;
  return /^[.~]/.test(after) || /[/\\]/.test(after);
}

/** True when a bare reference string would be taken for a transport by {@link parseSourceSpec}. */
function needsDockerPrefix(ref: string): boolean {
  if (colonTransportOf(ref) !== undefined) return true;
  const word = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(ref)?.[1];
  return word !== undefined && UNSUPPORTED_TRANSPORTS.includes(word);
}

function withRef(prefix: string, path: string, ref: string | undefined): string {
  return ref === undefined ? `${prefix}${path}` : `${prefix}${path}:${ref}`;
}

/**
 * A specifier for messages, in the syntax {@link parseSourceSpec} reads back: registry images
 * in the familiar form (`alpine:latest`; `docker://` only where needed, e.g. `docker://oci:1`),
 * layouts as `oci:DIR[:REF]` whichever syntax named them.
 */
export function formatSourceSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'registry': {
      const familiar = familiarReference(spec.reference);
      return needsDockerPrefix(familiar) ? `docker://${familiar}` : familiar;
    }
    case 'oci-layout':
      // a directory with ':', or a Docker tag that is no OCI ref name (`_x`), can only be written
      // the regclient way (and only with a Docker tag)
      if ((spec.dir.slice(pathStart(spec.dir)).includes(':') || (spec.tag !== undefined && !REF_NAME_RE.test(spec.tag))) && (spec.tag === undefined || DOCKER_TAG_RE.test(spec.tag))) {
        // a last component with '@' (`/x/@0`) gets a '/', or `@0:TAG` would read as a digest
        return withRef('ocidir://', spec.tag !== undefined && /@[^/]*$/.test(spec.dir) ? `${spec.dir}/` : spec.dir, spec.tag);
      }
      return withRef('oci:', spec.dir, spec.tag);
    case 'oci-archive':
      return withRef('oci-archive:', spec.file, spec.tag);
    case 'docker-archive':
      return withRef('docker-archive:', spec.file, spec.reference);
    case 'docker-daemon': {
      const r = spec.reference;
      return `docker-daemon:${'id' in r ? r.id : familiarReference(r)}`;
    }
  }
}
