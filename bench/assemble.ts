/**
 * The `assemble` benchmark (issue 10, "Speed"): `anyarch assemble` of a 3-platform image
 * (linux/amd64, linux/arm64, linux/arm/v7) onto a ~100 MiB-per-platform base, against the engine
 * path on the same inputs; then a re-assemble with only the app changed, counting bytes sent.
 *
 * Setup (untimed): the real registry (docker-registry) on 127.0.0.1; the base generated here
 * (per platform one layer of generated files: incompressible bytes, text, and the platform's real
 * Go binary, about 2:1 under gzip), written with anyarch's own layer writer and pushed as
 * `bench/base:1` (an OCI index of the three); the app: the Go hello program cross-compiled per
 * platform (test/support/real-binaries.ts), changed before every run (a few bytes appended) so
 * that no run is a cache hit; Debian's dockerd (test/support/dockerd.ts, overlay2 when the kernel
 * allows, else vfs) driven by Debian's docker 20.10 client, and one untimed engine round first
 * (it pulls the base into the engine's cache, as a CI runner that built before would have it);
 * likewise one untimed assemble first, with anyarch's cache of layer scans on, in a directory of
 * this run (ANYARCH_CACHE_DIR): verify then scans the base's layers once, as a machine that
 * assembled before would have them. Both first rounds are reported.
 *
 * Measured, run by run (each run pushes to a fresh repository; median and min):
 *   assemble            `node bin/anyarch.js assemble --base REG/bench/base:1 --add P=app:/usr/local/bin/app x3
 *                        --entrypoint ... -t REG/bench/asm-N:1`: push by digest (base layers mounted), verify
 *                        every variant (reads the base layers too), annotated index, tag
 *   assemble-noverify   the same with --no-verify
 *   engine              per platform `DOCKER_BUILDKIT=1 docker build --platform P -t REG/bench/eng-N:ARCH`
 *                        (Dockerfile: FROM base, COPY the platform's app, ENTRYPOINT) then `docker push`,
 *                        then `docker manifest create` + `docker manifest push` (the index): what a
 *                        pipeline without buildx does; no verification
 * Re-assemble: assemble to REG2/acme/app:1 (a second registry, without the base: everything is
 * uploaded), change every platform's app, assemble to REG2/acme/app:2; bytes sent (the client's
 * count: blobs uploaded + manifests put, `stats.bytesUploaded`) against the new app layers'
 * compressed sizes (read from the registry).
 *
 * Targets: engine median / assemble median ≥ 5; re-assemble bytes ≤ 1.1 × the app layers.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startDockerd, type TestDockerd } from '../test/support/dockerd.js';
import { goBinary } from '../test/support/real-binaries.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { BlobStore } from '../src/build/blob-store.js';
import { composeIndex } from '../src/build/compose.js';
import { writeImage } from '../src/build/image-writer.js';
import { writeLayer, type LayerEntry } from '../src/build/layer.js';
import { parsePlatform } from '../src/platform/index.js';
import { RegistryClient } from '../src/registry/client.js';
import { pushImage } from '../src/registry/push.js';
import { runNodeAsync, type ProcRun } from './platforms.js';

export interface AssembleLayout {
  readonly cli: string;
  readonly preload: string;
}

export interface AssembleBenchOptions {
  readonly runs: number;
  /** uncompressed MiB of each platform's base layer (default 100) */
  readonly baseMiB: number;
  readonly work: string;
  readonly layout: AssembleLayout;
  readonly log: (s: string) => void;
}

export const ASSEMBLE_TARGETS = { speedup: 5, resendRatio: 1.1 } as const;

const PLATFORMS = [
  { spec: 'linux/amd64', dir: 'amd64', go: 'linux/amd64' },
  { spec: 'linux/arm64', dir: 'arm64', go: 'linux/arm64' },
  { spec: 'linux/arm/v7', dir: 'armv7', go: 'linux/arm/v7' },
] as const;

const DOCKER = '/usr/bin/docker';

