/**
 * The `platforms` benchmark: resolving the platforms and configs of 20 multi-platform images in a
 * local registry with anyarch, against skopeo doing the same work as a shell script would.
 *
 * Setup (untimed): the real registry (docker-registry, test/support/registry.ts) on 127.0.0.1,
 * 20 generated images (2 to 5 platforms each; OCI indexes with BuildKit-style attestations, plain
 * OCI indexes and Docker manifest lists) pushed with skopeo, digests preserved.
 *
 * Measured, interleaved run by run (median and min):
 *   cli          `node bin/anyarch.js platforms --format json <20 refs>`: one process, every
 *                image's index, every platform's manifest and config
 *   cli-index    the same with `--index-only` (the index of each image, nothing else)
 *   lib          `inspectPlatforms(registrySource(client, ref))` for the 20 images in a warm
 *                child process (platforms-lib-child.ts), fresh RegistryClient and connections
 *                per pass
 *   skopeo       baseline: per image `skopeo inspect --raw` (the index), then per platform
 *                `skopeo --override-os/--override-arch[/--override-variant] inspect --config
 *                --raw` (its config), one process after the other, as a script would
 *   skopeo-raw   the issue's literal baseline: 20 `skopeo inspect --raw` calls (indexes only)
 *
 * Before timing, anyarch's answers (CLI and library) are compared with skopeo's and with the
 * generated images (root digests, per-platform manifest digests, config os/architecture/variant,
 * attestation counts). After timing, one more pass of each runs through a counting proxy
 * (test/support/fault-proxy.ts without faults) to count the HTTP requests each makes.
 *
 * The registry is stopped at the end, also when something fails. See docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { skopeoCopyDirToRegistry, writeDirTransport } from '../test/support/dir-transport.js';
import { startFaultProxy, type FaultProxy } from '../test/support/fault-proxy.js';
import { buildTestImage, busyboxLikeFiles, writeOciLayout, type BuiltImage, type TestPlatformImage } from '../test/support/images.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { runSkopeo, skopeoCopyToRegistry } from '../test/support/skopeo.js';

export interface PlatformsLayout {
  /** dist/bench of the measured build (the lib child lives there) */
  readonly bench: string;
  /** bin/anyarch.js of the measured build */
  readonly cli: string;
  /** dist/bench/rss-preload.js */
  readonly preload: string;
}

export interface PlatformsBenchOptions {
  readonly runs: number;
  /** how many images (default 20) */
  readonly images: number;
  /** a scratch directory (removed by the caller) */
  readonly work: string;
  readonly layout: PlatformsLayout;
  readonly log: (s: string) => void;
}

export interface PlatformsBenchResult {
  /** Markdown lines */
  readonly lines: string[];
  /** the JSON summary (without timing of the whole benchmark; the caller adds it) */
  readonly summary: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// The images

type ImageKind = 'oci+attestations' | 'docker' | 'oci';

interface BenchImage {
  readonly repo: string;
  readonly kind: ImageKind;
  readonly built: BuiltImage;
  readonly platforms: readonly TestPlatformImage['platform'][];
}

const POOL: readonly TestPlatformImage['platform'][] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'ppc64le' },
  { os: 'linux', architecture: 's390x' },
  { os: 'linux', architecture: 'riscv64' },
  { os: 'linux', architecture: '386' },
];
const KINDS: readonly ImageKind[] = ['oci+attestations', 'docker', 'oci', 'docker'];
const TAG = 'v1';

/**
 * Image i: kind KINDS[i % 4]; 2 to 5 platforms (the count shifts every four images, so every kind
 * gets every count); platforms taken from POOL starting at i. A file naming the image goes into
 * each layer, so no two images share a digest. 20 images: 70 platforms; 5 OCI indexes with 16
 * attestations, 5 plain OCI indexes, 10 Docker manifest lists.
 */
function benchImages(n: number): BenchImage[] {
  return Array.from({ length: n }, (_, i) => {
    const count = 2 + ((Math.floor(i / 4) + i) % 4);
    const platforms = Array.from({ length: count }, (_, k) => POOL[(i + k) % POOL.length] as TestPlatformImage['platform']);
    const kind = KINDS[i % KINDS.length] as ImageKind;
    const built = buildTestImage(
      platforms.map((p) => ({ platform: p, files: { ...busyboxLikeFiles(p.architecture), 'etc/anyarch-bench': `image ${i}\n` } })),
      { format: kind === 'docker' ? 'docker' : 'oci', attestations: kind === 'oci+attestations' },
    );
    return { repo: `bench/img-${String(i).padStart(2, '0')}`, kind, built, platforms };
  });
}

