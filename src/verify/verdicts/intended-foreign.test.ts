import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { judge } from '../../../test/support/verdicts.js';
import { allowPattern } from '../allow.js';

test('AA212: an allowed file keeps what it is and where it came from, as information with the reason', () => {
  const tree = handTree({ 'usr/share/testdata/arm64.elf': { facts: elf('arm64'), layer: 0 } });
  const [v] = judge(undefined, tree, 'linux/amd64', { allow: [{ path: 'usr/share/testdata', reason: 'multi-arch test data' }], all: true });
  assert.equal(v!.id, 'AA212');
  assert.equal(v!.severity, 'info');
  assert.equal(v!.path, '/usr/share/testdata/arm64.elf');
  assert.match(v!.what!, /aarch64/);
  assert.match(v!.message, /is arm64, not linux\/amd64.*\(intended: multi-arch test data\)$/);
});

test('AA212: allow globs: * within a segment, ** across, a directory covers what is below', () => {
  const re = (g: string) => allowPattern(g);
  assert.ok(re('usr/aarch64-linux-gnu/**').test('usr/aarch64-linux-gnu/lib/libc.so.6'));
  assert.ok(re('/opt/*/bin').test('opt/x/bin/tool'));
  assert.ok(!re('opt/*.so').test('opt/a/b.so'));
  assert.ok(re('opt/**/*.so').test('opt/a/b/c.so'));
  assert.ok(re('opt/**/*.so').test('opt/c.so'));
  assert.ok(!re('opt/x').test('opt/xy'));
  assert.throws(() => allowPattern('/'), /below the root/);
  // `**/` stands for nothing or whole segments
  assert.ok(re('opt/**/x').test('opt/x'));
  assert.ok(re('opt/**/x').test('opt/a/b/x'));
  assert.ok(!re('opt/**/x').test('opt/ax'));
  assert.ok(re('**/lib/*.so').test('usr/lib/a.so'));
  assert.ok(re('?pt').test('opt/a'));
  // a pattern of many stars is matched by a table, never by backtracking
  assert.equal(re('*a'.repeat(500)).test('a'.repeat(499) + 'b'), false);
  assert.equal(re('**a'.repeat(300)).test('a/'.repeat(2000)), true);
});

test('AA212: verdicts whose container cannot start are never allowed away (AA208)', () => {
  const tree = handTree({ 'opt/testdata/app': { facts: elf('arm64') } });
  const vs = judge(undefined, tree, 'linux/amd64', { all: true, config: { Entrypoint: ['/opt/testdata/app'] }, allow: [{ path: 'opt/testdata/**', reason: 'x' }] });
  assert.deepEqual(vs.map((v) => v.id).sort(), ['AA208', 'AA212']);
});
