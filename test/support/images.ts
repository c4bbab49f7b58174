/**
 * Test images generated in memory: real gzip'd tar layers, configs whose `rootfs.diff_ids` are
 * the digests of the uncompressed tars, OCI or Docker v2.2 manifests and indexes, optionally
 * with BuildKit-style attestations, a nested index or an entry of an unknown media type. Same
 * input, same bytes, same digests: nothing depends on the clock or the machine.
 *
 * The writers put a built image where tools look for it: an OCI image layout directory, an
 * OCI archive (a tar of that layout) and `docker save` archives (classic and Docker 25+ style).
 * Test code only; no binary fixture is committed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import type { Descriptor } from '../../src/oci/manifest.js';
import type { ImageSource } from '../../src/oci/source.js';
import { memorySource } from './memory-source.js';

/** How a generated layer is stored: gzip (the default), zstd (Debian's `zstd` writes it) or a plain tar. */
export type TestCompression = 'gzip' | 'zstd' | 'none';

export interface TestLayer {
  /** path -> content (string or bytes); directories implied */
  files: Record<string, string | Uint8Array>;
  compression?: TestCompression;
  /** the layer's uncompressed tar, written by the test (symlinks, whiteouts...), instead of `files` */
  tar?: Uint8Array;
  /** the stored blob exactly (a truncated or hostile layer) and the diff_id the config names, instead of `files`/`tar` */
  stored?: { bytes: Uint8Array; diffId: string; compression: TestCompression };
}

