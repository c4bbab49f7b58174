/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by source file and by function.
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [topFiles] [topFunctions]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';


interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A Markdown summary of a V8 .cpuprofile: self time by file and by function. */
export function summarizeProfile(file: string, topFiles = 15, topFunctions = 25): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  const shortUrl = (u: string): string => {
    if (!u) return '(native/vm)';
    const i = u.indexOf('/dist/');
    if (i !== -1) return u.slice(i + 1);
    const j = u.indexOf('/node_modules/');
    if (j !== -1) return u.slice(j + 1);
    return u.replace(/^file:\/\//, '');
  };
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const f = shortUrl(n.callFrame.url);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${f}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const group = n.callFrame.url ? f : n.callFrame.functionName || '(native)';
    byFile.set(group, (byFile.get(group) ?? 0) + us);
  }
  const top = (m: Map<string, number>, k: number): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => `| ${(100 * us / total).toFixed(1)}% | ${(us / 1000).toFixed(0)} | \`${name}\` |`)
      .join('\n');
  return [
    `Sampled ${(total / 1000).toFixed(0)} ms.`,
    '',
    '**Self time by file**',
    '',
    '| share | ms | file |',
    '|---:|---:|---|',
    top(byFile, topFiles),
    '',
    '**Self time by function**',
    '',
    '| share | ms | function |',
    '|---:|---:|---|',
    top(byFn, topFunctions),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, a, b] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary <file.cpuprofile> [topFiles] [topFunctions]\n');
    process.exitCode = 2;
  } else process.stdout.write(summarizeProfile(file, Number(a ?? 15), Number(b ?? 25)) + '\n');
}
