/**
 * `anyarch deps --format markdown`: for a pull-request comment or a docs page. A summary table
 * (target, counts, ✅/❌), then per lockfile a table of its native packages × targets whose cells
 * say the word and the artifact or reason, and its warnings. Table cells are escaped (`|`, newlines).
 */
import { OPTIONAL_NOTE, targetLabels, unscreenedSummary, type DepsRun } from '../../deps/analyze.js';
import type { Cell } from '../../deps/types.js';
import type { DepsReporter, DepsReportContext } from './deps-types.js';

/** Text safe inside a Markdown table cell: no pipe, no newline, no HTML. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')}\``;
}

const ICON = { prebuilt: '✅', compiles: '🛠️', missing: '❌', unknown: '❔' } as const;

function cellText(c: Cell): string {
  const why = c.status === 'prebuilt' ? (c.artifact ? code(c.artifact) : '') : c.lacking?.length ? `${c.reason}; lacks ${c.lacking.join(', ')}` : c.reason;
  return `${ICON[c.status]} ${c.status}${why ? `<br>${c.status === 'prebuilt' ? why : mdCell(why)}` : ''}${c.id ? ` (${c.id})` : ''}`;
}

export const depsMarkdownReporter: DepsReporter = {
  format: 'markdown',
  deps(run: DepsRun, _ctx: DepsReportContext): string {
    const out: string[] = ['## Native dependencies per platform', ''];
    if (run.summaries.length) {
      out.push('| target | prebuilt | compiles | missing | unknown | |', '| --- | ---: | ---: | ---: | ---: | --- |');
      for (const s of run.summaries) out.push(`| ${mdCell(s.target)} | ${s.prebuilt} | ${s.compiles} | ${s.missing}${s.optionalMissing ? ` (+${s.optionalMissing} optional)` : ''} | ${s.unknown} | ${s.fails ? '❌ fails' : '✅ ok'} |`);
      out.push('');
    }
    for (const r of run.reports) {
      out.push(`### ${code(r.file)}`, '');
      if (r.error) {
        out.push(`Could not be read: ${mdCell(r.error.describe())}`, '');
        continue;
      }
      const listed = r.packages.filter((p) => !p.unscreened);
      const unscreened = unscreenedSummary(r);
      out.push(`${listed.length} of ${r.total} packages have native code${unscreened ? `, and ${unscreened.count} could not be screened` : ''}.`, '');
      if (listed.length) {
        const labels = targetLabels(r.targets);
        out.push(`| package | ${labels.map(mdCell).join(' | ')} |`, `| --- | ${labels.map(() => '---').join(' | ')} |`);
        for (const p of listed) out.push(`| ${code(`${p.name}@${p.version}`)}${p.optional ? ` (${mdCell(OPTIONAL_NOTE)})` : ''} | ${p.cells.map(cellText).join(' | ')} |`);
        out.push('');
        for (const p of listed) if (p.suggestion) out.push(`- ${code(p.name)}: ${mdCell(p.suggestion)}`);
        if (listed.some((p) => p.suggestion)) out.push('');
      }
      if (unscreened) out.push(`> ❔ ${mdCell(unscreened.message)} (AA304)`, '');
      for (const w of r.warnings) out.push(`> ⚠️ ${mdCell(w.describe())} (AA305)`, '');
    }
    for (const e of run.errors) out.push(`> ❗ ${mdCell(e.describe())}`, '');
    return `${out.join('\n').trimEnd()}\n`;
  },
};