/** One step of a generated config's history. */
export interface TestHistoryStep {
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface TestPlatformImage {
  platform: { os: string; architecture: string; variant?: string; 'os.version'?: string };
  /** files of the single layer: path -> content (string or bytes); directories implied */
  files?: Record<string, string | Uint8Array>;
  /** the layers, in order, instead of the single gzip layer of `files` */
  layers?: TestLayer[];
  /** the config's history (default: one step per layer, created_by "anyarch test image") */
  history?: TestHistoryStep[];
  /** fields added to the config's `config` (Entrypoint, User, Labels...) */
  containerConfig?: Record<string, unknown>;
  /** annotations of the image manifest */
  annotations?: Record<string, string>;
  /** config os/arch/variant when it should disagree with the index entry (to test that warning) */
  configPlatform?: { os: string; architecture: string; variant?: string };
  created?: string; // default fixed '2026-01-01T00:00:00Z' so digests are reproducible
}

export interface TestImageOptions {
  /** OCI index/manifest or Docker list/manifest v2.2 media types */
  format?: 'oci' | 'docker';
  /** BuildKit-style attestation entries (platform unknown/unknown, an in-toto layer) */
  attestations?: boolean;
  /** the platform entries go into a child index referenced from the root index */
  nested?: boolean;
  /** an entry with an unknown mediaType (readers must ignore it) */
  unknownEntry?: boolean;
  /** the root is a single manifest (images[0]), not an index */
  single?: boolean;
}

export interface BuiltImage {
  root: { digest: string; mediaType: string; size: number; bytes: Uint8Array };
  /** every blob by digest: layers, configs, manifests, child indexes and the root itself */
  blobs: Map<string, Uint8Array>;
  manifests: { platform: string; digest: string; configDigest: string; size: number }[];
}

export const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;
export const DOCKER = {
  index: 'application/vnd.docker.distribution.manifest.list.v2+json',
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;
/** Layer media types by compression (Docker has no zstd type of its own: containerd writes OCI's). */
const LAYER_TYPES = {
  oci: { gzip: OCI.layer, zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' },
  docker: { gzip: DOCKER.layer, zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.docker.image.rootfs.diff.tar' },
} as const;
export const UNKNOWN_MEDIA_TYPE = 'application/vnd.example.anyarch-test.v1+json';
export const REF_NAME = 'org.opencontainers.image.ref.name';

const DEFAULT_CREATED = '2026-01-01T00:00:00Z';
const enc = new TextEncoder();

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function hexOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

function json(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

// ---------------------------------------------------------------------------------------------
// A minimal synchronous ustar writer (layers are built synchronously; tar-stream is a stream).

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function ustarHeader(name: string, size: number, type: '0' | '5' | '2', linkname = '', mode = 0o644): Uint8Array {
  let prefix = '';
  let base = name;
  if (enc.encode(name).length > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || enc.encode(name.slice(cut + 1)).length > 100) throw new Error(`test tar: path too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const h = new Uint8Array(512);
  const put = (s: string, at: number) => h.set(enc.encode(s), at);
  put(base, 0);
  put(octal(mode, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(0, 12), 136);
  put('        ', 148);
  put(type, 156);
  put(linkname, 157);
  put('ustar\0', 257);
  put('00', 263);
  put('root', 265);
  put('root', 297);
  put(prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** A deterministic tar of `files` (sorted, implied directories first, mtime 0, root-owned). */
export function tarOf(files: Record<string, string | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const dirs = new Set<string>();
  const paths = Object.keys(files).map((p) => p.replace(/^\/+/, '')).sort();
  for (const p of paths) {
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) {
      const d = segs.slice(0, i).join('/') + '/';
      if (dirs.has(d)) continue;
      dirs.add(d);
      parts.push(ustarHeader(d, 0, '5', '', 0o755));
    }
    const v = files[p] ?? files[`/${p}`] ?? '';
    const data = typeof v === 'string' ? enc.encode(v) : v;
    parts.push(ustarHeader(p, data.length, '0', '', p.startsWith('bin/') ? 0o755 : 0o644));
    parts.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------

const ELF_MACHINE: Record<string, { machine: number; bits: 32 | 64; big?: boolean }> = {
  amd64: { machine: 62, bits: 64 },
  arm64: { machine: 183, bits: 64 },
  arm: { machine: 40, bits: 32 },
  '386': { machine: 3, bits: 32 },
  ppc64le: { machine: 21, bits: 64 },
  s390x: { machine: 22, bits: 64, big: true },
  riscv64: { machine: 243, bits: 64 },
};

/** A tiny ELF header (64 bytes) for `arch`: class, byte order and e_machine as a real binary. */
export function fakeElf(arch: string): Uint8Array {
  const m = ELF_MACHINE[arch] ?? { machine: 0, bits: 64 };
  const b = new Uint8Array(64);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46], 0);
  b[4] = m.bits === 64 ? 2 : 1;
  b[5] = m.big ? 2 : 1;
  b[6] = 1;
  const le = !m.big;
  v.setUint16(16, 2, le); // ET_EXEC
  v.setUint16(18, m.machine, le);
  v.setUint32(20, 1, le);
  return b;
}

/** A few files like a busybox image's, with a fake ELF `bin/busybox` for `arch`. */
export function busyboxLikeFiles(arch: string): Record<string, string | Uint8Array> {
  return {
    'bin/busybox': fakeElf(arch),
    'etc/os-release': `NAME="anyarch test"\nID=anyarch-test\nARCH=${arch}\n`,
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
  };
}

interface Blob {
  digest: string;
  size: number;
  bytes: Uint8Array;
}

function blobOf(bytes: Uint8Array): Blob {
  return { digest: sha256(bytes), size: bytes.length, bytes };
}

/** `tar` compressed as asked (zstd by Debian's `zstd`, deterministic for one version of it). */
export function compress(tar: Uint8Array, compression: TestCompression): Uint8Array {
  if (compression === 'none') return tar;
  if (compression === 'gzip') return gzipSync(tar, { level: 9 });
  const r = spawnSync('zstd', ['-q', '-c', '-19'], { input: tar, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd failed (${r.status ?? r.signal}): ${r.stderr?.toString() || r.error?.message}`);
  return new Uint8Array(r.stdout);
}

/** The tar inside a stored layer, by its media type. */
export function uncompressLayer(bytes: Uint8Array, mediaType: string): Uint8Array {
  if (mediaType.endsWith('+zstd')) {
    const r = spawnSync('zstd', ['-q', '-d', '-c'], { input: bytes, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`zstd -d failed (${r.status ?? r.signal}): ${r.stderr?.toString() || r.error?.message}`);
    return new Uint8Array(r.stdout);
  }
  if (mediaType.endsWith('gzip')) return new Uint8Array(gunzipSync(bytes));
  return bytes;
}

/** Builds an image (index or single manifest) in memory; pure and deterministic. */
export function buildTestImage(images: TestPlatformImage[], opts: TestImageOptions = {}): BuiltImage {
  if (images.length === 0) throw new Error('buildTestImage: no images');
  const mt = opts.format === 'docker' ? DOCKER : OCI;
  const blobs = new Map<string, Uint8Array>();
  const add = (bytes: Uint8Array): Blob => {
    const b = blobOf(bytes);
    blobs.set(b.digest, bytes);
    return b;
  };
  const manifests: BuiltImage['manifests'] = [];
  const entries: Record<string, unknown>[] = [];
  const attestations: Record<string, unknown>[] = [];

  const list = opts.single ? images.slice(0, 1) : images;
  for (const img of list) {
    const p = img.platform;
    const layerTypes = LAYER_TYPES[opts.format === 'docker' ? 'docker' : 'oci'];
    const layers = (img.layers ?? [{ files: img.files ?? busyboxLikeFiles(p.architecture) }]).map((l) => {
      if (l.stored) return { diffId: l.stored.diffId, blob: add(l.stored.bytes), mediaType: layerTypes[l.stored.compression] };
      const tar = l.tar ?? tarOf(l.files);
      const compression = l.compression ?? 'gzip';
      return { diffId: sha256(tar), blob: add(compress(tar, compression)), mediaType: layerTypes[compression] };
    });
    const cp = img.configPlatform ?? p;
    const created = img.created ?? DEFAULT_CREATED;
    const history = img.history ?? layers.map(() => ({ created_by: 'anyarch test image' }));
    const config = add(
      json({
        created,
        architecture: cp.architecture,
        os: cp.os,
        ...(cp.variant ? { variant: cp.variant } : {}),
        ...(!img.configPlatform && p['os.version'] ? { 'os.version': p['os.version'] } : {}),
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'], ...img.containerConfig },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: history.map((h) => ({ created, ...h })),
      }),
    );
    const manifest = add(
      json({
        schemaVersion: 2,
        mediaType: mt.manifest,
        config: { mediaType: mt.config, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.blob.digest, size: l.blob.size })),
        ...(img.annotations ? { annotations: img.annotations } : {}),
      }),
    );
    const platform = {
      architecture: p.architecture,
      os: p.os,
      ...(p['os.version'] ? { 'os.version': p['os.version'] } : {}),
      ...(p.variant ? { variant: p.variant } : {}),
    };
    manifests.push({
      platform: `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`,
      digest: manifest.digest,
      configDigest: config.digest,
      size: manifest.size,
    });
    entries.push({ mediaType: mt.manifest, digest: manifest.digest, size: manifest.size, platform });

    if (opts.attestations && !opts.single) {
      const statement = add(
        json({
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: 'https://spdx.dev/Document',
          subject: [{ name: 'anyarch-test', digest: { sha256: hexOf(manifest.digest) } }],
          predicate: { spdxVersion: 'SPDX-2.3', name: `sbom for ${p.os}/${p.architecture}` },
        }),
      );
      const aconfig = add(json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [statement.digest] } }));
      const amanifest = add(
        json({
          schemaVersion: 2,
          mediaType: OCI.manifest,
          config: { mediaType: OCI.config, digest: aconfig.digest, size: aconfig.size },
          layers: [
            {
              mediaType: 'application/vnd.in-toto+json',
              digest: statement.digest,
              size: statement.size,
              annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' },
            },
          ],
        }),
      );
      attestations.push({
        mediaType: OCI.manifest,
        digest: amanifest.digest,
        size: amanifest.size,
        annotations: { 'vnd.docker.reference.digest': manifest.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' },
      });
    }
  }

  let root: Blob;
  let rootType: string;
  if (opts.single) {
    const first = manifests[0]!;
    root = { digest: first.digest, size: first.size, bytes: blobs.get(first.digest)! };
    rootType = mt.manifest;
  } else {
    let all = [...entries, ...attestations];
    if (opts.unknownEntry) {
      const other = add(json({ anyarch: 'an artifact of a media type no reader knows' }));
      all.push({ mediaType: UNKNOWN_MEDIA_TYPE, digest: other.digest, size: other.size });
    }
    if (opts.nested) {
      const child = add(json({ schemaVersion: 2, mediaType: mt.index, manifests: all }));
      all = [{ mediaType: mt.index, digest: child.digest, size: child.size }];
    }
    root = add(json({ schemaVersion: 2, mediaType: mt.index, manifests: all }));
    rootType = mt.index;
  }
  return { root: { digest: root.digest, mediaType: rootType, size: root.size, bytes: root.bytes }, blobs, manifests };
}

// ---------------------------------------------------------------------------------------------
// Writers

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

interface LayoutIndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

function rootEntry(image: BuiltImage, tag?: string, extra: Record<string, string> = {}): LayoutIndexEntry {
  const annotations = { ...extra, ...(tag !== undefined ? { [REF_NAME]: tag } : {}) };
  return {
    mediaType: image.root.mediaType,
    digest: image.root.digest,
    size: image.root.size,
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

/** The entries of index.json after adding `entry` (an entry with the same tag is replaced). */
function mergeIndex(existing: LayoutIndexEntry[], entry: LayoutIndexEntry): LayoutIndexEntry[] {
  const tag = entry.annotations?.[REF_NAME];
  const kept = existing.filter((e) => (tag === undefined ? e.digest !== entry.digest || e.annotations?.[REF_NAME] !== undefined : e.annotations?.[REF_NAME] !== tag));
  return [...kept, entry];
}

function layoutIndex(entries: LayoutIndexEntry[]): Uint8Array {
  return json({ schemaVersion: 2, mediaType: OCI.index, manifests: entries });
}

const OCI_LAYOUT_FILE = json({ imageLayoutVersion: '1.0.0' });

/**
 * Writes (or adds to) an OCI image layout: `oci-layout`, `index.json` with the root
 * (annotated `org.opencontainers.image.ref.name: tag` when a tag is given) and `blobs/sha256/`.
 */
export async function writeOciLayout(dir: string, image: BuiltImage, tag?: string): Promise<void> {
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), OCI_LAYOUT_FILE);
  for (const [digest, bytes] of image.blobs) {
    const p = path.join(dir, 'blobs', 'sha256', hexOf(digest));
    if (!(await exists(p))) await writeFile(p, bytes);
  }
  const indexPath = path.join(dir, 'index.json');
  let entries: LayoutIndexEntry[] = [];
  if (await exists(indexPath)) entries = (JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: LayoutIndexEntry[] }).manifests;
  await writeFile(indexPath, layoutIndex(mergeIndex(entries, rootEntry(image, tag))));
}

interface TarFile {
  name: string;
  data?: Uint8Array;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** Writes a tar with tar-stream (the way a real tool would: directories, files, symlinks). */
export async function writeTar(file: string, entries: TarFile[]): Promise<void> {
  const pack = tarStream.pack();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Uint8Array>) chunks.push(c);
  })();
  const mtime = new Date(Date.parse(DEFAULT_CREATED));
  for (const e of entries) {
    const type = e.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, type, mtime, mode: type === 'directory' ? 0o755 : 0o644, ...(e.linkname ? { linkname: e.linkname } : {}) };
      pack.entry(header, type === 'file' ? (e.data ?? new Uint8Array()) : new Uint8Array(), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  await writeFile(file, Buffer.concat(chunks));
}

