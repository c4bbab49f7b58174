/**
 * AA114: a base image that does not publish a platform the build needs. BuildKit resolves each
 * FROM for the platform the stage is built for; when the image's index has no such entry, the
 * build fails for that platform ("no match for platform in manifest"), or — for a single-platform
 * image — silently uses the wrong CPU's base. Decided from what the registry says (looked up by
 * the CLI before the check, cached); without that (offline) the rule says nothing.
 */
import { bestMatch, formatPlatform, type Platform } from '../platform/index.js';
import { requirementsWithFacts, type BaseImageRequirement } from './support/base-image-requirements.js';
import { defineRule } from './types.js';

const messages = {
  missing: '{image} does not publish {missing} (it has {available})',
  missingBuilder: '{image} does not publish {missing}, the build machine\'s platform this --platform=$BUILDPLATFORM stage runs on (it has {available})',
  fallback: '{image} does not publish {pairs}: BuildKit falls back to a compatible variant, which runs but was not built for that platform',
} as const;

function list(platforms: readonly Platform[]): string {
  return platforms.length ? platforms.map(formatPlatform).join(', ') : 'no platform';
}

export default defineRule({
  meta: {
    id: 'AA114',
    name: 'base-image-platform',
    title: 'Base image does not publish a platform the build needs',
    severity: 'error',
    description:
      'Every FROM image must publish each platform its stage is built for: the target platforms, the constant of ' +
      '`--platform`, or the build machine\'s platform for a `--platform=$BUILDPLATFORM` stage. A missing platform ' +
      'fails the build for it, or (single-platform images) gives that variant another CPU\'s base. Checked against ' +
      'the registry before the check (cached); `--offline` skips it.',
    related: ['BuildKit InvalidBaseImagePlatform'],
    fixable: false,
  },
  needs: ['baseImages'],
  messages,
  check(model, ctx) {
    // one finding per stage and image: all the platforms it lacks; a compatible stand-in
    // (containerd's order: arm/v6 for arm/v7, arm for arm64, 386 for amd64) is advice
    const groups = new Map<string, { req: BaseImageRequirement; missing: Platform[]; available: readonly Platform[]; fallbacks: [Platform, Platform][] }>();
    for (const { req, fact } of requirementsWithFacts(model, ctx)) {
      if ('error' in fact) continue;
      const match = bestMatch(req.platform, fact.platforms);
      if (match?.exact) continue;
      const key = `${req.stage.index} ${req.reference}`;
      const g = groups.get(key) ?? { req, missing: [], available: fact.platforms, fallbacks: [] };
      if (match) g.fallbacks.push([req.platform, match.platform]);
      else g.missing.push(req.platform);
      groups.set(key, g);
    }
    for (const { req, fallbacks } of groups.values()) {
      if (!fallbacks.length) continue;
      ctx.report({
        messageId: 'fallback',
        severity: 'info',
        range: req.range,
        data: { image: req.written, pairs: fallbacks.map(([w, u]) => `${formatPlatform(w)} (it would use ${formatPlatform(u)})`).join(', ') },
        platforms: fallbacks.map(([w]) => formatPlatform(w)),
      });
    }
    for (const { req, missing, available } of groups.values()) {
      if (!missing.length) continue;
      ctx.report({
        messageId: req.builder ? 'missingBuilder' : 'missing',
        range: req.range,
        data: { image: req.written, missing: list(missing), available: list(available) },
        platforms: missing.map(formatPlatform),
      });
    }
  },
});
