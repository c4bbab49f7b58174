import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tempTree } from '../../test/support/tree.js';
import { MAX_SCRIPTS, contextReader } from './context.js';

test('contextReader: reads inside the context once per path, skips what is missing, binary-unsafe or outside', () => {
  const files: Record<string, string> = { 'a.sh': 'echo a\n', 'ci/b.sh': 'echo b\n' };
  for (let i = 0; i < MAX_SCRIPTS + 2; i++) files[`many/${i}.sh`] = 'true\n';
  const dir = tempTree(files, 'anyarch-context-');
  const read = contextReader(dir, (p) => `ctx/${p}`);
  assert.deepEqual(read('a.sh'), { path: 'ctx/a.sh', text: 'echo a\n' });
  assert.deepEqual(read('ci/b.sh'), { path: 'ctx/ci/b.sh', text: 'echo b\n' });
  assert.equal(read('missing.sh'), undefined);
  assert.equal(read('../a.sh'), undefined);
  assert.equal(read('/etc/passwd'), undefined);
  // at most MAX_SCRIPTS paths are read; those already read stay readable
  let found = 0;
  for (let i = 0; i < MAX_SCRIPTS + 2; i++) if (read(`many/${i}.sh`)) found++;
  assert.equal(found, MAX_SCRIPTS - 3);
  assert.deepEqual(read('a.sh'), { path: 'ctx/a.sh', text: 'echo a\n' });
});

test('contextReader: a symbolic link (of the file or of a directory above it) that leads out of the context is not followed', () => {
  const outside = tempTree({ 'secret.sh': 'TOKEN=ghp_secret curl https://example.com/tool-amd64\n' }, 'anyarch-outside-');
  const dir = tempTree({ 'real/in.sh': 'echo in\n' }, 'anyarch-context-');
  symlinkSync(path.join(outside, 'secret.sh'), path.join(dir, 'install.sh'));
  symlinkSync('../' + path.basename(outside), path.join(dir, 'up'));
  symlinkSync(outside, path.join(dir, 'abs'));
  symlinkSync('real/in.sh', path.join(dir, 'inside.sh'));
  symlinkSync('.', path.join(dir, 'loop'));
  const read = contextReader(dir, (p) => p);
  assert.equal(read('install.sh'), undefined);
  assert.equal(read('up/secret.sh'), undefined);
  assert.equal(read('abs/secret.sh'), undefined);
  // a link that stays inside the context is read (BuildKit copies the tree, link and target)
  assert.deepEqual(read('inside.sh'), { path: 'inside.sh', text: 'echo in\n' });
  assert.deepEqual(read('loop/loop/real/in.sh'), { path: 'loop/loop/real/in.sh', text: 'echo in\n' });
});