/** Pushes with skopeo, a few at a time (OCI layouts through `oci:`, Docker lists through `dir:`). */
async function pushAll(reg: TestRegistry, images: readonly BenchImage[], dir: string): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const im = images[i];
      if (!im) return;
      const d = path.join(dir, `img-${i}`);
      if (im.kind === 'docker') {
        // skopeo's oci: transport refuses Docker media types; its dir: transport takes them
        await writeDirTransport(d, im.built);
        await skopeoCopyDirToRegistry(d, reg, `${im.repo}:${TAG}`);
      } else {
        await writeOciLayout(d, im.built, TAG);
        await skopeoCopyToRegistry(d, TAG, reg, `${im.repo}:${TAG}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

// ---------------------------------------------------------------------------------------------
// What each side reports, in one shape for the agreement check

interface PlatformFact {
  platform: string;
  digest: string;
  config?: { os: string; architecture: string; variant?: string };
  error?: string;
}
interface ImageFacts {
  root: string;
  platforms: PlatformFact[];
  attestations: number;
  error?: string;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function configOf(c: { os?: unknown; architecture?: unknown; variant?: unknown } | undefined): PlatformFact['config'] {
  if (!c) return undefined;
  return { os: String(c.os), architecture: String(c.architecture), ...(c.variant ? { variant: String(c.variant) } : {}) };
}

function generatedFacts(im: BenchImage): ImageFacts {
  return {
    root: im.built.root.digest,
    platforms: im.built.manifests.map((m, k) => ({ platform: m.platform, digest: m.digest, config: configOf(im.platforms[k]) })),
    attestations: im.kind === 'oci+attestations' ? im.platforms.length : 0,
  };
}

interface CliJson {
  images?: {
    image: string;
    root?: { digest: string };
    platforms?: { platform: string; manifest: { digest: string }; config?: { os: string; architecture: string; variant?: string }; error?: { message: string } }[];
    attestations?: unknown[];
    error?: { message: string };
  }[];
}

function cliFacts(stdout: string): ImageFacts[] {
  const doc = JSON.parse(stdout) as CliJson;
  return (doc.images ?? []).map((im) => ({
    root: im.root?.digest ?? '',
    platforms: (im.platforms ?? []).map((p) => ({
      platform: p.platform,
      digest: p.manifest.digest,
      ...(p.config ? { config: configOf(p.config) } : {}),
      ...(p.error ? { error: p.error.message } : {}),
    })),
    attestations: im.attestations?.length ?? 0,
    ...(im.error ? { error: im.error.message } : {}),
  }));
}

/** Lists differences between `actual` and `expected` (empty: they agree). */
function compareFacts(what: string, actual: readonly ImageFacts[], expected: readonly ImageFacts[], repos: readonly string[], opts: { configs: boolean }): string[] {
  const diffs: string[] = [];
  if (actual.length !== expected.length) diffs.push(`${what}: ${actual.length} images, expected ${expected.length}`);
  expected.forEach((e, i) => {
    const a = actual[i];
    const name = `${what}: ${repos[i]}`;
    if (!a) return;
    if (a.error) diffs.push(`${name}: ${a.error}`);
    if (a.root !== e.root) diffs.push(`${name}: root ${a.root} != ${e.root}`);
    if (a.attestations !== e.attestations) diffs.push(`${name}: ${a.attestations} attestations != ${e.attestations}`);
    const ap = a.platforms.map((p) => `${p.platform}@${p.digest}`).join(' ');
    const ep = e.platforms.map((p) => `${p.platform}@${p.digest}`).join(' ');
    if (ap !== ep) diffs.push(`${name}: platforms [${ap}] != [${ep}]`);
    if (!opts.configs) return;
    e.platforms.forEach((ep1, k) => {
      const ap1 = a.platforms[k];
      if (ap1?.error) diffs.push(`${name} ${ep1.platform}: ${ap1.error}`);
      if (JSON.stringify(ap1?.config) !== JSON.stringify(ep1.config)) diffs.push(`${name} ${ep1.platform}: config ${JSON.stringify(ap1?.config)} != ${JSON.stringify(ep1.config)}`);
    });
  });
  return diffs;
}

// ---------------------------------------------------------------------------------------------
// The skopeo baselines

const isAttestation = (p: { os?: string; architecture?: string } | undefined): boolean => p?.os === 'unknown' && p.architecture === 'unknown';

/**
 * What a script calling skopeo does to learn every platform and its config: the index
 * (`inspect --raw`), then each platform's config (`inspect --config --raw` with the platform
 * overrides; skopeo reads the index again, picks the manifest, then the config). Sequential.
 * With `configs` false: only the `inspect --raw` calls (the issue's "20 skopeo inspect calls").
 */
async function skopeoScript(host: string, repos: readonly string[], configs: boolean): Promise<ImageFacts[]> {
  const out: ImageFacts[] = [];
  for (const repo of repos) {
    const ref = `docker://${host}/${repo}:${TAG}`;
    const raw = (await runSkopeo(['inspect', '--raw', '--tls-verify=false', ref])).stdout;
    const doc = JSON.parse(raw.toString('utf8')) as { manifests?: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[] };
    const facts: ImageFacts = { root: sha256(raw), platforms: [], attestations: 0 };
    if (Array.isArray(doc.manifests)) {
      for (const m of doc.manifests) {
        const p = m.platform;
        if (!p || isAttestation(p)) {
          facts.attestations++;
          continue;
        }
        const fact: PlatformFact = { platform: `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`, digest: m.digest };
        if (configs) {
          const overrides = ['--override-os', p.os, '--override-arch', p.architecture, ...(p.variant ? ['--override-variant', p.variant] : [])];
          const cfg = (await runSkopeo([...overrides, 'inspect', '--config', '--raw', '--tls-verify=false', ref])).stdout;
          fact.config = configOf(JSON.parse(cfg.toString('utf8')) as Record<string, unknown>);
        }
        facts.platforms.push(fact);
      }
    } else if (configs) {
      // a single manifest: its config names the platform
      const cfg = configOf(JSON.parse((await runSkopeo(['inspect', '--config', '--raw', '--tls-verify=false', ref])).stdout.toString('utf8')) as Record<string, unknown>);
      facts.platforms.push({ platform: `${cfg?.os}/${cfg?.architecture}${cfg?.variant ? `/${cfg.variant}` : ''}`, digest: facts.root, ...(cfg ? { config: cfg } : {}) });
    }
    out.push(facts);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface ProcRun {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
  rssMiB: number;
}

function fileUrl(p: string): string {
  return new URL(`file://${path.resolve(p)}`).href;
}

/**
 * Runs node with the RSS preload; asynchronous, so the counting proxy (in this process) keeps
 * serving. A run longer than `timeoutMs` (when given) is killed. Also verify.ts's runner.
 */
export function runNodeAsync(args: readonly string[], env: NodeJS.ProcessEnv, preload: string, rssFile: string, timeoutMs?: number): Promise<ProcRun> {
  rmSync(rssFile, { force: true });
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', fileUrl(preload), ...args], { env: { ...env, ANYARCH_BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssMiB = NaN;
      try {
        rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        // died before its exit handler
      }
      resolve({ ms, status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), rssMiB });
    });
  });
}

