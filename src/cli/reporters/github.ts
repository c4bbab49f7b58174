/**
 * `--format github`: GitHub Actions workflow commands, which the Actions runner shows as
 * annotations on the pull request:
 *
 *   ::warning file=Dockerfile,line=3,col=17,endLine=3,endColumn=28,title=AA101 from-platform-constant::message
 *
 * error -> `error`, warning -> `warning`, info -> `notice`. Values are escaped as the runner
 * expects (actions/toolkit `command.ts`): `%`, CR and LF in the message; also `:` and `,` in
 * properties.
 *
 * check: one command per finding and per file that could not be checked, then the summary line.
 * platforms: one command per problem of an image (no file: the annotation belongs to the run),
 * titled `anyarch missing platform`, `anyarch platform mismatch` or `anyarch <error code>`.
 * verify: one command per verdict at the Dockerfile line that made its layer (with `--dockerfile`),
 * else on the run, titled `AA201 foreign-binary (linux/arm64)`; one per image or variant that
 * could not be read; then the summary line.
 */
import { shortDigest } from '../../oci/digest.js';
import { docsUrl } from '../../rules/types.js';
import { summaryLine, verdictDetails, verifySummaryLine } from './text.js';
import { posixPath, type Reporter } from './types.js';
import type { Severity } from '../../rules/types.js';

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'notice' };

function command(name: string, props: Readonly<Record<string, string | number | undefined>>, message: string): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

export const githubReporter: Reporter = {
  format: 'github',
  check(results, ctx) {
    const lines: string[] = [];
    for (const r of results) {
      const file = posixPath(r.file);
      if (r.error) {
        const loc = r.error.location;
        lines.push(
          command('error', { file, line: loc?.line, col: loc?.column, title: `anyarch ${r.error.code}` }, r.error.message + (r.error.hint ? `\n${r.error.hint}` : '')),
        );
      }
      for (const f of r.findings) {
        const { start, end } = f.range;
        // GitHub takes columns only for one-line annotations; its endColumn is the last column
        const oneLine = start.line === end.line;
        let message = f.message;
        if (f.fixNote) message += `\n${f.fixNote}`;
        if (f.fix?.length && ctx.fixMode === 'none') message += '\nFixable with `anyarch check --fix`.';
        message += `\n${f.docsUrl}`;
        lines.push(
          command(
            COMMAND[f.severity],
            {
              file,
              line: start.line,
              col: oneLine ? start.column : undefined,
              endLine: end.line,
              endColumn: oneLine ? Math.max(start.column, end.column - 1) : undefined,
              title: `${f.ruleId} ${f.ruleName}`,
            },
            message,
          ),
        );
      }
    }
    if (!ctx.quiet) lines.push(summaryLine(ctx.summary, ctx.fixMode));
    return lines.length ? lines.join('\n') + '\n' : '';
  },
  platforms(images) {
    const lines: string[] = [];
    for (const image of images) {
      for (const p of image.problems) {
        if (p.kind === 'unreadable') {
          lines.push(command(p.severity, { title: `anyarch ${p.error.code}` }, p.message + (p.error.hint ? `\n${p.error.hint}` : '')));
        } else {
          lines.push(command(p.severity, { title: p.kind === 'missing' ? 'anyarch missing platform' : 'anyarch platform mismatch' }, p.message));
        }
      }
    }
    return lines.length ? lines.join('\n') + '\n' : '';
  },
  verify(reports, ctx) {
    const lines: string[] = [];
    for (const r of reports) {
      if (r.error) lines.push(command('error', { title: `anyarch ${r.error.code}` }, `${r.image}: ${r.error.message}`));
      for (const p of r.platforms) {
        if (p.error) lines.push(command('error', { title: `anyarch ${p.error.code} (${p.name})` }, `${r.image} ${p.name}: ${p.error.message}`));
        for (const v of p.verdicts) {
          const details = verdictDetails(v, shortDigest).join('\n');
          const message = `${r.image} ${p.name}: ${v.message}${details ? `\n${details}` : ''}\n${docsUrl(v.id)}`;
          const at = v.source ? { file: posixPath(v.source.file), line: v.source.line, endLine: v.source.endLine } : {};
          lines.push(command(COMMAND[v.severity], { ...at, title: `${v.id} ${v.name} (${p.name})` }, message));
        }
      }
    }
    lines.push(verifySummaryLine(ctx.summary));
    return lines.join('\n') + '\n';
  },
};
