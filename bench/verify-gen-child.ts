/**
 * A child process of the verify benchmark (verify.ts): generates the layers of one platform of
 * the big image, streaming (the uncompressed tar is never held), and writes them as blobs of an
 * OCI layout: gzip'd by Node's zlib at the default level (as BuildKit's Go gzip would, roughly)
 * and, when asked, the same tars zstd-compressed by the `zstd` CLI (-3, its default).
 *
 *   node verify-gen-child.js BLOBS_DIR ARCH SEED ZSTD(0|1) MIB[,MIB...]
 *
 * Prints one JSON line: per layer { diffId, bytes, files, elves, gzip: {digest,size}, zstd? }.
 *
 * The content is realistic in compressibility: whole real ELF files of the platform (Go programs
 * cross-compiled with golang-go and Debian's busybox-static, test/support/real-binaries.ts),
 * JavaScript text (TypeScript's own lib, which compresses about 4:1) and incompressible bytes
 * (as images carry compressed assets), about 45/35/20 by bytes, in files of 512 bytes to 2 MiB (about 6000 files a GiB).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once, type EventEmitter } from 'node:events';
import { createWriteStream, readFileSync, readdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { busyboxStatic, goBinary, type GoPlatform } from '../test/support/real-binaries.js';
import { tarHeader } from '../test/support/verify-images.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A small deterministic PRNG (mulberry32): the same seed, the same layout of files. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  end(): Promise<{ digest: string; size: number }>;
}

/** Compressed output to a temporary file under BLOBS_DIR, renamed to its digest at the end. */
function fileSink(blobs: string, tmpName: string, input: NodeJS.WritableStream, output: NodeJS.ReadableStream, done?: Promise<void>): Sink {
  const tmp = path.join(blobs, tmpName);
  const out = createWriteStream(tmp);
  const hash = createHash('sha256');
  let size = 0;
  output.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
  });
  output.pipe(out);
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
    output.on('error', reject);
  });
  return {
    async write(chunk) {
      if (!input.write(chunk)) await once(input as unknown as EventEmitter, 'drain');
    },
    async end() {
      input.end();
      await closed;
      await done;
      const digest = `sha256:${hash.digest('hex')}`;
      renameSync(tmp, path.join(blobs, digest.slice(7)));
      return { digest, size };
    },
  };
}

function gzipSink(blobs: string, name: string): Sink {
  const gz = createGzip({ level: 6 });
  return fileSink(blobs, `${name}.gz.tmp`, gz, gz);
}

function zstdSink(blobs: string, name: string): Sink {
  const child = spawn('zstd', ['-q', '-3', '-T1', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`zstd exited ${code}`))));
  });
  return fileSink(blobs, `${name}.zst.tmp`, child.stdin, child.stdout, exited);
}

function textPool(): Uint8Array {
  const lib = path.join(REPO, 'node_modules', 'typescript', 'lib');
  const files = readdirSync(lib).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts')).sort();
  const parts: Buffer[] = [];
  let total = 0;
  for (const f of files) {
    if (total > 24 << 20) break;
    const b = readFileSync(path.join(lib, f));
    parts.push(b);
    total += b.length;
  }
  return Buffer.concat(parts);
}

async function generate(blobs: string, arch: 'amd64' | 'arm64', seed: number, zstd: boolean, mibs: number[]): Promise<void> {
  const platform = `linux/${arch}` as GoPlatform & ('linux/amd64' | 'linux/arm64');
  const elves = [goBinary(platform), busyboxStatic(platform)];
  const text = textPool();
  const random = randomBytes(16 << 20);
  const rand = prng(seed);
  const layers = [];
  for (const [li, mib] of mibs.entries()) {
    const target = mib * 1024 * 1024;
    const sinks = [gzipSink(blobs, `${arch}-${li}`), ...(zstd ? [zstdSink(blobs, `${arch}-${li}`)] : [])];
    const hash = createHash('sha256');
    let bytes = 0;
    let files = 0;
    let elfCount = 0;
    const emit = async (chunk: Uint8Array): Promise<void> => {
      hash.update(chunk);
      bytes += chunk.length;
      await Promise.all(sinks.map((s) => s.write(chunk)));
    };
    const dirs = new Set<string>();
    while (bytes < target) {
      const r = rand();
      let data: Uint8Array;
      let name: string;
      const dir = `usr/lib/bench${li}/d${Math.floor(files / 200)}`;
      if (!dirs.has(dir)) {
        dirs.add(dir);
        await emit(tarHeader(`${dir}/`, '5', 0, '', 0o755));
      }
      // the first file is an ELF: the config's Cmd names it (/usr/lib/bench0/d0/tool0)
      const elf = r < 0.05 || files === 0;
      if (elf) {
        data = elves[files % elves.length]!;
        name = `${dir}/tool${files}`;
        elfCount++;
      } else if (r < 0.65) {
        const len = 1024 + Math.floor(rand() * 200 * 1024);
        const at = Math.floor(rand() * (text.length - len));
        data = text.subarray(at, at + len);
        name = `${dir}/file${files}.js`;
      } else if (r < 0.785) {
        const len = 1024 + Math.floor(rand() * 512 * 1024);
        const at = Math.floor(rand() * (random.length - len));
        data = random.subarray(at, at + len);
        name = `${dir}/asset${files}.bin`;
      } else {
        const len = 512 + Math.floor(rand() * 16 * 1024);
        const at = Math.floor(rand() * (text.length - len));
        data = text.subarray(at, at + len);
        name = `${dir}/README${files}.md`;
      }
      files++;
      await emit(tarHeader(name, '0', data.length, '', elf ? 0o755 : 0o644));
      await emit(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) await emit(new Uint8Array(pad));
    }
    await emit(new Uint8Array(1024));
    const [gz, zst] = await Promise.all(sinks.map((s) => s.end()));
    layers.push({ diffId: `sha256:${hash.digest('hex')}`, bytes, files, elves: elfCount, gzip: gz, ...(zst ? { zstd: zst } : {}) });
  }
  process.stdout.write(`${JSON.stringify({ arch, layers })}\n`);
}

const [blobs, arch, seed, zstd, sizes] = process.argv.slice(2);
if (blobs && (arch === 'amd64' || arch === 'arm64') && seed && zstd && sizes) {
  await generate(blobs, arch, Number(seed), zstd === '1', sizes.split(',').map(Number));
}
