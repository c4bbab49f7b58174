/**
 * Fuzz targets for the small inputs anyarch takes from files and arguments:
 *
 * - `config`: `.anyarch.yaml` text (parseConfig, what loadConfig runs on a file's text): a Config
 *   whose fields have their documented types, or `E_CONFIG` at a position inside the file;
 * - `reference`: image references (parseReference): a reference that round-trips through both
 *   written forms, or `E_REFERENCE` quoting the input;
 * - `source-spec`: source specifiers (parseSourceSpec): a spec that formats and parses back, or
 *   `E_REFERENCE`;
 * - `cache`: base-image cache files as anyone with write access to the cache directory may leave
 *   them (resolveBaseImages with the cache): an answer of the right types, or the entry ignored —
 *   a cache never causes a failure.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import fc from 'fast-check';
import { resolveBaseImages } from '../../src/check/base-image-lookup.js';
import { parseConfig } from '../../src/config.js';
import { computeLineStarts } from '../../src/dockerfile/text.js';
import { FIX_STYLES, SEVERITY_OVERRIDES } from '../../src/config.js';
import { digestOf } from '../../src/oci/digest.js';
import { familiarReference, formatReference, parseReference } from '../../src/oci/reference.js';
import { formatSourceSpec, parseSourceSpec } from '../../src/oci/source-spec.js';
import { CACHE_FORMAT_VERSION } from '../../src/fs/cache.js';
import { RegistryClient } from '../../src/registry/client.js';
import { jsonCodec, mutatedBytes, onlyAnyarchErrors, repoFiles, seedBytes, temporaryDir, text, textCodec, utf8, type FuzzTarget } from '../support/fuzz.js';

// ---------------------------------------------------------------------------------------------
// config

const CONFIG_FILE = '/work/project/.anyarch.yaml';

function configSeeds(): Uint8Array[] {
  return [
    ...repoFiles('.anyarch.yaml'),
    utf8(
      [
        'platforms: [linux/amd64, linux/arm64]',
        'rules:',
        '  AA112: off',
        '  arch-specific-path: error',
        'ignore:',
        '  - third_party/**',
        'fixStyle: targetarch',
        'failOn: warning',
        'offline: false',
        'buildPlatform: linux/amd64',
        '',
      ].join('\n'),
    ),
    utf8('platforms:\n  - linux/arm/v7\n  - "linux/riscv64"\nrules: {AA101: info}\nignore: []\n'),
    utf8('%YAML 1.2\n---\nplatforms: &p [linux/amd64]\nbuildPlatform: *p\nfailOn: never\n...\n'),
  ];
}

const yamlish = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('platforms', 'rules', 'ignore', 'fixStyle', 'failOn', 'offline', 'buildPlatform', 'insecureRegistries', 'fail-on', ':', ': ', '\n', '\n  ', '\n  - ', '- ', '[', ']', '{', '}', ',', '"', "'", '&a ', '*a', '!!str ', '!!binary ', '? ', '|', '>', '#', '---\n', '...\n', '%YAML 1.2\n', '<<: ', 'linux/amd64', 'linux/arm/v7', 'windows/amd64', 'AA101', 'off', 'error', 'warning', 'info', 'never', 'true', 'null', '~', '0x1f', '.inf', 'targetarch', 'detect', '**', '\t', '\ufeff') },
      { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

export const configTarget: FuzzTarget<string> = {
  name: 'config',
  reads: '.anyarch.yaml text (parseConfig, as loadConfig reads a file)',
  input: fc.oneof({ weight: 3, arbitrary: yamlish }, { weight: 3, arbitrary: mutatedBytes(configSeeds).map(text) }, { weight: 1, arbitrary: seedBytes(configSeeds).map(text) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) }),
  ...textCodec,
  ciRuns: 800,
  check(s) {
    let config;
    try {
      config = parseConfig(s, CONFIG_FILE, { displayPath: '.anyarch.yaml' });
    } catch (e) {
      onlyAnyarchErrors(() => {
        throw e;
      }, ['E_CONFIG']);
      const loc = (e as { location?: { line?: number; column?: number } }).location;
      if (loc?.line !== undefined) {
        const lines = computeLineStarts(s).length;
        assert.ok(loc.line >= 1 && loc.line <= lines + 1, `E_CONFIG at line ${loc.line} of ${lines}`);
        assert.ok(loc.column === undefined || loc.column >= 1, `E_CONFIG at column ${loc.column}`);
      }
      return;
    }
    assert.equal(config.file, CONFIG_FILE);
    for (const p of config.platforms ?? []) assert.ok(typeof p.os === 'string' && typeof p.architecture === 'string');
    for (const [id, sev] of Object.entries(config.rules ?? {})) assert.ok(/^AA\d+$/.test(id) && SEVERITY_OVERRIDES.includes(sev), `rules: ${id}: ${sev}`);
    for (const g of config.ignore ?? []) assert.equal(typeof g, 'string');
    assert.ok(config.fixStyle === undefined || FIX_STYLES.includes(config.fixStyle));
    assert.ok(config.failOn === undefined || ['error', 'warning', 'info', 'never'].includes(config.failOn));
    assert.ok(config.offline === undefined || typeof config.offline === 'boolean');
  },
};

// ---------------------------------------------------------------------------------------------
// references and source specifiers

const D = digestOf('x');
const NAME_PIECES = ['alpine', 'library/', 'user', 'app', 'docker.io', 'index.docker.io', 'localhost', 'ghcr.io', '127.0.0.1', '[::1]', '[::1', ':', ':5000', ':99999', ':0', '/', '//', '@', '.', '-', '_', '__', 'A', 'latest', '1.0', D, 'sha256:', 'sha512:', D.slice(7, 20), ' ', '\t', 'docker://', 'http://', 'oci:', 'ocidir://', 'oci-archive:', 'docker-archive:', 'docker-daemon:', 'dir:', 'OCI:', './', '~/', 'img.tar', '@0', '%', '\u0000', 'é'];
const nameish = fc
  .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...NAME_PIECES) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), { maxLength: 10 })
  .map((parts) => parts.join(''));
const nameSeeds = (): Uint8Array[] => ['docker.io/library/alpine:3.20', `ghcr.io/o/r@${D}`, `localhost:5000/a/b:c@${D}`, '[::1]:5000/x:y', 'oci:/tmp/layout:v1', 'oci-archive:img.tar:latest', 'docker-archive:x.tar:alpine:1', `docker-daemon:${D}`, 'ocidir://dir:tag'].map(utf8);
const names = fc.oneof({ weight: 3, arbitrary: nameish }, { weight: 2, arbitrary: mutatedBytes(nameSeeds).map(text) });

export const referenceTarget: FuzzTarget<string> = {
  name: 'reference',
  reads: 'image references, as written in FROM lines, on the command line and in index annotations (parseReference)',
  input: names,
  ...textCodec,
  ciRuns: 1500,
  check(s) {
    let r;
    try {
      r = parseReference(s);
    } catch (e) {
      onlyAnyarchErrors(() => {
        throw e;
      }, ['E_REFERENCE']);
      return;
    }
    assert.ok(r.tag !== undefined || r.digest !== undefined);
    assert.deepEqual(parseReference(formatReference(r)), r);
    assert.deepEqual(parseReference(familiarReference(r)), r);
  },
};

export const sourceSpecTarget: FuzzTarget<string> = {
  name: 'source-spec',
  reads: 'source specifiers given to `anyarch platforms` (parseSourceSpec)',
  input: names,
  ...textCodec,
  ciRuns: 1500,
  check(s) {
    const opts = { cwd: '/work' };
    let got;
    try {
      got = parseSourceSpec(s, opts);
    } catch (e) {
      onlyAnyarchErrors(() => {
        throw e;
      }, ['E_REFERENCE']);
      return;
    }
    const p = got.kind === 'oci-layout' ? got.dir : got.kind === 'oci-archive' || got.kind === 'docker-archive' ? got.file : '';
    if (p.includes(':')) return; // not expressible in skopeo's syntax (nor in ours)
    assert.deepEqual(parseSourceSpec(formatSourceSpec(got), opts), got);
  },
};

// ---------------------------------------------------------------------------------------------
// the base-image cache

const CACHED = ['docker.io/library/alpine:3.20', `docker.io/library/debian@${D}`];

function cacheSeeds(): Uint8Array[] {
  return [
    { version: CACHE_FORMAT_VERSION, key: CACHED[0], storedAt: 1_700_000_000_000, value: { digest: D, platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'] } },
    { version: CACHE_FORMAT_VERSION, key: CACHED[1], storedAt: 1_700_000_000_000, value: { digest: D, platforms: [] } },
    { version: 1, reference: CACHED[0], fetchedAt: 1_700_000_000_000, digest: D, platforms: ['linux/amd64'] },
  ].map((v) => utf8(JSON.stringify(v)));
}

const cacheEntryish = fc.record(
  {
    version: fc.oneof(fc.constantFrom(1, CACHE_FORMAT_VERSION), fc.jsonValue()),
    key: fc.oneof(fc.constantFrom(...CACHED), fc.jsonValue()),
    reference: fc.oneof(fc.constantFrom(...CACHED), fc.jsonValue()),
    storedAt: fc.oneof(fc.constantFrom(1_700_000_000_000, 0, -1, 1e300), fc.jsonValue()),
    fetchedAt: fc.oneof(fc.constant(1_700_000_000_000), fc.jsonValue()),
    digest: fc.oneof(fc.constant(D), fc.jsonValue()),
    platforms: fc.oneof(fc.array(fc.oneof(fc.constantFrom('linux/amd64', 'linux/arm/v7', 'windows/amd64', '', 'x/y/z/w', '../..'), fc.jsonValue()), { maxLength: 4 }), fc.jsonValue()),
    value: fc.oneof(fc.record({ digest: fc.oneof(fc.constant(D), fc.jsonValue()), platforms: fc.oneof(fc.array(fc.oneof(fc.constant('linux/amd64'), fc.jsonValue()), { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

const fileOf = (dir: string, key: string, legacy: boolean): string => path.join(dir, 'platforms', `${createHash('sha256').update(key).digest('hex')}${legacy ? '' : `.v${CACHE_FORMAT_VERSION}`}.json`);

interface CacheInput {
  readonly current: Uint8Array;
  readonly legacy: Uint8Array;
}

const cacheBytes = fc.oneof({ weight: 2, arbitrary: mutatedBytes(cacheSeeds) }, { weight: 2, arbitrary: cacheEntryish.map((v) => utf8(JSON.stringify(v))) }, { weight: 1, arbitrary: seedBytes(cacheSeeds) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) });

export const cacheTarget: FuzzTarget<CacheInput, { dir: string; client: RegistryClient }> = {
  name: 'cache',
  reads: 'base-image cache files, both formats (the cache read by resolveBaseImages)',
  input: fc.record({ current: cacheBytes, legacy: cacheBytes }),
  ...jsonCodec,
  ciRuns: 150,
  async setup() {
    const tmp = await temporaryDir('cache');
    const { dir } = tmp.ctx;
    await mkdir(path.join(dir, 'platforms'));
    // a registry nobody answers at: an entry the cache does not give is looked up, and fails at once
    const client = new RegistryClient({ credentials: async () => undefined, retry: { attempts: 1 }, timeoutMs: 1000 });
    return { ctx: { dir, client }, close: tmp.close };
  },
  async check(x, { dir, client }) {
    // both references under both formats; the references point at a closed loopback port
    const refs = CACHED.map((r) => r.replace('docker.io/', '127.0.0.1:9/'));
    for (const ref of refs) {
      await writeFile(fileOf(dir, ref, false), rekey(x.current, CACHED, ref));
      await writeFile(fileOf(dir, ref, true), rekey(x.legacy, CACHED, ref));
    }
    const got = await resolveBaseImages(refs, { client, cacheDir: dir, now: () => 1_700_000_100_000, concurrency: 2 });
    assert.equal(got.size, refs.length);
    for (const fact of got.values()) {
      if ('error' in fact && fact.error) {
        assert.equal(typeof fact.error.code, 'string');
        continue;
      }
      const found = fact as { digest: unknown; platforms: unknown };
      assert.equal(typeof found.digest, 'string');
      assert.ok(Array.isArray(found.platforms) && found.platforms.every((p: { os?: unknown; architecture?: unknown }) => typeof p.os === 'string' && typeof p.architecture === 'string'));
    }
  },
};

/** The entry with the seed's references replaced by `ref`, so the cache reads it as that reference's. */
function rekey(bytes: Uint8Array, from: readonly string[], ref: string): Uint8Array {
  let s = Buffer.from(bytes).toString('latin1');
  for (const f of from) s = s.split(f).join(ref);
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

