/**
 * Base images for `anyarch build`'s end-to-end tests, made from Debian packages of each
 * architecture (debian-packages.ts: `apt-get download PKG:ARCH`, never a public registry) and
 * pushed to the tests' real registry (registry.ts) with anyarch's own client:
 *
 * - `anyarch-test/busybox:1`: an index of linux/amd64 and linux/arm64, one layer each: Debian's
 *   busybox-static for the architecture as /bin/busybox, /bin/sh and the applets RUN steps use,
 *   /etc/passwd, /tmp, /root.
 * - `anyarch-test/glibc:12`: busybox plus libc6:ARCH's loader and libraries (no docs, no gconv):
 *   a small glibc distribution, standing for the `ubuntu` Zasper's image starts from (the Go
 *   toolchain's `go` is dynamically linked and needs the loader).
 * - `anyarch-test/golang:1.19`: an index of the same two platforms, a Go toolchain built from
 *   Debian's packages of that architecture: golang-go:ARCH (only the /usr/bin/go, /usr/bin/gofmt
 *   and /usr/lib/go symlinks: Debian's golang-go is a metapackage that depends on
 *   golang-1.19-go:ARCH, the toolchain, and golang-src, the standard library's source,
 *   architecture `all`), golang-1.19-go:ARCH (whose /usr/lib/go-1.19/bin/go is dynamically
 *   linked against glibc: libc6:ARCH's loader and libc come along; its share/go-1.19 holds the
 *   generated, architecture-specific sources and pkg/include) and golang-1.19-src. Kept to
 *   what `go build` needs (~90 MB unpacked instead of ~500): bin/, the compile, link, asm and cgo
 *   tools (not vet, pprof, trace...), the source without tests, testdata, cmd/ and the generator
 *   scripts (their perl and bash are not in the image: verify's AA207), and not the
 *   prebuilt standard library (pkg/linux_ARCH, 240 MB: Go rebuilds it into its cache, ~7 s).
 *   Layers: busybox (the busybox image's own, shared), libc6, the source (arch-independent: one
 *   blob for both platforms), the toolchain.
 * - `anyarch-test/golang:1.19-linux-amd64` and `...-linux-arm64`: the toolchain of one
 *   architecture as a single manifest, the way `amd64/golang` names an architecture in a tag (the
 *   Zasper test copy's unfixed Dockerfile hard-codes `-linux-amd64`).
 *
 * Gzipped layers are cached per package version under `ANYARCH_BUILD_FIXTURE_CACHE` (default
 * `<tmp>/anyarch-build-fixtures`), written to a temporary name and renamed, so concurrent test
 * processes and later runs share them. A missing package or tool is an error, never a skip.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Descriptor } from '../../src/oci/manifest.js';
import { RegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../../src/registry/push.js';
import { debianPackage, debianTree } from './debian-packages.js';
import { buildTestImage, sha256, type BuiltImage, type TestLayer } from './images.js';
import { memorySource } from './memory-source.js';
import type { TestRegistry } from './registry.js';
import { layerTar, type LayerEntry } from './verify-images.js';

export const FIXTURE_CACHE = process.env.ANYARCH_BUILD_FIXTURE_CACHE ?? path.join(tmpdir(), 'anyarch-build-fixtures');

/** The platforms every fixture image has, and Debian's word for each. */
export const FIXTURE_PLATFORMS = { 'linux/amd64': 'amd64', 'linux/arm64': 'arm64' } as const;
export type FixturePlatform = keyof typeof FIXTURE_PLATFORMS;
export type FixtureArch = (typeof FIXTURE_PLATFORMS)[FixturePlatform];
const ARCHES: readonly FixtureArch[] = ['amd64', 'arm64'];

/** The Go toolchain the image carries (Debian 12's). */
export const GO_VERSION = '1.19';
const GO_PACKAGE = `golang-${GO_VERSION}-go`;
const GO_SRC_PACKAGE = `golang-${GO_VERSION}-src`;
/** the tools `go build` runs (pkg/tool/linux_ARCH); the others are left out */
const GO_TOOLS = new Set(['compile', 'link', 'asm', 'cgo']);
/** busybox applets linked into /bin (RUN steps and the tests' `uname -m` use these) */
const APPLETS = ['sh', 'ash', 'cat', 'cp', 'echo', 'env', 'false', 'ls', 'mkdir', 'mv', 'rm', 'test', 'true', 'uname', 'chmod', 'ln', 'grep', 'sed', 'head', 'wc', 'id', 'sleep', 'touch'];
const FIXTURE_VERSION = '3';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CREATED = '2026-01-01T00:00:00Z';

