/**
 * One interface for every place images live (go-containerregistry puts `remote`, `layout`,
 * `tarball` and `daemon` behind `v1.Image`; we do the same): a source gives its root (the
 * manifest or index a reference names), any manifest or blob by descriptor, and layers as
 * streams. Every source verifies what it returns against the descriptor's digest and size.
 */
import type { Readable } from 'node:stream';
import type { Descriptor, Manifest } from './manifest.js';

export interface FetchedManifest {
  /** descriptor of these bytes (digest and size computed from them; media type as served) */
  readonly descriptor: Descriptor;
  /** the exact bytes (digests are computed over them, never over re-serialised JSON) */
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

export type SourceKind = 'registry' | 'oci-layout' | 'oci-archive' | 'docker-archive' | 'docker-daemon';

export interface ImageSource {
  readonly kind: SourceKind;
  /** how the user named the image, for messages (never contains credentials) */
  readonly name: string;
  /** The manifest or index the reference names (tag, digest, or the only image of an archive). */
  root(): Promise<FetchedManifest>;
  /** A manifest or index by descriptor, verified against its digest. */
  manifest(descriptor: Descriptor): Promise<FetchedManifest>;
  /** A small blob (an image config) read whole, verified, refused above `limit` bytes. */
  blob(descriptor: Descriptor, limit: number): Promise<Uint8Array>;
  /**
   * A blob (a layer) as a stream; the stream errors with `E_DIGEST` at its end when the content
   * does not match the descriptor, so nothing read from it is trusted before it ends.
   */
  blobStream(descriptor: Descriptor): Promise<Readable>;
  /** Releases files, connections and temporary directories. Safe to call twice. */
  close(): Promise<void>;
}
