/**
 * AA102: `$TARGETARCH` (or another automatic platform ARG) used in a stage that never declares
 * it. BuildKit defines these ARGs in the global scope only; inside a stage they are empty until
 * `ARG TARGETARCH` brings them in. BuildKit's own UndefinedVar check skips RUN, where this bites.
 */
import type { Flag, Instruction } from '../dockerfile/ast.js';
import { references } from '../dockerfile/expand.js';
import type { Model, Stage } from '../dockerfile/model.js';
import { isPlatformArg } from '../dockerfile/model.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import type { Platform } from '../platform/index.js';
import { declareArgs } from './support/fix.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  undeclared: '${name} is empty here: stage {stage} does not declare ARG {name}',
} as const;

interface Use {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}

/** Every platform ARG name contains one of these: skip the lexer on text without them. */
const MAY_USE = /TARGET|BUILD/;

function usesIn(text: string, toSource: (at: number) => number, escape: '\\' | '`'): Use[] {
  const out: Use[] = [];
  if (!MAY_USE.test(text)) return out;
  for (const r of references(text, { escape })) {
    if (!isPlatformArg(r.name)) continue;
    out.push({ name: r.name, offset: toSource(r.start), length: r.end - r.start });
  }
  return out;
}

function flagUses(model: Model, flags: readonly Flag[]): Use[] {
  const out: Use[] = [];
  for (const f of flags) {
    if (!f.valueRange) continue;
    const start = f.valueRange.start.offset;
    const text = model.file.source.slice(start, f.range.end.offset);
    out.push(...usesIn(text, (at) => start + at, model.file.escape));
  }
  return out;
}

/** Names a RUN script sets itself (`TARGETARCH=...`, `export TARGETARCH`, `for TARGETARCH in`, `read`). */
function setByShell(ins: Instruction, name: string): boolean {
  const all = [ins.body.text, ...ins.heredocs.map((h) => h.content)].join('\n');
  return new RegExp(`(^|[\\s;&|(])(export\\s+|local\\s+|readonly\\s+)?${name}=|\\b(for|read)\\s+(-\\w+\\s+)*${name}\\b|\\bexport\\s+${name}\\b`).test(all);
}

function usesOf(model: Model, ins: Instruction): Use[] {
  const escape = model.file.escape;
  const out = flagUses(model, ins.flags);
  if (ins.keyword === 'from' || ins.keyword === 'arg') return out;
  out.push(...usesIn(ins.body.text, (at) => toSourceOffset(ins.body, at), escape));
  for (const h of ins.heredocs) {
    if (ins.keyword !== 'run' && !h.expand) continue;
    out.push(...usesIn(h.content, (at) => toSourceOffset(h.text, at), escape));
  }
  return out;
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, target: Platform): void {
  const view = model.view(stage, target);
  stage.instructions.forEach((ins, i) => {
    const scope = view.scopes[i] ?? view.end;
    for (const u of usesOf(model, ins)) {
      if (scope.get(u.name)) continue;
      if (ins.keyword === 'run' && setByShell(ins, u.name)) continue;
      const fix = declareArgs(model, stage, [u.name], i, target);
      ctx.report({
        messageId: 'undeclared',
        range: rangeAt(model.file.lineStarts, u.offset, u.offset + u.length),
        data: { name: u.name, stage: stage.name ?? String(stage.index) },
        ...(fix.length ? { fix } : {}),
      });
    }
  });
}

export default defineRule({
  meta: {
    id: 'AA102',
    name: 'platform-arg-undeclared',
    title: 'A platform ARG is used in a stage that does not declare it',
    severity: 'error',
    description:
      'BuildKit defines TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the BUILD* four in the global ' +
      'scope only. Inside a stage they expand to an empty string until the stage says `ARG TARGETARCH`, so ' +
      '`curl .../tool-linux-$TARGETARCH` silently downloads `tool-linux-`.',
    related: ['UndefinedVar'],
    fixable: true,
  },
  messages,
  gate: /(?:TARGET|BUILD)(?:PLATFORM|OS|ARCH|VARIANT)/,
  check(model, ctx) {
    const target = ctx.platforms[0];
    if (!target) return;
    for (const stage of model.stages) checkStage(model, stage, ctx, target);
  },
});
