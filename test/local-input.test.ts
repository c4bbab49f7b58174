/**
 * Hostile and clumsy local input and output, end to end: the real binary, run under
 * `/usr/bin/time` (elapsed seconds and peak RSS measured from outside the process) and under
 * `timeout -s KILL`, so a hang fails the test instead of hanging the suite. Every input is
 * built here: FIFOs (mkfifo), `/dev/zero`, a 2 GB sparse file, a socket bound to a path, links
 * to them, `yes |`, and `/dev/full` or a closed pipe on standard output.
 *
 * Each case names a good Dockerfile beside the bad input and checks it was still checked and
 * reported; the bounds are generous (a loaded 2-core CI machine passes): what they catch is a
 * read of gigabytes or a read that never ends, which take minutes and gigabytes.
 */
import assert from 'node:assert/strict';
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, truncateSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { buildTestImage, busyboxLikeFiles, writeOciLayout } from './support/images.js';
import { tempTree } from './support/tree.js';

// dist/test/local-input.test.js -> <repo>/bin/anyarch.js
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'anyarch.js');

/** Elapsed seconds allowed: a run takes about one second; a read of /dev/zero never ends. */
const MAX_SECONDS = 30;
/** Peak RSS allowed: Node takes ~60 MB; reading a 2 GB file or 4 MiB twice over is what this catches. */
const MAX_RSS_MB = 300;
/** A hung run is killed after this long (and fails its time bound). */
const KILL_AFTER_SECONDS = 120;

const GOOD = 'FROM alpine:3.20\nRUN echo hello\n';
const NO_STACK = /^\s{4}at |EPIPE|ENOSPC|Error:/m;
const SPECIAL_HINT = '  hint: Special files (FIFOs, devices, sockets) are never opened; name the Dockerfile itself, or pass - and redirect standard input.';
const TOO_LARGE = 'larger than 4 MiB, the most anyarch reads from a Dockerfile';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  rssMb: number;
}

interface RunOptions {
  readonly cwd: string;
  /** `zero`: standard input is /dev/zero; `yes`: the output of `yes`; a string: that text */
  readonly stdin?: 'zero' | 'yes' | string;
  /** `full`: standard output is /dev/full; `close`: a pipe closed after the first chunk */
  readonly stdout?: 'full' | 'close';
}

/** Runs `anyarch args` under /usr/bin/time and timeout; its exit code, output, seconds and peak RSS. */
async function anyarch(args: readonly string[], opts: RunOptions): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-local-input-time-'));
  const timeFile = path.join(dir, 'time');
  const env: NodeJS.ProcessEnv = { ...process.env, ANYARCH_OFFLINE: '1' };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
  const fds: number[] = [];
  const yes = opts.stdin === 'yes' ? spawn('yes', [], { stdio: ['ignore', 'pipe', 'ignore'] }) : undefined;
  const stdin =
    opts.stdin === 'zero' ? fds[fds.push(openSync('/dev/zero', 'r')) - 1] : yes ? yes.stdout : opts.stdin !== undefined ? 'pipe' : 'ignore';
  const stdout = opts.stdout === 'full' ? fds[fds.push(openSync('/dev/full', 'w')) - 1] : 'pipe';
  const argv = ['-f', '%e %M', '-o', timeFile, 'timeout', '-s', 'KILL', String(KILL_AFTER_SECONDS), process.execPath, BIN, ...args];
  try {
    return await new Promise<Run>((resolve, reject) => {
      const child = spawn('/usr/bin/time', argv, { cwd: opts.cwd, env, stdio: [stdin, stdout, 'pipe'] as StdioOptions });
      let out = '';
      let err = '';
      if (opts.stdin !== undefined && opts.stdin !== 'zero' && opts.stdin !== 'yes') child.stdin?.end(opts.stdin);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        // the reader goes away, as `| head -1` does
        if (opts.stdout === 'close') child.stdout?.destroy();
      });
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        try {
          // with -o, time writes "Command exited with non-zero status N" before the format line
          const [seconds = NaN, kb = NaN] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
          assert.ok(Number.isFinite(seconds) && Number.isFinite(kb) && kb > 0, readFileSync(timeFile, 'utf8'));
          resolve({ code, stdout: out, stderr: err, seconds, rssMb: Math.round(kb / 1024) });
        } catch (e) {
          reject(e);
        }
      });
    });
  } finally {
    yes?.kill('SIGKILL');
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run ended within the time and memory bounds, without a stack trace or a raw errno. */
function assertBounded(r: Run, what: string): void {
  assert.ok(r.seconds < MAX_SECONDS, `${what}: ${r.seconds} s (bound ${MAX_SECONDS} s)`);
  assert.ok(r.rssMb < MAX_RSS_MB, `${what}: peak RSS ${r.rssMb} MB (bound ${MAX_RSS_MB} MB)`);
  assert.doesNotMatch(r.stderr, NO_STACK, r.stderr);
}

/** Standard error without the notice every offline run prints. */
function stderrLines(r: Run): string[] {
  return r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('anyarch: offline:'));
}

