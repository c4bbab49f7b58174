/**
 * anyarch's library pipeline in one process, without the CLI layer (argument parsing, config
 * search, reporters): discover, read, decode, checkSource, JSON.stringify. The benchmark runs it
 * next to the CLI to show how much the CLI layer adds (and as a stand-in while the CLI is not
 * built).
 *
 * With `--parse-only` it stops after `parseDockerfile` (no model, no rules, no pragmas): the floor
 * every Dockerfile checker on Node pays before any analysis (start-up, module loading, discovery,
 * reading, a cold parse). The benchmark reports it so the target can be read against it.
 *
 * Usage: node dist/bench/lib-child.js <dir> [--parse-only]   (paths in the output are relative to the cwd)
 */
import { readFileSync } from 'node:fs';
import { writeSync } from 'node:fs';
import * as path from 'node:path';
import { discoverDockerfiles } from '../src/check/discover.js';
import { checkSource, type FileResult } from '../src/check/engine.js';
import { decodeDockerfile } from '../src/check/input.js';
import { parseDockerfile } from '../src/dockerfile/parser.js';
import { isAnyarchError } from '../src/errors.js';

const dir = process.argv[2];
const parseOnly = process.argv[3] === '--parse-only';
if (!dir) {
  process.stderr.write('usage: lib-child <dir> [--parse-only]\n');
  process.exit(2);
}
const cwd = process.cwd();
const { files } = await discoverDockerfiles([dir], { cwd });
const results: FileResult[] = [];
for (const file of files) {
  const bytes = readFileSync(path.resolve(cwd, file));
  let text: string;
  try {
    text = decodeDockerfile(bytes, file);
  } catch (e) {
    if (isAnyarchError(e)) {
      results.push({ file, findings: [], error: e, suppressed: 0 });
      continue;
    }
    throw e;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!parseOnly) {
    results.push(checkSource(text, file));
    continue;
  }
  try {
    parseDockerfile(text, file);
    results.push({ file, findings: [], suppressed: 0 });
  } catch (e) {
    if (!isAnyarchError(e)) throw e;
    results.push({ file, findings: [], error: e, suppressed: 0 });
  }
}
const report = {
  version: 1,
  files: results.map((r) => ({
    file: r.file,
    findings: r.findings,
    suppressed: r.suppressed,
    ...(r.error ? { error: { code: r.error.code, message: r.error.message, ...r.error.location } } : {}),
  })),
};
writeSync(1, JSON.stringify(report, null, 2) + '\n');
