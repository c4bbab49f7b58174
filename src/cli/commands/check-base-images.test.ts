/**
 * `anyarch check` with base images looked up in the real registry (AA114, AA115): the binary is
 * run on Dockerfiles whose FROM lines name images in a docker-registry on loopback, pushed by
 * skopeo. Covers missing platforms, registry errors as findings, the cache, and --offline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { buildTestImage, writeOciLayout } from '../../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { skopeoCopyToRegistry } from '../../../test/support/skopeo.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'anyarch.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface JsonFinding {
  ruleId: string;
  message: string;
  severity: string;
}

describe('anyarch check: base image platforms from the registry', () => {
  let reg: TestRegistry;
  let work: string;
  let cache: string;

  const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve) => {
      const base: NodeJS.ProcessEnv = { ...process.env, ANYARCH_CACHE_DIR: cache, ...env };
      for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS', 'ANYARCH_OFFLINE']) if (!(k in env)) delete base[k];
      const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const findings = (r: Run): JsonFinding[] => (JSON.parse(r.stdout) as { files: { findings: JsonFinding[] }[] }).files.flatMap((f) => f.findings);

  const dockerfile = async (name: string, text: string): Promise<string> => {
    await writeFile(path.join(work, name), text);
    return name;
  };

  before(async () => {
    reg = await startRegistry();
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-check-base-'));
    cache = path.join(work, '.cache');
    const layout = path.join(work, 'layout');
    await writeOciLayout(layout, buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' } }, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }], { attestations: true }), 'multi');
    await writeOciLayout(layout, buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' } }]), 'amd64');
    await writeOciLayout(layout, buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' } }], { single: true }), 'single');
    await skopeoCopyToRegistry(layout, 'multi', reg, 'lib/multi:1');
    await skopeoCopyToRegistry(layout, 'amd64', reg, 'lib/amd64only:1');
    await skopeoCopyToRegistry(layout, 'single', reg, 'lib/single:1');
  });
  after(async () => {
    await reg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('a base image without arm64: AA114 names what is missing and what exists; exit 1', async () => {
    const f = await dockerfile('a.Dockerfile', `FROM ${reg.host}/lib/amd64only:1\nRUN true\n`);
    const r = await run(['check', '--format', 'json', f]);
    assert.equal(r.code, 1, r.stderr);
    const got = findings(r);
    assert.deepEqual(got.map((x) => x.ruleId), ['AA114']);
    assert.match(got[0]?.message ?? '', /lib\/amd64only:1 does not publish linux\/arm64 \(it has linux\/amd64\)/);
    assert.equal(got[0]?.severity, 'error');
  });

  test('a multi-platform base image (arm64 published as arm64/v8) and scratch: clean', async () => {
    const f = await dockerfile('b.Dockerfile', `FROM ${reg.host}/lib/multi:1 AS build\nRUN true\nFROM scratch\nCOPY --from=build /bin /bin\n`);
    const r = await run(['check', '--format', 'json', f]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(findings(r), []);
  });

  test('a single-platform image (no index) for another CPU is reported', async () => {
    const f = await dockerfile('c.Dockerfile', `FROM ${reg.host}/lib/single:1\n`);
    const r = await run(['check', '--format', 'json', '--platforms', 'linux/arm64', f]);
    assert.deepEqual(findings(r).map((x) => x.ruleId), ['AA114']);
  });

  test('registry errors are AA115 findings, not crashes; the other files are still checked', async () => {
    const missing = await dockerfile('d.Dockerfile', `FROM ${reg.host}/lib/nope:1\n`);
    const down = await dockerfile('e.Dockerfile', 'FROM 127.0.0.1:1/lib/x:1\n');
    const ok = await dockerfile('f.Dockerfile', `FROM ${reg.host}/lib/amd64only:1\n`);
    const r = await run(['check', '--format', 'json', missing, down, ok]);
    assert.equal(r.code, 1);
    const got = findings(r);
    assert.deepEqual(got.map((x) => x.ruleId).sort(), ['AA114', 'AA115', 'AA115']);
    assert.ok(got.some((x) => /lib\/nope:1.*not found \(HTTP 404/.test(x.message)));
    assert.ok(got.some((x) => /127\.0\.0\.1:1\/lib\/x:1.*(ECONNREFUSED|connection)/.test(x.message)));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('answers are cached: a second run needs no registry', async () => {
    const f = await dockerfile('g.Dockerfile', `FROM ${reg.host}/lib/amd64only:1\n`);
    await run(['check', '--format', 'json', f]);
    const files = await readdir(path.join(cache, 'platforms'));
    assert.ok(files.length >= 1);
    // the registry that has the image is gone: only the cache can answer
    await reg.stop();
    const r = await run(['check', '--format', 'json', f]);
    assert.deepEqual(findings(r).map((x) => x.ruleId), ['AA114']);
  });

  test('--offline skips the lookup with a notice; so does ANYARCH_OFFLINE', async () => {
    const f = await dockerfile('h.Dockerfile', 'FROM 127.0.0.1:1/never/asked:1\n');
    const r = await run(['check', '--offline', '--format', 'json', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(findings(r), []);
    assert.match(r.stderr, /offline: base images were not checked/);
    const e = await run(['check', '--format', 'json', f], { ANYARCH_OFFLINE: '1' });
    assert.deepEqual(findings(e), []);
    const q = await run(['check', '--offline', '-q', '--format', 'json', f]);
    assert.equal(q.stderr, '');
  });
});
