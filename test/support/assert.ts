/** Assertions and fixtures shared by the image and registry tests. */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { AnyarchError, type ErrorCode } from '../../src/errors.js';

/** Awaits `p` and asserts it fails with an AnyarchError of `code` (and a message matching `re`). */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, re?: RegExp): Promise<AnyarchError> {
  try {
    await p;
  } catch (e) {
    return expectError(e, code, re);
  }
  assert.fail(`expected ${code}`);
}

/** Runs `fn` and asserts it throws an AnyarchError of `code` (and a message matching `re`). */
export function throwsWith(fn: () => unknown, code: ErrorCode, re?: RegExp): AnyarchError {
  try {
    fn();
  } catch (e) {
    return expectError(e, code, re);
  }
  assert.fail(`expected ${code}`);
}

function expectError(e: unknown, code: ErrorCode, re: RegExp | undefined): AnyarchError {
  assert.ok(e instanceof AnyarchError, `expected an AnyarchError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return e;
}

/**
 * A temporary directory for the test file (made in `before`, removed in `after`); the function
 * returned gives a fresh path inside it per call.
 */
export function tempPaths(prefix: string): (name: string) => string {
  let dir = '';
  let n = 0;
  before(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return (name) => path.join(dir, `${n++}-${name}`);
}
