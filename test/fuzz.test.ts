/**
 * The fuzz set inside `npm test`: every target of test/fuzz/targets.ts with the fixed seed
 * {@link CI_SEED} and its small budget, on one worker thread with a watchdog (so a loop fails its
 * target, naming the input, instead of hanging the suite). A failure writes the smallest failing
 * input found to fuzz-failures/ (or $ANYARCH_FUZZ_OUT) and says how to replay it. Longer runs
 * with other seeds: `npm run fuzz` (docs/security.md, "Fuzzing").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CI_SEED, describeRun, runJobs, writeFailure, type RunResult } from './support/fuzz.js';
import { TARGETS } from './fuzz/targets.js';
import { checkDockerfileSeeds } from './fuzz/dockerfile.js';

const OUT = process.env.ANYARCH_FUZZ_OUT ?? 'fuzz-failures';

/** One run of the whole set, started by the first test that asks; each test awaits its target's result. */
const waiting = new Map<string, { promise: Promise<RunResult>; resolve: (r: RunResult) => void }>();
for (const t of TARGETS) {
  let resolve!: (r: RunResult) => void;
  const promise = new Promise<RunResult>((r) => (resolve = r));
  waiting.set(t.name, { promise, resolve });
}
let run: Promise<unknown> | undefined;
function resultOf(name: string): Promise<RunResult> {
  run ??= runJobs(
    TARGETS.map((t) => ({ name: t.name, opts: { seed: CI_SEED, runs: t.ciRuns } })),
    (r) => waiting.get(r.target)?.resolve(r),
  );
  const w = waiting.get(name) as { promise: Promise<RunResult> };
  // the run's end settles it too: with its failure, or (the result being posted before) the result
  return Promise.race([w.promise, run.then(() => Promise.race([w.promise, Promise.reject(new Error(`the fuzz run ended without a result for ${name}`))]))]);
}

describe('fuzz targets, fixed seed', () => {
  for (const t of TARGETS) {
    test(`${t.name}: ${t.reads}`, async () => {
      const r = await resultOf(t.name);
      if (r.failed) assert.fail(describeRun(r, writeFailure(r, OUT)));
      assert.ok(r.inputs >= t.ciRuns, `only ${r.inputs} of ${t.ciRuns} inputs were tried`);
    });
  }

  test('the realistic Dockerfile seeds are clean input: they parse, and the fixer has work on several of them', () => {
    const fixed = checkDockerfileSeeds();
    assert.ok(fixed >= 3, `only ${fixed} seeds get a fix: the fix property would test little`);
  });
});
