/**
 * AA115: a base image whose platforms could not be read (registry error, not found, no access).
 * A finding of its own kind, so a registry outage is neither a crash nor a silent pass of AA114.
 */
import { defineRule } from './types.js';
import { requirementsWithFacts } from './support/base-image-requirements.js';

const messages = {
  unresolved: 'could not read the platforms of {image}: {error}',
} as const;

export default defineRule({
  meta: {
    id: 'AA115',
    name: 'base-image-unresolved',
    title: 'The platforms of a base image could not be read',
    severity: 'warning',
    description:
      'anyarch reads each base image\'s index from its registry to check its platforms (AA114). When that fails ' +
      '(the image or tag does not exist, the registry refuses access or cannot be reached), the platforms are ' +
      'unknown and this finding says why. Log in (docker login, DOCKER_CONFIG), fix the reference, or run with ' +
      '`--offline`.',
    related: [],
    fixable: false,
  },
  needs: ['baseImages'],
  messages,
  check(model, ctx) {
    const seen = new Set<string>();
    for (const { req, fact } of requirementsWithFacts(model, ctx)) {
      if (!('error' in fact)) continue;
      const key = `${req.stage.index} ${req.reference}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({ messageId: 'unresolved', range: req.range, data: { image: req.written, error: fact.error.message } });
    }
  },
});
