/**
 * Property tests (fast-check) for what reads images: whatever bytes a registry, a layout or an
 * archive hands over, the parsers and the platform walk end in a result or an AnyarchError —
 * never a TypeError, a hang or a stack trace.
 *
 * (a) parseManifest / parseConfig on arbitrary JSON values and mutated real manifests;
 * (b) inspectPlatforms over random index graphs (nested, repeated, cyclic, dangling, entries of
 *     any media type, platforms of any shape) served by an in-memory source.
 *
 * Seeds and run counts are fixed, so the test is deterministic.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { graphBlobs, indexGraph } from '../../test/support/index-graphs.js';
import { memorySource } from '../../test/support/memory-source.js';
import { isAnyarchError } from '../errors.js';
import { digestOf } from './digest.js';
import { parseConfig, parseConfigDetails, parseManifest, type ImageConfig } from './manifest.js';
import { MediaType } from './media.js';
import { inspectPlatforms } from './platforms.js';

const SEED = 20261122;

function onlyAnyarchErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
  }
}

const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

/** Values shaped like manifests, with every field sometimes of the wrong type. */
const anyValue = fc.anything({ maxDepth: 3, withNullPrototype: false });
const descriptorish = fc.record(
  {
    mediaType: fc.oneof(fc.constantFrom(...Object.values(MediaType)), anyValue),
    digest: fc.oneof(fc.constant(digestOf('x')), fc.string(), anyValue),
    size: fc.oneof(fc.nat(), fc.integer(), fc.double(), anyValue),
    platform: fc.oneof(fc.record({ os: fc.oneof(fc.constantFrom('linux', 'windows', 'unknown'), anyValue), architecture: fc.oneof(fc.constantFrom('amd64', 'arm64', 'arm', 'unknown'), anyValue), variant: anyValue }, { requiredKeys: [] }), anyValue),
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyValue),
  },
  { requiredKeys: [] },
);
const manifestish = fc.record(
  {
    schemaVersion: fc.oneof(fc.constant(2), anyValue),
    mediaType: fc.oneof(fc.constantFrom(MediaType.OCI_INDEX, MediaType.OCI_MANIFEST, MediaType.DOCKER_LIST, MediaType.DOCKER_MANIFEST), anyValue),
    manifests: fc.oneof(fc.array(descriptorish, { maxLength: 4 }), anyValue),
    config: fc.oneof(descriptorish, anyValue),
    layers: fc.oneof(fc.array(descriptorish, { maxLength: 3 }), anyValue),
    subject: fc.oneof(descriptorish, anyValue),
    annotations: anyValue,
  },
  { requiredKeys: [] },
);
const configish = fc.record(
  { os: anyValue, architecture: anyValue, variant: anyValue, 'os.version': anyValue, created: anyValue, rootfs: fc.oneof(fc.record({ type: fc.string(), diff_ids: fc.array(fc.string()) }), anyValue), config: anyValue },
  { requiredKeys: [] },
);

describe('image parsers on arbitrary input', () => {
  test('parseManifest: a manifest, an index, or an AnyarchError', () => {
    fc.assert(
      fc.property(manifestish, fc.option(fc.constantFrom(MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST, 'text/plain'), { nil: undefined }), (m, ct) => {
        onlyAnyarchErrors(() => parseManifest(enc(m), 'fuzz', ct));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  test('parseManifest on raw bytes (not JSON, not UTF-8, truncated)', () => {
    const real = enc({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [{ mediaType: MediaType.OCI_MANIFEST, digest: digestOf('a'), size: 1, platform: { os: 'linux', architecture: 'amd64' } }] });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(real.length), (junk, cut) => {
        onlyAnyarchErrors(() => parseManifest(junk, 'fuzz'));
        onlyAnyarchErrors(() => parseManifest(real.subarray(0, cut), 'fuzz'));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  test('parseConfig: a config or an AnyarchError; what it returns has string fields', () => {
    fc.assert(
      fc.property(configish, (c) => {
        try {
          const got = parseConfig(enc(c), 'fuzz');
          for (const k of ['os', 'architecture'] as const) assert.equal(typeof got[k], 'string');
          for (const k of ['variant', 'os.version', 'created'] as const) assert.ok(got[k] === undefined || got[k] === null || typeof got[k] === 'string');
        } catch (e) {
          if (!isAnyarchError(e)) throw e;
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  test('parseConfigDetails: a container config and history of the types they claim, or an AnyarchError', () => {
    const maybe = (a: fc.Arbitrary<unknown>) => fc.oneof(a, fc.constant(null), anyValue);
    const strings = fc.array(fc.oneof(fc.string(), fc.constant(null)), { maxLength: 3 });
    const container = fc.record(
      { Entrypoint: maybe(fc.oneof(strings, fc.string())), Cmd: maybe(strings), Env: maybe(strings), WorkingDir: maybe(fc.string()), User: maybe(fc.string()), Labels: maybe(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(null)))) },
      { requiredKeys: [] },
    );
    const step = fc.record({ created: maybe(fc.string()), created_by: maybe(fc.string()), comment: maybe(fc.string()), author: maybe(fc.string()), empty_layer: maybe(fc.boolean()) }, { requiredKeys: [] });
    const isStrings = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    const isString = (v: unknown) => v === undefined || typeof v === 'string';
    fc.assert(
      fc.property(maybe(container), maybe(fc.array(maybe(step), { maxLength: 3 })), (config, history) => {
        try {
          const got = parseConfigDetails({ os: 'linux', architecture: 'amd64', config, history } as ImageConfig, 'fuzz');
          const c = got.container;
          if (c) {
            assert.ok(isStrings(c.Entrypoint) && isStrings(c.Cmd) && isStrings(c.Env) && isString(c.WorkingDir) && isString(c.User));
            assert.ok(c.Labels === undefined || c.Labels === null || Object.values(c.Labels).every((v) => typeof v === 'string'));
          }
          for (const h of got.history) {
            for (const k of ['created', 'created_by', 'comment', 'author'] as const) assert.ok(isString(h[k]));
            assert.ok(h.empty_layer === undefined || typeof h.empty_layer === 'boolean');
          }
        } catch (e) {
          if (!isAnyarchError(e)) throw e;
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

describe('inspectPlatforms over random index graphs', () => {
  test('ends in a report or an AnyarchError, in bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(indexGraph, fc.boolean(), async (nodes, details) => {
        // digests do not match content here: this walk is about shapes, not checks
        const { blobs, root } = graphBlobs(nodes);
        const source = memorySource(blobs, root, 'fuzz');
        try {
          const report = await inspectPlatforms(source, { details });
          for (const p of report.platforms) assert.equal(typeof p.platform, 'string');
        } catch (e) {
          if (!isAnyarchError(e)) throw e;
        }
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
