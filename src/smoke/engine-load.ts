/**
 * A variant handed to a Docker engine for a smoke run: `loadVariant(engine, image)` streams it
 * as a `docker save` archive (manifest.json, the config's exact bytes, each layer as stored)
 * into `POST /images/load` under a fresh name (`anyarch-smoke/<random>:<config hex>`), and
 * `remove()` takes that name away again (the image with it, unless something else names it).
 * The engine checks the layers against the config's diff ids, as it does for `docker load`.
 *
 * Only layers whose size the manifest states and the engine can read as stored are sent:
 * uncompressed and gzip layers (Docker 20.10 loads no zstd); any other is `E_SOURCE`, and
 * the caller runs the variant extracted instead. At most {@link MAX_TAR_ENTRY_BYTES} per layer
 * (the ustar size field).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DockerEngine } from '../engine/api.js';
import { AnyarchError } from '../errors.js';
import type { Image } from '../oci/image.js';

/** Largest file a ustar header can state (11 octal digits): 8 GiB - 1. */
export const MAX_TAR_ENTRY_BYTES = 8 * 1024 ** 3 - 1;

/** A ustar header of a regular file (mode 0644, owner 0, mtime 0). */
function fileHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const padding = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512);

/** The variant as a `docker save` archive naming it `tag`, streamed; nothing is held but one chunk. */
export async function dockerArchive(image: Image, tag: string): Promise<Readable> {
  const [manifest, config, layers] = await Promise.all([image.manifest(), image.configBytes(), image.layers()]);
  const configName = `${manifest.config.digest.replace(/^sha256:/, '')}.json`;
  const names: string[] = [];
  for (const l of layers) {
    if (l.compression !== 'gzip' && l.compression !== 'none') throw new AnyarchError('E_SOURCE', `layer ${l.index + 1} is ${l.mediaType}, which the engine is not given`);
    if (!(l.descriptor.size >= 0 && l.descriptor.size <= MAX_TAR_ENTRY_BYTES)) throw new AnyarchError('E_SOURCE', `layer ${l.index + 1} is larger than a tar entry holds`);
    names.push(`${l.descriptor.digest.replace(/^sha256:/, '')}/layer.tar`);
  }
  const manifestJson = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: names }]));
  async function* entries(): AsyncGenerator<Buffer | Uint8Array> {
    yield fileHeader(configName, config.length);
    yield config;
    yield padding(config.length);
    const sent = new Set<string>();
    for (const [i, l] of layers.entries()) {
      const name = names[i] as string;
      if (sent.has(name)) continue; // one layer twice in a manifest: one file
      sent.add(name);
      yield fileHeader(name, l.descriptor.size);
      let n = 0;
      for await (const chunk of await l.compressed()) {
        n += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (n !== l.descriptor.size) throw new AnyarchError('E_DIGEST', `layer ${l.index + 1} is ${n} bytes, not the ${l.descriptor.size} its descriptor says`);
      yield padding(n);
    }
    yield fileHeader('manifest.json', manifestJson.length);
    yield manifestJson;
    yield padding(manifestJson.length);
    yield Buffer.alloc(1024);
  }
  return Readable.from(entries(), { objectMode: false });
}

/** The variant loaded into the engine under a fresh name; `remove()` takes the name away (idempotent, never throws). */
export async function loadVariant(engine: DockerEngine, image: Image): Promise<{ readonly name: string; remove(): Promise<void> }> {
  const hex = (await image.manifest()).config.digest.replace(/^sha256:/, '').slice(0, 12);
  const name = `anyarch-smoke/${randomBytes(6).toString('hex')}:${hex}`;
  const loaded = await engine.imageLoad(await dockerArchive(image, name));
  if (!loaded.includes(name)) throw new AnyarchError('E_SOURCE', `the Docker engine did not load the variant as ${name} (it said: ${loaded.join(', ') || 'nothing'})`);
  let removed: Promise<void> | undefined;
  return { name, remove: () => (removed ??= engine.imageRemove(name).catch(() => undefined)) };
}
