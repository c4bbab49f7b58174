/**
 * The fixtures of verify's tests are what they claim, checked with real tools: `file` and
 * `readelf` on the built and downloaded binaries, `go version -m` on Go's build settings, GNU tar
 * on the layers this file's tar writer makes, skopeo on the written images, and a streaming
 * gunzip on the hostile layers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { skopeo, type BuiltImage } from './images.js';
import { debianPaths } from './debian-packages.js';
import * as rb from './real-binaries.js';
import * as vi from './verify-images.js';

const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-verify-fixtures-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function onDisk(bytes: Uint8Array): string {
  const p = path.join(dir, `f${n++}`);
  writeFileSync(p, bytes, { mode: 0o755 });
  return p;
}
function tool(cmd: string, args: string[], input?: Uint8Array): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...(input ? { input } : {}) });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
/** `readelf -h` fields: Class, Data, Machine, Type. */
function elfHeader(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of tool('readelf', ['-h', onDisk(bytes)]).split('\n')) {
    const m = /^\s+(Class|Data|Machine|Type|Flags):\s+(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
function interpreter(bytes: Uint8Array): string | undefined {
  return /Requesting program interpreter: ([^\]]+)\]/.exec(tool('readelf', ['-l', onDisk(bytes)]))?.[1];
}

const GO_MACHINES: Record<rb.GoPlatform, [string, string, string]> = {
  'linux/amd64': ['ELF64', 'little endian', 'Advanced Micro Devices X86-64'],
  'linux/arm64': ['ELF64', 'little endian', 'AArch64'],
  'linux/arm/v7': ['ELF32', 'little endian', 'ARM'],
  'linux/arm/v6': ['ELF32', 'little endian', 'ARM'],
  'linux/s390x': ['ELF64', 'big endian', 'IBM S/390'],
  'linux/ppc64le': ['ELF64', 'little endian', 'PowerPC64'],
  'linux/riscv64': ['ELF64', 'little endian', 'RISC-V'],
  'linux/386': ['ELF32', 'little endian', 'Intel 80386'],
};

test('Go cross-compiles the hello program for every platform: class, byte order, machine; static; GOARM recorded', () => {
  for (const [p, [cls, data, machine]] of Object.entries(GO_MACHINES) as [rb.GoPlatform, [string, string, string]][]) {
    const bin = rb.goBinary(p);
    const h = elfHeader(bin);
    assert.equal(h.Class, cls, p);
    assert.ok(h.Data?.includes(data), `${p}: ${h.Data}`);
    assert.equal(h.Machine, machine, p);
    assert.equal(interpreter(bin), undefined, `${p} is static`);
    const settings = tool('go', ['version', '-m', onDisk(bin)]);
    assert.match(settings, /build\s+CGO_ENABLED=0/, p);
    assert.match(settings, new RegExp(`build\\s+GOARCH=${rb.GO_TARGETS[p].GOARCH}\\b`), p);
    if ('GOARM' in rb.GO_TARGETS[p]) assert.match(settings, new RegExp(`build\\s+GOARM=${(rb.GO_TARGETS[p] as { GOARM: string }).GOARM}\\b`), p);
    // the same bytes on a second call: built once, cached
    assert.deepEqual(rb.goBinary(p), bin);
  }
});

test('the amd64 Go program runs here and answers `version` like the Go toolchain', () => {
  const p = onDisk(rb.goBinary('linux/amd64'));
  assert.equal(tool(p, ['version']), 'go version go1.23.4 linux/amd64\n');
  assert.equal(tool(p, []), 'hello from linux/amd64\n');
});

test('gcc builds an x86-64 glibc program and x86-64 shared objects; Debian gives aarch64 ones', () => {
  const hello = rb.gccHelloAmd64();
  assert.equal(elfHeader(hello).Machine, 'Advanced Micro Devices X86-64');
  assert.equal(interpreter(hello), '/lib64/ld-linux-x86-64.so.2');
  for (const so of [rb.pythonExtensionAmd64(), rb.nodeAddonAmd64()]) {
    const h = elfHeader(so);
    assert.equal(h.Machine, 'Advanced Micro Devices X86-64');
    assert.match(h.Type ?? '', /^DYN/);
  }
  for (const so of [rb.pythonExtensionArm64(), rb.nodeAddonArm64()]) {
    const h = elfHeader(so);
    assert.equal(h.Machine, 'AArch64');
    assert.match(h.Type ?? '', /^DYN/);
  }
  assert.ok(debianPaths('python3-yaml', 'arm64').includes(rb.PYTHON_EXT_ARM64_PATH));
});