function layoutTarEntries(image: BuiltImage, index: Uint8Array): TarFile[] {
  return [
    { name: 'oci-layout', data: OCI_LAYOUT_FILE },
    { name: 'index.json', data: index },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...[...image.blobs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, bytes]) => ({ name: `blobs/sha256/${hexOf(d)}`, data: bytes })),
  ];
}

/** Writes an OCI archive: a tar of an OCI layout holding `image` (tagged `tag` when given). */
export async function writeOciArchive(file: string, image: BuiltImage, tag?: string): Promise<void> {
  await writeTar(file, layoutTarEntries(image, layoutIndex([rootEntry(image, tag)])));
}

export interface DockerArchiveImage {
  image: BuiltImage;
  /** which of `image.manifests` goes into the archive */
  platformIndex: number;
  repoTags: string[];
}

export interface DockerArchiveOptions {
  /**
   * 'classic': `docker save` before Docker 25 (`<config hex>.json`, `<layer id>/layer.tar`
   * uncompressed, `<layer id>/json`, `<layer id>/VERSION`, `repositories`).
   * 'oci' (default): Docker 25+ (an OCI layout holding the image's own blobs, plus
   * `manifest.json` pointing into `blobs/sha256/` and `repositories`).
   */
  layout?: 'classic' | 'oci';
  /** classic only: keep the layers gzip-compressed as older tools sometimes did */
  gzipLayers?: boolean;
  /** classic only: the second image's identical layers become symlinks to the first's (as docker does) */
  symlinkSharedLayers?: boolean;
}

