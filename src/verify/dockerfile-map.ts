/**
 * `--dockerfile`: which Dockerfile instruction made each layer, so that a verdict points at a
 * line, and which `check` findings are on that line. The config's history (`created_by`) is
 * matched to the final stage's instructions, backwards from the last step: the final stage's
 * instructions made the top of the history, and the base image's steps, below them, match
 * nothing in it.
 *
 * `created_by` as builders write it:
 * - BuildKit: `RUN /bin/sh -c apt-get update # buildkit`, with the build args a RUN sees first
 *   (`RUN |2 TARGETARCH=arm64 X=y /bin/sh -c make # buildkit`), `COPY --from=build /out /app # buildkit`,
 *   `ADD x /y # buildkit`, `WORKDIR /app`, `ENV A=b`, `ARG X=y`, `CMD ["x"]`...
 * - the classic builder: `/bin/sh -c apt-get update` (RUN, `|1 X=y /bin/sh -c ...` with args),
 *   `/bin/sh -c #(nop) COPY file:<hash> in /dst `, `/bin/sh -c #(nop)  CMD ["x"]`.
 * Matching is tolerant: whitespace folded, continuations joined as BuildKit joins them, heredocs
 * compared by their first line, a classic COPY by its destination.
 */
import { checkSource, type CheckOptions } from '../check/engine.js';
import type { Instruction } from '../dockerfile/ast.js';
import { buildModel } from '../dockerfile/model.js';
import { INSTRUCTIONS, parseDockerfile } from '../dockerfile/parser.js';
import type { HistoryStep } from '../oci/image.js';
import { formatPlatform, type Platform } from '../platform/index.js';
import type { VerdictSource } from './types.js';

/** The Dockerfile given with `--dockerfile`: its name as shown and its text. */
export interface DockerfileInput {
  readonly file: string;
  readonly source: string;
  /** options for the check run on it (rules, severities from `.anyarch.yaml`) */
  readonly check?: CheckOptions;
}

/** How far back from the last matched instruction a history step may match (steps a builder did not record). */
export const MATCH_WINDOW = 8;

/** Most characters of one `created_by` compared (a config may hold megabytes in one step). */
export const MAX_CREATED_BY_CHARS = 64 * 1024;

/** A `created_by` read: the instruction keyword and its text, normalised. */
export interface CreatedBy {
  readonly keyword: string;
  readonly text: string;
  /** a classic builder's COPY/ADD: only the destination is known */
  readonly destination?: string;
}

/** A shell as its words (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`). */
export type ShellWords = readonly string[];

/** The shells builders put before a RUN when the stage declares none: Linux's and Windows'. */
const DEFAULT_SHELLS: readonly ShellWords[] = [
  ['/bin/sh', '-c'],
  ['cmd', '/S', '/C'],
];

/** Most option words read between a POSIX shell and its `-c` (`bash -e -u -x -o pipefail -c`). */
export const MAX_SHELL_OPTIONS = 16;

const POSIX_SHELL = /^(?:\S*\/)?(?:sh|bash|ash|dash|zsh|ksh|mksh)$/;

function fold(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Where the command starts when a shell invocation begins at `words[i]`: one of `shells` word for
 * word, or any POSIX shell (after `env`) with options before a `-c` (`-o pipefail`, `-euxo
 * pipefail`, `-lc`); -1 when none begins there.
 */
function afterShell(words: readonly string[], i: number, shells: readonly ShellWords[]): number {
  for (const shell of shells) {
    if (shell.length > 0 && shell.every((w, k) => words[i + k] === w)) return i + shell.length;
  }
  let j = i;
  if (/^(?:\S*\/)?env$/.test(words[j] ?? '')) j++;
  if (!POSIX_SHELL.test(words[j] ?? '')) return -1;
  const end = Math.min(words.length, j + 1 + MAX_SHELL_OPTIONS);
  for (j++; j < end; j++) {
    const w = words[j] as string;
    if (/^-[A-Za-z]*c$/.test(w)) return j + 1;
    if (/^[-+][A-Za-z]*o$/.test(w)) j++; // -o pipefail: the option's argument
    else if (!/^(?:[-+][A-Za-z]+|--[a-z][a-z-]*)$/.test(w)) return -1;
  }
  return -1;
}

/**
 * A container command line as builders record it, without its build args (`|N NAME=value...`,
 * values may hold spaces) and its shell (`/bin/bash -o pipefail -c`), folded; undefined when it
 * has neither (an exec-form command).
 */
function withoutShell(line: string, shells: readonly ShellWords[]): string | undefined {
  const words = line.trim().split(/\s+/);
  if (/^\|\d+$/.test(words[0] ?? '')) {
    // the build args, then the shell: the first word where one begins
    for (let i = 1; i < words.length; i++) {
      const at = afterShell(words, i, shells);
      if (at >= 0) return words.slice(at).join(' ');
    }
    // no shell (an exec-form RUN with build args): the NAME=value words skipped
    let i = 1;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string)) i++;
    return words.slice(i).join(' ');
  }
  const at = afterShell(words, 0, shells);
  return at >= 0 ? words.slice(at).join(' ') : undefined;
}

