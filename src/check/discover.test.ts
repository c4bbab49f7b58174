import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { tempTree } from '../../test/support/tree.js';
import { NO_DOCKERFILES_FOUND, discoverDockerfiles, isDockerfileName } from './discover.js';

/** A temp directory holding `files` (path -> content; a path ending in / is a directory). */
function tree(files: Record<string, string>): string {
  return tempTree(files, 'anyarch-discover-');
}

const posix = (files: readonly string[]): string[] => files.map((f) => f.split(path.sep).join('/'));

describe('isDockerfileName', () => {
  test('Dockerfile and Containerfile names', () => {
    for (const n of ['Dockerfile', 'dockerfile', 'Dockerfile.dev', 'api.Dockerfile', 'Containerfile', 'Containerfile.arm64', 'x.Containerfile']) {
      assert.equal(isDockerfileName(n), true, n);
    }
    for (const n of ['Dockerfile.dockerignore', 'api.Dockerfile.dockerignore', 'Dockerfile~', 'Dockerfile.orig', 'Dockerfile.md', 'Makefile', 'Dockerfiles', 'my-Dockerfile', '.dockerignore']) {
      assert.equal(isDockerfileName(n), false, n);
    }
  });
});

describe('discoverDockerfiles', () => {
  test('searches the current directory by default, sorted, honouring .gitignore', async () => {
    const cwd = tree({
      'Dockerfile': '',
      'README.md': '',
      '.gitignore': 'build/\n*.tmp.Dockerfile\n',
      'build/Dockerfile': '',
      'x.tmp.Dockerfile': '',
      'services/api/Dockerfile': '',
      'services/api/Dockerfile.dockerignore': '',
      'services/web/web.Dockerfile': '',
      'services/web/Containerfile.dev': '',
      '.devcontainer/Dockerfile': '',
      'node_modules/pkg/Dockerfile': '',
      '.git/Dockerfile': '',
    });
    const { files, errors } = await discoverDockerfiles([], { cwd });
    assert.deepEqual(errors, []);
    assert.deepEqual(posix(files), [
      '.devcontainer/Dockerfile',
      'Dockerfile',
      'services/api/Dockerfile',
      'services/web/Containerfile.dev',
      'services/web/web.Dockerfile',
    ]);
  });

  test('a tree 1,500 directories deep is walked to its bottom (a stack of directories, not recursion)', async () => {
    const deep = Array.from({ length: 1500 }, () => 'd').join('/');
    const cwd = tree({ [`${deep}/Dockerfile`]: '', [`${deep.slice(0, 1000 * 2 - 1)}/.gitignore`]: 'ignored.Dockerfile\n', [`${deep}/ignored.Dockerfile`]: '', 'd/a.Dockerfile': '', 'e/Dockerfile': '' });
    const { files, errors } = await discoverDockerfiles([], { cwd });
    assert.deepEqual(errors, []);
    // a directory's subtree comes before its next sibling, as a recursive walk lists them
    assert.deepEqual(posix(files), ['d/a.Dockerfile', `${deep}/Dockerfile`, 'e/Dockerfile']);
  });

  test('nested .gitignore files, with negation', async () => {
    const cwd = tree({
      '.gitignore': '*.Dockerfile\n',
      'a/.gitignore': '!keep.Dockerfile\ngen/\n',
      'a/keep.Dockerfile': '',
      'a/drop.Dockerfile': '',
      'a/gen/Dockerfile': '',
      'b/other.Dockerfile': '',
      'b/Dockerfile': '',
    });
    const { files } = await discoverDockerfiles(['.'], { cwd });
    assert.deepEqual(posix(files), ['a/keep.Dockerfile', 'b/Dockerfile']);
  });

  test('a directory inside a git work tree honours the .gitignore files above it', async () => {
    const root = tree({ '.git/': '', '.gitignore': 'generated/\n', 'app/generated/Dockerfile': '', 'app/Dockerfile': '' });
    const { files } = await discoverDockerfiles(['app'], { cwd: root });
    assert.deepEqual(posix(files), ['app/Dockerfile']);
    const inside = await discoverDockerfiles([], { cwd: path.join(root, 'app') });
    assert.deepEqual(posix(inside.files), ['Dockerfile']);
  });

  test('explicit files are taken whatever their name; duplicates collapse', async () => {
    const cwd = tree({ 'docker/build.df': '', 'docker/Dockerfile': '', '.gitignore': 'docker/\n' });
    const { files, errors } = await discoverDockerfiles(['docker/build.df', './docker/build.df', 'docker/Dockerfile'], { cwd });
    assert.deepEqual(errors, []);
    assert.deepEqual(posix(files), ['docker/Dockerfile', 'docker/build.df']);
  });

  test('glob patterns', async () => {
    const cwd = tree({ 'a/Dockerfile': '', 'a/b/Dockerfile.prod': '', 'a/b/notes.txt': '', 'c/Dockerfile': '', 'a/node_modules/Dockerfile': '' });
    const { files, errors } = await discoverDockerfiles(['a/**/Dockerfile*'], { cwd });
    assert.deepEqual(errors, []);
    assert.deepEqual(posix(files), ['a/Dockerfile', 'a/b/Dockerfile.prod']);
  });

  test('a missing path or an empty glob is an E_INPUT error; the other inputs are still found', async () => {
    const cwd = tree({ 'Dockerfile': '' });
    const { files, errors } = await discoverDockerfiles(['nope/Dockerfile', 'Dockerfile', 'none/**/Dockerfile'], { cwd });
    assert.deepEqual(posix(files), ['Dockerfile']);
    assert.equal(errors.length, 2);
    assert.equal(errors[0]?.code, 'E_INPUT');
    assert.equal(errors[0]?.describe(), 'nope/Dockerfile: no such file or directory');
    assert.equal(errors[1]?.location?.file, 'none/**/Dockerfile');
    assert.equal(errors[1]?.message, NO_DOCKERFILES_FOUND);
  });

  test('a directory without Dockerfiles and a glob matching nothing are alike: the same E_INPUT error', async () => {
    const cwd = tree({ 'empty/': '', 'docs/README.md': '', 'ignored/Dockerfile': '', Dockerfile: '' });
    const inputs = ['empty', 'docs', 'none/*.Dockerfile', 'ignored', 'ignored/*', '.'];
    const { files, errors } = await discoverDockerfiles(inputs, { cwd, ignore: ['ignored/'] });
    assert.deepEqual(posix(files), ['Dockerfile']);
    assert.deepEqual(
      errors.map((e) => [e.code, e.location?.file, e.message, e.hint]),
      inputs.slice(0, 5).map((i) => ['E_INPUT', i, NO_DOCKERFILES_FOUND, errors[0]?.hint]),
    );
    const none = await discoverDockerfiles([], { cwd: path.join(cwd, 'empty') });
    assert.deepEqual([none.files, none.errors.map((e) => e.describe())], [[], [`.: ${NO_DOCKERFILES_FOUND}`]]);
  });

  test('special files with Dockerfile names, and links to them, are kept for the reader to refuse', async () => {
    const cwd = tree({ 'd/Dockerfile': '' });
    execFileSync('mkfifo', [path.join(cwd, 'd', 'fifo.Dockerfile')]);
    symlinkSync('/dev/zero', path.join(cwd, 'd', 'Dockerfile.zero'));
    symlinkSync(path.join(cwd, 'nowhere'), path.join(cwd, 'd', 'Dockerfile.dangling'));
    const { files, errors } = await discoverDockerfiles(['d'], { cwd });
    assert.deepEqual(errors, []);
    assert.deepEqual(posix(files), ['d/Dockerfile', 'd/Dockerfile.zero', 'd/fifo.Dockerfile']);
  });

  test('config ignore patterns apply to searches, globs and explicit files', async () => {
    const cwd = tree({ 'vendor/x/Dockerfile': '', 'app/Dockerfile': '', 'app/testdata/Dockerfile': '', 'legacy.Dockerfile': '' });
    const opts = { cwd, ignore: ['vendor/', '**/testdata/**', 'legacy.Dockerfile'] };
    assert.deepEqual(posix((await discoverDockerfiles([], opts)).files), ['app/Dockerfile']);
    assert.deepEqual(posix((await discoverDockerfiles(['**/Dockerfile'], opts)).files), ['app/Dockerfile']);
    assert.deepEqual(posix((await discoverDockerfiles(['legacy.Dockerfile'], opts)).files), []);
  });

  test('ignore patterns are relative to their base directory', async () => {
    const root = tree({ 'sub/gen/Dockerfile': '', 'sub/Dockerfile': '' });
    const { files } = await discoverDockerfiles([], { cwd: path.join(root, 'sub'), ignore: ['sub/gen/'], ignoreBase: root });
    assert.deepEqual(posix(files), ['Dockerfile']);
  });

  test('follows symbolic links to files, not to directories', async () => {
    const cwd = tree({ 'real/Dockerfile': '', 'x/': '' });
    symlinkSync(path.join(cwd, 'real'), path.join(cwd, 'x', 'linked-dir'));
    symlinkSync(path.join(cwd, 'real', 'Dockerfile'), path.join(cwd, 'x', 'Dockerfile'));
    const { files } = await discoverDockerfiles(['x'], { cwd });
    assert.deepEqual(posix(files), ['x/Dockerfile']);
  });

  test('files outside cwd keep their absolute path', async () => {
    const other = tree({ Dockerfile: '' });
    const cwd = tree({});
    const { files } = await discoverDockerfiles([path.join(other, 'Dockerfile')], { cwd });
    assert.deepEqual(files, [path.join(other, 'Dockerfile')]);
  });
});
