/**
 * Runs every verdict on one platform variant and turns what they report into `Verdict`s: the
 * message filled from its template, the layer (and the step that made it) of the file, and the
 * intended foreign files (a `verify.allow` entry of `.anyarch.yaml` first, then a verdict's own
 * well-known case, then the well-known paths) turned into AA212 information.
 */
import type { FileFacts } from '../binary/types.js';
import type { ContainerConfig, OciPlatform } from '../oci/manifest.js';
import type { Platform } from '../platform/index.js';
import type { FileTree } from '../rootfs/types.js';
import type { SmokeResult } from '../smoke/types.js';
import { AllowList, knownIntended } from './allow.js';
import type { Verdict, VerdictLayer } from './types.js';
import { intendedForeign, VERDICTS } from './verdicts/index.js';
import type { VerdictDescriptor, VerdictRule } from './verdicts/types.js';
import { variantView } from './view.js';

export interface JudgeInput {
  /** the variant's platform */
  readonly platform: Platform;
  /** as written (`linux/arm64`) */
  readonly name: string;
  readonly tree: FileTree<FileFacts>;
  readonly config?: ContainerConfig;
  /** the index entry's platform and the config's (AA209) */
  readonly declared?: OciPlatform;
  readonly configPlatform?: OciPlatform;
  readonly smoke?: SmokeResult;
  /** `verify.allow` of `.anyarch.yaml` */
  readonly allow?: AllowList;
  /** the variant's layers, by index (what a verdict's file names as its layer) */
  readonly layers?: readonly VerdictLayer[];
  /** the verdicts to run (default: all) */
  readonly verdicts?: readonly VerdictRule[];
}

/** Fills `{name}` placeholders as check's engine does. */
export function fillMessage(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = data?.[name];
    return v === undefined ? whole : String(v);
  });
}

/** Most verdicts one verdict may give on one variant; past it, one AA210 says how many more there were. */
export const MAX_VERDICTS_PER_RULE = 10_000;

export function judgeVariant(input: JudgeInput): Verdict[] {
  const view = variantView(input.tree, input.config);
  const allow = input.allow ?? new AllowList([]);
  const out: Verdict[] = [];
  for (const rule of input.verdicts ?? VERDICTS) {
    let given = 0;
    let dropped = 0;
    const report = (d: VerdictDescriptor): void => {
      if (given >= MAX_VERDICTS_PER_RULE) {
        dropped++;
        return;
      }
      given++;
      out.push(toVerdict(rule, d, input, allow));
    };
    rule.judge({
      platform: input.platform,
      name: input.name,
      view,
      ...(input.config ? { config: input.config } : {}),
      ...(input.declared ? { declared: input.declared } : {}),
      ...(input.configPlatform ? { configPlatform: input.configPlatform } : {}),
      ...(input.smoke ? { smoke: input.smoke } : {}),
      report,
    });
    if (dropped > 0) {
      out.push({
        id: 'AA210',
        name: 'not-verified',
        severity: 'info',
        platform: input.name,
        message: `${dropped} more ${rule.meta.id} verdicts on ${input.name} were not listed (at most ${MAX_VERDICTS_PER_RULE} per verdict)`,
      });
    }
  }
  return out;
}

function toVerdict(rule: VerdictRule, d: VerdictDescriptor, input: JudgeInput, allow: AllowList): Verdict {
  const message = fillMessage(rule.messages[d.messageId] ?? d.messageId, d.data);
  const layerIndex = d.layer ?? (d.path !== undefined ? input.tree.get(d.path)?.layer : undefined);
  const layer = layerIndex !== undefined ? input.layers?.[layerIndex] : undefined;
  const base = {
    platform: input.name,
    message,
    ...(d.path !== undefined ? { path: `/${d.path}` } : {}),
    ...(d.what !== undefined ? { what: d.what } : {}),
    ...(layer ? { layer } : {}),
  };
  if (rule.meta.allowable && d.path !== undefined) {
    const declared = allow.match(d.path);
    const known = d.intended ?? (declared ? undefined : knownIntended(d.path, input.platform, input.tree.get(d.path)?.facts));
    const allowed = declared ? { reason: declared.reason, by: 'config' as const } : known ? { reason: known, by: 'known' as const } : undefined;
    if (allowed) {
      return {
        ...base,
        id: intendedForeign.meta.id,
        name: intendedForeign.meta.name,
        severity: 'info',
        message: fillMessage(intendedForeign.messages.intended, { message, reason: allowed.reason }),
        allowed,
      };
    }
  }
  return { ...base, id: rule.meta.id, name: rule.meta.name, severity: d.severity ?? rule.meta.severity };
}