interface ManifestJsonEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

function platformParts(image: BuiltImage, i: number): { manifest: { config: { digest: string }; layers: { digest: string; mediaType: string }[] }; config: { rootfs: { diff_ids: string[] } } } {
  const m = image.manifests[i];
  if (!m) throw new Error(`writeDockerArchive: the image has no platform #${i}`);
  const dec = new TextDecoder();
  const manifest = JSON.parse(dec.decode(image.blobs.get(m.digest)!)) as { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
  const config = JSON.parse(dec.decode(image.blobs.get(manifest.config.digest)!)) as { rootfs: { diff_ids: string[] } };
  return { manifest, config };
}

function repositoriesFile(tags: { repoTags: string[]; id: string }[]): Uint8Array {
  const repos: Record<string, Record<string, string>> = {};
  for (const t of tags) {
    for (const rt of t.repoTags) {
      const i = rt.lastIndexOf(':');
      const repo = i > rt.lastIndexOf('/') ? rt.slice(0, i) : rt;
      const tag = i > rt.lastIndexOf('/') ? rt.slice(i + 1) : 'latest';
      (repos[repo] ??= {})[tag] = t.id;
    }
  }
  return json(repos);
}

/** `docker save` of several images into one archive. */
export async function writeDockerArchiveMulti(file: string, images: DockerArchiveImage[], opts: DockerArchiveOptions = {}): Promise<void> {
  const files: TarFile[] = [];
  const seen = new Set<string>();
  const manifestJson: ManifestJsonEntry[] = [];
  const repoIds: { repoTags: string[]; id: string }[] = [];
  if ((opts.layout ?? 'oci') === 'oci') {
    const indexEntries: LayoutIndexEntry[] = [];
    files.push({ name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' });
    for (const { image, platformIndex, repoTags } of images) {
      const m = image.manifests[platformIndex];
      const { manifest } = platformParts(image, platformIndex);
      for (const d of [m!.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
        if (seen.has(d)) continue;
        seen.add(d);
        files.push({ name: `blobs/sha256/${hexOf(d)}`, data: image.blobs.get(d)! });
      }
      const annotations: Record<string, string> = {};
      const first = repoTags[0];
      if (first !== undefined) {
        annotations['io.containerd.image.name'] = first.includes('/') ? first : `docker.io/library/${first}`;
        annotations[REF_NAME] = first.slice(first.lastIndexOf(':') + 1);
      }
      // the entry names the manifest by its own media type (an OCI one, or Docker's v2.2)
      const mediaType = (JSON.parse(new TextDecoder().decode(image.blobs.get(m!.digest)!)) as { mediaType?: string }).mediaType ?? OCI.manifest;
      indexEntries.push({ mediaType, digest: m!.digest, size: m!.size, ...(first !== undefined ? { annotations } : {}) });
      manifestJson.push({
        Config: `blobs/sha256/${hexOf(manifest.config.digest)}`,
        RepoTags: repoTags,
        Layers: manifest.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
      });
      repoIds.push({ repoTags, id: hexOf(m!.configDigest) });
    }
    files.push({ name: 'index.json', data: layoutIndex(indexEntries) }, { name: 'manifest.json', data: json(manifestJson) }, { name: 'oci-layout', data: OCI_LAYOUT_FILE });
  } else {
    const layerPaths = new Map<string, string>(); // diff id -> path of its first copy
    for (const { image, platformIndex, repoTags } of images) {
      const { manifest, config } = platformParts(image, platformIndex);
      const configHex = hexOf(manifest.config.digest);
      const layers: string[] = [];
      let parent = '';
      manifest.layers.forEach((l, i) => {
        const compressed = image.blobs.get(l.digest)!;
        const data = opts.gzipLayers ? compressed : uncompressLayer(compressed, l.mediaType);
        const diffId = config.rootfs.diff_ids[i] ?? sha256(data);
        // The v1 layer id: a hash of the chain (docker computes it differently; any stable id will do).
        const id = hexOf(sha256(`${parent}\n${diffId}\n${configHex}\n${i}`));
        parent = id;
        const name = `${id}/layer.tar`;
        layers.push(name);
        if (seen.has(id)) return;
        seen.add(id);
        files.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/VERSION`, data: enc.encode('1.0') }, { name: `${id}/json`, data: json({ id, ...(i ? { parent } : {}) }) });
        const first = layerPaths.get(diffId);
        if (first && opts.symlinkSharedLayers) files.push({ name, type: 'symlink', linkname: `../${first}` });
        else {
          files.push({ name, data });
          layerPaths.set(diffId, name);
        }
      });
      if (!seen.has(configHex)) {
        seen.add(configHex);
        files.push({ name: `${configHex}.json`, data: image.blobs.get(manifest.config.digest)! });
      }
      manifestJson.push({ Config: `${configHex}.json`, RepoTags: repoTags, Layers: layers });
      repoIds.push({ repoTags, id: parent });
    }
    files.push({ name: 'manifest.json', data: json(manifestJson) });
  }
  files.push({ name: 'repositories', data: repositoriesFile(repoIds) });
  await writeTar(file, files);
}

/** `docker save` format (one image: `image.manifests[platformIndex]` tagged `repoTags`). */
export async function writeDockerArchive(file: string, image: BuiltImage, platformIndex: number, repoTags: string[], opts: DockerArchiveOptions = {}): Promise<void> {
  await writeDockerArchiveMulti(file, [{ image, platformIndex, repoTags }], opts);
}

// ---------------------------------------------------------------------------------------------
// skopeo, to check against a real tool (containers/image) what we write and what we read


/** Runs `skopeo --insecure-policy ARGS` (local transports only); its stdout, or throws with its stderr. */
export function skopeo(args: string[]): string {
  const r = spawnSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Everything a stream delivers (rejects with the stream's error). */
export async function readAll(stream: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c as Uint8Array);
  return Buffer.concat(chunks);
}

/** Checks a source against the image it should hold: root, every platform manifest, config and layer. */
export async function assertSourceHolds(src: ImageSource, img: BuiltImage): Promise<void> {
  const root = await src.root();
  assertSameBytes(root.bytes, img.root.bytes, 'root');
  assert.equal(root.descriptor.digest, img.root.digest);
  assert.equal(root.descriptor.size, img.root.size);
  assert.equal(root.descriptor.mediaType, img.root.mediaType);
  for (const m of img.manifests) {
    const desc: Descriptor = { mediaType: (JSON.parse(new TextDecoder().decode(img.blobs.get(m.digest))) as { mediaType: string }).mediaType, digest: m.digest as Descriptor['digest'], size: m.size };
    const fetched = await src.manifest(desc);
    assertSameBytes(fetched.bytes, img.blobs.get(m.digest), m.digest);
    assert.equal(fetched.manifest.kind, 'manifest');
    if (fetched.manifest.kind !== 'manifest') continue;
    assert.equal(fetched.manifest.config.digest, m.configDigest);
    assertSameBytes(await src.blob(fetched.manifest.config, 1 << 20), img.blobs.get(m.configDigest), m.configDigest);
    for (const l of fetched.manifest.layers) {
      assertSameBytes(await readAll(await src.blobStream(l)), img.blobs.get(l.digest), l.digest);
    }
  }
}


/** Same bytes, whatever the views' types (Buffer or Uint8Array). */
export function assertSameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, what = 'bytes'): void {
  assert.ok(actual && expected, `${what}: missing`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.length)), `${what}: content differs`);
}

/**
 * A built image as an `ImageSource` held in memory (what `pushImage` reads in tests): its root,
 * and every manifest and blob by digest, checked against the descriptor asked with, as every
 * source must. `kind` is `oci-layout`: the image is laid out by digest, as a layout would hold it.
 */
export function builtImageSource(img: BuiltImage, name = 'memory:test-image'): ImageSource {
  return memorySource(img.blobs, { mediaType: img.root.mediaType, digest: img.root.digest as Descriptor['digest'], size: img.root.size }, { name, verify: true });
}

// ---------------------------------------------------------------------------------------------
// Counting what a source is asked for

/** Every read a source was asked for, by kind, in order (the descriptors asked for). */
export interface SourceReads {
  root: number;
  manifests: Descriptor[];
  blobs: Descriptor[];
  streams: Descriptor[];
}

/** Wraps `src`, recording each call (the calls themselves go through unchanged). */
export function countingSource(src: ImageSource): { source: ImageSource; reads: SourceReads } {
  const reads: SourceReads = { root: 0, manifests: [], blobs: [], streams: [] };
  const source: ImageSource = {
    kind: src.kind,
    name: src.name,
    root: () => {
      reads.root++;
      return src.root();
    },
    manifest: (d) => {
      reads.manifests.push(d);
      return src.manifest(d);
    },
    blob: (d, limit) => {
      reads.blobs.push(d);
      return src.blob(d, limit);
    },
    blobStream: (d) => {
      reads.streams.push(d);
      return src.blobStream(d);
    },
    close: () => src.close(),
  };
  return { source, reads };
}

/** The digests of descriptors. */
export function digestsOf(ds: readonly Descriptor[]): string[] {
  return ds.map((d) => d.digest);
}

/** How many times each value occurs. */
export function tally(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Flips a byte in the middle of the one copy of `stored` in `file` (a blob, or a tar holding it); its size stays. */
export function alterIn(file: string, stored: Uint8Array): void {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(stored);
  assert.ok(at >= 0 && bytes.indexOf(stored, at + 1) === -1, `${file} holds the blob once`);
  const i = at + Math.floor(stored.length / 2);
  bytes[i] = (bytes[i] as number) ^ 0x5a;
  writeFileSync(file, bytes);
}
