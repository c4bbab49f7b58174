/**
 * The `deps` benchmark: `anyarch deps` on a generated package-lock.json of 2,000 packages (300 with
 * native code), against `npm install --dry-run --os linux --cpu arm64` on the same lockfile, both
 * asking the same loopback registry.
 *
 * Setup (untimed): a generated project (package.json + package-lock.json, lockfileVersion 3) and
 * a static npm registry on 127.0.0.1 serving every packument (`GET /<name>`, scoped names
 * `%2f`-escaped) and every tarball (real gzip'd tar files: prebuildify packages carry
 * `prebuilds/<os>-<arch>/*.node`, node-gyp packages a `binding.gyp`). The native packages:
 *   100 per-platform families (a parent with optionalDependencies on 5 members, each with
 *       os/cpu/libc, all in the lock as npm >= 7 writes them; no arm64 musl member for 1 in 10),
 *   100 prebuildify packages (node-gyp-build; linux-x64 and linux-arm64 prebuilds, 1 in 5 x64 only),
 *   100 node-gyp packages (an install script, nan, binding.gyp),
 * and 1,200 pure packages (400 of them a second copy nested under a native one).
 *
 * Measured, interleaved run by run (median and min of wall time, whole process):
 *   deps cold    `node bin/anyarch.js deps --platform linux/amd64,linux/arm64 --format json`
 *                with an empty cache directory: every request the analysis needs, concurrent
 *                within the registry client's per-host limit
 *   deps warm    the same with the cache the cold run filled (no request is sent)
 *   npm cold     `npm install --dry-run --os linux --cpu arm64 --registry <loopback>
 *                --ignore-scripts --no-audit --no-fund` with an empty npm cache
 *   npm warm     the same with the npm cache its cold run filled
 *   node -e 0    the floor of any Node process on this machine now (the machine's load shows here)
 * The registry counts the requests of each kind of run. Target: deps warm <= 0.3 s.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarHeader, tarPadding } from '../src/oci/write-archive.js';

export interface DepsBenchOptions {
  readonly runs: number;
  readonly work: string;
  readonly layout: { readonly cli: string };
  readonly log: (s: string) => void;
  /** packages in the lock (default 2000) */
  readonly packages?: number;
}

export interface GenPackage {
  readonly name: string;
  readonly version: string;
  /** where it sits in node_modules */
  readonly at: string;
  readonly manifest: Record<string, unknown>;
  readonly files: Readonly<Record<string, string>>;
  readonly lock: Record<string, unknown>;
}

export function tgz(files: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    parts.push(tarHeader({ name: `package/${name}`, kind: 'file', mode: 0o644, size: data.length, mtime: 499162500 }), data, tarPadding(data.length));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level: 6 });
}

