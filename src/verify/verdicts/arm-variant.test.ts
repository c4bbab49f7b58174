import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './arm-variant.js';
import foreign from './foreign-binary.js';

test('AA202: an ARMv7 binary in linux/arm/v6 is an error; in arm/v7 it is not', () => {
  const tree = handTree({ 'bin/app': { facts: elf('arm', { arm: { cpuArch: 10 } }) } });
  const vs = judge(rule, tree, 'linux/arm/v6');
  assert.deepEqual(brief(vs), ['AA202 error /bin/app']);
  assert.match(vs[0]!.message, /cannot run on linux\/arm\/v6: built for ARMv7/);
  assert.deepEqual(judge(rule, tree, 'linux/arm/v7'), []);
  // AA201 leaves it to AA202
  assert.deepEqual(judge(foreign, tree, 'linux/arm/v6'), []);
});

test('AA202: Tag_CPU_arch values are sets, not a ladder: an M-profile (v7E-M) binary runs on no A-profile variant', () => {
  const tree = handTree({ 'bin/app': { facts: elf('arm', { arm: { cpuArch: 13 } }) } });
  assert.equal(judge(rule, tree, 'linux/arm/v7').length, 1);
  assert.equal(judge(rule, tree, 'linux/arm/v8').length, 1);
  const v8 = handTree({ 'bin/app': { facts: elf('arm', { arm: { cpuArch: 14 } }) } });
  assert.deepEqual(judge(rule, v8, 'linux/arm/v8'), []);
  assert.equal(judge(rule, v8, 'linux/arm/v7').length, 1);
});

test('AA202: no attributes (Go) is unknown, never wrong; a soft-float dynamic binary in a hard-float image is', () => {
  assert.deepEqual(judge(rule, handTree({ 'bin/go-app': { facts: elf('arm') } }), 'linux/arm/v6'), []);
  const tree = handTree({
    'lib/ld-linux-armhf.so.3': { facts: elf('arm', { flags: 0x5000400 }) },
    'bin/soft': { facts: elf('arm', { flags: 0x5000200, interpreter: '/lib/ld-linux-armhf.so.3' }) },
    'bin/hard': { facts: elf('arm', { flags: 0x5000400, interpreter: '/lib/ld-linux-armhf.so.3' }) },
  });
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm/v7')), ['AA202 error /bin/soft']);
});
