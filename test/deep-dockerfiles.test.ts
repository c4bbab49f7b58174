/**
 * Dockerfiles built to crash or hang a check (thousands of chained stages, nesting far past the
 * readers' limits, a hundred thousand ARGs), each checked by `anyarch check` beside an ordinary
 * file under `/usr/bin/time`: the exit code, the line that says a limit was reached, the other
 * file still reported, no stack trace, and time and peak memory within generous bounds (measured
 * from outside the process, so a loaded machine passes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runMeasured } from './support/measured.js';
import { tempTree } from './support/tree.js';

/** Generous bounds: the measured runs take 1 to 14 s and 130 to 350 MB. */
const MAX_SECONDS = 90;
const MAX_RSS_KB = 1_500_000;

const OTHER = 'FROM alpine\nRUN curl -LO https://example.com/tool-linux-amd64\n';

interface Measured {
  readonly code: number | null;
  readonly doc: { files: { file: string; findings: { ruleId: string; message: string }[]; error?: { code: string } }[] };
  readonly stderr: string;
  readonly seconds: number;
  readonly rssKb: number;
}

async function checkTimed(deep: string, extra: readonly string[] = []): Promise<Measured> {
  const cwd = tempTree({ 'deep.Dockerfile': deep, 'other.Dockerfile': OTHER }, 'anyarch-deep-');
  const r = await runMeasured(['check', '--format', 'json', ...extra, 'deep.Dockerfile', 'other.Dockerfile'], {
    cwd,
    env: { ...process.env, ANYARCH_OFFLINE: '1' },
    killAfterMs: 300_000,
  });
  return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr, seconds: r.seconds, rssKb: r.peakRssMb * 1024 };
}

function assertBounded(r: Measured): void {
  assert.doesNotMatch(r.stderr, /^\s{4}at |internal error/m);
  assert.ok(r.seconds < MAX_SECONDS, `${r.seconds} s`);
  assert.ok(r.rssKb < MAX_RSS_KB, `${r.rssKb} KB`);
  // the other file is still checked and reported
  const other = r.doc.files.find((f) => f.file === 'other.Dockerfile');
  assert.deepEqual(other?.findings.map((f) => f.ruleId), ['AA101']);
}

const N = 20_000;
const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i + 1)).join('');
/** Logical lines longer than BuildKit's 64 KiB physical limit, split with continuations. */
const wrap = (s: string): string => (s.match(/[^]{1,1000}/g) ?? []).join('\\\n');

describe('deep Dockerfiles: no crash, no hang, what was not checked is said', () => {
  test(`${N} build-platform stages chained FROM each other (was a stack overflow, exit 3)`, async () => {
    const deep = `FROM --platform=$BUILDPLATFORM golang AS s0\n${lines(N, (i) => `FROM --platform=$BUILDPLATFORM s${i - 1} AS s${i}\nRUN go build -o /out/app .\n`)}FROM alpine\nCOPY --from=s${N} /out/app /app\n`;
    const r = await checkTimed(deep);
    assert.equal(r.code, 1);
    assert.equal(r.doc.files.find((f) => f.file === 'deep.Dockerfile')?.error, undefined);
    assertBounded(r);
  });

  test(`${N} stages read through COPY --from and RUN --mount=from, and FROM chains asked from the last stage first`, async () => {
    const deep = `FROM alpine AS s0\n${lines(N, (i) => `FROM s${i - 1} AS s${i}\nCOPY --from=s${i - 1} /a /a\nRUN --mount=from=s${Math.floor(i / 2)},target=/x uname -m\n`)}`;
    for (const extra of [[], ['--rule', 'AA109']]) {
      const r = await checkTimed(deep, extra);
      assert.equal(r.doc.files.find((f) => f.file === 'deep.Dockerfile')?.error, undefined);
      if (!extra.length) assertBounded(r);
    }
  });

  test('100,000 global ARGs each expanding the one before (was over two minutes)', async () => {
    const deep = `${lines(100_000, (i) => `ARG A${i}=\${A${i - 1}}x\n`)}FROM alpine:$A100000\nRUN uname -m\n`;
    const r = await checkTimed(deep);
    assert.equal(r.code, 1);
    assertBounded(r);
  });

  test(`shell nested ${N} levels deep in a RUN: AA116 says where the limit was reached`, async () => {
    for (const [open, close] of [['( ', ' )'], ['$(echo ', ')'], ['if true; then ', '; fi'], ['{ ', '; }']] as const) {
      const r = await checkTimed(`FROM alpine\nRUN ${wrap(open.repeat(N) + 'curl -LO https://example.com/tool-linux-amd64' + close.repeat(N))}\n`);
      assert.equal(r.code, 1, open);
      const deep = r.doc.files.find((f) => f.file === 'deep.Dockerfile');
      const limit = deep?.findings.filter((f) => f.ruleId === 'AA116') ?? [];
      assert.equal(limit.length, 1, open);
      assert.match(limit[0]?.message ?? '', /^shell nesting deeper than 100 levels: anyarch did not check the commands nested deeper/);
      assertBounded(r);
    }
  });

  test(`\${…} nested ${N} levels deep in ARG, FROM and COPY --from: AA116 for each`, async () => {
    let e = 'x';
    for (let i = 0; i < N; i++) e = `\${A:-${e}}`;
    const r = await checkTimed(`ARG V=${wrap(e)}\nFROM alpine:${wrap(e)}\nCOPY --from=${wrap(e)} /a /b\n`);
    assert.equal(r.code, 1);
    const deep = r.doc.files.find((f) => f.file === 'deep.Dockerfile');
    assert.deepEqual(deep?.findings.filter((f) => f.ruleId === 'AA116').length, 3);
    assertBounded(r);
  });
});
