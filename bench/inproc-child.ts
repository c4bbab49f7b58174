/**
 * In-process timing of library functions over every file of the corpus. The functions compared
 * run in the same process, one timed pass each in turn (order alternating between runs), so a
 * busy machine slows both alike; each gets its warm-up passes first.
 *
 * Usage: node dist/bench/inproc-child.js <mode[,mode...]> <file-list> <runs> <warmup>
 *   mode: anyarch-check | anyarch-parse | anyarch-model | du-validate | dast-parse
 * Prints one JSON line: { files, bytes, results: { <mode>: { runsNs, units, errors } }, maxRSSKiB }.
 * Files are read into memory before timing; only the function calls are timed.
 */
import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { checkSource } from '../src/check/engine.js';
import { buildModel } from '../src/dockerfile/model.js';
import { parseDockerfile } from '../src/dockerfile/parser.js';

const [modeArg, listFile, runsArg, warmupArg] = process.argv.slice(2);
if (!modeArg || !listFile) {
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
const bytes = sources.reduce((n, s) => n + Buffer.byteLength(s), 0);

/** One pass over the corpus; returns a count (findings, diagnostics, instructions) so the work is not dead code. */
function pass(mode: string): { units: number; errors: number } {
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

const modes = modeArg.split(',');
for (const mode of modes) for (let i = 0; i < warmup; i++) pass(mode);
const results: Record<string, { runsNs: number[]; units: number; errors: number }> = {};
for (const mode of modes) results[mode] = { runsNs: [], units: 0, errors: 0 };
for (let i = 0; i < runs; i++) {
  for (const mode of i % 2 ? [...modes].reverse() : modes) {
    const r = results[mode] as { runsNs: number[]; units: number; errors: number };
    const t0 = process.hrtime.bigint();
    const { units, errors } = pass(mode);
    r.runsNs.push(Number(process.hrtime.bigint() - t0));
    r.units = units;
    r.errors = errors;
  }
}
process.stdout.write(JSON.stringify({ files: sources.length, bytes, results, maxRSSKiB: process.resourceUsage().maxRSS }) + '\n');
