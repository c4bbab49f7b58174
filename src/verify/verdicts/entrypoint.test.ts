import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree, script } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule, { shellProgram } from './entrypoint.js';

const base = {
  'bin/sh': { facts: elf('arm64') },
  'usr/local/bin/server': { facts: elf('amd64'), layer: 2 },
  'app/run': { facts: elf('arm64') },
};

test('AA208: an Entrypoint of another architecture is an error (the container cannot start), with its layer', () => {
  const vs = judge(rule, handTree(base), 'linux/arm64', { config: { Entrypoint: ['/usr/local/bin/server'], Cmd: ['--port', '80'] } });
  assert.deepEqual(brief(vs), ['AA208 error /usr/local/bin/server']);
  assert.match(vs[0]!.message, /Entrypoint runs \/usr\/local\/bin\/server, which is amd64, not linux\/arm64/);
});

test('AA208: a Cmd name searched in PATH, a relative one from WorkingDir', () => {
  const tree = handTree(base);
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['server'] } })), ['AA208 error /usr/local/bin/server']);
  assert.deepEqual(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['./run'], WorkingDir: '/app' } }), []);
  const missing = judge(rule, tree, 'linux/arm64', { config: { Cmd: ['./run'], WorkingDir: '/srv' } });
  assert.match(missing[0]!.message, /runs \.\/run, which is not in the image/);
  const notInPath = judge(rule, tree, 'linux/arm64', { config: { Cmd: ['nginx'], Env: ['PATH=/usr/bin'] } });
  assert.match(notInPath[0]!.message, /nginx, which is not in PATH \(\/usr\/bin\)/);
});

test('AA208: shell form: the shell and the first plain word of the command', () => {
  const tree = handTree(base);
  assert.equal(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['/bin/sh', '-c', 'exec server --x'] } }).length, 1);
  assert.deepEqual(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['/bin/sh', '-c', 'cd /app && ./run'] } }), []);
  assert.match(judge(rule, handTree({}), 'linux/arm64', { config: { Cmd: ['/bin/sh', '-c', 'x'] } })[0]!.message, /\/bin\/sh, which is not in the image/);
  assert.equal(shellProgram('FOO=1 exec gunicorn app'), 'gunicorn');
  assert.equal(shellProgram('$HOME/bin/x'), undefined);
});

test('AA208: a script entrypoint whose interpreter is missing; no Entrypoint or Cmd says nothing', () => {
  const tree = handTree({ 'entry.sh': { facts: script('/bin/bash') } });
  assert.match(judge(rule, tree, 'linux/arm64', { config: { Entrypoint: ['/entry.sh'] } })[0]!.message, /interpreter \/bin\/bash is not in the image/);
  assert.deepEqual(judge(rule, tree, 'linux/arm64', { config: {} }), []);
  assert.deepEqual(judge(rule, tree, 'linux/arm64'), []);
});

test('AA208: shell reserved words and builtins are not programs (POSIX special and regular builtins, bash and busybox ash)', () => {
  const tree = handTree({ 'bin/sh': { facts: elf('arm64') }, 'usr/bin/app': { facts: elf('arm64') } });
  const cmds = [
    'until nc -z db 5432; do sleep 1; done; exec app', // wait-for-db loops
    'while ! pg_isready -h db; do sleep 1; done && exec app',
    'unset HTTP_PROXY; exec app',
    'umask 002 && exec app',
    'ulimit -n 4096 && exec app',
    'readonly X=1; exec app',
    'kill -0 1 || exec app',
    'alias ll="ls -l"; exec app',
    'shift; exec app "$@"',
    'pwd && exec app',
    'local x=1',
    'getopts ab opt; exec app',
    'hash -r; exec app',
    'type app && exec app',
    '! test -f /x && exec app',
    'declare -x A=1; exec app',
    '[[ -f /etc/app.conf ]] && exec app',
    'select x in a b; do break; done',
    'return 0',
  ];
  for (const cmd of cmds) {
    assert.deepEqual(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['/bin/sh', '-c', cmd], Env: ['PATH=/usr/bin:/bin'] } }), [], cmd);
  }
});

test('AA208: an inner command name not in PATH is silence (a shell function, an ENV file, busybox applets); a missing path is sure', () => {
  const tree = handTree({ 'bin/sh': { facts: elf('arm64') }, 'usr/bin/app': { facts: elf('amd64') } });
  const say = (cmd: string) => brief(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['/bin/sh', '-c', cmd], Env: ['PATH=/usr/bin:/bin'] } }));
  assert.deepEqual(say('wait-for-it db:5432 -- app'), []);
  assert.deepEqual(say('/opt/app/bin/start'), ['AA208 error'], 'a path is looked up on the file system, not among builtins');
  assert.deepEqual(say('exec app'), ['AA208 error /usr/bin/app'], 'a found program is still judged');
  // exec form: Docker execs argv[0] itself, so a name not in PATH is sure
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm64', { config: { Cmd: ['wait-for-it'], Env: ['PATH=/usr/bin:/bin'] } })), ['AA208 error']);
});

test('AA208: a Go binary for GOAMD64=v3 or i386 on amd64 starts: no "exec format error" from AA208 (AA201 tells)', () => {
  const tree = handTree({
    'usr/local/bin/server': { facts: elf('amd64', { goBuild: { GOAMD64: 'v3' } }) },
    'usr/local/bin/old': { facts: elf('386') },
  });
  assert.deepEqual(judge(rule, tree, 'linux/amd64', { config: { Entrypoint: ['/usr/local/bin/server'] } }), []);
  assert.deepEqual(judge(rule, tree, 'linux/amd64', { config: { Entrypoint: ['/usr/local/bin/old'] } }), []);
});
