import rule from './platform-arg-default.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    'FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n',
    'FROM alpine\nARG ARCH=amd64\n',
    { name: 'single-arch on purpose', code: 'FROM alpine\nARG TARGETARCH=amd64\n', platforms: 'linux/amd64' },
    { name: 'quoted, single-arch', code: 'FROM alpine\nARG TARGETPLATFORM="linux/arm64"\n', platforms: 'linux/arm64' },
    'ARG VERSION=1.0\nFROM alpine:${VERSION}\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nARG TARGETARCH=amd64\nRUN echo $TARGETARCH\n',
      errors: [{ messageId: 'shadowed', line: 2, column: 5, endColumn: 21 }],
      output: 'FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n',
    },
    {
      name: 'global default pins FROM',
      code: 'ARG TARGETPLATFORM=linux/amd64\nFROM --platform=$TARGETPLATFORM alpine\n',
      errors: [{ messageId: 'shadowed', line: 1, column: 5 }],
      output: 'ARG TARGETPLATFORM\nFROM --platform=$TARGETPLATFORM alpine\n',
    },
    {
      name: 'one of several',
      code: 'FROM alpine\nARG VERSION=1 TARGETOS=linux TARGETARCH=arm64\n',
      errors: [{ messageId: 'shadowed', line: 2, column: 30 }],
      output: 'FROM alpine\nARG VERSION=1 TARGETOS=linux TARGETARCH\n',
    },
    {
      name: 'BUILD args are guesses about the builder',
      code: 'FROM alpine\nARG BUILDARCH=amd64\n',
      errors: [{ messageId: 'shadowed', line: 2 }],
      output: 'FROM alpine\nARG BUILDARCH\n',
    },
  ],
});