/** Keyword and text of `KEYWORD text`, when the keyword is a Dockerfile instruction. */
function keywordOf(t: string): { keyword: string; rest: string } | undefined {
  const m = /^([A-Za-z]+)(?:\s+(.*))?$/s.exec(t);
  const keyword = m?.[1]?.toLowerCase();
  return keyword && INSTRUCTIONS.has(keyword) ? { keyword, rest: m?.[2] ?? '' } : undefined;
}

/**
 * Reads a history step's `created_by` (BuildKit or the classic builder); undefined when it is no
 * instruction. `shells` are the stage's `SHELL`s (a builder puts the one in effect before a RUN,
 * and the classic builder before `#(nop)` too); `/bin/sh -c`, `cmd /S /C` and any POSIX shell
 * with options before `-c` are known without them.
 */
export function parseCreatedBy(createdBy: string, shells: readonly ShellWords[] = []): CreatedBy | undefined {
  const t = createdBy
    .slice(0, MAX_CREATED_BY_CHARS)
    .trim()
    .replace(/\s*# buildkit(?::\S+)?$/, '');
  if (t === '') return undefined;
  // a SHELL element may hold spaces (`"$ErrorActionPreference = 'Stop';"`): compared word by word
  const known = [...shells.map((shell) => shell.flatMap((w) => w.split(/\s+/).filter((x) => x !== ''))), ...DEFAULT_SHELLS];
  // the classic builder records the container's command line: a RUN's, or `<shell> #(nop) <instruction>`
  const command = withoutShell(t, known);
  let step: { keyword: string; rest: string } | undefined;
  if (command === undefined) step = keywordOf(t);
  else {
    const nop = /^#\(nop\)\s*(.*)$/s.exec(command);
    if (!nop) return { keyword: 'run', text: fold(command) };
    step = keywordOf((nop[1] as string).trim());
  }
  if (!step) return undefined;
  const { keyword, rest } = step;
  if (keyword === 'run') return { keyword, text: fold(withoutShell(rest, known) ?? rest) };
  if (keyword === 'copy' || keyword === 'add') {
    const classic = /^(?:file|dir|multi):[0-9a-f]+\s+in\s+(\S+)\s*$/.exec(rest.trim());
    if (classic) return { keyword, text: '', destination: classic[1] as string };
    return { keyword, text: fold(rest.replace(/(?:^|\s)--[a-z-]+(?:=\S*)?/g, ' ')) };
  }
  return { keyword, text: fold(rest) };
}

/** An instruction's text as a builder would record it. */
function instructionText(ins: Instruction): string {
  if (ins.keyword === 'run') return fold(ins.json ? ins.args.join(' ') : (ins.args[0] ?? ins.body.text));
  return fold(ins.args.join(' '));
}

function firstLine(s: string): string {
  return fold(s.split('\n')[0] ?? '');
}

function withoutQuotes(s: string): string {
  return s.replace(/["']/g, '');
}

/** Without quotes, brackets and commas: `SHELL [/bin/bash -c]` and `CMD ["a" "b"]` as BuildKit prints lists. */
function bare(s: string): string {
  return fold(s.replace(/["'[\],]/g, ' '));
}

/** Does the history step look like the instruction? */
export function matches(step: CreatedBy, ins: Instruction): boolean {
  if (step.keyword !== ins.keyword) return false;
  const text = instructionText(ins);
  if (step.keyword === 'run') {
    const same = (a: string): boolean => step.text === a || withoutQuotes(step.text) === withoutQuotes(a);
    // an exec-form RUN through a shell (`["/bin/bash", "-c", "make"]`) is recorded as that shell line
    if (same(text) || (ins.json && same(withoutShell(text, []) ?? text))) return true;
    const doc = ins.heredocs[0];
    if (!doc) return false;
    // a heredoc that starts with #! runs as the file BuildKit mounts at /dev/pipes/<name>
    if (step.text === `/dev/pipes/${doc.name}`) return true;
    // other heredocs: BuildKit records the command line and the documents; compare the first line
    return firstLine(step.text).startsWith(firstLine(text)) || step.text.includes(firstLine(doc.content || '\u0000'));
  }
  if (step.keyword === 'copy' || step.keyword === 'add') {
    const dest = ins.args[ins.args.length - 1] ?? '';
    const norm = (d: string): string => d.replace(/\/+$/, '') || '/';
    if (step.destination !== undefined) return norm(step.destination) === norm(dest);
    if (step.text === text) return true;
    const stepDest = step.text.split(' ').pop() ?? '';
    return norm(stepDest) === norm(dest);
  }
  return step.text === text || bare(step.text) === bare(text) || step.text.split(' ')[0] === text.split(' ')[0];
}

/**
 * The history step each final-stage instruction made: pairs (history index, instruction), found
 * backwards from the last step within {@link MATCH_WINDOW} instructions of the last match.
 */
export function alignHistory(createdBy: readonly (string | undefined)[], instructions: readonly Instruction[]): Map<number, Instruction> {
  const out = new Map<number, Instruction>();
  const shells = instructions.filter((ins) => ins.keyword === 'shell' && ins.json).map((ins) => ins.args);
  let j = instructions.length - 1;
  for (let i = createdBy.length - 1; i >= 0 && j >= 0; i--) {
    const raw = createdBy[i];
    const step = raw === undefined ? undefined : parseCreatedBy(raw, shells);
    if (!step) continue;
    for (let k = j; k >= 0 && k >= j - MATCH_WINDOW; k--) {
      if (matches(step, instructions[k] as Instruction)) {
        out.set(i, instructions[k] as Instruction);
        j = k - 1;
        break;
      }
    }
  }
  return out;
}

/**
 * The Dockerfile source of each layer (by layer index) that a final-stage instruction made, with
 * the check findings on that instruction's lines for `platforms`. Layers of steps older than the
 * final stage's first step (the base image's) point at the final stage's FROM; a layer of the
 * stage that no step matched points nowhere (a wrong line would mislead more than none).
 */
export function dockerfileSources(input: DockerfileInput, history: readonly HistoryStep[], platforms: readonly Platform[]): Map<number, VerdictSource> {
  const out = new Map<number, VerdictSource>();
  let model;
  try {
    model = buildModel(parseDockerfile(input.source, input.file));
  } catch {
    return out; // a Dockerfile that cannot be read points nowhere; check reports it when run on it
  }
  const stage = model.finalStage;
  if (!stage) return out;
  const aligned = alignHistory(
    history.map((h) => h.entry.created_by),
    stage.instructions,
  );
  const names = platforms.map(formatPlatform);
  const findings = checkSource(input.source, input.file, { ...input.check, platforms }).findings.filter((f) => !f.platforms?.length || f.platforms.some((p) => names.includes(p)));
  const sourceOf = (ins: Instruction): VerdictSource => ({
    file: input.file,
    line: ins.range.start.line,
    column: ins.range.start.column,
    endLine: ins.range.end.line,
    endColumn: ins.range.end.column,
    instruction: ins.keyword.toUpperCase(),
    findings: findings
      .filter((f) => f.range.start.line >= ins.range.start.line && f.range.start.line <= ins.range.end.line)
      .sort((a, b) => a.ruleId.localeCompare(b.ruleId))
      .map((f) => ({ id: f.ruleId, message: f.message })),
  });
  for (const [i, ins] of aligned) {
    const layer = history[i]?.layer;
    if (layer) out.set(layer.index, sourceOf(ins));
  }
  // the base image's layers: those of steps older than the final stage's first step (a builder
  // records one step per instruction; ONBUILD none with BuildKit, so the count errs towards
  // "the stage's, unmatched"), and than any matched step; a stage layer no step matched stays unmapped
  if (aligned.size > 0) {
    const stageStart = Math.min(history.length - stage.instructions.length, ...aligned.keys());
    const from = sourceOf(stage.from);
    history.forEach((h, i) => {
      if (h.layer && i < stageStart && !out.has(h.layer.index)) out.set(h.layer.index, from);
    });
  }
  return out;
}
