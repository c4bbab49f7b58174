/**
 * `--format sarif`: SARIF 2.1.0 (what GitHub code scanning and most CI dashboards read), one run.
 *
 * check: the driver lists every rule; each finding is a result with a region; fixes and
 * suggestions become `fixes`; files that could not be checked become tool execution
 * notifications, and the invocation is then not successful.
 *
 * platforms: the driver lists the two problems an image can have (a required platform missing:
 * an error; a config that disagrees with its index entry: a warning); each is a result whose
 * logical location is the image (images have no file to point at); an image or variant that
 * could not be read is a notification at the severity the library gave it (an error for an image
 * or content that failed its digest, a warning for another variant), and the invocation is not
 * successful when the library's outcome is an input error.
 *
 * verify: the driver lists every verdict (AA2xx) with its docs page; each verdict is a result
 * whose physical location is the Dockerfile line that made its layer (with `--dockerfile`), and
 * whose logical location is always the file in the image (`image@digest linux/arm64 /usr/bin/x`);
 * an image or variant that could not be read is an error notification, and the invocation is then
 * not successful.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeLineStarts, positionAt } from '../../dockerfile/text.js';
import type { Range } from '../../dockerfile/ast.js';
import { imagesOutcome, type ImageProblem } from '../../oci/image-results.js';
import { verifyOutcome } from '../../verify/verify.js';
import { docsUrl, type Edit, type Severity } from '../../rules/types.js';
import { posixPath, type Reporter } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/anyarch/anyarch';
const SRCROOT = '%SRCROOT%';

export type SarifLevel = 'error' | 'warning' | 'note';
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = { error: 'error', warning: 'warning', info: 'note' };

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** The artifact location of a file path: relative (forward slashes, %-encoded) to %SRCROOT%, or a file: URI. */
export function artifactLocation(file: string): ArtifactLocation {
  if (path.isAbsolute(file)) return { uri: pathToFileURL(file).href };
  const uri = posixPath(file)
    .split('/')
    .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
    .join('/');
  return { uri, uriBaseId: SRCROOT };
}

function region(r: Range): SarifRegion {
  return { startLine: r.start.line, startColumn: r.start.column, endLine: r.end.line, endColumn: r.end.column };
}

function replacement(e: Edit, lineStarts: readonly number[] | undefined): object {
  const deletedRegion = lineStarts
    ? (() => {
        const s = positionAt(lineStarts, e.start);
        const t = positionAt(lineStarts, e.end);
        return { startLine: s.line, startColumn: s.column, endLine: t.line, endColumn: t.column };
      })()
    : { charOffset: e.start, charLength: e.end - e.start };
  return { deletedRegion, insertedContent: { text: e.text } };
}

/** The SARIF rule of a verdict (verify's AA2xx, deps's AA3xx): its meta, its page, its level; `tag` names what it judges. */
export function verdictRule(m: { readonly id: string; readonly name: string; readonly title: string; readonly description: string; readonly severity: Severity }, tag: string): object {
  return {
    id: m.id,
    name: m.name,
    shortDescription: { text: m.title },
    fullDescription: { text: m.description },
    helpUri: docsUrl(m.id),
    help: { text: `${m.description}\n${docsUrl(m.id)}` },
    defaultConfiguration: { level: SARIF_LEVEL[m.severity] },
    properties: { tags: ['portability', 'multi-arch', tag] },
  };
}

