import rule from './base-image-unresolved.js';
import { ruleTester } from './tester.js';

const ALPINE = 'docker.io/library/alpine:3.20';

ruleTester(rule, {
  valid: [
    'FROM alpine:3.20',
    { code: 'FROM alpine:3.20', baseImages: { [ALPINE]: ['linux/amd64'] }, name: 'a resolved image is AA114\'s business' },
    { code: 'FROM scratch', baseImages: { [ALPINE]: { error: 'x' } } },
  ],
  invalid: [
    {
      code: 'FROM alpine:3.20\nRUN true',
      baseImages: { [ALPINE]: { error: 'manifest docker.io/library/alpine:3.20: not found (HTTP 404 MANIFEST_UNKNOWN)' } },
      output: null,
      errors: [{ messageId: 'unresolved', line: 1, column: 6, severity: 'warning' }],
    },
    {
      name: 'reported once per stage, whatever the number of platforms',
      code: 'FROM alpine:3.20 AS a\nFROM alpine:3.20\nCOPY --from=a / /',
      platforms: 'linux/amd64,linux/arm64,linux/arm/v7',
      baseImages: { [ALPINE]: { error: 'connection refused' } },
      errors: [
        { messageId: 'unresolved', line: 1, column: 6 },
        { messageId: 'unresolved', line: 2, column: 6 },
      ],
    },
  ],
});
