/**
 * Does an instruction or a stage mention something: cheap text tests before a RUN is read as
 * shell, BuildKit's TARGET* platform args, tonistiigi/xx (which derives the target itself) and
 * cross set-ups (crossbuild-essential, foreign dpkg architectures).
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

/** Signs of a cross set-up: see {@link stageCrossCompiles}. */
const CROSS =
  /--add-architecture|crossbuild-essential|\b(?:gcc|g\+\+|cpp|binutils|libc6-dev)-(?:\d+-)?(?:x86-64|aarch64|arm|i686|powerpc64le|s390x|riscv64|mips64el|loongarch64)-linux-gnu|-cross\b|[a-z0-9+.-]:(?:amd64|arm64|armhf|armel|i386|ppc64el|s390x|riscv64|mips64el)\b|\bxx-[a-z]/;

/**
 * Does the stage (or one it is built FROM) deliberately handle other architectures: a cross
 * toolchain (crossbuild-essential, gcc-aarch64-linux-gnu, *-cross), foreign dpkg architectures
 * (`--add-architecture`, `pkg:arm64`) or tonistiigi/xx? Its constant architecture words are meant.
 */
export function stageCrossCompiles(stage: Stage): boolean {
  return stageSetsUpCross(stage, CROSS);
}

/**
 * Does the stage, or one it is built FROM, use tonistiigi/xx or mention one of `signs` (what
 * counts as a cross set-up is the caller's: AA121 does not count the foreign packages it reports)?
 */
export function stageSetsUpCross(stage: Stage, signs: RegExp): boolean {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (stageUsesXx(s)) return true;
    if (s.instructions.some((i) => instructionMentions(i, signs))) return true;
  }
  return false;
}