/** The references of the pushed fixtures (`127.0.0.1:PORT/anyarch-test/...`). */
export interface BuildFixtures {
  /** `127.0.0.1:PORT`: what the Dockerfiles' `ARG REGISTRY` is given */
  readonly registry: string;
  /** `REGISTRY/anyarch-test/busybox:1` (index: linux/amd64, linux/arm64) */
  readonly busybox: string;
  /** `REGISTRY/anyarch-test/glibc:12` (index), when the toolchain was asked */
  readonly glibc?: string;
  /** `REGISTRY/anyarch-test/golang:1.19` (index), when asked */
  readonly golang?: string;
  /** the manifest digests, per image and platform */
  readonly digests: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Layers from package trees, gzipped once and cached

interface CachedLayer {
  readonly gz: Uint8Array;
  readonly diffId: string;
}

/** The layer cached under `name` (a key naming its inputs), made by `entries()` when missing. */
function cachedLayer(name: string, entries: () => LayerEntry[]): CachedLayer {
  const dir = path.join(FIXTURE_CACHE, `v${FIXTURE_VERSION}`);
  const gzFile = path.join(dir, `${name}.tar.gz`);
  const idFile = path.join(dir, `${name}.diffid`);
  if (existsSync(gzFile) && existsSync(idFile)) return { gz: new Uint8Array(readFileSync(gzFile)), diffId: readFileSync(idFile, 'utf8').trim() };
  mkdirSync(dir, { recursive: true });
  const tar = layerTar(entries());
  // level 1: these layers are big and only ever read by the tests' own engines
  const gz = new Uint8Array(gzipSync(tar, { level: 1 }));
  const diffId = sha256(tar);
  const work = mkdtempSync(path.join(dir, '.layer-'));
  try {
    writeFileSync(path.join(work, 'id'), `${diffId}\n`);
    writeFileSync(path.join(work, 'gz'), gz);
    // the diff id last: a reader takes the pair only when both exist
    renameSync(path.join(work, 'gz'), gzFile);
    renameSync(path.join(work, 'id'), idFile);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { gz, diffId };
}

/** A cache key part naming a package's exact .deb (its bytes' digest, short). */
function debKey(pkg: string, arch: string): string {
  return createHash('sha256').update(readFileSync(debianPackage(pkg, arch))).digest('hex').slice(0, 12);
}

/**
 * The entries of an extracted package tree under `root` (sorted; files with their modes,
 * symlinks as written), those `keep(relativePath, isDir)` accepts.
 */
function treeEntries(root: string, keep: (rel: string, dir: boolean) => boolean = () => true): LayerEntry[] {
  const out: LayerEntry[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(root, p);
      const st = lstatSync(p);
      if (!keep(rel, st.isDirectory())) continue;
      if (st.isSymbolicLink()) out.push({ path: rel, kind: 'symlink', target: readlinkSync(p) });
      else if (st.isDirectory()) {
        out.push({ path: rel, kind: 'dir', mode: st.mode & 0o7777 });
        walk(p);
      } else if (st.isFile()) out.push({ path: rel, kind: 'file', data: new Uint8Array(readFileSync(p)), mode: st.mode & 0o7777 });
    }
  };
  walk(root);
  return out;
}

/** Not a script: Go's generator scripts (mksysnum_*.pl, *.bash) are not needed to build and name interpreters the image lacks. */
function notScript(e: LayerEntry): boolean {
  return !(e.kind === 'file' && typeof e.data !== 'string' && e.data[0] === 0x23 && e.data[1] === 0x21);
}

function asStored(l: CachedLayer): TestLayer {
  return { files: {}, stored: { bytes: l.gz, diffId: l.diffId, compression: 'gzip' } };
}

/** busybox-static for `arch` as /bin/busybox plus applet links, /etc/passwd, /tmp, /root. */
function busyboxLayer(arch: FixtureArch): CachedLayer {
  return cachedLayer(`busybox-${arch}-${debKey('busybox-static', arch)}`, () => {
    const bin = readFileSync(path.join(debianTree('busybox-static', arch), 'bin', 'busybox'));
    return [
      { path: 'bin/busybox', kind: 'file', data: new Uint8Array(bin), mode: 0o755 },
      ...APPLETS.map((a): LayerEntry => ({ path: `bin/${a}`, kind: 'symlink', target: 'busybox' })),
      { path: 'etc/passwd', kind: 'file', data: 'root:x:0:0:root:/root:/bin/sh\n' },
      { path: 'etc/group', kind: 'file', data: 'root:x:0:\n' },
      { path: 'etc/os-release', kind: 'file', data: 'PRETTY_NAME="anyarch test base (Debian 12 busybox-static)"\nID=debian\nVERSION_ID="12"\n' },
      { path: 'root', kind: 'dir', mode: 0o700 },
      { path: 'tmp', kind: 'dir', mode: 0o1777 },
    ];
  });
}

/** libc6:ARCH's loader and shared libraries (what the dynamically linked `go` needs), no docs or locales. */
function libcLayer(arch: FixtureArch): CachedLayer {
  return cachedLayer(`libc6-${arch}-${debKey('libc6', arch)}`, () =>
    treeEntries(debianTree('libc6', arch), (rel) => !rel.startsWith('usr/share') && !rel.includes('/gconv') && !rel.startsWith('usr/libexec') && !rel.startsWith('etc')),
  );
}

/** golang-1.19-src without tests, testdata, cmd/, api/, misc/ and docs (architecture `all`: one layer for both). */
function goSourceLayer(): CachedLayer {
  return cachedLayer(`go-src-${debKey(GO_SRC_PACKAGE, 'all')}`, () =>
    treeEntries(debianTree(GO_SRC_PACKAGE, 'all'), (rel, dir) => {
      if (!rel.startsWith('usr/share/go-') && rel !== 'usr' && rel !== 'usr/share') return false;
      const parts = rel.split('/');
      // usr/share/go-1.19/<top>/...
      const top = parts[3];
      if (top !== undefined && top !== 'src') return false;
      if (parts[4] === 'cmd') return false;
      if (dir && parts[parts.length - 1] === 'testdata') return false;
      return !rel.endsWith('_test.go');
    }).filter(notScript),
  );
}

/** golang-1.19-go:ARCH (bin/, the build tools, VERSION, the src link) and golang-go:ARCH's links. */
function goToolchainLayer(arch: FixtureArch): CachedLayer {
  return cachedLayer(`go-${arch}-${debKey(GO_PACKAGE, arch)}-${debKey('golang-go', arch)}`, () => {
    const tool = `usr/lib/go-${GO_VERSION}/pkg/tool/linux_${arch}/`;
    const go = treeEntries(debianTree(GO_PACKAGE, arch), (rel) => {
      // the package's own share/go-1.19 holds pkg/include (textflag.h) and the generated,
      // architecture-specific sources (zversion.go, zbootstrap.go...): kept, but not cmd/ or docs
      if (rel.startsWith('usr/share/') && !rel.startsWith(`usr/share/go-${GO_VERSION}`)) return false;
      if (rel.startsWith(`usr/share/go-${GO_VERSION}/src/cmd`)) return false;
      if (rel.startsWith(`usr/lib/go-${GO_VERSION}/pkg/linux_`)) return false; // the prebuilt standard library
      if (rel.startsWith(tool)) return GO_TOOLS.has(rel.slice(tool.length));
      return true;
    });
    // golang-go: /usr/bin/go -> ../lib/go-1.19/bin/go, /usr/bin/gofmt, /usr/lib/go -> go-1.19 (and man pages, left out)
    const links = treeEntries(debianTree('golang-go', arch), (rel) => !rel.startsWith('usr/share'));
    const seen = new Set(go.map((e) => e.path));
    return [...go, ...links.filter((e) => !seen.has(e.path))].filter(notScript);
  });
}

// ---------------------------------------------------------------------------------------------
// Images

function platformOf(arch: FixtureArch): { os: string; architecture: string } {
  return { os: 'linux', architecture: arch };
}

/** One layer of a fixture image: the packages it holds (its history line) and the cached layer. */
type FixtureLayer = readonly [packages: string, layer: () => CachedLayer];

/** An index of both platforms, each with the layers `layers(arch)` gives, bottom first. */
function fixtureImage(layers: (arch: FixtureArch) => readonly FixtureLayer[], env: readonly string[] = [PATH_ENV]): BuiltImage {
  return buildTestImage(
    ARCHES.map((arch) => ({
      platform: platformOf(arch),
      layers: layers(arch).map(([, l]) => asStored(l())),
      history: layers(arch).map(([packages]) => ({ created_by: `ADD ${packages} (Debian 12) / # anyarch test fixture` })),
      containerConfig: { Env: [...env], Cmd: ['/bin/sh'] },
      created: CREATED,
    })),
  );
}

const busyboxOf = (arch: FixtureArch): FixtureLayer => [`busybox-static:${arch}`, () => busyboxLayer(arch)];
const libcOf = (arch: FixtureArch): FixtureLayer => [`libc6:${arch}`, () => libcLayer(arch)];

/** The busybox index (memoized). */
let busyboxImage: BuiltImage | undefined;
export function busyboxFixture(): BuiltImage {
  busyboxImage ??= fixtureImage((arch) => [busyboxOf(arch)]);
  return busyboxImage;
}

/** The glibc index: the first two layers of the toolchain's (memoized). */
let glibcImage: BuiltImage | undefined;
export function glibcFixture(): BuiltImage {
  glibcImage ??= fixtureImage((arch) => [busyboxOf(arch), libcOf(arch)]);
  return glibcImage;
}

/** The Go toolchain index (memoized). */
let golangImage: BuiltImage | undefined;
export function golangFixture(): BuiltImage {
  golangImage ??= fixtureImage(
    (arch) => [busyboxOf(arch), libcOf(arch), [`${GO_SRC_PACKAGE}:all`, goSourceLayer], [`${GO_PACKAGE}:${arch} golang-go:${arch}`, () => goToolchainLayer(arch)]],
    [PATH_ENV, 'CGO_ENABLED=0', 'GOFLAGS=-mod=mod', 'GOCACHE=/root/.cache/go-build', 'GOPATH=/root/go'],
  );
  return golangImage;
}

/** The descriptor of the manifest of `platform` in `image`. */
export function manifestOf(image: BuiltImage, platform: FixturePlatform): Descriptor {
  const m = image.manifests.find((x) => x.platform === platform);
  if (m === undefined) throw new Error(`no ${platform} in the fixture image`);
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: m.digest as Descriptor['digest'], size: m.size };
}

