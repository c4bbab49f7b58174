/**
 * A layer of an opened image: its descriptor, compression, diff id and history step are known
 * without I/O; its bytes are streams read from the source each time they are asked for.
 *
 * `compressed()` is the source's stream, which fails with `E_DIGEST` at its end when the bytes
 * do not match the descriptor. `uncompressed()` decompresses it and, when the config gives a diff
 * id, fails with `E_DIGEST` at its end when the tar's digest differs. Nothing read from either
 * stream is to be trusted before it ends without an error.
 *
 * Decoders, as containerd picks them (it hands gzip to `igzip` or `unpigz` when they are on PATH):
 * gzip with ISA-L's `igzip` program when it is on PATH and the layer is at least
 * {@link IGZIP_MIN_BYTES}, else node:zlib (`ANYARCH_GZIP=zlib` or `=igzip` chooses); zstd with
 * node:zlib where the running Node has it, else the `zstd` program on PATH, else fzstd, loaded on
 * first use (`ANYARCH_ZSTD=fzstd` or `=cli` chooses). The programs run in their own processes, so
 * the main thread keeps to hashing and reading the tar.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PassThrough, Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { programOnPath } from '../fs/programs.js';
import { DigestVerifier, type Digest } from './digest.js';
import type { Descriptor, HistoryEntry } from './manifest.js';
import { layerCompression } from './media.js';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

export interface Layer {
  readonly descriptor: Descriptor;
  /** position in the manifest's `layers`, from 0 */
  readonly index: number;
  readonly mediaType: string;
  /** from the media type; undefined when it is not a layer media type anyarch can read */
  readonly compression: LayerCompression | undefined;
  /** the digest of the uncompressed tar (`rootfs.diff_ids`); undefined when the config has no diff id per layer */
  readonly diffId: Digest | undefined;
  /** the history step that made this layer; undefined when the config's history cannot be paired with the layers */
  readonly history: HistoryEntry | undefined;
  /** the layer as stored, verified against its descriptor at the stream's end */
  compressed(): Promise<Readable>;
  /** the layer's tar, verified against its diff id (when known) at the stream's end */
  uncompressed(): Promise<Readable>;
}

export interface LayerParts {
  readonly index: number;
  readonly diffId: Digest | undefined;
  readonly history: HistoryEntry | undefined;
  /** opens the source's stream of the layer */
  readonly read: () => Promise<Readable>;
  /** how messages name the layer */
  readonly what: string;
}

/** A layer over a source's stream; reads nothing until a stream is asked for. */
export function openLayer(descriptor: Descriptor, parts: LayerParts): Layer {
  const compression = layerCompression(descriptor.mediaType);
  return {
    descriptor,
    index: parts.index,
    mediaType: descriptor.mediaType,
    compression,
    diffId: parts.diffId,
    history: parts.history,
    compressed: parts.read,
    async uncompressed(): Promise<Readable> {
      if (compression === undefined) {
        throw new AnyarchError('E_MANIFEST', `${parts.what}: its media type ${descriptor.mediaType} is not a layer anyarch can decompress`, 'layers are tar, tar+gzip or tar+zstd (OCI and Docker media types)');
      }
      const decoder = await decoderFor(compression, descriptor.size);
      // an uncompressed layer's diff id is its digest, which the source's stream checks already
      const diffId = compression === 'none' && parts.diffId === descriptor.digest ? undefined : parts.diffId;
      return decompress(await parts.read(), decoder, compression, parts.what, diffId);
    },
  };
}

/**
 * Output chunk of the gzip decoder. node:zlib's default (16 KiB) makes one trip to the thread
 * pool per 16 KiB of tar; 256 KiB chunks made a layer's read (gunzip, both digests, the tar
 * walk) 1.3-1.4x faster on a 1.6 GB layer (9.1 s → 6.5 s), for 256 KiB of memory per stream.
 */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;

/**
 * Decoded bytes the gzip decoder may hold ahead of its consumer. With {@link relay}, the thread
 * pool inflates up to this much while the main thread hashes and walks what came before.
 */
export const GUNZIP_AHEAD_BYTES = 4 * GUNZIP_CHUNK_BYTES;

type ZstdModule = typeof import('fzstd');
let fzstd: Promise<ZstdModule> | undefined;

/** node:zlib's zstd decoder, where the running Node has one (22.15 and later). */
function nativeZstd(): (() => Transform) | undefined {
  const create = (zlib as unknown as Record<string, unknown>).createZstdDecompress;
  return typeof create === 'function' ? () => (create as () => Transform).call(zlib) : undefined;
}

/** Bytes a decoder program's transform buffers on each side (its input and its output). */
const PROGRAM_BUFFER_BYTES = 1024 * 1024;