test("Debian's busybox-static per platform, the dynamic glibc busybox and the arm64 loaders", () => {
  assert.equal(elfHeader(rb.busyboxStatic('linux/amd64')).Machine, 'Advanced Micro Devices X86-64');
  assert.equal(elfHeader(rb.busyboxStatic('linux/arm64')).Machine, 'AArch64');
  const armhf = elfHeader(rb.busyboxStatic('linux/arm/v7'));
  assert.equal(armhf.Machine, 'ARM');
  assert.match(armhf.Flags ?? '', /hard-float/);
  for (const p of ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] as const) assert.equal(interpreter(rb.busyboxStatic(p)), undefined, p);
  assert.equal(interpreter(rb.busyboxGlibcArm64()), '/lib/ld-linux-aarch64.so.1');
  const musl = rb.muslLoaderArm64();
  assert.deepEqual(musl.entries[musl.interpreter], { kind: 'symlink', target: 'aarch64-linux-musl/libc.so' });
  const muslLib = musl.entries['/lib/aarch64-linux-musl/libc.so'];
  assert.ok(muslLib?.kind === 'file' && elfHeader(muslLib.bytes).Machine === 'AArch64');
  const glibc = rb.glibcLoaderArm64();
  assert.deepEqual(glibc.entries[glibc.interpreter], { kind: 'symlink', target: 'aarch64-linux-gnu/ld-linux-aarch64.so.1' });
  const ld = glibc.entries['/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'];
  assert.ok(ld?.kind === 'file' && elfHeader(ld.bytes).Machine === 'AArch64');
});

test('layerTar: GNU tar reads every kind (PAX long names, symlinks, hard links, whiteouts, modes)', () => {
  const long = `usr/lib/node_modules/${'deep/'.repeat(30)}addon.node`;
  const tar = vi.layerTar([
    vi.exe('bin/tool', Uint8Array.of(1, 2, 3)),
    { path: 'bin/sh', kind: 'symlink', target: 'busybox' },
    { path: 'bin/hl', kind: 'hardlink', target: '/bin/tool' },
    { path: long, kind: 'file', data: 'x' },
    { path: 'opt/app/.wh..wh..opq', kind: 'file', data: '' },
    { path: 'usr/bin/.wh.gone', kind: 'file', data: '' },
    { path: 'tmp', kind: 'dir', mode: 0o1777 },
  ]);
  const listing = tool('tar', ['-tvf', '-'], tar).trim().split('\n');
  const names = tool('tar', ['-tf', '-'], tar).trim().split('\n');
  assert.deepEqual(names, ['bin/', 'bin/tool', 'bin/sh', 'bin/hl', 'usr/', 'usr/lib/', 'usr/lib/node_modules/', ...Array.from({ length: 30 }, (_, i) => `usr/lib/node_modules/${'deep/'.repeat(i + 1)}`), long, 'opt/', 'opt/app/', 'opt/app/.wh..wh..opq', 'usr/bin/', 'usr/bin/.wh.gone', 'tmp/']);
  assert.ok(listing.some((l) => /^-rwxr-xr-x .* bin\/tool$/.test(l)));
  assert.ok(listing.some((l) => l.endsWith('bin/sh -> busybox')));
  assert.ok(listing.some((l) => l.endsWith('bin/hl link to bin/tool')));
  assert.ok(listing.some((l) => /^drwxrwxrwt .* tmp\/$/.test(l)));
});

