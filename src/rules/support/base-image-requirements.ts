/**
 * What a Dockerfile asks of its base images: for each stage that starts from an image (not from
 * another stage, not `scratch`), the expanded reference and each platform it is pulled for —
 * the target platforms, the constant of `--platform=linux/amd64`, or the build platform for a
 * `--platform=$BUILDPLATFORM` stage. The rules AA114/AA115 and the CLI's registry lookups share
 * this one answer, so what is looked up is exactly what is checked.
 */
import type { Range } from '../../dockerfile/ast.js';
import type { Model, Stage } from '../../dockerfile/model.js';
import { formatReference, tryParseReference } from '../../oci/reference.js';
import { formatPlatform, type Platform } from '../../platform/index.js';
import { stagePlatforms } from './stage-platforms.js';

export interface BaseImageRequirement {
  readonly stage: Stage;
  /** the image as the Dockerfile names it after ARG expansion */
  readonly written: string;
  /** the normalised full reference (`docker.io/library/golang:1.22`): the key of the facts */
  readonly reference: string;
  readonly platform: Platform;
  /** the image word in the FROM line */
  readonly range: Range;
  /** the stage runs on the build machine (its base must exist for the builder, not the targets) */
  readonly builder: boolean;
}

/** What anyarch learnt about a base image from its registry (or cache). */
export type BaseImageFact =
  | { readonly platforms: readonly Platform[]; readonly digest?: string }
  | { readonly error: { readonly code: string; readonly message: string } };

/** Facts keyed by normalised reference. Absent: not looked up (offline), so nothing is said. */
export type BaseImageFacts = ReadonlyMap<string, BaseImageFact>;

/** The requirements of every reachable stage for every target platform, without duplicates. */
export function baseImageRequirements(model: Model, targets: readonly Platform[], build: Platform): BaseImageRequirement[] {
  const out: BaseImageRequirement[] = [];
  const seen = new Set<string>();
  for (const stage of model.stages) {
    if (stage.parent) continue;
    // a stage chosen per platform (`FROM build-${TARGETARCH}`) is pulled only for the targets that choose it
    const building = stage.reachable ? targets : targets.filter((t) => model.stagesFor(t).has(stage));
    if (!building.length) continue;
    const wanted = stagePlatforms(stage, targets);
    const builder = wanted === 'builder';
    for (const target of building) {
      const written = model.view(stage, target, build).image.trim();
      if (!written || written.toLowerCase() === 'scratch' || written.includes('$')) continue;
      const ref = tryParseReference(written);
      if (!ref) continue;
      const reference = formatReference(ref);
      // a build-platform stage pulls for the builder, a --platform constant for that platform
      const platform = builder ? build : wanted === targets ? target : (wanted[0] ?? target);
      const key = `${stage.index} ${reference} ${formatPlatform(platform)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ stage, written, reference, platform, range: stage.image.range, builder });
    }
  }
  return out;
}

/**
 * Each requirement with what was learnt about its image, for the rules that judge the answers
 * (AA114, AA115): nothing when the base images were not looked up (offline), and nothing for an
 * image the lookup has no answer for.
 */
export function requirementsWithFacts(
  model: Model,
  ctx: { readonly platforms: readonly Platform[]; readonly buildPlatform: Platform; readonly baseImages?: BaseImageFacts },
): { readonly req: BaseImageRequirement; readonly fact: BaseImageFact }[] {
  const facts = ctx.baseImages;
  if (!facts) return [];
  return baseImageRequirements(model, ctx.platforms, ctx.buildPlatform).flatMap((req) => {
    const fact = facts.get(req.reference);
    return fact ? [{ req, fact }] : [];
  });
}
