/**
 * From a source specifier (`docker://…`, `oci:DIR:tag`, `docker-archive:FILE`, …) to an open
 * `ImageSource`. The registry client is shared, so tokens and connections are reused across
 * images of one command.
 */
import { isAnyarchError, type AnyarchError } from './errors.js';
import { RegistryClient } from './registry/client.js';
import { formatSourceSpec, parseSourceSpec, type SourceSpec } from './oci/source-spec.js';
import type { ImageSource } from './oci/source.js';
import { registrySource } from './registry/source.js';

export interface OpenOptions {
  /** the registry client for `registry` sources (one is made when absent) */
  readonly client?: RegistryClient;
  /** the environment for `DOCKER_HOST` (docker-daemon sources; default: the process's) */
  readonly env?: NodeJS.ProcessEnv;
  /** how long one exchange with the Docker engine may take, ms (docker-daemon sources; registry sources take their client's) */
  readonly timeoutMs?: number;
}

export async function openSource(spec: SourceSpec, opts: OpenOptions = {}): Promise<ImageSource> {
  switch (spec.kind) {
    case 'registry':
      return registrySource(opts.client ?? new RegistryClient(), spec.reference);
    case 'oci-layout': {
      const { openOciLayout } = await import('./oci/sources/layout.js');
      return openOciLayout(spec.dir, spec.tag);
    }
    case 'oci-archive': {
      const { openOciArchive } = await import('./oci/sources/archive.js');
      return openOciArchive(spec.file, spec.tag);
    }
    case 'docker-archive': {
      const { openDockerArchive } = await import('./oci/sources/archive.js');
      return openDockerArchive(spec.file, spec.reference);
    }
    case 'docker-daemon': {
      const { openDockerDaemon } = await import('./engine/source.js');
      return openDockerDaemon(spec.reference, { ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
    }
  }
}

export interface EachSourceOptions extends OpenOptions {
  /** the directory relative `oci:` and archive paths are read from */
  readonly cwd?: string;
  /** called as each image is finished, with how many are */
  readonly onDone?: (done: number, image: string) => void;
}

/**
 * What a command does with a list of images, all at once: each specifier parsed, its source
 * opened, handed to `use` with its name as written, and closed. An `AnyarchError` from any of
 * these becomes `failed(name, error)` (the name as given when it did not parse), so every image is
 * done whatever another's fate; anything else is a bug and is thrown. Results in the order given.
 */
export async function eachSource<T>(
  images: readonly string[],
  opts: EachSourceOptions,
  use: (source: ImageSource, name: string) => Promise<T>,
  failed: (name: string, error: AnyarchError) => T,
): Promise<T[]> {
  const open: OpenOptions = { ...(opts.client ? { client: opts.client } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) };
  let done = 0;
  const one = async (image: string): Promise<T> => {
    let name = image;
    let source: ImageSource | undefined;
    try {
      const spec = parseSourceSpec(image, opts.cwd !== undefined ? { cwd: opts.cwd } : {});
      name = formatSourceSpec(spec);
      source = await openSource(spec, open);
      return await use(source, name);
    } catch (e) {
      if (isAnyarchError(e)) return failed(name, e);
      throw e;
    } finally {
      await source?.close();
    }
  };
  return Promise.all(
    images.map(async (image) => {
      try {
        return await one(image);
      } finally {
        opts.onDone?.(++done, image);
      }
    }),
  );
}
