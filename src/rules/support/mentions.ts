/**
 * Does an instruction or a stage mention something: cheap text tests before a RUN is read as
 * shell, BuildKit's TARGET* platform args, and tonistiigi/xx (which derives the target itself).
 */
import type { Instruction } from '../../dockerfile/ast.js';
import type { Stage } from '../../dockerfile/model.js';

/** Does the instruction's text (body and heredocs) match? A cheap test before reading it as shell. */
export function instructionMentions(ins: Instruction, re: RegExp): boolean {
  return re.test(ins.body.text) || ins.heredocs.some((h) => re.test(h.content));
}

const TARGET_RE = /\bTARGET(PLATFORM|OS|ARCH|VARIANT)\b/;

/** Does the instruction (body, heredocs, flags) mention a TARGET* arg? */
export function mentionsTarget(ins: Instruction): boolean {
  return TARGET_RE.test(ins.body.text) || ins.heredocs.some((h) => TARGET_RE.test(h.content)) || ins.flags.some((f) => TARGET_RE.test(f.raw));
}

/** Does the stage mention any TARGET* arg anywhere (FROM flag, instructions)? */
export function stageMentionsTarget(stage: Stage): boolean {
  if (/TARGET(PLATFORM|OS|ARCH|VARIANT)/.test(stage.platform?.value ?? '')) return true;
  return stage.instructions.some((i) => TARGET_RE.test(i.body.text) || i.heredocs.some((h) => TARGET_RE.test(h.content)));
}

/** Tools like tonistiigi/xx that derive the target themselves. */
export function stageUsesXx(stage: Stage): boolean {
  return stage.instructions.some((i) => /\bxx-(go|cargo|clang|apk|apt|apt-get|info|gcc|c\+\+|cc|ld|verify|windres)\b/.test(i.body.text));
}
