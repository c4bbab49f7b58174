/**
 * The fuzz harness itself, on targets that break on purpose (fuzz-fixtures/targets.ts): a failure
 * is found, shrunk to the smallest input and written where it replays; a synchronous loop is
 * stopped by the watchdog and a promise that never settles by the deadline, each naming its input;
 * the run goes on with the next target; a fixed seed gives the same run; the command line.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fuzzMain, mutateBytes, runJobs, writeFailure, type RunResult } from './fuzz.js';

const FIXTURES = new URL('./fuzz-fixtures/targets.js', import.meta.url).href;
const run = (names: readonly string[], seed = 1): Promise<RunResult[]> => runJobs(names.map((name) => ({ name, opts: { seed } })), undefined, FIXTURES);

describe('fuzz harness', () => {
  test('a failing property is found, shrunk to the one byte that breaks it, and replays from its file', async () => {
    const [r] = await run(['fails-on-0x42']);
    assert.ok(r?.failed);
    assert.deepEqual([...(r.counterexample ?? [])], [0x42]);
    assert.match(r.error ?? '', /Cannot read properties of undefined/);
    const dir = await mkdtemp(path.join(tmpdir(), 'anyarch-fuzz-test-'));
    try {
      const file = writeFailure(r, dir) as string;
      assert.deepEqual([...(await readFile(file))], [0x42]);
      const [again] = await runJobs([{ name: 'fails-on-0x42', opts: { seed: 0, replay: new Uint8Array(await readFile(file)) } }], undefined, FIXTURES);
      assert.equal(again?.failed, true);
      assert.equal(again?.inputs, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the same seed gives the same run, and the path regenerates the failure', async () => {
    const [a] = await run(['fails-on-0x42'], 7);
    const [b] = await run(['fails-on-0x42'], 7);
    assert.equal(a?.inputs, b?.inputs);
    assert.equal(a?.path, b?.path);
    const [c] = await runJobs([{ name: 'fails-on-0x42', opts: { seed: 7, path: a?.path as string } }], undefined, FIXTURES);
    assert.ok(c?.failed);
    assert.deepEqual([...(c.counterexample ?? [])], [...(a?.counterexample ?? [])]);
  });

  test('a loop is stopped by the watchdog, naming its input, and the next target still runs', async () => {
    const [loop, after] = await run(['loops-on-0x42', 'holds']);
    assert.equal(loop?.failed, true);
    assert.equal(loop?.hang, true);
    assert.ok(loop?.counterexample?.includes(0x42), 'the input the loop was on');
    assert.equal(after?.target, 'holds');
    assert.equal(after?.failed, false);
    assert.equal(after?.inputs, 200);
  });

  test('a promise that never settles fails at the deadline and is shrunk like any failure', async () => {
    const [r] = await run(['hangs-on-0x42']);
    assert.equal(r?.failed, true);
    assert.match(r?.error ?? '', /no result within 200 ms/);
    assert.deepEqual([...(r?.counterexample ?? [])], [0x42]);
  });

  test('byte mutations are deterministic and stay within what they were given', () => {
    const seed = Uint8Array.from([1, 2, 3, 4]);
    const out = mutateBytes(seed, [{ op: 'duplicate', at: 1, len: 2, times: 2 }, { op: 'flip', at: 0, bit: 7 }, { op: 'splice', at: 8, from: 0, start: 0, len: 2 }], [Uint8Array.from([9, 8])]);
    assert.deepEqual([...out], [0x81, 2, 3, 2, 3, 2, 3, 4, 9, 8]);
    assert.deepEqual([...mutateBytes(seed, [{ op: 'truncate', at: 2 }, { op: 'delete', at: 0, len: 1 }], [])], [2]);
  });

  test('npm run fuzz: unknown targets and options are refused with the usage, exit 2', async () => {
    const lines: string[] = [];
    assert.equal(await fuzzMain(['no-such-target'], {}, (s) => lines.push(s)), 2);
    assert.match(lines.join('\n'), /no fuzz target no-such-target[\s\S]*usage: npm run fuzz/);
    assert.equal(await fuzzMain(['--seconds', 'x'], {}, (s) => lines.push(s)), 2);
    assert.equal(await fuzzMain(['--replay', 'f'], {}, (s) => lines.push(s)), 2);
    assert.match(lines.join('\n'), /--replay needs exactly one target/);
    assert.equal(await fuzzMain(['--replay', '/nonexistent/input.bin', 'reference'], {}, (s) => lines.push(s)), 2);
    assert.match(lines.join('\n'), /--replay \/nonexistent\/input\.bin: ENOENT/);
  });
});