describe('local input: bounded before buffered, special files never opened', () => {
  let cwd: string;
  let server: Server;
  const measured: string[] = [];

  before(async () => {
    cwd = tempTree({ Dockerfile: GOOD, 'tree/Dockerfile': GOOD, 'empty/': '' }, 'anyarch-local-input-');
    execFileSync('mkfifo', [path.join(cwd, 'fifo.Dockerfile')]);
    execFileSync('mkfifo', [path.join(cwd, 'tree', 'fifo.Dockerfile')]);
    symlinkSync(path.join(cwd, 'fifo.Dockerfile'), path.join(cwd, 'link-to-fifo.Dockerfile'));
    symlinkSync('/dev/zero', path.join(cwd, 'tree', 'Dockerfile.zero'));
    // a 2 GB file that takes no disk: sparse
    const big = path.join(cwd, 'big.Dockerfile');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 2 * 1024 * 1024 * 1024);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(cwd, 'socket.Dockerfile'), resolve));
  });

  after(() => {
    server?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    if (measured.length) console.log(`# measured (seconds, peak RSS MB): ${measured.join('; ')}`);
  });

  async function check(args: string[], opts: Omit<RunOptions, 'cwd'> = {}): Promise<Run> {
    const r = await anyarch(['check', ...args], { cwd, ...opts });
    assertBounded(r, args.join(' '));
    measured.push(`${opts.stdin ?? ''}${args.join(' ')}: ${r.seconds} s, ${r.rssMb} MB`);
    return r;
  }

  test('/dev/zero as a path: refused without reading, one line, the other file still checked, exit 2', async () => {
    const r = await check(['/dev/zero', 'Dockerfile']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, `/dev/zero  error  E_INPUT  not a regular file: a character device\n${SPECIAL_HINT}\n\nno problems in 1 file; 1 file could not be checked\n`);
  });

  test('yes | anyarch check -: reading stops at the limit, exit 2, the other file still checked', async () => {
    const r = await check(['-', 'Dockerfile'], { stdin: 'yes' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, new RegExp(`^<stdin>  error  E_INPUT  ${TOO_LARGE}\n`));
    assert.match(r.stdout, /\nno problems in 1 file; 1 file could not be checked\n$/);
  });

  test('standard input from /dev/zero: reading stops at the limit, exit 2', async () => {
    const r = await check(['-', 'Dockerfile'], { stdin: 'zero' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, new RegExp(`^<stdin>  error  E_INPUT  ${TOO_LARGE}\n`));
    assert.match(r.stdout, /\nno problems in 1 file; 1 file could not be checked\n$/);
  });

  test('a 2 GB sparse file: refused by its size, nothing read, exit 2', async () => {
    const r = await check(['big.Dockerfile', 'Dockerfile']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^big\.Dockerfile {2}error {2}E_INPUT {2}file is 2048\.0 MiB; anyarch reads Dockerfiles up to 4 MiB\n/);
    assert.match(r.stdout, /\nno problems in 1 file; 1 file could not be checked\n$/);
  });

  test('a FIFO, a link to a FIFO and a socket given as paths: refused, never opened (no hang), exit 2', async () => {
    const r = await check(['fifo.Dockerfile', 'link-to-fifo.Dockerfile', 'socket.Dockerfile', 'Dockerfile'], { stdout: undefined });
    assert.equal(r.code, 2, r.stderr);
    const errors = r.stdout.split('\n').filter((l) => /E_INPUT/.test(l));
    assert.deepEqual(errors, [
      'fifo.Dockerfile  error  E_INPUT  not a regular file: a named pipe (FIFO)',
      'link-to-fifo.Dockerfile  error  E_INPUT  not a regular file: a named pipe (FIFO)',
      'socket.Dockerfile  error  E_INPUT  not a regular file: a socket',
    ]);
    assert.match(r.stdout, /\nno problems in 1 file; 3 files could not be checked\n$/);
  });

  test('a directory walk reports a FIFO and a link to /dev/zero with Dockerfile names, and checks the rest', async () => {
    const r = await check(['tree']);
    assert.equal(r.code, 2, r.stderr);
    const errors = r.stdout.split('\n').filter((l) => /E_INPUT/.test(l));
    assert.deepEqual(errors, [
      'tree/Dockerfile.zero  error  E_INPUT  not a regular file: a character device',
      'tree/fifo.Dockerfile  error  E_INPUT  not a regular file: a named pipe (FIFO)',
    ]);
    assert.match(r.stdout, /\nno problems in 1 file; 2 files could not be checked\n$/);
  });

  test('parse refuses /dev/zero and a FIFO in one line, exit 2', async () => {
    for (const file of ['/dev/zero', 'fifo.Dockerfile']) {
      const r = await anyarch(['parse', file], { cwd });
      assertBounded(r, `parse ${file}`);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^anyarch: ${file.replace(/\./g, '\\.')}: not a regular file: `));
    }
  });
});

describe('.anyarch.yaml: bounded, special files refused', () => {
  test('a config nested 5,000 deep (which aborted the process inside the YAML parser) is one E_CONFIG line', async () => {
    const cwd = tempTree({ Dockerfile: GOOD, '.anyarch.yaml': 'platforms:\n' + '- '.repeat(5000) + 'linux/amd64\n' }, 'anyarch-local-config-');
    try {
      const r = await anyarch(['check'], { cwd });
      assertBounded(r, 'deep config');
      assert.equal(r.code, 2, r.stderr);
      assert.match(stderrLines(r)[0] ?? '', /^anyarch: \.anyarch\.yaml:2:257: nested deeper than anyarch reads a config \(indented past 256 columns\)$/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('a FIFO config and a 2 GB sparse config: one E_CONFIG line, exit 2, within bounds', async () => {
    const fifo = tempTree({ Dockerfile: GOOD }, 'anyarch-local-config-');
    execFileSync('mkfifo', [path.join(fifo, '.anyarch.yaml')]);
    const big = tempTree({ Dockerfile: GOOD, '.anyarch.yaml': '' }, 'anyarch-local-config-');
    truncateSync(path.join(big, '.anyarch.yaml'), 2 * 1024 * 1024 * 1024);
    try {
      const f = await anyarch(['check'], { cwd: fifo });
      assertBounded(f, 'FIFO config');
      assert.equal(f.code, 2);
      assert.deepEqual(stderrLines(f), [
        'anyarch: .anyarch.yaml: cannot read config file: not a regular file: a named pipe (FIFO)',
        '  hint: Pass an existing file to --config, or --no-config.',
      ]);
      const b = await anyarch(['check'], { cwd: big });
      assertBounded(b, 'sparse config');
      assert.equal(b.code, 2);
      assert.match(stderrLines(b)[0] ?? '', /^anyarch: \.anyarch\.yaml: cannot read config file: larger than 1 MiB/);
      const z = await anyarch(['check', '--config', '/dev/zero'], { cwd: big });
      assertBounded(z, '--config /dev/zero');
      assert.equal(z.code, 2);
      assert.match(stderrLines(z)[0] ?? '', /^anyarch: \/dev\/zero: cannot read config file: not a regular file: a character device/);
    } finally {
      rmSync(fifo, { recursive: true, force: true });
      rmSync(big, { recursive: true, force: true });
    }
  });
});

describe('inputs that name no Dockerfile', () => {
  test('an empty directory and a glob matching nothing: the same line, exit 2, the other file still checked', async () => {
    const cwd = tempTree({ Dockerfile: GOOD, 'empty/': '', 'docs/README.md': 'hi' }, 'anyarch-local-none-');
    try {
      const r = await anyarch(['check', 'empty', 'nothing/*.Dockerfile', 'docs', 'Dockerfile'], { cwd });
      assertBounded(r, 'no Dockerfiles');
      assert.equal(r.code, 2, r.stderr);
      const errors = r.stdout.split('\n').filter((l) => /E_INPUT/.test(l));
      assert.deepEqual(errors, [
        'docs  error  E_INPUT  no Dockerfiles found',
        'empty  error  E_INPUT  no Dockerfiles found',
        'nothing/*.Dockerfile  error  E_INPUT  no Dockerfiles found',
      ]);
      assert.match(r.stdout, /\nno problems in 1 file; 3 files could not be checked\n$/);
      const alone = await anyarch(['check'], { cwd: path.join(cwd, 'empty') });
      assert.equal(alone.code, 2);
      assert.match(alone.stdout, /^\. {2}error {2}E_INPUT {2}no Dockerfiles found\n/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('--fix-dry-run exits as check would', () => {
  test('findings that only a fix would remove still exit 1; a clean file exits 0 both ways', async () => {
    const fixable = 'FROM alpine:3.20\nRUN wget https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_amd64 -O /usr/bin/yq\n';
    const cwd = tempTree({ 'fixable/Dockerfile': fixable, 'clean/Dockerfile': GOOD }, 'anyarch-local-dry-');
    try {
      for (const dir of ['fixable', 'clean']) {
        const plain = await anyarch(['check', '--quiet', dir], { cwd });
        const dry = await anyarch(['check', '--quiet', '--fix-dry-run', dir], { cwd });
        assert.equal(dry.code, plain.code, `${dir}: check exits ${plain.code}, --fix-dry-run ${dry.code}\n${dry.stderr}`);
        assert.equal(plain.code, dir === 'fixable' ? 1 : 0, plain.stdout);
        if (dir === 'fixable') assert.match(dry.stdout, /^--- a\/fixable\/Dockerfile\n/);
      }
      assert.equal(readFileSync(path.join(cwd, 'fixable', 'Dockerfile'), 'utf8'), fixable);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('output errors: a closed pipe is quiet, a full disk is one line and exit 2', () => {
  let cwd: string;
  let layout: string;
  const finding = 'FROM alpine:3.20\nRUN curl -LO https://example.com/tool-linux-amd64\n';

  before(async () => {
    // enough findings that the report outgrows a pipe's buffer (64 KiB)
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) files[`s${i}/Dockerfile`] = finding;
    cwd = tempTree(files, 'anyarch-local-output-');
    layout = path.join(cwd, 'layout');
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 'amd64' }, files: busyboxLikeFiles('amd64') }], { format: 'oci' });
    await writeOciLayout(layout, img, 'v1');
  });
  after(() => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  test('anyarch check | head -1: no EPIPE, no trace, the exit code of the work (1: findings)', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const r = await anyarch(['check', '--format', format, '.'], { cwd, stdout: 'close' });
      assertBounded(r, `check --format ${format} | head`);
      assert.equal(r.code, 1, `${format}: ${r.stderr}`);
      assert.deepEqual(stderrLines(r), [], format);
    }
  });

  test('every command to /dev/full: one line on standard error, exit 2, never a trace', async () => {
    const runs: [string[], number][] = [
      [['check', '.'], 2],
      [['check', '--format', 'json', 's0'], 2],
      [['check', '--fix-dry-run', 's0'], 2],
      [['rules'], 2],
      [['rules', '--format', 'json'], 2],
      [['parse', 's0/Dockerfile'], 2],
      [['platforms', `oci:${layout}:v1`], 2],
      [['--help'], 2],
    ];
    for (const [args, code] of runs) {
      const r = await anyarch(args, { cwd, stdout: 'full' });
      assertBounded(r, args.join(' '));
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      // (--fix-dry-run's report goes to standard error; its lines do not start with `anyarch:`)
      assert.deepEqual(
        stderrLines(r).filter((l) => l.startsWith('anyarch:')),
        ['anyarch: cannot write the output: no space left on device'],
        args.join(' '),
      );
    }
  });

  test('a closed pipe on platforms and rules is quiet too', async () => {
    for (const args of [['platforms', `oci:${layout}:v1`], ['rules']]) {
      const r = await anyarch(args, { cwd, stdout: 'close' });
      assertBounded(r, args.join(' '));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(stderrLines(r), []);
    }
  });
});
