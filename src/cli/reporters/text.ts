/**
 * The human format.
 *
 * check: each problem as `file:line:col  severity  AA101  message`, the source line with carets
 * under the reported range, and hint lines (fix, note, suggestions, docs); then a summary line.
 * Colour only when the context says so.
 *
 * platforms: per image, its root (kind, digest, counts), a table of its platforms (platform,
 * OS version, manifest, size, the config's platform, created), its attestations, then a line per
 * problem of a variant and the required platforms it misses.
 *
 * verify: per image, a summary line per platform variant (files read, ELF files by architecture
 * and libc, Python extensions, Node addons, verdicts), the entries skipped; then each verdict with
 * its path, what the file is, the layer and the step that made it, the base-image note, the
 * Dockerfile line and check's findings on it; information verdicts are listed briefly and at most
 * {@link MAX_INFO_LINES} per variant; then one summary line.
 */
import { pc } from '../packages.js';
import type { FileResult } from '../../check/engine.js';
import type { Summary } from '../../check/summary.js';
import type { Range } from '../../dockerfile/ast.js';
import { shortDigest } from '../../oci/digest.js';
import { imageError, missingRequired, type ImageResult } from '../../oci/image-results.js';
import { formatPlatform, makePlatform } from '../../platform/index.js';
import { docsUrl, type Finding, type Severity } from '../../rules/types.js';
import type { PlatformVerification, Verdict, VerifyReport, VerifySummary } from '../../verify/types.js';
import { table } from '../table.js';
import { plural, sanitize, type CheckReportContext, type PlatformsReportContext, type Reporter, type VerifyReportContext } from './types.js';

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

