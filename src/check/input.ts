/** Turning bytes into Dockerfile text, refusing what is not a Dockerfile. */
import { splitBom } from '../dockerfile/text.js';
import { AnyarchError } from '../errors.js';
import { NotRegularFileError, TooLargeError } from '../fs/bounded-read.js';
import { errnoReason } from '../fs/errno.js';

/**
 * The largest Dockerfile anyarch reads (files and standard input alike); real ones are far below
 * 100 KiB. Reading stops here: a larger input is refused (E_INPUT) after at most this many bytes.
 */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** The E_INPUT error for an input larger than `MAX_INPUT_BYTES` (`size` when it is known). */
export function inputTooLarge(file: string, size?: number): AnyarchError {
  return new AnyarchError(
    'E_INPUT',
    size === undefined
      ? `larger than ${MAX_INPUT_BYTES / 1048576} MiB, the most anyarch reads from a Dockerfile`
      : `file is ${(size / 1048576).toFixed(1)} MiB; anyarch reads Dockerfiles up to ${MAX_INPUT_BYTES / 1048576} MiB`,
    'Is this really a Dockerfile? Exclude it with `ignore:` in .anyarch.yaml.',
    { file },
  );
}

/**
 * The E_INPUT error for a Dockerfile that could not be read: too large, a special file (which
 * `readRegularFile` refuses without opening), or the system's reason.
 */
export function inputReadError(file: string, e: unknown): AnyarchError {
  if (e instanceof TooLargeError) return inputTooLarge(file, e.size);
  if (e instanceof NotRegularFileError && e.code !== 'EISDIR') {
    const hint = 'Special files (FIFOs, devices, sockets) are never opened; name the Dockerfile itself, or pass - and redirect standard input.';
    return new AnyarchError('E_INPUT', `not a regular file: ${e.kind}`, hint, { file });
  }
  return new AnyarchError('E_INPUT', `cannot read file: ${errnoReason(e)}`, undefined, { file });
}

/** One decoder for every file (a `decode` without `stream` keeps no state); making one per file cost 40 µs. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a Dockerfile's bytes as UTF-8. Throws AnyarchError E_INPUT for files that are too
 * large, binary (a NUL byte), UTF-16/32 encoded, or not valid UTF-8 (with the line and column of
 * the first bad byte).
 */
export function decodeDockerfile(bytes: Uint8Array, file: string): string {
  // a reader that stopped at the limit hands over MAX_INPUT_BYTES + 1 bytes: the true size is unknown
  if (bytes.length > MAX_INPUT_BYTES) throw inputTooLarge(file, bytes.length > MAX_INPUT_BYTES + 1 ? bytes.length : undefined);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new AnyarchError('E_INPUT', 'file is UTF-16 encoded; Dockerfiles must be UTF-8', 'Convert it with `iconv -f UTF-16 -t UTF-8`.', { file });
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, column } = lineColOfByte(bytes, nul);
    throw new AnyarchError('E_INPUT', 'binary file (NUL byte): not a Dockerfile', undefined, { file, line, column });
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const { line, column } = lineColOfByte(bytes, bad);
    throw new AnyarchError('E_INPUT', 'invalid UTF-8', 'Dockerfiles must be UTF-8 text.', { file, line, column });
  }
}

/**
 * The text the rules see: decoded (`decodeDockerfile`'s errors) and without a byte order mark —
 * positions refer to `source`; `bom` is kept to write a fix back.
 */
export function dockerfileText(bytes: Uint8Array, file: string): { readonly bom: string; readonly source: string } {
  return splitBom(decodeDockerfile(bytes, file));
}

function lineColOfByte(bytes: Uint8Array, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: at - start + 1 };
}

/** Byte offset of the first invalid UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    let n = 0;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) n = 2;
    else if (c >= 0xf0 && c <= 0xf4) n = 3;
    else return i;
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
    }
    // overlongs / surrogates / > U+10FFFF
    if (n === 2) {
      const c1 = b[i + 1] as number;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return i;
    } else if (n === 3) {
      const c1 = b[i + 1] as number;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    }
    i += n + 1;
  }
  return b.length;
}
