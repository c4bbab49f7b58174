import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { NotRegularFileError, TooLargeError, formatBytes, readAtMost, readRegularFile, readRegularFileSync } from './bounded-read.js';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'anyarch-bounded-read-'));
}

/** Both readers give the same answer: the bytes, or an error of the same class and message. */
async function readBoth(file: string, limit: number): Promise<Buffer | Error> {
  let sync: Buffer | Error;
  let asyncResult: Buffer | Error;
  try {
    sync = readRegularFileSync(file, limit);
  } catch (e) {
    sync = e as Error;
  }
  try {
    asyncResult = await readRegularFile(file, limit);
  } catch (e) {
    asyncResult = e as Error;
  }
  if (sync instanceof Error) {
    assert.ok(asyncResult instanceof Error && asyncResult.constructor === sync.constructor, `${file}: sync ${sync.message}, async ${String(asyncResult)}`);
    assert.equal(asyncResult.message, sync.message);
  } else {
    assert.deepEqual(asyncResult, sync);
  }
  return sync;
}

describe('readRegularFile', () => {
  test('a regular file up to the limit is read whole; one byte more is TooLargeError with its size', async () => {
    const d = dir();
    const file = path.join(d, 'f');
    writeFileSync(file, 'x'.repeat(100));
    assert.equal(((await readBoth(file, 100)) as Buffer).toString(), 'x'.repeat(100));
    const e = await readBoth(file, 99);
    assert.ok(e instanceof TooLargeError);
    assert.deepEqual([e.limit, e.size, e.code, e.message], [99, 100, 'ETOOLARGE', 'larger than 99 bytes']);
  });

  test('a 2 GB sparse file is refused by its size', async () => {
    const file = path.join(dir(), 'sparse');
    closeSync(openSync(file, 'w'));
    truncateSync(file, 2 * 1024 * 1024 * 1024);
    const e = await readBoth(file, 4 * 1024 * 1024);
    assert.ok(e instanceof TooLargeError);
    assert.equal(e.size, 2 * 1024 * 1024 * 1024);
    assert.equal(e.message, 'larger than 4 MiB');
  });

  test('a file that says it is empty but is not (procfs) is read to its end, and stops at the limit', async () => {
    // /proc/self/cmdline is a regular file of size 0 holding this process's arguments
    const whole = await readBoth('/proc/self/cmdline', 1024 * 1024);
    assert.ok(whole instanceof Buffer && whole.length > 10, String(whole));
    assert.ok(whole.toString().includes('\0'), 'NUL-separated arguments');
    const e = await readBoth('/proc/self/cmdline', 10);
    assert.ok(e instanceof TooLargeError);
    assert.equal(e.size, undefined);
  });

  test('FIFOs, sockets, devices and links to them are refused, never opened (a FIFO would block)', async () => {
    const d = dir();
    execFileSync('mkfifo', [path.join(d, 'fifo')]);
    symlinkSync(path.join(d, 'fifo'), path.join(d, 'link'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(d, 'socket'), resolve));
    try {
      const kinds: [string, string][] = [
        [path.join(d, 'fifo'), 'a named pipe (FIFO)'],
        [path.join(d, 'link'), 'a named pipe (FIFO)'],
        [path.join(d, 'socket'), 'a socket'],
        ['/dev/zero', 'a character device'],
        ['/dev/null', 'a character device'],
      ];
      for (const [file, kind] of kinds) {
        const e = await readBoth(file, 1024);
        assert.ok(e instanceof NotRegularFileError, `${file}: ${String(e)}`);
        assert.deepEqual([e.kind, e.code, e.message], [kind, 'ENOTREGULAR', `${kind}, not a regular file`]);
      }
    } finally {
      server.close();
    }
  });

  test('a directory is EISDIR; a missing file is the system error', async () => {
    const d = dir();
    const e = await readBoth(d, 1024);
    assert.ok(e instanceof NotRegularFileError);
    assert.equal(e.code, 'EISDIR');
    const missing = await readBoth(path.join(d, 'nope'), 1024);
    assert.equal((missing as NodeJS.ErrnoException).code, 'ENOENT');
  });
});

describe('readAtMost', () => {
  test('an endless stream: stops one byte past the limit, having taken no more than one chunk beyond it', async () => {
    let taken = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        taken += 65536;
        yield new Uint8Array(65536).fill(0x79);
      }
    }
    const got = await readAtMost(endless(), 1_000_000);
    assert.equal(got.length, 1_000_001);
    assert.ok(taken <= 1_000_001 + 65536, `${taken} bytes taken`);
  });

  test('a short stream is read whole, strings and bytes alike', async () => {
    async function* parts(): AsyncGenerator<Uint8Array | string> {
      yield 'FROM ';
      yield new TextEncoder().encode('alpine\n');
    }
    assert.equal((await readAtMost(parts(), 100)).toString(), 'FROM alpine\n');
    assert.equal((await readAtMost(parts(), 12)).toString(), 'FROM alpine\n');
    assert.equal((await readAtMost(parts(), 11)).length, 12);
  });
});

test('formatBytes', () => {
  assert.deepEqual([formatBytes(4 << 20), formatBytes(64 << 10), formatBytes(1000)], ['4 MiB', '64 KiB', '1000 bytes']);
});
