/**
 * AA105: `uname -m`, `arch`, `dpkg --print-architecture` or `apk --print-arch` in a stage built
 * `FROM --platform=$BUILDPLATFORM`. Such a stage runs on the build machine, so the detector names
 * the builder's CPU: an arm64 image gets the amd64 download when it is built on an amd64 runner.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { detectorOf, mayContainDetector, type Detector } from './support/detectors.js';
import { instructionText, stageMentionsTarget, stageUsesXx } from './support/mentions.js';
import { commandWords, settingWords, spanRange, substitutions } from './support/shell-words.js';
import { feedsTarget, runOutputs, targetReadsAny } from './support/stage-outputs.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  builderArch:
    '{detector} names the build machine\'s CPU in stage {stage} (FROM --platform=$BUILDPLATFORM), but a target-platform stage uses what this RUN makes: choose by $TARGETARCH (ARG TARGETARCH) instead',
} as const;

/** Commands that only print (a log line is no choice). */
const PRINTERS = new Set(['echo', 'printf', 'logger', ':', 'true']);

interface Capture {
  readonly detector: Detector;
  /** shell-text offsets of the `$( )` */
  readonly start: number;
  readonly end: number;
  /** the variable it is assigned to, if any */
  readonly variable?: string;
}

interface WordIn {
  readonly word: ShellWord;
  readonly command: SimpleCommand | null;
}

function isPrinter(cmd: SimpleCommand | null): boolean {
  return cmd !== null && PRINTERS.has(commandWords(cmd)[0]?.value ?? '');
}

/** Words that carry a value somewhere: every word, assignment, redirect and case subject. */
function allWords(source: ShellSource): WordIn[] {
  const out: WordIn[] = [];
  const subjects = new Set<number>();
  for (const cmd of source.script.commands) {
    for (const word of [...cmd.assignments, ...cmd.words, ...cmd.redirects]) out.push({ word, command: cmd });
    for (const b of cmd.branches) {
      if (b.kind === 'case' && !subjects.has(b.subject.start)) {
        subjects.add(b.subject.start);
        out.push({ word: b.subject, command: null });
      }
    }
  }
  return out;
}

/** Detector substitutions that choose something (not printed, not `--build=`, variables that are read). */
function captures(source: ShellSource): Capture[] {
  const words = allWords(source);
  const found = new Map<number, Capture>();
  const assigned = new Map<string, Capture[]>();
  for (const { word, command } of words) {
    if (!mayContainDetector(word.raw)) continue;
    const settings = command ? settingWords(command) : [];
    for (const s of substitutions(word.raw)) {
      if (s.kind !== 'command') continue;
      const det = detectorOf(s.inner);
      if (!det) continue;
      const start = word.start + s.start;
      if (found.has(start)) continue;
      const cap: Capture = { detector: det, start, end: word.start + s.end };
      const setting = settings.includes(word) ? /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(word.raw) : null;
      if (setting) {
        const name = setting[1] as string;
        const c = { ...cap, variable: name };
        assigned.set(name, [...(assigned.get(name) ?? []), c]);
        continue;
      }
      if (isPrinter(command) || /^--build=/.test(word.value)) continue;
      found.set(start, cap);
    }
  }
  if (assigned.size) {
    const read = new Set<string>();
    for (const { word, command } of words) {
      if (!word.raw.includes('$') || isPrinter(command) || /^--build=/.test(word.value)) continue;
      for (const s of substitutions(word.raw)) if (s.kind === 'variable' && assigned.has(s.name)) read.add(s.name);
    }
    for (const [name, caps] of assigned) if (read.has(name)) for (const c of caps) found.set(c.start, c);
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): void {
  if (!stage.onBuildPlatform || stage.windows) return;
  if (!stage.instructions.some((i) => i.keyword === 'run' && mayContainDetector(instructionText(i)))) return;
  if (stageMentionsTarget(stage) || stageUsesXx(stage) || !feedsTarget(model, stage)) return;
  stage.instructions.forEach((ins: Instruction, index) => {
    if (ins.keyword !== 'run') return;
    let reads: boolean | undefined;
    for (const source of model.shell(ins)) {
      if (!mayContainDetector(source.text.text)) continue;
      for (const cap of captures(source)) {
        // only when a target-platform stage reads what this RUN writes
        reads ??= targetReadsAny(model, stage, runOutputs(model, stage, index));
        if (!reads) return;
        ctx.report({
          messageId: 'builderArch',
          range: spanRange(model, source.text, cap.start, cap.end),
          data: { detector: cap.detector.name, stage: stage.name ?? String(stage.index) },
        });
      }
    }
  });
}

export default defineRule({
  meta: {
    id: 'AA105',
    name: 'arch-detect-on-build-platform',
    title: 'An architecture detector runs on the build machine, not the target',
    severity: 'warning',
    description:
      'A stage built `FROM --platform=$BUILDPLATFORM` runs natively on the build machine. There `uname -m`, ' +
      '`arch`, `dpkg --print-architecture` and `apk --print-arch` name the builder\'s CPU, so a download chosen ' +
      'by them is the amd64 file in the arm64 image whenever the build runs on an amd64 runner. Use the ' +
      'TARGETARCH build arg (declared with `ARG TARGETARCH`) to choose, or tonistiigi/xx.',
    related: [],
    fixable: false,
  },
  messages,
  gate: /BUILD(?:PLATFORM|OS|ARCH)/,
  check(model, ctx) {
    for (const stage of model.stages) checkStage(model, stage, ctx);
  },
});
