/**
 * In-process timing of one library function over every file of the corpus, in a fresh process
 * per function (so one library's JIT state and heap do not affect the other's).
 *
 * Usage: node dist/bench/inproc-child.js <mode> <file-list> <runs> <warmup>
 *   mode: anyarch-check | anyarch-parse | anyarch-model | du-validate | dast-parse
 * Prints one JSON line: { mode, files, bytes, runsNs: [...], units, errors }.
 * Files are read into memory before timing; only the function calls are timed.
 */
import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { checkSource } from '../src/check/engine.js';
import { buildModel } from '../src/dockerfile/model.js';
import { parseDockerfile } from '../src/dockerfile/parser.js';

const [mode, listFile, runsArg, warmupArg] = process.argv.slice(2);
if (!mode || !listFile) {
  process.stderr.write('usage: inproc-child <mode> <file-list> [runs] [warmup]\n');
  process.exit(2);
}
const runs = Number(runsArg ?? 5);
const warmup = Number(warmupArg ?? 2);
const paths = readFileSync(listFile, 'utf8').split('\n').filter((l) => l !== '');
const sources = paths.map((p) => {
  const t = readFileSync(p, 'utf8');
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
});
const bytes = paths.reduce((n, p, i) => n + Buffer.byteLength(sources[i] as string), 0);

/** One pass over the corpus; returns a count (findings, diagnostics, instructions) so the work is not dead code. */
function pass(): { units: number; errors: number } {
  let units = 0;
  let errors = 0;
  switch (mode) {
    case 'anyarch-check':
      for (let i = 0; i < sources.length; i++) {
        const r = checkSource(sources[i] as string, paths[i] as string);
        units += r.findings.length;
        if (r.error) errors++;
      }
      break;
    case 'anyarch-parse':
      for (let i = 0; i < sources.length; i++) {
        try {
          units += parseDockerfile(sources[i] as string, paths[i] as string).instructions.length;
        } catch {
          errors++;
        }
      }
      break;
    case 'anyarch-model':
      for (let i = 0; i < sources.length; i++) {
        try {
          units += buildModel(parseDockerfile(sources[i] as string, paths[i] as string)).stages.length;
        } catch {
          errors++;
        }
      }
      break;
    case 'du-validate':
      for (const s of sources) units += validate(s).length;
      break;
    case 'dast-parse':
      for (const s of sources) units += DockerfileParser.parse(s).getInstructions().length;
      break;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  return { units, errors };
}

for (let i = 0; i < warmup; i++) pass();
const runsNs: number[] = [];
let last = { units: 0, errors: 0 };
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  last = pass();
  runsNs.push(Number(process.hrtime.bigint() - t0));
}
process.stdout.write(
  JSON.stringify({ mode, files: sources.length, bytes, runsNs, units: last.units, errors: last.errors, maxRSSKiB: process.resourceUsage().maxRSS }) + '\n',
);
