/**
 * The conformance suite (test/support/conformance.ts) against every source, on the same
 * generated images: the registry (Debian's docker-registry, images pushed by skopeo), an OCI
 * layout, an OCI archive, `docker save` archives in both formats, and the Docker engine
 * (Debian's dockerd 20.10, images loaded through its API). One registry and one engine serve
 * the whole file.
 */
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertSourceConforms, type SourceFixture } from './support/conformance.js';
import { tempPaths } from './support/assert.js';
import { skopeoCopyDirToRegistry, writeDirTransport } from './support/dir-transport.js';
import { startDockerd, type TestDockerd } from './support/dockerd.js';
import { alterIn, sha256, writeDockerArchiveMulti, writeOciArchive, writeOciLayout, type BuiltImage } from './support/images.js';
import { startRegistry, type TestRegistry } from './support/registry.js';
import { parseReference } from '../src/oci/reference.js';
import { openDockerArchive, openOciArchive } from '../src/oci/sources/archive.js';
import { connectDockerEngine } from '../src/engine/api.js';
import { openDockerDaemon } from '../src/engine/source.js';
import { openOciLayout } from '../src/oci/sources/layout.js';
import { indexTar } from '../src/oci/tar.js';
import { RegistryClient } from '../src/registry/client.js';
import { registrySource } from '../src/registry/source.js';

const tmp = tempPaths('anyarch-conformance-');

/** Removes the tar entry holding exactly `stored` (its header, data and padding). */
async function removeFromTar(file: string, stored: Uint8Array): Promise<void> {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(stored);
  const entry = [...(await indexTar(file)).entries.values()].find((e) => e.offset === at && e.size === stored.length);
  assert.ok(entry, `${file} has an entry holding the blob`);
  const end = at + Math.ceil(stored.length / 512) * 512;
  writeFileSync(file, Buffer.concat([bytes.subarray(0, at - 512), bytes.subarray(end)]));
  assert.equal((await indexTar(file)).entries.has(entry.name), false);
}

/** Where a blob's bytes are in a layout directory (or a registry's storage, below its blobs/). */
function blobFile(dir: string, stored: Uint8Array, registry = false): string {
  const hex = sha256(stored).slice('sha256:'.length);
  return registry ? path.join(dir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data') : path.join(dir, 'blobs', 'sha256', hex);
}

function isManifestJson(bytes: Uint8Array): { manifests?: unknown; mediaType: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as { schemaVersion?: unknown; manifests?: unknown; layers?: unknown; mediaType: string };
    return v.schemaVersion === 2 && (Array.isArray(v.manifests) || Array.isArray(v.layers)) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** skopeo refuses configs above 4 MiB (containers/image's limit), so the image with a config above anyarch's limit goes up by plain HTTP. */
const SKOPEO_MAX_CONFIG = 4 * 1024 * 1024;

/** Pushes `img` with the distribution API itself: blobs (monolithic uploads), image manifests, then the root under `tag`. */
async function pushByHttp(registry: TestRegistry, repo: string, tag: string, img: BuiltImage): Promise<void> {
  const expect = async (res: Response, status: number, what: string) => assert.equal(res.status, status, `${what}: ${await res.text()}`);
  const manifests: [string, Uint8Array, string][] = [];
  for (const [digest, bytes] of img.blobs) {
    const m = isManifestJson(bytes);
    if (m) {
      if (digest !== img.root.digest) manifests.push([digest, bytes, m.mediaType]);
      continue;
    }
    const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    await expect(start, 202, `upload of ${digest}`);
    const url = new URL(start.headers.get('location') ?? '', registry.url);
    url.searchParams.set('digest', digest);
    await expect(await fetch(url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } }), 201, `upload of ${digest}`);
  }
  for (const [digest, bytes, mediaType] of [...manifests, [tag, img.root.bytes, img.root.mediaType] as [string, Uint8Array, string]]) {
    await expect(await fetch(`${registry.url}/v2/${repo}/manifests/${digest}`, { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } }), 201, `manifest ${digest}`);
  }
}

const files = {
  alter: async (file: string, stored: Uint8Array) => alterIn(file, stored),
  remove: async (file: string) => rmSync(file),
};

const ALTERABLE = { alteredLayer: 'read', alteredConfig: 'read', alteredManifest: 'read', missingLayer: 'read', configTooLarge: 'read' } as const;
/**
 * `docker save` output: the config is read (and checked) to open an image, and its layers are
 * looked for; Docker 25+ archives also hold the image's manifest, found (and checked) at open
 * under the entry that names the image, where classic ones have none (it is synthesised).
 */
const DOCKER_SAVE = {
  oci: { alteredLayer: 'read', alteredConfig: 'open', alteredManifest: 'open', missingLayer: 'open', configTooLarge: 'open' },
  classic: {
    alteredLayer: 'read',
    alteredConfig: 'open',
    alteredManifest: { notApplicable: 'a classic archive holds no manifest: it is synthesised' },
    missingLayer: 'open',
    configTooLarge: 'open',
  },
} as const;

