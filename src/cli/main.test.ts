/**
 * The `anyarch` command end to end: spawns `node bin/anyarch.js` in temp directories and checks
 * exit codes and output. Nothing here depends on which rules exist.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_SCAN_CACHE } from '../../test/support/measured.js';
import { assertValidSarif } from '../../test/support/sarif.js';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../../test/support/tree.js';
import { GuardedStream, type Io } from './io.js';
import { AnyarchError } from '../errors.js';
import { handleError, main } from './main.js';

// dist/src/cli/main.test.js -> <repo>/bin/anyarch.js
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'anyarch.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function anyarch(cwd: string, args: string[], input?: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...NO_SCAN_CACHE };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
  // no registry lookups for base images: these tests are about the command, not the network
  env.ANYARCH_OFFLINE = '1';
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', ...(input !== undefined ? { input } : {}), timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(files: Record<string, string | Uint8Array>): string {
  return tempTree(files, 'anyarch-cli-');
}

const GOOD = 'FROM alpine:3.20\nRUN echo hello\n';
const NO_STACK = /^\s{4}at /m;

describe('anyarch parse', () => {
  test('--format json prints instructions, flags, args and lines', () => {
    const cwd = project({
      Dockerfile: '# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build \\\n    -o /app .\nCOPY --from=build /app /app\n',
    });
    const r = anyarch(cwd, ['parse', '--format', 'json', 'Dockerfile']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.file, 'Dockerfile');
    assert.deepEqual(doc.directives, [{ name: 'syntax', value: 'docker/dockerfile:1', line: 1 }]);
    assert.deepEqual(
      doc.instructions.map((i: { instruction: string; flags: string[]; startLine: number; endLine: number }) => [i.instruction, i.flags, i.startLine, i.endLine]),
      [
        ['from', ['--platform=$BUILDPLATFORM'], 2, 2],
        ['run', [], 3, 4],
        ['copy', ['--from=build'], 5, 5],
      ],
    );
    assert.deepEqual(doc.instructions[0].args, ['golang:1.22', 'AS', 'build']);
    assert.equal(doc.instructions[1].args.length, 1);
    assert.match(doc.instructions[1].args[0], /^go build\s+-o \/app \.$/);
  });

  test('--format buildkit prints the BuildKit dump', () => {
    const cwd = project({ Dockerfile: GOOD });
    const r = anyarch(cwd, ['parse', '--format', 'buildkit', 'Dockerfile']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '(from "alpine:3.20")\n(run "echo hello")\n');
  });

  test('a parse error exits 2 with one line naming file:line, no stack trace', () => {
    const cwd = project({ Dockerfile: '# escape=x\nFROM alpine\n' });
    const r = anyarch(cwd, ['parse', 'Dockerfile']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^anyarch: Dockerfile:1:/);
    assert.ok(lines.slice(1).every((l) => l.startsWith('  hint: ')), r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  test('a missing file exits 2', () => {
    const r = anyarch(project({}), ['parse', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^anyarch: nope: cannot read file: no such file or directory\n$/);
  });
});

describe('anyarch platforms: bad numbers are usage errors', () => {
  test('--max-image-mib that rounds to no byte, and a non-number --timeout, exit 2 before anything is read', () => {
    const cwd = project({});
    for (const args of [['--max-image-mib', '0.0000001'], ['--max-image-mib', '0'], ['--timeout', 'soon']]) {
      const r = anyarch(cwd, ['platforms', ...args, 'oci:nowhere:v1']);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^anyarch: (option|error: option) .*(positive number of MiB|positive number of seconds)/m, r.stderr);
      assert.doesNotMatch(r.stderr, /nowhere/);
    }
  });
});

describe('anyarch check', () => {
  test('a binary and an invalid-UTF-8 file exit 2, but the good file is still checked and reported', () => {
    const cwd = project({
      Dockerfile: GOOD,
      'bin.Dockerfile': new Uint8Array([0x46, 0x52, 0x4f, 0x4d, 0x00, 0x01, 0x02]),
      'latin1.Dockerfile': new Uint8Array([0x46, 0x52, 0x4f, 0x4d, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
    });
    const r = anyarch(cwd, ['check', '--format', 'json']);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
    const doc = JSON.parse(r.stdout);
    const byFile = new Map(doc.files.map((f: { file: string }) => [f.file, f]));
    assert.deepEqual([...byFile.keys()], ['Dockerfile', 'bin.Dockerfile', 'latin1.Dockerfile']);
    assert.equal((byFile.get('Dockerfile') as { error?: unknown }).error, undefined);
    assert.equal((byFile.get('bin.Dockerfile') as { error: { code: string } }).error.code, 'E_INPUT');
    assert.deepEqual((byFile.get('latin1.Dockerfile') as { error: { code: string; line: number; column: number } }).error, {
      code: 'E_INPUT',
      message: 'invalid UTF-8',
      hint: 'Dockerfiles must be UTF-8 text.',
      line: 1,
      column: 9,
    });

    const text = anyarch(cwd, ['check']);
    assert.equal(text.code, 2);
    assert.match(text.stdout, /^bin\.Dockerfile:1:5 {2}error {2}E_INPUT {2}binary file/m);
    assert.match(text.stdout, /^latin1\.Dockerfile:1:9 {2}error {2}E_INPUT {2}invalid UTF-8/m);
    assert.match(text.stdout, /2 files could not be checked/);
  });

  test('--format sarif is a SARIF 2.1.0 log', () => {
    const cwd = project({ Dockerfile: GOOD });
    const r = anyarch(cwd, ['check', '--format', 'sarif']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assertValidSarif(r.stdout);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs[0].tool.driver.name, 'anyarch');
    assert.match(log.runs[0].tool.driver.version, /^\d+\.\d+\.\d+/);
    assert.equal(log.runs[0].invocations[0].executionSuccessful, true);
  });

  test('--fix-dry-run writes nothing', () => {
    const content = 'FROM alpine:3.20\nARG TARGETARCH=amd64\nRUN wget https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_amd64 -O /usr/bin/yq\n';
    const cwd = project({ Dockerfile: content });
    const before = statSync(path.join(cwd, 'Dockerfile')).mtimeMs;
    const r = anyarch(cwd, ['check', '--fix-dry-run']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.equal(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8'), content);
    assert.equal(statSync(path.join(cwd, 'Dockerfile')).mtimeMs, before);
    assert.deepEqual(readdirSync(cwd), ['Dockerfile']);
    if (r.stdout) assert.match(r.stdout, /^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n/);
  });

  test('a directory without Dockerfiles exits 2; --fail-on never always exits 0 on findings', () => {
    const empty = anyarch(project({ 'README.md': 'hi' }), ['check']);
    assert.equal(empty.code, 2);
    assert.match(empty.stdout, /^\. {2}error {2}E_INPUT {2}no Dockerfiles found\n/);
    const r = anyarch(project({ Dockerfile: GOOD }), ['check', '--fail-on', 'never', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('a bad config exits 2 naming file and line', () => {
    const cwd = project({ Dockerfile: GOOD, '.anyarch.yaml': 'platforms: [linux/amd64]\nfail-on: error\n' });
    const r = anyarch(cwd, ['check']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^anyarch: \.anyarch\.yaml:2:1: unknown key "fail-on"\n {2}hint: Did you mean failOn\?/);
    assert.equal(anyarch(cwd, ['check', '--no-config', '--fail-on', 'never']).code, 0);
  });

  test('bad --platforms and unknown rules exit 2', () => {
    const cwd = project({ Dockerfile: GOOD });
    const p = anyarch(cwd, ['check', '--platforms', 'linux/nope']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /^anyarch: --platforms: /);
    const r = anyarch(cwd, ['check', '--rule', 'NOPE1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown rule "NOPE1" in --rule/);
  });

  test('- reads standard input', () => {
    const r = anyarch(project({}), ['check', '--format', 'json', '-'], GOOD);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).files[0].file, '<stdin>');
  });
});

describe('anyarch rules', () => {
  test('--format json parses', () => {
    const r = anyarch(project({}), ['rules', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.version, 1);
    assert.ok(Array.isArray(doc.rules));
    for (const rule of doc.rules) {
      assert.match(rule.id, /^AA\d+$/);
      assert.equal(typeof rule.name, 'string');
      assert.ok(['error', 'warning', 'info'].includes(rule.severity));
      assert.equal(typeof rule.fixable, 'boolean');
      assert.match(rule.docsUrl, /^https:\/\//);
    }
  });

  test('text is a table', () => {
    const r = anyarch(project({}), ['rules']);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith('ID ') || r.stdout === 'no rules\n', r.stdout);
  });
});

describe('usage', () => {
  test('an unknown option exits 2 with one line and a pointer to --help', () => {
    const r = anyarch(project({}), ['check', '--bogus']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^anyarch: unknown option '--bogus'\n {2}hint: .*See 'anyarch check --help'\.\n$/);
  });

  test('a near miss gets a suggestion', () => {
    const r = anyarch(project({}), ['check', '--fix-dryrun']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /hint: Did you mean --fix-dry-run\?/);
  });

  test('an unknown command, a bad choice and no command at all exit 2', () => {
    const cwd = project({});
    const u = anyarch(cwd, ['lint']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /^anyarch: unknown command 'lint'/);
    const c = anyarch(cwd, ['check', '--format', 'xml']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /argument 'xml' is invalid/);
    const none = anyarch(cwd, []);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: anyarch/);
  });

  test('--help and --version exit 0', () => {
    const cwd = project({});
    const h = anyarch(cwd, ['check', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Exit codes:/);
    assert.match(h.stdout, /Examples:/);
    const v = anyarch(cwd, ['--version']);
    assert.equal(v.code, 0);
    const pkg = JSON.parse(readFileSync(path.resolve(path.dirname(BIN), '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(v.stdout.trim(), pkg.version);
  });
});

describe('main (in-process)', () => {
  function io(cwd: string): Io & { out: string; err: string } {
    const x = {
      cwd,
      env: {},
      out: '',
      err: '',
      stdout: { write: (s: string) => void (x.out += s) },
      stderr: { write: (s: string) => void (x.err += s) },
      readStdin: async () => new Uint8Array(),
    };
    return x;
  }

  test('returns exit codes instead of exiting', async () => {
    const cwd = project({ Dockerfile: GOOD });
    const a = io(cwd);
    assert.equal(await main(['check', '--fail-on', 'never'], a), 0);
    const b = io(cwd);
    assert.equal(await main(['check', '--nope'], b), 2);
    assert.match(b.err, /^anyarch: unknown option '--nope'/);
    const c = io(cwd);
    assert.equal(await main(['parse', 'missing'], c), 2);
    assert.equal(c.err, 'anyarch: missing: cannot read file: no such file or directory\n');
  });
});

describe('main: output that cannot be written', () => {
  /** An Io whose standard output fails every write with `code`, as a closed pipe or a full disk does. */
  function failing(code: string): Io & { err: string } {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error(`${code}: write`), { code }));
      },
    });
    const stdout = new GuardedStream(sink);
    const x = {
      cwd: project({ Dockerfile: GOOD }),
      env: { ANYARCH_OFFLINE: '1' },
      err: '',
      stdout,
      stderr: { write: (s: string) => void (x.err += s) },
      readStdin: async () => new Uint8Array(),
      outputError: () => stdout.settled(),
    };
    return x;
  }

  test('ENOSPC: one line on standard error, exit 2, whatever the command', async () => {
    for (const argv of [['rules'], ['check', '--quiet', '--format', 'json', 'Dockerfile'], ['parse', 'Dockerfile'], ['--version']]) {
      const io = failing('ENOSPC');
      assert.equal(await main(argv, io), 2, argv.join(' '));
      assert.equal(io.err, 'anyarch: cannot write the output: no space left on device\n', argv.join(' '));
    }
  });

  test('EPIPE (the reader went away): quiet, the exit code of the work', async () => {
    const io = failing('EPIPE');
    assert.equal(await main(['rules'], io), 0);
    assert.equal(io.err, '');
    const findings = failing('EPIPE');
    writeFileSync(path.join(findings.cwd, 'Dockerfile'), 'FROM alpine:3.20\nRUN curl -LO https://example.com/tool-linux-amd64\n');
    assert.equal(await main(['check', '--quiet', 'Dockerfile'], findings), 1);
    assert.equal(findings.err, '');
  });
});

