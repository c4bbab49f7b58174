/**
 * A child process of the verify benchmark (verify.ts): the bare baseline, pulling layer blobs
 * from the registry with node:http and decompressing them, the output counted and dropped.
 * Nothing else: no tar, no ELF, no hashing. What verify does on top of this is the overhead the
 * benchmark measures.
 *
 *   node verify-baseline-child.js MODE REGISTRY_URL REPOSITORY CONCURRENCY DIGEST...
 *
 * MODE: gunzip (node:zlib's createGunzip with 256 KiB output chunks, run on libuv's thread pool, so CONCURRENCY streams use
 * that many cores), gunzip-sha256 (the same, also hashing the blob and the tar as any reader
 * that checks the digest and the diff_id must), fzstd (the pure-JS zstd decoder the project uses; one thread) or zstd-cli
 * (the blob piped into `zstd -dc`, its output read and dropped) or igzip (the same through ISA-L's
 * `igzip -dc`, the gzip decoder verify uses for big layers when it is on PATH). Prints one JSON line:
 * { bytes (uncompressed), compressed, ms }.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

/** The blob's body over node:http (what anyarch's client uses; faster than fetch on the main thread). */
function body(url: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: ${res.statusCode}`));
      } else resolve(res);
    }).on('error', reject);
  });
}

async function one(mode: string, url: string): Promise<{ bytes: number; compressed: number }> {
  let bytes = 0;
  let compressed = 0;
  const src = await body(url);
  if (mode === 'gunzip' || mode === 'gunzip-sha256') {
    const hash = mode === 'gunzip-sha256';
    const blobHash = createHash('sha256');
    const tarHash = createHash('sha256');
    // the decoder's output chunk verify uses (src/oci/layer.ts): node:zlib's 16 KiB default
    // inflates 1.3-1.5x slower, which would flatter verify
    const gz = createGunzip({ chunkSize: 256 * 1024 });
    gz.on('data', (c: Buffer) => {
      bytes += c.length;
      if (hash) tarHash.update(c);
    });
    src.on('data', (c: Buffer) => {
      compressed += c.length;
      if (hash) blobHash.update(c);
    });
    await pipeline(src, gz);
    if (hash && !url.endsWith(blobHash.digest('hex'))) throw new Error(`${url}: digest mismatch`);
    if (hash) tarHash.digest();
  } else if (mode === 'fzstd') {
    const d = new Decompress((chunk) => {
      bytes += chunk.length;
    });
    for await (const c of src as AsyncIterable<Buffer>) {
      compressed += c.length;
      d.push(c);
    }
    d.push(new Uint8Array(0), true);
  } else if (mode === 'zstd-cli' || mode === 'igzip') {
    const child = spawn(mode === 'igzip' ? 'igzip' : 'zstd', ['-q', '-d', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.on('data', (c: Buffer) => (bytes += c.length));
    const closed = new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${mode} -dc exited ${code}`))));
    });
    src.on('data', (c: Buffer) => (compressed += c.length));
    await pipeline(src, child.stdin);
    await closed;
  } else throw new Error(`unknown mode ${mode}`);
  return { bytes, compressed };
}

async function main(mode: string, registry: string, repo: string, concurrency: number, digests: string[]): Promise<void> {
  const t0 = process.hrtime.bigint();
  let next = 0;
  let bytes = 0;
  let compressed = 0;
  const worker = async (): Promise<void> => {
    while (next < digests.length) {
      const d = digests[next++]!;
      const r = await one(mode, `${registry}/v2/${repo}/blobs/${d}`);
      bytes += r.bytes;
      compressed += r.compressed;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(`${JSON.stringify({ bytes, compressed, ms })}\n`);
}

const [mode, registry, repo, conc, ...digests] = process.argv.slice(2);
if (mode && registry && repo && conc && digests.length) await main(mode, registry, repo, Number(conc), digests);
