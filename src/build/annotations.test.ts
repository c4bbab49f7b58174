/** The standard annotations: from git (a real work tree made here with the `git` program) and SOURCE_DATE_EPOCH. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { annotationsFromEnvironment, createdFromEnvironment, sourceUrl, standardAnnotations } from './annotations.js';

describe('standard annotations', () => {
  let repo: string;
  let plain: string;
  let head: string;
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), ...extra });

  before(async () => {
    repo = await mkdtemp(path.join(tmpdir(), 'anyarch-annotations-repo-'));
    plain = await mkdtemp(path.join(tmpdir(), 'anyarch-annotations-plain-'));
    const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { env: { ...env(), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).toString().trim();
    git('init', '-q');
    await writeFile(path.join(repo, 'Dockerfile'), 'FROM scratch\n');
    git('add', 'Dockerfile');
    git('commit', '-q', '-m', 'one');
    git('remote', 'add', 'origin', 'https://builder:s3cret-token@git.example.com/acme/api.git');
    head = git('rev-parse', 'HEAD');
  });
  after(async () => {
    await rm(repo, { recursive: true, force: true });
    await rm(plain, { recursive: true, force: true });
  });

  test('in a git work tree: the commit checked out and the remote without its credentials', async () => {
    const a = await annotationsFromEnvironment(path.join(repo), env({ SOURCE_DATE_EPOCH: '1700000000' }));
    assert.deepEqual(a, { created: '2023-11-14T22:13:20Z', revision: head, source: 'https://git.example.com/acme/api.git' });
    assert.doesNotMatch(JSON.stringify(a), /s3cret|builder/);
    assert.deepEqual(standardAnnotations({ ...a, baseName: 'docker.io/library/debian:12', baseDigest: `sha256:${'a'.repeat(64)}` }), {
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      'org.opencontainers.image.revision': head,
      'org.opencontainers.image.source': 'https://git.example.com/acme/api.git',
      'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
      'org.opencontainers.image.base.digest': `sha256:${'a'.repeat(64)}`,
    });
  });

  test('outside a work tree, or without git on PATH: no revision, no source', async () => {
    assert.deepEqual(await annotationsFromEnvironment(plain, env({ SOURCE_DATE_EPOCH: '0' })), { created: '1970-01-01T00:00:00Z' });
    assert.deepEqual(await annotationsFromEnvironment(repo, { PATH: plain, SOURCE_DATE_EPOCH: '0' }), { created: '1970-01-01T00:00:00Z' });
    assert.deepEqual(standardAnnotations({}), {});
  });

  test('created: SOURCE_DATE_EPOCH when set, now when unset or empty; anything else is E_USAGE', () => {
    const now = new Date('2026-12-03T09:00:00.123Z');
    assert.equal(createdFromEnvironment({}, now), '2026-12-03T09:00:00Z');
    assert.equal(createdFromEnvironment({ SOURCE_DATE_EPOCH: '' }, now), '2026-12-03T09:00:00Z');
    assert.equal(createdFromEnvironment({ SOURCE_DATE_EPOCH: ' 86400 ' }, now), '1970-01-02T00:00:00Z');
    for (const bad of ['abc', '-1', '1.5', '1e9', '99999999999999', '253402300800']) {
      assert.throws(
        () => createdFromEnvironment({ SOURCE_DATE_EPOCH: bad }, now),
        (e) => isAnyarchError(e) && e.code === 'E_USAGE' && /SOURCE_DATE_EPOCH/.test(e.message),
        bad,
      );
    }
  });

  test('remote URLs as public links', () => {
    assert.equal(sourceUrl('git@github.com:acme/api.git'), 'https://github.com/acme/api.git');
    assert.equal(sourceUrl('ssh://git@gitlab.example.com:2222/group/app.git'), 'https://gitlab.example.com/group/app.git');
    assert.equal(sourceUrl('https://oauth2:glpat-xyz@gitlab.com/g/p.git'), 'https://gitlab.com/g/p.git');
    assert.equal(sourceUrl('http://localhost:3000/a/b'), 'http://localhost:3000/a/b');
    assert.equal(sourceUrl('/srv/git/api.git'), undefined);
    assert.equal(sourceUrl('file:///srv/git/api.git'), undefined);
  });
});
