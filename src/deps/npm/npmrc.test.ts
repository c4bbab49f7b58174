/**
 * readNpmConfig against npm itself: for each arrangement of the environment, the project's and
 * the user's .npmrc, `npm config get registry` (with HOME and the project set the same way) names
 * the registry readNpmConfig reads; tokens are matched by the longest path prefix.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempPaths } from '../../../test/support/assert.js';
import { parseNpmrc, readNpmConfig, tokenFor } from './npmrc.js';

const tmp = tempPaths('anyarch-npmrc-');

/** The environment without the npm_config_* an `npm test` run exports to its children. */
function cleanEnv(extra: Record<string, string>, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  return { ...env, HOME: home, NO_UPDATE_NOTIFIER: '1', ...extra };
}

async function npmSays(cwd: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['config', 'get', 'registry'], { cwd, env });
  const r = stdout.trim();
  return r.endsWith('/') ? r : `${r}/`;
}

test('npmrc lines: comments, quotes and ${VAR} expansion (an escaped one kept)', () => {
  const c = parseNpmrc('; a comment\n# another\nregistry = "http://r.example/"\n//r.example/:_authToken=${TOK}\nliteral=\\${TOK}\nbroken line\n', { TOK: 't0k' });
  assert.deepEqual([...c], [
    ['registry', 'http://r.example/'],
    ['//r.example/:_authToken', 't0k'],
    ['literal', '${TOK}'],
  ]);
});

test('the token of the longest matching path prefix, none for another host', () => {
  const c = new Map([
    ['//npm.example/:_authToken', 'root'],
    ['//npm.example/api/npm/:_authToken', 'deep'],
    ['//other.example/:_authToken', 'other'],
  ]);
  assert.equal(tokenFor('https://npm.example/api/npm/npm-remote/', c), 'deep');
  assert.equal(tokenFor('https://npm.example/', c), 'root');
  assert.equal(tokenFor('https://third.example/', c), undefined);
});

test('the registry npm would ask, as npm config get registry says, in every arrangement', async () => {
  const home = tmp('home');
  const project = tmp('project');
  mkdirSync(home);
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), '{"name":"p","version":"1.0.0"}');
  const cases: { name: string; user?: string; project?: string; env?: Record<string, string>; want: string; token?: string; scopes?: Record<string, { registry: string; token?: string }> }[] = [
    { name: 'nothing configured', want: 'https://registry.npmjs.org/' },
    {
      name: "the user's",
      user: 'registry=http://127.0.0.1:9/u\n//127.0.0.1:9/u/:_authToken=${ANYARCH_TEST_TOKEN}\n@corp:registry=http://127.0.0.1:7/c\n//127.0.0.1:7/:_authToken=corp-token\n',
      env: { ANYARCH_TEST_TOKEN: 'from-env' },
      want: 'http://127.0.0.1:9/u/',
      token: 'from-env',
      scopes: { '@corp': { registry: 'http://127.0.0.1:7/c/', token: 'corp-token' } },
    },
    { name: "the project's over the user's", user: 'registry=http://127.0.0.1:9/u/\n', project: 'registry=http://127.0.0.1:8/p/\n', want: 'http://127.0.0.1:8/p/' },
    { name: 'the environment over both', user: 'registry=http://127.0.0.1:9/u/\n', project: 'registry=http://127.0.0.1:8/p/\n', env: { npm_config_registry: 'http://127.0.0.1:6/e/' }, want: 'http://127.0.0.1:6/e/' },
  ];
  for (const c of cases) {
    writeFileSync(path.join(home, '.npmrc'), c.user ?? '');
    writeFileSync(path.join(project, '.npmrc'), c.project ?? '');
    const env = cleanEnv(c.env ?? {}, home);
    const got = await readNpmConfig({ cwd: project, env, home });
    assert.equal(got.registry, c.want, c.name);
    assert.equal(await npmSays(project, env), c.want, `${c.name}: npm agrees`);
    assert.equal(got.token, c.token, c.name);
    assert.deepEqual(got.scopes, c.scopes ?? {}, c.name);
  }
});
