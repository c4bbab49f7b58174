/**
 * Targets that break on purpose, for the harness's own tests (test/support/fuzz.test.ts): a
 * property that fails on some inputs, a loop, a promise that never settles, a slow input.
 */
import fc from 'fast-check';
import { bytesCodec, type AnyTarget } from '../fuzz.js';

const bytes = fc.uint8Array({ maxLength: 64 });

export const TARGETS: readonly AnyTarget[] = [
  {
    name: 'fails-on-0x42',
    reads: 'bytes; throws a TypeError when one is 0x42',
    input: bytes,
    ...bytesCodec,
    ciRuns: 2000,
    check(b: Uint8Array) {
      if (b.includes(0x42)) (undefined as unknown as { x: number }).x.toFixed();
    },
  },
  {
    name: 'holds',
    reads: 'bytes; never fails',
    input: bytes,
    ...bytesCodec,
    ciRuns: 200,
    check() {},
  },
  {
    name: 'loops-on-0x42',
    reads: 'bytes; a synchronous loop that never ends when one is 0x42',
    input: bytes,
    ...bytesCodec,
    ciRuns: 2000,
    inputMs: 200,
    check(b: Uint8Array) {
      if (b.includes(0x42)) for (;;);
    },
  },
  {
    name: 'hangs-on-0x42',
    reads: 'bytes; a promise that never settles when one is 0x42',
    input: bytes,
    ...bytesCodec,
    ciRuns: 2000,
    inputMs: 200,
    async check(b: Uint8Array) {
      if (b.includes(0x42)) await new Promise(() => undefined);
    },
  },
];
