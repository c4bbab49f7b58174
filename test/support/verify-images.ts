/**
 * The images verify's tests read, built from real binaries (real-binaries.ts) with images.ts:
 * layers as tars this file writes (symlinks, hard links, whiteouts, PAX names), config history as
 * BuildKit writes it, base-image annotations, and the hostile layers. Each builder is pure once
 * its binaries are cached; the writers put an image where each source kind reads it (registry,
 * OCI layout, OCI archive, docker-archive).
 *
 * Scenarios (the issue's "Proof with real parts"):
 * - zasper / zasperFixed: examples/zasper/Dockerfile (x86-64 `go` in linux/arm64, from line 16)
 *   and examples/zasper/Dockerfile.fixed (arm64 `go`)
 * - whiteouts: wrong binaries deleted by a later layer or hidden by an opaque directory, one
 *   overwritten by the right one: nothing left to report
 * - muslGlibc: a glibc program in a musl image (musl's loader present, glibc's missing)
 * - glibcClean: the same program with glibc's loader present (nothing to report)
 * - extensions: wrong-arch Python extension modules and Node addons in both variants
 * - prebuilds: prebuildify packages with every platform's prebuild (nothing to report);
 *   prebuildsMissing: no prebuild for linux/arm64
 * - configMismatch: index says linux/arm64, config (and bytes) say amd64
 * - windows: a linux/amd64 and a windows/amd64 variant (a PE file)
 * - hostile*: truncated gzip, a gzip bomb, a tar of a million entries, huge PAX headers,
 *   traversal names, symlink loops, hard links to missing targets, broken ELF headers
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { RegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../../src/registry/push.js';
import {
  buildTestImage,
  builtImageSource,
  sha256,
  writeDockerArchive,
  writeOciArchive,
  writeOciLayout,
  type BuiltImage,
  type TestHistoryStep,
  type TestImageOptions,
  type TestLayer,
  type TestPlatformImage,
} from './images.js';
import type { DebEntry } from './debian-packages.js';
import {
  busyboxGlibcArm64,
  busyboxStatic,
  glibcLoaderArm64,
  goBinary,
  muslLoaderArm64,
  nodeAddonAmd64,
  nodeAddonArm64,
  PYTHON_EXT_AMD64_NAME,
  pythonExtensionAmd64,
  pythonExtensionArm64,
  type DebianPlatform,
  type GoPlatform,
} from './real-binaries.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { runMeasured, type MeasuredOptions, type MeasuredRun } from './measured.js';
import type { TestRegistry } from './registry.js';

const enc = new TextEncoder();
/** The repository root (dist/test/support -> ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ZASPER_DOCKERFILE = path.join(REPO_ROOT, 'examples', 'zasper', 'Dockerfile');
export const ZASPER_DOCKERFILE_FIXED = path.join(REPO_ROOT, 'examples', 'zasper', 'Dockerfile.fixed');

const built = new Map<string, BuiltImage>();
/** `build` run once per process per distinct arguments (images are pure; tests share them). */
function memoized<A extends unknown[]>(build: (...args: A) => BuiltImage): (...args: A) => BuiltImage {
  return (...args: A) => {
    const key = `${build.name}:${JSON.stringify(args)}`;
    let img = built.get(key);
    if (!img) {
      img = build(...args);
      built.set(key, img);
    }
    return img;
  };
}

// ---------------------------------------------------------------------------------------------
// Tars with every entry kind

export type LayerEntry =
  | { path: string; kind: 'file'; data: string | Uint8Array; mode?: number }
  | { path: string; kind: 'dir'; mode?: number }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'hardlink'; target: string }
  /** an entry written as given: `name` not cleaned, extra PAX records, a declared size unlike the body */
  | { path: string; kind: 'raw'; type: string; data?: Uint8Array; linkname?: string; pax?: Record<string, string>; size?: number };

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block (mtime 0, root-owned; a size past octal's 8 GiB in base-256). */
export function tarHeader(name: string, type: string, size: number, linkname = '', mode = 0o644): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string | Uint8Array, at: number, max: number) => h.set((typeof s === 'string' ? enc.encode(s) : s).subarray(0, max), at);
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  if (size < 8 ** 11) put(octal(size, 12), 124, 12);
  else {
    // base-256: a size no octal field holds
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('root', 265, 32);
  put('root', 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512;
  return pad ? [data, new Uint8Array(pad)] : [data];
}

/** A PAX extended header record set (`x`), each record `LEN key=value\n`. */
export function paxRecords(records: Record<string, string>): Uint8Array {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    const bl = enc.encode(body).length;
    let len = bl + String(bl).length;
    if (String(len).length !== String(bl).length) len = bl + String(len).length;
    out += `${len}${body}`;
  }
  return enc.encode(out);
}

