/**
 * The rootfs tar walk against bare gunzip, on one generated tar of mixed files (many small, some
 * large; 500 MB by default), everything in memory so only the code under test is timed:
 *
 *   node dist/bench/rootfs.js [--mb 500] [--runs 3] [--chunk 65536] [--tar FILE]
 *
 * `--tar FILE` measures an existing (uncompressed) tar instead, e.g. `tar -cf usr.tar /usr`.
 *
 * Rows: readTar with a consumer that keeps nothing (the walk itself), scanLayer with an inspector
 * that keeps nothing, scanLayer with an inspector that reads the first 64 bytes of every file (as
 * an ELF probe does), tar-stream's extract (the common Node library) skipping every body,
 * zlib.createGunzip over the gzipped tar (MB/s of uncompressed output), and that scan behind
 * gunzip (the layer pipeline: its time against bare gunzip's is what the tar walk costs). Prints a Markdown table
 * and one JSON line (`"bench": "anyarch-rootfs"`). Always exits 0.
 */
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import { readTar } from '../src/rootfs/tar.js';
import { scanLayer } from '../src/rootfs/layer-scan.js';
import type { Capture } from '../src/rootfs/types.js';
import { concat, entryBlocks } from '../test/support/rootfs-tar.js';

interface Opts {
  tar: string | undefined;
  mb: number;
  runs: number;
  chunk: number;
}

function parse(argv: readonly string[]): Opts {
  const o: Opts = { tar: undefined, mb: 500, runs: 3, chunk: 65536 };
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    if (argv[i] === '--tar') o.tar = argv[i + 1];
    else if (argv[i] === '--mb') o.mb = v;
    else if (argv[i] === '--runs') o.runs = v;
    else if (argv[i] === '--chunk') o.chunk = v;
    else continue;
    i++;
  }
  return o;
}

/** A deterministic mixed tree: ~half the bytes in small files (100 B to 8 KiB), half in 8 MiB files. */
function generate(totalMb: number): Buffer {
  let seed = 1;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  // compressible but not trivial content: words from a small dictionary
  const words = ['lib', 'usr', 'share', 'ELF', 'x86_64', 'aarch64', 'python3', 'node_modules', 'index', 'README', '\n', ' ', '{', '}', 'const', 'return'];
  const text = Buffer.from(Array.from({ length: 1 << 20 }, () => words[Math.floor(rnd() * words.length)]).join(''));
  const parts: Uint8Array[] = [];
  const total = totalMb * 1024 * 1024;
  let bytes = 0;
  let n = 0;
  const half = total / 2;
  while (bytes < half) {
    const size = 100 + Math.floor(rnd() * 8092);
    const from = Math.floor(rnd() * (text.length - size));
    const dir = `usr/lib/pkg${n % 500}/sub${n % 7}`;
    for (const b of entryBlocks({ name: `${dir}/file-${n}.txt`, body: text.subarray(from, from + size) })) parts.push(b);
    bytes += size + 512;
    n++;
  }
  while (bytes < total) {
    const size = 8 * 1024 * 1024;
    const body = Buffer.allocUnsafe(size);
    for (let off = 0; off < size; off += text.length) text.copy(body, off, 0, Math.min(text.length, size - off));
    for (const b of entryBlocks({ name: `opt/big/blob-${n}.bin`, body })) parts.push(b);
    bytes += size + 512;
    n++;
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

function views(buf: Buffer, chunk: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) out.push(buf.subarray(i, Math.min(buf.length, i + chunk)));
  return out;
}

async function time(runs: number, f: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    await f();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return best;
}

class Head implements Capture<number> {
  private got = 0;
  push(chunk: Uint8Array): boolean {
    this.got += Math.min(64 - this.got, chunk.length);
    return this.got < 64;
  }
  finish(): number {
    return this.got;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const o = parse(argv);
  const tar = o.tar ? readFileSync(o.tar) : generate(o.mb);
  const gz = zlib.gzipSync(tar, { level: 6 });
  const chunks = views(tar, o.chunk);
  const gzChunks = views(gz, o.chunk);
  const mb = tar.length / 1e6;
  let entries = 0;
  const rows: [string, number][] = [];

  const walk = await time(o.runs, async () => {
    entries = (await readTar(Readable.from(chunks), () => undefined)).entries;
  });
  rows.push(['readTar, nothing kept (the walk)', walk]);
  rows.push(['scanLayer, inspector keeps nothing', await time(o.runs, () => scanLayer(Readable.from(chunks), () => undefined))]);
  rows.push(['scanLayer, first 64 bytes of every file', await time(o.runs, () => scanLayer(Readable.from(chunks), () => new Head()))]);
  rows.push([
    'tar-stream extract, every body skipped',
    await time(1, async () => {
      const ex = tarStream.extract();
      ex.on('entry', (_h, stream, next) => {
        stream.on('end', next);
        stream.resume();
      });
      await pipeline(Readable.from(chunks), ex);
    }),
  ]);
  const gunzip = await time(o.runs, () =>
    pipeline(
      Readable.from(gzChunks),
      zlib.createGunzip(),
      new Writable({
        write(_c, _e, cb) {
          cb();
        },
      }),
    ),
  );
  rows.push(['zlib.createGunzip (MB/s of tar out)', gunzip]);
  rows.push(['zlib.createGunzip → scanLayer, first 64 bytes of every file', await time(o.runs, () => scanLayer(Readable.from(gzChunks).pipe(zlib.createGunzip()), () => new Head()))]);

  const lines = [
    '## rootfs tar walk',
    '',
    `${o.tar ?? 'generated'}: ${mb.toFixed(0)} MB tar, ${entries} entries, gzip ${(gz.length / 1e6).toFixed(0)} MB, ${o.chunk}-byte chunks, best of ${o.runs}, Node ${process.version}`,
    '',
    '| what | seconds | MB/s | × gunzip |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([what, s]) => `| ${what} | ${s.toFixed(3)} | ${(mb / s).toFixed(0)} | ${(gunzip / s).toFixed(1)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({ bench: 'anyarch-rootfs', node: process.version, mb: Math.round(mb), entries, rows: rows.map(([what, s]) => ({ what, seconds: +s.toFixed(3), mbPerS: Math.round(mb / s) })), walkOverGunzip: +(gunzip / walk).toFixed(1) })}\n`,
  );
}

await main(process.argv.slice(2));
