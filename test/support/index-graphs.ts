/**
 * Random index graphs for property tests (fast-check): up to 7 blobs, indexes naming each other
 * (nested, repeated, cyclic, dangling) and image manifests, configs, missing and junk blobs;
 * entries of every media type, with and without platforms of any shape, attestations describing
 * any node. Digests are placeholders per node, so entries can point anywhere: serve the blobs
 * with a source that checks no digest (test/support/memory-source.ts).
 */
import fc from 'fast-check';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { REFERENCE_DIGEST, REFERENCE_TYPE, type Descriptor } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media.js';

export interface GraphEntry {
  readonly to: number;
  readonly mediaType: string;
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string | undefined } | undefined;
  readonly attestation: boolean;
  readonly describes: number;
  readonly badSize: boolean;
}

export interface GraphNode {
  readonly kind: 'index' | 'manifest' | 'config' | 'missing' | 'junk';
  readonly entries: readonly GraphEntry[];
  readonly arch: string;
  readonly variant?: string | undefined;
  /** more fields of a config node: ones anyarch does not read for platforms, of odd or wrong types */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * Config fields beside the platform: what Docker's decoder takes (null list elements and map
 * values, null lists), what it refuses (a string for a boolean, a list for an object, a number
 * for a string), and a wrong type in a field the platform report does read.
 */
const CONFIG_EXTRAS: readonly Record<string, unknown>[] = [
  {},
  {},
  { history: [{ empty_layer: 'false' }] },
  { history: [null, { created_by: null, empty_layer: null }] },
  { history: {} },
  { config: { Labels: { maintainer: null } } },
  { config: { Env: null, Cmd: [null, 'sh'], Entrypoint: '/bin/sh' } },
  { config: [] },
  { config: { User: 0 } },
  { author: 1 },
  { created: 5 },
  { rootfs: { type: 'layers', diff_ids: [1] } },
];

export const indexGraph: fc.Arbitrary<GraphNode[]> = fc.array(
  fc.record({
    kind: fc.constantFrom('index', 'index', 'manifest', 'manifest', 'config', 'missing', 'junk'),
    entries: fc.array(
      fc.record({
        to: fc.nat(6),
        mediaType: fc.constantFrom(MediaType.OCI_INDEX, MediaType.OCI_MANIFEST, MediaType.DOCKER_LIST, MediaType.DOCKER_MANIFEST, 'application/x-unknown', MediaType.DOCKER_ATTESTATION),
        platform: fc.option(
          fc.record({ os: fc.constantFrom('linux', 'unknown', 'windows'), architecture: fc.constantFrom('amd64', 'arm64', 'arm', 'unknown', 's390x'), variant: fc.option(fc.constantFrom('v7', 'v8', ''), { nil: undefined }) }),
          { nil: undefined },
        ),
        attestation: fc.boolean(),
        describes: fc.nat(6),
        badSize: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    arch: fc.constantFrom('amd64', 'arm64', 'riscv64'),
    variant: fc.option(fc.constantFrom('v7', 'v8'), { nil: undefined }),
    extra: fc.constantFrom(...CONFIG_EXTRAS),
  }),
  { minLength: 1, maxLength: 7 },
);

const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

/** The blobs of a graph by placeholder digest, and the root's descriptor (node 0). */
export function graphBlobs(nodes: readonly GraphNode[]): { blobs: Map<string, Uint8Array>; root: Descriptor } {
  const id = (i: number): Digest => digestOf(`node-${i % nodes.length}`);
  const blobs = new Map<string, Uint8Array>();
  nodes.forEach((n, i) => {
    let bytes: Uint8Array;
    if (n.kind === 'config') bytes = enc({ os: 'linux', architecture: n.arch, ...(n.variant ? { variant: n.variant } : {}), ...n.extra });
    else if (n.kind === 'manifest') bytes = enc({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: { mediaType: MediaType.OCI_CONFIG, digest: id(i + 1), size: 40 }, layers: [{ mediaType: MediaType.OCI_LAYER_GZIP, digest: id(i + 2), size: 7 }] });
    else if (n.kind === 'junk') bytes = Buffer.from('{not json');
    else
      bytes = enc({
        schemaVersion: 2,
        mediaType: MediaType.OCI_INDEX,
        manifests: n.entries.map((e) => ({
          mediaType: e.mediaType,
          digest: id(e.to),
          size: e.badSize ? 1 : 2,
          ...(e.platform ? { platform: { os: e.platform.os, architecture: e.platform.architecture, ...(e.platform.variant ? { variant: e.platform.variant } : {}) } } : {}),
          ...(e.attestation ? { annotations: { [REFERENCE_TYPE]: 'attestation-manifest', [REFERENCE_DIGEST]: id(e.describes) } } : {}),
        })),
      });
    if (n.kind !== 'missing') blobs.set(id(i), bytes);
  });
  const first = nodes[0] as GraphNode;
  return { blobs, root: { mediaType: first.kind === 'manifest' ? MediaType.OCI_MANIFEST : MediaType.OCI_INDEX, digest: id(0), size: blobs.get(id(0))?.length ?? 2 } };
}