const FAMILY_MEMBERS = [
  { suffix: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  { suffix: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { suffix: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  { suffix: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  { suffix: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
] as const;

/** The packages of the generated project; `registry` is the loopback registry's URL (with `/`). */
export function generateProject(registry: string, total = 2000): { packages: GenPackage[]; direct: string[] } {
  const out: GenPackage[] = [];
  const direct: string[] = [];
  const add = (name: string, version: string, at: string, manifest: Record<string, unknown>, files: Record<string, string>, lock: Record<string, unknown> = {}): void => {
    out.push({ name, version, at, manifest: { name, version, ...manifest }, files: { 'package.json': JSON.stringify({ name, version, ...manifest }), 'index.js': 'module.exports = 1;\n', ...files }, lock });
  };
  add('node-gyp-build', '4.8.4', 'node_modules/node-gyp-build', { bin: { 'node-gyp-build': 'bin.js' } }, {});
  add('nan', '2.22.0', 'node_modules/nan', {}, { 'nan.h': '// nan\n' });
  add('node-addon-api', '8.3.0', 'node_modules/node-addon-api', {}, { 'napi.h': '// napi\n' });
  for (let i = 0; i < 100; i++) {
    const parent = `fam-${i}`;
    const members = FAMILY_MEMBERS.filter((m) => !(i % 10 === 0 && m.suffix === 'linux-arm64-musl'));
    const optional = Object.fromEntries(members.map((m) => [`@fam/${parent}-${m.suffix}`, '1.0.0']));
    add(parent, '1.0.0', `node_modules/${parent}`, { optionalDependencies: optional }, {}, { optionalDependencies: optional });
    for (const m of members) {
      const fields = { os: [m.os], cpu: [m.cpu], ...('libc' in m ? { libc: [m.libc] } : {}) };
      add(`@fam/${parent}-${m.suffix}`, '1.0.0', `node_modules/@fam/${parent}-${m.suffix}`, fields, { [`${parent}.node`]: 'ELF' }, { optional: true, ...fields });
    }
    direct.push(parent);
  }
  for (let i = 0; i < 100; i++) {
    const name = `pb-${i}`;
    const prebuilds: Record<string, string> = { 'prebuilds/linux-x64/node.napi.glibc.node': 'ELF', 'prebuilds/linux-x64/node.napi.musl.node': 'ELF' };
    if (i % 5 !== 0) prebuilds['prebuilds/linux-arm64/node.napi.armv8.node'] = 'ELF';
    const deps = { 'node-gyp-build': '^4.8.0' };
    add(name, '2.0.0', `node_modules/${name}`, { dependencies: deps, scripts: { install: 'node-gyp-build' } }, prebuilds, { dependencies: deps, hasInstallScript: true });
    direct.push(name);
  }
  for (let i = 0; i < 100; i++) {
    const name = `gyp-${i}`;
    const deps = { nan: '^2.22.0' };
    add(name, '3.0.0', `node_modules/${name}`, { dependencies: deps, gypfile: true, scripts: { install: 'node-gyp rebuild' } }, { 'binding.gyp': "{ 'targets': [{ 'target_name': 'x', 'sources': ['x.cc'] }] }\n", 'x.cc': '// x\n' }, { dependencies: deps, hasInstallScript: true });
    direct.push(name);
  }
  const pure = total - out.length;
  const top = Math.ceil((pure * 2) / 3);
  for (let i = 0; i < top; i++) {
    add(`pure-${i}`, '1.0.0', `node_modules/pure-${i}`, {}, {});
    direct.push(`pure-${i}`);
  }
  // nested copies of another version under native packages
  for (let i = 0; out.length < total; i++) {
    const owner = `gyp-${i % 100}`;
    add(`pure-${i}`, '0.9.0', `node_modules/${owner}/node_modules/pure-${i}`, {}, {});
  }
  for (const p of out) {
    const tarball = `${registry}${p.name}/-/${p.name.replace(/^@[^/]+\//, '')}-${p.version}.tgz`;
    const bytes = tgz(p.files);
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    Object.assign(p.lock, { version: p.version, resolved: tarball, integrity, license: 'MIT' });
    (p as { tgz?: Buffer }).tgz = bytes;
    (p as { tarballUrl?: string }).tarballUrl = tarball;
  }
  return { packages: out, direct };
}

export function writeProject(dir: string, gen: ReturnType<typeof generateProject>): void {
  mkdirSync(dir, { recursive: true });
  const top = new Map(gen.packages.filter((p) => p.at === `node_modules/${p.name}`).map((p) => [p.name, p.version]));
  const deps = Object.fromEntries(gen.direct.map((n) => [n, top.get(n) ?? '1.0.0']));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: deps }, null, 2));
  const packages: Record<string, unknown> = { '': { name: 'bench-app', version: '1.0.0', dependencies: deps } };
  for (const p of gen.packages) packages[p.at] = p.lock;
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

interface Registry {
  readonly url: string;
  requests: number;
  close(): Promise<void>;
}

export async function startRegistry(gen: () => ReturnType<typeof generateProject>, urlHolder: { url: string }, assets?: (project: ReturnType<typeof generateProject>) => ReadonlyMap<string, Buffer>): Promise<{ registry: Registry; project: ReturnType<typeof generateProject> }> {
  const packuments = new Map<string, string>();
  const tarballs = new Map<string, Buffer>();
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    const url = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const body = tarballs.get(url) ?? packuments.get(url.slice(1));
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const isTar = Buffer.isBuffer(body);
    res.writeHead(200, { 'content-type': isTar ? 'application/octet-stream' : 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  urlHolder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const project = gen();
  const byName = new Map<string, GenPackage[]>();
  for (const p of project.packages) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  for (const [at, bytes] of assets?.(project) ?? []) tarballs.set(at, bytes);
  for (const [name, versions] of byName) {
    const doc = {
      name,
      'dist-tags': { latest: versions[versions.length - 1]?.version },
      versions: Object.fromEntries(
        versions.map((p) => {
          const x = p as GenPackage & { tgz?: Buffer; tarballUrl: string };
          if (x.tgz) tarballs.set(new URL(x.tarballUrl).pathname, x.tgz);
          return [p.version, { ...p.manifest, dist: { tarball: x.tarballUrl, integrity: p.lock.integrity } }];
        }),
      ),
    };
    packuments.set(name, JSON.stringify(doc));
  }
  return {
    project,
    registry: {
      url: urlHolder.url,
      get requests() {
        return state.requests;
      },
      set requests(n: number) {
        state.requests = n;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    },
  };
}

function timed(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, code, stdout, stderr }));
  });
}

/** GNU time, for the CPU seconds and the peak RSS of each run */
const TIME = '/usr/bin/time';
const TIME_ARGS = ['-f', 'cpu %U %S rss %M'];

/** One run of a command under GNU time: wall seconds, CPU seconds (user + system) and peak RSS (KiB) when time said them. */
export async function measured(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; cpu?: number; rssKiB?: number; code: number | null; stdout: string; stderr: string }> {
  const r = await timed(TIME, [...TIME_ARGS, cmd, ...args], cwd, env);
  const m = /(?:^|\n)cpu (\d+\.\d+) (\d+\.\d+) rss (\d+)\n?$/.exec(r.stderr);
  return m ? { ...r, cpu: Number(m[1]) + Number(m[2]), rssKiB: Number(m[3]) } : r;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function runDepsBenchmark(opts: DepsBenchOptions): Promise<{ lines: string[]; summary: Record<string, unknown> }> {
  const root = path.join(opts.work, 'deps');
  rmSync(root, { recursive: true, force: true });
  const dir = path.join(root, 'project');
  const holder = { url: '' };
  const { registry, project } = await startRegistry(() => generateProject(holder.url, opts.packages ?? 2000), holder);
  try {
    writeProject(dir, project);
    const native = 300;
    opts.log(`deps benchmark: ${project.packages.length} packages (${native} native) served by ${registry.url}`);
    const env = { ...process.env, CI: '1', NO_COLOR: '1', ANYARCH_OFFLINE: '' } as NodeJS.ProcessEnv;
    const deps = ['--no-warnings', opts.layout.cli, 'deps', '--platform', 'linux/amd64,linux/arm64', '--format', 'json', '--registry', registry.url];
    const npm = ['install', '--dry-run', '--os', 'linux', '--cpu', 'arm64', '--registry', registry.url, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', 'error'];
    const times: Record<'depsCold' | 'depsWarm' | 'npmCold' | 'npmWarm' | 'node', number[]> = { depsCold: [], depsWarm: [], npmCold: [], npmWarm: [], node: [] };
    const cpu: Record<keyof typeof times, number[]> = { depsCold: [], depsWarm: [], npmCold: [], npmWarm: [], node: [] };
    const requests: Record<keyof typeof times, number> = { depsCold: 0, depsWarm: 0, npmCold: 0, npmWarm: 0, node: 0 };
    let check: { rows: number; failing: boolean; summary: unknown } | undefined;
    for (let run = 0; run < opts.runs; run++) {
      const cache = path.join(root, `cache-${run}`);
      const npmCache = path.join(root, `npm-cache-${run}`);
      const step = async (key: keyof typeof times, cmd: string, args: readonly string[], extra: NodeJS.ProcessEnv): Promise<string> => {
        const before = registry.requests;
        // CPU seconds too (user + system, GNU time): the wall time carries the machine's load
        const r = await measured(cmd, args, dir, { ...env, ...extra });
        if (r.cpu !== undefined) cpu[key].push(r.cpu);
        if (key.startsWith('deps') ? r.code !== 0 && r.code !== 1 : r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
        times[key].push(r.seconds);
        requests[key] = registry.requests - before;
        return r.stdout;
      };
      await step('depsCold', process.execPath, deps, { ANYARCH_CACHE_DIR: cache });
      const warmOut = await step('depsWarm', process.execPath, deps, { ANYARCH_CACHE_DIR: cache });
      await step('npmCold', 'npm', npm, { npm_config_cache: npmCache });
      await step('npmWarm', 'npm', npm, { npm_config_cache: npmCache });
      await step('node', process.execPath, ['-e', '0'], {});
      if (!check) {
        const doc = JSON.parse(warmOut) as { failing: boolean; summary: unknown; lockfiles: { packages: unknown[] }[] };
        check = { rows: doc.lockfiles[0]?.packages.length ?? 0, failing: doc.failing, summary: doc.summary };
      }
      rmSync(cache, { recursive: true, force: true });
      rmSync(npmCache, { recursive: true, force: true });
    }
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof times, number>;
    const min = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.min(...v)])) as Record<keyof typeof times, number>;
    const cpuMed = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v.length ? median(v) : NaN])) as Record<keyof typeof times, number>;
    const ratio = (a: number, b: number): string => (a / b).toFixed(2);
    const pass = med.depsWarm <= 0.3;
    const lines = [
      '## anyarch deps benchmark',
      '',
      `${project.packages.length} packages in package-lock.json (${native} native: 100 families, 100 prebuildify, 100 node-gyp), a loopback registry; ${opts.runs} runs, interleaved. anyarch found ${check?.rows ?? '?'} native rows.`,
      '',
      '| run | median s | min s | CPU s (median) | requests | vs npm --dry-run (same cache state) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| anyarch deps, cold cache | ${med.depsCold.toFixed(3)} | ${min.depsCold.toFixed(3)} | ${cpuMed.depsCold.toFixed(3)} | ${requests.depsCold} | ${ratio(med.depsCold, med.npmCold)}x |`,
      `| anyarch deps, warm cache | ${med.depsWarm.toFixed(3)} | ${min.depsWarm.toFixed(3)} | ${cpuMed.depsWarm.toFixed(3)} | ${requests.depsWarm} | ${ratio(med.depsWarm, med.npmWarm)}x |`,
      `| npm install --dry-run --os linux --cpu arm64, cold cache | ${med.npmCold.toFixed(3)} | ${min.npmCold.toFixed(3)} | ${cpuMed.npmCold.toFixed(3)} | ${requests.npmCold} | 1.00x |`,
      `| npm install --dry-run --os linux --cpu arm64, warm cache | ${med.npmWarm.toFixed(3)} | ${min.npmWarm.toFixed(3)} | ${cpuMed.npmWarm.toFixed(3)} | ${requests.npmWarm} | 1.00x |`,
      `| node -e 0 (the floor of a process now) | ${med.node.toFixed(3)} | ${min.node.toFixed(3)} | ${cpuMed.node.toFixed(3)} | 0 | ${ratio(med.node, med.npmWarm)}x |`,
      '',
      `${pass ? 'PASS' : 'FAIL'}: anyarch deps from a warm cache took ${med.depsWarm.toFixed(3)} s (target <= 0.3 s for the whole process), ${ratio(med.depsWarm, med.node)}x a bare \`node -e 0\` in the same runs.`,
    ];
    return {
      lines,
      summary: {
        bench: 'anyarch-deps',
        node: process.version,
        packages: project.packages.length,
        native,
        nativeRows: check?.rows,
        median: med,
        cpuMedian: cpuMed,
        min,
        requests,
        ratios: { cold: +ratio(med.depsCold, med.npmCold), warm: +ratio(med.depsWarm, med.npmWarm), warmOverNode: +ratio(med.depsWarm, med.node) },
        warmTarget: 0.3,
        pass,
      },
    };
  } finally {
    await registry.close();
  }
}