const noCredentials = () => new RegistryClient({ credentials: async () => undefined });

async function push(reg: TestRegistry, repository: string, image: BuiltImage, root: Descriptor, tag: string): Promise<void> {
  await pushImage(noCredentials(), { registry: reg.host, repository }, memorySource(image.blobs, root, { name: `fixture:${repository}:${tag}`, verify: true }), { tag });
}

/**
 * Pushes the fixtures to `reg`: busybox always, the Go toolchain (index and per-architecture
 * tags) when `golang` is set. Blobs the registry has are not sent again.
 */
export async function pushBuildFixtures(reg: TestRegistry, opts: { golang?: boolean } = {}): Promise<BuildFixtures> {
  const digests: Record<string, string> = {};
  const bb = busyboxFixture();
  await push(reg, 'anyarch-test/busybox', bb, { mediaType: bb.root.mediaType, digest: bb.root.digest as Descriptor['digest'], size: bb.root.size }, '1');
  digests.busybox = bb.root.digest;
  for (const p of Object.keys(FIXTURE_PLATFORMS) as FixturePlatform[]) digests[`busybox ${p}`] = manifestOf(bb, p).digest;
  let golang: string | undefined;
  let glibc: string | undefined;
  if (opts.golang) {
    const gl = glibcFixture();
    await push(reg, 'anyarch-test/glibc', gl, { mediaType: gl.root.mediaType, digest: gl.root.digest as Descriptor['digest'], size: gl.root.size }, '12');
    digests.glibc = gl.root.digest;
    glibc = `${reg.host}/anyarch-test/glibc:12`;
    const go = golangFixture();
    await push(reg, 'anyarch-test/golang', go, { mediaType: go.root.mediaType, digest: go.root.digest as Descriptor['digest'], size: go.root.size }, GO_VERSION);
    digests.golang = go.root.digest;
    for (const [p, arch] of Object.entries(FIXTURE_PLATFORMS) as [FixturePlatform, FixtureArch][]) {
      const m = manifestOf(go, p);
      await push(reg, 'anyarch-test/golang', go, m, `${GO_VERSION}-linux-${arch}`);
      digests[`golang ${p}`] = m.digest;
    }
    golang = `${reg.host}/anyarch-test/golang:${GO_VERSION}`;
  }
  return { registry: reg.host, busybox: `${reg.host}/anyarch-test/busybox:1`, ...(glibc ? { glibc } : {}), ...(golang ? { golang } : {}), digests };
}

/** The tags of `repository` in `reg` (GET /v2/NAME/tags/list); [] when the repository does not exist. */
export async function registryTags(reg: TestRegistry, repository: string): Promise<string[]> {
  const res = await fetch(`${reg.url}/v2/${repository}/tags/list`);
  if (res.status === 404) {
    await res.arrayBuffer();
    return [];
  }
  if (res.status !== 200) throw new Error(`GET /v2/${repository}/tags/list: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}