/** The one SARIF log anyarch writes: one run of the anyarch driver. */
export function sarifLog(run: {
  toolVersion: string;
  cwd: string;
  rules: readonly object[];
  results: readonly object[];
  notifications: readonly object[];
  executionSuccessful: boolean;
}): string {
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'anyarch',
            informationUri: INFORMATION_URI,
            version: run.toolVersion,
            semanticVersion: run.toolVersion,
            rules: run.rules,
          },
        },
        invocations: [
          {
            executionSuccessful: run.executionSuccessful,
            toolExecutionNotifications: run.notifications,
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(run.cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        results: run.results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** The problems of an image that are results (the unreadable ones are notifications). */
const IMAGE_RULES: readonly { kind: Exclude<ImageProblem['kind'], 'unreadable'>; name: string; title: string; description: string; level: SarifLevel }[] = [
  {
    kind: 'missing',
    name: 'required-platform-missing',
    title: 'A required platform is not published',
    description: 'The image does not publish a platform that --require names, so it cannot be pulled there.',
    level: 'error',
  },
  {
    kind: 'mismatch',
    name: 'config-platform-mismatch',
    title: "An image config disagrees with its index entry's platform",
    description: 'The config names another os/architecture/variant than the index entry; runtimes and docker pull disagree about which one wins.',
    level: 'warning',
  },
];

export const sarifReporter: Reporter = {
  format: 'sarif',
  check(results, ctx) {
    const ruleIndex = new Map(ctx.rules.map((r, i) => [r.meta.id, i]));
    const rules = ctx.rules.map((r) => ({
      id: r.meta.id,
      name: r.meta.name,
      shortDescription: { text: r.meta.title },
      fullDescription: { text: r.meta.description },
      helpUri: docsUrl(r.meta.id),
      help: { text: `${r.meta.description}\n${docsUrl(r.meta.id)}` },
      defaultConfiguration: { level: SARIF_LEVEL[r.meta.severity] },
      properties: {
        tags: ['portability', 'multi-arch', ...(r.meta.fixable ? ['fixable'] : [])],
        ...(r.meta.related.length ? { related: [...r.meta.related] } : {}),
      },
    }));

    const sarifResults: object[] = [];
    const notifications: object[] = [];
    for (const r of results) {
      const artifact = artifactLocation(r.file);
      if (r.error) {
        const loc = r.error.location;
        notifications.push({
          level: 'error',
          descriptor: { id: r.error.code },
          message: { text: r.error.message + (r.error.hint ? ` (${r.error.hint})` : '') },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact,
                ...(loc?.line ? { region: { startLine: loc.line, ...(loc.column ? { startColumn: loc.column } : {}) } } : {}),
              },
            },
          ],
        });
      }
      const source = ctx.sources.get(r.file);
      const lineStarts = source === undefined ? undefined : computeLineStarts(source);
      for (const f of r.findings) {
        const fixes: object[] = [];
        if (f.fix?.length) {
          fixes.push({
            description: { text: `Fix ${f.ruleId} (applied by anyarch check --fix)` },
            artifactChanges: [{ artifactLocation: artifact, replacements: f.fix.map((e) => replacement(e, lineStarts)) }],
          });
        }
        for (const s of f.suggestions ?? []) {
          fixes.push({
            description: { text: s.title },
            artifactChanges: [{ artifactLocation: artifact, replacements: s.edits.map((e) => replacement(e, lineStarts)) }],
          });
        }
        const idx = ruleIndex.get(f.ruleId);
        sarifResults.push({
          ruleId: f.ruleId,
          ...(idx !== undefined ? { ruleIndex: idx } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.fixNote ? `${f.message} (${f.fixNote})` : f.message },
          locations: [{ physicalLocation: { artifactLocation: artifact, region: region(f.range) } }],
          ...(fixes.length ? { fixes } : {}),
          ...(f.platforms?.length ? { properties: { platforms: [...f.platforms] } } : {}),
        });
      }
    }
    return sarifLog({
      toolVersion: ctx.toolVersion,
      cwd: ctx.cwd,
      rules,
      results: sarifResults,
      notifications,
      executionSuccessful: ctx.summary.unreadable === 0,
    });
  },
  platforms(images, ctx) {
    const rules = IMAGE_RULES.map((r) => ({
      id: r.name,
      name: r.name,
      shortDescription: { text: r.title },
      fullDescription: { text: r.description },
      defaultConfiguration: { level: r.level },
      properties: { tags: ['portability', 'multi-arch'] },
    }));
    const results: object[] = [];
    const notifications: object[] = [];
    for (const image of images) {
      const locations = [{ logicalLocations: [{ fullyQualifiedName: image.image, kind: 'resource' }] }];
      for (const p of image.problems) {
        if (p.kind === 'unreadable') {
          notifications.push({
            level: SARIF_LEVEL[p.severity],
            descriptor: { id: p.error.code },
            message: { text: p.message + (p.error.hint ? ` (${p.error.hint})` : '') },
            locations,
          });
          continue;
        }
        const idx = IMAGE_RULES.findIndex((r) => r.kind === p.kind);
        const rule = IMAGE_RULES[idx] as (typeof IMAGE_RULES)[number];
        results.push({
          ruleId: rule.name,
          ruleIndex: idx,
          level: SARIF_LEVEL[p.severity],
          message: { text: p.message },
          locations,
          properties: { platforms: [p.platform] },
        });
      }
    }
    return sarifLog({
      toolVersion: ctx.toolVersion,
      cwd: ctx.cwd,
      rules,
      results,
      notifications,
      // not successful exactly when the command's outcome is an input error (exit 2)
      executionSuccessful: imagesOutcome(ctx.summary) !== 'input-error',
    });
  },
  verify(reports, ctx) {
    const ruleIndex = new Map(ctx.verdicts.map((m, i) => [m.id, i]));
    const rules = ctx.verdicts.map((m) => verdictRule(m, 'image'));
    const results: object[] = [];
    const notifications: object[] = [];
    for (const r of reports) {
      const image = `${r.image}${r.digest ? `@${r.digest}` : ''}`;
      if (r.error) notifications.push({ level: 'error', descriptor: { id: r.error.code }, message: { text: `${r.image}: ${r.error.message}` }, locations: [{ logicalLocations: [{ fullyQualifiedName: image, kind: 'resource' }] }] });
      for (const p of r.platforms) {
        const variant = `${image} ${p.name}`;
        if (p.error) notifications.push({ level: 'error', descriptor: { id: p.error.code }, message: { text: `${variant}: ${p.error.message}` }, locations: [{ logicalLocations: [{ fullyQualifiedName: variant, kind: 'resource' }] }] });
        for (const v of p.verdicts) {
          const logical = { logicalLocations: [{ fullyQualifiedName: v.path ? `${variant} ${v.path}` : variant, kind: v.path ? 'member' : 'resource' }] };
          const physical = v.source
            ? { physicalLocation: { artifactLocation: artifactLocation(v.source.file), region: { startLine: v.source.line, startColumn: v.source.column, endLine: v.source.endLine, endColumn: v.source.endColumn } } }
            : undefined;
          const idx = ruleIndex.get(v.id);
          results.push({
            ruleId: v.id,
            ...(idx !== undefined ? { ruleIndex: idx } : {}),
            level: SARIF_LEVEL[v.severity],
            message: { text: v.message },
            locations: [physical ? { ...physical, ...logical } : logical],
            properties: {
              platform: p.name,
              image: r.image,
              ...(v.path ? { path: v.path } : {}),
              ...(v.what ? { what: v.what } : {}),
              ...(v.layer ? { layer: v.layer } : {}),
              ...(v.source?.findings.length ? { findings: v.source.findings } : {}),
              ...(v.allowed ? { allowed: v.allowed } : {}),
            },
          });
        }
      }
    }
    return sarifLog({ toolVersion: ctx.toolVersion, cwd: ctx.cwd, rules, results, notifications, executionSuccessful: verifyOutcome(ctx.summary, 'never') !== 'input-error' });
  },
};
