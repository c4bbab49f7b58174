/**
 * AA107: a compiler told to build for one CPU by a constant: `GOARCH=amd64` (hadolint#1071),
 * `cargo build --target x86_64-unknown-linux-gnu`, `CARGO_BUILD_TARGET=...`, `-march=x86-64-v3`,
 * `-mavx2`, `-mfpu=neon`, `-C target-cpu=...`, in a multi-platform build. `-march=native` (the
 * build machine's CPU) is reported as information.
 */
import type { Instruction, SourceText } from '../dockerfile/ast.js';
import type { Model, Stage } from '../dockerfile/model.js';
import { wordsOf, type ShellWord, type SimpleCommand } from '../dockerfile/shell.js';
import { rangeAt, toSourceRange } from '../dockerfile/text.js';
import { formatPlatform, goarchArchitecture, rustTripleBuilds, toVocabulary, type Platform } from '../platform/index.js';
import { isArchGuarded } from './support/arch-branches.js';
import { declareArgs } from './support/fix.js';
import { stagePlatforms, targetsBuilding } from './support/stage-platforms.js';
import { instructionMentions, stageCrossCompiles } from './support/mentions.js';
import { commandWords, envWords, settingWords } from './support/shell-words.js';
import { cpuFlags, FLAG_VARIABLES, goEnvWrites, isCrossCompiler, type CpuFlagHit } from './support/toolchains.js';
import { defineRule, type Edit, type ReportDescriptor, type RuleContext } from './types.js';

const messages = {
  goarch: 'GOARCH={value} builds {value} binaries, but the image is also built for {platform} (use GOARCH=$TARGETARCH)',
  rustTarget: '{value} builds for one CPU, but the image is also built for {platform}',
  cpuFlag: '{flag} is a flag for {family} CPUs, but the image is also built for {platform}',
  cpuLevel: '{flag} needs an x86-64-{level} CPU, but {platform} images also run on older x86-64 CPUs',
  native: '{flag} optimises for the build machine\'s CPU: the binary may crash (SIGILL) on other CPUs of the same architecture',
} as const;

