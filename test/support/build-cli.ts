/**
 * Running `anyarch build`, `assemble`, `platforms` and `verify` end to end (bin/anyarch.js, as a
 * user runs it) for the build tests, and reading what they left in the registry.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statfsSync } from 'node:fs';
import * as path from 'node:path';
import type { SmokeResult } from '../../src/smoke/types.js';
import { registryTags } from './build-fixtures.js';
import { runMeasured, type MeasuredRun } from './measured.js';
import type { TestRegistry } from './registry.js';
import { REPO_ROOT, reportsOf } from './verify-images.js';

export const EXAMPLES = path.join(REPO_ROOT, 'examples');
/** examples/zasper/offline: the Zasper Dockerfiles' test copy (Dockerfile, Dockerfile.fixed) */
export const ZASPER_OFFLINE = path.join(EXAMPLES, 'zasper', 'offline');
export const HELLO_GO = path.join(EXAMPLES, 'hello-go');
/** Debian's docker client (the `docker` first on PATH may have no BuildKit) */
export const DOCKER_CLIENT = '/usr/bin/docker';

/**
 * The environment of a CLI run: the test's own, without any DOCKER_HOST/CONTAINER_HOST unless
 * given in `extra` (so `verify --run` extracts and runs under QEMU itself), CI set (no progress),
 * no colour.
 */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1' };
  delete env.DOCKER_HOST;
  delete env.CONTAINER_HOST;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

/** `anyarch ARGS...` with `env` (default cliEnv()); builds may take minutes on a loaded machine. */
export function anyarch(args: readonly string[], env: NodeJS.ProcessEnv = cliEnv(), killAfterMs = 600_000): Promise<MeasuredRun> {
  return runMeasured(args, { env, killAfterMs });
}

/** stdout and stderr of a run, for assertion messages */
export function shown(r: MeasuredRun): string {
  return `exit ${r.code} after ${r.seconds} s\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/** The 1-based line of `file` that `re` first matches. */
export function lineOf(file: string, re: RegExp): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no line of ${file} matches ${re}`);
  return i + 1;
}

/** A copy of the directory `dir` at `to` (a context the test may change); `to`. */
export function copyContext(dir: string, to: string): string {
  cpSync(dir, to, { recursive: true });
  return to;
}

/**
 * `anyarch platforms REF --format json`: the platform names of the image, sorted, and those the
 * index's verify annotation (`dev.anyarch.verify.platforms`, written by publish after verifying)
 * marks as verified.
 */
export async function platformsOf(ref: string): Promise<{ run: MeasuredRun; names: string[]; verified: string[] }> {
  const run = await anyarch(['platforms', ref, '--format', 'json']);
  assert.equal(run.code, 0, shown(run));
  const out = JSON.parse(run.stdout) as { images: { platforms: { platform: string; verified?: boolean }[] }[] };
  const image = out.images[0];
  assert.ok(image, run.stdout);
  return {
    run,
    names: image.platforms.map((p) => p.platform).sort(),
    verified: image.platforms.filter((p) => p.verified === true).map((p) => p.platform).sort(),
  };
}

/**
 * `anyarch verify REF --run CMD --format json` (`--run-entrypoint` when `cmd` is absent) with no
 * engine in the environment: every variant verified, and its program run after being extracted,
 * a foreign platform's under `qemu-<arch>-static` named explicitly (never a binfmt handler).
 * Asserts that verify passed (exit 0), and per platform in `expect` that the run succeeded and
 * printed what it should (linux/arm64 through QEMU).
 */
export async function assertVerifiedRuns(ref: string, cmd: string | undefined, expect: Readonly<Record<string, RegExp>>): Promise<void> {
  const run = await anyarch(['verify', ref, ...(cmd === undefined ? ['--run-entrypoint'] : ['--run', cmd]), '--format', 'json']);
  assert.equal(run.code, 0, shown(run));
  const [report] = reportsOf(run.stdout);
  assert.ok(report, shown(run));
  for (const [platform, re] of Object.entries(expect)) {
    const smoke: SmokeResult | undefined = report.platforms.find((v) => v.name === platform)?.smoke;
    assert.ok(smoke, `no smoke run for ${platform}: ${shown(run)}`);
    assert.equal(smoke.ok, true, `${platform}: ${JSON.stringify(smoke)}`);
    if (platform === 'linux/arm64') assert.equal(smoke.via, 'qemu', JSON.stringify(smoke));
    assert.match(smoke.output, re, `${platform}: ${JSON.stringify(smoke)}`);
  }
}

/**
 * What a completed build leaves: `repository` in `reg` tagged `tag` (and nothing else), the
 * image `ref` listing both platforms, both marked verified by the index's annotation, and
 * `anyarch verify ref` passing with the entrypoint's run printing `expect` per platform.
 */
export async function assertPublished(reg: TestRegistry, repository: string, ref: string, expect: Readonly<Record<string, RegExp>>, tag = '1'): Promise<void> {
  assert.deepEqual(await registryTags(reg, repository), [tag]);
  const p = await platformsOf(ref);
  assert.deepEqual(p.names, ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(p.verified, ['linux/amd64', 'linux/arm64'], 'platforms shows both variants verified (the index annotation)');
  await assertVerifiedRuns(ref, undefined, expect);
}

/**
 * `start()` with the OS temporary directory on /dev/shm (tmpfs) when the machine has one, for
 * engines with vfs storage (dockerd, buildah): vfs copies every lower layer into each new one
 * (the Go toolchain images and the build steps over them come to ~1.2 GB in dockerd), and
 * removing that from a disk took ~30 s of the ~160 s build-docker.test.ts took; in memory both
 * the copies and the removal are quick.
 */
export async function onTmpfs<T>(start: () => Promise<T>): Promise<T> {
  const shm = '/dev/shm';
  let usable = false;
  try {
    usable = statfsSync(shm).type === TMPFS_MAGIC;
  } catch {
    // no /dev/shm: the usual temporary directory
  }
  if (!usable) return start();
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = shm;
  try {
    return await start();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}
/** statfs(2)'s f_type of tmpfs */
const TMPFS_MAGIC = 0x01021994;