function entryBlocks(e: LayerEntry): Uint8Array[] {
  const name = e.path.replace(/^\/+/, '') + (e.kind === 'dir' && !e.path.endsWith('/') ? '/' : '');
  const pax: Record<string, string> = e.kind === 'raw' ? { ...e.pax } : {};
  if (e.kind !== 'raw' && enc.encode(name).length > 100) pax.path = name;
  const link = e.kind === 'symlink' || e.kind === 'hardlink' ? e.target.replace(e.kind === 'hardlink' ? /^\/+/ : /^$/, '') : e.kind === 'raw' ? (e.linkname ?? '') : '';
  if (enc.encode(link).length > 100) pax.linkpath = link;
  const out: Uint8Array[] = [];
  if (Object.keys(pax).length) {
    const body = paxRecords(pax);
    out.push(tarHeader('PaxHeaders/' + name.slice(0, 80), 'x', body.length, '', 0o644), ...padded(body));
  }
  switch (e.kind) {
    case 'file': {
      const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
      out.push(tarHeader(name, '0', data.length, '', e.mode ?? 0o644), ...padded(data));
      break;
    }
    case 'dir':
      out.push(tarHeader(name, '5', 0, '', e.mode ?? 0o755));
      break;
    case 'symlink':
      out.push(tarHeader(name, '2', 0, link, 0o777));
      break;
    case 'hardlink':
      out.push(tarHeader(name, '1', 0, link, 0o644));
      break;
    case 'raw': {
      const data = e.data ?? new Uint8Array();
      out.push(tarHeader(e.path, e.type, e.size ?? data.length, link, 0o755));
      if (data.length) out.push(...padded(data));
      break;
    }
  }
  return out;
}

/**
 * A tar of `entries` in the order given (parent directories are added before the first entry
 * under them unless listed), closed by two zero blocks. Deterministic: mtime 0, root-owned.
 */
export function layerTar(entries: readonly LayerEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const dirs = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'raw') {
      const segs = e.path.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
      for (let i = 1; i < segs.length; i++) {
        const d = segs.slice(0, i).join('/');
        if (dirs.has(d)) continue;
        dirs.add(d);
        parts.push(...entryBlocks({ path: d, kind: 'dir' }));
      }
      if (e.kind === 'dir') {
        if (dirs.has(segs.join('/'))) continue;
        dirs.add(segs.join('/'));
      }
    }
    parts.push(...entryBlocks(e));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

/** A file entry with execute bits (binaries). */
export function exe(p: string, data: Uint8Array): LayerEntry {
  return { path: p, kind: 'file', data, mode: 0o755 };
}

function debEntries(entries: Readonly<Record<string, DebEntry>>): LayerEntry[] {
  return Object.entries(entries).map(([p, e]) => (e.kind === 'symlink' ? { path: p, kind: 'symlink', target: e.target } : { path: p, kind: 'file', data: e.bytes, mode: e.mode }));
}

/** A layer from entries: gzip at zlib's default level (as BuildKit and docker write them) unless said. */
export function layer(entries: readonly LayerEntry[], compression: TestLayer['compression'] = 'gzip'): TestLayer {
  const tar = layerTar(entries);
  if (compression !== 'gzip') return { files: {}, tar, compression };
  return { files: {}, stored: { bytes: gzipSync(tar), diffId: sha256(tar), compression } };
}

// ---------------------------------------------------------------------------------------------
// History as BuildKit writes it

/** The Dockerfile instruction starting at `line` (1-based) with its continuation lines joined as BuildKit joins them. */
export function instructionAt(dockerfile: string, line: number): string {
  const lines = readFileSync(dockerfile, 'utf8').split('\n');
  let text = '';
  for (let i = line - 1; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.endsWith('\\')) text += l.slice(0, -1);
    else {
      text += l;
      break;
    }
  }
  return text.trim();
}

/**
 * BuildKit's `created_by` of a shell-form RUN: `RUN /bin/sh -c CMD # buildkit`, and with build
 * arguments in scope `RUN |N K=V... /bin/sh -c CMD # buildkit`.
 */
export function buildkitRun(instruction: string, args: Record<string, string> = {}): TestHistoryStep {
  const cmd = instruction.replace(/^RUN\s+/i, '');
  const names = Object.keys(args);
  const prefix = names.length ? `|${names.length} ${names.map((k) => `${k}=${args[k]}`).join(' ')} ` : '';
  return { created_by: `RUN ${prefix}/bin/sh -c ${cmd} # buildkit`, comment: 'buildkit.dockerfile.v0' };
}

const step = (s: string): TestHistoryStep => ({ created_by: s, comment: 'buildkit.dockerfile.v0' });

/** The history of an Ubuntu base image as Docker Hub's ubuntu:noble has it (one layer). */
export const UBUNTU_BASE_HISTORY: TestHistoryStep[] = [
  { created_by: '/bin/sh -c #(nop)  ARG RELEASE', empty_layer: true },
  { created_by: '/bin/sh -c #(nop)  ARG LAUNCHPAD_BUILD_ARCH', empty_layer: true },
  { created_by: '/bin/sh -c #(nop)  LABEL org.opencontainers.image.ref.name=ubuntu', empty_layer: true },
  { created_by: '/bin/sh -c #(nop)  LABEL org.opencontainers.image.version=24.04', empty_layer: true },
  { created_by: '/bin/sh -c #(nop) ADD file:9c6a5e4ba6c5fd9b0d7e36e5e4b0a2c5d7e1a2b3c4d5e6f708192a3b4c5d6e7f in / ' },
  { created_by: '/bin/sh -c #(nop)  CMD ["/bin/bash"]', empty_layer: true },
];

const OS_RELEASE = 'PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n';

/** A small base root file system: busybox-static for the platform as /bin/busybox, /bin/sh and /bin/bash. */
export function baseEntries(platform: DebianPlatform, osRelease = OS_RELEASE): LayerEntry[] {
  return [
    exe('bin/busybox', busyboxStatic(platform)),
    { path: 'bin/sh', kind: 'symlink', target: 'busybox' },
    { path: 'bin/bash', kind: 'symlink', target: 'busybox' },
    { path: 'etc/os-release', kind: 'file', data: osRelease },
    { path: 'etc/passwd', kind: 'file', data: 'root:x:0:0:root:/root:/bin/sh\n' },
    { path: 'tmp', kind: 'dir', mode: 0o1777 },
  ];
}

