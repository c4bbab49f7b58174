/**
 * AA102: `$TARGETARCH` (or another automatic platform ARG) used in a stage that never declares
 * it. BuildKit defines these ARGs in the global scope only; inside a stage they are empty until
 * `ARG TARGETARCH` brings them in. BuildKit's own UndefinedVar check skips RUN, where this bites.
 */
import type { Flag, Instruction } from '../dockerfile/ast.js';
import { references } from '../dockerfile/expand.js';
import type { Model, Scope, Stage } from '../dockerfile/model.js';
import type { SimpleCommand } from '../dockerfile/shell.js';
import { isPlatformArg } from '../dockerfile/model.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import type { Platform } from '../platform/index.js';
import { declareArgs } from './support/fix.js';
import { XX_TOOL } from './support/mentions.js';
import { commandWords, spanRange } from './support/shell-words.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  undeclared: '${name} is empty here: stage {stage} does not declare ARG {name}',
  scriptReads: '{script} reads ${name} from the environment, but stage {stage} does not declare ARG {name}: the script sees it empty',
  xx: '`{tool}` reads TARGETPLATFORM from the environment, but stage {stage} (FROM --platform=$BUILDPLATFORM) declares neither ARG TARGETPLATFORM nor ARG TARGETARCH: it builds for the build machine',
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
  return setInText([ins.body.text, ...ins.heredocs.map((h) => h.content)].join('\n'), name);
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

/** Does a script set the name itself (`TARGETARCH=...`, `export TARGETARCH`, `for TARGETARCH in`, `read`)? */
function setInText(text: string, name: string): boolean {
  return new RegExp(`(^|[\\s;&|(])(export\\s+|local\\s+|readonly\\s+)?${name}=|\\b(for|read)\\s+(-\\w+\\s+)*${name}\\b|\\bexport\\s+${name}\\b`).test(text);
}

/** `${NAME:-word}`, `${NAME-word}`, `${NAME:=word}`: the script has its own fallback. */
function withDefault(text: string, name: string): boolean {
  return new RegExp(`\\$\\{${name}:?[-=]`).test(text);
}

/** The Dockerfile range of the word of a RUN that names a script (the RUN's body for the exec form). */
function runWordRange(model: Model, ins: Instruction, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: ins.bodyRange.start.offset, end: ins.bodyRange.end.offset };
  return { start: toSourceOffset(ins.body, start), end: toSourceOffset(ins.body, end - 1) + 1 };
}

/** RUNs that execute build-context scripts reading platform ARGs the stage does not declare (and xx-* helpers there). */
function checkScripts(model: Model, stage: Stage, ins: Instruction, i: number, scope: Scope, ctx: RuleContext<typeof messages>, target: Platform): void {
  const name = stage.name ?? String(stage.index);
  for (const source of model.shell(ins)) {
    const origin = source.origin;
    if (!origin) continue;
    const text = source.text.text;
    if (!MAY_USE.test(text) && !XX_TOOL.test(text)) continue;
    const r = runWordRange(model, ins, origin.start, origin.end);
    const range = rangeAt(model.file.lineStarts, r.start, r.end);
    const script = origin.script.contextPath;
    const names = new Set(usesIn(text, (at) => at, '\\').map((u) => u.name));
    for (const n of names) {
      if (scope.get(n) || setInText(text, n)) continue;
      // a fallback of its own is right where the stage runs on the target itself
      if (!stage.onBuildPlatform && withDefault(text, n)) continue;
      const fix = declareArgs(model, stage, [n], i, target);
      ctx.report({ messageId: 'scriptReads', range, data: { script, name: n, stage: name }, ...(fix.length ? { fix } : {}) });
    }
    if (stage.onBuildPlatform && !names.has('TARGETPLATFORM') && !names.has('TARGETARCH')) {
      const tool = xxTool(source.script.commands);
      if (tool && !xxTargetKnown(scope, text)) {
        const fix = declareArgs(model, stage, ['TARGETPLATFORM'], i, target);
        ctx.report({ messageId: 'scriptReads', range, data: { script, name: 'TARGETPLATFORM', stage: name }, ...(fix.length ? { fix } : {}) });
      }
    }
  }
}

/** The first xx-* helper a script runs. */
function xxTool(commands: readonly SimpleCommand[]): string | undefined {
  for (const c of commands) {
    const w = commandWords(c)[0]?.value.replace(/^.*\//, '');
    if (w && XX_TOOL.test(w) && /^xx-/.test(w)) return w;
  }
  return undefined;
}

/** xx finds the target from TARGETPLATFORM, or TARGETOS/TARGETARCH/TARGETVARIANT: is one there or set by the script? */
function xxTargetKnown(scope: Scope, text: string): boolean {
  return ['TARGETPLATFORM', 'TARGETARCH'].some((n) => scope.get(n) !== undefined || setInText(text, n));
}

/** xx-* helpers in a build-platform stage's RUN (not in its scripts: `checkScripts`). */
function checkXx(model: Model, stage: Stage, ins: Instruction, scope: Scope, ctx: RuleContext<typeof messages>, target: Platform, i: number): void {
  if (!stage.onBuildPlatform || !XX_TOOL.test(ins.body.text + ins.heredocs.map((h) => h.content).join('\n'))) return;
  for (const source of model.shell(ins)) {
    if (source.origin) continue;
    if (xxTargetKnown(scope, source.text.text)) return;
    for (const c of source.script.commands) {
      const first = commandWords(c)[0];
      const tool = first?.value.replace(/^.*\//, '');
      if (!first || !tool || !/^xx-/.test(tool) || !XX_TOOL.test(tool)) continue;
      if (c.assignments.some((a) => /^TARGET(PLATFORM|ARCH)=/.test(a.value))) continue;
      const fix = declareArgs(model, stage, ['TARGETPLATFORM'], i, target);
      ctx.report({
        messageId: 'xx',
        range: spanRange(model, source.text, first.start, first.end),
        data: { tool, stage: stage.name ?? String(stage.index) },
        ...(fix.length ? { fix } : {}),
      });
    }
  }
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, target: Platform): void {
  const view = model.view(stage, target);
  stage.instructions.forEach((ins, i) => {
    const scope = view.scopes[i] ?? view.end;
    if (ins.keyword === 'run') {
      checkXx(model, stage, ins, scope, ctx, target, i);
      if (model.scripts.length) checkScripts(model, stage, ins, i, scope, ctx, target);
    }
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
  gate: /(?:TARGET|BUILD)(?:PLATFORM|OS|ARCH|VARIANT)|\bxx-/,
  check(model, ctx) {
    const target = ctx.platforms[0];
    if (!target) return;
    for (const stage of model.stages) checkStage(model, stage, ctx, target);
  },
});