/** Most bytes of a decoder program's standard error kept for a message. */
const MAX_PROGRAM_STDERR_BYTES = 1024;

/**
 * The `zstd` program on PATH (`ANYARCH_ZSTD=cli` requires it, `=fzstd` never uses it). On Node
 * 20, fzstd decodes on the main thread beside both SHA-256s; `zstd -dc` in its own process ran at
 * 1.8-2.0x fzstd's rate in the verify benchmark, the way containerd hands gzip to `unpigz`.
 */
export function zstdProgram(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ANYARCH_ZSTD === 'fzstd' ? undefined : programOnPath('zstd', env.PATH);
}

/**
 * ISA-L's `igzip` on PATH (Debian's `isal` package; `ANYARCH_GZIP=igzip` requires it, `=zlib`
 * never uses it). It inflates with 2.5x less CPU than zlib, which node:zlib is, on the benchmark
 * machine; containerd hands gzip layers to it (or `unpigz`) for that reason. `unpigz` is not
 * used: its inflate is single-threaded zlib, no faster than node:zlib's thread pool.
 */
export function igzipProgram(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ANYARCH_GZIP === 'zlib' ? undefined : programOnPath('igzip', env.PATH);
}

/**
 * The program that inflates a gzip layer of `compressedBytes`: `igzip` when it is on PATH and
 * the layer is big enough (or `ANYARCH_GZIP=igzip`, which fails without it); undefined for
 * node:zlib.
 */
export function gzipProgram(compressedBytes: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const program = igzipProgram(env);
  if (env.ANYARCH_GZIP === 'igzip' && !program) throw new AnyarchError('E_USAGE', 'ANYARCH_GZIP=igzip, but no igzip program is on PATH', 'install isal (igzip), or unset ANYARCH_GZIP');
  return program && (env.ANYARCH_GZIP === 'igzip' || compressedBytes >= IGZIP_MIN_BYTES) ? program : undefined;
}

/**
 * Layers smaller than this (compressed) are inflated by node:zlib even where `igzip` is on PATH:
 * a process costs a few milliseconds to start, which a small layer does not win back.
 */
export const IGZIP_MIN_BYTES = 4 * 1024 * 1024;

/**
 * A decoder program (`zstd -dcq`, `igzip -dcq`) in a child process as a Node transform: compressed bytes to its standard input,
 * its standard output pushed with backpressure (the child's output paused while the consumer is
 * full), the end passed on only after the program exited 0; any other exit is an error carrying
 * the first bytes of its standard error. Destroying the stream kills the program.
 */
class ProgramDecoder extends Transform {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private outEnded = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private flushed: TransformCallback | undefined;
  private failed: Error | undefined;

  constructor(
    program: string,
    private readonly name: string,
  ) {
    // room for a few of the program's 64 KiB pipe reads each way, so neither side waits on the other's every chunk
    super({ readableHighWaterMark: PROGRAM_BUFFER_BYTES, writableHighWaterMark: PROGRAM_BUFFER_BYTES });
    this.child = spawn(program, ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.on('error', (e) => this.fail(new Error(`${name}: ${e.message}`)));
    this.child.stdin.on('error', () => undefined); // the exit status tells what went wrong
    this.child.stderr.on('data', (c: Buffer) => {
      if (this.stderr.length < MAX_PROGRAM_STDERR_BYTES) this.stderr += c.toString('utf8', 0, MAX_PROGRAM_STDERR_BYTES - this.stderr.length);
    });
    this.child.stdout.on('data', (c: Buffer) => {
      if (!this.push(c)) this.child.stdout.pause();
    });
    this.child.stdout.on('end', () => {
      this.outEnded = true;
      this.settle();
    });
    this.child.on('close', (code, signal) => {
      this.exit = { code, signal };
      this.settle();
    });
  }

  override _read(size: number): void {
    this.child.stdout.resume();
    super._read(size);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.failed) return cb(this.failed);
    if (this.child.stdin.write(chunk)) cb();
    else this.child.stdin.once('drain', () => cb());
  }

  override _flush(cb: TransformCallback): void {
    this.flushed = cb;
    this.child.stdin.end();
    this.settle();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
    cb(err);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    if (this.flushed) {
      const cb = this.flushed;
      this.flushed = undefined;
      cb(e);
    } else this.destroy(e);
  }

  private settle(): void {
    if (this.exit === undefined || (this.exit.code === 0 && !this.outEnded)) return;
    if (this.exit.code !== 0) {
      const why = this.exit.signal ? `killed by ${this.exit.signal}` : `exit status ${this.exit.code}`;
      const said = this.stderr.trim().split('\n')[0];
      this.fail(new Error(`${this.name}: ${why}${said ? `: ${said}` : ''}`));
      return;
    }
    if (this.flushed) {
      const cb = this.flushed;
      this.flushed = undefined;
      cb();
    }
  }
}