function findingLines(f: Finding, source: string | undefined, ctx: CheckReportContext, c: Colors): string[] {
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
  if (f.via) out.push(`  ${c.dim('run by:')} ${sanitize(`${f.via.file}:${f.via.line}`)}`);
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
export function summaryLine(s: Summary, fixMode: CheckReportContext['fixMode']): string {
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

function checkReport(results: readonly FileResult[], ctx: CheckReportContext): string {
  const c = pc.createColors(ctx.color);
  const blocks: string[] = [];
  for (const r of results) {
    if (r.error) blocks.push(errorLines(r, c).join('\n'));
    if (r.platforms && !ctx.quiet) blocks.push(c.dim(sanitize(`${r.file}: checked for ${r.platforms.platforms.join(', ')} (${r.platforms.from === 'file-name' ? 'named for that architecture' : 'its per-architecture siblings take the other platforms'}; --platforms overrides)`)));
    const source = ctx.sources.get(r.file);
    for (const f of r.findings) blocks.push(findingLines(f, f.file === r.file ? source : ctx.sources.get(f.file), ctx, c).join('\n'));
  }
  if (!ctx.quiet) {
    const s = ctx.summary;
    const line = summaryLine(s, ctx.fixMode);
    const colored = s.unreadable || s.errors ? c.red(line) : s.warnings ? c.yellow(line) : s.infos ? c.blue(line) : c.green(line);
    blocks.push(c.bold(colored));
  }
  return blocks.length ? blocks.join('\n\n') + '\n' : '';
}

/** `1.2 MB`: decimal units, as registries and `docker images` show sizes. */
export function humanSize(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

const MEDIA_NAMES: Readonly<Record<string, string>> = {
  'application/vnd.oci.image.index.v1+json': 'OCI index',
  'application/vnd.docker.distribution.manifest.list.v2+json': 'Docker manifest list',
  'application/vnd.oci.image.manifest.v1+json': 'OCI manifest',
  'application/vnd.docker.distribution.manifest.v2+json': 'Docker manifest',
};

function platformsReport(images: readonly ImageResult[], ctx: PlatformsReportContext): string {
  const short = (digest: string): string => (ctx.fullDigests ? digest : shortDigest(digest));
  const out: string[] = [];
  for (const r of images) {
    if (!r.report) {
      const error = imageError(r);
      out.push(`${sanitize(r.image)}: could not be read${error ? ` (${error.code}; the reason is on standard error)` : ''}`, '');
      continue;
    }
    const rep = r.report;
    const kind = MEDIA_NAMES[rep.root.mediaType] ?? rep.root.mediaType;
    const counts = [plural(rep.platforms.length, 'platform')];
    if (rep.attestations.length) counts.push(plural(rep.attestations.length, 'attestation'));
    if (rep.ignored.length) counts.push(`${rep.ignored.length} other`);
    out.push(`${sanitize(r.image)}`, `  ${kind} ${short(rep.root.digest)} (${counts.join(', ')})`);
    // VERIFIED only for an index anyarch published after verifying it (its verify annotation)
    const rows = [['  PLATFORM', 'OS VERSION', 'MANIFEST', 'SIZE', 'CONFIG', 'CREATED', ...(rep.verified ? ['VERIFIED'] : [])]];
    for (const p of rep.platforms) {
      const cfg = p.config ? formatPlatform(makePlatform(p.config.os, p.config.architecture, p.config.variant)) : p.error ? 'error' : '-';
      rows.push([
        `  ${sanitize(p.platform)}`,
        sanitize(p.osVersion ?? '-'),
        short(p.manifest.digest),
        humanSize(p.imageSize),
        sanitize(cfg),
        sanitize(p.config?.created ?? '-'),
        ...(rep.verified ? [p.verified ? 'yes' : 'no'] : []),
      ]);
    }
    out.push(table(rows).trimEnd());
    if (rep.verified) out.push(`  verified by anyarch${rep.verified.version ? ` ${sanitize(rep.verified.version)}` : ''}: ${sanitize(rep.verified.platforms.join(', '))}`);
    for (const a of rep.attestations) {
      const target = a.describesPlatform ?? (a.describes ? short(a.describes) : 'the image');
      out.push(`  attestation ${short(a.manifest.digest)} for ${sanitize(target)}${a.referenceType ? ` (${sanitize(a.referenceType)})` : ''}`);
    }
    for (const p of r.problems) {
      if (p.kind !== 'missing' && p.platform !== undefined) out.push(`  ${p.severity}: ${sanitize(p.platform)}: ${sanitize(p.detail)}`);
    }
    const missing = missingRequired(r);
    if (missing.length) out.push(`  missing: ${missing.join(', ')}`);
    out.push('');
  }
  return out.join('\n');
}

/** Information verdicts listed per variant in text (the rest are counted; --format json lists all). */
export const MAX_INFO_LINES = 20;

/** `amd64/glibc 12, arm64/static 1` */
function elfCounts(elf: Readonly<Record<string, number>>): string {
  const parts = Object.entries(elf)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${sanitize(k)} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

function verdictCounts(v: Readonly<Record<Severity, number>>): string {
  const parts = (['error', 'warning', 'info'] as const).filter((s) => v[s] > 0).map((s) => plural(v[s], s));
  return parts.length ? parts.join(', ') : 'none';
}

/** One variant's summary line. */
function variantLine(p: PlatformVerification, short: (d: string) => string): string {
  if (p.error) return `  ${sanitize(p.name)}  ${short(p.digest)}  not verified: ${sanitize(p.error.code)} (the reason is below)`;
  const s = p.summary;
  return (
    `  ${sanitize(p.name)}  ${short(p.digest)}  ${plural(s.layers, 'layer')}, ${plural(s.files, 'file')}, ${humanSize(s.bytes)} read; ` +
    `ELF: ${elfCounts(s.elf)}; Python extensions ${s.pythonExtensions}; Node addons ${s.nodeAddons}; verdicts: ${verdictCounts(s.verdicts)}`
  );
}

/** The lines under a verdict: what, layer and step, base, Dockerfile line with check's findings, smoke output. */
export function verdictDetails(v: Verdict, short: (d: string) => string): string[] {
  const out: string[] = [];
  if (v.what) out.push(`what:  ${sanitize(v.what)}`);
  if (v.layer) {
    const step = v.layer.createdBy ? ` made by ${sanitize(v.layer.createdBy.length > 160 ? `${v.layer.createdBy.slice(0, 159)}…` : v.layer.createdBy)}` : '';
    out.push(`layer: ${v.layer.index + 1} ${short(v.layer.digest)}${step}`);
    if (v.layer.fromBase) out.push('base:  the layer is the base image\'s: fix it there (or move to a base that is right)');
  }
  if (v.source) {
    const findings = v.source.findings;
    const flagged = findings.length ? `, which ${findings.map((f) => f.id).join(', ')} flag${findings.length === 1 ? 's' : ''}` : '';
    out.push(`from:  ${sanitize(v.source.file)}:${v.source.line} (${v.source.instruction})${flagged}`);
    for (const f of findings) out.push(`       ${f.id}: ${sanitize(f.message)}`);
  }
  if (v.allowed) out.push(`allowed: ${sanitize(v.allowed.reason)} (${v.allowed.by === 'config' ? 'verify.allow in .anyarch.yaml' : 'a well-known case'})`);
  return out;
}

/** `3 variants of 2 images verified: 1 error, 2 infos; 1 image could not be read`. */
export function verifySummaryLine(s: VerifySummary): string {
  const counts = `${plural(s.verdicts.error, 'error')}, ${plural(s.verdicts.warning, 'warning')}, ${plural(s.verdicts.info, 'info')}`;
  const parts = [`${plural(s.variants, 'variant')} of ${plural(s.images, 'image')} verified: ${counts}`];
  if (s.unreadableImages) parts.push(`${plural(s.unreadableImages, 'image')} could not be read`);
  if (s.unreadableVariants) parts.push(`${plural(s.unreadableVariants, 'variant')} could not be read whole`);
  if (s.integrityFailures) parts.push(`${plural(s.integrityFailures, 'integrity failure')} (content that is not what its digest says)`);
  return parts.join('; ');
}

function verifyReport(reports: readonly VerifyReport[], ctx: VerifyReportContext): string {
  const c = pc.createColors(ctx.color);
  const short = (d: string): string => (ctx.fullDigests ? d : shortDigest(d));
  const out: string[] = [];
  for (const r of reports) {
    out.push(c.bold(`${sanitize(r.image)}${r.digest ? `  ${short(r.digest)}` : ''}`));
    if (r.error) {
      out.push(`  ${c.red('error')}  ${sanitize(r.error.code)}  ${sanitize(r.error.message)}`, '');
      continue;
    }
    if (r.base) out.push(`  base image: ${sanitize(r.base.name)} (${r.base.from === 'option' ? '--base' : 'its base.name annotation'})${r.base.error ? `, not compared: ${sanitize(r.base.error)}` : ''}`);
    for (const p of r.platforms) out.push(variantLine(p, short));
    for (const s of r.skipped) out.push(c.dim(`  skipped ${sanitize(s.platform)}: ${sanitize(s.reason)}`));
    for (const p of r.platforms) {
      if (p.error) out.push('', `${c.bold(sanitize(p.name))}  ${c.red('error')}  ${sanitize(p.error.code)}  ${sanitize(p.error.message)}`);
      let infos = 0;
      for (const v of p.verdicts) {
        if (v.severity === 'info' && ++infos > MAX_INFO_LINES) continue;
        const head = `${c.bold(sanitize(p.name))}  ${paint(c, v.severity, v.severity)}  ${c.dim(`${v.id} ${v.name}`)}${v.path ? `  ${sanitize(v.path)}` : ''}`;
        if (v.severity === 'info') {
          out.push('', head, `  ${sanitize(v.message)}`);
          continue;
        }
        out.push('', head, `  ${sanitize(v.message)}`, ...verdictDetails(v, short).map((l) => `  ${l}`), `  ${c.dim(`docs: ${docsUrl(v.id)}`)}`);
      }
      if (infos > MAX_INFO_LINES) out.push('', c.dim(`${sanitize(p.name)}: ${infos - MAX_INFO_LINES} more information verdicts (--format json lists them all)`));
      if (p.smoke) {
        const s = p.smoke;
        const how = s.ok ? 'passed' : s.timedOut ? 'timed out' : s.error !== undefined && s.exitCode === undefined ? `not run (${sanitize(s.error)})` : `failed (${s.signal ?? `exit ${s.exitCode ?? '?'}`})`;
        out.push('', `${c.bold(sanitize(p.name))}  smoke run \`${sanitize(s.argv.join(' '))}\` via ${s.via}: ${how} in ${(s.durationMs / 1000).toFixed(1)} s`);
        for (const line of s.output.split('\n').filter((l) => l !== '').slice(0, 10)) out.push(c.dim(`  | ${sanitize(line)}`));
      }
    }
    out.push('');
  }
  const s = ctx.summary;
  const line = verifySummaryLine(s);
  out.push(c.bold(s.unreadableImages || s.unreadableVariants || s.verdicts.error ? c.red(line) : s.verdicts.warning ? c.yellow(line) : c.green(line)));
  return out.join('\n') + '\n';
}

export const textReporter: Reporter = {
  format: 'text',
  check: checkReport,
  platforms: platformsReport,
  verify: verifyReport,
};
