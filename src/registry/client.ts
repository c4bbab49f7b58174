/**
 * A client of the OCI distribution API (`/v2/`): manifests, blobs and tags, with the auth flows
 * registries use (anonymous, Basic, Bearer tokens per scope), bounded retries, a connection
 * limit per host, and every byte checked against its digest.
 *
 * This class is the facade; the work is split by job: transport.ts (auth, retries, the per-host
 * limit, redaction, the registry's refusals as `RegistryError`), reads.ts (ping, manifests,
 * blobs, tags) and uploads.ts (blobs, streamed or chunked, and manifests). One client shares its
 * tokens, credentials and connections across every request it makes.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import type { FetchedManifest } from '../oci/source.js';
import * as reads from './reads.js';
import { RegistryTransport, type RegistryClientOptions, type RepositoryRef } from './transport.js';
import * as uploads from './uploads.js';
import type { BlobOpener, PushBlobOptions } from './uploads.js';

export type { ClientEvent, RegistryClientOptions, RepositoryRef } from './transport.js';
export type { BlobOpener, PushBlobOptions } from './uploads.js';

export class RegistryClient {
  private readonly transport: RegistryTransport;

  constructor(opts: RegistryClientOptions = {}) {
    this.transport = new RegistryTransport(opts);
  }

  /** `http://` or `https://` plus the API host of a registry (`docker.io` is served by `registry-1.docker.io`). */
  baseUrl(registry: string): string {
    return this.transport.baseUrl(registry);
  }

  /** Checks that the registry speaks the v2 API and that anyarch can authenticate to it. */
  ping(registry: string): Promise<void> {
    return reads.ping(this.transport, registry);
  }

  /**
   * A manifest or index by tag or digest, verified: by digest, the bytes must hash to it; by
   * tag, to the registry's `Docker-Content-Digest` when it sends one. `expected` (a descriptor
   * from an index) also fixes the size.
   */
  getManifest(repo: RepositoryRef, reference: string, expected?: Descriptor): Promise<FetchedManifest> {
    return reads.getManifest(this.transport, repo, reference, expected);
  }

  /** HEAD of a manifest: its descriptor, or undefined when the registry does not have it. */
  headManifest(repo: RepositoryRef, reference: string): Promise<Descriptor | undefined> {
    return reads.headManifest(this.transport, repo, reference);
  }

  /** A small blob (an image config) read whole and verified against its descriptor. */
  getBlob(repo: RepositoryRef, desc: Descriptor, limit: number): Promise<Uint8Array> {
    return reads.getBlob(this.transport, repo, desc, limit);
  }

  /** A blob as a stream that fails with `E_DIGEST` at its end when the content does not match. */
  blobStream(repo: RepositoryRef, desc: Descriptor): Promise<Readable> {
    return reads.blobStream(this.transport, repo, desc);
  }

  /** Bytes `start` to `end` (inclusive) of a blob, unverified: to peek, never to trust. */
  readBlobRange(repo: RepositoryRef, desc: Descriptor, start: number, end: number): Promise<Uint8Array> {
    return reads.readBlobRange(this.transport, repo, desc, start, end);
  }

  /** Every tag of a repository, following `Link: <...>; rel="next"` pages. */
  listTags(repo: RepositoryRef, pageSize = 1000): Promise<string[]> {
    return reads.listTags(this.transport, repo, pageSize);
  }

  /** Whether the repository has the blob (HEAD; 404 is false). */
  hasBlob(repo: RepositoryRef, digest: Digest): Promise<boolean> {
    return uploads.hasBlob(this.transport, repo, digest);
  }

  /**
   * Uploads a blob unless the repository has it (mount, one streamed PUT, or PATCH chunks that
   * resume after a lost one). `content` is the bytes, or a function opening them as a stream
   * (called again for each attempt): a layer is never held in memory whole. Content that does
   * not match `desc` is `E_DIGEST` and is not committed. Returns how the blob got there.
   */
  pushBlob(repo: RepositoryRef, desc: Descriptor, content: Uint8Array | BlobOpener, opts: PushBlobOptions = {}): Promise<'exists' | 'mounted' | 'uploaded'> {
    return uploads.pushBlob(this.transport, repo, desc, content, opts);
  }

  /** PUTs a manifest or index under a tag or its digest (children first); returns its digest. */
  putManifest(repo: RepositoryRef, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    return uploads.putManifest(this.transport, repo, reference, bytes, mediaType);
  }
}
