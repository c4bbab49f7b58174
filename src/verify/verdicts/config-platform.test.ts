import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handTree } from '../../../test/support/file-tree.js';
import { brief, judge } from '../../../test/support/verdicts.js';
import rule from './config-platform.js';

const tree = handTree({});

test('AA209: a config for amd64 under an arm64 index entry is an error', () => {
  const vs = judge(rule, tree, 'linux/arm64', { declared: { os: 'linux', architecture: 'arm64' }, configPlatform: { os: 'linux', architecture: 'amd64' } });
  assert.deepEqual(brief(vs), ['AA209 error']);
  assert.match(vs[0]!.message, /lists this image as linux\/arm64 but its config says linux\/amd64/);
});

test('AA209: normalised as containerd does: arm64/v8 = arm64, aarch64 = arm64, arm = arm/v7', () => {
  assert.deepEqual(judge(rule, tree, 'linux/arm64', { declared: { os: 'linux', architecture: 'arm64', variant: 'v8' }, configPlatform: { os: 'linux', architecture: 'aarch64' } }), []);
  assert.deepEqual(judge(rule, tree, 'linux/arm/v7', { declared: { os: 'linux', architecture: 'arm', variant: 'v7' }, configPlatform: { os: 'linux', architecture: 'arm' } }), []);
  assert.equal(judge(rule, tree, 'linux/arm/v7', { declared: { os: 'linux', architecture: 'arm', variant: 'v7' }, configPlatform: { os: 'linux', architecture: 'arm', variant: 'v6' } }).length, 1);
});
