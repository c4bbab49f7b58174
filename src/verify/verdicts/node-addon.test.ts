import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elf, handTree, MUSL_LOADER } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './node-addon.js';

const NM = 'app/node_modules';

test('AA206: an x86-64 build/Release addon in linux/arm64 is an error', () => {
  const tree = handTree({ [`${NM}/bcrypt/build/Release/bcrypt.node`]: { facts: elf('amd64', { type: 'dyn' }) } });
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm64')), [`AA206 error /${NM}/bcrypt/build/Release/bcrypt.node`]);
});

test('AA206: prebuildify packages with several platforms are information while the one loaded here fits', () => {
  const tree = handTree({
    [`${NM}/leveldown/prebuilds/linux-x64/node.napi.glibc.node`]: { facts: elf('amd64', { type: 'dyn' }) },
    [`${NM}/leveldown/prebuilds/linux-arm64/node.napi.glibc.node`]: { facts: elf('arm64', { type: 'dyn' }) },
    [`${NM}/leveldown/prebuilds/darwin-x64+arm64/node.napi.node`]: {},
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), [`AA212 info /${NM}/leveldown/prebuilds/linux-x64/node.napi.glibc.node`]);
  assert.match(vs[0]!.message, /node-gyp-build loads .*linux-arm64/);
});

test('AA206: no prebuild for this platform, or a wrong one where node-gyp-build looks, is an error', () => {
  const none = handTree({ [`${NM}/x/prebuilds/linux-x64/node.napi.node`]: { facts: elf('amd64', { type: 'dyn' }) } });
  assert.deepEqual(
    judge(rule, none, 'linux/arm64').map((v) => v.id + ' ' + v.severity),
    ['AA206 error', 'AA212 info'],
  );
  const wrong = handTree({ [`${NM}/x/prebuilds/linux-arm64/node.napi.node`]: { facts: elf('amd64', { type: 'dyn' }) } });
  assert.deepEqual(brief(judge(rule, wrong, 'linux/arm64')), [`AA206 error /${NM}/x/prebuilds/linux-arm64/node.napi.node`]);
});

test("AA206: node-gyp-build's choice: the musl prebuild in Alpine (/etc/alpine-release), build/Release before prebuilds", () => {
  const alpine = handTree({
    'etc/alpine-release': {},
    [`${NM}/x/prebuilds/linux-arm64/node.napi.glibc.node`]: { facts: elf('amd64', { type: 'dyn' }) },
    [`${NM}/x/prebuilds/linux-arm64/node.napi.musl.node`]: { facts: elf('arm64', { type: 'dyn' }) },
  });
  assert.deepEqual(brief(judge(rule, alpine, 'linux/arm64')), [`AA212 info /${NM}/x/prebuilds/linux-arm64/node.napi.glibc.node`]);
  const built = handTree({
    [`${NM}/x/build/Release/x.node`]: { facts: elf('arm64', { type: 'dyn' }) },
    [`${NM}/x/prebuilds/linux-x64/node.napi.node`]: { facts: elf('amd64', { type: 'dyn' }) },
  });
  assert.deepEqual(brief(judge(rule, built, 'linux/arm64')), [`AA212 info /${NM}/x/prebuilds/linux-x64/node.napi.node`]);
});

test('AA206: esbuild-style optional packages: another platform beside ours is information, alone it is an error', () => {
  const both = handTree({
    [`${NM}/@esbuild/linux-x64/bin/esbuild`]: { facts: elf('amd64') },
    [`${NM}/@esbuild/linux-arm64/bin/esbuild`]: { facts: elf('arm64') },
  });
  assert.deepEqual(brief(judge(rule, both, 'linux/arm64')), [`AA212 info /${NM}/@esbuild/linux-x64/bin/esbuild`]);
  const alone = handTree({ [`${NM}/@esbuild/linux-x64/bin/esbuild`]: { facts: elf('amd64') } });
  const vs = judge(rule, alone, 'linux/arm64');
  assert.deepEqual(brief(vs), [`AA206 error /${NM}/@esbuild/linux-x64/bin/esbuild`]);
  assert.match(vs[0]!.message, /none for linux-arm64 is installed/);
});

test('AA206: napi-rs musl and gnu packages: the musl one is ours in Alpine; a wrong binary in ours is an error', () => {
  const tree = handTree({
    [MUSL_LOADER['arm64']!]: { facts: elf('arm64') },
    [`${NM}/@swc/core-linux-arm64-musl/swc.linux-arm64-musl.node`]: { facts: elf('amd64', { type: 'dyn' }) },
    [`${NM}/@swc/core-linux-arm64-gnu/swc.linux-arm64-gnu.node`]: { facts: elf('arm64', { type: 'dyn' }) },
  });
  const vs = judge(rule, tree, 'linux/arm64');
  assert.deepEqual(brief(vs), [`AA206 error /${NM}/@swc/core-linux-arm64-musl/swc.linux-arm64-musl.node`]);
});

test('AA206: a 32-bit ARM addon in an arm64 image is foreign: node is a 64-bit process, AArch32 does not load it', () => {
  const tree = handTree({ 'app/node_modules/sqlite3/build/Release/node_sqlite3.node': { facts: elf('arm', { type: 'dyn', arm: { cpuArch: 10 } }) } });
  assert.deepEqual(brief(judge(rule, tree, 'linux/arm64')), ['AA206 error /app/node_modules/sqlite3/build/Release/node_sqlite3.node']);
});
