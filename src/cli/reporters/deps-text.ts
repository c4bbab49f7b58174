/**
 * `anyarch deps` for people: per lockfile, a matrix of its native packages × targets with one
 * word per cell (prebuilt, compiles, MISSING, unknown); below it, for each package with a cell
 * that is not prebuilt, one line per target with the artifact or the reason and the verdict id,
 * and the suggestion; the lockfile's warnings (AA305); then one summary line per target. Colour
 * only when the context says so.
 */
import { pc } from '../packages.js';
import { OPTIONAL_NOTE, targetLabels, unscreenedSummary, type DepsRun } from '../../deps/analyze.js';
import type { Cell, CellStatus, LockfileReport, PackageReport } from '../../deps/types.js';
import { table } from '../table.js';
import type { DepsReporter, DepsReportContext } from './deps-types.js';
import { plural, sanitize } from './types.js';

type Colors = ReturnType<typeof pc.createColors>;

const WORD: Readonly<Record<CellStatus, string>> = { prebuilt: 'prebuilt', compiles: 'compiles', missing: 'MISSING', unknown: 'unknown' };

function paint(c: Colors, s: CellStatus, text: string): string {
  return s === 'prebuilt' ? c.green(text) : s === 'compiles' ? c.yellow(text) : s === 'missing' ? c.red(c.bold(text)) : c.dim(text);
}

/** The matrix, padded on the plain words, then painted (padding must not count escape codes). */
function matrix(packages: readonly PackageReport[], labels: readonly string[], c: Colors): string {
  const rows = [['', ...labels], ...packages.map((p) => [`${p.name}@${p.version}`, ...p.cells.map((cell) => WORD[cell.status])])];
  const lines = table(rows.map((row) => row.map(sanitize))).split('\n');
  return lines
    .map((line, i) => {
      if (i === 0 || line === '') return line;
      const pkg = packages[i - 1] as PackageReport;
      // paint each word in place: the words are unique tokens after the package column
      let out = line;
      let from = sanitize(`${pkg.name}@${pkg.version}`).length;
      for (const cell of pkg.cells) {
        const w = WORD[cell.status];
        const at = out.indexOf(w, from);
        if (at === -1) continue;
        const painted = paint(c, cell.status, w);
        out = out.slice(0, at) + painted + out.slice(at + w.length);
        from = at + painted.length;
      }
      return out;
    })
    .join('\n');
}

function cellDetail(cell: Cell): string {
  switch (cell.status) {
    case 'prebuilt':
      return cell.artifact ?? cell.reason;
    case 'compiles':
      return `${cell.reason}${cell.needs?.length ? ` (needs ${cell.needs.join(', ')})` : ''}`;
    case 'missing':
      // the analyser's reason may name what is lacking already
      return cell.lacking?.length && !cell.reason.includes('lacks') ? `${cell.reason}; the stage lacks ${cell.lacking.join(', ')}` : cell.reason;
    case 'unknown':
      return cell.reason;
  }
}

function lockfileSection(r: LockfileReport, c: Colors): string {
  if (r.error) return `${c.bold(sanitize(r.file))}  ${c.red('error')} ${sanitize(r.error.describe())}\n`;
  const labels = targetLabels(r.targets);
  // rows whose every cell is unknown may have native code or not: counted apart
  const unknown = r.packages.filter((p) => p.cells.length > 0 && p.cells.every((cell) => cell.status === 'unknown')).length;
  const native = r.packages.length - unknown;
  const head = `${c.bold(sanitize(r.file))}  (${plural(native, 'native package')} of ${r.total}${unknown ? `, ${unknown} not known` : ''})\n`;
  let out = head;
  // where the targets came from: the installing RUNs of a Dockerfile
  const sites = new Map<string, string>();
  for (const t of r.targets) {
    const s = t.site;
    if (s) sites.set(`${s.file}:${s.line}`, `  installed by ${s.file}:${s.line} \`${s.command}\` in stage ${s.stage}${s.base ? ` (${s.base})` : ''}`);
  }
  for (const line of sites.values()) out += `${c.dim(sanitize(line))}\n`;
  // the rows nothing could screen (a lock without install scripts, no registry): one line for all
  const listed = r.packages.filter((p) => !p.unscreened);
  const unscreened = unscreenedSummary(r);
  if (r.packages.length === 0) {
    out +=
      r.total === 0
        ? '  no package locked\n'
        : r.warnings.length
          ? '  no package with native code found (see the warnings below)\n'
          : '  no package with native code: every target installs the same files\n';
  }
  else if (listed.length > 0) out += matrix(listed, labels, c).replace(/^(?=.)/gm, '  ');
  if (unscreened) out += `${listed.length > 0 ? '\n' : ''}  ${c.dim('unknown')} ${sanitize(unscreened.message)} ${c.dim('(AA304; --format json lists each)')}\n`;
  for (const p of listed) {
    if (p.cells.every((cell) => cell.status === 'prebuilt')) continue;
    const optional = p.optional && p.cells.some((cell) => cell.status === 'missing') ? `  ${c.dim(`(${OPTIONAL_NOTE})`)}` : '';
    out += `\n  ${c.bold(sanitize(`${p.name}@${p.version}`))}  ${c.dim(p.mechanism)}${optional}\n`;
    if (p.installScript) out += `    ${c.dim('install script:')} ${sanitize(p.installScript)}\n`;
    p.cells.forEach((cell, i) => {
      out += `    ${paint(c, cell.status, sanitize(labels[i] ?? ''))}: ${sanitize(cellDetail(cell))}${cell.id ? c.dim(` (${cell.id})`) : ''}\n`;
    });
    if (p.suggestion) out += `    ${c.cyan('suggestion:')} ${sanitize(p.suggestion)}\n`;
  }
  for (const w of r.warnings) out += `\n  ${c.yellow('warning')} ${sanitize(w.describe())} ${c.dim('(AA305)')}\n`;
  return out;
}

export const depsTextReporter: DepsReporter = {
  format: 'text',
  deps(run: DepsRun, ctx: DepsReportContext): string {
    const c = pc.createColors(ctx.color);
    const sections = run.reports.map((r) => lockfileSection(r, c));
    let out = sections.join('\n');
    if (run.summaries.length) {
      const rows = run.summaries.map((s) => {
        const parts = [`${s.prebuilt} prebuilt`, `${s.compiles} compiles`, `${s.missing} missing`, ...(s.optionalMissing ? [`${s.optionalMissing} optional missing (skipped by npm)`] : []), ...(s.unknown ? [`${s.unknown} unknown`] : [])];
        return [s.target, parts.join(', '), s.fails ? 'FAILS' : 'ok'];
      });
      const lines = table(rows).trimEnd().split('\n');
      out += `\n${lines.map((l, i) => (run.summaries[i]?.fails ? l.replace(/FAILS$/, c.red(c.bold('FAILS'))) : l.replace(/ok$/, c.green('ok')))).join('\n')}\n`;
    }
    return out;
  },
};
