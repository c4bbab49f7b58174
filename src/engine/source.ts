/**
 * `docker-daemon:IMAGE`: an image in the local Docker engine's store, read through the Engine
 * API (api.ts): is the image there (asked as inspect asks, the answer unread), then its
 * `docker save` tarball streamed to a file (mode 0600) in a fresh private temporary directory,
 * read as `docker-archive:` (src/oci/sources/archive.ts). Docker's image store holds one platform per image, and before
 * Docker 25 no registry manifest at all, so the root is usually a manifest synthesised from the
 * tarball (see archive.ts).
 *
 * `close()` removes the temporary directory (so does a failure to open). The directory is
 * recorded in the process's temporary directories (src/fs/temporary.ts) until then, so the
 * command's signal handlers can remove it when the process is interrupted.
 */
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AnyarchError } from '../errors.js';
import { temporaryDirs } from '../fs/temporary.js';
import type { Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { familiarReference, type ImageReference } from '../oci/reference.js';
import type { FetchedManifest, ImageSource } from '../oci/source.js';
import { openDockerArchive } from '../oci/sources/archive.js';
import { connectDockerEngine, imageNotFound, oneLine, sourceError } from './api.js';

export interface DockerDaemonOptions {
  /** the engine's address, as DOCKER_HOST would give it (default: `env.DOCKER_HOST`, else the default socket) */
  readonly host?: string;
  /** the environment DOCKER_HOST and DOCKER_TLS_VERIFY are read from (default `process.env`) */
  readonly env?: NodeJS.ProcessEnv;
  /** where the temporary directory for the exported image is made (default `os.tmpdir()`) */
  readonly tmpDir?: string;
  /** how long one exchange with the engine (ping, inspect) may take, ms (the export is bounded by inactivity) */
  readonly timeoutMs?: number;
}

/** Messages of the archive reader name the temporary file; this names the image instead. */
function renamer(from: readonly string[], to: string): (e: unknown) => void {
  const swap = (s: string): string => from.reduce((acc, f) => acc.split(f).join(to), s);
  return (e) => {
    if (!(e instanceof Error)) return;
    e.message = swap(e.message);
    if (e instanceof AnyarchError && e.hint !== undefined) (e as { hint?: string }).hint = swap(e.hint);
  };
}

/** The exported image read as a docker-archive, under the daemon's name, owning the temporary directory. */
class DaemonImageSource implements ImageSource {
  readonly kind = 'docker-daemon' as const;
  private closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly inner: ImageSource,
    private readonly dir: string,
    private readonly rename: (e: unknown) => void,
  ) {}

  private async wrap<T>(read: () => Promise<T>): Promise<T> {
    if (this.closing) throw new AnyarchError('E_SOURCE', `${this.name}: the source is closed`);
    try {
      return await read();
    } catch (e) {
      this.rename(e);
      throw e;
    }
  }

  root(): Promise<FetchedManifest> {
    return this.wrap(() => this.inner.root());
  }
  manifest(descriptor: Descriptor): Promise<FetchedManifest> {
    return this.wrap(() => this.inner.manifest(descriptor));
  }
  blob(descriptor: Descriptor, limit: number): Promise<Uint8Array> {
    return this.wrap(() => this.inner.blob(descriptor, limit));
  }
  async blobStream(descriptor: Descriptor): Promise<Readable> {
    const stream = await this.wrap(() => this.inner.blobStream(descriptor));
    stream.prependListener('error', this.rename);
    return stream;
  }
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.inner.close();
      } finally {
        await temporaryDirs.remove(this.dir);
      }
    })();
    return this.closing;
  }
}

/**
 * Opens an image of the local Docker engine, by name (`alpine:latest`, `localhost:5000/x:1`,
 * normalised the way Docker names it) or by id (`{ id: 'sha256:…' }`, the config digest).
 *
 * @throws AnyarchError `E_SOURCE` when there is no engine where DOCKER_HOST (or the default)
 *   says, or it fails; `E_NOT_FOUND` when it has no such image.
 */
export async function openDockerDaemon(ref: ImageReference | { readonly id: Digest }, opts: DockerDaemonOptions = {}): Promise<ImageSource> {
  const image = 'id' in ref ? ref.id : familiarReference(ref);
  const name = `docker-daemon:${image}`;
  const engine = await connectDockerEngine({
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    subject: name,
  });

  // Is the image there? (Saving a missing id fails with a 500 in Docker 20.10; inspecting says 404.)
  if (!(await engine.imageExists(image))) throw imageNotFound(image, engine.endpoint);

  // Export it.
  const parent = opts.tmpDir ?? tmpdir();
  let dir: string;
  try {
    dir = await temporaryDirs.make(parent, 'anyarch-docker-daemon-');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw sourceError(`${name}: cannot make a temporary directory in ${parent} for the exported image (${oneLine(code)})`, 'set TMPDIR to a writable directory with room for the image', e);
  }
  const file = path.join(dir, 'image.tar');
  // The archive names an image by the name it was exported by (RepoTags); by id or digest, it has only that one.
  const archiveRef = 'id' in ref || ref.digest !== undefined ? undefined : image;
  const rename = renamer(archiveRef !== undefined ? [`docker-archive:${file}:${archiveRef}`, `docker-archive:${file}`] : [`docker-archive:${file}`], name);
  try {
    const tar = await engine.imageExport(image);
    try {
      await pipeline(tar, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      if (e instanceof AnyarchError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const fsCode = code !== undefined && /^E(?:NOSPC|DQUOT|ACCES|PERM|ROFS|EXIST|NOENT|IO)$/.test(code);
      throw sourceError(
        fsCode ? `${name}: cannot write the exported image to ${file} (${code})` : `${name}: the Docker engine's export of the image broke off (${oneLine((e as Error).message)})`,
        fsCode ? 'free some space in the temporary directory, or set TMPDIR to one with room' : undefined,
        e,
      );
    }
    let inner: ImageSource;
    try {
      inner = await openDockerArchive(file, archiveRef);
    } catch (e) {
      rename(e);
      throw e;
    }
    return new DaemonImageSource(name, inner, dir, rename);
  } catch (e) {
    await temporaryDirs.remove(dir);
    throw e;
  }
}
