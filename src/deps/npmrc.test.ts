import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_NPM_REGISTRY, npmRegistryConfig } from './npmrc.js';

const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-npmrc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the default registry when nothing configures one', () => {
  assert.deepEqual(npmRegistryConfig(dir, { HOME: dir }), { registry: DEFAULT_NPM_REGISTRY });
});

test("the project's .npmrc beats the user's; the environment beats both; the token is the registry's, expanded", () => {
  const home = mkdtempSync(path.join(dir, 'home-'));
  const project = mkdtempSync(path.join(dir, 'project-'));
  writeFileSync(path.join(home, '.npmrc'), 'registry=https://user.example/npm\n//npm.acme.dev/repo/:_authToken=${ACME_TOKEN}\n');
  writeFileSync(path.join(project, '.npmrc'), '# comment\nregistry = "https://npm.acme.dev/repo/sub/"\n//other.example/:_authToken=nope\n');
  assert.deepEqual(npmRegistryConfig(project, { HOME: home, ACME_TOKEN: 's3cret' }), { registry: 'https://npm.acme.dev/repo/sub/', token: 's3cret' });
  assert.deepEqual(npmRegistryConfig(dir, { HOME: home }), { registry: 'https://user.example/npm/' });
  assert.deepEqual(npmRegistryConfig(project, { HOME: home, npm_config_registry: 'http://127.0.0.1:4873' }), { registry: 'http://127.0.0.1:4873/' });
});
