/**
 * AA117: a build argument of the Dockerfile's own (`ARG ARCH=amd64`, `ARG BUILD_ARCH=x86_64`)
 * whose default is one architecture's word and that chooses per-architecture content: a download,
 * a compiler target, a file copied from the context, a `case` or test that picks one. BuildKit
 * sets TARGETARCH for each platform, never this ARG, so every platform gets the default.
 *
 * Reported once, at the default (where the fix goes), naming the first use. A download through
 * such an ARG is this rule's, not AA101's; `ARG GOARCH=amd64` (and the other compiler variables)
 * stays AA107's, and `FROM ${ARCH}/image` AA113's.
 */
import type { Instruction } from '../dockerfile/ast.js';
import { isPlatformArg, type Model, type Stage } from '../dockerfile/model.js';
import { instructionMentions } from './support/mentions.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { wordsOf } from '../dockerfile/shell.js';
import { positionAt, rangeAt, toSourceOffset } from '../dockerfile/text.js';
import { formatPlatform, type Platform } from '../platform/index.js';
import { isArchGuarded, TEST_COMMANDS } from './support/arch-branches.js';
import { declareArgs } from './support/fix.js';
import { commandWords } from './support/shell-words.js';
import { tokenNames } from './support/url-arch-words.js';
import {
  archWordValue,
  isNameOnlyCommand,
  traceInstructionText,
  traceRunWord,
  type Traced,
  type ValueOrigin,
} from './support/value-flow.js';
import { defineRule, type Edit, type RuleContext } from './types.js';

const messages = {
  argDefault:
    'ARG {name} defaults to "{value}" and buildx never sets it, so {use} on line {line} takes {value} on every platform, also on {platforms}',
} as const;

/** Compiler variables AA107 reports itself when an ARG sets them. */
const AA107_NAMES = new Set(['GOARCH', 'GOAMD64', 'GOARM', 'CARGO_BUILD_TARGET']);

interface Use {
  readonly traced: Traced;
  readonly use: string;
  readonly offset: number;
  readonly stage: Stage;
}

/** Words of a stage that choose content, traced: RUN commands that do something, branch subjects, COPY/ADD sources. */
function stageUses(model: Model, stage: Stage, target: Platform, each: (u: Use) => void): void {
  stage.instructions.forEach((ins: Instruction, index) => {
    // a RUN's build-context scripts are read as its shell: their `$` counts
    if (!instructionMentions(ins, /\$/)) return;
    if (ins.keyword === 'run') {
      for (const source of model.shell(ins)) {
        const seen = new Set<number>();
        const trace = (cmd: SimpleCommand, w: ShellWord, use: string): void => {
          if (seen.has(w.start)) return;
          seen.add(w.start);
          const raw = source.text.text.slice(w.start, w.end);
          if (!raw.includes('$')) return;
          const traced = traceRunWord(model, stage, index, source, cmd, raw, w.start, target);
          each({ traced, use, offset: toSourceOffset(source.text, w.start), stage });
        };
        for (const cmd of source.script.commands) {
          const words = commandWords(cmd);
          const tool = words[0]?.value ?? '';
          if (isNameOnlyCommand(cmd)) continue;
          // the branches that choose whether this command (or assignment) runs, when they test a value
          for (const b of cmd.branches) {
            if (b.kind === 'case') trace(cmd, b.subject, 'the case');
            else for (const c of b.condition) if (TEST_COMMANDS.has(c.words[0]?.value ?? '')) for (const w of c.words) trace(c, w, 'the test');
          }
          if (!tool || isArchGuarded(cmd)) continue;
          for (const w of [...cmd.assignments, ...words]) trace(cmd, w, tool);
        }
      }
    } else if ((ins.keyword === 'copy' || ins.keyword === 'add') && !ins.json) {
      const words = wordsOf(ins.body.text);
      for (const w of words.slice(0, -1)) {
        if (!w.raw.includes('$') || w.raw.startsWith('--')) continue;
        const traced = traceInstructionText(model, stage, index, w.raw, (i) => toSourceOffset(ins.body, w.start + i), target);
        each({ traced, use: ins.keyword.toUpperCase(), offset: toSourceOffset(ins.body, w.start), stage });
      }
    }
  });
}

/** The ARG defaults in a traced word that are one architecture's word. */
function argOrigins(t: Traced): ValueOrigin[] {
  const out: ValueOrigin[] = [];
  for (const o of t.from) {
    if (!o || o.kind !== 'arg' || out.includes(o)) continue;
    if (isPlatformArg(o.name) || AA107_NAMES.has(o.name) || !archWordValue(o.raw)) continue;
    out.push(o);
  }
  return out;
}

