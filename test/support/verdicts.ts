/** Runs verdicts on a hand-built tree (test/support/file-tree.ts), as verify does on a variant. */
import type { FileFacts } from '../../src/binary/types.js';
import type { ContainerConfig, OciPlatform } from '../../src/oci/manifest.js';
import { formatPlatform, parsePlatform } from '../../src/platform/index.js';
import type { FileTree } from '../../src/rootfs/types.js';
import type { SmokeResult } from '../../src/smoke/types.js';
import { AllowList, type AllowEntry } from '../../src/verify/allow.js';
import { judgeVariant } from '../../src/verify/judge.js';
import type { Verdict } from '../../src/verify/types.js';
import type { VerdictRule } from '../../src/verify/verdicts/types.js';

export interface JudgeOptions {
  readonly config?: ContainerConfig;
  readonly declared?: OciPlatform;
  readonly configPlatform?: OciPlatform;
  readonly smoke?: SmokeResult;
  readonly allow?: readonly AllowEntry[];
  /** run all verdicts rather than the one */
  readonly all?: boolean;
}

export function judge(rule: VerdictRule | undefined, tree: FileTree<FileFacts>, platform: string, opts: JudgeOptions = {}): Verdict[] {
  const p = parsePlatform(platform);
  return judgeVariant({
    platform: p,
    name: formatPlatform(p),
    tree,
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.declared ? { declared: opts.declared } : {}),
    ...(opts.configPlatform ? { configPlatform: opts.configPlatform } : {}),
    ...(opts.smoke ? { smoke: opts.smoke } : {}),
    allow: new AllowList(opts.allow ?? []),
    ...(rule && !opts.all ? { verdicts: [rule] } : {}),
  });
}

/** `id path` of each verdict, for compact assertions. */
export function brief(vs: readonly Verdict[]): string[] {
  return vs.map((v) => `${v.id} ${v.severity}${v.path ? ` ${v.path}` : ''}`);
}
