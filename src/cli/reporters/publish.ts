/**
 * What `merge` (and `build`, `assemble` when they push) print when they are done: the library's
 * `PublishResult`, formatted; nothing is computed here.
 *
 * text: the index digest (the tagged, annotated one when every variant passed; the one pushed by
 * digest otherwise), a table of the platforms (manifest digest, size, verify verdict), the tags
 * written (or why none were), what the push sent; when a variant was refused, verify's own text
 * report follows, with each verdict, its layer and its Dockerfile line.
 *
 * json: the `PublishResult` itself, versioned:
 *
 * ```json
 * { "version": 1, "tool": { "name": "anyarch", "version": "0.1.0" },
 *   "repository": { "registry": "…", "repository": "…" }, "index": { "digest": "…", … },
 *   "variants": [{ "platform": { … }, "descriptor": { … }, "size": 123, "verification": { … } }],
 *   "report": { … }, "passed": true, "tagged": ["…:1"],
 *   "stats": { "exists": 4, "mounted": 0, "uploaded": 2, "manifests": 4, "bytesUploaded": 1234 } }
 * ```
 */
import type { PublishedVariant, PublishResult } from '../../build/types.js';
import { shortDigest } from '../../oci/digest.js';
import { formatPlatform } from '../../platform/index.js';
import { table } from '../table.js';
import { humanSize, textReporter } from './text.js';
import { plural, sanitize, type VerifyReportContext } from './types.js';

export interface PublishReportContext {
  readonly fullDigests: boolean;
  readonly toolVersion: string;
  /** `--no-verify` was given */
  readonly noVerify: boolean;
  /** for verify's report of a refused image */
  readonly verify: Omit<VerifyReportContext, 'summary'> & { readonly summary: VerifyReportContext['summary'] | undefined };
}

/** A variant's verdict in one word or a few. */
function verdictOf(v: PublishedVariant, noVerify: boolean): string {
  const p = v.verification;
  if (!p) return noVerify ? 'not verified (--no-verify)' : '-';
  if (p.error) return `not verified: ${sanitize(p.error.code)}`;
  const n = p.summary.verdicts;
  const parts = (['error', 'warning'] as const).filter((s) => n[s] > 0).map((s) => plural(n[s], s));
  return parts.length ? parts.join(', ') : 'passed';
}

export function publishText(result: PublishResult, ctx: PublishReportContext): string {
  const short = (d: string): string => (ctx.fullDigests ? d : shortDigest(d));
  const out: string[] = [];
  const what = result.passed ? (result.report ? 'index (verified, annotated)' : 'index') : 'index (pushed by digest, not tagged)';
  out.push(`${what} ${short(result.index.digest)} in ${sanitize(result.repository.registry)}/${sanitize(result.repository.repository)}`);
  const rows = [['  PLATFORM', 'MANIFEST', 'SIZE', 'VERIFY']];
  for (const v of result.variants) rows.push([`  ${sanitize(formatPlatform(v.platform))}`, short(v.descriptor.digest), humanSize(v.size), verdictOf(v, ctx.noVerify)]);
  out.push(table(rows).trimEnd());
  if (!result.passed) out.push('not tagged: a variant was refused by verify (its verdicts are below); fix it and run the same command again');
  else if (result.tagged.length) out.push(`tagged: ${result.tagged.map(sanitize).join(', ')}`);
  else out.push('tagged: nothing (pushed by digest)');
  const s = result.stats;
  out.push(`pushed: ${plural(s.uploaded, 'blob')} uploaded, ${s.exists} already there, ${s.mounted} mounted; ${plural(s.manifests, 'manifest')} put; ${humanSize(s.bytesUploaded)} sent`);
  out.push('');
  if (!result.passed && result.report && ctx.verify.summary) out.push(textReporter.verify([result.report], { ...ctx.verify, summary: ctx.verify.summary }));
  return out.join('\n');
}

export function publishJson(result: PublishResult, ctx: Pick<PublishReportContext, 'toolVersion'>): string {
  return JSON.stringify({ version: 1, tool: { name: 'anyarch', version: ctx.toolVersion }, ...result }, null, 2) + '\n';
}
