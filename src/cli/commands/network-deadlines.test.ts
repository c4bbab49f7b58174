/**
 * The CLI against a registry that misbehaves on purpose (test/support/hostile-server.ts, on
 * loopback): `anyarch platforms` and `anyarch check` (whose base-image lookup asks it) must end
 * within `--timeout` however the registry stalls, trickles, resets or redirects, with one line
 * per image naming it, the other images still reported, no credential printed, and exit 2 (or
 * findings). How long each run takes, and its peak memory, are measured from outside the
 * process by /usr/bin/time, with wide margins.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHostileServer, type HostileServer, type Misbehaviour } from '../../../test/support/hostile-server.js';
import { buildTestImage, writeOciLayout } from '../../../test/support/images.js';
import { runMeasured, type MeasuredRun } from '../../../test/support/measured.js';

/** `--timeout 2s` must end the run well before this (a loaded machine included). */
const MAX_SECONDS = 10;
const MAX_RSS_MB = 300;
const SECRET = 'redirect-secret-7781';

describe('the CLI against a hostile registry: --timeout bounds every request', () => {
  let server: HostileServer;
  let work: string;
  let layout: string;
  let env: NodeJS.ProcessEnv;

  const plan: Record<string, Misbehaviour> = {
    silent: { kind: 'silent' },
    stall: { kind: 'stall-body' },
    trickle: { kind: 'trickle', everyMs: 1000, from: 'body' },
    'trickle-head': { kind: 'trickle', everyMs: 1000, from: 'head' },
    reset: { kind: 'reset' },
    userinfo: { kind: 'redirect', location: `http://alice:${SECRET}@127.0.0.1:1/v2/x/manifests/1` },
    ftp: { kind: 'redirect', location: `ftp://alice:${SECRET}@127.0.0.1/x` },
    file: { kind: 'redirect', location: 'file:///etc/passwd' },
  };

  before(async () => {
    server = await startHostileServer((p) => plan[/^\/v2\/([^/]+)\//.exec(p)?.[1] ?? ''] ?? { kind: 'answer', status: 404 });
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-net-deadlines-'));
    layout = path.join(work, 'layout');
    await writeOciLayout(layout, buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' } }, { platform: { os: 'linux', architecture: 'arm64' } }]), 'good');
    // no credentials, no cache shared with the machine, no colour
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, DOCKER_CONFIG: path.join(work, 'docker'), ANYARCH_CACHE_DIR: path.join(work, 'cache') };
  });
  after(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const image = (repo: string): string => `${server.host}/${repo}/app:1`;
  const bounded = (r: MeasuredRun): void => {
    assert.ok(r.seconds < MAX_SECONDS, `the run took ${r.seconds} s (--timeout 2s); stderr:\n${r.stderr}`);
    assert.ok(r.peakRssMb < MAX_RSS_MB, `peak RSS ${r.peakRssMb} MB`);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`${SECRET}|alice|\\n\\s+at `));
  };

  test('platforms: each hostile image is one line naming it, the good one is listed, exit 2, all within the timeout', { timeout: 120_000 }, async () => {
    const hostile = Object.keys(plan).map(image);
    const r = await runMeasured(['platforms', '--format', 'json', '--timeout', '2s', ...hostile, `oci:${layout}:good`, '127.0.0.1:99999/x:1'], { cwd: work, env });
    bounded(r);
    assert.equal(r.code, 2, r.stderr);
    const out = JSON.parse(r.stdout) as { images: { image: string; platforms: unknown[]; error?: { code: string; message: string } }[] };
    assert.equal(out.images.length, hostile.length + 2);
    const good = out.images.find((i) => i.image.startsWith('oci:'));
    assert.equal(good?.platforms.length, 2, 'the image that can be read is still reported');
    const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('anyarch: '));
    const lineOf = (repo: string): string => errorLines.find((l) => l.includes(`${repo}/app:1`)) ?? '';
    for (const repo of ['silent', 'stall', 'trickle', 'trickle-head']) {
      assert.equal(lineOf(repo), `anyarch: manifest ${image(repo)}: no complete answer from ${server.host} within 2 s`);
    }
    assert.match(lineOf('reset'), new RegExp(`^anyarch: manifest ${image('reset')}: (ECONNRESET|connection failed|.*socket)`));
    assert.match(lineOf('userinfo'), /the server's Location points to a URL with user-info \(credentials in the URL, http:\/\/\*\*\*@127\.0\.0\.1:1\); anyarch does not follow it$/);
    assert.match(lineOf('ftp'), /the server's Location points to a ftp: URL; anyarch follows only http and https$/);
    assert.match(lineOf('file'), /the server's Location points to a file: URL; anyarch follows only http and https$/);
    assert.ok(errorLines.some((l) => l === 'anyarch: invalid image reference "127.0.0.1:99999/x:1": the registry port 99999 is not a TCP port (1 to 65535)'), r.stderr);
    assert.equal(errorLines.length, hostile.length + 1, r.stderr);
  });

  test('check: the base-image lookup of hostile registries ends within --timeout, each an AA115 finding; the other files are still checked', { timeout: 120_000 }, async () => {
    const files: string[] = [];
    for (const repo of ['silent', 'trickle', 'stall', 'userinfo']) {
      const f = `${repo}.Dockerfile`;
      await writeFile(path.join(work, f), `FROM ${image(repo)}\nRUN true\n`);
      files.push(f);
    }
    await writeFile(path.join(work, 'plain.Dockerfile'), 'FROM scratch\nADD https://example.com/tool-linux-amd64.tar.gz /tool.tar.gz\n');
    const r = await runMeasured(['check', '--format', 'json', '--timeout', '2', ...files, 'plain.Dockerfile'], { cwd: work, env });
    bounded(r);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { files: { file: string; findings: { ruleId: string; message: string }[] }[] };
    const of = (f: string) => out.files.find((x) => x.file === f)?.findings ?? [];
    for (const repo of ['silent', 'trickle', 'stall']) {
      assert.deepEqual(
        of(`${repo}.Dockerfile`).map((x) => [x.ruleId, x.message]),
        [['AA115', `could not read the platforms of ${image(repo)}: manifest ${image(repo)}: no complete answer from ${server.host} within 2 s`]],
      );
    }
    assert.match(of('userinfo.Dockerfile')[0]?.message ?? '', /user-info \(credentials in the URL, http:\/\/\*\*\*@127\.0\.0\.1:1\); anyarch does not follow it/);
    assert.ok(of('plain.Dockerfile').length > 0, 'a file without base images is still checked');
  });
});
