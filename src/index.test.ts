import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as anyarch from './index.js';

test('the library entry point exposes the public API', () => {
  for (const name of [
    'AnyarchError',
    'isAnyarchError',
    'parsePlatformList',
    'formatPlatform',
    'parseDockerfile',
    'toJSON',
    'dumpBuildkit',
    'buildModel',
    'checkSource',
    'fixSource',
    'runRules',
    'resolveRuleRef',
    'DEFAULT_PLATFORMS',
    'decodeDockerfile',
    'discoverDockerfiles',
    'loadConfig',
    'findConfig',
    'defineRule',
    'docsUrl',
    'RULES',
    'layerScanCache',
    'MAX_LAYER_SCAN_CACHE_BYTES',
  ]) {
    assert.ok(name in anyarch, name);
  }
  const r = anyarch.checkSource('FROM alpine:3.20\n', 'Dockerfile', { rules: [] });
  assert.deepEqual(r.findings, []);
});
