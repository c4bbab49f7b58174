/**
 * `anyarch assemble`: the flags (pure), then the command run as a process against Debian's
 * docker-registry (behind the fault proxy, whose log counts the requests): push, reproducibility
 * across directories, mtimes and umasks, only missing blobs sent (HEAD, mount from the base's
 * repository, upload), a binary of the wrong architecture refused with nothing pushed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTestImage, busyboxLikeFiles, builtImageSource, writeDockerArchive, writeOciArchive } from '../../../test/support/images.js';
import { NO_SCAN_CACHE } from '../../../test/support/measured.js';
import { proxiedRegistry } from '../../../test/support/proxied-registry.js';
import { gccHelloAmd64, goBinary } from '../../../test/support/real-binaries.js';
import { isAnyarchError } from '../../errors.js';
import { parsePlatform } from '../../platform/index.js';
import { RegistryClient } from '../../registry/client.js';
import { pushImage } from '../../registry/push.js';
import { assembleOptionsFromFlags, parseCommandWords, parseExpose, parseKeyValue, parseOutput } from './assemble.js';
import type { AssembleFlags } from './assemble-command.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'anyarch.js');
const usage = (e: unknown) => isAnyarchError(e) && e.code === 'E_USAGE';

describe('assemble flags', () => {
  it('--cmd / --entrypoint: a JSON array as it is, anything else split as a shell splits words (no sh -c)', () => {
    assert.deepEqual(parseCommandWords('--cmd', '["/app","serve","--port=8080"]'), ['/app', 'serve', '--port=8080']);
    assert.deepEqual(parseCommandWords('--cmd', `/app serve --name 'a b' "c \\"d\\""`), ['/app', 'serve', '--name', 'a b', 'c "d"']);
    assert.deepEqual(parseCommandWords('--entrypoint', '[]'), []);
    assert.throws(() => parseCommandWords('--cmd', '["a", 1]'), usage);
    assert.throws(() => parseCommandWords('--cmd', '[nope'), usage);
    assert.throws(() => parseCommandWords('--cmd', "app 'unclosed"), (e: unknown) => usage(e) && /^--cmd: an unclosed ' quote/.test((e as Error).message));
  });

  it('--env / --label KEY=VALUE (the value may be empty or hold =), --expose PORT[/proto]', () => {
    assert.deepEqual(parseKeyValue('--env', 'A=b=c'), ['A', 'b=c']);
    assert.deepEqual(parseKeyValue('--label', 'org.example.x='), ['org.example.x', '']);
    assert.throws(() => parseKeyValue('--env', '=x'), usage);
    assert.throws(() => parseKeyValue('--env', 'NOVALUE'), usage);
    assert.equal(parseExpose('8080'), '8080/tcp');
    assert.equal(parseExpose('53/UDP'), '53/udp');
    assert.equal(parseExpose('8000-8002/tcp'), '8000-8002/tcp');
    for (const bad of ['0', '70000', '80/http', '9-1', 'x']) assert.throws(() => parseExpose(bad), usage, bad);
  });

  it('--output is an OCI layout or archive only', () => {
    assert.equal(parseOutput('oci:/tmp/out:v1').kind, 'oci-layout');
    assert.equal(parseOutput('oci-archive:/tmp/a.tar').kind, 'oci-archive');
    assert.throws(() => parseOutput('docker-daemon:app:1'), usage);
    assert.throws(() => parseOutput('registry.example/app:1'), usage);
  });

  const flags = (f: Partial<AssembleFlags>): AssembleFlags => ({ verify: true, format: 'text', color: false, ...f });

  it('every flag checked before anything is opened', () => {
    const o = assembleOptionsFromFlags(
      flags({
        add: ['linux/arm64=dist/app:/usr/local/bin/app', 'a,b.txt:/etc/a,b.txt'],
        addDir: ['www:/srv'],
        env: ['A=1,2'],
        label: ['x=y'],
        expose: ['80'],
        cmd: 'serve --fast',
        workdir: '/srv',
        user: '65532',
        tag: ['127.0.0.1:5000/app:1', '127.0.0.1:5000/app:latest'],
        platform: 'linux/amd64,linux/arm64',
      }),
    );
    assert.equal(o.additions.length, 3);
    assert.equal(o.additions[1]!.from, 'a,b.txt');
    assert.deepEqual(o.config, { cmd: ['serve', '--fast'], env: ['A=1,2'], workdir: '/srv', user: '65532', labels: { x: 'y' }, exposedPorts: ['80/tcp'] });
    assert.deepEqual(o.tags.map((t) => t.tag), ['1', 'latest']);
    assert.equal(o.platforms?.length, 2);
    assert.throws(() => assembleOptionsFromFlags(flags({ add: ['a:/a'] })), (e: unknown) => usage(e) && /nowhere to put the image/.test((e as Error).message));
    assert.throws(() => assembleOptionsFromFlags(flags({ tag: ['r.example/a:1'] })), (e: unknown) => usage(e) && /nothing to assemble/.test((e as Error).message));
    assert.throws(() => assembleOptionsFromFlags(flags({ add: ['a:/a'], tag: ['r.example/a@sha256:' + '0'.repeat(64)] })), usage);
    assert.throws(() => assembleOptionsFromFlags(flags({ add: ['a:/a'], tag: ['r/a:1'], platform: 'linux/amd46' })), usage);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a process, under `umask` (a shell sets it), with SOURCE_DATE_EPOCH unset unless given. */
