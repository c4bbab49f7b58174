/**
 * `anyarch verify` through the real binary on OCI layouts written from generated images: text,
 * JSON, SARIF and GitHub output, --dockerfile, --platform, .anyarch.yaml's verify.allow, exit
 * codes. (The end-to-end tests with real binaries and registries are test/verify-*.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTestImage, fakeElf, writeOciLayout, type TestPlatformImage } from '../../../test/support/images.js';
import { NO_SCAN_CACHE } from '../../../test/support/measured.js';
import { assertValidSarif } from '../../../test/support/sarif.js';
import { splitCommand } from './verify.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'anyarch.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function anyarch(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...NO_SCAN_CACHE, ...extraEnv };
    for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function variants(goArch: string): TestPlatformImage[] {
  return (['amd64', 'arm64'] as const).map((arch): TestPlatformImage => ({
    platform: { os: 'linux', architecture: arch },
    layers: [{ files: { 'bin/sh': fakeElf(arch) } as Record<string, Uint8Array> }, { files: { 'usr/local/go/bin/go': fakeElf(arch === 'arm64' ? goArch : arch) } }],
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:0123abcd in / ' },
      { created_by: 'RUN /bin/sh -c curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz # buildkit' },
    ],
  }));
}

const DOCKERFILE = ['FROM ubuntu:noble', '', 'RUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz', ''].join('\n');

describe('anyarch verify', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-verify-cli-'));
    await writeOciLayout(path.join(work, 'wrong'), buildTestImage(variants('amd64')), 'v1');
    await writeOciLayout(path.join(work, 'right'), buildTestImage(variants('arm64')), 'v1');
    await writeFile(path.join(work, 'Dockerfile'), DOCKERFILE);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('text: the summary per platform, then the verdict with path, what, layer, step; exit 1', async () => {
    const r = await anyarch(['verify', '--no-config', 'oci:wrong:v1'], work);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /linux\/amd64 {2}sha256:\S+ {2}2 layers, \d+ files, .* read; ELF: amd64\/static 2; Python extensions 0; Node addons 0; verdicts: none/);
    assert.match(r.stdout, /linux\/arm64 .*ELF: amd64\/static 1, arm64\/static 1; .*verdicts: 1 error/);
    assert.match(r.stdout, /linux\/arm64 {2}error {2}AA201 foreign-binary {2}\/usr\/local\/go\/bin\/go/);
    assert.match(r.stdout, /what: {2}ELF 64-bit LSB x86-64/);
    assert.match(r.stdout, /layer: 2 sha256:[0-9a-f]{12} made by RUN \/bin\/sh -c curl -LO/);
    assert.match(r.stdout, /docs: https:\/\/github\.com\/anyarch\/anyarch\/blob\/main\/docs\/rules\/AA201\.md/);
    assert.match(r.stdout, /2 variants of 1 image verified: 1 error, 0 warnings, 0 infos/);
  });

  test('--dockerfile: the line that made the layer and the check finding on it', async () => {
    const r = await anyarch(['verify', '--no-config', '--dockerfile', 'Dockerfile', 'oci:wrong:v1'], work);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /from: {2}Dockerfile:3 \(RUN\), which AA101.* flag/);
  });

  test('the corrected image exits 0; --platform limits the variants', async () => {
    const ok = await anyarch(['verify', '--no-config', 'oci:right:v1'], work);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const amd = await anyarch(['verify', '--no-config', '--platform', 'linux/amd64', 'oci:wrong:v1'], work);
    assert.equal(amd.code, 0);
    assert.match(amd.stdout, /skipped linux\/arm64: not asked for/);
  });

  test('json is the library report; sarif points at the Dockerfile line; github annotates it', async () => {
    const json = await anyarch(['verify', '--no-config', '--format', 'json', 'oci:wrong:v1'], work);
    const doc = JSON.parse(json.stdout) as { images: { platforms: { name: string; verdicts: { id: string; path: string }[] }[] }[]; summary: { verdicts: { error: number } } };
    assert.equal(doc.summary.verdicts.error, 1);
    assert.deepEqual(doc.images[0]!.platforms[1]!.verdicts.map((v) => `${v.id} ${v.path}`), ['AA201 /usr/local/go/bin/go']);

    const sarif = await anyarch(['verify', '--no-config', '--format', 'sarif', '--dockerfile', 'Dockerfile', 'oci:wrong:v1'], work);
    assertValidSarif(sarif.stdout);
    const log = JSON.parse(sarif.stdout) as { runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[] };
    const run = log.runs[0]!;
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['AA201', 'AA202', 'AA203', 'AA204', 'AA205', 'AA206', 'AA207', 'AA208', 'AA209', 'AA210', 'AA211', 'AA212']);
    assert.match(run.tool.driver.rules[0]!.helpUri, /docs\/rules\/AA201\.md$/);
    const loc = run.results[0]!.locations[0]!;
    assert.equal(loc.physicalLocation?.artifactLocation.uri, 'Dockerfile');
    assert.equal(loc.physicalLocation?.region.startLine, 3);
    assert.match(loc.logicalLocations[0]!.fullyQualifiedName, /^oci:.*wrong:v1@sha256:[0-9a-f]{64} linux\/arm64 \/usr\/local\/go\/bin\/go$/);

    const gh = await anyarch(['verify', '--no-config', '--format', 'github', '--dockerfile', 'Dockerfile', 'oci:wrong:v1'], work);
    assert.match(gh.stdout, /^::error file=Dockerfile,line=3,endLine=3,title=AA201 foreign-binary \(linux\/arm64\)::/m);
  });

  test('.anyarch.yaml verify.allow turns the verdict into AA212 information: exit 0', async () => {
    const dir = path.join(work, 'allowed');
    await writeOciLayout(path.join(dir, 'img'), buildTestImage(variants('amd64')), 'v1');
    await writeFile(path.join(dir, '.anyarch.yaml'), "verify:\n  allow:\n    - path: usr/local/go/**\n      reason: an amd64 toolchain for cross builds\n");
    const r = await anyarch(['verify', 'oci:img:v1'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /info {2}AA212 intended-foreign {2}\/usr\/local\/go\/bin\/go/);
    assert.match(r.stdout, /intended: an amd64 toolchain for cross builds/);
  });

  test('an image that cannot be read exits 2 and says why; usage errors exit 2', async () => {
    const r = await anyarch(['verify', '--no-config', 'oci:missing:v1', 'oci:right:v1'], work);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /anyarch: oci:.*missing/);
    const both = await anyarch(['verify', '--run', 'x', '--run-entrypoint', 'oci:right:v1'], work);
    assert.equal(both.code, 2);
    const help = await anyarch(['verify', '--help'], work);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--dockerfile <file>/);
    assert.match(help.stdout, /verify\.allow|allow:/);
  });

  test('the layer scan cache: filled under the anyarch cache directory, the same report from it; --no-scan-cache and ANYARCH_NO_SCAN_CACHE=1 leave it alone', async () => {
    const cacheDir = path.join(work, 'cache');
    const scans = path.join(cacheDir, 'layer-scans');
    const withCache = { ANYARCH_CACHE_DIR: cacheDir, ANYARCH_NO_SCAN_CACHE: '0' };
    const args = ['verify', '--no-config', '--format', 'json', 'oci:wrong:v1'];
    const off = await anyarch([...args.slice(0, 1), '--no-scan-cache', ...args.slice(1)], work, withCache);
    assert.equal(off.code, 1, off.stderr);
    const envOff = await anyarch(args, work, { ...withCache, ANYARCH_NO_SCAN_CACHE: '1' });
    assert.equal(envOff.code, 1, envOff.stderr);
    // (the command's own code cache, bin/anyarch.js, lives beside it in compile/)
    assert.equal(existsSync(scans), false, 'no layer scan written with the cache off');
    const cold = await anyarch(args, work, withCache);
    assert.equal(cold.code, 1, cold.stderr);
    assert.equal((await readdir(scans)).filter((n) => n.endsWith('.json')).length, 3, 'one entry per distinct layer');
    const warm = await anyarch(args, work, withCache);
    assert.equal(warm.code, 1, warm.stderr);
    assert.equal(warm.stdout, cold.stdout);
    assert.equal(cold.stdout, off.stdout);
    for (const command of ['verify', 'build', 'assemble', 'merge']) {
      const help = await anyarch([command, '--help'], work);
      assert.match(help.stdout, /--no-scan-cache/, command);
    }
  });
});

test('splitCommand splits words and quotes as a shell would, without expansion', () => {
  assert.deepEqual(splitCommand(`/app --name 'a b' "c \\"d\\"" e\\ f $HOME`), ['/app', '--name', 'a b', 'c "d"', 'e f', '$HOME']);
  assert.deepEqual(splitCommand('  '), []);
  assert.deepEqual(splitCommand("''"), ['']);
  assert.throws(() => splitCommand("'open"), /unclosed/);
});
