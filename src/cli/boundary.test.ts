import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/src/cli/boundary.test.js -> <repo>/src
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('only the CLI imports the CLI: libraries return data, src/cli prints it', () => {
  const offenders = sources(SRC)
    .filter((f) => !f.startsWith(path.join(SRC, 'cli') + path.sep))
    .filter((f) => /from\s+['"](\.\.?\/)+(?:.*\/)?cli\//.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => path.relative(SRC, f)), []);
});
