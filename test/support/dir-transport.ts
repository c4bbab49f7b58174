/**
 * containers/image's `dir:` transport, written from a generated image, so skopeo can push images
 * whose media types its `oci:` transport refuses (Docker manifest lists and v2.2 manifests):
 * `version`, `manifest.json` (the root bytes), `<hex>.manifest.json` for every other manifest or
 * index, and `<hex>` for every blob.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BuiltImage } from './images.js';
import type { TestRegistry } from './registry.js';
import { dockerRef, runSkopeo } from './skopeo.js';

function isManifestJson(bytes: Uint8Array): boolean {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    return v.schemaVersion === 2 && (Array.isArray(v.manifests) || Array.isArray(v.layers));
  } catch {
    return false;
  }
}

export async function writeDirTransport(dir: string, image: BuiltImage): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  await writeFile(path.join(dir, 'manifest.json'), image.root.bytes);
  for (const [digest, bytes] of image.blobs) {
    if (digest === image.root.digest) continue;
    const hex = digest.slice(digest.indexOf(':') + 1);
    await writeFile(path.join(dir, isManifestJson(bytes) ? `${hex}.manifest.json` : hex), bytes);
  }
}

/** Pushes a `dir:` image with every instance, digests preserved. */
export async function skopeoCopyDirToRegistry(dir: string, registry: TestRegistry, repoAndTag: string): Promise<void> {
  await runSkopeo(['copy', '--all', '--preserve-digests', '--quiet', '--dest-tls-verify=false', `dir:${dir}`, dockerRef(registry, repoAndTag)]);
}
