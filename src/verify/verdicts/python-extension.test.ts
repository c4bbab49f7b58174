import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './python-extension.js';

const SP = 'usr/local/lib/python3.11/site-packages';

test('AA205: an x86-64 extension module in linux/arm64 is an error', () => {
  const tree = handTree({ [`${SP}/numpy/core/_multiarray.cpython-311-x86_64-linux-gnu.so`]: { facts: elf('amd64', { type: 'dyn' }) } });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), [`AA205 error /${SP}/numpy/core/_multiarray.cpython-311-x86_64-linux-gnu.so`]);
});

test('AA205: a suffix that disagrees with right content is a warning; an agreeing one nothing', () => {
  const tree = handTree({
    [`${SP}/a.cpython-311-x86_64-linux-gnu.so`]: { facts: elf('arm64', { type: 'dyn' }) },
    [`${SP}/b.cpython-311-aarch64-linux-gnu.so`]: { facts: elf('arm64', { type: 'dyn' }) },
    [`${SP}/c.abi3.so`]: { facts: elf('arm64', { type: 'dyn' }) },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), [`AA205 warning /${SP}/a.cpython-311-x86_64-linux-gnu.so`]);
  assert.match(vs[0]!.message, /named for amd64 \(x86_64-linux-gnu\) but holds arm64 code/);
});

test('AA205: WHEEL tags for another machine are a warning; pure and matching wheels are not', () => {
  const tree = handTree({
    [`${SP}/x-1.0.dist-info/WHEEL`]: { facts: { format: 'text', text: 'Wheel-Version: 1.0\nTag: cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64\n' } },
    [`${SP}/y-1.0.dist-info/WHEEL`]: { facts: { format: 'text', text: 'Tag: py3-none-any\n' } },
    [`${SP}/z-1.0.dist-info/WHEEL`]: { facts: { format: 'text', text: 'Tag: cp311-cp311-musllinux_1_2_aarch64\n' } },
  });
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm64')), [`AA205 warning /${SP}/x-1.0.dist-info/WHEEL`]);
  // a wheel for several machines, one of them this one, or a macOS tag beside: not judged
  const mixed = handTree({ [`${SP}/m-1.0.dist-info/WHEEL`]: { facts: { format: 'text', text: 'Tag: cp311-cp311-macosx_11_0_arm64\nTag: cp311-cp311-manylinux_2_17_x86_64\n' } } });
  assert.deepEqual(judge(rule, mixed, 'linux/arm64'), []);
});

test('AA205: an i386 extension in an amd64 image is an error: the interpreter process is 64-bit, compatibility mode does not load it', () => {
  const tree = handTree({ [`${SP}/_cffi_backend.cpython-311-i386-linux-gnu.so`]: { facts: elf('386', { type: 'dyn' }) } });
  assert.deepEqual(brief(judge(rule, tree, 'linux/amd64')), [`AA205 error /${SP}/_cffi_backend.cpython-311-i386-linux-gnu.so`]);
});
