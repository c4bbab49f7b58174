import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { parsePlatform } from '../../platform/index.js';
import { judgeVariant } from '../judge.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './foreign-binary.js';

test('AA201: an x86-64 go in linux/arm64 is an error naming path, architecture and what it is', () => {
  const tree = handTree({
    'usr/local/go/bin/go': { facts: elf('amd64'), layer: 1 },
    'bin/busybox': { facts: elf('arm64') },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), ['AA201 error /usr/local/go/bin/go']);
  assert.match(vs[0]!.message, /\/usr\/local\/go\/bin\/go is amd64, not linux\/arm64/);
  assert.match(vs[0]!.what!, /^ELF 64-bit LSB x86-64, static/);
});

test('AA201: the right binaries, arm64 v8 as arm64, scripts and unknown machines say nothing of architecture', () => {
  const tree = handTree({ 'bin/a': { facts: elf('arm64') }, 'bin/s': { facts: { format: 'script', interpreter: '/bin/sh', args: [] } } });
  assert.deepEqual(judge(rule, tree, 'linux/arm64/v8'), []);
  assert.deepEqual(judge(rule, tree, 'linux/amd64').length, 1);
});

test('AA201: byte order and class count: s390x is not ppc64le, 386 is not amd64', () => {
  assert.equal(judge(rule, handTree({ 'bin/x': { facts: elf('s390x') } }), 'linux/ppc64le').length, 1);
  assert.equal(judge(rule, handTree({ 'bin/x': { facts: elf('386') } }), 'linux/amd64').length, 1);
});

test('AA201: Python extensions and Node addons are left to AA205 and AA206', () => {
  const tree = handTree({
    'usr/lib/python3/dist-packages/x.cpython-311-x86_64-linux-gnu.so': { facts: elf('amd64') },
    'app/node_modules/x/build/Release/x.node': { facts: elf('amd64') },
  });
  assert.deepEqual(judge(rule, tree, 'linux/arm64'), []);
});

test('AA201: well-known intended files become AA212 information: cross sysroot, multiarch, qemu, firmware, debug', () => {
  const tree = handTree({
    'usr/aarch64-linux-gnu/lib/libc.so.6': { facts: elf('arm64') },
    'usr/lib/aarch64-linux-gnu/libz.so.1': { facts: elf('arm64') },
    'usr/bin/qemu-aarch64-static': { facts: elf('arm64') },
    'lib/firmware/x.bin': { facts: elf('arm') },
    'usr/lib/debug/.build-id/ab/cd.debug': { facts: elf('arm64') },
  });
  const vs = judge(rule, tree, 'linux/amd64');
  assert.deepEqual(vs.map((v) => `${v.id} ${v.severity} ${v.allowed?.by}`), Array(5).fill('AA212 info known'));
  assert.match(vs.find((v) => v.path === '/usr/aarch64-linux-gnu/lib/libc.so.6')!.message, /cross toolchain/);
});

test('AA201: a verify.allow entry turns the verdict into AA212 with its reason', () => {
  const tree = handTree({ 'opt/testdata/arm.bin': { facts: elf('arm') }, 'opt/other/arm.bin': { facts: elf('arm') } });
  const vs = judge(rule, tree, 'linux/amd64', { allow: [{ path: '/opt/testdata/**', reason: 'test fixtures' }] });
  assert.deepEqual(brief(vs), ['AA201 error /opt/other/arm.bin', 'AA212 info /opt/testdata/arm.bin']);
  const allowed = vs.find((v) => v.path === '/opt/testdata/arm.bin')!;
  assert.equal(allowed.id, 'AA212');
  assert.deepEqual(allowed.allowed, { reason: 'test fixtures', by: 'config' });
  assert.equal(vs.find((v) => v.path === '/opt/other/arm.bin')!.id, 'AA201');
});

test("AA201: Go's pkg/tool/linux_<arch> beside a go of that arch is intended; the go itself is not (Zasper)", () => {
  const tree = handTree({
    'usr/local/go/bin/go': { facts: elf('amd64') },
    'usr/local/go/pkg/tool/linux_amd64/compile': { facts: elf('amd64') },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(
    vs.map((v) => `${v.id} ${v.path}`),
    ['AA201 /usr/local/go/bin/go', 'AA212 /usr/local/go/pkg/tool/linux_amd64/compile'],
  );
  // without the go of that architecture the tool is not excused
  const alone = judge(rule, handTree({ 'usr/local/go/pkg/tool/linux_amd64/compile': { facts: elf('amd64') } }), 'linux/arm64');
  assert.deepEqual(brief(alone), ['AA201 error /usr/local/go/pkg/tool/linux_amd64/compile']);
});

test('AA201: the layer of the file and the step that made it are named', () => {
  const tree = handTree({ 'bin/x': { facts: elf('amd64'), layer: 1 } });
  const layers = [
    { index: 0, digest: 'sha256:aa' as const },
    { index: 1, digest: 'sha256:bb' as const, createdBy: 'COPY x /bin/x # buildkit' },
  ];
  const vs = judgeVariant({ platform: parsePlatform('linux/arm64'), name: 'linux/arm64', tree, layers, verdicts: [rule] });
  assert.deepEqual(vs[0]!.layer, layers[1]);
});
