import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './missing-loader.js';

const dyn = (arch: string, interpreter: string) => elf(arch, { interpreter, type: 'dyn' });

test('AA203: a dynamic binary in scratch (no loader) is an error naming the loader', () => {
  const vs = judge(rule, handTree({ app: { facts: dyn('amd64', '/lib64/ld-linux-x86-64.so.2') } }), 'linux/amd64');
  assert.deepEqual(brief(vs), ['AA203 error /app']);
  assert.match(vs[0]!.message, /needs the loader \/lib64\/ld-linux-x86-64.so.2/);
});

test("AA203: the loader found through symlinks (Debian's /lib64 -> usr/lib64 and the loader's own link) is there", () => {
  const tree = handTree({
    lib64: { target: 'usr/lib64' },
    'usr/lib64/ld-linux-x86-64.so.2': { target: '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
    'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': { facts: elf('amd64', { type: 'dyn' }) },
    'usr/bin/app': { facts: dyn('amd64', '/lib64/ld-linux-x86-64.so.2') },
  });
  assert.deepEqual(judge(rule, tree, 'linux/amd64'), []);
});

test('AA203: a dangling or looping loader link is missing; static and foreign binaries are not judged', () => {
  const tree = handTree({
    'lib/ld-linux-aarch64.so.1': { target: '/lib/nowhere' },
    'lib/ld-loop.so': { target: '/lib/ld-loop.so' },
    'bin/a': { facts: dyn('arm64', '/lib/ld-linux-aarch64.so.1') },
    'bin/b': { facts: dyn('arm64', '/lib/ld-loop.so') },
    'bin/static': { facts: elf('arm64') },
    'bin/foreign': { facts: dyn('amd64', '/lib64/ld-linux-x86-64.so.2') },
  });
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm64')), ['AA203 error /bin/a', 'AA203 error /bin/b']);
});

test("AA203: i386 and x32 programs in an amd64 image without their loaders (Debian's valgrind and perf) are AA201's compatibility summary, not AA203", () => {
  const tree = handTree({
    'usr/libexec/valgrind/getoff-x86-linux': { facts: dyn('386', '/lib/ld-linux.so.2') },
    'usr/lib/perf-core/perf-read-vdsox32': { facts: elf('amd64', { class: 32, interpreter: '/libx32/ld-linux-x32.so.2', type: 'dyn' }) },
    'usr/bin/app': { facts: dyn('amd64', '/lib64/ld-linux-x86-64.so.2') },
  });
  assert.deepEqual(brief(judge(rule, tree, 'linux/amd64')), ['AA203 error /usr/bin/app']);
});