/** Where a value sits: a stage's instruction (null for a global ARG) and the source offsets. */
interface Place {
  readonly stage: Stage | null;
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

interface Pending {
  readonly report: ReportDescriptor<typeof messages>;
  /** the architecture a GOARCH or Rust constant names (several in one instruction: deliberate) */
  readonly group?: { kind: 'go' | 'rust'; arch: string };
}

/** Cheap pre-filters: text that can hold nothing this rule looks for is skipped. */
const RUN_HINT = /GOARCH|CARGO_BUILD_TARGET|GOAMD64|--target|rustup|-m(arch|cpu|fpu|sse|ssse|avx|fma|bmi|popcnt|aes|pclmul|f16c|lzcnt|movbe|sha|xop|vaes|vpclmul|gfni)|target-(cpu|feature)/;
const DECL_HINT = /GOARCH|CARGO_BUILD_TARGET|GOAMD64|FLAGS/;

const NO_FLAG_SCAN = new Set(['sed', 'grep', 'egrep', 'awk', 'perl', 'rg']);
const RUST_TARGET_TOOLS = new Set(['cargo', 'rustc', 'cross']);

function unquote(v: string): string {
  return v.replace(/^(['"])(.*)\1$/, '$2');
}

function levelOf(variant: string): number {
  const m = /^v(\d)$/.exec(variant);
  return m ? Number(m[1]) : 1;
}

class Checker {
  private pending: Pending[] = [];
  /** a GOOS other than linux set in the same instruction: a binary for another OS (a release build) */
  private otherOs = false;

  /** GOARCH and Rust reports of the stage so far (several architectures in one stage: a deliberate fan-out) */
  private grouped: Pending[] = [];

  constructor(
    private readonly model: Model,
    private readonly ctx: RuleContext<typeof messages>,
    /** the targets of the stage being read (all targets for global ARGs) */
    public targets: readonly Platform[],
  ) {}

  private range(start: number, end: number): ReportDescriptor<typeof messages>['range'] {
    return rangeAt(this.model.file.lineStarts, start, end);
  }

  /** A NAME=value setting (ENV, ARG default, shell assignment, export, env, go env -w). */
  setting(name: string, rawValue: string, place: Place): void {
    const value = unquote(rawValue);
    if (name === 'GOOS' && value !== '' && value !== 'linux' && !value.includes('$')) this.otherOs = true;
    if (value === '' || value.includes('$') || value.includes('`')) {
      if (FLAG_VARIABLES.has(name)) this.flags(rawValue, place.start);
      return;
    }
    if (name === 'GOARCH') this.goarch(value, place);
    else if (name === 'CARGO_BUILD_TARGET') this.rustTarget(value, place);
    else if (name === 'GOAMD64') this.goamd64(value, place);
    else if (FLAG_VARIABLES.has(name)) this.flags(rawValue, place.start);
  }

  private goarch(value: string, place: Place): void {
    const arch = goarchArchitecture(value);
    if (!arch) return;
    const wrong = this.targets.filter((p) => toVocabulary(p, 'go') !== value);
    const first = wrong[0];
    if (!first) return;
    const { stage, index } = place;
    let fix: Edit[] | undefined;
    let fixNote: string | undefined;
    if (!stage) fixNote = 'a global ARG: declare GOARCH in the stage that builds, from ARG TARGETARCH';
    else {
      const target = this.targets[0] as Platform;
      fix = [...declareArgs(this.model, stage, ['TARGETARCH'], index, target), { start: place.start, end: place.end, text: '${TARGETARCH}' }];
    }
    const deliberate = stage?.onBuildPlatform ?? false;
    this.pending.push({
      group: { kind: 'go', arch },
      report: {
        messageId: 'goarch',
        range: this.range(place.start, place.end),
        data: { value, platform: formatPlatform(first) },
        platforms: wrong.map(formatPlatform),
        ...(fix && !deliberate ? { fix } : {}),
        ...(fix && deliberate
          ? {
              suggestions: [{ title: 'Build for the target platform: GOARCH=${TARGETARCH}', edits: fix }],
              fixNote: 'in a --platform=$BUILDPLATFORM stage a constant GOARCH may be a deliberate cross-compile',
            }
          : {}),
        ...(fixNote ? { fixNote } : {}),
      },
    });
  }

  rustTarget(triple: string, place: Place): void {
    const wrong = this.targets.filter((p) => rustTripleBuilds(triple, p) === false);
    const first = wrong[0];
    if (!first) return;
    this.pending.push({
      group: { kind: 'rust', arch: triple.split('-')[0] as string },
      report: {
        messageId: 'rustTarget',
        range: this.range(place.start, place.end),
        data: { value: triple, platform: formatPlatform(first) },
        platforms: wrong.map(formatPlatform),
        fixNote: 'the Rust triple depends on TARGETARCH, TARGETVARIANT and the C library: map them in a case (or use xx-cargo)',
      },
    });
  }

  private goamd64(value: string, place: Place): void {
    const m = /^v([234])$/.exec(value);
    if (!m) return;
    this.cpuLevel(
      `GOAMD64=${value}`,
      value,
      this.range(place.start, place.end),
      'a CPU level is a choice about which machines may run the image; set it per platform (linux/amd64/v3) instead',
    );
  }

  /** An x86-64 level (`v3`) above what some amd64 targets promise (plain linux/amd64 is v1). */
  private cpuLevel(flag: string, level: string, range: ReportDescriptor<typeof messages>['range'], fixNote: string): void {
    const low = this.targets.filter((p) => p.architecture === 'amd64' && levelOf(p.variant) < levelOf(level));
    const first = low[0];
    if (!first) return;
    this.pending.push({
      report: {
        messageId: 'cpuLevel',
        severity: 'info',
        range,
        data: { flag, level, platform: formatPlatform(first) },
        platforms: low.map(formatPlatform),
        fixNote,
      },
    });
  }

  /** CPU flags in a text whose first character is at source offset `start` (text without line continuations). */
  flags(text: string, start: number, map?: (at: number) => number): void {
    for (const hit of cpuFlags(text)) {
      const s = map ? map(hit.start) : start + hit.start;
      const e = map ? map(hit.end - 1) + 1 : start + hit.end;
      this.flag(hit, s, e);
    }
  }

  private flag(hit: CpuFlagHit, start: number, end: number): void {
    const range = this.range(start, end);
    const fixNote = 'which CPU to optimise for is a choice: set it per platform in a case on TARGETARCH, or drop it';
    if (hit.flag.native) {
      this.pending.push({ report: { messageId: 'native', severity: 'info', range, data: { flag: hit.text }, fixNote } });
      return;
    }
    const wrong = this.targets.filter((p) => !hit.flag.archs.includes(p.architecture));
    const first = wrong[0];
    if (first) {
      this.pending.push({
        report: {
          messageId: 'cpuFlag',
          range,
          data: { flag: hit.text, family: hit.flag.family, platform: formatPlatform(first) },
          platforms: wrong.map(formatPlatform),
          fixNote,
        },
      });
      return;
    }
    if (hit.flag.level) this.cpuLevel(hit.text, hit.flag.level, range, fixNote);
  }

  /**
   * Ends one instruction: reports what it collected, except GOARCH and Rust targets, which wait
   * for the end of the stage ({@link flushStage}). A GOOS other than linux in the instruction
   * makes its GOARCH a release build for another OS.
   */
  flush(): void {
    for (const p of this.pending) {
      if (p.group?.kind === 'go' && this.otherOs) continue;
      if (p.group) this.grouped.push(p);
      else this.ctx.report(p.report);
    }
    this.pending = [];
    this.otherOs = false;
  }

  /**
   * Ends a stage: GOARCH (or Rust) constants for several architectures in one stage, in one RUN
   * or across several (`GOARCH=amd64 go build -o out/amd64`, then arm64), build every
   * architecture on purpose: a fan-out stage, silent.
   */
  flushStage(): void {
    const archs = { go: new Set<string>(), rust: new Set<string>() };
    for (const p of this.grouped) if (p.group) archs[p.group.kind].add(p.group.arch);
    for (const p of this.grouped) if (p.group && archs[p.group.kind].size <= 1) this.ctx.report(p.report);
    this.grouped = [];
  }
}

/** NAME=value words of ENV/ARG (and the legacy `ENV NAME value`), with source offsets of the value. */
function declarations(ins: Instruction): { name: string; raw: string; start: number; end: number }[] {
  const body: SourceText = ins.body;
  const words = wordsOf(body.text);
  const out: { name: string; raw: string; start: number; end: number }[] = [];
  const first = words[0];
  if (!first) return out;
  if (ins.keyword === 'env' && !first.raw.includes('=')) {
    const second = words[1];
    if (!second) return out;
    const last = words[words.length - 1] as ShellWord;
    const [s, e] = toSourceRange(body, second.start, last.end);
    out.push({ name: first.raw, raw: body.text.slice(second.start, last.end), start: s, end: e });
    return out;
  }
  for (const w of words) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.raw);
    if (!m) continue;
    const vs = w.start + m[0].length;
    if (vs >= w.end) continue;
    const [s, e] = toSourceRange(body, vs, w.end);
    out.push({ name: m[1] as string, raw: w.raw.slice(m[0].length), start: s, end: e });
  }
  return out;
}

function checkRun(model: Model, stage: Stage, index: number, ins: Instruction, c: Checker, cross: () => boolean): void {
  if (!instructionMentions(ins, RUN_HINT)) return;
  for (const source of model.shell(ins)) {
    const text = source.text;
    const offsets = (a: number, b: number): [number, number] => toSourceRange(text, a, b);
    if (!RUN_HINT.test(text.text)) continue;
    for (const cmd of source.script.commands) {
      if (isArchGuarded(cmd)) continue;
      const settings = new Set<ShellWord>([...cmd.assignments, ...settingWords(cmd), ...envWords(cmd), ...goEnvWrites(cmd)]);
      for (const w of settings) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.raw);
        if (!m || FLAG_VARIABLES.has(m[1] as string) || w.end <= w.start + m[0].length) continue;
        const [s, e] = offsets(w.start + m[0].length, w.end);
        c.setting(m[1] as string, w.raw.slice(m[0].length), { stage, index, start: s, end: e });
      }
      rustTargets(cmd, cross, (triple, word, at) => {
        const [s, e] = offsets(word.start + at, word.start + at + triple.length);
        c.rustTarget(triple, { stage, index, start: s, end: e });
      });
      const words = commandWords(cmd);
      const tool = words[0]?.value ?? '';
      if (NO_FLAG_SCAN.has(tool) || isCrossCompiler(tool) || words.some((w) => /^(--target\b|-target$)/.test(w.value))) continue;
      for (const w of [...cmd.assignments, ...cmd.words]) {
        c.flags(w.raw, 0, (at) => toSourceRange(text, w.start + at, w.start + at + 1)[0]);
      }
    }
  }
}

