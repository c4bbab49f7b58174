/**
 * Writes images as archives, and the tar encoding they (and the layers `build` writes) share.
 *
 *  - {@link writeOciArchive}: a tar of an OCI image layout (`oci-layout`, `index.json`,
 *    `blobs/<alg>/<hex>`), what `skopeo copy … oci-archive:FILE` and
 *    `docker buildx build --output type=oci` write, read back by `oci-archive:FILE`.
 *  - {@link writeDockerArchive}: one image in the `docker save` format `docker load` reads
 *    (`manifest.json` with `Config`, `RepoTags`, `Layers`; the config as `<hex>.json`; each layer
 *    uncompressed as `<diff-id hex>.tar`, as skopeo's docker-archive writes them).
 *
 * Both stream: every blob goes from its source's stream (verified against its digest at its end)
 * into a temporary file beside `file`, which is renamed to `file` only when the whole archive was
 * written; a failure (a digest mismatch included) leaves no file. A layer whose uncompressed size
 * is not known before it is read is written with a placeholder header that is rewritten in place
 * once its size is known, so nothing is decompressed twice or spooled.
 *
 * The tar encoding ({@link tarHeader}) is deterministic: ustar headers, uid/gid 0, no user or
 * group names, the given mtime, PAX `path`/`linkpath` records only for names that are longer than
 * 100 bytes or not ASCII, GNU base-256 for sizes of 8 GiB and more (as Go's archive/tar and GNU
 * tar read them).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { imageContents } from './contents.js';
import { digestOf, parseDigest, type Digest } from './digest.js';
import type { Image, Index } from './image.js';
import type { Descriptor } from './manifest.js';
import { MediaType } from './media.js';
import { tryParseReference } from './reference.js';
import { REF_NAME_ANNOTATION } from './sources/layout.js';
import { LAYOUT_TAG } from './write-layout.js';

export const TAR_BLOCK = 512;
/** Largest size an octal ustar field of 12 bytes holds (8 GiB - 1); larger sizes are base-256. */
const MAX_OCTAL_SIZE = 0o77777777777;

export type TarEntryKind = 'file' | 'dir' | 'symlink';

export interface TarHeaderFields {
  /** the entry's name, relative, `/`-separated, without a trailing `/` (added for directories) */
  readonly name: string;
  readonly kind: TarEntryKind;
  /** permission bits (and set-id/sticky bits), e.g. 0o644 */
  readonly mode: number;
  /** bytes of data (0 for directories and links) */
  readonly size: number;
  /** seconds since the epoch */
  readonly mtime: number;
  /** a symbolic link's target */
  readonly linkname?: string;
}

const TYPEFLAG: Record<TarEntryKind | 'pax', number> = { file: 0x30, dir: 0x35, symlink: 0x32, pax: 0x78 };

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

/** ASCII only, cut to `max` bytes: the ustar field beside a PAX record that carries the real value. */
function asciiField(s: string, max: number): string {
  return s.replace(/[^\x01-\x7f]/g, '').slice(0, max);
}

function writeString(b: Buffer, s: string, off: number, len: number): void {
  b.write(s, off, len, 'utf8');
}

function writeOctal(b: Buffer, value: number, off: number, len: number): void {
  b.write(`${value.toString(8).padStart(len - 1, '0')}\0`, off, len, 'ascii');
}

/** GNU base-256: the high bit of the first byte set, the value big-endian in the rest. */
function writeBase256(b: Buffer, value: number, off: number, len: number): void {
  let v = BigInt(value);
  for (let i = off + len - 1; i > off; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  b[off] = 0x80;
}

/** One 512-byte ustar header. */
function ustarBlock(f: { name: string; typeflag: number; mode: number; size: number; mtime: number; linkname: string }): Buffer {
  const b = Buffer.alloc(TAR_BLOCK);
  writeString(b, f.name, 0, 100);
  writeOctal(b, f.mode, 100, 8);
  writeOctal(b, 0, 108, 8); // uid
  writeOctal(b, 0, 116, 8); // gid
  if (f.size > MAX_OCTAL_SIZE) writeBase256(b, f.size, 124, 12);
  else writeOctal(b, f.size, 124, 12);
  writeOctal(b, f.mtime, 136, 12);
  b.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  b[156] = f.typeflag;
  writeString(b, f.linkname, 157, 100);
  b.write('ustar\x0000', 257, 8, 'ascii');
  // uname, gname: empty; devmajor, devminor: zero
  writeOctal(b, 0, 329, 8);
  writeOctal(b, 0, 337, 8);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return b;
}

/** A PAX record: `<length> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let len = bodyBytes + 1;
  while (String(len).length + bodyBytes !== len) len = String(len).length + bodyBytes;
  return `${len}${body}`;
}

/** The data of an entry padded to a whole block: the bytes to add after `size` bytes. */
export function tarPadding(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : TAR_BLOCK - rest);
}

