/**
 * Content digests (OCI image-spec `descriptor.md`): `<algorithm>:<encoded>`, sha256 and sha512
 * registered, lower-case hex. Everything anyarch reads from a source is checked against the
 * digest it was asked for; a mismatch is an `E_DIGEST` error, never a silent accept.
 */
import type { Hash } from 'node:crypto';
import { createHash } from '../fs/hash.js';
import { Transform, type TransformCallback } from 'node:stream';
import { AnyarchError } from '../errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** A digest string in canonical form, e.g. `sha256:e3b0c442…`. */
export type Digest = `${DigestAlgorithm}:${string}`;

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** True when `s` is a well-formed digest of a registered algorithm (sha256, sha512). */
export function isDigest(s: string): s is Digest {
  const m = DIGEST_RE.exec(s);
  if (!m) return false;
  const alg = m[1] as DigestAlgorithm;
  const len = HEX_LENGTH[alg];
  return len !== undefined && (m[2] as string).length === len && /^[0-9a-f]+$/.test(m[2] as string);
}

/** Parses a digest; throws `E_DIGEST` naming it when it is malformed or of an unsupported algorithm. */
export function parseDigest(s: string, what = 'digest'): { algorithm: DigestAlgorithm; hex: string; digest: Digest } {
  const m = DIGEST_RE.exec(s);
  if (!m) throw new AnyarchError('E_DIGEST', `${what} "${s}" is not a digest (expected algorithm:hex, e.g. sha256:…)`);
  const alg = m[1] as string;
  if (!(alg in HEX_LENGTH)) throw new AnyarchError('E_DIGEST', `${what} "${s}" uses the unsupported algorithm "${alg}" (sha256 and sha512 are supported)`);
  const hex = m[2] as string;
  if (hex.length !== HEX_LENGTH[alg as DigestAlgorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw new AnyarchError('E_DIGEST', `${what} "${s}" is malformed: ${alg} needs ${HEX_LENGTH[alg as DigestAlgorithm]} lower-case hex digits`);
  }
  return { algorithm: alg as DigestAlgorithm, hex, digest: s as Digest };
}

/** `sha256:` and the first 12 hex digits, as Docker shows digests (the whole string if it is no digest). */
export function shortDigest(d: string): string {
  const i = d.indexOf(':');
  return i === -1 ? d : d.slice(0, i + 13);
}

/** The digest of `bytes` (sha256 unless another algorithm is named). */
export function digestOf(bytes: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws `E_DIGEST` unless `bytes` hash to `expected` (in `expected`'s own algorithm). */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  const { algorithm } = parseDigest(expected, `digest of ${what}`);
  const actual = digestOf(bytes, algorithm);
  if (actual !== expected) {
    throw new AnyarchError('E_DIGEST', `${what}: content digest ${actual} does not match the expected ${expected}`, 'the content was altered in transit or in storage; nothing was used');
  }
}

/**
 * A pass-through stream that hashes what flows through and counts bytes. At the end it fails
 * with `E_DIGEST` when the digest differs, or `E_DIGEST` when the size differs from
 * `expectedSize` (if given). Readers see every byte before the check, so a consumer must treat
 * the data as untrusted until the stream ends without error.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private readonly algorithm: DigestAlgorithm;
  private seen = 0;

  constructor(
    private readonly expected: string,
    private readonly what: string,
    private readonly expectedSize?: number,
  ) {
    super();
    this.algorithm = parseDigest(expected, `digest of ${what}`).algorithm;
    this.hash = createHash(this.algorithm);
  }

  /** bytes seen so far */
  get bytes(): number {
    return this.seen;
  }

  /**
   * Whether this stream checks `digest` and exactly `size` bytes: a consumer that needs that
   * check of what it reads (an upload) can take this stream's word for it instead of hashing
   * again.
   */
  checks(digest: string, size: number): boolean {
    return this.expected === digest && this.expectedSize === size;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.expectedSize !== undefined && this.seen > this.expectedSize) {
      cb(new AnyarchError('E_DIGEST', `${this.what}: more than the ${this.expectedSize} bytes its descriptor declares`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.expectedSize !== undefined && this.seen !== this.expectedSize) {
      cb(new AnyarchError('E_DIGEST', `${this.what}: ${this.seen} bytes, but its descriptor declares ${this.expectedSize}`));
      return;
    }
    const actual = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      cb(new AnyarchError('E_DIGEST', `${this.what}: content digest ${actual} does not match the expected ${this.expected}`, 'the content was altered in transit or in storage'));
      return;
    }
    cb();
  }
}
