// End to end for Python: a PEP 691/503 index on 127.0.0.1 serving real wheels whose tags the test
// chooses; `deps` (requirements.txt read, files from openPythonIndex, analyzePythonLockfile)
// predicts per target; `pip download --only-binary=:all: --platform ...` against the same index
// must agree: a prebuilt cell is the very wheel pip downloads, any other cell is a pip failure
// (no wheel for that platform). pip never reaches PyPI: --index-url is the loopback index,
// --no-deps, PIP_CONFIG_FILE=/dev/null and no PIP_* variables from the environment.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { analyzeDeps } from '../src/deps/analyze.js';
import { readPoetryLock } from '../src/deps/lockfiles/python/poetry.js';
import { readRequirements } from '../src/deps/lockfiles/python/requirements.js';
import { analyzePythonLockfile } from '../src/deps/python/coverage.js';
import { openPythonIndex } from '../src/deps/python/index.js';
import { pipPlatformTags } from '../src/deps/python/tags.js';
import type { DepsTarget, PackageReport } from '../src/deps/types.js';
import { startPypiIndex, type IndexProject, type PypiIndex } from './support/pypi-index.js';

// Shapes of real gaps: grpcio without musllinux aarch64 (grpc/grpc#34998), cryptography's
// manylinux_2_28 aarch64 wheels and abi3 (pyca/cryptography), psutil without aarch64 wheels
// (giampaolo/psutil#1782), an x86_64-only package without sdist, a piwheels-style linux_aarch64
// wheel, and a newer release that fixes a gap (the suggestion).
const PROJECTS: IndexProject[] = [
  {
    name: 'grpcio',
    files: [
      'grpcio-1.66.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl',
      'grpcio-1.66.1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'grpcio-1.66.1-cp312-cp312-musllinux_1_1_x86_64.whl',
      'grpcio-1.66.1.tar.gz',
      'grpcio-1.67.0-cp312-cp312-musllinux_1_1_aarch64.whl',
      'grpcio-1.67.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl',
      'grpcio-1.67.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'grpcio-1.67.0-cp312-cp312-musllinux_1_1_x86_64.whl',
    ],
  },
  {
    name: 'cryptography',
    files: [
      'cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl',
      'cryptography-43.0.1-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'cryptography-43.0.1-cp39-abi3-musllinux_1_2_aarch64.whl',
      'cryptography-43.0.1-cp39-abi3-musllinux_1_2_x86_64.whl',
      'cryptography-43.0.1.tar.gz',
    ],
  },
  { name: 'psutil', files: ['psutil-5.9.0-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'psutil-5.9.0.tar.gz'] },
  { name: 'onlyx86', files: ['onlyx86-1.0-cp312-cp312-manylinux_2_17_x86_64.whl'] },
  { name: 'localbuild', files: ['localbuild-1.0-cp312-cp312-linux_aarch64.whl', 'localbuild-1.0-cp312-cp312-manylinux_2_34_x86_64.whl'] },
  { name: 'fastjson', files: ['fastjson-2.0-cp312-cp312-manylinux_2_17_aarch64.whl', 'fastjson-2.0-cp312-cp312-manylinux_2_28_aarch64.whl', 'fastjson-2.0-cp312-cp312-musllinux_1_2_aarch64.whl', 'fastjson-2.0-cp312-none-any.whl'] },
  { name: 'six', files: ['six-1.16.0-py2.py3-none-any.whl', 'six-1.16.0.tar.gz'] },
];

const REQUIREMENTS = `grpcio==1.66.1
cryptography==43.0.1
psutil==5.9.0
onlyx86==1.0
localbuild==1.0
fastjson==2.0
six==1.16.0
`;

function target(spec: string, libc: 'glibc' | 'musl', libcVersion: string): DepsTarget {
  const [os, architecture] = spec.split('/') as [string, string];
  return { platform: { os, architecture, variant: '' }, libc, libcVersion, python: '3.12' };
}

const TARGETS: DepsTarget[] = [
  target('linux/amd64', 'glibc', '2.36'), // bookworm
  target('linux/arm64', 'glibc', '2.36'),
  target('linux/arm64', 'glibc', '2.26'), // Amazon Linux 2
  target('linux/amd64', 'musl', '1.2'), // Alpine
  target('linux/arm64', 'musl', '1.2'),
];

const label = (t: DepsTarget) => `${t.platform.architecture} ${t.libc} ${t.libcVersion}`;

/** What pip downloads for `requirements` on `t`, and whether it succeeded (async: the index answers from this process). */
async function pipDownload(index: string, requirements: readonly string[], t: DepsTarget): Promise<{ files: string[]; ok: boolean; stderr: string }> {
  const dest = mkdtempSync(path.join(tmpdir(), 'anyarch-pip-'));
  try {
    const platforms = pipPlatformTags(t)!.flatMap((p) => ['--platform', p]);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PIP_') && !k.startsWith('PYTHON')) env[k] = v;
    Object.assign(env, { PIP_CONFIG_FILE: '/dev/null', PIP_NO_INPUT: '1' });
    const args = ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-cache-dir', '--no-deps', '--only-binary=:all:', '--timeout', '20', '--retries', '0',
      ...platforms, '--python-version', '312', '--implementation', 'cp', '--abi', 'cp312', '--index-url', index, '--dest', dest, ...requirements];
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('python3', args, { env, encoding: 'utf8', timeout: 120_000 }, (err, _stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
      });
    });
    return { files: readdirSync(dest).sort(), ok: r.code === 0, stderr: r.stderr };
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

describe('deps for Python agrees with pip download --platform', () => {
  let server: PypiIndex;
  let rows: PackageReport[];
  before(async () => {
    server = await startPypiIndex(PROJECTS);
    const lock = readRequirements('requirements.txt', `--index-url ${server.url}\n${REQUIREMENTS}`);
    assert.deepEqual(lock.warnings, []);
    rows = await analyzePythonLockfile(lock, TARGETS, openPythonIndex({ indexUrl: server.url }));
  });
  after(() => server.stop());

  test('the matrix holds the native packages, not six', () => {
    assert.deepEqual(rows.map((r) => r.name), ['grpcio', 'cryptography', 'psutil', 'onlyx86', 'localbuild', 'fastjson']);
    assert.ok(server.requests.every((r) => r.startsWith('/simple/')), 'deps reads pages only, never downloads a file');
  });

  test('the predictions, in words', () => {
    const status = (name: string) => rows.find((r) => r.name === name)!.cells.map((c) => c.status);
    assert.deepEqual(status('grpcio'), ['prebuilt', 'prebuilt', 'prebuilt', 'prebuilt', 'compiles']);
    assert.deepEqual(status('cryptography'), ['prebuilt', 'prebuilt', 'compiles', 'prebuilt', 'prebuilt']);
    assert.deepEqual(status('psutil'), ['prebuilt', 'compiles', 'compiles', 'compiles', 'compiles']);
    assert.deepEqual(status('onlyx86'), ['prebuilt', 'missing', 'missing', 'missing', 'missing']);
    // linux_aarch64: pip takes it on any glibc aarch64 (after the manylinux tags), not on musl here
    assert.deepEqual(status('localbuild'), ['prebuilt', 'prebuilt', 'prebuilt', 'missing', 'missing']);
    assert.deepEqual(status('fastjson'), ['prebuilt', 'prebuilt', 'prebuilt', 'prebuilt', 'prebuilt']);
    const grpc = rows.find((r) => r.name === 'grpcio')!;
    assert.match(grpc.suggestion ?? '', /grpcio 1.67.0 has wheels for linux\/arm64 \(musl\)/);
    assert.match(rows.find((r) => r.name === 'localbuild')!.cells[4]!.reason, /only linux_aarch64 wheels, built against glibc \(no musllinux wheel\) and no sdist/);
  });

  test('pip downloads exactly the predicted wheels, and fails where deps says there is none', async () => {
    // per target: one pip run for every package deps calls prebuilt (it must fetch exactly those
    // wheels), and one run per other cell (it must fail: nothing pip may take without a build)
    const runs = TARGETS.map(async (t, i) => {
      const out: string[] = [];
      const prebuilt = rows.filter((r) => r.cells[i]!.status === 'prebuilt');
      const all = await pipDownload(server.url, prebuilt.map((r) => `${r.name}==${r.version}`), t);
      const want = prebuilt.map((r) => r.cells[i]!.artifact!).sort();
      if (!all.ok || all.files.join(' ') !== want.join(' ')) out.push(`${label(t)}: deps predicts ${want.join(' ')}; pip ${all.ok ? all.files.join(' ') : `failed: ${all.stderr.trim().split('\n').pop()}`}`);
      for (const r of rows.filter((r) => r.cells[i]!.status !== 'prebuilt')) {
        const one = await pipDownload(server.url, [`${r.name}==${r.version}`], t);
        if (one.ok || one.files.length > 0) out.push(`${r.name} on ${label(t)}: deps ${r.cells[i]!.status}, pip downloaded ${one.files.join(' ')}`);
      }
      return out;
    });
    const disagreements = (await Promise.all(runs)).flat();
    assert.deepEqual(disagreements, []);
  });
});

describe('a poetry.lock with the file names of the same index', () => {
  test('offline from the lock, the same verdicts as from the index', async () => {
    const files = PROJECTS.find((p) => p.name === 'cryptography')!.files.map((f) => `    {file = "${f}", hash = "sha256:00"},`).join('\n');
    const lock = readPoetryLock('poetry.lock', `[[package]]\nname = "cryptography"\nversion = "43.0.1"\noptional = false\npython-versions = ">=3.7"\nfiles = [\n${files}\n]\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.12"\ncontent-hash = "x"\n`);
    const [row] = await analyzePythonLockfile(lock, TARGETS, undefined);
    assert.deepEqual(row!.cells.map((c) => c.status), ['prebuilt', 'prebuilt', 'compiles', 'prebuilt', 'prebuilt']);
  });
});

describe('a requirements.txt with -r, -c, --extra-index-url and --find-links, through analyzeDeps', () => {
  let main: PypiIndex;
  let extra: PypiIndex;
  const work = mkdtempSync(path.join(tmpdir(), 'anyarch-deps-reqs-'));
  before(async () => {
    main = await startPypiIndex(PROJECTS);
    extra = await startPypiIndex([{ name: 'privpkg', files: ['privpkg-1.0-cp312-cp312-manylinux_2_17_aarch64.whl', 'privpkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl'] }]);
    const app = path.join(work, 'project', 'app');
    mkdirSync(path.join(app, 'reqs'), { recursive: true });
    writeFileSync(
      path.join(app, 'requirements.txt'),
      `--index-url ${main.url}\n--extra-index-url ${extra.url}\n-r reqs/base.txt\n-c reqs/constraints.txt\npsutil\nprivpkg==1.0\n--find-links ./wheels\n-r ../../outside.txt\n`,
    );
    writeFileSync(path.join(app, 'reqs', 'base.txt'), 'onlyx86==1.0 ; python_version >= "3.8"\n-r ../requirements.txt\n');
    writeFileSync(path.join(app, 'reqs', 'constraints.txt'), 'psutil==5.9.0\ngrpcio==1.66.1\n');
    writeFileSync(path.join(work, 'outside.txt'), 'six==1.16.0\n');
  });
  after(async () => {
    await main.stop();
    await extra.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('includes followed (a cycle read once, nothing outside the directory), constraints pin, both indexes asked and cached apart', async () => {
    const cacheDir = path.join(work, 'cache');
    const opts = { cwd: path.join(work, 'project', 'app'), platforms: 'linux/amd64,linux/arm64', python: '3.12', cacheDir } as const;
    const run = await analyzeDeps(['requirements.txt'], opts);
    const [report] = run.reports;
    assert.deepEqual(report!.packages.map((p) => [p.name, p.version, p.position?.line, p.cells.map((c) => c.status).join(' ')]), [
      ['onlyx86', '1.0', 3, 'prebuilt missing'],
      ['privpkg', '1.0', 6, 'prebuilt prebuilt'],
      ['psutil', '5.9.0', 5, 'prebuilt compiles'],
    ]);
    assert.deepEqual(report!.warnings.map((w) => [w.location?.file, w.location?.line, w.message.replace(/;.*/, '')]), [
      ['requirements.txt', 7, '--find-links ./wheels: pip also takes files from ./wheels'],
      ['requirements.txt', 8, `-r ../../outside.txt: ${path.join(work, 'outside.txt')} is outside the current directory, the lockfile's and its git work tree`],
    ]);
    assert.ok(main.requests.includes('/simple/privpkg/') && extra.requests.includes('/simple/privpkg/'), 'pip looks every package up in both indexes');
    assert.ok(extra.requests.includes('/simple/psutil/'));
    // the cache keeps each index's answers apart: offline, the package only the extra index has is still prebuilt
    const offline = await analyzeDeps(['requirements.txt'], { ...opts, offline: true });
    assert.deepEqual(offline.reports[0]!.packages.map((p) => p.cells.map((c) => c.status).join(' ')), ['prebuilt missing', 'prebuilt prebuilt', 'prebuilt compiles']);
    const requests = main.requests.length + extra.requests.length;
    await analyzeDeps(['requirements.txt'], { ...opts, offline: true, indexUrl: extra.url });
    assert.equal(main.requests.length + extra.requests.length, requests, 'offline sends nothing');
  });
});
