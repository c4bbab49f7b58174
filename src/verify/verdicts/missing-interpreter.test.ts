import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree, script } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule, { envProgram } from './missing-interpreter.js';

test('AA207: #!/bin/bash in an image without bash is a warning; a script without the exec bit is not judged', () => {
  const tree = handTree({
    'bin/sh': { facts: elf('amd64') },
    'usr/local/bin/start.sh': { facts: script('/bin/bash') },
    'usr/share/doc/example.sh': { facts: script('/bin/bash'), mode: 0o644 },
    'usr/local/bin/ok.sh': { facts: script('/bin/sh', '-e') },
  });
  const vs = judge(rule, tree, 'linux/amd64');
  assert.deepEqual(brief(vs), ['AA207 warning /usr/local/bin/start.sh']);
  assert.match(vs[0]!.message, /#!\/bin\/bash, which is not in the image/);
});

test("AA207: #!/usr/bin/env X searches X in the config's PATH (Docker's default when unset)", () => {
  const tree = handTree({
    'usr/bin/env': { facts: elf('amd64') },
    'opt/py/bin/python3': { facts: elf('amd64') },
    'app/a.py': { facts: script('/usr/bin/env', 'python3') },
    'app/b.js': { facts: script('/usr/bin/env', '-S', 'node', '--max-old-space-size=100') },
  });
  assert.deepEqual(brief(judge(rule, tree, 'linux/amd64')), ['AA207 warning /app/a.py', 'AA207 warning /app/b.js']);
  const withPath = judge(rule, tree, 'linux/amd64', { config: { Env: ['PATH=/opt/py/bin:/usr/bin'] } });
  assert.deepEqual(brief(withPath), ['AA207 warning /app/b.js']);
  assert.match(withPath[0]!.message, /no node is in PATH \(\/opt\/py\/bin:\/usr\/bin\)/);
});

test('envProgram skips options and assignments', () => {
  assert.equal(envProgram(['-S', 'python3 -u']), 'python3');
  assert.equal(envProgram(['-i', 'A=b', 'bash']), 'bash');
  assert.equal(envProgram(['-u', 'X', 'sh']), 'sh');
  assert.equal(envProgram([]), undefined);
});
