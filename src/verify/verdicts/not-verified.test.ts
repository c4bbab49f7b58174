import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import foreign from './foreign-binary.js';
import rule from './not-verified.js';

test('AA210: a Windows variant without PE files is not verified (info), never judged by its ELF-less files', () => {
  const vs = judge(rule, handTree({ 'Files/readme.txt': {} }), 'windows/amd64');
  assert.deepEqual(brief(vs), ['AA210 info']);
  assert.match(vs[0]!.message, /Windows variant windows\/amd64 was not verified/);
});

test('AA210: a Windows variant with PE files is verified by their machine (AA201)', () => {
  const tree = handTree({ 'Files/app.exe': { facts: { format: 'pe', machine: 0xaa64 } }, 'Files/ok.exe': { facts: { format: 'pe', machine: 0x8664 } } });
  assert.deepEqual(judge(rule, tree, 'windows/amd64'), []);
  assert.deepEqual(brief(judge(foreign, tree, 'windows/amd64')), ['AA201 error /Files/app.exe']);
  // ELF files in a Windows variant, PE files in a Linux one: not judged
  assert.deepEqual(judge(foreign, handTree({ x: { facts: elf('arm64') } }), 'windows/amd64'), []);
  assert.deepEqual(judge(foreign, tree, 'linux/arm64'), []);
});

test('AA210: a Linux platform anyarch has no binary identity for is said, not judged', () => {
  assert.deepEqual(brief(judge(rule, handTree({}), 'linux/sparc64')), ['AA210 info']);
  assert.deepEqual(judge(rule, handTree({}), 'linux/arm64'), []);
});
