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
import { parseDockerfile } from '../dockerfile/parser.js';
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

const SHELL_INVOCATION = /(?:^|\s)(?:\S*\/)?(?:sh|bash|ash|dash|zsh)\s+-c\s+|(?:^|\s)(?:cmd(?:\.exe)?\s+\/S\s+\/C|powershell(?:\.exe)?\s+-command)\s+/i;

function fold(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Drops BuildKit's `|N NAME=value...` build-arg prefix and the shell invocation of a RUN. */
function runCommand(rest: string): string {
  let t = rest.trim();
  if (/^\|\d+\s/.test(t)) {
    const shell = SHELL_INVOCATION.exec(t);
    if (shell) return t.slice(shell.index + shell[0].length);
    // no shell named: skip the NAME=value words after `|N`
    const word = /[A-Za-z_][A-Za-z0-9_]*=\S*\s+/y;
    word.lastIndex = (/^\|\d+\s+/.exec(t) as RegExpExecArray)[0].length;
    let at = word.lastIndex;
    while (word.exec(t)) at = word.lastIndex;
    return t.slice(at);
  }
  const shell = SHELL_INVOCATION.exec(t);
  if (shell && shell.index === 0) return t.slice(shell[0].length);
  return t;
}

/** Reads a history step's `created_by` (BuildKit or the classic builder); undefined when it is no instruction. */
export function parseCreatedBy(createdBy: string): CreatedBy | undefined {
  let t = createdBy.slice(0, MAX_CREATED_BY_CHARS).trim().replace(/\s*# buildkit$/, '');
  if (t === '') return undefined;
  const nop = /^\S+\s+-c\s+#\(nop\)\s*(.*)$/s.exec(t);
  if (nop) t = (nop[1] as string).trim();
  // the classic builder's RUN: the shell line itself, with its build args first (`|1 A=b /bin/sh -c ...`)
  else if (/^\|\d+\s/.test(t) || /^(?:\S*\/)?(?:sh|bash|ash|dash)\s+-c\s/.test(t)) return { keyword: 'run', text: fold(runCommand(t)) };
  const m = /^([A-Za-z]+)(?:\s+(.*))?$/s.exec(t);
  if (!m) return undefined;
  const keyword = (m[1] as string).toLowerCase();
  const rest = m[2] ?? '';
  if (keyword === 'run') return { keyword, text: fold(runCommand(rest)) };
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

/** Does the history step look like the instruction? */
export function matches(step: CreatedBy, ins: Instruction): boolean {
  if (step.keyword !== ins.keyword) return false;
  const text = instructionText(ins);
  if (step.keyword === 'run') {
    if (step.text === text || withoutQuotes(step.text) === withoutQuotes(text)) return true;
    // heredocs: BuildKit records the command line and the documents; compare the first line
    if (ins.heredocs.length > 0) return firstLine(step.text).startsWith(firstLine(text)) || step.text.includes(firstLine(ins.heredocs[0]?.content ?? '\u0000'));
    return false;
  }
  if (step.keyword === 'copy' || step.keyword === 'add') {
    const dest = ins.args[ins.args.length - 1] ?? '';
    const norm = (d: string): string => d.replace(/\/+$/, '') || '/';
    if (step.destination !== undefined) return norm(step.destination) === norm(dest);
    if (step.text === text) return true;
    const stepDest = step.text.split(' ').pop() ?? '';
    return norm(stepDest) === norm(dest);
  }
  return step.text === text || withoutQuotes(step.text) === withoutQuotes(text) || step.text.split(' ')[0] === text.split(' ')[0];
}

/**
 * The history step each final-stage instruction made: pairs (history index, instruction), found
 * backwards from the last step within {@link MATCH_WINDOW} instructions of the last match.
 */
export function alignHistory(createdBy: readonly (string | undefined)[], instructions: readonly Instruction[]): Map<number, Instruction> {
  const out = new Map<number, Instruction>();
  let j = instructions.length - 1;
  for (let i = createdBy.length - 1; i >= 0 && j >= 0; i--) {
    const raw = createdBy[i];
    const step = raw === undefined ? undefined : parseCreatedBy(raw);
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
 * the check findings on that instruction's lines for `platforms`. Layers below the first matched
 * one (the base image's) point at the final stage's FROM.
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
  let firstMatched: number | undefined;
  history.forEach((h, i) => {
    const ins = aligned.get(i);
    if (!h.layer) return;
    if (ins) {
      out.set(h.layer.index, sourceOf(ins));
      firstMatched ??= h.layer.index;
    }
  });
  if (firstMatched !== undefined) {
    const from = sourceOf(stage.from);
    for (const h of history) if (h.layer && h.layer.index < firstMatched && !out.has(h.layer.index)) out.set(h.layer.index, from);
  }
  return out;
}
