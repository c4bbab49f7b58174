/**
 * The engines without an engine: their command lines, buildx's metadata file, the failing step
 * read from their output, and detection with stand-in clients on PATH (a Docker 28 client without
 * buildx, Debian's 20.10, a client with buildx, buildah and podman), and buildx's whole flow with
 * a stand-in `docker` that writes a metadata file naming an index pushed to a real registry
 * (buildx itself cannot be installed here).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rejectsWith, tempPaths } from '../../../test/support/assert.js';
import { buildContext } from '../../../test/support/build-context.js';
import { fakeEngine, type FakeEngine } from '../../../test/support/fake-engine.js';
import { buildTestImage, builtImageSource, busyboxLikeFiles, writeOciArchive, type BuiltImage } from '../../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { parsePlatformList } from '../../platform/index.js';
import { RegistryClient } from '../../registry/client.js';
import { pushImage } from '../../registry/push.js';
import { buildImage } from '../build.js';
import type { BuildRequest } from '../types.js';
import { buildahBuildArgs, buildahFailures, buildahPushArgs, buildahRemoveArgs, linePlatform } from './buildah.js';
import { buildxBuildArgs, canonicalRepository, parseBuildxMetadata, parseBuildxVersion } from './buildx.js';
import { buildsWithoutBuildx, findEngine, parseBuildahVersion, parseDockerVersion } from './detect.js';
import { dockerBuildArgs, dockerBuildEnv } from './docker.js';
import { EngineBuildError } from './failure.js';
import { failingStep, stepExit } from './flags.js';

const temp = tempPaths('anyarch-engines-');

function request(over: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context: '/src/app',
    dockerfile: '/src/app/Dockerfile',
    platforms: parsePlatformList('linux/amd64,linux/arm/v7'),
    buildArgs: { VERSION: '1.2', GOFLAGS: '-mod=vendor' },
    target: 'final',
    labels: { 'org.example.team': 'core' },
    noCache: true,
    network: 'none',
    ...over,
  };
}

describe('command lines', () => {
  test('docker build: one platform, BuildKit plain progress, the shared flags, an iidfile and a temporary tag, the context last', () => {
    const [amd64] = request().platforms;
    assert.deepEqual(dockerBuildArgs(request(), amd64!, { tag: 'anyarch-build-0011:linux-amd64', iidfile: '/tmp/x/iid-0' }), [
      'build', '--progress=plain', '--platform', 'linux/amd64',
      '-f', '/src/app/Dockerfile', '--build-arg', 'VERSION=1.2', '--build-arg', 'GOFLAGS=-mod=vendor', '--target', 'final',
      '--label', 'org.example.team=core', '--no-cache', '--network', 'none',
      '--iidfile', '/tmp/x/iid-0', '-t', 'anyarch-build-0011:linux-amd64', '/src/app',
    ]);
    assert.equal(dockerBuildEnv({ DOCKER_HOST: 'unix:///run/x.sock' }).DOCKER_BUILDKIT, '1');
    assert.equal(dockerBuildEnv({ DOCKER_HOST: 'unix:///run/x.sock' }).DOCKER_HOST, 'unix:///run/x.sock');
  });

  test('optional flags are left out when not asked', () => {
    const r = request({ buildArgs: {}, labels: {}, noCache: false, target: undefined, network: undefined } as Partial<BuildRequest>);
    const [p] = r.platforms;
    assert.deepEqual(dockerBuildArgs(r, p!, { tag: 't:x', iidfile: 'i' }), ['build', '--progress=plain', '--platform', 'linux/amd64', '-f', '/src/app/Dockerfile', '--iidfile', 'i', '-t', 't:x', '/src/app']);
  });

  test('buildah build: every platform into a manifest list, chroot isolation, storage flags first', () => {
    const r = request({ network: undefined } as Partial<BuildRequest>);
    assert.deepEqual(buildahBuildArgs(r, 'localhost/anyarch-build-1', { root: '/t/root', runroot: '/t/run', storageDriver: 'vfs' }), [
      '--root', '/t/root', '--runroot', '/t/run', '--storage-driver', 'vfs',
      'build', '--platform', 'linux/amd64,linux/arm/v7', '--manifest', 'localhost/anyarch-build-1', '--isolation', 'chroot',
      '-f', '/src/app/Dockerfile', '--build-arg', 'VERSION=1.2', '--build-arg', 'GOFLAGS=-mod=vendor', '--target', 'final',
      '--label', 'org.example.team=core', '--no-cache', '/src/app',
    ]);
    assert.deepEqual(buildahPushArgs('localhost/anyarch-build-1', '/t/out'), ['manifest', 'push', '--all', 'localhost/anyarch-build-1', 'oci:/t/out']);
    assert.deepEqual(buildahRemoveArgs('localhost/anyarch-build-1', { root: '/r' }), ['--root', '/r', 'manifest', 'rm', 'localhost/anyarch-build-1']);
  });

  test('buildah refuses --network none (chroot isolation shares the network) and passes host through', () => {
    assert.throws(() => buildahBuildArgs(request(), 'm'), (e: Error & { code?: string }) => e.code === 'E_USAGE' && /--network none/.test(e.message));
    assert.ok(buildahBuildArgs(request({ network: 'host' }), 'm').join(' ').includes('--network host'));
  });

  test('buildx build: every platform at once, pushed by digest with a canonical name, or an OCI archive', () => {
    const repo = { registry: 'docker.io', repository: 'library/app', tag: '1.0' };
    assert.equal(canonicalRepository(repo), 'docker.io/library/app');
    const args = buildxBuildArgs(request(), { kind: 'registry', repository: repo }, '/t/meta.json');
    assert.deepEqual(args.slice(0, 5), ['buildx', 'build', '--progress=plain', '--platform', 'linux/amd64,linux/arm/v7']);
    assert.deepEqual(args.slice(-5), ['--output', 'type=image,name=docker.io/library/app,push-by-digest=true,name-canonical=true,push=true', '--metadata-file', '/t/meta.json', '/src/app']);
    assert.ok(args.includes('--no-cache') && args.includes('VERSION=1.2'));
    const oci = buildxBuildArgs(request(), { kind: 'oci-archive', file: '/t/image.tar' }, '/t/meta.json');
    assert.ok(oci.includes('type=oci,dest=/t/image.tar'));
  });
});

describe("buildx's metadata file", () => {
  const D1 = `sha256:${'19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3'}`;
  test("the documented example (docs/reference/buildx_build.md, --metadata-file): a manifest's digest and descriptor", () => {
    const text = JSON.stringify({
      'containerimage.config.digest': 'sha256:2937f66a9722f7f4a2df583de2f8cb97fc9196059a410e7f00072fc918930e66',
      'containerimage.descriptor': {
        annotations: { 'config.digest': 'sha256:2937f66a9722f7f4a2df583de2f8cb97fc9196059a410e7f00072fc918930e66', 'org.opencontainers.image.created': '2022-02-08T21:28:03Z' },
        digest: D1,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 506,
      },
      'containerimage.digest': D1,
    });
    assert.deepEqual(parseBuildxMetadata(text), { digest: D1, descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, size: 506 } });
  });

  test('a multi-platform push by digest: an index, with buildx.build.* keys and image.name', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const text = JSON.stringify({
      'buildx.build.provenance': { buildType: 'https://mobyproject.org/buildkit@v1' },
      'buildx.build.ref': 'builder/builder0/xyz',
      'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.index.v1+json', digest: d, size: 1609 },
      'containerimage.digest': d,
      'image.name': 'registry.example/app',
    });
    const m = parseBuildxMetadata(text);
    assert.equal(m.digest, d);
    assert.equal(m.descriptor?.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(m.imageName, 'registry.example/app');
  });

  test('an old buildx without a descriptor still gives the digest', () => {
    assert.deepEqual(parseBuildxMetadata(JSON.stringify({ 'containerimage.digest': D1 })), { digest: D1 });
  });

  test('what is not metadata of a pushed image is E_BUILD, saying what is wrong', () => {
    for (const [text, re] of [
      ['not json', /not JSON/],
      ['[1]', /not a JSON object/],
      ['{}', /no containerimage\.digest/],
      [JSON.stringify({ 'containerimage.digest': 'sha256:zz' }), /not a digest/],
      [JSON.stringify({ 'containerimage.digest': D1, 'containerimage.descriptor': { digest: `sha256:${'b'.repeat(64)}`, mediaType: 'x', size: 1 } }), /disagrees/],
      [JSON.stringify({ 'containerimage.digest': D1, 'containerimage.descriptor': { digest: D1, size: -1, mediaType: 'x' } }), /not a descriptor/],
    ] as const) {
      assert.throws(() => parseBuildxMetadata(text), (e: Error & { code?: string }) => e.code === 'E_BUILD' && re.test(e.message), text);
    }
  });

  test('versions as the clients print them', () => {
    assert.equal(parseBuildxVersion('github.com/docker/buildx v0.12.1 30feaa1\n'), '0.12.1');
    assert.equal(parseDockerVersion('Docker version 20.10.24+dfsg1, build 297e128\n'), '20.10.24+dfsg1');
    assert.equal(parseDockerVersion('podman version 4.3.1'), undefined);
    assert.deepEqual(parseBuildahVersion('buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)\n'), { tool: 'buildah', version: '1.28.2' });
    assert.deepEqual(parseBuildahVersion('podman version 4.3.1\n'), { tool: 'podman', version: '4.3.1' });
    assert.equal(buildsWithoutBuildx('20.10.24+dfsg1'), true);
    assert.equal(buildsWithoutBuildx('23.0.0'), false);
    assert.equal(buildsWithoutBuildx('28.2.2'), false);
  });
});

describe('the failing step, from the engine output', () => {
  test("BuildKit's error block (docker build --progress=plain, buildx)", () => {
    const lines = [
      '#6 [2/3] COPY app /usr/local/bin/app',
      '#6 DONE 0.1s',
      '#7 [3/3] RUN /usr/local/bin/app --selftest',
      '#7 0.312 exec /usr/local/bin/app: exec format error',
      '#7 ERROR: executor failed running [/bin/sh -c /usr/local/bin/app --selftest]: exit code: 1',
      '------',
      ' > [3/3] RUN /usr/local/bin/app --selftest:',
      '------',
      'error: failed to solve: executor failed running [/bin/sh -c /usr/local/bin/app --selftest]: exit code: 1',
    ];
    assert.equal(failingStep(lines), '[3/3] RUN /usr/local/bin/app --selftest');
    assert.equal(failingStep(lines.slice(0, 4)), '[3/3] RUN /usr/local/bin/app --selftest');
    assert.equal(failingStep(['nothing useful']), undefined);
  });

  test("how the step itself ended: BuildKit's exit code, buildah's exit status, else nothing (the client's status is all there is)", () => {
    assert.equal(stepExit(['#7 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3', 'error: failed to solve: ...']), 'the step exited 3');
    assert.equal(stepExit(['error building at STEP "RUN false": exit status 1']), 'the step exited 1');
    assert.equal(stepExit(['#5 ERROR: failed to compute cache key: "/x" not found']), undefined);
  });

  // what buildah 1.28 printed here for COPY file-${TARGETARCH} with only file-amd64 in the context
  const BUILDAH_OUTPUT = [
    '[linux/amd64] STEP 1/3: FROM scratch',
    '[linux/amd64] STEP 2/3: ARG TARGETARCH',
    '[linux/amd64] STEP 3/3: COPY file-${TARGETARCH} /x',
    '[linux/amd64] COMMIT',
    '--> 446eede4cba',
    '[linux/arm64] STEP 1/3: FROM scratch',
    '446eede4cba6eecb90b4ded0287a982b01296844a1e0f61b900163c0195365a6',
    '[linux/arm64] STEP 2/3: ARG TARGETARCH',
    '[linux/arm64] STEP 3/3: COPY file-${TARGETARCH} /x',
    'Error: building at STEP "COPY file-${TARGETARCH} /x": checking on sources under "/tmp/ctx": copier: stat: "/file-arm64": no such file or directory',
  ];

  test("buildah's prefixed lines: the platform that committed built, the one at the error failed, at its step", () => {
    assert.equal(linePlatform(BUILDAH_OUTPUT[0]!), 'linux/amd64');
    assert.equal(linePlatform('--> 446eede4cba'), undefined);
    const platforms = parsePlatformList('linux/amd64,linux/arm64');
    const r = { code: 125, signal: null, stdout: '', tail: BUILDAH_OUTPUT, timedOut: false };
    const { failed, built } = buildahFailures(platforms, BUILDAH_OUTPUT, r);
    assert.deepEqual(built.map((p) => p.architecture), ['amd64']);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.platform.architecture, 'arm64');
    assert.equal(failed[0]?.step, 'COPY file-${TARGETARCH} /x');
    assert.equal(failed[0]?.reason, 'exit status 125');
    // buildah builds platforms side by side: the failed one is the one stopped at the step its error names, whatever the order of the lines
    const interleaved = [BUILDAH_OUTPUT[5]!, BUILDAH_OUTPUT[7]!, BUILDAH_OUTPUT[8]!, ...BUILDAH_OUTPUT.slice(0, 4), BUILDAH_OUTPUT[9]!];
    const again = buildahFailures(platforms, interleaved, { ...r, tail: interleaved });
    assert.deepEqual(again.built.map((p) => p.architecture), ['amd64']);
    assert.deepEqual(again.failed.map((f) => [f.platform.architecture, f.step]), [['arm64', 'COPY file-${TARGETARCH} /x']]);
    const err = new EngineBuildError('buildah', failed, built);
    assert.equal(err.code, 'E_BUILD');
    assert.equal(err.message, 'buildah build failed for linux/arm64 at COPY file-${TARGETARCH} /x (exit status 125); linux/amd64 built');
  });
});

/** Writes an executable shell script. */
function script(file: string, body: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const DOCKER_28_NO_BUILDX = `case "$1" in --version) echo "Docker version 28.2.2, build e6534b4";; *) echo "docker: unknown command: docker $1" >&2; exit 1;; esac`;
const DOCKER_20 = `case "$1" in --version) echo "Docker version 20.10.24+dfsg1, build 297e128";; *) echo "docker: '$1' is not a docker command." >&2; exit 1;; esac`;
const BUILDAH = `case "$1" in --version) echo "buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)";; *) exit 1;; esac`;
const PODMAN = `case "$1" in --version) echo "podman version 4.3.1";; *) exit 1;; esac`;
/** A client with buildx: `buildx build` records its arguments, prints BuildKit-like lines and writes $FAKE_METADATA to --metadata-file (or fails). */
const DOCKER_WITH_BUILDX = `
case "$1" in
  --version) echo "Docker version 27.0.3, build 7d4bcd8"; exit 0;;
  buildx)
    case "$2" in
      version) echo "github.com/docker/buildx v0.15.1 1c1dbb2"; exit 0;;
      build)
        printf '%s\\n' "$@" > "$FAKE_ARGS"
        while [ $# -gt 0 ]; do
          if [ "$1" = "--metadata-file" ]; then shift; mf="$1"; fi
          if [ "$1" = "--output" ]; then shift; out="$1"; fi
          shift
        done
        echo "#1 [internal] load build definition from Dockerfile"
        if [ -n "$FAKE_FAIL" ]; then
          echo "#5 [linux/arm64 2/2] RUN make" >&2
          echo "#5 ERROR: process \\"/bin/sh -c make\\" did not complete successfully: exit code: 2" >&2
          echo " > [linux/arm64 2/2] RUN make:" >&2
          echo "ERROR: failed to solve: process \\"/bin/sh -c make\\" did not complete successfully: exit code: 2" >&2
          exit 1
        fi
        printf '%s' "$FAKE_METADATA" > "$mf"
        case "$out" in type=oci,dest=*) cp "$FAKE_ARCHIVE" "\${out#type=oci,dest=}";; esac
        exit 0;;
    esac;;
esac
echo "docker: unknown command" >&2; exit 1`;

describe('findEngine with stand-in clients on PATH', () => {
  let engine: FakeEngine;
  let socket = '';
  let bin28 = '';
  let bin20 = '';
  let binBuildx = '';
  let binBuildah = '';
  let podman = '';
  before(async () => {
    const root = temp('clients');
    bin28 = path.dirname(script(path.join(root, 'local/docker'), DOCKER_28_NO_BUILDX));
    bin20 = path.dirname(script(path.join(root, 'debian/docker'), DOCKER_20));
    binBuildx = path.dirname(script(path.join(root, 'buildx/docker'), DOCKER_WITH_BUILDX));
    binBuildah = path.dirname(script(path.join(root, 'buildah/buildah'), BUILDAH));
    podman = script(path.join(root, 'podman/podman'), PODMAN);
    socket = path.join(root, 'engine.sock');
    engine = await fakeEngine(socket, (req, res) => {
      if (req.url === '/_ping') res.writeHead(200, { 'api-version': '1.41' }).end('OK');
      else if (req.url === '/version') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ApiVersion: '1.41', MinAPIVersion: '1.12', Version: '20.10.24' }));
      else res.writeHead(404).end();
    });
  });
  after(async () => engine?.close());
  const env = (dirs: string[], host?: string): NodeJS.ProcessEnv => ({ PATH: [...dirs, '/usr/bin/nonexistent'].join(':'), DOCKER_HOST: host ?? `unix://${socket}` });

  test('a Docker 28 client without buildx first on PATH is skipped, and said so; the 20.10 client behind it builds', async () => {
    const e = await findEngine({ env: env([bin28, bin20]) });
    assert.equal(e.name, 'docker');
    assert.equal(e.program, path.join(bin20, 'docker'));
    assert.equal(e.version, '20.10.24+dfsg1');
    assert.match(e.why, /BuildKit built into the client, no buildx needed/);
    assert.match(e.why, new RegExp(`skipped: ${path.join(bin28, 'docker').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Docker 28\\.2\\.2 without buildx`));
  });

  test('buildx wins when a client has it', async () => {
    const e = await findEngine({ env: env([bin28, binBuildx, bin20]) });
    assert.equal(e.name, 'buildx');
    assert.equal(e.version, '0.15.1');
    assert.match(e.why, /docker buildx version` answered/);
  });

  test('no engine answering: buildah, saying why docker could not', async () => {
    const e = await findEngine({ env: env([bin28, bin20, binBuildah], `unix://${socket}.missing`) });
    assert.equal(e.name, 'buildah');
    assert.match(e.why, /no docker client could build/);
    assert.match(e.why, /no Docker engine at/);
  });

  test('--engine docker with only a Docker 28 client without buildx: a usage error naming why', async () => {
    const err = await rejectsWith(findEngine({ engine: 'docker', env: env([bin28, binBuildah]), docker: path.join(bin28, 'docker') }), 'E_USAGE', /docker engine cannot build here/);
    assert.match(err.hint ?? '', /28\.2\.2 without buildx/);
  });

  test('--docker PATH picks the client; --buildah PATH takes podman; nothing at all is a usage error', async () => {
    const d = await findEngine({ docker: path.join(bin20, 'docker'), env: env([bin28]) });
    assert.equal(d.program, path.join(bin20, 'docker'));
    const p = await findEngine({ engine: 'buildah', buildah: podman, env: env([]) });
    assert.equal(p.name, 'buildah');
    assert.match(p.why, /^podman 4\.3\.1 at /);
    const onPath = await findEngine({ env: { ...env([path.dirname(podman)], `unix://${socket}.missing`), CONTAINER_HOST: 'unix:///run/podman/podman.sock' } });
    assert.equal(onPath.program, podman, 'podman on PATH when there is no buildah');
    assert.match(onPath.why, /through the podman service at CONTAINER_HOST=unix:\/\/\/run\/podman\/podman\.sock/);
    await rejectsWith(findEngine({ docker: '/nonexistent/docker', env: env([]) }), 'E_USAGE', /--docker \/nonexistent\/docker: no such program/);
    // (Debian's /usr/bin/docker is always asked: with no engine answering and no buildah, nothing can build)
    await rejectsWith(findEngine({ env: env([], `unix://${socket}.missing`) }), 'E_USAGE', /no container engine found/);
    await rejectsWith(findEngine({ engine: 'assemble', env: env([]) }), 'E_USAGE', /does not build a Dockerfile/);
  });
});

