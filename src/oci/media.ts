/**
 * Media types of images and indexes: OCI image-spec v1.1 and Docker's Image Manifest V2
 * Schema 2. The spec's rule for index entries: an unknown media type MUST NOT be an error, so
 * everything here answers questions ("is this an index?") instead of listing what is allowed.
 */

export const MediaType = {
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar',
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCI_LAYER_ZSTD: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OCI_EMPTY: 'application/vnd.oci.empty.v1+json',
  OCI_LAYOUT_HEADER: 'application/vnd.oci.layout.header.v1+json',
  DOCKER_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LAYER: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** an uncompressed Docker layer (containers/image writes it; `docker save` layers are such tars) */
  DOCKER_LAYER_TAR: 'application/vnd.docker.image.rootfs.diff.tar',
  DOCKER_FOREIGN_LAYER: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DOCKER_ATTESTATION: 'application/vnd.docker.attestation.manifest.v1+json',
  IN_TOTO: 'application/vnd.in-toto+json',
} as const;

/** The `Accept` list for manifest requests: indexes first, then single-image manifests. */
export const MANIFEST_ACCEPT: readonly string[] = [
  MediaType.OCI_INDEX,
  MediaType.DOCKER_LIST,
  MediaType.OCI_MANIFEST,
  MediaType.DOCKER_MANIFEST,
];

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OCI_INDEX || mt === MediaType.DOCKER_LIST;
}

export function isManifestMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OCI_MANIFEST || mt === MediaType.DOCKER_MANIFEST;
}

/** Layer compression from its media type (undefined: not a layer anyarch can read). */
export function layerCompression(mt: string): 'gzip' | 'zstd' | 'none' | undefined {
  switch (mt) {
    case MediaType.OCI_LAYER_GZIP:
    case MediaType.DOCKER_LAYER:
    case MediaType.DOCKER_FOREIGN_LAYER:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
      return 'gzip';
    case MediaType.OCI_LAYER_ZSTD:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd':
      return 'zstd';
    case MediaType.OCI_LAYER:
    case MediaType.DOCKER_LAYER_TAR:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar':
      return 'none';
    default:
      return undefined;
  }
}