/** The end of an archive: two zero blocks. */
export const TAR_END: Buffer = Buffer.alloc(2 * TAR_BLOCK);

const MAX_MTIME = 0o77777777777;

/**
 * The header of one entry: a ustar block, preceded by a PAX extended header (`x`) when the name or
 * link target is longer than 100 bytes or not ASCII. Deterministic: the same fields give the same
 * bytes on every host. `E_INPUT` for an mtime or mode out of range.
 */
export function tarHeader(h: TarHeaderFields): Buffer {
  if (!Number.isSafeInteger(h.mtime) || h.mtime < 0 || h.mtime > MAX_MTIME) {
    throw new AnyarchError('E_INPUT', `${h.name}: mtime ${h.mtime} is outside what a tar header holds (0 to ${MAX_MTIME} seconds)`);
  }
  if (!Number.isInteger(h.mode) || h.mode < 0 || h.mode > 0o7777) throw new AnyarchError('E_INPUT', `${h.name}: mode ${h.mode.toString(8)} is not a permission mode (0 to 7777 octal)`);
  if (!Number.isSafeInteger(h.size) || h.size < 0) throw new AnyarchError('E_INPUT', `${h.name}: size ${h.size} is not a byte count`);
  const name = h.kind === 'dir' ? `${h.name}/` : h.name;
  const linkname = h.linkname ?? '';
  let pax = '';
  if (Buffer.byteLength(name) > 100 || !isAscii(name)) pax += paxRecord('path', name);
  if (Buffer.byteLength(linkname) > 100 || !isAscii(linkname)) pax += paxRecord('linkpath', linkname);
  const block = ustarBlock({ name: asciiField(name, 100), typeflag: TYPEFLAG[h.kind], mode: h.mode, size: h.kind === 'file' ? h.size : 0, mtime: h.mtime, linkname: asciiField(linkname, 100) });
  if (pax === '') return block;
  const data = Buffer.from(pax, 'utf8');
  const base = h.name.slice(h.name.lastIndexOf('/') + 1);
  const paxName = asciiField(`PaxHeaders.0/${base}`, 100);
  return Buffer.concat([ustarBlock({ name: paxName, typeflag: TYPEFLAG.pax, mode: 0o644, size: data.length, mtime: h.mtime, linkname: '' }), data, tarPadding(data.length), block]);
}

/**
 * A tar written into a temporary file beside `file`, renamed to `file` by {@link finish}. Entries
 * go in order; an entry whose size is not known before its data is read gets its header
 * rewritten in place after it.
 */
export class TarFileWriter {
  private pos = 0;
  private done = false;

  private constructor(
    private readonly fh: FileHandle,
    private readonly tmp: string,
    private readonly file: string,
  ) {}

  static async create(file: string): Promise<TarFileWriter> {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.anyarch-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    let fh: FileHandle;
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (e) {
      throw new AnyarchError('E_INPUT', `${file}: cannot be written (${(e as Error).message})`);
    }
    return new TarFileWriter(fh, tmp, file);
  }

  private async write(b: Uint8Array, at = this.pos): Promise<void> {
    let off = 0;
    while (off < b.length) {
      const { bytesWritten } = await this.fh.write(b, off, b.length - off, at + off);
      off += bytesWritten;
    }
    if (at === this.pos) this.pos += b.length;
  }

  /** A directory entry. */
  async dir(name: string): Promise<void> {
    await this.write(tarHeader({ name, kind: 'dir', mode: 0o755, size: 0, mtime: 0 }));
  }

  /** A regular file of these bytes. */
  async bytes(name: string, bytes: Uint8Array): Promise<void> {
    await this.write(tarHeader({ name, kind: 'file', mode: 0o644, size: bytes.length, mtime: 0 }));
    await this.write(bytes);
    await this.write(tarPadding(bytes.length));
  }

  /**
   * A regular file from a stream. With `size`, the stream must give exactly that many bytes
   * (`E_SOURCE` otherwise); without it, the header is rewritten with the size read.
   */
  async stream(name: string, stream: Readable, size?: number, what = name): Promise<void> {
    const header = tarHeader({ name, kind: 'file', mode: 0o644, size: size ?? 0, mtime: 0 });
    const headerAt = this.pos;
    await this.write(header);
    let got = 0;
    try {
      for await (const chunk of stream) {
        const c = chunk as Buffer;
        got += c.length;
        if (size !== undefined && got > size) throw new AnyarchError('E_SOURCE', `${what}: more than the ${size} bytes it should have`);
        await this.write(c);
      }
    } finally {
      stream.destroy();
    }
    if (size !== undefined && got !== size) throw new AnyarchError('E_SOURCE', `${what}: ${got} bytes, but ${size} were expected`);
    await this.write(tarPadding(got));
    if (size === undefined) await this.write(tarHeader({ name, kind: 'file', mode: 0o644, size: got, mtime: 0 }), headerAt);
  }

