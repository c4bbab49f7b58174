/**
 * Does an instruction or a stage mention something: cheap text tests before a RUN is read as
 * shell, BuildKit's TARGET* platform args, and tonistiigi/xx (which derives the target itself).
 */
import type { Instruction } from '../../dockerfile/ast.js';
import { scriptTextsOf, type Stage } from '../../dockerfile/model.js';

/** Does the instruction's text (body, heredocs, and the build-context scripts a RUN executes) match? A cheap test before reading it as shell. */
export function instructionMentions(ins: Instruction, re: RegExp): boolean {
  return re.test(ins.body.text) || ins.heredocs.some((h) => re.test(h.content)) || scriptTextsOf(ins).some((t) => re.test(t));
}

/** The instruction's text as shell reading sees it: body, heredocs and the context scripts a RUN executes, joined by newlines. */
export function instructionText(ins: Instruction): string {
  const scripts = scriptTextsOf(ins);
  if (!ins.heredocs.length && !scripts.length) return ins.body.text;
  return [ins.body.text, ...ins.heredocs.map((h) => h.content), ...scripts].join('\n');
}

const TARGET_RE = /\bTARGET(PLATFORM|OS|ARCH|VARIANT)\b/;

/** Does the instruction (body, heredocs, flags) mention a TARGET* arg? */
export function mentionsTarget(ins: Instruction): boolean {
  return instructionMentions(ins, TARGET_RE) || ins.flags.some((f) => TARGET_RE.test(f.raw));
}

/** Does the stage mention any TARGET* arg anywhere (FROM flag, instructions)? */
export function stageMentionsTarget(stage: Stage): boolean {
  if (/TARGET(PLATFORM|OS|ARCH|VARIANT)/.test(stage.platform?.value ?? '')) return true;
  return stage.instructions.some((i) => instructionMentions(i, TARGET_RE));
}

/** tonistiigi/xx's helpers, which read TARGETPLATFORM (or TARGETOS/TARGETARCH/TARGETVARIANT) from the environment. */
export const XX_TOOL = /\bxx-(go|cargo|clang\+\+|clang|apk|apt-get|apt|info|gcc|g\+\+|c\+\+|cc|ld|verify|windres)\b/;

/** Tools like tonistiigi/xx that derive the target themselves. */
export function stageUsesXx(stage: Stage): boolean {
  return stage.instructions.some((i) => instructionMentions(i, XX_TOOL));
}