/** The long-lived library child: one command per line on stdin, one JSON answer per line on stdout. */
class LibChild {
  private readonly waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private stderr = '';
  private exited: Promise<number | null>;
  private readonly child;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv, preload: string, private readonly rssFile: string) {
    rmSync(rssFile, { force: true });
    this.child = spawn(process.execPath, ['--import', fileUrl(preload), ...args], { env: { ...env, ANYARCH_BENCH_RSS_FILE: rssFile }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(line));
    this.exited = new Promise((resolve) => {
      this.child.once('close', (status) => {
        for (const w of this.waiting.splice(0)) w.reject(new Error(`library child exited (${status}): ${this.stderr.trim().split('\n').slice(-3).join(' / ')}`));
        resolve(status);
      });
      this.child.once('error', (e) => {
        for (const w of this.waiting.splice(0)) w.reject(e);
        resolve(null);
      });
    });
  }

  async ask<T>(cmd: string): Promise<T> {
    const line = new Promise<string>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.child.stdin.write(`${cmd}\n`);
    const v = JSON.parse(await line) as T & { error?: string };
    if (v.error) throw new Error(`library child: ${v.error}`);
    return v;
  }

  /** Ends its stdin; its peak RSS (MiB) once it has exited. */
  async close(): Promise<number> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
    try {
      return Number(readFileSync(this.rssFile, 'utf8')) / 1024;
    } catch {
      return NaN;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
const min = (xs: readonly number[]): number => Math.min(...xs);
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

interface Row {
  id: 'cli' | 'cli-index' | 'lib' | 'skopeo' | 'skopeo-raw';
  label: string;
  timesMs: number[];
  rssMiB: number[];
  requests?: Record<string, number>;
  /** the output disagreed with skopeo's: the time is not comparable */
  invalid?: string;
}

function countRequests(log: readonly { method: string; path: string }[]): Record<string, number> {
  const c: Record<string, number> = { total: 0, ping: 0, manifest: 0, blob: 0, other: 0 };
  for (const e of log) {
    const p = e.path.split('?')[0] ?? e.path;
    const kind = p === '/v2/' || p === '/v2' ? 'ping' : p.includes('/manifests/') ? 'manifest' : p.includes('/blobs/') ? 'blob' : 'other';
    c[kind] = (c[kind] ?? 0) + 1;
    c.total = (c.total ?? 0) + 1;
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// The benchmark

export async function runPlatformsBenchmark(o: PlatformsBenchOptions): Promise<PlatformsBenchResult> {
  const { log, layout } = o;
  const work = path.join(o.work, 'platforms');
  mkdirSync(work, { recursive: true });
  const dockerConfig = path.join(work, 'docker-config');
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(path.join(dockerConfig, 'config.json'), '{}\n');
  // anyarch reads credentials from DOCKER_CONFIG: an empty one, as skopeo gets (test/support/skopeo.ts)
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: dockerConfig, NO_COLOR: '1' };
  delete env.NODE_OPTIONS;

  const tSetup = process.hrtime.bigint();
  const images = benchImages(o.images);
  const repos = images.map((im) => im.repo);
  const platformCount = images.reduce((n, im) => n + im.platforms.length, 0);
  const attestationCount = images.reduce((n, im) => n + (im.kind === 'oci+attestations' ? im.platforms.length : 0), 0);
  const kinds = KINDS.filter((k, i) => KINDS.indexOf(k) === i).map((k) => `${images.filter((im) => im.kind === k).length} ${k}`).join(', ');

  let reg: TestRegistry | undefined;
  let proxy: FaultProxy | undefined;
  let lib: LibChild | undefined;
  try {
    const skopeoVer = (await runSkopeo(['--version'])).stdout.toString('utf8').trim().replace(/^skopeo version /, '');
    reg = await startRegistry();
    log(`platforms: registry at ${reg.url}`);
    await pushAll(reg, images, path.join(work, 'images'));
    const setupMs = Number(process.hrtime.bigint() - tSetup) / 1e6;
    log(`platforms: ${images.length} images (${platformCount} platforms, ${attestationCount} attestations; ${kinds}) pushed in ${fmt(setupMs)} ms`);

    const host = reg.host;
    const refsFor = (h: string): string[] => repos.map((r) => `${h}/${r}:${TAG}`);
    const refsFile = (h: string): string => {
      const f = path.join(work, `refs-${h.replace(/[^0-9a-z]/gi, '_')}.json`);
      writeFileSync(f, JSON.stringify(refsFor(h)));
      return f;
    };
    const cliArgs = (h: string, indexOnly: boolean): string[] => [layout.cli, 'platforms', '--format', 'json', ...(indexOnly ? ['--index-only'] : []), ...refsFor(h)];
    const libArgs = (h: string): string[] => [path.join(layout.bench, 'platforms-lib-child.js'), refsFile(h)];
    const rssFile = (tag: string): string => path.join(work, `${tag}.rss`);

    const rows: Row[] = [
      { id: 'cli', label: `anyarch CLI: \`platforms --format json\` (${images.length} refs, one process; index + manifest + config per platform)`, timesMs: [], rssMiB: [] },
      { id: 'cli-index', label: 'anyarch CLI: `platforms --format json --index-only` (indexes only)', timesMs: [], rssMiB: [] },
      { id: 'lib', label: 'anyarch library in-process: `inspectPlatforms` ×' + images.length + ' (warm process, fresh client and connections per run)', timesMs: [], rssMiB: [] },
      { id: 'skopeo', label: `skopeo script (baseline): ${images.length} × \`inspect --raw\` + ${platformCount} × \`inspect --config --raw --override-…\`, sequential`, timesMs: [], rssMiB: [] },
      { id: 'skopeo-raw', label: `${images.length} × \`skopeo inspect --raw\` (the issue's baseline: indexes only)`, timesMs: [], rssMiB: [] },
    ];
    const row = (id: Row['id']): Row => rows.find((r) => r.id === id) as Row;

    // --- untimed first runs, which are also the agreement check
    const expected = images.map(generatedFacts);
    const skopeoFacts = await skopeoScript(host, repos, true);
    const skopeoRawFacts = await skopeoScript(host, repos, false);
    const cliWarm = await runNodeAsync(cliArgs(host, false), env, layout.preload, rssFile('cli-warm'));
    const cliIndexWarm = await runNodeAsync(cliArgs(host, true), env, layout.preload, rssFile('cli-index-warm'));
    lib = new LibChild(libArgs(host), env, layout.preload, rssFile('lib'));
    const libFacts = (await lib.ask<{ images: ImageFacts[] }>('facts')).images;
    for (const [id, r] of [['cli', cliWarm], ['cli-index', cliIndexWarm]] as const) {
      if (r.status !== 0) log(`platforms: ${id} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    }
    const parse = (id: string, stdout: string): ImageFacts[] => {
      try {
        return cliFacts(stdout);
      } catch (e) {
        return [{ root: '', platforms: [], attestations: 0, error: `${id}: output is not JSON: ${(e as Error).message}` }];
      }
    };
    const checks: { id: Row['id'] | 'skopeo-vs-generated'; diffs: string[] }[] = [
      { id: 'skopeo-vs-generated', diffs: compareFacts('skopeo vs generated images', skopeoFacts, expected, repos, { configs: true }) },
      { id: 'cli', diffs: compareFacts('anyarch CLI vs skopeo', parse('cli', cliWarm.stdout), skopeoFacts, repos, { configs: true }) },
      { id: 'cli-index', diffs: compareFacts('anyarch CLI --index-only vs skopeo inspect --raw', parse('cli-index', cliIndexWarm.stdout), skopeoRawFacts, repos, { configs: false }) },
      { id: 'lib', diffs: compareFacts('anyarch library vs skopeo', libFacts, skopeoFacts, repos, { configs: true }) },
    ];
    for (const c of checks) {
      if (c.id !== 'skopeo-vs-generated' && c.diffs.length) row(c.id).invalid = `${c.diffs.length} differences from skopeo`;
    }
    const allDiffs = checks.flatMap((c) => c.diffs);
    const agree = allDiffs.length === 0;
    const verdict = agree
      ? `**AGREE**: anyarch (CLI, \`--index-only\` and library) and skopeo report the same ${images.length} root digests, ${platformCount} platform manifest digests, ${platformCount} config platforms (os/architecture/variant) and ${attestationCount} attestations, which are also the generated images'.`
      : `**DISAGREE**: ${allDiffs.length} differences, e.g. ${allDiffs.slice(0, 3).join('; ')}`;
    log(`platforms: agreement check: ${agree ? 'agree' : `${allDiffs.length} differences`}`);
    for (const d of allDiffs.slice(0, 10)) log(`  ${d}`);

    // --- timed runs, interleaved
    for (let i = 0; i < o.runs; i++) {
      for (const r of rows) {
        if (r.id === 'cli' || r.id === 'cli-index') {
          const p = await runNodeAsync(cliArgs(host, r.id === 'cli-index'), env, layout.preload, rssFile(r.id));
          r.timesMs.push(p.ms);
          r.rssMiB.push(p.rssMiB);
          if (p.status !== 0) r.invalid ??= `exit status ${p.status}`;
        } else if (r.id === 'lib') {
          const a = await lib.ask<{ ms: number; platforms: number; errors: number }>('run');
          r.timesMs.push(a.ms);
          if (a.errors || a.platforms !== platformCount) r.invalid ??= `${a.platforms} platforms, ${a.errors} errors`;
        } else {
          const t0 = process.hrtime.bigint();
          await skopeoScript(host, repos, r.id === 'skopeo');
          r.timesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }
      log(`platforms run ${i + 1}/${o.runs}: ${rows.map((r) => `${r.id} ${fmt(r.timesMs[i] ?? NaN)} ms`).join(', ')}`);
    }
    row('lib').rssMiB.push(await lib.close());
    lib = undefined;

    // --- one more pass of each through a counting proxy (untimed): HTTP requests made
    proxy = await startFaultProxy(reg.url);
    for (const r of rows) {
      const before = proxy.log.length;
      if (r.id === 'cli' || r.id === 'cli-index') await runNodeAsync(cliArgs(proxy.host, r.id === 'cli-index'), env, layout.preload, rssFile('count'));
      else if (r.id === 'lib') {
        const c = new LibChild(libArgs(proxy.host), env, layout.preload, rssFile('count'));
        try {
          await c.ask('run');
        } finally {
          await c.close();
        }
      } else await skopeoScript(proxy.host, repos, r.id === 'skopeo');
      r.requests = countRequests(proxy.log.slice(before));
    }
    log(`platforms: requests: ${rows.map((r) => `${r.id} ${r.requests?.total}`).join(', ')}`);

    // --- report
    const med = (id: Row['id']): number => median(row(id).timesMs);
    const ratios: Partial<Record<Row['id'], { script?: number; raw?: number }>> = {
      cli: { script: med('cli') / med('skopeo'), raw: med('cli') / med('skopeo-raw') },
      'cli-index': { raw: med('cli-index') / med('skopeo-raw') },
      lib: { script: med('lib') / med('skopeo') },
    };
    const ratioCell = (n: number | undefined, bold: boolean): string => (n !== undefined && Number.isFinite(n) ? (bold ? `**${n.toFixed(2)}×**` : `${n.toFixed(2)}×`) : '');
    const reqCell = (q: Record<string, number> | undefined): string =>
      q ? `${q.total} (${q.ping} ping, ${q.manifest} manifest, ${q.blob} blob${q.other ? `, ${q.other} other` : ''})` : '';

    const lines: string[] = [];
    lines.push('## anyarch platforms benchmark');
    lines.push('');
    lines.push(
      `${images.length} images in docker-registry on 127.0.0.1 (${kinds}): ${platformCount} platforms, ${attestationCount} attestations, ` +
        `pushed with skopeo ${skopeoVer}. Setup ${fmt(setupMs / 1000, 1)} s, ${o.runs} runs, interleaved.`,
    );
    lines.push('');
    lines.push(`Agreement check: ${verdict}`);
    lines.push('');
    lines.push(`| Measurement | median ms | min ms | images/s | HTTP requests | peak RSS MiB | anyarch / skopeo script | anyarch / ${images.length} × \`inspect --raw\` |`);
    lines.push('|---|---:|---:|---:|---|---:|---:|---:|');
    for (const r of rows) {
      const md = median(r.timesMs);
      const rt = ratios[r.id];
      lines.push(
        `| ${r.label}${r.invalid ? ` (INVALID: ${r.invalid})` : ''} | ${fmt(md, 1)} | ${fmt(min(r.timesMs), 1)} | ${fmt(images.length / (md / 1000), 1)} | ${reqCell(r.requests)} | ${fmt(median(r.rssMiB.filter(Number.isFinite)), 1)} | ${ratioCell(rt?.script, r.id === 'cli')} | ${ratioCell(rt?.raw, r.id === 'cli')} |`,
      );
    }
    lines.push('');
    lines.push(
      'Ratios of medians (below 1: anyarch is faster). The CLI is compared with both baselines; `--index-only` with the indexes-only baseline (the same facts); ' +
        'the library (no process start, warm JIT) with the skopeo script. Requests: one untimed pass of each through a counting proxy. ' +
        'Peak RSS: per anyarch process (none measured for skopeo, a Go binary).',
    );

    const summary: Record<string, unknown> = {
      bench: 'anyarch-platforms',
      node: process.version,
      skopeo: skopeoVer,
      images: images.length,
      platforms: platformCount,
      attestations: attestationCount,
      kinds: Object.fromEntries(KINDS.filter((k, i) => KINDS.indexOf(k) === i).map((k) => [k, images.filter((im) => im.kind === k).length])),
      runs: o.runs,
      setupMs: Math.round(setupMs),
      agree,
      ...(agree ? {} : { differences: allDiffs.slice(0, 20) }),
      measurements: rows.map((r) => ({
        id: r.id,
        medianMs: +med(r.id).toFixed(2),
        minMs: +min(r.timesMs).toFixed(2),
        imagesPerSec: +(images.length / (med(r.id) / 1000)).toFixed(1),
        ...(r.requests ? { requests: r.requests } : {}),
        ...(r.rssMiB.some(Number.isFinite) ? { peakRssMiB: +median(r.rssMiB.filter(Number.isFinite)).toFixed(1) } : {}),
        ...(ratios[r.id]?.script !== undefined ? { ratioVsSkopeoScript: +(ratios[r.id]?.script as number).toFixed(3) } : {}),
        ...(ratios[r.id]?.raw !== undefined ? { ratioVsSkopeoRaw: +(ratios[r.id]?.raw as number).toFixed(3) } : {}),
        ...(r.invalid ? { invalid: r.invalid } : {}),
      })),
    };
    return { lines, summary };
  } finally {
    await lib?.close().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await reg?.stop();
  }
}