describe('handleError', () => {
  function sink(): Io & { err: string } {
    const x = { cwd: '/', env: {}, err: '', stdout: { write() {} }, stderr: { write: (s: string) => void (x.err += s) }, readStdin: async () => new Uint8Array() };
    return x;
  }

  test('an AnyarchError is one line plus its hint, exit 2', () => {
    const io = sink();
    const code = handleError(new AnyarchError('E_CONFIG', 'unknown key "x"', 'Valid keys: ...', { file: '.anyarch.yaml', line: 3, column: 1 }), io);
    assert.equal(code, 2);
    assert.equal(io.err, 'anyarch: .anyarch.yaml:3:1: unknown key "x"\n  hint: Valid keys: ...\n');
  });

  test('E_FIX, E_RULE and E_INTERNAL are bugs said in a sentence: exit 3', () => {
    for (const code of ['E_FIX', 'E_RULE', 'E_INTERNAL'] as const) assert.equal(handleError(new AnyarchError(code, 'broken'), sink()), 3, code);
  });

  test('anything else is a bug: stack trace and where to report it, exit 3', () => {
    const io = sink();
    assert.equal(handleError(new TypeError('boom'), io), 3);
    assert.match(io.err, /^anyarch: internal error: boom\n/);
    assert.match(io.err, /^\s{4}at /m);
    assert.match(io.err, /please report this at https:\/\/github\.com\/anyarch\/anyarch\/issues/);
  });
});