/** fzstd's streaming decoder as a Node transform. */
class FzstdDecoder extends Transform {
  private readonly decoder: InstanceType<ZstdModule['Decompress']>;

  constructor(mod: ZstdModule) {
    super();
    this.decoder = new mod.Decompress((data) => {
      if (data.length > 0) this.push(data);
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.decoder.push(chunk);
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }
}

async function decoderFor(compression: LayerCompression, compressedBytes: number): Promise<() => Transform> {
  switch (compression) {
    case 'gzip': {
      const program = gzipProgram(compressedBytes);
      if (program) return () => new ProgramDecoder(program, 'igzip');
      // node:zlib passes stream options on to its Transform; @types/node does not declare them
      return () => zlib.createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES, readableHighWaterMark: GUNZIP_AHEAD_BYTES } as zlib.ZlibOptions);
    }
    case 'none':
      return () => new PassThrough();
    case 'zstd': {
      const choice = process.env.ANYARCH_ZSTD;
      const native = choice === undefined || choice === '' || choice === 'native' ? nativeZstd() : undefined;
      if (native) return native;
      const program = choice === 'fzstd' ? undefined : zstdProgram();
      if (program) return () => new ProgramDecoder(program, 'zstd');
      if (choice === 'cli') throw new AnyarchError('E_USAGE', 'ANYARCH_ZSTD=cli, but no zstd program is on PATH', 'install zstd, or unset ANYARCH_ZSTD');
      fzstd ??= import('fzstd');
      const mod = await fzstd;
      return () => new FzstdDecoder(mod);
    }
  }
}

/**
 * `compressed` through a decoder, then (with a diff id) through a digest check. A decoder that
 * fails usually means altered bytes: the compressed stream is then read to its end, where the
 * source checks its digest, so that case is `E_DIGEST`; otherwise the layer is not what its media
 * type says (`E_SOURCE`). A consumer that stops early releases the source's stream.
 */
function decompress(compressed: Readable, newDecoder: () => Transform, compression: LayerCompression, what: string, diffId: Digest | undefined): Readable {
  const decoder = newDecoder();
  const out: Transform = diffId ? new DigestVerifier(diffId, `${what}: uncompressed content (diff id)`) : new PassThrough();
  let settled = false;
  const fail = (e: Error): void => {
    if (settled) return;
    settled = true;
    out.destroy(e);
    decoder.destroy();
    compressed.destroy();
  };
  compressed.on('error', (e) => fail(isAnyarchError(e) ? e : new AnyarchError('E_SOURCE', `${what}: cannot be read (${e.message})`)));
  decoder.on('error', (e) => {
    if (settled) return;
    compressed.unpipe(decoder);
    const notValid = new AnyarchError('E_SOURCE', `${what}: not valid ${compression} data (${e.message})`, 'the layer is not what its media type says');
    if (compressed.readableEnded) {
      fail(notValid); // the source's check at the end passed: the bytes are the published ones
      return;
    }
    // the source's check at the end decides: altered bytes (E_DIGEST, via 'error') or a bad layer
    compressed.on('end', () => fail(notValid));
    compressed.on('data', () => undefined);
    compressed.resume();
  });
  out.on('error', () => {
    settled = true;
  });
  out.on('close', () => {
    if (!compressed.destroyed && !compressed.readableEnded) compressed.destroy();
    if (!decoder.destroyed) decoder.destroy();
  });
  compressed.pipe(decoder);
  relay(decoder, out);
  return out;
}

/**
 * `from.pipe(to)` without running `to`'s work inside `from`'s push. node:zlib pushes a decoded
 * chunk and only then hands the thread pool its next piece of work; a piped consumer runs inside
 * that push (the diff id's SHA-256, the tar walk, the ELF reads), so the main thread and the pool
 * took turns. Read in paused mode, `read()` asks the decoder for more before this loop works on
 * the chunk it returned, so both run at once: gunzip + SHA-256 of a 760 MB tar went from 0.85x
 * to 0.96x a bare gunzip's rate (medians of 5 runs on the benchmark machine).
 * `to`'s backpressure is kept (reading stops until it drains); `from`'s end ends `to`; errors and
 * destruction stay with the caller.
 */
function relay(from: Readable, to: Writable): void {
  let draining = false;
  const flow = (): void => {
    if (draining) return;
    let chunk: unknown;
    while ((chunk = from.read()) !== null) {
      if (!to.write(chunk)) {
        draining = true;
        to.once('drain', () => {
          draining = false;
          flow();
        });
        return;
      }
    }
  };
  from.on('readable', flow);
  from.on('end', () => to.end());
}
