/**
 * Pushing streams: a generated 1 GiB layer (never held whole, by the generator or by anyarch)
 * goes to the real registry from a child process whose peak RSS `/usr/bin/time` measures from
 * outside; the registry's stored blob is then checked (HEAD: digest and size).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';

// dist/src/registry/push-large.test.js -> dist/test/support/push-large-blob.js
const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'support', 'push-large-blob.js');
const TIME = '/usr/bin/time';
const GIB = 1024 * 1024 * 1024;
/** Peak RSS allowed for the pushing process: Node itself takes ~50 MB; a blob held whole would take 1 GiB. */
const MAX_RSS_MB = 250;

interface Pushed {
  digest: string;
  size: number;
  how: string;
  hashSeconds: number;
  pushSeconds: number;
  peakRssMb: number;
}

/** Runs the child under /usr/bin/time; its JSON line and its peak RSS (MB). */
function pushInChild(reg: TestRegistry, repository: string, size: number, chunkSize?: number): Promise<Pushed> {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-push-large-'));
  const rssFile = path.join(dir, 'rss');
  const args = ['-f', '%M', '-o', rssFile, process.execPath, CHILD, reg.host, repository, String(size), ...(chunkSize ? [String(chunkSize)] : [])];
  return new Promise<Pushed>((resolve, reject) => {
    const child = spawn(TIME, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`push child exited ${code}: ${err}`);
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        assert.ok(Number.isFinite(kb) && kb > 0, `peak RSS from /usr/bin/time: ${readFileSync(rssFile, 'utf8')}`);
        resolve({ ...(JSON.parse(out) as Omit<Pushed, 'peakRssMb'>), peakRssMb: Math.round(kb / 1024) });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** The registry's HEAD of the blob: its Docker-Content-Digest and Content-Length. */
async function headBlob(reg: TestRegistry, repository: string, digest: string): Promise<{ status: number; digest: string | null; size: number }> {
  const res = await fetch(`${reg.url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  return { status: res.status, digest: res.headers.get('docker-content-digest'), size: Number(res.headers.get('content-length')) };
}

describe('pushing a 1 GiB layer streams it in bounded memory', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry();
  });
  after(async () => reg?.stop());

  test('monolithic PUT: peak RSS under the bound; the registry holds the blob (digest, size)', { timeout: 300_000 }, async (t) => {
    const pushed = await pushInChild(reg, 'large/mono', GIB);
    t.diagnostic(`1 GiB monolithic push: ${pushed.pushSeconds} s (digest first: ${pushed.hashSeconds} s), peak RSS ${pushed.peakRssMb} MB`);
    assert.equal(pushed.how, 'uploaded');
    assert.ok(pushed.peakRssMb < MAX_RSS_MB, `peak RSS ${pushed.peakRssMb} MB`);
    assert.deepEqual(await headBlob(reg, 'large/mono', pushed.digest), { status: 200, digest: pushed.digest, size: GIB });
  });

  test('chunked PATCHes of 32 MiB: peak RSS under the bound; the registry holds the blob', { timeout: 300_000 }, async (t) => {
    const pushed = await pushInChild(reg, 'large/chunked', GIB, 32 * 1024 * 1024);
    t.diagnostic(`1 GiB chunked push (32 MiB chunks): ${pushed.pushSeconds} s, peak RSS ${pushed.peakRssMb} MB`);
    assert.equal(pushed.how, 'uploaded');
    assert.ok(pushed.peakRssMb < MAX_RSS_MB, `peak RSS ${pushed.peakRssMb} MB`);
    assert.deepEqual(await headBlob(reg, 'large/chunked', pushed.digest), { status: 200, digest: pushed.digest, size: GIB });
  });
});