function anyarch(args: string[], cwd: string, opts: { umask?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...NO_SCAN_CACHE, ...opts.env };
    for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
    if (!opts.env?.['SOURCE_DATE_EPOCH']) delete env['SOURCE_DATE_EPOCH'];
    const child = spawn('/bin/sh', ['-c', `umask ${opts.umask ?? '022'} && exec "$0" "$@"`, process.execPath, BIN, 'assemble', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A work directory with the app for three platforms, a shared config file and a static tree, files stamped `mtime`. */
async function workDir(mtime: number, version = 'v1'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-assemble-cli-'));
  const files: [string, Uint8Array | string, number][] = [
    ['dist/amd64/app', goBinary('linux/amd64'), 0o755],
    ['dist/arm64/app', goBinary('linux/arm64'), 0o755],
    ['dist/armv7/app', goBinary('linux/arm/v7'), 0o755],
    ['config.yaml', `version: ${version}\n`, 0o644],
    ['static/index.html', '<p>hello</p>\n', 0o644],
    ['static/img/logo.svg', '<svg/>\n', 0o644],
  ];
  for (const [rel, bytes, mode] of files) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes, { mode });
    await utimes(file, mtime, mtime);
  }
  return dir;
}

const APP_ADDS = ['--add', 'linux/amd64=dist/amd64/app:/usr/local/bin/app', '--add', 'linux/arm64=dist/arm64/app:/usr/local/bin/app', '--add', 'linux/arm/v7=dist/armv7/app:/usr/local/bin/app'];

/** The publish reporter's JSON (a PublishResult), as merge and build print it */
interface Summary {
  index: { digest: string };
  variants: { platform: { os: string; architecture: string; variant?: string }; descriptor: { digest: string }; verification?: { summary: { verdicts: { error: number; warning: number } } } }[];
  tagged: string[];
  passed: boolean;
  stats?: { exists: number; mounted: number; uploaded: number; manifests: number; bytesUploaded: number };
}

describe('anyarch assemble against a real registry', () => {
  const env = proxiedRegistry();
  const dirs: string[] = [];
  let baseRef: string;
  let baseLayers: Set<string>;
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  before(async () => {
    // the base: three platforms, pushed to base/os of the registry itself
    const img = buildTestImage(
      (['amd64', 'arm64', 'arm/v7'] as const).map((a) => {
        const [architecture, variant] = a.split('/') as [string, string | undefined];
        return { platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) }, files: { ...busyboxLikeFiles(architecture), [`usr/share/base-${architecture}`]: 'x'.repeat(4096) }, containerConfig: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] } };
      }),
      { format: 'oci' },
    );
    await pushImage(new RegistryClient(), { registry: env.registry.host, repository: 'base/os' }, builtImageSource(img), { tag: '1' });
    baseRef = `${env.proxy.host}/base/os:1`;
    baseLayers = new Set([...img.blobs.keys()]);
  });

  const work = async (mtime: number, version?: string): Promise<string> => {
    const d = await workDir(mtime, version);
    dirs.push(d);
    return d;
  };

  async function catalog(): Promise<string[]> {
    const res = await fetch(`${env.registry.url}/v2/_catalog`);
    return ((await res.json()) as { repositories: string[] }).repositories;
  }
  async function tags(repo: string): Promise<string[] | undefined> {
    const res = await fetch(`${env.registry.url}/v2/${repo}/tags/list`);
    if (res.status === 404) return undefined;
    return ((await res.json()) as { tags: string[] | null }).tags ?? [];
  }

  it('pushes by digest, verifies, tags; base blobs mounted from its repository, the rest uploaded once; the shared layer once for three platforms', async () => {
    const dir = await work(1_600_000_000);
    env.proxy.log.length = 0;
    const r = await anyarch(['--base', baseRef, ...APP_ADDS, '--add', 'config.yaml:/etc/app/config.yaml', '--add-dir', 'static:/srv/www', '--entrypoint', '/usr/local/bin/app', '--cmd', 'serve', '-t', `${env.proxy.host}/app/web:1`, '-t', `${env.proxy.host}/app/web:latest`, '--output', 'oci:pushed', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Summary;
    assert.deepEqual(
      s.variants.map((v) => [`${v.platform.architecture}${v.platform.variant ? `/${v.platform.variant}` : ''}`, v.verification?.summary.verdicts.error, v.verification?.summary.verdicts.warning]),
      [
        ['amd64', 0, 0],
        ['arm64', 0, 0],
        ['arm/v7', 0, 0],
      ],
    );
    assert.deepEqual(s.tagged, [`${env.proxy.host}/app/web:1`, `${env.proxy.host}/app/web:latest`]);
    assert.deepEqual((await tags('app/web'))?.sort(), ['1', 'latest']);
    // base: 3 layers, mounted (their configs are replaced by the new ones); new: 1 shared layer + 3 app layers + 3 configs
    assert.equal(s.stats?.mounted, 3);
    assert.equal(s.stats?.uploaded, 7);
    assert.equal(s.stats?.exists, 0);
    const mounts = env.proxy.log.filter((e) => e.method === 'POST' && /mount=sha256/.test(e.path));
    assert.equal(mounts.length, 3);
    assert.ok(mounts.every((e) => /from=base%2Fos|from=base\/os/.test(e.path) && baseLayers.has(decodeURIComponent(/mount=([^&]+)/.exec(e.path)![1]!))));
    // every blob asked about (HEAD) before anything is sent for it
    const heads = env.proxy.log.filter((e) => e.method === 'HEAD' && /\/blobs\//.test(e.path));
    assert.equal(heads.length, 10);
    // the tagged index is the one printed
    const res = await fetch(`${env.registry.url}/v2/app/web/manifests/1`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    assert.equal(res.headers.get('docker-content-digest'), s.index.digest);
    // --output beside -t writes that same index
    const layout = JSON.parse(await readFile(path.join(dir, 'pushed', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(layout.manifests[0]!.digest, s.index.digest);

    // the same again, only the app of one platform changed: one layer and one config uploaded, the rest already there
    const changed = await work(1_600_000_000);
    await writeFile(path.join(changed, 'dist/arm64/app'), Buffer.concat([Buffer.from(goBinary('linux/arm64')), Buffer.from('extra')]), { mode: 0o755 });
    env.proxy.log.length = 0;
    const again = await anyarch(['--base', baseRef, ...APP_ADDS, '--add', 'config.yaml:/etc/app/config.yaml', '--add-dir', 'static:/srv/www', '--entrypoint', '/usr/local/bin/app', '--cmd', 'serve', '-t', `${env.proxy.host}/app/web:2`, '--format', 'json'], changed);
    assert.equal(again.code, 0, again.stderr);
    const s2 = JSON.parse(again.stdout) as Summary;
    assert.equal(s2.stats?.uploaded, 2);
    assert.equal(s2.stats?.mounted, 0);
    assert.equal(s2.stats?.exists, 8);
    assert.equal(env.proxy.log.filter((e) => e.method === 'PATCH' || (e.method === 'PUT' && /\/blobs\/uploads\//.test(e.path))).length > 0, true);
    assert.equal(s2.variants[0]!.descriptor.digest, s.variants[0]!.descriptor.digest, 'amd64 unchanged');
    assert.notEqual(s2.variants[1]!.descriptor.digest, s.variants[1]!.descriptor.digest, 'arm64 changed');
  });

  it('is reproducible: two directories, other mtimes and umask give the same index digest', async () => {
    const a = await work(1_000_000_000);
    const b = await work(1_700_000_000);
    const args = (tag: string) => [...APP_ADDS, '--add', 'config.yaml:/etc/app/config.yaml', '--add-dir', 'static:/srv/www', '--entrypoint', '/usr/local/bin/app', '--env', 'MODE=prod', '-t', `${env.proxy.host}/repro/app:${tag}`, '--format', 'json'];
    const r1 = await anyarch(args('a'), a, { umask: '022' });
    const r2 = await anyarch(args('b'), b, { umask: '077' });
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    const s1 = JSON.parse(r1.stdout) as Summary;
    const s2 = JSON.parse(r2.stdout) as Summary;
    assert.equal(s1.index.digest, s2.index.digest);
    assert.deepEqual(s1.variants.map((v) => v.descriptor.digest), s2.variants.map((v) => v.descriptor.digest));
    // and the second run sent no blob
    assert.equal(s2.stats?.uploaded, 0);
    // SOURCE_DATE_EPOCH changes the digests (mtimes, created)
    const r3 = await anyarch(args('c'), b, { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    assert.equal(r3.code, 0, r3.stderr);
    assert.notEqual((JSON.parse(r3.stdout) as Summary).index.digest, s1.index.digest);
  });

  it('writes an OCI layout and an archive after verify; the layout holds the index printed', async () => {
    const dir = await work(1_600_000_000);
    const r = await anyarch([...APP_ADDS, '--entrypoint', '/usr/local/bin/app', '--output', 'oci:out:v1'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^index \(verified, annotated\) sha256:[0-9a-f]{12}\n {2}PLATFORM +MANIFEST +SIZE +VERIFY\n {2}linux\/amd64 +sha256:[0-9a-f]{12} .* passed\n/);
    assert.match(r.stdout, /written: oci:.*out:v1\n$/);
    const layoutIndex = JSON.parse(await readFile(path.join(dir, 'out', 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    assert.equal(layoutIndex.manifests[0]!.annotations['org.opencontainers.image.ref.name'], 'v1');
    assert.ok(r.stdout.includes(layoutIndex.manifests[0]!.digest.slice(0, 19)));
    const json = await anyarch([...APP_ADDS, '--entrypoint', '/usr/local/bin/app', '--output', 'oci:out2', '--format', 'json'], dir);
    assert.equal((JSON.parse(json.stdout) as Summary).index.digest, layoutIndex.manifests[0]!.digest, 'the same inputs: the same index');
    const archive = await anyarch([...APP_ADDS, '--output', 'oci-archive:app.tar'], dir);
    assert.equal(archive.code, 0, archive.stderr);
    const verify = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'verify', 'oci-archive:app.tar', '--format', 'json'], { cwd: dir, env: { ...process.env, ...NO_SCAN_CACHE }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('refuses a binary of the wrong architecture: exit 2, naming the file, what it is and the platform; nothing pushed', async () => {
    const dir = await work(1_600_000_000);
    const before = await catalog();
    env.proxy.log.length = 0;
    const r = await anyarch(['--base', baseRef, '--add', 'linux/amd64=dist/amd64/app:/usr/local/bin/app', '--add', 'linux/arm64=dist/amd64/app:/usr/local/bin/app', '-t', `${env.proxy.host}/wrong/app:1`], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^anyarch: dist\/amd64\/app is ELF 64-bit LSB x86-64, static, which does not run on linux\/arm64; nothing was written or pushed\n/);
    assert.equal(r.stdout, '');
    assert.deepEqual(await catalog(), before);
    assert.equal(await tags('wrong/app'), undefined);
    assert.deepEqual(env.proxy.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD'), [], 'nothing but reads of the base');
    assert.ok(parsePlatform('linux/arm64'));
  });

  it('a variant verify refuses (a dynamic binary whose loader scratch lacks): exit 1, verify\'s verdict shown, nothing tagged or written', async () => {
    const dir = await work(1_600_000_000);
    await writeFile(path.join(dir, 'hello'), gccHelloAmd64(), { mode: 0o755 });
    const r = await anyarch(['--add', 'linux/amd64=hello:/usr/bin/hello', '--entrypoint', '/usr/bin/hello', '-t', `${env.proxy.host}/refused/app:1`, '--output', 'oci:out'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /not tagged: a variant was refused by verify/);
    assert.match(r.stdout, /AA203/);
    assert.match(r.stderr, /nothing was tagged or written/);
    assert.deepEqual((await tags('refused/app')) ?? [], [], 'no tag (the manifests are there by digest)');
    await assert.rejects(readFile(path.join(dir, 'out', 'index.json')), { code: 'ENOENT' });
  });

  it('takes its base from a docker-archive (one image) or an oci-archive, as every source specifier', async () => {
    const dir = await work(1_600_000_000);
    const img = buildTestImage([
      { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
      { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
    ]);
    await writeDockerArchive(path.join(dir, 'base.tar'), img, 1, ['base:1']);
    const one = await anyarch(['--base', 'docker-archive:base.tar', '--add', 'dist/arm64/app:/usr/local/bin/app', '--entrypoint', '/usr/local/bin/app', '--output', 'oci:out', '--format', 'json'], dir);
    assert.equal(one.code, 0, one.stderr);
    const s1 = JSON.parse(one.stdout) as Summary;
    assert.deepEqual(s1.variants.map((v) => v.platform.architecture), ['arm64'], 'the platforms default to the base\'s');
    await writeOciArchive(path.join(dir, 'base-oci.tar'), img);
    const both = await anyarch(['--base', 'oci-archive:base-oci.tar', '--add', 'linux/amd64=dist/amd64/app:/app', '--add', 'linux/arm64=dist/arm64/app:/app', '--entrypoint', '/app', '--output', 'oci-archive:app.tar', '--format', 'json'], dir);
    assert.equal(both.code, 0, both.stderr);
    assert.deepEqual((JSON.parse(both.stdout) as Summary).variants.map((v) => v.platform.architecture), ['amd64', 'arm64']);
    // a platform-less binary goes to every platform: refused for the one it does not fit
    const wrong = await anyarch(['--base', 'oci-archive:base-oci.tar', '--add', 'dist/arm64/app:/usr/local/bin/app', '--output', 'oci:bad'], dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /dist\/arm64\/app is ELF 64-bit LSB aarch64, static, which does not run on linux\/amd64/);
  });
});
