/**
 * The baseline process: what `dockerfile-utils lint --json` does per file (read the file, run
 * the library's `validate(content)`, print the diagnostics as JSON), for a whole list of files
 * in one process, so that the comparison with anyarch's single process is not dominated by
 * 2,000 Node start-ups.
 *
 * Usage: node dist/bench/dockerfile-utils-child.js <file-list>   (one absolute path per line)
 * Prints one JSON document: { files: [{ file, diagnostics }] }.
 */
import { readFileSync, writeSync } from 'node:fs';
import { validate } from 'dockerfile-utils';

const listFile = process.argv[2];
if (!listFile) {
  process.stderr.write('usage: dockerfile-utils-child <file-list>\n');
  process.exit(2);
}
const files = readFileSync(listFile, 'utf8').split('\n').filter((l) => l !== '');
const out: { file: string; diagnostics: unknown[] }[] = [];
for (const file of files) {
  const content = readFileSync(file).toString();
  out.push({ file, diagnostics: validate(content) });
}
const text = JSON.stringify({ files: out }, null, 2) + '\n';
// one synchronous write: stdout is a file in the benchmark
writeSync(1, text);
