/**
 * The install sites of a Dockerfile with what the ecosystem analysers said about their lockfiles
 * (looked up before the check), grouped for AA123 and AA124: per site, the packages whose cells
 * are `missing` on some target, each with the targets and the first reason. Optional packages
 * (`PackageReport.optional`) never count: npm skips their failed build and the RUN succeeds.
 */
import { installSites, nativeDepsKey, type InstallSiteFacts, type NativeDepsFact, type NativeDepsFacts } from '../../deps/dockerfile.js';
import type { Cell, DepsTarget, PackageReport } from '../../deps/types.js';
import type { Model } from '../../dockerfile/model.js';
import { formatPlatform, type Platform } from '../../platform/index.js';

export interface FailingPackage {
  readonly pkg: PackageReport;
  /** the targets it fails on, with the cell */
  readonly on: readonly { readonly target: DepsTarget; readonly cell: Cell }[];
}

export interface SiteFailures {
  readonly site: InstallSiteFacts;
  readonly fact: NativeDepsFact;
  readonly packages: readonly FailingPackage[];
}

/** The words a target is named by in a finding: `linux/arm64`, with `(musl)` on musl. */
export function targetName(t: DepsTarget): string {
  return `${formatPlatform(t.platform)}${t.libc === 'musl' ? ' (musl)' : ''}`;
}

/**
 * Each install site with a fact, and its packages whose cells `which` picks, on the targets that
 * pick them. Nothing when the facts were not looked up.
 */
export function siteFailures(
  model: Model,
  ctx: { readonly platforms: readonly Platform[]; readonly buildPlatform: Platform; readonly nativeDeps?: NativeDepsFacts },
  which: (cell: Cell) => boolean,
): SiteFailures[] {
  const facts = ctx.nativeDeps;
  if (!facts?.size) return [];
  const out: SiteFailures[] = [];
  for (const site of installSites(model, model.file.path, ctx.platforms, { buildPlatform: ctx.buildPlatform })) {
    const fact = facts.get(nativeDepsKey(model.file.path, site));
    if (!fact || fact.report.error) continue;
    const targets = fact.report.targets;
    const packages: FailingPackage[] = [];
    for (const pkg of fact.report.packages) {
      // an optional package (ssh2's cpu-features): npm skips its failed build, the install goes on
      if (pkg.optional) continue;
      const on = pkg.cells.flatMap((cell, i) => {
        const target = targets[i];
        return target && which(cell) ? [{ target, cell }] : [];
      });
      if (on.length) packages.push({ pkg, on });
    }
    if (packages.length) out.push({ site, fact, packages });
  }
  return out;
}

/** At most `n` items named, then how many more. */
export function listSome(items: readonly string[], n = 3): string {
  return items.length <= n ? items.join('; ') : `${items.slice(0, n).join('; ')}; and ${items.length - n} more`;
}