const ARCH_OF: Record<GoPlatform, { os: string; architecture: string; variant?: string }> = {
  'linux/amd64': { os: 'linux', architecture: 'amd64' },
  'linux/arm64': { os: 'linux', architecture: 'arm64' },
  'linux/arm/v7': { os: 'linux', architecture: 'arm', variant: 'v7' },
  'linux/arm/v6': { os: 'linux', architecture: 'arm', variant: 'v6' },
  'linux/s390x': { os: 'linux', architecture: 's390x' },
  'linux/ppc64le': { os: 'linux', architecture: 'ppc64le' },
  'linux/riscv64': { os: 'linux', architecture: 'riscv64' },
  'linux/386': { os: 'linux', architecture: '386' },
};
export function platformOf(p: GoPlatform): TestPlatformImage['platform'] {
  return { ...ARCH_OF[p] };
}

// ---------------------------------------------------------------------------------------------
// (a) Zasper

/** Where the ubuntu-like base image is published, for the `org.opencontainers.image.base.*` annotations. */
export interface BaseRef {
  name: string;
  digest: string;
}

/** The ubuntu-like base both Zasper images start from: one layer per platform, Docker Hub's history. */
function build_zasperBase(): BuiltImage {
  return buildTestImage(
    (['linux/amd64', 'linux/arm64'] as const).map((p) => ({
      platform: platformOf(p),
      layers: [layer(baseEntries(p))],
      history: UBUNTU_BASE_HISTORY,
      containerConfig: { Cmd: ['/bin/bash'] },
    })),
  );
}
/** (memoized per process: the same arguments give the same image object) */
export const zasperBase = memoized(build_zasperBase);

/** The line of examples/zasper/Dockerfile that downloads Go (line 17 in Dockerfile.fixed). */
export const ZASPER_GO_LINE = 16;

/**
 * The image examples/zasper/Dockerfile built for linux/amd64 and linux/arm64 (`fixed`: from
 * Dockerfile.fixed), on the base `zasperBase()` (the same layer bytes, so verify can tell the
 * base's layer from the image's own; named by the annotations when `base` is given).
 * Unfixed, the Go layer holds x86-64 `go` and `gofmt` in both variants, and the zasper binary
 * that x86-64 Go built is x86-64 too (line 20), as in zasper-io/zasper#16.
 */