/**
 * `--target T` / `--target=T` of cargo, rustc and cross; `rustup target add T` of one target,
 * except in a stage that sets up a cross toolchain (crossbuild-essential, `--add-architecture`),
 * where adding the foreign target is the point.
 */
function rustTargets(cmd: SimpleCommand, cross: () => boolean, report: (triple: string, word: ShellWord, at: number) => void): void {
  const words = commandWords(cmd);
  const tool = words[0]?.value ?? '';
  if (RUST_TARGET_TOOLS.has(tool)) {
    for (let i = 1; i < words.length; i++) {
      const w = words[i] as ShellWord;
      if (w.value === '--target') {
        const next = words[i + 1];
        if (next && !next.value.includes('$')) report(next.value, next, next.raw.indexOf(next.value) < 0 ? 0 : next.raw.indexOf(next.value));
      } else if (w.value.startsWith('--target=') && !w.value.includes('$')) {
        const v = w.value.slice('--target='.length);
        const at = w.raw.indexOf(v);
        report(v, w, at < 0 ? 0 : at);
      }
    }
  } else if (tool === 'rustup' && words[1]?.value === 'target' && words[2]?.value === 'add' && !cross()) {
    const triples = words.slice(3).filter((w) => !w.value.startsWith('-'));
    const only = triples[0];
    if (triples.length === 1 && only && !only.value.includes('$')) {
      const at = only.raw.indexOf(only.value);
      report(only.value, only, at < 0 ? 0 : at);
    }
  }
}

