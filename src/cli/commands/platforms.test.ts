/**
 * `anyarch platforms` end to end: the real binary against the real registry (plain and with
 * htpasswd auth, credentials from a Docker config in DOCKER_CONFIG), text and JSON output,
 * --require, and bad input that must end in one clear line per image while the others are
 * still listed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { buildTestImage, busyboxLikeFiles, writeOciLayout } from '../../../test/support/images.js';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { skopeoCopyToRegistry, skopeoInspectRaw } from '../../../test/support/skopeo.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'anyarch.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function anyarch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const base: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete base[k];
    const child = spawn(process.execPath, [BIN, ...args], { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const PASSWORD = 'pl4tf0rms-secret';

describe('anyarch platforms', () => {
  let plain: TestRegistry;
  let locked: TestRegistry;
  let work: string;
  let dockerConfig: string;
  const img = buildTestImage(
    [
      { platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') },
      { platform: { os: 'linux', architecture: 'arm64' }, files: busyboxLikeFiles('arm64') },
    ],
    { format: 'oci', attestations: true },
  );

  before(async () => {
    [plain, locked] = await Promise.all([startRegistry(), startRegistry({ auth: { kind: 'htpasswd', users: { ci: PASSWORD } } })]);
    work = await mkdtemp(path.join(tmpdir(), 'anyarch-platforms-cli-'));
    await writeOciLayout(path.join(work, 'layout'), img, 'v1');
    await skopeoCopyToRegistry(path.join(work, 'layout'), 'v1', plain, 'acme/api:1');
    await skopeoCopyToRegistry(path.join(work, 'layout'), 'v1', locked, 'acme/private:1', { username: 'ci', password: PASSWORD });
    dockerConfig = path.join(work, 'docker');
    await import('node:fs/promises').then((fs) => fs.mkdir(dockerConfig));
    await writeFile(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from(`ci:${PASSWORD}`).toString('base64') } } }));
  });
  after(async () => {
    await Promise.all([plain?.stop(), locked?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('text: one table per image, attestations apart, exit 0', async () => {
    const r = await anyarch(['platforms', `${plain.host}/acme/api:1`, `oci:${path.join(work, 'layout')}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /acme\/api:1\n {2}OCI index sha256:[0-9a-f]{12} \(2 platforms, 2 attestations\)/);
    assert.match(r.stdout, /linux\/amd64 +- +sha256:[0-9a-f]{12} +[\d.]+ k?B +linux\/amd64 +2026-01-01T00:00:00Z/);
    assert.match(r.stdout, /attestation sha256:[0-9a-f]{12} for linux\/arm64 \(attestation-manifest\)/);
    // the same image from the OCI layout reads the same
    const tables = r.stdout.trim().split('\n\n');
    assert.equal(tables.length, 2);
    assert.equal(tables[0]?.split('\n').slice(1).join('\n'), tables[1]?.split('\n').slice(1).join('\n'));
  });

  test('json agrees with skopeo inspect --raw', async () => {
    const r = await anyarch(['platforms', '--format', 'json', `docker://${plain.host}/acme/api:1`]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { images: { root: { digest: string }; platforms: { platform: string; manifest: { digest: string; size: number }; config: { architecture: string } }[] }[] };
    const raw = JSON.parse((await skopeoInspectRaw('acme/api:1', plain)).toString()) as { manifests: { digest: string; size: number; platform: { architecture: string; os: string } }[] };
    const image = out.images[0];
    assert.ok(image);
    assert.equal(image.root.digest, img.root.digest);
    assert.deepEqual(
      image.platforms.map((p) => [p.platform, p.manifest.digest, p.manifest.size, p.config.architecture]),
      raw.manifests.filter((m) => m.platform.os !== 'unknown').map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest, m.size, m.platform.architecture]),
    );
  });

  test('--require lists what is missing and exits 1; arm64/v8 counts as arm64', async () => {
    const ok = await anyarch(['platforms', '--require', 'linux/amd64,linux/arm64/v8', `${plain.host}/acme/api:1`]);
    assert.equal(ok.code, 0, ok.stderr);
    const r = await anyarch(['platforms', '--require', 'linux/amd64,linux/arm64,linux/riscv64,linux/arm/v7', `${plain.host}/acme/api:1`]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /missing: linux\/riscv64, linux\/arm\/v7/);
    const j = await anyarch(['platforms', '--format', 'json', '--require', 'linux/riscv64', `${plain.host}/acme/api:1`]);
    assert.equal(j.code, 1);
    assert.deepEqual((JSON.parse(j.stdout) as { images: { missing: string[] }[] }).images[0]?.missing, ['linux/riscv64']);
  });

  test('--require does not count a platform whose manifest cannot be read', async () => {
    const { cp, unlink } = await import('node:fs/promises');
    const broken = path.join(work, 'broken');
    await cp(path.join(work, 'layout'), broken, { recursive: true });
    const arm = img.manifests.find((m) => m.platform === 'linux/arm64');
    assert.ok(arm);
    await unlink(path.join(broken, 'blobs', 'sha256', arm.digest.slice('sha256:'.length)));
    const r = await anyarch(['platforms', '--require', 'linux/amd64,linux/arm64', `oci:${broken}:v1`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /warning: linux\/arm64: .*is not in the layout/);
    assert.match(r.stdout, /missing: linux\/arm64/);
  });

  test('content that fails its digest is never a success: exit 2 and said on standard error, the rest still listed', async () => {
    const { cp, readFile: read } = await import('node:fs/promises');
    const altered = path.join(work, 'altered');
    await cp(path.join(work, 'layout'), altered, { recursive: true });
    const arm = img.manifests.find((m) => m.platform === 'linux/arm64');
    assert.ok(arm);
    // same size, other bytes: the config of linux/arm64 no longer matches its digest
    const blob = path.join(altered, 'blobs', 'sha256', arm.configDigest.slice('sha256:'.length));
    const bytes = await read(blob);
    await writeFile(blob, Buffer.from(bytes.toString('latin1').replace('2026-01-01', '2027-01-01'), 'latin1'));
    const image = `oci:${altered}:v1`;
    const r = await anyarch(['platforms', image, `oci:${path.join(work, 'layout')}:v1`]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /\n {2}error: linux\/arm64: .*does not match/);
    assert.match(r.stdout, /\n {2}linux\/amd64 .*linux\/amd64/);
    assert.equal(r.stdout.trim().split('\n\n').length, 2); // both images listed
    assert.match(r.stderr, /^anyarch: linux\/arm64: oci:[^\n]*altered:v1: blob sha256:[0-9a-f]{64}: content digest sha256:[0-9a-f]{64} does not match/m);
    assert.match(r.stderr, /^ {2}hint: the content was altered/m);
    const j = await anyarch(['platforms', '--format', 'json', '--require', 'linux/amd64', image]);
    assert.equal(j.code, 2);
    const doc = JSON.parse(j.stdout) as { images: { platforms: { platform: string; error?: { code: string } }[] }[] };
    assert.equal(doc.images[0]?.platforms.find((p) => p.platform === 'linux/arm64')?.error?.code, 'E_DIGEST');
  });

  test('--format sarif and github: a missing platform is an error, an unreadable image an error notification', async () => {
    const layout = `oci:${path.join(work, 'layout')}:v1`;
    const s = await anyarch(['platforms', '--format', 'sarif', '--require', 'linux/riscv64', layout, 'oci:/nonexistent/dir']);
    assert.equal(s.code, 2);
    const log = JSON.parse(s.stdout) as { runs: { results: { ruleId: string; level: string; message: { text: string } }[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string }[] }[] }[] };
    const run = log.runs[0];
    assert.deepEqual(run?.results.map((x) => [x.ruleId, x.level]), [['required-platform-missing', 'error']]);
    assert.match(run?.results[0]?.message.text ?? '', /does not publish linux\/riscv64$/);
    assert.equal(run?.invocations[0]?.executionSuccessful, false);
    assert.deepEqual(run?.invocations[0]?.toolExecutionNotifications.map((n) => n.level), ['error']);
    const g = await anyarch(['platforms', '--format', 'github', '--require', 'linux/riscv64', layout]);
    assert.equal(g.code, 1);
    assert.match(g.stdout, /^::error title=anyarch missing platform::oci:.*does not publish linux\/riscv64\n$/);
  });

  test('credentials from DOCKER_CONFIG are used and never printed', async () => {
    const r = await anyarch(['platforms', '--format', 'json', `${locked.host}/acme/private:1`], { DOCKER_CONFIG: dockerConfig });
    assert.equal(r.code, 0, r.stderr);
    const b64 = Buffer.from(`ci:${PASSWORD}`).toString('base64');
    assert.ok(!r.stdout.includes(PASSWORD) && !r.stdout.includes(b64));
    const denied = await anyarch(['platforms', `${locked.host}/acme/private:1`], { DOCKER_CONFIG: path.join(work, 'nowhere') });
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /^anyarch: .*requires a login/m);
    assert.ok(!denied.stderr.includes(PASSWORD));
  });

  test('bad input: one line per image, the other images still listed, exit 2', async () => {
    const r = await anyarch(['platforms', 'Bad/Ref', `${plain.host}/acme/api:nope`, '127.0.0.1:1/x/y:1', `${plain.host}/acme/api:1`, 'oci:/nonexistent/dir'], { ANYARCH_TEST: '1' });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /acme\/api:1\n {2}OCI index/);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('anyarch: '));
    assert.equal(lines.length, 4, r.stderr);
    assert.match(r.stderr, /"Bad\/Ref"/);
    assert.match(r.stderr, /acme\/api:nope: not found \(HTTP 404 MANIFEST_UNKNOWN\)/);
    assert.match(r.stderr, /127\.0\.0\.1:1.*(ECONNREFUSED|connection)/);
    assert.match(r.stderr, /\/nonexistent\/dir/);
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
  });

  test('progress on a terminal only, erased at the end; none in CI', async () => {
    const { platforms } = await import('./platforms.js');
    const layout = `oci:${path.join(work, 'layout')}:v1`;
    const io = (env: Record<string, string | undefined>) => {
      const err: string[] = [];
      const out: string[] = [];
      return {
        err,
        out,
        io: {
          cwd: work,
          env,
          stdout: { write: (c: string) => out.push(c), isTTY: true },
          stderr: { write: (c: string) => err.push(c), isTTY: true },
          readStdin: async () => new Uint8Array(),
        },
      };
    };
    const opts = { images: [layout, layout], format: 'text' as const, insecureRegistries: [], indexOnly: false, noTrunc: false };
    const tty = io({});
    assert.equal(await platforms(opts, tty.io), 'clean');
    assert.match(tty.err.join(''), /\r[^\n]*2\/2 images read/);
    assert.ok(tty.err.join('').endsWith('\r\u001b[K'));
    const ci = io({ CI: 'true' });
    await platforms(opts, ci.io);
    assert.equal(ci.err.join(''), '');
  });

  test('usage: no image is a usage error; --help explains sources', async () => {
    const r = await anyarch(['platforms']);
    assert.equal(r.code, 2);
    const h = await anyarch(['platforms', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /docker-archive:FILE/);
    assert.match(h.stdout, /--require/);
  });
});
