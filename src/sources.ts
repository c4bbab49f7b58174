/**
 * From a source specifier (`docker://…`, `oci:DIR:tag`, `docker-archive:FILE`, …) to an open
 * `ImageSource`. The registry client is shared, so tokens and connections are reused across
 * images of one command.
 */
import { RegistryClient } from './registry/client.js';
import type { SourceSpec } from './oci/source-spec.js';
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