describe('buildx end to end with a stand-in docker client and a real registry', () => {
  let reg: TestRegistry;
  let bin = '';
  before(async () => {
    reg = await startRegistry();
    bin = path.dirname(script(path.join(temp('buildx'), 'docker'), DOCKER_WITH_BUILDX));
  });
  after(async () => reg?.stop());

  test('the metadata names an index pushed by digest: it is opened from the registry, each platform found, nothing tagged', async () => {
    // what buildx would have pushed: an index with two platforms and attestations
    const img = buildTestImage(
      [
        { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
        { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
      ],
      { format: 'oci', attestations: true },
    );
    const client = new RegistryClient();
    const repository = { registry: reg.host, repository: 'buildx/app' };
    await pushImage(client, repository, builtImageSource(img));
    const argsFile = temp('args');
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      FAKE_ARGS: argsFile,
      FAKE_METADATA: JSON.stringify({ 'containerimage.descriptor': { mediaType: img.root.mediaType, digest: img.root.digest, size: img.root.size }, 'containerimage.digest': img.root.digest }),
    };
    const engine = await findEngine({ env });
    assert.equal(engine.name, 'buildx');
    const lines: string[] = [];
    const req = request({ network: undefined, platforms: parsePlatformList('linux/amd64,linux/arm64') } as Partial<BuildRequest>);
    const result = await engine.build(req, { repository: { ...repository, tag: 'v1' }, client, onOutput: (l) => lines.push(l) });
    try {
      assert.equal(result.pushed?.index.descriptor.digest, img.root.digest);
      assert.deepEqual(result.pushed?.repository, { ...repository, digest: img.root.digest });
      assert.deepEqual(
        result.variants.map((v) => [v.platform.architecture, v.image.descriptor.digest]),
        img.manifests.filter((m) => m.platform !== 'unknown/unknown').map((m) => [m.platform.split('/')[1], m.digest]),
      );
      assert.ok(lines.includes('#1 [internal] load build definition from Dockerfile'));
      const args = readFileSync(argsFile, 'utf8').split('\n');
      assert.ok(args.includes(`type=image,name=${reg.host}/buildx/app,push-by-digest=true,name-canonical=true,push=true`), args.join(' '));
    } finally {
      await result.close();
    }
  });

  function twoPlatforms(): BuiltImage {
    return buildTestImage(
      (['amd64', 'arm64'] as const).map((a) => ({ platform: { os: 'linux', architecture: a }, files: busyboxLikeFiles(a), containerConfig: { Entrypoint: ['/bin/busybox'], Cmd: null } })),
      { format: 'oci', attestations: true },
    );
  }
  const metadataOf = (img: BuiltImage): string => JSON.stringify({ 'containerimage.descriptor': { mediaType: img.root.mediaType, digest: img.root.digest, size: img.root.size }, 'containerimage.digest': img.root.digest });

  test('buildImage with buildx: the index buildx pushed is verified and tagged as it is (attestations kept), nothing else pushed', async () => {
    const img = twoPlatforms();
    const client = new RegistryClient();
    const repository = { registry: reg.host, repository: 'buildx/tagged' };
    await pushImage(client, repository, builtImageSource(img));
    const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_ARGS: temp('args'), FAKE_METADATA: metadataOf(img) };
    const ctx = buildContext(temp('ctx'), { Dockerfile: 'FROM scratch\n' });
    const req = request({ context: ctx, dockerfile: path.join(ctx, 'Dockerfile'), network: undefined, platforms: parsePlatformList('linux/amd64,linux/arm64') } as Partial<BuildRequest>);
    const run = await buildImage(req, { tags: [{ ...repository, tag: 'v1' }], client, find: { engine: 'buildx', env }, env, check: false, annotations: {} });
    assert.equal(run.status, 'built', JSON.stringify(run.published?.report?.platforms.map((p) => p.verdicts)));
    assert.equal(run.engine?.name, 'buildx');
    assert.deepEqual(run.published?.tagged, [`${reg.host}/buildx/tagged:v1`]);
    assert.equal(run.published?.stats.uploaded, 0, 'buildx pushed every blob already');
    const tagged = await client.getManifest(repository, 'v1');
    const index = JSON.parse(new TextDecoder().decode(tagged.bytes)) as { manifests: { digest: string }[]; annotations?: Record<string, string> };
    assert.deepEqual(index.manifests.map((m) => m.digest), (JSON.parse(new TextDecoder().decode(img.root.bytes)) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest));
    assert.equal(index.annotations?.['dev.anyarch.verify.platforms'], 'linux/amd64,linux/arm64');
  });

  test('buildx without a registry (--output): an OCI archive (type=oci,dest=…) read in place', async () => {
    const img = twoPlatforms();
    const archive = temp('buildx.tar');
    await writeOciArchive(archive, img);
    const args = temp('args');
    const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_ARGS: args, FAKE_METADATA: metadataOf(img), FAKE_ARCHIVE: archive };
    const engine = await findEngine({ env });
    const req = request({ network: undefined, platforms: parsePlatformList('linux/amd64,linux/arm64') } as Partial<BuildRequest>);
    const result = await engine.build(req, {});
    try {
      assert.equal(result.pushed, undefined);
      assert.deepEqual(result.variants.map((v) => v.image.descriptor.digest), img.manifests.filter((m) => m.platform !== 'unknown/unknown').map((m) => m.digest));
      assert.ok(readFileSync(args, 'utf8').split('\n').some((a) => /^type=oci,dest=\/.*\/image\.tar$/.test(a)));
    } finally {
      await result.close();
    }
  });

  test('a failed buildx build is E_BUILD naming the platform and the step from its output', async () => {
    const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_ARGS: temp('args'), FAKE_FAIL: '1', FAKE_METADATA: '' };
    const engine = await findEngine({ env });
    const req = request({ network: undefined, platforms: parsePlatformList('linux/amd64,linux/arm64') } as Partial<BuildRequest>);
    const err = await rejectsWith(engine.build(req, { repository: { registry: reg.host, repository: 'buildx/app' } }), 'E_BUILD', /buildx build failed for linux\/arm64 at \[linux\/arm64 2\/2\] RUN make \(the step exited 2\)/);
    assert.ok(err instanceof EngineBuildError);
    assert.ok(err.failed[0]?.lines.some((l) => /failed to solve/.test(l)));
  });
});
