/**
 * The human format: each problem as `file:line:col  severity  AA101  message`, the source line
 * with carets under the reported range, and hint lines (fix, note, suggestions, docs); then a
 * summary line. Colour only when the context says so.
 */
import pc from 'picocolors';
import type { FileResult } from '../../check/engine.js';
import type { Range } from '../../dockerfile/ast.js';
import type { Finding, Severity } from '../../rules/types.js';
import type { Summary } from '../summary.js';
import { plural, sanitize, type ReportContext, type Reporter } from './types.js';

type Colors = ReturnType<typeof pc.createColors>;

const TAB_WIDTH = 4;
/** Longest source excerpt shown; longer lines are cut around the reported column. */
const MAX_EXCERPT = 160;


function paint(c: Colors, severity: Severity, s: string): string {
  return severity === 'error' ? c.red(s) : severity === 'warning' ? c.yellow(s) : c.blue(s);
}

function lineText(source: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = source.indexOf('\n', start);
    if (nl === -1) return undefined;
    start = nl + 1;
  }
  const end = source.indexOf('\n', start);
  let text = source.slice(start, end === -1 ? source.length : end);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text;
}

/**
 * The source line of `range.start` and a caret line under the range (to the end of the line when
 * the range continues on later lines; one caret for an empty range). Tabs are expanded so that the
 * carets line up.
 */
export function excerpt(source: string, range: Range): { line: string; carets: string } | undefined {
  const raw = lineText(source, range.start.line);
  if (raw === undefined) return undefined;
  const startCol = Math.min(range.start.column - 1, raw.length);
  const endCol = range.end.line === range.start.line ? Math.min(range.end.column - 1, raw.length) : raw.length;
  let shown = '';
  let from = 0;
  let to = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i === startCol) from = shown.length;
    if (i === endCol) to = shown.length;
    if (i === raw.length) break;
    const ch = raw[i] as string;
    shown += ch === '\t' ? ' '.repeat(TAB_WIDTH - (shown.length % TAB_WIDTH)) : ch;
  }
  let width = Math.max(1, to - from);
  if (shown.length > MAX_EXCERPT) {
    const cut = Math.max(0, Math.min(from - 40, shown.length - MAX_EXCERPT));
    const head = cut > 0 ? '…' : '';
    const tail = cut + MAX_EXCERPT < shown.length ? '…' : '';
    shown = head + shown.slice(cut, cut + MAX_EXCERPT) + tail;
    from = from - cut + head.length;
    width = Math.max(1, Math.min(width, MAX_EXCERPT - (from - head.length)));
  }
  return { line: sanitize(shown), carets: ' '.repeat(from) + '^'.repeat(width) };
}

function findingLines(f: Finding, source: string | undefined, ctx: ReportContext, c: Colors): string[] {
  const loc = `${f.file}:${f.range.start.line}:${f.range.start.column}`;
  const out = [`${c.bold(sanitize(loc))}  ${paint(c, f.severity, f.severity)}  ${c.dim(f.ruleId)}  ${sanitize(f.message)}`];
  const ex = source === undefined ? undefined : excerpt(source, f.range);
  if (ex) {
    const num = String(f.range.start.line);
    const gutter = ' '.repeat(num.length);
    out.push(`  ${c.dim(`${num} |`)} ${ex.line}`);
    out.push(`  ${c.dim(`${gutter} |`)} ${paint(c, f.severity, ex.carets)}`);
  }
  if (f.fix?.length) {
    out.push(`  ${c.green('fix:')} ${ctx.fixMode === 'none' ? 'available with --fix' : 'not applied (it overlaps another fix); run --fix again'}`);
  }
  if (f.fixNote) out.push(`  ${c.cyan('note:')} ${sanitize(f.fixNote)}`);
  for (const s of f.suggestions ?? []) out.push(`  ${c.cyan('suggestion:')} ${sanitize(s.title)}`);
  if (f.platforms?.length) out.push(`  ${c.dim('platforms:')} ${f.platforms.join(', ')}`);
  out.push(`  ${c.dim('docs:')} ${c.dim(f.docsUrl)}`);
  return out;
}

function errorLines(r: FileResult, c: Colors): string[] {
  const e = r.error;
  if (!e) return [];
  const loc = e.location?.line ? `${r.file}:${e.location.line}:${e.location.column ?? 1}` : r.file;
  const out = [`${c.bold(sanitize(loc))}  ${c.red('error')}  ${c.dim(e.code)}  ${sanitize(e.message)}`];
  if (e.hint) out.push(`  ${c.cyan('hint:')} ${sanitize(e.hint)}`);
  return out;
}

/** `3 problems (1 error, 2 warnings, 0 infos) in 2 files (5 checked); 1 fixable with --fix`. */
export function summaryLine(s: Summary, fixMode: ReportContext['fixMode']): string {
  const parts: string[] = [];
  if (s.files === 0) return 'no Dockerfiles found';
  if (s.fixed > 0) {
    parts.push(`${fixMode === 'dry-run' ? 'would fix' : 'fixed'} ${plural(s.fixed, 'problem')} in ${plural(s.fixedFiles, 'file')}; `);
  }
  const checked = s.files - s.unreadable;
  if (s.problems === 0 && checked === 0) {
    return `${plural(s.unreadable, 'file')} could not be checked`;
  } else if (s.problems === 0) {
    parts.push(`no ${fixMode === 'none' ? '' : 'remaining '}problems in ${plural(checked, 'file')}`);
  } else {
    const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')}`;
    parts.push(`${plural(s.problems, fixMode === 'none' ? 'problem' : 'remaining problem')} (${counts}) in ${plural(s.filesWithProblems, 'file')}`);
    if (checked > s.filesWithProblems) parts.push(` (${checked} checked)`);
    if (s.fixable > 0 && fixMode === 'none') parts.push(`; ${s.fixable} fixable with --fix`);
  }
  if (s.unreadable > 0) parts.push(`; ${plural(s.unreadable, 'file')} could not be checked`);
  if (s.suppressed > 0) parts.push(`; ${s.suppressed} suppressed by comments`);
  return parts.join('');
}

export const textReporter: Reporter = {
  format: 'text',
  report(results, ctx) {
    const c = pc.createColors(ctx.color);
    const blocks: string[] = [];
    for (const r of results) {
      if (r.error) blocks.push(errorLines(r, c).join('\n'));
      const source = ctx.sources.get(r.file);
      for (const f of r.findings) blocks.push(findingLines(f, source, ctx, c).join('\n'));
    }
    if (!ctx.quiet) {
      const s = ctx.summary;
      const line = summaryLine(s, ctx.fixMode);
      const colored = s.unreadable || s.errors ? c.red(line) : s.warnings ? c.yellow(line) : s.infos ? c.blue(line) : c.green(line);
      blocks.push(c.bold(colored));
    }
    return blocks.length ? blocks.join('\n\n') + '\n' : '';
  },
};