function configOf(img: BuiltImage, platform: string): { history: { created_by?: string; empty_layer?: boolean }[]; rootfs: { diff_ids: string[] }; architecture: string; config: Record<string, unknown> } {
  const m = img.manifests.find((x) => x.platform === platform)!;
  return JSON.parse(new TextDecoder().decode(img.blobs.get(m.configDigest)));
}
/** The files of a layer (GNU tar extracting one member to stdout). */
function member(img: BuiltImage, platform: string, layerIndex: number, name: string): Uint8Array {
  const l = vi.layersOf(img, platform)[layerIndex]!;
  const r = spawnSync('tar', ['-xzOf', '-', name], { input: img.blobs.get(l.digest), maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return new Uint8Array(r.stdout);
}

test('Zasper: the arm64 variant holds x86-64 go in the layer of line 16, history as BuildKit writes it; the fixed image arm64 go', () => {
  const img = vi.zasperImage();
  const cfg = configOf(img, 'linux/arm64');
  const nonEmpty = cfg.history.filter((h) => !h.empty_layer);
  assert.equal(nonEmpty.length, vi.layersOf(img, 'linux/arm64').length);
  assert.equal(nonEmpty.length, cfg.rootfs.diff_ids.length);
  const goStep = nonEmpty[2]!.created_by!;
  assert.equal(goStep, `RUN /bin/sh -c ${vi.instructionAt(vi.ZASPER_DOCKERFILE, vi.ZASPER_GO_LINE).slice(4)} # buildkit`);
  assert.match(goStep, /go1\.23\.4\.linux-amd64\.tar\.gz/);
  assert.match(nonEmpty[1]!.created_by!, /^RUN \/bin\/sh -c apt-get update && apt-get install -y\s+curl\s+git/);
  assert.equal(elfHeader(member(img, 'linux/arm64', 2, 'usr/local/go/bin/go')).Machine, 'Advanced Micro Devices X86-64');
  assert.equal(elfHeader(member(img, 'linux/arm64', 0, 'bin/busybox')).Machine, 'AArch64');
  assert.deepEqual(cfg.config.Cmd, ['/bin/sh', '-c', '/usr/local/bin/zasper']);

  const fixed = vi.zasperImage({ fixed: true, base: { name: 'docker.io/library/ubuntu:noble', digest: vi.zasperBase().root.digest } });
  const fcfg = configOf(fixed, 'linux/arm64');
  const fsteps = fcfg.history.filter((h) => !h.empty_layer);
  assert.match(fsteps[2]!.created_by!, /^RUN \|1 TARGETARCH=arm64 \/bin\/sh -c curl -LO https:\/\/go\.dev\/dl\/go1\.23\.4\.linux-\$\{TARGETARCH\}\.tar\.gz/);
  assert.equal(elfHeader(member(fixed, 'linux/arm64', 2, 'usr/local/go/bin/go')).Machine, 'AArch64');
  assert.equal(elfHeader(member(fixed, 'linux/amd64', 2, 'usr/local/go/bin/go')).Machine, 'Advanced Micro Devices X86-64');
  // the base's layer is the same blob in the base and in both Zasper images
  const baseLayer = vi.layersOf(vi.zasperBase(), 'linux/arm64')[0]!.digest;
  assert.equal(vi.layersOf(img, 'linux/arm64')[0]!.digest, baseLayer);
  assert.equal(vi.layersOf(fixed, 'linux/arm64')[0]!.digest, baseLayer);
  const m = JSON.parse(new TextDecoder().decode(fixed.blobs.get(fixed.manifests[1]!.digest))) as { annotations: Record<string, string> };
  assert.equal(m.annotations['org.opencontainers.image.base.name'], 'docker.io/library/ubuntu:noble');
});

test('every scenario image is one skopeo copies and checks, from an OCI layout and an OCI archive', async () => {
  const images: Record<string, BuiltImage> = {
    zasper: vi.zasperImage(),
    whiteouts: vi.whiteoutsImage(),
    musl: vi.muslGlibcImage(),
    glibc: vi.glibcCleanImage(),
    ext: vi.extensionsImage(),
    prebuilds: vi.prebuildsImage({ missing: true }),
    mismatch: vi.configMismatchImage(),
    hostile: vi.hostileTreeImage(),
  };
  const layout = path.join(dir, 'layout');
  for (const [name, img] of Object.entries(images)) {
    const spec = await vi.toOciLayout(layout, name, img);
    assert.equal(spec, `oci:${layout}:${name}`);
    skopeo(['copy', '--all', '--quiet', spec, `dir:${path.join(dir, `copy-${name}`)}`]);
  }
  const archive = await vi.toOciArchive(path.join(dir, 'zasper.tar'), images.zasper!);
  skopeo(['copy', '--all', '--quiet', archive, `dir:${path.join(dir, 'copy-archive')}`]);
  const docker = await vi.toDockerArchive(path.join(dir, 'zasper-docker.tar'), images.zasper!, 1);
  const inspected = JSON.parse(skopeo(['inspect', '--config', docker])) as { architecture: string };
  assert.equal(inspected.architecture, 'arm64');
});

test('the whiteout scenario: GNU tar sees the deleting and opaque markers over the x86-64 files', () => {
  const img = vi.whiteoutsImage();
  const top = vi.layersOf(img, 'linux/arm64')[2]!;
  const names = tool('tar', ['-tzf', '-'], img.blobs.get(top.digest)).split('\n');
  assert.ok(names.includes('usr/bin/.wh.tool') && names.includes('opt/app/.wh..wh..opq'));
  assert.equal(elfHeader(member(img, 'linux/arm64', 1, 'usr/bin/tool')).Machine, 'Advanced Micro Devices X86-64');
  assert.equal(elfHeader(member(img, 'linux/arm64', 2, 'usr/local/bin/over')).Machine, 'AArch64');
});

test('a Windows variant carries PE files of its machine', () => {
  const img = vi.windowsImage();
  assert.equal(img.manifests[1]!.platform, 'windows/amd64');
  const pe = member(img, 'windows/amd64', 0, 'Files/app/app.exe');
  assert.match(tool('file', ['-b', onDisk(pe)]), /^PE32\+ executable.*x86-64/);
});

/** Streams a gzip layer through zlib: uncompressed bytes and their sha256. */
async function gunzipCount(bytes: Uint8Array): Promise<{ size: number; digest: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of Readable.from([bytes]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    size += c.length;
    hash.update(c);
  }
  return { size, digest: `sha256:${hash.digest('hex')}` };
}

test('hostile layers: the bomb is small and expands to its diff_id; a million-entry tar; truncated gzip; huge PAX', async () => {
  const bomb = vi.gzipBombLayer(256 * 1024 * 1024);
  assert.ok(bomb.stored!.bytes.length < (256 * 1024 * 1024) / 500, `bomb is ${bomb.stored!.bytes.length} bytes`);
  const expanded = await gunzipCount(bomb.stored!.bytes);
  assert.equal(expanded.size, 256 * 1024 * 1024 + 512 + 1024);
  assert.equal(expanded.digest, bomb.stored!.diffId);
  assert.equal(tool('tar', ['-tvzf', '-'], bomb.stored!.bytes).trim().split('\n').length, 1);

  const many = vi.manyEntriesLayer(20_000);
  assert.equal(tool('tar', ['-tzf', '-'], many.stored!.bytes).trim().split('\n').length, 20_000);
  assert.equal((await gunzipCount(many.stored!.bytes)).digest, many.stored!.diffId);

  const truncated = vi.truncatedGzipImage();
  const l = vi.layersOf(truncated, 'linux/arm64')[0]!;
  assert.throws(() => gunzipSync(truncated.blobs.get(l.digest)!), /unexpected end of file/);

  const pax = vi.hugePaxImage(1024 * 1024);
  const pl = vi.layersOf(pax, 'linux/arm64')[0]!;
  const r = spawnSync('tar', ['-tzf', '-'], { input: pax.blobs.get(pl.digest), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.notEqual(r.status, 0, 'GNU tar stops at the entry whose PAX size runs past the end');
  assert.ok(r.stdout.split('\n').some((name) => name.length > 500_000), 'the long PAX path is read as the name');
});

test('hostile tree: traversal names kept raw, links and loops as written, broken ELF headers refused by readelf', () => {
  const img = vi.hostileTreeImage();
  const l = vi.layersOf(img, 'linux/arm64')[0]!;
  const r = spawnSync('tar', ['-tvzf', '-'], { input: img.blobs.get(l.digest), encoding: 'utf8' });
  for (const s of ['../../etc/evil', '/abs/evil', 'a/../../b', 'loop/a -> b', 'loop/b -> a', 'usr/bin/hl-missing link to usr/bin/nowhere']) assert.ok(r.stdout.includes(s), s);
  const elves = vi.brokenElves();
  for (const [name, bytes] of Object.entries(elves)) {
    const re = spawnSync('readelf', ['-lW', onDisk(bytes)], { encoding: 'utf8' });
    assert.ok(re.status !== 0 || /Error|Warning|no program headers/i.test(re.stderr + re.stdout), `${name}: readelf complains`);
  }
});
