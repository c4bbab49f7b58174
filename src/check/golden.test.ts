/**
 * Golden files for --fix: each src/check/fixtures/golden/<case>/input.Dockerfile is fixed in both
 * styles and compared with targetarch.Dockerfile and detect.Dockerfile beside it. The fixed text
 * must parse, be idempotent and leave no fixable finding. UPDATE_GOLDEN=1 rewrites the files.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../dockerfile/parser.js';
import { parsePlatformList } from '../platform/index.js';
import { checkSource, fixSource } from './engine.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src/check/fixtures/golden');
const platforms = parsePlatformList('linux/amd64,linux/arm64,linux/arm/v7');

describe('--fix golden files (linux/amd64, linux/arm64, linux/arm/v7)', () => {
  for (const name of readdirSync(root).sort()) {
    const input = readFileSync(join(root, name, 'input.Dockerfile'), 'utf8');
    for (const style of ['targetarch', 'detect'] as const) {
      test(`${name} (${style})`, () => {
        const opts = { platforms, fixStyle: style };
        const { output, fixed } = fixSource(input, `${name}/input.Dockerfile`, opts);
        const golden = join(root, name, `${style}.Dockerfile`);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, output);
        assert.equal(output, readFileSync(golden, 'utf8'));
        assert.ok(fixed.length > 0, 'the case must exercise at least one fix');
        parseDockerfile(output);
        assert.equal(fixSource(output, 'x', opts).output, output, 'idempotent');
        assert.deepEqual(checkSource(output, 'x', opts).findings.filter((f) => f.fix).map((f) => f.ruleId), []);
      });
    }
  }
});