  /** Ends the archive and renames it to its file. */
  async finish(): Promise<void> {
    await this.write(TAR_END);
    await this.fh.sync();
    await this.fh.close();
    this.done = true;
    await rename(this.tmp, this.file);
  }

  /** Removes the temporary file (after a failure). Safe after finish. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh.close().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }
}

/** Writes an archive with `fill`, removing it on any failure; non-anyarch errors become `E_INPUT` naming the file. */
async function writeArchive(file: string, fill: (tar: TarFileWriter) => Promise<void>): Promise<void> {
  const tar = await TarFileWriter.create(file);
  try {
    await fill(tar);
    await tar.finish();
  } catch (e) {
    await tar.abort();
    if (isAnyarchError(e)) throw e;
    throw new AnyarchError('E_INPUT', `${file}: the archive could not be written (${(e as Error).message})`, undefined, undefined, { cause: e });
  }
}


/**
 * Writes `root` (an image or an index, with everything it references) as a tar of an OCI image
 * layout. With `tag`, index.json names the root with `org.opencontainers.image.ref.name`.
 */
export async function writeOciArchive(root: Index | Image, file: string, opts: { tag?: string } = {}): Promise<{ digest: Digest }> {
  if (opts.tag !== undefined && !LAYOUT_TAG.test(opts.tag)) throw new AnyarchError('E_USAGE', `${JSON.stringify(opts.tag)} is not a tag an OCI layout's index.json can name`);
  const contents = await imageContents(root);
  // imageContents lists each blob once
  const blobs = new Map<string, { descriptor: Descriptor; open: () => Promise<Readable | Uint8Array> }>(contents.blobs.map((b) => [b.descriptor.digest, b]));
  for (const node of contents.manifests.flat()) {
    if (!blobs.has(node.descriptor.digest)) blobs.set(node.descriptor.digest, { descriptor: node.descriptor, open: () => node.manifestBytes() });
  }
  const d = root.descriptor;
  const entry: Descriptor = {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.platform ? { platform: d.platform } : {}),
    ...(opts.tag !== undefined ? { annotations: { [REF_NAME_ANNOTATION]: opts.tag } } : {}),
  };
  const index = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [entry] });
  const algorithms = [...new Set([...blobs.keys()].map((k) => parseDigest(k).algorithm))].sort();
  await writeArchive(file, async (tar) => {
    await tar.bytes('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    await tar.dir('blobs');
    for (const a of algorithms) await tar.dir(`blobs/${a}`);
    for (const { descriptor, open } of blobs.values()) {
      const { algorithm, hex } = parseDigest(descriptor.digest);
      const name = `blobs/${algorithm}/${hex}`;
      const content = await open();
      if (content instanceof Uint8Array) await tar.bytes(name, content);
      else await tar.stream(name, content, descriptor.size, `${descriptor.mediaType} ${descriptor.digest}`);
    }
    await tar.bytes('index.json', Buffer.from(index));
  });
  return { digest: d.digest };
}

/**
 * Writes one image as `docker save` does, for `docker load`: `manifest.json`, the config
 * (`<sha256 hex>.json`, its exact bytes, so the image ID Docker shows is the config's digest), and
 * each layer uncompressed (`<diff id hex>.tar`, checked against its diff id as it is written).
 * `tags` become `RepoTags` (each a reference with a tag and no digest; `E_USAGE` otherwise).
 * `E_MANIFEST` for an image whose config gives no diff id per layer.
 */
export async function writeDockerArchive(image: Image, file: string, opts: { tags?: readonly string[] } = {}): Promise<void> {
  const tags = (opts.tags ?? []).map((t) => {
    const r = tryParseReference(t);
    if (!r || r.digest !== undefined || r.tag === undefined) throw new AnyarchError('E_USAGE', `${JSON.stringify(t)} is not a tag docker load can give an image (NAME:TAG, no digest)`);
    return t;
  });
  const configBytes = await image.configBytes();
  const configName = `${digestOf(configBytes).slice('sha256:'.length)}.json`;
  const layers = await image.layers();
  const names = layers.map((l) => {
    if (l.diffId === undefined) throw new AnyarchError('E_MANIFEST', `${image.descriptor.digest}: layer ${l.index + 1} has no diff id in the config; docker load needs one per layer`);
    return `${parseDigest(l.diffId).hex}.tar`;
  });
  const manifest = JSON.stringify([{ Config: configName, RepoTags: tags, Layers: names }]);
  await writeArchive(file, async (tar) => {
    await tar.bytes(configName, configBytes);
    const written = new Set<string>();
    for (const [i, layer] of layers.entries()) {
      const name = names[i] as string;
      if (written.has(name)) continue;
      written.add(name);
      const size = layer.compression === 'none' ? layer.descriptor.size : undefined;
      await tar.stream(name, await layer.uncompressed(), size, `layer ${i + 1} (${layer.descriptor.digest})`);
    }
    await tar.bytes('manifest.json', Buffer.from(manifest));
  });
}
