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
