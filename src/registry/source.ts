/**
 * The registry source: an image in a registry (`docker://host/repo:tag` or a bare reference),
 * read through the distribution API client. Children of an index live in the same repository.
 */
import type { Readable } from 'node:stream';
import type { RegistryClient, RepositoryRef } from './client.js';
import type { Descriptor } from '../oci/manifest.js';
import { formatReference, referenceTarget, type ImageReference } from '../oci/reference.js';
import type { FetchedManifest, ImageSource } from '../oci/source.js';

export function registrySource(client: RegistryClient, ref: ImageReference): ImageSource {
  const repo: RepositoryRef = { registry: ref.registry, repository: ref.repository };
  return {
    kind: 'registry',
    name: formatReference(ref),
    root: (): Promise<FetchedManifest> => client.getManifest(repo, referenceTarget(ref)),
    manifest: (d: Descriptor): Promise<FetchedManifest> => client.getManifest(repo, d.digest, d),
    blob: (d: Descriptor, limit: number): Promise<Uint8Array> => client.getBlob(repo, d, limit),
    blobStream: (d: Descriptor): Promise<Readable> => client.blobStream(repo, d),
    close: async (): Promise<void> => undefined,
  };
}
