import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import foreign from './foreign-binary.js';
import rule from './not-verified.js';
import { judgeVariant } from '../judge.js';

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

test('AA210 and AA201 agree: platforms outside the ten whose ELF identity anyarch knows are judged, not "not judged"', () => {
  const tree = handTree({
    'usr/bin/app': { facts: { format: 'elf', class: 64, endian: 'be', machine: 21, osabi: 0, type: 'exec', flags: 0, dynamic: false } },
    'usr/bin/wrong': { facts: elf('amd64') },
  });
  for (const platform of ['linux/ppc64', 'linux/sparc64', 'linux/mips64']) {
    assert.deepEqual(judge(rule, tree, platform), [], platform);
    assert.ok(judge(foreign, tree, platform).some((v) => v.id === 'AA201' && v.path === '/usr/bin/wrong'), platform);
  }
  assert.deepEqual(brief(judge(foreign, tree, 'linux/ppc64')), ['AA201 error /usr/bin/wrong']);
  // arm/v5 is judged (Tag_CPU_arch sets, soft float): no AA210
  const arm = handTree({ 'bin/busybox': { facts: elf('arm', { flags: 0x5000200, arm: { cpuArch: 5 } }) }, 'bin/x': { facts: elf('amd64') } });
  assert.deepEqual(judge(rule, arm, 'linux/arm/v5'), []);
  assert.deepEqual(brief(judge(foreign, arm, 'linux/arm/v5')), ['AA201 error /bin/x']);
  assert.deepEqual(judge(rule, handTree({}), 'linux/arm64'), []);
});

test('AA210: a platform no ELF identity names is said and its files left unjudged; an arm variant outside v5..v8 likewise for ARM files', () => {
  const tree = handTree({ 'usr/bin/app': { facts: elf('amd64') } });
  const vs = judge(rule, tree, 'linux/wasm');
  assert.deepEqual(brief(vs), ['AA210 info']);
  assert.match(vs[0]!.message, /linux\/wasm .*files were not judged/);
  assert.deepEqual(judge(foreign, tree, 'linux/wasm'), [], 'AA201 says nothing where AA210 says not judged');
  // an index entry may say arm/v4, which no platform specifier parses
  const v4 = judgeVariant({ platform: { os: 'linux', architecture: 'arm', variant: 'v4' }, name: 'linux/arm/v4', tree: handTree({ 'bin/a': { facts: elf('arm', { arm: { cpuArch: 1 } }) } }), verdicts: [rule] });
  assert.deepEqual(brief(v4), ['AA210 info']);
  assert.match(v4[0]!.message, /32-bit ARM files were not judged against linux\/arm\/v4/);
});