function build_zasperImage(opts: { fixed?: boolean; base?: BaseRef } = {}): BuiltImage {
  const fixed = opts.fixed ?? false;
  const file = fixed ? ZASPER_DOCKERFILE_FIXED : ZASPER_DOCKERFILE;
  const lines = fixed ? { apt: 7, go: 17, clone: 19, ui: 20, build: 21 } : { apt: 6, go: 16, clone: 18, ui: 19, build: 20 };
  return buildTestImage(
    (['linux/amd64', 'linux/arm64'] as const).map((p) => {
      const arch = platformOf(p).architecture;
      const args: Record<string, string> = fixed ? { TARGETARCH: arch } : {};
      const goFor: GoPlatform = fixed ? p : 'linux/amd64';
      const go = goBinary(goFor);
      const history: TestHistoryStep[] = [
        ...UBUNTU_BASE_HISTORY,
        ...(fixed ? [{ created_by: 'ARG TARGETARCH', comment: 'buildkit.dockerfile.v0', empty_layer: true }] : []),
        buildkitRun(instructionAt(file, lines.apt), args),
        buildkitRun(instructionAt(file, lines.go), args),
        buildkitRun(instructionAt(file, lines.clone), args),
        buildkitRun(instructionAt(file, lines.ui), args),
        buildkitRun(instructionAt(file, lines.build), args),
        { created_by: 'EXPOSE map[8048/tcp:{}]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
        { created_by: 'CMD ["/bin/sh" "-c" "/usr/local/bin/zasper"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
      ];
      return {
        platform: platformOf(p),
        layers: [
          layer(baseEntries(p)),
          layer([
            { path: 'var/lib/dpkg/status', kind: 'file', data: 'Package: curl\nStatus: install ok installed\nArchitecture: ' + arch + '\n' },
            { path: 'usr/share/doc/git/README', kind: 'file', data: 'git\n' },
          ]),
          layer([exe('usr/local/go/bin/go', go), exe('usr/local/go/bin/gofmt', go), { path: 'usr/local/go/VERSION', kind: 'file', data: 'go1.23.4\ntime 2024-11-27T20:27:20Z\n' }]),
          layer([{ path: 'zasper/README.md', kind: 'file', data: '# Zasper\n' }]),
          layer([{ path: 'zasper/ui/build/index.html', kind: 'file', data: '<!doctype html><title>Zasper</title>\n' }]),
          layer([exe('usr/local/bin/zasper', go), exe('zasper/zasper', go)]),
        ],
        history,
        containerConfig: { Cmd: ['/bin/sh', '-c', '/usr/local/bin/zasper'], ExposedPorts: { '8048/tcp': {} } },
        ...(opts.base
          ? { annotations: { 'org.opencontainers.image.base.name': opts.base.name, 'org.opencontainers.image.base.digest': opts.base.digest } }
          : {}),
      };
    }),
  );
}
/** (memoized per process: the same arguments give the same image object) */
export const zasperImage = memoized(build_zasperImage);

/**
 * A base image whose linux/arm64 variant carries an x86-64 `/usr/bin/helper` (the base's bug),
 * and an image built on it (`FROM base`, one `COPY` layer of its own, right for the platform),
 * annotated with the base's name and digest when `base` is given.
 */
function build_brokenBaseImage(): BuiltImage {
  return buildTestImage(
    (['linux/amd64', 'linux/arm64'] as const).map((p) => ({
      platform: platformOf(p),
      layers: [layer([...baseEntries(p), exe('usr/bin/helper', goBinary('linux/amd64'))])],
      history: UBUNTU_BASE_HISTORY,
    })),
  );
}
/** (memoized per process) */
export const brokenBaseImage = memoized(build_brokenBaseImage);

function build_onBrokenBaseImage(base?: BaseRef): BuiltImage {
  const parent = brokenBaseImage();
  return buildTestImage(
    (['linux/amd64', 'linux/arm64'] as const).map((p, i) => {
      const baseLayer = layersOf(parent, p)[0]!;
      const baseConfig = JSON.parse(new TextDecoder().decode(parent.blobs.get(parent.manifests[i]!.configDigest))) as { rootfs: { diff_ids: string[] } };
      return {
        platform: platformOf(p),
        layers: [
          { files: {}, stored: { bytes: parent.blobs.get(baseLayer.digest)!, diffId: baseConfig.rootfs.diff_ids[0]!, compression: 'gzip' as const } },
          layer([exe('usr/local/bin/app', goBinary(p))]),
        ],
        history: [...UBUNTU_BASE_HISTORY, step('COPY app /usr/local/bin/app # buildkit')],
        containerConfig: { Entrypoint: ['/usr/local/bin/app'], Cmd: [] },
        ...(base ? { annotations: { 'org.opencontainers.image.base.name': base.name, 'org.opencontainers.image.base.digest': base.digest } } : {}),
      };
    }),
  );
}
/** (memoized per process) */
export const onBrokenBaseImage = memoized(build_onBrokenBaseImage);

// ---------------------------------------------------------------------------------------------
// (b) whiteouts, (c) libc, (d) extensions, (e) prebuilds, (f) config mismatch, (g) Windows


/**
 * linux/arm64 only: x86-64 `/usr/bin/tool` deleted by a whiteout in the next layer, x86-64
 * `/opt/app/bin/x` hidden by an opaque directory, x86-64 `/usr/local/bin/over` overwritten by
 * the arm64 build. Verify has nothing to report (exit 0).
 */
function build_whiteoutsImage(): BuiltImage {
  const amd64 = goBinary('linux/amd64');
  const arm64 = goBinary('linux/arm64');
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [
        layer(baseEntries('linux/arm64')),
        layer([exe('usr/bin/tool', amd64), exe('opt/app/bin/x', amd64), exe('opt/app/bin/y', amd64), exe('usr/local/bin/over', amd64)]),
        layer([
          { path: 'usr/bin/.wh.tool', kind: 'file', data: '' },
          { path: 'opt/app/.wh..wh..opq', kind: 'file', data: '' },
          { path: 'opt/app/README', kind: 'file', data: 'replaced\n' },
          exe('usr/local/bin/over', arm64),
        ]),
      ],
      history: [step('COPY / / # buildkit'), step('RUN /bin/sh -c make install # buildkit'), step('RUN /bin/sh -c rm -rf /usr/bin/tool /opt/app && mkdir /opt/app && echo replaced > /opt/app/README # buildkit')],
      containerConfig: { Entrypoint: ['/usr/local/bin/over'], Cmd: [] },
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const whiteoutsImage = memoized(build_whiteoutsImage);

/** The same as `whiteoutsImage` without the deleting layer: three x86-64 files to report. */
function build_whiteoutsControlImage(): BuiltImage {
  const amd64 = goBinary('linux/amd64');
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [layer(baseEntries('linux/arm64')), layer([exe('usr/bin/tool', amd64), exe('opt/app/bin/x', amd64), exe('opt/app/bin/y', amd64)])],
      history: [step('COPY / / # buildkit'), step('RUN /bin/sh -c make install # buildkit')],
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const whiteoutsControlImage = memoized(build_whiteoutsControlImage);

/**
 * linux/arm64 musl image (`/lib/ld-musl-aarch64.so.1` from musl:arm64, busybox-static) holding
 * a dynamic glibc program (`/usr/bin/app`, busybox:arm64, asks for /lib/ld-linux-aarch64.so.1).
 */
function build_muslGlibcImage(): BuiltImage {
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [
        layer([...baseEntries('linux/arm64', 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\n'), ...debEntries(muslLoaderArm64().entries)]),
        layer([exe('usr/bin/app', busyboxGlibcArm64())]),
      ],
      history: [step('ADD alpine-minirootfs.tar.gz / # buildkit'), step('COPY app /usr/bin/app # buildkit')],
      containerConfig: { Entrypoint: ['/usr/bin/app'], Cmd: ['true'] },
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const muslGlibcImage = memoized(build_muslGlibcImage);

/** The glibc program with glibc's loader present (libc6:arm64): nothing to report. */
function build_glibcCleanImage(): BuiltImage {
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [layer([...baseEntries('linux/arm64'), ...debEntries(glibcLoaderArm64().entries)]), layer([exe('usr/bin/app', busyboxGlibcArm64())])],
      history: [step('ADD rootfs.tar / # buildkit'), step('COPY app /usr/bin/app # buildkit')],
      containerConfig: { Entrypoint: ['/usr/bin/app'], Cmd: ['true'] },
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const glibcCleanImage = memoized(build_glibcCleanImage);

const DIST = 'usr/lib/python3/dist-packages';

/**
 * linux/amd64 and linux/arm64, each holding its own platform's Python extension and Node addon
 * (fine) and the other platform's (wrong): in amd64, python3-yaml's aarch64 `_yaml` and
 * node-iconv's aarch64 addon; in arm64, gcc's x86-64 `_demo` extension (with a WHEEL tagged
 * x86_64) and addon.
 */
function build_extensionsImage(): BuiltImage {
  const pyAmd = pythonExtensionAmd64();
  const pyArm = pythonExtensionArm64();
  const nodeAmd = nodeAddonAmd64();
  const nodeArm = nodeAddonArm64();
  const wheel = (arch: string) => `Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_${arch}\nTag: cp311-cp311-manylinux2014_${arch}\n\n`;
  const variant = (p: 'linux/amd64' | 'linux/arm64', own: { py: Uint8Array; pyName: string; node: Uint8Array; wheelArch: string }, other: { py: Uint8Array; pyName: string; node: Uint8Array; wheelArch: string }) => ({
    platform: platformOf(p),
    layers: [
      layer(baseEntries(p)),
      layer([
        { path: `${DIST}/good/${own.pyName}`, kind: 'file', data: own.py },
        { path: `${DIST}/good-1.0.dist-info/WHEEL`, kind: 'file', data: wheel(own.wheelArch) },
        { path: 'usr/lib/node_modules/good/build/Release/good.node', kind: 'file', data: own.node },
        { path: 'usr/lib/node_modules/good/package.json', kind: 'file', data: '{"name":"good","version":"1.0.0","main":"index.js"}\n' },
        { path: `${DIST}/bad/${other.pyName}`, kind: 'file', data: other.py },
        { path: `${DIST}/bad-1.0.dist-info/WHEEL`, kind: 'file', data: wheel(other.wheelArch) },
        { path: 'usr/lib/node_modules/bad/build/Release/bad.node', kind: 'file', data: other.node },
        { path: 'usr/lib/node_modules/bad/package.json', kind: 'file', data: '{"name":"bad","version":"1.0.0","main":"index.js"}\n' },
      ]),
    ],
    history: [step('COPY / / # buildkit'), step('COPY site /usr/lib # buildkit')],
  });
  const amd = { py: pyAmd, pyName: PYTHON_EXT_AMD64_NAME, node: nodeAmd, wheelArch: 'x86_64' };
  const arm = { py: pyArm, pyName: '_yaml.cpython-311-aarch64-linux-gnu.so', node: nodeArm, wheelArch: 'aarch64' };
  return buildTestImage([variant('linux/amd64', amd, arm), variant('linux/arm64', arm, amd)]);
}
/** (memoized per process: the same arguments give the same image object) */
export const extensionsImage = memoized(build_extensionsImage);

/**
 * linux/amd64 and linux/arm64 with prebuildify packages shipping every platform's prebuild:
 * `node_modules/x/prebuilds/{linux-x64,linux-arm64}/x.node` and
 * `node_modules/y/prebuilds/{linux-x64,linux-arm64,linux-arm}/node.napi[.armv7].node`. Nothing to report.
 * With `missing`, package `z` ships only linux-x64's prebuild: arm64 has none to load.
 */
function build_prebuildsImage(opts: { missing?: boolean } = {}): BuiltImage {
  const amdAddon = nodeAddonAmd64();
  const armAddon = nodeAddonArm64();
  const arm32 = goBinary('linux/arm/v7');
  const nm = 'app/node_modules';
  const entries: LayerEntry[] = [
    { path: `${nm}/x/package.json`, kind: 'file', data: '{"name":"x","version":"1.0.0","gypfile":true,"dependencies":{"node-gyp-build":"^4.8.0"}}\n' },
    { path: `${nm}/x/index.js`, kind: 'file', data: "module.exports = require('node-gyp-build')(__dirname)\n" },
    { path: `${nm}/x/prebuilds/linux-x64/x.node`, kind: 'file', data: amdAddon },
    { path: `${nm}/x/prebuilds/linux-arm64/x.node`, kind: 'file', data: armAddon },
    { path: `${nm}/y/package.json`, kind: 'file', data: '{"name":"y","version":"2.0.0","dependencies":{"node-gyp-build":"^4.8.0"}}\n' },
    { path: `${nm}/y/prebuilds/linux-x64/node.napi.node`, kind: 'file', data: amdAddon },
    { path: `${nm}/y/prebuilds/linux-arm64/node.napi.node`, kind: 'file', data: armAddon },
    { path: `${nm}/y/prebuilds/linux-arm/node.napi.armv7.node`, kind: 'file', data: arm32 },
    { path: `${nm}/node-gyp-build/package.json`, kind: 'file', data: '{"name":"node-gyp-build","version":"4.8.1"}\n' },
  ];
  if (opts.missing) {
    entries.push(
      { path: `${nm}/z/package.json`, kind: 'file', data: '{"name":"z","version":"3.0.0","dependencies":{"node-gyp-build":"^4.8.0"}}\n' },
      { path: `${nm}/z/prebuilds/linux-x64/node.napi.node`, kind: 'file', data: amdAddon },
    );
  }
  return buildTestImage(
    (['linux/amd64', 'linux/arm64'] as const).map((p) => ({
      platform: platformOf(p),
      layers: [layer(baseEntries(p)), layer(entries)],
      history: [step('COPY / / # buildkit'), step('RUN /bin/sh -c npm ci # buildkit')],
    })),
  );
}
/** (memoized per process: the same arguments give the same image object) */
export const prebuildsImage = memoized(build_prebuildsImage);

/** The index says linux/arm64; the config says linux/amd64, as do the bytes. */
function build_configMismatchImage(): BuiltImage {
  return buildTestImage([
    { platform: platformOf('linux/amd64'), layers: [layer(baseEntries('linux/amd64'))], history: [step('COPY / / # buildkit')] },
    {
      platform: platformOf('linux/arm64'),
      configPlatform: { os: 'linux', architecture: 'amd64' },
      layers: [layer(baseEntries('linux/amd64'))],
      history: [step('COPY / / # buildkit')],
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const configMismatchImage = memoized(build_configMismatchImage);

/** IMAGE_FILE_MACHINE_* values of the PE headers `peFile` writes. */
export const PE_MACHINE = { amd64: 0x8664, arm64: 0xaa64, '386': 0x14c } as const;

/** A minimal PE executable header (MZ stub, `PE\0\0`, COFF header, PE32+ optional header magic) for `arch`. */
export function peFile(arch: keyof typeof PE_MACHINE): Uint8Array {
  const b = new Uint8Array(1024);
  const v = new DataView(b.buffer);
  b.set(enc.encode('MZ'), 0);
  v.setUint32(0x3c, 0x80, true);
  b.set(enc.encode('PE\0\0'), 0x80);
  v.setUint16(0x84, PE_MACHINE[arch], true); // Machine
  v.setUint16(0x86, 0, true); // NumberOfSections
  v.setUint16(0x94, 240, true); // SizeOfOptionalHeader (PE32+)
  v.setUint16(0x96, 0x0022, true); // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
  v.setUint16(0x98, arch === '386' ? 0x10b : 0x20b, true); // optional header magic
  v.setUint16(0x98 + 68, 3, true); // Subsystem: WINDOWS_CUI
  return b;
}

/** linux/amd64 and windows/amd64 (os.version 10.0.17763.6532, Windows layer layout, an x86-64 PE). */
function build_windowsImage(): BuiltImage {
  return buildTestImage([
    { platform: platformOf('linux/amd64'), layers: [layer(baseEntries('linux/amd64'))], history: [step('COPY / / # buildkit')] },
    {
      platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.6532' },
      layers: [
        layer([
          { path: 'Files/Windows/System32/cmd.exe', kind: 'file', data: peFile('amd64') },
          { path: 'Files/app/app.exe', kind: 'file', data: peFile('amd64') },
          { path: 'Hives/Software_Delta', kind: 'file', data: 'regf' },
        ]),
      ],
      history: [step('Apply image 10.0.17763.6532'), step('COPY app.exe C:/app/ # buildkit')],
      containerConfig: { Entrypoint: ['C:\\app\\app.exe'], Cmd: [], Env: [] },
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const windowsImage = memoized(build_windowsImage);

// ---------------------------------------------------------------------------------------------
// (h) hostile layers

/** A gzip layer cut in half (its diff_id is the whole tar's). */
function build_truncatedGzipImage(): BuiltImage {
  const tar = layerTar([...baseEntries('linux/arm64'), exe('usr/bin/big', goBinary('linux/arm64'))]);
  const gz = gzipSync(tar);
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [{ files: {}, stored: { bytes: gz.subarray(0, Math.floor(gz.length / 2)), diffId: sha256(tar), compression: 'gzip' } }],
      history: [step('COPY / / # buildkit')],
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const truncatedGzipImage = memoized(build_truncatedGzipImage);

/** Default size of the gzip bomb's one file (uncompressed): 8 GiB from about 8 MB. */
export const GZIP_BOMB_BYTES = 8 * 1024 ** 3;
const BOMB_CHUNK = 64 * 1024 * 1024;

/**
 * A gzip bomb: one tar entry (`bomb.bin`, `bytes` of zeros, a base-256 size) in a gzip stream of
 * concatenated members (RFC 1952 allows it; every reader must take them), so the layer is about
 * 1/1000 of its uncompressed size and is generated without holding the uncompressed bytes. The
 * diff_id is computed streaming. `bytes` is rounded down to a multiple of 64 MiB.
 */
export function gzipBombLayer(bytes = GZIP_BOMB_BYTES): TestLayer {
  const chunks = Math.max(1, Math.floor(bytes / BOMB_CHUNK));
  const size = chunks * BOMB_CHUNK;
  const head = Buffer.concat([tarHeader('bomb.bin', '0', size, '', 0o644)]);
  const tail = new Uint8Array(1024); // size is a multiple of 512: no padding, then the end blocks
  const zeros = Buffer.alloc(BOMB_CHUNK);
  const zeroMember = gzipSync(zeros, { level: 9, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
  const hash = createHash('sha256').update(head);
  for (let i = 0; i < chunks; i++) hash.update(zeros);
  hash.update(tail);
  const parts: Uint8Array[] = [gzipSync(head)];
  for (let i = 0; i < chunks; i++) parts.push(zeroMember);
  parts.push(gzipSync(tail));
  return { files: {}, stored: { bytes: Buffer.concat(parts), diffId: `sha256:${hash.digest('hex')}`, compression: 'gzip' } };
}

/** linux/arm64: the base layer, then the gzip bomb. */
function build_gzipBombImage(bytes = GZIP_BOMB_BYTES): BuiltImage {
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [layer(baseEntries('linux/arm64')), gzipBombLayer(bytes)],
      history: [step('COPY / / # buildkit'), step('RUN /bin/sh -c dd if=/dev/zero of=/bomb.bin # buildkit')],
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const gzipBombImage = memoized(build_gzipBombImage);

/**
 * A tar of `count` empty files (`f/0000000`...), gzip'd as one member per 8192 entries; the
 * uncompressed tar (512 bytes an entry) is never held whole. Headers are stamped from one
 * template (the name's 7 digits and the checksum patched), so a million take a second or two.
 */
export function manyEntriesLayer(count = 1_000_000): TestLayer {
  const hash = createHash('sha256');
  const template = tarHeader('f/0000000', '0', 0, '', 0o644);
  let templateSum = 0;
  for (let i = 0; i < 512; i++) templateSum += i >= 148 && i < 156 ? 32 : template[i]!;
  const zero = 0x30 * 7;
  const per = 8192;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i += per) {
    const n = Math.min(per, count - i);
    const buf = Buffer.alloc(n * 512);
    for (let j = 0; j < n; j++) {
      const at = j * 512;
      buf.set(template, at);
      let v = i + j;
      let digits = 0;
      for (let d = 8; d >= 2; d--) {
        const c = 0x30 + (v % 10);
        v = Math.floor(v / 10);
        buf[at + d] = c;
        digits += c;
      }
      const sum = (templateSum - zero + digits).toString(8).padStart(6, '0');
      for (let k = 0; k < 6; k++) buf[at + 148 + k] = sum.charCodeAt(k);
      buf[at + 154] = 0;
      buf[at + 155] = 0x20;
    }
    hash.update(buf);
    parts.push(gzipSync(buf, { level: 1 }));
  }
  const end = new Uint8Array(1024);
  hash.update(end);
  parts.push(gzipSync(end));
  return { files: {}, stored: { bytes: Buffer.concat(parts), diffId: `sha256:${hash.digest('hex')}`, compression: 'gzip' } };
}

/** linux/arm64: the base layer, then a layer of `count` empty files. */
function build_manyEntriesImage(count = 1_000_000): BuiltImage {
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [layer(baseEntries('linux/arm64')), manyEntriesLayer(count)],
      history: [step('COPY / / # buildkit'), step('RUN /bin/sh -c touch $(seq 1000000) # buildkit')],
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const manyEntriesImage = memoized(build_manyEntriesImage);

/** Default size of the huge PAX record: 32 MiB, far past any sane path. */
export const HUGE_PAX_BYTES = 32 * 1024 * 1024;

/**
 * linux/arm64 with huge PAX headers: a `path` record of `bytes` bytes on an x86-64 ELF, a
 * comment record of the same size, and a PAX header declaring a body far longer than the layer.
 */
function build_hugePaxImage(bytes = HUGE_PAX_BYTES): BuiltImage {
  const amd64 = goBinary('linux/amd64');
  const longPath = 'usr/' + 'd/'.repeat(Math.floor(bytes / 2) - 4) + 'x';
  const ok = layerTar([
    ...baseEntries('linux/arm64'),
    { path: 'usr/bin/longname', kind: 'raw', type: '0', data: amd64, pax: { path: longPath } },
    { path: 'usr/bin/commented', kind: 'raw', type: '0', data: amd64, pax: { comment: 'c'.repeat(bytes) } },
  ]);
  // a last entry whose PAX size claims 1 TiB: the tar ends long before
  const lying = Buffer.concat([
    ok.subarray(0, ok.length - 1024),
    ...entryBlocks({ path: 'usr/bin/liar', kind: 'raw', type: '0', data: amd64.subarray(0, 4096), pax: { size: String(1024 ** 4) }, size: 4096 }),
    new Uint8Array(1024),
  ]);
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [{ files: {}, stored: { bytes: gzipSync(lying), diffId: sha256(lying), compression: 'gzip' } }],
      history: [step('COPY / / # buildkit')],
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const hugePaxImage = memoized(build_hugePaxImage);

/** ELF headers that lie: truncated, program headers past the end, a huge e_phnum, a bad class. */
export function brokenElves(): Record<string, Uint8Array> {
  const real = goBinary('linux/arm64');
  const v = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const truncated = real.slice(0, 20); // magic and e_ident, cut inside e_machine
  const magicOnly = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]);
  const phoffPast = real.slice(0, 4096);
  v(phoffPast).setBigUint64(32, 0xffff_ffff_fff0n, true); // e_phoff far past the end
  const phnumHuge = real.slice(0, 4096);
  v(phnumHuge).setUint16(56, 0xffff, true); // e_phnum 65535
  v(phnumHuge).setUint16(54, 0xffff, true); // e_phentsize 65535
  const badClass = real.slice(0, 4096);
  badClass[4] = 7; // EI_CLASS neither 32 nor 64
  const shBomb = real.slice(0, 4096);
  v(shBomb).setBigUint64(40, 64n, true); // e_shoff inside the header
  v(shBomb).setUint16(60, 0xffff, true); // e_shnum 65535
  return { truncated, magicOnly, phoffPast, phnumHuge, badClass, shBomb };
}

/**
 * linux/arm64, one layer of hostile names and links: traversal names (`../../etc/evil`,
 * `/abs/evil`, `a/../../b`) on x86-64 ELFs, symlink loops (the entrypoint through one), hard
 * links to missing targets, a script whose interpreter is a loop, and broken ELF headers under
 * /usr/bin. Verify reports what it can and errs on nothing.
 */
function build_hostileTreeImage(): BuiltImage {
  const amd64 = goBinary('linux/amd64');
  const elves = brokenElves();
  return buildTestImage([
    {
      platform: platformOf('linux/arm64'),
      layers: [
        layer([
          ...baseEntries('linux/arm64'),
          { path: '../../etc/evil', kind: 'raw', type: '0', data: amd64 },
          { path: '/abs/evil', kind: 'raw', type: '0', data: amd64 },
          { path: 'a/../../b', kind: 'raw', type: '0', data: amd64 },
          { path: 'loop/a', kind: 'symlink', target: 'b' },
          { path: 'loop/b', kind: 'symlink', target: 'a' },
          { path: 'loop/self', kind: 'symlink', target: '/loop/self' },
          { path: 'loop/deep', kind: 'symlink', target: 'deep/deep/deep' },
          { path: 'usr/bin/run-me', kind: 'file', data: '#!/loop/a\necho hi\n', mode: 0o755 },
          { path: 'usr/bin/hl-missing', kind: 'hardlink', target: 'usr/bin/nowhere' },
          { path: 'usr/bin/hl-escape', kind: 'hardlink', target: '../../../etc/shadow' },
          ...Object.entries(elves).map(([n, b]) => exe(`usr/bin/broken-${n}`, b)),
        ]),
      ],
      history: [step('COPY / / # buildkit')],
      containerConfig: { Entrypoint: ['/loop/a'], Cmd: [] },
    },
  ]);
}
/** (memoized per process: the same arguments give the same image object) */
export const hostileTreeImage = memoized(build_hostileTreeImage);

// ---------------------------------------------------------------------------------------------
// Writers: every source kind

export interface PublishedImage {
  /** `127.0.0.1:PORT/verify/NAME:v1` */
  registry?: string;
  /** `oci:DIR:NAME` */
  layout?: string;
  /** `oci-archive:FILE` */
  ociArchive?: string;
  /** `docker-archive:FILE` (the platform `dockerPlatform` of the image) */
  dockerArchive?: string;
}

/** Pushes `image` to `reg` as `verify/NAME:v1` with anyarch's own client; the reference. */
export async function pushToRegistry(reg: TestRegistry, name: string, image: BuiltImage): Promise<string> {
  await pushImage(new RegistryClient({ credentials: async () => undefined }), { registry: reg.host, repository: `verify/${name}` }, builtImageSource(image), { tag: 'v1' });
  return `${reg.host}/verify/${name}:v1`;
}

/** Writes `image` into the OCI layout `dir` tagged `name`; the source spec `oci:DIR:NAME`. */
export async function toOciLayout(dir: string, name: string, image: BuiltImage): Promise<string> {
  await writeOciLayout(dir, image, name);
  return `oci:${dir}:${name}`;
}

/** Writes `image` as an OCI archive `file`; the source spec. */
export async function toOciArchive(file: string, image: BuiltImage): Promise<string> {
  await writeOciArchive(file, image, 'v1');
  return `oci-archive:${file}`;
}

/** Writes platform `platformIndex` of `image` as a `docker save` archive `file`; the source spec. */
export async function toDockerArchive(file: string, image: BuiltImage, platformIndex: number, tag = 'verify/test:v1'): Promise<string> {
  await writeDockerArchive(file, image, platformIndex, [tag]);
  return `docker-archive:${file}`;
}

/** The manifest's layer descriptors of the platform `platform` (`linux/arm64`) of `image`. */
export function layersOf(image: BuiltImage, platform: string): { digest: string; mediaType: string; size: number }[] {
  const m = image.manifests.find((x) => x.platform === platform);
  if (!m) throw new Error(`no ${platform} in the image`);
  return (JSON.parse(new TextDecoder().decode(image.blobs.get(m.digest))) as { layers: { digest: string; mediaType: string; size: number }[] }).layers;
}

export type { TestImageOptions };

// ---------------------------------------------------------------------------------------------
// Running the built CLI

/** `anyarch verify ARGS...` (bin/anyarch.js) under /usr/bin/time: exit code, output, seconds, peak RSS. */
export function runVerify(args: readonly string[], opts: MeasuredOptions = {}): Promise<MeasuredRun> {
  return runMeasured(['verify', ...args], { killAfterMs: 300_000, ...opts });
}

/** The reports of `verify --format json` output, whatever its envelope (a report, a list, `{ reports }`). */
export function reportsOf(stdout: string): VerifyReport[] {
  const v = JSON.parse(stdout) as unknown;
  if (Array.isArray(v)) return v as VerifyReport[];
  const o = v as { reports?: VerifyReport[]; images?: VerifyReport[]; platforms?: unknown };
  if (Array.isArray(o.reports)) return o.reports;
  if (Array.isArray(o.images)) return o.images;
  if (Array.isArray(o.platforms)) return [v as VerifyReport];
  throw new Error(`not a verify report: ${stdout.slice(0, 200)}`);
}
