/**
 * From a source specifier (`docker://…`, `oci:DIR:tag`, `docker-archive:FILE`, …) to an open
 * `ImageSource`. The registry client is shared, so tokens and connections are reused across
 * images of one command.
 */
import { AnyarchError } from '../errors.js';
import { RegistryClient } from '../registry/client.js';
import { formatSourceSpec, type SourceSpec } from './source-spec.js';
import type { ImageSource } from './source.js';
import { registrySource } from './sources/registry.js';

export interface OpenOptions {
  /** the registry client for `registry` sources (one is made when absent) */
  readonly client?: RegistryClient;
}

export async function openSource(spec: SourceSpec, opts: OpenOptions = {}): Promise<ImageSource> {
  switch (spec.kind) {
    case 'registry':
      return registrySource(opts.client ?? new RegistryClient(), spec.reference);
    case 'oci-layout': {
      const { openOciLayout } = await import('./sources/layout.js');
      return openOciLayout(spec.dir, spec.tag);
    }
    case 'oci-archive': {
      const { openOciArchive } = await import('./sources/archive.js');
      return openOciArchive(spec.file, spec.tag);
    }
    case 'docker-archive': {
      const { openDockerArchive } = await import('./sources/archive.js');
      return openDockerArchive(spec.file, spec.reference);
    }
    case 'docker-daemon':
      throw new AnyarchError('E_SOURCE', `${formatSourceSpec(spec)}: reading a Docker engine's image store is not supported yet`, 'export the image with `docker save -o image.tar IMAGE` and use docker-archive:image.tar');
  }
}
