import assert from 'node:assert/strict';
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