/** One platform's base layer: ~`mib` MiB of generated files (half incompressible, half text), the platform's Go binary at /usr/bin/tool. */
function baseEntries(mib: number, arch: string, go: Uint8Array): LayerEntry[] {
  const entries: LayerEntry[] = [{ path: '/usr/bin/tool', kind: 'file', bytes: go, mode: 0o755 }];
  const fileBytes = 2 * 1024 * 1024;
  const files = Math.max(1, Math.round((mib * 1024 * 1024) / fileBytes));
  for (let i = 0; i < files; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) bytes = randomBytes(fileBytes);
    else {
      const line = `${arch} generated text ${i}: lorem ipsum dolor sit amet, consectetur adipiscing elit ${i * 7919}\n`;
      bytes = Buffer.from(line.repeat(Math.ceil(fileBytes / line.length)).slice(0, fileBytes));
    }
    entries.push({ path: `/usr/share/bench/${arch}/d${i % 8}/f${i}`, kind: 'file', bytes });
  }
  entries.push({ path: '/etc/os-release', kind: 'file', bytes: Buffer.from(`NAME="anyarch bench base"\nID=bench\n`) });
  return entries;
}

async function pushBase(reg: TestRegistry, mib: number, log: (s: string) => void): Promise<{ compressed: number }> {
  const store = await BlobStore.create({ name: 'bench-base' });
  try {
    const entries = [];
    let compressed = 0;
    for (const p of PLATFORMS) {
      const platform = parsePlatform(p.spec);
      const layer = await writeLayer(baseEntries(mib, p.dir, goBinary(p.go)), store, { level: 6 });
      compressed += layer.descriptor.size;
      const image = await writeImage(store, { platform, layers: [{ ...layer, createdBy: 'bench base' }], config: { env: ['PATH=/usr/local/bin:/usr/bin:/bin'] } });
      entries.push({ platform, image });
      log(`base ${p.spec}: ${(layer.uncompressedSize / 2 ** 20).toFixed(0)} MiB, ${(layer.descriptor.size / 2 ** 20).toFixed(1)} MiB gzip`);
    }
    const index = await composeIndex(store, entries);
    await pushImage(new RegistryClient(), { registry: reg.host, repository: 'bench/base' }, index, { tag: '1' });
    return { compressed };
  } finally {
    await store.close();
  }
}

/** Writes the app of every platform (the Go program plus `stamp`, so every run's app differs) and the Dockerfile. */
function writeApp(ctx: string, stamp: string): void {
  for (const p of PLATFORMS) {
    const dir = path.join(ctx, 'dist', p.dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'app'), Buffer.concat([Buffer.from(goBinary(p.go)), Buffer.from(`\nstamp ${stamp}\n`)]), { mode: 0o755 });
  }
}

function dockerfile(base: string): string {
  return `FROM ${base}\nARG TARGETARCH\nARG TARGETVARIANT\nCOPY dist/\${TARGETARCH}\${TARGETVARIANT}/app /usr/local/bin/app\nENTRYPOINT ["/usr/local/bin/app"]\n`;
}

interface CmdRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CmdRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

async function ok(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const r = await run(cmd, args, env, cwd);
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`);
  return r.stdout;
}

/** The engine path, timed as a whole: docker build + push per platform, then the index. */
async function enginePath(registry: string, repo: string, ctx: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const refs: string[] = [];
  for (const p of PLATFORMS) {
    const ref = `${registry}/${repo}:${p.dir}`;
    await ok(DOCKER, ['build', '--platform', p.spec, '-t', ref, '.'], env, ctx);
    await ok(DOCKER, ['push', ref], env, ctx);
    refs.push(ref);
  }
  const list = `${registry}/${repo}:1`;
  await ok(DOCKER, ['manifest', 'create', '--insecure', list, ...refs], env, ctx);
  await ok(DOCKER, ['manifest', 'push', '--insecure', list], env, ctx);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface AssembleSummary {
  index: string;
  passed: boolean;
  stats?: { exists: number; mounted: number; uploaded: number; manifests: number; bytesUploaded: number };
}

function assembleArgs(cli: string, ctx: string, registry: string, ref: string, verify: boolean): string[] {
  const adds = PLATFORMS.flatMap((p) => ['--add', `${p.spec}=${path.join(ctx, 'dist', p.dir, 'app')}:/usr/local/bin/app`]);
  return [cli, 'assemble', '--base', `${registry}/bench/base:1`, ...adds, '--entrypoint', '["/usr/local/bin/app"]', '-t', ref, '--format', 'json', ...(verify ? [] : ['--no-verify'])];
}

async function assemblePath(opts: AssembleBenchOptions, ctx: string, registry: string, ref: string, verify: boolean, tag: string): Promise<{ run: ProcRun; summary: AssembleSummary }> {
  // the cache of layer scans on, in this run's own directory (never the user's)
  const env: NodeJS.ProcessEnv = { ...process.env, ANYARCH_CACHE_DIR: path.join(opts.work, 'anyarch-cache') };
  delete env['SOURCE_DATE_EPOCH'];
  delete env['ANYARCH_NO_SCAN_CACHE'];
  const r = await runNodeAsync(assembleArgs(opts.layout.cli, ctx, registry, ref, verify), env, opts.layout.preload, path.join(opts.work, `asm-${tag}.rss`), 600_000);
  if (r.status !== 0) throw new Error(`anyarch assemble failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { run: r, summary: JSON.parse(r.stdout) as AssembleSummary };
}

