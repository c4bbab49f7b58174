import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './libc-mismatch.js';
import missing from './missing-loader.js';

test('AA204: a glibc binary in a musl image is AA204, not AA203', () => {
  const tree = handTree({
    'lib/ld-musl-aarch64.so.1': { facts: elf('arm64', { type: 'dyn' }) },
    'usr/bin/app': { facts: elf('arm64', { interpreter: '/lib/ld-linux-aarch64.so.1' }) },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), ['AA204 error /usr/bin/app']);
  assert.match(vs[0]!.message, /linked against glibc .* the image has musl/);
  assert.deepEqual(judge(missing, tree, 'linux/arm64'), []);
});

test('AA204: a musl binary in a glibc image; gcompat (a glibc loader in Alpine) satisfies it', () => {
  const glibc = handTree({
    'lib/ld-linux-aarch64.so.1': { facts: elf('arm64') },
    'bin/app': { facts: elf('arm64', { interpreter: '/lib/ld-musl-aarch64.so.1' }) },
  });
  assert.deepEqual(brief(judge(rule, glibc, 'linux/arm64')), ['AA204 error /bin/app']);
  const gcompat = handTree({
    'lib/ld-musl-aarch64.so.1': { facts: elf('arm64') },
    'lib/ld-linux-aarch64.so.1': { target: 'ld-musl-aarch64.so.1' },
    'bin/app': { facts: elf('arm64', { interpreter: '/lib/ld-linux-aarch64.so.1' }) },
  });
  assert.deepEqual(judge(rule, gcompat, 'linux/arm64'), []);
});
