/**
 * Does an instruction or a stage mention something: cheap text tests before a RUN is read as
 * shell, BuildKit's TARGET* platform args, tonistiigi/xx (which derives the target itself) and
 * cross set-ups (crossbuild-essential, foreign dpkg architectures).
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

/** Signs of a cross set-up: see {@link stageCrossCompiles}. */
const CROSS =
  /--add-architecture|crossbuild-essential|\b(?:gcc|g\+\+|cpp|binutils|libc6-dev)-(?:\d+-)?(?:x86-64|aarch64|arm|i686|powerpc64le|s390x|riscv64|mips64el|loongarch64)-linux-gnu|-cross\b|[a-z0-9+.-]:(?:amd64|arm64|armhf|armel|i386|ppc64el|s390x|riscv64|mips64el)\b|\bxx-[a-z]/;

/**
 * Does the stage (or one it is built FROM) deliberately handle other architectures: a cross
 * toolchain (crossbuild-essential, gcc-aarch64-linux-gnu, *-cross), foreign dpkg architectures
 * (`--add-architecture`, `pkg:arm64`) or tonistiigi/xx? Its constant architecture words are meant.
 */
export function stageCrossCompiles(stage: Stage): boolean {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (stageUsesXx(s)) return true;
    if (s.instructions.some((i) => instructionMentions(i, CROSS))) return true;
  }
  return false;
}
