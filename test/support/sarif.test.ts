import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidSarif } from './sarif.js';

test('the SARIF schema check accepts a minimal log and refuses one without a driver name', () => {
  assertValidSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'anyarch' } }, results: [] }] });
  assert.throws(() => assertValidSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), /not valid SARIF 2\.1\.0/);
  assert.throws(() => assertValidSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ level: 'fatal', message: { text: 'm' } }] }] }), /not valid SARIF/);
});
