import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tempPaths } from '../../test/support/assert.js';
import { TemporaryDirs } from './temporary.js';

const tmp = tempPaths('anyarch-temporary-');

test('a registry of temporary directories: made private, held until removed, removed with their content', async () => {
  const parent = tmp('parent');
  mkdirSync(parent);
  const dirs = new TemporaryDirs();
  const a = await dirs.make(parent, 'anyarch-x-');
  const b = await dirs.make(parent, 'anyarch-x-');
  assert.notEqual(a, b);
  assert.equal(path.dirname(a), parent);
  assert.match(path.basename(a), /^anyarch-x-/);
  assert.equal(statSync(a).mode & 0o777, 0o700);
  writeFileSync(path.join(a, 'image.tar'), 'x');
  await dirs.remove(a);
  assert.equal(existsSync(a), false);
  // what is removed is no longer held: removing everything held leaves only `b` to remove
  mkdirSync(a);
  dirs.removeAllSync();
  assert.equal(existsSync(b), false);
  assert.equal(existsSync(a), true, 'a directory no longer held is left alone');
});

test('removeAllSync removes everything held at once (what signal handlers call), and forgets it', async () => {
  const parent = tmp('parent');
  mkdirSync(parent);
  const dirs = new TemporaryDirs();
  const made = [await dirs.make(parent, 'anyarch-y-'), await dirs.make(parent, 'anyarch-y-')];
  writeFileSync(path.join(made[0]!, 'f'), 'x');
  dirs.removeAllSync();
  assert.ok(made.every((d) => !existsSync(d)));
  mkdirSync(made[1]!);
  dirs.removeAllSync(); // forgotten: a second call removes nothing
  assert.equal(existsSync(made[1]!), true);
  await dirs.remove(made[0]!); // already gone: fine
});
