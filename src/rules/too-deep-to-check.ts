/**
 * AA116: anyarch reads nesting only to a fixed depth (shell nesting in RUN, `${…}` substitutions
 * in the instructions BuildKit expands), so that a hostile Dockerfile cannot exhaust its stack.
 * What is nested deeper is not checked: this rule says so, instead of the other rules falling
 * silent. Nothing to fix; the limits are `MAX_DEPTH` (shell.ts) and `MAX_NESTING` (expand.ts).
 */
import type { Instruction, SourceText } from '../dockerfile/ast.js';
import { MAX_NESTING, nestsTooDeep } from '../dockerfile/expand.js';
import { MAX_DEPTH } from '../dockerfile/shell.js';
import { spanRange } from './support/shell-words.js';
import { defineRule } from './types.js';

const messages = {
  shell: 'shell nesting deeper than {limit} levels: anyarch did not check the commands nested deeper, so problems in them are not reported',
  expansion: '`${…}` substitutions nested deeper than {limit} levels: anyarch cannot expand this value, so problems that depend on it are not reported',
} as const;

/** Instructions BuildKit does not expand variables in (their text is for the shell or the image). */
const NOT_EXPANDED = new Set(['run', 'cmd', 'entrypoint', 'healthcheck', 'shell', 'onbuild']);

/** Cheap test before reading a RUN as shell: can it nest MAX_DEPTH levels at all? */
const OPENINGS = /[({`]|\b(?:if|while|until|for|case)\b/g;
function mayNestTooDeep(text: string): boolean {
  if (text.length < MAX_DEPTH) return false;
  let n = 0;
  OPENINGS.lastIndex = 0;
  while (OPENINGS.exec(text)) if (++n >= MAX_DEPTH) return true;
  return false;
}

function texts(ins: Instruction): SourceText[] {
  return [ins.body, ...ins.heredocs.map((h) => h.text)];
}

export default defineRule({
  meta: {
    id: 'AA116',
    name: 'too-deep-to-check',
    title: 'Nesting too deep for anyarch to check',
    severity: 'warning',
    description:
      `Shell nesting deeper than ${MAX_DEPTH} levels in a RUN, or \`\${…}\` substitutions nested deeper than ${MAX_NESTING} levels, ` +
      'is not read past the limit, so problems inside it are not reported.',
    related: [],
    fixable: false,
  },
  messages,
  gate: /[({`]|\b(?:if|while|until|for|case)\b/,
  check(model, ctx) {
    const escape = model.file.escape;
    for (const ins of model.file.instructions) {
      // flags are expanded on every instruction (`RUN --mount=from=…`, `COPY --from=…`, `FROM --platform=…`)
      for (const flag of ins.flags) {
        if (flag.value !== null && flag.valueRange && nestsTooDeep(flag.value, { escape })) {
          ctx.report({ messageId: 'expansion', data: { limit: MAX_NESTING }, range: flag.valueRange });
        }
      }
      if (ins.keyword === 'run') {
        if (!texts(ins).some((t) => mayNestTooDeep(t.text))) continue;
        for (const source of model.shell(ins)) {
          if (source.script.depthLimit === undefined) continue;
          const at = source.script.depthLimit;
          ctx.report({ messageId: 'shell', data: { limit: MAX_DEPTH }, range: spanRange(model, source.text, at, Math.min(at + 1, source.text.text.length)) });
        }
        continue;
      }
      if (NOT_EXPANDED.has(ins.keyword)) continue;
      if (nestsTooDeep(ins.body.text, { escape })) ctx.report({ messageId: 'expansion', data: { limit: MAX_NESTING }, range: ins.bodyRange });
    }
  },
});