/** The names of ARGs (global or in a stage) whose default is one architecture's word, and the ARG instructions. */
function candidateArgs(model: Model): Map<string, Set<Instruction>> {
  const out = new Map<string, Set<Instruction>>();
  for (const ins of model.file.instructions) {
    if (ins.keyword !== 'arg') continue;
    for (const d of model.argDecls(ins)) {
      if (d.default === null || isPlatformArg(d.name) || AA107_NAMES.has(d.name) || !archWordValue(d.default)) continue;
      const set = out.get(d.name) ?? new Set<Instruction>();
      set.add(ins);
      out.set(d.name, set);
    }
  }
  return out;
}

/** Whether a candidate ARG is in scope somewhere in the stage (declared there or in a parent, or a global one redeclared). */
function seesCandidate(model: Model, stage: Stage, candidates: Map<string, Set<Instruction>>): boolean {
  const globals = new Set(model.globalArgs.filter((a) => candidates.get(a.name)?.has(a.instruction)).map((a) => a.name));
  for (let s: Stage | null = stage; s; s = s.parent) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'arg') continue;
      for (const d of model.argDecls(ins)) {
        if (candidates.get(d.name)?.has(ins) || (d.default === null && globals.has(d.name))) return true;
      }
    }
  }
  return false;
}

function planFix(
  model: Model,
  o: ValueOrigin,
  at: number,
  word: string,
  hitVocabs: readonly string[],
  platforms: readonly Platform[],
  builder: boolean,
): { fix?: Edit[]; note?: string } {
  const arg = builder ? 'BUILDARCH' : 'TARGETARCH';
  const arm32 = platforms.some((p) => p.architecture === 'arm');
  if (!hitVocabs.includes('targetarch') || arm32 || o.singleQuoted(at)) {
    return {
      note: `"${word}" is not ${arg}'s word on every platform: map ${arg} to it in a case in the RUN that uses ${o.name}`,
    };
  }
  if (!o.stage && model.stages.some((s) => new RegExp(`\\$\\{?${o.name}\\b`).test(s.from.body.text))) {
    return { note: `a FROM line also reads ${o.name}: derive it from ${arg} in the stages that use it (ARG ${o.name}=\${${arg}})` };
  }
  const off = o.sourceAt(at);
  const declare = o.stage ? declareArgs(model, o.stage, [arg], o.index, platforms[0] as Platform) : [];
  return { fix: [...declare, { start: off, end: off + word.length, text: `\${${arg}}` }] };
}

function report(model: Model, ctx: RuleContext<typeof messages>, o: ValueOrigin, u: Use): void {
  const hit = archWordValue(o.raw);
  if (!hit) return;
  const platforms = u.stage.onBuildPlatform ? ctx.builderPlatforms : ctx.platforms.filter((p) => p.os === 'linux');
  const wrong = platforms.filter((p) => !tokenNames(hit, p));
  if (!wrong.length) return;
  // where the word sits in the value as written (after quotes and an OS prefix)
  const at = o.raw.lastIndexOf(hit.text);
  if (at === -1) return;
  const start = o.sourceAt(at);
  const fix = planFix(model, o, at, hit.text, hit.vocabularies, platforms, u.stage.onBuildPlatform);
  const names = wrong.map(formatPlatform);
  ctx.report({
    messageId: 'argDefault',
    range: rangeAt(model.file.lineStarts, start, start + hit.text.length),
    data: {
      name: o.name,
      value: hit.text,
      use: u.use,
      line: String(positionAt(model.file.lineStarts, u.offset).line),
      platforms: names.join(', '),
    },
    platforms: names,
    ...(fix.fix ? { fix: fix.fix } : {}),
    ...(fix.note ? { fixNote: fix.note } : {}),
  });
}

export default defineRule({
  meta: {
    id: 'AA117',
    name: 'arch-arg-default',
    title: 'A build argument defaults to one architecture and chooses per-architecture content',
    severity: 'error',
    description:
      'An ARG of the Dockerfile\'s own, such as `ARG ARCH=amd64` or `ARG BUILD_ARCH=x86_64`, picks a download, a ' +
      'compiler target or a file by its default. buildx sets TARGETARCH for each platform and never this ARG, ' +
      'so every platform variant gets the default\'s content.',
    related: ['AA101', 'AA103', 'AA107'],
    fixable: true,
  },
  messages,
  gate: /\bARG\b[^\n=]*=\s*["']?(?:linux[-_/.])?(?:amd64|x86_64|x86-64|x64|aarch64|arm64|arm64v8|armhf|armel|armv6l?|armv7l?|arm32v[67]|i386|i686|386|ppc64le|ppc64el|s390x|riscv64)\b/i,
  check(model, ctx) {
    const target = ctx.platforms.find((p) => p.os === 'linux');
    if (!target) return;
    const candidates = candidateArgs(model);
    if (!candidates.size) return;
    const reported = new Set<string>();
    for (const stage of model.stages) {
      if (stage.windows || !seesCandidate(model, stage, candidates)) continue;
      stageUses(model, stage, target, (u) => {
        for (const o of argOrigins(u.traced)) {
          const key = `${o.sourceAt(0)}`;
          if (reported.has(key)) continue;
          reported.add(key);
          report(model, ctx, o, u);
        }
      });
    }
  },
});