export default defineRule({
  meta: {
    id: 'AA107',
    name: 'hardcoded-compiler-target',
    title: 'A compiler setting hard-codes one CPU architecture',
    severity: 'warning',
    description:
      'GOARCH=amd64, `cargo build --target x86_64-unknown-linux-gnu`, CARGO_BUILD_TARGET, `-march=x86-64-v3`, ' +
      '`-mavx2`, `-mfpu=neon` or `-C target-cpu=...` tell the compiler which CPU to build for. As a constant in a ' +
      'Dockerfile built for several platforms, every platform variant gets that one CPU\'s binary, or the build ' +
      'fails where the flag does not exist (hadolint#1071). `-march=native` bakes in the build machine\'s CPU ' +
      'features and is reported as information.',
    related: [],
    fixable: true,
  },
  messages,
  gate: new RegExp(`${RUN_HINT.source}|${DECL_HINT.source}`),
  check(model, ctx) {
    const targets = ctx.platforms.filter((p) => p.os === 'linux');
    if (!targets.length) return;
    const c = new Checker(model, ctx, targets);
    const firstFrom = model.stages[0]?.from;
    for (const ins of model.file.instructions) {
      if (ins === firstFrom) break;
      if (ins.keyword !== 'arg' || !DECL_HINT.test(ins.body.text)) continue;
      for (const d of declarations(ins)) c.setting(d.name, d.raw, { stage: null, index: 0, start: d.start, end: d.end });
      c.flush();
    }
    c.flushStage();
    for (const stage of model.stages) {
      if (stage.windows) continue;
      // a stage chosen per platform (`FROM build-${TARGETARCH}`) is built for its own targets only
      const own = stagePlatforms(stage, ctx.platforms, model);
      c.targets = (own === 'builder' ? targetsBuilding(stage, ctx.platforms, model) : own).filter((p) => p.os === 'linux');
      if (!c.targets.length) continue;
      let crossSetUp: boolean | undefined;
      const cross = (): boolean => (crossSetUp ??= stageCrossCompiles(stage));
      stage.instructions.forEach((ins, index) => {
        if ((ins.keyword === 'env' || ins.keyword === 'arg') && DECL_HINT.test(ins.body.text)) {
          for (const d of declarations(ins)) c.setting(d.name, d.raw, { stage, index, start: d.start, end: d.end });
        } else if (ins.keyword === 'run') checkRun(model, stage, index, ins, c, cross);
        c.flush();
      });
      c.flushStage();
    }
  },
});