/** Tags of the images a docker archive (or engine) holds: one per platform. */
const tagsOf = (img: BuiltImage, name: string, platforms: readonly number[]) => platforms.map((i) => ({ image: img, platformIndex: i, repoTags: [`anyarch-conformance/${name}:${i}`] }));

describe('every source conforms', () => {
  let registry: TestRegistry;
  let dockerd: TestDockerd;
  before(async () => {
    [registry, dockerd] = await Promise.all([startRegistry(), startDockerd()]);
  });
  after(async () => {
    await Promise.all([registry?.stop(), dockerd?.stop()]);
  });

  const fixtures: SourceFixture[] = [
    {
      kind: 'registry',
      profile: { holds: 'index', manifest: 'published', layers: 'published', faults: ALTERABLE },
      async publish(img, name) {
        if ([...img.blobs.values()].some((b) => b.length > SKOPEO_MAX_CONFIG)) await pushByHttp(registry, `conformance/${name}`, '1', img);
        else {
          const dir = tmp(`dir-${name}`);
          await writeDirTransport(dir, img);
          await skopeoCopyDirToRegistry(dir, registry, `conformance/${name}:1`);
        }
        // one attempt: altered bytes are retried by default, and every retry would fail the same way
        const client = new RegistryClient({ credentials: async () => undefined, retry: { attempts: 1 } });
        return {
          open: async () => registrySource(client, parseReference(`${registry.host}/conformance/${name}:1`)),
          alter: (stored) => files.alter(blobFile(registry.dataDir, stored, true), stored),
          remove: (stored) => files.remove(blobFile(registry.dataDir, stored, true)),
        };
      },
    },
    {
      kind: 'oci-layout',
      profile: { holds: 'index', manifest: 'published', layers: 'published', faults: ALTERABLE },
      async publish(img) {
        const dir = tmp('layout');
        await writeOciLayout(dir, img, 'v1');
        return {
          open: () => openOciLayout(dir, 'v1'),
          alter: (stored) => files.alter(blobFile(dir, stored), stored),
          remove: (stored) => files.remove(blobFile(dir, stored)),
        };
      },
    },
    {
      kind: 'oci-archive',
      profile: { holds: 'index', manifest: 'published', layers: 'published', faults: ALTERABLE },
      async publish(img) {
        const file = tmp('oci.tar');
        await writeOciArchive(file, img, 'v1');
        return { open: () => openOciArchive(file, 'v1'), alter: (stored) => files.alter(file, stored), remove: (stored) => removeFromTar(file, stored) };
      },
    },
    ...(['oci', 'classic'] as const).map(
      (layout): SourceFixture => ({
        kind: 'docker-archive',
        // Docker 25+ writes the image's own manifest and blobs; before, `docker save` had no
        // manifest (one is synthesised) and stored layers as plain tars
        profile: { holds: 'platform', manifest: layout === 'oci' ? 'published' : 'synthesised', layers: layout === 'oci' ? 'published' : 'uncompressed', faults: DOCKER_SAVE[layout] },
        async publish(img, name, platforms) {
          const file = tmp(`docker-${layout}.tar`);
          await writeDockerArchiveMulti(file, tagsOf(img, name, platforms), { layout });
          return {
            open: (i) => openDockerArchive(file, `anyarch-conformance/${name}:${i}`),
            alter: (stored) => files.alter(file, stored),
            remove: (stored) => removeFromTar(file, stored),
          };
        },
      }),
    ),
    {
      kind: 'docker-daemon',
      // Docker 20.10's store: one platform per image, no registry manifest, layers exported as
      // plain tars; the engine checks its own store and exports all of it, so nothing can be
      // altered or removed from outside
      profile: {
        holds: 'platform',
        manifest: 'synthesised',
        layers: 'uncompressed',
        faults: {
          alteredLayer: { notApplicable: 'the engine verifies its own store' },
          alteredConfig: { notApplicable: 'the engine verifies its own store' },
          alteredManifest: { notApplicable: 'the engine keeps no registry manifest' },
          missingLayer: { notApplicable: 'the engine exports every layer it holds' },
          configTooLarge: 'open',
        },
      },
      async publish(img, name, platforms) {
        const file = tmp(`load-${name}.tar`);
        await writeDockerArchiveMulti(file, tagsOf(img, name, platforms), { layout: 'classic' });
        const loaded = await (await connectDockerEngine({ host: dockerd.host })).imageLoad(createReadStream(file));
        assert.equal(loaded.length, platforms.length, loaded.join(', '));
        return { open: (i) => openDockerDaemon(parseReference(`anyarch-conformance/${name}:${i}`), { env: { DOCKER_HOST: dockerd.host } }) };
      },
    },
  ];

  for (const fixture of fixtures) {
    const label = fixture.kind === 'docker-archive' ? `${fixture.kind} (${fixture.profile.manifest === 'published' ? 'Docker 25+' : 'classic'})` : fixture.kind;
    test(label, (t) => assertSourceConforms(t, fixture));
  }
});