/** Compressed sizes of each platform's last layer (the app) of `repo:tag`, read from the registry. */
async function appLayerBytes(reg: TestRegistry, repo: string, tag: string): Promise<number> {
  const get = async (ref: string, accept: string): Promise<{ manifests?: { digest: string }[]; layers?: { size: number }[] }> => {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { headers: { accept } });
    if (!res.ok) throw new Error(`GET ${repo}/manifests/${ref}: ${res.status}`);
    return (await res.json()) as { manifests?: { digest: string }[]; layers?: { size: number }[] };
  };
  const index = await get(tag, 'application/vnd.oci.image.index.v1+json');
  let sum = 0;
  for (const m of index.manifests ?? []) {
    const manifest = await get(m.digest, 'application/vnd.oci.image.manifest.v1+json');
    sum += manifest.layers?.[manifest.layers.length - 1]?.size ?? 0;
  }
  return sum;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function runAssembleBenchmark(opts: AssembleBenchOptions): Promise<{ lines: string[]; summary: Record<string, unknown> }> {
  let reg: TestRegistry | undefined;
  let reg2: TestRegistry | undefined;
  let dockerd: TestDockerd | undefined;
  try {
    const ctx = path.join(opts.work, 'assemble-ctx');
    mkdirSync(ctx, { recursive: true });
    reg = await startRegistry();
    const registry = reg.host;
    const { compressed } = await pushBase(reg, opts.baseMiB, opts.log);
    writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile(`${registry}/bench/base:1`));

    let driver = 'overlay2';
    try {
      dockerd = await startDockerd({ storageDriver: 'overlay2' });
    } catch (e) {
      opts.log(`dockerd with overlay2 failed (${(e as Error).message.split('\n')[0]}); using vfs`);
      driver = 'vfs';
      dockerd = await startDockerd();
    }
    const dockerConfig = path.join(opts.work, 'docker-config');
    mkdirSync(dockerConfig, { recursive: true });
    const denv: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: dockerd.host, DOCKER_BUILDKIT: '1', DOCKER_CONFIG: dockerConfig, DOCKER_CLI_EXPERIMENTAL: 'enabled' };
    const engineVersion = (await ok(DOCKER, ['version', '--format', '{{.Server.Version}}'], denv, ctx)).trim();

    // untimed: the engine's cache gets the base (a runner that built before has it)
    writeApp(ctx, 'warm');
    const cold = await enginePath(registry, 'bench/eng-warm', ctx, denv);
    opts.log(`engine, first round (pulls the base): ${(cold / 1000).toFixed(1)} s`);
    // untimed: anyarch's cache gets the scans of the base's layers (a machine that assembled before has them)
    const asmCold = (await assemblePath(opts, ctx, registry, `${registry}/bench/asm-warm:1`, true, 'warm')).run.ms;
    opts.log(`assemble, first round (scans the base's layers): ${(asmCold / 1000).toFixed(1)} s`);

    const engine: number[] = [];
    const asm: number[] = [];
    const asmNoVerify: number[] = [];
    const rss: number[] = [];
    let firstStats: AssembleSummary['stats'];
    for (let i = 1; i <= opts.runs; i++) {
      writeApp(ctx, `run-${i}`);
      engine.push(await enginePath(registry, `bench/eng-${i}`, ctx, denv));
      const a = await assemblePath(opts, ctx, registry, `${registry}/bench/asm-${i}:1`, true, `v${i}`);
      asm.push(a.run.ms);
      rss.push(a.run.rssMiB);
      firstStats ??= a.summary.stats;
      const b = await assemblePath(opts, ctx, registry, `${registry}/bench/asmnv-${i}:1`, false, `nv${i}`);
      asmNoVerify.push(b.run.ms);
      opts.log(`run ${i}: engine ${(engine[i - 1]! / 1000).toFixed(2)} s, assemble ${(a.run.ms / 1000).toFixed(2)} s, --no-verify ${(b.run.ms / 1000).toFixed(2)} s`);
    }

    // re-assemble with only the app changed, to the same repository of a second registry (the
    // base is not there: the first run uploads it, as a push to your own registry from a public base does)
    reg2 = await startRegistry();
    writeApp(ctx, 're-1');
    const first = await assemblePath(opts, ctx, registry, `${reg2.host}/acme/app:1`, true, 're1');
    writeApp(ctx, 're-2');
    const second = await assemblePath(opts, ctx, registry, `${reg2.host}/acme/app:2`, true, 're2');
    const appBytes = await appLayerBytes(reg2, 'acme/app', '2');
    const sent1 = first.summary.stats?.bytesUploaded ?? NaN;
    const sent2 = second.summary.stats?.bytesUploaded ?? NaN;
    const resendRatio = sent2 / appBytes;

    const speedup = median(engine) / median(asm);
    const speedupNoVerify = median(engine) / median(asmNoVerify);
    const s = (ms: number): string => (ms / 1000).toFixed(2);
    const mib = (b: number): string => (b / 2 ** 20).toFixed(2);
    const lines = [
      '## anyarch assemble benchmark',
      '',
      `3 platforms (linux/amd64, linux/arm64, linux/arm/v7), base ${opts.baseMiB} MiB per platform (${mib(compressed)} MiB gzip in all), app: a Go program (~2 MiB) per platform; ${opts.runs} runs, each to a fresh repository with the app changed; dockerd ${engineVersion} (${driver}), docker client 20.10.`,
      '',
      '| path | median s | min s |',
      '| --- | ---: | ---: |',
      `| engine: docker build + docker push per platform, docker manifest create + push | ${s(median(engine))} | ${s(Math.min(...engine))} |`,
      `| anyarch assemble (push by digest, verify, tag) | ${s(median(asm))} | ${s(Math.min(...asm))} |`,
      `| anyarch assemble --no-verify | ${s(median(asmNoVerify))} | ${s(Math.min(...asmNoVerify))} |`,
      '',
      `Speed-up (engine / assemble, medians): **${speedup.toFixed(1)}x** with verify, ${speedupNoVerify.toFixed(1)}x without (target ≥ ${ASSEMBLE_TARGETS.speedup}x): ${speedup >= ASSEMBLE_TARGETS.speedup ? 'PASS' : 'FAIL'}. Engine's first round (pulling the base): ${s(cold)} s; assemble's first round (verify scanning the base's layers into its cache): ${s(asmCold)} s. assemble peak RSS ${Math.max(...rss).toFixed(0)} MiB.`,
      `First assemble to a new repository: ${firstStats?.mounted ?? '?'} blobs mounted from bench/base, ${firstStats?.uploaded ?? '?'} uploaded, ${mib(firstStats?.bytesUploaded ?? NaN)} MiB sent.`,
      '',
      `Re-assemble with only the app changed, to a second registry (the base is not there): the first run sent ${mib(sent1)} MiB (${first.summary.stats?.uploaded} blobs, the base's layers included), the second ${(sent2 / 1024).toFixed(1)} KiB (${second.summary.stats?.uploaded} blobs uploaded, ${second.summary.stats?.exists} already there); the new app layers are ${(appBytes / 1024).toFixed(1)} KiB compressed: **${resendRatio.toFixed(3)}x** (target ≤ ${ASSEMBLE_TARGETS.resendRatio}x): ${resendRatio <= ASSEMBLE_TARGETS.resendRatio ? 'PASS' : 'FAIL'}.`,
    ];
    const summary = {
      bench: 'anyarch-assemble',
      node: process.version,
      baseMiB: opts.baseMiB,
      runs: opts.runs,
      storageDriver: driver,
      engineMs: { median: median(engine), min: Math.min(...engine), first: cold },
      assembleMs: { median: median(asm), min: Math.min(...asm), first: asmCold },
      assembleNoVerifyMs: { median: median(asmNoVerify), min: Math.min(...asmNoVerify) },
      speedup: +speedup.toFixed(2),
      speedupNoVerify: +speedupNoVerify.toFixed(2),
      assembleRssMiB: Math.max(...rss),
      reassemble: { firstBytes: sent1, secondBytes: sent2, appLayerBytes: appBytes, ratio: +resendRatio.toFixed(4) },
      pass: speedup >= ASSEMBLE_TARGETS.speedup && resendRatio <= ASSEMBLE_TARGETS.resendRatio,
    };
    return { lines, summary };
  } finally {
    await dockerd?.stop();
    await reg2?.stop();
    await reg?.stop();
  }
}
