import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dirsToWorkTreeRoot } from './work-tree.js';

test('dirsToWorkTreeRoot lists the directories up to the one holding .git, nearest first', async () => {
  const top = mkdtempSync(path.join(tmpdir(), 'anyarch-worktree-'));
  const repo = path.join(top, 'repo');
  const deep = path.join(repo, 'a', 'b');
  mkdirSync(path.join(repo, '.git'), { recursive: true });
  mkdirSync(deep, { recursive: true });
  assert.deepEqual(await dirsToWorkTreeRoot(deep), [deep, path.join(repo, 'a'), repo]);
  assert.deepEqual(await dirsToWorkTreeRoot(repo), [repo]);
  // a worktree or submodule has a .git file, not a directory
  const sub = path.join(deep, 'sub');
  mkdirSync(sub);
  writeFileSync(path.join(sub, '.git'), 'gitdir: ../../.git/modules/sub\n');
  assert.deepEqual(await dirsToWorkTreeRoot(path.join(sub, '.')), [sub]);
});

test('dirsToWorkTreeRoot is undefined outside a work tree', async () => {
  const top = mkdtempSync(path.join(tmpdir(), 'anyarch-worktree-'));
  // tmpdir() itself is not inside a work tree on the machines the tests run on
  assert.equal(await dirsToWorkTreeRoot(top), undefined);
});
