/**
 * AA103: `ARG TARGETARCH=amd64` (a default on an automatic platform ARG). In BuildKit a default
 * given in the Dockerfile wins over the automatic per-platform value (only --build-arg beats
 * it), so every platform builds as amd64.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { ArgDecl, Model } from '../dockerfile/model.js';
import { isPlatformArg } from '../dockerfile/model.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import { buildArgs } from '../platform/index.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  shadowed: 'ARG {name}={value} replaces the per-platform value: every platform builds with {value}',
} as const;

function check(model: Model, ins: Instruction, decls: readonly ArgDecl[], ctx: RuleContext<typeof messages>): void {
  let from = 0;
  for (const d of decls) {
    const word = `${d.name}=${d.default ?? ''}`;
    const at = ins.body.text.indexOf(word, from);
    if (at === -1) continue;
    from = at + word.length;
    if (d.default === null || !isPlatformArg(d.name)) continue;
    // the default is harmless when every target platform gives the same value (single-arch on purpose)
    const prefix = d.name.startsWith('TARGET') ? 'TARGET' : 'BUILD';
    if (prefix === 'BUILD') {
      // the builder is one machine; a BUILD* default is still a guess about it
    } else if (ctx.platforms.every((p) => buildArgs(p, 'TARGET')[d.name] === d.default?.replace(/^(['"])(.*)\1$/, '$2'))) continue;
    const nameEnd = toSourceOffset(ins.body, at + d.name.length - 1) + 1;
    const valueEnd = toSourceOffset(ins.body, at + word.length - 1) + 1;
    ctx.report({
      messageId: 'shadowed',
      range: rangeAt(model.file.lineStarts, toSourceOffset(ins.body, at), valueEnd),
      data: { name: d.name, value: d.default },
      fix: [{ start: nameEnd, end: valueEnd, text: '' }],
    });
  }
}

export default defineRule({
  meta: {
    id: 'AA103',
    name: 'platform-arg-default',
    title: 'A default value on a platform ARG hides the per-platform value',
    severity: 'error',
    description:
      'A default such as `ARG TARGETARCH=amd64` wins over the value BuildKit sets for each target platform ' +
      '(only `--build-arg` overrides it), so every platform variant is built with the default.',
    related: [],
    fixable: true,
  },
  messages,
  gate: /(?:TARGET|BUILD)(?:PLATFORM|OS|ARCH|VARIANT)/,
  check(model, ctx) {
    for (const ins of model.file.instructions) {
      if (ins.keyword !== 'arg') continue;
      check(model, ins, model.argDecls(ins), ctx);
    }
  },
});
