import { MAX_NESTING } from '../dockerfile/expand.js';
import { MAX_DEPTH } from '../dockerfile/shell.js';
import rule from './too-deep-to-check.js';
import { ruleTester } from './tester.js';

const nested = (n: number, open: string, close: string, inner: string): string => open.repeat(n) + inner + close.repeat(n);
const deepShell = nested(MAX_DEPTH + 1, '( ', ' )', 'uname -m');
const deepDefault = nested(MAX_NESTING + 1, '${A:-', '}', 'x');

ruleTester(rule, {
  valid: [
    'FROM alpine\nRUN (cd /x && (make))',
    `FROM alpine\nRUN ${nested(MAX_DEPTH - 1, '( ', ' )', 'uname -m')}`,
    `FROM alpine\nRUN echo ${nested(MAX_DEPTH - 2, '$(echo ', ')', 'x')}`,
    `FROM alpine\nARG V=${nested(MAX_NESTING - 1, '${A:-', '}', 'x')}`,
    // exec form and CMD are not read as shell nor expanded
    `FROM alpine\nCMD ${deepShell}`,
    `FROM alpine\nRUN ["sh", "-c", "${deepShell}"]`,
  ],
  invalid: [
    {
      name: 'subshells deeper than the shell limit',
      code: `FROM alpine\nRUN ${deepShell}`,
      output: null,
      errors: [{ messageId: 'shell', line: 2, column: 5 + MAX_DEPTH * 2 }],
    },
    {
      name: 'command substitutions in a heredoc script',
      code: `FROM alpine\nRUN <<EOF\necho ${nested(MAX_DEPTH + 5, '$(echo ', ')', 'x')}\nEOF`,
      output: null,
      errors: [{ messageId: 'shell', line: 3, column: 6 + MAX_DEPTH * 7 }],
    },
    {
      name: 'if bodies deeper than the shell limit',
      code: `FROM alpine\nRUN ${nested(MAX_DEPTH + 1, 'if true; then ', '; fi', 'uname -m')}`,
      output: null,
      errors: [{ messageId: 'shell', line: 2, column: 5 + MAX_DEPTH * 14 }],
    },
    {
      name: 'an ARG default nested deeper than the expansion limit',
      code: `FROM alpine\nARG V=${deepDefault}`,
      output: null,
      errors: [{ messageId: 'expansion', line: 2, column: 5 }],
    },
    {
      name: 'a FROM image and a COPY --from flag',
      code: `FROM alpine:${deepDefault}\nCOPY --from=${deepDefault} /a /b`,
      output: null,
      errors: [
        { messageId: 'expansion', line: 1, column: 6 },
        { messageId: 'expansion', line: 2, column: 13 },
      ],
    },
  ],
});
